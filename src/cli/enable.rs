//! `newswire enable`: a disabled partner receives copies again.

use std::path::Path;

use anyhow::Result;

use super::{load_pipeline, ExitStatus};
use newswire::pipeline::deliveries::DeliveryLog;

pub async fn enable(path: &Path, partner: &str) -> Result<ExitStatus> {
    let Some(pipeline) = load_pipeline(path) else { return Ok(ExitStatus::Unusable) };
    let log = DeliveryLog::open(pipeline, None).await?;
    match log.enable(partner).await.map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))? {
        true => println!("{partner} is enabled again; `newswire recover` resends what failed meanwhile"),
        false => println!("{partner} was not disabled"),
    }
    Ok(ExitStatus::Success)
}
