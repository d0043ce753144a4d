//! What the delivery-log commands do, as library calls the command line (and later the console)
//! share: list the log, send what fell due, send one delivery again, recover a partner's failures,
//! enable a partner, and kill an article everywhere it was delivered.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use super::report::{DeliveryReport, Status};
use super::{stages, syndicate_stage, RunError};
use crate::config::Pipeline;
use crate::store::{DeliveryRecord, DeliveryState, Store};
use crate::syndicate::deliver::{now_unix, SendMode};
use crate::syndicate::{Breaker, PartnerCopy};

/// A desk's delivery log, opened from its pipeline file.
pub struct DeliveryLog {
    pipeline: Pipeline,
    store: Arc<dyn Store>,
}

/// What `kill` did.
pub struct Killed {
    /// The partner copies told of the kill, one per partner and language that had the article.
    pub kills: Vec<DeliveryReport>,
}

impl DeliveryLog {
    pub fn open(pipeline: Pipeline, state: Option<&Path>) -> Result<Self, RunError> {
        let store = stages::store(&pipeline, state)?;
        Ok(DeliveryLog { pipeline, store })
    }

    pub fn list(&self, partner: Option<&str>, state: Option<DeliveryState>) -> Result<Vec<DeliveryRecord>, RunError> {
        Ok(self.store.deliveries(partner, state)?)
    }

    /// Enables a partner again; false when it was not disabled.
    pub fn enable(&self, partner: &str) -> Result<bool, RunError> {
        if !self.pipeline.partners.iter().any(|p| p.name == partner) {
            return Err(RunError::UnknownPartner(partner.to_string()));
        }
        Ok(self.store.enable_partner(partner)?)
    }

    /// Retries and lifted embargoes whose time has come.
    pub fn due(&self) -> Result<Vec<DeliveryRecord>, RunError> {
        Ok(self.store.due(now_unix())?)
    }

    pub fn delivery(&self, id: &str) -> Result<DeliveryRecord, RunError> {
        self.store.delivery(id)?.ok_or_else(|| RunError::UnknownDelivery(id.to_string()))
    }

    /// What failed, is retrying or was cut off mid-attempt for a partner since `since` (Unix seconds).
    pub fn to_recover(&self, partner: &str, since: i64) -> Result<Vec<DeliveryRecord>, RunError> {
        Ok(self
            .store
            .deliveries(Some(partner), None)?
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
            match self.store.copy_of(&record.id)?.map(|c| serde_json::from_str::<PartnerCopy>(&c)) {
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
            .deliveries(None, Some(DeliveryState::Delivered))?
            .into_iter()
            .filter(|d| d.article == article)
            .collect();
        self.store.kill_article(article)?;
        let mut latest: Vec<(u32, DeliveryRecord)> = Vec::new();
        for record in delivered {
            let version = self.store.article_version(&record.article, &record.content_hash)?;
            match latest.iter_mut().find(|(_, r)| r.partner == record.partner && r.language == record.language) {
                Some(entry) if entry.0 < version => *entry = (version, record),
                Some(_) => {}
                None => latest.push((version, record)),
            }
        }
        let mut kills = Vec::new();
        for (_, record) in latest {
            if let Some(Ok(copy)) = self.store.copy_of(&record.id)?.map(|c| serde_json::from_str::<PartnerCopy>(&c)) {
                kills.push(copy.killed());
            }
        }
        Ok(Killed { kills: self.send(kills, SendMode::Continue).await? })
    }

    async fn send(&self, copies: Vec<PartnerCopy>, mode: SendMode) -> Result<Vec<DeliveryReport>, RunError> {
        if copies.is_empty() {
            return Ok(Vec::new());
        }
        let (channels, deliverer) = stages::delivery(&self.pipeline, self.store.clone())?;
        let breakers: HashMap<&str, Breaker> =
            channels.iter().map(|(p, _)| (p.name.as_str(), Breaker::new(deliverer.circuit_breaker()))).collect();
        let mut reports = Vec::new();
        for copy in copies {
            let Some((partner, channel)) = channels.iter().find(|(p, _)| p.name == copy.partner) else {
                reports.push(DeliveryReport {
                    id: copy.delivery_id.clone(),
                    partner: copy.partner.clone(),
                    channel: String::new(),
                    language: copy.language.clone(),
                    status: Status::Failed,
                    error: Some(format!("partner {:?} is no longer in the pipeline", copy.partner)),
                    attempts: 0,
                });
                continue;
            };
            let deadline = Instant::now() + deliverer.max_wait();
            let breaker = &breakers[partner.name.as_str()];
            let outcome =
                deliverer.deliver(&copy, partner.channel.name(), channel.as_ref(), deadline, mode, breaker).await;
            reports.push(syndicate_stage::deliver_report(&copy, partner, outcome));
        }
        Ok(reports)
    }
}

fn failed(record: &DeliveryRecord, why: &str) -> DeliveryReport {
    DeliveryReport {
        id: record.id.clone(),
        partner: record.partner.clone(),
        channel: record.channel.clone(),
        language: record.language.clone(),
        status: Status::Failed,
        error: Some(why.to_string()),
        attempts: 0,
    }
}
