//! The SQLite store: one file, WAL mode, every write in a transaction.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use super::{MemoryKey, Store, StoreError};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS translation_memory (
    backend     TEXT NOT NULL,
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    source_hash BLOB NOT NULL,
    source      TEXT NOT NULL,
    target      TEXT NOT NULL,
    created_at  INTEGER NOT NULL DEFAULT (unixepoch()),
    PRIMARY KEY (backend, source_lang, target_lang, source_hash)
) WITHOUT ROWID;
";

pub struct SqliteStore {
    path: PathBuf,
    connection: Mutex<Connection>,
}

impl SqliteStore {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let fail = |message: String| StoreError { path: path.display().to_string(), message };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|err| fail(format!("cannot create {}: {err}", dir.display())))?;
        }
        let connection = Connection::open(path).map_err(|err| fail(err.to_string()))?;
        connection
            .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;")
            .and_then(|_| connection.execute_batch(SCHEMA))
            .map_err(|err| fail(err.to_string()))?;
        Ok(SqliteStore { path: path.to_path_buf(), connection: Mutex::new(connection) })
    }

    fn error(&self, err: rusqlite::Error) -> StoreError {
        StoreError { path: self.path.display().to_string(), message: err.to_string() }
    }
}

fn hash(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes()).to_vec()
}

impl Store for SqliteStore {
    fn recall(&self, key: &MemoryKey, sources: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        let connection = self.connection.lock().expect("store lock");
        let mut statement = connection
            .prepare_cached(
                "SELECT source, target FROM translation_memory
                 WHERE backend = ?1 AND source_lang = ?2 AND target_lang = ?3 AND source_hash = ?4",
            )
            .map_err(|e| self.error(e))?;
        sources
            .iter()
            .map(|source| {
                let found: Option<(String, String)> = statement
                    .query_row(params![key.backend, key.from, key.to, hash(source)], |row| {
                        Ok((row.get(0)?, row.get(1)?))
                    })
                    .optional()
                    .map_err(|e| self.error(e))?;
                // The hash finds the row; the text confirms it.
                Ok(found.filter(|(s, _)| s == source).map(|(_, target)| target))
            })
            .collect()
    }

    fn remember(&self, key: &MemoryKey, pairs: &[(String, String)]) -> Result<(), StoreError> {
        let mut connection = self.connection.lock().expect("store lock");
        let transaction = connection.transaction().map_err(|e| self.error(e))?;
        {
            let mut statement = transaction
                .prepare_cached(
                    "INSERT OR REPLACE INTO translation_memory (backend, source_lang, target_lang, source_hash, source, target)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(|e| self.error(e))?;
            for (source, target) in pairs {
                statement
                    .execute(params![key.backend, key.from, key.to, hash(source), source, target])
                    .map_err(|e| self.error(e))?;
            }
        }
        transaction.commit().map_err(|e| self.error(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_per_backend_and_pair() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("state/desk.sqlite")).unwrap();
        let key = MemoryKey { backend: "apertium", from: "en", to: "es" };
        store.remember(&key, &[("Hello".into(), "Hola".into())]).unwrap();
        let got = store.recall(&key, &["Hello".into(), "Bye".into()]).unwrap();
        assert_eq!(got, [Some("Hola".to_string()), None]);
        let other = MemoryKey { backend: "deepl", from: "en", to: "es" };
        assert_eq!(store.recall(&other, &["Hello".into()]).unwrap(), [None]);
        drop(store);
        let reopened = SqliteStore::open(&dir.path().join("state/desk.sqlite")).unwrap();
        assert_eq!(reopened.recall(&key, &["Hello".into()]).unwrap(), [Some("Hola".to_string())]);
    }
}
