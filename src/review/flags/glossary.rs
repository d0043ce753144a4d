//! Glossary: a term the desk's glossary fixes, not translated its way.

use super::{contains_word, Checker};

pub(super) fn unused(checker: &Checker, source: &str, target: &str) -> Option<String> {
    let source_lower = source.to_lowercase();
    let target_lower = target.to_lowercase();
    let missing: Vec<String> = checker
        .glossary
        .iter()
        .filter(|(term, _)| contains_word(&source_lower, &term.to_lowercase()))
        .filter(|(_, translation)| !target_lower.contains(&translation.to_lowercase()))
        .map(|(term, translation)| format!("{term} → {translation}"))
        .collect();
    (!missing.is_empty()).then(|| format!("glossary term not used: {}", missing.join(", ")))
}
