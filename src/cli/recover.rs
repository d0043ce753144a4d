//! `newswire recover`: what failed for a partner since a time, sent again with the retry schedule
//! started over.

use std::path::Path;

use anyhow::Result;

use super::deliveries::print_reports;
use super::{load_pipeline, ExitStatus};
use newswire::config::parse_duration;
use newswire::pipeline::deliveries::DeliveryLog;
use newswire::syndicate::deliver::{now_unix, SendMode};

pub async fn recover(path: &Path, partner: &str, since: &str) -> Result<ExitStatus> {
    let Some(pipeline) = load_pipeline(path) else { return Ok(ExitStatus::Unusable) };
    let since = parse_since(since)?;
    let log = DeliveryLog::open(pipeline, None).await?;
    let records = log.to_recover(partner, since).await?;
    println!("{} deliveries to {partner} to recover", records.len());
    Ok(print_reports(&log.resend(records, SendMode::Afresh).await?))
}

/// RFC 3339, or a duration ago ("6h").
fn parse_since(text: &str) -> Result<i64> {
    if let Ok(t) = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let ago = parse_duration(text).map_err(|e| anyhow::anyhow!("--since {text}: not RFC 3339 nor a duration ({e})"))?;
    Ok(now_unix() - ago.as_secs() as i64)
}
