//! One desk as the console serves it: its pipeline, running for the pages the CMS hands over (and
//! those a dead worker left); its delivery and review logs; and what the console knows of the
//! articles it accepted.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::throttle::Throttle;
use crate::config::Pipeline;
use crate::detect::Detector;
use crate::model::RawPage;
use crate::outbound::OutboundPolicy;
use crate::pipeline::claims::{self, HeldPage};
use crate::pipeline::deliveries::DeliveryLog;
use crate::pipeline::review::ReviewDesk;
use crate::pipeline::stages;
use crate::pipeline::{self, ArticleReport, Feed, Report, RunError, RunOptions};
use crate::store::{Store, StoreError};
use crate::translate::Registers;

/// Accepted articles kept in memory before the finished ones older than an hour are forgotten.
const REMEMBERED: usize = 50_000;

pub struct Desk {
    pub pipeline: Pipeline,
    pub reviews: ReviewDesk,
    /// Where the URLs the API is given may lead.
    pub outbound: OutboundPolicy,
    /// Submissions per token or person and minute.
    pub submissions: Throttle<String>,
    finished: Mutex<Option<mpsc::UnboundedSender<(String, String)>>>,
    feed: Mutex<Option<mpsc::Sender<(RawPage, HeldPage)>>>,
    run: Mutex<Option<JoinHandle<Result<Report, RunError>>>>,
    /// Stops taking up abandoned pages and sending retries and lifted embargoes as they fall due.
    closing: tokio::sync::watch::Sender<bool>,
    due: Mutex<Option<JoinHandle<()>>>,
    accepted: Arc<Mutex<Accepted>>,
    /// The detector and translator a dry run counts with, made at the first.
    estimator: tokio::sync::OnceCell<(Arc<dyn Detector>, Registers)>,
}

/// The articles this console accepted, by id, and the page sources that lead to them.
#[derive(Default)]
struct Accepted {
    articles: HashMap<String, Submission>,
    sources: HashMap<String, String>,
}

/// An accepted article: when, and its report once the pipeline is done.
#[derive(Debug, Clone)]
pub struct Submission {
    /// Unix seconds.
    pub accepted_at: i64,
    pub report: Option<ArticleReport>,
    /// Why it never reached the pipeline (its URL could not be fetched).
    pub error: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the desk is shutting down")]
    Closed,
}

impl Desk {
    /// Opens the desk's store and starts its pipeline; `finished` hears of each article it ends.
    pub async fn open(
        pipeline: Pipeline,
        finished: mpsc::UnboundedSender<(String, String)>,
    ) -> Result<Arc<Desk>, RunError> {
        let log = DeliveryLog::open(pipeline.clone(), None).await?;
        let (feed_tx, feed) = Feed::new();
        let accepted = Arc::new(Mutex::new(Accepted::default()));
        let submissions = Throttle::per_minute(pipeline.serve.submissions_per_minute);
        let outbound = OutboundPolicy::of_desk(&pipeline.serve);
        // Closing stops taking up dead workers' pages and sending what falls due.
        let (closing, closed) = tokio::sync::watch::channel(false);
        let run = {
            let (pipeline, accepted, finished) = (pipeline.clone(), accepted.clone(), finished.clone());
            let store = log.store().clone();
            let closed = closed.clone();
            tokio::spawn(async move {
                let desk = pipeline.name.clone();
                let mut on_article = |report: &ArticleReport| {
                    let id = lock(&accepted).finish(report);
                    let _ = finished.send((desk.clone(), id));
                };
                let options = RunOptions {
                    feed: Some(feed),
                    abandoned: Some(closed),
                    store: Some(store),
                    ..RunOptions::default()
                };
                pipeline::run(&pipeline, options, &mut on_article).await
            })
        };
        let due = tokio::spawn(send_due(log.clone(), closed));
        Ok(Arc::new(Desk {
            pipeline,
            reviews: ReviewDesk::new(log),
            closing,
            due: Mutex::new(Some(due)),
            outbound,
            submissions,
            finished: Mutex::new(Some(finished)),
            feed: Mutex::new(Some(feed_tx)),
            run: Mutex::new(Some(run)),
            accepted,
            estimator: tokio::sync::OnceCell::new(),
        }))
    }

    /// What the desk would send each backend for this page, and what it would cost, with nothing
    /// sent and nothing recorded.
    pub async fn estimate(&self, page: RawPage) -> ArticleReport {
        let (detector, registers) = self
            .estimator
            .get_or_init(|| async {
                let detector = stages::detector(self.pipeline.detect.languages.clone()).await;
                let translator = stages::translator(&self.pipeline, Some(self.store().clone()));
                for err in translator.warm_up().await {
                    tracing::warn!(desk = %self.name(), error = %err, "a backend's pairs are unknown");
                }
                (detector, stages::registers(&self.pipeline, self.store(), translator).await)
            })
            .await;
        pipeline::estimate_page(page, &self.pipeline, detector.clone(), registers).await
    }

    pub fn name(&self) -> &str {
        &self.pipeline.name
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        self.reviews.log().store()
    }

    pub fn log(&self) -> &DeliveryLog {
        self.reviews.log()
    }

    /// Accepts an article under `id`; its page goes to the pipeline later, once fetched.
    pub fn accept(&self, id: &str, now: i64) {
        let submission = Submission { accepted_at: now, report: None, error: None };
        let mut accepted = lock(&self.accepted);
        if accepted.articles.len() >= REMEMBERED {
            // The store still knows their deliveries and reviews.
            accepted.articles.retain(|_, s| s.report.is_none() && s.error.is_none() || s.accepted_at > now - 3600);
        }
        accepted.articles.insert(id.to_string(), submission);
    }

    /// Claims the article's page in the store, so that another worker takes it up should this
    /// process die, and hands it to the pipeline.
    pub async fn submit(&self, id: &str, page: RawPage) -> Result<(), SubmitError> {
        let store = self.store().clone();
        let since = store.clock_ms().await?;
        let held = match claims::claim(&store, &page, self.pipeline.work.lease, since).await? {
            Ok(held) => held,
            // The same page is being worked on: its result is this one's.
            Err(why) => {
                tracing::info!(article = %id, why, "page already claimed");
                return Ok(());
            }
        };
        lock(&self.accepted).sources.insert(page.source.clone(), id.to_string());
        let sender = lock(&self.feed).clone().ok_or(SubmitError::Closed)?;
        sender.send((page, held)).await.map_err(|_| SubmitError::Closed)
    }

    /// The article could not be handed to the pipeline: its story ends here.
    pub fn refuse(&self, id: &str, why: String) {
        if let Some(submission) = lock(&self.accepted).articles.get_mut(id) {
            submission.error = Some(why);
        }
        if let Some(finished) = lock(&self.finished).as_ref() {
            let _ = finished.send((self.name().to_string(), id.to_string()));
        }
    }

    pub fn submission(&self, id: &str) -> Option<Submission> {
        lock(&self.accepted).articles.get(id).cloned()
    }

    /// Articles waiting for the pipeline.
    pub fn queued(&self) -> usize {
        let accepted = lock(&self.accepted);
        accepted.articles.values().filter(|s| s.report.is_none() && s.error.is_none()).count()
    }

    /// Stops taking articles and waits for those in flight to end.
    pub async fn close(&self) -> Option<Report> {
        lock(&self.feed).take();
        lock(&self.finished).take();
        let _ = self.closing.send(true);
        let due = lock(&self.due).take();
        if let Some(due) = due {
            let _ = due.await;
        }
        let run = lock(&self.run).take()?;
        match run.await {
            Ok(Ok(report)) => Some(report),
            Ok(Err(err)) => {
                tracing::error!(desk = %self.name(), error = %err, "the desk's pipeline stopped");
                None
            }
            Err(err) => {
                tracing::error!(desk = %self.name(), error = %err, "the desk's pipeline panicked");
                None
            }
        }
    }
}

/// Sends what falls due (retries, lifted embargoes, attempts of dead workers) every `poll`,
/// as `newswire deliver --due` would, until told to stop.
async fn send_due(log: DeliveryLog, mut stop: tokio::sync::watch::Receiver<bool>) {
    let poll = log.pipeline().work.poll;
    while !*stop.borrow() {
        match log.send_due(&stop).await {
            Ok(reports) if !reports.is_empty() => {
                let delivered = reports.iter().filter(|r| r.status == crate::pipeline::Status::Ok).count();
                tracing::info!(desk = %log.pipeline().name, due = reports.len(), delivered, "due deliveries sent");
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(desk = %log.pipeline().name, error = %err, "due deliveries not sent"),
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = stop.changed() => {}
        }
    }
}

impl Accepted {
    /// Keeps an article's report; the id it was accepted under.
    fn finish(&mut self, report: &ArticleReport) -> String {
        let id = self.sources.remove(&report.source).unwrap_or_else(|| report.id.clone());
        if let Some(submission) = self.articles.get_mut(&id) {
            submission.report = Some(report.clone());
        }
        id
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
