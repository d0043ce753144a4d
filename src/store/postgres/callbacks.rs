//! The PostgreSQL side of the CMS's callbacks: wanted, claimed, made or given up.

use std::time::Duration;

use super::{seconds, PostgresStore};
use crate::store::{CallbackClaim, Callbacks, StoreError};

#[async_trait::async_trait]
impl Callbacks for PostgresStore {
    async fn want_callback(&self, article: &str, url: Option<&str>) -> Result<(), StoreError> {
        let sql = match url {
            Some(_) => {
                "INSERT INTO callbacks (desk, article, url, due_at) VALUES (newswire_desk(), $1, $2, unix_now())
                 ON CONFLICT (desk, article) DO UPDATE SET url = EXCLUDED.url, due_at = unix_now(), attempts = 0,
                    last_error = NULL, done_at = NULL, fence = callbacks.fence + 1"
            }
            None => {
                "UPDATE callbacks SET due_at = unix_now(), attempts = 0, last_error = NULL, done_at = NULL,
                    fence = fence + 1
                 WHERE desk = newswire_desk() AND article = $1 AND $2::text IS NULL"
            }
        };
        self.retrying(|| async { self.query(sql, &[&article, &url]).await }).await?;
        Ok(())
    }

    async fn claim_callbacks(&self, limit: usize, lease: Duration) -> Result<Vec<CallbackClaim>, StoreError> {
        let (limit, lease) = (limit as i64, seconds(lease));
        let rows = self
            .retrying(|| async {
                self.query(
                    "UPDATE callbacks SET due_at = unix_now() + $2, fence = fence + 1
                     WHERE desk = newswire_desk() AND article IN (SELECT article FROM callbacks
                         WHERE desk = newswire_desk() AND done_at IS NULL AND due_at <= unix_now()
                         ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED)
                     RETURNING article, url, attempts, created_at, fence",
                    &[&limit, &lease],
                )
                .await
            })
            .await?;
        Ok(rows
            .iter()
            .map(|row| CallbackClaim {
                article: row.get(0),
                url: row.get(1),
                attempts: row.get::<_, i32>(2) as u32,
                created_at: row.get(3),
                fence: row.get(4),
            })
            .collect())
    }

    async fn callback_later(
        &self,
        claim: &CallbackClaim,
        after: Duration,
        attempted: bool,
        error: Option<&str>,
    ) -> Result<bool, StoreError> {
        let (after, attempted) = (seconds(after), attempted as i32);
        let rows = self
            .retrying(|| async {
                self.query(
                    "UPDATE callbacks SET due_at = unix_now() + $3, attempts = attempts + $4,
                        last_error = coalesce($5, last_error)
                     WHERE desk = newswire_desk() AND article = $1 AND fence = $2 AND done_at IS NULL
                     RETURNING 1",
                    &[&claim.article, &claim.fence, &after, &attempted, &error],
                )
                .await
            })
            .await?;
        Ok(!rows.is_empty())
    }

    async fn callback_done(&self, claim: &CallbackClaim, error: Option<&str>) -> Result<bool, StoreError> {
        let rows = self
            .retrying(|| async {
                self.query(
                    "UPDATE callbacks SET done_at = unix_now(), last_error = $3
                     WHERE desk = newswire_desk() AND article = $1 AND fence = $2 RETURNING 1",
                    &[&claim.article, &claim.fence, &error],
                )
                .await
            })
            .await?;
        Ok(!rows.is_empty())
    }
}
