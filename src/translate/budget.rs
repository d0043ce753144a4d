//! Spending as a run goes: each request is priced and charged to the store, against the desk's
//! and the backend's budgets, before it is sent. A backend the charge would take over budget is
//! skipped, so the next in the chain serves; a request that fails is given back. The store holds
//! the spend, so workers on several machines share one budget and cannot both take its last cent.

use std::collections::HashMap;

use super::{TranslateError, Translator};
use crate::config::{Budget, Pipeline, Price};
use crate::store::spending::{Charge, Limits};

/// The desk's budget, and each backend's price and budget.
#[derive(Debug, Clone, Default)]
pub struct Costs {
    desk: Budget,
    backends: HashMap<String, (Price, Budget)>,
}

impl Costs {
    pub fn of(pipeline: &Pipeline) -> Self {
        let backends = pipeline.backends.iter().map(|(name, b)| (name.clone(), (b.price.clone(), b.budget.clone())));
        Costs { desk: pipeline.budget.clone(), backends: backends.collect() }
    }
}

/// A charge made, to give back if its request fails.
pub(super) struct Charged {
    backend: String,
    currency: String,
    micros: i64,
}

impl Translator {
    /// Charges sending `chars` characters to `backend`; over a budget, the backend is not to be
    /// sent them. A free backend, or a translator without a store, charges nothing.
    pub(super) async fn charge(&self, backend: &str, chars: usize) -> Result<Option<Charged>, TranslateError> {
        let (Some(store), Some((price, budget))) = (&self.memory, self.costs.backends.get(backend)) else {
            return Ok(None);
        };
        let Some(currency) = price.currency() else { return Ok(None) };
        let micros = price.micros(chars);
        let limit = |budget: &Budget, daily: bool| {
            let amount = if daily { &budget.daily } else { &budget.monthly };
            amount.as_ref().filter(|a| a.currency == currency).map(|a| a.micros)
        };
        let limits = Limits {
            backend_daily: limit(budget, true),
            backend_monthly: limit(budget, false),
            desk_daily: limit(&self.costs.desk, true),
            desk_monthly: limit(&self.costs.desk, false),
        };
        let charge = Charge { backend, currency, micros };
        match store.charge(&charge, &limits).await {
            Ok(true) => Ok(Some(Charged { backend: backend.to_string(), currency: currency.to_string(), micros })),
            Ok(false) => Err(TranslateError::OverBudget {
                backend: backend.to_string(),
                message: format!("{chars} characters would take its or the desk's daily or monthly budget over"),
            }),
            Err(err) => Err(TranslateError::Backend {
                backend: backend.to_string(),
                message: format!("its spending could not be recorded: {err}"),
                kind: err.kind,
                status: None,
            }),
        }
    }

    /// Gives a charge back: its request failed, and nothing was billed.
    pub(super) async fn refund(&self, charged: Charged) {
        let Some(store) = &self.memory else { return };
        let charge = Charge { backend: &charged.backend, currency: &charged.currency, micros: charged.micros };
        if let Err(err) = store.refund(&charge).await {
            tracing::warn!(backend = %charged.backend, error = %err, "a failed request's charge was not given back");
        }
    }
}
