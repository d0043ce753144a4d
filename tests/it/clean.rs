//! The clean stage on its own: snapshots of what it extracts from the example pages, and hostile
//! pages that must end in an article or a clear "no article found", never a crash or a hang
//! (a hang is a page not cleaned within a bound far above any real cleaning time).

use newswire::clean::{self, ArticleCleaner, Cleaner, LearnedCleaner};
use newswire::model::RawPage;

use crate::support::*;

fn page(source: &str, text: String, content_type: &str) -> RawPage {
    RawPage { source: source.into(), url: None, text, content_type: Some(content_type.into()), ..RawPage::default() }
}

fn cleaned(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let kind = if path.extension().is_some_and(|e| e == "txt") { "text/plain" } else { "text/html" };
    let raw = newswire::ingest::page_from_bytes(&path.display().to_string(), &bytes, Some(kind.into()), None).unwrap();
    let article = ArticleCleaner.clean(&raw).unwrap();
    let rendered = clean::render(&article);
    format!(
        "title: {}\nbyline: {:?}\npublished: {:?}\nsection: {:?}\ncanonical: {:?}\n\n--- html\n{}\n--- text\n{}\n--- markdown\n{}\n",
        article.title, article.byline, article.published, article.section, article.canonical_url, rendered.html, rendered.text, rendered.markdown
    )
}

#[test]
fn example_pages_clean_to_their_snapshots() {
    for name in ["en-harbour-ferry.html", "es-valencia-port.html", "ru-vilnius-library.html", "uk-kyiv-tram.html"] {
        insta::assert_snapshot!(format!("clean__{name}"), cleaned(&examples_dir().join(name)));
    }
    insta::assert_snapshot!("clean__scraped-with-chrome.txt", cleaned(&fixture("scraped-with-chrome.txt")));
    insta::assert_snapshot!("clean__hostile.html", cleaned(&fixture("hostile.html")));
    // Blogger-style text in inline-only divs, a follow-us line, then related teasers after the story.
    insta::assert_snapshot!("clean__de-blog-related.html", cleaned(&fixture("de-blog-related.html")));
    // A story split into two body chunks by an ad row.
    insta::assert_snapshot!("clean__en-split-body.html", cleaned(&fixture("en-split-body.html")));
}

/// Far beyond what any of these pages takes (a fraction of a second in a release build): past it
/// the cleaner is stuck, which is the failure this test exists to catch, not a slow run.
const HANG: std::time::Duration = std::time::Duration::from_secs(120);

/// Cleans a page on its own thread; panics when it has not finished within `limit`.
fn clean_within(limit: std::time::Duration, page: RawPage) -> Result<newswire::model::Article, String> {
    clean_within_by(limit, page, false)
}

fn clean_within_by(
    limit: std::time::Duration,
    page: RawPage,
    learned: bool,
) -> Result<newswire::model::Article, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let name = page.source.clone();
    std::thread::spawn(move || {
        let cleaner: &dyn Cleaner = if learned { &LearnedCleaner } else { &ArticleCleaner };
        let _ = tx.send(cleaner.clean(&page).map_err(|err| err.to_string()));
    });
    rx.recv_timeout(limit).unwrap_or_else(|_| panic!("{name}: the cleaner did not finish within {limit:?}"))
}

#[test]
fn hostile_pages_end_in_an_article_or_a_clear_error() {
    let story = "<p>The council approved the harbour budget on Tuesday after a long debate about the new pier and its cost.</p>";
    let deep = format!("<html><body>{}{story}{}</body></html>", "<div>".repeat(100_000), "</div>".repeat(100_000));
    let huge_script = format!(
        "<html><head><script>{}</script></head><body><article>{story}{story}</article></body></html>",
        "var x = 1;\n".repeat(5_000_000)
    );
    let giant_table = format!(
        "<html><body><table>{}</table></body></html>",
        "<tr><td>cell</td><td>1,234</td><td>x</td></tr>".repeat(50_000)
    );
    let unterminated = format!("<html><body><div class='story'>{story}<p>Unclosed <b>tags <i>everywhere <a href='/x'");
    let junk: String = (0..200_000u32).map(|i| char::from_u32(0x20 + (i * 7919) % 0x5000).unwrap_or('?')).collect();
    let cases =
        [("deep", deep), ("huge", huge_script), ("table", giant_table), ("unterminated", unterminated), ("junk", junk)];
    for (name, html) in cases {
        for learned in [false, true] {
            match clean_within_by(HANG, page(name, html.clone(), "text/html"), learned) {
                Ok(article) => assert!(!article.blocks.is_empty(), "{name}"),
                Err(err) => assert!(err.contains("no article found"), "{name}: {err}"),
            }
        }
    }
    let deep_article = clean_within(
        HANG,
        page(
            "deep",
            format!("<html><body>{}{story}{}</body></html>", "<div>".repeat(100_000), "</div>".repeat(100_000)),
            "text/html",
        ),
    )
    .unwrap();
    assert!(clean::render(&deep_article).text.contains("harbour budget"));
}

#[test]
fn the_headline_is_the_h1_and_is_not_repeated_in_the_body() {
    let article = ArticleCleaner
        .clean(&page("flood", std::fs::read_to_string(fixture("en-title-site-name.html")).unwrap(), "text/html"))
        .unwrap();
    assert_eq!(article.title, "Flood barrier holds as the river peaks at six metres");
    let text = clean::render(&article).text;
    assert!(!text.contains("Flood barrier holds"), "the headline is repeated in the body: {text}");
    assert!(text.starts_with("The new flood barrier on the east bank held"), "{text}");
}

#[test]
fn a_one_paragraph_brief_in_a_text_file_is_an_article() {
    let dir = tempfile::tempdir().unwrap();
    let brief = "The regional parliament approved on Thursday a law that caps rents in the twelve largest towns for \
                 three years, after a debate that lasted most of the night. Landlords' associations said they would \
                 challenge it in court; tenants' groups called it a first step and asked for the cap to cover \
                 smaller towns as well.";
    assert!((300..400).contains(&brief.len()));
    let file = dir.path().join("brief.txt");
    std::fs::write(&file, brief).unwrap();
    let output = newswire().args(["clean", "--format", "json"]).arg(&file).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["text"], brief);
    assert_eq!(json["title"], "The regional parliament approved on Thursday a law that caps rents in the twelve largest towns for three years, after a…");
}

/// The learned block scorer (`clean --extractor learned`) finds the story and leaves the chrome,
/// and `clean --features` describes every block of the page with as many numbers as it names.
#[test]
fn the_learned_scorer_finds_the_story_and_describes_every_block() {
    let dir = tempfile::tempdir().unwrap();
    let features = dir.path().join("blocks.jsonl");
    let page = examples_dir().join("en-harbour-ferry.html");
    let out = newswire()
        .args(["clean", "--extractor", "learned", "--format", "text", "--features"])
        .arg(&features)
        .arg(&page)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("Harbour ferry service returns after two-year pause\n"), "{text}");
    assert!(text.contains("The ferry linking the old harbour with the island district"), "{text}");
    assert!(text.contains("Bicycles travel free outside rush hours."), "{text}");
    for chrome in ["We use cookies", "Sign up for our newsletter", "All rights reserved", "Southern bridge to close"] {
        assert!(!text.contains(chrome), "{chrome:?} in {text}");
    }

    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&features).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let names = lines[0]["features"].as_array().unwrap().len();
    assert!(names > 50, "{}", lines[0]);
    assert!(lines.len() > 20, "every block, chrome too: {}", lines.len());
    for line in &lines[1..] {
        assert_eq!(line["x"].as_array().unwrap().len(), names, "{line}");
        assert_eq!(line["source"], page.display().to_string());
    }
    assert!(lines.iter().any(|l| l["text"].as_str().is_some_and(|t| t.starts_with("We use cookies"))));

    // What it keeps is written by the same serialiser as the rules' choice: nothing that runs.
    let hostile = std::fs::read_to_string(fixture("hostile.html")).unwrap();
    if let Ok(article) = LearnedCleaner.clean(&self::page("hostile.html", hostile, "text/html")) {
        let html = clean::render(&article).html.to_lowercase();
        for bad in ["<script", "onerror", "javascript:", "<iframe", "<style"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
    }
}
