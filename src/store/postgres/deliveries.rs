//! The PostgreSQL side of the delivery log: recording, claiming and finishing deliveries, and reading them back.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio_postgres::types::ToSql;

use super::{recipients, record, seconds, Db, Failure, PostgresStore, RECORD_COLUMNS};
use crate::error::ErrorKind;
use crate::store::{
    AttemptOutcome, AttemptRecord, Claim, DeliveryLog, DeliveryRecord, DeliveryState, DueDelivery, Lease, NewDelivery,
    StoreError,
};

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
        FROM due WHERE d.desk = newswire_desk() AND d.id = ANY (ARRAY(SELECT id FROM due)) AND d.id = due.id
        RETURNING d.id, d.attempts, d.fence, d.recipients, d.partner, d.copy),
     logged AS (
        INSERT INTO attempts (desk, delivery_id, number) SELECT newswire_desk(), id, attempts FROM claimed
        ON CONFLICT (desk, delivery_id, number) DO UPDATE SET started_at = unix_now(), finished_at = NULL,
            outcome = NULL, status = NULL, error = NULL)
     SELECT id, attempts, fence, recipients, partner, copy FROM claimed";
// The batched statements name the ids they touch (`id = ANY($1)`) on the table's side of each
// join: joined only to the input, a plan made while the log was small scans the desk's whole
// log for each batch once it has grown (a prepared statement keeps its generic plan).

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
        FROM input i WHERE a.desk = newswire_desk() AND a.delivery_id = ANY($1) AND a.delivery_id = i.id
          AND a.number = i.number),
     finished AS (
        UPDATE deliveries d SET state = i.state, last_error = i.error, next_attempt = unix_now() + i.retry_in,
            updated_at = unix_now()
        FROM input i WHERE d.desk = newswire_desk() AND d.id = ANY($1) AND d.id = i.id AND d.fence = i.fence
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
     WHERE d.desk = newswire_desk() AND d.id = ANY($1) AND d.id NOT IN (SELECT id FROM claimed)";
/// First claims made in one statement at most.
const CLAIM_BATCH: usize = 128;
const RELEASE: &str = "WITH released AS (
        UPDATE deliveries SET next_attempt = unix_now() + $4, attempts = attempts - 1,
            state = CASE WHEN attempts = 1 THEN 'pending' ELSE 'retrying' END
        WHERE desk = newswire_desk() AND id = $1 AND fence = $2 AND state = 'in-progress' RETURNING id)
     DELETE FROM attempts
     WHERE desk = newswire_desk() AND delivery_id = $1 AND delivery_id IN (SELECT id FROM released) AND number = $3";
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

struct Completion {
    lease: Lease,
    outcome: AttemptOutcome,
    written: oneshot::Sender<Result<bool, StoreError>>,
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
    let mut statistics = Statistics::new();
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < FINISH_BATCH {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        statistics.written(&db, batch.len());
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

/// Keeps the planner's picture of a young log close to the truth. Until a table has statistics the
/// planner takes `desk = ...` for a narrow condition and, in the plans a connection keeps, scans
/// the desk's whole log for each batch; autovacuum analyses a table only after a minute and a
/// tenth of its rows. Each time the outcomes this completer wrote double, from 500 to a million,
/// it looks whether the log was never analysed or has changed by half since, and has it analysed
/// then (once, however many workers look); an analysis also has the kept plans made again.
struct Statistics {
    next: usize,
    written: usize,
}

impl Statistics {
    const FIRST: usize = 500;
    const LAST: usize = 1_000_000;

    fn new() -> Self {
        Statistics { next: Self::FIRST, written: 0 }
    }

    fn written(&mut self, db: &Arc<Db>, rows: usize) {
        self.written += rows;
        if self.written < self.next || self.next > Self::LAST {
            return;
        }
        self.next *= 2;
        let db = db.clone();
        tokio::spawn(async move {
            let analysed = async {
                let client = db.client().await?;
                let stale: bool = client.query_one(STALE, &[]).await.map_err(|e| db.error(e))?.get(0);
                if stale {
                    client.batch_execute(ANALYZE).await.map_err(|e| db.error(e))?;
                }
                Ok::<_, StoreError>(())
            };
            if let Err(err) = analysed.await {
                tracing::debug!(error = %err, "the delivery log was not analysed");
            }
        });
    }
}

const STALE: &str = "SELECT coalesce(bool_or((last_analyze IS NULL AND last_autoanalyze IS NULL)
        OR n_mod_since_analyze > n_live_tup / 2), false)
     FROM pg_stat_user_tables WHERE relname IN ('deliveries', 'attempts')";
const ANALYZE: &str = "ANALYZE deliveries, attempts";

/// A new delivery's columns, as the first seven parameters of a statement.
pub(super) fn delivery_params<'a>(delivery: &'a NewDelivery<'a>) -> [&'a (dyn ToSql + Sync); 7] {
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

/// The claimer and the completer, each making one statement of all the requests that queued
/// while the last ran.
pub(super) struct Batches {
    /// Attempts' outcomes, written together: a commit costs a disk flush, and outcomes that arrive
    /// while one is being written share the next.
    completions: mpsc::Sender<Completion>,
    /// First claims of deliveries, made together in the same way.
    claims: mpsc::Sender<ClaimRequest>,
}

impl Batches {
    pub(super) fn start(db: Arc<Db>) -> Self {
        let (completions, queue) = mpsc::channel(FINISH_BATCH * 4);
        tokio::spawn(complete(db.clone(), queue));
        let (claims, queue) = mpsc::channel(CLAIM_BATCH * 4);
        tokio::spawn(claim_together(db, queue));
        Batches { completions, claims }
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
}

#[async_trait::async_trait]
impl DeliveryLog for PostgresStore {
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
            self.batches.claims.send(request).await.map_err(|_| gone())?;
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
        self.batches.completions.send(completion).await.map_err(|_| gone())?;
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
}
