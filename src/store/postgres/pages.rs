//! The PostgreSQL side of the pages in work: claims, renewals, and the pages a dead worker left.

use std::time::Duration;

use super::{seconds, PostgresStore};
use crate::store::{PageClaim, PageLease, Pages, StoreError};

#[async_trait::async_trait]
impl Pages for PostgresStore {
    async fn clock_ms(&self) -> Result<i64, StoreError> {
        let sql = "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint";
        let rows = self.retrying(|| async { self.query(sql, &[]).await }).await?;
        Ok(rows[0].get(0))
    }

    async fn claim_page(
        &self,
        key: &str,
        page: &str,
        lease: Duration,
        done_since: i64,
    ) -> Result<PageClaim, StoreError> {
        let lease_seconds = seconds(lease);
        let rows = self
            .retrying(|| async {
                self.query(
                    "INSERT INTO pages (desk, key, page, lease_until) VALUES (newswire_desk(), $1, $2, unix_now() + $3)
                     ON CONFLICT (desk, key) DO UPDATE SET fence = pages.fence + 1, lease_until = EXCLUDED.lease_until,
                        page = EXCLUDED.page, done_ms = NULL
                     WHERE pages.lease_until <= unix_now() AND (pages.done_ms IS NULL OR pages.done_ms < $4)
                     RETURNING fence",
                    &[&key, &page, &lease_seconds, &done_since],
                )
                .await
            })
            .await?;
        if let Some(row) = rows.first() {
            return Ok(PageClaim::Claimed(PageLease { key: key.to_string(), fence: row.get(0) }));
        }
        let done = self
            .retrying(|| async {
                self.query("SELECT done_ms FROM pages WHERE desk = newswire_desk() AND key = $1", &[&key]).await
            })
            .await?;
        Ok(match done.first().and_then(|row| row.get::<_, Option<i64>>(0)) {
            Some(_) => PageClaim::Done,
            None => PageClaim::Busy,
        })
    }

    async fn claim_abandoned_pages(
        &self,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<(PageLease, String)>, StoreError> {
        let (limit, lease_seconds) = (limit as i64, seconds(lease));
        let rows = self
            .retrying(|| async {
                self.query(
                    "WITH abandoned AS (
                        SELECT key FROM pages
                        WHERE desk = newswire_desk() AND done_ms IS NULL AND lease_until <= unix_now()
                        ORDER BY lease_until LIMIT $1 FOR UPDATE SKIP LOCKED)
                     UPDATE pages p SET fence = p.fence + 1, lease_until = unix_now() + $2
                     FROM abandoned WHERE p.desk = newswire_desk() AND p.key = abandoned.key
                     RETURNING p.key, p.fence, p.page",
                    &[&limit, &lease_seconds],
                )
                .await
            })
            .await?;
        Ok(rows.iter().map(|row| (PageLease { key: row.get(0), fence: row.get(1) }, row.get(2))).collect())
    }

    async fn renew_page(&self, lease: &PageLease, by: Duration) -> Result<bool, StoreError> {
        let by = seconds(by);
        let rows = self
            .retrying(|| async {
                self.query(
                    "UPDATE pages SET lease_until = unix_now() + $3
                     WHERE desk = newswire_desk() AND key = $1 AND fence = $2 RETURNING 1",
                    &[&lease.key, &lease.fence, &by],
                )
                .await
            })
            .await?;
        Ok(!rows.is_empty())
    }

    async fn release_page(&self, lease: &PageLease, done: bool) -> Result<(), StoreError> {
        let sql = if done {
            "UPDATE pages SET done_ms = (extract(epoch FROM clock_timestamp()) * 1000)::bigint, lease_until = unix_now(),
                page = '' WHERE desk = newswire_desk() AND key = $1 AND fence = $2"
        } else {
            "UPDATE pages SET lease_until = unix_now() WHERE desk = newswire_desk() AND key = $1 AND fence = $2"
        };
        self.retrying(|| async { self.query(sql, &[&lease.key, &lease.fence]).await }).await.map(|_| ())
    }

    async fn forget_done_pages(&self, before_ms: i64) -> Result<u64, StoreError> {
        let sql = "DELETE FROM pages WHERE desk = newswire_desk() AND done_ms < $1 RETURNING 1";
        let rows = self.retrying(|| async { self.query(sql, &[&before_ms]).await }).await?;
        Ok(rows.len() as u64)
    }
}
