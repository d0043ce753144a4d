//! The SQLite side of the pages in work: claims, renewals, and the pages a dead worker left.

use std::time::Duration;

use rusqlite::{params, OptionalExtension};

use super::{seconds, SqliteStore};
use crate::store::{PageClaim, PageLease, Pages, StoreError};

pub(super) const CLAIM_PAGE: &str = "INSERT INTO pages (desk, key, page, lease_until)
     VALUES (newswire_desk(), ?1, ?2, unixepoch() + ?3)
     ON CONFLICT (desk, key) DO UPDATE SET fence = fence + 1, lease_until = excluded.lease_until,
        page = excluded.page, done_ms = NULL
     WHERE lease_until <= unixepoch() AND (done_ms IS NULL OR done_ms < ?4)
     RETURNING fence";
pub(super) const PAGE_DONE_AT: &str = "SELECT done_ms FROM pages WHERE desk = newswire_desk() AND key = ?1";
pub(super) const CLAIM_ABANDONED_PAGES: &str = "UPDATE pages SET fence = fence + 1, lease_until = unixepoch() + ?2
     WHERE desk = newswire_desk() AND key IN (SELECT key FROM pages
                   WHERE desk = newswire_desk() AND done_ms IS NULL AND lease_until <= unixepoch()
                   ORDER BY lease_until LIMIT ?1)
     RETURNING key, fence, page";
pub(super) const RENEW_PAGE: &str = "UPDATE pages SET lease_until = unixepoch() + ?3
     WHERE desk = newswire_desk() AND key = ?1 AND fence = ?2";
pub(super) const DONE_PAGE: &str = "UPDATE pages SET done_ms = CAST(unixepoch('subsec') * 1000 AS INTEGER),
        lease_until = unixepoch(), page = '' WHERE desk = newswire_desk() AND key = ?1 AND fence = ?2";
const GIVE_BACK_PAGE: &str =
    "UPDATE pages SET lease_until = unixepoch() WHERE desk = newswire_desk() AND key = ?1 AND fence = ?2";

#[async_trait::async_trait]
impl Pages for SqliteStore {
    async fn clock_ms(&self) -> Result<i64, StoreError> {
        self.read(|connection| {
            connection.query_row("SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER)", [], |row| row.get(0))
        })
        .await
    }

    async fn claim_page(
        &self,
        key: &str,
        page: &str,
        lease: Duration,
        done_since: i64,
    ) -> Result<PageClaim, StoreError> {
        self.write(|transaction| {
            let fence: Option<i64> = transaction
                .prepare_cached(CLAIM_PAGE)?
                .query_row(params![key, page, seconds(lease), done_since], |row| row.get(0))
                .optional()?;
            if let Some(fence) = fence {
                return Ok(PageClaim::Claimed(PageLease { key: key.to_string(), fence }));
            }
            let done: Option<i64> = transaction.prepare_cached(PAGE_DONE_AT)?.query_row([key], |row| row.get(0))?;
            Ok(if done.is_some() { PageClaim::Done } else { PageClaim::Busy })
        })
        .await
    }

    async fn claim_abandoned_pages(
        &self,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<(PageLease, String)>, StoreError> {
        self.write(|transaction| {
            let mut statement = transaction.prepare_cached(CLAIM_ABANDONED_PAGES)?;
            let rows = statement.query_map(params![limit as i64, seconds(lease)], |row| {
                Ok((PageLease { key: row.get(0)?, fence: row.get(1)? }, row.get(2)?))
            })?;
            rows.collect()
        })
        .await
    }

    async fn renew_page(&self, lease: &PageLease, by: Duration) -> Result<bool, StoreError> {
        self.write(|transaction| {
            transaction.prepare_cached(RENEW_PAGE)?.execute(params![lease.key, lease.fence, seconds(by)]).map(|n| n > 0)
        })
        .await
    }

    async fn release_page(&self, lease: &PageLease, done: bool) -> Result<(), StoreError> {
        let sql = if done { DONE_PAGE } else { GIVE_BACK_PAGE };
        self.write(|transaction| transaction.prepare_cached(sql)?.execute(params![lease.key, lease.fence]).map(|_| ()))
            .await
    }

    async fn forget_done_pages(&self, before_ms: i64) -> Result<u64, StoreError> {
        self.write(|transaction| {
            transaction
                .execute("DELETE FROM pages WHERE desk = newswire_desk() AND done_ms < ?1", [before_ms])
                .map(|n| n as u64)
        })
        .await
    }
}
