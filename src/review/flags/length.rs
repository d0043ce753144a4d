//! Length: a target far shorter or longer than the pair's usual ratio, and a passage left out.

use super::{ends_sentence, Checker};

/// The length ratio is an outlier for the pair; far too short is a passage cut off.
pub(super) fn outlier(checker: &Checker, source: &str, target: &str) -> Option<(String, bool)> {
    let source_chars = source.chars().filter(|c| !c.is_whitespace()).count();
    let target_chars = target.chars().filter(|c| !c.is_whitespace()).count();
    if source_chars < 40 {
        return None;
    }
    let expected = density(&checker.to) / density(&checker.from);
    let ratio = target_chars as f64 / source_chars as f64;
    let (low, high) = (expected * 0.5, expected * 2.0);
    (ratio < low || ratio > high).then(|| {
        let detail = format!(
            "{target_chars} characters for {source_chars}: ratio {ratio:.2}, expected {low:.2}–{high:.2} for {}→{}",
            checker.from, checker.to
        );
        (detail, ratio < low)
    })
}

/// Characters (without spaces) a language uses for what English says in one: the target/source
/// ratio a pair expects is the quotient of its two.
pub(super) fn density(code: &str) -> f64 {
    match code {
        "es" | "fr" | "pt" | "it" | "ro" | "ca" => 1.15,
        "de" | "nl" | "sv" => 1.18,
        "ru" | "uk" | "be" | "bg" | "pl" | "cs" | "lt" | "lv" => 1.1,
        "fi" | "et" | "hu" | "tr" => 1.12,
        "el" => 1.2,
        "ar" => 0.9,
        "zh" => 0.3,
        "ja" => 0.45,
        _ => 1.0,
    }
}

/// Far fewer sentences, and far fewer characters than the pair expects: a translator who merges
/// two sentences keeps their words.
pub(super) fn omission(source: &str, target: &str, expected_ratio: f64) -> Option<String> {
    let (wanted, got) = (sentences(source), sentences(target));
    let chars = |text: &str| text.chars().filter(|c| !c.is_whitespace()).count() as f64;
    let ratio = chars(target) / chars(source).max(1.0);
    (wanted >= 2 && got * 3 < wanted * 2 && ratio < expected_ratio * 0.75)
        .then(|| format!("{got} sentences for the source's {wanted}, and {:.0}% of its length", ratio * 100.0))
}

/// Sentences: runs of words ended by a full stop, a question or exclamation mark, with
/// abbreviations (Mr., U.S., a.m.) read as such.
fn sentences(text: &str) -> usize {
    let mut count = 0;
    let mut open = false;
    for raw in text.split_whitespace() {
        if raw.chars().any(char::is_alphanumeric) {
            open = true;
        }
        if open && ends_sentence(raw) {
            count += 1;
            open = false;
        }
    }
    count + usize::from(open)
}
