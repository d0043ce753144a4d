//! The delivery-log commands: `deliveries`, `deliver --due`, `redeliver`, `recover`, `enable`.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::commands::{load_pipeline, Outcome};
use newswire::config::{parse_duration, Pipeline};
use newswire::pipeline::deliver_report;
use newswire::store::{DeliveryRecord, DeliveryState, SqliteStore, Store};
use newswire::syndicate::deliver::{now_unix, Deliverer, Send};
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

/// The notice that replaces a killed story's text.
const KILL_NOTICE: &str = "This story has been withdrawn. Do not publish it; remove it if it was published.";

pub async fn kill(path: &Path, article: &str) -> Result<Outcome> {
    let Some(log) = open(path)? else { return Ok(Outcome::Unusable) };
    let delivered: Vec<DeliveryRecord> = log
        .store
        .deliveries(None, Some(DeliveryState::Delivered))?
        .into_iter()
        .filter(|d| d.article == article)
        .collect();
    log.store.kill_article(article)?;
    // The newest version each partner has, per language.
    let mut latest: Vec<(u32, DeliveryRecord)> = Vec::new();
    for record in delivered {
        let version = log.store.article_version(&record.article, &record.version)?;
        match latest.iter_mut().find(|(_, r)| r.partner == record.partner && r.language == record.language) {
            Some(entry) if entry.0 < version => *entry = (version, record),
            Some(_) => {}
            None => latest.push((version, record)),
        }
    }
    if latest.is_empty() {
        println!("{article} is killed: no partner had received it, nothing to send");
        return Ok(Outcome::Success);
    }
    let mut kills = Vec::new();
    for (_, record) in latest {
        let Some(Ok(mut copy)) = log.store.copy_of(&record.id)?.map(|c| serde_json::from_str::<Copy>(&c)) else {
            continue;
        };
        copy.event = newswire::syndicate::Event::Killed;
        copy.delivery_id = newswire::model::delivery_id(
            article,
            &format!("kill:{}", record.version),
            &record.language,
            &record.partner,
        );
        copy.html = format!("<p>{KILL_NOTICE}</p>\n");
        copy.text = KILL_NOTICE.to_string();
        kills.push(copy);
    }
    println!("{article} is killed; telling {} partner copies", kills.len());
    send_copies(&log, kills, Send::Continue).await
}

/// Sends a set of logged deliveries through their partners' channels.
async fn resend(log: &Log, records: Vec<DeliveryRecord>, send: Send) -> Result<Outcome> {
    let mut copies = Vec::new();
    let mut outcome = Outcome::Success;
    for record in records {
        match log.store.copy_of(&record.id)?.map(|c| serde_json::from_str::<Copy>(&c)) {
            Some(Ok(copy)) => copies.push(copy),
            _ => {
                println!("{}  failed: the log has no copy to send", record.id);
                outcome = Outcome::Failures;
            }
        }
    }
    let sent = send_copies(log, copies, send).await?;
    Ok(if sent == Outcome::Success { outcome } else { sent })
}

async fn send_copies(log: &Log, copies: Vec<Copy>, send: Send) -> Result<Outcome> {
    let templates = Arc::new(Templates::load(log.pipeline.templates.as_deref())?);
    let channels: Vec<PartnerChannel> = syndicate::channels(&log.pipeline, templates)?;
    let deliverer: Deliverer = newswire::pipeline::deliverer(&log.pipeline, log.store.clone())?;
    let mut outcome = Outcome::Success;
    for copy in copies {
        let Some((partner, channel)) = channels.iter().find(|(p, _)| p.name == copy.partner) else {
            println!("{}  failed: partner {:?} is no longer in the pipeline", copy.delivery_id, copy.partner);
            outcome = Outcome::Failures;
            continue;
        };
        let deadline = Instant::now() + deliverer.max_wait();
        let result = deliverer.deliver(&copy, partner.channel.name(), channel.as_ref(), deadline, send).await;
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
    resend(&log, records, Send::Continue).await
}

pub async fn redeliver(path: &Path, id: &str) -> Result<Outcome> {
    let Some(log) = open(path)? else { return Ok(Outcome::Unusable) };
    let Some(record) = log.store.delivery(id)? else { bail!("{}: no delivery {id} in the log", path.display()) };
    resend(&log, vec![record], Send::Again).await
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
    resend(&log, records, Send::Afresh).await
}

/// RFC 3339, or a duration ago ("6h").
fn parse_since(text: &str) -> Result<i64> {
    if let Ok(t) = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let ago = parse_duration(text).map_err(|e| anyhow::anyhow!("--since {text}: not RFC 3339 nor a duration ({e})"))?;
    Ok(now_unix() - ago.as_secs() as i64)
}
