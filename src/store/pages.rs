//! Pages in work: what a run or a worker claimed, so no other one cleans and translates it at the
//! same time, and another finishes it if its worker dies.

use std::time::Duration;

use super::StoreError;

/// A page a worker holds: its key and the fencing token of the claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLease {
    pub key: String,
    pub fence: i64,
}

/// What claiming a page gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageClaim {
    Claimed(PageLease),
    /// Another worker holds a live lease on it.
    Busy,
    /// Another worker finished it since the time given.
    Done,
}

#[async_trait::async_trait]
pub trait Pages: Send + Sync {
    /// The store's clock, in milliseconds since the Unix epoch.
    async fn clock_ms(&self) -> Result<i64, StoreError>;
    /// Claims a page for `lease`, recording it (`page` is its JSON) when new. A page finished
    /// at `done_since` (milliseconds) or later is not claimed again: an overlapping run does not redo it.
    async fn claim_page(
        &self,
        key: &str,
        page: &str,
        lease: Duration,
        done_since: i64,
    ) -> Result<PageClaim, StoreError>;
    /// Pages whose worker died (their lease ran out), claimed for `lease`, with their JSON.
    async fn claim_abandoned_pages(
        &self,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<(PageLease, String)>, StoreError>;
    /// Extends a page's lease; false when another worker took it meanwhile.
    async fn renew_page(&self, lease: &PageLease, by: Duration) -> Result<bool, StoreError>;
    /// The page is done (or given back, when `done` is false): its lease ends now.
    async fn release_page(&self, lease: &PageLease, done: bool) -> Result<(), StoreError>;
    /// Forgets pages done before `before_ms`; how many.
    async fn forget_done_pages(&self, before_ms: i64) -> Result<u64, StoreError>;
}
