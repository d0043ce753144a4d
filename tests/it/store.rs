//! The store's contract, run by the same code against both engines: SQLite in a temporary file,
//! and a fresh database on the real PostgreSQL server that `make test` starts.

use std::sync::Arc;
use std::time::Duration;

use newswire::store::spending::Limits;
use newswire::store::{
    self, AttemptOutcome, Claim, DeliveryState, Lease, Location, MemoryKey, NewDelivery, NewReview, PageClaim, Release,
    ReviewState, Store,
};

use crate::support::postgres;

/// A store, and the folder its SQLite file lives in (kept until the test ends).
struct Engine {
    store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
}

async fn sqlite() -> Engine {
    let dir = tempfile::tempdir().unwrap();
    let store = store::open(&Location::Sqlite(dir.path().join("state.sqlite")), "desk").await.unwrap();
    Engine { store, _dir: Some(dir) }
}

async fn postgresql() -> Engine {
    let url = postgres::database().await;
    Engine { store: store::open(&Location::parse(&url), "desk").await.unwrap(), _dir: None }
}

/// Each behaviour below becomes one test per engine, grouped by the store's concern it pins.
macro_rules! contract {
    ($($concern:ident: [$($behaviour:ident),* $(,)?]),* $(,)?) => {
        $(mod $concern {
            mod on_sqlite {
                $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $behaviour() { super::super::$behaviour(super::super::sqlite().await.store).await })*
            }
            mod on_postgresql {
                $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $behaviour() { super::super::$behaviour(super::super::postgresql().await.store).await })*
            }
        })*
    };
}

contract!(
    memory: [the_memory_is_per_backend_and_pair_and_the_newest_translation_stands],
    articles: [versions_are_numbered_once_even_when_workers_race, killed_articles_stay_killed],
    pages: [a_page_is_worked_on_by_one_worker_at_a_time],
    deliveries: [
        a_delivery_goes_through_its_states_with_every_attempt_kept,
        a_claim_is_exclusive_until_its_attempt_ends,
        of_many_workers_claiming_one_delivery_exactly_one_gets_it,
        a_late_outcome_from_a_presumed_dead_worker_is_refused,
        due_deliveries_are_claimed_once_by_concurrent_workers,
        a_released_claim_is_due_again_when_it_says,
        a_stale_release_takes_back_nothing,
        a_claim_is_renewed_only_while_it_is_the_latest_and_alive,
        recipients_reached_are_kept_for_the_next_attempt,
        a_scheduled_delivery_waits_for_its_time,
        the_delivered_version_is_the_highest_delivered,
    ],
    partners: [
        a_partner_fails_from_its_first_failure_after_a_success_until_it_is_enabled,
        a_partner_is_disabled_until_enabled,
    ],
    reviews: [a_held_copy_waits_for_its_review_and_goes_once_released],
    runs: [the_console_reads_an_articles_deliveries_and_reviews_and_the_run_log],
    callbacks: [a_callback_is_claimed_by_one_console_put_off_and_made_once],
    sessions: [opening_a_session_twice_keeps_the_first, a_session_ends_when_closed_or_when_its_time_is_up],
    spending: [charges_stop_at_each_limit, racing_charges_never_take_more_than_the_limit],
);

/// Each behaviour below that needs rows written behind the store's back (by a hand, a newer
/// newswire, the turning clock) becomes one test per engine, given a way to run SQL on its tables.
macro_rules! behind_its_back {
    ($($behaviour:ident),* $(,)?) => {
        mod behind_its_back_on_sqlite {
            $(#[tokio::test(flavor = "multi_thread")]
            async fn $behaviour() {
                let engine = super::sqlite().await;
                let file = engine._dir.as_ref().unwrap().path().join("state.sqlite");
                super::$behaviour(engine.store.clone(), async |sql: &str| {
                    rusqlite::Connection::open(&file).unwrap().execute_batch(sql).unwrap();
                })
                .await;
            })*
        }
        mod behind_its_back_on_postgresql {
            $(#[tokio::test(flavor = "multi_thread")]
            async fn $behaviour() {
                let url = super::postgres::database().await;
                let store = super::store::open(&super::Location::parse(&url), "desk").await.unwrap();
                super::$behaviour(store, async |sql: &str| {
                    let config = url.parse::<tokio_postgres::Config>().unwrap();
                    let (client, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
                    tokio::spawn(connection);
                    client.batch_execute(sql).await.unwrap();
                })
                .await;
            })*
        }
    };
}

behind_its_back!(states_the_store_does_not_know_are_errors, a_new_month_starts_from_nothing);

const LEASE: Duration = Duration::from_secs(60);

fn delivery<'a>(id: &'a str, partner: &'a str) -> NewDelivery<'a> {
    NewDelivery {
        id,
        article: "a",
        content_hash: "h1",
        language: "es",
        partner,
        channel: "webhook",
        copy: r#"{"copy":1}"#,
    }
}

/// A one-flag review of article "a" in Spanish.
fn review(id: &str, state: ReviewState) -> NewReview<'_> {
    NewReview { id, article: "a", content_hash: "h1", language: "es", state, flags: 1, draft: "{}" }
}

fn outcome(state: DeliveryState, retry_in: Option<i64>) -> AttemptOutcome {
    AttemptOutcome { state, status: Some("503".into()), error: Some("down".into()), retry_in }
}

async fn claimed(store: &dyn Store, new: &NewDelivery<'_>, lease: Duration) -> Lease {
    match store.claim(new, false, lease).await.unwrap() {
        Claim::Claimed(lease) => lease,
        other => panic!("expected a claim, got {other:?}"),
    }
}

fn partners(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

async fn a_delivery_goes_through_its_states_with_every_attempt_kept(store: Arc<dyn Store>) {
    let new = delivery("msg_1", "p");
    let first = claimed(store.as_ref(), &new, LEASE).await;
    assert_eq!(first.attempt, 1);
    assert_eq!(store.delivery("msg_1").await.unwrap().unwrap().state, DeliveryState::InProgress);
    assert!(store.finish(&first, &outcome(DeliveryState::Retrying, Some(0))).await.unwrap());
    let record = store.delivery("msg_1").await.unwrap().unwrap();
    assert_eq!((record.state, record.attempts), (DeliveryState::Retrying, 1));
    assert_eq!(record.last_error.as_deref(), Some("down"));
    let due = store.claim_due(&partners(&["p"]), 10, LEASE).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].lease.id.as_str(), due[0].lease.attempt), ("msg_1", 2));
    assert_eq!(due[0].copy, r#"{"copy":1}"#);
    let done =
        AttemptOutcome { state: DeliveryState::Delivered, status: Some("204".into()), error: None, retry_in: None };
    assert!(store.finish(&due[0].lease, &done).await.unwrap());
    let record = store.delivery("msg_1").await.unwrap().unwrap();
    assert_eq!((record.state, record.attempts, record.next_attempt), (DeliveryState::Delivered, 2, None));
    assert_eq!(store.deliveries(Some("p"), Some(DeliveryState::Delivered)).await.unwrap().len(), 1);
    assert_eq!(store.deliveries(Some("other"), None).await.unwrap().len(), 0);
    assert_eq!(store.copy_of("msg_1").await.unwrap().as_deref(), Some(r#"{"copy":1}"#));
    assert!(store.claim_due(&partners(&["p"]), 10, LEASE).await.unwrap().is_empty(), "nothing is due any more");
    let attempts = store.attempts("msg_1", 10).await.unwrap();
    let seen: Vec<String> =
        attempts.iter().map(|a| format!("{} {:?} {:?} {:?}", a.number, a.outcome, a.status, a.error)).collect();
    assert_eq!(seen, [r#"2 Some("delivered") Some("204") None"#, r#"1 Some("retrying") Some("503") Some("down")"#]);
    assert!(attempts.iter().all(|a| a.finished_at.is_some_and(|f| f >= a.started_at)));
    assert_eq!(store.attempts("msg_1", 1).await.unwrap().len(), 1, "the latest only");
}

async fn a_claim_is_exclusive_until_its_attempt_ends(store: Arc<dyn Store>) {
    let new = delivery("msg_1", "p");
    let lease = claimed(store.as_ref(), &new, LEASE).await;
    assert_eq!(store.claim(&new, false, LEASE).await.unwrap(), Claim::Busy);
    assert_eq!(store.claim(&new, true, LEASE).await.unwrap(), Claim::Busy, "not even to send it again");
    let done = AttemptOutcome { state: DeliveryState::Delivered, status: None, error: None, retry_in: None };
    assert!(store.finish(&lease, &done).await.unwrap());
    assert_eq!(store.claim(&new, false, LEASE).await.unwrap(), Claim::Delivered);
    let again = match store.claim(&new, true, LEASE).await.unwrap() {
        Claim::Claimed(lease) => lease,
        other => panic!("a delivered copy is claimed again on request, got {other:?}"),
    };
    assert_eq!(again.attempt, 2);
    assert!(again.fence > lease.fence);
}

async fn of_many_workers_claiming_one_delivery_exactly_one_gets_it(store: Arc<dyn Store>) {
    let claims = futures::future::join_all((0..16).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.claim(&delivery("msg_1", "p"), false, LEASE).await.unwrap() })
    }))
    .await;
    let won = claims.iter().filter(|c| matches!(c.as_ref().unwrap(), Claim::Claimed(_))).count();
    assert_eq!(won, 1, "{claims:?}");
    assert_eq!(store.delivery("msg_1").await.unwrap().unwrap().attempts, 1);
}

async fn a_late_outcome_from_a_presumed_dead_worker_is_refused(store: Arc<dyn Store>) {
    let new = delivery("msg_1", "p");
    let dead = claimed(store.as_ref(), &new, Duration::from_secs(1)).await;
    assert!(store.claim_due(&partners(&["p"]), 10, LEASE).await.unwrap().is_empty(), "the lease still runs");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let taken = store.claim_due(&partners(&["p"]), 10, LEASE).await.unwrap();
    assert_eq!(taken.len(), 1, "an expired lease is claimed again");
    assert_eq!(taken[0].lease.id, "msg_1", "with the same delivery id");
    let done = AttemptOutcome { state: DeliveryState::Delivered, status: None, error: None, retry_in: None };
    assert!(store.finish(&taken[0].lease, &done).await.unwrap());
    let late = outcome(DeliveryState::Failed, None);
    assert!(!store.finish(&dead, &late).await.unwrap(), "the dead worker's fence is stale");
    store.add_recipients_done(&dead, &["late@example.org".into()]).await.unwrap();
    let record = store.delivery("msg_1").await.unwrap().unwrap();
    assert_eq!((record.state, record.attempts), (DeliveryState::Delivered, 2));
    assert_eq!(store.failing_since("p").await.unwrap(), None, "the refused failure does not count");
    assert!(claimed_recipients(store.as_ref(), "msg_1").await.is_empty());
}

async fn claimed_recipients(store: &dyn Store, id: &str) -> Vec<String> {
    match store.claim(&delivery(id, "p"), true, LEASE).await.unwrap() {
        Claim::Claimed(lease) => lease.recipients_done,
        other => panic!("expected a claim, got {other:?}"),
    }
}

async fn due_deliveries_are_claimed_once_by_concurrent_workers(store: Arc<dyn Store>) {
    let ids: Vec<String> = (0..60).map(|i| format!("msg_{i}")).collect();
    for (i, id) in ids.iter().enumerate() {
        let partner = if i % 3 == 0 { "elsewhere" } else { "p" };
        store.schedule(&delivery(id, partner), 0).await.unwrap();
    }
    let workers = futures::future::join_all((0..4).map(|_| {
        let store = store.clone();
        tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = store.claim_due(&partners(&["p", "q"]), 7, LEASE).await.unwrap();
                assert!(batch.len() <= 7);
                if batch.is_empty() {
                    return mine;
                }
                mine.extend(batch.into_iter().map(|due| due.lease.id));
            }
        })
    }))
    .await;
    let mut all: Vec<String> = workers.into_iter().flat_map(|w| w.unwrap()).collect();
    all.sort();
    let mut expected: Vec<String> =
        ids.iter().enumerate().filter(|(i, _)| i % 3 != 0).map(|(_, id)| id.clone()).collect();
    expected.sort();
    assert_eq!(all, expected, "each due delivery of the asked partners, once");
}

async fn a_released_claim_is_due_again_when_it_says(store: Arc<dyn Store>) {
    store.schedule(&delivery("msg_1", "p"), 0).await.unwrap();
    let due = store.claim_due(&partners(&["p"]), 10, LEASE).await.unwrap();
    assert_eq!(due.len(), 1);
    store.release(&[due[0].lease.clone()], Duration::ZERO).await.unwrap();
    let record = store.delivery("msg_1").await.unwrap().unwrap();
    assert_eq!((record.state, record.attempts), (DeliveryState::Pending, 0), "a released claim made no attempt");
    let again = store.claim_due(&partners(&["p"]), 10, LEASE).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].lease.attempt, 1);
    store.release(&[again[0].lease.clone()], Duration::from_secs(3600)).await.unwrap();
    assert!(store.claim_due(&partners(&["p"]), 10, LEASE).await.unwrap().is_empty(), "put off for an hour");
}

async fn recipients_reached_are_kept_for_the_next_attempt(store: Arc<dyn Store>) {
    let new = delivery("msg_1", "p");
    let first = claimed(store.as_ref(), &new, LEASE).await;
    assert!(first.recipients_done.is_empty());
    store.add_recipients_done(&first, &["a@example.org".into(), "b@example.org".into()]).await.unwrap();
    store.add_recipients_done(&first, &["b@example.org".into(), "c@example.org".into()]).await.unwrap();
    store.finish(&first, &outcome(DeliveryState::Retrying, Some(0))).await.unwrap();
    let second = claimed(store.as_ref(), &new, LEASE).await;
    assert_eq!(second.recipients_done, ["a@example.org", "b@example.org", "c@example.org"]);
}

async fn a_partner_fails_from_its_first_failure_after_a_success_until_it_is_enabled(store: Arc<dyn Store>) {
    assert_eq!(store.failing_since("p").await.unwrap(), None);
    let first = claimed(store.as_ref(), &delivery("m1", "p"), LEASE).await;
    store.finish(&first, &outcome(DeliveryState::Retrying, Some(60))).await.unwrap();
    let (since, for_seconds) = store.failing_since("p").await.unwrap().expect("failing");
    assert!((0..5).contains(&for_seconds), "{for_seconds}");
    let second = claimed(store.as_ref(), &delivery("m2", "p"), LEASE).await;
    store.finish(&second, &outcome(DeliveryState::Failed, None)).await.unwrap();
    assert_eq!(store.failing_since("p").await.unwrap().map(|f| f.0), Some(since), "the streak began at the first");
    let retry = claimed(store.as_ref(), &delivery("m1", "p"), LEASE).await;
    let done = AttemptOutcome { state: DeliveryState::Delivered, status: None, error: None, retry_in: None };
    store.finish(&retry, &done).await.unwrap();
    assert_eq!(store.failing_since("p").await.unwrap(), None);
    let third = claimed(store.as_ref(), &delivery("m3", "p"), LEASE).await;
    store.finish(&third, &outcome(DeliveryState::Failed, None)).await.unwrap();
    assert!(store.failing_since("p").await.unwrap().is_some());
    store.enable_partner("p").await.unwrap();
    assert_eq!(store.failing_since("p").await.unwrap(), None);
}

async fn a_partner_is_disabled_until_enabled(store: Arc<dyn Store>) {
    assert!(store.partner_disabled("p").await.unwrap().is_none());
    assert!(!store.enable_partner("p").await.unwrap(), "it was not disabled");
    store.disable_partner("p", "410 Gone").await.unwrap();
    store.disable_partner("p", "a second reason is not recorded").await.unwrap();
    assert_eq!(store.partner_disabled("p").await.unwrap().unwrap().1, "410 Gone");
    assert!(store.partner_disabled("q").await.unwrap().is_none());
    assert!(store.enable_partner("p").await.unwrap());
    assert!(store.partner_disabled("p").await.unwrap().is_none());
}

async fn the_memory_is_per_backend_and_pair_and_the_newest_translation_stands(store: Arc<dyn Store>) {
    let key = MemoryKey { backend: "apertium", from: "en", to: "es" };
    let pairs = [("Hello".to_string(), "Hola".to_string()), ("Hello".to_string(), "Hola, hola".to_string())];
    store.remember(&key, &pairs).await.unwrap();
    let got = store.recall(&key, &["Hello".into(), "Bye".into(), "Hello".into()]).await.unwrap();
    assert_eq!(got, [Some("Hola, hola".to_string()), None, Some("Hola, hola".to_string())]);
    store.remember(&key, &[("Hello".into(), "Buenas".into())]).await.unwrap();
    assert_eq!(store.recall(&key, &["Hello".into()]).await.unwrap(), [Some("Buenas".to_string())]);
    for other in [
        MemoryKey { backend: "deepl", from: "en", to: "es" },
        MemoryKey { backend: "apertium", from: "en", to: "ca" },
        MemoryKey { backend: "apertium", from: "fr", to: "es" },
    ] {
        assert_eq!(store.recall(&other, &["Hello".into()]).await.unwrap(), [None]);
    }
}

async fn versions_are_numbered_once_even_when_workers_race(store: Arc<dyn Store>) {
    assert_eq!(store.article_version("a", "h1").await.unwrap(), 1);
    let raced = futures::future::join_all((0..12).map(|i| {
        let store = store.clone();
        // Six new contents, each seen by two workers at once.
        tokio::spawn(async move { (i % 6, store.article_version("a", &format!("new-{}", i % 6)).await.unwrap()) })
    }))
    .await;
    let mut numbers: Vec<(i32, u32)> = raced.into_iter().map(|r| r.unwrap()).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 6, "both workers that saw one content agree on its number: {numbers:?}");
    let mut versions: Vec<u32> = numbers.iter().map(|(_, v)| *v).collect();
    versions.sort();
    assert_eq!(versions, [2, 3, 4, 5, 6, 7]);
    assert_eq!(store.article_version("a", "h1").await.unwrap(), 1);
    assert_eq!(store.article_version("b", "h1").await.unwrap(), 1, "per article");
}

async fn killed_articles_stay_killed(store: Arc<dyn Store>) {
    assert!(!store.is_killed("a").await.unwrap());
    store.kill_article("a").await.unwrap();
    store.kill_article("a").await.unwrap();
    assert!(store.is_killed("a").await.unwrap());
    assert!(!store.is_killed("b").await.unwrap());
}

async fn a_scheduled_delivery_waits_for_its_time(store: Arc<dyn Store>) {
    let far = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    store.schedule(&delivery("msg_1", "p"), far).await.unwrap();
    let record = store.delivery("msg_1").await.unwrap().unwrap();
    assert_eq!((record.state, record.attempts), (DeliveryState::Pending, 0));
    assert!(store.claim_due(&partners(&["p"]), 10, LEASE).await.unwrap().is_empty());
    store.schedule(&delivery("msg_1", "p"), 0).await.unwrap();
    assert_eq!(store.claim_due(&partners(&["p"]), 10, LEASE).await.unwrap().len(), 1, "moved to its new time");
}

async fn the_delivered_version_is_the_highest_delivered(store: Arc<dyn Store>) {
    assert_eq!(store.article_version("a", "h1").await.unwrap(), 1);
    assert_eq!(store.article_version("a", "h2").await.unwrap(), 2);
    assert_eq!(store.delivered_version("a", "es", "p").await.unwrap(), None);
    let done = AttemptOutcome { state: DeliveryState::Delivered, status: None, error: None, retry_in: None };
    for (id, hash) in [("v1", "h1"), ("v2", "h2")] {
        let new = NewDelivery { content_hash: hash, ..delivery(id, "p") };
        let lease = claimed(store.as_ref(), &new, LEASE).await;
        store.finish(&lease, &done).await.unwrap();
    }
    assert_eq!(store.delivered_version("a", "es", "p").await.unwrap(), Some(2));
    assert_eq!(store.delivered_version("a", "fr", "p").await.unwrap(), None);
}

async fn a_page_is_worked_on_by_one_worker_at_a_time(store: Arc<dyn Store>) {
    let lease = match store.claim_page("k1", "{\"page\":1}", Duration::from_secs(1), 0).await.unwrap() {
        PageClaim::Claimed(lease) => lease,
        other => panic!("a new page is free, got {other:?}"),
    };
    assert_eq!(store.claim_page("k1", "{}", LEASE, 0).await.unwrap(), PageClaim::Busy);
    assert!(store.claim_abandoned_pages(10, LEASE).await.unwrap().is_empty());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let abandoned = store.claim_abandoned_pages(10, LEASE).await.unwrap();
    assert_eq!(abandoned.len(), 1, "its worker stopped renewing it");
    assert_eq!(abandoned[0].1, "{\"page\":1}");
    assert!(!store.renew_page(&lease, LEASE).await.unwrap(), "the first worker lost it");
    store.release_page(&lease, true).await.unwrap();
    assert_eq!(store.claim_page("k1", "{}", LEASE, 0).await.unwrap(), PageClaim::Busy, "a stale release does nothing");
    let taken = &abandoned[0].0;
    let since = store.clock_ms().await.unwrap();
    assert!(store.renew_page(taken, LEASE).await.unwrap());
    store.release_page(taken, true).await.unwrap();
    assert_eq!(store.claim_page("k1", "{}", LEASE, since).await.unwrap(), PageClaim::Done, "done in this run");
    assert!(store.claim_abandoned_pages(10, LEASE).await.unwrap().is_empty(), "a done page is not abandoned");
    assert_eq!(store.forget_done_pages(since).await.unwrap(), 0, "done after that time");
    let later = store.clock_ms().await.unwrap() + 1;
    assert!(matches!(store.claim_page("k1", "{}", LEASE, later).await.unwrap(), PageClaim::Claimed(_)), "a later run");
    let taken = match store.claim_page("k2", "{}", LEASE, 0).await.unwrap() {
        PageClaim::Claimed(lease) => lease,
        other => panic!("a new page is free, got {other:?}"),
    };
    store.release_page(&taken, true).await.unwrap();
    let after = store.clock_ms().await.unwrap() + 1;
    assert_eq!(store.forget_done_pages(after).await.unwrap(), 1, "k2 was done; k1 is held again");
}

/// A database written by a newer newswire is refused, never half-used.
#[tokio::test]
async fn a_newer_postgresql_schema_is_refused() {
    let url = postgres::database().await;
    drop(store::open(&Location::parse(&url), "desk").await.unwrap());
    let mut config: tokio_postgres::Config = url.parse().unwrap();
    config.connect_timeout(Duration::from_secs(5));
    let (client, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client.batch_execute("UPDATE newswire_schema SET version = 99").await.unwrap();
    let refused = store::open(&Location::parse(&url), "desk").await.err().expect("refused");
    assert!(refused.to_string().contains("schema version 99"), "{refused}");
}

/// An SQLite desk's whole history moves into PostgreSQL, and a second migration adds nothing.
#[tokio::test(flavor = "multi_thread")]
async fn state_migrate_moves_a_desks_history_into_postgresql() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("desk.sqlite");
    let sqlite = store::open(&Location::Sqlite(file.clone()), "desk").await.unwrap();
    let key = MemoryKey { backend: "deepl", from: "en", to: "es" };
    let pairs: Vec<(String, String)> = (0..2500).map(|i| (format!("Segment {i}"), format!("Segmento {i}"))).collect();
    sqlite.remember(&key, &pairs).await.unwrap();
    assert_eq!(sqlite.article_version("a", "h1").await.unwrap(), 1);
    assert_eq!(sqlite.article_version("a", "h2").await.unwrap(), 2);
    let done =
        AttemptOutcome { state: DeliveryState::Delivered, status: Some("204".into()), error: None, retry_in: None };
    let lease = claimed(sqlite.as_ref(), &delivery("msg_1", "p"), LEASE).await;
    sqlite.add_recipients_done(&lease, &["ed@example.org".into()]).await.unwrap();
    sqlite.finish(&lease, &done).await.unwrap();
    let failing = claimed(sqlite.as_ref(), &delivery("msg_2", "q"), LEASE).await;
    sqlite.finish(&failing, &outcome(DeliveryState::Retrying, Some(3600))).await.unwrap();
    sqlite.kill_article("gone").await.unwrap();
    sqlite.disable_partner("q", "410 Gone").await.unwrap();
    let before = serde_json::to_value(sqlite.deliveries(None, None).await.unwrap()).unwrap();

    let url = postgres::database().await;
    let migrate = || {
        crate::support::newswire()
            .args(["state", "migrate", "--from"])
            .arg(&file)
            .args(["--to", &url])
            .output()
            .unwrap()
    };
    let first = migrate();
    assert_eq!(first.status.code(), Some(0), "{}", String::from_utf8_lossy(&first.stderr));
    let printed = String::from_utf8_lossy(&first.stdout).to_string();
    assert!(printed.contains("translation_memory") && printed.contains("2500 new"), "{printed}");
    assert!(!printed.contains(&crate::support::postgres::server().1), "the password is never printed");

    let pg = store::open(&Location::parse(&url), "desk").await.unwrap();
    let recalled = pg.recall(&key, &["Segment 0".into(), "Segment 2499".into()]).await.unwrap();
    assert_eq!(recalled, [Some("Segmento 0".to_string()), Some("Segmento 2499".to_string())]);
    assert_eq!(serde_json::to_value(pg.deliveries(None, None).await.unwrap()).unwrap(), before);
    assert_eq!(pg.article_version("a", "h2").await.unwrap(), 2);
    assert_eq!(pg.article_version("a", "h3").await.unwrap(), 3, "numbering goes on from the history");
    assert!(pg.is_killed("gone").await.unwrap());
    assert_eq!(pg.partner_disabled("q").await.unwrap().map(|d| d.1).as_deref(), Some("410 Gone"));
    assert!(pg.failing_since("q").await.unwrap().is_some());
    assert_eq!(pg.delivered_version("a", "es", "p").await.unwrap(), Some(1));
    assert_eq!(pg.claim(&delivery("msg_1", "p"), false, LEASE).await.unwrap(), Claim::Delivered);
    assert_eq!(claimed(pg.as_ref(), &delivery("msg_2", "q"), LEASE).await.attempt, 2, "attempts carry over");

    let again = migrate();
    assert_eq!(again.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&again.stdout).contains(": 0 rows copied"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
}

/// A database that cannot be reached is exit 2, naming the host and the reason, never the password.
#[test]
fn an_unreachable_database_is_exit_2_with_the_host_and_never_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let port = crate::support::free_port();
    for (state, shown) in [
        (format!("postgres://desk:s3cret-pw@127.0.0.1:{port}/newsroom"), format!("127.0.0.1:{port}")),
        ("postgresql://desk:s3cret-pw@db.invalid/newsroom".to_string(), "db.invalid".to_string()),
    ] {
        let pipeline = crate::support::write_pipeline(dir.path(), &format!("name = \"desk\"\nstate = {state:?}\n"));
        for args in [&["deliveries"][..], &["run", "--json"][..], &["deliver", "--due"][..]] {
            let output = crate::support::newswire().args(args).arg(&pipeline).output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(stderr.contains(&shown), "{args:?}: {stderr}");
            assert!(!stderr.contains("s3cret-pw") && output.stdout.is_empty(), "{args:?}: {stderr}");
        }
    }
}

/// libpq's variables supply what the URL leaves out (here the password).
#[tokio::test(flavor = "multi_thread")]
async fn the_libpq_environment_supplies_what_the_url_leaves_out() {
    let url = postgres::database().await;
    let (_, password) = postgres::server();
    let without = url.replacen(&format!(":{password}@"), "@", 1);
    let dir = tempfile::tempdir().unwrap();
    let pipeline = crate::support::write_pipeline(dir.path(), &format!("name = \"desk\"\nstate = {without:?}\n"));
    let refused =
        crate::support::newswire().arg("deliveries").arg(&pipeline).env_remove("PGPASSWORD").output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let output =
        crate::support::newswire().arg("deliveries").arg(&pipeline).env("PGPASSWORD", &password).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "0 deliveries");
}

async fn a_held_copy_waits_for_its_review_and_goes_once_released(store: Arc<dyn Store>) {
    let review = |state| NewReview {
        id: "rev_1",
        article: "a",
        content_hash: "h1",
        language: "es",
        state,
        flags: 2,
        draft: r#"{"draft":1}"#,
    };
    // Flagged and delivered as it was, then held when a partner's gate wants it reviewed.
    assert_eq!(store.record_review(&review(ReviewState::Flagged), &[]).await.unwrap(), ReviewState::Flagged);
    let held = [delivery("msg_1", "p"), delivery("msg_2", "q")];
    assert_eq!(store.record_review(&review(ReviewState::InReview), &held).await.unwrap(), ReviewState::InReview);
    assert_eq!(store.record_review(&review(ReviewState::InReview), &held).await.unwrap(), ReviewState::InReview);
    assert_eq!(store.delivery("msg_1").await.unwrap().unwrap().state, DeliveryState::InReview);
    assert_eq!(store.claim(&delivery("msg_1", "p"), false, LEASE).await.unwrap(), Claim::InReview);
    assert_eq!(store.claim(&delivery("msg_1", "p"), true, LEASE).await.unwrap(), Claim::InReview, "not even again");
    assert!(store.claim_due(&partners(&["p", "q"]), 10, LEASE).await.unwrap().is_empty(), "held is never due");
    let waiting = store.reviews(Some(ReviewState::InReview)).await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!((waiting[0].flags, waiting[0].draft.as_str()), (2, r#"{"draft":1}"#));
    assert!(store.reviews(Some(ReviewState::Reviewed)).await.unwrap().is_empty());
    let of_review = store.review_deliveries("a", "h1", "es").await.unwrap();
    assert_eq!(of_review.iter().map(|d| d.partner.as_str()).collect::<Vec<_>>(), ["p", "q"]);

    let copies = vec![("msg_1".to_string(), r#"{"copy":"edited"}"#.to_string())];
    let memory = MemoryKey { backend: "human", from: "en", to: "es" };
    let edited = [("Council".to_string(), "Consejo".to_string())];
    let release =
        |draft, reviewer, remembered| Release { draft, reviewer, copies: &copies, memory: memory.clone(), remembered };
    assert!(store.release_review("rev_1", &release(r#"{"draft":2}"#, Some("ana"), &edited)).await.unwrap());
    let other = [("Council".to_string(), "Ayuntamiento".to_string())];
    assert!(!store.release_review("rev_1", &release(r#"{"draft":3}"#, None, &other)).await.unwrap(), "released once");
    assert_eq!(
        store.recall(&memory, &["Council".to_string()]).await.unwrap(),
        [Some("Consejo".to_string())],
        "the release that counted wrote the memory; the refused one wrote nothing"
    );
    let reviewed = store.review("rev_1").await.unwrap().unwrap();
    assert_eq!((reviewed.state, reviewed.reviewer.as_deref()), (ReviewState::Reviewed, Some("ana")));
    assert_eq!(reviewed.draft, r#"{"draft":2}"#);
    assert!(reviewed.reviewed_at.is_some());
    // A reviewed translation is not held again by a later run of the same content.
    let late = [delivery("msg_3", "r")];
    assert_eq!(store.record_review(&review(ReviewState::InReview), &late).await.unwrap(), ReviewState::Reviewed);
    assert!(store.delivery("msg_3").await.unwrap().is_none(), "nothing held under a released review");
    let due = store.claim_due(&partners(&["p", "q"]), 10, LEASE).await.unwrap();
    assert_eq!(due.len(), 1, "only the released copy is due");
    assert_eq!((due[0].lease.id.as_str(), due[0].copy.as_str()), ("msg_1", r#"{"copy":"edited"}"#));
    assert_eq!(store.delivery("msg_2").await.unwrap().unwrap().state, DeliveryState::InReview);
}

async fn the_console_reads_an_articles_deliveries_and_reviews_and_the_run_log(store: Arc<dyn Store>) {
    let other = NewDelivery { article: "b", ..delivery("msg_9", "q") };
    for new in [delivery("msg_1", "p"), delivery("msg_2", "q"), other] {
        let lease = claimed(store.as_ref(), &new, LEASE).await;
        let state = if new.id == "msg_2" { DeliveryState::Failed } else { DeliveryState::Delivered };
        assert!(store.finish(&lease, &outcome(state, None)).await.unwrap());
    }
    let of_a: Vec<String> = store.article_deliveries("a").await.unwrap().into_iter().map(|d| d.id).collect();
    assert_eq!(of_a.len(), 2);
    assert!(of_a.contains(&"msg_1".to_string()) && of_a.contains(&"msg_2".to_string()));
    assert!(store.article_deliveries("nothing").await.unwrap().is_empty());
    let latest = store.latest_deliveries("q", 1).await.unwrap();
    assert_eq!(latest.len(), 1, "at most the limit");
    assert_eq!(store.latest_deliveries("q", 10).await.unwrap().len(), 2);
    let mut counts = store.delivery_counts().await.unwrap();
    counts.sort_by(|a, b| (&a.0, a.1.as_str()).cmp(&(&b.0, b.1.as_str())));
    assert_eq!(
        counts,
        [
            ("p".to_string(), DeliveryState::Delivered, 1),
            ("q".to_string(), DeliveryState::Delivered, 1),
            ("q".to_string(), DeliveryState::Failed, 1)
        ]
    );

    store.record_review(&review("rev_a", ReviewState::Flagged), &[]).await.unwrap();
    assert_eq!(store.article_reviews("a").await.unwrap()[0].id, "rev_a");
    assert!(store.article_reviews("b").await.unwrap().is_empty());

    store.record_run("run-1", "desk", r#"{"totals":{"articles":1}}"#, false).await.unwrap();
    let runs = store.runs(10).await.unwrap();
    assert_eq!((runs[0].id.as_str(), runs[0].finished_at), ("run-1", None));
    store.record_run("run-1", "desk", r#"{"totals":{"articles":2}}"#, true).await.unwrap();
    let runs = store.runs(10).await.unwrap();
    assert_eq!(runs.len(), 1, "the same run, written again");
    assert_eq!(runs[0].report, r#"{"totals":{"articles":2}}"#);
    assert!(runs[0].finished_at.is_some_and(|at| at >= runs[0].started_at));
}

async fn a_callback_is_claimed_by_one_console_put_off_and_made_once(store: Arc<dyn Store>) {
    let lease = Duration::from_secs(60);
    store.want_callback("a", Some("https://cms.example/hook")).await.unwrap();
    store.want_callback("nothing-asked", None).await.unwrap();
    let claimed = store.claim_callbacks(10, lease).await.unwrap();
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    assert_eq!(
        (claimed[0].article.as_str(), claimed[0].url.as_str(), claimed[0].attempts),
        ("a", "https://cms.example/hook", 0)
    );
    assert!(store.claim_callbacks(10, lease).await.unwrap().is_empty(), "held by its claim");
    assert!(store.callback_later(&claimed[0], Duration::ZERO, true, Some("HTTP 503")).await.unwrap());
    let again = store.claim_callbacks(10, lease).await.unwrap();
    assert_eq!(again[0].attempts, 1);
    assert!(!store.callback_done(&claimed[0], None).await.unwrap(), "the first claim is fenced off");
    assert!(store.callback_later(&again[0], Duration::from_secs(3600), false, None).await.unwrap());
    assert!(store.claim_callbacks(10, lease).await.unwrap().is_empty(), "put off for an hour");
    assert!(store.callback_done(&again[0], None).await.unwrap());
    store.want_callback("a", None).await.unwrap();
    let rearmed = store.claim_callbacks(10, lease).await.unwrap();
    assert_eq!((rearmed[0].url.as_str(), rearmed[0].attempts), ("https://cms.example/hook", 0), "asked for again");
    store.want_callback("a", None).await.unwrap();
    assert!(!store.callback_done(&rearmed[0], None).await.unwrap(), "asked for again while it was being made");
    let newest = store.claim_callbacks(10, lease).await.unwrap();
    assert!(store.callback_done(&newest[0], None).await.unwrap());
    assert!(store.claim_callbacks(10, lease).await.unwrap().is_empty(), "made once");
}

async fn a_claim_is_renewed_only_while_it_is_the_latest_and_alive(store: Arc<dyn Store>) {
    let kept = claimed(store.as_ref(), &delivery("msg_1", "p"), Duration::from_secs(1)).await;
    let lapsed = claimed(store.as_ref(), &delivery("msg_2", "p"), Duration::from_secs(1)).await;
    assert!(store.renew(&kept, Duration::from_secs(4)).await.unwrap(), "a live claim is extended");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert!(!store.renew(&lapsed, LEASE).await.unwrap(), "a claim that ran out is not");
    let due = store.claim_due(&partners(&["p"]), 10, LEASE).await.unwrap();
    let ids: Vec<&str> = due.iter().map(|d| d.lease.id.as_str()).collect();
    assert_eq!(ids, ["msg_2"], "the renewed claim still holds its delivery");
    assert!(!store.renew(&lapsed, LEASE).await.unwrap(), "nor one another worker claimed since");
    assert!(store.renew(&due[0].lease, LEASE).await.unwrap());
}

/// Once engines differed here: SQLite took back the attempt of a claim that was no longer the
/// delivery's.
async fn a_stale_release_takes_back_nothing(store: Arc<dyn Store>) {
    store.schedule(&delivery("msg_1", "p"), 0).await.unwrap();
    let first = store.claim_due(&partners(&["p"]), 10, Duration::from_secs(1)).await.unwrap().remove(0);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let second = store.claim_due(&partners(&["p"]), 10, LEASE).await.unwrap().remove(0);
    assert_eq!(second.lease.attempt, 2);
    store.release(std::slice::from_ref(&first.lease), Duration::ZERO).await.unwrap();
    let record = store.delivery("msg_1").await.unwrap().unwrap();
    assert_eq!((record.state, record.attempts), (DeliveryState::InProgress, 2), "the second claim stands");
    let numbers: Vec<u32> = store.attempts("msg_1", 10).await.unwrap().iter().map(|a| a.number).collect();
    assert_eq!(numbers, [2, 1], "both attempts stay logged");
}

fn session(user: &str) -> newswire::store::SessionRecord {
    newswire::store::SessionRecord { user: user.into(), desks: vec!["desk".into()], csrf: "c".into(), expires_at: 0 }
}

/// Once engines differed here: a second session with the same id failed on SQLite only.
async fn opening_a_session_twice_keeps_the_first(store: Arc<dyn Store>) {
    store.open_session("s1", &session("ana"), LEASE).await.unwrap();
    store.open_session("s1", &session("mallory"), LEASE).await.unwrap();
    assert_eq!(store.session("s1").await.unwrap().unwrap().user, "ana");
}

async fn a_session_ends_when_closed_or_when_its_time_is_up(store: Arc<dyn Store>) {
    store.open_session("closed", &session("ana"), LEASE).await.unwrap();
    store.open_session("short", &session("ana"), Duration::from_secs(2)).await.unwrap();
    assert!(store.session("short").await.unwrap().is_some());
    store.close_session("closed").await.unwrap();
    assert_eq!(store.session("closed").await.unwrap(), None);
    tokio::time::sleep(Duration::from_millis(3100)).await;
    assert_eq!(store.session("short").await.unwrap(), None, "its time is up");
}

fn charge<'a>(backend: &'a str, currency: &'a str, micros: i64) -> store::spending::Charge<'a> {
    store::spending::Charge { backend, currency, micros }
}

fn spent_of(spent: &[store::spending::Spent], backend: &str) -> (i64, i64) {
    spent.iter().find(|s| s.backend == backend).map_or((0, 0), |s| (s.today, s.this_month))
}

async fn charges_stop_at_each_limit(store: Arc<dyn Store>) {
    let limits = Limits { backend_daily: Some(100), desk_monthly: Some(150), ..Limits::default() };
    assert!(store.charge(&charge("deepl", "USD", 60), &limits).await.unwrap());
    assert!(!store.charge(&charge("deepl", "USD", 50), &limits).await.unwrap(), "over the backend's day");
    assert!(store.charge(&charge("deepl", "USD", 40), &limits).await.unwrap(), "up to it exactly");
    assert!(store.charge(&charge("google", "USD", 50), &limits).await.unwrap(), "another backend has its own day");
    assert!(!store.charge(&charge("google", "USD", 1), &limits).await.unwrap(), "but the desk's month is full");
    let spent = store.spent().await.unwrap();
    assert_eq!(
        (spent_of(&spent, "*"), spent_of(&spent, "deepl"), spent_of(&spent, "google")),
        ((150, 150), (100, 100), (50, 50))
    );
    store.refund(&charge("google", "USD", 50)).await.unwrap();
    assert!(store.charge(&charge("google", "USD", 50), &limits).await.unwrap(), "a refund gives room back");
    assert!(store.charge(&charge("deepl", "EUR", 100), &limits).await.unwrap(), "each currency apart");
    assert!(store.first_today("over budget").await.unwrap());
    assert!(!store.first_today("over budget").await.unwrap(), "told once a day");
}

async fn racing_charges_never_take_more_than_the_limit(store: Arc<dyn Store>) {
    let limits = Limits { desk_daily: Some(55), ..Limits::default() };
    let charges = futures::future::join_all((0..20).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            let backend = if i % 2 == 0 { "deepl" } else { "google" };
            store.charge(&charge(backend, "USD", 10), &limits).await.unwrap()
        })
    }))
    .await;
    assert_eq!(charges.iter().filter(|c| *c.as_ref().unwrap()).count(), 5, "{charges:?}");
    assert_eq!(spent_of(&store.spent().await.unwrap(), "*"), (50, 50));
}

/// A new day, and a new month, start from nothing: what was spent is kept under its own period.
async fn a_new_month_starts_from_nothing(store: Arc<dyn Store>, write: impl AsyncFnOnce(&str)) {
    let limits = Limits { desk_daily: Some(100), desk_monthly: Some(100), ..Limits::default() };
    assert!(store.charge(&charge("deepl", "USD", 100), &limits).await.unwrap());
    assert!(!store.charge(&charge("deepl", "USD", 1), &limits).await.unwrap());
    // The clock turns: this month's rows become last month's.
    write(
        "UPDATE spend SET period = 'month:2000-01' WHERE period LIKE 'month:%';
           UPDATE spend SET period = 'day:2000-01-31' WHERE period LIKE 'day:%';",
    )
    .await;
    assert_eq!(spent_of(&store.spent().await.unwrap(), "*"), (0, 0));
    assert!(store.charge(&charge("deepl", "USD", 100), &limits).await.unwrap(), "the new month has its budget");
}

/// A statement stuck behind a lock is cancelled by the server's statement timeout, and callers
/// that gave up waiting leave no connection behind: once the lock is gone, the pool serves them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_statement_times_out_and_abandoned_calls_keep_no_connection() {
    let url = postgres::database().await;
    let short = format!("{url}?options=-c%20statement_timeout%3D500");
    let store = store::open(&Location::parse(&short), "desk").await.unwrap();
    store.schedule(&delivery("msg_1", "p"), 0).await.unwrap();
    let (mut locker, connection) =
        url.parse::<tokio_postgres::Config>().unwrap().connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    let lock = locker.transaction().await.unwrap();
    lock.batch_execute("LOCK TABLE deliveries IN ACCESS EXCLUSIVE MODE").await.unwrap();
    let stuck = store.delivery("msg_1").await.expect_err("the lock outlasts the statement timeout");
    assert!(stuck.message.contains("statement timeout"), "{}", stuck.message);
    for _ in 0..40 {
        let abandoned = tokio::time::timeout(Duration::from_millis(20), store.delivery("msg_1")).await;
        assert!(abandoned.is_err(), "the table is still locked");
    }
    lock.rollback().await.unwrap();
    let answers = futures::future::join_all((0..40).map(|_| store.delivery("msg_1"))).await;
    assert!(answers.iter().all(|a| a.as_ref().is_ok_and(|d| d.is_some())), "{answers:?}");
}

/// A state written by something else (a newer newswire, a hand) is an error, never a default.
async fn states_the_store_does_not_know_are_errors(store: Arc<dyn Store>, write: impl AsyncFnOnce(&str)) {
    claimed(store.as_ref(), &delivery("msg_1", "p"), LEASE).await;
    store.record_review(&review("rev_1", ReviewState::Flagged), &[]).await.unwrap();
    write(
        "UPDATE deliveries SET state = 'teleported' WHERE id = 'msg_1';
         UPDATE reviews SET state = 'pondered' WHERE id = 'rev_1'",
    )
    .await;
    let err = store.delivery("msg_1").await.expect_err("an unknown delivery state is refused");
    assert!(err.to_string().contains("unknown delivery state \"teleported\""), "{err}");
    assert!(store.deliveries(None, None).await.is_err());
    assert!(store.delivery_counts().await.is_err(), "not left out of the counts");
    let err = store.review("rev_1").await.expect_err("an unknown review state is refused");
    assert!(err.to_string().contains("unknown review state \"pondered\""), "{err}");
}

/// Two desks on one store: each sees, claims and changes only its own rows, and the same ids
/// (the same wire story, the same partner name) live side by side.
async fn two_desks_share_a_store_and_never_see_each_other(location: Location) {
    let a = store::open(&location, "desk-a").await.unwrap();
    let b = store::open(&location, "desk-b").await.unwrap();
    let lease = claimed(a.as_ref(), &delivery("msg_1", "p"), LEASE).await;
    assert!(a.finish(&lease, &outcome(DeliveryState::Retrying, Some(0))).await.unwrap());
    a.record_review(&review("rev_1", ReviewState::InReview), &[delivery("msg_2", "p")]).await.unwrap();
    a.want_callback("a", Some("https://cms.example/hook")).await.unwrap();
    a.kill_article("killed").await.unwrap();
    a.disable_partner("q", "410 Gone").await.unwrap();
    assert_eq!(a.article_version("a", "h1").await.unwrap(), 1);
    assert!(matches!(a.claim_page("page-1", "{}", Duration::ZERO, 0).await.unwrap(), PageClaim::Claimed(_)));
    a.record_run("run-a", "desk-a", "{}", true).await.unwrap();

    // B sees none of it.
    assert!(b.delivery("msg_1").await.unwrap().is_none());
    assert!(b.deliveries(None, None).await.unwrap().is_empty());
    assert!(b.article_deliveries("a").await.unwrap().is_empty());
    assert!(b.attempts("msg_1", 10).await.unwrap().is_empty());
    assert!(b.delivery_counts().await.unwrap().is_empty());
    assert!(b.review("rev_1").await.unwrap().is_none());
    assert!(b.reviews(None).await.unwrap().is_empty());
    assert!(b.copy_of("msg_1").await.unwrap().is_none());
    assert!(!b.is_killed("killed").await.unwrap());
    assert!(b.partner_disabled("q").await.unwrap().is_none());
    assert!(b.failing_since("p").await.unwrap().is_none());
    assert!(b.runs(10).await.unwrap().is_empty());
    // nor takes any of it.
    assert!(b.claim_due(&partners(&["p", "q"]), 10, LEASE).await.unwrap().is_empty());
    assert!(b.claim_callbacks(10, LEASE).await.unwrap().is_empty());
    assert!(b.claim_abandoned_pages(10, LEASE).await.unwrap().is_empty());
    let copies = [("msg_2".to_string(), "{}".to_string())];
    let memory = MemoryKey { backend: "human", from: "en", to: "es" };
    let release = Release { draft: "{}", reviewer: Some("mallory"), copies: &copies, memory, remembered: &[] };
    assert!(!b.release_review("rev_1", &release).await.unwrap());
    assert!(!b.finish(&lease, &outcome(DeliveryState::Failed, None)).await.unwrap(), "A's lease means nothing to B");
    assert!(!b.enable_partner("q").await.unwrap());
    // The same ids are B's own.
    assert_eq!(b.article_version("a", "h2").await.unwrap(), 1, "B numbers its own versions");
    let b_lease = claimed(b.as_ref(), &delivery("msg_1", "p"), LEASE).await;
    assert_eq!(b_lease.attempt, 1);
    let forged = newswire::store::CallbackClaim {
        article: "a".into(),
        url: "https://evil.example/".into(),
        attempts: 0,
        created_at: 0,
        fence: 1,
    };
    assert!(!b.callback_done(&forged, None).await.unwrap(), "B cannot close A's callback");

    // A's rows are as A left them.
    assert_eq!(a.delivery("msg_1").await.unwrap().unwrap().state, DeliveryState::Retrying);
    assert_eq!(a.review("rev_1").await.unwrap().unwrap().state, ReviewState::InReview);
    assert_eq!(a.claim_callbacks(10, LEASE).await.unwrap().len(), 1, "B could not mark A's callback done");
    assert!(a.partner_disabled("q").await.unwrap().is_some());
    assert_eq!(a.runs(10).await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_desks_share_an_sqlite_file_and_never_see_each_other() {
    let dir = tempfile::tempdir().unwrap();
    two_desks_share_a_store_and_never_see_each_other(Location::Sqlite(dir.path().join("shared.sqlite"))).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_desks_share_a_postgresql_database_and_never_see_each_other() {
    two_desks_share_a_store_and_never_see_each_other(Location::parse(&postgres::database().await)).await;
}
