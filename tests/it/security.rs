//! The console against a hostile client: URLs that lead inside the network, at submission and at
//! connection (DNS answers and redirect hops, through a resolver seam); logins that try to leave
//! the console, flood it, lock a person out or tell names apart. Each test shows the attack
//! failing, and what is opened on purpose working.

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
use crate::support::console::{client, csrf_in, serve_tables_opening, set_cookie, Console, PASSWORD};
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

/// A desk translating English into Spanish for an archive folder, its `[serve]` opening
/// `networks`, with `more` `[serve]` keys (lines).
fn web_desk(dir: &std::path::Path, networks: &[&str], more: &str) -> std::path::PathBuf {
    let serve = serve_tables_opening(networks).replace("allow_networks = [", &format!("{more}allow_networks = ["));
    Desk::new("web-desk")
        .state(&dir.join("state.sqlite"))
        .languages(&["en"])
        .table(&serve)
        .partner(Partner::directory("archive", &["es"], &dir.join("out")))
        .write(dir)
}

fn desk_opening(dir: &std::path::Path, networks: &[&str]) -> std::path::PathBuf {
    web_desk(dir, networks, "")
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

/// The login form's cookie and CSRF token, fetched once and used for many tries.
struct LoginForm {
    cookie: String,
    csrf: String,
}

async fn login_form(console: &Console) -> LoginForm {
    let form = client().get(console.url("/login")).send().await.unwrap();
    let cookie = set_cookie(&form, "newswire_login").unwrap().split(';').next().unwrap().to_string();
    LoginForm { cookie, csrf: csrf_in(&form.text().await.unwrap()) }
}

/// One login try, as relayed by the proxy on 127.0.0.1 for `client`.
async fn try_login(
    console: &Console,
    form: &LoginForm,
    client_address: &str,
    user: &str,
    password: &str,
    next: &str,
) -> reqwest::Response {
    client()
        .post(console.url("/login"))
        .header("cookie", &form.cookie)
        .header("x-forwarded-for", format!("10.9.9.9, {client_address}"))
        .form(&[("csrf", form.csrf.as_str()), ("username", user), ("password", password), ("next", next)])
        .send()
        .await
        .unwrap()
}

/// A desk whose console sits behind a proxy on 127.0.0.1.
fn desk_behind_proxy(dir: &std::path::Path) -> std::path::PathBuf {
    web_desk(dir, &[], "trusted_proxies = [\"127.0.0.1\"]\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn after_logging_in_the_console_sends_only_to_its_own_pages() {
    let dir = tempfile::tempdir().unwrap();
    let console = Console::start(&[&desk_behind_proxy(dir.path())], dir.path());
    let form = login_form(&console).await;
    for (next, expected) in [
        ("/\t/evil.example/", "/"),
        ("/\n/evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/desks/web-desk/review?page=2", "/desks/web-desk/review?page=2"),
    ] {
        let answer = try_login(&console, &form, "198.51.100.20", "ana", PASSWORD, next).await;
        assert_eq!(answer.status(), 303, "{next:?}");
        assert_eq!(answer.headers()["location"], expected, "{next:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_login_flood_is_bounded_and_locks_no_one_out_from_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let console = Console::start(&[&desk_behind_proxy(dir.path())], dir.path());
    let form = login_form(&console).await;
    let log_before = console.log().len();

    // 1,500 tries with 8 KB names from one address.
    let mut throttled = 0;
    for i in 0..1500 {
        let name = format!("{i}{}", "x".repeat(8 * 1024));
        let answer = try_login(&console, &form, "203.0.113.66", &name, "guess-guess", "/").await;
        match answer.status().as_u16() {
            429 => {
                let wait: u64 = answer.headers()["retry-after"].to_str().unwrap().parse().unwrap();
                assert!((1..=60).contains(&wait), "Retry-After {wait}");
                throttled += 1;
            }
            401 => {}
            other => panic!("HTTP {other}"),
        }
    }
    assert!(throttled >= 1450, "one address gets a few tries a minute: {throttled} of 1500 throttled");
    let grown = console.log().len() - log_before;
    assert!(grown < 1500 * 400, "the log grew by {grown} bytes: names are cut");
    assert!(!console.log().contains(&"x".repeat(200)), "no name is logged whole");
    let metrics = client()
        .get(console.url("/metrics"))
        .bearer_auth(crate::support::console::TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let held: usize = metrics
        .lines()
        .find_map(|line| line.strip_prefix("newswire_login_limiter_keys "))
        .expect("the limiter's size is a metric")
        .trim()
        .parse()
        .unwrap();
    assert!(held <= 40, "the limiters hold {held} keys after 1,500 names: one address, its few tries");

    // 30 wrong passwords for ana from that address; ana herself, from another, logs in.
    for _ in 0..30 {
        try_login(&console, &form, "203.0.113.66", "ana", "wrong horse battery", "/").await;
    }
    assert_eq!(try_login(&console, &form, "203.0.113.66", "ana", PASSWORD, "/").await.status(), 429);

    // What a client writes in X-Forwarded-For itself is not believed: the proxy's last word is.
    // Believed, the address it names would have all its tries; the flooding one has none left
    // (a try comes back every two seconds, so of two at once one at most can pass).
    let mut statuses = Vec::new();
    for _ in 0..2 {
        let spoofed = client()
            .post(console.url("/login"))
            .header("cookie", &form.cookie)
            .header("x-forwarded-for", "198.51.100.99, 203.0.113.66")
            .form(&[("csrf", form.csrf.as_str()), ("username", "sam"), ("password", PASSWORD), ("next", "/")])
            .send()
            .await
            .unwrap();
        statuses.push(spoofed.status().as_u16());
    }
    assert!(statuses.contains(&429), "still the flooding address: {statuses:?}");
    assert_eq!(try_login(&console, &form, "198.51.100.7", "ana", PASSWORD, "/").await.status(), 303);

    // A name with a line break stays on its log line.
    let forged = "mallory\n2026-01-01T00:00:00Z  INFO newswire: logged in user=sam";
    assert_eq!(try_login(&console, &form, "198.51.100.8", forged, "guess-guess", "/").await.status(), 401);
    let log = console.log();
    assert!(log.contains("mallory\\n2026-01-01"), "escaped:\n{log}");
    assert!(!log.lines().any(|line| line.starts_with("2026-01-01T00:00:00Z")), "no forged line");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_name_costs_what_a_known_one_costs() {
    let dir = tempfile::tempdir().unwrap();
    let console = Console::start(&[&desk_behind_proxy(dir.path())], dir.path());
    let form = login_form(&console).await;
    let timings = |user: &'static str| {
        let (console, form) = (&console, &form);
        async move {
            let mut times = Vec::new();
            for i in 0..7 {
                let started = std::time::Instant::now();
                let answer = try_login(
                    console,
                    form,
                    &format!("192.0.2.{}", i + if user == "ana" { 10 } else { 50 }),
                    user,
                    "wrong horse battery",
                    "/",
                )
                .await;
                assert_eq!(answer.status(), 401);
                times.push(started.elapsed());
            }
            times.sort();
            times[times.len() / 2]
        }
    };
    let known = timings("ana").await;
    let unknown = timings("nobody-here").await;
    let ratio = known.as_secs_f64() / unknown.as_secs_f64();
    assert!((0.5..=2.0).contains(&ratio), "known {known:?}, unknown {unknown:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn ids_are_bounded_and_the_location_given_answers() {
    let dir = tempfile::tempdir().unwrap();
    let console = Console::start(&[&desk_opening(dir.path(), &[])], dir.path());
    let answer = post_article(&console, json!({ "html": harbour_html(), "id": "cms 4711/é" })).await;
    assert_eq!(answer.status(), 202);
    let location = answer.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, "/api/v1/articles/cms%204711%2F%C3%A9?desk=web-desk");
    let accepted: Value = answer.json().await.unwrap();
    assert_eq!(accepted["status_url"], location.as_str());
    let status = client().get(console.url(&location)).bearer_auth(crate::support::console::TOKEN).send().await.unwrap();
    assert_eq!(status.status(), 200, "the Location answers");
    assert_eq!(status.json::<Value>().await.unwrap()["id"], "cms 4711/é");

    for (id, why) in [
        ("x".repeat(1024 * 1024), "at most 512"),
        ("cms-1\nINFO newswire: forged line".to_string(), "control character"),
    ] {
        let answer = post_article(&console, json!({ "html": harbour_html(), "id": id })).await;
        assert_eq!(answer.status(), 422);
        assert!(answer.text().await.unwrap().contains(why), "{why}");
    }
    let long_url = format!("https://news.example/{}", "a".repeat(600));
    let answer = post_article(&console, json!({ "url": long_url })).await;
    assert_eq!(answer.status(), 422, "a URL too long to be an id, without one");
    assert!(!console.log().contains("forged line"), "nothing of a refused id reaches the log");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_that_submits_too_fast_is_told_when_to_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = web_desk(dir.path(), &[], "submissions_per_minute = 3\n");
    let console = Console::start(&[&pipeline], dir.path());
    for i in 0..3 {
        let answer = post_article(&console, json!({ "html": harbour_html(), "id": format!("cms-{i}") })).await;
        assert_eq!(answer.status(), 202);
    }
    let answer = post_article(&console, json!({ "html": harbour_html(), "id": "cms-3" })).await;
    assert_eq!(answer.status(), 429);
    let wait: u64 = answer.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert!(status_of(&console, "cms-3").await.is_none(), "nothing was accepted");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_trickles_its_headers_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let console = Console::start(&[&desk_opening(dir.path(), &[])], dir.path());
    let address = console.base.trim_start_matches("http://").to_string();
    let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: console\r\n").await.unwrap();
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(40), slow.read_to_end(&mut rest)).await;
    assert!(read.is_ok(), "the connection was still open after 40 s");
    assert!(started.elapsed() >= Duration::from_secs(5), "not before its time");
    // Meanwhile the console answers everyone else.
    assert_eq!(client().get(console.url("/healthz")).send().await.unwrap().status(), 200);
}

/// schemathesis (PyPI, beside translate-toolkit in target/cat-venv) over the console's OpenAPI
/// document with a token: positive and negative cases for every operation. No answer may be a
/// 5xx or differ from the document (status, content type, headers, body schema). The desk
/// lists one host its URLs may name and refuses it by the network policy, so nothing generated
/// is ever fetched.
#[tokio::test(flavor = "multi_thread")]
async fn schemathesis_finds_no_server_error_and_nothing_off_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = web_desk(dir.path(), &[], "allow_hosts = [\"localhost\"]\nsubmissions_per_minute = 100000\n");
    let console = Console::start(&[&pipeline], dir.path());
    let schemathesis = crate::support::project_dir().join("target/cat-venv/bin/schemathesis");
    let output = tokio::process::Command::new(&schemathesis)
        .current_dir(dir.path())
        .args(["run", &console.url("/api/v1/openapi.json")])
        .args(["--header", &format!("Authorization: Bearer {}", crate::support::console::TOKEN)])
        .args(["--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection"])
        .args(["--phases", "examples,coverage,fuzzing,stateful", "--max-examples", "2000", "--seed", "20261206"])
        .args(["--workers", "2", "--generation-database", "none", "--no-color", "--request-timeout", "30"])
        .env("SCHEMATHESIS_HOOKS", "")
        .output()
        .await
        .expect("schemathesis (make test installs it in target/cat-venv)");
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "schemathesis found problems:\n{said}");
    assert!(said.contains("passed"), "{said}");
    assert!(!console.log().contains("panicked"), "{}", console.log());
}

const TOKEN_B: &str = "cms-token-b-0c1d2e3f4a5b6c7d";

/// A desk of its own in `dir/name`, keeping its state where `${DESK_STATE}` says (the store both
/// desks share), every copy held for review; `user` is its staff member, `token_var` names its
/// token's variable.
fn shared_desk(dir: &std::path::Path, name: &str, token_var: &str, user: &str) -> std::path::PathBuf {
    let hash = crate::support::console::password_hash();
    let serve = format!(
        "[serve]\ntokens = [\"${{{token_var}}}\"]\ncallback_secret = \"${{CALLBACK_SECRET}}\"\n\n\
         [[serve.users]]\nname = \"{user}\"\nrole = \"staff\"\npassword_hash = \"{hash}\"\n"
    );
    let own = dir.join(name);
    std::fs::create_dir_all(&own).unwrap();
    let pipeline = Desk::new(name)
        .languages(&["en"])
        .table(&serve)
        .partner(Partner::directory("archive", &["es"], &own.join("out")).with("review = \"always\""))
        .write(&own);
    let text = std::fs::read_to_string(&pipeline).unwrap();
    std::fs::write(&pipeline, format!("state = \"${{DESK_STATE}}\"\n{text}")).unwrap();
    pipeline
}

async fn held_review(console: &Console, token: &str, id: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let answer =
            client().get(console.url(&format!("/api/v1/articles/{id}"))).bearer_auth(token).send().await.unwrap();
        if answer.status() == 200 {
            let status: Value = answer.json().await.unwrap();
            if status["status"] == "held" {
                return status["reviews"][0]["id"].as_str().unwrap().to_string();
            }
        }
        assert!(std::time::Instant::now() < deadline, "{id} was never held:\n{}", console.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn desks_sharing_an_sqlite_file_are_kept_apart_in_the_console() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("shared.sqlite").display().to_string();
    desks_sharing_a_store_are_kept_apart_in_the_console(dir, &state).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn desks_sharing_a_postgresql_database_are_kept_apart_in_the_console() {
    let database = crate::support::postgres::database().await;
    desks_sharing_a_store_are_kept_apart_in_the_console(tempfile::tempdir().unwrap(), &database).await;
}

/// Desk A's token, staff and pages never see or touch desk B's articles, reviews and copies.
async fn desks_sharing_a_store_are_kept_apart_in_the_console(dir: tempfile::TempDir, state: &str) {
    let desk_a = shared_desk(dir.path(), "desk-a", "CMS_TOKEN", "ana");
    let desk_b = shared_desk(dir.path(), "desk-b", "CMS_TOKEN_B", "bob");
    let env = [("CMS_TOKEN_B", TOKEN_B), ("DESK_STATE", state)];
    let console = Console::start_with(&[&desk_a, &desk_b], dir.path(), &env);
    let token_a = crate::support::console::TOKEN;
    let story_b = harbour_html().replace("Council approves", "Desk B: council approves");
    let submit = |token: &'static str, body: Value| {
        let url = console.url("/api/v1/articles");
        async move { client().post(url).bearer_auth(token).json(&body).send().await.unwrap() }
    };
    assert_eq!(submit(token_a, json!({ "html": harbour_html(), "id": "story-a" })).await.status(), 202);
    assert_eq!(submit(TOKEN_B, json!({ "html": story_b, "id": "story-b" })).await.status(), 202);
    let review_a = held_review(&console, token_a, "story-a").await;
    let review_b = held_review(&console, TOKEN_B, "story-b").await;

    // A's token: B's article is nowhere, and B's desk is refused.
    let get = |path: String, token: &'static str| {
        let url = console.url(&path);
        async move { client().get(url).bearer_auth(token).send().await.unwrap() }
    };
    assert_eq!(get("/api/v1/articles/story-b".into(), token_a).await.status(), 404);
    assert_eq!(get("/api/v1/articles/story-b?desk=desk-b".into(), token_a).await.status(), 403);
    assert_eq!(submit(token_a, json!({ "html": harbour_html(), "id": "x", "desk": "desk-b" })).await.status(), 403);
    let metrics = get("/metrics".into(), token_a).await.text().await.unwrap();
    assert!(metrics.contains("desk=\"desk-a\"") && !metrics.contains("desk-b"), "{metrics}");

    // A's staff: B's review is not on A's desk, B's desk is refused, B's held copy stays held.
    let ana = crate::support::console::login(&console, "ana", PASSWORD).await.unwrap();
    let page = |path: String| {
        let (url, cookie) = (console.url(&path), ana.cookie.clone());
        async move { client().get(url).header("cookie", cookie).send().await.unwrap() }
    };
    assert_eq!(page(format!("/desks/desk-a/review/{review_a}")).await.status(), 200);
    assert_eq!(page(format!("/desks/desk-a/review/{review_b}")).await.status(), 404);
    assert_eq!(page(format!("/desks/desk-b/review/{review_b}")).await.status(), 403);
    let queue = page("/desks/desk-a/review".into()).await.text().await.unwrap();
    assert!(queue.contains(&review_a) && !queue.contains(&review_b));
    let deliveries = page("/desks/desk-a/deliveries".into()).await.text().await.unwrap();
    assert!(!deliveries.contains("story-b") && !deliveries.contains("Desk B"));
    let approve = client()
        .post(console.url(&format!("/desks/desk-a/review/{review_b}")))
        .header("cookie", &ana.cookie)
        .header("x-csrf-token", &ana.csrf)
        .json(&json!({ "segments": [] }))
        .send()
        .await
        .unwrap();
    assert_eq!(approve.status(), 404);
    let b: Value = get("/api/v1/articles/story-b".into(), TOKEN_B).await.json().await.unwrap();
    assert_eq!(b["status"], "held", "{b:#}");
    assert!(!dir.path().join("desk-b/out").exists(), "nothing of B's went out");
}
