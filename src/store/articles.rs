//! Articles' versions and kills: a new content hash is a new version, and a killed article is
//! never sent again.

use super::StoreError;

#[async_trait::async_trait]
pub trait Articles: Send + Sync {
    /// The version number of an article's content: 1 for the first content seen, then one more
    /// for each new content hash. Two workers seeing the same new content get the same number.
    async fn article_version(&self, article: &str, content_hash: &str) -> Result<u32, StoreError>;
    /// Marks an article killed: it is never delivered again.
    async fn kill_article(&self, article: &str) -> Result<(), StoreError>;
    async fn is_killed(&self, article: &str) -> Result<bool, StoreError>;
}
