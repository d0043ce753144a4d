//! A streaming pass over the page before any tree is built: drops scripts, styles, SVG, comments
//! and other markup that never holds article text (most of a page's bytes), keeps JSON-LD for the
//! metadata, and caps the nesting depth so hostile pages cannot make tree building quadratic.

use std::cell::RefCell;

use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};
use html5ever::{local_name, LocalName, TokenizerResult};

/// Elements kept open at most this deep; deeper tags are dropped, their text kept.
pub const MAX_DEPTH: usize = 200;

/// How far down the open-element stack an end tag looks for its start tag.
const END_TAG_SEARCH: usize = 48;

/// Elements dropped with everything inside them. Only elements whose end tag is never left out
/// in practice: a dropped element left open would swallow the rest of the page.
fn is_dropped(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("script")
            | local_name!("style")
            | local_name!("svg")
            | local_name!("math")
            | local_name!("noscript")
            | local_name!("template")
            | local_name!("iframe")
            | local_name!("object")
            | local_name!("select")
            | local_name!("textarea")
    )
}

/// Elements whose tags are dropped but whose content stays (media fallbacks, controls): their end
/// tag is often missing, or swallowed by a broken start tag.
fn is_unwrapped(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("video")
            | local_name!("audio")
            | local_name!("canvas")
            | local_name!("map")
            | local_name!("dialog")
            | local_name!("button")
            | local_name!("embed")
            | local_name!("source")
            | local_name!("track")
            | local_name!("picture")
    )
}

fn is_void(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("area")
            | local_name!("base")
            | local_name!("br")
            | local_name!("col")
            | local_name!("embed")
            | local_name!("hr")
            | local_name!("img")
            | local_name!("input")
            | local_name!("link")
            | local_name!("meta")
            | local_name!("source")
            | local_name!("track")
            | local_name!("wbr")
    )
}

/// Elements that close an open `<p>` when they start.
fn closes_paragraph(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("p")
            | local_name!("div")
            | local_name!("ul")
            | local_name!("ol")
            | local_name!("table")
            | local_name!("h1")
            | local_name!("h2")
            | local_name!("h3")
            | local_name!("h4")
            | local_name!("h5")
            | local_name!("h6")
            | local_name!("blockquote")
            | local_name!("pre")
            | local_name!("section")
            | local_name!("article")
            | local_name!("figure")
            | local_name!("header")
            | local_name!("footer")
            | local_name!("aside")
            | local_name!("nav")
    )
}

pub struct Stripped {
    pub html: String,
    /// Contents of `<script type="application/ld+json">` blocks.
    pub json_ld: Vec<String>,
}

#[derive(Default)]
struct Sink {
    out: String,
    json_ld: Vec<String>,
    /// Open elements: name and whether its start tag was written.
    open: Vec<(LocalName, bool)>,
    /// Inside a dropped element: its name and how many of it are open.
    dropping: Option<(LocalName, usize)>,
    /// Collecting JSON-LD text.
    json_ld_text: Option<String>,
}

struct StripSink(RefCell<Sink>);

impl TokenSink for StripSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        self.0.borrow_mut().token(token)
    }
}

impl Sink {
    fn token(&mut self, token: Token) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) => return self.tag(tag),
            Token::CharacterTokens(text) => {
                if let Some(json) = &mut self.json_ld_text {
                    json.push_str(&text);
                } else if self.dropping.is_none() {
                    escape_text(&mut self.out, &text);
                }
            }
            Token::DoctypeToken(_) => self.out.push_str("<!DOCTYPE html>"),
            _ => {}
        }
        TokenSinkResult::Continue
    }

    fn tag(&mut self, tag: Tag) -> TokenSinkResult<()> {
        if self.dropping.is_none() && is_unwrapped(&tag.name) {
            return TokenSinkResult::Continue;
        }
        if let Some((name, depth)) = &mut self.dropping {
            if *name == tag.name && !tag.self_closing {
                match tag.kind {
                    TagKind::StartTag => *depth += 1,
                    TagKind::EndTag => {
                        *depth -= 1;
                        if *depth == 0 {
                            self.dropping = None;
                            if let Some(json) = self.json_ld_text.take() {
                                self.json_ld.push(json);
                            }
                        }
                    }
                }
            }
            return TokenSinkResult::Continue;
        }
        match tag.kind {
            TagKind::StartTag => self.start_tag(tag),
            TagKind::EndTag => {
                self.end_tag(&tag.name);
                TokenSinkResult::Continue
            }
        }
    }

    fn start_tag(&mut self, tag: Tag) -> TokenSinkResult<()> {
        let name = tag.name.clone();
        if is_dropped(&name) {
            if tag.self_closing && name != local_name!("script") {
                return TokenSinkResult::Continue;
            }
            let is_json_ld = name == local_name!("script")
                && tag.attrs.iter().any(|a| {
                    a.name.local == local_name!("type") && a.value.trim().eq_ignore_ascii_case("application/ld+json")
                });
            if is_json_ld {
                self.json_ld_text = Some(String::new());
            }
            self.dropping = Some((name.clone(), 1));
            return match name {
                local_name!("script") => TokenSinkResult::RawData(RawKind::ScriptData),
                local_name!("style") | local_name!("noscript") | local_name!("iframe") => {
                    TokenSinkResult::RawData(RawKind::Rawtext)
                }
                local_name!("textarea") => TokenSinkResult::RawData(RawKind::Rcdata),
                _ => TokenSinkResult::Continue,
            };
        }
        if is_void(&name) || tag.self_closing {
            if self.open.len() < MAX_DEPTH {
                write_start_tag(&mut self.out, &tag);
            }
            return TokenSinkResult::Continue;
        }
        self.close_implied(&name);
        let write = self.open.len() < MAX_DEPTH;
        if write {
            write_start_tag(&mut self.out, &tag);
        }
        self.open.push((name.clone(), write));
        match name {
            local_name!("title") => TokenSinkResult::RawData(RawKind::Rcdata),
            local_name!("plaintext") => TokenSinkResult::Plaintext,
            _ => TokenSinkResult::Continue,
        }
    }

    /// Pops elements a new start tag closes implicitly, so unclosed `<p>` and `<li>` do not pile up.
    fn close_implied(&mut self, name: &LocalName) {
        let Some((top, written)) = self.open.last() else {
            return;
        };
        let implied = (*top == local_name!("p") && closes_paragraph(name))
            || (*top == *name
                && matches!(
                    *name,
                    local_name!("li")
                        | local_name!("dt")
                        | local_name!("dd")
                        | local_name!("option")
                        | local_name!("tr")
                ))
            || (matches!(*top, local_name!("td") | local_name!("th"))
                && matches!(*name, local_name!("td") | local_name!("th") | local_name!("tr")));
        if implied {
            if *written {
                write_end_tag(&mut self.out, top);
            }
            self.open.pop();
        }
    }

    fn end_tag(&mut self, name: &LocalName) {
        let len = self.open.len();
        let found = self.open.iter().rev().take(END_TAG_SEARCH).position(|(open, _)| open == name);
        match found {
            Some(from_top) => {
                for (open, written) in self.open.drain(len - from_top - 1..).rev() {
                    if written {
                        write_end_tag(&mut self.out, &open);
                    }
                }
            }
            None if len < MAX_DEPTH && *name != local_name!("p") && *name != local_name!("br") => {
                write_end_tag(&mut self.out, name)
            }
            None => {}
        }
    }
}

fn write_start_tag(out: &mut String, tag: &Tag) {
    out.push('<');
    out.push_str(&tag.name);
    for attr in &tag.attrs {
        out.push(' ');
        out.push_str(&attr.name.local);
        out.push_str("=\"");
        for c in attr.value.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '"' => out.push_str("&quot;"),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push('>');
}

fn write_end_tag(out: &mut String, name: &LocalName) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn escape_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => {}
            c => out.push(c),
        }
    }
}

pub fn strip(html: &str) -> Stripped {
    let tokenizer = Tokenizer::new(StripSink(RefCell::new(Sink::default())), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(html.into());
    while let TokenizerResult::Script(()) = tokenizer.feed(&input) {}
    tokenizer.end();
    let sink = tokenizer.sink.0.into_inner();
    Stripped { html: sink.out, json_ld: sink.json_ld }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_scripts_styles_and_comments_but_keeps_json_ld() {
        let page = r#"<html><head><style>p{}</style><script>if (a < b) { document.write("<p>x</p>") }</script>
            <script type="application/ld+json">{"headline": "H"}</script></head>
            <body><!-- c --><p>Text &amp; more</p><svg><text>no</text></svg></body></html>"#;
        let stripped = strip(page);
        assert!(!stripped.html.contains("document"), "{}", stripped.html);
        assert!(!stripped.html.contains("no</text>"));
        assert!(stripped.html.contains("<p>Text &amp; more</p>"));
        assert_eq!(stripped.json_ld, [r#"{"headline": "H"}"#]);
    }

    #[test]
    fn an_unclosed_media_element_does_not_swallow_the_page() {
        let page =
            "<div><video src=\"v.mp4\" data-x=\"1\" </video></div><p>The story goes on.</p><audio><p>Still here.</p>";
        let stripped = strip(page);
        assert!(stripped.html.contains("The story goes on."), "{}", stripped.html);
        assert!(stripped.html.contains("Still here."), "{}", stripped.html);
    }

    #[test]
    fn caps_depth_and_keeps_text() {
        let deep = format!("{}deep text{}", "<div>".repeat(100_000), "</div>".repeat(100_000));
        let stripped = strip(&deep);
        assert_eq!(stripped.html.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(stripped.html.matches("</div>").count(), MAX_DEPTH);
        assert!(stripped.html.contains("deep text"));
    }

    #[test]
    fn unclosed_paragraphs_do_not_pile_up() {
        let page = "<div>".to_string() + &"<p>para".repeat(1000) + "</div>";
        let stripped = strip(&page);
        assert_eq!(stripped.html.matches("<p>").count(), 1000);
        assert!(stripped.html.ends_with("</p></div>"));
    }
}
