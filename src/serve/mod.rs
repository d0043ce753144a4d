//! `newswire serve`: a desk's console for the people who run it (the review queue, the deliveries,
//! the runs) and an HTTP API for its CMS, over the same library and store as the command line.
//! Every request but the health checks is authenticated; pages are rendered on the server from
//! the built-in templates, with a little JavaScript and a strict Content-Security-Policy.

mod api;
mod auth;
mod callback;
mod desk;
mod listen;
mod metrics;
mod pages;
mod security;
mod status;
mod throttle;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use tokio::sync::mpsc;
use tower_http::timeout::{RequestBodyDeadlineLayer, TimeoutLayer};

pub use auth::{random_token, Need};
pub use desk::Desk;
pub use status::ArticleStatus;

use crate::config::Pipeline;
use crate::pipeline::RunError;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error("the server stopped: {0}")]
    Server(std::io::Error),
    #[error("{0}")]
    Setup(String),
}

/// Everything a request may need.
pub struct App {
    desks: Vec<Arc<Desk>>,
    auth: auth::Auth,
    metrics: metrics::Metrics,
    pages: pages::Pages,
    /// The largest request body any desk takes.
    max_body: usize,
    /// Proxies whose `X-Forwarded-For` names the client, from every desk.
    trusted_proxies: Vec<ipnet::IpNet>,
    /// Pages the API cleans at once.
    cleaning: Arc<tokio::sync::Semaphore>,
}

impl App {
    /// The client a request comes from (see [`throttle::client_address`]).
    fn client(&self, peer: SocketAddr, headers: &axum::http::HeaderMap) -> std::net::IpAddr {
        throttle::client_address(peer.ip(), headers, &self.trusted_proxies)
    }

    fn desk_names(&self) -> Vec<String> {
        self.desks.iter().map(|d| d.name().to_string()).collect()
    }

    /// The desk by name, with its index.
    fn desk(&self, name: &str) -> Option<(usize, &Arc<Desk>)> {
        self.desks.iter().enumerate().find(|(_, d)| d.name() == name)
    }

    /// The desk a request names, or else the only one the caller may use for `need`; refused
    /// unless the caller may.
    fn desk_for(
        &self,
        caller: &auth::Caller,
        name: Option<&str>,
        need: Need,
        path: &str,
    ) -> Result<(usize, &Arc<Desk>), NoDesk> {
        let index = match name {
            Some(name) => self.desk(name).ok_or_else(|| NoDesk::Unknown(name.to_string()))?.0,
            None => {
                let usable: Vec<usize> = caller.desks().into_iter().filter(|&d| caller.may(d, need)).collect();
                match usable.as_slice() {
                    [one] => *one,
                    [] => return Err(NoDesk::Refused(caller.refuse(need, path))),
                    _ => return Err(NoDesk::Ambiguous),
                }
            }
        };
        caller.require(index, need, path).map_err(NoDesk::Refused)?;
        Ok((index, &self.desks[index]))
    }
}

/// Why a request has no desk to act on.
#[derive(Debug)]
enum NoDesk {
    Unknown(String),
    Refused(auth::Refused),
    /// The caller may use several and did not say which.
    Ambiguous,
}

impl IntoResponse for NoDesk {
    fn into_response(self) -> axum::response::Response {
        let error = |status: StatusCode, message: String| {
            (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
        };
        match self {
            NoDesk::Unknown(name) => error(StatusCode::NOT_FOUND, format!("no desk named {name:?}")),
            NoDesk::Refused(refused) => refused.into_response(),
            NoDesk::Ambiguous => {
                error(StatusCode::UNPROCESSABLE_ENTITY, "several desks: say which with \"desk\"".to_string())
            }
        }
    }
}

/// What `newswire serve` is told on its command line.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
}

/// Unix seconds.
fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Serves the desks until `shutdown` resolves, then lets what is in flight finish.
pub async fn serve(
    pipelines: Vec<Pipeline>,
    options: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let names: Vec<&str> = pipelines.iter().map(|p| p.name.as_str()).collect();
    if let Some(twice) = names.iter().enumerate().find(|(i, n)| names[..*i].contains(n)).map(|(_, n)| n) {
        return Err(ServeError::Setup(format!("two desks are named {twice:?}: each needs a name of its own")));
    }
    if pipelines.iter().all(|p| p.serve.tokens.is_empty() && p.serve.users.is_empty()) {
        return Err(ServeError::Setup(
            "no desk lists [serve] tokens or users: nobody could use the console".to_string(),
        ));
    }
    let (finished_tx, finished_rx) = mpsc::unbounded_channel();
    let mut desks = Vec::new();
    for pipeline in &pipelines {
        desks.push(Desk::open(pipeline.clone(), finished_tx.clone()).await?);
    }
    drop(finished_tx);
    if !options.listen.ip().is_loopback() {
        tracing::warn!(
            address = %options.listen,
            "listening beyond loopback: browsers send the console's Secure cookies over HTTPS only, so put it behind a TLS proxy"
        );
    }
    let max_body = pipelines.iter().map(|p| p.serve.max_body).max().unwrap_or(crate::config::DEFAULT_MAX_BODY);
    let app = Arc::new(App {
        auth: auth::Auth::new(&pipelines, desks[0].store().clone()),
        metrics: metrics::Metrics::new(),
        pages: pages::Pages::new().map_err(|err| ServeError::Setup(format!("templates: {err}")))?,
        max_body,
        trusted_proxies: pipelines.iter().flat_map(|p| p.serve.trusted_proxies.iter().copied()).collect(),
        cleaning: Arc::new(tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(2, |cores| cores.get()),
        )),
        desks,
    });
    let counting = tokio::spawn(metrics::count_finished(app.clone(), finished_rx));
    let (stop_callbacks, stopped) = tokio::sync::watch::channel(false);
    let callbacks: Vec<_> =
        app.desks.iter().map(|desk| tokio::spawn(callback::run(desk.clone(), stopped.clone()))).collect();

    let listener =
        tokio::net::TcpListener::bind(options.listen).await.map_err(|err| ServeError::Listen(options.listen, err))?;
    let address = listener.local_addr().map_err(|err| ServeError::Listen(options.listen, err))?;
    tracing::info!(%address, desks = ?names, "console listening");
    eprintln!("newswire console on http://{address}/ ({})", names.join(", "));
    listen::serve(listener, router(app.clone()), shutdown).await.map_err(ServeError::Server)?;
    eprintln!("newswire console: stopping; finishing the articles in flight");
    for desk in &app.desks {
        if let Some(report) = desk.close().await {
            eprint!("{}", crate::secret::redact(&report.summary()));
        }
    }
    let _ = stop_callbacks.send(true);
    for task in callbacks {
        let _ = task.await;
    }
    let _ = counting.await;
    Ok(())
}

/// A request's body must have arrived within this.
const BODY_DEADLINE: Duration = Duration::from_secs(30);
/// A request is answered within this, or with a 503.
const REQUEST_DEADLINE: Duration = Duration::from_secs(60);

fn router(app: Arc<App>) -> Router {
    let routes = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::render))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/v1/articles", post(api::submit))
        .route("/api/v1/articles/{id}", get(api::article))
        .merge(pages::routes())
        .layer(axum::middleware::from_fn_with_state(app.clone(), security::csrf))
        .layer(axum::middleware::from_fn(security::log_requests))
        .layer(DefaultBodyLimit::max(app.max_body))
        .layer(RequestBodyDeadlineLayer::new(BODY_DEADLINE))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, REQUEST_DEADLINE));
    security::with_headers(routes).with_state(app)
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// Ready while every desk's store answers. Anyone may ask, so the answer names no desk; the log
/// says which.
async fn readyz(State(app): State<Arc<App>>) -> impl IntoResponse {
    for desk in &app.desks {
        if let Err(err) = desk.store().clock_ms().await {
            tracing::warn!(desk = %desk.name(), error = %err, "not ready: the store does not answer");
            return (StatusCode::SERVICE_UNAVAILABLE, "not ready: a desk's store does not answer\n");
        }
    }
    (StatusCode::OK, "ready\n")
}
