//! The SQLite side of the run log the console shows.

use rusqlite::params;

use super::SqliteStore;
use crate::store::{RunRecord, Runs, StoreError};

#[async_trait::async_trait]
impl Runs for SqliteStore {
    async fn record_run(&self, id: &str, desk: &str, report: &str, finished: bool) -> Result<(), StoreError> {
        self.write(|transaction| {
            transaction
                .prepare_cached(
                    "INSERT INTO runs (id, desk, report, finished_at) VALUES (?1, ?2, ?3, CASE WHEN ?4 THEN unixepoch() END)
                     ON CONFLICT (id) DO UPDATE SET report = excluded.report, finished_at = excluded.finished_at",
                )?
                .execute(params![id, desk, report, finished])?;
            Ok(())
        }).await
    }

    async fn runs(&self, limit: usize) -> Result<Vec<RunRecord>, StoreError> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(
                "SELECT id, desk, report, started_at, finished_at FROM runs WHERE desk = newswire_desk()
                 ORDER BY started_at DESC, id LIMIT ?1",
            )?;
            let rows = statement.query_map([limit as i64], |row| {
                Ok(RunRecord {
                    id: row.get(0)?,
                    desk: row.get(1)?,
                    report: row.get(2)?,
                    started_at: row.get(3)?,
                    finished_at: row.get(4)?,
                })
            })?;
            rows.collect()
        })
        .await
    }
}
