//! The CMS API under load: `newswire serve` (the release binary) on loopback, clients posting
//! generated English articles to `POST /api/v1/articles` as fast as it accepts them, two
//! signed-webhook partners on loopback receivers, no translation. Prints the sustained rate of
//! accepted articles, the answer latency (p50, p99, max), and when the last copy arrived.
//! Clients, console and receivers share this machine's cores.
//!
//! Run: `cargo bench --bench console`. `NEWSWIRE_CONSOLE_ARTICLES` (default 5000) and
//! `NEWSWIRE_CONSOLE_CLIENTS` (default 16) set the load.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

// Shared with the load benchmarks; this one writes no pages.
#[allow(dead_code)]
#[path = "support/desk.rs"]
mod desk;

use desk::{page, write_desk, Receivers};

const TOKEN: &str = "bench-token-5c1e0a7d93b24f68";
const PARTNERS: usize = 2;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let articles = setting("NEWSWIRE_CONSOLE_ARTICLES", 5000);
    let clients = setting("NEWSWIRE_CONSOLE_CLIENTS", 16);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let receivers = runtime.block_on(Receivers::start(PARTNERS));
    let (urls, received) = (&receivers.urls, || receivers.received());

    let empty = dir.path().join("no-pages");
    std::fs::create_dir_all(&empty).unwrap();
    let desk = write_desk(dir.path(), &empty, urls, "30s");
    let mut text = std::fs::read_to_string(&desk).unwrap();
    text = format!("state = {:?}\n{text}", dir.path().join("state.sqlite").display().to_string());
    text.push_str("[serve]\ntokens = [\"${CMS_TOKEN}\"]\n");
    std::fs::write(&desk, text).unwrap();

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut console = std::process::Command::new(env!("CARGO_BIN_EXE_newswire"))
        .arg("serve")
        .arg(&desk)
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .env("CMS_TOKEN", TOKEN)
        .env("NEWSWIRE_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the newswire binary");
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        std::thread::sleep(Duration::from_millis(50));
    }
    let bodies: Vec<String> =
        (0..articles).map(|n| serde_json::json!({ "html": page(n), "id": format!("load-{n}") }).to_string()).collect();
    let bodies = Arc::new(bodies);
    println!(
        "console: POST /api/v1/articles, {articles} generated English articles from {clients} clients, \
         {PARTNERS} webhook partners on loopback, no translation, SQLite store"
    );

    let started = Instant::now();
    let latencies: Vec<Duration> = runtime.block_on(async {
        let http = reqwest::Client::new();
        let next = Arc::new(AtomicUsize::new(0));
        let url = format!("http://127.0.0.1:{port}/api/v1/articles");
        let workers = (0..clients).map(|_| {
            let (http, next, bodies, url) = (http.clone(), next.clone(), bodies.clone(), url.clone());
            tokio::spawn(async move {
                let mut took = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let Some(body) = bodies.get(n) else { return took };
                    let sent = Instant::now();
                    let answer = http
                        .post(&url)
                        .bearer_auth(TOKEN)
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await
                        .expect("the console answers");
                    assert_eq!(answer.status(), 202, "{}", answer.text().await.unwrap_or_default());
                    took.push(sent.elapsed());
                }
            })
        });
        let mut all = Vec::new();
        for worker in futures::future::join_all(workers).await {
            all.extend(worker.unwrap());
        }
        all
    });
    let accepting = started.elapsed();
    let expected = articles * PARTNERS;
    let deadline = Instant::now() + Duration::from_secs(600);
    while received() < expected && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let delivered_after = started.elapsed();

    let mut sorted = latencies.clone();
    sorted.sort();
    let at = |q: f64| sorted[((sorted.len() as f64 * q).ceil() as usize).saturating_sub(1).min(sorted.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "accepted {} articles in {:.2} s = {:.0} articles/s; answer p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        accepting.as_secs_f64(),
        latencies.len() as f64 / accepting.as_secs_f64(),
        ms(at(0.50)),
        ms(at(0.99)),
        ms(*sorted.last().unwrap()),
    );
    println!(
        "{} of {expected} copies delivered {:.2} s after the first post ({:.0} copies/s end to end)",
        received(),
        delivered_after.as_secs_f64(),
        received() as f64 / delivered_after.as_secs_f64()
    );
    let _ = std::process::Command::new("kill").arg("-TERM").arg(console.id().to_string()).status();
    let _ = console.wait();
}
