//! The syndicate stage: each partner has its own queue and its own workers, so a dead or slow
//! partner never delays the others; an article's report goes out when all its deliveries ended.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;
use tokio::sync::mpsc;

use super::claims::HeldPage;
use super::report::{ArticleReport, DeliveryReport, Status, HELD};
use super::{Done, Translated};
use crate::config::Partner;
use crate::model::{delivery_id, Content, Voice};
use crate::store::{ReviewState, Store};
use crate::syndicate::deliver::{Deliverer, SendMode};
use crate::syndicate::{partner_languages, Breaker, Channel, Event, PartnerChannel, PartnerCopy};

/// Copies waiting in one partner's queue.
const PARTNER_QUEUE: usize = 32;

struct Job {
    article: usize,
    index: usize,
    copy: PartnerCopy,
    report: DeliveryReport,
}

type Finished = (usize, usize, DeliveryReport);

pub(super) async fn run(
    mut items: mpsc::Receiver<Translated>,
    done: mpsc::Sender<Done>,
    channels: Vec<PartnerChannel>,
    deliverer: Arc<Deliverer>,
    desk: String,
    dry_run: bool,
) {
    let (finished_tx, mut finished) = mpsc::unbounded_channel::<Finished>();
    let mut queues: HashMap<String, mpsc::Sender<Job>> = HashMap::new();
    for (partner, channel) in &channels {
        let (tx, rx) = mpsc::channel::<Job>(PARTNER_QUEUE);
        queues.insert(partner.name.clone(), tx);
        tokio::spawn(partner_worker(rx, partner.clone(), channel.clone(), deliverer.clone(), finished_tx.clone()));
    }
    drop(finished_tx);
    let mut pending: HashMap<usize, (ArticleReport, usize, Option<HeldPage>)> = HashMap::new();
    let mut next_key = 0;
    let mut items_open = true;
    loop {
        // Ended deliveries first: an article's report leaves as soon as its last delivery ends,
        // and nothing piles up while new articles keep coming.
        tokio::select! {
            biased;
            result = finished.recv() => {
                let Some((key, index, delivery)) = result else { break };
                let Some(entry) = pending.get_mut(&key) else { continue };
                entry.0.deliveries[index] = delivery;
                entry.1 -= 1;
                if entry.1 == 0 {
                    let (mut report, _, held) = pending.remove(&key).expect("present");
                    report.settle();
                    if done.send((report, held)).await.is_err() {
                        return;
                    }
                }
                if !items_open && pending.is_empty() {
                    break;
                }
            }
            item = items.recv(), if items_open => {
                let Some(mut item) = item else {
                    items_open = false;
                    queues.clear();
                    if pending.is_empty() {
                        break;
                    }
                    continue;
                };
                let key = next_key;
                next_key += 1;
                let held = item.held.take();
                let (mut report, jobs) = plan(item, key, &channels, &desk, dry_run, deliverer.store().as_ref()).await;
                if jobs.is_empty() {
                    report.settle();
                    if done.send((report, held)).await.is_err() {
                        return;
                    }
                    continue;
                }
                pending.insert(key, (report, jobs.len(), held));
                for job in jobs {
                    let queue = &queues[&job.copy.partner];
                    if queue.send(job).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// A translation's language, cut and voice: which partners' copies it makes.
type Variant = (String, Content, Voice);

fn variant_of(translation: &crate::model::Translation) -> Variant {
    (translation.language.clone(), translation.content, translation.voice.clone())
}

/// Whether a partner's copy is made from this translation (or original): the cut it takes, and
/// for a translation the voice it asked for.
fn takes(partner: &Partner, translation: &crate::model::Translation) -> bool {
    translation.content == partner.content && (translation.backend.is_none() || translation.voice == partner.voice)
}

/// An article's deliveries: the report with one entry per (partner, language), and the copies
/// to send. Entries that need no sending (no copy in that language, a dry run) are final already.
async fn plan(
    item: Translated,
    key: usize,
    channels: &[PartnerChannel],
    desk: &str,
    dry_run: bool,
    store: &dyn Store,
) -> (ArticleReport, Vec<Job>) {
    let Translated { article, mut report, translations, .. } = item;
    let mut jobs = Vec::new();
    let killed = store.is_killed(&article.id).await.unwrap_or(false);
    // Each language is rendered once per cut, voice, layout and style, whatever the number of
    // partners that get it.
    let mut rendered: HashMap<(Variant, (bool, Option<String>)), PartnerCopy> = HashMap::new();
    let source = article.language.as_deref().unwrap_or("und");
    let plain = article.plain_text();
    // Copies waiting for an editor, per language and cut, with their place in the report.
    let mut held: HashMap<Variant, Vec<(PartnerCopy, usize)>> = HashMap::new();
    for (partner, _) in channels {
        let refused = partner.refuses(article.section.as_deref(), &plain);
        for language in partner_languages(partner, &translations) {
            let id = delivery_id(&article.id, &article.content_hash, &language, &partner.name);
            let mut delivery = DeliveryReport {
                id: id.clone(),
                partner: partner.name.clone(),
                channel: partner.channel.name().to_string(),
                language: language.clone(),
                status: Status::Skipped,
                error: None,
                attempts: 0,
            };
            match translations.iter().find(|t| t.language == language && takes(partner, t)) {
                None => {
                    let why = report
                        .translations
                        .iter()
                        .find(|t| t.language == language && t.content == partner.content && t.voice == partner.voice)
                        .and_then(|t| t.error.clone())
                        .unwrap_or_else(|| "no copy in this language".into());
                    delivery.error = Some(format!("no {language} copy: {why}"));
                }
                Some(_) if dry_run => delivery.error = Some("dry run".into()),
                Some(_) if killed => delivery.error = Some("the article was killed".into()),
                Some(_) if refused.is_some() => delivery.error = refused.clone(),
                Some(translation)
                    if translation.unusable.is_some() && partner.review.mode == crate::config::ReviewMode::Never =>
                {
                    delivery.status = Status::Failed;
                    delivery.error = Some(format!(
                        "no backend gave a usable {language} translation, and {} takes no reviewed copies",
                        partner.name
                    ));
                }
                Some(translation) => match store.delivered_version(&article.id, &language, &partner.name).await {
                    Ok(Some(delivered)) if delivered > article.version => {
                        delivery.error =
                            Some(format!("version {delivered} was delivered; version {} is older", article.version));
                    }
                    Ok(delivered) => {
                        let style = partner.style_for(&language);
                        let layout = (partner.bilingual, style.map(|s| s.locale().to_string()));
                        let rendered = rendered.entry((variant_of(translation), layout)).or_insert_with(|| {
                            let styled = style.map(|s| s.apply(translation, source));
                            let translation = styled.as_ref().unwrap_or(translation);
                            let copy = PartnerCopy::rendered(&article, translation, desk);
                            if partner.bilingual {
                                copy.bilingual(translation)
                            } else {
                                copy
                            }
                        });
                        let mut copy = rendered.to(partner);
                        if delivered.is_some_and(|v| v < article.version) {
                            copy.event = Event::Corrected;
                        }
                        let unreviewed = translation.backend.is_some() && translation.reviewed.is_none();
                        if unreviewed && partner.review.holds(&translation.flags(), translation.unusable.is_some()) {
                            held.entry(variant_of(translation)).or_default().push((copy, report.deliveries.len()));
                        } else {
                            jobs.push(Job {
                                article: key,
                                index: report.deliveries.len(),
                                copy,
                                report: delivery.clone(),
                            });
                        }
                    }
                    Err(err) => {
                        delivery.status = Status::Failed;
                        delivery.error = Some(err.to_string());
                    }
                },
            }
            report.deliveries.push(delivery);
        }
    }
    if !dry_run {
        hold(store, &article, &translations, held, channels, &mut report).await;
    }
    (report, jobs)
}

/// Records each flagged translation, and holds the copies that wait for an editor.
async fn hold(
    store: &dyn Store,
    article: &Arc<crate::model::Article>,
    translations: &[crate::model::Translation],
    mut held: HashMap<Variant, Vec<(PartnerCopy, usize)>>,
    channels: &[PartnerChannel],
    report: &mut ArticleReport,
) {
    for translation in translations.iter().filter(|t| t.backend.is_some()) {
        let waiting = held.remove(&variant_of(translation)).unwrap_or_default();
        if waiting.is_empty() && translation.flags().is_empty() {
            continue;
        }
        let copies: Vec<(PartnerCopy, &str)> = waiting
            .iter()
            .map(|(copy, _)| {
                let channel = channels.iter().find(|(p, _)| p.name == copy.partner).map(|(p, _)| p.channel.name());
                (copy.clone(), channel.unwrap_or_default())
            })
            .collect();
        let recorded = super::review::record(store, article, translation, &copies).await;
        for (_, index) in &waiting {
            let delivery = &mut report.deliveries[*index];
            match &recorded {
                Ok(ReviewState::InReview) => {
                    delivery.status = Status::Held;
                    delivery.error = Some(HELD.to_string());
                }
                Ok(_) => delivery.error = Some("reviewed and released before: `newswire deliveries` has it".into()),
                Err(err) => {
                    delivery.status = Status::Failed;
                    delivery.error = Some(format!("could not be held for review: {err}"));
                }
            }
        }
        if let (Err(err), true) = (&recorded, waiting.is_empty()) {
            tracing::warn!(error = %err, article = %article.id, "the flags could not be recorded");
        }
    }
}

async fn partner_worker(
    queue: mpsc::Receiver<Job>,
    partner: Partner,
    channel: Arc<dyn Channel>,
    deliverer: Arc<Deliverer>,
    finished: mpsc::UnboundedSender<Finished>,
) {
    let jobs = futures::stream::unfold(queue, |mut rx| async { rx.recv().await.map(|job| (job, rx)) });
    let limiter = partner.rate_limit.map(|(count, per)| {
        let count = std::num::NonZeroU32::new(count.max(1)).expect("at least one");
        let quota = governor::Quota::with_period(per / count.get()).expect("a positive period").allow_burst(count);
        Arc::new(governor::RateLimiter::direct(quota))
    });
    let breaker = Arc::new(Breaker::new(deliverer.circuit_breaker()));
    jobs.for_each_concurrent(partner.concurrency, |mut job| {
        let breaker = breaker.clone();
        let deliverer = deliverer.clone();
        let channel = channel.clone();
        let finished = finished.clone();
        let channel_name = partner.channel.name();
        let limiter = limiter.clone();
        async move {
            if let Some(limiter) = &limiter {
                limiter.until_ready().await;
            }
            let deadline = Instant::now() + deliverer.max_wait();
            let outcome = deliverer
                .deliver(&job.copy, channel_name, channel.as_ref(), deadline, SendMode::Continue, &breaker)
                .await;
            job.report.apply(outcome);
            let _ = finished.send((job.article, job.index, job.report));
        }
    })
    .await;
}
