//! Article-extraction benchmark: F1, precision, recall and pages/s of the clean stage on the
//! Scrapinghub set (token-shingle F1) and the trafilatura dev half (with/without snippets), read
//! from the bench data's `article-extraction/` when it is there. Each metric is the one its data's
//! README defines (trafilatura's: the output is whitespace-normalised, the snippets are taken as
//! they are); beside each F1 a 95% bootstrap interval over pages, so a small change can be told
//! from noise.
//!
//! Both cleaners are measured: the rules the desks use, and the learned block scorer (on the pages
//! it was trained on, so its F1 here is not a forecast; `scripts/train-extractor` gives that).
//!
//! Run: `cargo bench --bench extraction` (one core: the pages are cleaned one after another).

#[path = "support/data.rs"]
mod data;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use newswire::clean::{self, ArticleCleaner, Cleaner, LearnedCleaner};
use newswire::model::RawPage;
use serde_json::Value;

fn data_dir() -> PathBuf {
    data::bench_data("article-extraction")
}

fn main() {
    let dir = data_dir();
    if !dir.join("scrapinghub/ground-truth.json").is_file() {
        println!(
            "extraction benchmark: no data at {} (set NEWSWIRE_BENCH_DATA to the bench-data folder); nothing measured",
            dir.display()
        );
        return;
    }
    println!("rules (the desks' cleaner):");
    scrapinghub(&dir.join("scrapinghub"), &ArticleCleaner);
    trafilatura(&dir.join("trafilatura-eval-dev"), &ArticleCleaner);
    println!("learned block scorer, on the pages it was trained on (scripts/train-extractor cross-validates by site):");
    scrapinghub(&dir.join("scrapinghub"), &LearnedCleaner);
    trafilatura(&dir.join("trafilatura-eval-dev"), &LearnedCleaner);
}

fn read_gz(path: &Path) -> String {
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap()).read_to_end(&mut bytes).unwrap();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Cleans every page once, timing only the cleaning; returns the body text per id.
fn extract_all(dir: &Path, ids: &[String], cleaner: &dyn Cleaner) -> (HashMap<String, String>, Duration) {
    let pages: Vec<(String, String)> =
        ids.iter().map(|id| (id.clone(), read_gz(&dir.join(format!("html/{id}.html.gz"))))).collect();
    let mut out = HashMap::new();
    let start = Instant::now();
    for (id, html) in pages {
        let page = RawPage {
            source: id.clone(),
            url: None,
            text: html,
            content_type: Some("text/html".into()),
            ..RawPage::default()
        };
        let text = match cleaner.clean(&page) {
            Ok(article) => clean::render(&article).text,
            Err(_) => String::new(),
        };
        out.insert(id, text);
    }
    (out, start.elapsed())
}

fn tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|t| !t.is_empty()).collect()
}

fn shingles(text: &str) -> HashMap<Vec<&str>, usize> {
    let tokens = tokens(text);
    let mut out = HashMap::new();
    if tokens.is_empty() {
        return out;
    }
    if tokens.len() < 4 {
        *out.entry(tokens).or_default() += 1;
        return out;
    }
    for window in tokens.windows(4) {
        *out.entry(window.to_vec()).or_default() += 1;
    }
    out
}

fn scrapinghub(dir: &Path, cleaner: &dyn Cleaner) {
    let truth: HashMap<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("ground-truth.json")).unwrap()).unwrap();
    let mut ids: Vec<String> = truth.keys().cloned().collect();
    ids.sort();
    let (texts, elapsed) = extract_all(dir, &ids, cleaner);
    let (mut precisions, mut recalls) = (Vec::new(), Vec::new());
    // Per page: its precision and recall, where defined.
    let mut pages: Vec<(Option<f64>, Option<f64>)> = Vec::new();
    let show = std::env::var("NEWSWIRE_BENCH_SHOW").is_ok();
    for id in &ids {
        let expected = shingles(truth[id]["articleBody"].as_str().unwrap_or(""));
        let got = shingles(&texts[id]);
        let tp: usize = got.iter().map(|(s, n)| (*n).min(expected.get(s).copied().unwrap_or(0))).sum();
        let fp = got.values().sum::<usize>() - tp;
        let fn_ = expected.values().sum::<usize>() - tp;
        if tp + fp + fn_ == 0 {
            precisions.push(1.0);
            recalls.push(1.0);
            pages.push((Some(1.0), Some(1.0)));
            continue;
        }
        if show {
            let p = tp as f64 / (tp + fp).max(1) as f64;
            let r = tp as f64 / (tp + fn_).max(1) as f64;
            if p < 0.8 || r < 0.8 {
                println!("  {id} precision {p:.2} recall {r:.2} ({} vs {} shingles)", tp + fp, tp + fn_);
            }
        }
        let page_p = (tp + fp > 0).then(|| tp as f64 / (tp + fp) as f64);
        let page_r = (tp + fn_ > 0).then(|| tp as f64 / (tp + fn_) as f64);
        precisions.extend(page_p);
        recalls.extend(page_r);
        pages.push((page_p, page_r));
    }
    let p = mean(&precisions);
    let r = mean(&recalls);
    let interval = bootstrap(pages.len(), |draw| {
        let (mut ps, mut rs) = (Vec::new(), Vec::new());
        for i in draw {
            ps.extend(pages[i].0);
            rs.extend(pages[i].1);
        }
        f1(mean(&ps), mean(&rs))
    });
    report("scrapinghub", ids.len(), p, r, interval, elapsed);
}

fn trafilatura(dir: &Path, cleaner: &dyn Cleaner) {
    let truth: HashMap<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("ground-truth.json")).unwrap()).unwrap();
    let mut ids: Vec<String> = truth.keys().cloned().collect();
    ids.sort();
    let (texts, elapsed) = extract_all(dir, &ids, cleaner);
    let normalise = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let (mut tp, mut fp, mut fn_, mut tn) = (0usize, 0usize, 0usize, 0usize);
    let mut pages: Vec<[usize; 3]> = Vec::new();
    for id in &ids {
        let text = normalise(&texts[id]);
        let (mut page_tp, mut page_fp, mut page_fn, mut page_tn) = (0usize, 0usize, 0usize, 0usize);
        for snippet in truth[id]["with"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            if text.contains(snippet) {
                page_tp += 1
            } else {
                page_fn += 1;
                if std::env::var("NEWSWIRE_BENCH_SHOW").is_ok() {
                    println!(
                        "  missed {id} ({} chars out): {:?}",
                        text.len(),
                        snippet.chars().take(90).collect::<String>()
                    );
                }
            }
        }
        for snippet in truth[id]["without"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            if text.contains(snippet) {
                page_fp += 1;
                if std::env::var("NEWSWIRE_BENCH_SHOW").is_ok() {
                    println!("  kept {id}: {:?}", snippet.chars().take(90).collect::<String>());
                }
            } else {
                page_tn += 1
            }
        }
        (tp, fp, fn_, tn) = (tp + page_tp, fp + page_fp, fn_ + page_fn, tn + page_tn);
        pages.push([page_tp, page_fp, page_fn]);
    }
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let r = tp as f64 / (tp + fn_).max(1) as f64;
    // Counts are summed over pages, so a resample sums the drawn pages' counts.
    let interval = bootstrap(pages.len(), |draw| {
        let [tp, fp, fn_] = draw.fold([0, 0, 0], |acc, i| {
            let [a, b, c] = pages[i];
            [acc[0] + a, acc[1] + b, acc[2] + c]
        });
        f1(tp as f64 / (tp + fp).max(1) as f64, tp as f64 / (tp + fn_).max(1) as f64)
    });
    report("trafilatura-eval-dev", ids.len(), p, r, interval, elapsed);
    println!(
        "  accuracy {:.3} (tp {tp} fp {fp} fn {fn_} tn {tn})",
        (tp + tn) as f64 / (tp + fp + fn_ + tn).max(1) as f64
    );
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    }
}

/// Resamples to draw for the interval, and the seed that makes two runs print the same interval.
const RESAMPLES: usize = 2000;
const SEED: u64 = 20_261_130;

/// The 95% bootstrap interval of a score over pages: the pages are drawn with replacement
/// `RESAMPLES` times and the score computed on each draw.
fn bootstrap(pages: usize, score: impl Fn(&mut dyn Iterator<Item = usize>) -> f64) -> (f64, f64) {
    let mut rng = fastrand::Rng::with_seed(SEED);
    let mut scores: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            let mut draw = (0..pages).map(|_| rng.usize(..pages)).collect::<Vec<_>>().into_iter();
            score(&mut draw)
        })
        .collect();
    scores.sort_by(f64::total_cmp);
    (scores[RESAMPLES * 25 / 1000], scores[RESAMPLES * 975 / 1000 - 1])
}

fn report(set: &str, pages: usize, p: f64, r: f64, interval: (f64, f64), elapsed: Duration) {
    let f1 = f1(p, r);
    println!(
        "{set}: {pages} pages  F1 {f1:.3} (95% {:.3}–{:.3})  precision {p:.3}  recall {r:.3}  {:.0} pages/s ({:.1} ms/page, one core)",
        interval.0,
        interval.1,
        pages as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1000.0 / pages as f64
    );
}
