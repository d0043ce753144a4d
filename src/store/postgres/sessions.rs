//! The PostgreSQL side of the console's sessions.

use std::time::Duration;

use super::{seconds, PostgresStore};
use crate::store::{SessionRecord, Sessions, StoreError};

#[async_trait::async_trait]
impl Sessions for PostgresStore {
    async fn open_session(&self, id: &str, session: &SessionRecord, ttl: Duration) -> Result<(), StoreError> {
        let desks = serde_json::to_string(&session.desks).expect("names serialise");
        let ttl = seconds(ttl);
        self.retrying(|| async {
            self.query("DELETE FROM sessions WHERE expires_at <= unix_now()", &[]).await?;
            self.query(
                "INSERT INTO sessions (id, user_name, desks, csrf, expires_at) VALUES ($1, $2, $3, $4, unix_now() + $5)
                 ON CONFLICT (id) DO NOTHING",
                &[&id, &session.user, &desks, &session.csrf, &ttl],
            )
            .await
        })
        .await?;
        Ok(())
    }

    async fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        let rows = self
            .retrying(|| async {
                self.query(
                    "SELECT user_name, desks, csrf, expires_at FROM sessions WHERE id = $1 AND expires_at > unix_now()",
                    &[&id],
                )
                .await
            })
            .await?;
        Ok(rows.first().map(|row| SessionRecord {
            user: row.get(0),
            desks: serde_json::from_str(row.get::<_, &str>(1)).unwrap_or_default(),
            csrf: row.get(2),
            expires_at: row.get(3),
        }))
    }

    async fn close_session(&self, id: &str) -> Result<(), StoreError> {
        self.retrying(|| async { self.query("DELETE FROM sessions WHERE id = $1", &[&id]).await }).await?;
        Ok(())
    }
}
