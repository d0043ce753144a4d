//! The review gate in a run, and what `newswire review` does, as library calls the command line
//! (and later the console) share: hold a desk's copies for an editor, list what waits, and
//! release it, edited or approved, to the partners that wait for it.

use std::sync::Arc;

use super::deliveries::DeliveryLog;
use super::report::DeliveryReport;
use super::RunError;
use crate::model::{Article, Content, Reviewed, Translation, HUMAN};
use crate::review::Draft;
use crate::store::{
    DeliveryState, MemoryKey, NewDelivery, NewReview, Release, ReviewRecord, ReviewState, Store, StoreError,
};
use crate::syndicate::PartnerCopy;

/// Records a translation that the checks flagged or a partner waits to see reviewed, and holds
/// the copies (`held`, with their channel names) of the partners that wait. Its state after.
pub async fn record(
    store: &dyn Store,
    article: &Arc<Article>,
    translation: &Translation,
    held: &[(PartnerCopy, &str)],
) -> Result<ReviewState, StoreError> {
    let draft = Draft { article: article.cut(translation.content), translation: translation.clone() };
    let id = draft.id();
    let draft_json = serde_json::to_string(&draft).expect("a draft serialises");
    let copies: Vec<String> =
        held.iter().map(|(copy, _)| serde_json::to_string(copy).expect("a copy serialises")).collect();
    let deliveries: Vec<NewDelivery> = held
        .iter()
        .zip(&copies)
        .map(|((copy, channel), json)| NewDelivery {
            id: &copy.delivery_id,
            article: &article.id,
            content_hash: &article.content_hash,
            language: &copy.language,
            partner: &copy.partner,
            channel,
            copy: json,
        })
        .collect();
    let review = NewReview {
        id: &id,
        article: &article.id,
        content_hash: &article.content_hash,
        language: &translation.language,
        state: if held.is_empty() { ReviewState::Flagged } else { ReviewState::InReview },
        flags: draft.flagged_segments() as u32,
        draft: &draft_json,
    };
    store.record_review(&review, &deliveries).await
}

/// A review as `newswire review list` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Waiting {
    #[serde(flatten)]
    pub record: ReviewRecord,
    pub source: String,
    pub title: String,
    pub source_language: String,
    pub backend: Option<String>,
    /// Flags per name, over the segments.
    pub flag_counts: std::collections::BTreeMap<String, usize>,
    /// Partners whose copies wait for it.
    pub partners: Vec<String>,
    /// The cut of the story it holds, when not the whole.
    #[serde(skip_serializing_if = "Content::is_full")]
    pub content: Content,
    /// Seconds since it was held, by the store's clock.
    pub age_seconds: i64,
}

/// Why a review cannot be released.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no review waits for {0}")]
    Unknown(String),
    #[error("several reviews wait for {what} (one per cut or register of the story): name one of {} by its id", ids.join(", "))]
    Several { what: String, ids: Vec<String> },
    #[error("review {id} is {state}, not waiting for an editor")]
    NotWaiting { id: String, state: &'static str },
    #[error("{0} was killed: it is never delivered")]
    Killed(String),
    #[error("review {0}: its draft in the store is unreadable: {1}")]
    Unreadable(String, String),
}

/// A desk's review log.
pub struct ReviewDesk {
    log: DeliveryLog,
}

impl ReviewDesk {
    pub fn new(log: DeliveryLog) -> Self {
        ReviewDesk { log }
    }

    fn store(&self) -> &Arc<dyn Store> {
        self.log.store()
    }

    pub fn log(&self) -> &DeliveryLog {
        &self.log
    }

    /// What waits for an editor, oldest first.
    pub async fn waiting(&self) -> Result<Vec<(Waiting, Draft)>, ReviewError> {
        let now = self.store().clock_ms().await? / 1000;
        let mut out = Vec::new();
        for record in self.store().reviews(Some(ReviewState::InReview)).await? {
            let draft = self.draft(&record)?;
            let partners = self
                .store()
                .review_deliveries(&record.article, &record.content_hash, &record.language)
                .await?
                .into_iter()
                .filter(|d| d.state == DeliveryState::InReview && self.takes(&d.partner, &draft.translation))
                .map(|d| d.partner)
                .collect();
            let mut flag_counts = std::collections::BTreeMap::new();
            for finding in draft.translation.flags() {
                *flag_counts.entry(finding.flag.to_string()).or_insert(0) += 1;
            }
            let waiting = Waiting {
                source: draft.article.source.clone(),
                title: draft.article.title.clone(),
                source_language: draft.source_language().to_string(),
                backend: draft.translation.backend.clone(),
                flag_counts,
                partners,
                content: draft.translation.content,
                age_seconds: now - record.created_at,
                record,
            };
            out.push((waiting, draft));
        }
        Ok(out)
    }

    /// The review of an article in a language (the article id or the review id).
    pub async fn find(
        &self,
        article_or_id: &str,
        language: Option<&str>,
    ) -> Result<(ReviewRecord, Draft), ReviewError> {
        if let Some(record) = self.store().review(article_or_id).await? {
            let draft = self.draft(&record)?;
            return Ok((record, draft));
        }
        let mut found: Vec<ReviewRecord> = self
            .store()
            .reviews(Some(ReviewState::InReview))
            .await?
            .into_iter()
            .filter(|r| r.article == article_or_id && language.is_none_or(|l| r.language == l))
            .collect();
        let what = match language {
            Some(l) => format!("{article_or_id} in {l}"),
            None => article_or_id.to_string(),
        };
        if found.len() > 1 && found.iter().all(|r| r.language == found[0].language) {
            return Err(ReviewError::Several { what, ids: found.into_iter().map(|r| r.id).collect() });
        }
        let Some(record) = found.pop() else {
            return Err(ReviewError::Unknown(what));
        };
        let draft = self.draft(&record)?;
        Ok((record, draft))
    }

    /// Whether a partner takes this cut and register of a story (one no longer in the desk takes
    /// any).
    fn takes(&self, partner: &str, translation: &Translation) -> bool {
        let profile = self.log.pipeline().partners.iter().find(|p| p.name == partner);
        profile.is_none_or(|p| p.content == translation.content && p.voice == translation.voice)
    }

    fn draft(&self, record: &ReviewRecord) -> Result<Draft, ReviewError> {
        serde_json::from_str(&record.draft).map_err(|err| ReviewError::Unreadable(record.id.clone(), err.to_string()))
    }

    /// Releases a held translation with these segment targets ((index, inline HTML): an
    /// editor's text; none: approved as it is). Every segment goes into the translation memory
    /// as a person's, and the copies of the partners that waited are made again from it and sent.
    pub async fn release(
        &self,
        record: &ReviewRecord,
        draft: Draft,
        edits: &[(usize, String)],
        reviewer: Option<&str>,
    ) -> Result<Vec<DeliveryReport>, ReviewError> {
        if record.state != ReviewState::InReview {
            return Err(ReviewError::NotWaiting { id: record.id.clone(), state: record.state.as_str() });
        }
        if self.store().is_killed(&record.article).await? {
            return Err(ReviewError::Killed(record.article.clone()));
        }
        let Draft { article, translation } = draft;
        let mut translation = translation.with_targets(edits, HUMAN);
        for segment in &mut translation.segments {
            segment.backend = HUMAN.to_string();
            segment.flags.clear();
        }
        translation.unusable = None;
        translation.reviewed = Some(Reviewed { by: reviewer.map(str::to_string) });
        let from = article.language.clone().unwrap_or_default();
        let remembered: Vec<(String, String)> =
            translation.segments.iter().map(|s| (s.source.clone(), s.target.clone())).collect();
        let article = Arc::new(article);
        let rendered = PartnerCopy::rendered(&article, &translation, &self.log.pipeline().name);
        let held: Vec<_> = self
            .store()
            .review_deliveries(&record.article, &record.content_hash, &record.language)
            .await?
            .into_iter()
            .filter(|d| d.state == DeliveryState::InReview)
            .collect();
        // The review is of one cut of the story: it releases the partners that take that cut.
        let partners = &self.log.pipeline().partners;
        let profile = |name: &str| partners.iter().find(|p| p.name == name);
        let copies: Vec<PartnerCopy> = held
            .iter()
            .filter(|d| self.takes(&d.partner, &translation))
            .map(|d| {
                let copy = PartnerCopy { delivery_id: d.id.clone(), partner: d.partner.clone(), ..rendered.clone() };
                match profile(&d.partner) {
                    Some(p) if p.bilingual => copy.bilingual(&translation),
                    _ => copy,
                }
            })
            .collect();
        let logged: Vec<(String, String)> = copies
            .iter()
            .map(|c| (c.delivery_id.clone(), serde_json::to_string(c).expect("a copy serialises")))
            .collect();
        let draft = Draft { article: (*article).clone(), translation };
        let draft_json = serde_json::to_string(&draft).expect("a draft serialises");
        let release = Release {
            draft: &draft_json,
            reviewer,
            copies: &logged,
            memory: MemoryKey { backend: HUMAN, from: &from, to: &draft.translation.language },
            remembered: &remembered,
        };
        if !self.store().release_review(&record.id, &release).await? {
            return Err(ReviewError::NotWaiting { id: record.id.clone(), state: "no longer held" });
        }
        Ok(self.log.send_now(copies).await?)
    }
}

/// How long something has waited, as people say it.
pub fn age(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s ago"),
        s if s < 7200 => format!("{} min ago", s / 60),
        s if s < 172_800 => format!("{} h ago", s / 3600),
        s => format!("{} days ago", s / 86_400),
    }
}
