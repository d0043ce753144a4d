//! The PostgreSQL store: one database that workers on several machines share. Every operation is
//! one statement or one short transaction on a pooled connection, never held across a network
//! call of newswire's own; times come from the server's clock. Claims use `FOR UPDATE SKIP
//! LOCKED`, so workers never wait for each other's rows. A lost connection (a restarted server)
//! is retried with backoff before the error reaches the caller.

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

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use sha2::{Digest, Sha256};
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::error::SqlState;
use tokio_postgres::Row;

use super::location::without_password;
use super::migrations::{too_new, Table, ADOPT, POSTGRES as MIGRATIONS};
use super::{DeliveryRecord, DeliveryState, StoreError};
use crate::error::ErrorKind;

/// Connections per process: enough for every stage's store calls at once.
const POOL_SIZE: usize = 16;
/// How long an operation keeps trying through a lost connection (a server restart takes seconds).
const RETRY_FOR: Duration = Duration::from_secs(30);
/// How long opening the store keeps trying: a server restarting, not one that is not there.
const OPEN_RETRY_FOR: Duration = Duration::from_secs(5);
/// The server cancels a statement after this long (a URL's `options` may say otherwise), and ends
/// a session left idle in a transaction (by a future dropped halfway) after twice as long.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one try of an operation may take before its connection is given up on: a server
/// that stopped answering must not keep the caller, or the pool, forever.
const ATTEMPT_LIMIT: Duration = Duration::from_secs(45);
/// Serialises schema steps between workers starting at once.
const MIGRATION_LOCK: i64 = 0x6e65_7773_7769_7265; // "newswire"

const REMEMBER: &str = "INSERT INTO translation_memory (backend, source_lang, target_lang, source_hash, source, target)
     SELECT $1, $2, $3, h, s, t FROM unnest($4::bytea[], $5::text[], $6::text[]) AS pair (h, s, t)
     ON CONFLICT (backend, source_lang, target_lang, source_hash)
     DO UPDATE SET source = EXCLUDED.source, target = EXCLUDED.target";
const RECORD_COLUMNS: &str =
    "id, article, version, language, partner, state, attempts, last_error, next_attempt, channel, updated_at";

/// The connection pool, and what every operation does with it.
pub struct Db {
    pool: Pool,
    /// The URL without its password, for messages.
    shown: String,
}

pub struct PostgresStore {
    db: Arc<Db>,
    /// First claims and outcomes, each written many at once.
    batches: deliveries::Batches,
}

impl std::ops::Deref for PostgresStore {
    type Target = Db;

    fn deref(&self) -> &Db {
        &self.db
    }
}

impl PostgresStore {
    /// Opens the database as `desk` sees it: its own rows only.
    pub async fn open(url: &str, desk: &str) -> Result<Self, StoreError> {
        let shown = without_password(url);
        let fail = |message: String| StoreError { location: shown.clone(), message, kind: ErrorKind::Permanent };
        let mut config = connection_config(url).map_err(fail)?;
        session_settings(&mut config, desk);
        let shown = describe(&config);
        let fail = |message: String| StoreError { location: shown.clone(), message, kind: ErrorKind::Permanent };
        let manager = Manager::from_config(
            config,
            tokio_postgres_rustls::MakeRustlsConnect::new(tls_config()),
            ManagerConfig { recycling_method: RecyclingMethod::Fast },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .create_timeout(Some(Duration::from_secs(15)))
            .wait_timeout(Some(Duration::from_secs(60)))
            .build()
            .map_err(|err| fail(err.to_string()))?;
        let db = Arc::new(Db { pool, shown: shown.clone() });
        db.retrying_for(OPEN_RETRY_FOR, None, || db.migrate())
            .await
            .map_err(|err| StoreError { kind: ErrorKind::Permanent, ..err })?;
        if !desk.is_empty() {
            db.retrying(|| async {
                let client = db.client().await?;
                client.batch_execute(ADOPT).await.map_err(|e| db.error(e))
            })
            .await?;
        }
        let batches = deliveries::Batches::start(db.clone());
        Ok(PostgresStore { db, batches })
    }
}

impl Db {
    fn error(&self, err: impl Into<Failure>) -> StoreError {
        let Failure { message, kind } = err.into();
        StoreError { location: self.shown.clone(), message, kind }
    }

    async fn client(&self) -> Result<deadpool_postgres::Client, StoreError> {
        self.pool.get().await.map_err(|err| self.error(err))
    }

    /// Runs `work` until it succeeds, fails for good, or the server stayed away for `RETRY_FOR`.
    async fn retrying<T, F, Fut>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, StoreError>>,
    {
        self.retrying_for(RETRY_FOR, Some(ATTEMPT_LIMIT), work).await
    }

    async fn retrying_for<T, F, Fut>(
        &self,
        total: Duration,
        limit: Option<Duration>,
        mut work: F,
    ) -> Result<T, StoreError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, StoreError>>,
    {
        let attempt = || {
            let tried = work();
            async move {
                let Some(limit) = limit else { return tried.await };
                tokio::time::timeout(limit, tried).await.unwrap_or_else(|_| {
                    Err(self.error(Failure {
                        message: format!("no answer from the server in {} s", limit.as_secs()),
                        kind: ErrorKind::Transient,
                    }))
                })
            }
        };
        let backoff = ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(100))
            .with_max_delay(Duration::from_secs(2))
            .with_total_delay(Some(total))
            .without_max_times()
            .with_jitter();
        attempt
            .retry(backoff)
            .when(|err: &StoreError| err.kind.is_transient())
            .notify(|err, wait| tracing::warn!(error = %err, ?wait, "state store unavailable, retrying"))
            .await
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(|e| self.error(e))?;
        // A schema step may take long on a large log; nothing else runs in this transaction.
        transaction.batch_execute("SET LOCAL statement_timeout = 0").await.map_err(|e| self.error(e))?;
        transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(|e| self.error(e))?;
        transaction
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS newswire_schema (version integer NOT NULL);
                 INSERT INTO newswire_schema SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM newswire_schema);
                 CREATE OR REPLACE FUNCTION unix_now() RETURNS bigint
                     LANGUAGE sql STABLE AS 'SELECT extract(epoch FROM now())::bigint';
                 CREATE OR REPLACE FUNCTION newswire_desk() RETURNS text
                     LANGUAGE sql STABLE AS $f$ SELECT coalesce(current_setting('newswire.desk', true), '') $f$;",
            )
            .await
            .map_err(|e| self.error(e))?;
        let found: i32 =
            transaction.query_one("SELECT version FROM newswire_schema", &[]).await.map_err(|e| self.error(e))?.get(0);
        if let Some(refusal) = too_new(found.into(), MIGRATIONS.len()) {
            return Err(self.error(Failure { message: refusal, kind: ErrorKind::Permanent }));
        }
        for (step, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            transaction.batch_execute(sql).await.map_err(|e| {
                let Failure { message, kind } = e.into();
                self.error(Failure { message: format!("schema step {}: {message}", step + 1), kind })
            })?;
        }
        transaction
            .execute("UPDATE newswire_schema SET version = $1", &[&(MIGRATIONS.len() as i32)])
            .await
            .map_err(|e| self.error(e))?;
        transaction.commit().await.map_err(|e| self.error(e))
    }

    /// A table `state migrate` copies, or an error naming it.
    fn known(&self, table: &str) -> Result<&'static Table, StoreError> {
        super::migrations::table(table).ok_or_else(|| {
            self.error(Failure { message: format!("no table {table} to copy"), kind: ErrorKind::Permanent })
        })
    }

    async fn query(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<Row>, StoreError> {
        let client = self.client().await?;
        let statement = client.prepare_cached(sql).await.map_err(|e| self.error(e))?;
        client.query(&statement, params).await.map_err(|e| self.error(e))
    }
}

/// What went wrong, and whether trying again may help.
struct Failure {
    message: String,
    kind: ErrorKind,
}

impl From<super::UnknownState> for Failure {
    fn from(err: super::UnknownState) -> Self {
        Failure { message: err.to_string(), kind: ErrorKind::Permanent }
    }
}

impl From<tokio_postgres::Error> for Failure {
    fn from(err: tokio_postgres::Error) -> Self {
        let transient = match err.code() {
            Some(code) => {
                code.code().starts_with("08")
                    || [
                        SqlState::T_R_SERIALIZATION_FAILURE,
                        SqlState::T_R_DEADLOCK_DETECTED,
                        SqlState::ADMIN_SHUTDOWN,
                        SqlState::CRASH_SHUTDOWN,
                        SqlState::CANNOT_CONNECT_NOW,
                        SqlState::TOO_MANY_CONNECTIONS,
                    ]
                    .contains(code)
            }
            // No SQLSTATE: the connection broke or could not be made (an I/O error), or newswire
            // sent something the server cannot take (not worth another try).
            None => {
                err.is_closed() || std::error::Error::source(&err).is_some_and(|source| source.is::<std::io::Error>())
            }
        };
        let message = match (err.as_db_error(), std::error::Error::source(&err)) {
            (Some(db), _) => db.message().to_string(),
            (None, Some(source)) => format!("{err}: {source}"),
            (None, None) => err.to_string(),
        };
        Failure { message, kind: if transient { ErrorKind::Transient } else { ErrorKind::Permanent } }
    }
}

impl From<deadpool_postgres::PoolError> for Failure {
    fn from(err: deadpool_postgres::PoolError) -> Self {
        match err {
            deadpool_postgres::PoolError::Backend(err) => err.into(),
            other => Failure { message: other.to_string(), kind: ErrorKind::Transient },
        }
    }
}

/// (source, target) pairs as [`REMEMBER`]'s columns, one row per source (an upsert may not touch
/// a row twice).
fn memory_columns(pairs: &[(String, String)]) -> (Vec<Vec<u8>>, Vec<&str>, Vec<&str>) {
    let mut unique: HashMap<Vec<u8>, (&str, &str)> = HashMap::new();
    for (source, target) in pairs {
        unique.insert(hash(source), (source, target));
    }
    let (mut hashes, mut sources, mut targets) = (Vec::new(), Vec::new(), Vec::new());
    for (hash, (source, target)) in unique {
        hashes.push(hash);
        sources.push(source);
        targets.push(target);
    }
    (hashes, sources, targets)
}

/// Every connection tells the server which desk it works for (`newswire_desk()` in the
/// statements, after the URL's options so that they cannot name another), and how long a
/// statement or an idle transaction may last (before them, so that a URL may say otherwise). A
/// peer that went away unannounced is noticed by TCP keepalives within a minute.
fn session_settings(config: &mut tokio_postgres::Config, desk: &str) {
    config
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(15))
        .keepalives_interval(Duration::from_secs(5))
        .keepalives_retries(3);
    let escaped: String = desk
        .chars()
        .flat_map(|c| match c {
            '\\' => vec!['\\', '\\'],
            c if c.is_whitespace() => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let given = config.get_options().map(|o| format!("{o} ")).unwrap_or_default();
    let (statement, idle) = (STATEMENT_TIMEOUT.as_millis(), 2 * STATEMENT_TIMEOUT.as_millis());
    config.options(format!(
        "-c statement_timeout={statement} -c idle_in_transaction_session_timeout={idle} {given}-c newswire.desk={escaped}"
    ));
}

/// The connection settings: the URL's, then libpq's environment (`PGHOST`, `PGPORT`, `PGUSER`,
/// `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`, `PGCONNECT_TIMEOUT`, `PGAPPNAME`) for what it leaves out.
fn connection_config(url: &str) -> Result<tokio_postgres::Config, String> {
    let mut config =
        tokio_postgres::Config::from_str(url).map_err(|err| format!("not a valid PostgreSQL URL: {err}"))?;
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if config.get_hosts().is_empty() {
        for host in env("PGHOST").as_deref().unwrap_or(default_host()).split(',') {
            if host.starts_with('/') {
                config.host_path(host);
            } else {
                config.host(host);
            }
        }
    }
    if config.get_ports().is_empty() {
        if let Some(port) = env("PGPORT") {
            config.port(port.parse().map_err(|_| format!("PGPORT {port:?} is not a port"))?);
        }
    }
    if config.get_user().is_none() {
        if let Some(user) = env("PGUSER").or_else(|| env("USER")) {
            config.user(user);
        }
    }
    if config.get_password().is_none() {
        if let Some(password) = env("PGPASSWORD") {
            config.password(password);
        }
    }
    if config.get_dbname().is_none() {
        if let Some(dbname) = env("PGDATABASE") {
            config.dbname(dbname);
        }
    }
    if !url.contains("sslmode=") {
        match env("PGSSLMODE").as_deref() {
            None => {}
            Some("disable") => {
                config.ssl_mode(SslMode::Disable);
            }
            Some("allow" | "prefer") => {
                config.ssl_mode(SslMode::Prefer);
            }
            Some("require") => {
                config.ssl_mode(SslMode::Require);
            }
            Some(other) => return Err(format!("PGSSLMODE {other:?} is not supported (disable, prefer, require)")),
        }
    }
    if config.get_connect_timeout().is_none() {
        let seconds = env("PGCONNECT_TIMEOUT").and_then(|s| s.parse().ok()).unwrap_or(10);
        config.connect_timeout(Duration::from_secs(seconds));
    }
    if config.get_application_name().is_none() {
        config.application_name(env("PGAPPNAME").unwrap_or_else(|| "newswire".into()));
    }
    Ok(config)
}

fn default_host() -> &'static str {
    if std::path::Path::new("/var/run/postgresql").exists() {
        "/var/run/postgresql"
    } else {
        "localhost"
    }
}

/// `postgres://user@host:port/db`, as the settings say, without the password.
fn describe(config: &tokio_postgres::Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let host = match host {
                Host::Tcp(name) => name.clone(),
                Host::Unix(path) => path.display().to_string(),
            };
            match config.get_ports().get(i).or(config.get_ports().first()) {
                Some(port) => format!("{host}:{port}"),
                None => host,
            }
        })
        .collect();
    let user = config.get_user().map(|u| format!("{u}@")).unwrap_or_default();
    format!("postgres://{user}{}/{}", hosts.join(","), config.get_dbname().unwrap_or(""))
}

fn tls_config() -> rustls::ClientConfig {
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}

fn hash(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes()).to_vec()
}

fn seconds(duration: Duration) -> i64 {
    duration.as_secs_f64().ceil() as i64
}

fn recipients(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

fn record(row: &Row) -> Result<DeliveryRecord, Failure> {
    let state: String = row.get(5);
    let attempts: i32 = row.get(6);
    let next: Option<i64> = row.get(8);
    Ok(DeliveryRecord {
        id: row.get(0),
        article: row.get(1),
        content_hash: row.get(2),
        language: row.get(3),
        partner: row.get(4),
        state: DeliveryState::read(&state)?,
        attempts: attempts as u32,
        last_error: row.get(7),
        next_attempt: next.and_then(super::deliveries::rfc3339),
        channel: row.get(9),
        updated_at: row.get(10),
    })
}
