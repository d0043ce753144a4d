//! `newswire recover`: what failed for a partner since a time, sent again with the retry schedule
//! started over.

use std::path::Path;

use anyhow::Result;

use super::deliveries::print_reports;
use super::{load_pipeline, ExitStatus};
use newswire::pipeline::deliveries::{parse_since, DeliveryLog};
use newswire::syndicate::deliver::SendMode;

pub async fn recover(path: &Path, partner: &str, since: &str) -> Result<ExitStatus> {
    let Some(pipeline) = load_pipeline(path) else { return Ok(ExitStatus::Unusable) };
    let since = parse_since(since).map_err(|why| anyhow::anyhow!("--since {why}"))?;
    let log = DeliveryLog::open(pipeline, None).await?;
    let records = log.to_recover(partner, since).await?;
    println!("{} deliveries to {partner} to recover", records.len());
    Ok(print_reports(&log.resend(records, SendMode::Afresh).await?))
}
