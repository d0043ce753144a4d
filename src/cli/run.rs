//! `newswire run`: a desk's pipeline over its sources (or `--input`), then the summary.

use std::path::Path;

use anyhow::{Context, Result};

use super::{load_pipeline, ExitStatus};
use newswire::pipeline::{self, ArticleReport, JsonReport, RunOptions};
use newswire::secret::redact;
use newswire::store::Location;

pub async fn run(
    path: &Path,
    inputs: Vec<String>,
    json: bool,
    dry_run: bool,
    state: Option<String>,
) -> Result<ExitStatus> {
    let Some(pipeline) = load_pipeline(path) else {
        return Ok(ExitStatus::Unusable);
    };
    let mut json_out = match json {
        true => Some(JsonReport::begin(std::io::stdout().lock(), &pipeline.name, dry_run)),
        false => None,
    };
    let mut write_failed = None;
    let mut on_article = |article: &ArticleReport| {
        if let Some(out) = json_out.as_mut().filter(|_| write_failed.is_none()) {
            write_failed = out.article(article, |text| redact(text).into_owned()).err();
        }
    };
    let report = pipeline::run(
        &pipeline,
        RunOptions {
            inputs,
            dry_run,
            progress: true,
            state: state.as_deref().map(Location::parse),
            ..RunOptions::default()
        },
        &mut on_article,
    )
    .await
    .with_context(|| format!("{}: cannot run", path.display()))?;
    let summary = redact(&report.summary()).into_owned();
    match json_out {
        Some(out) => {
            if let Some(err) = write_failed {
                return Err(err).context("writing the report");
            }
            out.finish(&report).context("writing the report")?;
            eprint!("{summary}");
        }
        None => print!("{summary}"),
    }
    Ok(ExitStatus::failed_if(report.has_failures()))
}
