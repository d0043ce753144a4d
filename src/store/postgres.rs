//! The PostgreSQL store: one database that workers on several machines share. Every operation is
//! one statement or one short transaction on a pooled connection, never held across a network
//! call of newswire's own; times come from the server's clock. Claims use `FOR UPDATE SKIP
//! LOCKED`, so workers never wait for each other's rows. A lost connection (a restarted server)
//! is retried with backoff before the error reaches the caller.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use super::location::without_password;
use super::migrations::{too_new, Kind, Table, ADOPT, POSTGRES as MIGRATIONS};
use super::transfer::Cell;
use super::{
    AttemptOutcome, AttemptRecord, CallbackClaim, Claim, DeliveryRecord, DeliveryState, DueDelivery, Lease, MemoryKey,
    NewDelivery, NewReview, PageClaim, PageLease, Release, ReviewRecord, ReviewState, RunRecord, SessionRecord, Store,
    StoreError,
};
use crate::error::ErrorKind;

/// Connections per process: enough for every stage's store calls at once.
const POOL_SIZE: usize = 16;
/// How long an operation keeps trying through a lost connection (a server restart takes seconds).
const RETRY_FOR: Duration = Duration::from_secs(30);
/// How long opening the store keeps trying: a server restarting, not one that is not there.
const OPEN_RETRY_FOR: Duration = Duration::from_secs(5);
/// Serialises schema steps between workers starting at once.
const MIGRATION_LOCK: i64 = 0x6e65_7773_7769_7265; // "newswire"

const CLAIM: &str = "WITH claimed AS (
        INSERT INTO deliveries (desk, id, article, version, language, partner, channel, state, copy, attempts, fence,
                                next_attempt)
        VALUES (newswire_desk(), $1, $2, $3, $4, $5, $6, 'in-progress', $7, 1, 1, unix_now() + $9)
        ON CONFLICT (desk, id) DO UPDATE SET state = 'in-progress', attempts = deliveries.attempts + 1,
            fence = deliveries.fence + 1, next_attempt = unix_now() + $9, updated_at = unix_now()
        WHERE ($8 OR deliveries.state <> 'delivered') AND deliveries.state <> 'in-review'
          AND NOT (deliveries.state = 'in-progress' AND deliveries.next_attempt > unix_now())
        RETURNING id, attempts, fence, recipients),
     logged AS (
        INSERT INTO attempts (desk, delivery_id, number) SELECT newswire_desk(), id, attempts FROM claimed
        ON CONFLICT (desk, delivery_id, number) DO UPDATE SET started_at = unix_now(), finished_at = NULL,
            outcome = NULL, status = NULL, error = NULL)
     SELECT attempts, fence, recipients FROM claimed";
const CLAIM_DUE: &str = "WITH due AS (
        SELECT id FROM deliveries
        WHERE desk = newswire_desk() AND state IN ('pending', 'retrying', 'in-progress')
          AND next_attempt <= unix_now() AND partner = ANY($3)
          AND partner NOT IN (SELECT partner FROM disabled_partners WHERE desk = newswire_desk())
        ORDER BY next_attempt LIMIT $1 FOR UPDATE SKIP LOCKED),
     claimed AS (
        UPDATE deliveries d SET state = 'in-progress', attempts = d.attempts + 1, fence = d.fence + 1,
            next_attempt = unix_now() + $2, updated_at = unix_now()
        FROM due WHERE d.desk = newswire_desk() AND d.id = due.id
        RETURNING d.id, d.attempts, d.fence, d.recipients, d.partner, d.copy),
     logged AS (
        INSERT INTO attempts (desk, delivery_id, number) SELECT newswire_desk(), id, attempts FROM claimed
        ON CONFLICT (desk, delivery_id, number) DO UPDATE SET started_at = unix_now(), finished_at = NULL,
            outcome = NULL, status = NULL, error = NULL)
     SELECT id, attempts, fence, recipients, partner, copy FROM claimed";
/// Outcomes of attempts, as many as came in together, in one statement: each attempt is logged
/// whatever happened since; a delivery changes only under its latest claim; a partner's streak
/// follows the last outcome of the batch for it, and its row is written only when it changes
/// (every worker finishing a partner's copies would otherwise queue on that one row).
const FINISH: &str = "WITH input AS (
        SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::integer[],
                             $7::bigint[], $8::boolean[])
        WITH ORDINALITY AS i (id, fence, state, status, error, number, retry_in, delivered, ord)),
     attempt AS (
        UPDATE attempts a SET finished_at = unix_now(), outcome = i.state, status = i.status, error = i.error
        FROM input i WHERE a.desk = newswire_desk() AND a.delivery_id = i.id AND a.number = i.number),
     finished AS (
        UPDATE deliveries d SET state = i.state, last_error = i.error, next_attempt = unix_now() + i.retry_in,
            updated_at = unix_now()
        FROM input i WHERE d.desk = newswire_desk() AND d.id = i.id AND d.fence = i.fence
        RETURNING d.id, d.fence, d.partner, i.delivered, i.ord),
     last AS (
        SELECT DISTINCT ON (partner) partner, delivered FROM finished ORDER BY partner, ord DESC),
     streak AS (
        INSERT INTO partner_health (desk, partner, failing_since)
        SELECT newswire_desk(), partner, CASE WHEN delivered THEN NULL ELSE unix_now() END FROM last
        WHERE NOT EXISTS (SELECT 1 FROM partner_health h WHERE h.desk = newswire_desk() AND h.partner = last.partner
                          AND (h.failing_since IS NULL) = last.delivered)
        ON CONFLICT (desk, partner) DO UPDATE SET failing_since = EXCLUDED.failing_since)
     SELECT id, fence FROM finished";
/// Outcomes written in one statement at most.
const FINISH_BATCH: usize = 256;
/// First claims of deliveries, as many as came in together, in one statement (in id order, so
/// that two workers' batches lock their rows in the same order): each row claimed, or, when it
/// is not, its state as it was.
const CLAIM_MANY: &str = "WITH input AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                             $8::bigint[])
        AS i (id, article, version, language, partner, channel, copy, lease)),
     claimed AS (
        INSERT INTO deliveries AS d (desk, id, article, version, language, partner, channel, state, copy, attempts,
                                     fence, next_attempt)
        SELECT newswire_desk(), id, article, version, language, partner, channel, 'in-progress', copy, 1, 1,
            unix_now() + lease
        FROM input ORDER BY id
        ON CONFLICT (desk, id) DO UPDATE SET state = 'in-progress', attempts = d.attempts + 1, fence = d.fence + 1,
            next_attempt = EXCLUDED.next_attempt, updated_at = unix_now()
        WHERE d.state NOT IN ('delivered', 'in-review') AND NOT (d.state = 'in-progress' AND d.next_attempt > unix_now())
        RETURNING d.id, d.attempts, d.fence, d.recipients),
     logged AS (
        INSERT INTO attempts (desk, delivery_id, number) SELECT newswire_desk(), id, attempts FROM claimed
        ON CONFLICT (desk, delivery_id, number) DO UPDATE SET started_at = unix_now(), finished_at = NULL,
            outcome = NULL, status = NULL, error = NULL)
     SELECT id, attempts, fence, recipients, NULL::text FROM claimed
     UNION ALL
     SELECT d.id, NULL, NULL, NULL, d.state FROM deliveries d JOIN input i ON i.id = d.id
     WHERE d.desk = newswire_desk() AND d.id NOT IN (SELECT id FROM claimed)";
/// First claims made in one statement at most.
const CLAIM_BATCH: usize = 128;
const RELEASE: &str = "WITH released AS (
        UPDATE deliveries SET next_attempt = unix_now() + $4, attempts = attempts - 1,
            state = CASE WHEN attempts = 1 THEN 'pending' ELSE 'retrying' END
        WHERE desk = newswire_desk() AND id = $1 AND fence = $2 AND state = 'in-progress' RETURNING id)
     DELETE FROM attempts
     WHERE desk = newswire_desk() AND delivery_id IN (SELECT id FROM released) AND number = $3";
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
    /// Attempts' outcomes, written together by the completer: a commit costs a disk flush, and
    /// outcomes that arrive while one is being written share the next.
    completions: mpsc::Sender<Completion>,
    /// First claims of deliveries, made together by the claimer in the same way.
    claims: mpsc::Sender<ClaimRequest>,
}

struct ClaimRequest {
    delivery: OwnedDelivery,
    lease: i64,
    claimed: oneshot::Sender<Result<Claim, StoreError>>,
}

/// A `NewDelivery` that can wait in a queue.
struct OwnedDelivery {
    id: String,
    article: String,
    content_hash: String,
    language: String,
    partner: String,
    channel: String,
    copy: String,
}

impl std::ops::Deref for PostgresStore {
    type Target = Db;

    fn deref(&self) -> &Db {
        &self.db
    }
}

struct Completion {
    lease: Lease,
    outcome: AttemptOutcome,
    written: oneshot::Sender<Result<bool, StoreError>>,
}

impl PostgresStore {
    /// Opens the database as `desk` sees it: its own rows only.
    pub async fn open(url: &str, desk: &str) -> Result<Self, StoreError> {
        let shown = without_password(url);
        let fail = |message: String| StoreError { location: shown.clone(), message, kind: ErrorKind::Permanent };
        let mut config = connection_config(url).map_err(fail)?;
        name_the_desk(&mut config, desk);
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
        db.retrying_for(OPEN_RETRY_FOR, || db.migrate())
            .await
            .map_err(|err| StoreError { kind: ErrorKind::Permanent, ..err })?;
        if !desk.is_empty() {
            db.retrying(|| async {
                let client = db.client().await?;
                client.batch_execute(ADOPT).await.map_err(|e| db.error(e))
            })
            .await?;
        }
        let (completions, queue) = mpsc::channel(FINISH_BATCH * 4);
        tokio::spawn(complete(db.clone(), queue));
        let (claims, queue) = mpsc::channel(CLAIM_BATCH * 4);
        tokio::spawn(claim_together(db.clone(), queue));
        Ok(PostgresStore { db, completions, claims })
    }
}

/// Makes first claims as they come, each statement taking all that queued during the last. A
/// delivery asked for twice in one batch waits for the next (a statement claims a row once).
async fn claim_together(db: Arc<Db>, mut queue: mpsc::Receiver<ClaimRequest>) {
    let mut waiting: std::collections::VecDeque<ClaimRequest> = std::collections::VecDeque::new();
    loop {
        if waiting.is_empty() {
            match queue.recv().await {
                Some(request) => waiting.push_back(request),
                None => return,
            }
        }
        while let Ok(request) = queue.try_recv() {
            waiting.push_back(request);
        }
        let mut batch: Vec<ClaimRequest> = Vec::new();
        let mut later = std::collections::VecDeque::new();
        while let Some(request) = waiting.pop_front() {
            if batch.len() < CLAIM_BATCH && !batch.iter().any(|b| b.delivery.id == request.delivery.id) {
                batch.push(request);
            } else {
                later.push_back(request);
            }
        }
        waiting = later;
        match db.claim_many(&batch).await {
            Ok(mut claims) => {
                for request in batch {
                    let claim = claims.remove(&request.delivery.id).unwrap_or(Claim::Busy);
                    let _ = request.claimed.send(Ok(claim));
                }
            }
            Err(err) => {
                for request in batch {
                    let _ = request.claimed.send(Err(err.clone()));
                }
            }
        }
    }
}

/// Writes attempts' outcomes as they come, each write taking all that queued during the last.
async fn complete(db: Arc<Db>, mut queue: mpsc::Receiver<Completion>) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < FINISH_BATCH {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        match db.finish_all(&batch).await {
            Ok(current) => {
                for completion in batch {
                    let latest = current.contains(&(completion.lease.id.clone(), completion.lease.fence));
                    let _ = completion.written.send(Ok(latest));
                }
            }
            Err(err) => {
                for completion in batch {
                    let _ = completion.written.send(Err(err.clone()));
                }
            }
        }
    }
}

impl Db {
    async fn claim_many(&self, batch: &[ClaimRequest]) -> Result<HashMap<String, Claim>, StoreError> {
        let column = |field: fn(&OwnedDelivery) -> &str| -> Vec<&str> {
            batch.iter().map(|request| field(&request.delivery)).collect()
        };
        let (ids, articles, hashes) = (column(|d| &d.id), column(|d| &d.article), column(|d| &d.content_hash));
        let (languages, partners, channels) = (column(|d| &d.language), column(|d| &d.partner), column(|d| &d.channel));
        let copies = column(|d| &d.copy);
        let leases: Vec<i64> = batch.iter().map(|request| request.lease).collect();
        let lease_of: HashMap<&str, i64> = batch.iter().map(|r| (r.delivery.id.as_str(), r.lease)).collect();
        let rows = self
            .retrying(|| async {
                self.query(CLAIM_MANY, &[&ids, &articles, &hashes, &languages, &partners, &channels, &copies, &leases])
                    .await
            })
            .await?;
        Ok(rows
            .iter()
            .map(|row| {
                let id: String = row.get(0);
                let claim = match row.get::<_, Option<String>>(4) {
                    Some(state) if state == "delivered" => Claim::Delivered,
                    Some(state) if state == "in-review" => Claim::InReview,
                    Some(_) => Claim::Busy,
                    None => {
                        let attempt: i32 = row.get(1);
                        let done: String = row.get(3);
                        Claim::Claimed(Lease {
                            id: id.clone(),
                            attempt: attempt as u32,
                            fence: row.get(2),
                            recipients_done: recipients(&done),
                            sure_until: std::time::Instant::now()
                                + Duration::from_secs(
                                    lease_of.get(id.as_str()).copied().unwrap_or(0).max(0) as u64 / 2,
                                ),
                        })
                    }
                };
                (id, claim)
            })
            .collect())
    }

    /// Writes outcomes; the (id, fence) of those written under the latest claim.
    async fn finish_all(&self, batch: &[Completion]) -> Result<HashSet<(String, i64)>, StoreError> {
        let ids: Vec<&str> = batch.iter().map(|c| c.lease.id.as_str()).collect();
        let fences: Vec<i64> = batch.iter().map(|c| c.lease.fence).collect();
        let states: Vec<&str> = batch.iter().map(|c| c.outcome.state.as_str()).collect();
        let statuses: Vec<Option<&str>> = batch.iter().map(|c| c.outcome.status.as_deref()).collect();
        let errors: Vec<Option<&str>> = batch.iter().map(|c| c.outcome.error.as_deref()).collect();
        let numbers: Vec<i32> = batch.iter().map(|c| c.lease.attempt as i32).collect();
        let retry_in: Vec<Option<i64>> = batch.iter().map(|c| c.outcome.retry_in).collect();
        let delivered: Vec<bool> = batch.iter().map(|c| c.outcome.state == DeliveryState::Delivered).collect();
        let rows = self
            .retrying(|| async {
                self.query(FINISH, &[&ids, &fences, &states, &statuses, &errors, &numbers, &retry_in, &delivered]).await
            })
            .await?;
        Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
    }

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
        self.retrying_for(RETRY_FOR, work).await
    }

    async fn retrying_for<T, F, Fut>(&self, total: Duration, work: F) -> Result<T, StoreError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, StoreError>>,
    {
        let backoff = ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(100))
            .with_max_delay(Duration::from_secs(2))
            .with_total_delay(Some(total))
            .without_max_times()
            .with_jitter();
        work.retry(backoff)
            .when(|err: &StoreError| err.kind.is_transient())
            .notify(|err, wait| tracing::warn!(error = %err, ?wait, "state store unavailable, retrying"))
            .await
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(|e| self.error(e))?;
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

/// Every connection tells the server which desk it works for: `newswire_desk()` in the statements.
fn name_the_desk(config: &mut tokio_postgres::Config, desk: &str) {
    let escaped: String = desk
        .chars()
        .flat_map(|c| match c {
            '\\' => vec!['\\', '\\'],
            c if c.is_whitespace() => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let given = config.get_options().map(|o| format!("{o} ")).unwrap_or_default();
    config.options(format!("{given}-c newswire.desk={escaped}"));
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

/// A new delivery's columns, as the first seven parameters of a statement.
fn delivery_params<'a>(delivery: &'a NewDelivery<'a>) -> [&'a (dyn ToSql + Sync); 7] {
    [
        &delivery.id,
        &delivery.article,
        &delivery.content_hash,
        &delivery.language,
        &delivery.partner,
        &delivery.channel,
        &delivery.copy,
    ]
}

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

#[async_trait::async_trait]
impl Store for PostgresStore {
    async fn recall(&self, key: &MemoryKey<'_>, sources: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        let hashes: Vec<Vec<u8>> = sources.iter().map(|s| hash(s)).collect();
        let rows = self
            .retrying(|| async {
                self.query(
                    "SELECT source_hash, source, target FROM translation_memory
                     WHERE backend = $1 AND source_lang = $2 AND target_lang = $3 AND source_hash = ANY($4)",
                    &[&key.backend, &key.from, &key.to, &hashes],
                )
                .await
            })
            .await?;
        let known: HashMap<Vec<u8>, (String, String)> =
            rows.iter().map(|row| (row.get(0), (row.get(1), row.get(2)))).collect();
        // The hash finds the row; the text confirms it.
        Ok(sources
            .iter()
            .zip(&hashes)
            .map(|(source, hash)| known.get(hash).filter(|(s, _)| s == source).map(|(_, t)| t.clone()))
            .collect())
    }

    async fn remember(&self, key: &MemoryKey<'_>, pairs: &[(String, String)]) -> Result<(), StoreError> {
        let (hashes, sources, targets) = memory_columns(pairs);
        self.retrying(|| async {
            self.query(REMEMBER, &[&key.backend, &key.from, &key.to, &hashes, &sources, &targets]).await
        })
        .await
        .map(|_| ())
    }

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

    async fn clock_ms(&self) -> Result<i64, StoreError> {
        let sql = "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint";
        let rows = self.retrying(|| async { self.query(sql, &[]).await }).await?;
        Ok(rows[0].get(0))
    }

    async fn claim_page(
        &self,
        key: &str,
        page: &str,
        lease: Duration,
        done_since: i64,
    ) -> Result<PageClaim, StoreError> {
        let lease_seconds = seconds(lease);
        let rows = self
            .retrying(|| async {
                self.query(
                    "INSERT INTO pages (desk, key, page, lease_until) VALUES (newswire_desk(), $1, $2, unix_now() + $3)
                     ON CONFLICT (desk, key) DO UPDATE SET fence = pages.fence + 1, lease_until = EXCLUDED.lease_until,
                        page = EXCLUDED.page, done_ms = NULL
                     WHERE pages.lease_until <= unix_now() AND (pages.done_ms IS NULL OR pages.done_ms < $4)
                     RETURNING fence",
                    &[&key, &page, &lease_seconds, &done_since],
                )
                .await
            })
            .await?;
        if let Some(row) = rows.first() {
            return Ok(PageClaim::Claimed(PageLease { key: key.to_string(), fence: row.get(0) }));
        }
        let done = self
            .retrying(|| async {
                self.query("SELECT done_ms FROM pages WHERE desk = newswire_desk() AND key = $1", &[&key]).await
            })
            .await?;
        Ok(match done.first().and_then(|row| row.get::<_, Option<i64>>(0)) {
            Some(_) => PageClaim::Done,
            None => PageClaim::Busy,
        })
    }

    async fn claim_abandoned_pages(
        &self,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<(PageLease, String)>, StoreError> {
        let (limit, lease_seconds) = (limit as i64, seconds(lease));
        let rows = self
            .retrying(|| async {
                self.query(
                    "WITH abandoned AS (
                        SELECT key FROM pages
                        WHERE desk = newswire_desk() AND done_ms IS NULL AND lease_until <= unix_now()
                        ORDER BY lease_until LIMIT $1 FOR UPDATE SKIP LOCKED)
                     UPDATE pages p SET fence = p.fence + 1, lease_until = unix_now() + $2
                     FROM abandoned WHERE p.desk = newswire_desk() AND p.key = abandoned.key
                     RETURNING p.key, p.fence, p.page",
                    &[&limit, &lease_seconds],
                )
                .await
            })
            .await?;
        Ok(rows.iter().map(|row| (PageLease { key: row.get(0), fence: row.get(1) }, row.get(2))).collect())
    }

    async fn renew_page(&self, lease: &PageLease, by: Duration) -> Result<bool, StoreError> {
        let by = seconds(by);
        let rows = self
            .retrying(|| async {
                self.query(
                    "UPDATE pages SET lease_until = unix_now() + $3
                     WHERE desk = newswire_desk() AND key = $1 AND fence = $2 RETURNING 1",
                    &[&lease.key, &lease.fence, &by],
                )
                .await
            })
            .await?;
        Ok(!rows.is_empty())
    }

    async fn release_page(&self, lease: &PageLease, done: bool) -> Result<(), StoreError> {
        let sql = if done {
            "UPDATE pages SET done_ms = (extract(epoch FROM clock_timestamp()) * 1000)::bigint, lease_until = unix_now(),
                page = '' WHERE desk = newswire_desk() AND key = $1 AND fence = $2"
        } else {
            "UPDATE pages SET lease_until = unix_now() WHERE desk = newswire_desk() AND key = $1 AND fence = $2"
        };
        self.retrying(|| async { self.query(sql, &[&lease.key, &lease.fence]).await }).await.map(|_| ())
    }

    async fn forget_done_pages(&self, before_ms: i64) -> Result<u64, StoreError> {
        let sql = "DELETE FROM pages WHERE desk = newswire_desk() AND done_ms < $1 RETURNING 1";
        let rows = self.retrying(|| async { self.query(sql, &[&before_ms]).await }).await?;
        Ok(rows.len() as u64)
    }

    async fn delivery(&self, id: &str) -> Result<Option<DeliveryRecord>, StoreError> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM deliveries WHERE desk = newswire_desk() AND id = $1");
        let rows = self.retrying(|| async { self.query(&sql, &[&id]).await }).await?;
        rows.first().map(record).transpose().map_err(|e| self.error(e))
    }

    async fn deliveries(
        &self,
        partner: Option<&str>,
        state: Option<DeliveryState>,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let state = state.map(DeliveryState::as_str);
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM deliveries
             WHERE desk = newswire_desk() AND ($1::text IS NULL OR partner = $1) AND ($2::text IS NULL OR state = $2)
             ORDER BY created_at DESC, id"
        );
        let rows = self.retrying(|| async { self.query(&sql, &[&partner, &state]).await }).await?;
        rows.iter().map(record).collect::<Result<_, _>>().map_err(|e| self.error(e))
    }

    async fn article_deliveries(&self, article: &str) -> Result<Vec<DeliveryRecord>, StoreError> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM deliveries WHERE desk = newswire_desk() AND article = $1
             ORDER BY created_at DESC, id"
        );
        let rows = self.retrying(|| async { self.query(&sql, &[&article]).await }).await?;
        rows.iter().map(record).collect::<Result<_, _>>().map_err(|e| self.error(e))
    }

    async fn latest_deliveries(&self, partner: &str, limit: usize) -> Result<Vec<DeliveryRecord>, StoreError> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM deliveries WHERE desk = newswire_desk() AND partner = $1
                 ORDER BY created_at DESC, id LIMIT $2"
        );
        let limit = limit as i64;
        let rows = self.retrying(|| async { self.query(&sql, &[&partner, &limit]).await }).await?;
        rows.iter().map(record).collect::<Result<_, _>>().map_err(|e| self.error(e))
    }

    async fn attempts(&self, delivery: &str, limit: usize) -> Result<Vec<AttemptRecord>, StoreError> {
        let limit = limit as i64;
        let rows = self
            .retrying(|| async {
                self.query(
                    "SELECT number, started_at, finished_at, outcome, status, error FROM attempts
                     WHERE desk = newswire_desk() AND delivery_id = $1 ORDER BY number DESC LIMIT $2",
                    &[&delivery, &limit],
                )
                .await
            })
            .await?;
        Ok(rows
            .iter()
            .map(|row| AttemptRecord {
                number: row.get::<_, i32>(0) as u32,
                started_at: row.get(1),
                finished_at: row.get(2),
                outcome: row.get(3),
                status: row.get(4),
                error: row.get(5),
            })
            .collect())
    }

    async fn delivery_counts(&self) -> Result<Vec<(String, DeliveryState, u64)>, StoreError> {
        let rows = self
            .retrying(|| async {
                self.query(
                    "SELECT partner, state, COUNT(*) FROM deliveries WHERE desk = newswire_desk()
                     GROUP BY partner, state",
                    &[],
                )
                .await
            })
            .await?;
        rows.iter()
            .map(|row| {
                let state = DeliveryState::read(row.get::<_, &str>(1))?;
                Ok((row.get::<_, String>(0), state, row.get::<_, i64>(2) as u64))
            })
            .collect::<Result<_, Failure>>()
            .map_err(|e| self.error(e))
    }

    async fn delivered_version(&self, article: &str, language: &str, partner: &str) -> Result<Option<u32>, StoreError> {
        let rows = self
            .retrying(|| async {
                self.query(
                    "SELECT MAX(v.version) FROM deliveries d
                     JOIN article_versions v ON v.desk = d.desk AND v.article = d.article AND v.content_hash = d.version
                     WHERE d.desk = newswire_desk() AND d.article = $1 AND d.language = $2 AND d.partner = $3
                       AND d.state = 'delivered'",
                    &[&article, &language, &partner],
                )
                .await
            })
            .await?;
        Ok(rows.first().and_then(|row| row.get::<_, Option<i32>>(0)).map(|v| v as u32))
    }

    async fn schedule(&self, delivery: &NewDelivery, at: i64) -> Result<(), StoreError> {
        self.retrying(|| async {
            self.query(
                "INSERT INTO deliveries (desk, id, article, version, language, partner, channel, state, copy, next_attempt)
                 VALUES (newswire_desk(), $1, $2, $3, $4, $5, $6, 'pending', $7, $8)
                 ON CONFLICT (desk, id) DO UPDATE SET next_attempt = EXCLUDED.next_attempt
                 WHERE deliveries.state = 'pending'",
                &[&delivery_params(delivery)[..], &[&at]].concat(),
            )
            .await
        })
        .await
        .map(|_| ())
    }

    async fn claim(&self, delivery: &NewDelivery, again: bool, lease: Duration) -> Result<Claim, StoreError> {
        let lease_seconds = seconds(lease);
        if !again {
            let (claimed, answer) = oneshot::channel();
            let request = ClaimRequest {
                delivery: OwnedDelivery {
                    id: delivery.id.to_string(),
                    article: delivery.article.to_string(),
                    content_hash: delivery.content_hash.to_string(),
                    language: delivery.language.to_string(),
                    partner: delivery.partner.to_string(),
                    channel: delivery.channel.to_string(),
                    copy: delivery.copy.to_string(),
                },
                lease: lease_seconds,
                claimed,
            };
            let gone = || self.error(Failure { message: "the claimer stopped".into(), kind: ErrorKind::Permanent });
            self.claims.send(request).await.map_err(|_| gone())?;
            return answer.await.map_err(|_| gone())?;
        }
        let rows = self
            .retrying(|| async {
                self.query(CLAIM, &[&delivery_params(delivery)[..], &[&again, &lease_seconds]].concat()).await
            })
            .await?;
        if let Some(row) = rows.first() {
            let attempt: i32 = row.get(0);
            let done: String = row.get(2);
            return Ok(Claim::Claimed(Lease {
                id: delivery.id.to_string(),
                attempt: attempt as u32,
                fence: row.get(1),
                recipients_done: recipients(&done),
                sure_until: std::time::Instant::now() + lease / 2,
            }));
        }
        let state = self
            .retrying(|| async {
                self.query("SELECT state FROM deliveries WHERE desk = newswire_desk() AND id = $1", &[&delivery.id])
                    .await
            })
            .await?;
        Ok(match state.first().map(|row| row.get::<_, String>(0)) {
            Some(state) if state == "delivered" => Claim::Delivered,
            Some(state) if state == "in-review" => Claim::InReview,
            _ => Claim::Busy,
        })
    }

    async fn claim_due(
        &self,
        partners: &[String],
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let (limit, lease_seconds) = (limit as i64, seconds(lease));
        let rows =
            self.retrying(|| async { self.query(CLAIM_DUE, &[&limit, &lease_seconds, &partners]).await }).await?;
        Ok(rows
            .iter()
            .map(|row| {
                let attempt: i32 = row.get(1);
                let done: String = row.get(3);
                DueDelivery {
                    lease: Lease {
                        id: row.get(0),
                        attempt: attempt as u32,
                        fence: row.get(2),
                        recipients_done: recipients(&done),
                        sure_until: std::time::Instant::now() + lease / 2,
                    },
                    partner: row.get(4),
                    copy: row.get(5),
                }
            })
            .collect())
    }

    async fn finish(&self, lease: &Lease, outcome: &AttemptOutcome) -> Result<bool, StoreError> {
        let (written, answer) = oneshot::channel();
        let completion = Completion { lease: lease.clone(), outcome: outcome.clone(), written };
        let gone = || self.error(Failure { message: "the completer stopped".into(), kind: ErrorKind::Permanent });
        self.completions.send(completion).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    async fn renew(&self, lease: &Lease, by: Duration) -> Result<bool, StoreError> {
        let by = seconds(by);
        let rows = self
            .retrying(|| async {
                self.query(
                    "UPDATE deliveries SET next_attempt = unix_now() + $3
                     WHERE desk = newswire_desk() AND id = $1 AND fence = $2 AND state = 'in-progress'
                       AND next_attempt > unix_now()
                     RETURNING 1",
                    &[&lease.id, &lease.fence, &by],
                )
                .await
            })
            .await?;
        Ok(!rows.is_empty())
    }

    async fn release(&self, leases: &[Lease], after: Duration) -> Result<(), StoreError> {
        let after = seconds(after);
        for lease in leases {
            let attempt = lease.attempt as i32;
            self.retrying(|| async { self.query(RELEASE, &[&lease.id, &lease.fence, &attempt, &after]).await }).await?;
        }
        Ok(())
    }

    async fn add_recipients_done(&self, lease: &Lease, reached: &[String]) -> Result<(), StoreError> {
        if reached.is_empty() {
            return Ok(());
        }
        let reached = serde_json::to_string(reached).expect("strings serialise");
        // The union of what was reached before and now, in order, each address once.
        self.retrying(|| async {
            self.query(
                "UPDATE deliveries SET recipients = (
                    SELECT COALESCE(jsonb_agg(address ORDER BY first), '[]'::jsonb)::text FROM (
                        SELECT address, MIN(n) AS first FROM (
                            SELECT value AS address, ord AS n
                            FROM jsonb_array_elements_text(recipients::jsonb) WITH ORDINALITY AS a (value, ord)
                            UNION ALL
                            SELECT value, 1000000 + ord
                            FROM jsonb_array_elements_text($3::text::jsonb) WITH ORDINALITY AS b (value, ord)) all_addresses
                        GROUP BY address) unique_addresses)
                 WHERE desk = newswire_desk() AND id = $1 AND fence = $2",
                &[&lease.id, &lease.fence, &reached],
            )
            .await
        })
        .await
        .map(|_| ())
    }

    async fn copy_of(&self, id: &str) -> Result<Option<String>, StoreError> {
        let rows = self
            .retrying(|| async {
                self.query("SELECT copy FROM deliveries WHERE desk = newswire_desk() AND id = $1", &[&id]).await
            })
            .await?;
        Ok(rows.first().map(|row| row.get(0)))
    }

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

    async fn record_run(&self, id: &str, desk: &str, report: &str, finished: bool) -> Result<(), StoreError> {
        self.retrying(|| async {
            self.query(
                "INSERT INTO runs (id, desk, report, finished_at)
                 VALUES ($1, $2, $3, CASE WHEN $4 THEN extract(epoch FROM now())::bigint END)
                 ON CONFLICT (id) DO UPDATE SET report = excluded.report, finished_at = excluded.finished_at",
                &[&id, &desk, &report, &finished],
            )
            .await
        })
        .await?;
        Ok(())
    }

    async fn runs(&self, limit: usize) -> Result<Vec<RunRecord>, StoreError> {
        let limit = limit as i64;
        let rows = self
            .retrying(|| async {
                self.query(
                    "SELECT id, desk, report, started_at, finished_at FROM runs WHERE desk = newswire_desk()
                     ORDER BY started_at DESC, id LIMIT $1",
                    &[&limit],
                )
                .await
            })
            .await?;
        Ok(rows
            .iter()
            .map(|row| RunRecord {
                id: row.get(0),
                desk: row.get(1),
                report: row.get(2),
                started_at: row.get(3),
                finished_at: row.get(4),
            })
            .collect())
    }

    async fn want_callback(&self, article: &str, url: Option<&str>) -> Result<(), StoreError> {
        let sql = match url {
            Some(_) => {
                "INSERT INTO callbacks (desk, article, url, due_at) VALUES (newswire_desk(), $1, $2, unix_now())
                 ON CONFLICT (desk, article) DO UPDATE SET url = EXCLUDED.url, due_at = unix_now(), attempts = 0,
                    last_error = NULL, done_at = NULL, fence = callbacks.fence + 1"
            }
            None => {
                "UPDATE callbacks SET due_at = unix_now(), attempts = 0, last_error = NULL, done_at = NULL,
                    fence = fence + 1
                 WHERE desk = newswire_desk() AND article = $1 AND $2::text IS NULL"
            }
        };
        self.retrying(|| async { self.query(sql, &[&article, &url]).await }).await?;
        Ok(())
    }

    async fn claim_callbacks(&self, limit: usize, lease: Duration) -> Result<Vec<CallbackClaim>, StoreError> {
        let (limit, lease) = (limit as i64, seconds(lease));
        let rows = self
            .retrying(|| async {
                self.query(
                    "UPDATE callbacks SET due_at = unix_now() + $2, fence = fence + 1
                     WHERE desk = newswire_desk() AND article IN (SELECT article FROM callbacks
                         WHERE desk = newswire_desk() AND done_at IS NULL AND due_at <= unix_now()
                         ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED)
                     RETURNING article, url, attempts, created_at, fence",
                    &[&limit, &lease],
                )
                .await
            })
            .await?;
        Ok(rows
            .iter()
            .map(|row| CallbackClaim {
                article: row.get(0),
                url: row.get(1),
                attempts: row.get::<_, i32>(2) as u32,
                created_at: row.get(3),
                fence: row.get(4),
            })
            .collect())
    }

    async fn callback_later(
        &self,
        claim: &CallbackClaim,
        after: Duration,
        attempted: bool,
        error: Option<&str>,
    ) -> Result<bool, StoreError> {
        let (after, attempted) = (seconds(after), attempted as i32);
        let rows = self
            .retrying(|| async {
                self.query(
                    "UPDATE callbacks SET due_at = unix_now() + $3, attempts = attempts + $4,
                        last_error = coalesce($5, last_error)
                     WHERE desk = newswire_desk() AND article = $1 AND fence = $2 AND done_at IS NULL
                     RETURNING 1",
                    &[&claim.article, &claim.fence, &after, &attempted, &error],
                )
                .await
            })
            .await?;
        Ok(!rows.is_empty())
    }

    async fn callback_done(&self, claim: &CallbackClaim, error: Option<&str>) -> Result<bool, StoreError> {
        let rows = self
            .retrying(|| async {
                self.query(
                    "UPDATE callbacks SET done_at = unix_now(), last_error = $3
                     WHERE desk = newswire_desk() AND article = $1 AND fence = $2 RETURNING 1",
                    &[&claim.article, &claim.fence, &error],
                )
                .await
            })
            .await?;
        Ok(!rows.is_empty())
    }

    async fn open_session(&self, id: &str, session: &SessionRecord, ttl: Duration) -> Result<(), StoreError> {
        let desks = serde_json::to_string(&session.desks).expect("names serialise");
        let ttl = seconds(ttl);
        self.retrying(|| async {
            self.query("DELETE FROM sessions WHERE expires_at <= unix_now()", &[]).await?;
            self.query(
                "INSERT INTO sessions (id, user_name, desks, csrf, expires_at) VALUES ($1, $2, $3, $4, unix_now() + $5)
                 ON CONFLICT (id) DO NOTHING",
                &[&id, &session.user, &desks, &session.csrf, &ttl],
            )
            .await
        })
        .await?;
        Ok(())
    }

    async fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        let rows = self
            .retrying(|| async {
                self.query(
                    "SELECT user_name, desks, csrf, expires_at FROM sessions WHERE id = $1 AND expires_at > unix_now()",
                    &[&id],
                )
                .await
            })
            .await?;
        Ok(rows.first().map(|row| SessionRecord {
            user: row.get(0),
            desks: serde_json::from_str(row.get::<_, &str>(1)).unwrap_or_default(),
            csrf: row.get(2),
            expires_at: row.get(3),
        }))
    }

    async fn close_session(&self, id: &str) -> Result<(), StoreError> {
        self.retrying(|| async { self.query("DELETE FROM sessions WHERE id = $1", &[&id]).await }).await?;
        Ok(())
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

    async fn partner_disabled(&self, partner: &str) -> Result<Option<(i64, String)>, StoreError> {
        let rows = self
            .retrying(|| async {
                self.query(
                    "SELECT since, reason FROM disabled_partners WHERE desk = newswire_desk() AND partner = $1",
                    &[&partner],
                )
                .await
            })
            .await?;
        Ok(rows.first().map(|row| (row.get(0), row.get(1))))
    }

    async fn disable_partner(&self, partner: &str, reason: &str) -> Result<(), StoreError> {
        self.retrying(|| async {
            self.query(
                "INSERT INTO disabled_partners (desk, partner, reason) VALUES (newswire_desk(), $1, $2)
                 ON CONFLICT (desk, partner) DO NOTHING",
                &[&partner, &reason],
            )
            .await
        })
        .await
        .map(|_| ())
    }

    async fn enable_partner(&self, partner: &str) -> Result<bool, StoreError> {
        let rows = self
            .retrying(|| async {
                // Failures before the partner was enabled again no longer count towards disabling it.
                self.query(
                    "WITH healed AS (UPDATE partner_health SET failing_since = NULL
                                     WHERE desk = newswire_desk() AND partner = $1)
                     DELETE FROM disabled_partners WHERE desk = newswire_desk() AND partner = $1 RETURNING 1",
                    &[&partner],
                )
                .await
            })
            .await?;
        Ok(!rows.is_empty())
    }

    async fn failing_since(&self, partner: &str) -> Result<Option<(i64, i64)>, StoreError> {
        let rows = self
            .retrying(|| async {
                self.query(
                    "SELECT failing_since, unix_now() - failing_since FROM partner_health
                     WHERE desk = newswire_desk() AND partner = $1 AND failing_since IS NOT NULL",
                    &[&partner],
                )
                .await
            })
            .await?;
        Ok(rows.first().map(|row| (row.get(0), row.get(1))))
    }

    async fn dump(&self, table: &str, offset: usize, limit: usize) -> Result<Vec<Vec<Cell>>, StoreError> {
        let Table { key, columns, .. } = self.known(table)?;
        let names: Vec<String> = columns
            .iter()
            .map(|(name, kind)| if *kind == Kind::Int { format!("{name}::bigint") } else { name.to_string() })
            .collect();
        let sql = format!("SELECT {} FROM {table} ORDER BY {key} LIMIT $1 OFFSET $2", names.join(", "));
        let (limit, offset) = (limit as i64, offset as i64);
        let rows = self.retrying(|| async { self.query(&sql, &[&limit, &offset]).await }).await?;
        Ok(rows
            .iter()
            .map(|row| {
                columns
                    .iter()
                    .enumerate()
                    .map(|(i, (_, kind))| match kind {
                        Kind::Int => row.get::<_, Option<i64>>(i).map_or(Cell::Null, Cell::Int),
                        Kind::Text => row.get::<_, Option<String>>(i).map_or(Cell::Null, Cell::Text),
                        Kind::Blob => row.get::<_, Option<Vec<u8>>>(i).map_or(Cell::Null, Cell::Blob),
                    })
                    .collect()
            })
            .collect())
    }

    async fn load(&self, table: &str, rows: &[Vec<Cell>]) -> Result<usize, StoreError> {
        let Table { columns, .. } = self.known(table)?;
        let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
        let slots: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, (_, kind))| {
                let cast = match kind {
                    Kind::Int => "bigint",
                    Kind::Text => "text",
                    Kind::Blob => "bytea",
                };
                format!("${}::{cast}", i + 1)
            })
            .collect();
        let sql =
            format!("INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT DO NOTHING", names.join(", "), slots.join(", "));
        self.retrying(|| async {
            let mut client = self.client().await?;
            let transaction = client.transaction().await.map_err(|e| self.error(e))?;
            let statement = transaction.prepare(&sql).await.map_err(|e| self.error(e))?;
            let mut added = 0;
            for row in rows {
                let values: Vec<Box<dyn ToSql + Sync + Send>> = row
                    .iter()
                    .zip(columns.iter())
                    .map(|(cell, (_, kind))| -> Box<dyn ToSql + Sync + Send> {
                        match (cell, kind) {
                            (Cell::Int(n), _) => Box::new(Some(*n)),
                            (Cell::Text(t), _) => Box::new(Some(t.clone())),
                            (Cell::Blob(b), _) => Box::new(Some(b.clone())),
                            (Cell::Null, Kind::Int) => Box::new(None::<i64>),
                            (Cell::Null, Kind::Text) => Box::new(None::<String>),
                            (Cell::Null, Kind::Blob) => Box::new(None::<Vec<u8>>),
                        }
                    })
                    .collect();
                let params: Vec<&(dyn ToSql + Sync)> =
                    values.iter().map(|v| v.as_ref() as &(dyn ToSql + Sync)).collect();
                added += transaction.execute(&statement, &params).await.map_err(|e| self.error(e))? as usize;
            }
            transaction.commit().await.map_err(|e| self.error(e))?;
            Ok(added)
        })
        .await
    }
}
