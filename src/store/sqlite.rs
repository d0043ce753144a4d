//! The SQLite store: one file on one machine, WAL mode, every write in an immediate transaction,
//! so runs that overlap on the file take turns instead of failing. Its statements take
//! microseconds and run inline behind the async interface; the file's clock is the machine's.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::functions::FunctionFlags;
use rusqlite::types::{Value, ValueRef};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};

use super::migrations::{too_new, Table, ADOPT, SQLITE as MIGRATIONS};
use super::transfer::Cell;
use super::{
    AttemptOutcome, AttemptRecord, CallbackClaim, Claim, DeliveryRecord, DeliveryState, DueDelivery, Lease, MemoryKey,
    NewDelivery, NewReview, PageClaim, PageLease, Release, ReviewRecord, ReviewState, RunRecord, SessionRecord, Store,
    StoreError,
};
use crate::error::ErrorKind;

// The queries every delivery makes, named so the test below can check each one's plan.
const INSERT_DELIVERY: &str =
    "INSERT INTO deliveries (desk, id, article, version, language, partner, channel, state, copy, next_attempt)
     VALUES (newswire_desk(), ?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8)
     ON CONFLICT (desk, id) DO UPDATE SET next_attempt = excluded.next_attempt
     WHERE excluded.next_attempt IS NOT NULL AND state = 'pending'";
const DELIVERY_BY_ID: &str =
    "SELECT id, article, version, language, partner, state, attempts, last_error, next_attempt, channel, updated_at
     FROM deliveries WHERE desk = newswire_desk() AND id = ?1";
/// A claim: not while another worker's lease runs, not a delivered copy unless `?2` (again).
const CLAIM: &str = "UPDATE deliveries SET state = 'in-progress', attempts = attempts + 1, fence = fence + 1,
        next_attempt = unixepoch() + ?3, updated_at = unixepoch()
     WHERE desk = newswire_desk() AND id = ?1 AND (?2 OR state <> 'delivered') AND state <> 'in-review'
       AND NOT (state = 'in-progress' AND next_attempt > unixepoch())
     RETURNING attempts, fence, recipients";
const STATE_OF: &str = "SELECT state FROM deliveries WHERE desk = newswire_desk() AND id = ?1";
const CLAIM_DUE: &str = "UPDATE deliveries SET state = 'in-progress', attempts = attempts + 1, fence = fence + 1,
        next_attempt = unixepoch() + ?2, updated_at = unixepoch()
     WHERE desk = newswire_desk() AND id IN (SELECT id FROM deliveries INDEXED BY deliveries_due_at
                  WHERE desk = newswire_desk() AND state IN ('pending', 'retrying', 'in-progress')
                    AND next_attempt <= unixepoch()
                    AND partner IN (SELECT value FROM json_each(?3))
                    AND partner NOT IN (SELECT partner FROM disabled_partners WHERE desk = newswire_desk())
                  ORDER BY next_attempt LIMIT ?1)
     RETURNING id, attempts, fence, recipients, partner, copy";
const INSERT_ATTEMPT: &str =
    "INSERT OR REPLACE INTO attempts (desk, delivery_id, number) VALUES (newswire_desk(), ?1, ?2)";
const FINISH_ATTEMPT: &str = "UPDATE attempts SET finished_at = unixepoch(), outcome = ?3, status = ?4, error = ?5
     WHERE desk = newswire_desk() AND delivery_id = ?1 AND number = ?2";
const FINISH_DELIVERY: &str = "UPDATE deliveries SET state = ?3, last_error = ?4,
        next_attempt = CASE WHEN ?5 IS NULL THEN NULL ELSE unixepoch() + ?5 END, updated_at = unixepoch()
     WHERE desk = newswire_desk() AND id = ?1 AND fence = ?2 RETURNING partner";
const RELEASE: &str = "UPDATE deliveries SET next_attempt = unixepoch() + ?3, attempts = attempts - 1,
        state = CASE WHEN attempts = 1 THEN 'pending' ELSE 'retrying' END
     WHERE desk = newswire_desk() AND id = ?1 AND fence = ?2 AND state = 'in-progress'";
const RENEW: &str = "UPDATE deliveries SET next_attempt = unixepoch() + ?3
     WHERE desk = newswire_desk() AND id = ?1 AND fence = ?2 AND state = 'in-progress'
       AND next_attempt > unixepoch()";
const PARTNER_SUCCEEDED: &str = "INSERT INTO partner_health (desk, partner, failing_since)
     VALUES (newswire_desk(), ?1, NULL)
     ON CONFLICT (desk, partner) DO UPDATE SET failing_since = NULL";
const PARTNER_FAILED: &str = "INSERT INTO partner_health (desk, partner, failing_since)
     VALUES (newswire_desk(), ?1, unixepoch())
     ON CONFLICT (desk, partner) DO UPDATE SET failing_since = COALESCE(failing_since, unixepoch())";
const FAILING_SINCE: &str = "SELECT failing_since, unixepoch() - failing_since FROM partner_health
     WHERE desk = newswire_desk() AND partner = ?1 AND failing_since IS NOT NULL";
const PARTNER_DISABLED: &str =
    "SELECT since, reason FROM disabled_partners WHERE desk = newswire_desk() AND partner = ?1";
const RECIPIENTS_DONE: &str =
    "SELECT recipients FROM deliveries WHERE desk = newswire_desk() AND id = ?1 AND fence = ?2";
const SET_RECIPIENTS_DONE: &str =
    "UPDATE deliveries SET recipients = ?3 WHERE desk = newswire_desk() AND id = ?1 AND fence = ?2";
const IS_KILLED: &str = "SELECT 1 FROM killed_articles WHERE desk = newswire_desk() AND article = ?1";
const NEW_ARTICLE_VERSION: &str = "INSERT INTO article_versions (desk, article, content_hash, version)
     SELECT newswire_desk(), ?1, ?2, COALESCE(MAX(version), 0) + 1 FROM article_versions
     WHERE desk = newswire_desk() AND article = ?1
     ON CONFLICT (desk, article, content_hash) DO NOTHING";
const ARTICLE_VERSION: &str =
    "SELECT version FROM article_versions WHERE desk = newswire_desk() AND article = ?1 AND content_hash = ?2";
const DELIVERED_VERSION: &str = "SELECT MAX(v.version) FROM deliveries d
     JOIN article_versions v ON v.desk = d.desk AND v.article = d.article AND v.content_hash = d.version
     WHERE d.desk = newswire_desk() AND d.article = ?1 AND d.language = ?2 AND d.partner = ?3
       AND d.state = 'delivered'";
const CLAIM_PAGE: &str = "INSERT INTO pages (desk, key, page, lease_until)
     VALUES (newswire_desk(), ?1, ?2, unixepoch() + ?3)
     ON CONFLICT (desk, key) DO UPDATE SET fence = fence + 1, lease_until = excluded.lease_until,
        page = excluded.page, done_ms = NULL
     WHERE lease_until <= unixepoch() AND (done_ms IS NULL OR done_ms < ?4)
     RETURNING fence";
const PAGE_DONE_AT: &str = "SELECT done_ms FROM pages WHERE desk = newswire_desk() AND key = ?1";
const CLAIM_ABANDONED_PAGES: &str = "UPDATE pages SET fence = fence + 1, lease_until = unixepoch() + ?2
     WHERE desk = newswire_desk() AND key IN (SELECT key FROM pages
                   WHERE desk = newswire_desk() AND done_ms IS NULL AND lease_until <= unixepoch()
                   ORDER BY lease_until LIMIT ?1)
     RETURNING key, fence, page";
const RENEW_PAGE: &str = "UPDATE pages SET lease_until = unixepoch() + ?3
     WHERE desk = newswire_desk() AND key = ?1 AND fence = ?2";
const DONE_PAGE: &str = "UPDATE pages SET done_ms = CAST(unixepoch('subsec') * 1000 AS INTEGER),
        lease_until = unixepoch(), page = '' WHERE desk = newswire_desk() AND key = ?1 AND fence = ?2";
const GIVE_BACK_PAGE: &str =
    "UPDATE pages SET lease_until = unixepoch() WHERE desk = newswire_desk() AND key = ?1 AND fence = ?2";

const REMEMBER: &str = "INSERT INTO translation_memory (backend, source_lang, target_lang, source_hash, source, target)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
     ON CONFLICT DO UPDATE SET source = excluded.source, target = excluded.target";

#[cfg(test)]
const DELIVERY_PATH: &[&str] = &[
    INSERT_DELIVERY,
    DELIVERY_BY_ID,
    CLAIM,
    STATE_OF,
    CLAIM_DUE,
    INSERT_ATTEMPT,
    FINISH_ATTEMPT,
    FINISH_DELIVERY,
    RELEASE,
    RENEW,
    PARTNER_SUCCEEDED,
    PARTNER_FAILED,
    FAILING_SINCE,
    PARTNER_DISABLED,
    RECIPIENTS_DONE,
    SET_RECIPIENTS_DONE,
    IS_KILLED,
    NEW_ARTICLE_VERSION,
    ARTICLE_VERSION,
    DELIVERED_VERSION,
    CLAIM_PAGE,
    PAGE_DONE_AT,
    CLAIM_ABANDONED_PAGES,
    RENEW_PAGE,
    DONE_PAGE,
];

const RECORD_COLUMNS: &str =
    "id, article, version, language, partner, state, attempts, last_error, next_attempt, channel, updated_at";

fn record(row: &rusqlite::Row) -> rusqlite::Result<DeliveryRecord> {
    let state: String = row.get(5)?;
    let next: Option<i64> = row.get(8)?;
    Ok(DeliveryRecord {
        id: row.get(0)?,
        article: row.get(1)?,
        content_hash: row.get(2)?,
        language: row.get(3)?,
        partner: row.get(4)?,
        state: DeliveryState::read(&state).map_err(|e| unknown(5, e))?,
        attempts: row.get(6)?,
        last_error: row.get(7)?,
        next_attempt: next.and_then(super::deliveries::rfc3339),
        channel: row.get(9)?,
        updated_at: row.get(10)?,
    })
}

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

/// A column that holds what this binary cannot read.
fn unknown(column: usize, err: super::UnknownState) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(err))
}

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

pub struct SqliteStore {
    path: PathBuf,
    connection: Mutex<Connection>,
}

/// Answers `newswire_desk()` in this connection's statements with `desk`.
fn name_the_desk(connection: &Connection, desk: &str) -> rusqlite::Result<()> {
    let desk = desk.to_string();
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    connection.create_scalar_function("newswire_desk", 0, flags, move |_| Ok(desk.clone()))
}

impl SqliteStore {
    /// Opens the file as `desk` sees it: its own rows only.
    pub fn open(path: &Path, desk: &str) -> Result<Self, StoreError> {
        let fail =
            |message: String| StoreError { location: path.display().to_string(), message, kind: ErrorKind::Permanent };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|err| fail(format!("cannot create {}: {err}", dir.display())))?;
        }
        // Processes opening a new file at once may find it locked while one of them switches it
        // to WAL (SQLite does not wait for that lock): they try again.
        let mut tries = 0;
        loop {
            let opened = Connection::open(path).map_err(|err| err.to_string()).and_then(|mut connection| {
                name_the_desk(&connection, desk).map_err(|err| err.to_string())?;
                connection
                    .execute_batch(
                        "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
                    )
                    .map_err(|err| err.to_string())?;
                migrate(&mut connection)?;
                if !desk.is_empty() {
                    connection
                        .execute_batch(ADOPT)
                        .map_err(|err| format!("taking up the rows of before desks: {err}"))?;
                }
                Ok(connection)
            });
            match opened {
                Ok(connection) => {
                    return Ok(SqliteStore { path: path.to_path_buf(), connection: Mutex::new(connection) });
                }
                Err(message) if message.contains("locked") && tries < 100 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(message) => return Err(fail(message)),
            }
        }
    }

    fn error(&self, err: rusqlite::Error) -> StoreError {
        let busy = matches!(
            err.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        );
        StoreError {
            location: self.path.display().to_string(),
            message: err.to_string(),
            kind: if busy { ErrorKind::Transient } else { ErrorKind::Permanent },
        }
    }

    /// Runs `work` in one immediate transaction.
    fn write<T>(&self, work: impl FnOnce(&rusqlite::Transaction) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let mut connection = self.connection.lock().expect("store lock");
        let transaction =
            connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| self.error(e))?;
        let value = work(&transaction).map_err(|e| self.error(e))?;
        transaction.commit().map_err(|e| self.error(e))?;
        Ok(value)
    }

    /// A table `state migrate` copies, or an error naming it.
    fn known(&self, table: &str) -> Result<&'static Table, StoreError> {
        super::migrations::table(table).ok_or_else(|| StoreError {
            location: self.path.display().to_string(),
            message: format!("no table {table} to copy"),
            kind: ErrorKind::Permanent,
        })
    }

    fn read<T>(&self, work: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let connection = self.connection.lock().expect("store lock");
        work(&connection).map_err(|e| self.error(e))
    }
}

/// Brings the file to the last schema step, one transaction per step.
fn migrate(connection: &mut Connection) -> Result<(), String> {
    let found: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0)).map_err(|e| e.to_string())?;
    if let Some(refusal) = too_new(found, MIGRATIONS.len()) {
        return Err(refusal);
    }
    for (step, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let transaction =
            connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| e.to_string())?;
        // Another process may have migrated while this one waited for the lock.
        let now: i64 = transaction.query_row("PRAGMA user_version", [], |row| row.get(0)).map_err(|e| e.to_string())?;
        if now > step as i64 {
            continue;
        }
        transaction
            .execute_batch(sql)
            .and_then(|_| transaction.execute_batch(&format!("PRAGMA user_version = {}", step + 1)))
            .and_then(|_| transaction.commit())
            .map_err(|e| format!("schema step {}: {e}", step + 1))?;
    }
    Ok(())
}

fn hash(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes()).to_vec()
}

fn seconds(duration: Duration) -> i64 {
    duration.as_secs_f64().ceil() as i64
}

#[async_trait::async_trait]
impl Store for SqliteStore {
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
    }

    async fn remember(&self, key: &MemoryKey<'_>, pairs: &[(String, String)]) -> Result<(), StoreError> {
        self.write(|transaction| {
            let mut statement = transaction.prepare_cached(REMEMBER)?;
            for (source, target) in pairs {
                statement.execute(params![key.backend, key.from, key.to, hash(source), source, target])?;
            }
            Ok(())
        })
    }

    async fn article_version(&self, article: &str, content_hash: &str) -> Result<u32, StoreError> {
        self.write(|transaction| {
            transaction.prepare_cached(NEW_ARTICLE_VERSION)?.execute(params![article, content_hash])?;
            transaction.prepare_cached(ARTICLE_VERSION)?.query_row(params![article, content_hash], |row| row.get(0))
        })
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
    }

    async fn is_killed(&self, article: &str) -> Result<bool, StoreError> {
        self.read(|connection| {
            connection
                .prepare_cached(IS_KILLED)?
                .query_row([article], |_| Ok(()))
                .optional()
                .map(|found| found.is_some())
        })
    }

    async fn clock_ms(&self) -> Result<i64, StoreError> {
        self.read(|connection| {
            connection.query_row("SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER)", [], |row| row.get(0))
        })
    }

    async fn claim_page(
        &self,
        key: &str,
        page: &str,
        lease: Duration,
        done_since: i64,
    ) -> Result<PageClaim, StoreError> {
        self.write(|transaction| {
            let fence: Option<i64> = transaction
                .prepare_cached(CLAIM_PAGE)?
                .query_row(params![key, page, seconds(lease), done_since], |row| row.get(0))
                .optional()?;
            if let Some(fence) = fence {
                return Ok(PageClaim::Claimed(PageLease { key: key.to_string(), fence }));
            }
            let done: Option<i64> = transaction.prepare_cached(PAGE_DONE_AT)?.query_row([key], |row| row.get(0))?;
            Ok(if done.is_some() { PageClaim::Done } else { PageClaim::Busy })
        })
    }

    async fn claim_abandoned_pages(
        &self,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<(PageLease, String)>, StoreError> {
        self.write(|transaction| {
            let mut statement = transaction.prepare_cached(CLAIM_ABANDONED_PAGES)?;
            let rows = statement.query_map(params![limit as i64, seconds(lease)], |row| {
                Ok((PageLease { key: row.get(0)?, fence: row.get(1)? }, row.get(2)?))
            })?;
            rows.collect()
        })
    }

    async fn renew_page(&self, lease: &PageLease, by: Duration) -> Result<bool, StoreError> {
        self.write(|transaction| {
            transaction.prepare_cached(RENEW_PAGE)?.execute(params![lease.key, lease.fence, seconds(by)]).map(|n| n > 0)
        })
    }

    async fn release_page(&self, lease: &PageLease, done: bool) -> Result<(), StoreError> {
        let sql = if done { DONE_PAGE } else { GIVE_BACK_PAGE };
        self.write(|transaction| transaction.prepare_cached(sql)?.execute(params![lease.key, lease.fence]).map(|_| ()))
    }

    async fn forget_done_pages(&self, before_ms: i64) -> Result<u64, StoreError> {
        self.write(|transaction| {
            transaction
                .execute("DELETE FROM pages WHERE desk = newswire_desk() AND done_ms < ?1", [before_ms])
                .map(|n| n as u64)
        })
    }

    async fn delivery(&self, id: &str) -> Result<Option<DeliveryRecord>, StoreError> {
        self.read(|connection| connection.prepare_cached(DELIVERY_BY_ID)?.query_row([id], record).optional())
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
    }

    async fn delivered_version(&self, article: &str, language: &str, partner: &str) -> Result<Option<u32>, StoreError> {
        self.read(|connection| {
            connection
                .prepare_cached(DELIVERED_VERSION)?
                .query_row(params![article, language, partner], |row| row.get(0))
        })
    }

    async fn schedule(&self, delivery: &NewDelivery, at: i64) -> Result<(), StoreError> {
        self.write(|transaction| record_delivery(transaction, delivery, Some(at)))
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
    }

    async fn renew(&self, lease: &Lease, by: Duration) -> Result<bool, StoreError> {
        self.write(|transaction| {
            transaction.prepare_cached(RENEW)?.execute(params![lease.id, lease.fence, seconds(by)]).map(|n| n > 0)
        })
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
    }

    async fn copy_of(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.read(|connection| {
            connection
                .query_row("SELECT copy FROM deliveries WHERE desk = newswire_desk() AND id = ?1", [id], |row| {
                    row.get(0)
                })
                .optional()
        })
    }

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
    }

    async fn record_run(&self, id: &str, desk: &str, report: &str, finished: bool) -> Result<(), StoreError> {
        self.write(|transaction| {
            transaction
                .prepare_cached(
                    "INSERT INTO runs (id, desk, report, finished_at) VALUES (?1, ?2, ?3, CASE WHEN ?4 THEN unixepoch() END)
                     ON CONFLICT (id) DO UPDATE SET report = excluded.report, finished_at = excluded.finished_at",
                )?
                .execute(params![id, desk, report, finished])?;
            Ok(())
        })
    }

    async fn runs(&self, limit: usize) -> Result<Vec<RunRecord>, StoreError> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(
                "SELECT id, desk, report, started_at, finished_at FROM runs WHERE desk = newswire_desk()
                 ORDER BY started_at DESC, id LIMIT ?1",
            )?;
            let rows = statement.query_map([limit as i64], |row| {
                Ok(RunRecord {
                    id: row.get(0)?,
                    desk: row.get(1)?,
                    report: row.get(2)?,
                    started_at: row.get(3)?,
                    finished_at: row.get(4)?,
                })
            })?;
            rows.collect()
        })
    }

    async fn want_callback(&self, article: &str, url: Option<&str>) -> Result<(), StoreError> {
        self.write(|transaction| {
            transaction
                .prepare_cached(
                    "INSERT INTO callbacks (desk, article, url, due_at)
                     SELECT newswire_desk(), ?1, ?2, unixepoch() WHERE ?2 IS NOT NULL
                     ON CONFLICT (desk, article) DO UPDATE SET url = excluded.url, due_at = unixepoch(), attempts = 0,
                        last_error = NULL, done_at = NULL, fence = fence + 1",
                )?
                .execute(params![article, url])?;
            if url.is_none() {
                transaction
                    .prepare_cached(
                        "UPDATE callbacks SET due_at = unixepoch(), attempts = 0, last_error = NULL, done_at = NULL,
                            fence = fence + 1
                         WHERE desk = newswire_desk() AND article = ?1",
                    )?
                    .execute([article])?;
            }
            Ok(())
        })
    }

    async fn claim_callbacks(&self, limit: usize, lease: Duration) -> Result<Vec<CallbackClaim>, StoreError> {
        self.write(|transaction| {
            let mut statement = transaction.prepare_cached(
                "UPDATE callbacks SET due_at = unixepoch() + ?2, fence = fence + 1
                 WHERE desk = newswire_desk() AND article IN (SELECT article FROM callbacks
                     WHERE desk = newswire_desk() AND done_at IS NULL AND due_at <= unixepoch()
                     ORDER BY due_at LIMIT ?1)
                 RETURNING article, url, attempts, created_at, fence",
            )?;
            let rows = statement.query_map(params![limit as i64, seconds(lease)], |row| {
                Ok(CallbackClaim {
                    article: row.get(0)?,
                    url: row.get(1)?,
                    attempts: row.get(2)?,
                    created_at: row.get(3)?,
                    fence: row.get(4)?,
                })
            })?;
            rows.collect()
        })
    }

    async fn callback_later(
        &self,
        claim: &CallbackClaim,
        after: Duration,
        attempted: bool,
        error: Option<&str>,
    ) -> Result<bool, StoreError> {
        self.write(|transaction| {
            transaction
                .prepare_cached(
                    "UPDATE callbacks SET due_at = unixepoch() + ?3, attempts = attempts + ?4,
                        last_error = coalesce(?5, last_error)
                     WHERE desk = newswire_desk() AND article = ?1 AND fence = ?2 AND done_at IS NULL",
                )?
                .execute(params![claim.article, claim.fence, seconds(after), attempted as i64, error])
                .map(|n| n > 0)
        })
    }

    async fn callback_done(&self, claim: &CallbackClaim, error: Option<&str>) -> Result<bool, StoreError> {
        self.write(|transaction| {
            transaction
                .prepare_cached(
                    "UPDATE callbacks SET done_at = unixepoch(), last_error = ?3
                     WHERE desk = newswire_desk() AND article = ?1 AND fence = ?2",
                )?
                .execute(params![claim.article, claim.fence, error])
                .map(|n| n > 0)
        })
    }

    async fn open_session(&self, id: &str, session: &SessionRecord, ttl: Duration) -> Result<(), StoreError> {
        let desks = serde_json::to_string(&session.desks).expect("names serialise");
        self.write(|transaction| {
            transaction.prepare_cached("DELETE FROM sessions WHERE expires_at <= unixepoch()")?.execute([])?;
            transaction
                .prepare_cached(
                    "INSERT INTO sessions (id, user_name, desks, csrf, expires_at) VALUES (?1, ?2, ?3, ?4, unixepoch() + ?5)
                     ON CONFLICT (id) DO NOTHING",
                )?
                .execute(params![id, session.user, desks, session.csrf, seconds(ttl)])?;
            Ok(())
        })
    }

    async fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        self.read(|connection| {
            connection
                .prepare_cached(
                    "SELECT user_name, desks, csrf, expires_at FROM sessions WHERE id = ?1 AND expires_at > unixepoch()",
                )?
                .query_row([id], |row| {
                    let desks: String = row.get(1)?;
                    Ok(SessionRecord {
                        user: row.get(0)?,
                        desks: serde_json::from_str(&desks).unwrap_or_default(),
                        csrf: row.get(2)?,
                        expires_at: row.get(3)?,
                    })
                })
                .optional()
        })
    }

    async fn close_session(&self, id: &str) -> Result<(), StoreError> {
        self.write(|transaction| {
            transaction.prepare_cached("DELETE FROM sessions WHERE id = ?1")?.execute([id])?;
            Ok(())
        })
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
    }

    async fn partner_disabled(&self, partner: &str) -> Result<Option<(i64, String)>, StoreError> {
        self.read(|connection| {
            connection
                .prepare_cached(PARTNER_DISABLED)?
                .query_row([partner], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()
        })
    }

    async fn disable_partner(&self, partner: &str, reason: &str) -> Result<(), StoreError> {
        self.write(|transaction| {
            transaction
                .execute(
                    "INSERT INTO disabled_partners (desk, partner, reason) VALUES (newswire_desk(), ?1, ?2)
                     ON CONFLICT (desk, partner) DO NOTHING",
                    params![partner, reason],
                )
                .map(|_| ())
        })
    }

    async fn enable_partner(&self, partner: &str) -> Result<bool, StoreError> {
        self.write(|transaction| {
            // Failures before the partner was enabled again no longer count towards disabling it.
            transaction.execute(
                "UPDATE partner_health SET failing_since = NULL WHERE desk = newswire_desk() AND partner = ?1",
                [partner],
            )?;
            transaction
                .execute("DELETE FROM disabled_partners WHERE desk = newswire_desk() AND partner = ?1", [partner])
                .map(|n| n > 0)
        })
    }

    async fn failing_since(&self, partner: &str) -> Result<Option<(i64, i64)>, StoreError> {
        self.read(|connection| {
            connection
                .prepare_cached(FAILING_SINCE)?
                .query_row([partner], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()
        })
    }

    async fn dump(&self, table: &str, offset: usize, limit: usize) -> Result<Vec<Vec<Cell>>, StoreError> {
        let Table { key, columns, .. } = self.known(table)?;
        let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
        let sql = format!("SELECT {} FROM {table} ORDER BY {key} LIMIT ?1 OFFSET ?2", names.join(", "));
        self.read(|connection| {
            let mut statement = connection.prepare(&sql)?;
            let rows = statement.query_map(params![limit as i64, offset as i64], |row| {
                (0..columns.len())
                    .map(|i| {
                        Ok(match row.get_ref(i)? {
                            ValueRef::Null => Cell::Null,
                            ValueRef::Integer(n) => Cell::Int(n),
                            ValueRef::Real(x) => Cell::Int(x as i64),
                            ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
                            ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
                        })
                    })
                    .collect()
            })?;
            rows.collect()
        })
    }

    async fn load(&self, table: &str, rows: &[Vec<Cell>]) -> Result<usize, StoreError> {
        let Table { columns, .. } = self.known(table)?;
        let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
        let slots: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let sql =
            format!("INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT DO NOTHING", names.join(", "), slots.join(", "));
        self.write(|transaction| {
            let mut statement = transaction.prepare(&sql)?;
            let mut added = 0;
            for row in rows {
                let values = row.iter().map(|cell| match cell {
                    Cell::Null => Value::Null,
                    Cell::Int(n) => Value::Integer(*n),
                    Cell::Text(t) => Value::Text(t.clone()),
                    Cell::Blob(b) => Value::Blob(b.clone()),
                });
                added += statement.execute(rusqlite::params_from_iter(values))?;
            }
            Ok(added)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every query a delivery makes, with the plan SQLite picks for it: none may scan the
    /// deliveries or attempts tables, or a desk's history would slow every copy down.
    #[test]
    fn the_delivery_path_never_scans_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.sqlite"), "desk").unwrap();
        let connection = store.connection.lock().unwrap();
        for sql in DELIVERY_PATH {
            let mut plan = connection.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let nulls = vec![rusqlite::types::Null; plan.parameter_count()];
            let steps: Vec<String> = plan
                .query_map(rusqlite::params_from_iter(nulls), |row| row.get::<_, String>(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            // No full scan (of a table, an alias of one, or a whole index; json_each is the
            // partner list given), no sorting of what a search found, and no search by partner
            // alone: a partner's deliveries grow with the desk's history.
            let slow = |step: &String| {
                (step.starts_with("SCAN") && !step.contains("json_each"))
                    || step.contains("TEMP B-TREE")
                    || step.contains("deliveries_partner")
            };
            assert!(!steps.iter().any(slow), "{sql}\n{steps:#?}");
        }
    }

    #[test]
    fn a_file_from_before_schema_versions_is_brought_up_to_date() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        let old = Connection::open(&path).unwrap();
        old.execute_batch(MIGRATIONS[0]).unwrap();
        old.execute(
            "INSERT INTO deliveries (id, article, version, language, partner, channel, state, copy)
             VALUES ('d1', 'a', 'h', 'es', 'p', 'webhook', 'delivered', '{}')",
            [],
        )
        .unwrap();
        drop(old);
        let store = SqliteStore::open(&path, "old-desk").unwrap();
        let version: i64 =
            store.connection.lock().unwrap().query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        let kept = tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(store.delivery("d1"));
        assert_eq!(
            kept.unwrap().expect("the row went to the desk that opened the file").state,
            DeliveryState::Delivered
        );
        drop(store);
        Connection::open(&path).unwrap().execute_batch("PRAGMA user_version = 99").unwrap();
        let refused = SqliteStore::open(&path, "old-desk").err().expect("a newer schema is refused");
        assert!(refused.message.contains("schema version 99"), "{}", refused.message);
    }
}
