//! The state store: everything newswire must remember between runs and share between workers:
//! the translation memory, article versions and kills, the delivery log (every delivery, its state
//! and each attempt), partner states, the pages being worked on, the reviews, and for the console
//! the run log, the CMS's callbacks and people's sessions. SQLite for one machine,
//! PostgreSQL for several; nothing outside this module writes SQL or names an engine.
//!
//! Work is shared the way Postgres-backed queues share jobs: the row is the queue entry and a claim
//! is a lease, timed by the database's clock. Each claim raises the row's fencing token, and an
//! outcome is written only under the token it was claimed with, so a worker presumed dead cannot
//! overwrite what another did after it.

mod deliveries;
mod location;
mod migrations;
mod postgres;
mod reviews;
mod runs;
mod sqlite;
pub mod transfer;

use std::sync::Arc;
use std::time::Duration;

pub use deliveries::{
    rfc3339, AttemptOutcome, AttemptRecord, Claim, DeliveryRecord, DeliveryState, DueDelivery, Lease, NewDelivery,
};
pub use location::Location;
pub use reviews::{NewReview, Release, ReviewRecord, ReviewState};
pub use runs::{CallbackClaim, RunRecord, SessionRecord};

use crate::error::ErrorKind;

/// Opens a desk's state store, migrating its schema to this binary's. The handle sees the desk's
/// own rows only: desks may share a store.
pub async fn open(location: &Location, desk: &str) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match location {
        Location::Sqlite(path) => Arc::new(sqlite::SqliteStore::open(path, desk)?),
        Location::Postgres(url) => Arc::new(postgres::PostgresStore::open(url, desk).await?),
    })
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("state store {location}: {message}")]
pub struct StoreError {
    /// The file, or the database URL without its password.
    pub location: String,
    pub message: String,
    pub kind: ErrorKind,
}

/// A state read from the store that this binary does not know (written by a newer newswire, or
/// by hand): an error, never taken for another.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown {what} state {found:?} in the store")]
pub struct UnknownState {
    pub what: &'static str,
    pub found: String,
}

/// Which engine and language pair a remembered translation belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MemoryKey<'a> {
    pub backend: &'a str,
    pub from: &'a str,
    pub to: &'a str,
}

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
pub trait Store: Send + Sync {
    // The translation memory.

    /// The remembered translation of each source segment, if any.
    async fn recall(&self, key: &MemoryKey<'_>, sources: &[String]) -> Result<Vec<Option<String>>, StoreError>;
    /// Remembers translations: (source, target) pairs; the newest translation of a source stands.
    async fn remember(&self, key: &MemoryKey<'_>, pairs: &[(String, String)]) -> Result<(), StoreError>;

    // Articles.

    /// The version number of an article's content: 1 for the first content seen, then one more
    /// for each new content hash. Two workers seeing the same new content get the same number.
    async fn article_version(&self, article: &str, content_hash: &str) -> Result<u32, StoreError>;
    /// Marks an article killed: it is never delivered again.
    async fn kill_article(&self, article: &str) -> Result<(), StoreError>;
    async fn is_killed(&self, article: &str) -> Result<bool, StoreError>;

    // Pages in work: what a run or a worker claimed, so no other one cleans and translates it
    // at the same time, and another finishes it if its worker dies.

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

    // The delivery log.

    async fn delivery(&self, id: &str) -> Result<Option<DeliveryRecord>, StoreError>;
    /// The log, newest first, filtered by partner and state.
    async fn deliveries(
        &self,
        partner: Option<&str>,
        state: Option<DeliveryState>,
    ) -> Result<Vec<DeliveryRecord>, StoreError>;
    /// Every delivery of an article's versions, newest first.
    async fn article_deliveries(&self, article: &str) -> Result<Vec<DeliveryRecord>, StoreError>;
    /// A partner's latest deliveries, newest first.
    async fn latest_deliveries(&self, partner: &str, limit: usize) -> Result<Vec<DeliveryRecord>, StoreError>;
    /// A delivery's attempts, the latest first, at most `limit`.
    async fn attempts(&self, delivery: &str, limit: usize) -> Result<Vec<AttemptRecord>, StoreError>;
    /// How many deliveries each partner has in each state.
    async fn delivery_counts(&self) -> Result<Vec<(String, DeliveryState, u64)>, StoreError>;
    /// The highest version of an article (in one language) delivered to a partner.
    async fn delivered_version(&self, article: &str, language: &str, partner: &str) -> Result<Option<u32>, StoreError>;
    /// Records a delivery to be made at `at` (Unix seconds), without attempting it; a delivery
    /// still pending moves to that time.
    async fn schedule(&self, delivery: &NewDelivery, at: i64) -> Result<(), StoreError>;
    /// Records the delivery if it is new and claims it for one attempt of at most `lease`:
    /// the attempt is counted and logged before anything is sent. A delivered copy is claimed
    /// only `again`; one that another worker holds, never.
    async fn claim(&self, delivery: &NewDelivery, again: bool, lease: Duration) -> Result<Claim, StoreError>;
    /// Claims up to `limit` deliveries of these partners whose time has come: retries, lifted
    /// embargoes, and attempts whose worker died. Claimed rows are skipped, never waited for;
    /// disabled partners' deliveries wait for `enable` and `recover`.
    async fn claim_due(
        &self,
        partners: &[String],
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<DueDelivery>, StoreError>;
    /// Records how a claimed attempt ended; the delivery's state changes only while the claim
    /// is still the latest (false: another worker claimed it since, and its word stands).
    async fn finish(&self, lease: &Lease, outcome: &AttemptOutcome) -> Result<bool, StoreError>;
    /// Extends a claim by `by` from now, while it is still the delivery's latest and has not run
    /// out (false: it ran out or another worker claimed it since; nothing may be sent under it).
    async fn renew(&self, lease: &Lease, by: Duration) -> Result<bool, StoreError>;
    /// Gives claimed deliveries back unattempted, due again `after` this long (zero: at once).
    async fn release(&self, leases: &[Lease], after: Duration) -> Result<(), StoreError>;
    /// Email recipients reached by a claimed attempt (a retry skips them).
    async fn add_recipients_done(&self, lease: &Lease, recipients: &[String]) -> Result<(), StoreError>;
    /// The copy a delivery sends, as recorded at its first attempt.
    async fn copy_of(&self, id: &str) -> Result<Option<String>, StoreError>;

    // Reviews: translations the checks flagged, and those held for an editor.

    /// Records a translation and holds `held` (deliveries, recorded `in-review` unless the log
    /// has them already); a review recorded before is kept, a flagged one becomes held when
    /// deliveries wait for it, and one released already holds nothing. Its state after.
    async fn record_review(&self, review: &NewReview<'_>, held: &[NewDelivery<'_>]) -> Result<ReviewState, StoreError>;
    /// Reviews, oldest first, in one state or all.
    async fn reviews(&self, state: Option<ReviewState>) -> Result<Vec<ReviewRecord>, StoreError>;
    async fn review(&self, id: &str) -> Result<Option<ReviewRecord>, StoreError>;
    /// The reviews of an article's versions, oldest first.
    async fn article_reviews(&self, article: &str) -> Result<Vec<ReviewRecord>, StoreError>;
    /// The deliveries of one article version in one language.
    async fn review_deliveries(
        &self,
        article: &str,
        content_hash: &str,
        language: &str,
    ) -> Result<Vec<DeliveryRecord>, StoreError>;
    /// Marks a held review reviewed with its final draft, its held deliveries due now with their
    /// copies, and remembers its segments, all in one transaction. False when it was not held
    /// (released before, or never held): then nothing is written.
    async fn release_review(&self, id: &str, release: &Release<'_>) -> Result<bool, StoreError>;

    // Runs.

    /// Writes a run's report so far (`report`: JSON); `finished` once the run ended.
    async fn record_run(&self, id: &str, desk: &str, report: &str, finished: bool) -> Result<(), StoreError>;
    /// The latest runs, newest first.
    async fn runs(&self, limit: usize) -> Result<Vec<RunRecord>, StoreError>;

    // The CMS's callbacks.

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

    // People's sessions in the console, by the hash of their cookie's token.

    /// Opens a session for `ttl`; sessions past their time are forgotten on the way.
    async fn open_session(&self, id: &str, session: &SessionRecord, ttl: Duration) -> Result<(), StoreError>;
    /// An open session, unless it expired or was closed.
    async fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError>;
    async fn close_session(&self, id: &str) -> Result<(), StoreError>;

    // Partners.

    /// Why and since when (Unix seconds) a partner is disabled, if it is.
    async fn partner_disabled(&self, partner: &str) -> Result<Option<(i64, String)>, StoreError>;
    async fn disable_partner(&self, partner: &str, reason: &str) -> Result<(), StoreError>;
    /// Re-enables a partner; false when it was not disabled.
    async fn enable_partner(&self, partner: &str) -> Result<bool, StoreError>;
    /// Since when (Unix seconds) every attempt to a partner has failed, and for how many seconds
    /// by the store's clock, if its last attempt failed.
    async fn failing_since(&self, partner: &str) -> Result<Option<(i64, i64)>, StoreError>;

    // Copying a store (`newswire state migrate`).

    /// Up to `limit` rows of a table, in key order, from `offset`.
    async fn dump(&self, table: &str, offset: usize, limit: usize) -> Result<Vec<Vec<transfer::Cell>>, StoreError>;
    /// Adds the rows the table does not have yet; how many it did not have.
    async fn load(&self, table: &str, rows: &[Vec<transfer::Cell>]) -> Result<usize, StoreError>;
}
