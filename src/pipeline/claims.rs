//! Pages held in the shared store while they are worked on: claimed before cleaning, so two runs
//! (or workers) on the same sources never clean, translate and bill the same page twice; renewed
//! while the work goes on; marked done once the article's report is written, so a run that
//! overlaps this one skips it, while a later run does it again (and finds its copies delivered).
//! A worker that dies stops renewing, and `newswire work` takes its pages up when their lease
//! runs out.

use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::model::RawPage;
use crate::store::{PageClaim, PageLease, Store, StoreError};

/// A page this process holds, and the task that keeps its lease alive.
pub struct HeldPage {
    lease: PageLease,
    renewer: tokio::task::JoinHandle<()>,
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
        let renewer = tokio::spawn(async move {
            loop {
                tokio::time::sleep(duration / 3).await;
                match store.renew_page(&renewed, duration).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(page = %renewed.key, "another worker took the page over");
                        return;
                    }
                    Err(err) => tracing::warn!(error = %err, "a page's lease could not be renewed"),
                }
            }
        });
        HeldPage { lease, renewer }
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
