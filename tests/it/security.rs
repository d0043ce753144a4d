//! The console against a hostile client: URLs that lead inside the network, at submission and at
//! connection (DNS answers and redirect hops, through a resolver seam); each test shows the attack
//! failing, and the newsroom's own network opened on purpose.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use newswire::ingest::web::WebClient;
use newswire::ingest::Limits;
use newswire::outbound::{Lookup, OutboundPolicy};

use crate::serve::{harbour_html, post_article, status_of, wait_for};
use crate::support::console::{serve_tables_opening, Console};
use crate::support::{Desk, Partner};

/// A server that must never be reached: it counts every request.
async fn canary(on: &str) -> MockServer {
    let listener = std::net::TcpListener::bind(format!("{on}:0")).unwrap();
    let server = MockServer::builder().listener(listener).start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("internal secret"))
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    server
}

fn desk_opening(dir: &std::path::Path, networks: &[&str]) -> std::path::PathBuf {
    Desk::new("web-desk")
        .state(&dir.join("state.sqlite"))
        .languages(&["en"])
        .table(&serve_tables_opening(networks))
        .partner(Partner::directory("archive", &["es"], &dir.join("out")))
        .write(dir)
}

#[tokio::test(flavor = "multi_thread")]
async fn urls_from_the_api_that_lead_inside_the_network_are_refused_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let inside = canary("127.0.0.1").await;
    let port = inside.address().port();
    let console = Console::start(&[&desk_opening(dir.path(), &[])], dir.path());

    for url in [
        format!("http://127.0.0.1:{port}/admin"),
        format!("http://127.1:{port}/admin"),
        format!("http://2130706433:{port}/admin"),
        format!("http://0x7f000001:{port}/admin"),
        format!("http://[::1]:{port}/admin"),
        format!("http://[::ffff:127.0.0.1]:{port}/admin"),
        format!("http://localhost:{port}/admin"),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://10.0.0.8/".to_string(),
        "http://[fd12::1]/".to_string(),
    ] {
        let answer = post_article(&console, json!({ "url": url })).await;
        assert_eq!(answer.status(), 422, "{url}");
        let error: Value = answer.json().await.unwrap();
        let error = error["error"].as_str().unwrap();
        assert!(
            error.contains("URLs from the API may not reach") && error.contains("allow_networks"),
            "{url}: {error}"
        );
    }
    let callback = format!("http://localhost:{port}/cms");
    let answer =
        post_article(&console, json!({ "html": harbour_html(), "id": "cms-1", "callback_url": callback })).await;
    assert_eq!(answer.status(), 422);
    assert!(answer.text().await.unwrap().contains("a loopback address"));

    // A public name is accepted at once and checked when it resolves: this one has no address.
    let answer = post_article(&console, json!({ "url": "http://news.invalid/story" })).await;
    assert_eq!(answer.status(), 202);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let status = loop {
        match status_of(&console, "http://news.invalid/story").await {
            Some(status) if status["status"] == "failed" => break status,
            _ => assert!(std::time::Instant::now() < deadline, "never failed:\n{}", console.log()),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status["error"].as_str().is_some_and(|e| e.contains("news.invalid")), "{status:#}");

    assert!(inside.received_requests().await.unwrap().is_empty(), "the inside server was never reached");
    drop(console);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_newsroom_opens_its_own_network_and_only_that() {
    let dir = tempfile::tempdir().unwrap();
    let cms = canary("127.0.0.1").await;
    Mock::given(method("GET"))
        .and(path("/news/harbour"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(harbour_html(), "text/html; charset=utf-8"))
        .with_priority(1)
        .mount(&cms)
        .await;
    let console = Console::start(&[&desk_opening(dir.path(), &["127.0.0.1/32"])], dir.path());
    let url = format!("{}/news/harbour", cms.uri());
    assert_eq!(post_article(&console, json!({ "url": url })).await.status(), 202);
    wait_for(&console, &url, |s| s["status"] == "delivered").await;
    let port = cms.address().port();
    let answer = post_article(&console, json!({ "url": format!("http://127.0.0.2:{port}/news/harbour") })).await;
    assert_eq!(answer.status(), 422, "127.0.0.2 is not in 127.0.0.1/32");
    assert!(answer.text().await.unwrap().contains("127.0.0.2 is a loopback address"));
}

/// Names resolved from a fixed table, as a hostile DNS would answer.
struct Table(Vec<(&'static str, IpAddr)>);

#[async_trait::async_trait]
impl Lookup for Table {
    async fn lookup(&self, host: &str) -> std::io::Result<Vec<IpAddr>> {
        Ok(self.0.iter().filter(|(name, _)| *name == host).map(|(_, ip)| *ip).collect())
    }
}

fn guarded(allow: &[&str], table: Table) -> WebClient {
    let limits = Limits { max_bytes: 1 << 20, timeout: Duration::from_secs(10) };
    let policy = OutboundPolicy::new(allow.iter().map(|n| n.parse().unwrap()).collect());
    WebClient::guarded(&limits, policy, Arc::new(table)).unwrap()
}

#[tokio::test]
async fn a_name_that_resolves_inside_is_refused_on_the_address_connected_to() {
    let inside = canary("127.0.0.1").await;
    let port = inside.address().port();
    let client = guarded(&[], Table(vec![("news.example", "127.0.0.1".parse().unwrap())]));
    let err = client.fetch(&format!("http://news.example:{port}/admin")).await.err().expect("refused");
    assert!(err.problem.contains("news.example (127.0.0.1) is a loopback address"), "{}", err.problem);
    assert_eq!(err.kind, newswire::error::ErrorKind::Permanent, "a refusal is not tried again");
    assert!(inside.received_requests().await.unwrap().is_empty());

    // The same name opened on purpose is fetched.
    let client = guarded(&["127.0.0.1/32"], Table(vec![("news.example", "127.0.0.1".parse().unwrap())]));
    let fetched = client.fetch(&format!("http://news.example:{port}/story")).await.expect("opened");
    assert_eq!(fetched.bytes, b"internal secret");
}

#[tokio::test]
async fn a_redirect_hop_inside_the_network_is_refused() {
    let inside = canary("127.0.0.2").await;
    let inside_port = inside.address().port();
    let public = MockServer::start().await;
    for (route, target) in [
        ("/to-address", format!("http://127.0.0.2:{inside_port}/admin")),
        ("/to-name", format!("http://intranet.example:{inside_port}/admin")),
        ("/to-decimal", format!("http://2130706434:{inside_port}/admin")),
        ("/to-mapped", format!("http://[::ffff:127.0.0.2]:{inside_port}/admin")),
    ] {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(ResponseTemplate::new(302).insert_header("location", target.as_str()))
            .mount(&public)
            .await;
    }
    // 127.0.0.1 stands for the public internet here; 127.0.0.2 for the newsroom's network.
    let table = Table(vec![("intranet.example", "127.0.0.2".parse().unwrap())]);
    let client = guarded(&["127.0.0.1/32"], table);
    for route in ["/to-address", "/to-name", "/to-decimal", "/to-mapped"] {
        let err = client.fetch(&format!("{}{route}", public.uri())).await.err().expect("refused");
        assert!(err.problem.contains("loopback address"), "{route}: {}", err.problem);
        assert!(!err.problem.contains("internal secret"));
    }
    assert!(inside.received_requests().await.unwrap().is_empty(), "no hop reached the inside server");
}
