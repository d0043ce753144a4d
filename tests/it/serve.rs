//! The console against the real server: the CMS API's contract (202, status, a signed callback),
//! authentication and roles (401, 403, CSRF refused, the token never logged), the review round
//! trip through the page's endpoint, the operations, metrics and a graceful stop. Translation by
//! the real Apertium; partners and callbacks are HTTP receivers on 127.0.0.1.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::console::{client, login, serve_tables, Console, Session, PASSWORD, TOKEN};
use crate::support::{fixture, postgres, Desk, Partner, VerifyingReceiver};

pub(crate) struct Newsroom {
    pub dir: tempfile::TempDir,
    pub pipeline: PathBuf,
    pub partner: VerifyingReceiver,
    pub callbacks: VerifyingReceiver,
    pub server: MockServer,
}

/// A desk translating English into Spanish for a webhook partner, under `review`.
pub(crate) async fn newsroom(review: &str, retries: &str) -> Newsroom {
    let server = MockServer::start().await;
    let partner = VerifyingReceiver::default();
    Mock::given(method("POST")).and(path("/hook")).respond_with(partner.clone()).mount(&server).await;
    let callbacks = VerifyingReceiver::default();
    Mock::given(method("POST")).and(path("/cms/callback")).respond_with(callbacks.clone()).mount(&server).await;
    let page = std::fs::read_to_string(fixture("harbour-budget.html")).unwrap();
    Mock::given(method("GET"))
        .and(path("/news/harbour"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(page, "text/html; charset=utf-8"))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let pipeline = Desk::new("web-desk")
        .state(&dir.path().join("state.sqlite"))
        .languages(&["en"])
        .table(&format!("[delivery]\nretry_schedule = [{retries}]\nmax_wait = \"0s\""))
        // Priced as a service would be, for the spend the console reports.
        .table("[translate]\nbackend = \"apertium\"\n[backends.apertium]\nkind = \"apertium\"\nprice = \"10 USD / 1M chars\"")
        .table(&serve_tables())
        .partner(
            Partner::webhook("la-voz", &["es"], &format!("{}/hook", server.uri()))
                .with(&format!("review = {review:?}")),
        )
        .write(dir.path());
    Newsroom { dir, pipeline, partner, callbacks, server }
}

/// `promtool check metrics` (Debian's prometheus) on an exposition in the text format.
pub(crate) fn promtool_accepts(metrics: &str) {
    use std::io::Write;
    let mut promtool = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool (Debian's prometheus; make test installs it)");
    promtool.stdin.take().unwrap().write_all(metrics.as_bytes()).unwrap();
    let output = promtool.wait_with_output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success() && said.trim().is_empty(), "promtool check metrics:\n{said}\n{metrics}");
}

pub(crate) fn harbour_html() -> String {
    std::fs::read_to_string(fixture("harbour-budget.html")).unwrap()
}

pub(crate) async fn post_article(console: &Console, body: Value) -> reqwest::Response {
    client().post(console.url("/api/v1/articles")).bearer_auth(TOKEN).json(&body).send().await.unwrap()
}

/// The article's status; none while the console's desk does not know it.
pub(crate) async fn status_of(console: &Console, id: &str) -> Option<Value> {
    let encoded: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    let answer =
        client().get(console.url(&format!("/api/v1/articles/{encoded}"))).bearer_auth(TOKEN).send().await.unwrap();
    match answer.status().as_u16() {
        404 => None,
        200 => Some(answer.json().await.unwrap()),
        other => panic!("{id}: HTTP {other}"),
    }
}

/// Polls the article's status until `done` holds (a minute at most).
pub(crate) async fn wait_for(console: &Console, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match status_of(console, id).await {
            Some(status) if done(&status) => return status,
            status => assert!(Instant::now() < deadline, "{id} stayed {status:#?}\n{}", console.log()),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until a receiver has seen `count` calls.
pub(crate) async fn received(receiver: &VerifyingReceiver, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        {
            let seen = receiver.seen.lock().unwrap();
            if seen.len() >= count {
                assert!(seen.iter().all(|r| r.verified), "every call is signed with the secret");
                return seen.iter().map(|r| r.body.clone()).collect();
            }
        }
        assert!(Instant::now() < deadline, "only {} of {count} calls came", receiver.seen.lock().unwrap().len());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cms_hands_over_an_article_follows_it_and_is_called_back_signed() {
    let room = newsroom("never", "\"100ms\"").await;
    let console = Console::start(&[&room.pipeline], room.dir.path());

    let callback = format!("{}/cms/callback", room.server.uri());
    let answer = post_article(
        &console,
        json!({ "html": harbour_html(), "id": "cms-4711", "section": "local", "callback_url": callback }),
    )
    .await;
    assert_eq!(answer.status(), 202);
    let location = answer.headers()["location"].to_str().unwrap().to_string();
    let accepted: Value = answer.json().await.unwrap();
    assert_eq!(accepted["id"], "cms-4711");
    assert_eq!(accepted["status"], "queued");
    assert_eq!(location, "/api/v1/articles/cms-4711?desk=web-desk");

    let status = wait_for(&console, "cms-4711", |s| s["status"] == "delivered").await;
    assert_eq!(status["language"], "en");
    assert_eq!(status["translations"][0]["language"], "es");
    assert_eq!(status["translations"][0]["backend"], "apertium");
    assert_eq!(status["deliveries"][0]["partner"], "la-voz");
    assert_eq!(status["deliveries"][0]["state"], "delivered");

    let copies = received(&room.partner, 1).await;
    assert_eq!(copies[0]["language"], "es");
    assert_eq!(copies[0]["altids"][0]["value"], "cms-4711", "the id the CMS gave: {:#}", copies[0]);
    assert_eq!(copies[0]["subjects"][0]["name"], "local", "the section the CMS gave");
    let calls = received(&room.callbacks, 1).await;
    assert_eq!(calls[0]["type"], "article.delivered");
    assert_eq!(calls[0]["data"]["id"], "cms-4711");
    assert_eq!(calls[0]["data"]["deliveries"][0]["state"], "delivered");

    // By URL: fetched by the desk; its id is the URL.
    let url = format!("{}/news/harbour", room.server.uri());
    let answer = post_article(&console, json!({ "url": url })).await;
    assert_eq!(answer.status(), 202);
    let accepted: Value = answer.json().await.unwrap();
    assert_eq!(accepted["id"], url);
    wait_for(&console, &url, |s| s["status"] == "delivered").await;

    // What cannot be used is refused with the reason.
    for (body, why) in [
        (json!({ "html": harbour_html(), "url": url }), "one of them"),
        (json!({ "url": "ftp://example.org/a" }), "not an http(s) URL"),
        (json!({ "html": harbour_html(), "id": "x", "embargo": "tomorrow" }), "RFC 3339"),
        (json!({ "html": "<p>", "id": "x" }), "no article"),
        (json!({ "html": harbour_html(), "colour": "red" }), "unknown field"),
    ] {
        let answer = post_article(&console, body).await;
        assert_eq!(answer.status(), 422);
        let error: Value = answer.json().await.unwrap();
        assert!(error["error"].as_str().unwrap().contains(why), "{error}");
    }
    let unknown = client().get(console.url("/api/v1/articles/no-such-story")).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(unknown.status(), 404);

    let openapi: Value = client().get(console.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(openapi["paths"]["/api/v1/articles"]["post"].is_object());
    assert_eq!(client().get(console.url("/readyz")).send().await.unwrap().status(), 200);

    let metrics = client().get(console.url("/metrics")).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(metrics.status(), 200);
    let metrics = metrics.text().await.unwrap();
    for line in [
        "newswire_articles_accepted_total{desk=\"web-desk\"} 2",
        "newswire_articles_total{desk=\"web-desk\",status=\"ok\"} 2",
        "newswire_deliveries{desk=\"web-desk\",partner=\"la-voz\",state=\"delivered\"} 2",
        "newswire_delivery_attempt_seconds_count{desk=\"web-desk\",partner=\"la-voz\"} 2",
    ] {
        assert!(metrics.contains(line), "{line} in:\n{metrics}");
    }
    promtool_accepts(&metrics);
    let openmetrics = client()
        .get(console.url("/metrics"))
        .bearer_auth(TOKEN)
        .header("accept", "application/openmetrics-text; version=1.0.0,text/plain;version=0.0.4;q=0.5")
        .send()
        .await
        .unwrap();
    assert!(openmetrics.headers()["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"));
    let openmetrics = openmetrics.text().await.unwrap();
    assert!(openmetrics.ends_with("# EOF\n") && openmetrics.contains("# TYPE newswire_articles_accepted counter"));
    assert!(metrics.contains("newswire_characters_total{desk=\"web-desk\",backend=\"apertium\",kind=\"sent\"}"));
    let spend = metrics
        .lines()
        .find(|l| l.starts_with("newswire_spend_total{desk=\"web-desk\",backend=\"apertium\",currency=\"USD\"} "))
        .unwrap_or_else(|| panic!("no spend in:\n{metrics}"));
    let spent: f64 = spend.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(spent > 0.0 && spent < 0.1, "{spend}");

    // SIGTERM right after an article was accepted: it still reaches the partner.
    let late = harbour_html().replace("Council approves", "Council finally approves");
    assert_eq!(post_article(&console, json!({ "html": late, "id": "cms-4712" })).await.status(), 202);
    let status = console.stop();
    assert!(status.success(), "a stopped console exits 0");
    let copies = received(&room.partner, 3).await;
    assert!(copies.iter().any(|c| c["altids"][0]["value"] == "cms-4712"), "the article in flight was finished");
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_need_a_token_or_a_session_and_the_role_decides() {
    let room = newsroom("never", "\"100ms\"").await;
    let console = Console::start(&[&room.pipeline], room.dir.path());
    let http = client();

    let anonymous = http.post(console.url("/api/v1/articles")).json(&json!({"url": "https://x.org/a"})).send().await;
    assert_eq!(anonymous.unwrap().status(), 401);
    let wrong = http.get(console.url("/api/v1/articles/a")).bearer_auth("cms-token-guessed-wrong-1").send().await;
    assert_eq!(wrong.unwrap().status(), 401);
    let page = http.get(console.url("/desks/web-desk/review")).send().await.unwrap();
    assert_eq!(page.status(), 401);
    let page = page.text().await.unwrap();
    assert!(page.contains("href=\"/login?next=%2Fdesks%2Fweb-desk%2Freview\""), "back to the page after: {page}");
    assert_eq!(http.get(console.url("/metrics")).send().await.unwrap().status(), 401);
    assert_eq!(login(&console, "ana", "not the password").await.unwrap_err(), 401);
    assert_eq!(login(&console, "nobody", PASSWORD).await.unwrap_err(), 401);

    // A token is for machines: it may not use the staff's operations.
    let by_token = http
        .post(console.url("/desks/web-desk/partners/la-voz/enable"))
        .bearer_auth(TOKEN)
        .form(&[("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(by_token.status(), 403);

    let ana = login(&console, "ana", PASSWORD).await.unwrap();
    let sam = login(&console, "sam", PASSWORD).await.unwrap();
    let get = |session: &Session, path: &str| http.get(console.url(path)).header("cookie", &session.cookie).send();
    let page = get(&ana, "/desks/web-desk/deliveries").await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"), "{csp}");
    assert!(!page.text().await.unwrap().contains("Redeliver"), "an editor sees no operations");

    let enable = |session: &Session, csrf: Option<&str>, origin: Option<&str>| {
        let mut request =
            http.post(console.url("/desks/web-desk/partners/la-voz/enable")).header("cookie", &session.cookie);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        match csrf {
            Some(token) => request.form(&[("csrf", token)]),
            None => request.form(&[("other", "1")]),
        }
        .send()
    };
    assert_eq!(enable(&ana, Some(&ana.csrf), None).await.unwrap().status(), 403, "an editor may not enable");
    assert_eq!(enable(&sam, None, None).await.unwrap().status(), 403, "no CSRF token");
    assert_eq!(enable(&sam, Some(&ana.csrf), None).await.unwrap().status(), 403, "another session's token");
    let elsewhere = enable(&sam, Some(&sam.csrf), Some("https://evil.example")).await.unwrap();
    assert_eq!(elsewhere.status(), 403, "another origin");
    let done = enable(&sam, Some(&sam.csrf), Some(&console.base)).await.unwrap();
    assert_eq!(done.status(), 303);
    assert!(done.headers()["location"].to_str().unwrap().contains("was+not+disabled"));

    // Bodies over the limit are refused before they are read (and the server closes that
    // connection, so the request goes on a client of its own).
    let huge = "x".repeat(5 * 1024 * 1024);
    let answer = client()
        .post(console.url("/api/v1/articles"))
        .bearer_auth(TOKEN)
        .json(&json!({ "html": huge, "id": "huge" }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 413);

    // Logging out ends the session for good: the same cookie is refused afterwards.
    let out = http
        .post(console.url("/logout"))
        .header("cookie", &sam.cookie)
        .form(&[("csrf", sam.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    assert_eq!(get(&sam, "/desks/web-desk/deliveries").await.unwrap().status(), 401, "the old cookie is dead");
    assert_eq!(get(&ana, "/desks/web-desk/deliveries").await.unwrap().status(), 200, "other sessions go on");

    let log = console.log();
    assert!(log.contains("refused: not authenticated"), "{log}");
    assert!(log.contains("refused: CSRF check failed"), "{log}");
    assert!(log.contains("refused: not allowed"), "{log}");
    for secret in [TOKEN, "cms-token-guessed-wrong-1", PASSWORD, &sam.csrf] {
        assert!(!log.contains(secret), "{secret} was logged:\n{log}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_editor_edits_and_approves_a_held_article_and_the_partner_gets_the_reviewed_copy() {
    let room = newsroom("always", "\"100ms\"").await;
    let console = Console::start(&[&room.pipeline], room.dir.path());
    let callback = format!("{}/cms/callback", room.server.uri());
    // A link and an emphasis: inline codes the editor must keep.
    let html = harbour_html()
        .replace("welcomed the plan", "welcomed <a href=\"https://port.example/plan\">the <em>new</em> plan</a>");
    let answer = post_article(&console, json!({ "html": html, "id": "cms-88", "callback_url": callback })).await;
    assert_eq!(answer.status(), 202);
    let status = wait_for(&console, "cms-88", |s| s["status"] == "held").await;
    let review = status["reviews"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(received(&room.callbacks, 1).await[0]["type"], "article.held");
    assert!(room.partner.seen.lock().unwrap().is_empty(), "nothing goes out before the review");

    let ana = login(&console, "ana", PASSWORD).await.unwrap();
    let http = client();
    let queue = http.get(console.url("/desks/web-desk/review")).header("cookie", &ana.cookie).send().await.unwrap();
    let queue = queue.text().await.unwrap();
    assert!(queue.contains(&review) && queue.contains("Council approves harbour budget"), "{queue}");
    let targets = editable(&console, &ana, &review).await;
    assert!(targets.len() >= 3, "{targets:?}");
    let send = |segments: Vec<Value>, csrf: &str| send_review(&console, &ana, &review, segments, csrf.to_string());
    let edited = "El concejo aprueba el presupuesto del puerto (revisado)";
    let mut segments: Vec<Value> =
        targets.iter().enumerate().map(|(i, t)| json!({ "index": i, "target": t })).collect();
    segments[0] = json!({ "index": 0, "target": edited });
    assert_eq!(send(segments.clone(), "wrong").await.unwrap().status(), 403);
    // An edit that loses an inline code is refused, and nothing is sent.
    let coded = targets.iter().position(|t| t.contains("[1]") && t.contains("[2]")).expect("the link is a code");
    let mut broken = segments.clone();
    broken[coded] = json!({ "index": coded, "target": targets[coded].replace("[1]", "").replace("[/1]", "") });
    let answer = send(broken, &ana.csrf).await.unwrap();
    assert_eq!(answer.status(), 422);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["segments"][0]["index"], coded);
    assert!(room.partner.seen.lock().unwrap().is_empty());
    let answer = send(segments[..1].to_vec(), &ana.csrf).await.unwrap();
    assert_eq!(answer.status(), 422, "every segment must come");
    let answer = send(segments, &ana.csrf).await.unwrap();
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.unwrap();
    assert!(body["notice"].as_str().unwrap().contains("1 segment edited"), "{body}");

    let copies = received(&room.partner, 1).await;
    assert_eq!(copies[0]["headlines"][0]["value"], edited);
    assert_eq!(
        copies[0]["digitalsourcetype"]["uri"],
        "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
    );
    assert!(copies[0]["ednote"].as_str().unwrap().contains("reviewed by ana"), "{:#}", copies[0]);
    let body = copies[0]["bodies"][1]["value"].as_str().unwrap();
    assert!(body.contains("<a href=\"https://port.example/plan\""), "the link comes back as the source had it: {body}");
    let status = wait_for(&console, "cms-88", |s| s["status"] == "delivered").await;
    assert_eq!(status["reviews"][0]["reviewer"], "ana");
    let calls = received(&room.callbacks, 2).await;
    assert_eq!(calls[1]["type"], "article.delivered");

    // Released: the page is read-only now, and sending again is refused.
    let again = send_review(&console, &ana, &review, Vec::new(), ana.csrf.clone()).await.unwrap();
    assert_eq!(again.status(), 422);
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_see_a_failing_partner_and_redeliver_once_it_is_back() {
    // The partner is down for the first attempt; the next retry is an hour away.
    let room = newsroom("never", "\"1h\"").await;
    room.server.reset().await;
    Mock::given(method("POST"))
        .and(path("/cms/callback"))
        .respond_with(room.callbacks.clone())
        .mount(&room.server)
        .await;
    let partner = VerifyingReceiver::default();
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&room.server)
        .await;
    Mock::given(method("POST")).and(path("/hook")).respond_with(partner.clone()).mount(&room.server).await;
    let console = Console::start(&[&room.pipeline], room.dir.path());
    let callback = format!("{}/cms/callback", room.server.uri());
    let answer =
        post_article(&console, json!({ "html": harbour_html(), "id": "cms-9", "callback_url": callback })).await;
    assert_eq!(answer.status(), 202);
    let status = wait_for(&console, "cms-9", |s| s["status"] != "queued").await;
    assert_eq!(status["status"], "delivering", "{status:#}");
    assert_eq!(status["deliveries"][0]["state"], "retrying", "{status:#}");
    let delivery = status["deliveries"][0]["id"].as_str().unwrap().to_string();

    let sam = login(&console, "sam", PASSWORD).await.unwrap();
    let http = client();
    let page = http.get(console.url("/desks/web-desk/deliveries")).header("cookie", &sam.cookie).send().await.unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains("failing since"), "{page}");
    assert!(page.contains("HTTP 503"), "the last error is shown: {page}");
    assert!(page.contains("Redeliver"), "staff see the operations");
    let redeliver = http
        .post(console.url("/desks/web-desk/deliveries/redeliver"))
        .header("cookie", &sam.cookie)
        .form(&[("csrf", sam.csrf.as_str()), ("id", delivery.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(redeliver.status(), 303);
    let location = redeliver.headers()["location"].to_str().unwrap().to_string();
    assert!(location.contains("Redelivered%3A+1+of+1"), "{location}");
    let status = status_of(&console, "cms-9").await.unwrap();
    assert_eq!(status["status"], "delivered", "{status:#}");
    assert_eq!(status["deliveries"][0]["id"], delivery.as_str());
    let attempts = &status["deliveries"][0]["attempts_made"];
    assert_eq!(attempts[0]["outcome"], "delivered", "{attempts:#}");
    assert_eq!(attempts[0]["status"], "204", "the partner's own answer: {attempts:#}");
    assert_eq!((attempts[1]["outcome"].as_str(), attempts[1]["status"].as_str()), (Some("retrying"), Some("503")));
    let seen = partner.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].verified && seen[0].id == delivery, "the delivery's own id: {seen:?}");
    let page = http.get(console.url("/desks/web-desk/deliveries")).header("cookie", &sam.cookie).send().await.unwrap();
    assert!(!page.text().await.unwrap().contains("failing since"), "the partner is ok again");
    // The CMS heard once, when the copy was delivered, not while it waited for a retry.
    let calls = received(&room.callbacks, 1).await;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["type"], "article.delivered");

    let runs = http.get(console.url("/desks/web-desk/runs")).header("cookie", &sam.cookie).send().await.unwrap();
    assert_eq!(runs.status(), 200);
    assert!(runs.text().await.unwrap().contains("running, or its process died"), "the console's own run is listed");
    let journey = http
        .get(console.url("/desks/web-desk/article?id=cms-9"))
        .header("cookie", &sam.cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(journey.contains("la-voz") && journey.contains("apertium"), "{journey}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_callback_the_cms_refused_is_made_after_the_console_restarts() {
    let room = newsroom("never", "\"100ms\"").await;
    room.server.reset().await;
    let partner = VerifyingReceiver::default();
    Mock::given(method("POST")).and(path("/hook")).respond_with(partner.clone()).mount(&room.server).await;
    Mock::given(method("POST"))
        .and(path("/cms/callback"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&room.server)
        .await;
    let console = Console::start(&[&room.pipeline], room.dir.path());
    let callback = format!("{}/cms/callback", room.server.uri());
    let answer =
        post_article(&console, json!({ "html": harbour_html(), "id": "cms-77", "callback_url": callback })).await;
    assert_eq!(answer.status(), 202);
    wait_for(&console, "cms-77", |s| s["status"] == "delivered").await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while !console.log().contains("callback failed, trying again") {
        assert!(Instant::now() < deadline, "{}", console.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(console.stop().success());

    // The CMS is back; so is the console, which knows nothing of the article but what the store keeps.
    Mock::given(method("POST"))
        .and(path("/cms/callback"))
        .respond_with(room.callbacks.clone())
        .with_priority(1)
        .mount(&room.server)
        .await;
    let console = Console::start(&[&room.pipeline], room.dir.path());
    let calls = received(&room.callbacks, 1).await;
    assert_eq!(calls[0]["type"], "article.delivered");
    assert_eq!(calls[0]["data"]["id"], "cms-77");
    assert_eq!(calls[0]["data"]["deliveries"][0]["partner"], "la-voz");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(room.callbacks.seen.lock().unwrap().len(), 1, "made once");
    assert_eq!(partner.seen.lock().unwrap().len(), 1, "the copy went once");
    assert!(console.stop().success());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_takes_up_a_page_a_dead_worker_left() {
    let room = newsroom("never", "\"100ms\"").await;
    let text = std::fs::read_to_string(&room.pipeline).unwrap();
    std::fs::write(&room.pipeline, format!("{text}[work]\nlease = \"1s\"\npoll = \"200ms\"\n")).unwrap();
    // A worker claimed the page for a second, then died.
    let location = newswire::store::Location::Sqlite(room.dir.path().join("state.sqlite"));
    let store = newswire::store::open(&location, "web-desk").await.unwrap();
    let page = newswire::model::RawPage {
        source: "cms:left-behind".into(),
        url: None,
        text: harbour_html(),
        content_type: Some("text/html".into()),
        submitted: Some(newswire::model::Submitted { id: Some("left-behind".into()), ..Default::default() }),
        ..Default::default()
    };
    let since = store.clock_ms().await.unwrap();
    let held = newswire::pipeline::claims::claim(&store, &page, Duration::from_secs(1), since).await.unwrap();
    drop(held.expect("claimed"));

    let console = Console::start(&[&room.pipeline], room.dir.path());
    let status = wait_for(&console, "left-behind", |s| s["status"] == "delivered").await;
    assert_eq!(status["deliveries"][0]["partner"], "la-voz");
    assert_eq!(received(&room.partner, 1).await[0]["altids"][0]["value"], "left-behind");
    assert!(console.stop().success());
}

/// A URL is claimed in the store before the 202: a console killed before it fetched the page
/// leaves it to the next, which fetches and delivers it once.
#[tokio::test(flavor = "multi_thread")]
async fn a_url_accepted_by_a_console_that_then_died_is_fetched_by_the_next() {
    let room = newsroom("never", "\"100ms\"").await;
    let text = std::fs::read_to_string(&room.pipeline).unwrap();
    std::fs::write(&room.pipeline, format!("{text}[work]\nlease = \"1s\"\npoll = \"200ms\"\n")).unwrap();
    Mock::given(method("GET"))
        .and(path("/news/slow"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(harbour_html(), "text/html; charset=utf-8")
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&room.server)
        .await;
    let url = format!("{}/news/slow", room.server.uri());
    let first = Console::start(&[&room.pipeline], room.dir.path());
    assert_eq!(post_article(&first, json!({ "url": url, "id": "cms-slow" })).await.status(), 202);
    let location = newswire::store::Location::Sqlite(room.dir.path().join("state.sqlite"));
    let store = newswire::store::open(&location, "web-desk").await.unwrap();
    let unfetched =
        newswire::model::RawPage { source: url.clone(), url: Some(url.clone()), unfetched: true, ..Default::default() };
    let key = newswire::pipeline::claims::page_key(&unfetched);
    let claim = store.claim_page(&key, "{}", Duration::from_secs(60), 0).await.unwrap();
    assert_eq!(claim, newswire::store::PageClaim::Busy, "claimed before the answer");
    drop(first); // kill -9, while the page is still on its way

    let second = Console::start(&[&room.pipeline], room.dir.path());
    let status = wait_for(&second, "cms-slow", |s| s["status"] == "delivered").await;
    assert_eq!(status["deliveries"][0]["partner"], "la-voz");
    assert_eq!(received(&room.partner, 1).await[0]["altids"][0]["value"], "cms-slow");
    assert!(second.stop().success());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hostile_page_shows_nothing_that_runs_in_the_console() {
    let room = newsroom("always", "\"100ms\"").await;
    let console = Console::start(&[&room.pipeline], room.dir.path());
    let hostile = std::fs::read_to_string(fixture("hostile.html")).unwrap();
    assert_eq!(post_article(&console, json!({ "html": hostile, "id": "cms-evil" })).await.status(), 202);
    let status = wait_for(&console, "cms-evil", |s| s["status"] == "held").await;
    let review = status["reviews"][0]["id"].as_str().unwrap().to_string();
    let ana = login(&console, "ana", PASSWORD).await.unwrap();
    for path in [
        format!("/desks/web-desk/review/{review}"),
        "/desks/web-desk/review".to_string(),
        "/desks/web-desk/article?id=cms-evil".to_string(),
    ] {
        let page = client().get(console.url(&path)).header("cookie", &ana.cookie).send().await.unwrap();
        let page = page.text().await.unwrap();
        assert!(page.contains("Council votes on the budget"), "{path}: {page}");
        let scripts = page.matches("<script").count();
        assert_eq!(scripts, 1, "only the console's own script on {path}");
        for bad in ["onerror", "onclick", "onload", "javascript:", "data:text", "<iframe", "<style"] {
            assert!(!page.contains(bad), "{bad} on {path}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_consoles_share_a_desk_on_postgresql() {
    let room = newsroom("always", "\"100ms\"").await;
    let text = std::fs::read_to_string(&room.pipeline).unwrap();
    let state_line = text.lines().find(|l| l.starts_with("state = ")).unwrap().to_string();
    std::fs::write(&room.pipeline, text.replace(&state_line, "state = \"${DESK_STATE}\"")).unwrap();
    let database = postgres::database().await;
    let env = [("DESK_STATE", database.as_str())];
    let first = Console::start_with(&[&room.pipeline], room.dir.path(), &env);
    let second = Console::start_with(&[&room.pipeline], room.dir.path(), &env);

    assert_eq!(post_article(&first, json!({ "html": harbour_html(), "id": "cms-pg" })).await.status(), 202);
    let held = wait_for(&second, "cms-pg", |s| s["status"] == "held").await;
    assert_eq!(held["accepted_at"], Value::Null, "the second console did not accept it, but the store knows it");
    let review = held["reviews"][0]["id"].as_str().unwrap().to_string();

    // An editor on the second console approves what the first one held; her session works on both.
    let ana = login(&second, "ana", PASSWORD).await.unwrap();
    let on_first =
        client().get(first.url("/desks/web-desk/review")).header("cookie", &ana.cookie).send().await.unwrap();
    assert_eq!(on_first.status(), 200, "one store, one session");
    let segments: Vec<Value> = editable(&second, &ana, &review)
        .await
        .iter()
        .enumerate()
        .map(|(i, t)| json!({ "index": i, "target": t }))
        .collect();
    let answer = send_review(&second, &ana, &review, segments, ana.csrf.clone()).await.unwrap();
    assert_eq!(answer.status(), 200, "{}", answer.text().await.unwrap());
    assert_eq!(received(&room.partner, 1).await.len(), 1);
    let status = wait_for(&first, "cms-pg", |s| s["status"] == "delivered").await;
    assert_eq!(status["reviews"][0]["reviewer"], "ana");
    assert!(status["accepted_at"].is_string(), "the first console accepted it");
    assert!(first.stop().success() && second.stop().success());
}

/// The texts a review's page offers the editor, one per segment.
async fn editable(console: &Console, session: &Session, review: &str) -> Vec<String> {
    let page = client()
        .get(console.url(&format!("/desks/web-desk/review/{review}")))
        .header("cookie", &session.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    textareas(&page.text().await.unwrap())
}

/// Sends a review's segments the way the page's script does.
fn send_review(
    console: &Console,
    session: &Session,
    review: &str,
    segments: Vec<Value>,
    csrf: String,
) -> impl std::future::Future<Output = reqwest::Result<reqwest::Response>> {
    client()
        .post(console.url(&format!("/desks/web-desk/review/{review}")))
        .header("cookie", &session.cookie)
        .header("x-csrf-token", csrf)
        .json(&json!({ "segments": segments }))
        .send()
}

/// The editable targets of a review page, in order, unescaped.
fn textareas(page: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(start) = rest.find("<textarea") {
        let open_end = rest[start..].find('>').unwrap() + start + 1;
        let close = rest[open_end..].find("</textarea>").unwrap() + open_end;
        out.push(unescape(&rest[open_end..close]));
        rest = &rest[close..];
    }
    out
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// `POST /api/v1/articles?dry_run=true`: what the desk would send and spend for a page, counted
/// as a run would count it, with nothing translated, recorded or delivered.
#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_through_the_api_counts_and_sends_nothing() {
    let room = newsroom("never", "\"100ms\"").await;
    let console = Console::start(&[&room.pipeline], room.dir.path());
    let dry =
        |body: Value| client().post(console.url("/api/v1/articles?dry_run=true")).bearer_auth(TOKEN).json(&body).send();
    let answer = dry(json!({ "html": harbour_html(), "id": "cms-dry" })).await.unwrap();
    assert_eq!(answer.status(), 200);
    let estimate: Value = answer.json().await.unwrap();
    assert_eq!(
        (&estimate["dry_run"], &estimate["language"], &estimate["status"]),
        (&json!(true), &json!("en"), &json!("ok"))
    );
    let spanish = &estimate["translations"][0];
    assert_eq!((&spanish["language"], &spanish["backend"]), (&json!("es"), &json!("apertium")), "{estimate:#}");
    let sent = spanish["chars_sent"].as_u64().unwrap();
    assert!(sent > 300, "{estimate:#}");
    assert_eq!(estimate["backends"]["apertium"]["chars_sent"], sent);
    // The newsroom prices its Apertium at 10 USD a million characters.
    let cost = &estimate["backends"]["apertium"]["cost"];
    assert_eq!(cost["currency"], "USD");
    assert!((cost["amount"].as_f64().unwrap() - sent as f64 * 10.0 / 1e6).abs() < 1e-9, "{cost}");
    assert_eq!(estimate["cost"]["USD"], cost["amount"]);

    let by_url = dry(json!({ "url": format!("{}/news/harbour", room.server.uri()) })).await.unwrap();
    assert_eq!(by_url.status(), 422);
    let unread = client()
        .post(console.url("/api/v1/articles?dry_run=maybe"))
        .bearer_auth(TOKEN)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(unread.status(), 400);
    assert!(unread.json::<Value>().await.unwrap()["error"].is_string());

    let status = client().get(console.url("/api/v1/articles/cms-dry")).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(status.status(), 404, "a dry run records nothing");
    // The real hand-over then sends what the dry run counted.
    assert_eq!(post_article(&console, json!({ "html": harbour_html(), "id": "cms-dry" })).await.status(), 202);
    let done = wait_for(&console, "cms-dry", |s| s["status"] == "delivered").await;
    assert_eq!(done["translations"][0]["chars_sent"], sent, "{done:#}");
    assert!(room.partner.seen.lock().unwrap().len() == 1);
    console.stop();
}

/// The runs page says what each run spent, at the desk's prices (the newsroom's Apertium is priced
/// as a service would be).
#[tokio::test(flavor = "multi_thread")]
async fn the_runs_page_shows_what_each_run_spent() {
    let room = newsroom("never", "\"100ms\"").await;
    let page = room.dir.path().join("harbour.html");
    std::fs::write(&page, harbour_html()).unwrap();
    let output = crate::support::newswire()
        .arg("run")
        .arg(&room.pipeline)
        .arg("--input")
        .arg(&page)
        .arg("--json")
        .env("CMS_TOKEN", TOKEN)
        .env("CALLBACK_SECRET", crate::support::console::CALLBACK_SECRET)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let spent = report["totals"]["cost"]["USD"].as_f64().unwrap();
    assert!(spent > 0.0, "{report:#}");
    let console = Console::start(&[&room.pipeline], room.dir.path());
    let ana = login(&console, "ana", PASSWORD).await.unwrap();
    let runs = client().get(console.url("/desks/web-desk/runs")).header("cookie", &ana.cookie).send().await.unwrap();
    let runs = runs.text().await.unwrap();
    assert!(runs.contains(&format!("<td>{spent:.2} USD</td>")), "{runs}");
    console.stop();
}
