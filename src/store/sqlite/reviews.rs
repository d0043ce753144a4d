//! The SQLite side of the review log: held and flagged translations, and their release.

use rusqlite::{params, OptionalExtension};

use super::{hash, record, unknown, SqliteStore, RECORD_COLUMNS, REMEMBER};
use crate::store::{DeliveryRecord, NewDelivery, NewReview, Release, ReviewRecord, ReviewState, Reviews, StoreError};

const REVIEW_COLUMNS: &str = "id, article, version, language, state, flags, draft, reviewer, created_at, reviewed_at";

fn review_record(row: &rusqlite::Row) -> rusqlite::Result<ReviewRecord> {
    let state: String = row.get(4)?;
    Ok(ReviewRecord {
        id: row.get(0)?,
        article: row.get(1)?,
        content_hash: row.get(2)?,
        language: row.get(3)?,
        state: ReviewState::read(&state).map_err(|e| unknown(4, e))?,
        flags: row.get(5)?,
        draft: row.get(6)?,
        reviewer: row.get(7)?,
        created_at: row.get(8)?,
        reviewed_at: row.get(9)?,
    })
}

#[async_trait::async_trait]
impl Reviews for SqliteStore {
    async fn record_review(&self, review: &NewReview<'_>, held: &[NewDelivery<'_>]) -> Result<ReviewState, StoreError> {
        self.write(|transaction| {
            transaction.execute(
                "INSERT INTO reviews (desk, id, article, version, language, state, flags, draft)
                 VALUES (newswire_desk(), ?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (desk, id) DO UPDATE SET state = excluded.state, draft = excluded.draft
                 WHERE reviews.state = 'flagged' AND excluded.state = 'in-review'",
                params![
                    review.id,
                    review.article,
                    review.content_hash,
                    review.language,
                    review.state.as_str(),
                    review.flags,
                    review.draft
                ],
            )?;
            let state: String = transaction.query_row(
                "SELECT state FROM reviews WHERE desk = newswire_desk() AND id = ?1",
                [review.id],
                |row| row.get(0),
            )?;
            let state = ReviewState::read(&state).map_err(|e| unknown(0, e))?;
            // A review already released holds nothing any more.
            let held = if state == ReviewState::InReview { held } else { &[] };
            for delivery in held {
                transaction.execute(
                    "INSERT INTO deliveries (desk, id, article, version, language, partner, channel, state, copy)
                     VALUES (newswire_desk(), ?1, ?2, ?3, ?4, ?5, ?6, 'in-review', ?7)
                     ON CONFLICT (desk, id) DO NOTHING",
                    params![
                        delivery.id,
                        delivery.article,
                        delivery.content_hash,
                        delivery.language,
                        delivery.partner,
                        delivery.channel,
                        delivery.copy
                    ],
                )?;
            }
            Ok(state)
        })
        .await
    }

    async fn reviews(&self, state: Option<ReviewState>) -> Result<Vec<ReviewRecord>, StoreError> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(&format!(
                "SELECT {REVIEW_COLUMNS} FROM reviews WHERE desk = newswire_desk() AND (?1 IS NULL OR state = ?1)
                 ORDER BY created_at, id"
            ))?;
            let rows = statement.query_map([state.map(ReviewState::as_str)], review_record)?;
            rows.collect()
        })
        .await
    }

    async fn review(&self, id: &str) -> Result<Option<ReviewRecord>, StoreError> {
        self.read(|connection| {
            connection
                .prepare_cached(&format!(
                    "SELECT {REVIEW_COLUMNS} FROM reviews WHERE desk = newswire_desk() AND id = ?1"
                ))?
                .query_row([id], review_record)
                .optional()
        })
        .await
    }

    async fn article_reviews(&self, article: &str) -> Result<Vec<ReviewRecord>, StoreError> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(&format!(
                "SELECT {REVIEW_COLUMNS} FROM reviews WHERE desk = newswire_desk() AND article = ?1
                 ORDER BY created_at, id"
            ))?;
            let rows = statement.query_map([article], review_record)?;
            rows.collect()
        })
        .await
    }

    async fn review_deliveries(
        &self,
        article: &str,
        content_hash: &str,
        language: &str,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM deliveries
                 WHERE desk = newswire_desk() AND article = ?1 AND language = ?2 AND version = ?3
                 ORDER BY partner"
            ))?;
            let rows = statement.query_map(params![article, language, content_hash], record)?;
            rows.collect()
        })
        .await
    }

    async fn release_review(&self, id: &str, release: &Release<'_>) -> Result<bool, StoreError> {
        self.write(|transaction| {
            let released = transaction.execute(
                "UPDATE reviews SET state = 'reviewed', draft = ?2, reviewer = ?3, reviewed_at = unixepoch()
                 WHERE desk = newswire_desk() AND id = ?1 AND state = 'in-review'",
                params![id, release.draft, release.reviewer],
            )?;
            if released == 0 {
                return Ok(false);
            }
            for (delivery, copy) in release.copies {
                transaction.execute(
                    "UPDATE deliveries SET state = 'pending', copy = ?2, next_attempt = unixepoch(),
                        updated_at = unixepoch()
                     WHERE desk = newswire_desk() AND id = ?1 AND state = 'in-review'",
                    params![delivery, copy],
                )?;
            }
            let key = &release.memory;
            let mut remember = transaction.prepare_cached(REMEMBER)?;
            for (source, target) in release.remembered {
                remember.execute(params![key.backend, key.from, key.to, hash(source), source, target])?;
            }
            Ok(true)
        })
        .await
    }
}
