//! Language detection a desk can trust: look-alikes named, quotations in another language marked
//! and kept, Ukrainian with щ and і read as Ukrainian.

use serde_json::Value;

use crate::support::*;

fn archive_desk(dir: &std::path::Path, languages: &[&str]) -> std::path::PathBuf {
    Desk::new("detect-desk")
        .languages(languages)
        .partner(Partner::directory("archive", &["*"], &dir.join("archive")))
        .write(dir)
}

#[test]
fn a_catalan_article_in_a_spanish_desk_is_skipped_with_its_language_named() {
    let work = tempfile::tempdir().unwrap();
    let pipeline = archive_desk(work.path(), &["es", "en"]);
    let output = newswire()
        .arg("run")
        .arg(&pipeline)
        .arg("--input")
        .arg(fixture("ca-article.html"))
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "a skipped article does not fail the run");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let article = &report["articles"][0];
    assert_eq!(article["status"], "skipped");
    assert_eq!(article["language"], "ca");
    assert_eq!(article["error"], "language ca not in this pipeline");
    assert!(files_under(&work.path().join("archive")).is_empty(), "nothing was delivered");
}

#[test]
fn a_short_text_leaning_to_a_look_alike_is_skipped_as_unsure_with_the_look_alike_named() {
    let work = tempfile::tempdir().unwrap();
    let pipeline = archive_desk(work.path(), &["es", "en"]);
    let input = work.path().join("brief.txt");
    std::fs::write(&input, "Una nova era\n\nLa crisi continua.\n").unwrap();
    let output = newswire().arg("run").arg(&pipeline).arg("--input").arg(&input).arg("--json").output().unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let article = &report["articles"][0];
    assert_eq!(article["status"], "skipped");
    let error = article["error"].as_str().unwrap();
    assert!(error.starts_with("language undetermined (best guess es at 0."), "{error}");
    assert!(error.ends_with("it leans towards ca, not in this pipeline)"), "{error}");
}

#[test]
fn ukrainian_with_shcha_and_i_is_ukrainian() {
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("uk.txt");
    std::fs::write(&file, "Щоб захистити мешканців, міська влада відкрила ще шість укриттів у школах.").unwrap();
    let output = newswire().arg("detect").arg("--json").arg(&file).output().unwrap();
    let rows: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rows[0]["language"], "uk", "{rows}");
}

#[test]
fn a_russian_quote_in_a_ukrainian_story_stays_marked_and_untranslated() {
    let work = tempfile::tempdir().unwrap();
    let pipeline = archive_desk(work.path(), &["uk", "ru"]);
    let text = std::fs::read_to_string(&pipeline).unwrap();
    // A Russian partner makes the desk translate the story into Russian.
    let text = text.replace("languages = [\"*\"]", "languages = [\"*\", \"ru\"]");
    std::fs::write(&pipeline, text).unwrap();
    let output = newswire()
        .arg("run")
        .arg(&pipeline)
        .arg("--input")
        .arg(fixture("uk-quote.html"))
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let archive = work.path().join("archive");
    let read = |lang: &str| {
        let file = files_under(&archive).into_iter().find(|f| f.starts_with(&format!("{lang}/"))).unwrap();
        std::fs::read_to_string(archive.join(file)).unwrap()
    };
    let quote = "Мы не собираемся обсуждать это решение с журналистами сегодня";
    let original = read("uk");
    assert!(original.contains(&format!("«<span lang=\"ru\">{quote}</span>»")), "{original}");
    let russian = read("ru");
    assert!(
        russian.contains(&format!("<span lang=\"ru\">{quote}</span>")),
        "the quote is kept word for word: {russian}"
    );
    assert!(!russian.contains("Речник сказав"), "the rest is translated: {russian}");
}

#[test]
fn detection_on_a_sample_agrees_with_detection_on_the_whole_text() {
    use newswire::clean::{ArticleCleaner, Cleaner};
    use newswire::detect::{Detector, LinguaDetector};
    let detector = LinguaDetector::new(&["en".into(), "es".into(), "ru".into(), "uk".into(), "de".into()]);
    let mut pages: Vec<std::path::PathBuf> =
        std::fs::read_dir(examples_dir()).unwrap().flatten().map(|e| e.path()).collect();
    pages.extend(["uk-quote.html", "en-split-body.html", "de-blog-related.html", "ca-article.html"].map(fixture));
    pages.sort();
    for path in pages {
        let bytes = std::fs::read(&path).unwrap();
        let page =
            newswire::ingest::page_from_bytes(&path.display().to_string(), &bytes, Some("text/html".into()), None)
                .unwrap();
        let text = ArticleCleaner.clean(&page).unwrap().plain_text();
        let (quick, whole) = (detector.detect(&text), detector.detect_thoroughly(&text));
        assert_eq!(quick.language, whole.language, "{}", path.display());
        let confident = |c: f64| c >= 0.7;
        assert_eq!(confident(quick.confidence), confident(whole.confidence), "{}: {quick:?} {whole:?}", path.display());
    }
}
