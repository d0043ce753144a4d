//! `newswire run`: a desk's pipeline over its sources (or `--input`), then the summary.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::{load_pipeline, ExitStatus};
use newswire::pipeline::{self, RunOptions};
use newswire::secret::redact;

pub async fn run(
    path: &Path,
    inputs: Vec<String>,
    json: bool,
    dry_run: bool,
    state: Option<PathBuf>,
) -> Result<ExitStatus> {
    let Some(pipeline) = load_pipeline(path) else {
        return Ok(ExitStatus::Unusable);
    };
    let report = pipeline::run(&pipeline, RunOptions { inputs, dry_run, progress: true, state })
        .await
        .with_context(|| format!("{}: cannot run", path.display()))?;
    let summary = report.summary();
    if json {
        println!("{}", redact(&serde_json::to_string_pretty(&report)?));
        eprint!("{}", redact(&summary));
    } else {
        print!("{}", redact(&summary));
    }
    Ok(ExitStatus::failed_if(report.has_failures()))
}
