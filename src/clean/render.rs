//! Blocks to what people and partners read: sanitised HTML, plain prose and Markdown.

use std::collections::HashSet;
use std::sync::OnceLock;

use super::entities::push_decoded;
use crate::html::{attr_value, escape_attr, inline_text, unescape};
use crate::model::{Block, BlockKind};

/// Plain text wider than any paragraph, so html2text never wraps inside one.
const NO_WRAP: usize = 1_000_000;

/// The blocks as HTML: one element per block, list items grouped into lists, sanitised.
pub fn to_html(blocks: &[Block]) -> String {
    sanitize(&blocks_html(blocks.iter()))
}

/// Original and translation side by side, block by block, each side tagged with its language,
/// for partners that proofread: a table, which email clients lay out as they should. Each cell is
/// [`to_html`] of its block.
pub fn to_bilingual_html(original: &[Block], from: &str, translated: &[Block], to: &str) -> String {
    let mut html = String::from("<table class=\"newswire-bilingual\">\n");
    for (source, target) in original.iter().zip(translated) {
        html.push_str(&format!(
            "<tr><td lang=\"{}\">{}</td><td lang=\"{}\">{}</td></tr>\n",
            escape_attr(from),
            to_html(std::slice::from_ref(source)).trim(),
            escape_attr(to),
            to_html(std::slice::from_ref(target)).trim()
        ));
    }
    html.push_str("</table>\n");
    html
}

/// The same pairs as plain text: each original block, then its translation.
pub fn to_bilingual_prose(original: &[Block], translated: &[Block]) -> String {
    original
        .iter()
        .zip(translated)
        .map(|(source, target)| {
            format!(
                "{}\n{}",
                to_prose(std::slice::from_ref(source)).trim(),
                to_prose(std::slice::from_ref(target)).trim()
            )
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The blocks as HTML as they are, for renderers that only read text out of it.
fn blocks_html<'a>(blocks: impl Iterator<Item = &'a Block>) -> String {
    let mut html = String::new();
    let mut open_list: Option<bool> = None;
    for block in blocks {
        let list = match block.kind {
            BlockKind::ListItem { ordered } => Some(ordered),
            _ => None,
        };
        if open_list != list {
            if let Some(ordered) = open_list {
                html.push_str(if ordered { "</ol>\n" } else { "</ul>\n" });
            }
            if let Some(ordered) = list {
                html.push_str(if ordered { "<ol>\n" } else { "<ul>\n" });
            }
            open_list = list;
        }
        let (open, close) = block_tags(block.kind);
        match &block.lang {
            // The language goes on the block's own element: `<p lang="ru">`.
            Some(lang) => html.push_str(&open.replacen('>', &format!(" lang=\"{}\">", escape_attr(lang)), 1)),
            None => html.push_str(&open),
        }
        html.push_str(&block.html);
        html.push_str(close);
        html.push('\n');
    }
    if let Some(ordered) = open_list {
        html.push_str(if ordered { "</ol>\n" } else { "</ul>\n" });
    }
    html
}

fn block_tags(kind: BlockKind) -> (String, &'static str) {
    match kind {
        BlockKind::Heading(level) => {
            let level = level.clamp(2, 6);
            (format!("<h{level}>"), ["", "", "</h2>", "</h3>", "</h4>", "</h5>", "</h6>"][level as usize])
        }
        BlockKind::Paragraph => ("<p>".into(), "</p>"),
        BlockKind::ListItem { .. } => ("<li>".into(), "</li>"),
        BlockKind::Quote => ("<blockquote><p>".into(), "</p></blockquote>"),
        BlockKind::Caption => ("<figure><figcaption>".into(), "</figcaption></figure>"),
        BlockKind::Preformatted => ("<pre>".into(), "</pre>"),
        BlockKind::Image => ("<figure>".into(), "</figure>"),
    }
}

/// Removes anything a partner must not receive: scripts, styles, event handlers, `javascript:` and
/// `data:` URLs, unknown elements.
pub fn sanitize(html: &str) -> String {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER
        .get_or_init(|| {
            let tags: HashSet<&str> = [
                "a",
                "blockquote",
                "br",
                "code",
                "em",
                "figcaption",
                "figure",
                "h2",
                "h3",
                "h4",
                "h5",
                "h6",
                "img",
                "li",
                "ol",
                "p",
                "pre",
                "span",
                "strong",
                "sub",
                "sup",
                "table",
                "tbody",
                "td",
                "th",
                "thead",
                "tr",
                "ul",
            ]
            .into_iter()
            .collect();
            let mut builder = ammonia::Builder::default();
            builder
                .tags(tags)
                .url_schemes(["http", "https", "mailto"].into_iter().collect())
                .link_rel(Some("noopener noreferrer"))
                .add_generic_attributes(["lang"])
                .add_tag_attributes("img", ["src", "alt"])
                .add_tag_attributes("a", ["href"])
                .add_tag_attributes("span", ["translate"]);
            builder
        })
        .clean(html)
        .to_string()
}

/// The blocks as plain prose: the story's text without images and captions, one paragraph per
/// line of text (a `<br>` starts a new one), consecutive bullet items on consecutive lines, list
/// items marked `* ` or numbered, quotations marked `> `. Read straight from the blocks' inline
/// markup; only a block with superscripts or subscripts goes through html2text, which knows
/// their Unicode forms.
pub fn to_prose(blocks: &[Block]) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut number = 0;
    for block in blocks.iter().filter(|b| !matches!(b.kind, BlockKind::Image | BlockKind::Caption)) {
        number = match block.kind {
            BlockKind::ListItem { ordered: true } => number + 1,
            _ => 0,
        };
        let mut first = true;
        for line in inline_lines(&block.html, block.kind == BlockKind::Preformatted) {
            let marked = match block.kind {
                BlockKind::ListItem { ordered: false } if first => format!("* {line}"),
                BlockKind::ListItem { ordered: true } if first => format!("{number}. {line}"),
                BlockKind::Quote => format!("> {line}"),
                _ => line,
            };
            first = false;
            lines.push(marked);
        }
    }
    let mut out = String::new();
    let mut previous_is_item = false;
    for line in lines {
        let is_item = line.starts_with("* ");
        if !out.is_empty() {
            out.push_str(if is_item && previous_is_item { "\n" } else { "\n\n" });
        }
        out.push_str(&line);
        previous_is_item = is_item;
    }
    out
}

/// A block's inline markup as lines of text: tags dropped, references decoded, `<br>` ending a
/// line, white space collapsed (kept in preformatted text, whose lines are its own), the zero
/// width space dropped, blank lines left out.
fn inline_lines(html: &str, preformatted: bool) -> Vec<String> {
    if html.contains("<sup") || html.contains("<sub") {
        let text = html2text_plain(&without_links(&format!("<p>{html}</p>")));
        return text.lines().map(str::trim).filter(|line| !line.is_empty()).map(str::to_string).collect();
    }
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_decoded(&mut text, &rest[..lt], false);
        let Some(gt) = rest[lt..].find('>') else {
            rest = "";
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        if tag.len() >= 2 && tag[..2].eq_ignore_ascii_case("br") && !tag[2..].starts_with(|c: char| c.is_alphanumeric())
        {
            text.push('\n');
        }
        rest = &rest[lt + gt + 1..];
    }
    push_decoded(&mut text, rest, false);
    let text = text.replace('\u{200b}', "");
    let lines: Vec<String> = if preformatted {
        text.lines().map(|line| line.trim().to_string()).collect()
    } else {
        text.split('\n').map(|line| line.split_ascii_whitespace().collect::<Vec<_>>().join(" ")).collect()
    };
    lines.into_iter().map(|line| line.trim().to_string()).filter(|line| !line.is_empty()).collect()
}

/// The HTML as plain prose: paragraphs separated by one blank line, no wrapping, no markup.
pub fn to_text(html: &str) -> String {
    // Links become their text: URLs belong in the HTML and Markdown, not in prose.
    let text = html2text_plain(&without_links(html));
    let mut out = String::with_capacity(text.len());
    let mut previous_is_item = false;
    for paragraph in text.split("\n\n") {
        for line in paragraph.trim_end().lines() {
            if line.trim().is_empty() {
                continue;
            }
            // Headings are plain lines in prose; list items stay together.
            let line = line.trim_start_matches('#').trim_start();
            let is_item = line.starts_with("* ") || line.starts_with("  ");
            if !out.is_empty() {
                out.push_str(if is_item && previous_is_item { "\n" } else { "\n\n" });
            }
            out.push_str(line);
            previous_is_item = is_item;
        }
    }
    out
}

/// HTML as html2text writes it plain and unwrapped (its own markup as text when it cannot).
fn html2text_plain(html: &str) -> String {
    html2text::config::plain_no_decorate()
        .string_from_read(html.as_bytes(), NO_WRAP)
        .unwrap_or_else(|_| inline_text(html))
}

/// The HTML without links and images, whose text (or lack of it) is what prose keeps.
fn without_links(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(pos) = ["<a ", "</a>", "<img "].iter().filter_map(|t| rest.find(t)).min() {
        out.push_str(&rest[..pos]);
        match rest[pos..].find('>') {
            Some(end) => rest = &rest[pos + end + 1..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}

/// The blocks as Markdown.
pub fn to_markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    let mut number = 0;
    for block in blocks {
        let text = inline_markdown(&block.html);
        let line = match block.kind {
            BlockKind::Heading(level) => {
                format!("{} {text}", "#".repeat(level.clamp(2, 6) as usize))
            }
            BlockKind::Paragraph => text,
            BlockKind::ListItem { ordered: true } => {
                number += 1;
                format!("{number}. {text}")
            }
            BlockKind::ListItem { ordered: false } => format!("- {text}"),
            BlockKind::Quote => format!("> {text}"),
            BlockKind::Caption => format!("*{text}*"),
            BlockKind::Preformatted => format!("```\n{}\n```", inline_text(&block.html)),
            BlockKind::Image => {
                let src = attr_value(&block.html, "src").unwrap_or_default();
                let alt = attr_value(&block.html, "alt").unwrap_or_default();
                format!("![{alt}]({src})")
            }
        };
        if !matches!(block.kind, BlockKind::ListItem { ordered: true }) {
            number = 0;
        }
        let list_item = matches!(block.kind, BlockKind::ListItem { .. });
        if !out.is_empty() {
            out.push_str(if list_item && (out.ends_with('\n') || out.rsplit('\n').next().is_some_and(is_list_line)) {
                "\n"
            } else {
                "\n\n"
            });
        }
        out.push_str(&line);
    }
    out
}

fn is_list_line(line: &str) -> bool {
    line.starts_with("- ") || line.split_once(". ").is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit()))
}

/// Inline HTML to Markdown: links, emphasis and code kept, everything else as text.
fn inline_markdown(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    let mut links: Vec<String> = Vec::new();
    while let Some(lt) = rest.find('<') {
        out.push_str(&unescape(&rest[..lt]));
        let Some(gt) = rest[lt..].find('>') else {
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        match tag.split_whitespace().next().unwrap_or("") {
            "a" => {
                links.push(attr_value(&format!("<{tag}>"), "href").unwrap_or_default());
                out.push('[');
            }
            "/a" => {
                out.push_str("](");
                out.push_str(&links.pop().unwrap_or_default());
                out.push(')');
            }
            "em" | "/em" => out.push('*'),
            "strong" | "/strong" => out.push_str("**"),
            "code" | "/code" => out.push('`'),
            "br" => out.push_str("  \n"),
            _ => {}
        }
    }
    out.push_str(&unescape(rest));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(kind: BlockKind, html: &str) -> Block {
        Block::new(kind, html.to_string())
    }

    #[test]
    fn html_groups_lists_and_sanitises() {
        let blocks = [
            block(BlockKind::Paragraph, "Hello <a href=\"javascript:alert(1)\">x</a> <em>world</em>"),
            block(BlockKind::ListItem { ordered: false }, "one"),
            block(BlockKind::ListItem { ordered: false }, "two"),
            block(BlockKind::Paragraph, "<img src=x onerror=alert(1)>bye"),
        ];
        let html = to_html(&blocks);
        assert!(!html.contains("javascript"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(html.contains("<ul>\n<li>one</li>\n<li>two</li>\n</ul>"), "{html}");
    }

    #[test]
    fn text_keeps_paragraphs_unwrapped() {
        let long = "word ".repeat(60);
        let html = to_html(&[
            block(BlockKind::Paragraph, &long),
            block(BlockKind::Paragraph, "Second <a href=\"https://x.example/\">link</a>."),
        ]);
        let text = to_text(&html);
        assert_eq!(text, format!("{}\n\nSecond link.", long.trim()));
    }

    #[test]
    fn prose_reads_the_blocks_markup() {
        let blocks = [
            block(BlockKind::Heading(2), "Ferry <em>times</em>"),
            block(
                BlockKind::Paragraph,
                "  Fares &amp; passes:\u{200b} <a href=\"https://x.example/\">see</a><br>the desk  ",
            ),
            block(BlockKind::ListItem { ordered: false }, "one"),
            block(BlockKind::ListItem { ordered: false }, "two"),
            block(BlockKind::ListItem { ordered: true }, "first"),
            block(BlockKind::ListItem { ordered: true }, "second"),
            block(BlockKind::Quote, "We are ready.<br><br>Really."),
            block(BlockKind::Image, "<img src=\"https://x.example/a.jpg\" alt=\"a\">"),
            block(BlockKind::Caption, "The pier"),
            block(BlockKind::Preformatted, "  a   b\n\n    c"),
            block(BlockKind::Paragraph, "#MeToo &lt;3, E=mc<sup>2</sup>"),
        ];
        assert_eq!(
            to_prose(&blocks),
            "Ferry times\n\nFares & passes: see\n\nthe desk\n\n* one\n* two\n\n1. first\n\n2. second\n\n\
             > We are ready.\n\n> Really.\n\na   b\n\nc\n\n#MeToo <3, E=mc²"
        );
    }

    #[test]
    fn markdown_keeps_links_and_emphasis() {
        let md = to_markdown(&[
            block(BlockKind::Heading(2), "Title"),
            block(BlockKind::Paragraph, "See <a href=\"https://x.example/\">this</a> and <em>that</em> &amp; more."),
        ]);
        assert_eq!(md, "## Title\n\nSee [this](https://x.example/) and *that* & more.");
    }
}
