//! The SQLite side of the partners' health: disabled partners and failing streaks.

use rusqlite::{params, OptionalExtension};

use super::SqliteStore;
use crate::store::{Partners, StoreError};

pub(super) const FAILING_SINCE: &str = "SELECT failing_since, unixepoch() - failing_since FROM partner_health
     WHERE desk = newswire_desk() AND partner = ?1 AND failing_since IS NOT NULL";
pub(super) const PARTNER_DISABLED: &str =
    "SELECT since, reason FROM disabled_partners WHERE desk = newswire_desk() AND partner = ?1";

#[async_trait::async_trait]
impl Partners for SqliteStore {
    async fn partner_disabled(&self, partner: &str) -> Result<Option<(i64, String)>, StoreError> {
        self.read(|connection| {
            connection
                .prepare_cached(PARTNER_DISABLED)?
                .query_row([partner], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()
        })
        .await
    }

    async fn disable_partner(&self, partner: &str, reason: &str) -> Result<(), StoreError> {
        self.write(|transaction| {
            transaction
                .execute(
                    "INSERT INTO disabled_partners (desk, partner, reason) VALUES (newswire_desk(), ?1, ?2)
                     ON CONFLICT (desk, partner) DO NOTHING",
                    params![partner, reason],
                )
                .map(|_| ())
        })
        .await
    }

    async fn enable_partner(&self, partner: &str) -> Result<bool, StoreError> {
        self.write(|transaction| {
            // Failures before the partner was enabled again no longer count towards disabling it.
            transaction.execute(
                "UPDATE partner_health SET failing_since = NULL WHERE desk = newswire_desk() AND partner = ?1",
                [partner],
            )?;
            transaction
                .execute("DELETE FROM disabled_partners WHERE desk = newswire_desk() AND partner = ?1", [partner])
                .map(|n| n > 0)
        })
        .await
    }

    async fn failing_since(&self, partner: &str) -> Result<Option<(i64, i64)>, StoreError> {
        self.read(|connection| {
            connection
                .prepare_cached(FAILING_SINCE)?
                .query_row([partner], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()
        })
        .await
    }
}
