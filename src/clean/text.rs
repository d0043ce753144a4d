//! Plain-text articles scraped with their page chrome: the section line, the headline printed
//! twice, "Share this article" and social-network rows around the story.

use super::boilerplate::is_chrome_line;
use crate::html::escape;
use crate::model::{Block, BlockKind};

pub struct TextArticle {
    pub section: Option<String>,
    pub title: String,
    pub blocks: Vec<Block>,
}

/// A line longer than this is a paragraph, not a headline.
const MAX_HEADLINE_CHARS: usize = 200;

/// A line that reads as article prose rather than a label.
fn is_prose(line: &str) -> bool {
    line.split_whitespace().count() >= 12 || line.ends_with(['.', '!', '?', '…', '"', '»', '”', '。'])
}

pub fn clean_text(text: &str) -> Option<TextArticle> {
    let lines = paragraphs(text);
    let mut seen: Vec<&str> = Vec::new();
    let mut unique: Vec<&str> = Vec::new();
    for line in &lines {
        if is_chrome_line(line) || seen.contains(&line.as_str()) {
            continue;
        }
        seen.push(line);
        unique.push(line);
    }
    // Short label lines before the headline: the first is the section.
    let title_at = unique.iter().position(|l| l.split_whitespace().count() >= 3)?;
    let section = unique[..title_at].first().map(|s| s.to_string());
    let first = unique[title_at];
    // A brief may have no headline line: its first line is already the story.
    let no_headline = first.chars().count() > MAX_HEADLINE_CHARS
        || (is_prose(first) && !unique[title_at + 1..].iter().any(|l| is_prose(l)));
    let (title, body) = if no_headline {
        (super::stand_in_headline(first), &unique[title_at..])
    } else {
        (first.to_string(), &unique[title_at + 1..])
    };
    let first = body.iter().position(|l| is_prose(l))?;
    let last = body.iter().rposition(|l| is_prose(l))?;
    let blocks = body[first..=last]
        .iter()
        .map(|line| {
            let kind = if is_prose(line) { BlockKind::Paragraph } else { BlockKind::Heading(2) };
            Block::new(kind, escape(line))
        })
        .collect();
    Some(TextArticle { section, title, blocks })
}

/// Paragraphs of a text: one per line, unless the text is hard-wrapped, then one per blank-line chunk.
fn paragraphs(text: &str) -> Vec<String> {
    let is_blank = |l: &str| l.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}').is_empty();
    let lines: Vec<&str> = text.lines().filter(|l| !is_blank(l)).collect();
    let longest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let near_limit = lines.iter().filter(|l| l.chars().count() + 15 >= longest).count();
    let hard_wrapped = longest <= 100 && lines.len() >= 6 && near_limit * 2 >= lines.len();
    if !hard_wrapped {
        return lines.into_iter().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
    }
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if is_blank(line) {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        for word in line.split_whitespace() {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_LIKE: &str = "Diplomacy\n\nMinister announces the demilitarization of the region\n\nMinister announces the demilitarization of the region\nArticle top vertical\n\nThe minister said on Tuesday that troops had been moved to another front, according to officials.\n\n\u{a0}\n\nA second paragraph says more, and it ends properly.\n\nShare this article\n\nFacebook Twitter LinkendIn";

    #[test]
    fn seed_like_text_keeps_headline_and_body_only() {
        let article = clean_text(SEED_LIKE).unwrap();
        assert_eq!(article.section.as_deref(), Some("Diplomacy"));
        assert_eq!(article.title, "Minister announces the demilitarization of the region");
        let texts: Vec<&str> = article.blocks.iter().map(|b| b.html.as_str()).collect();
        assert_eq!(
            texts,
            [
                "The minister said on Tuesday that troops had been moved to another front, according to officials.",
                "A second paragraph says more, and it ends properly."
            ]
        );
    }

    #[test]
    fn a_one_paragraph_brief_is_an_article() {
        let brief = "The city council approved on Tuesday a plan to extend the harbour ferry to the northern \
                     islands from next spring, with three crossings a day in summer and one in winter. The first \
                     boats are due in April; fares stay the same as on the current line, the council said.";
        assert!(brief.len() > 250);
        let article = clean_text(brief).unwrap();
        assert_eq!(
            article.title,
            "The city council approved on Tuesday a plan to extend the harbour ferry to the northern islands from next spring, with…"
        );
        assert_eq!(article.blocks.len(), 1);
        assert_eq!(article.blocks[0].html, brief);
        // A short one-line brief under a headline keeps its headline.
        let headed = clean_text("Ferry to the islands\n\nThe council approved the plan on Tuesday.").unwrap();
        assert_eq!((headed.title.as_str(), headed.blocks.len()), ("Ferry to the islands", 1));
    }

    #[test]
    fn hard_wrapped_text_is_joined() {
        let text = "A headline for the story\n\nThis paragraph was wrapped by an old mail program at\nseventy columns so that each line is about as long as\nthe others, which we have to undo before translating.\n\nAnd a second one, also wrapped by the same old program\nat seventy columns, ends here with a proper full stop.";
        let article = clean_text(text).unwrap();
        assert_eq!(article.blocks.len(), 2);
        assert!(article.blocks[0].html.starts_with("This paragraph was wrapped by an old mail program at seventy"));
    }
}
