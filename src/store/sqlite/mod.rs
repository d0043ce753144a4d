//! The SQLite store: one file on one machine, WAL mode, every write in an immediate transaction,
//! so runs that overlap on the file take turns instead of failing. The file's clock is the machine's.
//!
//! A statement takes microseconds and runs on the task that asked for it; what can take longer
//! never holds a tokio worker: waiting for another process's write is an async pause between tries
//! (the connection's busy timeout is zero), and the write-ahead log is checkpointed, with its disk
//! flushes, by a thread of its own. Handing every statement to a thread instead cost a fifth of the
//! load bench's copies per second.

mod articles;
mod callbacks;
mod deliveries;
mod memory;
mod pages;
mod partners;
mod reviews;
mod runs;
mod sessions;
mod spending;
mod transfer;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, TransactionBehavior};
use sha2::{Digest, Sha256};

use super::migrations::{too_new, Table, ADOPT, SQLITE as MIGRATIONS};
use super::{DeliveryRecord, DeliveryState, StoreError};
use crate::error::ErrorKind;

const REMEMBER: &str = "INSERT INTO translation_memory (backend, source_lang, target_lang, source_hash, source, target)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
     ON CONFLICT DO UPDATE SET source = excluded.source, target = excluded.target";

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

/// A column that holds what this binary cannot read.
fn unknown(column: usize, err: super::UnknownState) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(err))
}

/// How long a statement keeps trying while another process writes to the file.
const BUSY_FOR: Duration = Duration::from_secs(10);
/// Commits between checkpoints of the write-ahead log.
const CHECKPOINT_EVERY: u32 = 500;

pub struct SqliteStore {
    path: PathBuf,
    connection: Mutex<Connection>,
    commits: AtomicU32,
    /// Wakes the checkpointer.
    checkpoint: SyncSender<()>,
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
                connection
                    .execute_batch("PRAGMA busy_timeout = 0; PRAGMA wal_autocheckpoint = 0;")
                    .map_err(|err| err.to_string())?;
                Ok(connection)
            });
            match opened {
                Ok(connection) => {
                    let checkpoint = checkpointer(path).map_err(|err| fail(format!("cannot start a thread: {err}")))?;
                    return Ok(SqliteStore {
                        path: path.to_path_buf(),
                        connection: Mutex::new(connection),
                        commits: AtomicU32::new(0),
                        checkpoint,
                    });
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
        StoreError {
            location: self.path.display().to_string(),
            message: err.to_string(),
            kind: if is_busy(&err) { ErrorKind::Transient } else { ErrorKind::Permanent },
        }
    }

    /// Runs `work` in one immediate transaction, once the file takes a writer.
    async fn write<T>(
        &self,
        work: impl FnOnce(&rusqlite::Transaction) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let mut waits = Waits::new();
        loop {
            {
                let mut connection = self.connection.lock().expect("store lock");
                let begun = connection.transaction_with_behavior(TransactionBehavior::Immediate);
                match begun {
                    Ok(transaction) => {
                        let value = work(&transaction).map_err(|e| self.error(e))?;
                        transaction.commit().map_err(|e| self.error(e))?;
                        if self.commits.fetch_add(1, Ordering::Relaxed) % CHECKPOINT_EVERY == CHECKPOINT_EVERY - 1 {
                            let _ = self.checkpoint.try_send(());
                        }
                        return Ok(value);
                    }
                    Err(err) if is_busy(&err) && waits.left() => {}
                    Err(err) => return Err(self.error(err)),
                }
            }
            waits.pause().await;
        }
    }

    /// A table `state migrate` copies, or an error naming it.
    fn known(&self, table: &str) -> Result<&'static Table, StoreError> {
        super::migrations::table(table).ok_or_else(|| StoreError {
            location: self.path.display().to_string(),
            message: format!("no table {table} to copy"),
            kind: ErrorKind::Permanent,
        })
    }

    /// Runs `work`, again while the file is busy (a reader seldom is: WAL recovery, a new schema).
    async fn read<T>(&self, mut work: impl FnMut(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let mut waits = Waits::new();
        loop {
            match work(&self.connection.lock().expect("store lock")) {
                Err(err) if is_busy(&err) && waits.left() => {}
                done => return done.map_err(|e| self.error(e)),
            }
            waits.pause().await;
        }
    }
}

fn is_busy(err: &rusqlite::Error) -> bool {
    matches!(err.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
}

/// Pauses between tries while the file is busy: short at first, at most `BUSY_FOR` in all.
struct Waits {
    until: Instant,
    next: Duration,
}

impl Waits {
    fn new() -> Self {
        Waits { until: Instant::now() + BUSY_FOR, next: Duration::from_millis(1) }
    }

    fn left(&self) -> bool {
        Instant::now() < self.until
    }

    async fn pause(&mut self) {
        tokio::time::sleep(self.next).await;
        self.next = (self.next * 2).min(Duration::from_millis(50));
    }
}

/// A thread that checkpoints the file's write-ahead log when woken, on a connection of its own;
/// it ends with the store. The checkpoint holds writers off while it copies the log into the file
/// (they pause, they do not block), so that the next commit starts the log again from its
/// beginning: a checkpoint racing the writers would never catch up with them.
fn checkpointer(path: &Path) -> std::io::Result<SyncSender<()>> {
    let (wake, woken) = sync_channel::<()>(1);
    let path = path.to_path_buf();
    std::thread::Builder::new().name("sqlite-checkpoint".into()).spawn(move || {
        let Ok(connection) = Connection::open(&path) else { return };
        if connection.busy_timeout(BUSY_FOR).is_err() {
            return;
        }
        while woken.recv().is_ok() {
            if let Err(err) = connection.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(())) {
                tracing::debug!(error = %err, "checkpoint put off");
            }
        }
    })?;
    Ok(wake)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::DeliveryLog;

    /// The queries every delivery makes.
    const DELIVERY_PATH: &[&str] = &[
        deliveries::INSERT_DELIVERY,
        deliveries::DELIVERY_BY_ID,
        deliveries::CLAIM,
        deliveries::STATE_OF,
        deliveries::CLAIM_DUE,
        deliveries::INSERT_ATTEMPT,
        deliveries::FINISH_ATTEMPT,
        deliveries::FINISH_DELIVERY,
        deliveries::RELEASE,
        deliveries::RENEW,
        deliveries::PARTNER_SUCCEEDED,
        deliveries::PARTNER_FAILED,
        partners::FAILING_SINCE,
        partners::PARTNER_DISABLED,
        deliveries::RECIPIENTS_DONE,
        deliveries::SET_RECIPIENTS_DONE,
        articles::IS_KILLED,
        articles::NEW_ARTICLE_VERSION,
        articles::ARTICLE_VERSION,
        deliveries::DELIVERED_VERSION,
        pages::CLAIM_PAGE,
        pages::PAGE_DONE_AT,
        pages::CLAIM_ABANDONED_PAGES,
        pages::RENEW_PAGE,
        pages::DONE_PAGE,
    ];

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

    /// On a runtime of one thread, a write waiting for another process's transaction must leave
    /// the thread free: the other transaction's end is itself a task on that thread.
    #[test]
    fn a_write_waits_for_another_writer_without_holding_the_thread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let store = SqliteStore::open(&path, "desk").unwrap();
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        let (written, ()) = runtime.block_on(async {
            tokio::join!(crate::store::Articles::kill_article(&store, "a"), async {
                tokio::time::sleep(Duration::from_millis(200)).await;
                other.execute_batch("COMMIT").unwrap();
            })
        });
        written.expect("written once the other transaction ended");
        assert!(runtime.block_on(crate::store::Articles::is_killed(&store, "a")).unwrap());
    }

    /// The log is checkpointed off the tasks' threads, so it does not grow with every commit.
    #[test]
    fn the_write_ahead_log_is_checkpointed_as_commits_pile_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let store = SqliteStore::open(&path, "desk").unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        let log = dir.path().join("s.sqlite-wal");
        let size = || std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
        let kill = |n: u32| runtime.block_on(crate::store::Articles::kill_article(&store, &format!("article-{n}")));
        for n in 0..100 {
            kill(n).unwrap();
        }
        // What a hundred commits add to a log nobody checkpoints yet.
        let per_commit = size() / 100;
        let mut largest = 0;
        for n in 100..10 * CHECKPOINT_EVERY {
            kill(n).unwrap();
            if n % 50 == 0 {
                // The checkpointer runs on its own thread: let it.
                std::thread::sleep(Duration::from_millis(5));
            }
            largest = largest.max(size());
        }
        let unchecked = u64::from(10 * CHECKPOINT_EVERY) * per_commit;
        assert!(largest < unchecked / 3, "the log grew to {largest} bytes ({per_commit} per commit)");
    }
}
