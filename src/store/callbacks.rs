//! The CMS's callbacks: an article's status posted back to where it came from, claimed like a
//! delivery so that one worker makes each.

use std::time::Duration;

use super::StoreError;

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

#[async_trait::async_trait]
pub trait Callbacks: Send + Sync {
    /// An article's callback is wanted now (again, when one was made): to `url`, or where it went
    /// before when `url` is none (nothing happens when there was none).
    async fn want_callback(&self, article: &str, url: Option<&str>) -> Result<(), StoreError>;
    /// Up to `limit` callbacks whose time has come, each claimed for `lease`.
    async fn claim_callbacks(&self, limit: usize, lease: Duration) -> Result<Vec<CallbackClaim>, StoreError>;
    /// A claimed callback is looked at again `after` this long; `attempted` when a call failed.
    /// False when the claim is no longer the latest (it ran out, or the callback was asked for
    /// again): then nothing is written.
    async fn callback_later(
        &self,
        claim: &CallbackClaim,
        after: Duration,
        attempted: bool,
        error: Option<&str>,
    ) -> Result<bool, StoreError>;
    /// A claimed callback made, or given up (with the reason); false as for `callback_later`.
    async fn callback_done(&self, claim: &CallbackClaim, error: Option<&str>) -> Result<bool, StoreError>;
}
