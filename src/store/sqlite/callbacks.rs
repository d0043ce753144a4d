//! The SQLite side of the CMS's callbacks: wanted, claimed, made or given up.

use std::time::Duration;

use rusqlite::params;

use super::{seconds, SqliteStore};
use crate::store::{CallbackClaim, Callbacks, StoreError};

#[async_trait::async_trait]
impl Callbacks for SqliteStore {
    async fn want_callback(&self, article: &str, url: Option<&str>) -> Result<(), StoreError> {
        self.write(|transaction| {
            transaction
                .prepare_cached(
                    "INSERT INTO callbacks (desk, article, url, due_at)
                     SELECT newswire_desk(), ?1, ?2, unixepoch() WHERE ?2 IS NOT NULL
                     ON CONFLICT (desk, article) DO UPDATE SET url = excluded.url, due_at = unixepoch(), attempts = 0,
                        last_error = NULL, done_at = NULL, fence = fence + 1",
                )?
                .execute(params![article, url])?;
            if url.is_none() {
                transaction
                    .prepare_cached(
                        "UPDATE callbacks SET due_at = unixepoch(), attempts = 0, last_error = NULL, done_at = NULL,
                            fence = fence + 1
                         WHERE desk = newswire_desk() AND article = ?1",
                    )?
                    .execute([article])?;
            }
            Ok(())
        })
        .await
    }

    async fn claim_callbacks(&self, limit: usize, lease: Duration) -> Result<Vec<CallbackClaim>, StoreError> {
        self.write(|transaction| {
            let mut statement = transaction.prepare_cached(
                "UPDATE callbacks SET due_at = unixepoch() + ?2, fence = fence + 1
                 WHERE desk = newswire_desk() AND article IN (SELECT article FROM callbacks
                     WHERE desk = newswire_desk() AND done_at IS NULL AND due_at <= unixepoch()
                     ORDER BY due_at LIMIT ?1)
                 RETURNING article, url, attempts, created_at, fence",
            )?;
            let rows = statement.query_map(params![limit as i64, seconds(lease)], |row| {
                Ok(CallbackClaim {
                    article: row.get(0)?,
                    url: row.get(1)?,
                    attempts: row.get(2)?,
                    created_at: row.get(3)?,
                    fence: row.get(4)?,
                })
            })?;
            rows.collect()
        })
        .await
    }

    async fn callback_later(
        &self,
        claim: &CallbackClaim,
        after: Duration,
        attempted: bool,
        error: Option<&str>,
    ) -> Result<bool, StoreError> {
        self.write(|transaction| {
            transaction
                .prepare_cached(
                    "UPDATE callbacks SET due_at = unixepoch() + ?3, attempts = attempts + ?4,
                        last_error = coalesce(?5, last_error)
                     WHERE desk = newswire_desk() AND article = ?1 AND fence = ?2 AND done_at IS NULL",
                )?
                .execute(params![claim.article, claim.fence, seconds(after), attempted as i64, error])
                .map(|n| n > 0)
        })
        .await
    }

    async fn callback_done(&self, claim: &CallbackClaim, error: Option<&str>) -> Result<bool, StoreError> {
        self.write(|transaction| {
            transaction
                .prepare_cached(
                    "UPDATE callbacks SET done_at = unixepoch(), last_error = ?3
                     WHERE desk = newswire_desk() AND article = ?1 AND fence = ?2",
                )?
                .execute(params![claim.article, claim.fence, error])
                .map(|n| n > 0)
        })
        .await
    }
}
