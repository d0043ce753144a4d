//! `/metrics` in OpenMetrics or the Prometheus text format (0.0.4), as the scraper's `Accept`
//! asks: what this console's pipelines did (articles, translations, characters per backend), how
//! long delivery attempts take, and, read from each desk's store when scraped, its deliveries by
//! partner and state and the work waiting. Every sample carries its desk, and a caller sees only
//! the desks it may read.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::auth::Caller;
use super::App;
use crate::config::BackendConfig;
use crate::pipeline::ArticleReport;
use crate::store::DeliveryState;

type Labels = Vec<(&'static str, String)>;

pub struct Metrics {
    registry: Registry,
    accepted: Family<Labels, Counter>,
    articles: Family<Labels, Counter>,
    translations: Family<Labels, Counter>,
    characters: Family<Labels, Counter>,
    deliveries: Family<Labels, Gauge>,
    queue: Family<Labels, Gauge>,
    spend: Family<Labels, Counter<f64, AtomicU64>>,
    login_keys: Gauge,
}

impl Metrics {
    pub fn new() -> Metrics {
        let (accepted, articles, translations, characters) =
            (Family::default(), Family::default(), Family::default(), Family::default());
        let (deliveries, queue) = (Family::default(), Family::default());
        let mut registry = Registry::default();
        registry.register("newswire_articles_accepted", "Articles the API accepted, by desk", accepted.clone());
        registry.register(
            "newswire_articles",
            "Articles this console's pipelines ended, by desk and status",
            articles.clone(),
        );
        registry.register(
            "newswire_translations",
            "Translations made, by desk, backend and status",
            translations.clone(),
        );
        registry.register(
            "newswire_characters",
            "Characters translated, by desk and backend: sent (billed) or served from the translation memory",
            characters.clone(),
        );
        registry.register(
            "newswire_deliveries",
            "Deliveries in the desk's log, by partner and state",
            deliveries.clone(),
        );
        registry.register(
            "newswire_queue_depth",
            "Work waiting: articles accepted and not yet through the pipeline, deliveries due or retrying",
            queue.clone(),
        );
        registry.register(
            "newswire_delivery_attempt_seconds",
            "How long each delivery attempt took, by partner",
            crate::metrics::ATTEMPT_SECONDS.clone(),
        );
        let spend = Family::<Labels, Counter<f64, AtomicU64>>::default();
        registry.register(
            "newswire_spend",
            "Money this console's pipelines spent on backends, at their prices, by desk, backend and currency",
            spend.clone(),
        );
        let login_keys = Gauge::default();
        registry.register(
            "newswire_login_limiter_keys",
            "Addresses and names the login limiters hold (stale ones are forgotten; 100,000 at most each)",
            login_keys.clone(),
        );
        Metrics { registry, accepted, articles, translations, characters, deliveries, queue, spend, login_keys }
    }

    pub fn accepted(&self, desk: &str) {
        self.accepted.get_or_create(&vec![("desk", desk.to_string())]).inc();
    }

    pub fn finished(&self, desk: &str, report: &ArticleReport, backends: &BTreeMap<String, BackendConfig>) {
        for hop in report.translations.iter().flat_map(|t| &t.path) {
            let Some(price) = backends.get(&hop.backend).map(|b| &b.price) else { continue };
            let Some(currency) = price.currency() else { continue };
            let labels =
                vec![("desk", desk.to_string()), ("backend", hop.backend.clone()), ("currency", currency.into())];
            self.spend.get_or_create(&labels).inc_by(price.cost(hop.chars_sent));
        }
        let status = serde_json::to_value(report.status).ok().and_then(|v| v.as_str().map(str::to_string));
        let status = status.unwrap_or_default();
        self.articles.get_or_create(&vec![("desk", desk.to_string()), ("status", status)]).inc();
        for translation in &report.translations {
            let backend = translation.backend.clone().unwrap_or_else(|| "none".to_string());
            let status = serde_json::to_value(translation.status).ok().and_then(|v| v.as_str().map(str::to_string));
            self.translations
                .get_or_create(&vec![
                    ("desk", desk.to_string()),
                    ("backend", backend.clone()),
                    ("status", status.unwrap_or_default()),
                ])
                .inc();
            for (kind, chars) in [("sent", translation.chars_sent), ("cached", translation.chars_cached)] {
                self.characters
                    .get_or_create(&vec![
                        ("desk", desk.to_string()),
                        ("backend", backend.clone()),
                        ("kind", kind.into()),
                    ])
                    .inc_by(chars as u64);
            }
        }
    }
}

/// Counts each article the desks' pipelines end, as they say so.
pub async fn count_finished(app: Arc<App>, mut finished: tokio::sync::mpsc::UnboundedReceiver<(String, String)>) {
    while let Some((desk_name, id)) = finished.recv().await {
        let Some((_, desk)) = app.desk(&desk_name) else { continue };
        if let Some(report) = desk.submission(&id).and_then(|s| s.report) {
            app.metrics.finished(&desk_name, &report, &desk.pipeline.backends);
        }
    }
}

/// `GET /metrics`: a token's or a person's, like everything else.
pub async fn render(State(app): State<Arc<App>>, caller: Caller, headers: HeaderMap) -> Response {
    app.metrics.deliveries.clear();
    app.metrics.queue.clear();
    for index in caller.desks() {
        let desk = &app.desks[index];
        let name = desk.name().to_string();
        let counts = match desk.store().delivery_counts().await {
            Ok(counts) => counts,
            Err(err) => {
                tracing::warn!(desk = %name, error = %err, "metrics: the store does not answer");
                return (StatusCode::SERVICE_UNAVAILABLE, format!("{name}: the store does not answer\n"))
                    .into_response();
            }
        };
        let mut waiting = 0;
        for (partner, state, count) in counts {
            let labels = vec![("desk", name.clone()), ("partner", partner), ("state", state.as_str().to_string())];
            app.metrics.deliveries.get_or_create(&labels).set(count as i64);
            if matches!(state, DeliveryState::Pending | DeliveryState::Retrying) {
                waiting += count as i64;
            }
        }
        app.metrics
            .queue
            .get_or_create(&vec![("desk", name.clone()), ("queue", "articles".into())])
            .set(desk.queued() as i64);
        app.metrics.queue.get_or_create(&vec![("desk", name), ("queue", "deliveries".into())]).set(waiting);
    }
    app.metrics.login_keys.set(app.auth.login_keys() as i64);
    let mut text = String::new();
    if let Err(err) = encode(&mut text, &app.metrics.registry) {
        return (StatusCode::INTERNAL_SERVER_ERROR, format!("cannot encode the metrics: {err}\n")).into_response();
    }
    let visible: Vec<&str> = caller.desks().into_iter().map(|index| app.desks[index].name()).collect();
    let text = only_desks(&text, &visible);
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if accept.contains("application/openmetrics-text") {
        return ([(header::CONTENT_TYPE, OPENMETRICS)], text).into_response();
    }
    ([(header::CONTENT_TYPE, TEXT_004)], as_text_004(&text)).into_response()
}

const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
const TEXT_004: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The exposition without the samples of desks not in `desks` (every sample has a desk label).
fn only_desks(text: &str, desks: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let hidden = !line.starts_with('#')
            && line.find("desk=\"").is_some_and(|at| {
                let value = &line[at + 6..];
                let value = &value[..value.find('"').unwrap_or(value.len())];
                !desks.contains(&value)
            });
        if !hidden {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// OpenMetrics as the Prometheus text format 0.0.4: a counter's HELP and TYPE name its samples
/// (`x_total`), and there is no UNIT or EOF line.
fn as_text_004(openmetrics: &str) -> String {
    let lines: Vec<&str> = openmetrics.lines().collect();
    let counters: Vec<&str> =
        lines.iter().filter_map(|l| l.strip_prefix("# TYPE ")?.strip_suffix(" counter")).collect();
    let mut out = String::with_capacity(openmetrics.len());
    for line in lines {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        let renamed = ["# HELP ", "# TYPE "].iter().find_map(|prefix| {
            let rest = line.strip_prefix(prefix)?;
            let (name, tail) = rest.split_once(' ').unwrap_or((rest, ""));
            counters.contains(&name).then(|| format!("{prefix}{name}_total {tail}"))
        });
        out.push_str(renamed.as_deref().unwrap_or(line));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# HELP newswire_articles Articles ended.\n# TYPE newswire_articles counter\n\
        newswire_articles_total{desk=\"a\",status=\"ok\"} 2\nnewswire_articles_total{desk=\"b\",status=\"ok\"} 1\n\
        # HELP newswire_queue_depth Work waiting.\n# TYPE newswire_queue_depth gauge\n\
        newswire_queue_depth{desk=\"b\",queue=\"articles\"} 0\n# EOF\n";

    #[test]
    fn a_caller_sees_only_its_desks() {
        let shown = only_desks(SAMPLE, &["a"]);
        assert!(shown.contains("desk=\"a\"") && !shown.contains("desk=\"b\""), "{shown}");
        assert!(shown.contains("# TYPE newswire_queue_depth gauge"), "families stay, empty");
    }

    #[test]
    fn the_text_format_names_counters_by_their_samples() {
        let text = as_text_004(SAMPLE);
        assert!(text
            .starts_with("# HELP newswire_articles_total Articles ended.\n# TYPE newswire_articles_total counter\n"));
        assert!(text.contains("# TYPE newswire_queue_depth gauge"));
        assert!(!text.contains("# EOF"));
    }
}
