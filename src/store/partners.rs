//! Partners' standing in the log: disabled by hand or by a failing streak, and since when.

use super::StoreError;

#[async_trait::async_trait]
pub trait Partners: Send + Sync {
    /// Why and since when (Unix seconds) a partner is disabled, if it is.
    async fn partner_disabled(&self, partner: &str) -> Result<Option<(i64, String)>, StoreError>;
    async fn disable_partner(&self, partner: &str, reason: &str) -> Result<(), StoreError>;
    /// Re-enables a partner; false when it was not disabled.
    async fn enable_partner(&self, partner: &str) -> Result<bool, StoreError>;
    /// Since when (Unix seconds) every attempt to a partner has failed, and for how many seconds
    /// by the store's clock, if its last attempt failed.
    async fn failing_since(&self, partner: &str) -> Result<Option<(i64, i64)>, StoreError>;
}
