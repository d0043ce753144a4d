//! End-to-end load: a morning batch through one `newswire run` (the release binary), from
//! generated English pages to ten signed-webhook partners on loopback receivers, with no
//! translation. Prints copies/s, wall time and the process's peak RSS per batch size, the same on a
//! state file that already holds a million deliveries, and what one dead partner (accepts, never
//! answers) costs the run.
//!
//! Run: `cargo bench --bench load`. `NEWSWIRE_LOAD_SIZES=1000,10000` picks the batch sizes in
//! copies (default 1000,10000,100000); `NEWSWIRE_LOAD_HISTORY=0` skips the runs on a large history.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

#[path = "support/desk.rs"]
mod desk;

use desk::{receiver, write_desk, write_pages, Receivers};

const PARTNERS: usize = 10;
const HISTORY: usize = 1_000_000;
/// The dead partner's timeout, and the batch it is measured on.
const DEAD_TIMEOUT: &str = "5s";
const DEAD_BATCH_ARTICLES: usize = 100;

struct Outcome {
    wall: Duration,
    peak_rss_mb: f64,
    /// The most anonymous memory (heap, stacks) seen: RSS less the binary's pages (code and the
    /// language models compiled in, which fill in as new n-grams are looked up).
    peak_anon_mb: f64,
    delivered: usize,
}

/// Runs `newswire run` on a desk, watching its peak RSS.
fn run_desk(desk: &Path, state: &Path) -> Outcome {
    let started = Instant::now();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_newswire"))
        .arg("run")
        .arg(desk)
        .arg("--state")
        .arg(state)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the newswire binary");
    let status_file = format!("/proc/{}/status", child.id());
    let (mut peak_kb, mut peak_anon_kb) = (0.0f64, 0.0f64);
    let field = |status: &str, name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
    };
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_file) {
            peak_kb = peak_kb.max(field(&status, "VmHWM:").unwrap_or(0.0));
            peak_anon_kb = peak_anon_kb.max(field(&status, "RssAnon:").unwrap_or(0.0));
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Outcome {
        wall: started.elapsed(),
        peak_rss_mb: peak_kb / 1024.0,
        peak_anon_mb: peak_anon_kb / 1024.0,
        delivered: 0,
    }
}

/// Fills a state file with `count` delivered deliveries (and their attempts) of other articles.
fn fill_history(state: &Path, count: usize) {
    let location = newswire::store::Location::Sqlite(state.to_path_buf());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    drop(runtime.block_on(newswire::store::open(&location, "load-desk")).expect("a state file"));
    let mut connection = rusqlite::Connection::open(state).unwrap();
    let transaction = connection.transaction().unwrap();
    {
        let mut delivery = transaction
            .prepare(
                "INSERT INTO deliveries (desk, id, article, version, language, partner, channel, state, attempts, copy)
                 VALUES ('load-desk', ?1, ?2, 'h', 'en', ?3, 'webhook', 'delivered', 1, '{}')",
            )
            .unwrap();
        let mut attempt = transaction
            .prepare(
                "INSERT INTO attempts (desk, delivery_id, number, finished_at, outcome)
                 VALUES ('load-desk', ?1, 1, unixepoch(), 'delivered')",
            )
            .unwrap();
        for i in 0..count {
            let id = format!("msg_history_{i:09}");
            let article = format!("https://post.example/old/{}", i / PARTNERS);
            let partner = format!("partner-{}", i % PARTNERS);
            delivery.execute(rusqlite::params![id, article, partner]).unwrap();
            attempt.execute([&id]).unwrap();
        }
    }
    transaction.commit().unwrap();
}

fn main() {
    let sizes: Vec<usize> = std::env::var("NEWSWIRE_LOAD_SIZES")
        .unwrap_or_else(|_| "1000,10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let with_history = std::env::var("NEWSWIRE_LOAD_HISTORY").map_or(true, |v| v != "0");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let receivers = runtime.block_on(Receivers::start(PARTNERS));
    let (urls, received) = (receivers.urls.clone(), || receivers.received());

    println!("load: generated English pages, {PARTNERS} webhook partners on loopback, no translation, one process");
    let mut history_state = None;
    for history in [false, true] {
        if history && !with_history {
            continue;
        }
        let mut rate_at_smallest = None;
        for &copies in &sizes {
            let articles = copies / PARTNERS;
            let state = match history {
                false => dir.path().join(format!("fresh-{copies}.sqlite")),
                true => {
                    let path = history_state.get_or_insert_with(|| {
                        let path = dir.path().join("history.sqlite");
                        let started = Instant::now();
                        fill_history(&path, HISTORY);
                        println!("(history: {HISTORY} deliveries written in {:.1} s)", started.elapsed().as_secs_f64());
                        path
                    });
                    let copy = dir.path().join(format!("history-{copies}.sqlite"));
                    std::fs::copy(&*path, &copy).unwrap();
                    copy
                }
            };
            let pages = write_pages(dir.path(), articles, copies * 10);
            let desk = write_desk(dir.path(), &pages, &urls, "30s");
            let before = received();
            let mut outcome = run_desk(&desk, &state);
            outcome.delivered = received() - before;
            let rate = outcome.delivered as f64 / outcome.wall.as_secs_f64();
            let ratio = match rate_at_smallest {
                None => {
                    rate_at_smallest = Some(rate);
                    String::new()
                }
                Some(first) => format!("  ({:.2}× the rate at {})", rate / first, sizes[0]),
            };
            println!(
                "{:>7} copies ({articles} articles × {PARTNERS}){}: {:>6} delivered in {:>6.1} s = {:>6.0} copies/s, peak RSS {:.0} MB (anonymous {:.0} MB){ratio}",
                copies,
                if history { ", on 1,000,000 earlier deliveries" } else { "" },
                outcome.delivered,
                outcome.wall.as_secs_f64(),
                rate,
                outcome.peak_rss_mb,
                outcome.peak_anon_mb,
            );
            std::io::stdout().flush().unwrap();
            std::fs::remove_dir_all(&pages).unwrap();
        }
    }

    // One dead partner among ten.
    let (dead_url, _) = runtime.block_on(receiver(true));
    let pages = write_pages(dir.path(), DEAD_BATCH_ARTICLES, 50_000_000);
    let alive = write_desk(dir.path(), &pages, &urls, DEAD_TIMEOUT);
    let healthy = run_desk(&alive, &dir.path().join("dead-a.sqlite")).wall;
    let mut with_dead: Vec<String> = urls[..PARTNERS - 1].to_vec();
    with_dead.push(dead_url);
    let dead_desk = write_desk(dir.path(), &pages, &with_dead, DEAD_TIMEOUT);
    let dead = run_desk(&dead_desk, &dir.path().join("dead-b.sqlite")).wall;
    let budget = healthy.as_secs_f64() * 1.5 + 5.0;
    println!(
        "dead partner: {DEAD_BATCH_ARTICLES} articles × {PARTNERS} partners in {:.1} s; with one partner that never answers \
         (timeout {DEAD_TIMEOUT}) {:.1} s (goal: at most 1.5 × {:.1} s + one timeout = {budget:.1} s)",
        healthy.as_secs_f64(),
        dead.as_secs_f64(),
        healthy.as_secs_f64(),
    );
}
