//! The console's pages, rendered on the server from the built-in templates: logging in, the desks,
//! and one module per page group (review, deliveries, runs). Text from articles and backends goes
//! through the template's escaping, or through the partners' sanitiser where it is shown as HTML.

mod deliveries;
mod review;
mod runs;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::CookieJar;
use minijinja::{context, AutoEscape, Environment, Value};
use serde::Deserialize;

use super::auth::{cut, random_token, safe_next, Caller, LoginRefused, LOGIN_COOKIE, MAX_NAME, SESSION_COOKIE};
use super::desk::Desk;
use super::throttle::retry_after;
use super::App;
use crate::store::DeliveryState;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html.j2", include_str!("../../../templates/console/base.html.j2")),
    ("login.html.j2", include_str!("../../../templates/console/login.html.j2")),
    ("desks.html.j2", include_str!("../../../templates/console/desks.html.j2")),
    ("review_queue.html.j2", include_str!("../../../templates/console/review_queue.html.j2")),
    ("review.html.j2", include_str!("../../../templates/console/review.html.j2")),
    ("deliveries.html.j2", include_str!("../../../templates/console/deliveries.html.j2")),
    ("runs.html.j2", include_str!("../../../templates/console/runs.html.j2")),
    ("article.html.j2", include_str!("../../../templates/console/article.html.j2")),
];
const SCRIPT: &str = include_str!("../../../templates/console/console.js");
const STYLE: &str = include_str!("../../../templates/console/console.css");

pub struct Pages {
    env: Environment<'static>,
}

impl Pages {
    pub fn new() -> Result<Pages, minijinja::Error> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)?;
        }
        Ok(Pages { env })
    }

    fn render(&self, name: &str, context: Value) -> Response {
        match self.env.get_template(name).and_then(|t| t.render(context)) {
            Ok(html) => Html(html).into_response(),
            Err(err) => {
                tracing::error!(template = name, error = %err, "a page could not be rendered");
                (StatusCode::INTERNAL_SERVER_ERROR, "the page could not be rendered").into_response()
            }
        }
    }
}

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(desks))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route(
            "/static/console.js",
            get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT) }),
        )
        .route("/static/console.css", get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE) }))
        .merge(review::routes())
        .merge(deliveries::routes())
        .merge(runs::routes())
}

/// What every page's frame needs: who is looking, at which desk.
fn frame(caller: &Caller, desk: Option<(usize, &Desk)>, section: &str, notice: Option<&str>) -> Value {
    context! {
        user => caller.session.as_ref().map(|s| s.user.clone()),
        role => desk.and_then(|(i, _)| caller.role(i)).map(|r| r.as_str()),
        csrf => caller.csrf(),
        desk => desk.map(|(_, d)| d.name().to_string()),
        section => section,
        notice => notice,
    }
}

fn merge(frame: Value, page: Value) -> Value {
    context! { ..frame, ..page }
}

#[derive(Debug, Deserialize)]
struct Notice {
    notice: Option<String>,
}

async fn desks(State(app): State<Arc<App>>, caller: Caller, Query(notice): Query<Notice>) -> Response {
    let mut rows = Vec::new();
    for index in caller.desks() {
        let desk = &app.desks[index];
        let waiting = desk.store().reviews(Some(crate::store::ReviewState::InReview)).await.map(|r| r.len());
        let counts = desk.store().delivery_counts().await;
        let (Ok(waiting), Ok(counts)) = (waiting, counts) else {
            return (StatusCode::SERVICE_UNAVAILABLE, format!("{}: the store does not answer", desk.name()))
                .into_response();
        };
        let mut troubled: Vec<String> =
            counts.iter().filter(|(_, s, _)| *s == DeliveryState::Failed).map(|(p, _, _)| p.clone()).collect();
        for partner in &desk.pipeline.partners {
            if let Ok(Some(_)) = desk.store().partner_disabled(&partner.name).await {
                troubled.push(partner.name.clone());
            }
        }
        troubled.sort();
        troubled.dedup();
        rows.push(context! { name => desk.name(), waiting, troubled });
    }
    let page = context! { desks => rows };
    app.pages.render("desks.html.j2", merge(frame(&caller, None, "desks", notice.notice.as_deref()), page))
}

#[derive(Debug, Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

/// The login form, its CSRF token held in a cookie until there is a session.
async fn login_form(State(app): State<Arc<App>>, jar: CookieJar, Query(query): Query<LoginQuery>) -> Response {
    let csrf = random_token();
    let jar = jar.add(app.auth.login_cookie(csrf.clone()));
    let page = context! { csrf, next => safe_next(query.next.as_deref()), username => "", failed => false };
    (jar, app.pages.render("login.html.j2", page)).into_response()
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Response {
    let client = app.client(peer, &headers);
    // Logged and shown cut: a name is what anyone may type.
    let user = cut(&form.username, MAX_NAME);
    match app.auth.login(client, &form.username, &form.password, &app.desk_names()).await {
        Ok((token, _)) => {
            tracing::info!(user, %client, "logged in");
            let jar = jar.remove(app.auth.removal(LOGIN_COOKIE)).add(app.auth.session_cookie(token));
            (jar, Redirect::to(&safe_next(form.next.as_deref()))).into_response()
        }
        Err(refused) => {
            let (status, retry) = match refused {
                LoginRefused::Wrong => {
                    tracing::warn!(user, %client, "refused: wrong name or password");
                    (StatusCode::UNAUTHORIZED, None)
                }
                LoginRefused::TooMany(wait) => {
                    tracing::warn!(user, %client, "refused: too many logins from this address");
                    (StatusCode::TOO_MANY_REQUESTS, Some(retry_after(wait)))
                }
                LoginRefused::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, None),
            };
            let csrf = jar.get(LOGIN_COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
            let page = context! {
                csrf, next => safe_next(form.next.as_deref()), username => user,
                failed => refused == LoginRefused::Wrong, throttled => retry.is_some(),
            };
            let mut response = (status, app.pages.render("login.html.j2", page)).into_response();
            if let Some(retry) = retry {
                response.headers_mut().insert(header::RETRY_AFTER, retry);
            }
            response
        }
    }
}

/// Ends the session for good, here and in every console sharing the store.
async fn logout(State(app): State<Arc<App>>, caller: Caller, jar: CookieJar) -> Response {
    if let Some(session) = &caller.session {
        if let Err(err) = app.auth.logout(session).await {
            tracing::error!(user = %caller.name, error = %err, "a session could not be closed");
            return (StatusCode::SERVICE_UNAVAILABLE, "the session could not be closed; try again").into_response();
        }
        tracing::info!(user = %caller.name, "logged out");
    }
    (jar.remove(app.auth.removal(SESSION_COOKIE)), Redirect::to("/login")).into_response()
}
