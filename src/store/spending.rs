//! What the desk spent on its backends, per day and per month by the store's clock (UTC), kept in
//! the store so that workers on several machines share one budget. A charge is checked against
//! the limits and added in one transaction: two workers racing cannot both take the last of it.

use super::StoreError;

/// Money in millionths of its currency's unit.
pub type Micros = i64;

/// The backend `*` stands for the whole desk.
pub const DESK: &str = "*";

/// Characters about to be sent to a backend, priced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge<'a> {
    pub backend: &'a str,
    pub currency: &'a str,
    pub micros: Micros,
}

/// The most that may be spent; none: no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    pub backend_daily: Option<Micros>,
    pub backend_monthly: Option<Micros>,
    pub desk_daily: Option<Micros>,
    pub desk_monthly: Option<Micros>,
}

/// This day's and this month's spend of a backend (or `*`, the desk) in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spent {
    pub backend: String,
    pub currency: String,
    pub today: Micros,
    pub this_month: Micros,
}

#[async_trait::async_trait]
pub trait Spending: Send + Sync {
    /// Adds the charge to the backend's and the desk's spend for this day and month, unless it
    /// would take one of them over its limit: then nothing is added, and false.
    async fn charge(&self, charge: &Charge<'_>, limits: &Limits) -> Result<bool, StoreError>;
    /// Takes a charge back: its request failed, and nothing was billed.
    async fn refund(&self, charge: &Charge<'_>) -> Result<(), StoreError>;
    /// This day's and month's spend, per backend and for the desk (`*`).
    async fn spent(&self) -> Result<Vec<Spent>, StoreError>;
    /// True the first time today (by the store's clock) that the staff are to be told `notice`.
    async fn first_today(&self, notice: &str) -> Result<bool, StoreError>;
}

/// Whether spend `before` plus `micros` stays within `limit`.
pub fn within(before: Micros, micros: Micros, limit: Option<Micros>) -> bool {
    limit.is_none_or(|limit| before.saturating_add(micros) <= limit)
}
