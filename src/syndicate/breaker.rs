//! A circuit breaker per partner and run: a partner that does not answer stops costing time.
//! After `threshold` timeouts or failed connections in a row, the breaker opens and the partner's
//! remaining copies are scheduled for a later retry (`newswire deliver --due`) without being
//! attempted. Any answer from the partner, even an error status, ends the streak. While a streak
//! has begun, no new attempt starts until those still out have ended: their outcome decides
//! whether the partner is down, so a dead partner costs one timeout, not one per free slot.
//!
//! A breaker that lives longer than a run (the console's, sending what falls due every poll) is
//! given a cool-off: once it has passed, one attempt goes through as a probe; an answer closes the
//! breaker, silence opens it for another cool-off.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

#[derive(Debug)]
pub struct Breaker {
    /// 0: never opens.
    threshold: u32,
    /// How long it stays open before a probe; none: for good.
    cool_off: Option<Duration>,
    state: Mutex<State>,
    settled: Notify,
}

#[derive(Debug, Default)]
struct State {
    in_a_row: u32,
    in_flight: u32,
    /// Since when it is open (or since its last probe started).
    opened: Option<Instant>,
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
    /// A breaker for one run: once open, it stays open.
    pub fn new(threshold: u32) -> Self {
        Breaker { threshold, cool_off: None, state: Mutex::new(State::default()), settled: Notify::new() }
    }

    /// A breaker that lets a probe through `cool_off` after it opened.
    pub fn cooling_off(threshold: u32, cool_off: Duration) -> Self {
        Breaker { cool_off: Some(cool_off), ..Breaker::new(threshold) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn is_open(&self) -> bool {
        self.state().opened.is_some()
    }

    /// How many failures in a row open it.
    pub fn threshold(&self) -> u32 {
        self.threshold
    }

    /// Waits until an attempt may start; `None` while the breaker is open, but for a probe.
    pub async fn admit(&self) -> Option<Admitted<'_>> {
        loop {
            let settled = self.settled.notified();
            {
                let mut state = self.state();
                if let Some(opened) = state.opened {
                    let cooled = self.cool_off.is_some_and(|cool_off| opened.elapsed() >= cool_off);
                    if !cooled || state.in_flight > 0 {
                        return None;
                    }
                    // The probe: the others stay out until it is answered, or for another cool-off.
                    state.opened = Some(Instant::now());
                    state.in_flight += 1;
                    return Some(Admitted(self));
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
        let mut state = self.state();
        state.in_a_row = 0;
        state.opened = None;
    }

    /// The partner did not answer: a timeout or a connection that failed.
    pub fn unanswered(&self) {
        let mut state = self.state();
        state.in_a_row += 1;
        if self.threshold > 0 && state.in_a_row >= self.threshold {
            state.opened = Some(Instant::now());
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

    #[tokio::test]
    async fn a_breaker_that_cools_off_lets_one_probe_through_and_closes_on_an_answer() {
        let breaker = Breaker::cooling_off(1, Duration::from_millis(50));
        drop(breaker.admit().await.unwrap());
        breaker.unanswered();
        assert!(breaker.admit().await.is_none(), "open");
        tokio::time::sleep(Duration::from_millis(60)).await;
        let probe = breaker.admit().await.expect("a probe once cooled off");
        assert!(breaker.admit().await.is_none(), "one probe at a time");
        breaker.unanswered();
        drop(probe);
        assert!(breaker.admit().await.is_none(), "silence opens it for another cool-off");
        tokio::time::sleep(Duration::from_millis(60)).await;
        let probe = breaker.admit().await.expect("the next probe");
        breaker.answered();
        drop(probe);
        assert!(!breaker.is_open());
        assert!(breaker.admit().await.is_some(), "an answer closes it");
        let for_good = Breaker::new(1);
        for_good.unanswered();
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert!(for_good.admit().await.is_none(), "a run's breaker stays open");
    }
}
