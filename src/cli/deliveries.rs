//! `newswire deliveries`: the delivery log, filtered by partner and state.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::json;

use super::{load_pipeline, ExitStatus};
use newswire::pipeline::deliveries::DeliveryLog;
use newswire::secret::redact;
use newswire::store::DeliveryState;

pub async fn list(path: &Path, partner: Option<&str>, state: Option<&str>, json: bool) -> Result<ExitStatus> {
    let Some(pipeline) = load_pipeline(path) else { return Ok(ExitStatus::Unusable) };
    let state = match state {
        Some(s) => Some(DeliveryState::parse(s).with_context(|| {
            format!("--state {s}: not a delivery state (pending, in-progress, delivered, retrying, failed, canceled, in-review)")
        })?),
        None => None,
    };
    let records = DeliveryLog::open(pipeline, None).await?.list(partner, state).await?;
    if json {
        let rows: Vec<serde_json::Value> = records
            .iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "article": r.article,
                    "content_hash": r.content_hash,
                    // The content hash under its first name, kept for scripts that read it.
                    "version": r.content_hash,
                    "language": r.language,
                    "partner": r.partner,
                    "state": r.state,
                    "attempts": r.attempts,
                    "last_error": r.last_error,
                    "next_attempt": r.next_attempt,
                })
            })
            .collect();
        println!("{}", redact(&serde_json::to_string_pretty(&rows)?));
        return Ok(ExitStatus::Success);
    }
    for r in &records {
        println!(
            "{}  {:<11} {:<12} {:<3} attempts {}  {}{}",
            r.id,
            r.state.as_str(),
            r.partner,
            r.language,
            r.attempts,
            r.article,
            r.last_error.as_deref().map(|e| format!("  ({})", redact(e))).unwrap_or_default()
        );
    }
    println!("{} deliveries", records.len());
    Ok(ExitStatus::Success)
}

/// One line per delivery a resend made; Failures when any failed.
pub fn print_reports(reports: &[newswire::pipeline::DeliveryReport]) -> ExitStatus {
    for report in reports {
        println!(
            "{}  {:<7} {} ({}){}",
            report.id,
            format!("{:?}", report.status).to_lowercase(),
            report.partner,
            report.language,
            report.error.as_deref().map(|e| format!(": {}", redact(e))).unwrap_or_default()
        );
    }
    ExitStatus::failed_if(reports.iter().any(|r| r.status == newswire::pipeline::Status::Failed))
}
