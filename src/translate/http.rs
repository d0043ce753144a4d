//! What every HTTP backend shares: one client with a timeout, at most `concurrency` requests in
//! flight, an optional rate limit, and retries with exponential backoff and jitter that honour
//! Retry-After. Each backend decides which answers are worth a retry; how to wait is decided here.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::{RequestBuilder, StatusCode};
use tokio::sync::Semaphore;

use super::TranslateError;
use crate::config::BackendLimits;

/// The longest wait a Retry-After header can ask for; a server asking for more is treated as down.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// How a backend reads an answer that is not a success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Try again after a pause (429, 5xx).
    Retry,
    /// Never retry (bad credentials, quota exhausted, a request the service refuses).
    Fail,
}

/// One failed attempt.
#[derive(Debug)]
pub struct Attempt {
    pub message: String,
    pub retry: bool,
    pub retry_after: Option<Duration>,
}

pub struct HttpBackend {
    pub name: String,
    pub client: reqwest::Client,
    slots: Arc<Semaphore>,
    limiter: Option<DefaultDirectRateLimiter>,
    retries: usize,
}

impl HttpBackend {
    pub fn new(name: &str, limits: &BackendLimits) -> Self {
        let client = reqwest::Client::builder()
            .user_agent(concat!("newswire/", env!("CARGO_PKG_VERSION")))
            .timeout(limits.timeout)
            .build()
            .expect("an HTTP client with a timeout builds");
        let limiter = limits.rate_limit.map(|(count, per)| {
            let count = NonZeroU32::new(count.max(1)).expect("at least one");
            let quota = Quota::with_period(per / count.get()).expect("a positive period").allow_burst(count);
            RateLimiter::direct(quota)
        });
        HttpBackend {
            name: name.to_string(),
            client,
            slots: Arc::new(Semaphore::new(limits.concurrency.max(1))),
            limiter,
            retries: limits.retries,
        }
    }

    pub fn error(&self, message: impl Into<String>, transient: bool) -> TranslateError {
        TranslateError::Backend { backend: self.name.clone(), message: message.into(), transient }
    }

    /// Sends a request (built anew for each attempt) until it succeeds, fails for good, or the
    /// retries run out; returns the answer's body. `verdict` reads a non-2xx status and its body.
    pub async fn send(
        &self,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
        verdict: impl Fn(StatusCode, &str) -> Verdict,
    ) -> Result<String, TranslateError> {
        let attempt = || async {
            let _slot = self.slots.acquire().await.expect("the semaphore is never closed");
            if let Some(limiter) = &self.limiter {
                limiter.until_ready().await;
            }
            let response = build(&self.client).send().await.map_err(|err| Attempt {
                message: if err.is_timeout() {
                    "timed out".to_string()
                } else {
                    format!("request failed: {}", root_cause(&err))
                },
                retry: true,
                retry_after: None,
            })?;
            let status = response.status();
            let retry_after = retry_after(response.headers());
            let body = response.text().await.map_err(|err| Attempt {
                message: format!("reading the answer failed: {err}"),
                retry: true,
                retry_after: None,
            })?;
            if status.is_success() {
                return Ok(body);
            }
            let excerpt: String = body.chars().take(200).collect();
            Err(Attempt {
                message: format!("HTTP {status}: {}", excerpt.trim()),
                retry: verdict(status, &body) == Verdict::Retry,
                retry_after,
            })
        };
        let backoff = ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(200))
            .with_max_delay(Duration::from_secs(30))
            .with_max_times(self.retries)
            .with_jitter();
        attempt
            .retry(backoff)
            .when(|a: &Attempt| a.retry)
            .adjust(|a: &Attempt, planned| match (a.retry_after, planned) {
                (Some(asked), Some(_)) if asked > MAX_RETRY_AFTER => None,
                (Some(asked), Some(_)) => Some(asked),
                (_, planned) => planned,
            })
            .notify(|a: &Attempt, wait| tracing::debug!(backend = %self.name, error = %a.message, ?wait, "retrying"))
            .await
            .map_err(|a| self.error(a.message, a.retry))
    }
}

/// The usual reading of a status: 429, 408 and 5xx are worth a retry, anything else is not.
pub fn usual_verdict(status: StatusCode) -> Verdict {
    if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::REQUEST_TIMEOUT || status.is_server_error() {
        Verdict::Retry
    } else {
        Verdict::Fail
    }
}

/// `Retry-After` in seconds or as an HTTP date.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822).ok()?;
    let wait = when - time::OffsetDateTime::now_utc();
    Some(Duration::from_secs(wait.whole_seconds().max(0) as u64))
}

fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Parses a JSON answer, or says what was wrong with it.
pub fn parse_json<T: serde::de::DeserializeOwned>(backend: &HttpBackend, body: &str) -> Result<T, TranslateError> {
    serde_json::from_str(body).map_err(|err| {
        let excerpt: String = body.chars().take(120).collect();
        TranslateError::Verification {
            backend: backend.name.clone(),
            message: format!("malformed answer ({err}): {excerpt:?}"),
        }
    })
}
