//! The delivery-log commands: `deliveries`, `deliver --due`, `redeliver`, `recover`, `enable`.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::commands::{load_pipeline, Outcome};
use newswire::config::{parse_duration, Pipeline};
use newswire::pipeline::deliver_report;
use newswire::store::{DeliveryRecord, DeliveryState, SqliteStore, Store};
use newswire::syndicate::deliver::{now_unix, Deliverer};
use newswire::syndicate::{self, render::Templates, Copy, PartnerChannel};

struct Log {
    pipeline: Pipeline,
    store: Arc<dyn Store>,
}

fn open(path: &Path) -> Result<Option<Log>> {
    let Some(pipeline) = load_pipeline(path) else { return Ok(None) };
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&pipeline.state)?);
    Ok(Some(Log { pipeline, store }))
}

pub fn list(path: &Path, partner: Option<&str>, state: Option<&str>, json: bool) -> Result<Outcome> {
    let Some(log) = open(path)? else { return Ok(Outcome::Unusable) };
    let state = match state {
        Some(s) => Some(DeliveryState::parse(s).with_context(|| {
            format!("--state {s}: not a delivery state (pending, in-progress, delivered, retrying, failed, canceled)")
        })?),
        None => None,
    };
    let records = log.store.deliveries(partner, state)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&records)?);
    } else {
        for r in &records {
            println!(
                "{}  {:<11} {:<12} {:<3} attempts {}  {}{}",
                r.id,
                r.state.as_str(),
                r.partner,
                r.language,
                r.attempts,
                r.article,
                r.last_error.as_deref().map(|e| format!("  ({e})")).unwrap_or_default()
            );
        }
        println!("{} deliveries", records.len());
    }
    Ok(Outcome::Success)
}

pub fn enable(path: &Path, partner: &str) -> Result<Outcome> {
    let Some(log) = open(path)? else { return Ok(Outcome::Unusable) };
    if !log.pipeline.partners.iter().any(|p| p.name == partner) {
        bail!("{}: no partner named {partner:?}", path.display());
    }
    if log.store.enable_partner(partner)? {
        println!("{partner} is enabled again; `newswire recover` resends what failed meanwhile");
    } else {
        println!("{partner} was not disabled");
    }
    Ok(Outcome::Success)
}

/// Sends a set of logged deliveries through their partners' channels.
async fn resend(log: &Log, records: Vec<DeliveryRecord>, again: bool) -> Result<Outcome> {
    let templates = Arc::new(Templates::load(log.pipeline.templates.as_deref())?);
    let channels: Vec<PartnerChannel> = syndicate::channels(&log.pipeline, templates)?;
    let deliverer: Deliverer = newswire::pipeline::deliverer(&log.pipeline, log.store.clone())?;
    let mut outcome = Outcome::Success;
    for record in records {
        let Some((partner, channel)) = channels.iter().find(|(p, _)| p.name == record.partner) else {
            println!("{}  failed: partner {:?} is no longer in the pipeline", record.id, record.partner);
            outcome = Outcome::Failures;
            continue;
        };
        let copy: Copy = match log.store.copy_of(&record.id)?.map(|c| serde_json::from_str(&c)) {
            Some(Ok(copy)) => copy,
            _ => {
                println!("{}  failed: the log has no copy to send", record.id);
                outcome = Outcome::Failures;
                continue;
            }
        };
        let deadline = Instant::now() + deliverer.max_wait();
        let result = deliverer.deliver(&copy, partner.channel.name(), channel.as_ref(), deadline, again).await;
        let report = deliver_report(&copy, partner, result);
        println!(
            "{}  {:<7} {} ({}){}",
            report.id,
            format!("{:?}", report.status).to_lowercase(),
            report.partner,
            report.language,
            report.error.as_deref().map(|e| format!(": {e}")).unwrap_or_default()
        );
        if report.status == newswire::pipeline::Status::Failed {
            outcome = Outcome::Failures;
        }
    }
    Ok(outcome)
}

pub async fn due(path: &Path) -> Result<Outcome> {
    let Some(log) = open(path)? else { return Ok(Outcome::Unusable) };
    let records = log.store.due(now_unix())?;
    println!("{} deliveries due", records.len());
    resend(&log, records, false).await
}

pub async fn redeliver(path: &Path, id: &str) -> Result<Outcome> {
    let Some(log) = open(path)? else { return Ok(Outcome::Unusable) };
    let Some(record) = log.store.delivery(id)? else { bail!("{}: no delivery {id} in the log", path.display()) };
    resend(&log, vec![record], true).await
}

pub async fn recover(path: &Path, partner: &str, since: &str) -> Result<Outcome> {
    let Some(log) = open(path)? else { return Ok(Outcome::Unusable) };
    let since = parse_since(since)?;
    let records: Vec<DeliveryRecord> = log
        .store
        .deliveries(Some(partner), None)?
        .into_iter()
        .filter(|r| matches!(r.state, DeliveryState::Failed | DeliveryState::Retrying | DeliveryState::InProgress))
        .filter(|r| r.updated_at >= since)
        .collect();
    println!("{} deliveries to {partner} to recover", records.len());
    resend(&log, records, false).await
}

/// RFC 3339, or a duration ago ("6h").
fn parse_since(text: &str) -> Result<i64> {
    if let Ok(t) = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let ago = parse_duration(text).map_err(|e| anyhow::anyhow!("--since {text}: not RFC 3339 nor a duration ({e})"))?;
    Ok(now_unix() - ago.as_secs() as i64)
}
