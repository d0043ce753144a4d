//! `newswire translate`: one article cleaned and translated, printed as text, HTML or JSON.

use std::path::Path;

use anyhow::{bail, Result};
use serde_json::json;

use super::{default_limits, load_pipeline, ExitStatus, TranslateFormat};
use newswire::clean::render::{to_html, to_text};
use newswire::html::escape;
use newswire::ingest::{self, WebClient};
use newswire::languages;
use newswire::pipeline::single::{self, SingleOptions};
use newswire::pipeline::stages;
use newswire::translate::Translator;

pub async fn translate(
    file: &Path,
    to: &str,
    from: Option<String>,
    pipeline: Option<&Path>,
    format: TranslateFormat,
    no_clean: bool,
) -> Result<ExitStatus> {
    if languages::by_code(to).is_none() {
        bail!("--to {to}: unknown or unsupported language (supported: {})", languages::supported_codes().join(" "));
    }
    let translator = match pipeline {
        Some(path) => match load_pipeline(path) {
            Some(p) => {
                let store = stages::store(&p, None).await?;
                stages::translator(&p, Some(store))
            }
            None => return Ok(ExitStatus::Unusable),
        },
        None => Translator::apertium_default(),
    };
    for err in translator.warm_up().await {
        eprintln!("warning: {err}: its pairs are unknown");
    }
    let name = file.display().to_string();
    let limits = default_limits();
    let page = match ingest::read_one(&name, &WebClient::new(&limits)?, limits.max_bytes).await {
        Ok(page) => page,
        Err(err) => {
            eprintln!("error: {err}");
            return Ok(ExitStatus::Failures);
        }
    };
    let detector = stages::detector(languages::supported_codes()).await;
    let options = SingleOptions { as_given: no_clean, from, to };
    let (article, translation) = match single::translate_page(
        &page,
        options,
        stages::cleaner().as_ref(),
        detector.as_ref(),
        &translator,
    )
    .await
    {
        Ok(done) => done,
        Err(err @ single::SingleError::Undetermined(_)) => bail!("{err}"),
        Err(err) => {
            eprintln!("error: {err}");
            return Ok(ExitStatus::Failures);
        }
    };
    let html = to_html(&translation.blocks);
    let text = to_text(&html);
    let has_title = !translation.title.trim().is_empty();
    match format {
        TranslateFormat::Text if has_title => println!("{}\n\n{text}", translation.title),
        TranslateFormat::Text => println!("{text}"),
        TranslateFormat::Html if has_title => println!("<h1>{}</h1>\n{html}", escape(&translation.title)),
        TranslateFormat::Html => print!("{html}"),
        TranslateFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "language": to,
                "source_language": article.language,
                "backend": translation.backend,
                "title": translation.title,
                "html": html,
                "text": text,
                "chars_sent": translation.chars_sent,
                "chars_cached": translation.chars_cached,
            }))?
        ),
    }
    Ok(ExitStatus::Success)
}
