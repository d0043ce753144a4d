//! Several newswire processes sharing one desk's PostgreSQL store: real processes, a real server.
//! Three runs at once split the work (each copy arrives once, each segment is billed once); a
//! worker killed with `kill -9` leaves its work to the others and to `newswire work`; a server
//! restart mid-run loses nothing.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::*;

const ARTICLES: usize = 200;
const PARTNERS: [&str; 3] = ["a", "b", "c"];

/// A LibreTranslate stand-in that counts how often each segment was sent (billed).
#[derive(Clone, Default)]
struct Billing(Arc<Mutex<HashMap<String, usize>>>);

impl Respond for Billing {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let texts: Vec<String> =
            body["q"].as_array().into_iter().flatten().map(|t| t.as_str().unwrap_or("").to_string()).collect();
        let mut billed = self.0.lock().unwrap();
        for text in &texts {
            *billed.entry(text.clone()).or_default() += 1;
        }
        let out: Vec<String> = texts.iter().map(|t| format!("{t} [en]")).collect();
        ResponseTemplate::new(200).set_body_json(json!({ "translatedText": out })).set_delay(Duration::from_millis(20))
    }
}

struct Setup {
    dir: tempfile::TempDir,
    /// The database URL, password included, that the desk's `state = "${DESK_DATABASE}"` names.
    database: String,
    pipeline: PathBuf,
    hooks: MockServer,
    billing: Billing,
    _backend: MockServer,
}

/// A desk on a fresh PostgreSQL database (or an SQLite file): Spanish pages, translated into
/// English, to three webhook partners. Claims run out `lease` after a worker dies.
async fn setup(lease: &str) -> Setup {
    let url = crate::support::postgres::database().await;
    setup_on(lease, url).await
}

async fn setup_on(lease: &str, url: String) -> Setup {
    let hooks = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204).set_delay(Duration::from_millis(15)))
        .mount(&hooks)
        .await;
    let backend = MockServer::start().await;
    let billing = Billing::default();
    Mock::given(method("POST")).respond_with(billing.clone()).mount(&backend).await;
    let dir = tempfile::tempdir().unwrap();
    let pages = spanish_stories(dir.path(), ARTICLES);
    let mut desk = Desk::new("shared-desk")
        .paths(&[&pages])
        .languages(&["es", "en"])
        .table(&format!("[work]\nlease = {lease:?}\npoll = \"200ms\""))
        .table("[delivery]\ntimeout = \"2s\"\nretry_schedule = [\"1s\", \"1s\", \"2s\"]\nmax_wait = \"10s\"")
        .table(&format!(
            "[translate]\nbackend = \"libre\"\n[backends.libre]\nkind = \"libretranslate\"\nurl = \"{}/\"",
            backend.uri()
        ));
    for name in PARTNERS {
        desk = desk.partner(Partner::webhook(name, &["en"], &format!("{}/{name}", hooks.uri())));
    }
    let pipeline = desk.write(dir.path());
    // The URL, password included, comes from the environment, as a newsroom would set it.
    let text = std::fs::read_to_string(&pipeline).unwrap();
    std::fs::write(&pipeline, format!("state = \"${{DESK_DATABASE}}\"\n{text}")).unwrap();
    Setup { dir, database: url, pipeline, hooks, billing, _backend: backend }
}

fn spawn(args: &[&str], pipeline: &Path, database: &str) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("newswire"))
        .args(args)
        .arg(pipeline)
        .env("DESK_DATABASE", database)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Each copy (partner, headline) with the webhook-ids it arrived under, and the request count.
async fn arrivals(hooks: &MockServer) -> (HashMap<(String, String), Vec<String>>, usize) {
    let requests = hooks.received_requests().await.unwrap_or_default();
    let mut copies: HashMap<(String, String), Vec<String>> = HashMap::new();
    for request in &requests {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let headline = body["headlines"][0]["value"].as_str().unwrap().to_string();
        let id = request.headers.get("webhook-id").unwrap().to_str().unwrap().to_string();
        copies.entry((request.url.path().to_string(), headline)).or_default().push(id);
    }
    (copies, requests.len())
}

/// How long a run may take before the test gives up on it (and says so) instead of hanging.
const RUN_LIMIT: Duration = Duration::from_secs(180);

fn finished(child: Child) -> std::process::Output {
    let pid = child.id();
    let (done, output) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output().unwrap()));
    let output = output.recv_timeout(RUN_LIMIT).unwrap_or_else(|_| {
        Command::new("kill").arg("-KILL").arg(pid.to_string()).status().unwrap();
        let output = output.recv().unwrap();
        panic!("the run did not end within {RUN_LIMIT:?}:\n{}", String::from_utf8_lossy(&output.stderr));
    });
    assert!(
        output.status.code().is_some_and(|c| c <= 1),
        "{:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[tokio::test(flavor = "multi_thread")]
async fn three_runs_at_once_split_the_work_and_send_each_copy_once() {
    runs_at_once_split_the_work(setup("30s").await, 3).await;
}

/// Two runs of a desk on one machine that overlap (cron starting one before the last ended).
#[tokio::test(flavor = "multi_thread")]
async fn overlapping_runs_on_an_sqlite_file_send_each_copy_once() {
    let state = tempfile::tempdir().unwrap();
    let setup = setup_on("30s", state.path().join("desk.sqlite").display().to_string()).await;
    runs_at_once_split_the_work(setup, 2).await;
}

async fn runs_at_once_split_the_work(setup: Setup, processes: usize) {
    let database = setup.database.clone();
    let runs: Vec<Child> = (0..processes).map(|_| spawn(&["run", "--json"], &setup.pipeline, &database)).collect();
    let mut handled = Vec::new();
    for run in runs {
        let output = finished(run);
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        // A run that starts after another finished a page may take it up again and find its copies
        // delivered: what counts is who delivered.
        let delivered_by_me = |a: &&Value| a["deliveries"].as_array().unwrap().iter().any(|d| d["status"] == "ok");
        let mine = report["articles"].as_array().unwrap().iter().filter(delivered_by_me).count();
        handled.push(mine);
    }
    assert_eq!(handled.iter().sum::<usize>(), ARTICLES, "each article was delivered by one run: {handled:?}");

    let (copies, requests) = arrivals(&setup.hooks).await;
    assert_eq!(copies.len(), PARTNERS.len() * ARTICLES, "every copy arrived");
    assert_eq!(requests, PARTNERS.len() * ARTICLES, "and each exactly once");
    let billed = setup.billing.0.lock().unwrap();
    let twice: Vec<(&String, &usize)> = billed.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "segments billed more than once: {:?}", &twice[..twice.len().min(3)]);
    assert!(billed.len() >= ARTICLES * 3, "every article's segments went to the backend ({})", billed.len());
    drop(setup.dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_killed_mid_batch_leaves_its_work_to_the_others() {
    let setup = setup("15s").await;
    let database = setup.database.clone();
    let wait_for = |count: usize| {
        let hooks = &setup.hooks;
        async move {
            let started = Instant::now();
            while arrivals(hooks).await.1 < count && started.elapsed() < Duration::from_secs(60) {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    };
    // The first run is mid-batch (pages claimed, copies in flight) when the others join it.
    let mut doomed = spawn(&["run"], &setup.pipeline, &database);
    wait_for(30).await;
    let others: Vec<Child> = (0..2).map(|_| spawn(&["run"], &setup.pipeline, &database)).collect();
    wait_for(120).await;
    doomed.kill().unwrap(); // SIGKILL: its claims stay until they run out
    doomed.wait().unwrap();
    let (before_kill, _) = arrivals(&setup.hooks).await;
    for run in others {
        finished(run);
    }
    let (left, _) = arrivals(&setup.hooks).await;
    assert!(left.len() < PARTNERS.len() * ARTICLES, "the dead run held no work the others could not take");

    // A worker started afterwards takes up what the dead run held once its leases run out.
    let mut worker = spawn(&["work"], &setup.pipeline, &database);
    let started = Instant::now();
    while arrivals(&setup.hooks).await.0.len() < PARTNERS.len() * ARTICLES
        && started.elapsed() < Duration::from_secs(90)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let stop = Command::new("kill").arg("-TERM").arg(worker.id().to_string()).status().unwrap();
    assert!(stop.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = worker.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the worker did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let output = worker.wait_with_output().unwrap();
    assert_eq!(status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!output.stdout.is_empty(), "the worker took up the dead run's work");

    let (copies, requests) = arrivals(&setup.hooks).await;
    assert_eq!(copies.len(), PARTNERS.len() * ARTICLES, "every copy arrived");
    let mut duplicates = 0;
    for (copy, ids) in &copies {
        let unique: HashSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), 1, "{copy:?} arrived under several ids: {ids:?}");
        if ids.len() > 1 {
            duplicates += ids.len() - 1;
            assert!(before_kill.contains_key(copy), "{copy:?} was sent twice but was not in flight at the kill");
        }
    }
    assert_eq!(requests, PARTNERS.len() * ARTICLES + duplicates);
    let log = newswire().arg("deliveries").arg(&setup.pipeline).arg("--json").env("DESK_DATABASE", &database).output();
    let log: Vec<Value> = serde_json::from_slice(&log.unwrap().stdout).unwrap();
    assert_eq!(log.len(), PARTNERS.len() * ARTICLES);
    assert!(log.iter().all(|d| d["state"] == "delivered"), "{:?}", log.iter().find(|d| d["state"] != "delivered"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_restart_mid_run_loses_nothing() {
    let setup = setup("3s").await;
    let database = setup.database.clone();
    let run = spawn(&["run", "--json"], &setup.pipeline, &database);
    let started = Instant::now();
    while arrivals(&setup.hooks).await.1 < 60 && started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    crate::support::postgres::restart_server();
    let mut run = run;
    assert!(run.try_wait().unwrap().is_none(), "the run ended before the server was back: restart earlier");
    let output = finished(run);
    assert!(arrivals(&setup.hooks).await.1 > 60, "the run went on after the restart");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let failed: Vec<&Value> =
        report["articles"].as_array().unwrap().iter().filter(|a| a["status"] == "failed").collect();
    assert!(failed.is_empty(), "store errors were retried, not reported: {:?}", failed.first());

    // A claim whose answer the restart swallowed is taken up once its lease runs out.
    if arrivals(&setup.hooks).await.0.len() < PARTNERS.len() * ARTICLES {
        tokio::time::sleep(Duration::from_secs(9)).await;
        let mut worker = spawn(&["work"], &setup.pipeline, &database);
        let started = Instant::now();
        while arrivals(&setup.hooks).await.0.len() < PARTNERS.len() * ARTICLES
            && started.elapsed() < Duration::from_secs(60)
        {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Command::new("kill").arg("-TERM").arg(worker.id().to_string()).status().unwrap();
        assert_eq!(worker.wait().unwrap().code(), Some(0));
    }
    let (copies, _) = arrivals(&setup.hooks).await;
    assert_eq!(copies.len(), PARTNERS.len() * ARTICLES, "every copy arrived");
    for (copy, ids) in &copies {
        let unique: HashSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), 1, "{copy:?} arrived under several ids: {ids:?}");
    }
}

/// A channel that counts what it is asked to send.
#[derive(Default)]
struct Counting(std::sync::atomic::AtomicUsize);

#[async_trait::async_trait]
impl newswire::syndicate::Channel for Counting {
    async fn deliver(&self, _: &newswire::syndicate::PartnerCopy) -> Result<(), newswire::syndicate::DeliveryError> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }
}

/// A worker that claimed a due delivery and got to it only after its claim ran out sends
/// nothing: another worker may hold it by then. One whose claim still runs sends it.
#[tokio::test(flavor = "multi_thread")]
async fn a_claimed_delivery_whose_lease_ran_out_is_not_sent() {
    use newswire::store::{DeliveryState, Location, NewDelivery};
    use newswire::syndicate::deliver::Deliverer;
    let dir = tempfile::tempdir().unwrap();
    let store = newswire::store::open(&Location::Sqlite(dir.path().join("state.sqlite")), "desk").await.unwrap();
    let article = Arc::new(newswire::model::Article { id: "a".into(), content_hash: "h".into(), ..Default::default() });
    let translation: newswire::model::Translation = serde_json::from_value(json!({
        "language": "es", "backend": "apertium", "title": "Titular", "blocks": [], "chars_sent": 0, "chars_cached": 0
    }))
    .unwrap();
    let mut copy = newswire::syndicate::PartnerCopy::rendered(&article, &translation, "desk");
    copy.partner = "p".into();
    for id in ["late", "in-time"] {
        copy.delivery_id = id.into();
        let json = serde_json::to_string(&copy).unwrap();
        let new = NewDelivery {
            id,
            article: "a",
            content_hash: "h",
            language: "es",
            partner: "p",
            channel: "webhook",
            copy: &json,
        };
        store.schedule(&new, 0).await.unwrap();
    }
    let deliverer = Deliverer::new("desk", store.clone(), newswire::config::DeliveryConfig::default());
    let breaker = newswire::syndicate::Breaker::new(3);
    let channel = Counting::default();
    let due = store.claim_due(&["p".to_string()], 10, Duration::from_secs(1)).await.unwrap();
    assert_eq!(due.len(), 2);
    let late = due.iter().find(|d| d.lease.id == "late").unwrap();
    let in_time = due.iter().find(|d| d.lease.id == "in-time").unwrap();
    let copy_of = |json: &str| serde_json::from_str::<newswire::syndicate::PartnerCopy>(json).unwrap();

    deliverer.deliver_claimed(&copy_of(&in_time.copy), &in_time.lease, &channel, &breaker).await.unwrap();
    assert_eq!(channel.0.load(std::sync::atomic::Ordering::SeqCst), 1, "a running claim is sent");

    tokio::time::sleep(Duration::from_millis(2100)).await;
    let outcome = deliverer.deliver_claimed(&copy_of(&late.copy), &late.lease, &channel, &breaker).await.unwrap();
    assert_eq!(
        channel.0.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "nothing sent under a claim that ran out: {outcome:?}"
    );
    assert_eq!(store.delivery("late").await.unwrap().unwrap().state, DeliveryState::InProgress);
    let again = store.claim_due(&["p".to_string()], 10, Duration::from_secs(60)).await.unwrap();
    assert_eq!(again.len(), 1, "it is due for whoever comes next");
    assert_eq!(again[0].lease.id, "late");
}
