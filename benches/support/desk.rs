//! What the load and store benchmarks share: generated English news pages, a desk of webhook
//! partners over them, and loopback receivers that answer every request (or never).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

const WORDS: &[&str] = &[
    "harbour",
    "council",
    "ferry",
    "budget",
    "river",
    "bridge",
    "library",
    "school",
    "market",
    "station",
    "tram",
    "museum",
    "festival",
    "workers",
    "residents",
    "minister",
    "engineers",
    "weather",
    "storm",
    "harvest",
    "port",
    "cargo",
    "island",
    "district",
    "museum",
    "theatre",
    "airport",
    "railway",
    "hospital",
    "university",
];

/// A news page of six paragraphs, different for every `n`.
pub fn page(n: usize) -> String {
    let word = |k: usize| WORDS[(n * 7 + k * 13) % WORDS.len()];
    let mut body = String::new();
    for p in 0..6 {
        body.push_str(&format!(
            "<p>The {} of the {} said on Tuesday that work on the {} would go on through the winter, \
             after a long debate about its cost, its timetable and what the {} had asked for. Officials \
             expect the {} to open in spring, number {n}, paragraph {p}, while the {} waits for a decision.</p>\n",
            word(p),
            word(p + 1),
            word(p + 2),
            word(p + 3),
            word(p + 4),
            word(p + 5)
        ));
    }
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Story {n} | Morning Post</title>\
         <link rel=\"canonical\" href=\"https://post.example/story/{n}\"></head><body>\
         <nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav><article><h1>The {} plans a new {} for story {n}</h1>\n{body}</article>\
         <footer>© Morning Post</footer></body></html>",
        word(0),
        word(1)
    )
}

/// Healthy loopback receivers, one per partner, and how many requests they answered in all.
pub struct Receivers {
    pub urls: Vec<String>,
    counts: Vec<Arc<AtomicUsize>>,
}

impl Receivers {
    pub async fn start(count: usize) -> Receivers {
        let started = futures::future::join_all((0..count).map(|_| receiver(false))).await;
        let (urls, counts) = started.into_iter().unzip();
        Receivers { urls, counts }
    }

    pub fn received(&self) -> usize {
        self.counts.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }
}

/// A loopback receiver answering every request with 204 (or never, for a dead partner).
pub async fn receiver(dead: bool) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else { return };
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = Vec::with_capacity(16 * 1024);
                let mut chunk = [0u8; 16 * 1024];
                loop {
                    // One request: headers, then Content-Length bytes of body.
                    let (head_end, length) = loop {
                        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                            let length = head
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length:"))
                                .and_then(|v| v.trim().parse::<usize>().ok())
                                .unwrap_or(0);
                            break (end + 4, length);
                        }
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    };
                    while buf.len() < head_end + length {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    buf.drain(..head_end + length);
                    if dead {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                        return;
                    }
                    seen.fetch_add(1, Ordering::Relaxed);
                    if stream.write_all(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n").await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, count)
}

pub fn write_pages(dir: &Path, articles: usize, offset: usize) -> PathBuf {
    let pages = dir.join(format!("pages-{offset}-{articles}"));
    std::fs::create_dir_all(&pages).unwrap();
    for n in offset..offset + articles {
        std::fs::write(pages.join(format!("story-{n:07}.html")), page(n)).unwrap();
    }
    pages
}

pub fn write_desk(dir: &Path, pages: &Path, urls: &[String], timeout: &str) -> PathBuf {
    let mut text = format!(
        "name = \"load-desk\"\n[source]\npaths = [{:?}]\n[detect]\nlanguages = [\"en\", \"es\", \"ru\", \"uk\", \"de\", \"fr\"]\n\
         [delivery]\ntimeout = \"{timeout}\"\nretry_schedule = [\"1h\"]\nmax_wait = \"0s\"\n",
        pages.display().to_string()
    );
    for (i, url) in urls.iter().enumerate() {
        text.push_str(&format!(
            "[[partners]]\nname = \"partner-{i}\"\nchannel = \"webhook\"\nlanguages = [\"en\"]\nurl = \"{url}\"\nsecret = \"{SECRET}\"\n"
        ));
    }
    let desk = dir.join(format!("desk-{}.toml", fastrand::u64(..)));
    std::fs::write(&desk, text).unwrap();
    desk
}
