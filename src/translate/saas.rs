//! What the SaaS backends share: language lists, code mapping, and request limits.

use crate::languages;

/// Limits on one request, so the stage can batch within them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLimits {
    pub max_segments: usize,
    /// Bytes of segment text in one request (a little under the service's limit, for the envelope).
    pub max_bytes: usize,
}

impl RequestLimits {
    pub const UNLIMITED: RequestLimits = RequestLimits { max_segments: usize::MAX, max_bytes: usize::MAX };
}

/// What a backend charges for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Billing {
    /// A local engine: nothing.
    Free,
    /// Characters of source text; tags are not billed.
    SourceCharacters,
    /// Characters of the request, markup included.
    CharactersWithTags,
    /// Model tokens, prompt and answer.
    Tokens,
}

impl std::fmt::Display for Billing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Billing::Free => "free",
            Billing::SourceCharacters => "billed per source character",
            Billing::CharactersWithTags => "billed per character, tags included",
            Billing::Tokens => "billed per token",
        })
    }
}

/// A service's code for one of our languages: ISO 639-1, but Chinese as the service spells it.
pub fn code_with_chinese<'a>(lang: &'a str, chinese: &'static str) -> &'a str {
    if lang == "zh" {
        chinese
    } else {
        lang
    }
}

/// Every pair between two different languages of a list.
pub fn pairs_among(codes: &[String]) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for from in codes {
        for to in codes {
            if from != to {
                pairs.push((from.clone(), to.clone()));
            }
        }
    }
    pairs
}

/// All the languages this build supports, but those listed.
pub fn supported_except(except: &[&str]) -> Vec<String> {
    languages::SUPPORTED.iter().map(|l| l.code).filter(|c| !except.contains(c)).map(str::to_string).collect()
}

/// Splits segments into consecutive batches within the limits (a segment larger than the byte
/// limit travels alone).
pub fn batches(segments: &[String], limits: RequestLimits) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, segment) in segments.iter().enumerate() {
        let size = segment.len();
        if i > start && (i - start >= limits.max_segments || bytes + size > limits.max_bytes) {
            out.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += size;
    }
    if start < segments.len() {
        out.push(start..segments.len());
    }
    out
}

/// Re-escapes text that came back with its entities decoded (LibreTranslate un-escapes its HTML
/// output): a `<` that opens no tag and a `&` that starts no entity are escaped again.
pub fn reescape(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut i = 0;
    while i < html.len() {
        let c = html[i..].chars().next().expect("in bounds");
        match c {
            '<' => {
                let rest = &html[i + 1..];
                let opens_tag =
                    rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!') && rest.contains('>');
                out.push_str(if opens_tag { "<" } else { "&lt;" });
            }
            '&' => {
                let rest = &html[i + 1..];
                let end = rest.find(';').filter(|&e| e > 0 && e <= 10);
                let entity = end.is_some_and(|e| rest[..e].chars().all(|c| c.is_ascii_alphanumeric() || c == '#'));
                out.push_str(if entity { "&" } else { "&amp;" });
            }
            c => out.push(c),
        }
        i += c.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_respect_both_limits() {
        let segments: Vec<String> = ["aaaa", "bbbb", "cccc", "dddddddddd", "e"].iter().map(|s| s.to_string()).collect();
        let limits = RequestLimits { max_segments: 2, max_bytes: 9 };
        assert_eq!(batches(&segments, limits), vec![0..2, 2..3, 3..4, 4..5]);
        assert_eq!(batches(&segments, RequestLimits::UNLIMITED), vec![0..5]);
        assert!(batches(&[], limits).is_empty());
    }

    #[test]
    fn reescape_fixes_decoded_entities_only() {
        assert_eq!(reescape("<p>A & B < C <b>bold</b> &amp; x</p>"), "<p>A &amp; B &lt; C <b>bold</b> &amp; x</p>");
    }
}
