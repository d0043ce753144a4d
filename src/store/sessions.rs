//! People's sessions in the console, by the hash of their cookie's token.

use std::time::Duration;

use super::StoreError;

/// A person's open session, as the console keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub user: String,
    /// The desks the password was checked for.
    pub desks: Vec<String>,
    pub csrf: String,
    /// Unix seconds, by the store's clock.
    pub expires_at: i64,
}

#[async_trait::async_trait]
pub trait Sessions: Send + Sync {
    /// Opens a session for `ttl`; sessions past their time are forgotten on the way.
    async fn open_session(&self, id: &str, session: &SessionRecord, ttl: Duration) -> Result<(), StoreError>;
    /// An open session, unless it expired or was closed.
    async fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError>;
    async fn close_session(&self, id: &str) -> Result<(), StoreError>;
}
