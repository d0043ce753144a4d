//! Signs of page chrome: class and id words of navigation, ads, share bars, cookie and newsletter
//! boxes, related lists; and short lines that are chrome in the desk's languages. The knowledge is
//! data, in `chrome/`: one file of class words, one of social networks, one per language of
//! phrases, each entry a pattern seen across sites rather than a line of one page.

use std::sync::OnceLock;

use rustc_hash::FxHashSet;

/// The data files, built in.
const FILES: &[(&str, &str)] = &[
    ("classes.txt", include_str!("chrome/classes.txt")),
    ("social.txt", include_str!("chrome/social.txt")),
    ("de.txt", include_str!("chrome/de.txt")),
    ("en.txt", include_str!("chrome/en.txt")),
    ("es.txt", include_str!("chrome/es.txt")),
    ("fr.txt", include_str!("chrome/fr.txt")),
    ("it.txt", include_str!("chrome/it.txt")),
    ("lt.txt", include_str!("chrome/lt.txt")),
    ("pl.txt", include_str!("chrome/pl.txt")),
    ("pt.txt", include_str!("chrome/pt.txt")),
    ("ru.txt", include_str!("chrome/ru.txt")),
    ("uk.txt", include_str!("chrome/uk.txt")),
];

/// Lines longer than this (in characters) are never a chrome label or heading.
const MAX_LABEL_CHARS: usize = 60;

/// A call to follow a channel is a short paragraph at most ("Follow us on Telegram, Instagram, ...").
const MAX_FOLLOW_CALL_CHARS: usize = 200;
const MAX_FOLLOW_CALL_WORDS: usize = 30;

/// A metadata line ("Photo: Jane Doe, AP") is a handful of words.
const MAX_META_LINE_WORDS: usize = 10;

/// How much a class word moves an element's score, up for the article, down for chrome.
const CLASS_WORD_WEIGHT: i32 = 25;

/// A fixed set of words, looked up many times per page: a fast hash is enough, since nothing a
/// page holds is ever added to it.
type Words = FxHashSet<&'static str>;

/// Every section of every data file, merged across languages.
#[derive(Default)]
struct Lexicon {
    chrome: Words,
    strong: Words,
    article: Words,
    body: Words,
    hiding: Words,
    chrome_prefix: Vec<&'static str>,
    social: Words,
    line: Words,
    /// `[line]` entries written `…ending`: a line that ends so ("Diesen Artikel teilen").
    line_endings: Vec<&'static str>,
    end: Words,
    end_endings: Vec<&'static str>,
    meta: Vec<&'static str>,
    follow: Words,
    more: Vec<&'static str>,
}

fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let mut lexicon = Lexicon::default();
        for (file, text) in FILES {
            let mut section = "";
            for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
                if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                    section = name;
                    continue;
                }
                match section {
                    "chrome" => drop(lexicon.chrome.insert(line)),
                    "strong" => drop(lexicon.strong.insert(line)),
                    "article" => drop(lexicon.article.insert(line)),
                    "body" => drop(lexicon.body.insert(line)),
                    "hiding" => drop(lexicon.hiding.insert(line)),
                    "chrome-prefix" => lexicon.chrome_prefix.push(line),
                    "social" => drop(lexicon.social.insert(line)),
                    "line" => match line.strip_prefix('…') {
                        Some(ending) => lexicon.line_endings.push(ending),
                        None => drop(lexicon.line.insert(line)),
                    },
                    "end" => match line.strip_prefix('…') {
                        Some(ending) => lexicon.end_endings.push(ending),
                        None => drop(lexicon.end.insert(line)),
                    },
                    "meta" => lexicon.meta.push(line),
                    "follow" => drop(lexicon.follow.insert(line)),
                    "more" => lexicon.more.push(line),
                    other => panic!("clean/chrome/{file}: unknown section [{other}]"),
                }
            }
        }
        lexicon
    })
}

/// The words of a class/id string that is already lower-case.
fn words(lowered: &str) -> impl Iterator<Item = &str> {
    lowered.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty())
}

fn is_chrome_word(lexicon: &Lexicon, word: &str) -> bool {
    lexicon.chrome.contains(word) || lexicon.chrome_prefix.iter().any(|p| word.starts_with(p))
}

/// Scores a class/id string: negative for chrome, positive for article containers.
pub fn class_weight(class_and_id: &str) -> i32 {
    let lexicon = lexicon();
    let mut weight = 0;
    let lowered = class_and_id.to_ascii_lowercase();
    for word in words(&lowered) {
        if lexicon.article.contains(word) {
            weight += CLASS_WORD_WEIGHT;
        } else if is_chrome_word(lexicon, word) || word.starts_with("share") || word.starts_with("related") {
            weight -= CLASS_WORD_WEIGHT;
        }
    }
    weight
}

/// Whether the class/id marks chrome and nothing that looks like the article.
#[cfg(test)]
fn is_chrome(class_and_id: &str) -> bool {
    chrome_strength(class_and_id).is_some()
}

/// How a class/id marks chrome: `Some(true)` for words that always mean chrome (share bars,
/// cookie boxes, comments), `Some(false)` for words that usually do (widget, sidebar, ad), `None`
/// when it does not. A word after "has", "no", "non", "with" describes its element instead of
/// naming it ("has-ads", "no-sidebar", "non-ad-column").
pub fn chrome_strength(class_and_id: &str) -> Option<bool> {
    let lexicon = lexicon();
    let lowered = class_and_id.to_ascii_lowercase();
    if lowered.split_whitespace().any(|c| lexicon.hiding.contains(c)) {
        return Some(true);
    }
    let mut found: Option<bool> = None;
    let mut modifier = false;
    for word in words(&lowered) {
        if lexicon.body.contains(word) {
            return None;
        }
        let skip = modifier;
        modifier = matches!(word, "has" | "no" | "non" | "with" | "without" | "hide" | "show");
        if skip {
            continue;
        }
        if is_chrome_word(lexicon, word) {
            let strong = lexicon.strong.contains(word) || word.starts_with("cookie") || word.starts_with("newsletter");
            found = Some(found.unwrap_or(false) || strong);
        }
    }
    found
}

/// Whether a normalised line is one of `lines`, or ends with one of `endings` after a word break.
fn is_listed(line: &str, lines: &Words, endings: &[&str]) -> bool {
    lines.contains(line)
        || endings.iter().any(|e| line.strip_suffix(e).is_some_and(|head| head.is_empty() || head.ends_with(' ')))
}

/// A line lowercased, without the punctuation, brackets and dashes around it.
fn normalised_line(text: &str) -> String {
    trimmed_line(text).to_lowercase()
}

fn trimmed_line(text: &str) -> &str {
    let edges: &[char] = &[':', '.', '!', '?', '»', '›', '→', '…', '-', '–', '—', '|', '*', ' ', '¿', '¡', '(', ')'];
    text.trim().trim_matches(edges).trim()
}

/// Whether a line is too long to be `max` characters once normalised (lower case never makes
/// one character more than three), told before any copy is made of it.
fn longer_than(text: &str, max: usize) -> bool {
    let trimmed = trimmed_line(text);
    trimmed.len() > 3 * 4 * max || trimmed.chars().count() > 3 * max
}

/// Whether a short line is page chrome rather than article text.
pub fn is_chrome_line(text: &str) -> bool {
    if longer_than(text, MAX_FOLLOW_CALL_CHARS) {
        return false;
    }
    let lexicon = lexicon();
    let line = normalised_line(text);
    let chars = line.chars().count();
    if line.is_empty() || chars > MAX_FOLLOW_CALL_CHARS {
        return false;
    }
    let words: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '|' | '/' | '@'))
        .filter(|w| !w.is_empty())
        .collect();
    // "Siguenos en Telegram, Instagram, Facebook y Twitter": a call to follow a social account.
    let networks = words.iter().filter(|w| lexicon.social.contains(*w) && w.len() > 2).count();
    if networks >= 1 && words.len() <= MAX_FOLLOW_CALL_WORDS && words.iter().any(|w| lexicon.follow.contains(w)) {
        return true;
    }
    if chars > MAX_LABEL_CHARS {
        return false;
    }
    if is_listed(&line, &lexicon.line, &lexicon.line_endings) || is_listed(&line, &lexicon.end, &lexicon.end_endings) {
        return true;
    }
    // Dates, credits and categories: "Photo: Jane Doe, AP", "Aktualisiert: 03.04.2020", "Фото: ТАСС".
    if lexicon.meta.iter().any(|o| line.starts_with(o)) && words.len() <= MAX_META_LINE_WORDS {
        return true;
    }
    // "Facebook Twitter LinkedIn": a line made only of social network names.
    words.len() >= 2 && words.iter().all(|w| lexicon.social.contains(w))
}

/// Whether a line opens what follows the article (related stories, comments, the author box).
pub fn is_end_of_article(text: &str) -> bool {
    if longer_than(text, MAX_LABEL_CHARS) {
        return false;
    }
    let lexicon = lexicon();
    let line = normalised_line(text);
    line.chars().count() <= MAX_LABEL_CHARS
        && (is_listed(&line, &lexicon.end, &lexicon.end_endings)
            || lexicon.more.iter().any(|o| line.strip_prefix(o).is_some_and(|rest| rest.starts_with(' '))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chrome_classes_and_article_classes() {
        assert!(is_chrome("cookie-banner"));
        assert!(is_chrome("ad-slot top"));
        assert!(is_chrome("share-buttons"));
        assert!(!is_chrome("article-body comments-enabled"));
        assert!(!is_chrome("header-lead"));
        assert!(is_chrome("article-meta"));
        assert!(is_chrome("article-share"));
        assert!(!is_chrome("o-section o-section--has-ads"));
        assert!(!is_chrome("non-ad-column"));
        assert_eq!(chrome_strength("widget"), Some(false));
        assert_eq!(chrome_strength("share-tools widget"), Some(true));
        assert!(class_weight("story-body") > 0);
        assert!(class_weight("related-links") < 0);
    }

    #[test]
    fn chrome_lines_in_several_languages() {
        assert!(is_chrome_line("Share this article"));
        assert!(is_chrome_line("Facebook Twitter LinkedIn"));
        assert!(is_chrome_line("Читайте также:"));
        assert!(is_chrome_line("Publicidad"));
        assert!(!is_chrome_line("Share prices fell sharply on Monday after the announcement."));
        assert!(is_chrome_line("- Anzeige-"));
        assert!(is_chrome_line("Aktualisiert: 03.04.2020"));
        assert!(is_chrome_line("Siguenos en Telegram, Instagram, Facebook y Twitter"));
        assert!(is_chrome_line("Follow The Gleaner on Twitter and Instagram @JamaicaGleaner"));
        assert!(!is_chrome_line("Meta owns Facebook, Instagram and WhatsApp, and Twitter is now called X."));
        assert!(is_end_of_article("Das könnte dich auch interessieren:"));
        assert!(is_end_of_article("Diese Artikel könnten Sie auch interessieren"));
        assert!(is_chrome_line("Möchten Sie den Artikel teilen?"));
        assert!(!is_chrome_line("Wir teilen den Artikel nicht."));
        assert!(is_chrome_line("(crédito: Minervino Júnior/CB)"));
        assert!(is_end_of_article("Más sobre La Tercera AM"));
        assert!(!is_end_of_article("Related parties agreed on Monday"));
    }

    #[test]
    fn every_data_file_loads_into_known_sections() {
        let lexicon = lexicon();
        assert!(lexicon.chrome.contains("cookie") && lexicon.article.contains("story"));
        assert!(lexicon.line.contains("поделиться") && lexicon.end.contains("susiję straipsniai"));
        assert!(lexicon.meta.contains(&"foto:") && lexicon.follow.contains("síguenos"));
        assert!(lexicon.social.contains("telegram") && lexicon.more.contains(&"más sobre"));
    }
}
