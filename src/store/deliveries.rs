//! The delivery log's nouns: a delivery's state, its attempts, and what an attempt ended in.

use std::time::Duration;

use serde::Serialize;

use super::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryState {
    Pending,
    InProgress,
    Delivered,
    Retrying,
    Failed,
    Canceled,
    /// Waiting for an editor: never claimed until the review releases it.
    InReview,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::InProgress => "in-progress",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Retrying => "retrying",
            DeliveryState::Failed => "failed",
            DeliveryState::Canceled => "canceled",
            DeliveryState::InReview => "in-review",
        }
    }

    /// A state as the store keeps it; an unknown one is an error.
    pub fn read(text: &str) -> Result<Self, super::UnknownState> {
        Self::parse(text).ok_or_else(|| super::UnknownState { what: "delivery", found: text.to_string() })
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "pending" => DeliveryState::Pending,
            "in-progress" => DeliveryState::InProgress,
            "delivered" => DeliveryState::Delivered,
            "retrying" => DeliveryState::Retrying,
            "failed" => DeliveryState::Failed,
            "canceled" => DeliveryState::Canceled,
            "in-review" => DeliveryState::InReview,
            _ => return None,
        })
    }
}

/// A delivery about to be attempted: what the log records the first time it sees it.
pub struct NewDelivery<'a> {
    pub id: &'a str,
    pub article: &'a str,
    /// The article's content hash: a changed story is a new delivery.
    pub content_hash: &'a str,
    pub language: &'a str,
    pub partner: &'a str,
    pub channel: &'a str,
    /// The copy, as JSON, so a later retry sends exactly the same.
    pub copy: &'a str,
}

/// How an attempt ended.
#[derive(Debug, Clone)]
pub struct AttemptOutcome {
    pub state: DeliveryState,
    /// Status code or SMTP reply.
    pub status: Option<String>,
    pub error: Option<String>,
    /// Seconds from now (the store's clock) to the next attempt, for `retrying`.
    pub retry_in: Option<i64>,
}

/// One attempt's claim on a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub id: String,
    /// The fencing token: the attempt's outcome is written only while it is the delivery's.
    pub fence: i64,
    /// The attempt's number, counting every earlier one.
    pub attempt: u32,
    /// Email recipients that earlier attempts reached.
    pub recipients_done: Vec<String>,
    /// Until when, by this process's clock, the claim surely still runs (half its lease after it
    /// was granted): past it, ask the store before acting on it.
    pub sure_until: std::time::Instant,
}

/// What claiming a delivery gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    Claimed(Lease),
    /// Delivered before (and not claimed again).
    Delivered,
    /// Another worker holds it for an attempt now.
    Busy,
    /// It waits for an editor.
    InReview,
}

/// A delivery claimed because its time came, with the copy to send.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub lease: Lease,
    pub partner: String,
    pub copy: String,
}

/// A delivery as `newswire deliveries` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryRecord {
    pub id: String,
    pub article: String,
    /// The content hash of the article version it carries.
    pub content_hash: String,
    pub language: String,
    pub partner: String,
    pub state: DeliveryState,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// RFC 3339.
    pub next_attempt: Option<String>,
    #[serde(skip)]
    pub channel: String,
    /// Unix seconds of the last attempt.
    #[serde(skip)]
    pub updated_at: i64,
}

/// One attempt of a delivery, as the log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttemptRecord {
    pub number: u32,
    /// Unix seconds.
    pub started_at: i64,
    /// None while it is being made, or when its worker died.
    pub finished_at: Option<i64>,
    /// The state it left the delivery in.
    pub outcome: Option<String>,
    /// Status code or SMTP reply.
    pub status: Option<String>,
    pub error: Option<String>,
}

/// Unix seconds as RFC 3339.
pub fn rfc3339(unix: i64) -> Option<String> {
    time::OffsetDateTime::from_unix_timestamp(unix).ok()?.format(&time::format_description::well_known::Rfc3339).ok()
}

#[async_trait::async_trait]
pub trait DeliveryLog: Send + Sync {
    async fn delivery(&self, id: &str) -> Result<Option<DeliveryRecord>, StoreError>;
    /// The log, newest first, filtered by partner and state.
    async fn deliveries(
        &self,
        partner: Option<&str>,
        state: Option<DeliveryState>,
    ) -> Result<Vec<DeliveryRecord>, StoreError>;
    /// Every delivery of an article's versions, newest first.
    async fn article_deliveries(&self, article: &str) -> Result<Vec<DeliveryRecord>, StoreError>;
    /// A partner's latest deliveries, newest first.
    async fn latest_deliveries(&self, partner: &str, limit: usize) -> Result<Vec<DeliveryRecord>, StoreError>;
    /// A delivery's attempts, the latest first, at most `limit`.
    async fn attempts(&self, delivery: &str, limit: usize) -> Result<Vec<AttemptRecord>, StoreError>;
    /// How many deliveries each partner has in each state.
    async fn delivery_counts(&self) -> Result<Vec<(String, DeliveryState, u64)>, StoreError>;
    /// The highest version of an article (in one language) delivered to a partner.
    async fn delivered_version(&self, article: &str, language: &str, partner: &str) -> Result<Option<u32>, StoreError>;
    /// Records a delivery to be made at `at` (Unix seconds), without attempting it; a delivery
    /// still pending moves to that time.
    async fn schedule(&self, delivery: &NewDelivery, at: i64) -> Result<(), StoreError>;
    /// Records the delivery if it is new and claims it for one attempt of at most `lease`:
    /// the attempt is counted and logged before anything is sent. A delivered copy is claimed
    /// only `again`; one that another worker holds, never.
    async fn claim(&self, delivery: &NewDelivery, again: bool, lease: Duration) -> Result<Claim, StoreError>;
    /// Claims up to `limit` deliveries of these partners whose time has come: retries, lifted
    /// embargoes, and attempts whose worker died. Claimed rows are skipped, never waited for;
    /// disabled partners' deliveries wait for `enable` and `recover`.
    async fn claim_due(
        &self,
        partners: &[String],
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<DueDelivery>, StoreError>;
    /// Records how a claimed attempt ended; the delivery's state changes only while the claim
    /// is still the latest (false: another worker claimed it since, and its word stands).
    async fn finish(&self, lease: &Lease, outcome: &AttemptOutcome) -> Result<bool, StoreError>;
    /// Extends a claim by `by` from now, while it is still the delivery's latest and has not run
    /// out (false: it ran out or another worker claimed it since; nothing may be sent under it).
    async fn renew(&self, lease: &Lease, by: Duration) -> Result<bool, StoreError>;
    /// Gives claimed deliveries back unattempted, due again `after` this long (zero: at once).
    async fn release(&self, leases: &[Lease], after: Duration) -> Result<(), StoreError>;
    /// Email recipients reached by a claimed attempt (a retry skips them).
    async fn add_recipients_done(&self, lease: &Lease, recipients: &[String]) -> Result<(), StoreError>;
    /// The copy a delivery sends, as recorded at its first attempt.
    async fn copy_of(&self, id: &str) -> Result<Option<String>, StoreError>;
}
