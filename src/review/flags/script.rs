//! Script: a word mixing scripts, or a common word in another script than the target's.

use super::{first_few, Checker};

/// A word mixing scripts (a Latin K in Київ), or a common word in another script than the
/// target's (an English word left in a Ukrainian copy). Names, brands and acronyms keep their
/// letters (Apple, ITV), and so do addresses (weather.com).
pub(super) fn strays(checker: &Checker, target: &str) -> Option<String> {
    let expected = script_of_language(&checker.to);
    let mut strays: Vec<&str> = Vec::new();
    for token in target.split_whitespace() {
        let token = token.trim_matches(|c: char| !c.is_alphanumeric());
        if token.contains(['.', '@', '/']) || token.chars().any(|c| c.is_ascii_digit()) {
            continue;
        }
        // Each part of a compound has a script of its own (VIP-билет, O'Хейген).
        for part in token.split(['-', '\'', '’']) {
            let scripts: Vec<Script> = part.chars().filter(|c| c.is_alphabetic()).map(script_of).collect();
            if scripts.len() < 3 {
                continue;
            }
            let mixed = scripts.iter().any(|s| *s != scripts[0]);
            let foreign = scripts.iter().all(|s| *s != expected && *s != Script::Other);
            let name = part.chars().next().is_some_and(char::is_uppercase);
            if mixed || (foreign && !name) {
                strays.push(part);
            }
        }
    }
    (!strays.is_empty()).then(|| format!("letters of another script: {}", first_few(&strays)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Script {
    Latin,
    Cyrillic,
    Greek,
    Arabic,
    Han,
    Other,
}

pub(super) fn script_of(c: char) -> Script {
    match c as u32 {
        0x41..=0x24F | 0x1E00..=0x1EFF => Script::Latin,
        0x400..=0x52F => Script::Cyrillic,
        0x370..=0x3FF => Script::Greek,
        0x600..=0x6FF => Script::Arabic,
        0x3040..=0x30FF | 0x4E00..=0x9FFF => Script::Han,
        _ => Script::Other,
    }
}

pub(super) fn script_of_language(code: &str) -> Script {
    match code {
        "ru" | "uk" | "be" | "bg" | "sr" | "mk" | "kk" => Script::Cyrillic,
        "el" => Script::Greek,
        "ar" | "fa" => Script::Arabic,
        "zh" | "ja" => Script::Han,
        _ => Script::Latin,
    }
}
