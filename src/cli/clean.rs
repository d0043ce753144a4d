//! `newswire clean`: the article out of pages or URLs, as text, HTML, Markdown, JSON or JSON lines.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::json;

use super::{default_limits, CleanFormat, ExitStatus, Extractor};
use newswire::clean::{self, Cleaner};
use newswire::detect::Detector;
use newswire::html::escape;
use newswire::ingest::{self, WebClient};
use newswire::languages;
use newswire::model::Article;
use newswire::pipeline::stages;

pub async fn clean(
    inputs: &[String],
    format: CleanFormat,
    features: Option<&Path>,
    extractor: Extractor,
) -> Result<ExitStatus> {
    let limits = default_limits();
    let client = WebClient::new(&limits)?;
    let cleaner: Box<dyn Cleaner> = match extractor {
        Extractor::Rules => Box::new(clean::ArticleCleaner),
        Extractor::Learned => Box::new(clean::LearnedCleaner),
    };
    let needs_language = matches!(format, CleanFormat::Json | CleanFormat::Jsonl);
    let detector = if needs_language { Some(stages::detector(languages::supported_codes()).await) } else { None };
    let mut status = ExitStatus::Success;
    let mut documents = Vec::new();
    let mut features_out = match features {
        Some(path) => {
            let file = std::fs::File::create(path).with_context(|| format!("{}: cannot write", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            writeln!(out, "{}", json!({ "features": clean::features::names() }))?;
            Some(out)
        }
        None => None,
    };
    for input in inputs {
        let cleaned = match ingest::read_one(input, &client, limits.max_bytes).await {
            Ok(page) => {
                if let Some(out) = features_out.as_mut() {
                    for (k, candidate) in clean::candidates(&page).into_iter().flatten().enumerate() {
                        let line = json!({
                            "source": input,
                            "block": k,
                            "kind": candidate.block.kind,
                            "text": candidate.text,
                            "x": candidate.features,
                        });
                        writeln!(out, "{line}")?;
                    }
                }
                cleaner.clean(&page).map_err(|err| err.to_string())
            }
            Err(err) => Err(err.to_string()),
        };
        let article = match cleaned {
            Ok(article) => article,
            Err(message) => {
                status = ExitStatus::Failures;
                if format == CleanFormat::Jsonl {
                    println!("{}", json!({"source": input, "error": message}));
                } else {
                    eprintln!("error: {message}");
                }
                continue;
            }
        };
        let rendered = clean::render(&article);
        match format {
            CleanFormat::Jsonl => println!("{}", article_json(input, &article, rendered, detector.as_deref())),
            CleanFormat::Json => documents.push(article_json(input, &article, rendered, detector.as_deref())),
            CleanFormat::Text => println!("{}\n\n{}", article.title, rendered.text),
            CleanFormat::Html => println!("<h1>{}</h1>\n{}", escape(&article.title), rendered.html),
            CleanFormat::Markdown => println!("# {}\n\n{}", article.title, rendered.markdown),
        }
    }
    if let Some(mut out) = features_out {
        out.flush()?;
    }
    if format == CleanFormat::Json {
        match documents.len() {
            0 => {}
            1 if inputs.len() == 1 => println!("{}", serde_json::to_string_pretty(&documents[0])?),
            _ => println!("{}", serde_json::to_string_pretty(&documents)?),
        }
    }
    Ok(status)
}

fn article_json(
    source: &str,
    article: &Article,
    rendered: clean::Rendered,
    detector: Option<&dyn Detector>,
) -> serde_json::Value {
    let language = detector.and_then(|d| d.detect(&article.plain_text()).language);
    json!({
        "source": source,
        "title": article.title,
        "byline": article.byline,
        "published": article.published,
        "modified": article.modified,
        "section": article.section,
        "language": language,
        "declared_language": article.declared_language,
        "canonical_url": article.canonical_url,
        "description": article.description,
        "image": article.image,
        "html": rendered.html,
        "text": rendered.text,
        "markdown": rendered.markdown,
    })
}
