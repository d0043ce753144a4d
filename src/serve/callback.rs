//! The CMS's callbacks. An article accepted with a `callback_url` is remembered in the desk's
//! store; once its copies are delivered, held for review or have failed, the URL receives the
//! article's status, signed the Standard Webhooks way with the desk's `callback_secret`. Each
//! callback is claimed for a while by one console and tried again while the CMS fails, so it
//! survives a restart and the consoles sharing a desk make it once.

use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::sync::watch;

use super::desk::Desk;
use super::status::ArticleStatus;
use crate::outbound::{refusal_in, OutboundPolicy, SystemLookup};
use crate::store::CallbackClaim;
use crate::syndicate::sign;

/// How often the store is asked for callbacks whose time has come.
const POLL: Duration = Duration::from_secs(2);
/// How long one console holds a callback it is making.
const LEASE: Duration = Duration::from_secs(60);
/// Callbacks claimed at once.
const BATCH: usize = 32;
/// An article whose copies are still on their way is looked at again after this long, for so
/// long at most.
const RECHECK: Duration = Duration::from_secs(5);
const WATCH_FOR_SECONDS: i64 = 48 * 3600;
/// Calls the CMS is given before its callback is given up.
const MAX_ATTEMPTS: u32 = 12;

/// Makes a desk's callbacks until `stop`; nothing when the desk signs none.
pub async fn run(desk: Arc<Desk>, mut stop: watch::Receiver<bool>) {
    let Some(secret) = desk.pipeline.serve.callback_secret.as_ref() else { return };
    let Ok(key) = crate::secret::decode_webhook_secret(secret.expose()) else { return };
    let client = desk
        .outbound
        .clone()
        .client_builder(Arc::new(SystemLookup))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("newswire/", env!("CARGO_PKG_VERSION")))
        .timeout(Duration::from_secs(15))
        .build()
        .expect("a client with a timeout builds");
    while !*stop.borrow() {
        let store = desk.store();
        match (store.claim_callbacks(BATCH, LEASE).await, store.clock_ms().await) {
            (Ok(claims), Ok(now_ms)) => {
                let settling = claims.iter().map(|claim| settle(&desk, &client, &key, claim, now_ms / 1000));
                futures::future::join_all(settling).await;
            }
            (Err(err), _) | (_, Err(err)) => tracing::warn!(desk = %desk.name(), error = %err, "callbacks not made"),
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Makes one callback if its article has settled, or puts it off.
async fn settle(desk: &Desk, client: &reqwest::Client, key: &[u8], claim: &CallbackClaim, now: i64) {
    let store = desk.store();
    let status = match ArticleStatus::of(desk, &claim.article).await {
        Ok(status) => status,
        Err(err) => {
            tracing::warn!(article = %claim.article, error = %err, "callback put off: the store does not answer");
            return;
        }
    };
    let outcome = match status {
        Some(status) if status.settled() => match call(client, &desk.outbound, key, &claim.url, &status).await {
            Ok(()) => {
                tracing::info!(article = %claim.article, event = %event(&status), "callback made");
                store.callback_done(claim, None).await
            }
            Err((true, why)) if claim.attempts + 1 < MAX_ATTEMPTS => {
                let wait = Duration::from_secs(2u64.pow(claim.attempts.min(9)).min(600));
                tracing::warn!(article = %claim.article, why, ?wait, "callback failed, trying again");
                store.callback_later(claim, wait, true, Some(&why)).await
            }
            Err((_, why)) => {
                tracing::warn!(article = %claim.article, why, "callback given up");
                store.callback_done(claim, Some(&why)).await
            }
        },
        // Queued, or copies waiting for a retry: the CMS hears once they are settled.
        _ if now - claim.created_at < WATCH_FOR_SECONDS => store.callback_later(claim, RECHECK, false, None).await,
        _ => store.callback_done(claim, Some("its copies did not settle within 48 h")).await,
    };
    match outcome {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(article = %claim.article, "the callback's claim ran out meanwhile; its new holder decides")
        }
        Err(err) => tracing::warn!(article = %claim.article, error = %err, "a callback's state was not written"),
    }
}

fn event(status: &ArticleStatus) -> String {
    format!("article.{}", status.status.as_str())
}

/// One signed call; on failure, whether trying again may help, and why.
async fn call(
    client: &reqwest::Client,
    outbound: &OutboundPolicy,
    key: &[u8],
    url: &str,
    status: &ArticleStatus,
) -> Result<(), (bool, String)> {
    let url = url::Url::parse(url).map_err(|err| (false, format!("not a URL ({err})")))?;
    let shown = crate::secret::redact_url(&url);
    outbound.check_url(&url).map_err(|refusal| (false, format!("{shown}: {refusal}")))?;
    let now = crate::syndicate::webhook::now();
    let body = serde_json::json!({
        "type": event(status),
        "timestamp": now.format(&time::format_description::well_known::Rfc3339).expect("RFC 3339 formats any date"),
        "data": status,
    });
    let body = serde_json::to_vec(&body).expect("JSON values serialise");
    let id = message_id(status);
    let timestamp = now.unix_timestamp();
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp)
        .header("webhook-signature", sign::sign(key, &id, timestamp, &body))
        .body(body)
        .send()
        .await
        .map_err(|err| match refusal_in(&err) {
            Some(refusal) => (false, format!("{shown}: {refusal}")),
            None => (true, format!("{shown}: {}", if err.is_timeout() { "timed out" } else { "no answer" })),
        })?;
    let code = response.status();
    match code.is_success() {
        true => Ok(()),
        false => Err((code.is_server_error() || code.as_u16() == 429, format!("{shown} answered HTTP {code}"))),
    }
}

/// The same for every try of one callback (the CMS can drop a repeat), another for another
/// event or another version's copies.
fn message_id(status: &ArticleStatus) -> String {
    let mut hash = Sha256::new();
    for part in [status.id.as_str(), status.status.as_str()] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    let mut copies: Vec<&str> = status.deliveries.iter().map(|d| d.id.as_str()).collect();
    copies.extend(status.reviews.iter().map(|r| r.id.as_str()));
    copies.sort();
    for copy in copies {
        hash.update(copy.as_bytes());
        hash.update([0]);
    }
    format!("msg_{}", crate::model::hex(&hash.finalize()[..16]))
}
