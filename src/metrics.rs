//! Process-wide measurements that the stages record and the console exposes at `/metrics`: only
//! what neither the store nor a run's report can tell afterwards.

use std::sync::LazyLock;
use std::time::Duration;

use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};

/// Labels: the desk and the partner.
pub type PartnerLabel = Vec<(&'static str, String)>;

type Histograms = Family<PartnerLabel, Histogram, fn() -> Histogram>;

/// How long each delivery attempt took, per desk and partner: 5 ms to about 80 s.
pub static ATTEMPT_SECONDS: LazyLock<Histograms> =
    LazyLock::new(|| Family::new_with_constructor(|| Histogram::new(exponential_buckets(0.005, 2.0, 15))));

/// Records one delivery attempt.
pub fn attempt_made(desk: &str, partner: &str, took: Duration) {
    let labels = vec![("desk", desk.to_string()), ("partner", partner.to_string())];
    ATTEMPT_SECONDS.get_or_create(&labels).observe(took.as_secs_f64());
}
