//! The CMS API: hand a desk an article (its URL or its HTML) the moment it is published, and
//! follow it to its partners. An accepted article is claimed in the store before the answer, so
//! another worker takes it up should this process die.

use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;
use serde_json::json;

use super::auth::{Caller, Need};
use super::desk::Desk;
use super::status::ArticleStatus;
use super::throttle::retry_after;
use super::App;
use crate::clean::{ArticleCleaner, Cleaner};
use crate::model::{RawPage, Submitted};

/// `POST /api/v1/articles`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// The article's page, fetched by the desk; or
    pub url: Option<String>,
    /// the page itself.
    pub html: Option<String>,
    /// The article's stable id (default: its canonical URL, else the URL given).
    pub id: Option<String>,
    pub section: Option<String>,
    /// RFC 3339: nothing is delivered before.
    pub embargo: Option<String>,
    /// Receives a signed Standard Webhooks call once the copies are delivered or held.
    pub callback_url: Option<String>,
    /// Needed when the caller may submit to several desks.
    pub desk: Option<String>,
}

/// How long a submission waits for its turn to be cleaned before a 503.
const CLEANING_WAIT: std::time::Duration = std::time::Duration::from_secs(10);
/// The longest article id, in bytes.
pub const MAX_ID: usize = 512;
/// The longest URL the API takes, in bytes.
const MAX_URL: usize = 2048;
/// What stays as it is in a path segment or query value: RFC 3986's unreserved characters.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn problem(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// `POST /api/v1/articles?dry_run=true`: what the desk would send and spend, nothing sent.
#[derive(Debug, Deserialize)]
pub struct SubmitQuery {
    #[serde(default)]
    pub dry_run: bool,
}

pub async fn submit(
    State(app): State<Arc<App>>,
    caller: Caller,
    query: Result<Query<SubmitQuery>, QueryRejection>,
    payload: Result<Json<Submission>, JsonRejection>,
) -> Response {
    let dry_run = match query {
        Ok(Query(query)) => query.dry_run,
        Err(rejection) => return problem(StatusCode::BAD_REQUEST, rejection.body_text()),
    };
    let Json(submission) = match payload {
        Ok(payload) => payload,
        Err(rejection) => return problem(rejection.status(), rejection.body_text()),
    };
    let (_, desk) = match app.desk_for(&caller, submission.desk.as_deref(), Need::Submit, "/api/v1/articles") {
        Ok(found) => found,
        Err(no_desk) => return no_desk.into_response(),
    };
    let desk = desk.clone();
    if let Err(wait) = desk.submissions.check(&caller.key) {
        tracing::warn!(desk = %desk.name(), caller = %caller.key, "refused: too many submissions");
        let mut refused = problem(StatusCode::TOO_MANY_REQUESTS, "too many articles this minute: try again later");
        refused.headers_mut().insert(header::RETRY_AFTER, retry_after(wait));
        return refused;
    }
    // Cleaning is CPU work: a few at once, the rest wait a little or are told to come back.
    let cleaning = match &submission.html {
        None => None,
        Some(_) => match tokio::time::timeout(CLEANING_WAIT, app.cleaning.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Some(permit),
            _ => {
                let mut busy =
                    problem(StatusCode::SERVICE_UNAVAILABLE, "the console is busy cleaning pages: try again");
                busy.headers_mut().insert(header::RETRY_AFTER, retry_after(std::time::Duration::from_secs(5)));
                return busy;
            }
        },
    };
    if dry_run && submission.html.is_none() {
        let why = "a dry run counts a page it is given: send its \"html\" (fetching a URL is part of the run)";
        return problem(StatusCode::UNPROCESSABLE_ENTITY, why);
    }
    let checked = check(&submission, &desk).await;
    let checked = match checked {
        Ok(checked) => checked,
        Err(why) => return problem(StatusCode::UNPROCESSABLE_ENTITY, why),
    };
    if dry_run {
        let estimate = estimate(&desk, checked).await;
        drop(cleaning);
        return (StatusCode::OK, Json(estimate)).into_response();
    }
    drop(cleaning);
    let id = checked.id.clone();
    if let Some(callback) = &checked.callback {
        if let Err(err) = desk.store().want_callback(&id, Some(callback.as_str())).await {
            return problem(StatusCode::SERVICE_UNAVAILABLE, crate::secret::redact(&err.to_string()));
        }
    }
    desk.accept(&id, super::now());
    app.metrics.accepted(desk.name());
    let submitted = Submitted { id: Some(id.clone()), section: submission.section, embargo: submission.embargo };
    // Claimed in the store before the answer, a URL too (the page is fetched by whoever works on
    // it): another console takes it up should this one die.
    let mut page = checked.page;
    page.submitted = Some(submitted);
    if let Err(err) = desk.submit(&id, page).await {
        desk.refuse(&id, err.to_string());
        return problem(StatusCode::SERVICE_UNAVAILABLE, crate::secret::redact(&err.to_string()));
    }
    let location = format!("/api/v1/articles/{}?desk={}", encode(&id), encode(desk.name()));
    (
        StatusCode::ACCEPTED,
        [(header::LOCATION, location.clone())],
        Json(json!({ "id": id, "desk": desk.name(), "status": "queued", "status_url": location })),
    )
        .into_response()
}

/// The dry run's answer: the article as the desk reads it, each translation it would make with the
/// characters each backend would be sent and what the memory holds, and what that would cost.
async fn estimate(desk: &Desk, checked: Checked) -> serde_json::Value {
    let article = desk.estimate(checked.page).await;
    let mut report = crate::pipeline::Report::start(desk.name(), true);
    report.add(&article);
    let report = report.with_prices(&desk.pipeline.backends);
    let backends: serde_json::Map<String, serde_json::Value> = report
        .backends
        .iter()
        .map(|(name, usage)| {
            let counted = json!({
                "chars_sent": usage.chars_sent,
                "chars_cached": usage.chars_cached,
                "cost": usage.cost,
                "saved": usage.saved,
            });
            (name.clone(), counted)
        })
        .collect();
    json!({
        "id": checked.id,
        "desk": desk.name(),
        "dry_run": true,
        "status": article.status,
        "error": article.error,
        "language": article.language,
        "translations": article.translations,
        "backends": backends,
        "cost": report.totals.cost,
    })
}

/// A submission, checked: its id, its page (or only its URL, to fetch), where its callback goes.
struct Checked {
    id: String,
    page: RawPage,
    callback: Option<url::Url>,
}

async fn check(submission: &Submission, desk: &Desk) -> Result<Checked, String> {
    let callback = match &submission.callback_url {
        None => None,
        Some(_) if desk.pipeline.serve.callback_secret.is_none() => {
            return Err(format!("desk {:?} signs no callbacks: its [serve] has no callback_secret", desk.name()))
        }
        Some(text) => Some(web_url(text, "callback_url", desk)?),
    };
    if let Some(embargo) = &submission.embargo {
        time::OffsetDateTime::parse(embargo, &time::format_description::well_known::Rfc3339)
            .map_err(|_| format!("embargo {embargo:?} is not an RFC 3339 time"))?;
    }
    let given_id = submission.id.as_deref().map(str::trim).filter(|id| !id.is_empty()).map(str::to_string);
    if let Some(id) = &given_id {
        usable_id(id, "the id")?;
    }
    match (&submission.url, &submission.html) {
        (Some(url), None) => {
            let url = web_url(url, "url", desk)?;
            let id = match given_id {
                Some(id) => id,
                None => usable_id(url.as_str(), "the URL, the article's id when none is given,")?.to_string(),
            };
            let page =
                RawPage { source: url.to_string(), url: Some(url.to_string()), unfetched: true, ..RawPage::default() };
            Ok(Checked { id, page, callback })
        }
        (None, Some(html)) => {
            let page =
                RawPage { text: html.clone(), content_type: Some("text/html".to_string()), ..RawPage::default() };
            // Cleaned here too, so that a page without an article is refused now, not later.
            let cleaned = tokio::task::spawn_blocking(move || ArticleCleaner.clean(&page).map(|a| (a, page)))
                .await
                .map_err(|err| format!("internal error: {err}"))?;
            let (article, mut page) = cleaned.map_err(|_| "no article found in the HTML".to_string())?;
            let id = match (given_id, article.canonical_url) {
                (Some(id), _) => id,
                (None, Some(id)) => {
                    usable_id(&id, "the canonical link, the article's id when none is given,")?.to_string()
                }
                (None, None) => return Err("the HTML has no canonical link: give the article's \"id\"".to_string()),
            };
            page.source = format!("cms:{id}");
            Ok(Checked { id, page, callback })
        }
        _ => Err("give the article's \"url\" or its \"html\", one of them".to_string()),
    }
}

/// An id that fits in a URL, a header and a log line: not too long, no control characters.
fn usable_id<'a>(id: &'a str, what: &str) -> Result<&'a str, String> {
    if id.len() > MAX_ID {
        return Err(format!("{what} is {} bytes long: at most {MAX_ID}", id.len()));
    }
    if id.chars().any(char::is_control) {
        return Err(format!("{what} has a control character (a line break, a tab, ...)"));
    }
    Ok(id)
}

/// An http(s) URL whose address, when it is written in it, the desk's outbound policy allows.
fn web_url(text: &str, field: &str, desk: &Desk) -> Result<url::Url, String> {
    if text.len() > MAX_URL {
        return Err(format!("{field} is {} bytes long: at most {MAX_URL}", text.len()));
    }
    match url::Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
            desk.outbound.check_url(&url).map_err(|refusal| format!("{field}: {refusal}"))?;
            Ok(url)
        }
        _ => Err(format!("{field} {:?} is not an http(s) URL", crate::secret::redact(text))),
    }
}

/// `text` as one path segment or query value: `a b/c` is `a%20b%2Fc`.
fn encode(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}

#[derive(Debug, Deserialize)]
pub struct DeskQuery {
    pub desk: Option<String>,
}

/// `GET /api/v1/articles/{id}`: the article's status, translations, reviews and deliveries.
pub async fn article(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<DeskQuery>,
) -> Response {
    let desks: Vec<usize> = match &query.desk {
        Some(name) => match app.desk_for(&caller, Some(name), Need::Read, "/api/v1/articles") {
            Ok((index, _)) => vec![index],
            Err(no_desk) => return no_desk.into_response(),
        },
        None => caller.desks(),
    };
    for index in desks {
        match ArticleStatus::of(&app.desks[index], &id).await {
            Ok(Some(status)) => return Json(status).into_response(),
            Ok(None) => {}
            Err(err) => return problem(StatusCode::SERVICE_UNAVAILABLE, crate::secret::redact(&err.to_string())),
        }
    }
    let shown: String = id.chars().take(120).collect();
    problem(StatusCode::NOT_FOUND, format!("no article {shown:?} on your desks"))
}

const OPENAPI: &str = include_str!("openapi.json");

/// The API's OpenAPI 3.1 description.
pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_encoded_as_one_path_segment() {
        assert_eq!(super::encode("cms 4711/a+b?c#d%"), "cms%204711%2Fa%2Bb%3Fc%23d%25");
        assert_eq!(super::encode("Ação~1.x_y-z"), "A%C3%A7%C3%A3o~1.x_y-z");
        assert!(super::usable_id("a\nINFO forged", "the id").is_err());
        assert!(super::usable_id(&"x".repeat(super::MAX_ID + 1), "the id").is_err());
        assert_eq!(super::usable_id("cms-4711", "the id"), Ok("cms-4711"));
    }

    #[test]
    fn the_openapi_description_is_json_and_names_every_route() {
        let doc: serde_json::Value = serde_json::from_str(super::OPENAPI).expect("valid JSON");
        assert_eq!(doc["openapi"].as_str().map(|v| &v[..2]), Some("3."));
        for path in ["/api/v1/articles", "/api/v1/articles/{id}", "/healthz", "/readyz", "/metrics"] {
            assert!(doc["paths"][path].is_object(), "{path} is described");
        }
    }
}
