//! `check`, `detect` and `clean` as a newsroom script calls them.

use predicates::prelude::*;
use serde_json::Value;

use crate::support::*;

#[test]
fn check_accepts_the_demo_desk() {
    newswire()
        .current_dir(project_dir())
        .args(["check", "pipelines/demo.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("pipelines/demo.toml: usable"))
        // Apertium has no en→uk: said, not hidden.
        .stdout(predicate::str::contains(
            "warning: partner \"kyiv-wire\" wants uk, but no backend translates en,es,fr→uk",
        ))
        // The pairs meet in Spanish: French reaches English through it, Russian does not.
        .stdout(predicate::str::contains(
            "translation into en: directly from es; through es from fr; not at all from ru, uk",
        ));
}

#[test]
fn check_reports_a_typo_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = write_pipeline(dir.path(), "name = \"x\"\n[detect]\nlanguages = [\"en\"]\nmin_confidense = 0.7\n");
    newswire()
        .arg("check")
        .arg(&pipeline)
        .assert()
        .code(2)
        .stdout(predicate::str::contains("desk.toml:4:1: error: unknown field `min_confidense`"));
    // `run` refuses the same file with the same message.
    newswire().arg("run").arg(&pipeline).assert().code(2).stderr(predicate::str::contains("desk.toml:4:1"));
}

#[test]
fn check_reports_every_semantic_problem() {
    let dir = tempfile::tempdir().unwrap();
    let text = "name = \"x\"\n[detect]\nlanguages = [\"en\", \"xx\"]\n[[partners]]\nname = \"p\"\nchannel = \"pigeon\"\nlanguages = [\"es\"]\n[[partners]]\nname = \"w\"\nchannel = \"webhook\"\nlanguages = [\"es\"]\nurl = \"http://127.0.0.1:1/h\"\nsecret = \"${NEWSWIRE_TEST_UNSET_SECRET}\"\n";
    let pipeline = write_pipeline(dir.path(), text);
    newswire()
        .arg("check")
        .arg(&pipeline)
        .env_remove("NEWSWIRE_TEST_UNSET_SECRET")
        .assert()
        .code(2)
        .stdout(predicate::str::contains("desk.toml:3:20: error: unknown or unsupported language \"xx\""))
        .stdout(predicate::str::contains("desk.toml:6:11: error: unknown channel \"pigeon\""))
        .stdout(predicate::str::contains(
            "desk.toml:13:10: error: environment variable NEWSWIRE_TEST_UNSET_SECRET is not set",
        ));
}

#[test]
fn detect_names_the_language_of_each_file() {
    let output = newswire()
        .arg("detect")
        .arg("--json")
        .args(
            ["en-harbour-ferry.html", "es-valencia-port.html", "ru-vilnius-library.html", "uk-kyiv-tram.html"]
                .map(|f| examples_dir().join(f)),
        )
        .output()
        .unwrap();
    assert!(output.status.success());
    let rows: Value = serde_json::from_slice(&output.stdout).unwrap();
    let languages: Vec<&str> = rows.as_array().unwrap().iter().map(|r| r["language"].as_str().unwrap()).collect();
    assert_eq!(languages, ["en", "es", "ru", "uk"]);
    for row in rows.as_array().unwrap() {
        assert!(row["confidence"].as_f64().unwrap() > 0.7, "{row}");
        assert!(row["file"].as_str().unwrap().ends_with(".html"));
    }
}

#[test]
fn clean_json_has_the_article_and_none_of_the_chrome() {
    let output = newswire()
        .arg("clean")
        .arg(examples_dir().join("en-harbour-ferry.html"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let article: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(article["title"], "Harbour ferry service returns after two-year pause");
    assert_eq!(article["byline"], "Laura Pettersen");
    assert_eq!(article["published"], "2026-11-20T08:30:00Z");
    assert_eq!(article["section"], "City");
    assert_eq!(article["language"], "en");
    assert_eq!(article["canonical_url"], "https://bep.example/city/harbour-ferry-returns");
    let text = article["text"].as_str().unwrap();
    assert!(text.starts_with("The ferry linking the old harbour"), "{text}");
    assert!(text.ends_with("near the new library."), "{text}");
    for chrome in ["cookies", "Advertisement", "Facebook", "newsletter", "Related", "All rights reserved", "Business"] {
        assert!(!text.contains(chrome), "{chrome:?} leaked into {text}");
    }
    assert!(
        !text.contains('[') && !text.contains("](") && !text.contains("https://"),
        "no link markup in text: {text}"
    );
    let html = article["html"].as_str().unwrap();
    assert!(html.contains("<h2>Repairs took longer than planned</h2>"), "{html}");
    assert!(html.contains("<a href=\"https://bep.example/people/marta-kalnina\""), "links are absolute: {html}");
    assert!(html.contains("<li>Bicycles travel free outside rush hours.</li>"));
    assert!(html.contains("<figcaption>The ferry at the renovated northern pier on Wednesday.</figcaption>"));
}

#[test]
fn clean_reads_a_windows_1251_page() {
    let output = newswire().arg("clean").arg(examples_dir().join("ru-vilnius-library.html")).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("В Вильнюсе открылась новая городская библиотека\n\n"), "{text}");
    assert!(!text.contains("Читайте также") && !text.contains("Реклама") && !text.contains("cookie"), "{text}");
}

#[test]
fn clean_strips_chrome_from_scraped_text() {
    let output =
        newswire().arg("clean").arg(fixture("scraped-with-chrome.txt")).args(["--format", "json"]).output().unwrap();
    assert!(output.status.success());
    let article: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(article["title"], "Port of Klaipėda reports its busiest autumn in a decade");
    assert_eq!(article["section"], "Economy");
    let text = article["text"].as_str().unwrap();
    assert_eq!(text.split("\n\n").count(), 3, "{text}");
    assert!(text.starts_with("The port of Klaipėda handled"));
    for chrome in ["Article top vertical", "Share this article", "Facebook", "busiest autumn in a decade"] {
        assert!(!text.contains(chrome), "{chrome:?} left in {text}");
    }
}

#[test]
fn hostile_content_never_reaches_the_html() {
    let output = newswire().arg("clean").arg(fixture("hostile.html")).args(["--format", "html"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let html = String::from_utf8(output.stdout).unwrap().to_lowercase();
    for bad in ["<script", "javascript:", "onerror", "onclick", "data:text", "<style", "<iframe", "&lt;script"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert!(html.contains("the council voted"), "{html}");
}
