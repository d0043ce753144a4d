//! The translation memory: each engine's translations of segments it has seen, by language pair,
//! so a segment is paid for once.

use super::StoreError;

/// Which engine and language pair a remembered translation belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MemoryKey<'a> {
    pub backend: &'a str,
    pub from: &'a str,
    pub to: &'a str,
}

#[async_trait::async_trait]
pub trait Memory: Send + Sync {
    /// The remembered translation of each source segment, if any.
    async fn recall(&self, key: &MemoryKey<'_>, sources: &[String]) -> Result<Vec<Option<String>>, StoreError>;
    /// Remembers translations: (source, target) pairs; the newest translation of a source stands.
    async fn remember(&self, key: &MemoryKey<'_>, pairs: &[(String, String)]) -> Result<(), StoreError>;
}
