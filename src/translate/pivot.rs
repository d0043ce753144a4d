//! Pivot translation: a pair no backend serves goes through a bridge language that both halves
//! reach (`[translate] pivot`), uk→es as uk→en→es. Each hop is a whole translation, through its
//! own chain, memory, checks and escalation; the final text is then checked once more against
//! the original, so that a number or a name the first hop lost is still caught.

use super::checks::check_all;
use super::plan::Plan;
use super::{TranslateError, Translator};
use crate::model::{Article, Pivot, Reviewed, Segment, Translation, HUMAN};
use crate::review::flags::Checker;
use crate::store::MemoryKey;

/// How an article in one language reaches another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Direct,
    /// Through this bridge language.
    Via(String),
    None,
}

impl Translator {
    /// Directly when a backend of the chain serves the pair, else through the first bridge
    /// language of `[translate] pivot` that the chain reaches from `from` and goes on from to `to`.
    pub fn route(&self, from: &str, to: &str) -> Route {
        if self.supports(from, to) {
            return Route::Direct;
        }
        let reaches = |bridge: &&String| *bridge != from && *bridge != to;
        match self.pivot.iter().filter(reaches).find(|b| self.supports(from, b) && self.supports(b, to)) {
            Some(bridge) => Route::Via(bridge.clone()),
            None => Route::None,
        }
    }

    /// Translates into `bridge`, then that into `to`; the segments keep the original as their
    /// source, and carry what the checks found on the second hop and over the whole way.
    pub(super) async fn translate_via(
        &self,
        article: &Article,
        bridge: &str,
        to: &str,
    ) -> Result<Translation, TranslateError> {
        let from = article.language.as_deref().unwrap_or("und");
        let first = Box::pin(self.translate_directly(article, bridge)).await?;
        if let Some(why) = &first.unusable {
            // Only an editor of the bridge language could make something of it.
            let backend = first.backend.clone().unwrap_or_default();
            return Err(TranslateError::Verification { backend, message: why.clone() });
        }
        let middle = Article {
            language: Some(bridge.to_string()),
            title: first.title.clone(),
            blocks: first.blocks.clone(),
            ..article.clone()
        };
        let mut last = Box::pin(self.translate_directly(&middle, to)).await?;
        let terms = self.glossary.for_pair(from, to);
        let plan = Plan::of(article, from, &terms);
        if plan.originals.len() == last.segments.len() {
            let human = self.recall(&MemoryKey { backend: HUMAN, from, to }, &plan.originals).await;
            let checker = Checker::new(from, to, terms, self.detector.clone());
            let whole_way: Vec<Segment> = last
                .segments
                .iter()
                .zip(&plan.originals)
                .map(|(segment, original)| Segment { source: original.clone(), ..segment.clone() })
                .collect();
            let whole_way = check_all(&checker, whole_way).await;
            for (segment, checked) in last.segments.iter_mut().zip(whole_way) {
                segment.source = checked.source;
                for finding in checked.flags {
                    if !segment.flags.iter().any(|f| f.flag == finding.flag) {
                        segment.flags.push(finding);
                    }
                }
            }
            // What editors approved for the pair itself stands over both hops.
            let approved: Vec<(usize, String)> =
                human.into_iter().enumerate().filter_map(|(i, known)| Some((i, known?))).collect();
            if !approved.is_empty() {
                last = last.with_targets(&approved, HUMAN);
                if last.segments.iter().all(|s| s.backend == HUMAN) {
                    last.reviewed = Some(Reviewed { by: None });
                }
            }
        }
        last.rule_based &= first.rule_based;
        last.via = Some(Pivot {
            language: bridge.to_string(),
            backend: first.backend.unwrap_or_default(),
            chars_sent: first.chars_sent,
            chars_cached: first.chars_cached,
            escalations: first.escalations,
        });
        Ok(last)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::ForeignText;
    use crate::translate::Backend;

    struct Serves(Vec<(&'static str, &'static str)>);

    #[async_trait::async_trait]
    impl Backend for Serves {
        fn name(&self) -> &str {
            "serves"
        }

        fn pairs(&self) -> Vec<(String, String)> {
            self.0.iter().map(|(f, t)| (f.to_string(), t.to_string())).collect()
        }

        async fn translate(&self, _: &str, _: &str, segments: &[String]) -> Result<Vec<String>, TranslateError> {
            Ok(segments.to_vec())
        }
    }

    #[test]
    fn a_pair_goes_through_the_first_bridge_both_halves_reach() {
        // Debian's Apertium pairs, which meet in Spanish.
        let apertium = Serves(vec![("fr", "es"), ("es", "fr"), ("en", "es"), ("es", "en"), ("ru", "uk"), ("uk", "ru")]);
        let translator = Translator::new(vec![(Arc::new(apertium), 1)], ForeignText::Keep);
        let bridged = translator.clone().with_pivot(vec!["en".into(), "es".into()]);
        assert_eq!(bridged.route("en", "es"), Route::Direct);
        assert_eq!(bridged.route("fr", "en"), Route::Via("es".into()), "en is the target, not a bridge");
        assert_eq!(bridged.route("en", "fr"), Route::Via("es".into()));
        assert_eq!(bridged.route("uk", "en"), Route::None, "no bridge from Ukrainian");
        assert_eq!(translator.route("fr", "en"), Route::None, "no pivot configured");
    }
}
