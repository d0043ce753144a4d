//! A crash in the middle of a batch: `kill -9` while 200 articles go to three partners, then a
//! second run once the dead run's claims ran out. Every (article, language, partner) arrives, no
//! delivery id is missing, and a copy received twice carries the same id both times.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

const ARTICLES: usize = 200;

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_mid_batch_then_rerun_loses_nothing() {
    let server = MockServer::start().await;
    for hook in ["/a", "/b"] {
        Mock::given(method("POST"))
            .and(path(hook))
            .respond_with(ResponseTemplate::new(204).set_delay(Duration::from_millis(30)))
            .mount(&server)
            .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let pages = spanish_stories(dir.path(), ARTICLES);
    let archive = dir.path().join("archive");
    let hook = |name: &str| Partner::webhook(name, &["es"], &format!("{}/{name}", server.uri()));
    let pipeline = Desk::new("crash-desk")
        .state(&dir.path().join("state.sqlite"))
        .paths(&[&pages])
        .languages(&["es", "en"])
        .partner(hook("a"))
        .partner(hook("b"))
        .partner(Partner::directory("archive", &["es"], &archive))
        // Claims run out 10 s (pages) and 8 s (deliveries: 1.5 timeouts and 5 s) after a worker dies.
        .table("[work]\nlease = \"10s\"")
        .table("[delivery]\ntimeout = \"2s\"")
        .write(dir.path());

    let binary = assert_cmd::cargo::cargo_bin("newswire");
    let mut child = std::process::Command::new(&binary)
        .arg("run")
        .arg(&pipeline)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        let seen = server.received_requests().await.map_or(0, |r| r.len());
        if seen >= 60 || started.elapsed() > Duration::from_secs(60) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let before_rerun = server.received_requests().await.unwrap().len();
    assert!(before_rerun < 2 * ARTICLES, "the kill came too late to test anything ({before_rerun} requests)");

    // Until its claims run out, the dead run's pages are left alone: nobody can tell it is dead.
    let early = newswire().arg("run").arg(&pipeline).arg("--json").timeout(Duration::from_secs(120)).output().unwrap();
    assert_eq!(early.status.code(), Some(0), "{}", String::from_utf8_lossy(&early.stderr));
    let early: serde_json::Value = serde_json::from_slice(&early.stdout).unwrap();
    let left_alone = early["articles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["error"].as_str().is_some_and(|e| e.contains("another worker")))
        .count();
    assert!(left_alone > 0, "the dead run held pages when it was killed");
    tokio::time::sleep(Duration::from_secs(11)).await;

    let output = newswire().arg("run").arg(&pipeline).arg("--json").timeout(Duration::from_secs(120)).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));

    // Every copy reached each webhook partner; repeats only under the same id.
    let requests = server.received_requests().await.unwrap();
    let mut ids_by_copy: HashMap<(String, String), HashSet<String>> = HashMap::new();
    for request in &requests {
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        let headline = body["headlines"][0]["value"].as_str().unwrap().to_string();
        let id = request.headers.get("webhook-id").unwrap().to_str().unwrap().to_string();
        ids_by_copy.entry((request.url.path().to_string(), headline)).or_default().insert(id);
    }
    assert_eq!(ids_by_copy.len(), 2 * ARTICLES, "every article reached both webhook partners");
    for (copy, ids) in &ids_by_copy {
        assert_eq!(ids.len(), 1, "{copy:?} arrived under several ids: {ids:?}");
    }
    let duplicates = requests.len() - 2 * ARTICLES;
    assert!(duplicates <= 2 * 8, "only copies in flight at the kill are sent twice ({duplicates})");
    assert_eq!(files_under(&archive).len(), ARTICLES);

    // The log agrees: every delivery delivered, none missing.
    let log = newswire().arg("deliveries").arg(&pipeline).arg("--json").output().unwrap();
    let log: Vec<serde_json::Value> = serde_json::from_slice(&log.stdout).unwrap();
    assert_eq!(log.len(), 3 * ARTICLES);
    assert!(log.iter().all(|d| d["state"] == "delivered"), "{:?}", log.iter().find(|d| d["state"] != "delivered"));
}
