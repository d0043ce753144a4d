//! Durable delivery: every attempt is written to the delivery log before anything is sent and
//! after it ends, so a crash leads to a re-send with the same id, never to a loss; failures are
//! retried on the desk's schedule with ±20% jitter (Retry-After honoured); a re-run skips what was
//! delivered; a partner that answers 410, or that has only failed for `disable_after`, is disabled.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lettre::message::Mailbox;

use super::email::Mailer;
use super::{Breaker, Channel, DeliveryError, PartnerCopy, Receipt};
use crate::config::DeliveryConfig;
use crate::error::ErrorKind;
use crate::secret::redact;
use crate::store::{AttemptOutcome, Claim, DeliveryState, Lease, NewDelivery, Store, StoreError};

/// The longest Retry-After honoured; a partner asking for more waits for the schedule.
const MAX_PARTNER_RETRY_AFTER: Duration = Duration::from_secs(3600);
/// A claim outlives the channel's timeout by half of it and this much.
const LEASE_MARGIN: Duration = Duration::from_secs(5);

/// How a delivery stands at the end of this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// Delivered; `refused` lists email recipients that refused it for good (5xx).
    Delivered {
        attempts: u32,
        refused: Vec<String>,
    },
    /// Delivered by an earlier run; nothing was sent.
    AlreadyDelivered,
    /// Under embargo past this run's wait; `newswire deliver --due` sends it when it lifts.
    Embargoed {
        until: String,
    },
    /// The next retry falls after this run's wait; `newswire deliver --due` makes it.
    WillRetry {
        at: String,
        error: String,
    },
    Failed {
        error: String,
    },
    PartnerDisabled {
        reason: String,
    },
    /// Another worker holds the delivery for an attempt now.
    Elsewhere,
    /// An earlier run held the copy for an editor: `newswire review` releases it.
    InReview,
    /// The attempt failed after another worker had taken the delivery over: its outcome stands.
    TakenOver {
        error: String,
    },
}

/// How a delivery treats what was tried before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendMode {
    /// A run or `deliver --due`: skip what was delivered, go on with the retry schedule.
    Continue,
    /// `recover`: skip what was delivered, start the retry schedule over.
    Afresh,
    /// `redeliver`: send even what was delivered, schedule from the start.
    Again,
}

/// How waiting for a partner's breaker ended.
enum Waited<'b> {
    Admitted(super::breaker::Admitted<'b>),
    /// The breaker is open: the partner is not answering.
    Refused,
    /// The claim ran out or was taken meanwhile.
    LeaseLost,
}

/// Nothing was sent: the claim is no longer this worker's.
fn lease_lost(lease: &Lease) -> DeliveryOutcome {
    tracing::warn!(id = %lease.id, "not sent: its claim ran out or was taken before its turn came");
    DeliveryOutcome::TakenOver { error: "its claim ran out before it was sent; it is due again".to_string() }
}

pub struct Deliverer {
    store: Arc<dyn Store>,
    config: DeliveryConfig,
    /// Where to tell the staff that a partner was disabled.
    alerts: Option<(Mailer, Mailbox)>,
    desk: String,
}

pub fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

impl Deliverer {
    /// The desk's deliverer: `desk` names it in alerts and metrics.
    pub fn new(desk: &str, store: Arc<dyn Store>, config: DeliveryConfig) -> Self {
        Deliverer { store, config, alerts: None, desk: desk.to_string() }
    }

    /// Tells `staff` by email when a partner is disabled.
    pub fn with_alerts(mut self, mailer: Mailer, staff: Mailbox) -> Self {
        self.alerts = Some((mailer, staff));
        self
    }

    /// Disables a partner and tells the staff: which partner, since when, the last error.
    async fn disable(&self, partner: &str, reason: &str, last_error: &str) -> Result<(), StoreError> {
        self.store.disable_partner(partner, reason).await?;
        tracing::warn!(%partner, %reason, "partner disabled");
        if let Some((mailer, staff)) = &self.alerts {
            let since =
                self.store.partner_disabled(partner).await?.map(|(since, _)| rfc3339(since)).unwrap_or_default();
            let body = format!(
                "The {desk} desk stopped delivering to partner {partner}.\n\nDisabled since: {since}\nWhy: {reason}\nLast error: {last_error}\n\n\
                 Nothing more is sent to {partner} until someone runs:\n    newswire enable PIPELINE {partner}\n\
                 and then, to resend what failed meanwhile:\n    newswire recover PIPELINE --partner {partner} --since {since}\n",
                desk = self.desk,
                last_error = redact(last_error),
            );
            let subject = format!("newswire: partner {partner} disabled");
            if let Err(err) = mailer.send_text(staff, &subject, body, self.config.timeout).await {
                tracing::warn!(%partner, error = %err, "the staff could not be told");
            }
        }
        Ok(())
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Unanswered attempts in a row after which a partner's breaker opens.
    pub fn circuit_breaker(&self) -> u32 {
        self.config.circuit_breaker
    }

    /// How long a delivery may wait for its retries within a run.
    pub fn max_wait(&self) -> Duration {
        self.config.max_wait
    }

    /// How long one attempt's claim lasts: the channel's timeout and a margin (50 s for the
    /// default 30 s timeout). A worker that dies mid-attempt leaves a claim that runs out this
    /// long after it began.
    pub fn lease(&self) -> Duration {
        self.config.timeout.mul_f64(1.5) + LEASE_MARGIN
    }

    /// Delivers a copy, retrying while retries fall before `deadline`. `SendMode::Again` sends a copy
    /// already delivered once more (same id); `SendMode::Afresh` and `Again` start the retry schedule
    /// over (a recovery), while `SendMode::Continue` goes on where the earlier attempts left it.
    /// While the partner's `breaker` is open, the copy is scheduled for later instead of attempted.
    /// Each attempt is claimed in the store first: a copy another worker is sending is left to it.
    pub async fn deliver(
        &self,
        copy: &PartnerCopy,
        channel_name: &str,
        channel: &dyn Channel,
        deadline: Instant,
        send: SendMode,
        breaker: &Breaker,
    ) -> Result<DeliveryOutcome, StoreError> {
        let again = send == SendMode::Again;
        if let Some(disabled) = self.disabled(&copy.partner).await? {
            return Ok(disabled);
        }
        let embargo = copy
            .article
            .embargo
            .as_deref()
            .and_then(|e| time::OffsetDateTime::parse(e, &time::format_description::well_known::Rfc3339).ok())
            .map(|t| t.unix_timestamp())
            .or(self.config.embargo);
        // The claim tells a delivered copy apart; the log is read first only when it matters
        // before then: an embargo to wait for, or a schedule to start over.
        let logged = match embargo.is_some_and(|until| until > now_unix()) || send != SendMode::Continue {
            true => self.store.delivery(&copy.delivery_id).await?,
            false => None,
        };
        if !again && logged.as_ref().is_some_and(|d| d.state == DeliveryState::Delivered) {
            return Ok(DeliveryOutcome::AlreadyDelivered);
        }
        let copy_json = serde_json::to_string(copy).expect("a copy serialises");
        let new = NewDelivery {
            id: &copy.delivery_id,
            article: &copy.article.id,
            content_hash: &copy.article.content_hash,
            language: &copy.language,
            partner: &copy.partner,
            channel: channel_name,
            copy: &copy_json,
        };
        if let Some(until) = embargo.filter(|until| *until > now_unix()) {
            let wait = Duration::from_secs((until - now_unix()) as u64);
            if Instant::now() + wait > deadline {
                self.store.schedule(&new, until).await?;
                return Ok(DeliveryOutcome::Embargoed { until: rfc3339(until) });
            }
            tokio::time::sleep(wait).await;
        }
        let earlier = match send {
            SendMode::Continue => 0,
            SendMode::Afresh | SendMode::Again => logged.map_or(0, |d| d.attempts),
        };
        loop {
            let Some(admitted) = breaker.admit().await else {
                return self.defer(&new, breaker).await;
            };
            let lease = match self.store.claim(&new, again, self.lease()).await? {
                Claim::Claimed(lease) => lease,
                Claim::Delivered => return Ok(DeliveryOutcome::AlreadyDelivered),
                Claim::Busy => return Ok(DeliveryOutcome::Elsewhere),
                Claim::InReview => return Ok(DeliveryOutcome::InReview),
            };
            let reached = if again { Vec::new() } else { lease.recipients_done.clone() };
            let started = Instant::now();
            let sent = channel.deliver_to(copy, &reached).await;
            crate::metrics::attempt_made(&self.desk, &copy.partner, started.elapsed());
            match &sent {
                Err(error) if error.unanswered => breaker.unanswered(),
                _ => breaker.answered(),
            }
            drop(admitted);
            match self.settle(copy, &lease, sent, earlier).await? {
                Settled::Ended(outcome) => return Ok(outcome),
                Settled::RetryIn(wait, next, error) => {
                    if Instant::now() + wait > deadline {
                        return Ok(DeliveryOutcome::WillRetry { at: rfc3339(next), error });
                    }
                    tracing::debug!(id = %copy.delivery_id, ?wait, "retrying");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// Makes the one attempt a due delivery was claimed for (by `claim_due`); a failure is
    /// scheduled on the retry schedule, for whichever worker claims it next.
    pub async fn deliver_claimed(
        &self,
        copy: &PartnerCopy,
        lease: &Lease,
        channel: &dyn Channel,
        breaker: &Breaker,
    ) -> Result<DeliveryOutcome, StoreError> {
        // Given back unattempted, a delivery waits for the first retry's time, so that the
        // worker does not claim it again at once.
        let wait = self.first_retry();
        if let Some(disabled) = self.disabled(&copy.partner).await? {
            self.store.release(std::slice::from_ref(lease), wait).await?;
            return Ok(disabled);
        }
        let admitted = match self.admit_keeping(lease, breaker).await? {
            Waited::Admitted(admitted) => admitted,
            Waited::Refused => {
                self.store.release(std::slice::from_ref(lease), wait).await?;
                return Ok(not_attempted(&copy.partner, breaker, now_unix() + wait.as_secs() as i64));
            }
            Waited::LeaseLost => return Ok(lease_lost(lease)),
        };
        // The last word before sending: a claim that waited past half its lease must still be this
        // worker's and running (a younger one surely is: no other worker can have taken it).
        if Instant::now() >= lease.sure_until && !self.store.renew(lease, self.lease()).await? {
            return Ok(lease_lost(lease));
        }
        let started = Instant::now();
        let sent = channel.deliver_to(copy, &lease.recipients_done).await;
        crate::metrics::attempt_made(&self.desk, &copy.partner, started.elapsed());
        match &sent {
            Err(error) if error.unanswered => breaker.unanswered(),
            _ => breaker.answered(),
        }
        drop(admitted);
        Ok(match self.settle(copy, lease, sent, 0).await? {
            Settled::Ended(outcome) => outcome,
            Settled::RetryIn(_, next, error) => DeliveryOutcome::WillRetry { at: rfc3339(next), error },
        })
    }

    /// Waits for the breaker's word, renewing the claim meanwhile so that it does not run out
    /// while the partner's earlier attempts finish.
    async fn admit_keeping<'b>(&self, lease: &Lease, breaker: &'b Breaker) -> Result<Waited<'b>, StoreError> {
        let admit = breaker.admit();
        tokio::pin!(admit);
        loop {
            tokio::select! {
                admitted = &mut admit => return Ok(admitted.map_or(Waited::Refused, Waited::Admitted)),
                () = tokio::time::sleep(self.lease() / 3) => {
                    if !self.store.renew(lease, self.lease()).await? {
                        return Ok(Waited::LeaseLost);
                    }
                }
            }
        }
    }

    async fn disabled(&self, partner: &str) -> Result<Option<DeliveryOutcome>, StoreError> {
        Ok(self.store.partner_disabled(partner).await?.map(|(since, reason)| DeliveryOutcome::PartnerDisabled {
            reason: format!("partner disabled since {}: {reason} (newswire enable PIPELINE {partner})", rfc3339(since)),
        }))
    }

    /// Writes an attempt's outcome under its claim, and decides what comes next.
    async fn settle(
        &self,
        copy: &PartnerCopy,
        lease: &Lease,
        sent: Result<Receipt, DeliveryError>,
        earlier: u32,
    ) -> Result<Settled, StoreError> {
        let attempt = lease.attempt;
        let error = match sent {
            Ok(receipt) => {
                self.store.add_recipients_done(lease, &receipt.delivered_to).await?;
                let refused = (!receipt.refused.is_empty()).then(|| format!("refused: {}", receipt.refused.join("; ")));
                let done = AttemptOutcome {
                    state: DeliveryState::Delivered,
                    status: receipt.status.clone(),
                    error: refused,
                    retry_in: None,
                };
                if !self.store.finish(lease, &done).await? {
                    tracing::warn!(id = %lease.id, "delivered after another worker took the delivery over");
                }
                return Ok(Settled::Ended(DeliveryOutcome::Delivered { attempts: attempt, refused: receipt.refused }));
            }
            Err(error) => {
                self.store.add_recipients_done(lease, &error.delivered_to).await?;
                error
            }
        };
        let status = error.status.clone();
        let fail = |state| AttemptOutcome {
            state,
            status: status.clone(),
            error: Some(redact(&error.message).into_owned()),
            retry_in: None,
        };
        if error.gone {
            if self.store.finish(lease, &fail(DeliveryState::Failed)).await? {
                self.disable(&copy.partner, "the partner answered 410 Gone", &error.message).await?;
            }
            return Ok(Settled::Ended(DeliveryOutcome::Failed {
                error: format!("{} (the partner is now disabled)", error.message),
            }));
        }
        let planned = self.config.retry_schedule.get(attempt.saturating_sub(earlier).max(1) as usize - 1).copied();
        let wait = match (error.kind, planned) {
            (ErrorKind::Transient, Some(planned)) => {
                error.retry_after.filter(|w| *w <= MAX_PARTNER_RETRY_AFTER).unwrap_or_else(|| jitter(planned))
            }
            _ => {
                if !self.store.finish(lease, &fail(DeliveryState::Failed)).await? {
                    return Ok(Settled::Ended(DeliveryOutcome::TakenOver { error: error.message }));
                }
                let disabled = self.disable_if_failing_too_long(&copy.partner, &error.message).await?;
                let after =
                    if error.kind.is_transient() { format!(" after {attempt} attempts") } else { String::new() };
                let disabled = if disabled { " (the partner is now disabled)" } else { "" };
                return Ok(Settled::Ended(DeliveryOutcome::Failed {
                    error: format!("{}{after}{disabled}", error.message),
                }));
            }
        };
        let retry_in = wait.as_secs_f64().ceil() as i64;
        let retrying = AttemptOutcome { retry_in: Some(retry_in), ..fail(DeliveryState::Retrying) };
        if !self.store.finish(lease, &retrying).await? {
            return Ok(Settled::Ended(DeliveryOutcome::TakenOver { error: error.message }));
        }
        if self.disable_if_failing_too_long(&copy.partner, &error.message).await? {
            return Ok(Settled::Ended(DeliveryOutcome::Failed {
                error: format!("{} (the partner is now disabled)", error.message),
            }));
        }
        Ok(Settled::RetryIn(wait, now_unix() + retry_in, error.message))
    }

    /// Schedules a delivery for the first retry's time without attempting it: its partner has not
    /// answered `threshold` times in a row in this run. `deliver --due` takes it up.
    async fn defer(&self, new: &NewDelivery<'_>, breaker: &Breaker) -> Result<DeliveryOutcome, StoreError> {
        let at = now_unix() + self.first_retry().as_secs() as i64;
        self.store.schedule(new, at).await?;
        Ok(not_attempted(new.partner, breaker, at))
    }

    fn first_retry(&self) -> Duration {
        let wait = self.config.retry_schedule.first().copied().unwrap_or(Duration::from_secs(60));
        wait.max(Duration::from_secs(1))
    }

    /// Disables a partner whose deliveries have only failed for `disable_after`.
    async fn disable_if_failing_too_long(&self, partner: &str, last_error: &str) -> Result<bool, StoreError> {
        let Some((since, failing_for)) = self.store.failing_since(partner).await? else { return Ok(false) };
        if failing_for < self.config.disable_after.as_secs() as i64 {
            return Ok(false);
        }
        let reason = format!("every delivery has failed since {}", rfc3339(since));
        self.disable(partner, &reason, last_error).await?;
        Ok(true)
    }
}

/// A delivery put off because its partner's breaker is open.
fn not_attempted(partner: &str, breaker: &Breaker, at: i64) -> DeliveryOutcome {
    DeliveryOutcome::WillRetry {
        at: rfc3339(at),
        error: format!("not attempted: {partner} did not answer {} times in a row in this run", breaker.threshold()),
    }
}

/// Where an attempt left a delivery.
enum Settled {
    Ended(DeliveryOutcome),
    /// Retry after the wait, at that Unix time, after this error.
    RetryIn(Duration, i64, String),
}

/// ±20% around a planned wait.
fn jitter(planned: Duration) -> Duration {
    planned.mul_f64(0.8 + 0.4 * fastrand::f64())
}
