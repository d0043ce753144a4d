//! What a translation would cost, known before anything is sent (`run --dry-run`): the article is
//! planned as for translating, the memory is asked what it knows, and what is left is counted as
//! the first backend serving each hop would be sent it, in the requests its limits allow. Nothing
//! goes to a backend. A hop after a bridge language is counted on the original's segments, the
//! bridge text not being known before it is made.

use super::pivot::Route;
use std::collections::HashSet;
use std::sync::Mutex;

use super::plan::Plan;
use super::{TranslateError, Translator};
use crate::model::{Article, Pivot, Translation, HUMAN};
use crate::store::MemoryKey;

/// Segments already counted for an article, by (backend, from, to, segment): once translated they
/// would be in the memory when its headline or lede is made.
#[derive(Default)]
pub struct Counted(Mutex<HashSet<(String, String, String, String)>>);

/// One hop as it would go.
struct Hop {
    backend: String,
    chars_sent: usize,
    chars_cached: usize,
    rule_based: bool,
}

impl Translator {
    /// The translation `translate` would make, without its text: the original's, with the
    /// characters each backend would be sent and those the memory would serve.
    pub async fn estimate(
        &self,
        article: &Article,
        to: &str,
        counted: &Counted,
    ) -> Result<Translation, TranslateError> {
        let from = article.language.as_deref().unwrap_or("und");
        let (first, last) = match self.route(from, to) {
            Route::None => return Err(TranslateError::Unsupported { from: from.to_string(), to: to.to_string() }),
            Route::Direct => (None, self.count(article, from, to, counted).await?),
            Route::Via(bridge) => {
                let first = self.count(article, from, &bridge, counted).await?;
                (Some((bridge.clone(), first)), self.count(article, &bridge, to, counted).await?)
            }
        };
        let mut estimate = Translation::original(article);
        estimate.language = to.to_string();
        estimate.backend = Some(last.backend);
        estimate.chars_sent = last.chars_sent;
        estimate.chars_cached = last.chars_cached;
        estimate.rule_based = last.rule_based;
        estimate.via = first.map(|(language, hop)| Pivot {
            language,
            backend: hop.backend,
            chars_sent: hop.chars_sent,
            chars_cached: hop.chars_cached,
            escalations: Vec::new(),
        });
        Ok(estimate)
    }

    /// What the first backend serving `from`→`to` would be sent of the article's segments, and
    /// what its memory (and the editors') already holds; its requests are counted as made.
    async fn count(&self, article: &Article, from: &str, to: &str, counted: &Counted) -> Result<Hop, TranslateError> {
        let unsupported = || TranslateError::Unsupported { from: from.to_string(), to: to.to_string() };
        let (backend, coalescer) =
            self.backends.iter().zip(&self.coalescers).find(|(b, _)| b.supports(from, to)).ok_or_else(unsupported)?;
        let plan = Plan::of(article, from, &self.glossary.for_pair(from, to));
        let human = self.recall(&MemoryKey { backend: HUMAN, from, to }, &plan.originals).await;
        let wanted: Vec<String> =
            (0..plan.segments.len()).filter(|&i| human[i].is_none()).map(|i| plan.segments[i].clone()).collect();
        let mut known = self.recall(&MemoryKey { backend: backend.memory_name(), from, to }, &wanted).await;
        {
            let mut counted = counted.0.lock().expect("counted lock");
            for (segment, known) in wanted.iter().zip(known.iter_mut()) {
                let key = (backend.name().to_string(), from.to_string(), to.to_string(), segment.clone());
                if !counted.insert(key) && known.is_none() {
                    *known = Some(String::new());
                }
            }
        }
        let chars = |s: &String| s.chars().count();
        let unsent: Vec<String> =
            wanted.iter().zip(&known).filter(|(_, k)| k.is_none()).map(|(s, _)| s.clone()).collect();
        let chars_cached = wanted.iter().zip(&known).filter(|(_, k)| k.is_some()).map(|(s, _)| chars(s)).sum();
        if !unsent.is_empty() {
            coalescer.count_unsent(backend.as_ref(), from, to, &unsent);
        }
        Ok(Hop {
            backend: backend.name().to_string(),
            chars_sent: unsent.iter().map(chars).sum(),
            chars_cached,
            rule_based: backend.rule_based(),
        })
    }
}
