//! The run log's noun: a run of a desk (a command or the console's pipeline) and its report.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    pub id: String,
    pub desk: String,
    /// Unix seconds, by the store's clock.
    pub started_at: i64,
    /// None while it runs, or when its process died.
    pub finished_at: Option<i64>,
    /// The report's totals and backends, as JSON.
    pub report: String,
}
