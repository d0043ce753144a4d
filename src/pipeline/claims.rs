//! Pages held in the shared store while they are worked on: claimed before cleaning, so two runs
//! (or workers) on the same sources never clean, translate and bill the same page twice; renewed
//! while the work goes on; marked done once the article's report is written, so a run that
//! overlaps this one skips it, while a later run does it again (and finds its copies delivered).
//! A worker that dies stops renewing, and `newswire work` takes its pages up when their lease
//! runs out; one that finds its lease lost (it stalled, another took the page up) stops working
//! on the page before it is billed for it twice.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::model::RawPage;
use crate::store::{PageClaim, PageLease, Store, StoreError};

/// A page this process holds, and the task that keeps its lease alive.
pub struct HeldPage {
    lease: PageLease,
    renewer: tokio::task::JoinHandle<()>,
    lost: Arc<AtomicBool>,
}

/// The page's identity in the store: its source and its bytes.
pub fn page_key(page: &RawPage) -> String {
    let mut hash = Sha256::new();
    hash.update(page.source.as_bytes());
    hash.update([0]);
    hash.update(page.text.as_bytes());
    format!("{:x}", hash.finalize())
}

/// Claims a page for this process; the reason it is left alone when another worker holds it, or
/// finished it since `since` (the run's start, by the store's clock).
pub async fn claim(
    store: &Arc<dyn Store>,
    page: &RawPage,
    lease: Duration,
    since: i64,
) -> Result<Result<HeldPage, &'static str>, StoreError> {
    let json = serde_json::to_string(page).expect("a page serialises");
    Ok(match store.claim_page(&page_key(page), &json, lease, since).await? {
        PageClaim::Claimed(claim) => Ok(HeldPage::keep(store.clone(), claim, lease)),
        PageClaim::Busy => Err("another worker is working on this page now"),
        PageClaim::Done => Err("another worker finished this page during this run"),
    })
}

impl HeldPage {
    /// Holds a claimed page, renewing its lease every third of it.
    pub fn keep(store: Arc<dyn Store>, lease: PageLease, duration: Duration) -> HeldPage {
        let renewed = lease.clone();
        let lost = Arc::new(AtomicBool::new(false));
        let losing = lost.clone();
        let renewer = tokio::spawn(async move {
            loop {
                tokio::time::sleep(duration / 3).await;
                match store.renew_page(&renewed, duration).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(page = %renewed.key, "another worker took the page over");
                        losing.store(true, Ordering::SeqCst);
                        return;
                    }
                    Err(err) => tracing::warn!(error = %err, "a page's lease could not be renewed"),
                }
            }
        });
        HeldPage { lease, renewer, lost }
    }

    /// Whether the lease was lost: another worker has the page now, and this one must leave it.
    pub fn is_lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }

    /// The page's work is over.
    pub async fn done(self, store: &dyn Store) {
        self.renewer.abort();
        if let Err(err) = store.release_page(&self.lease, true).await {
            tracing::warn!(error = %err, "a finished page stays claimed until its lease runs out");
        }
    }
}

impl Drop for HeldPage {
    fn drop(&mut self) {
        self.renewer.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_worker_that_stalled_past_its_lease_learns_that_the_page_is_not_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let location = crate::store::Location::Sqlite(dir.path().join("state.sqlite"));
        let store = crate::store::open(&location, "desk").await.unwrap();
        let PageClaim::Claimed(stalled) = store.claim_page("k", "{}", Duration::from_secs(1), 0).await.unwrap() else {
            panic!("the first claim")
        };
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let taken = store.claim_abandoned_pages(10, Duration::from_secs(60)).await.unwrap();
        assert_eq!(taken.len(), 1, "another worker takes it up");
        let held = HeldPage::keep(store.clone(), stalled, Duration::from_millis(300));
        assert!(!held.is_lost());
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert!(held.is_lost(), "its next renewal finds the page gone");
    }
}
