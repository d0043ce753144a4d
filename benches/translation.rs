//! The translate stage, measured:
//! 1. throughput against a local LibreTranslate-style server with a fixed latency that answers
//!    429 above a concurrency limit: time taken against the time that limit allows for the
//!    requests made, the 429s seen, and a second run that must bill nothing;
//! 2. quality on NTREX-128 eng→spa (`../shared/bench-data/translation`) through the whole stage
//!    with Apertium, scored by sacrebleu (BLEU, chrF), when the data and sacrebleu are there, and
//!    the quality flags raised on Apertium's output;
//! 3. the quality checks on NTREX's human translations (eng→spa, fra, por, cat, rus, ukr): how
//!    many good translations each flag would hold for an editor (its false alarms), and the cost
//!    of the checks per segment, language check included.
//!
//! Run: `cargo bench --bench translation`.

#[path = "support/data.rs"]
mod data;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use newswire::config::Pipeline;
use newswire::model::{Article, Block, BlockKind};
use newswire::pipeline::ARTICLES_IN_FLIGHT;

use newswire::translate::Translator;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const LATENCY: Duration = Duration::from_millis(50);
const SERVER_CONCURRENCY: usize = 4;
const ARTICLES: usize = 200;
const PARAGRAPHS: usize = 12;

#[derive(Default)]
struct Counters {
    in_flight: AtomicUsize,
    requests: AtomicUsize,
    rejected: AtomicUsize,
}

/// A LibreTranslate-style server: `POST /translate`, a fixed latency, 429 above its concurrency.
async fn serve(listener: TcpListener, counters: Arc<Counters>) {
    loop {
        let Ok((mut socket, _)) = listener.accept().await else { return };
        let counters = counters.clone();
        tokio::spawn(async move {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 64 * 1024];
            let (head_end, length) = loop {
                let Ok(n) = socket.read(&mut chunk).await else { return };
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0)))
                        .unwrap_or(0);
                    break (end + 4, length);
                }
            };
            while buf.len() < head_end + length {
                let Ok(n) = socket.read(&mut chunk).await else { return };
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            counters.requests.fetch_add(1, Ordering::SeqCst);
            let now = counters.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            let (status, body) = if now > SERVER_CONCURRENCY {
                counters.rejected.fetch_add(1, Ordering::SeqCst);
                ("429 Too Many Requests", r#"{"error":"Slowdown: too many requests"}"#.to_string())
            } else {
                tokio::time::sleep(LATENCY).await;
                let request: serde_json::Value = serde_json::from_slice(&buf[head_end..]).unwrap_or_default();
                let texts: Vec<String> = request["q"]
                    .as_array()
                    .map(|a| a.iter().map(|t| format!("{} [es]", t.as_str().unwrap_or(""))).collect())
                    .unwrap_or_default();
                ("200 OK", serde_json::json!({ "translatedText": texts }).to_string())
            };
            counters.in_flight.fetch_sub(1, Ordering::SeqCst);
            let response = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
        });
    }
}

fn articles() -> Vec<Article> {
    (0..ARTICLES)
        .map(|a| {
            let mut article = Article { title: format!("Story number {a}"), language: Some("en".into()), ..Article::default() };
            for p in 0..PARAGRAPHS {
                article.blocks.push(Block::new(
                    BlockKind::Paragraph,
                    format!("Paragraph {p} of story {a}: the council met on Tuesday and agreed, after a long debate, to rebuild the old harbour pier before the winter storms arrive."),
                ));
            }
            article
        })
        .collect()
}

async fn run_batch(translator: &Translator, articles: &[Article]) -> (Duration, usize, usize, usize) {
    let started = Instant::now();
    let results: Vec<_> = futures::stream::iter(articles)
        .map(|a| translator.translate(a, "es"))
        .buffered(ARTICLES_IN_FLIGHT)
        .collect()
        .await;
    let elapsed = started.elapsed();
    let failed = results.iter().filter(|r| r.is_err()).count();
    let sent = results.iter().flatten().map(|t| t.chars_sent).sum();
    let cached = results.iter().flatten().map(|t| t.chars_cached).sum();
    (elapsed, sent, cached, failed)
}

async fn throughput() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let counters = Arc::new(Counters::default());
    tokio::spawn(serve(listener, counters.clone()));
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "name = \"bench\"\n[translate]\nbackend = \"local\"\n[backends.local]\nkind = \"libretranslate\"\nurl = \"{url}\"\nconcurrency = {SERVER_CONCURRENCY}\n"
    );
    let (pipeline, _) = Pipeline::parse(&dir.path().join("bench.toml"), &text).unwrap();
    let state = newswire::store::Location::Sqlite(dir.path().join("state.sqlite"));
    let store = newswire::store::open(&state).await.unwrap();
    let translator = Translator::from_pipeline(&pipeline).with_memory(store);
    let articles = articles();

    let (elapsed, sent, cached, failed) = run_batch(&translator, &articles).await;
    let requests = counters.requests.load(Ordering::SeqCst);
    let rejected = counters.rejected.load(Ordering::SeqCst);
    let useful = requests - rejected;
    let allowed = LATENCY * useful.div_ceil(SERVER_CONCURRENCY) as u32;
    println!(
        "throughput: {ARTICLES} articles × {} segments, server latency {LATENCY:?}, at most {SERVER_CONCURRENCY} requests at once",
        PARAGRAPHS + 1
    );
    println!(
        "  first run: {:.3} s for {useful} requests; the limit allows {:.3} s: {:+.1}%; {rejected} answered 429; {failed} failed; {sent} characters billed",
        elapsed.as_secs_f64(),
        allowed.as_secs_f64(),
        100.0 * (elapsed.as_secs_f64() / allowed.as_secs_f64() - 1.0)
    );
    let before = counters.requests.load(Ordering::SeqCst);
    let (elapsed, sent, cached_again, failed) = run_batch(&translator, &articles).await;
    println!(
        "  second run: {:.3} s, {} requests, {sent} characters billed, {cached_again} served from memory (first run cached {cached}); {failed} failed",
        elapsed.as_secs_f64(),
        counters.requests.load(Ordering::SeqCst) - before
    );
}

fn data_dir() -> PathBuf {
    data::bench_data("translation/ntrex128")
}

async fn quality() {
    let dir = data_dir();
    let source = dir.join("newstest2019-src.eng.txt");
    let reference = dir.join("newstest2019-ref.spa.txt");
    if !source.is_file() {
        println!(
            "quality: no NTREX data at {} (set NEWSWIRE_BENCH_DATA to the bench-data folder); not measured",
            dir.display()
        );
        return;
    }
    let sentences: Vec<String> = std::fs::read_to_string(&source).unwrap().lines().map(str::to_string).collect();
    let mut article = Article { title: "NTREX".into(), language: Some("en".into()), ..Article::default() };
    for sentence in &sentences {
        article.blocks.push(Block::new(BlockKind::Paragraph, newswire::html::escape(sentence)));
    }
    let started = Instant::now();
    let translation = match Translator::apertium_default().translate(&article, "es").await {
        Ok(t) => t,
        Err(err) => {
            println!("quality: Apertium eng→spa is not usable here ({err}); not measured");
            return;
        }
    };
    let elapsed = started.elapsed();
    let flagged = translation.segments.iter().filter(|s| !s.flags.is_empty()).count();
    println!(
        "quality: flags on Apertium's output: {flagged} of {} segments flagged ({})",
        translation.segments.len(),
        per_flag(&translation.flags())
    );
    let words: usize = sentences.iter().map(|s| s.split_whitespace().count()).sum();
    let hypotheses: Vec<String> =
        translation.blocks.iter().map(|b| newswire::html::inline_text(&b.html).trim().to_string()).collect();
    let out = std::env::temp_dir().join("newswire-ntrex-eng-spa.txt");
    std::fs::write(&out, hypotheses.join("\n") + "\n").unwrap();
    println!(
        "quality: {} sentences through the stage with Apertium in {:.1} s ({:.0} words/s); hypotheses in {}",
        sentences.len(),
        elapsed.as_secs_f64(),
        words as f64 / elapsed.as_secs_f64(),
        out.display()
    );
    score(&reference, &out);
}

/// sacrebleu's BLEU and chrF, when sacrebleu is installed (`pip install sacrebleu`).
fn score(reference: &Path, hypotheses: &Path) {
    let clean_reference = std::env::temp_dir().join("newswire-ntrex-ref.spa.txt");
    let text = std::fs::read_to_string(reference).unwrap().replace('\r', "");
    std::fs::write(&clean_reference, text).unwrap();
    let output = std::process::Command::new("python3")
        .args(["-m", "sacrebleu"])
        .arg(&clean_reference)
        .arg("-i")
        .arg(hypotheses)
        .args(["-m", "bleu", "chrf", "-b", "-w", "1"])
        .output();
    match output {
        Ok(o) if o.status.success() => {
            let scores: Vec<f64> = serde_json::from_slice(&o.stdout).unwrap_or_default();
            let get = |i: usize| scores.get(i).map_or("?".to_string(), |s| format!("{s:.1}"));
            println!(
                "  sacrebleu: BLEU {}  chrF {}  (raw Apertium on the same sentences: 16.2 / 47.9)",
                get(0),
                get(1)
            );
        }
        _ => println!("  sacrebleu is not installed (pip install sacrebleu); scores not computed"),
    }
}

/// "numbers 12, names 40", by flag.
fn per_flag(findings: &[newswire::quality::Finding]) -> String {
    let mut counts = std::collections::BTreeMap::new();
    for finding in findings {
        *counts.entry(finding.flag.as_str()).or_insert(0) += 1;
    }
    let parts: Vec<String> = counts.iter().map(|(flag, n)| format!("{flag} {n}")).collect();
    if parts.is_empty() {
        "none".to_string()
    } else {
        parts.join(", ")
    }
}

fn checks() {
    let dir = data_dir();
    let Ok(source) = std::fs::read_to_string(dir.join("newstest2019-src.eng.txt")) else {
        println!("checks: no NTREX data at {}; not measured", dir.display());
        return;
    };
    let sources: Vec<String> = source.lines().map(newswire::html::escape).collect();
    println!("checks: the quality flags on NTREX's human translations (every flag here is a false alarm)");
    for (code3, code) in [("spa", "es"), ("fra", "fr"), ("por", "pt"), ("cat", "ca"), ("rus", "ru"), ("ukr", "uk")] {
        let Ok(reference) = std::fs::read_to_string(dir.join(format!("newstest2019-ref.{code3}.txt"))) else {
            continue;
        };
        let targets: Vec<String> = reference.replace('\r', "").lines().map(newswire::html::escape).collect();
        let languages = vec!["en".to_string(), code.to_string()];
        let detector: Arc<dyn newswire::detect::Detector> = Arc::new(newswire::detect::LinguaDetector::new(&languages));
        let checker = newswire::review::flags::Checker::new("en", code, Vec::new(), Some(detector));
        let started = Instant::now();
        let mut findings = Vec::new();
        let mut flagged = 0;
        for (i, (source, target)) in sources.iter().zip(&targets).enumerate() {
            let found = checker.check(i, source, target);
            flagged += usize::from(!found.is_empty());
            findings.extend(found);
        }
        let elapsed = started.elapsed();
        let pairs = sources.len().min(targets.len());
        println!(
            "  en→{code}: {flagged} of {pairs} segments flagged ({:.1}%): {}; {:.0} µs a segment",
            100.0 * flagged as f64 / pairs as f64,
            per_flag(&findings),
            elapsed.as_secs_f64() * 1e6 / pairs as f64
        );
    }
}

#[tokio::main]
async fn main() {
    throughput().await;
    quality().await;
    checks();
}
