//! One function per command. Errors that make the whole command unusable return `Err` (exit 2);
//! failures of single inputs are reported and give `Outcome::Failures` (exit 1).

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde_json::json;

use crate::cli::{CleanFormat, Command, TranslateFormat};
use newswire::clean::{self, ArticleCleaner, Cleaner};
use newswire::config::{ConfigError, Pipeline, Problem, Severity};
use newswire::detect::{languages, Detector, LinguaDetector};
use newswire::ingest::{self, IngestError, Limits, WebClient};
use newswire::model::{Article, RawPage};
use newswire::pipeline::{self, RunOptions};
use newswire::store::SqliteStore;
use newswire::syndicate::{render::Templates, sign};
use newswire::translate::Translator;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success = 0,
    Failures = 1,
    Unusable = 2,
}

pub async fn dispatch(command: Command) -> Result<Outcome> {
    match command {
        Command::Run { pipeline, inputs, json, dry_run, state } => run(&pipeline, inputs, json, dry_run, state).await,
        Command::Check { pipeline } => check(&pipeline).await,
        Command::Detect { files, json, pipeline } => detect(&files, json, pipeline.as_deref()).await,
        Command::Clean { inputs, format } => clean_pages(&inputs, format).await,
        Command::Translate { file, to, from, pipeline, format, no_clean } => {
            translate(&file, &to, from, pipeline.as_deref(), format, no_clean).await
        }
        Command::Deliveries { pipeline, partner, state, json } => {
            crate::deliveries::list(&pipeline, partner.as_deref(), state.as_deref(), json)
        }
        Command::Deliver { pipeline, .. } => crate::deliveries::due(&pipeline).await,
        Command::Redeliver { pipeline, delivery_id } => crate::deliveries::redeliver(&pipeline, &delivery_id).await,
        Command::Recover { pipeline, partner, since } => crate::deliveries::recover(&pipeline, &partner, &since).await,
        Command::Enable { pipeline, partner } => crate::deliveries::enable(&pipeline, &partner),
        Command::Kill { pipeline, article_id } => crate::deliveries::kill(&pipeline, &article_id).await,
        Command::VerifyWebhook { secret, id, timestamp, signature, body } => {
            verify_webhook(&secret, &id, timestamp, &signature, body.as_deref())
        }
    }
}

/// Loads a pipeline, printing its problems; `None` when it is unusable.
pub fn load_pipeline(path: &Path) -> Option<Pipeline> {
    match Pipeline::load(path) {
        Ok((pipeline, warnings)) => {
            for warning in warnings {
                eprintln!("{warning}");
            }
            Some(pipeline)
        }
        Err(ConfigError { problems }) => {
            for problem in problems {
                eprintln!("{problem}");
            }
            None
        }
    }
}

async fn run(path: &Path, inputs: Vec<String>, json: bool, dry_run: bool, state: Option<PathBuf>) -> Result<Outcome> {
    let Some(pipeline) = load_pipeline(path) else {
        return Ok(Outcome::Unusable);
    };
    let report = pipeline::run(&pipeline, RunOptions { inputs, dry_run, progress: true, state })
        .await
        .with_context(|| format!("{}: cannot run", path.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        eprint!("{}", report.summary());
    } else {
        print!("{}", report.summary());
    }
    Ok(if report.has_failures() { Outcome::Failures } else { Outcome::Success })
}

async fn check(path: &Path) -> Result<Outcome> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let (pipeline, mut problems) = match Pipeline::parse(path, &text) {
        Ok((pipeline, warnings)) => (Some(pipeline), warnings),
        Err(ConfigError { problems }) => (None, problems),
    };
    if let Some(pipeline) = &pipeline {
        if let Err(err) = Templates::load(pipeline.templates.as_deref()) {
            let place =
                pipeline.templates.as_ref().map_or("built-in templates".to_string(), |d| d.display().to_string());
            problems.push(Problem {
                file: path.to_path_buf(),
                line: 1,
                column: 1,
                severity: Severity::Error,
                message: format!("{place}: {err:#}"),
            });
        }
        problems.extend(missing_pairs(pipeline).await);
    }
    for problem in &problems {
        println!("{problem}");
    }
    let errors = problems.iter().filter(|p| p.severity == Severity::Error).count();
    if errors > 0 {
        println!("{}: not usable ({errors} error{})", path.display(), if errors == 1 { "" } else { "s" });
        return Ok(Outcome::Unusable);
    }
    let pipeline = pipeline.expect("no errors means a pipeline");
    let translator = Translator::from_pipeline(&pipeline);
    translator.warm_up().await;
    for line in translator.descriptions() {
        println!("backend {line}");
    }
    println!(
        "{}: usable ({} partner{}, languages {}, translation targets {})",
        path.display(),
        pipeline.partners.len(),
        if pipeline.partners.len() == 1 { "" } else { "s" },
        pipeline.detect.languages.join(" "),
        pipeline.target_languages().join(" ")
    );
    Ok(Outcome::Success)
}

/// Warnings for every (article language, partner language) pair no backend translates.
async fn missing_pairs(pipeline: &Pipeline) -> Vec<Problem> {
    let translator = Translator::from_pipeline(pipeline);
    let mut problems: Vec<Problem> = translator
        .warm_up()
        .await
        .into_iter()
        .map(|err| Problem {
            file: pipeline.file.clone(),
            line: 1,
            column: 1,
            severity: Severity::Warning,
            message: format!("{err}: its pairs are unknown"),
        })
        .collect();
    if translator.pairs().is_empty() && !pipeline.target_languages().is_empty() {
        problems.push(Problem {
            file: pipeline.file.clone(),
            line: 1,
            column: 1,
            severity: Severity::Error,
            message: format!(
                "backends {} translate no pair: is Apertium installed? (`make demo` installs it)",
                pipeline.translate_chain.join(", ")
            ),
        });
        return problems;
    }
    for partner in &pipeline.partners {
        for to in partner.languages.iter().filter(|l| *l != "*") {
            let missing: Vec<&str> = pipeline
                .detect
                .languages
                .iter()
                .filter(|from| *from != to && !translator.supports(from, to))
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                problems.push(Problem {
                    file: pipeline.file.clone(),
                    line: partner.languages_at.0,
                    column: partner.languages_at.1,
                    severity: Severity::Warning,
                    message: format!(
                        "partner {:?} wants {to}, but no backend translates {}→{to}: such articles are skipped for it",
                        partner.name,
                        missing.join(","),
                    ),
                });
            }
        }
    }
    problems
}

/// Reads a file or fetches a URL into a page.
async fn read_input(input: &str, client: &WebClient, max_bytes: u64) -> Result<RawPage, IngestError> {
    if input.starts_with("http://") || input.starts_with("https://") {
        return client.fetch_page(input).await;
    }
    let path = Path::new(input);
    let size = std::fs::metadata(path).map_err(|err| IngestError::permanent(input, err.to_string()))?.len();
    if size > max_bytes {
        return Err(IngestError::permanent(
            input,
            format!("the page is {}, over the {} limit", ingest::megabytes(size), ingest::megabytes(max_bytes)),
        ));
    }
    let bytes = std::fs::read(path).map_err(|err| IngestError::permanent(input, err.to_string()))?;
    let kind = if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("txt")) { "text/plain" } else { "text/html" };
    ingest::page_from_bytes(input, &bytes, Some(kind.to_string()), None)
}

fn default_limits() -> Limits {
    Limits { max_bytes: newswire::config::DEFAULT_MAX_BYTES, timeout: std::time::Duration::from_secs(20) }
}

async fn detect(files: &[std::path::PathBuf], as_json: bool, pipeline: Option<&Path>) -> Result<Outcome> {
    let codes = match pipeline {
        Some(path) => match load_pipeline(path) {
            Some(p) => p.detect.languages,
            None => return Ok(Outcome::Unusable),
        },
        None => languages::supported_codes(),
    };
    let detector = tokio::task::spawn_blocking(move || LinguaDetector::new(&codes)).await?;
    let client = WebClient::new(&default_limits())?;
    let mut rows = Vec::new();
    let mut outcome = Outcome::Success;
    for file in files {
        let name = file.display().to_string();
        let row = match read_input(&name, &client, default_limits().max_bytes).await {
            Ok(page) => {
                let text = match ArticleCleaner.clean(&page) {
                    Ok(article) => article.plain_text(),
                    Err(_) => page.text.clone(),
                };
                let detection = detector.detect(&text);
                json!({"file": name, "language": detection.language, "confidence": round3(detection.confidence)})
            }
            Err(err) => {
                outcome = Outcome::Failures;
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
    Ok(outcome)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn article_json(source: &str, article: &Article, detector: Option<&LinguaDetector>) -> serde_json::Value {
    let rendered = clean::render(article);
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

async fn clean_pages(inputs: &[String], format: CleanFormat) -> Result<Outcome> {
    let client = WebClient::new(&default_limits())?;
    let needs_language = matches!(format, CleanFormat::Json | CleanFormat::Jsonl);
    let detector = if needs_language { Some(tokio::task::spawn_blocking(LinguaDetector::all).await?) } else { None };
    let mut outcome = Outcome::Success;
    let mut documents = Vec::new();
    for input in inputs {
        let cleaned = match read_input(input, &client, default_limits().max_bytes).await {
            Ok(page) => ArticleCleaner.clean(&page).map_err(|err| err.to_string()),
            Err(err) => Err(err.to_string()),
        };
        let article = match cleaned {
            Ok(article) => article,
            Err(message) => {
                outcome = Outcome::Failures;
                if format == CleanFormat::Jsonl {
                    println!("{}", json!({"source": input, "error": message}));
                } else {
                    eprintln!("error: {message}");
                }
                continue;
            }
        };
        match format {
            CleanFormat::Jsonl => println!("{}", article_json(input, &article, detector.as_ref())),
            CleanFormat::Json => documents.push(article_json(input, &article, detector.as_ref())),
            CleanFormat::Text => {
                let rendered = clean::render(&article);
                println!("{}\n\n{}", article.title, rendered.text);
            }
            CleanFormat::Html => {
                let rendered = clean::render(&article);
                println!("<h1>{}</h1>\n{}", clean::escape(&article.title), rendered.html);
            }
            CleanFormat::Markdown => {
                let rendered = clean::render(&article);
                println!("# {}\n\n{}", article.title, rendered.markdown);
            }
        }
    }
    if format == CleanFormat::Json {
        match documents.len() {
            0 => {}
            1 if inputs.len() == 1 => println!("{}", serde_json::to_string_pretty(&documents[0])?),
            _ => println!("{}", serde_json::to_string_pretty(&documents)?),
        }
    }
    Ok(outcome)
}

async fn translate(
    file: &Path,
    to: &str,
    from: Option<String>,
    pipeline: Option<&Path>,
    format: TranslateFormat,
    no_clean: bool,
) -> Result<Outcome> {
    if languages::by_code(to).is_none() {
        bail!("--to {to}: unknown or unsupported language (supported: {})", languages::supported_codes().join(" "));
    }
    let translator = match pipeline {
        Some(path) => match load_pipeline(path) {
            Some(p) => {
                let store = SqliteStore::open(&p.state)?;
                Translator::from_pipeline(&p).with_memory(std::sync::Arc::new(store))
            }
            None => return Ok(Outcome::Unusable),
        },
        None => Translator::apertium_default(),
    };
    for err in translator.warm_up().await {
        eprintln!("warning: {err}: its pairs are unknown");
    }
    let name = file.display().to_string();
    let client = WebClient::new(&default_limits())?;
    let page = match read_input(&name, &client, default_limits().max_bytes).await {
        Ok(page) => page,
        Err(err) => {
            eprintln!("error: {err}");
            return Ok(Outcome::Failures);
        }
    };
    let mut article = if no_clean {
        Article {
            id: name.clone(),
            source: name.clone(),
            blocks: clean::blocks_as_given(&page.text),
            ..Article::default()
        }
    } else {
        match ArticleCleaner.clean(&page) {
            Ok(article) => article,
            Err(err) => {
                eprintln!("error: {err}");
                return Ok(Outcome::Failures);
            }
        }
    };
    let detector = tokio::task::spawn_blocking(LinguaDetector::all).await?;
    let from = match from {
        Some(code) => code,
        None => match detector.detect(&article.plain_text()).language {
            Some(code) => code,
            None => bail!("{name}: cannot tell the article's language; give it with --from"),
        },
    };
    article.language = Some(from.clone());
    newswire::detect::mixed::mark_languages(&mut article, &detector);
    let translation = if from == to {
        newswire::model::Translation {
            language: to.to_string(),
            backend: None,
            title: article.title.clone(),
            blocks: article.blocks.clone(),
            chars_sent: 0,
            chars_cached: 0,
        }
    } else {
        match translator.translate(&article, to).await {
            Ok(t) => t,
            Err(err) => {
                eprintln!("error: {name}: {err}");
                return Ok(Outcome::Failures);
            }
        }
    };
    let html = clean::render::to_html(&translation.blocks);
    let text = clean::render::to_text(&html);
    let has_title = !translation.title.trim().is_empty();
    match format {
        TranslateFormat::Text if has_title => println!("{}\n\n{text}", translation.title),
        TranslateFormat::Text => println!("{text}"),
        TranslateFormat::Html if has_title => {
            println!("<h1>{}</h1>\n{html}", clean::escape(&translation.title))
        }
        TranslateFormat::Html => print!("{html}"),
        TranslateFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "language": to,
                "source_language": from,
                "backend": translation.backend,
                "title": translation.title,
                "html": html,
                "text": text,
                "chars_sent": translation.chars_sent,
                "chars_cached": translation.chars_cached,
            }))?
        ),
    }
    Ok(Outcome::Success)
}

fn verify_webhook(secret: &str, id: &str, timestamp: i64, signature: &str, body: Option<&Path>) -> Result<Outcome> {
    let body = match body {
        Some(path) => std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?,
        None => {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf)?;
            buf
        }
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    match sign::verify(secret, id, timestamp, signature, &body, now) {
        Ok(()) => {
            println!("valid: signature matches webhook-id {id}");
            Ok(Outcome::Success)
        }
        Err(err) => {
            println!("invalid: {err}");
            Ok(Outcome::Failures)
        }
    }
}
