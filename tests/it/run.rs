//! `newswire run` end to end: four example articles to an email partner (real SMTP), a webhook
//! partner (a receiver that verifies signatures) and a directory archive.

use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use crate::support::*;

/// The example stories in the desk's four languages (the examples hold a French one too).
const STORIES: [&str; 4] =
    ["en-harbour-ferry.html", "es-valencia-port.html", "ru-vilnius-library.html", "uk-kyiv-tram.html"];

fn desk(smtp_port: u16, hook_url: &str, archive: &std::path::Path) -> Desk {
    let stories = STORIES.map(|f| examples_dir().join(f));
    Desk::new("test-desk")
        .paths(&stories.each_ref().map(|p| p.as_path()))
        .languages(&["en", "es", "ru", "uk"])
        .table("[translate]\nbackend = \"apertium\"\n[backends.apertium]\nkind = \"apertium\"")
        .table(&format!(
            "[email]\nsmtp_url = \"smtp://127.0.0.1:{smtp_port}\"\nfrom = \"Test Desk <desk@newswire.example>\""
        ))
        .partner(Partner::email("el-correo", &["es"], &["mesa@elcorreo.example"]))
        .partner(
            Partner::of("kyiv-wire", "webhook", &["uk"])
                .with(&format!("url = {hook_url:?}"))
                .with("secret = \"${TEST_KYIV_SECRET}\""),
        )
        .partner(Partner::directory("archive", &["*"], archive))
}

#[tokio::test(flavor = "multi_thread")]
async fn articles_reach_email_webhook_and_directory_partners() {
    let smtp = SmtpServer::start(&[]);
    let hooks = MockServer::start().await;
    let receiver = VerifyingReceiver::default();
    Mock::given(method("POST")).and(path("/hook")).respond_with(receiver.clone()).mount(&hooks).await;
    let work = tempfile::tempdir().unwrap();
    let archive = work.path().join("archive");
    let pipeline = desk(smtp.port, &format!("{}/hook", hooks.uri()), &archive).write(work.path());

    let output = newswire()
        .arg("run")
        .arg(&pipeline)
        .arg("--json")
        .env("TEST_KYIV_SECRET", WEBHOOK_SECRET)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    let report: Value = serde_json::from_slice(&output.stdout).expect("stdout is one JSON document");
    assert_eq!(report["pipeline"], "test-desk");
    assert_eq!(report["totals"]["articles"], 4);
    assert_eq!(report["totals"]["failed"], 0);
    // Articles are reported in the order they end.
    let mut languages: Vec<&str> =
        report["articles"].as_array().unwrap().iter().map(|a| a["language"].as_str().unwrap()).collect();
    languages.sort();
    assert_eq!(languages, ["en", "es", "ru", "uk"]);

    // Email: en→es translated, es original: two messages, multipart text+HTML, headers set.
    let messages = smtp.messages();
    assert_eq!(messages.len(), 2, "{messages:?}");
    for message in &messages {
        assert!(message.contains("Content-Type: multipart/alternative"), "{message}");
        assert!(message.contains("Content-Type: text/plain; charset=utf-8"));
        assert!(message.contains("Content-Type: text/html; charset=utf-8"));
        assert!(message.contains("Content-Language: es"));
        assert!(message.contains("Message-ID: <msg_"));
        assert!(message.contains("To: mesa@elcorreo.example"));
        assert!(!message.contains("cookie"), "chrome leaked into a message");
    }
    assert!(
        messages.iter().any(|m| m.contains("Subject: El puerto de Valencia")),
        "the Spanish original is sent as is"
    );

    // Webhook: ru→uk translated and uk original, both signed and ninjs.
    let seen = receiver.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    for hook in &seen {
        assert!(hook.verified, "signature did not verify: {hook:?}");
        assert_eq!(hook.body["language"], "uk");
        assert_eq!(hook.body["type"], "text");
        assert!(hook.body["uri"].as_str().unwrap().starts_with("urn:newswire:"));
        assert!(hook.body["headlines"][0]["value"].as_str().is_some_and(|h| !h.is_empty()));
        assert!(hook.id.starts_with("msg_"));
    }
    let translated =
        seen.iter().find(|h| h.body.get("associations").is_some()).expect("the ru article translated to uk");
    assert_eq!(translated.body["associations"][0]["name"], "original");
    assert_eq!(translated.body["associations"][0]["language"], "ru");
    let ids_in_report: Vec<&str> = report["articles"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["deliveries"].as_array().unwrap())
        .filter(|d| d["partner"] == "kyiv-wire" && d["status"] == "ok")
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    for hook in &seen {
        assert!(ids_in_report.contains(&hook.id.as_str()), "webhook-id {} is the delivery id", hook.id);
    }

    // Directory: every article in its own language, plus each translation made.
    let files = files_under(&archive);
    assert_eq!(files.iter().filter(|f| f.starts_with("en/")).count(), 1, "{files:?}");
    assert_eq!(files.iter().filter(|f| f.starts_with("es/")).count(), 2, "{files:?}");
    assert_eq!(files.iter().filter(|f| f.starts_with("uk/")).count(), 2, "{files:?}");
    assert_eq!(files.iter().filter(|f| f.starts_with("ru/")).count(), 1, "{files:?}");

    // A pair no backend has is skipped, with its reason, and does not fail the run.
    let english = report["articles"].as_array().unwrap().iter().find(|a| a["language"] == "en").unwrap();
    let to_uk = english["translations"].as_array().unwrap().iter().find(|t| t["language"] == "uk").unwrap();
    assert_eq!(to_uk["status"], "skipped");
    assert_eq!(to_uk["error"], "no backend translates en→uk");

    // The same article, version, language and partner always get the same delivery id.
    let again = newswire()
        .arg("run")
        .arg(&pipeline)
        .arg("--json")
        .arg("--dry-run")
        .env("TEST_KYIV_SECRET", WEBHOOK_SECRET)
        .output()
        .unwrap();
    let second: Value = serde_json::from_slice(&again.stdout).unwrap();
    let ids = |r: &Value| -> std::collections::BTreeSet<String> {
        r["articles"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|a| a["deliveries"].as_array().unwrap())
            .map(|d| d["id"].as_str().unwrap().to_string())
            .collect::<std::collections::BTreeSet<String>>()
    };
    assert_eq!(ids(&report), ids(&second));
    assert_eq!(second["totals"]["delivered"], 0, "a dry run delivers nothing");
    assert_eq!(smtp.messages().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_recipient_fails_only_its_delivery() {
    let smtp = SmtpServer::start(&["gone@elcorreo.example"]);
    let work = tempfile::tempdir().unwrap();
    let archive = work.path().join("archive");
    let pipeline = Desk::new("bounce-desk")
        .paths(&[&examples_dir().join("es-valencia-port.html")])
        .languages(&["es", "en"])
        .smtp(smtp.port)
        .partner(Partner::email("gone", &["es"], &["gone@elcorreo.example"]))
        .partner(Partner::directory("archive", &["es"], &archive))
        .write(work.path());
    let output = newswire().arg("run").arg(&pipeline).arg("--json").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let deliveries = report["articles"][0]["deliveries"].as_array().unwrap();
    let gone = deliveries.iter().find(|d| d["partner"] == "gone").unwrap();
    assert_eq!(gone["status"], "failed");
    assert!(gone["error"].as_str().unwrap().contains("550"), "{gone}");
    let kept = deliveries.iter().find(|d| d["partner"] == "archive").unwrap();
    assert_eq!(kept["status"], "ok");
    assert!(smtp.messages().is_empty());
}

#[test]
fn input_replaces_the_pipeline_sources() {
    let work = tempfile::tempdir().unwrap();
    let archive = work.path().join("archive");
    let pipeline = Desk::new("input-desk")
        .paths(&[std::path::Path::new("/nonexistent/folder")])
        .languages(&["es", "en"])
        .partner(Partner::directory("archive", &["*"], &archive))
        .write(work.path());
    let output = run_json_on(&pipeline, &examples_dir().join("es-valencia-port.html")).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["totals"]["articles"], 1);
    assert_eq!(report["totals"]["delivered"], 1);
    assert_eq!(files_under(&archive).len(), 1);
    // Without --json the summary is on stdout for people.
    let human = newswire()
        .arg("run")
        .arg(&pipeline)
        .arg("--input")
        .arg(examples_dir().join("es-valencia-port.html"))
        .output()
        .unwrap();
    let summary = String::from_utf8_lossy(&human.stdout);
    assert!(summary.starts_with("input-desk: 1 article (1 ok, 0 failed, 0 skipped)"), "{summary}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feed_brings_its_items_pages() {
    let server = MockServer::start().await;
    let page = std::fs::read_to_string(examples_dir().join("uk-kyiv-tram.html")).unwrap();
    let rss = format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Kurier</title>
        <item><title>Трамвай</title><link>{}/misto/tram</link><guid>kurier-1</guid><pubDate>Sat, 21 Nov 2026 07:15:00 GMT</pubDate></item>
        </channel></rss>"#,
        server.uri()
    );
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .respond_with(
            wiremock::ResponseTemplate::new(200)
                .set_body_string(rss)
                .insert_header("content-type", "application/rss+xml"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/misto/tram"))
        .respond_with(
            wiremock::ResponseTemplate::new(200)
                .set_body_string(page)
                .insert_header("content-type", "text/html; charset=utf-8"),
        )
        .mount(&server)
        .await;
    let work = tempfile::tempdir().unwrap();
    let archive = work.path().join("archive");
    let pipeline = Desk::new("feed-desk")
        .feeds(&[&format!("{}/feed.xml", server.uri())])
        .languages(&["uk", "ru"])
        .partner(Partner::directory("archive", &["uk"], &archive))
        .write(work.path());
    let output = newswire().arg("run").arg(&pipeline).arg("--json").output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let article = &report["articles"][0];
    assert_eq!(article["source"], format!("{}/misto/tram", server.uri()));
    assert_eq!(article["id"], "https://kurier.example/misto/novyi-tramvai", "the canonical URL is the id");
    assert_eq!(article["language"], "uk");
    assert_eq!(article["deliveries"][0]["status"], "ok");
}
