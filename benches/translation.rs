//! The translate stage, measured:
//! 1. throughput against a local LibreTranslate-style server with a fixed latency that answers
//!    429 above a concurrency limit: time taken against the time that limit allows for the
//!    requests made, the 429s seen, and a second run that must bill nothing; beforehand, the dry
//!    run's estimate of the characters and requests, against what the run then sends;
//! 2. quality on NTREX-128 eng→spa (`../shared/bench-data/translation`) through the whole stage
//!    with Apertium, scored by sacrebleu (BLEU, chrF), when the data and sacrebleu are there, and
//!    the quality flags raised on Apertium's output;
//! 3. the quality checks on NTREX's human translations (eng→spa, fra, por, cat, rus, ukr): how
//!    many good translations each flag would hold for an editor (its false alarms), and the cost
//!    of the checks per segment, language check included;
//! 4. words left untranslated, eng→spa, rus→ukr and ukr→rus: Apertium run without `-u` marks the
//!    words it did not know (`*berths`), the truth; the checks read its text without the marks, as
//!    from any engine: the share of segments with a lower-case word left that is flagged, the
//!    share whose detail names every such word, and the share of human translations any check
//!    flags;
//! 5. escalation: `["apertium", premium]` with `escalate = ["untranslated"]`, NTREX's human
//!    translation standing in for the premium engine, one article per NTREX document: the
//!    characters the premium engine is sent against sending it everything, and the segments with
//!    a word left that come out without one;
//! 6. the dry run's estimate on news: NTREX's documents as articles, some known to the memory,
//!    some corrected, against what the run then sends.
//!
//! Run: `cargo bench --bench translation` (or name a part: `-- leftovers`, `-- escalation`);
//! `NEWSWIRE_BENCH_SHOW=1` prints every finding on the human translations and every missed segment.

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
use newswire::review::vocabulary::Vocabulary;

use newswire::config::ForeignText;
use newswire::quality::Flag;
use newswire::translate::{Backend, TranslateError, Translator};
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

/// The desk's translator against a local LibreTranslate-style server (with this price, if any),
/// remembering in an SQLite store that lives as long as the folder returned.
async fn local_translator(price: Option<&str>) -> (Translator, Arc<Counters>, tempfile::TempDir) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let counters = Arc::new(Counters::default());
    tokio::spawn(serve(listener, counters.clone()));
    let dir = tempfile::tempdir().unwrap();
    let price = price.map(|p| format!("price = {p:?}\n")).unwrap_or_default();
    let text = format!(
        "name = \"bench\"\n[translate]\nbackend = \"local\"\n[backends.local]\nkind = \"libretranslate\"\nurl = \"{url}\"\nconcurrency = {SERVER_CONCURRENCY}\n{price}"
    );
    let (pipeline, _) = Pipeline::parse(&dir.path().join("bench.toml"), &text).unwrap();
    let state = newswire::store::Location::Sqlite(dir.path().join("state.sqlite"));
    let store = newswire::store::open(&state, "bench").await.unwrap();
    (Translator::from_pipeline(&pipeline).with_memory(store), counters, dir)
}

async fn throughput() {
    let (translator, counters, _state) = local_translator(None).await;
    let articles = articles();

    let counted = newswire::translate::Counted::default();
    let mut estimated = 0;
    for article in &articles {
        estimated += translator.estimate(article, "es", &counted).await.map_or(0, |t| t.chars_sent);
    }
    let estimated_requests: usize = translator.request_counts().iter().map(|(_, c)| c.requests).sum();
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
    println!(
        "  dry run beforehand: {estimated} characters estimated against {sent} sent ({:+.2}%), nothing sent; {estimated_requests} requests counted article by article against {useful} made (short articles share requests)",
        100.0 * (estimated as f64 / sent.max(1) as f64 - 1.0)
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

/// One pair of the leftover-word measure: Apertium's direction, the languages, and NTREX's files
/// for the source and the human translation.
const LEFTOVER_PAIRS: &[(&str, &str, &str, &str, &str)] = &[
    ("eng-spa", "en", "es", "src.eng", "ref.spa"),
    ("rus-ukr", "ru", "uk", "ref.rus", "ref.ukr"),
    ("ukr-rus", "uk", "ru", "ref.ukr", "ref.rus"),
];

/// One NTREX file's lines (`src.eng`, `ref.spa`, ...) as escaped text, when the data is there.
fn ntrex_lines(dir: &Path, name: &str) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(dir.join(format!("newstest2019-{name}.txt"))).ok()?;
    Some(text.replace('\r', "").lines().map(newswire::html::escape).collect())
}

/// Apertium's output for each line, with its unknown-word marks (`*word`): run without `-u`, in
/// HTML mode with a paragraph per line. rus-ukr runs with its tagger replaced, as the backend does.
fn apertium_marked(direction: &str, lines: &[String]) -> Option<Vec<String>> {
    let modes = tempfile::tempdir().ok()?;
    let mut command = std::process::Command::new("apertium");
    if direction != "eng-spa" {
        let mode = std::fs::read_to_string(format!("/usr/share/apertium/modes/{direction}.mode")).ok()?;
        let start = mode.find("apertium-tagger -g $2 '")?;
        let end = mode[start + 23..].find('\'')? + start + 24;
        let cg = format!("cg-proc -w -1 -n /usr/share/apertium/apertium-rus-ukr/{direction}.rlx.bin");
        std::fs::create_dir_all(modes.path().join("modes")).ok()?;
        let fixed = format!("{}{cg}{}", &mode[..start], &mode[end..]);
        std::fs::write(modes.path().join("modes").join(format!("{direction}.mode")), fixed).ok()?;
        command.arg("-d").arg(modes.path());
    }
    let input: String = lines.iter().map(|l| format!("<p>{l}</p>\n")).collect();
    let mut child = command
        .args(["-f", "html", direction])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, input.as_bytes()));
    let output = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let out: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim().trim_start_matches("<p>").trim_end_matches("</p>").to_string())
        .collect();
    (out.len() == lines.len()).then_some(out)
}

/// One pair's NTREX lines and Apertium's marked output for them.
struct PairData {
    sources: Vec<String>,
    references: Vec<String>,
    marked: Vec<String>,
    apertium_time: Duration,
}

/// The data of one of [`LEFTOVER_PAIRS`]; `None`, said in a line, when the data or the Apertium
/// pair is missing here.
fn pair_data(
    dir: &Path,
    (direction, from, to, source_file, reference_file): &(&str, &str, &str, &str, &str),
) -> Option<PairData> {
    let (Some(sources), Some(references)) = (ntrex_lines(dir, source_file), ntrex_lines(dir, reference_file)) else {
        println!("  {from}→{to}: no NTREX data at {}; not measured", dir.display());
        return None;
    };
    let started = Instant::now();
    let Some(marked) = apertium_marked(direction, &sources) else {
        println!("  {from}→{to}: apertium {direction} is not installed or did not answer line for line; not measured");
        return None;
    };
    Some(PairData { sources, references, marked, apertium_time: started.elapsed() })
}

/// Lower-case words Apertium marked unknown (`*berths`): the truth the checks are measured on.
/// Left out: one- and two-letter marks (`*w` of "w/"), words in another script than the source
/// language's (English inside a Russian story is a quotation the reference keeps too), and words
/// the target language writes the same way (`*наших` is Ukrainian as well): none is a word left
/// in the source language.
fn marked_unknown(marked: &str, from: &str, target: Option<&Vocabulary>) -> Vec<String> {
    let cyrillic = matches!(from, "ru" | "uk");
    marked
        .split(|c: char| c.is_whitespace() || "<>\"«»“”()[],.;:!?".contains(c))
        .filter_map(|w| w.strip_prefix('*'))
        .filter(|w| w.chars().next().is_some_and(char::is_lowercase))
        .map(|w| w.split(|c: char| !c.is_alphabetic()).next().unwrap_or(""))
        .filter(|w| w.chars().count() >= 3)
        .filter(|w| w.chars().all(|c| ('\u{400}'..='\u{4ff}').contains(&c) == cyrillic))
        .filter(|w| target.is_none_or(|v| !v.knows(w)))
        .map(str::to_lowercase)
        .collect()
}

/// The text without Apertium's marks, as `-u` and the backend give it.
fn unmarked(marked: &str) -> String {
    let mut out = String::with_capacity(marked.len());
    let mut previous = ' ';
    for (i, c) in marked.char_indices() {
        let next_is_letter = marked[i + c.len_utf8()..].chars().next().is_some_and(char::is_alphabetic);
        let at_word_start = !previous.is_alphanumeric();
        if matches!(c, '*' | '#' | '@') && next_is_letter && at_word_start {
            previous = c;
            continue;
        }
        out.push(c);
        previous = c;
    }
    out
}

/// Words left untranslated: how many of the segments where Apertium left a lower-case word the
/// checks flag (the marks are the truth; the checks read the text without them, as they would
/// from any engine), whether the detail names the words, and how many human translations of the
/// same sentences any check flags.
fn leftovers() {
    let dir = data_dir();
    println!("leftovers: words Apertium left untranslated (its `*` marks as the truth) against the checks");
    for pair @ (_, from, to, _, _) in LEFTOVER_PAIRS {
        let Some(PairData { sources, references, marked, apertium_time }) = pair_data(&dir, pair) else { continue };
        let languages = vec![from.to_string(), to.to_string()];
        let detector: Arc<dyn newswire::detect::Detector> = Arc::new(newswire::detect::LinguaDetector::new(&languages));
        let checker = newswire::review::flags::Checker::new(from, to, Vec::new(), Some(detector));
        let vocabulary = Vocabulary::of(to);
        let (mut with_words, mut flagged, mut flagged_untranslated, mut named) = (0, 0, 0, 0);
        let (mut clean, mut clean_flagged) = (0, 0);
        let mut missed: Vec<String> = Vec::new();
        let started = Instant::now();
        for (i, (source, marked)) in sources.iter().zip(&marked).enumerate() {
            let truth = marked_unknown(marked, from, vocabulary.as_deref());
            let findings = checker.check(i, source, &unmarked(marked));
            let untranslated =
                findings.iter().find(|f| f.flag == newswire::quality::Flag::Untranslated).map(|f| f.detail.clone());
            if truth.is_empty() {
                clean += 1;
                clean_flagged += usize::from(untranslated.is_some());
                if let (Some(detail), Some(_)) = (&untranslated, std::env::var_os("NEWSWIRE_BENCH_SHOW")) {
                    println!("    flagged without a mark {i}: {detail}");
                }
                continue;
            }
            with_words += 1;
            flagged += usize::from(!findings.is_empty());
            flagged_untranslated += usize::from(untranslated.is_some());
            let detail = untranslated.unwrap_or_default().to_lowercase();
            let all_named = truth.iter().all(|w| detail.split([' ', ',']).any(|d| d == w));
            named += usize::from(all_named);
            if !all_named && std::env::var_os("NEWSWIRE_BENCH_SHOW").is_some() {
                println!("    missed {i}: {truth:?} {detail:?}\n      {}\n      {}", unmarked(marked), source);
            }
            if !all_named && missed.len() < 12 {
                missed.extend(truth.iter().filter(|w| !detail.contains(w.as_str())).cloned());
            }
        }
        let check_time = started.elapsed();
        let mut human_flagged = 0;
        let mut human_untranslated = 0;
        let mut human_findings = Vec::new();
        for (i, (source, reference)) in sources.iter().zip(&references).enumerate() {
            let found = checker.check(i, source, reference);
            if std::env::var_os("NEWSWIRE_BENCH_SHOW").is_some() {
                for f in &found {
                    println!("    human {i} {}: {}", f.flag, f.detail);
                }
            }
            human_flagged += usize::from(!found.is_empty());
            human_untranslated += usize::from(found.iter().any(|f| f.flag == newswire::quality::Flag::Untranslated));
            human_findings.extend(found);
        }
        let share = |n: usize, of: usize| 100.0 * n as f64 / of.max(1) as f64;
        println!(
            "  {from}→{to}: {with_words} of {} segments have a lower-case word left; flagged {:.1}% (untranslated {:.1}%), \
             every word named {:.1}%; untranslated on {:.1}% of the others",
            sources.len(),
            share(flagged, with_words),
            share(flagged_untranslated, with_words),
            share(named, with_words),
            share(clean_flagged, clean),
        );
        println!(
            "    human translations flagged: {:.1}% by any check, {:.1}% untranslated ({}); Apertium {:.1} s, checks {:.0} µs a segment",
            share(human_flagged, references.len()),
            share(human_untranslated, references.len()),
            per_flag(&human_findings),
            apertium_time.as_secs_f64(),
            check_time.as_secs_f64() * 1e6 / sources.len() as f64,
        );
        if !missed.is_empty() {
            println!("    words not named, for example: {}", missed.join(", "));
        }
    }
}

/// NTREX's lines grouped by document: one article each, its first line the headline, so that
/// segment k of an article is line k of its document.
fn documents(dir: &Path, lines: usize) -> Vec<std::ops::Range<usize>> {
    let documents = std::fs::read_to_string(dir.join("DOCUMENT_IDS.tsv")).unwrap_or_default();
    let documents: Vec<&str> = documents.lines().map(str::trim).collect();
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, document) in documents.iter().enumerate().take(lines) {
        match ranges.last_mut() {
            Some(range) if i > 0 && documents[i - 1] == *document => range.end = i + 1,
            _ => ranges.push(i..i + 1),
        }
    }
    ranges
}

fn document_article(sources: &[String], range: &std::ops::Range<usize>, from: &str) -> Article {
    let mut article = Article {
        title: newswire::html::inline_text(&sources[range.start]),
        language: Some(from.to_string()),
        ..Article::default()
    };
    for sentence in &sources[range.start + 1..range.end] {
        article.blocks.push(Block::new(BlockKind::Paragraph, sentence.clone()));
    }
    article
}

/// `run --dry-run` on news: NTREX's English documents as articles, a third of them translated by
/// an earlier run (the memory holds them), and a corrected version of every fifth story (one
/// paragraph rewritten). What the estimate says each backend will be sent, against what the run
/// then sends, through a priced LibreTranslate-style service.
async fn estimate() {
    let dir = data_dir();
    let Some(sources) = ntrex_lines(&dir, "src.eng") else {
        println!("estimate: no NTREX data in {}", dir.display());
        return;
    };
    let (translator, _, _state) = local_translator(Some("20 USD / 1M chars")).await;
    let ranges = documents(&dir, sources.len());
    let earlier: Vec<Article> = ranges.iter().step_by(3).map(|r| document_article(&sources, r, "en")).collect();
    run_batch(&translator, &earlier).await;
    let mut articles: Vec<Article> = ranges.iter().map(|r| document_article(&sources, r, "en")).collect();
    for article in articles.iter_mut().step_by(5) {
        if let Some(block) = article.blocks.last_mut() {
            block.html = format!("{} (Corrected: an earlier version gave the wrong date.)", block.html);
        }
    }
    let counted = newswire::translate::Counted::default();
    let (mut estimated, mut estimated_cached) = (0, 0);
    for article in &articles {
        if let Ok(t) = translator.estimate(article, "es", &counted).await {
            estimated += t.chars_sent;
            estimated_cached += t.chars_cached;
        }
    }
    let (_, sent, cached, failed) = run_batch(&translator, &articles).await;
    println!(
        "estimate: {} NTREX documents as articles ({} segments), a third translated before, every fifth corrected",
        articles.len(),
        sources.len()
    );
    println!(
        "  dry run: {estimated} characters to send, {estimated_cached} from memory; the run: {sent} sent, {cached} from memory, {failed} failed; off by {:+.2}%",
        100.0 * (estimated as f64 / sent.max(1) as f64 - 1.0)
    );
}

/// A premium engine that answers every segment with NTREX's human translation of it.
struct Reference {
    from: String,
    to: String,
    answers: std::collections::HashMap<String, String>,
}

#[async_trait::async_trait]
impl Backend for Reference {
    fn name(&self) -> &str {
        "premium"
    }

    fn pairs(&self) -> Vec<(String, String)> {
        vec![(self.from.clone(), self.to.clone())]
    }

    async fn translate(&self, _: &str, _: &str, segments: &[String]) -> Result<Vec<String>, TranslateError> {
        Ok(segments.iter().map(|s| self.answers.get(s).cloned().unwrap_or_else(|| s.clone())).collect())
    }
}

/// Segment-level escalation: Apertium first, the human reference standing in for a premium
/// engine, `escalate = ["untranslated"]`. What the premium engine is sent against sending it
/// everything, and how many segments with a word left (Apertium's marks) come out without one.
async fn escalation() {
    let dir = data_dir();
    println!("escalation: [\"apertium\", premium] with escalate = [\"untranslated\"], the human translation as the premium engine");
    for pair @ (_, from, to, _, _) in LEFTOVER_PAIRS {
        let Some(PairData { sources, references, marked, .. }) = pair_data(&dir, pair) else { continue };
        let vocabulary = Vocabulary::of(to);
        let answers = sources.iter().cloned().zip(references.iter().cloned()).collect();
        let premium = Reference { from: from.to_string(), to: to.to_string(), answers };
        let apertium = newswire::translate::apertium::Apertium::new("apertium", None, Duration::from_secs(300));
        let languages = vec![from.to_string(), to.to_string()];
        let detector: Arc<dyn newswire::detect::Detector> = Arc::new(newswire::detect::LinguaDetector::new(&languages));
        let translator = Translator::new(vec![(Arc::new(apertium), 1), (Arc::new(premium), 4)], ForeignText::Keep)
            .with_detector(detector)
            .with_escalation(vec![Flag::Untranslated]);
        let ranges = documents(&dir, sources.len());
        let started = Instant::now();
        let mut targets: Vec<String> = vec![String::new(); sources.len()];
        let (mut premium_chars, mut escalated, mut failed) = (0, 0, 0);
        for range in &ranges {
            match translator.translate(&document_article(&sources, range, from), to).await {
                Ok(translation) => {
                    premium_chars += translation.escalations.iter().map(|e| e.chars_sent).sum::<usize>();
                    escalated += translation.escalations.iter().map(|e| e.segments).sum::<usize>();
                    for (k, segment) in translation.segments.iter().enumerate() {
                        targets[range.start + k] = newswire::html::inline_text(&segment.target).to_lowercase();
                    }
                }
                Err(err) => {
                    failed += 1;
                    println!("  {from}→{to}: a document was not translated: {err}");
                }
            }
        }
        let everything: usize = sources.iter().map(|s| newswire::html::inline_text(s).chars().count()).sum();
        let (mut with_words, mut fixed, mut floor) = (0, 0, 0);
        for ((marked, target), source) in marked.iter().zip(&targets).zip(&sources) {
            let truth = marked_unknown(marked, from, vocabulary.as_deref());
            if truth.is_empty() {
                continue;
            }
            with_words += 1;
            floor += newswire::html::inline_text(source).chars().count();
            let words: Vec<&str> = target.split(|c: char| !c.is_alphabetic()).collect();
            fixed += usize::from(!truth.iter().any(|w| words.contains(&w.as_str())));
        }
        println!(
            "  {from}→{to}: premium sent {premium_chars} of {everything} characters ({:.1}% of sending it everything), \
             {escalated} of {} segments; {fixed} of {with_words} segments with a word left come out without one ({:.1}%); \
             {} documents, {failed} not translated; {:.1} s; the segments with a word left hold {:.1}% of the characters",
            100.0 * premium_chars as f64 / everything as f64,
            sources.len(),
            100.0 * fixed as f64 / with_words.max(1) as f64,
            ranges.len(),
            started.elapsed().as_secs_f64(),
            100.0 * floor as f64 / everything as f64,
        );
    }
}

#[tokio::main]
async fn main() {
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |part: &str| only.as_deref().is_none_or(|o| part.contains(o));
    if wanted("throughput") {
        throughput().await;
    }
    if wanted("quality") {
        quality().await;
    }
    if wanted("checks") {
        checks();
    }
    if wanted("leftovers") {
        leftovers();
    }
    if wanted("escalation") {
        escalation().await;
    }
    if wanted("estimate") {
        estimate().await;
    }
}
