//! The state store: everything newswire must remember between runs and share between workers.
//! SQLite for one machine, PostgreSQL for several; nothing outside this module writes SQL or names
//! an engine.
//!
//! Each concern is a small trait in its own file (`memory`, `articles`, `pages`, `deliveries`,
//! `partners`, `reviews`, `runs`, `callbacks`, `sessions`, `spending`, `transfer`) beside the nouns it speaks
//! in; `Store` is all of them. Each engine is a folder with one file per concern holding that
//! concern's statements in its dialect, so an engine's SQL is said once, and the two engines'
//! files of one name are the place to compare them. The contract tests run every concern on both.
//!
//! Work is shared the way Postgres-backed queues share jobs: the row is the queue entry and a claim
//! is a lease, timed by the database's clock. Each claim raises the row's fencing token, and an
//! outcome is written only under the token it was claimed with, so a worker presumed dead cannot
//! overwrite what another did after it.

mod articles;
mod callbacks;
mod deliveries;
mod location;
mod memory;
mod migrations;
mod pages;
mod partners;
mod postgres;
mod reviews;
mod runs;
mod sessions;
pub mod spending;
mod sqlite;
pub mod transfer;

use std::sync::Arc;

pub use articles::Articles;
pub use callbacks::{CallbackClaim, Callbacks};
pub use deliveries::{
    rfc3339, AttemptOutcome, AttemptRecord, Claim, DeliveryLog, DeliveryRecord, DeliveryState, DueDelivery, Lease,
    NewDelivery,
};
pub use location::Location;
pub use memory::{Memory, MemoryKey};
pub use pages::{PageClaim, PageLease, Pages};
pub use partners::Partners;
pub use reviews::{NewReview, Release, ReviewRecord, ReviewState, Reviews};
pub use runs::{RunRecord, Runs};
pub use sessions::{SessionRecord, Sessions};
pub use spending::Spending;
pub use transfer::Transfer;

use crate::error::ErrorKind;

/// Opens a desk's state store, migrating its schema to this binary's. The handle sees the desk's
/// own rows only: desks may share a store.
pub async fn open(location: &Location, desk: &str) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match location {
        Location::Sqlite(path) => {
            // Opening may wait for another process's migration: on a thread that may block.
            let (path, desk) = (path.clone(), desk.to_string());
            let opened = tokio::task::spawn_blocking(move || sqlite::SqliteStore::open(&path, &desk));
            Arc::new(opened.await.expect("opening the store does not panic")?)
        }
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

/// All a desk keeps, concern by concern; each engine implements every part.
pub trait Store:
    Memory + Articles + Pages + DeliveryLog + Reviews + Runs + Callbacks + Sessions + Partners + Spending + Transfer
{
}

impl<T> Store for T where
    T: Memory + Articles + Pages + DeliveryLog + Reviews + Runs + Callbacks + Sessions + Partners + Spending + Transfer
{
}
