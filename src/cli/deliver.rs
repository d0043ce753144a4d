//! `newswire deliver --due`: the retries and lifted embargoes whose time has come (for cron).

use std::path::Path;

use anyhow::Result;

use super::deliveries::print_reports;
use super::{load_pipeline, ExitStatus};
use newswire::pipeline::deliveries::DeliveryLog;
use newswire::syndicate::deliver::SendMode;

pub async fn due(path: &Path) -> Result<ExitStatus> {
    let Some(pipeline) = load_pipeline(path) else { return Ok(ExitStatus::Unusable) };
    let log = DeliveryLog::open(pipeline, None)?;
    let due = log.due()?;
    println!("{} deliveries due", due.len());
    Ok(print_reports(&log.resend(due, SendMode::Continue).await?))
}
