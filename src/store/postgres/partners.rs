//! The PostgreSQL side of the partners' health: disabled partners and failing streaks.

use super::PostgresStore;
use crate::store::{Partners, StoreError};

#[async_trait::async_trait]
impl Partners for PostgresStore {
    async fn partner_disabled(&self, partner: &str) -> Result<Option<(i64, String)>, StoreError> {
        let rows = self
            .retrying(|| async {
                self.query(
                    "SELECT since, reason FROM disabled_partners WHERE desk = newswire_desk() AND partner = $1",
                    &[&partner],
                )
                .await
            })
            .await?;
        Ok(rows.first().map(|row| (row.get(0), row.get(1))))
    }

    async fn disable_partner(&self, partner: &str, reason: &str) -> Result<(), StoreError> {
        self.retrying(|| async {
            self.query(
                "INSERT INTO disabled_partners (desk, partner, reason) VALUES (newswire_desk(), $1, $2)
                 ON CONFLICT (desk, partner) DO NOTHING",
                &[&partner, &reason],
            )
            .await
        })
        .await
        .map(|_| ())
    }

    async fn enable_partner(&self, partner: &str) -> Result<bool, StoreError> {
        let rows = self
            .retrying(|| async {
                // Failures before the partner was enabled again no longer count towards disabling it.
                self.query(
                    "WITH healed AS (UPDATE partner_health SET failing_since = NULL
                                     WHERE desk = newswire_desk() AND partner = $1)
                     DELETE FROM disabled_partners WHERE desk = newswire_desk() AND partner = $1 RETURNING 1",
                    &[&partner],
                )
                .await
            })
            .await?;
        Ok(!rows.is_empty())
    }

    async fn failing_since(&self, partner: &str) -> Result<Option<(i64, i64)>, StoreError> {
        let rows = self
            .retrying(|| async {
                self.query(
                    "SELECT failing_since, unix_now() - failing_since FROM partner_health
                     WHERE desk = newswire_desk() AND partner = $1 AND failing_since IS NOT NULL",
                    &[&partner],
                )
                .await
            })
            .await?;
        Ok(rows.first().map(|row| (row.get(0), row.get(1))))
    }
}
