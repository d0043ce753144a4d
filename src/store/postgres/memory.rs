//! The PostgreSQL side of the translation memory: remembered segments by engine and language pair.

use std::collections::HashMap;

use super::{hash, memory_columns, PostgresStore, REMEMBER};
use crate::store::{Memory, MemoryKey, StoreError};

#[async_trait::async_trait]
impl Memory for PostgresStore {
    async fn recall(&self, key: &MemoryKey<'_>, sources: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        let hashes: Vec<Vec<u8>> = sources.iter().map(|s| hash(s)).collect();
        let rows = self
            .retrying(|| async {
                self.query(
                    "SELECT source_hash, source, target FROM translation_memory
                     WHERE backend = $1 AND source_lang = $2 AND target_lang = $3 AND source_hash = ANY($4)",
                    &[&key.backend, &key.from, &key.to, &hashes],
                )
                .await
            })
            .await?;
        let known: HashMap<Vec<u8>, (String, String)> =
            rows.iter().map(|row| (row.get(0), (row.get(1), row.get(2)))).collect();
        // The hash finds the row; the text confirms it.
        Ok(sources
            .iter()
            .zip(&hashes)
            .map(|(source, hash)| known.get(hash).filter(|(s, _)| s == source).map(|(_, t)| t.clone()))
            .collect())
    }

    async fn remember(&self, key: &MemoryKey<'_>, pairs: &[(String, String)]) -> Result<(), StoreError> {
        let (hashes, sources, targets) = memory_columns(pairs);
        self.retrying(|| async {
            self.query(REMEMBER, &[&key.backend, &key.from, &key.to, &hashes, &sources, &targets]).await
        })
        .await
        .map(|_| ())
    }
}
