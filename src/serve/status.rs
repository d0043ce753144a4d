//! An article's journey as the API and the console show it: what the pipeline reported when this
//! console handed it over, and what the store knows of its reviews and deliveries.

use serde::Serialize;

use super::desk::Desk;
use crate::pipeline::{Status, TranslationReport};
use crate::store::{rfc3339, DeliveryRecord, DeliveryState, Store, StoreError};

/// Attempts shown per delivery.
pub const ATTEMPTS_SHOWN: usize = 10;

#[derive(Debug, Clone, Serialize)]
pub struct ArticleStatus {
    pub id: String,
    pub desk: String,
    pub status: Journey,
    pub accepted_at: Option<String>,
    pub title: Option<String>,
    pub language: Option<String>,
    pub error: Option<String>,
    pub translations: Vec<TranslationReport>,
    pub reviews: Vec<ReviewView>,
    pub deliveries: Vec<DeliveryView>,
}

/// Where an article is on its way to the partners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Journey {
    /// Accepted, not through the pipeline yet.
    Queued,
    Failed,
    Skipped,
    /// A copy waits for an editor.
    Held,
    /// A copy may still go.
    Delivering,
    Delivered,
    /// Nothing to deliver.
    Done,
}

impl Journey {
    pub fn as_str(self) -> &'static str {
        match self {
            Journey::Queued => "queued",
            Journey::Failed => "failed",
            Journey::Skipped => "skipped",
            Journey::Held => "held",
            Journey::Delivering => "delivering",
            Journey::Delivered => "delivered",
            Journey::Done => "done",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewView {
    pub id: String,
    pub language: String,
    pub state: &'static str,
    pub flags: u32,
    pub reviewer: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeliveryView {
    pub id: String,
    pub article: String,
    pub partner: String,
    pub language: String,
    pub channel: String,
    pub state: &'static str,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_attempt: Option<String>,
    pub updated_at: Option<String>,
    /// The latest attempts, newest first.
    pub attempts_made: Vec<AttemptView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttemptView {
    pub number: u32,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// The state the attempt left the delivery in.
    pub outcome: Option<String>,
    /// The partner's answer: an HTTP status or an SMTP reply.
    pub status: Option<String>,
    pub error: Option<String>,
}

impl DeliveryView {
    /// With its latest attempts from the log.
    pub async fn with_attempts(mut self, store: &dyn Store, limit: usize) -> Result<Self, StoreError> {
        self.attempts_made = store
            .attempts(&self.id, limit)
            .await?
            .into_iter()
            .map(|a| AttemptView {
                number: a.number,
                started_at: rfc3339(a.started_at),
                finished_at: a.finished_at.and_then(rfc3339),
                outcome: a.outcome,
                status: a.status,
                error: a.error.map(|e| crate::secret::redact(&e).into_owned()),
            })
            .collect();
        Ok(self)
    }
}

impl From<&DeliveryRecord> for DeliveryView {
    fn from(d: &DeliveryRecord) -> Self {
        DeliveryView {
            id: d.id.clone(),
            article: d.article.clone(),
            partner: d.partner.clone(),
            language: d.language.clone(),
            channel: d.channel.clone(),
            state: d.state.as_str(),
            attempts: d.attempts,
            last_error: d.last_error.as_deref().map(|e| crate::secret::redact(e).into_owned()),
            next_attempt: d.next_attempt.clone(),
            updated_at: rfc3339(d.updated_at),
            attempts_made: Vec::new(),
        }
    }
}

impl ArticleStatus {
    /// What the console and the store know of an article; none when neither knows it.
    pub async fn of(desk: &Desk, id: &str) -> Result<Option<ArticleStatus>, StoreError> {
        let submission = desk.submission(id);
        let store = desk.store();
        let deliveries = store.article_deliveries(id).await?;
        let reviews = store.article_reviews(id).await?;
        if submission.is_none() && deliveries.is_empty() && reviews.is_empty() {
            return Ok(None);
        }
        let report = submission.as_ref().and_then(|s| s.report.clone());
        let status = match (&submission, &report) {
            (Some(s), None) if s.error.is_some() => Journey::Failed,
            (Some(_), None) => Journey::Queued,
            (_, Some(r)) if r.status == Status::Skipped => Journey::Skipped,
            (_, Some(r)) if r.status == Status::Failed && deliveries.is_empty() => Journey::Failed,
            _ => delivery_status(&deliveries),
        };
        let error = submission.as_ref().and_then(|s| s.error.clone()).or_else(|| report.as_ref()?.error.clone());
        let mut views = Vec::new();
        for delivery in &deliveries {
            views.push(DeliveryView::from(delivery).with_attempts(store.as_ref(), ATTEMPTS_SHOWN).await?);
        }
        Ok(Some(ArticleStatus {
            id: id.to_string(),
            desk: desk.name().to_string(),
            status,
            accepted_at: submission.as_ref().and_then(|s| rfc3339(s.accepted_at)),
            title: report.as_ref().and_then(|r| r.title.clone()),
            language: report.as_ref().and_then(|r| r.language.clone()),
            error: error.map(|e| crate::secret::redact(&e).into_owned()),
            translations: report.map(|r| r.translations).unwrap_or_default(),
            reviews: reviews
                .iter()
                .map(|r| ReviewView {
                    id: r.id.clone(),
                    language: r.language.clone(),
                    state: r.state.as_str(),
                    flags: r.flags,
                    reviewer: r.reviewer.clone(),
                })
                .collect(),
            deliveries: views,
        }))
    }

    /// Whether its copies have all gone out, or wait for an editor: what a callback reports.
    pub fn settled(&self) -> bool {
        !matches!(self.status, Journey::Queued | Journey::Delivering)
    }
}

/// The state of an article's copies taken together: held while any waits for an editor, then
/// delivering while any may still go, failed when any will not.
fn delivery_status(deliveries: &[DeliveryRecord]) -> Journey {
    let any = |state: DeliveryState| deliveries.iter().any(|d| d.state == state);
    if deliveries.is_empty() {
        Journey::Done
    } else if any(DeliveryState::InReview) {
        Journey::Held
    } else if any(DeliveryState::Pending) || any(DeliveryState::InProgress) || any(DeliveryState::Retrying) {
        Journey::Delivering
    } else if any(DeliveryState::Failed) {
        Journey::Failed
    } else {
        Journey::Delivered
    }
}
