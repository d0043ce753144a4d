//! The SQLite side of the translation memory: remembered segments by engine and language pair.

use rusqlite::{params, OptionalExtension};

use super::{hash, SqliteStore, REMEMBER};
use crate::store::{Memory, MemoryKey, StoreError};

#[async_trait::async_trait]
impl Memory for SqliteStore {
    async fn recall(&self, key: &MemoryKey<'_>, sources: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(
                "SELECT source, target FROM translation_memory
                 WHERE backend = ?1 AND source_lang = ?2 AND target_lang = ?3 AND source_hash = ?4",
            )?;
            sources
                .iter()
                .map(|source| {
                    let found: Option<(String, String)> = statement
                        .query_row(params![key.backend, key.from, key.to, hash(source)], |row| {
                            Ok((row.get(0)?, row.get(1)?))
                        })
                        .optional()?;
                    // The hash finds the row; the text confirms it.
                    Ok(found.filter(|(s, _)| s == source).map(|(_, target)| target))
                })
                .collect()
        })
        .await
    }

    async fn remember(&self, key: &MemoryKey<'_>, pairs: &[(String, String)]) -> Result<(), StoreError> {
        self.write(|transaction| {
            let mut statement = transaction.prepare_cached(REMEMBER)?;
            for (source, target) in pairs {
                statement.execute(params![key.backend, key.from, key.to, hash(source), source, target])?;
            }
            Ok(())
        })
        .await
    }
}
