//! The pipeline: ingest → clean → detect → translate → syndicate, each stage a tokio task joined
//! to the next by a bounded channel, so a slow stage holds the others back instead of filling
//! memory. CPU work (cleaning, detection) runs off the async threads. Every article ends in the
//! report, whatever happened to it.

pub mod check;
pub mod claims;
pub mod deliveries;
mod progress;
pub mod report;
pub mod review;
pub mod single;
pub mod stages;
mod syndicate_stage;

use std::sync::Arc;

use futures::future::join_all;
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::clean::{ArticleCleaner, Cleaner};
use crate::config::{Pipeline, Target};
use crate::detect::{Detector, Policy};
use crate::ingest::{self, Ingested, Limits, WebClient};
use crate::model::{Article, Content, RawPage, Translation};
use crate::outbound::{OutboundPolicy, SystemLookup};
use crate::secret::redact;
use crate::store::Store;
use crate::syndicate;
use crate::translate::{Registers, TranslateError};
use claims::HeldPage;
pub use report::deliver_report;
pub use report::{ArticleReport, DeliveryReport, JsonReport, Report, Status, TranslationReport};

/// Pages and articles in flight between two stages.
const CHANNEL_CAPACITY: usize = 8;

#[derive(Clone, Default)]
pub struct RunOptions {
    /// Replaces the pipeline's sources when not empty.
    pub inputs: Vec<String>,
    pub dry_run: bool,
    pub progress: bool,
    /// Replaces the pipeline's state store.
    pub state: Option<crate::store::Location>,
    /// The desk's store, already open (the console shares one with the desk's other loops).
    pub store: Option<Arc<dyn Store>>,
    /// Work on the pages other workers abandoned (`newswire work`) instead of the sources, until
    /// this turns true.
    pub abandoned: Option<tokio::sync::watch::Receiver<bool>>,
    /// Work on the pages handed over here (by the console's API) instead of the sources, until
    /// every sender is gone (and on abandoned pages too, until `abandoned` turns true).
    pub feed: Option<Feed>,
}

/// The receiving end of a [`Feed`]: pages, each with its claim.
type FedPages = mpsc::Receiver<(RawPage, HeldPage)>;

/// Pages another part of the process hands to a running pipeline, each already claimed.
#[derive(Clone)]
pub struct Feed(Arc<std::sync::Mutex<Option<FedPages>>>);

impl Feed {
    /// A feed and its sender; the pipeline ends once the sender and its clones are dropped.
    pub fn new() -> (mpsc::Sender<(RawPage, HeldPage)>, Feed) {
        let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
        (tx, Feed(Arc::new(std::sync::Mutex::new(Some(rx)))))
    }

    fn take(&self) -> Option<FedPages> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take()
    }
}

impl std::fmt::Debug for Feed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Feed")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Setup(#[from] syndicate::SetupError),
    #[error("templates: {0}")]
    Templates(#[from] crate::syndicate::templates::TemplateError),
    #[error(transparent)]
    Ingest(#[from] ingest::IngestError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("no partner named {0:?}")]
    UnknownPartner(String),
    #[error("no delivery {0} in the log")]
    UnknownDelivery(String),
}

/// An article after clean and detect: ready to translate, or already settled.
enum Prepared {
    Ready(Box<Article>, ArticleReport),
    Settled(ArticleReport),
}

pub(crate) struct Translated {
    pub(crate) article: Arc<Article>,
    pub(crate) report: ArticleReport,
    pub(crate) translations: Vec<Translation>,
    pub(crate) held: Option<HeldPage>,
}

/// A page, and the store's claim on it when this process holds one.
type Work = (Ingested, Option<HeldPage>);
/// An article's report, and the claim to let go once it is written.
pub(crate) type Done = (ArticleReport, Option<HeldPage>);

/// Runs a desk over its sources; each article's report goes to `on_article` as the article ends.
pub async fn run<F: FnMut(&ArticleReport)>(
    pipeline: &Pipeline,
    options: RunOptions,
    on_article: &mut F,
) -> Result<Report, RunError> {
    let limits = Limits { max_bytes: pipeline.source.max_bytes, timeout: pipeline.source.timeout };
    let fed = options.feed.as_ref().and_then(Feed::take);
    let sources = if options.abandoned.is_some() || fed.is_some() {
        Vec::new()
    } else if options.inputs.is_empty() {
        ingest::sources(&pipeline.source.paths, &pipeline.source.urls, &pipeline.source.feeds, &limits)?
    } else {
        let (paths, urls) = ingest::split_inputs(&options.inputs);
        ingest::sources(&paths, &urls, &[], &limits)?
    };
    let store = match options.store.clone() {
        Some(store) => store,
        None => stages::store(pipeline, options.state.as_ref()).await?,
    };
    let (channels, deliverer) = stages::delivery(pipeline, store.clone())?;
    let deliverer = Arc::new(deliverer);
    let cleaner = stages::cleaner();
    let detector = stages::detector(pipeline.detect.languages.clone()).await;
    let translator =
        stages::translator(pipeline, Some(store.clone())).with_detector(stages::target_detector(pipeline).await);
    for err in translator.warm_up().await {
        eprintln!("warning: {}: its pairs are unknown, so it is skipped", redact(&err.to_string()));
    }
    let registers = stages::registers(pipeline, &store, translator).await;
    let bar = progress::bar(options.progress);

    let (page_tx, page_rx) = mpsc::channel::<Work>(CHANNEL_CAPACITY);
    let (prepared_tx, prepared_rx) = mpsc::channel::<(Prepared, Option<HeldPage>)>(CHANNEL_CAPACITY);
    let (translated_tx, translated_rx) = mpsc::channel::<Translated>(CHANNEL_CAPACITY);
    let (done_tx, mut done_rx) = mpsc::channel::<Done>(CHANNEL_CAPACITY);

    // Pages the CMS gave only as a URL are fetched within the desk's outbound policy.
    let api_web = WebClient::guarded(&limits, OutboundPolicy::of_desk(&pipeline.serve), Arc::new(SystemLookup))
        .map_err(RunError::Ingest)?;
    let ingest = match (options.abandoned.clone(), fed) {
        // Handed-over pages, and those of dead workers too when asked (the console does both).
        (abandoned, Some(mut fed)) => {
            let taken_up = abandoned.map(|stop| {
                abandoned_pages(store.clone(), pipeline.work.clone(), stop, page_tx.clone(), api_web.clone())
            });
            tokio::spawn(async move {
                let forward = async move {
                    while let Some((page, held)) = fed.recv().await {
                        if !pass_on(page, Some(held), &page_tx, &api_web).await {
                            return;
                        }
                    }
                };
                match taken_up {
                    Some(taken_up) => {
                        futures::join!(forward, taken_up);
                    }
                    None => forward.await,
                }
            })
        }
        (Some(stop), None) => {
            tokio::spawn(abandoned_pages(store.clone(), pipeline.work.clone(), stop, page_tx, api_web))
        }
        (None, None) => tokio::spawn(async move {
            let (source_tx, mut source_rx) = mpsc::channel::<Ingested>(CHANNEL_CAPACITY);
            let read = async move {
                for source in sources {
                    source.pages(&source_tx).await;
                }
            };
            let forward = async move {
                while let Some(page) = source_rx.recv().await {
                    if page_tx.send((page, None)).await.is_err() {
                        return;
                    }
                }
            };
            futures::join!(read, forward);
        }),
    };
    // A dry run sends nothing, so it claims nothing either.
    let claims = match options.dry_run {
        true => None,
        false => {
            let since = store.clock_ms().await?;
            store.forget_done_pages(since - FORGET_DONE_PAGES_AFTER_MS).await?;
            Some(Claims { store: store.clone(), lease: pipeline.work.lease, since })
        }
    };
    let prepare =
        tokio::spawn(prepare_stage(page_rx, prepared_tx, cleaner, detector, pipeline.clone(), store.clone(), claims));
    let translate = tokio::spawn(translate_stage(
        prepared_rx,
        translated_tx,
        done_tx.clone(),
        registers.clone(),
        pipeline.targets(),
        options.dry_run,
    ));
    let syndicate = tokio::spawn(syndicate_stage::run(
        translated_rx,
        done_tx,
        channels,
        deliverer,
        pipeline.name.clone(),
        options.dry_run,
    ));

    let mut report = Report::start(&pipeline.name, options.dry_run);
    let run_id = uuid::Uuid::new_v4().to_string();
    record_run(store.as_ref(), &run_id, &report, false).await;
    let mut recorded = std::time::Instant::now();
    while let Some((article, held)) = done_rx.recv().await {
        if recorded.elapsed() >= RECORD_RUN_EVERY {
            record_run(store.as_ref(), &run_id, &report.clone().with_prices(&pipeline.backends), false).await;
            recorded = std::time::Instant::now();
        }
        bar.inc(1);
        bar.set_message(redact(&article.source).into_owned());
        report.add(&article);
        on_article(&article);
        if let Some(held) = held {
            held.done(store.as_ref()).await;
        }
    }
    for task in [ingest, prepare, translate, syndicate] {
        task.await.expect("a pipeline stage panicked");
    }
    bar.finish_and_clear();
    let report = report.with_requests(registers.request_counts()).with_prices(&pipeline.backends);
    record_run(store.as_ref(), &run_id, &report, true).await;
    if report.totals.over_budget > 0 && !options.dry_run {
        tell_staff_over_budget(pipeline, store.as_ref(), &report).await;
    }
    Ok(report)
}

/// Tells the staff (`staff_email`), once a day however many runs and workers find it, that
/// translations wait for the budget.
async fn tell_staff_over_budget(pipeline: &Pipeline, store: &dyn Store, report: &Report) {
    let (Some(staff), Some(email)) = (&pipeline.delivery.staff_email, &pipeline.email) else { return };
    match store.first_today("over budget").await {
        Ok(true) => {}
        Ok(false) => return,
        Err(err) => return tracing::warn!(error = %err, "whether the staff were told of the budget is unknown"),
    }
    let body = format!(
        "The {desk} desk's translations are over budget: {waiting} wait{s} for the next day or month.\n\n{summary}\n\
         They are made by a run after the period turns; [budget] in the pipeline file sets the limits.\n",
        desk = pipeline.name,
        waiting = report.totals.over_budget,
        s = if report.totals.over_budget == 1 { "s" } else { "" },
        summary = report.summary(),
    );
    let subject = format!("newswire: the {} desk is over budget", pipeline.name);
    let sent = match crate::syndicate::email::Mailer::new(email) {
        Ok(mailer) => {
            mailer.send_text(staff, &subject, body, pipeline.delivery.timeout).await.map_err(|e| e.to_string())
        }
        Err(err) => Err(err),
    };
    if let Err(err) = sent {
        tracing::warn!(error = %redact(&err), "the staff could not be told of the budget");
    }
}

/// How often a long run's report so far is written to the run log.
const RECORD_RUN_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Writes the run's report to the store's run log, where the console shows it.
async fn record_run(store: &dyn Store, id: &str, report: &Report, finished: bool) {
    let mut json = serde_json::to_value(report).expect("a report serialises");
    json["summary"] = serde_json::Value::String(report.summary());
    if let Err(err) = store.record_run(id, &report.pipeline, &json.to_string(), finished).await {
        tracing::warn!(error = %err, "the run log could not be written");
    }
}

/// Pages done this long ago leave the store: only runs that overlap need to know of them.
const FORGET_DONE_PAGES_AFTER_MS: i64 = 24 * 3600 * 1000;

/// How this run claims its pages: for so long, skipping those other workers did since it began.
struct Claims {
    store: Arc<dyn Store>,
    lease: std::time::Duration,
    since: i64,
}

/// Sends a held page on to be worked on; one the CMS gave only as a URL is fetched first, on a
/// task of its own so that a slow site holds up no other page. False once nobody listens.
async fn pass_on(page: RawPage, held: Option<HeldPage>, out: &mpsc::Sender<Work>, web: &WebClient) -> bool {
    if !page.unfetched {
        return out.send((Ok(page), held)).await.is_ok();
    }
    let (sender, web) = (out.clone(), web.clone());
    tokio::spawn(async move {
        let url = page.url.clone().unwrap_or_default();
        let fetched = web.fetch_page(&url).await.map(|fetched| RawPage {
            source: page.source,
            submitted: page.submitted,
            ..fetched
        });
        let _ = sender.send((fetched, held)).await;
    });
    !out.is_closed()
}

/// The pages whose worker died, claimed as their leases run out, until `stop`.
async fn abandoned_pages(
    store: Arc<dyn Store>,
    work: crate::config::WorkConfig,
    mut stop: tokio::sync::watch::Receiver<bool>,
    out: mpsc::Sender<Work>,
    web: WebClient,
) {
    while !*stop.borrow() {
        let claimed = match store.claim_abandoned_pages(CHANNEL_CAPACITY, work.lease).await {
            Ok(claimed) => claimed,
            Err(err) => {
                tracing::warn!(error = %err, "cannot look for abandoned pages");
                Vec::new()
            }
        };
        if claimed.is_empty() {
            tokio::select! {
                _ = tokio::time::sleep(work.poll) => {}
                _ = stop.changed() => {}
            }
            continue;
        }
        for (lease, json) in claimed {
            let held = HeldPage::keep(store.clone(), lease, work.lease);
            let passed = match serde_json::from_str::<RawPage>(&json) {
                Ok(page) => pass_on(page, Some(held), &out, &web).await,
                Err(err) => {
                    let unreadable =
                        ingest::IngestError::permanent("(abandoned page)", format!("unreadable in the store: {err}"));
                    out.send((Err(unreadable), Some(held))).await.is_ok()
                }
            };
            if !passed {
                return;
            }
        }
    }
}

async fn prepare_stage(
    mut pages: mpsc::Receiver<Work>,
    out: mpsc::Sender<(Prepared, Option<HeldPage>)>,
    cleaner: Arc<dyn Cleaner>,
    detector: Arc<dyn Detector>,
    pipeline: Pipeline,
    store: Arc<dyn Store>,
    claims: Option<Claims>,
) {
    let pipeline = Arc::new(pipeline);
    while let Some((page, mut held)) = pages.recv().await {
        if let (Ok(page), None, Some(claims)) = (&page, &held, &claims) {
            match claims::claim(&claims.store, page, claims.lease, claims.since).await {
                Ok(Ok(claim)) => held = Some(claim),
                Ok(Err(why)) => {
                    let mut busy = ArticleReport::failed(&page.source, why.into());
                    busy.status = Status::Skipped;
                    if out.send((Prepared::Settled(busy), None)).await.is_err() {
                        return;
                    }
                    continue;
                }
                Err(err) => {
                    if out
                        .send((Prepared::Settled(ArticleReport::failed(&page.source, err.to_string())), None))
                        .await
                        .is_err()
                    {
                        return;
                    }
                    continue;
                }
            }
        }
        let prepared = match page {
            Err(err) => Prepared::Settled(ArticleReport::failed(&err.input, err.problem)),
            Ok(page) => {
                let cleaner = cleaner.clone();
                let detector = detector.clone();
                let pipeline = pipeline.clone();
                let source = page.source.clone();
                let prepared =
                    tokio::task::spawn_blocking(move || prepare(&page, cleaner.as_ref(), detector.as_ref(), &pipeline))
                        .await
                        .unwrap_or_else(|err| {
                            Prepared::Settled(ArticleReport::failed(&source, format!("internal error: {err}")))
                        });
                with_version(prepared, store.as_ref()).await
            }
        };
        if out.send((prepared, held)).await.is_err() {
            return;
        }
    }
}

/// Numbers a prepared article's content: the store knows which versions were seen before.
async fn with_version(prepared: Prepared, store: &dyn Store) -> Prepared {
    let Prepared::Ready(mut article, report) = prepared else { return prepared };
    match store.article_version(&article.id, &article.content_hash).await {
        Ok(version) => {
            article.version = version;
            Prepared::Ready(article, report)
        }
        Err(err) => Prepared::Settled(ArticleReport::failed(&article.source, err.to_string())),
    }
}

/// What translating one page for the desk would send and cost, with nothing sent (the API's dry
/// run): cleaned, detected and counted as a run would, the translation memory consulted.
pub async fn estimate_page(
    page: RawPage,
    pipeline: &Pipeline,
    detector: Arc<dyn Detector>,
    registers: &Registers,
) -> ArticleReport {
    let desk = pipeline.clone();
    let prepared = tokio::task::spawn_blocking(move || prepare(&page, &ArticleCleaner, detector.as_ref(), &desk))
        .await
        .expect("cleaning and detecting do not panic");
    match translate_one(prepared, registers, &pipeline.targets(), true).await {
        Ok(translated) => translated.report,
        Err(settled) => settled,
    }
}

/// Clean and detect one page.
fn prepare(page: &RawPage, cleaner: &dyn Cleaner, detector: &dyn Detector, pipeline: &Pipeline) -> Prepared {
    let mut article = match cleaner.clean(page) {
        Ok(article) => article,
        Err(err) => return Prepared::Settled(ArticleReport::failed(&page.source, err.to_string())),
    };
    let text = article.plain_text();
    let detection = detector.detect(&text);
    let mut report = ArticleReport {
        id: article.id.clone(),
        source: article.source.clone(),
        title: Some(article.title.clone()),
        language: detection.language.clone(),
        confidence: Some((detection.confidence * 1000.0).round() / 1000.0),
        status: Status::Ok,
        error: None,
        translations: Vec::new(),
        deliveries: Vec::new(),
    };
    let policy = Policy { languages: &pipeline.detect.languages, min_confidence: pipeline.detect.min_confidence };
    let language = match policy.accept(&detection, &text, article.declared_language.as_deref()) {
        Ok(language) => language,
        Err(reason) => {
            report.status = Status::Skipped;
            report.error = Some(reason);
            return Prepared::Settled(report);
        }
    };
    tracing::debug!(source = %page.source, %language, confidence = detection.confidence, blocks = article.blocks.len(), "article ready");
    article.language = Some(language);
    article.confidence = detection.confidence;
    crate::detect::mixed::mark_languages(&mut article, detector);
    Prepared::Ready(Box::new(article), report)
}

/// Articles translated at once: enough to keep every backend's request slots busy and to fill
/// shared requests while they are; the backends' concurrency decides what is really in flight.
pub const ARTICLES_IN_FLIGHT: usize = 64;

async fn translate_stage(
    articles: mpsc::Receiver<(Prepared, Option<HeldPage>)>,
    out: mpsc::Sender<Translated>,
    done: mpsc::Sender<Done>,
    translator: Registers,
    targets: Vec<Target>,
    dry_run: bool,
) {
    let incoming = futures::stream::unfold(articles, |mut rx| async { rx.recv().await.map(|item| (item, rx)) });
    let targets = Arc::new(targets);
    // Each article is translated on a task of its own: while this loop waits for room downstream,
    // the translations go on and give their store connections back (a future that is not polled
    // would keep one, and the stages downstream wait for connections).
    let translated = incoming
        .map(|(prepared, held)| {
            let (translator, targets) = (translator.clone(), targets.clone());
            tokio::spawn(async move {
                // The page went to another worker meanwhile: it translates it, not this one.
                if held.as_ref().is_some_and(HeldPage::is_lost) {
                    return (Err(left_to_another(prepared)), held);
                }
                (translate_one(prepared, &translator, &targets, dry_run).await, held)
            })
        })
        .buffered(ARTICLES_IN_FLIGHT);
    let mut translated = std::pin::pin!(translated);
    while let Some(joined) = translated.next().await {
        let (result, held) = joined.expect("translating an article does not panic");
        let sent = match result {
            Err(settled) => done.send((settled, held)).await.is_ok(),
            Ok(item) => out.send(Translated { held, ..item }).await.is_ok(),
        };
        if !sent {
            return;
        }
    }
}

/// Translates one article into every target (a language, in the cut partners take); a settled
/// article passes through. The whole stories go first, so that a headline or a lede finds its
/// segments in the translation memory instead of being sent twice. A dry run only counts what
/// would be sent.
async fn translate_one(
    prepared: Prepared,
    registers: &Registers,
    targets: &[Target],
    dry_run: bool,
) -> Result<Translated, ArticleReport> {
    let (article, mut report) = match prepared {
        Prepared::Settled(report) => return Err(report),
        Prepared::Ready(article, report) => (article, report),
    };
    let source = article.language.clone().unwrap_or_default();
    let mut translations = vec![Translation::original(&article)];
    let mut cuts: Vec<Content> = targets.iter().map(|t| t.content).collect();
    cuts.sort();
    cuts.dedup();
    let mut results = Vec::new();
    let counted = crate::translate::Counted::default();
    for cut in cuts {
        let story = article.cut(cut);
        if !cut.is_full() {
            translations.push(Translation { content: cut, ..Translation::original(&story) });
        }
        let wanted: Vec<&Target> = targets.iter().filter(|t| t.content == cut && t.language != source).collect();
        let made = join_all(wanted.iter().map(|target| async {
            let (to, translator) = (&target.language, registers.get(&target.voice));
            match dry_run {
                true => translator.estimate(&story, to, &counted).await,
                false => translator.translate(&story, to).await,
            }
        }))
        .await;
        results.extend(wanted.into_iter().zip(made).map(|(target, made)| {
            let made = made.map(|t| Translation { content: cut, voice: target.voice.clone(), ..t });
            (&target.language, cut, target.voice.clone(), made)
        }));
    }
    for (to, cut, voice, result) in results {
        report.translations.push(match result {
            Ok(translation) => {
                let (status, error) = match &translation.unusable {
                    None => (Status::Ok, None),
                    Some(why) => {
                        (Status::Held, Some(format!("no backend gave a usable answer, kept for review: {why}")))
                    }
                };
                let report = TranslationReport {
                    language: to.clone(),
                    backend: translation.backend.clone(),
                    status,
                    error,
                    chars_sent: translation.chars_sent,
                    chars_cached: translation.chars_cached,
                    flags: translation.flags(),
                    engines: translation.engines(),
                    escalations: translation.escalations.clone(),
                    path: report::Hop::of(&translation, &source),
                    content: cut,
                    voice,
                };
                translations.push(translation);
                report
            }
            Err(err @ TranslateError::OverBudget { .. }) => TranslationReport {
                content: cut,
                voice,
                ..TranslationReport::without(to, backend_of(&err), Status::OverBudget, err.to_string())
            },
            Err(err @ TranslateError::Unsupported { .. }) => TranslationReport {
                content: cut,
                voice,
                ..TranslationReport::without(to, None, Status::Skipped, err.to_string())
            },
            Err(err) => {
                let retry = if err.is_transient() { " (transient: the next run tries again)" } else { "" };
                let error = format!("{err}{retry}");
                TranslationReport {
                    content: cut,
                    voice,
                    ..TranslationReport::without(to, backend_of(&err), Status::Failed, error)
                }
            }
        });
    }
    Ok(Translated { article: Arc::new(*article), report, translations, held: None })
}

/// The report of an article whose page another worker took over before it was translated.
fn left_to_another(prepared: Prepared) -> ArticleReport {
    match prepared {
        Prepared::Settled(report) => report,
        Prepared::Ready(_, mut report) => {
            report.status = Status::Skipped;
            report.error = Some("its page's claim ran out and another worker took it up".to_string());
            report
        }
    }
}

fn backend_of(err: &TranslateError) -> Option<String> {
    match err {
        TranslateError::Backend { backend, .. }
        | TranslateError::Verification { backend, .. }
        | TranslateError::OverBudget { backend, .. } => Some(backend.clone()),
        TranslateError::Unsupported { .. } => None,
    }
}
