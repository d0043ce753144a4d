//! The delivery log's nouns: a delivery's state, its attempts, and what an attempt ended in.

use serde::Serialize;

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
