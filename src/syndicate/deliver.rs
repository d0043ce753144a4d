//! Durable delivery: every attempt is written to the delivery log before anything is sent and
//! after it ends, so a crash leads to a re-send with the same id, never to a loss; failures are
//! retried on the desk's schedule with ±20% jitter (Retry-After honoured); a re-run skips what was
//! delivered; a partner that answers 410, or that has only failed for `disable_after`, is disabled.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lettre::message::Mailbox;

use super::email::Mailer;
use super::{Breaker, Channel, PartnerCopy};
use crate::config::DeliveryConfig;
use crate::error::ErrorKind;
use crate::secret::redact;
use crate::store::{AttemptOutcome, DeliveryState, NewDelivery, Store, StoreError};

/// The longest Retry-After honoured; a partner asking for more waits for the schedule.
const MAX_PARTNER_RETRY_AFTER: Duration = Duration::from_secs(3600);

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
    pub fn new(store: Arc<dyn Store>, config: DeliveryConfig) -> Self {
        Deliverer { store, config, alerts: None, desk: String::new() }
    }

    /// Tells `staff` by email when a partner is disabled.
    pub fn with_alerts(mut self, desk: &str, mailer: Mailer, staff: Mailbox) -> Self {
        self.alerts = Some((mailer, staff));
        self.desk = desk.to_string();
        self
    }

    /// Disables a partner and tells the staff: which partner, since when, the last error.
    async fn disable(&self, partner: &str, reason: &str, last_error: &str) -> Result<(), StoreError> {
        self.store.disable_partner(partner, reason)?;
        tracing::warn!(%partner, %reason, "partner disabled");
        if let Some((mailer, staff)) = &self.alerts {
            let since = self.store.partner_disabled(partner)?.map(|(since, _)| rfc3339(since)).unwrap_or_default();
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

    /// Delivers a copy, retrying while retries fall before `deadline`. `SendMode::Again` sends a copy
    /// already delivered once more (same id); `SendMode::Afresh` and `Again` start the retry schedule
    /// over (a recovery), while `SendMode::Continue` goes on where the earlier attempts left it.
    /// While the partner's `breaker` is open, the copy is scheduled for later instead of attempted.
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
        if let Some((since, reason)) = self.store.partner_disabled(&copy.partner)? {
            return Ok(DeliveryOutcome::PartnerDisabled {
                reason: format!(
                    "partner disabled since {}: {reason} (newswire enable PIPELINE {})",
                    rfc3339(since),
                    copy.partner
                ),
            });
        }
        if !again && self.store.delivery(&copy.delivery_id)?.is_some_and(|d| d.state == DeliveryState::Delivered) {
            return Ok(DeliveryOutcome::AlreadyDelivered);
        }
        let copy_json = serde_json::to_string(copy).expect("a copy serialises");
        let embargo = copy
            .article
            .embargo
            .as_deref()
            .and_then(|e| time::OffsetDateTime::parse(e, &time::format_description::well_known::Rfc3339).ok())
            .map(|t| t.unix_timestamp())
            .or(self.config.embargo);
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
                self.store.schedule(&new, until)?;
                return Ok(DeliveryOutcome::Embargoed { until: rfc3339(until) });
            }
            tokio::time::sleep(wait).await;
        }
        let earlier = match send {
            SendMode::Continue => 0,
            SendMode::Afresh | SendMode::Again => self.store.delivery(&copy.delivery_id)?.map_or(0, |d| d.attempts),
        };
        loop {
            let Some(admitted) = breaker.admit().await else {
                return self.defer(&new, breaker);
            };
            let attempt = self.store.start_attempt(&new)?;
            let reached = if again { Vec::new() } else { self.store.recipients_done(&copy.delivery_id)? };
            let error = match channel.deliver_to(copy, &reached).await {
                Ok(receipt) => {
                    breaker.answered();
                    drop(admitted);
                    self.store.add_recipients_done(&copy.delivery_id, &receipt.delivered_to)?;
                    let refused =
                        (!receipt.refused.is_empty()).then(|| format!("refused: {}", receipt.refused.join("; ")));
                    let done = AttemptOutcome {
                        state: DeliveryState::Delivered,
                        status: None,
                        error: refused,
                        next_attempt: None,
                    };
                    self.store.finish_attempt(&copy.delivery_id, attempt, &done)?;
                    return Ok(DeliveryOutcome::Delivered { attempts: attempt, refused: receipt.refused });
                }
                Err(error) => {
                    if error.unanswered {
                        breaker.unanswered();
                    } else {
                        breaker.answered();
                    }
                    self.store.add_recipients_done(&copy.delivery_id, &error.delivered_to)?;
                    error
                }
            };
            drop(admitted);
            let status = error.status.clone();
            let fail = |state| AttemptOutcome {
                state,
                status: status.clone(),
                error: Some(redact(&error.message).into_owned()),
                next_attempt: None,
            };
            if error.gone {
                self.store.finish_attempt(&copy.delivery_id, attempt, &fail(DeliveryState::Failed))?;
                self.disable(&copy.partner, "the partner answered 410 Gone", &error.message).await?;
                return Ok(DeliveryOutcome::Failed {
                    error: format!("{} (the partner is now disabled)", error.message),
                });
            }
            let planned = self.config.retry_schedule.get((attempt - earlier) as usize - 1).copied();
            let wait = match (error.kind, planned) {
                (ErrorKind::Transient, Some(planned)) => {
                    error.retry_after.filter(|w| *w <= MAX_PARTNER_RETRY_AFTER).unwrap_or_else(|| jitter(planned))
                }
                _ => {
                    self.store.finish_attempt(&copy.delivery_id, attempt, &fail(DeliveryState::Failed))?;
                    let disabled = self.disable_if_failing_too_long(&copy.partner, &error.message).await?;
                    let after =
                        if error.kind.is_transient() { format!(" after {attempt} attempts") } else { String::new() };
                    let disabled = if disabled { " (the partner is now disabled)" } else { "" };
                    return Ok(DeliveryOutcome::Failed { error: format!("{}{after}{disabled}", error.message) });
                }
            };
            let next = now_unix() + wait.as_secs_f64().ceil() as i64;
            let retrying = AttemptOutcome { next_attempt: Some(next), ..fail(DeliveryState::Retrying) };
            self.store.finish_attempt(&copy.delivery_id, attempt, &retrying)?;
            if self.disable_if_failing_too_long(&copy.partner, &error.message).await? {
                return Ok(DeliveryOutcome::Failed {
                    error: format!("{} (the partner is now disabled)", error.message),
                });
            }
            if Instant::now() + wait > deadline {
                return Ok(DeliveryOutcome::WillRetry { at: rfc3339(next), error: error.message });
            }
            tracing::debug!(id = %copy.delivery_id, ?wait, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    /// Schedules a delivery for the first retry's time without attempting it: its partner has not
    /// answered `threshold` times in a row in this run. `deliver --due` takes it up.
    fn defer(&self, new: &NewDelivery, breaker: &Breaker) -> Result<DeliveryOutcome, StoreError> {
        let wait = self.config.retry_schedule.first().copied().unwrap_or(Duration::from_secs(60));
        let at = now_unix() + wait.as_secs().max(1) as i64;
        self.store.schedule(new, at)?;
        Ok(DeliveryOutcome::WillRetry {
            at: rfc3339(at),
            error: format!(
                "not attempted: {} did not answer {} times in a row in this run",
                new.partner,
                breaker.threshold()
            ),
        })
    }

    /// Disables a partner whose deliveries have only failed for `disable_after`.
    async fn disable_if_failing_too_long(&self, partner: &str, last_error: &str) -> Result<bool, StoreError> {
        let Some(since) = self.store.failing_since(partner)? else { return Ok(false) };
        if now_unix() - since < self.config.disable_after.as_secs() as i64 {
            return Ok(false);
        }
        let reason = format!("every delivery has failed since {}", rfc3339(since));
        self.disable(partner, &reason, last_error).await?;
        Ok(true)
    }
}

/// ±20% around a planned wait.
fn jitter(planned: Duration) -> Duration {
    planned.mul_f64(0.8 + 0.4 * fastrand::f64())
}
