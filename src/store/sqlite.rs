//! The SQLite store: one file, WAL mode, every write in a transaction.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use super::{AttemptOutcome, DeliveryRecord, DeliveryState, MemoryKey, NewDelivery, Store, StoreError};

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
CREATE TABLE IF NOT EXISTS deliveries (
    id           TEXT PRIMARY KEY,
    article      TEXT NOT NULL,
    version      TEXT NOT NULL,
    language     TEXT NOT NULL,
    partner      TEXT NOT NULL,
    channel      TEXT NOT NULL,
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    next_attempt INTEGER,
    copy         TEXT NOT NULL,
    recipients   TEXT NOT NULL DEFAULT '[]',
    created_at   INTEGER NOT NULL DEFAULT (unixepoch()),
    updated_at   INTEGER NOT NULL DEFAULT (unixepoch())
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_attempt);
CREATE INDEX IF NOT EXISTS deliveries_partner ON deliveries (partner, created_at);
CREATE INDEX IF NOT EXISTS deliveries_copy ON deliveries (article, language, partner, state);
CREATE TABLE IF NOT EXISTS attempts (
    delivery_id TEXT NOT NULL REFERENCES deliveries (id),
    number      INTEGER NOT NULL,
    started_at  INTEGER NOT NULL DEFAULT (unixepoch()),
    finished_at INTEGER,
    outcome     TEXT,
    status      TEXT,
    error       TEXT,
    PRIMARY KEY (delivery_id, number)
);
CREATE TABLE IF NOT EXISTS article_versions (
    article      TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    version      INTEGER NOT NULL,
    first_seen   INTEGER NOT NULL DEFAULT (unixepoch()),
    PRIMARY KEY (article, content_hash)
);
CREATE TABLE IF NOT EXISTS killed_articles (
    article TEXT PRIMARY KEY,
    at      INTEGER NOT NULL DEFAULT (unixepoch())
);
CREATE TABLE IF NOT EXISTS partner_health (
    partner       TEXT PRIMARY KEY,
    failing_since INTEGER
);
CREATE TABLE IF NOT EXISTS disabled_partners (
    partner     TEXT PRIMARY KEY,
    since       INTEGER NOT NULL DEFAULT (unixepoch()),
    reason      TEXT NOT NULL
);
";

// The queries every delivery makes, named so the test below can check each one's plan.
const INSERT_DELIVERY: &str =
    "INSERT INTO deliveries (id, article, version, language, partner, channel, state, copy, next_attempt)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8)
     ON CONFLICT (id) DO UPDATE SET next_attempt = excluded.next_attempt
     WHERE excluded.next_attempt IS NOT NULL AND state = 'pending'";
const DELIVERY_BY_ID: &str =
    "SELECT id, article, version, language, partner, state, attempts, last_error, next_attempt, channel, updated_at
     FROM deliveries WHERE id = ?1";
const START_ATTEMPT: &str =
    "UPDATE deliveries SET state = 'in-progress', attempts = attempts + 1, updated_at = unixepoch()
     WHERE id = ?1 RETURNING attempts";
const INSERT_ATTEMPT: &str = "INSERT OR REPLACE INTO attempts (delivery_id, number) VALUES (?1, ?2)";
const FINISH_ATTEMPT: &str = "UPDATE attempts SET finished_at = unixepoch(), outcome = ?3, status = ?4, error = ?5
     WHERE delivery_id = ?1 AND number = ?2";
const FINISH_DELIVERY: &str =
    "UPDATE deliveries SET state = ?2, last_error = ?3, next_attempt = ?4, updated_at = unixepoch()
     WHERE id = ?1 RETURNING partner";
const PARTNER_SUCCEEDED: &str = "INSERT INTO partner_health (partner, failing_since) VALUES (?1, NULL)
     ON CONFLICT (partner) DO UPDATE SET failing_since = NULL";
const PARTNER_FAILED: &str = "INSERT INTO partner_health (partner, failing_since) VALUES (?1, unixepoch())
     ON CONFLICT (partner) DO UPDATE SET failing_since = COALESCE(failing_since, unixepoch())";
const FAILING_SINCE: &str = "SELECT failing_since FROM partner_health WHERE partner = ?1";
const PARTNER_DISABLED: &str = "SELECT since, reason FROM disabled_partners WHERE partner = ?1";
const RECIPIENTS_DONE: &str = "SELECT recipients FROM deliveries WHERE id = ?1";
const SET_RECIPIENTS_DONE: &str = "UPDATE deliveries SET recipients = ?2 WHERE id = ?1";
const IS_KILLED: &str = "SELECT 1 FROM killed_articles WHERE article = ?1";
const NEW_ARTICLE_VERSION: &str = "INSERT INTO article_versions (article, content_hash, version)
     SELECT ?1, ?2, COALESCE(MAX(version), 0) + 1 FROM article_versions WHERE article = ?1
     ON CONFLICT (article, content_hash) DO NOTHING";
const ARTICLE_VERSION: &str = "SELECT version FROM article_versions WHERE article = ?1 AND content_hash = ?2";
const DELIVERED_VERSION: &str = "SELECT MAX(v.version) FROM deliveries d
     JOIN article_versions v ON v.article = d.article AND v.content_hash = d.version
     WHERE d.article = ?1 AND d.language = ?2 AND d.partner = ?3 AND d.state = 'delivered'";
const DUE: &str =
    "SELECT id, article, version, language, partner, state, attempts, last_error, next_attempt, channel, updated_at
     FROM deliveries WHERE state IN ('retrying', 'pending') AND next_attempt <= ?1 ORDER BY next_attempt";

#[cfg(test)]
const DELIVERY_PATH: &[&str] = &[
    INSERT_DELIVERY,
    DELIVERY_BY_ID,
    START_ATTEMPT,
    INSERT_ATTEMPT,
    FINISH_ATTEMPT,
    FINISH_DELIVERY,
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
    DUE,
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
        state: DeliveryState::parse(&state).unwrap_or(DeliveryState::Pending),
        attempts: row.get(6)?,
        last_error: row.get(7)?,
        next_attempt: next.and_then(rfc3339),
        channel: row.get(9)?,
        updated_at: row.get(10)?,
    })
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

fn rfc3339(unix: i64) -> Option<String> {
    time::OffsetDateTime::from_unix_timestamp(unix).ok()?.format(&time::format_description::well_known::Rfc3339).ok()
}

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

    fn delivery(&self, id: &str) -> Result<Option<DeliveryRecord>, StoreError> {
        let connection = self.connection.lock().expect("store lock");
        connection
            .prepare_cached(DELIVERY_BY_ID)
            .and_then(|mut statement| statement.query_row([id], record))
            .optional()
            .map_err(|e| self.error(e))
    }

    fn start_attempt(&self, delivery: &NewDelivery) -> Result<u32, StoreError> {
        let mut connection = self.connection.lock().expect("store lock");
        let transaction = connection.transaction().map_err(|e| self.error(e))?;
        record_delivery(&transaction, delivery, None).map_err(|e| self.error(e))?;
        let attempt: u32 = transaction
            .prepare_cached(START_ATTEMPT)
            .and_then(|mut statement| statement.query_row([delivery.id], |row| row.get(0)))
            .map_err(|e| self.error(e))?;
        transaction
            .prepare_cached(INSERT_ATTEMPT)
            .and_then(|mut statement| statement.execute(params![delivery.id, attempt]))
            .map_err(|e| self.error(e))?;
        transaction.commit().map_err(|e| self.error(e))?;
        Ok(attempt)
    }

    fn finish_attempt(&self, id: &str, attempt: u32, outcome: &AttemptOutcome) -> Result<(), StoreError> {
        let mut connection = self.connection.lock().expect("store lock");
        let transaction = connection.transaction().map_err(|e| self.error(e))?;
        let state = outcome.state.as_str();
        transaction
            .prepare_cached(FINISH_ATTEMPT)
            .and_then(|mut statement| statement.execute(params![id, attempt, state, outcome.status, outcome.error]))
            .map_err(|e| self.error(e))?;
        let partner: String = transaction
            .prepare_cached(FINISH_DELIVERY)
            .and_then(|mut statement| {
                statement.query_row(params![id, state, outcome.error, outcome.next_attempt], |row| row.get(0))
            })
            .map_err(|e| self.error(e))?;
        // A success ends a partner's failing streak; the first failure after one starts it.
        let streak = if outcome.state == DeliveryState::Delivered { PARTNER_SUCCEEDED } else { PARTNER_FAILED };
        transaction.execute(streak, [partner]).map_err(|e| self.error(e))?;
        transaction.commit().map_err(|e| self.error(e))
    }

    fn deliveries(
        &self,
        partner: Option<&str>,
        state: Option<DeliveryState>,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let connection = self.connection.lock().expect("store lock");
        let mut statement = connection
            .prepare(&format!(
                "SELECT {RECORD_COLUMNS} FROM deliveries
                 WHERE (?1 IS NULL OR partner = ?1) AND (?2 IS NULL OR state = ?2)
                 ORDER BY created_at DESC, id"
            ))
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map(params![partner, state.map(DeliveryState::as_str)], record)
            .map_err(|e| self.error(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.error(e))
    }

    fn schedule(&self, delivery: &NewDelivery, at: i64) -> Result<(), StoreError> {
        let connection = self.connection.lock().expect("store lock");
        record_delivery(&connection, delivery, Some(at)).map_err(|e| self.error(e))
    }

    fn due(&self, now: i64) -> Result<Vec<DeliveryRecord>, StoreError> {
        let connection = self.connection.lock().expect("store lock");
        let mut statement = connection.prepare(DUE).map_err(|e| self.error(e))?;
        let rows = statement.query_map([now], record).map_err(|e| self.error(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.error(e))
    }

    fn copy_of(&self, id: &str) -> Result<Option<String>, StoreError> {
        let connection = self.connection.lock().expect("store lock");
        connection
            .query_row("SELECT copy FROM deliveries WHERE id = ?1", [id], |row| row.get(0))
            .optional()
            .map_err(|e| self.error(e))
    }

    fn partner_disabled(&self, partner: &str) -> Result<Option<(i64, String)>, StoreError> {
        let connection = self.connection.lock().expect("store lock");
        connection
            .prepare_cached(PARTNER_DISABLED)
            .and_then(|mut statement| statement.query_row([partner], |row| Ok((row.get(0)?, row.get(1)?))))
            .optional()
            .map_err(|e| self.error(e))
    }

    fn disable_partner(&self, partner: &str, reason: &str) -> Result<(), StoreError> {
        let connection = self.connection.lock().expect("store lock");
        connection
            .execute(
                "INSERT INTO disabled_partners (partner, reason) VALUES (?1, ?2) ON CONFLICT (partner) DO NOTHING",
                params![partner, reason],
            )
            .map(|_| ())
            .map_err(|e| self.error(e))
    }

    fn failing_since(&self, partner: &str) -> Result<Option<i64>, StoreError> {
        let connection = self.connection.lock().expect("store lock");
        connection
            .prepare_cached(FAILING_SINCE)
            .and_then(|mut statement| statement.query_row([partner], |row| row.get(0)))
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.error(e))
    }

    fn article_version(&self, article: &str, content_hash: &str) -> Result<u32, StoreError> {
        let mut connection = self.connection.lock().expect("store lock");
        let transaction = connection.transaction().map_err(|e| self.error(e))?;
        transaction
            .prepare_cached(NEW_ARTICLE_VERSION)
            .and_then(|mut statement| statement.execute(params![article, content_hash]))
            .map_err(|e| self.error(e))?;
        let version = transaction
            .prepare_cached(ARTICLE_VERSION)
            .and_then(|mut statement| statement.query_row(params![article, content_hash], |row| row.get(0)))
            .map_err(|e| self.error(e))?;
        transaction.commit().map_err(|e| self.error(e))?;
        Ok(version)
    }

    fn delivered_version(&self, article: &str, language: &str, partner: &str) -> Result<Option<u32>, StoreError> {
        let connection = self.connection.lock().expect("store lock");
        connection
            .prepare_cached(DELIVERED_VERSION)
            .and_then(|mut statement| statement.query_row(params![article, language, partner], |row| row.get(0)))
            .map_err(|e| self.error(e))
    }

    fn recipients_done(&self, id: &str) -> Result<Vec<String>, StoreError> {
        let connection = self.connection.lock().expect("store lock");
        let json: Option<String> = connection
            .prepare_cached(RECIPIENTS_DONE)
            .and_then(|mut statement| statement.query_row([id], |row| row.get(0)))
            .optional()
            .map_err(|e| self.error(e))?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()).unwrap_or_default())
    }

    fn add_recipients_done(&self, id: &str, recipients: &[String]) -> Result<(), StoreError> {
        if recipients.is_empty() {
            return Ok(());
        }
        let mut all = self.recipients_done(id)?;
        for r in recipients {
            if !all.contains(r) {
                all.push(r.clone());
            }
        }
        let connection = self.connection.lock().expect("store lock");
        connection
            .prepare_cached(SET_RECIPIENTS_DONE)
            .and_then(|mut statement| {
                statement.execute(params![id, serde_json::to_string(&all).expect("strings serialise")])
            })
            .map(|_| ())
            .map_err(|e| self.error(e))
    }

    fn kill_article(&self, article: &str) -> Result<(), StoreError> {
        let connection = self.connection.lock().expect("store lock");
        connection
            .execute("INSERT INTO killed_articles (article) VALUES (?1) ON CONFLICT DO NOTHING", [article])
            .map(|_| ())
            .map_err(|e| self.error(e))
    }

    fn is_killed(&self, article: &str) -> Result<bool, StoreError> {
        let connection = self.connection.lock().expect("store lock");
        connection
            .prepare_cached(IS_KILLED)
            .and_then(|mut statement| statement.query_row([article], |_| Ok(())))
            .optional()
            .map(|found| found.is_some())
            .map_err(|e| self.error(e))
    }

    fn enable_partner(&self, partner: &str) -> Result<bool, StoreError> {
        let connection = self.connection.lock().expect("store lock");
        // Failures before the partner was enabled again no longer count towards disabling it.
        connection
            .execute("UPDATE partner_health SET failing_since = NULL WHERE partner = ?1", [partner])
            .map_err(|e| self.error(e))?;
        connection
            .execute("DELETE FROM disabled_partners WHERE partner = ?1", [partner])
            .map(|n| n > 0)
            .map_err(|e| self.error(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A delivery of article "a" in Spanish to partner "p".
    fn delivery(id: &str) -> NewDelivery<'_> {
        NewDelivery {
            id,
            article: "a",
            content_hash: "v",
            language: "es",
            partner: "p",
            channel: "webhook",
            copy: "{}",
        }
    }

    #[test]
    fn a_delivery_goes_through_its_states_with_every_attempt_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.sqlite")).unwrap();
        let new = delivery("msg_1");
        assert_eq!(store.start_attempt(&new).unwrap(), 1);
        assert_eq!(store.delivery("msg_1").unwrap().unwrap().state, DeliveryState::InProgress);
        let retry = AttemptOutcome {
            state: DeliveryState::Retrying,
            status: Some("503".into()),
            error: Some("down".into()),
            next_attempt: Some(10),
        };
        store.finish_attempt("msg_1", 1, &retry).unwrap();
        assert_eq!(store.due(9).unwrap().len(), 0);
        assert_eq!(store.due(10).unwrap()[0].id, "msg_1");
        assert_eq!(store.start_attempt(&new).unwrap(), 2);
        let done = AttemptOutcome {
            state: DeliveryState::Delivered,
            status: Some("204".into()),
            error: None,
            next_attempt: None,
        };
        store.finish_attempt("msg_1", 2, &done).unwrap();
        let record = store.delivery("msg_1").unwrap().unwrap();
        assert_eq!((record.state, record.attempts), (DeliveryState::Delivered, 2));
        assert_eq!(store.deliveries(Some("p"), Some(DeliveryState::Delivered)).unwrap().len(), 1);
        assert_eq!(store.copy_of("msg_1").unwrap().as_deref(), Some("{}"));
        store.disable_partner("p", "410 Gone").unwrap();
        assert_eq!(store.partner_disabled("p").unwrap().unwrap().1, "410 Gone");
        assert!(store.enable_partner("p").unwrap());
        assert_eq!(store.article_version("a", "h1").unwrap(), 1);
        assert_eq!(store.article_version("a", "h2").unwrap(), 2);
        assert_eq!(store.article_version("a", "h1").unwrap(), 1);
        assert_eq!(store.delivered_version("a", "es", "p").unwrap(), None);
        assert!(store.partner_disabled("p").unwrap().is_none());
    }

    #[test]
    fn a_partner_fails_from_its_first_failure_after_a_success_until_it_is_enabled() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.sqlite")).unwrap();
        let new = delivery;
        let outcome = |state| AttemptOutcome { state, status: None, error: None, next_attempt: None };
        assert_eq!(store.failing_since("p").unwrap(), None);
        store.start_attempt(&new("m1")).unwrap();
        store.finish_attempt("m1", 1, &outcome(DeliveryState::Retrying)).unwrap();
        let since = store.failing_since("p").unwrap().expect("failing");
        store.start_attempt(&new("m2")).unwrap();
        store.finish_attempt("m2", 1, &outcome(DeliveryState::Failed)).unwrap();
        assert_eq!(store.failing_since("p").unwrap(), Some(since), "the streak started at the first failure");
        store.start_attempt(&new("m1")).unwrap();
        store.finish_attempt("m1", 2, &outcome(DeliveryState::Delivered)).unwrap();
        assert_eq!(store.failing_since("p").unwrap(), None);
        store.start_attempt(&new("m3")).unwrap();
        store.finish_attempt("m3", 1, &outcome(DeliveryState::Failed)).unwrap();
        assert!(store.failing_since("p").unwrap().is_some());
        store.enable_partner("p").unwrap();
        assert_eq!(store.failing_since("p").unwrap(), None);
    }

    /// Every query a delivery makes, with the plan SQLite picks for it: none may scan the
    /// deliveries or attempts tables, or a desk's history would slow every copy down.
    #[test]
    fn the_delivery_path_never_scans_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.sqlite")).unwrap();
        let connection = store.connection.lock().unwrap();
        for sql in DELIVERY_PATH {
            let mut plan = connection.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let nulls = vec![rusqlite::types::Null; plan.parameter_count()];
            let steps: Vec<String> = plan
                .query_map(rusqlite::params_from_iter(nulls), |row| row.get::<_, String>(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            // No full scan (of a table, an alias of one, or a whole index), and no search by
            // partner alone: a partner's deliveries grow with the desk's history.
            let slow = |step: &String| step.starts_with("SCAN") || step.contains("deliveries_partner");
            assert!(!steps.iter().any(slow), "{sql}\n{steps:#?}");
        }
    }

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
