//! `newswire detect`: the language of files or URLs (of their article text when one is found).

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde_json::json;

use super::{default_limits, load_pipeline, ExitStatus};
use newswire::ingest::{self, WebClient};
use newswire::languages;
use newswire::pipeline::stages;

pub async fn detect(files: &[PathBuf], as_json: bool, pipeline: Option<&Path>) -> Result<ExitStatus> {
    let codes = match pipeline {
        Some(path) => match load_pipeline(path) {
            Some(p) => p.detect.languages,
            None => return Ok(ExitStatus::Unusable),
        },
        None => languages::supported_codes(),
    };
    let detector = stages::detector(codes).await;
    let cleaner = stages::cleaner();
    let limits = default_limits();
    let client = WebClient::new(&limits)?;
    let mut rows = Vec::new();
    let mut status = ExitStatus::Success;
    for file in files {
        let name = file.display().to_string();
        let row = match ingest::read_one(&name, &client, limits.max_bytes).await {
            Ok(page) => {
                let text = match cleaner.clean(&page) {
                    Ok(article) => article.plain_text(),
                    Err(_) => page.text.clone(),
                };
                let detection = detector.detect(&text);
                json!({"file": name, "language": detection.language, "confidence": round3(detection.confidence)})
            }
            Err(err) => {
                status = ExitStatus::Failures;
                eprintln!("error: {err}");
                json!({"file": name, "language": null, "confidence": 0.0, "error": err.problem})
            }
        };
        if !as_json && row.get("error").is_none() {
            println!(
                "{}\t{}\t{:.3}",
                name,
                row["language"].as_str().unwrap_or("und"),
                row["confidence"].as_f64().unwrap_or(0.0)
            );
        }
        rows.push(row);
    }
    if as_json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    }
    Ok(status)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
