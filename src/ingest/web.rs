//! Pages on the web: fetched with timeouts, at most five redirects and a size cap; those the CMS
//! API names, also within the desk's outbound policy.

use tokio::sync::mpsc::Sender;

use crate::error::ErrorKind;
use crate::html::media_type;
use crate::outbound::{refusal_in, Lookup, OutboundPolicy};

use super::{megabytes, page_from_bytes, IngestError, Ingested, Limits, Source};

#[derive(Clone)]
pub struct WebClient {
    client: reqwest::Client,
    max_bytes: u64,
    /// Checks the URL's own address, which no resolver sees.
    policy: Option<OutboundPolicy>,
}

/// A body fetched from the web, before it is decoded.
pub struct Fetched {
    pub url: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl WebClient {
    /// For the staff's own URLs (pipeline files, the command line).
    pub fn new(limits: &Limits) -> Result<Self, IngestError> {
        let builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::limited(5));
        Self::build(builder, limits, None)
    }

    /// For URLs from outside: every address connected to is checked against `policy`.
    pub fn guarded(
        limits: &Limits,
        policy: OutboundPolicy,
        lookup: std::sync::Arc<dyn Lookup>,
    ) -> Result<Self, IngestError> {
        Self::build(policy.clone().client_builder(lookup), limits, Some(policy))
    }

    fn build(
        builder: reqwest::ClientBuilder,
        limits: &Limits,
        policy: Option<OutboundPolicy>,
    ) -> Result<Self, IngestError> {
        let client = builder
            .user_agent(concat!("newswire/", env!("CARGO_PKG_VERSION")))
            .timeout(limits.timeout)
            .connect_timeout(limits.timeout.min(std::time::Duration::from_secs(10)))
            .build()
            .map_err(|err| IngestError::permanent("http client", err.to_string()))?;
        Ok(WebClient { client, max_bytes: limits.max_bytes, policy })
    }

    pub async fn fetch(&self, url: &str) -> Result<Fetched, IngestError> {
        let error = |problem: String, kind: ErrorKind| IngestError { input: url.to_string(), problem, kind };
        if let Some(policy) = &self.policy {
            let parsed =
                url::Url::parse(url).map_err(|err| error(format!("not a URL: {err}"), ErrorKind::Permanent))?;
            policy.check_url(&parsed).map_err(|refusal| error(refusal.to_string(), ErrorKind::Permanent))?;
        }
        let response = self.client.get(url).send().await.map_err(|err| match refusal_in(&err) {
            Some(refusal) => error(refusal.to_string(), ErrorKind::Permanent),
            None => {
                let kind =
                    if err.is_timeout() || err.is_connect() { ErrorKind::Transient } else { ErrorKind::Permanent };
                error(describe(&err), kind)
            }
        })?;
        let status = response.status();
        if !status.is_success() {
            let transient = status.is_server_error() || status.as_u16() == 429;
            let kind = if transient { ErrorKind::Transient } else { ErrorKind::Permanent };
            return Err(error(format!("HTTP {status}"), kind));
        }
        if let Some(len) = response.content_length() {
            if len > self.max_bytes {
                return Err(error(too_big(len, self.max_bytes), ErrorKind::Permanent));
            }
        }
        let final_url = response.url().to_string();
        let content_type =
            response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
        let mut bytes = Vec::new();
        let mut response = response;
        while let Some(chunk) = response.chunk().await.map_err(|err| error(describe(&err), ErrorKind::Transient))? {
            if (bytes.len() + chunk.len()) as u64 > self.max_bytes {
                return Err(error(too_big((bytes.len() + chunk.len()) as u64, self.max_bytes), ErrorKind::Permanent));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Fetched { url: final_url, content_type, bytes })
    }

    /// Fetches an article page: HTML or plain text only.
    pub async fn fetch_page(&self, url: &str) -> Ingested {
        let fetched = self.fetch(url).await?;
        let kind = media_type(fetched.content_type.as_deref());
        if !(kind.is_empty() || kind.contains("html") || kind == "text/plain") {
            return Err(IngestError::permanent(url, format!("not an HTML page (content-type {kind})")));
        }
        page_from_bytes(url, &fetched.bytes, fetched.content_type, Some(fetched.url))
    }
}

fn too_big(size: u64, max: u64) -> String {
    format!("the page is over {} (at least {}; source.max_bytes)", megabytes(max), megabytes(size))
}

/// reqwest's error with its causes, which say what actually went wrong (refused, DNS, timeout).
fn describe(err: &reqwest::Error) -> String {
    let mut text = if err.is_timeout() { "timed out".to_string() } else { "request failed".to_string() };
    let mut cause = std::error::Error::source(err);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

pub struct UrlSource {
    urls: Vec<String>,
    client: WebClient,
}

impl UrlSource {
    pub fn new(urls: Vec<String>, client: WebClient) -> Self {
        UrlSource { urls, client }
    }
}

#[async_trait::async_trait]
impl Source for UrlSource {
    async fn pages(&self, out: &Sender<Ingested>) {
        for url in &self.urls {
            let page = self.client.fetch_page(url).await;
            if out.send(page).await.is_err() {
                return;
            }
        }
    }
}
