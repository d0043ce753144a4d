//! The review log's nouns: a translation the checks flagged or a partner's gate held, with its
//! segments, and what became of it.

use serde::Serialize;

use super::{DeliveryRecord, MemoryKey, NewDelivery, StoreError};

/// What releasing a held review writes, all at once: the final draft (JSON), who reviewed it,
/// the waiting deliveries' new copies ((delivery id, copy JSON)), and the segments the memory
/// keeps as a person's ((source, target) under `memory`).
#[derive(Debug, Clone)]
pub struct Release<'a> {
    pub draft: &'a str,
    pub reviewer: Option<&'a str>,
    pub copies: &'a [(String, String)],
    pub memory: MemoryKey<'a>,
    pub remembered: &'a [(String, String)],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewState {
    /// Flagged, but no partner waits for a review: delivered as it was.
    Flagged,
    /// Held: its deliveries wait for an editor.
    InReview,
    /// An editor approved or edited it; its deliveries went on.
    Reviewed,
}

impl ReviewState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Flagged => "flagged",
            ReviewState::InReview => "in-review",
            ReviewState::Reviewed => "reviewed",
        }
    }

    /// A state as the store keeps it; an unknown one is an error.
    pub fn read(text: &str) -> Result<Self, super::UnknownState> {
        Self::parse(text).ok_or_else(|| super::UnknownState { what: "review", found: text.to_string() })
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "flagged" => ReviewState::Flagged,
            "in-review" => ReviewState::InReview,
            "reviewed" => ReviewState::Reviewed,
            _ => return None,
        })
    }
}

/// A translation to record: one article version in one language.
pub struct NewReview<'a> {
    pub id: &'a str,
    pub article: &'a str,
    pub content_hash: &'a str,
    pub language: &'a str,
    pub state: ReviewState,
    /// Segments flagged.
    pub flags: u32,
    /// The article and its translation, as JSON, for the editor and for the release.
    pub draft: &'a str,
}

/// A recorded translation, as `newswire review list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewRecord {
    pub id: String,
    pub article: String,
    pub content_hash: String,
    pub language: String,
    pub state: ReviewState,
    pub flags: u32,
    #[serde(skip)]
    pub draft: String,
    pub reviewer: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    pub reviewed_at: Option<i64>,
}

#[async_trait::async_trait]
pub trait Reviews: Send + Sync {
    /// Records a translation and holds `held` (deliveries, recorded `in-review` unless the log
    /// has them already); a review recorded before is kept, a flagged one becomes held when
    /// deliveries wait for it, and one released already holds nothing. Its state after.
    async fn record_review(&self, review: &NewReview<'_>, held: &[NewDelivery<'_>]) -> Result<ReviewState, StoreError>;
    /// Reviews, oldest first, in one state or all.
    async fn reviews(&self, state: Option<ReviewState>) -> Result<Vec<ReviewRecord>, StoreError>;
    async fn review(&self, id: &str) -> Result<Option<ReviewRecord>, StoreError>;
    /// The reviews of an article's versions, oldest first.
    async fn article_reviews(&self, article: &str) -> Result<Vec<ReviewRecord>, StoreError>;
    /// The deliveries of one article version in one language.
    async fn review_deliveries(
        &self,
        article: &str,
        content_hash: &str,
        language: &str,
    ) -> Result<Vec<DeliveryRecord>, StoreError>;
    /// Marks a held review reviewed with its final draft, its held deliveries due now with their
    /// copies, and remembers its segments, all in one transaction. False when it was not held
    /// (released before, or never held): then nothing is written.
    async fn release_review(&self, id: &str, release: &Release<'_>) -> Result<bool, StoreError>;
}
