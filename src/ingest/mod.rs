//! Ingest: turns the desk's sources (files, folders, globs, URLs, RSS/Atom feeds) into raw pages,
//! decoded to UTF-8. A source that fails yields an error for that input and the batch goes on.

pub mod decode;
mod feed;
mod files;
pub mod web;

use std::time::Duration;

use tokio::sync::mpsc::Sender;

pub use feed::FeedSource;
pub use files::FileSource;
pub use web::{UrlSource, WebClient};

use crate::error::ErrorKind;
use crate::model::RawPage;

#[derive(Debug, thiserror::Error)]
#[error("{input}: {problem}")]
pub struct IngestError {
    /// The file or URL.
    pub input: String,
    pub problem: String,
    pub kind: ErrorKind,
}

impl IngestError {
    pub fn permanent(source: impl Into<String>, problem: impl Into<String>) -> Self {
        IngestError { input: source.into(), problem: problem.into(), kind: ErrorKind::Permanent }
    }
}

pub type Ingested = Result<RawPage, IngestError>;

/// Something that yields pages. Pages are sent as they are read, so a full channel slows the source.
#[async_trait::async_trait]
pub trait Source: Send + Sync {
    async fn pages(&self, out: &Sender<Ingested>);
}

#[derive(Debug, Clone)]
pub struct Limits {
    pub max_bytes: u64,
    pub timeout: Duration,
}

/// Turns `--input` values and the pipeline's source lists into sources.
pub fn sources(
    paths: &[String],
    urls: &[String],
    feeds: &[String],
    limits: &Limits,
) -> Result<Vec<Box<dyn Source>>, IngestError> {
    let client = WebClient::new(limits)?;
    let mut sources: Vec<Box<dyn Source>> = Vec::new();
    if !paths.is_empty() {
        sources.push(Box::new(FileSource::new(paths.to_vec(), limits.max_bytes)));
    }
    if !urls.is_empty() {
        sources.push(Box::new(UrlSource::new(urls.to_vec(), client.clone())));
    }
    if !feeds.is_empty() {
        sources.push(Box::new(FeedSource::new(feeds.to_vec(), client)));
    }
    Ok(sources)
}

/// One page named on the command line: a URL is fetched, anything else is read as a file.
pub async fn read_one(input: &str, client: &WebClient, max_bytes: u64) -> Ingested {
    if is_url(input) {
        return client.fetch_page(input).await;
    }
    files::read_page(std::path::Path::new(input), max_bytes).await
}

fn is_url(input: &str) -> bool {
    input.starts_with("http://") || input.starts_with("https://")
}

/// Splits `--input` values into local paths and URLs.
pub fn split_inputs(inputs: &[String]) -> (Vec<String>, Vec<String>) {
    inputs.iter().cloned().partition(|i| !is_url(i))
}

/// Decodes bytes into a page, or says why they are not one.
pub fn page_from_bytes(source: &str, bytes: &[u8], content_type: Option<String>, url: Option<String>) -> Ingested {
    let (text, _encoding) = decode::decode(bytes, content_type.as_deref())
        .map_err(|err| IngestError::permanent(source, err.to_string()))?;
    Ok(RawPage { source: source.to_string(), url, text, content_type, ..RawPage::default() })
}

pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}
