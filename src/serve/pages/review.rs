//! The review queue and a held translation's page: source, machine translation and an editable
//! target per segment. Sending takes the path `review import` takes: every segment's inline codes
//! checked, the text remembered as a person's, the held copies released.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use minijinja::context;
use serde::Deserialize;
use serde_json::json;

use super::{frame, merge, Notice};
use crate::clean::render::sanitize;
use crate::pipeline::review::{age, ReviewError};
use crate::review::inline;
use crate::serve::auth::{Caller, Need};
use crate::serve::App;
use crate::store::ReviewState;

pub fn routes() -> Router<Arc<App>> {
    Router::new().route("/desks/{desk}/review", get(queue)).route("/desks/{desk}/review/{review}", get(page).post(send))
}

async fn queue(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(name): Path<String>,
    Query(notice): Query<Notice>,
) -> Response {
    let (index, desk) = match app.desk_for(&caller, Some(&name), Need::Read, "review") {
        Ok(found) => found,
        Err(no_desk) => return no_desk.into_response(),
    };
    let waiting = match desk.reviews.waiting().await {
        Ok(waiting) => waiting,
        Err(err) => return unavailable(err),
    };
    let rows: Vec<_> = waiting
        .iter()
        .map(|(w, _)| {
            context! {
                id => w.record.id, article => w.record.article, title => w.title,
                source_language => w.source_language, language => w.record.language,
                flag_counts => w.flag_counts, age => age(w.age_seconds), partners => w.partners,
            }
        })
        .collect();
    let frame = frame(&caller, Some((index, desk)), "review", notice.notice.as_deref());
    app.pages.render("review_queue.html.j2", merge(frame, context! { waiting => rows }))
}

async fn page(State(app): State<Arc<App>>, caller: Caller, Path((name, review)): Path<(String, String)>) -> Response {
    let (index, desk) = match app.desk_for(&caller, Some(&name), Need::Read, "review") {
        Ok(found) => found,
        Err(no_desk) => return no_desk.into_response(),
    };
    let (record, draft) = match desk.reviews.find(&review, None).await {
        Ok(found) => found,
        Err(ReviewError::Unknown(what)) => return (StatusCode::NOT_FOUND, format!("no review {what}")).into_response(),
        Err(err) => return unavailable(err),
    };
    let segments: Vec<_> = draft
        .translation
        .segments
        .iter()
        .map(|s| {
            let (_, codes) = inline::source_pieces(&s.source);
            let marked = inline::to_marked(&inline::target_pieces(&s.target, &codes));
            let rows = (marked.chars().count() / 48 + 2).min(12);
            context! {
                source_html => sanitize(&s.source), machine_html => sanitize(&s.target),
                marked, rows, flags => s.flags,
            }
        })
        .collect();
    let waiting = record.state == ReviewState::InReview;
    let notice = match (&record.state, &record.reviewer) {
        (ReviewState::Reviewed, Some(by)) => Some(format!("Reviewed by {by}: nothing waits for it.")),
        (ReviewState::Reviewed, None) => Some("Reviewed: nothing waits for it.".to_string()),
        (ReviewState::Flagged, _) => Some("Flagged, but no partner waited for a review: it went out.".to_string()),
        (ReviewState::InReview, _) => None,
    };
    let page = context! {
        title => draft.article.title, article_id => draft.article.id, version => draft.article.version,
        review_id => record.id, source_language => draft.source_language(),
        target_language => draft.translation.language, backend => draft.translation.backend,
        flagged => draft.flagged_segments(), segments,
        may_review => waiting && caller.may(index, Need::Review),
    };
    app.pages.render("review.html.j2", merge(frame(&caller, Some((index, desk)), "review", notice.as_deref()), page))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Edits {
    segments: Vec<Edited>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Edited {
    index: usize,
    /// The editor's text, inline codes as `[1]`…`[/1]`, `[2/]`.
    target: String,
}

/// Approves every segment with the editor's text and releases the held copies.
async fn send(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((name, review)): Path<(String, String)>,
    Json(edits): Json<Edits>,
) -> Response {
    let (_, desk) = match app.desk_for(&caller, Some(&name), Need::Review, "review") {
        Ok(found) => found,
        Err(no_desk) => return no_desk.into_response(),
    };
    let (record, draft) = match desk.reviews.find(&review, None).await {
        Ok(found) => found,
        Err(ReviewError::Unknown(what)) => {
            return (StatusCode::NOT_FOUND, Json(json!({ "error": format!("no review {what}") }))).into_response()
        }
        Err(err) => return unavailable(err),
    };
    let count = draft.translation.segments.len();
    let mut checked = Vec::new();
    let mut problems = Vec::new();
    for edited in &edits.segments {
        let Some(segment) = draft.translation.segments.get(edited.index) else {
            problems.push(json!({ "index": edited.index, "error": "not a segment of this article" }));
            continue;
        };
        let (_, codes) = inline::source_pieces(&segment.source);
        match draft.edited_segment(edited.index, &inline::from_marked(&edited.target, &codes)) {
            Ok(html) => checked.push((edited.index, html)),
            Err(why) => problems.push(json!({ "index": edited.index, "error": why })),
        }
    }
    if !problems.is_empty() {
        let error = "some segments cannot be sent as they are; nothing was sent";
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({ "error": error, "segments": problems })))
            .into_response();
    }
    checked.sort_by_key(|(i, _)| *i);
    checked.dedup_by_key(|(i, _)| *i);
    if checked.len() != count {
        let error = format!("{} of the article's {count} segments came; nothing was sent", checked.len());
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({ "error": error }))).into_response();
    }
    let edited = checked.iter().filter(|(i, html)| draft.translation.segments[*i].target != *html).count();
    let article = record.article.clone();
    match desk.reviews.release(&record, draft, &checked, Some(&caller.name)).await {
        Ok(reports) => {
            tracing::info!(user = %caller.name, review = %record.id, edited, "review released");
            // The CMS that asked to hear of the article hears again, now that it went out.
            if let Err(err) = desk.store().want_callback(&article, None).await {
                tracing::warn!(article = %article, error = %err, "the callback could not be asked for again");
            }
            let sent = reports.iter().filter(|r| r.status == crate::pipeline::Status::Ok).count();
            let notice = format!(
                "{}: {edited} segment{} edited, approved; {sent} of {} cop{} sent.",
                record.id,
                if edited == 1 { "" } else { "s" },
                reports.len(),
                if reports.len() == 1 { "y" } else { "ies" }
            );
            Json(json!({ "notice": notice, "deliveries": reports })).into_response()
        }
        Err(err @ (ReviewError::NotWaiting { .. } | ReviewError::Killed(_))) => {
            (StatusCode::CONFLICT, Json(json!({ "error": err.to_string() }))).into_response()
        }
        Err(err) => unavailable(err),
    }
}

fn unavailable(err: impl std::fmt::Display) -> Response {
    let message = crate::secret::redact(&err.to_string()).into_owned();
    tracing::warn!(error = %message, "the review log does not answer");
    (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "error": message }))).into_response()
}
