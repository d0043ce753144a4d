//! The CMS's callbacks: once an accepted article's copies are delivered, held for review or have
//! failed, its `callback_url` receives the article's status, signed the Standard Webhooks way
//! with the desk's `callback_secret`, and tried again while the receiver fails.

use std::sync::Arc;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use tokio::sync::mpsc;

use super::desk::Desk;
use super::App;
use crate::syndicate::sign;

/// How often an article whose copies are still on their way is looked at again, and for how long.
const RECHECK: Duration = Duration::from_secs(5);
const WATCH_FOR: Duration = Duration::from_secs(48 * 3600);

/// Sends callbacks.
pub struct Caller {
    client: reqwest::Client,
}

impl Caller {
    pub fn new() -> Caller {
        let client = reqwest::Client::builder()
            .user_agent(concat!("newswire/", env!("CARGO_PKG_VERSION")))
            .timeout(Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client with a timeout builds");
        Caller { client }
    }
}

/// Hears of each article the desks' pipelines end: counts it and calls its CMS back.
pub async fn on_finished(app: Arc<App>, mut finished: mpsc::UnboundedReceiver<(String, String)>) {
    while let Some((desk_name, id)) = finished.recv().await {
        let Some((_, desk)) = app.desk(&desk_name) else { continue };
        if let Some(report) = desk.submission(&id).and_then(|s| s.report) {
            app.metrics.finished(&desk_name, &report);
        }
        notify(&app, desk, &id);
    }
}

/// Calls the article's CMS back with its status, if it asked to be.
pub fn notify(app: &Arc<App>, desk: &Arc<Desk>, id: &str) {
    let Some(url) = desk.submission(id).and_then(|s| s.callback) else { return };
    let Some(secret) = desk.pipeline.serve.callback_secret.as_ref() else { return };
    let Ok(key) = crate::secret::decode_webhook_secret(secret.expose()) else { return };
    let (app, desk, id) = (app.clone(), desk.clone(), id.to_string());
    tokio::spawn(async move {
        // Copies still on their way (a retry planned) are waited for: the CMS hears once they
        // are delivered, held or failed.
        let started = tokio::time::Instant::now();
        let status = loop {
            match desk.status(&id).await {
                Ok(Some(status)) if status.settled() || started.elapsed() >= WATCH_FOR => break status,
                Ok(Some(_)) => tokio::time::sleep(RECHECK).await,
                Ok(None) => return,
                Err(err) => {
                    tracing::warn!(article = %id, error = %err, "no callback: the store does not answer");
                    return;
                }
            }
        };
        let event = format!("article.{}", status.status);
        let message_id = format!("msg_{}", uuid::Uuid::new_v4().simple());
        let body = serde_json::json!({
            "type": event,
            "timestamp": crate::syndicate::webhook::now()
                .format(&time::format_description::well_known::Rfc3339)
                .expect("RFC 3339 formats any date"),
            "data": status,
        });
        let body = serde_json::to_vec(&body).expect("JSON values serialise");
        let shown = crate::secret::redact_url(&url);
        let attempt = || async {
            let timestamp = crate::syndicate::webhook::now().unix_timestamp();
            let response = app
                .callbacks
                .client
                .post(url.clone())
                .header("content-type", "application/json")
                .header("webhook-id", &message_id)
                .header("webhook-timestamp", timestamp)
                .header("webhook-signature", sign::sign(&key, &message_id, timestamp, &body))
                .body(body.clone())
                .send()
                .await
                .map_err(|err| {
                    (true, format!("{shown}: {}", if err.is_timeout() { "timed out" } else { "no answer" }))
                })?;
            let code = response.status();
            match code.is_success() {
                true => Ok(()),
                false => Err((code.is_server_error() || code.as_u16() == 429, format!("{shown} answered HTTP {code}"))),
            }
        };
        let backoff = ExponentialBuilder::default()
            .with_min_delay(Duration::from_secs(1))
            .with_max_delay(Duration::from_secs(60))
            .with_max_times(6)
            .with_jitter();
        let sent = attempt
            .retry(backoff)
            .when(|(transient, _)| *transient)
            .notify(|(_, why), wait| tracing::warn!(article = %id, why, ?wait, "callback failed, trying again"))
            .await;
        match sent {
            Ok(()) => tracing::info!(article = %id, event, "callback made"),
            Err((_, why)) => tracing::warn!(article = %id, event, why, "callback given up"),
        }
    });
}
