//! `newswire work`: a long-running worker for a desk whose store is shared. It sends the
//! deliveries that fall due (retries, lifted embargoes, attempts whose worker died) and finishes
//! the pages other workers abandoned. SIGTERM or Ctrl-C: it stops claiming, finishes what it
//! holds, and exits 0.

use std::path::Path;

use anyhow::{Context, Result};
use tokio::sync::watch;

use super::deliveries::print_reports;
use super::{load_pipeline, ExitStatus};
use newswire::pipeline::deliveries::DeliveryLog;
use newswire::pipeline::{self, ArticleReport, RunOptions};
use newswire::secret::redact;
use newswire::store::Location;

pub async fn work(path: &Path, state: Option<String>) -> Result<ExitStatus> {
    let Some(pipeline) = load_pipeline(path) else { return Ok(ExitStatus::Unusable) };
    let state = state.as_deref().map(Location::parse);
    let (stop_tx, stop) = watch::channel(false);
    tokio::spawn(async move {
        stopped().await;
        eprintln!("newswire work: stopping; finishing what is in flight");
        let _ = stop_tx.send(true);
    });
    let log =
        DeliveryLog::open(pipeline.clone(), state.as_ref()).await.with_context(|| format!("{}", path.display()))?;
    eprintln!("newswire work: {} on {}", pipeline.name, state.as_ref().unwrap_or(&pipeline.state));

    let deliveries = async {
        let mut stop = stop.clone();
        while !*stop.borrow() {
            let reports = log.send_due(&stop).await?;
            print_reports(&reports);
            if reports.is_empty() {
                tokio::select! {
                    _ = tokio::time::sleep(pipeline.work.poll) => {}
                    _ = stop.changed() => {}
                }
            }
        }
        anyhow::Ok(())
    };
    let mut on_article = |article: &ArticleReport| {
        let what = format!("{:?}", article.status).to_lowercase();
        let why = article.error.as_deref().map(|e| format!(": {}", redact(e))).unwrap_or_default();
        println!("{what:<7} {}{why}", redact(&article.source));
    };
    let options = RunOptions { state: state.clone(), abandoned: Some(stop.clone()), ..RunOptions::default() };
    let pages = pipeline::run(&pipeline, options, &mut on_article);
    let (deliveries, pages) = tokio::join!(deliveries, pages);
    deliveries.with_context(|| format!("{}: the worker stopped", path.display()))?;
    pages.with_context(|| format!("{}: the worker stopped", path.display()))?;
    Ok(ExitStatus::Success)
}

/// SIGTERM or SIGINT.
async fn stopped() {
    let mut term =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("a SIGTERM handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
