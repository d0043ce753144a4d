//! A circuit breaker per partner and run: a partner that does not answer stops costing time.
//! After `threshold` timeouts or failed connections in a row, the breaker opens and the partner's
//! remaining copies are scheduled for a later retry (`newswire deliver --due`) without being
//! attempted. Any answer from the partner, even an error status, ends the streak. While a streak
//! has begun, no new attempt starts until those still out have ended: their outcome decides
//! whether the partner is down, so a dead partner costs one timeout, not one per free slot.

use std::sync::Mutex;

use tokio::sync::Notify;

#[derive(Debug)]
pub struct Breaker {
    /// 0: never opens.
    threshold: u32,
    state: Mutex<State>,
    settled: Notify,
}

#[derive(Debug, Default)]
struct State {
    in_a_row: u32,
    in_flight: u32,
    open: bool,
}

/// An attempt the breaker let through; dropping it lets waiting attempts look again.
pub struct Admitted<'a>(&'a Breaker);

impl Drop for Admitted<'_> {
    fn drop(&mut self) {
        self.0.state().in_flight -= 1;
        self.0.settled.notify_waiters();
    }
}

impl Breaker {
    pub fn new(threshold: u32) -> Self {
        Breaker { threshold, state: Mutex::new(State::default()), settled: Notify::new() }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn is_open(&self) -> bool {
        self.state().open
    }

    /// How many failures in a row open it.
    pub fn threshold(&self) -> u32 {
        self.threshold
    }

    /// Waits until an attempt may start; `None` once the breaker is open.
    pub async fn admit(&self) -> Option<Admitted<'_>> {
        loop {
            let settled = self.settled.notified();
            {
                let mut state = self.state();
                if state.open {
                    return None;
                }
                if state.in_a_row == 0 || state.in_flight == 0 {
                    state.in_flight += 1;
                    return Some(Admitted(self));
                }
            }
            settled.await;
        }
    }

    /// The partner answered (whatever it said).
    pub fn answered(&self) {
        self.state().in_a_row = 0;
    }

    /// The partner did not answer: a timeout or a connection that failed.
    pub fn unanswered(&self) {
        let mut state = self.state();
        state.in_a_row += 1;
        if self.threshold > 0 && state.in_a_row >= self.threshold {
            state.open = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_so_many_unanswered_in_a_row_and_only_then() {
        let breaker = Breaker::new(3);
        breaker.unanswered();
        breaker.unanswered();
        breaker.answered();
        breaker.unanswered();
        breaker.unanswered();
        assert!(!breaker.is_open());
        breaker.unanswered();
        assert!(breaker.is_open());
        let never = Breaker::new(0);
        (0..100).for_each(|_| never.unanswered());
        assert!(!never.is_open());
    }

    #[tokio::test]
    async fn after_a_failure_new_attempts_wait_for_those_still_out() {
        let breaker = std::sync::Arc::new(Breaker::new(2));
        let first = breaker.admit().await.unwrap();
        let second = breaker.admit().await.unwrap();
        breaker.unanswered();
        drop(first);
        // One failure and one attempt still out: a third waits for it.
        let waiting = {
            let breaker = breaker.clone();
            tokio::spawn(async move { breaker.admit().await.is_some() })
        };
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        breaker.unanswered();
        drop(second);
        assert!(!waiting.await.unwrap(), "the second failure opened the breaker: the third is not attempted");
    }
}
