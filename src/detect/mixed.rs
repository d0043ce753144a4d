//! Mixed-language articles: a quotation in another language (a Russian quote inside a Ukrainian
//! story) is marked `<span lang="ru">`, and a whole paragraph in another language gets its own
//! `lang`, so the translate stage can leave it be or translate it from its own language.
//! Only confident calls mark anything: the article's language stays the default.

use std::collections::HashMap;

use super::Detector;
use crate::html::{inline_text, unescape};
use crate::model::{Article, BlockKind};

/// Quotation marks: opening and closing.
const QUOTES: &[(char, char)] = &[('«', '»'), ('“', '”'), ('„', '“'), ('"', '"')];
/// A quotation shorter than this is too short to judge.
const MIN_QUOTE_CHARS: usize = 20;
const QUOTE_CONFIDENCE: f64 = 0.8;
/// A paragraph's own language is judged only from this length on.
const MIN_PARAGRAPH_CHARS: usize = 120;
const PARAGRAPH_CONFIDENCE: f64 = 0.9;

/// A paragraph whose words (names and numbers aside) are at least this share in the rest of the
/// article is written in the article's language: it needs no detection of its own. A translated
/// passage of the same story shares up to about half (Russian in Ukrainian, Catalan in Spanish),
/// so only a clear majority settles it.
const SHARED_WORDS_SETTLE: f64 = 0.6;

/// Marks quotations and paragraphs whose language differs from the article's.
pub fn mark_languages(article: &mut Article, detector: &dyn Detector) {
    let Some(language) = article.language.clone() else { return };
    let vocabulary = Vocabulary::of(article);
    for (index, block) in article.blocks.iter_mut().enumerate() {
        if matches!(block.kind, BlockKind::Image | BlockKind::Preformatted) {
            continue;
        }
        block.html = mark_quotes(&block.html, &language, detector);
        let own_text = inline_text(&without_marked_spans(&block.html));
        if own_text.chars().count() >= MIN_PARAGRAPH_CHARS
            && !vocabulary.holds_most_of(&own_text, index)
            && !detector.agrees(&own_text, &language)
        {
            let detection = detector.detect(&own_text);
            if detection.confidence >= PARAGRAPH_CONFIDENCE
                && detection.language.as_deref().is_some_and(|l| l != language)
            {
                block.lang = detection.language;
            }
        }
    }
}

/// The words of a text that say which language it is in: without the punctuation around them,
/// and leaving out names and numbers, which a passage in any language shares with the story.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_alphabetic() && !c.is_uppercase()))
        .map(str::to_string)
}

/// The words of an article, each with the block it was seen in, or `None` when seen in more than
/// one (or in the headline).
struct Vocabulary(HashMap<String, Option<usize>>);

impl Vocabulary {
    fn of(article: &Article) -> Self {
        let mut seen: HashMap<String, Option<usize>> = words(&article.title).map(|w| (w, None)).collect();
        for (index, block) in article.blocks.iter().enumerate() {
            for word in words(&inline_text(&block.html)) {
                seen.entry(word).and_modify(|at| *at = at.filter(|i| *i == index)).or_insert(Some(index));
            }
        }
        Vocabulary(seen)
    }

    /// Whether the block's words are mostly the article's own, seen elsewhere in the article:
    /// then it is written in the article's language.
    fn holds_most_of(&self, text: &str, block: usize) -> bool {
        let (mut shared, mut total) = (0usize, 0usize);
        for word in words(text) {
            total += 1;
            shared += usize::from(self.0.get(&word).is_some_and(|at| *at != Some(block)));
        }
        total > 0 && shared as f64 >= total as f64 * SHARED_WORDS_SETTLE
    }
}

/// Wraps quotations in another language in `<span lang="..">`; tags and other text are kept.
pub fn mark_quotes(html: &str, language: &str, detector: &dyn Detector) -> String {
    let mut out = String::with_capacity(html.len() + 32);
    let mut rest = html;
    while !rest.is_empty() {
        let text_end = rest.find('<').unwrap_or(rest.len());
        mark_in_text(&rest[..text_end], language, detector, &mut out);
        rest = &rest[text_end..];
        if rest.is_empty() {
            break;
        }
        let tag_end = rest.find('>').map_or(rest.len(), |i| i + 1);
        out.push_str(&rest[..tag_end]);
        rest = &rest[tag_end..];
    }
    out
}

fn mark_in_text(text: &str, language: &str, detector: &dyn Detector, out: &mut String) {
    let mut rest = text;
    while let Some((start, open, close)) =
        QUOTES.iter().filter_map(|&(open, close)| rest.find(open).map(|i| (i, open, close))).min_by_key(|(i, _, _)| *i)
    {
        let inner_start = start + open.len_utf8();
        let Some(inner_len) = rest[inner_start..].find(close) else { break };
        let inner = &rest[inner_start..inner_start + inner_len];
        out.push_str(&rest[..inner_start]);
        let quoted = unescape(inner);
        let judged = quoted.chars().count() >= MIN_QUOTE_CHARS && !detector.agrees(&quoted, language);
        let detection = judged.then(|| detector.detect(&quoted));
        match detection {
            Some(d) if d.confidence >= QUOTE_CONFIDENCE && d.language.as_deref().is_some_and(|l| l != language) => {
                out.push_str(&format!("<span lang=\"{}\">{inner}</span>", d.language.unwrap_or_default()));
            }
            _ => out.push_str(inner),
        }
        out.push(close);
        rest = &rest[inner_start + inner_len + close.len_utf8()..];
    }
    out.push_str(rest);
}

/// The inline HTML without the `<span lang>` quotations already marked.
fn without_marked_spans(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<span lang=\"") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</span>") {
            Some(end) => rest = &rest[start + end + "</span>".len()..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::LinguaDetector;
    use crate::model::Block;

    #[test]
    fn a_russian_quote_in_a_ukrainian_story_is_marked() {
        let detector = LinguaDetector::new(&["uk".into(), "ru".into()]);
        let mut article = Article { language: Some("uk".into()), ..Article::default() };
        article.blocks.push(Block::new(
            BlockKind::Paragraph,
            "Речник міністерства заявив: «Мы не собираемся обсуждать это решение с журналистами сегодня», і відмовився від коментарів.",
        ));
        mark_languages(&mut article, &detector);
        let html = &article.blocks[0].html;
        assert!(
            html.contains("«<span lang=\"ru\">Мы не собираемся обсуждать это решение с журналистами сегодня</span>»"),
            "{html}"
        );
        assert_eq!(article.blocks[0].lang, None, "the paragraph itself stays Ukrainian");
    }

    #[test]
    fn same_language_quotes_and_attributes_are_left_alone() {
        let detector = LinguaDetector::new(&["en".into(), "es".into()]);
        let html = "He said \"we will rebuild the bridge before the winter comes\" and <a href=\"https://x.example/\">left</a>.";
        assert_eq!(mark_quotes(html, "en", &detector), html);
    }

    #[test]
    fn a_paragraph_in_another_language_gets_its_own_lang() {
        let detector = LinguaDetector::new(&["en".into(), "es".into()]);
        let mut article = Article { language: Some("en".into()), ..Article::default() };
        article.blocks.push(Block::new(
            BlockKind::Paragraph,
            "El alcalde de la ciudad anunció ayer que el puerto tendrá una nueva terminal de pasajeros antes del verano del año que viene.",
        ));
        mark_languages(&mut article, &detector);
        assert_eq!(article.blocks[0].lang.as_deref(), Some("es"));
    }
}
