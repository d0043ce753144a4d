//! The PostgreSQL side of the run log the console shows.

use super::PostgresStore;
use crate::store::{RunRecord, Runs, StoreError};

#[async_trait::async_trait]
impl Runs for PostgresStore {
    async fn record_run(&self, id: &str, desk: &str, report: &str, finished: bool) -> Result<(), StoreError> {
        self.retrying(|| async {
            self.query(
                "INSERT INTO runs (id, desk, report, finished_at)
                 VALUES ($1, $2, $3, CASE WHEN $4 THEN extract(epoch FROM now())::bigint END)
                 ON CONFLICT (id) DO UPDATE SET report = excluded.report, finished_at = excluded.finished_at",
                &[&id, &desk, &report, &finished],
            )
            .await
        })
        .await?;
        Ok(())
    }

    async fn runs(&self, limit: usize) -> Result<Vec<RunRecord>, StoreError> {
        let limit = limit as i64;
        let rows = self
            .retrying(|| async {
                self.query(
                    "SELECT id, desk, report, started_at, finished_at FROM runs WHERE desk = newswire_desk()
                     ORDER BY started_at DESC, id LIMIT $1",
                    &[&limit],
                )
                .await
            })
            .await?;
        Ok(rows
            .iter()
            .map(|row| RunRecord {
                id: row.get(0),
                desk: row.get(1),
                report: row.get(2),
                started_at: row.get(3),
                finished_at: row.get(4),
            })
            .collect())
    }
}
