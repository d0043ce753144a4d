//! `newswire deliver --due`: the retries and lifted embargoes whose time has come (for cron).

use std::path::Path;

use anyhow::Result;

use super::deliveries::print_reports;
use super::{load_pipeline, ExitStatus};
use newswire::pipeline::deliveries::DeliveryLog;

pub async fn due(path: &Path) -> Result<ExitStatus> {
    let Some(pipeline) = load_pipeline(path) else { return Ok(ExitStatus::Unusable) };
    let log = DeliveryLog::open(pipeline, None).await?;
    let (_stop, never) = tokio::sync::watch::channel(false);
    let reports = log.send_due(&never).await?;
    println!("{} deliveries due", reports.len());
    Ok(print_reports(&reports))
}
