//! The webhook channel: a ninjs item POSTed as JSON, signed the Standard Webhooks way.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE};

use super::{ninjs, sign, Channel, DeliveryError, PartnerCopy, Receipt};
use crate::config::{PayloadFormat, Secret};

pub struct WebhookChannel {
    url: url::Url,
    /// The URL as messages show it, its secret parts hidden.
    shown_url: String,
    /// Every current secret's key: during a rotation each request carries one signature per key.
    keys: Vec<Vec<u8>>,
    format: PayloadFormat,
    client: reqwest::Client,
}

impl WebhookChannel {
    pub fn new(url: url::Url, secrets: &[Secret], format: PayloadFormat, timeout: Duration) -> Result<Self, String> {
        let keys =
            secrets.iter().map(|s| crate::secret::decode_webhook_secret(s.expose())).collect::<Result<Vec<_>, _>>()?;
        let client = reqwest::Client::builder()
            .user_agent(concat!("newswire/", env!("CARGO_PKG_VERSION")))
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|err| err.to_string())?;
        let shown_url = crate::secret::redact_url(&url);
        Ok(WebhookChannel { url, shown_url, keys, format, client })
    }
}

pub fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc().replace_nanosecond(0).expect("zero nanoseconds is valid")
}

#[async_trait::async_trait]
impl Channel for WebhookChannel {
    async fn deliver(&self, copy: &PartnerCopy) -> Result<(), DeliveryError> {
        self.deliver_to(copy, &[]).await.map(|_| ())
    }

    async fn deliver_to(&self, copy: &PartnerCopy, _: &[String]) -> Result<Receipt, DeliveryError> {
        let now = now();
        let stamp = now.format(&time::format_description::well_known::Rfc3339).expect("RFC 3339 formats any date");
        let payload = match self.format {
            PayloadFormat::Ninjs => ninjs::item(copy, &stamp),
            format => envelope(copy, format, &stamp),
        };
        let body = serde_json::to_vec(&payload).expect("JSON values serialise");
        let timestamp = now.unix_timestamp();
        let signature = self
            .keys
            .iter()
            .map(|key| sign::sign(key, &copy.delivery_id, timestamp, &body))
            .collect::<Vec<_>>()
            .join(" ");
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert("webhook-id", HeaderValue::from_str(&copy.delivery_id).expect("ids are ASCII"));
        headers.insert("webhook-timestamp", HeaderValue::from(timestamp));
        headers.insert("webhook-signature", HeaderValue::from_str(&signature).expect("base64 is ASCII"));
        headers.insert("newswire-event", HeaderValue::from_static(copy.event.as_str()));
        let response = self.client.post(self.url.clone()).headers(headers).body(body).send().await.map_err(|err| {
            let what = if err.is_timeout() { "timed out" } else { "request failed" };
            DeliveryError::unanswered(format!("{} {what}: {}", self.shown_url, root_cause(&err)))
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(Receipt { status: Some(status.as_u16().to_string()), ..Receipt::default() });
        }
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(std::time::Duration::from_secs);
        let excerpt: String = response.text().await.unwrap_or_default().chars().take(200).collect();
        let message = format!("{} answered HTTP {status}: {}", self.shown_url, excerpt.trim());
        let mut error = if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
            DeliveryError::transient(message)
        } else {
            DeliveryError::permanent(message)
        };
        error.retry_after = retry_after;
        error.gone = status.as_u16() == 410;
        error.status = Some(status.as_u16().to_string());
        Err(error)
    }
}

/// The copy as HTML or text in a small JSON envelope, for partners that take no ninjs.
fn envelope(copy: &PartnerCopy, format: PayloadFormat, stamp: &str) -> serde_json::Value {
    let body = if format == PayloadFormat::Html { &copy.html } else { &copy.text };
    serde_json::json!({
        "id": ninjs::item_uri(&copy.article.id, &copy.language),
        "event": copy.event.as_str(),
        "version": copy.article.version,
        "language": copy.language,
        "headline": copy.title,
        "byline": copy.article.byline,
        "format": if format == PayloadFormat::Html { "text/html" } else { "text/plain" },
        "body": body,
        "source_url": copy.article.canonical_url,
        "machine_translated_by": copy.backend,
        "machine_translation_engines": if copy.engines.is_empty() { copy.backend.iter().cloned().collect() } else { copy.engines.clone() },
        "machine_translated_via": copy.via,
        "sent_at": stamp,
    })
}

fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
