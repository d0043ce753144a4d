//! The SQLite side of the article versions and kills.

use rusqlite::{params, OptionalExtension};

use super::SqliteStore;
use crate::store::{Articles, StoreError};

pub(super) const IS_KILLED: &str = "SELECT 1 FROM killed_articles WHERE desk = newswire_desk() AND article = ?1";
pub(super) const NEW_ARTICLE_VERSION: &str = "INSERT INTO article_versions (desk, article, content_hash, version)
     SELECT newswire_desk(), ?1, ?2, COALESCE(MAX(version), 0) + 1 FROM article_versions
     WHERE desk = newswire_desk() AND article = ?1
     ON CONFLICT (desk, article, content_hash) DO NOTHING";
pub(super) const ARTICLE_VERSION: &str =
    "SELECT version FROM article_versions WHERE desk = newswire_desk() AND article = ?1 AND content_hash = ?2";

#[async_trait::async_trait]
impl Articles for SqliteStore {
    async fn article_version(&self, article: &str, content_hash: &str) -> Result<u32, StoreError> {
        self.write(|transaction| {
            transaction.prepare_cached(NEW_ARTICLE_VERSION)?.execute(params![article, content_hash])?;
            transaction.prepare_cached(ARTICLE_VERSION)?.query_row(params![article, content_hash], |row| row.get(0))
        })
        .await
    }

    async fn kill_article(&self, article: &str) -> Result<(), StoreError> {
        self.write(|transaction| {
            transaction
                .execute(
                    "INSERT INTO killed_articles (desk, article) VALUES (newswire_desk(), ?1) ON CONFLICT DO NOTHING",
                    [article],
                )
                .map(|_| ())
        })
        .await
    }

    async fn is_killed(&self, article: &str) -> Result<bool, StoreError> {
        self.read(|connection| {
            connection
                .prepare_cached(IS_KILLED)?
                .query_row([article], |_| Ok(()))
                .optional()
                .map(|found| found.is_some())
        })
        .await
    }
}
