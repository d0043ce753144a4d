//! A circuit breaker per partner and run: a partner that does not answer stops costing time.
//! After `threshold` timeouts or failed connections in a row, the breaker opens and the partner's
//! remaining copies are scheduled for a later retry (`newswire deliver --due`) without being
//! attempted. Any answer from the partner, even an error status, closes the streak.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

#[derive(Debug)]
pub struct Breaker {
    /// 0: never opens.
    threshold: u32,
    in_a_row: AtomicU32,
    open: AtomicBool,
}

impl Breaker {
    pub fn new(threshold: u32) -> Self {
        Breaker { threshold, in_a_row: AtomicU32::new(0), open: AtomicBool::new(false) }
    }

    pub fn is_open(&self) -> bool {
        self.open.load(Ordering::Relaxed)
    }

    /// How many failures in a row open it.
    pub fn threshold(&self) -> u32 {
        self.threshold
    }

    /// The partner answered (whatever it said).
    pub fn answered(&self) {
        self.in_a_row.store(0, Ordering::Relaxed);
    }

    /// The partner did not answer: a timeout or a connection that failed.
    pub fn unanswered(&self) {
        let in_a_row = self.in_a_row.fetch_add(1, Ordering::Relaxed) + 1;
        if self.threshold > 0 && in_a_row >= self.threshold {
            self.open.store(true, Ordering::Relaxed);
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
}
