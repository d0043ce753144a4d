//! Bad input never stops the batch: each bad page gets a clear error naming it, and the good
//! article beside them is still delivered.

use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn one_batch_of_bad_pages_and_one_good_article() {
    let work = tempfile::tempdir().unwrap();
    let pages = work.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    std::fs::write(pages.join("empty.html"), "").unwrap();
    let junk: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(pages.join("binary.html"), junk).unwrap();
    // Latin-1 bytes, not UTF-8, and no charset declared anywhere.
    let latin1: Vec<u8> = encoding_rs::WINDOWS_1252
        .encode("<html><body><article><p>Le café de la place a rouvert ses portes lundi après six mois de travaux, à la grande joie des habitués du quartier.</p><p>Le propriétaire a déclaré que les prix resteraient les mêmes qu'avant la fermeture.</p></article></body></html>")
        .0
        .into_owned();
    std::fs::write(pages.join("latin1.html"), latin1).unwrap();
    let mut huge = String::from("<html><body><p>");
    while huge.len() < 50 * 1024 * 1024 {
        huge.push_str("All work and no play makes a very large page. ");
    }
    std::fs::write(pages.join("huge.html"), huge).unwrap();
    let deep =
        format!("<html><body>{}<p>Deep inside.</p>{}</body></html>", "<div>".repeat(100_000), "</div>".repeat(100_000));
    std::fs::write(pages.join("deep.html"), deep).unwrap();
    std::fs::write(
        pages.join("no-article.html"),
        "<html><body><nav><a href='/a'>Home</a> <a href='/b'>News</a></nav><footer>© 2026</footer></body></html>",
    )
    .unwrap();
    std::fs::write(
        pages.join("unterminated.html"),
        "<html><body><div class='story'><p>Unclosed <b>tags <i>everywhere <a href='/x'",
    )
    .unwrap();
    std::fs::copy(examples_dir().join("en-harbour-ferry.html"), pages.join("good.html")).unwrap();

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string("this is not a feed")
                .insert_header("content-type", "application/rss+xml"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/report.pdf"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_bytes(b"%PDF-1.7".to_vec())
                .insert_header("content-type", "application/pdf"),
        )
        .mount(&server)
        .await;
    let closed = free_port();
    let archive = work.path().join("archive");
    let (feed, pdf) = (server.uri() + "/feed.xml", server.uri() + "/report.pdf");
    let pipeline = Desk::new("bad-input-desk")
        .paths(&[&pages])
        .urls(&[&format!("http://127.0.0.1:{closed}/article"), &pdf])
        .feeds(&[&feed])
        .languages(&["en", "fr"])
        .partner(Partner::directory("archive", &["*"], &archive))
        .write(work.path());
    let output = newswire()
        .arg("run")
        .arg(&pipeline)
        .arg("--json")
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let by_source = |suffix: &str| -> Value {
        report["articles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["source"].as_str().unwrap().ends_with(suffix))
            .cloned()
            .unwrap_or_else(|| panic!("{suffix} missing from {report:#}"))
    };
    let error_of = |suffix: &str| by_source(suffix)["error"].as_str().unwrap_or("").to_string();

    assert_eq!(by_source("empty.html")["status"], "failed");
    assert_eq!(error_of("empty.html"), "the file is empty");
    assert!(error_of("binary.html").starts_with("binary content, not a text page"), "{}", error_of("binary.html"));
    assert!(error_of("huge.html").contains("over the 10.0 MB limit"), "{}", error_of("huge.html"));
    assert!(error_of("no-article.html").contains("no article found"), "{}", error_of("no-article.html"));
    assert!(
        error_of("/article").contains("Connection refused") || error_of("/article").contains("request failed"),
        "{}",
        error_of("/article")
    );
    assert!(error_of("/feed.xml").starts_with("not a valid RSS or Atom feed"), "{}", error_of("/feed.xml"));
    // 100,000 nested divs around a two-word line: parsed to the end, and too little text to be a story.
    assert_eq!(by_source("deep.html")["status"], "failed");
    assert!(error_of("deep.html").contains("no article found"), "{}", error_of("deep.html"));
    // Tags never closed: the text inside them is still the article.
    assert_eq!(by_source("unterminated.html")["status"], "ok", "{}", by_source("unterminated.html"));
    assert_eq!(by_source("unterminated.html")["title"], "Unclosed tags everywhere");

    // The Latin-1 page comes out as correct UTF-8, and the good article is delivered.
    assert_eq!(by_source("latin1.html")["status"], "ok", "{}", by_source("latin1.html"));
    assert_eq!(by_source("latin1.html")["language"], "fr");
    assert_eq!(by_source("good.html")["status"], "ok");
    let files = files_under(&archive);
    assert!(files.iter().any(|f| f.starts_with("en/harbour-ferry-returns")), "{files:?}");
    let french = files.iter().find(|f| f.starts_with("fr/")).expect("the Latin-1 page was delivered");
    let copy = std::fs::read_to_string(archive.join(french)).unwrap();
    assert!(copy.contains("Le café de la place a rouvert"), "{copy}");

    // The summary on stderr names each failed input and its problem.
    let summary = String::from_utf8_lossy(&output.stderr);
    assert!(summary.contains("failed") && summary.contains("empty.html: the file is empty"), "{summary}");
}
