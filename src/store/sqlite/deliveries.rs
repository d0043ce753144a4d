//! The SQLite side of the delivery log: recording, claiming and finishing deliveries, and reading them back.

use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};

use super::{record, seconds, unknown, SqliteStore, RECORD_COLUMNS};
use crate::store::{
    AttemptOutcome, AttemptRecord, Claim, DeliveryLog, DeliveryRecord, DeliveryState, DueDelivery, Lease, NewDelivery,
    StoreError,
};

// The queries every delivery makes, named so the store's plan test can check each one.
pub(super) const INSERT_DELIVERY: &str =
    "INSERT INTO deliveries (desk, id, article, version, language, partner, channel, state, copy, next_attempt)
     VALUES (newswire_desk(), ?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8)
     ON CONFLICT (desk, id) DO UPDATE SET next_attempt = excluded.next_attempt
     WHERE excluded.next_attempt IS NOT NULL AND state = 'pending'";
pub(super) const DELIVERY_BY_ID: &str =
    "SELECT id, article, version, language, partner, state, attempts, last_error, next_attempt, channel, updated_at
     FROM deliveries WHERE desk = newswire_desk() AND id = ?1";
/// A claim: not while another worker's lease runs, not a delivered copy unless `?2` (again).
pub(super) const CLAIM: &str =
    "UPDATE deliveries SET state = 'in-progress', attempts = attempts + 1, fence = fence + 1,
        next_attempt = unixepoch() + ?3, updated_at = unixepoch()
     WHERE desk = newswire_desk() AND id = ?1 AND (?2 OR state <> 'delivered') AND state <> 'in-review'
       AND NOT (state = 'in-progress' AND next_attempt > unixepoch())
     RETURNING attempts, fence, recipients";
pub(super) const STATE_OF: &str = "SELECT state FROM deliveries WHERE desk = newswire_desk() AND id = ?1";
pub(super) const CLAIM_DUE: &str =
    "UPDATE deliveries SET state = 'in-progress', attempts = attempts + 1, fence = fence + 1,
        next_attempt = unixepoch() + ?2, updated_at = unixepoch()
     WHERE desk = newswire_desk() AND id IN (SELECT id FROM deliveries INDEXED BY deliveries_due_at
                  WHERE desk = newswire_desk() AND state IN ('pending', 'retrying', 'in-progress')
                    AND next_attempt <= unixepoch()
                    AND partner IN (SELECT value FROM json_each(?3))
                    AND partner NOT IN (SELECT partner FROM disabled_partners WHERE desk = newswire_desk())
                  ORDER BY next_attempt LIMIT ?1)
     RETURNING id, attempts, fence, recipients, partner, copy";
pub(super) const INSERT_ATTEMPT: &str =
    "INSERT OR REPLACE INTO attempts (desk, delivery_id, number) VALUES (newswire_desk(), ?1, ?2)";
pub(super) const FINISH_ATTEMPT: &str =
    "UPDATE attempts SET finished_at = unixepoch(), outcome = ?3, status = ?4, error = ?5
     WHERE desk = newswire_desk() AND delivery_id = ?1 AND number = ?2";
pub(super) const FINISH_DELIVERY: &str = "UPDATE deliveries SET state = ?3, last_error = ?4,
        next_attempt = CASE WHEN ?5 IS NULL THEN NULL ELSE unixepoch() + ?5 END, updated_at = unixepoch()
     WHERE desk = newswire_desk() AND id = ?1 AND fence = ?2 RETURNING partner";
pub(super) const RELEASE: &str = "UPDATE deliveries SET next_attempt = unixepoch() + ?3, attempts = attempts - 1,
        state = CASE WHEN attempts = 1 THEN 'pending' ELSE 'retrying' END
     WHERE desk = newswire_desk() AND id = ?1 AND fence = ?2 AND state = 'in-progress'";
pub(super) const RENEW: &str = "UPDATE deliveries SET next_attempt = unixepoch() + ?3
     WHERE desk = newswire_desk() AND id = ?1 AND fence = ?2 AND state = 'in-progress'
       AND next_attempt > unixepoch()";
pub(super) const PARTNER_SUCCEEDED: &str = "INSERT INTO partner_health (desk, partner, failing_since)
     VALUES (newswire_desk(), ?1, NULL)
     ON CONFLICT (desk, partner) DO UPDATE SET failing_since = NULL";
pub(super) const PARTNER_FAILED: &str = "INSERT INTO partner_health (desk, partner, failing_since)
     VALUES (newswire_desk(), ?1, unixepoch())
     ON CONFLICT (desk, partner) DO UPDATE SET failing_since = COALESCE(failing_since, unixepoch())";
pub(super) const RECIPIENTS_DONE: &str =
    "SELECT recipients FROM deliveries WHERE desk = newswire_desk() AND id = ?1 AND fence = ?2";
pub(super) const SET_RECIPIENTS_DONE: &str =
    "UPDATE deliveries SET recipients = ?3 WHERE desk = newswire_desk() AND id = ?1 AND fence = ?2";
pub(super) const DELIVERED_VERSION: &str = "SELECT MAX(v.version) FROM deliveries d
     JOIN article_versions v ON v.desk = d.desk AND v.article = d.article AND v.content_hash = d.version
     WHERE d.desk = newswire_desk() AND d.article = ?1 AND d.language = ?2 AND d.partner = ?3
       AND d.state = 'delivered'";
fn recipients(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

/// Records a delivery the log has not seen yet, as pending; `next_attempt` (an embargo) also
/// moves the time of a delivery that is still pending.
fn record_delivery(connection: &Connection, delivery: &NewDelivery, next_attempt: Option<i64>) -> rusqlite::Result<()> {
    connection
        .prepare_cached(INSERT_DELIVERY)?
        .execute(params![
            delivery.id,
            delivery.article,
            delivery.content_hash,
            delivery.language,
            delivery.partner,
            delivery.channel,
            delivery.copy,
            next_attempt
        ])
        .map(|_| ())
}

#[async_trait::async_trait]
impl DeliveryLog for SqliteStore {
    async fn delivery(&self, id: &str) -> Result<Option<DeliveryRecord>, StoreError> {
        self.read(|connection| connection.prepare_cached(DELIVERY_BY_ID)?.query_row([id], record).optional()).await
    }

    async fn deliveries(
        &self,
        partner: Option<&str>,
        state: Option<DeliveryState>,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        self.read(|connection| {
            let mut statement = connection.prepare(&format!(
                "SELECT {RECORD_COLUMNS} FROM deliveries
                 WHERE desk = newswire_desk() AND (?1 IS NULL OR partner = ?1) AND (?2 IS NULL OR state = ?2)
                 ORDER BY created_at DESC, id"
            ))?;
            let rows = statement.query_map(params![partner, state.map(DeliveryState::as_str)], record)?;
            rows.collect()
        })
        .await
    }

    async fn article_deliveries(&self, article: &str) -> Result<Vec<DeliveryRecord>, StoreError> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM deliveries WHERE desk = newswire_desk() AND article = ?1
                 ORDER BY created_at DESC, id"
            ))?;
            let rows = statement.query_map([article], record)?;
            rows.collect()
        })
        .await
    }

    async fn latest_deliveries(&self, partner: &str, limit: usize) -> Result<Vec<DeliveryRecord>, StoreError> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM deliveries WHERE desk = newswire_desk() AND partner = ?1
                 ORDER BY created_at DESC, id LIMIT ?2"
            ))?;
            let rows = statement.query_map(params![partner, limit as i64], record)?;
            rows.collect()
        })
        .await
    }

    async fn attempts(&self, delivery: &str, limit: usize) -> Result<Vec<AttemptRecord>, StoreError> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(
                "SELECT number, started_at, finished_at, outcome, status, error FROM attempts
                 WHERE desk = newswire_desk() AND delivery_id = ?1 ORDER BY number DESC LIMIT ?2",
            )?;
            let rows = statement.query_map(params![delivery, limit as i64], |row| {
                Ok(AttemptRecord {
                    number: row.get(0)?,
                    started_at: row.get(1)?,
                    finished_at: row.get(2)?,
                    outcome: row.get(3)?,
                    status: row.get(4)?,
                    error: row.get(5)?,
                })
            })?;
            rows.collect()
        })
        .await
    }

    async fn delivery_counts(&self) -> Result<Vec<(String, DeliveryState, u64)>, StoreError> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(
                "SELECT partner, state, COUNT(*) FROM deliveries WHERE desk = newswire_desk()
                     GROUP BY partner, state",
            )?;
            let rows = statement.query_map([], |row| {
                let state: String = row.get(1)?;
                Ok((row.get(0)?, DeliveryState::read(&state).map_err(|e| unknown(1, e))?, row.get::<_, i64>(2)? as u64))
            })?;
            rows.collect()
        })
        .await
    }

    async fn delivered_version(&self, article: &str, language: &str, partner: &str) -> Result<Option<u32>, StoreError> {
        self.read(|connection| {
            connection
                .prepare_cached(DELIVERED_VERSION)?
                .query_row(params![article, language, partner], |row| row.get(0))
        })
        .await
    }

    async fn schedule(&self, delivery: &NewDelivery, at: i64) -> Result<(), StoreError> {
        self.write(|transaction| record_delivery(transaction, delivery, Some(at))).await
    }

    async fn claim(&self, delivery: &NewDelivery, again: bool, lease: Duration) -> Result<Claim, StoreError> {
        self.write(|transaction| {
            record_delivery(transaction, delivery, None)?;
            let claimed: Option<(u32, i64, String)> = transaction
                .prepare_cached(CLAIM)?
                .query_row(params![delivery.id, again, seconds(lease)], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })
                .optional()?;
            let Some((attempt, fence, done)) = claimed else {
                let state: String = transaction.prepare_cached(STATE_OF)?.query_row([delivery.id], |row| row.get(0))?;
                return Ok(match state.as_str() {
                    "delivered" => Claim::Delivered,
                    "in-review" => Claim::InReview,
                    _ => Claim::Busy,
                });
            };
            transaction.prepare_cached(INSERT_ATTEMPT)?.execute(params![delivery.id, attempt])?;
            Ok(Claim::Claimed(Lease {
                id: delivery.id.to_string(),
                fence,
                attempt,
                recipients_done: recipients(&done),
                sure_until: std::time::Instant::now() + lease / 2,
            }))
        })
        .await
    }

    async fn claim_due(
        &self,
        partners: &[String],
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let partners = serde_json::to_string(partners).expect("strings serialise");
        self.write(|transaction| {
            let claimed: Vec<DueDelivery> = transaction
                .prepare_cached(CLAIM_DUE)?
                .query_map(params![limit as i64, seconds(lease), partners], |row| {
                    let done: String = row.get(3)?;
                    Ok(DueDelivery {
                        lease: Lease {
                            id: row.get(0)?,
                            attempt: row.get(1)?,
                            fence: row.get(2)?,
                            recipients_done: recipients(&done),
                            sure_until: std::time::Instant::now() + lease / 2,
                        },
                        partner: row.get(4)?,
                        copy: row.get(5)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            let mut log = transaction.prepare_cached(INSERT_ATTEMPT)?;
            for due in &claimed {
                log.execute(params![due.lease.id, due.lease.attempt])?;
            }
            Ok(claimed)
        })
        .await
    }

    async fn finish(&self, lease: &Lease, outcome: &AttemptOutcome) -> Result<bool, StoreError> {
        let state = outcome.state.as_str();
        self.write(|transaction| {
            transaction.prepare_cached(FINISH_ATTEMPT)?.execute(params![
                lease.id,
                lease.attempt,
                state,
                outcome.status,
                outcome.error
            ])?;
            let partner: Option<String> = transaction
                .prepare_cached(FINISH_DELIVERY)?
                .query_row(params![lease.id, lease.fence, state, outcome.error, outcome.retry_in], |row| row.get(0))
                .optional()?;
            let Some(partner) = partner else { return Ok(false) };
            // A success ends a partner's failing streak; the first failure after one starts it.
            let streak = if outcome.state == DeliveryState::Delivered { PARTNER_SUCCEEDED } else { PARTNER_FAILED };
            transaction.prepare_cached(streak)?.execute([partner])?;
            Ok(true)
        })
        .await
    }

    async fn renew(&self, lease: &Lease, by: Duration) -> Result<bool, StoreError> {
        self.write(|transaction| {
            transaction.prepare_cached(RENEW)?.execute(params![lease.id, lease.fence, seconds(by)]).map(|n| n > 0)
        })
        .await
    }

    async fn release(&self, leases: &[Lease], after: Duration) -> Result<(), StoreError> {
        self.write(|transaction| {
            let mut statement = transaction.prepare_cached(RELEASE)?;
            for lease in leases {
                // The attempt is taken back only when the claim still was the delivery's.
                if statement.execute(params![lease.id, lease.fence, seconds(after)])? == 0 {
                    continue;
                }
                transaction
                    .prepare_cached(
                        "DELETE FROM attempts WHERE desk = newswire_desk() AND delivery_id = ?1 AND number = ?2",
                    )?
                    .execute(params![lease.id, lease.attempt])?;
            }
            Ok(())
        })
        .await
    }

    async fn add_recipients_done(&self, lease: &Lease, reached: &[String]) -> Result<(), StoreError> {
        if reached.is_empty() {
            return Ok(());
        }
        self.write(|transaction| {
            let json: Option<String> = transaction
                .prepare_cached(RECIPIENTS_DONE)?
                .query_row(params![lease.id, lease.fence], |row| row.get(0))
                .optional()?;
            let Some(json) = json else { return Ok(()) };
            let mut all = recipients(&json);
            all.extend(reached.iter().filter(|r| !all.contains(r)).cloned().collect::<Vec<_>>());
            let json = serde_json::to_string(&all).expect("strings serialise");
            transaction.prepare_cached(SET_RECIPIENTS_DONE)?.execute(params![lease.id, lease.fence, json]).map(|_| ())
        })
        .await
    }

    async fn copy_of(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.read(|connection| {
            connection
                .query_row("SELECT copy FROM deliveries WHERE desk = newswire_desk() AND id = ?1", [id], |row| {
                    row.get(0)
                })
                .optional()
        })
        .await
    }
}
