//! The run log: each run of a desk (a command or the console's pipeline) and its report, for the
//! console's runs page.

use serde::Serialize;

use super::StoreError;

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

#[async_trait::async_trait]
pub trait Runs: Send + Sync {
    /// Writes a run's report so far (`report`: JSON); `finished` once the run ended.
    async fn record_run(&self, id: &str, desk: &str, report: &str, finished: bool) -> Result<(), StoreError>;
    /// The latest runs, newest first.
    async fn runs(&self, limit: usize) -> Result<Vec<RunRecord>, StoreError>;
}
