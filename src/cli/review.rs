//! `newswire review`: what waits for an editor, out to a CAT tool or a page, and back in.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::deliveries::print_reports;
use super::{load_pipeline, ExitStatus, ExportFormat, ReviewCommand};
use newswire::pipeline::deliveries::DeliveryLog;
use newswire::pipeline::review::{age, ReviewDesk, ReviewError};
use newswire::review::xliff::{self, Version};
use newswire::review::{page, Draft};
use newswire::secret::redact;

pub async fn review(command: ReviewCommand) -> Result<ExitStatus> {
    match command {
        ReviewCommand::List { pipeline, json } => list(&pipeline, json).await,
        ReviewCommand::Export { pipeline, format, out } => export(&pipeline, format, &out).await,
        ReviewCommand::Import { pipeline, files, by } => import(&pipeline, &files, by.as_deref()).await,
        ReviewCommand::Approve { pipeline, article, language, by } => {
            approve(&pipeline, &article, language.as_deref(), by.as_deref()).await
        }
    }
}

async fn desk(path: &Path) -> Result<Option<ReviewDesk>> {
    let Some(pipeline) = load_pipeline(path) else { return Ok(None) };
    Ok(Some(ReviewDesk::new(DeliveryLog::open(pipeline, None).await?)))
}

async fn list(path: &Path, json: bool) -> Result<ExitStatus> {
    let Some(desk) = desk(path).await? else { return Ok(ExitStatus::Unusable) };
    let waiting = desk.waiting().await?;
    if json {
        let rows: Vec<_> = waiting.iter().map(|(w, _)| w).collect();
        println!("{}", redact(&serde_json::to_string_pretty(&rows)?));
        return Ok(ExitStatus::Success);
    }
    for (w, _) in &waiting {
        let flags: Vec<String> = w.flag_counts.iter().map(|(f, n)| format!("{f} {n}")).collect();
        println!(
            "{}  {}→{}  {}  held {}  for {}\n    {}\n    flags: {}",
            w.record.id,
            w.source_language,
            w.record.language,
            redact(&w.record.article),
            age(w.age_seconds),
            w.partners.join(", "),
            w.title,
            if flags.is_empty() { "none (the desk reviews everything)".to_string() } else { flags.join(", ") }
        );
    }
    println!("{} waiting for review", waiting.len());
    Ok(ExitStatus::Success)
}

async fn export(path: &Path, format: ExportFormat, out: &Path) -> Result<ExitStatus> {
    let Some(desk) = desk(path).await? else { return Ok(ExitStatus::Unusable) };
    std::fs::create_dir_all(out).with_context(|| format!("cannot make {}", out.display()))?;
    let waiting = desk.waiting().await?;
    for (_, draft) in &waiting {
        let (text, extension) = match format {
            ExportFormat::Xliff => (xliff::export(draft, Version::V12), "xlf"),
            ExportFormat::Xliff2 => (xliff::export(draft, Version::V20), "xliff2.xlf"),
            ExportFormat::Html => (page::render(draft)?, "html"),
        };
        let file = out.join(file_name(draft, extension));
        std::fs::write(&file, text).with_context(|| format!("cannot write {}", file.display()))?;
        println!("{}", file.display());
    }
    eprintln!("{} file{} written", waiting.len(), if waiting.len() == 1 { "" } else { "s" });
    Ok(ExitStatus::Success)
}

/// `rev_…​.en-es.xlf`: one per article version and language, stable across exports.
fn file_name(draft: &Draft, extension: &str) -> String {
    format!("{}.{}-{}.{extension}", draft.id(), draft.source_language(), draft.translation.language)
}

async fn import(path: &Path, files: &[PathBuf], by: Option<&str>) -> Result<ExitStatus> {
    let Some(desk) = desk(path).await? else { return Ok(ExitStatus::Unusable) };
    // Every file is read and checked before any is applied: a refused file changes nothing.
    let mut accepted = Vec::new();
    let mut refused = 0;
    for file in files {
        let checked = async {
            let text = std::fs::read_to_string(file).map_err(|err| format!("cannot read it: {err}"))?;
            let returned = xliff::read(&text)?;
            let (record, draft) = desk.find(&returned.review, None).await.map_err(|err| err.to_string())?;
            let edits = xliff::edits(&returned, &draft)?;
            Ok::<_, String>((record, draft, edits))
        };
        match checked.await {
            Ok(ok) => accepted.push((file, ok)),
            Err(why) => {
                refused += 1;
                eprintln!("error: {}: refused, nothing applied: {}", file.display(), redact(&why));
            }
        }
    }
    let mut status = ExitStatus::failed_if(refused > 0);
    for (file, (record, draft, edits)) in accepted {
        let changed = edits
            .iter()
            .filter(|(i, html)| draft.translation.segments.get(*i).is_some_and(|s| s.target != *html))
            .count();
        match desk.release(&record, draft, &edits, by).await {
            Ok(reports) => {
                println!(
                    "{}: {} segment{} edited, review {} released",
                    file.display(),
                    changed,
                    plural(changed),
                    record.id
                );
                if print_reports(&reports) == ExitStatus::Failures {
                    status = ExitStatus::Failures;
                }
            }
            Err(err) => {
                eprintln!("error: {}: {}", file.display(), redact(&err.to_string()));
                status = ExitStatus::Failures;
            }
        }
    }
    Ok(status)
}

async fn approve(path: &Path, article: &str, language: Option<&str>, by: Option<&str>) -> Result<ExitStatus> {
    let Some(desk) = desk(path).await? else { return Ok(ExitStatus::Unusable) };
    let (record, draft) = match desk.find(article, language).await {
        Ok(found) => found,
        Err(err) => {
            eprintln!("error: {}", redact(&err.to_string()));
            return Ok(ExitStatus::Failures);
        }
    };
    let reports = match desk.release(&record, draft, &[], by).await {
        Ok(reports) => reports,
        Err(err @ (ReviewError::NotWaiting { .. } | ReviewError::Killed(_))) => {
            eprintln!("error: {}", redact(&err.to_string()));
            return Ok(ExitStatus::Failures);
        }
        Err(err) => return Err(err.into()),
    };
    println!("review {} approved", record.id);
    Ok(print_reports(&reports))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
