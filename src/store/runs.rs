//! The console's nouns: a run of a desk (a command or the console's pipeline) and its report, a
//! CMS's callback waiting to be made, and a person's session.

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

/// A callback claimed for a while: the article it is about and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackClaim {
    pub article: String,
    pub url: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// Unix seconds, by the store's clock.
    pub created_at: i64,
    /// The claim's fencing token: its outcome is written only while it is the callback's latest.
    pub fence: i64,
}

/// A person's open session, as the console keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub user: String,
    /// The desks the password was checked for.
    pub desks: Vec<String>,
    pub csrf: String,
    /// Unix seconds, by the store's clock.
    pub expires_at: i64,
}
