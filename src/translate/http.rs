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
use crate::error::ErrorKind;

/// The longest wait a Retry-After header can ask for; a server asking for more is treated as down.
const MAX_BACKEND_RETRY_AFTER: Duration = Duration::from_secs(120);

/// One failed attempt.
#[derive(Debug)]
pub struct Attempt {
    pub message: String,
    pub kind: ErrorKind,
    pub status: Option<StatusCode>,
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

    /// Sends a request (built anew for each attempt) until it succeeds, fails for good, or the
    /// retries run out; returns the answer's body. `verdict` tells the kind of a non-2xx status
    /// (with its body): transient ones are retried, permanent ones fail at once.
    pub async fn send(
        &self,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
        verdict: impl Fn(StatusCode, &str) -> ErrorKind,
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
                kind: ErrorKind::Transient,
                status: None,
                retry_after: None,
            })?;
            let status = response.status();
            let retry_after = retry_after(response.headers());
            let body = response.text().await.map_err(|err| Attempt {
                message: format!("reading the answer failed: {err}"),
                kind: ErrorKind::Transient,
                status: Some(status),
                retry_after: None,
            })?;
            if status.is_success() {
                return Ok(body);
            }
            let excerpt: String = body.chars().take(200).collect();
            Err(Attempt {
                message: format!("HTTP {status}: {}", excerpt.trim()),
                kind: verdict(status, &body),
                status: Some(status),
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
            .when(|a: &Attempt| a.kind.is_transient())
            .adjust(|a: &Attempt, planned| match (a.retry_after, planned) {
                (Some(asked), Some(_)) if asked > MAX_BACKEND_RETRY_AFTER => None,
                (Some(asked), Some(_)) => Some(asked),
                (_, planned) => planned,
            })
            .notify(|a: &Attempt, wait| tracing::debug!(backend = %self.name, error = %a.message, ?wait, "retrying"))
            .await
            .map_err(|a| TranslateError::Backend {
                backend: self.name.clone(),
                message: a.message,
                kind: a.kind,
                status: a.status.map(|s| s.as_u16()),
            })
    }
}

/// The usual reading of a status: 429, 408 and 5xx are transient, anything else is permanent.
pub fn usual_verdict(status: StatusCode) -> ErrorKind {
    if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::REQUEST_TIMEOUT || status.is_server_error() {
        ErrorKind::Transient
    } else {
        ErrorKind::Permanent
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
