//! Language-detection benchmark on lingua's test sentences and the headlines, paragraphs and
//! mixed texts derived from them (`../shared/bench-data/langdetect`): accuracy per language and
//! length class, uk↔ru and es↔ca/pt confusion, how often look-alike text (ca, pt, be) is named
//! as out of the desk, texts per second on one thread, and peak memory.
//!
//! Run: `cargo bench --bench detection`.

#[path = "support/data.rs"]
mod data;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use newswire::detect::{mixed, Detector, LinguaDetector};
use newswire::languages;
use newswire::model::{Article, Block, BlockKind};

/// The desk of the benchmark: the ten languages of the issue.
const DESK: &[&str] = &["en", "ru", "uk", "es", "fr", "de", "pl", "lt", "ar", "zh"];
/// Out-of-desk languages whose text must be named, not forced into a desk language.
const LOOK_ALIKES: &[&str] = &["ca", "pt", "be"];

fn data_dir() -> PathBuf {
    data::bench_data("langdetect")
}

fn code1(code3: &str) -> String {
    languages::by_code3(code3).map_or(code3.to_string(), |l| l.code.to_string())
}

/// (language, text) rows of a class.
fn load(dir: &Path) -> BTreeMap<&'static str, Vec<(String, String)>> {
    let mut classes = BTreeMap::new();
    let mut sentences = Vec::new();
    for code in DESK.iter().chain(LOOK_ALIKES) {
        let path = dir.join("lingua-testdata").join(code).join("sentences.txt");
        for line in std::fs::read_to_string(path).unwrap().split('\n') {
            if !line.trim().is_empty() {
                sentences.push((code.to_string(), line.trim().to_string()));
            }
        }
    }
    classes.insert("sentence", sentences);
    for (class, file) in [("headline", "headlines.tsv"), ("paragraph", "paragraphs.tsv")] {
        let text = std::fs::read_to_string(dir.join("derived").join(file)).unwrap();
        let rows =
            text.split('\n').filter_map(|l| l.split_once('\t')).map(|(code, t)| (code1(code), t.to_string())).collect();
        classes.insert(class, rows);
    }
    classes
}

fn peak_memory_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let dir = data_dir();
    if !dir.join("lingua-testdata").is_dir() {
        println!(
            "detection benchmark: no data at {} (set NEWSWIRE_BENCH_DATA to the bench-data folder); nothing measured",
            dir.display()
        );
        return;
    }
    let classes = load(&dir);
    let desk: Vec<String> = DESK.iter().map(|s| s.to_string()).collect();
    let started = Instant::now();
    let detector = LinguaDetector::new(&desk);
    println!("detector over {} (+ look-alikes) built in {:.2} s", DESK.join(" "), started.elapsed().as_secs_f64());
    let baseline = lingua::LanguageDetectorBuilder::from_languages(
        &DESK.iter().filter_map(|c| languages::by_code(c)).map(|l| l.lingua).collect::<Vec<_>>(),
    )
    .with_preloaded_language_models()
    .build();

    for (class, rows) in &classes {
        let started = Instant::now();
        let results: Vec<(&str, Option<String>, f64)> = rows
            .iter()
            .map(|(expected, text)| {
                let d = detector.detect(text);
                (expected.as_str(), d.language, d.confidence)
            })
            .collect();
        let per_second = rows.len() as f64 / started.elapsed().as_secs_f64();
        println!("\n== {class}s: {} texts, {per_second:.0} texts/s on one thread", rows.len());
        if let Ok(show) = std::env::var("NEWSWIRE_BENCH_SHOW") {
            for ((expected, got, confidence), (_, text)) in results.iter().zip(rows).filter(|((e, _, _), _)| *e == show)
            {
                if got.as_deref() != Some(*expected) {
                    println!("  {expected}→{} {confidence:.2} {text}", got.as_deref().unwrap_or("?"));
                }
            }
        }
        let mut desk_right = 0;
        let mut desk_total = 0;
        let mut line = String::new();
        for code in DESK {
            let of: Vec<_> = results.iter().filter(|(e, _, _)| e == code).collect();
            let right = of.iter().filter(|(_, got, _)| got.as_deref() == Some(*code)).count();
            desk_right += right;
            desk_total += of.len();
            line.push_str(&format!("{code} {:.1}%  ", 100.0 * right as f64 / of.len().max(1) as f64));
        }
        println!("desk accuracy {:.2}%  ({line})", 100.0 * desk_right as f64 / desk_total.max(1) as f64);
        let (mut base_right, mut base_total) = (0, 0);
        let mut base_line = String::new();
        for code in DESK {
            let of: Vec<_> = rows.iter().filter(|(e, _)| e == code).collect();
            let right = of
                .iter()
                .filter(|(_, text)| {
                    baseline.detect_language_of(text).and_then(languages::by_lingua).map(|l| l.code) == Some(*code)
                })
                .count();
            base_right += right;
            base_total += of.len();
            base_line.push_str(&format!("{code} {:.1}%  ", 100.0 * right as f64 / of.len().max(1) as f64));
        }
        println!(
            "baseline, lingua over the 10 alone: {:.2}%  ({base_line})",
            100.0 * base_right as f64 / base_total.max(1) as f64
        );
        let short: Vec<_> = results.iter().filter(|(e, _, _)| DESK.contains(e)).collect();
        let confident: Vec<_> = short.iter().filter(|(_, _, c)| *c >= 0.7).collect();
        let confident_right = confident.iter().filter(|(e, got, _)| got.as_deref() == Some(*e)).count();
        println!(
            "at confidence >= 0.7: {:.1}% of texts answered, {:.2}% of those right",
            100.0 * confident.len() as f64 / short.len().max(1) as f64,
            100.0 * confident_right as f64 / confident.len().max(1) as f64
        );
        let confusion = |from: &str, to: &[&str]| {
            let of: Vec<_> = results.iter().filter(|(e, _, _)| *e == from).collect();
            let wrong = of.iter().filter(|(_, got, _)| got.as_deref().is_some_and(|g| to.contains(&g))).count();
            100.0 * wrong as f64 / of.len().max(1) as f64
        };
        println!(
            "confusion: uk→ru {:.2}%  ru→uk {:.2}%  es→ca/pt {:.2}%  ca→es {:.1}%  pt→es {:.1}%  be→ru/uk {:.1}%",
            confusion("uk", &["ru"]),
            confusion("ru", &["uk"]),
            confusion("es", &["ca", "pt"]),
            confusion("ca", &["es"]),
            confusion("pt", &["es"]),
            confusion("be", &["ru", "uk"])
        );
        // What the pipeline does with each text: a desk language is accepted when the text is long
        // or the confidence reaches 0.7; anything else is skipped, never translated.
        let accepted = |got: &Option<String>, confidence: f64, text: &str| {
            got.as_deref().is_some_and(|g| DESK.contains(&g))
                && (!newswire::detect::is_short(text) || confidence >= 0.7)
        };
        let mut rejected = String::new();
        for code in LOOK_ALIKES {
            let of: Vec<_> = results.iter().filter(|(e, _, _)| e == code).collect();
            let named = of.iter().filter(|(_, got, _)| got.as_deref().is_some_and(|g| !DESK.contains(&g))).count();
            rejected.push_str(&format!("{code} {:.1}%  ", 100.0 * named as f64 / of.len().max(1) as f64));
        }
        println!("look-alike text named as out of the desk: {rejected}");
        let mut not_accepted = String::new();
        for code in LOOK_ALIKES {
            let of: Vec<_> = results.iter().zip(rows).filter(|((e, _, _), _)| e == code).collect();
            let kept_out = of.iter().filter(|((_, got, c), (_, text))| !accepted(got, *c, text)).count();
            not_accepted.push_str(&format!("{code} {:.1}%  ", 100.0 * kept_out as f64 / of.len().max(1) as f64));
        }
        println!("look-alike text the pipeline keeps out (named out of the desk, or too unsure): {not_accepted}");
        let (mut right, mut wrong, mut skipped, mut look_alike_accepted, mut look_alikes) = (0, 0, 0, 0, 0);
        for ((expected, got, confidence), (_, text)) in results.iter().zip(rows) {
            let took = accepted(got, *confidence, text);
            if DESK.contains(expected) {
                match (took, got.as_deref() == Some(*expected)) {
                    (true, true) => right += 1,
                    (true, false) => wrong += 1,
                    (false, _) => skipped += 1,
                }
            } else {
                look_alikes += 1;
                look_alike_accepted += usize::from(took);
            }
        }
        let desk_total = (right + wrong + skipped).max(1) as f64;
        println!(
            "pipeline decision: desk texts {:.2}% accepted right, {:.2}% accepted wrong, {:.2}% skipped; look-alike texts accepted as a desk language {:.2}%",
            100.0 * right as f64 / desk_total,
            100.0 * wrong as f64 / desk_total,
            100.0 * skipped as f64 / desk_total,
            100.0 * look_alike_accepted as f64 / look_alikes.max(1) as f64
        );
    }
    let (unrelated, unrelated_mixed) = paragraph_articles(&classes["paragraph"]);
    articles(
        "five unrelated paragraphs of one language (uk↔ru, es+ca, en+de, others +en swapped in)",
        unrelated,
        unrelated_mixed,
        &detector,
    );
    match story_articles(&data::bench_data("translation/ntrex128")) {
        Some((stories, stories_mixed)) => articles(
            "NTREX news stories in en es fr ru uk (a passage swapped for its fr, ca, en, uk, ru translation)",
            stories,
            stories_mixed,
            &detector,
        ),
        None => println!("\n== articles: no NTREX stories in the bench data; not measured"),
    }
    mixed(&dir, &detector);
    println!("\npeak memory {:.0} MB", peak_memory_mb());
}

/// Articles, and copies of some with a passage in another language (and that language).
type ArticleSet = (Vec<Article>, Vec<(Article, String)>);

/// Articles of five unrelated paragraphs in one language (lingua's paragraphs), the third swapped
/// for one in another language in a second copy.
fn paragraph_articles(paragraphs: &[(String, String)]) -> ArticleSet {
    const PARAGRAPHS_PER_ARTICLE: usize = 5;
    // The language a foreign paragraph is taken from: the nearest one there is data for.
    let foreign = |code: &str| match code {
        "uk" => "ru",
        "ru" => "uk",
        "es" => "ca",
        "en" => "de",
        _ => "en",
    };
    let of = |code: &str| -> Vec<&String> { paragraphs.iter().filter(|(c, _)| c == code).map(|(_, t)| t).collect() };
    let mut articles: Vec<Article> = Vec::new();
    let mut mixed_articles: Vec<(Article, String)> = Vec::new();
    for code in DESK {
        let others = of(foreign(code));
        for (n, chunk) in of(code).chunks_exact(PARAGRAPHS_PER_ARTICLE).enumerate() {
            let blocks: Vec<Block> =
                chunk.iter().map(|t| Block::new(BlockKind::Paragraph, newswire::html::escape(t))).collect();
            let title = chunk[0].chars().take(80).collect();
            let article = Article { title, language: Some(code.to_string()), blocks, ..Article::default() };
            if let Some(other) = others.get(n) {
                let mut mixed = article.clone();
                mixed.blocks[2] = Block::new(BlockKind::Paragraph, newswire::html::escape(other));
                mixed_articles.push((mixed, foreign(code).to_string()));
            }
            articles.push(article);
        }
    }
    (articles, mixed_articles)
}

/// Real news stories (NTREX-128, the same 123 stories in each language), paragraphs of three
/// sentences; in a second copy the second paragraph is the same passage in another language
/// (Russian in a Ukrainian story, Catalan in a Spanish one, French in an English one, ...).
fn story_articles(dir: &Path) -> Option<ArticleSet> {
    const SENTENCES_PER_PARAGRAPH: usize = 3;
    let file = |code: &str| match code {
        "en" => "newstest2019-src.eng.txt",
        "es" => "newstest2019-ref.spa.txt",
        "fr" => "newstest2019-ref.fra.txt",
        "ru" => "newstest2019-ref.rus.txt",
        "uk" => "newstest2019-ref.ukr.txt",
        _ => "newstest2019-ref.cat.txt",
    };
    let lines = |code: &str| -> Option<Vec<String>> {
        Some(std::fs::read_to_string(dir.join(file(code))).ok()?.lines().map(str::to_string).collect())
    };
    let ids: Vec<String> =
        std::fs::read_to_string(dir.join("DOCUMENT_IDS.tsv")).ok()?.lines().map(str::to_string).collect();
    let stories = |code: &str| -> Option<Vec<Vec<String>>> {
        let lines = lines(code)?;
        let mut stories: Vec<Vec<String>> = Vec::new();
        let mut current: Option<&str> = None;
        for (id, line) in ids.iter().zip(lines) {
            if current != Some(id.as_str()) {
                stories.push(Vec::new());
                current = Some(id);
            }
            stories.last_mut()?.push(line);
        }
        Some(stories)
    };
    let article = |code: &str, story: &[String]| -> Article {
        let blocks = story
            .chunks(SENTENCES_PER_PARAGRAPH)
            .map(|p| Block::new(BlockKind::Paragraph, newswire::html::escape(&p.join(" "))))
            .collect();
        Article { title: story[0].clone(), language: Some(code.to_string()), blocks, ..Article::default() }
    };
    let (mut articles, mut mixed) = (Vec::new(), Vec::new());
    for (code, other) in [("en", "fr"), ("es", "ca"), ("fr", "en"), ("ru", "uk"), ("uk", "ru")] {
        let (own, others) = (stories(code)?, stories(other)?);
        for (story, foreign) in own.iter().zip(&others) {
            let story = &story[1..];
            let plain = article(code, story);
            if plain.blocks.len() >= 3 {
                let mut swapped = plain.clone();
                let passage = foreign[1..].chunks(SENTENCES_PER_PARAGRAPH).nth(1).map(|p| p.join(" "));
                if let Some(passage) = passage {
                    swapped.blocks[1] = Block::new(BlockKind::Paragraph, newswire::html::escape(&passage));
                    mixed.push((swapped, other.to_string()));
                }
            }
            articles.push(plain);
        }
    }
    Some((articles, mixed))
}

/// Articles judged as the pipeline judges them (the article's language on short windows, then the
/// paragraphs that need a look of their own), against the thorough way (the whole text, then every
/// paragraph): articles per second, agreement, and how often a passage in another language is marked.
fn articles(name: &str, articles: Vec<Article>, mixed_articles: Vec<(Article, String)>, detector: &LinguaDetector) {
    let counting = Counting { inner: detector, calls: Default::default(), chars: Default::default() };
    for article in &articles {
        let mut article = article.clone();
        article.language = counting.detect(&article.plain_text()).language;
        mixed::mark_languages(&mut article, &counting);
    }
    let per_article = |n: &std::sync::atomic::AtomicUsize| {
        n.load(std::sync::atomic::Ordering::Relaxed) as f64 / articles.len().max(1) as f64
    };
    type Judged = (Option<String>, Vec<Option<String>>);
    let sampled = |article: &Article| -> Judged {
        let mut article = article.clone();
        article.language = detector.detect(&article.plain_text()).language;
        mixed::mark_languages(&mut article, detector);
        (article.language, article.blocks.iter().map(|b| b.lang.clone()).collect())
    };
    let thorough = |article: &Article| -> Judged {
        let language = detector.detect_thoroughly(&article.plain_text()).language;
        let marks = article
            .blocks
            .iter()
            .map(|b| {
                let text = newswire::html::inline_text(&b.html);
                let d = detector.detect_thoroughly(&text);
                (text.chars().count() >= 120 && d.confidence >= 0.9 && d.language != language)
                    .then_some(d.language)
                    .flatten()
            })
            .collect();
        (language, marks)
    };
    let timed = |judge: &dyn Fn(&Article) -> Judged| -> (Vec<Judged>, f64) {
        let started = Instant::now();
        let judged: Vec<Judged> = articles.iter().map(judge).collect();
        (judged, articles.len() as f64 / started.elapsed().as_secs_f64())
    };
    let (quick, quick_rate) = timed(&sampled);
    let (slow, slow_rate) = timed(&thorough);
    let n = articles.len().max(1) as f64;
    let right = articles.iter().zip(&quick).filter(|(a, (got, _))| got == &a.language).count();
    let same_language = quick.iter().zip(&slow).filter(|(q, t)| q.0 == t.0).count();
    let unmarked = quick.iter().filter(|(_, marks)| marks.iter().all(Option::is_none)).count();
    println!("\n== articles: {name}, {} articles", articles.len());
    println!(
        "per article: {:.1} detections over {:.0} characters handed to the detector",
        per_article(&counting.calls),
        per_article(&counting.chars)
    );
    println!(
        "{quick_rate:.0} articles/s on one thread as the pipeline judges them, {slow_rate:.0} judged thoroughly: {:.1}× cheaper",
        quick_rate / slow_rate
    );
    println!(
        "right language {:.2}%, the same as thoroughly {:.2}%; no paragraph marked in another language {:.2}%",
        100.0 * right as f64 / n,
        100.0 * same_language as f64 / n,
        100.0 * unmarked as f64 / n
    );
    let marked = |judge: &dyn Fn(&Article) -> Judged| {
        let hits = mixed_articles
            .iter()
            .filter(|(a, other)| judge(a).1.iter().flatten().any(|marked| marked == other))
            .count();
        100.0 * hits as f64 / mixed_articles.len().max(1) as f64
    };
    println!(
        "with a passage in another language ({} articles): marked {:.1}%, thoroughly {:.1}%",
        mixed_articles.len(),
        marked(&sampled),
        marked(&thorough)
    );
}

/// Counts the detections made and the characters given to them.
struct Counting<'a> {
    inner: &'a LinguaDetector,
    calls: std::sync::atomic::AtomicUsize,
    chars: std::sync::atomic::AtomicUsize,
}

impl Detector for Counting<'_> {
    fn detect(&self, text: &str) -> newswire::detect::Detection {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.chars.fetch_add(text.chars().count(), std::sync::atomic::Ordering::Relaxed);
        self.inner.detect(text)
    }
}

/// A sentence in one language followed by a quotation in another: is the quotation marked?
fn mixed(dir: &Path, detector: &LinguaDetector) {
    let text = std::fs::read_to_string(dir.join("derived/mixed.tsv")).unwrap();
    let (mut right, mut wrong, mut missed, mut total, mut false_marks) = (0, 0, 0, 0, 0);
    let mut per_pair: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for row in text.split('\n').filter(|r| !r.is_empty()) {
        let cols: Vec<&str> = row.splitn(4, '\t').collect();
        let (a, b, body) = (code1(cols[0]), code1(cols[1]), cols[3]);
        // The first sentence quoted in its own article's language must stay unmarked.
        let offset: usize = cols[2].parse().unwrap_or(0);
        let own = body.get(..offset).unwrap_or("").trim();
        let own_quoted = newswire::html::escape(&format!("«{own}»"));
        if mixed::mark_quotes(&own_quoted, &a, detector).contains("<span lang=") {
            false_marks += 1;
        }
        let html = newswire::html::escape(body);
        let marked = mixed::mark_quotes(&html, &a, detector);
        total += 1;
        let entry = per_pair.entry(format!("{a}+{b}")).or_default();
        entry.1 += 1;
        if marked.contains(&format!("<span lang=\"{b}\">")) {
            right += 1;
            entry.0 += 1;
        } else if marked.contains("<span lang=") {
            wrong += 1;
        } else {
            missed += 1;
        }
    }
    println!("\n== mixed: {total} texts (a sentence, then a quotation in another language)");
    println!(
        "quotation marked with its language {:.1}%, with a wrong language {:.1}%, not marked {:.1}%",
        100.0 * right as f64 / total as f64,
        100.0 * wrong as f64 / total as f64,
        100.0 * missed as f64 / total as f64
    );
    println!(
        "a quotation in the article's own language marked anyway: {:.1}%",
        100.0 * false_marks as f64 / total as f64
    );
    let pairs: Vec<String> =
        per_pair.iter().map(|(pair, (r, n))| format!("{pair} {:.0}%", 100.0 * *r as f64 / *n as f64)).collect();
    println!("per pair: {}", pairs.join("  "));
}
