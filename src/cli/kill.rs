//! `newswire kill`: withdraw an article; everyone who received it gets pubstatus canceled.

use std::path::Path;

use anyhow::Result;

use super::deliveries::print_reports;
use super::{load_pipeline, ExitStatus};
use newswire::pipeline::deliveries::DeliveryLog;

pub async fn kill(path: &Path, article: &str) -> Result<ExitStatus> {
    let Some(pipeline) = load_pipeline(path) else { return Ok(ExitStatus::Unusable) };
    let killed = DeliveryLog::open(pipeline, None).await?.kill(article).await?;
    if killed.kills.is_empty() {
        println!("{article} is killed: no partner had received it, nothing to send");
        return Ok(ExitStatus::Success);
    }
    println!("{article} is killed; telling {} partner copies", killed.kills.len());
    Ok(print_reports(&killed.kills))
}
