//! The state store: everything newswire must remember between runs: the translation memory and
//! the delivery log (every delivery, its state and each attempt), and which partners are
//! disabled. SQLite by default; nothing else touches SQL.

mod deliveries;
mod sqlite;

pub use deliveries::{AttemptOutcome, DeliveryRecord, DeliveryState, NewDelivery};
use std::path::Path;
use std::sync::Arc;

use sqlite::SqliteStore;

/// Opens a desk's state store: a path is an SQLite file, made when missing.
pub fn open(location: &Path) -> Result<Arc<dyn Store>, StoreError> {
    Ok(Arc::new(SqliteStore::open(location)?))
}

#[derive(Debug, thiserror::Error)]
#[error("state store {path}: {message}")]
pub struct StoreError {
    pub path: String,
    pub message: String,
}

/// Which engine and language pair a remembered translation belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MemoryKey<'a> {
    pub backend: &'a str,
    pub from: &'a str,
    pub to: &'a str,
}

pub trait Store: Send + Sync {
    /// The remembered translation of each source segment, if any.
    fn recall(&self, key: &MemoryKey, sources: &[String]) -> Result<Vec<Option<String>>, StoreError>;
    /// Remembers translations: (source, target) pairs.
    fn remember(&self, key: &MemoryKey, pairs: &[(String, String)]) -> Result<(), StoreError>;

    fn delivery(&self, id: &str) -> Result<Option<DeliveryRecord>, StoreError>;
    /// Records the delivery if it is new, marks it in progress and counts the attempt, all in
    /// one transaction, before anything is sent; returns the attempt's number.
    fn start_attempt(&self, delivery: &NewDelivery) -> Result<u32, StoreError>;
    /// Records how the attempt ended; `delivered` is written only after a success.
    fn finish_attempt(&self, id: &str, attempt: u32, outcome: &AttemptOutcome) -> Result<(), StoreError>;
    /// The log, newest first, filtered by partner and state.
    fn deliveries(
        &self,
        partner: Option<&str>,
        state: Option<DeliveryState>,
    ) -> Result<Vec<DeliveryRecord>, StoreError>;
    /// Records a delivery to be made at `at` (Unix seconds), without attempting it.
    fn schedule(&self, delivery: &NewDelivery, at: i64) -> Result<(), StoreError>;
    /// Deliveries waiting for a retry or an embargo whose time has come at `now` (Unix seconds).
    fn due(&self, now: i64) -> Result<Vec<DeliveryRecord>, StoreError>;
    /// The copy a delivery sends, as recorded at its first attempt.
    fn copy_of(&self, id: &str) -> Result<Option<String>, StoreError>;
    /// Why and since when a partner is disabled, if it is.
    fn partner_disabled(&self, partner: &str) -> Result<Option<(i64, String)>, StoreError>;
    fn disable_partner(&self, partner: &str, reason: &str) -> Result<(), StoreError>;
    /// Since when (Unix seconds) every attempt to a partner has failed, if its last attempt failed.
    fn failing_since(&self, partner: &str) -> Result<Option<i64>, StoreError>;
    /// The version number of an article's content: 1 for the first content seen, then one more
    /// for each new content hash.
    fn article_version(&self, article: &str, content_hash: &str) -> Result<u32, StoreError>;
    /// The highest version of an article (in one language) delivered to a partner.
    fn delivered_version(&self, article: &str, language: &str, partner: &str) -> Result<Option<u32>, StoreError>;
    /// Email recipients a delivery has reached so far (a retry skips them).
    fn recipients_done(&self, id: &str) -> Result<Vec<String>, StoreError>;
    fn add_recipients_done(&self, id: &str, recipients: &[String]) -> Result<(), StoreError>;
    /// Marks an article killed: it is never delivered again.
    fn kill_article(&self, article: &str) -> Result<(), StoreError>;
    fn is_killed(&self, article: &str) -> Result<bool, StoreError>;
    /// Re-enables a partner; false when it was not disabled.
    fn enable_partner(&self, partner: &str) -> Result<bool, StoreError>;
}
