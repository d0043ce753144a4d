//! Links and e-mail addresses: each one of the source in the target, as written.

use super::first_few;

pub(super) fn is_url(word: &str) -> bool {
    word.starts_with("http://") || word.starts_with("https://") || word.starts_with("www.")
}

/// The URLs of a segment: its links' targets and the addresses in its text.
pub(super) fn links(html: &str, text: &str, keep: fn(&str) -> bool) -> Vec<String> {
    let mut found: Vec<String> = html
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(crate::html::unescape)
        .filter(|u| keep(u))
        .collect();
    found.extend(
        text.split_whitespace()
            .map(|w| w.trim_end_matches(['.', ',', ';', ':', ')', '»', '"', '!', '?']))
            .filter(|w| keep(w))
            .map(str::to_string),
    );
    found
}

pub(super) fn emails(html: &str, text: &str) -> Vec<String> {
    let mut found: Vec<String> = links(html, "", |u| u.starts_with("mailto:"))
        .into_iter()
        .map(|u| u.trim_start_matches("mailto:").to_string())
        .collect();
    found.extend(
        text.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '<' | '>' | ',' | ';' | '«' | '»'))
            .map(|w| w.trim_end_matches(['.', ':', '!', '?']))
            .filter(|w| {
                let mut parts = w.split('@');
                matches!((parts.next(), parts.next(), parts.next()), (Some(user), Some(host), None)
                    if !user.is_empty() && host.contains('.') && !host.ends_with('.'))
            })
            .map(str::to_string),
    );
    found
}

/// What of `wanted` the target lacks.
pub(super) fn kept(wanted: &[String], got: &[String]) -> Option<String> {
    let missing: Vec<&str> = wanted.iter().filter(|w| !got.contains(w)).map(String::as_str).collect();
    (!missing.is_empty()).then(|| format!("not in the translation: {}", first_few(&missing)))
}
