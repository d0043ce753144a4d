//! `newswire redeliver`: one delivery sent again, with the same id, even if it was delivered.

use std::path::Path;

use anyhow::Result;

use super::deliveries::print_reports;
use super::{load_pipeline, ExitStatus};
use newswire::pipeline::deliveries::DeliveryLog;
use newswire::syndicate::deliver::SendMode;

pub async fn redeliver(path: &Path, id: &str) -> Result<ExitStatus> {
    let Some(pipeline) = load_pipeline(path) else { return Ok(ExitStatus::Unusable) };
    let log = DeliveryLog::open(pipeline, None).await?;
    let record = log.delivery(id).await.map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?;
    Ok(print_reports(&log.resend(vec![record], SendMode::Again).await?))
}
