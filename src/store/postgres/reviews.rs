//! The PostgreSQL side of the review log: held and flagged translations, and their release.

use tokio_postgres::Row;

use super::deliveries::delivery_params;
use super::{memory_columns, record, Failure, PostgresStore, RECORD_COLUMNS, REMEMBER};
use crate::store::{DeliveryRecord, NewDelivery, NewReview, Release, ReviewRecord, ReviewState, Reviews, StoreError};

const REVIEW_COLUMNS: &str = "id, article, version, language, state, flags, draft, reviewer, created_at, reviewed_at";

fn review_record(row: &Row) -> Result<ReviewRecord, Failure> {
    let state: String = row.get(4);
    let flags: i32 = row.get(5);
    Ok(ReviewRecord {
        id: row.get(0),
        article: row.get(1),
        content_hash: row.get(2),
        language: row.get(3),
        state: ReviewState::read(&state)?,
        flags: flags as u32,
        draft: row.get(6),
        reviewer: row.get(7),
        created_at: row.get(8),
        reviewed_at: row.get(9),
    })
}

#[async_trait::async_trait]
impl Reviews for PostgresStore {
    async fn record_review(&self, review: &NewReview<'_>, held: &[NewDelivery<'_>]) -> Result<ReviewState, StoreError> {
        let flags = review.flags as i32;
        let state = review.state.as_str();
        self.retrying(|| async {
            let mut client = self.client().await?;
            let transaction = client.transaction().await.map_err(|e| self.error(e))?;
            transaction
                .execute(
                    "INSERT INTO reviews (desk, id, article, version, language, state, flags, draft)
                     VALUES (newswire_desk(), $1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (desk, id) DO UPDATE SET state = EXCLUDED.state, draft = EXCLUDED.draft
                     WHERE reviews.state = 'flagged' AND EXCLUDED.state = 'in-review'",
                    &[
                        &review.id,
                        &review.article,
                        &review.content_hash,
                        &review.language,
                        &state,
                        &flags,
                        &review.draft,
                    ],
                )
                .await
                .map_err(|e| self.error(e))?;
            let row = transaction
                .query_one("SELECT state FROM reviews WHERE desk = newswire_desk() AND id = $1", &[&review.id])
                .await
                .map_err(|e| self.error(e))?;
            let state: String = row.get(0);
            let state = ReviewState::read(&state).map_err(|e| self.error(Failure::from(e)))?;
            // A review already released holds nothing any more.
            let held = if state == ReviewState::InReview { held } else { &[] };
            for delivery in held {
                transaction
                    .execute(
                        "INSERT INTO deliveries (desk, id, article, version, language, partner, channel, state, copy)
                         VALUES (newswire_desk(), $1, $2, $3, $4, $5, $6, 'in-review', $7)
                         ON CONFLICT (desk, id) DO NOTHING",
                        &delivery_params(delivery),
                    )
                    .await
                    .map_err(|e| self.error(e))?;
            }
            transaction.commit().await.map_err(|e| self.error(e))?;
            Ok(state)
        })
        .await
    }

    async fn reviews(&self, state: Option<ReviewState>) -> Result<Vec<ReviewRecord>, StoreError> {
        let state = state.map(ReviewState::as_str);
        let sql = format!(
            "SELECT {REVIEW_COLUMNS} FROM reviews WHERE desk = newswire_desk() AND ($1::text IS NULL OR state = $1)
             ORDER BY created_at, id"
        );
        let rows = self.retrying(|| async { self.query(&sql, &[&state]).await }).await?;
        rows.iter().map(review_record).collect::<Result<_, _>>().map_err(|e| self.error(e))
    }

    async fn review(&self, id: &str) -> Result<Option<ReviewRecord>, StoreError> {
        let sql = format!("SELECT {REVIEW_COLUMNS} FROM reviews WHERE desk = newswire_desk() AND id = $1");
        let rows = self.retrying(|| async { self.query(&sql, &[&id]).await }).await?;
        rows.first().map(review_record).transpose().map_err(|e| self.error(e))
    }

    async fn article_reviews(&self, article: &str) -> Result<Vec<ReviewRecord>, StoreError> {
        let sql = format!(
            "SELECT {REVIEW_COLUMNS} FROM reviews WHERE desk = newswire_desk() AND article = $1 ORDER BY created_at, id"
        );
        let rows = self.retrying(|| async { self.query(&sql, &[&article]).await }).await?;
        rows.iter().map(review_record).collect::<Result<_, _>>().map_err(|e| self.error(e))
    }

    async fn review_deliveries(
        &self,
        article: &str,
        content_hash: &str,
        language: &str,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM deliveries
             WHERE desk = newswire_desk() AND article = $1 AND language = $2 AND version = $3
             ORDER BY partner"
        );
        let rows = self.retrying(|| async { self.query(&sql, &[&article, &language, &content_hash]).await }).await?;
        rows.iter().map(record).collect::<Result<_, _>>().map_err(|e| self.error(e))
    }

    async fn release_review(&self, id: &str, release: &Release<'_>) -> Result<bool, StoreError> {
        let (hashes, sources, targets) = memory_columns(release.remembered);
        let key = &release.memory;
        self.retrying(|| async {
            let mut client = self.client().await?;
            let transaction = client.transaction().await.map_err(|e| self.error(e))?;
            let released = transaction
                .execute(
                    "UPDATE reviews SET state = 'reviewed', draft = $2, reviewer = $3, reviewed_at = unix_now()
                     WHERE desk = newswire_desk() AND id = $1 AND state = 'in-review'",
                    &[&id, &release.draft, &release.reviewer],
                )
                .await
                .map_err(|e| self.error(e))?;
            if released == 0 {
                return Ok(false);
            }
            for (delivery, copy) in release.copies {
                transaction
                    .execute(
                        "UPDATE deliveries SET state = 'pending', copy = $2, next_attempt = unix_now(),
                            updated_at = unix_now()
                         WHERE desk = newswire_desk() AND id = $1 AND state = 'in-review'",
                        &[delivery, copy],
                    )
                    .await
                    .map_err(|e| self.error(e))?;
            }
            transaction
                .execute(REMEMBER, &[&key.backend, &key.from, &key.to, &hashes, &sources, &targets])
                .await
                .map_err(|e| self.error(e))?;
            transaction.commit().await.map_err(|e| self.error(e))?;
            Ok(true)
        })
        .await
    }
}
