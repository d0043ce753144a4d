//! What the delivery-log commands do, as library calls the command line (and later the console)
//! share: list the log, send what fell due, send one delivery again, recover a partner's failures,
//! enable a partner, and kill an article everywhere it was delivered.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;

use super::report::{deliver_report, DeliveryReport};
use super::{stages, RunError};
use crate::config::Pipeline;
use crate::store::{AttemptOutcome, DeliveryRecord, DeliveryState, DueDelivery, Location, Store};
use crate::syndicate::deliver::{now_unix, Deliverer, DeliveryOutcome, SendMode};
use crate::syndicate::{Breaker, PartnerChannel, PartnerCopy};

/// Batches of due deliveries, claimed one after the other until none is due, `stop` turns true
/// or the store fails (the failure is the last item). Named lifetimes and a boxed step let the
/// compiler see the whole is `Send`, so the console can drive it on a task of its own.
fn due_batches<'a>(
    store: &'a dyn Store,
    partners: &'a [String],
    lease: Duration,
    stop: &'a tokio::sync::watch::Receiver<bool>,
) -> impl futures::Stream<Item = Result<Vec<DueDelivery>, crate::store::StoreError>> + Send + 'a {
    futures::stream::unfold(false, move |failed| -> futures::future::BoxFuture<'a, _> {
        Box::pin(async move {
            if failed || *stop.borrow() {
                return None;
            }
            match store.claim_due(partners, DUE_BATCH, lease).await {
                Ok(batch) if batch.is_empty() => None,
                Ok(batch) => Some((Ok(batch), false)),
                Err(err) => Some((Err(err), true)),
            }
        })
    })
}

/// When a recovery starts: RFC 3339, or a duration ago ("6h"), as Unix seconds.
pub fn parse_since(text: &str) -> Result<i64, String> {
    if let Ok(t) = time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let ago = crate::config::parse_duration(text.trim())
        .map_err(|e| format!("{text}: not an RFC 3339 time nor a duration ({e})"))?;
    Ok(now_unix() - ago.as_secs() as i64)
}

/// Due deliveries claimed at once.
pub const DUE_BATCH: usize = 32;

/// A desk's delivery log, opened from its pipeline file.
#[derive(Clone)]
pub struct DeliveryLog {
    pipeline: Pipeline,
    store: Arc<dyn Store>,
    /// Built at the first send and kept: the console sends what falls due every poll, and a
    /// partner's breaker must remember its failures between polls.
    sending: Arc<tokio::sync::OnceCell<Sending>>,
}

/// The desk's channels, the deliverer, and one breaker per partner.
struct Sending {
    channels: Vec<PartnerChannel>,
    deliverer: Deliverer,
    breakers: HashMap<String, Breaker>,
}

/// What `kill` did.
pub struct Killed {
    /// The partner copies told of the kill, one per partner and language that had the article.
    pub kills: Vec<DeliveryReport>,
}

impl DeliveryLog {
    pub async fn open(pipeline: Pipeline, state: Option<&Location>) -> Result<Self, RunError> {
        let store = stages::store(&pipeline, state).await?;
        Ok(DeliveryLog { pipeline, store, sending: Arc::default() })
    }

    async fn sending(&self) -> Result<&Sending, RunError> {
        self.sending
            .get_or_try_init(|| async {
                let (channels, deliverer) = stages::delivery(&self.pipeline, self.store.clone())?;
                // A partner found down is tried again when its first retry would have been.
                let first_retry = self.pipeline.delivery.retry_schedule.first().copied();
                let cool_off = first_retry.unwrap_or(Duration::from_secs(60));
                let breakers = channels
                    .iter()
                    .map(|(p, _)| (p.name.clone(), Breaker::cooling_off(deliverer.circuit_breaker(), cool_off)))
                    .collect();
                Ok(Sending { channels, deliverer, breakers })
            })
            .await
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// Sends copies the log has as due now (released from review), each claimed first.
    pub async fn send_now(&self, copies: Vec<PartnerCopy>) -> Result<Vec<DeliveryReport>, RunError> {
        self.send(copies, SendMode::Continue).await
    }

    pub async fn list(
        &self,
        partner: Option<&str>,
        state: Option<DeliveryState>,
    ) -> Result<Vec<DeliveryRecord>, RunError> {
        Ok(self.store.deliveries(partner, state).await?)
    }

    /// Enables a partner again; false when it was not disabled.
    pub async fn enable(&self, partner: &str) -> Result<bool, RunError> {
        if !self.pipeline.partners.iter().any(|p| p.name == partner) {
            return Err(RunError::UnknownPartner(partner.to_string()));
        }
        Ok(self.store.enable_partner(partner).await?)
    }

    /// Sends the retries and lifted embargoes whose time has come, and the attempts whose worker
    /// died, each claimed first so that other workers sending at the same time never send it too;
    /// the next batch is claimed while the last is being sent.
    /// Retries that fall due within the desk's `max_wait` are made before it returns; `stop`
    /// ends the claiming (what was claimed is still sent). One report per delivery, its last.
    pub async fn send_due(&self, stop: &tokio::sync::watch::Receiver<bool>) -> Result<Vec<DeliveryReport>, RunError> {
        let Sending { channels, deliverer, breakers } = self.sending().await?;
        let partners: Vec<String> = channels.iter().map(|(p, _)| p.name.clone()).collect();
        let sender = DueSender { store: self.store.as_ref(), channels, breakers, deliverer };
        let deadline = Instant::now() + deliverer.max_wait();
        // Each delivery's last report, and when its retry is planned (Unix seconds), if it is.
        let mut reports: Vec<(DeliveryReport, Option<i64>)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        while !*stop.borrow() {
            // One round: batches claimed while the last ones are sent, until nothing is due.
            let (partners, lease) = (&partners, deliverer.lease());
            let claims = due_batches(self.store.as_ref(), partners, lease, stop);
            let mut failure = None;
            let sent: Vec<(DeliveryReport, Option<i64>)> = claims
                .filter_map(|claimed| {
                    let batch = match claimed {
                        Ok(batch) => batch,
                        Err(err) => {
                            failure = Some(err);
                            Vec::new()
                        }
                    };
                    futures::future::ready(Some(futures::stream::iter(batch)))
                })
                .flatten()
                .map(|due| sender.send(due))
                .buffer_unordered(DUE_BATCH)
                .collect()
                .await;
            if let Some(err) = failure {
                return Err(err.into());
            }
            if sent.is_empty() {
                // A retry planned before the deadline is worth waiting for; anything later is
                // left for the next `deliver --due`.
                let last_retry = now_unix() + deadline.saturating_duration_since(Instant::now()).as_secs() as i64;
                let Some(at) = reports.iter().filter_map(|(_, at)| *at).filter(|at| *at <= last_retry).min() else {
                    break;
                };
                let wait = (at - now_unix()).max(0) as u64;
                let mut stop = stop.clone();
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(wait) + Duration::from_millis(200)) => {}
                    _ = stop.changed() => {}
                }
                for (_, retry_at) in &mut reports {
                    *retry_at = retry_at.filter(|r| *r > at);
                }
                continue;
            }
            for (report, retry_at) in sent {
                match index.get(&report.id) {
                    Some(&i) => reports[i] = (report, retry_at),
                    None => {
                        index.insert(report.id.clone(), reports.len());
                        reports.push((report, retry_at));
                    }
                }
            }
        }
        Ok(reports.into_iter().map(|(report, _)| report).collect())
    }

    pub async fn delivery(&self, id: &str) -> Result<DeliveryRecord, RunError> {
        self.store.delivery(id).await?.ok_or_else(|| RunError::UnknownDelivery(id.to_string()))
    }

    /// What failed, is retrying or was cut off mid-attempt for a partner since `since` (Unix seconds).
    pub async fn to_recover(&self, partner: &str, since: i64) -> Result<Vec<DeliveryRecord>, RunError> {
        Ok(self
            .store
            .deliveries(Some(partner), None)
            .await?
            .into_iter()
            .filter(|r| matches!(r.state, DeliveryState::Failed | DeliveryState::Retrying | DeliveryState::InProgress))
            .filter(|r| r.updated_at >= since)
            .collect())
    }

    /// Sends logged deliveries again, each with the copy its first attempt recorded.
    pub async fn resend(&self, records: Vec<DeliveryRecord>, mode: SendMode) -> Result<Vec<DeliveryReport>, RunError> {
        let mut reports = Vec::new();
        let mut copies = Vec::new();
        for record in records {
            match self.store.copy_of(&record.id).await?.map(|c| serde_json::from_str::<PartnerCopy>(&c)) {
                Some(Ok(copy)) => copies.push(copy),
                _ => reports.push(failed(&record, "the log has no copy to send")),
            }
        }
        reports.extend(self.send(copies, mode).await?);
        Ok(reports)
    }

    /// Kills an article: it is never delivered again, and every partner that received it gets a
    /// kill of the newest version it has, per language.
    pub async fn kill(&self, article: &str) -> Result<Killed, RunError> {
        let delivered: Vec<DeliveryRecord> = self
            .store
            .deliveries(None, Some(DeliveryState::Delivered))
            .await?
            .into_iter()
            .filter(|d| d.article == article)
            .collect();
        self.store.kill_article(article).await?;
        let mut latest: Vec<(u32, DeliveryRecord)> = Vec::new();
        for record in delivered {
            let version = self.store.article_version(&record.article, &record.content_hash).await?;
            match latest.iter_mut().find(|(_, r)| r.partner == record.partner && r.language == record.language) {
                Some(entry) if entry.0 < version => *entry = (version, record),
                Some(_) => {}
                None => latest.push((version, record)),
            }
        }
        let mut kills = Vec::new();
        for (_, record) in latest {
            if let Some(Ok(copy)) =
                self.store.copy_of(&record.id).await?.map(|c| serde_json::from_str::<PartnerCopy>(&c))
            {
                kills.push(copy.killed());
            }
        }
        Ok(Killed { kills: self.send(kills, SendMode::Continue).await? })
    }

    async fn send(&self, copies: Vec<PartnerCopy>, mode: SendMode) -> Result<Vec<DeliveryReport>, RunError> {
        if copies.is_empty() {
            return Ok(Vec::new());
        }
        let Sending { channels, deliverer, breakers } = self.sending().await?;
        let mut reports = Vec::new();
        for copy in copies {
            let Some((partner, channel)) = channels.iter().find(|(p, _)| p.name == copy.partner) else {
                reports.push(DeliveryReport {
                    language: copy.language.clone(),
                    ..DeliveryReport::failed(
                        &copy.delivery_id,
                        &copy.partner,
                        "the partner is no longer in the pipeline",
                    )
                });
                continue;
            };
            let deadline = Instant::now() + deliverer.max_wait();
            let breaker = &breakers[partner.name.as_str()];
            let outcome =
                deliverer.deliver(&copy, partner.channel.name(), channel.as_ref(), deadline, mode, breaker).await;
            reports.push(deliver_report(&copy, partner, outcome));
        }
        Ok(reports)
    }
}

fn failed(record: &DeliveryRecord, why: &str) -> DeliveryReport {
    DeliveryReport {
        channel: record.channel.clone(),
        language: record.language.clone(),
        ..DeliveryReport::failed(&record.id, &record.partner, why)
    }
}

fn unix_of(rfc3339: &str) -> Option<i64> {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// Sends the deliveries `claim_due` hands out.
struct DueSender<'a> {
    store: &'a dyn Store,
    channels: &'a [PartnerChannel],
    breakers: &'a HashMap<String, Breaker>,
    deliverer: &'a Deliverer,
}

impl DueSender<'_> {
    /// One claimed delivery's attempt: its report, and when its retry is planned, if it is.
    async fn send(&self, due: DueDelivery) -> (DeliveryReport, Option<i64>) {
        let copy = match serde_json::from_str::<PartnerCopy>(&due.copy) {
            Ok(copy) => copy,
            Err(err) => {
                let why = format!("the logged copy is unreadable: {err}");
                let failed = AttemptOutcome {
                    state: DeliveryState::Failed,
                    status: None,
                    error: Some(why.clone()),
                    retry_in: None,
                };
                if let Err(err) = self.store.finish(&due.lease, &failed).await {
                    tracing::warn!(error = %err, "the failure could not be logged");
                }
                return (DeliveryReport::failed(&due.lease.id, &due.partner, &why), None);
            }
        };
        let Some((partner, channel)) = self.channels.iter().find(|(p, _)| p.name == due.partner) else {
            let why = "the partner is no longer in the pipeline";
            return (DeliveryReport::failed(&due.lease.id, &due.partner, why), None);
        };
        let breaker = &self.breakers[partner.name.as_str()];
        let outcome = self.deliverer.deliver_claimed(&copy, &due.lease, channel.as_ref(), breaker).await;
        let retry_at = match &outcome {
            Ok(DeliveryOutcome::WillRetry { at, .. }) => unix_of(at),
            _ => None,
        };
        (deliver_report(&copy, partner, outcome), retry_at)
    }
}
