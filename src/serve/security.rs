//! What every response and request passes through: security headers (a strict
//! Content-Security-Policy among them), the CSRF check on state-changing calls made with a
//! session, and one log line per request, without its credentials or query.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;
use tower_http::set_header::SetResponseHeaderLayer;

use super::auth::{changes_state, Refused, CSRF_FIELD, CSRF_HEADER};
use super::App;

/// Scripts, styles and images from the console itself only; nothing may frame it.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The headers every response carries, unless a handler set its own.
pub const HEADERS: [(HeaderName, &str); 5] = [
    (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "same-origin"),
    (header::CACHE_CONTROL, "no-store"),
];

/// Adds [`HEADERS`] to every response of the router.
pub fn with_headers<S: Clone + Send + Sync + 'static>(mut router: axum::Router<S>) -> axum::Router<S> {
    for (name, value) in HEADERS {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)));
    }
    router
}

/// A state-changing request made with cookies (no bearer token) must carry the CSRF token its
/// session (or login form) was given, in the `x-csrf-token` header or the form's `csrf` field,
/// and come from the console's own origin when the browser says where it comes from.
pub async fn csrf(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    if !changes_state(request.method()) || request.headers().contains_key(header::AUTHORIZATION) {
        return next.run(request).await;
    }
    let path = request.uri().path().to_string();
    let refuse = |why: &str| {
        tracing::warn!(path = %path, why, "refused: CSRF check failed");
        Refused::Csrf.into_response()
    };
    if let (Some(origin), Some(host)) = (request.headers().get(header::ORIGIN), request.headers().get(header::HOST)) {
        let same = origin.to_str().ok().and_then(|o| url::Url::parse(o).ok()).is_some_and(|o| {
            let port = o.port().map(|p| format!(":{p}")).unwrap_or_default();
            host.to_str().is_ok_and(|h| h == format!("{}{port}", o.host_str().unwrap_or_default()))
        });
        if !same {
            return refuse("another origin");
        }
    }
    let expected = match app.auth.expected_csrf(request.headers()).await {
        Ok(expected) => expected,
        Err(err) => {
            tracing::error!(error = %err, "sessions cannot be read");
            return Refused::Unavailable.into_response();
        }
    };
    let Some(expected) = expected else {
        // Without a session nothing is done in anyone's name: the handler refuses it (401);
        // only the login form itself needs its token first.
        if path == "/login" {
            return refuse("no login form");
        }
        return next.run(request).await;
    };
    if let Some(given) = request.headers().get(CSRF_HEADER) {
        return match bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
            true => next.run(request).await,
            false => refuse("wrong token in the header"),
        };
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return refuse("no token");
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, app.max_body).await else {
        return refuse("unreadable form");
    };
    let given = url::form_urlencoded::parse(&bytes).find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v.into_owned());
    match given {
        Some(given) if bool::from(given.as_bytes().ct_eq(expected.as_bytes())) => {
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
        _ => refuse("wrong or missing token in the form"),
    }
}

/// One line per request: method, path, status, time taken; never its headers or query.
pub async fn log_requests(request: Request, next: Next) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_string());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(%method, path = %crate::secret::redact(&path), status, ms = format!("{ms:.1}"), "request");
    response
}
