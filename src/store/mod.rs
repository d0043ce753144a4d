//! The state store: everything newswire must remember between runs. Today that is the
//! translation memory; the delivery log joins it. SQLite by default; nothing else touches SQL.

mod sqlite;

pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
#[error("state store {path}: {message}")]
pub struct StoreError {
    pub path: String,
    pub message: String,
}

/// Which engine and language pair a remembered translation belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MemoryKey<'a> {
    pub backend: &'a str,
    pub from: &'a str,
    pub to: &'a str,
}

pub trait Store: Send + Sync {
    /// The remembered translation of each source segment, if any.
    fn recall(&self, key: &MemoryKey, sources: &[String]) -> Result<Vec<Option<String>>, StoreError>;
    /// Remembers translations: (source, target) pairs.
    fn remember(&self, key: &MemoryKey, pairs: &[(String, String)]) -> Result<(), StoreError>;
}
