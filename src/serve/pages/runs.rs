//! The runs page (the desk's recent runs, from the store's run log) and an article's journey:
//! its detected language, flags, translations, each copy and each delivery.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use minijinja::context;
use serde::Deserialize;

use super::{frame, merge};
use crate::review::Draft;
use crate::serve::auth::{Caller, Need};
use crate::serve::status::ArticleStatus;
use crate::serve::App;
use crate::store::rfc3339;
use crate::syndicate::PartnerCopy;

/// Runs shown.
const RUNS: usize = 50;

pub fn routes() -> Router<Arc<App>> {
    Router::new().route("/desks/{desk}/runs", get(runs)).route("/desks/{desk}/article", get(article))
}

async fn runs(State(app): State<Arc<App>>, caller: Caller, Path(name): Path<String>) -> Response {
    let (index, desk) = match app.desk_for(&caller, Some(&name), Need::Read, "runs") {
        Ok(found) => found,
        Err(no_desk) => return no_desk.into_response(),
    };
    let records = match desk.store().runs(RUNS).await {
        Ok(records) => records,
        Err(err) => return unavailable(err),
    };
    let rows: Vec<_> = records
        .iter()
        .filter(|r| r.desk == desk.name())
        .map(|r| {
            let report: serde_json::Value = serde_json::from_str(&r.report).unwrap_or_default();
            let failed = report["totals"]["failed"].as_u64().unwrap_or(0) > 0;
            let spent: Vec<String> = report["totals"]["cost"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(currency, amount)| format!("{:.2} {currency}", amount.as_f64().unwrap_or(0.0)))
                .collect();
            context! {
                started => rfc3339(r.started_at), finished => r.finished_at.and_then(rfc3339),
                totals => report["totals"], summary => report["summary"], failed, spent,
            }
        })
        .collect();
    app.pages
        .render("runs.html.j2", merge(frame(&caller, Some((index, desk)), "runs", None), context! { runs => rows }))
}

#[derive(Debug, Deserialize)]
struct ArticleQuery {
    id: String,
}

async fn article(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(name): Path<String>,
    Query(query): Query<ArticleQuery>,
) -> Response {
    let (index, desk) = match app.desk_for(&caller, Some(&name), Need::Read, "article") {
        Ok(found) => found,
        Err(no_desk) => return no_desk.into_response(),
    };
    let id = query.id.trim();
    let status = match ArticleStatus::of(desk, id).await {
        Ok(Some(status)) => status,
        Ok(None) => {
            return (StatusCode::NOT_FOUND, format!("no article {id:?} on desk {}", desk.name())).into_response()
        }
        Err(err) => return unavailable(err),
    };
    let store = desk.store();
    // One copy per language and version: what was detected, which engine translated it.
    let mut copies = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for delivery in &status.deliveries {
        if !seen.insert(delivery.language.clone()) {
            continue;
        }
        let Ok(Some(json)) = store.copy_of(&delivery.id).await else { continue };
        let Ok(copy) = serde_json::from_str::<PartnerCopy>(&json) else { continue };
        copies.push(context! {
            language => copy.language, version => copy.article.version,
            source_language => copy.article.language, backend => copy.backend,
            reviewed => copy.reviewed.map(|r| r.by.unwrap_or_else(|| "yes".to_string())).unwrap_or_else(|| "no".to_string()),
        });
    }
    let mut reviews = Vec::new();
    for view in &status.reviews {
        let findings = match store.review(&view.id).await {
            Ok(Some(record)) => {
                serde_json::from_str::<Draft>(&record.draft).map(|draft| draft.translation.flags()).unwrap_or_default()
            }
            _ => Vec::new(),
        };
        reviews.push(context! { ..minijinja::Value::from_serialize(view), ..context! { findings } });
    }
    let page = context! { status, copies, reviews };
    app.pages.render("article.html.j2", merge(frame(&caller, Some((index, desk)), "runs", None), page))
}

fn unavailable(err: impl std::fmt::Display) -> Response {
    let message = crate::secret::redact(&err.to_string()).into_owned();
    tracing::warn!(error = %message, "the store does not answer");
    (StatusCode::SERVICE_UNAVAILABLE, message).into_response()
}
