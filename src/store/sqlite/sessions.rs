//! The SQLite side of the console's sessions.

use std::time::Duration;

use rusqlite::{params, OptionalExtension};

use super::{seconds, SqliteStore};
use crate::store::{SessionRecord, Sessions, StoreError};

#[async_trait::async_trait]
impl Sessions for SqliteStore {
    async fn open_session(&self, id: &str, session: &SessionRecord, ttl: Duration) -> Result<(), StoreError> {
        let desks = serde_json::to_string(&session.desks).expect("names serialise");
        self.write(|transaction| {
            transaction.prepare_cached("DELETE FROM sessions WHERE expires_at <= unixepoch()")?.execute([])?;
            transaction
                .prepare_cached(
                    "INSERT INTO sessions (id, user_name, desks, csrf, expires_at) VALUES (?1, ?2, ?3, ?4, unixepoch() + ?5)
                     ON CONFLICT (id) DO NOTHING",
                )?
                .execute(params![id, session.user, desks, session.csrf, seconds(ttl)])?;
            Ok(())
        }).await
    }

    async fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        self.read(|connection| {
            connection
                .prepare_cached(
                    "SELECT user_name, desks, csrf, expires_at FROM sessions WHERE id = ?1 AND expires_at > unixepoch()",
                )?
                .query_row([id], |row| {
                    let desks: String = row.get(1)?;
                    Ok(SessionRecord {
                        user: row.get(0)?,
                        desks: serde_json::from_str(&desks).unwrap_or_default(),
                        csrf: row.get(2)?,
                        expires_at: row.get(3)?,
                    })
                })
                .optional()
        }).await
    }

    async fn close_session(&self, id: &str) -> Result<(), StoreError> {
        self.write(|transaction| {
            transaction.prepare_cached("DELETE FROM sessions WHERE id = ?1")?.execute([id])?;
            Ok(())
        })
        .await
    }
}
