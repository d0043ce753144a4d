//! The PostgreSQL side of the article versions and kills.

use super::PostgresStore;
use crate::store::{Articles, StoreError};

#[async_trait::async_trait]
impl Articles for PostgresStore {
    async fn article_version(&self, article: &str, content_hash: &str) -> Result<u32, StoreError> {
        self.retrying(|| async {
            let mut client = self.client().await?;
            let transaction = client.transaction().await.map_err(|e| self.error(e))?;
            // Two workers seeing two new contents at once must not both take the next number.
            transaction
                .execute("SELECT pg_advisory_xact_lock(hashtextextended(newswire_desk() || '/' || $1, 0))", &[&article])
                .await
                .map_err(|e| self.error(e))?;
            transaction
                .execute(
                    "INSERT INTO article_versions (desk, article, content_hash, version)
                     SELECT newswire_desk(), $1, $2, COALESCE(MAX(version), 0) + 1 FROM article_versions
                     WHERE desk = newswire_desk() AND article = $1
                     ON CONFLICT (desk, article, content_hash) DO NOTHING",
                    &[&article, &content_hash],
                )
                .await
                .map_err(|e| self.error(e))?;
            let version: i32 = transaction
                .query_one(
                    "SELECT version FROM article_versions
                     WHERE desk = newswire_desk() AND article = $1 AND content_hash = $2",
                    &[&article, &content_hash],
                )
                .await
                .map_err(|e| self.error(e))?
                .get(0);
            transaction.commit().await.map_err(|e| self.error(e))?;
            Ok(version as u32)
        })
        .await
    }

    async fn kill_article(&self, article: &str) -> Result<(), StoreError> {
        self.retrying(|| async {
            self.query(
                "INSERT INTO killed_articles (desk, article) VALUES (newswire_desk(), $1) ON CONFLICT DO NOTHING",
                &[&article],
            )
            .await
        })
        .await
        .map(|_| ())
    }

    async fn is_killed(&self, article: &str) -> Result<bool, StoreError> {
        let rows = self
            .retrying(|| async {
                self.query("SELECT 1 FROM killed_articles WHERE desk = newswire_desk() AND article = $1", &[&article])
                    .await
            })
            .await?;
        Ok(!rows.is_empty())
    }
}
