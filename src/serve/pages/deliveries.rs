//! The deliveries page: each partner's state (ok, failing since, disabled), its latest deliveries
//! with their errors, and for staff the operations the commands offer (redeliver, recover since,
//! enable), under the same rules.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::context;
use serde::Deserialize;

use super::{frame, merge, Notice};
use crate::pipeline::deliveries::parse_since;
use crate::pipeline::{DeliveryReport, Status};
use crate::serve::auth::{Caller, Need};
use crate::serve::desk::Desk;
use crate::serve::status::DeliveryView;
use crate::serve::App;
use crate::store::rfc3339;
use crate::syndicate::deliver::SendMode;

/// Deliveries shown per partner, and attempts per delivery.
const LATEST: usize = 15;
const ATTEMPTS_PER_DELIVERY: usize = 3;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/desks/{desk}/deliveries", get(page))
        .route("/desks/{desk}/deliveries/redeliver", post(redeliver))
        .route("/desks/{desk}/partners/{partner}/recover", post(recover))
        .route("/desks/{desk}/partners/{partner}/enable", post(enable))
}

async fn page(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(name): Path<String>,
    Query(notice): Query<Notice>,
) -> Response {
    let (index, desk) = match app.desk_for(&caller, Some(&name), Need::Read, "deliveries") {
        Ok(found) => found,
        Err(no_desk) => return no_desk.into_response(),
    };
    match partners(desk).await {
        Ok(partners) => {
            let page = context! { partners, may_operate => caller.may(index, Need::Operate) };
            let frame = frame(&caller, Some((index, desk)), "deliveries", notice.notice.as_deref());
            app.pages.render("deliveries.html.j2", merge(frame, page))
        }
        Err(err) => {
            tracing::warn!(desk = %desk.name(), error = %err, "the delivery log does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "the delivery log does not answer").into_response()
        }
    }
}

async fn partners(desk: &Desk) -> Result<Vec<minijinja::Value>, crate::store::StoreError> {
    let store = desk.store();
    let counts = store.delivery_counts().await?;
    let mut out = Vec::new();
    for partner in &desk.pipeline.partners {
        let disabled = store.partner_disabled(&partner.name).await?;
        let failing = store.failing_since(&partner.name).await?;
        let (state, state_text) = match (&disabled, failing) {
            (Some((since, why)), _) => {
                ("disabled", format!("disabled since {}: {why}", rfc3339(*since).unwrap_or_default()))
            }
            (None, Some((since, _))) => ("failing", format!("failing since {}", rfc3339(since).unwrap_or_default())),
            (None, None) => ("ok", "ok".to_string()),
        };
        let counts: std::collections::BTreeMap<&str, u64> =
            counts.iter().filter(|(p, _, _)| *p == partner.name).map(|(_, s, n)| (s.as_str(), *n)).collect();
        let mut latest: Vec<DeliveryView> = Vec::new();
        for record in store.latest_deliveries(&partner.name, LATEST).await? {
            latest.push(DeliveryView::from(&record).with_attempts(store.as_ref(), ATTEMPTS_PER_DELIVERY).await?);
        }
        out.push(context! {
            name => partner.name, channel => partner.channel.name(), languages => partner.languages,
            state, state_text, disabled => disabled.is_some(), counts, latest,
        });
    }
    Ok(out)
}

#[derive(Debug, Deserialize)]
struct RedeliverForm {
    id: String,
}

async fn redeliver(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(name): Path<String>,
    Form(form): Form<RedeliverForm>,
) -> Response {
    let (_, desk) = match app.desk_for(&caller, Some(&name), Need::Operate, "redeliver") {
        Ok(found) => found,
        Err(no_desk) => return no_desk.into_response(),
    };
    let outcome = match desk.log().delivery(&form.id).await {
        Ok(record) => desk.log().resend(vec![record], SendMode::Again).await,
        Err(err) => Err(err),
    };
    tracing::info!(user = %caller.name, delivery = %form.id, "redeliver");
    back(desk, outcome.map(|reports| told("Redelivered", &reports)))
}

#[derive(Debug, Deserialize)]
struct RecoverForm {
    since: String,
}

async fn recover(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((name, partner)): Path<(String, String)>,
    Form(form): Form<RecoverForm>,
) -> Response {
    let (_, desk) = match app.desk_for(&caller, Some(&name), Need::Operate, "recover") {
        Ok(found) => found,
        Err(no_desk) => return no_desk.into_response(),
    };
    let since = match parse_since(&form.since) {
        Ok(since) => since,
        Err(why) => return back(desk, Ok(format!("Nothing recovered: since {why}"))),
    };
    if !desk.pipeline.partners.iter().any(|p| p.name == partner) {
        return (StatusCode::NOT_FOUND, format!("no partner named {partner:?}")).into_response();
    }
    tracing::info!(user = %caller.name, %partner, since = %form.since, "recover");
    let outcome = match desk.log().to_recover(&partner, since).await {
        Ok(records) => desk.log().resend(records, SendMode::Afresh).await,
        Err(err) => Err(err),
    };
    back(desk, outcome.map(|reports| told(&format!("Recovered for {partner}"), &reports)))
}

async fn enable(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((name, partner)): Path<(String, String)>,
) -> Response {
    let (_, desk) = match app.desk_for(&caller, Some(&name), Need::Operate, "enable") {
        Ok(found) => found,
        Err(no_desk) => return no_desk.into_response(),
    };
    tracing::info!(user = %caller.name, %partner, "enable");
    let outcome = desk.log().enable(&partner).await.map(|was| match was {
        true => format!("{partner} is enabled again."),
        false => format!("{partner} was not disabled."),
    });
    back(desk, outcome)
}

fn told(what: &str, reports: &[DeliveryReport]) -> String {
    let ok = reports.iter().filter(|r| r.status == Status::Ok).count();
    let mut text =
        format!("{what}: {ok} of {} deliver{} made.", reports.len(), if reports.len() == 1 { "y" } else { "ies" });
    for report in reports.iter().filter(|r| r.status != Status::Ok) {
        if let Some(error) = &report.error {
            text.push_str(&format!(" {} to {}: {}.", report.id, report.partner, crate::secret::redact(error)));
        }
    }
    text
}

/// Back to the deliveries page, saying what happened.
fn back(desk: &Desk, outcome: Result<String, crate::pipeline::RunError>) -> Response {
    let notice = match outcome {
        Ok(text) => text,
        Err(err) => format!("Not done: {}", crate::secret::redact(&err.to_string())),
    };
    let encode = |t: &str| url::form_urlencoded::byte_serialize(t.as_bytes()).collect::<String>();
    Redirect::to(&format!("/desks/{}/deliveries?notice={}", encode(desk.name()), encode(&notice))).into_response()
}
