//! Untranslated: the source came back, reads as another language, or left words of its own
//! language in the target.

use super::{leftover, normalised, words, Checker};

/// The target is the source, word for word (unusable), or mostly, or reads as another language.
pub(super) fn whole(checker: &Checker, source: &str, target: &str) -> Option<(String, bool)> {
    let distinct = |text: &str| {
        let mut words: Vec<String> = words(text).map(str::to_lowercase).collect();
        words.sort();
        words.dedup();
        words
    };
    let (source_words, target_words) = (distinct(source), distinct(target));
    // A line of names and scores (Dundee Stars 5-3 Belfast Giants) stays as it is.
    let names_only = words(source).all(|w| !w.chars().next().is_some_and(char::is_lowercase));
    if source_words.len() >= 4 && target_words.len() >= 4 && !names_only {
        let same = target_words.iter().filter(|w| source_words.contains(w)).count();
        if same * 10 >= target_words.len() * 8 {
            let echo = normalised(source) == normalised(target);
            let detail = match echo {
                true => "the source came back as it was sent".to_string(),
                false => format!("{same} of {} words are the source's", target_words.len()),
            };
            return Some((detail, echo));
        }
    }
    let detector = checker.detector.as_ref()?;
    if target.chars().filter(|c| c.is_alphabetic()).count() < 60 {
        return None;
    }
    let detection = detector.detect(target);
    let language = detection.language?;
    let sure = language == checker.from || detection.confidence >= 0.8;
    let detail = format!("reads as {language} (confidence {:.2}), not {}", detection.confidence, checker.to);
    (language != checker.to && sure).then_some((detail, false))
}

/// Words of the source language the target kept: "left in English: berths, quay". Quotations
/// kept in their own language and spans marked not to translate are the source's to keep.
/// Each side is (inline HTML, its text).
pub(super) fn left_words(checker: &Checker, source: (&str, &str), target: (&str, &str)) -> Option<String> {
    let (source, target) = (leftover::own_text(source, &checker.from), leftover::own_text(target, &checker.from));
    let found = leftover::left_words(&checker.from, &checker.to, &source, &target, &checker.glossary)?;
    let language = crate::languages::by_code(&checker.from).map_or(checker.from.as_str(), |l| l.name);
    Some(format!("left in {language}: {}", found.join(", ")))
}
