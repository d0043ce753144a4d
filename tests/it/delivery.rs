//! Durable delivery against real local servers: failures retried with the same delivery id,
//! Retry-After honoured, 410 disabling the partner, timeouts and resets retried later by
//! `deliver --due`, SMTP 451 then 250, and re-runs that send nothing twice.

use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

/// A desk with its `[delivery]` table (fast retries); partners are added by the test.
fn desk(dir: &std::path::Path, delivery: &str) -> Desk {
    Desk::new("delivery-desk")
        .state(&dir.join("state.sqlite"))
        .languages(&["es", "en"])
        .table(&format!("[delivery]\n{delivery}"))
}

/// The webhook partner every test here delivers to.
fn hook(url: &str) -> Partner {
    Partner::webhook("hook", &["es"], url).with("timeout = \"500ms\"")
}

fn run(pipeline: &std::path::Path) -> (i32, Value) {
    let output = run_json_on(pipeline, &examples_dir().join("es-valencia-port.html"))
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&output.stderr)));
    (output.status.code().unwrap(), report)
}

fn log(pipeline: &std::path::Path) -> Vec<Value> {
    let output = newswire().arg("deliveries").arg(pipeline).arg("--json").output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice::<Vec<Value>>(&output.stdout).unwrap()
}

/// A receiver at /hook that answers `first` to the first `times` requests, then `then`.
async fn hook_answering(first: ResponseTemplate, times: u64, then: impl wiremock::Respond + 'static) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(first)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path("/hook")).respond_with(then).with_priority(2).mount(&server).await;
    server
}

async fn hook_ids(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| r.headers.get("webhook-id").unwrap().to_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn failing_twice_then_succeeding_keeps_one_id_and_a_rerun_sends_nothing() {
    let server = hook_answering(ResponseTemplate::new(500), 2, VerifyingReceiver::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let pipeline = desk(dir.path(), "retry_schedule = [\"100ms\", \"100ms\", \"100ms\"]\nmax_wait = \"10s\"")
        .partner(hook(&format!("{}/hook", server.uri())))
        .write(dir.path());
    let (code, report) = run(&pipeline);
    assert_eq!(code, 0, "{report:#}");
    let delivery = &report["articles"][0]["deliveries"][0];
    assert_eq!(delivery["status"], "ok");
    assert_eq!(delivery["attempts"], 3);
    let ids = hook_ids(&server).await;
    assert_eq!(ids.len(), 3);
    assert!(ids.iter().all(|id| *id == ids[0]), "the same webhook-id on every attempt: {ids:?}");
    assert_eq!(ids[0], delivery["id"].as_str().unwrap());
    let logged = log(&pipeline);
    assert_eq!(logged[0]["state"], "delivered");
    assert_eq!(logged[0]["attempts"], 3);

    let (code, again) = run(&pipeline);
    assert_eq!(code, 0);
    assert_eq!(again["articles"][0]["deliveries"][0]["status"], "skipped");
    assert_eq!(again["articles"][0]["deliveries"][0]["error"], "already delivered");
    assert_eq!(hook_ids(&server).await.len(), 3, "a re-run sends nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_with_retry_after_is_waited_for() {
    let server =
        hook_answering(ResponseTemplate::new(429).insert_header("Retry-After", "1"), 1, ResponseTemplate::new(204))
            .await;
    let dir = tempfile::tempdir().unwrap();
    let pipeline = desk(dir.path(), "retry_schedule = [\"1h\"]\nmax_wait = \"10s\"")
        .partner(hook(&format!("{}/hook", server.uri())))
        .write(dir.path());
    let started = std::time::Instant::now();
    let (code, report) = run(&pipeline);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["articles"][0]["deliveries"][0]["attempts"], 2);
    assert!(started.elapsed() < std::time::Duration::from_secs(60), "Retry-After (1 s) replaced the 1 h schedule");
}

#[tokio::test(flavor = "multi_thread")]
async fn gone_disables_the_partner_until_it_is_enabled() {
    let server = hook_answering(ResponseTemplate::new(410), 1, ResponseTemplate::new(204)).await;
    let dir = tempfile::tempdir().unwrap();
    let pipeline = desk(dir.path(), "retry_schedule = [\"100ms\"]")
        .partner(hook(&format!("{}/hook", server.uri())))
        .write(dir.path());
    let (code, report) = run(&pipeline);
    assert_eq!(code, 1);
    let delivery = &report["articles"][0]["deliveries"][0];
    assert!(delivery["error"].as_str().unwrap().contains("410"), "{delivery}");
    let (code, report) = run(&pipeline);
    assert_eq!(code, 1);
    assert!(
        report["articles"][0]["deliveries"][0]["error"].as_str().unwrap().starts_with("partner disabled since"),
        "{report:#}"
    );
    assert_eq!(hook_ids(&server).await.len(), 1, "nothing is sent to a disabled partner");

    newswire().arg("enable").arg(&pipeline).arg("hook").assert().success();
    let (code, report) = run(&pipeline);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(hook_ids(&server).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hanging_partner_is_retried_later_by_deliver_due() {
    let server = hook_answering(
        ResponseTemplate::new(204).set_delay(std::time::Duration::from_secs(3)),
        1,
        ResponseTemplate::new(204),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let pipeline = desk(dir.path(), "retry_schedule = [\"1s\"]\nmax_wait = \"0s\"")
        .partner(hook(&format!("{}/hook", server.uri())))
        .write(dir.path());
    let (code, report) = run(&pipeline);
    assert_eq!(code, 1);
    let error = report["articles"][0]["deliveries"][0]["error"].as_str().unwrap().to_string();
    assert!(error.contains("timed out") && error.contains("deliver PIPELINE --due"), "{error}");
    let logged = log(&pipeline);
    assert_eq!(logged[0]["state"], "retrying");
    assert!(logged[0]["next_attempt"].as_str().is_some());

    std::thread::sleep(std::time::Duration::from_millis(2200));
    newswire().arg("deliver").arg(&pipeline).arg("--due").assert().success();
    let logged = log(&pipeline);
    assert_eq!(logged[0]["state"], "delivered");
    assert_eq!(logged[0]["attempts"], 2);
    let ids = hook_ids(&server).await;
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], ids[1]);
}

#[test]
fn a_reset_connection_is_retried() {
    // A receiver that accepts and drops the first connection, then answers 204.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = seen.clone();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if n == 0 {
                drop(stream);
                continue;
            }
            let mut buf = [0u8; 65536];
            let _ = std::io::Read::read(&mut stream, &mut buf);
            let _ = std::io::Write::write_all(&mut stream, b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n");
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let pipeline =
        desk(dir.path(), "retry_schedule = [\"100ms\"]\nmax_wait = \"10s\"").partner(hook(&url)).write(dir.path());
    let (code, report) = run(&pipeline);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["articles"][0]["deliveries"][0]["attempts"], 2);
    assert!(seen.load(std::sync::atomic::Ordering::SeqCst) >= 2);
}

#[test]
fn smtp_451_then_250() {
    let smtp = SmtpServer::start_with(&[], 1);
    let dir = tempfile::tempdir().unwrap();
    let pipeline = desk(dir.path(), "retry_schedule = [\"100ms\"]\nmax_wait = \"10s\"")
        .smtp(smtp.port)
        .partner(Partner::email("mail", &["es"], &["mesa@elcorreo.example"]))
        .write(dir.path());
    let (code, report) = run(&pipeline);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["articles"][0]["deliveries"][0]["attempts"], 2);
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    let id = report["articles"][0]["deliveries"][0]["id"].as_str().unwrap();
    assert!(messages[0].contains(&format!("Message-ID: <{id}@newswire>")));
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_hear_when_a_partner_is_disabled_and_recover_resends() {
    let smtp = SmtpServer::start(&[]);
    // Down at first: 503 for long enough that the partner fails for longer than disable_after.
    let server = hook_answering(ResponseTemplate::new(503), 3, ResponseTemplate::new(204)).await;
    let dir = tempfile::tempdir().unwrap();
    let delivery = "retry_schedule = [\"1s\", \"1s\"]\nmax_wait = \"10s\"\ndisable_after = \"1s\"\nstaff_email = \"alerts@desk.example\"";
    let pipeline =
        desk(dir.path(), delivery).smtp(smtp.port).partner(hook(&format!("{}/hook", server.uri()))).write(dir.path());
    let (code, report) = run(&pipeline);
    assert_eq!(code, 1, "{report:#}");
    assert!(
        report["articles"][0]["deliveries"][0]["error"].as_str().unwrap().contains("partner is now disabled"),
        "{report:#}"
    );
    let alert =
        smtp.messages().into_iter().find(|m| m.contains("To: alerts@desk.example")).expect("the staff were told");
    assert!(alert.contains("Subject: newswire: partner hook disabled"), "{alert}");
    assert!(alert.contains("503"), "the last error is in the alert: {alert}");

    newswire().arg("enable").arg(&pipeline).arg("hook").assert().success();
    newswire().arg("recover").arg(&pipeline).args(["--partner", "hook", "--since", "1h"]).assert().success();
    let logged = log(&pipeline);
    assert_eq!(logged[0]["state"], "delivered");
    let ids = hook_ids(&server).await;
    assert!(ids.len() >= 3 && ids.iter().all(|id| *id == ids[0]), "{ids:?}");

    // redeliver sends a delivered copy once more, under the same id.
    let id = logged[0]["id"].as_str().unwrap().to_string();
    newswire().arg("redeliver").arg(&pipeline).arg(&id).assert().success();
    let after = hook_ids(&server).await;
    assert_eq!(after.len(), ids.len() + 1);
    assert_eq!(after.last().unwrap(), &id);
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_is_delivered_before_the_embargo() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/hook")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let lifts = time::OffsetDateTime::now_utc() + time::Duration::seconds(2);
    let lifts = lifts.format(&time::format_description::well_known::Rfc3339).unwrap();
    let pipeline = desk(dir.path(), &format!("max_wait = \"0s\"\nembargo = \"{lifts}\""))
        .partner(hook(&format!("{}/hook", server.uri())))
        .write(dir.path());
    let (code, report) = run(&pipeline);
    assert_eq!(code, 0, "an embargo is not a failure: {report:#}");
    let delivery = &report["articles"][0]["deliveries"][0];
    assert_eq!(delivery["status"], "skipped");
    assert!(delivery["error"].as_str().unwrap().starts_with("embargoed until"), "{delivery}");
    newswire().arg("deliver").arg(&pipeline).arg("--due").assert().success();
    assert!(hook_ids(&server).await.is_empty(), "not before the embargo lifts");

    std::thread::sleep(std::time::Duration::from_millis(2500));
    newswire().arg("deliver").arg(&pipeline).arg("--due").assert().success();
    assert_eq!(hook_ids(&server).await.len(), 1);
    assert_eq!(log(&pipeline)[0]["state"], "delivered");
}

fn two_recipient_desk(dir: &std::path::Path, port: u16) -> std::path::PathBuf {
    desk(dir, "retry_schedule = [\"100ms\"]\nmax_wait = \"10s\"")
        .smtp(port)
        .partner(Partner::email("mail", &["es"], &["first@elcorreo.example", "second@elcorreo.example"]))
        .write(dir)
}

#[test]
fn a_refused_recipient_fails_alone_and_the_others_get_the_copy() {
    let smtp = SmtpServer::start(&["first@elcorreo.example"]);
    let dir = tempfile::tempdir().unwrap();
    let pipeline = two_recipient_desk(dir.path(), smtp.port);
    let (code, report) = run(&pipeline);
    assert_eq!(code, 1, "a refused recipient is a failure: {report:#}");
    let delivery = &report["articles"][0]["deliveries"][0];
    let error = delivery["error"].as_str().unwrap();
    assert!(error.starts_with("delivered, but refused by first@elcorreo.example") && error.contains("550"), "{error}");
    assert_eq!(smtp.messages().len(), 1, "second@ got it");
    assert_eq!(log(&pipeline)[0]["state"], "delivered");
    let (code, _) = run(&pipeline);
    assert_eq!(code, 0);
    assert_eq!(smtp.messages().len(), 1, "a re-run sends nothing");
}

#[test]
fn after_a_451_only_the_waiting_recipient_is_sent_again() {
    let smtp = SmtpServer::start_with(&[], 1);
    let dir = tempfile::tempdir().unwrap();
    let pipeline = two_recipient_desk(dir.path(), smtp.port);
    let (code, report) = run(&pipeline);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["articles"][0]["deliveries"][0]["attempts"], 2);
    assert_eq!(smtp.messages().len(), 2, "one message per recipient, none twice");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secret_in_a_partner_url_is_never_shown_logged_or_stored() {
    const TOKEN: &str = "tok-5f1d9a7c3e";
    let server = hook_answering(ResponseTemplate::new(503), 100, ResponseTemplate::new(204)).await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/hook?token=${{NEWSWIRE_TEST_HOOK_TOKEN}}", server.uri());
    let pipeline =
        desk(dir.path(), "retry_schedule = [\"1h\"]\nmax_wait = \"0s\"").partner(hook(&url)).write(dir.path());
    let output = run_json_on(&pipeline, &examples_dir().join("es-valencia-port.html"))
        .env("NEWSWIRE_TEST_HOOK_TOKEN", TOKEN)
        .env("NEWSWIRE_LOG", "debug")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    // The request really carried the token.
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].url.query(), Some(format!("token={TOKEN}").as_str()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let error = report["articles"][0]["deliveries"][0]["error"].as_str().unwrap();
    assert!(error.contains("/hook?token=***") && error.contains("503"), "{error}");
    assert!(!stdout.contains(TOKEN), "{stdout}");
    assert!(
        !stderr.contains(TOKEN) && stderr.contains("token=***"),
        "the log shows the partner, never its token: {stderr}"
    );
    let listed = newswire().env("NEWSWIRE_TEST_HOOK_TOKEN", TOKEN).arg("deliveries").arg(&pipeline).output().unwrap();
    assert!(!String::from_utf8_lossy(&listed.stdout).contains(TOKEN));
    let needle = TOKEN.as_bytes();
    for file in files_under(dir.path()).iter().filter(|f| f.starts_with("state.sqlite")) {
        let bytes = std::fs::read(dir.path().join(file)).unwrap();
        assert!(!bytes.windows(needle.len()).any(|w| w == needle), "{file} holds the token");
    }
}

/// A partner that accepts connections and never answers; counts the requests it was sent.
fn silent_partner() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let requests = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let seen = seen.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut buf = [0u8; 65536];
                // Read the request, never answer; the connection stays open until the sender gives up.
                if std::io::Read::read(&mut stream, &mut buf).unwrap_or(0) > 0 {
                    seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
                let _ = std::io::Read::read(&mut stream, &mut buf);
            });
        }
    });
    (url, requests)
}

#[test]
fn a_partner_that_never_answers_stops_being_tried_after_the_breaker_opens() {
    let (url, requests) = silent_partner();
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    let original = std::fs::read_to_string(examples_dir().join("es-valencia-port.html")).unwrap();
    for i in 0..6 {
        let page = original.replace("puerto-record", &format!("puerto-record-{i}"));
        std::fs::write(pages.join(format!("nota-{i}.html")), page).unwrap();
    }
    let pipeline = desk(dir.path(), "retry_schedule = [\"1s\"]\nmax_wait = \"0s\"\ncircuit_breaker = 2")
        .paths(&[&pages])
        .partner(hook(&url).with("concurrency = 1"))
        .write(dir.path());
    let output = newswire().arg("run").arg(&pipeline).arg("--json").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let errors: Vec<String> = report["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["deliveries"][0]["error"].as_str().unwrap().to_string())
        .collect();
    // Two timeouts in a row, then the other four copies wait for `deliver --due` untried.
    assert_eq!(requests.load(std::sync::atomic::Ordering::SeqCst), 2, "{errors:#?}");
    assert_eq!(errors.iter().filter(|e| e.contains("timed out")).count(), 2, "{errors:#?}");
    let untried = errors.iter().filter(|e| e.contains("not attempted: hook did not answer 2 times in a row")).count();
    assert_eq!(untried, 4, "{errors:#?}");
    assert!(errors.iter().all(|e| e.contains("next attempt at")), "{errors:#?}");
    // All six wait in the log for `deliver --due`, none lost.
    let waiting = log(&pipeline);
    assert_eq!(waiting.len(), 6);
    assert!(waiting.iter().all(|d| d["next_attempt"].is_string()), "{waiting:#?}");
}
