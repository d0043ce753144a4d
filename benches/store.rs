//! The shared store under load, on a real PostgreSQL server (`make bench` starts a throwaway
//! one with scripts/with-postgres): deliveries claimed and completed per second by 1, 2 and 4
//! worker processes with batches of 1, 10 and 100; the deliveries table's size and dead tuples
//! after 100,000 deliveries; and copies per second end to end, two `newswire run` processes
//! sharing one desk on PostgreSQL against loopback webhook receivers.
//!
//! Run: `make bench`, or `scripts/with-postgres cargo bench --bench store`.
//! `NEWSWIRE_STORE_DELIVERIES=40000` sets how many deliveries each claim run works through.

#[path = "support/desk.rs"]
mod desk;

use std::sync::Arc;
use std::time::{Duration, Instant};

use newswire::store::{self, AttemptOutcome, DeliveryState, Location, Store};

/// Set in a worker process: "URL BATCH".
const WORKER: &str = "NEWSWIRE_STORE_BENCH_WORKER";
const LEASE: Duration = Duration::from_secs(60);
const PARTNERS: usize = 10;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    if let Ok(job) = std::env::var(WORKER) {
        let (url, batch) = job.split_once(' ').expect("URL BATCH");
        runtime.block_on(work(url, batch.parse().unwrap()));
        return;
    }
    let (Ok(server), Ok(password)) =
        (std::env::var("NEWSWIRE_TEST_POSTGRES"), std::env::var("NEWSWIRE_TEST_PGPASSWORD"))
    else {
        eprintln!(
            "store: needs a PostgreSQL server; run `make bench`, or `scripts/with-postgres cargo bench --bench store`"
        );
        std::process::exit(2);
    };
    let deliveries: usize =
        std::env::var("NEWSWIRE_STORE_DELIVERIES").ok().and_then(|n| n.parse().ok()).unwrap_or(40_000);
    runtime.block_on(async {
        let admin = Admin::connect(&server, &password).await;
        println!("store: PostgreSQL {}, fsync {}", admin.setting("server_version").await, admin.setting("fsync").await);
        println!(
            "claim + complete (each worker claims a batch with FOR UPDATE SKIP LOCKED and finishes each delivery, \
             claiming the next batch while the outcomes are written):"
        );
        for processes in [1, 2, 4] {
            for batch in [1, 10, 100] {
                let count = if batch == 1 { deliveries / 4 } else { deliveries };
                let url = admin.database().await;
                seed(&url, count).await;
                let started = Instant::now();
                run_workers(&url, processes, batch);
                let wall = started.elapsed().as_secs_f64();
                let done = admin.count(&url, "SELECT count(*) FROM deliveries WHERE state = 'delivered'").await;
                assert_eq!(done as usize, count, "every delivery completed once");
                println!(
                    "  {processes} process{} × batches of {batch:>3}: {count:>6} deliveries in {wall:>5.2} s = {:>6.0} deliveries/s",
                    if processes == 1 { " " } else { "es" },
                    count as f64 / wall
                );
            }
        }

        let url = admin.database().await;
        seed(&url, 100_000).await;
        run_workers(&url, 2, 10);
        println!("after 100,000 deliveries (2 processes, batches of 10):");
        for line in admin.sizes(&url).await {
            println!("  {line}");
        }
        connect(&url).await.batch_execute("VACUUM deliveries, attempts").await.unwrap();
        println!("after VACUUM (autovacuum does the same in time):");
        for line in admin.sizes(&url).await {
            println!("  {line}");
        }

        end_to_end(&admin).await;
    });
}

/// One worker process: claims batches until nothing is due, finishing each delivery; the next
/// batch is claimed while the last one's outcomes are being written.
async fn work(url: &str, batch: usize) {
    let store = store::open(&Location::parse(url), "bench").await.unwrap();
    let partners = vec!["p".to_string()];
    let mut finishing: Option<tokio::task::JoinHandle<()>> = None;
    loop {
        let claimed = store.claim_due(&partners, batch, LEASE).await.unwrap();
        let last = claimed.is_empty();
        let store = store.clone();
        let next = tokio::spawn(async move {
            let done = AttemptOutcome {
                state: DeliveryState::Delivered,
                status: Some("204".into()),
                error: None,
                retry_in: None,
            };
            let finished = claimed.iter().map(|due| store.finish(&due.lease, &done));
            for written in futures::future::join_all(finished).await {
                assert!(written.unwrap(), "a claim was taken over");
            }
        });
        if let Some(previous) = finishing.replace(next) {
            previous.await.unwrap();
        }
        if last {
            finishing.take().unwrap().await.unwrap();
            return;
        }
    }
}

fn run_workers(url: &str, processes: usize, batch: usize) {
    let workers: Vec<std::process::Child> = (0..processes)
        .map(|_| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .env(WORKER, format!("{url} {batch}"))
                .spawn()
                .unwrap()
        })
        .collect();
    for mut worker in workers {
        assert!(worker.wait().unwrap().success());
    }
}

/// `count` deliveries due now, made by the store's own schema.
async fn seed(url: &str, count: usize) {
    drop(store::open(&Location::parse(url), "bench").await.unwrap());
    let client = connect(url).await;
    client
        .execute(
            "INSERT INTO deliveries (desk, id, article, version, language, partner, channel, state, copy, next_attempt)
             SELECT 'bench', 'msg_' || g, 'https://post.example/' || g, 'h', 'en', 'p', 'webhook', 'pending', '{}', 0
             FROM generate_series(1, $1::bigint) AS g",
            &[&(count as i64)],
        )
        .await
        .unwrap();
    client.batch_execute("VACUUM ANALYZE deliveries").await.unwrap();
}

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

/// The server, for making databases and reading what is in them.
struct Admin {
    client: tokio_postgres::Client,
    base: String,
}

impl Admin {
    async fn connect(server: &str, password: &str) -> Admin {
        let base = server.rsplit_once('/').unwrap().0.replacen("newswire@", &format!("newswire:{password}@"), 1);
        Admin { client: connect(&format!("{base}/postgres")).await, base }
    }

    async fn setting(&self, name: &str) -> String {
        self.client.query_one(&format!("SHOW {name}"), &[]).await.unwrap().get(0)
    }

    async fn database(&self) -> String {
        let name = format!("bench_{:016x}", fastrand::u64(..));
        self.client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
        format!("{}/{name}", self.base)
    }

    async fn count(&self, url: &str, sql: &str) -> i64 {
        connect(url).await.query_one(sql, &[]).await.unwrap().get(0)
    }

    async fn sizes(&self, url: &str) -> Vec<String> {
        let client = connect(url).await;
        let mut lines = Vec::new();
        for table in ["deliveries", "attempts", "partner_health"] {
            let row = client
                .query_one(
                    "SELECT pg_size_pretty(pg_table_size($1::text::regclass)),
                            pg_size_pretty(pg_indexes_size($1::text::regclass)), n_live_tup, n_dead_tup
                     FROM pg_stat_user_tables WHERE relname = $1::text",
                    &[&table],
                )
                .await
                .unwrap();
            let (table_size, index_size, live, dead): (String, String, i64, i64) =
                (row.get(0), row.get(1), row.get(2), row.get(3));
            lines.push(format!(
                "{table:<15} table {table_size:>8}, indexes {index_size:>8}, {live:>7} live rows, {dead:>7} dead"
            ));
        }
        lines
    }
}

/// Two `newswire run` processes sharing one desk on PostgreSQL, and one alone for comparison.
async fn end_to_end(admin: &Admin) {
    let articles: usize =
        std::env::var("NEWSWIRE_STORE_E2E_ARTICLES").ok().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let receivers = desk::Receivers::start(PARTNERS).await;
    let (urls, received) = (receivers.urls.clone(), || receivers.received());
    let dir = tempfile::tempdir().unwrap();
    println!(
        "end to end ({articles} generated English pages × {PARTNERS} webhook partners on loopback, no translation):"
    );
    for processes in [1, 2] {
        let url = admin.database().await;
        let pages = desk::write_pages(dir.path(), articles, processes * 1_000_000);
        let pipeline = desk::write_desk(dir.path(), &pages, &urls, "30s");
        let before = received();
        let started = Instant::now();
        let runs: Vec<std::process::Child> = (0..processes)
            .map(|_| {
                std::process::Command::new(env!("CARGO_BIN_EXE_newswire"))
                    .arg("run")
                    .arg(&pipeline)
                    .args(["--state", &url])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut run in runs {
            run.wait().unwrap();
        }
        let wall = started.elapsed().as_secs_f64();
        let delivered = received() - before;
        let store: Arc<dyn Store> = store::open(&Location::parse(&url), "load-desk").await.unwrap();
        let logged = store.deliveries(None, Some(DeliveryState::Delivered)).await.unwrap().len();
        println!(
            "  {processes} `newswire run` process{}: {delivered} copies received ({logged} logged delivered) in {wall:.1} s = {:.0} copies/s",
            if processes == 1 { "" } else { "es" },
            delivered as f64 / wall
        );
    }
}
