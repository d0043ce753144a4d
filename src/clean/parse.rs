//! The page parsed in one streaming pass straight into the DOM the cleaner reads. A byte scanner
//! tokenizes tags as HTML does (quoted attributes, raw-text elements, character references) and a
//! small tree builder applies the HTML rules that shape articles (implied `</p>`, `</li>`, `</td>`,
//! head and body). On the way it drops what never holds article text (scripts, styles, SVG,
//! comments, forms' controls, unread attributes), keeps JSON-LD for the metadata, and caps the
//! nesting depth, so hostile pages stay linear. No general-purpose parser is run on the page.

use html5ever::LocalName;
use memchr::{memchr, memmem};

use super::dom::{Data, Dom, Node, ROOT};
use super::elements::{
    breaks_out_of_foreign, closes_paragraph, hides, is_dropped, is_foreign, is_formatting, is_head_content, is_heading,
    is_kept_attribute, is_preformatted, is_raw_text, is_scope_boundary, is_special, is_table_boundary, is_unwrapped,
    is_void,
};
use super::entities::push_decoded;

/// Elements kept open at most this deep; deeper tags are dropped, their text kept.
pub const MAX_DEPTH: usize = 200;

const SOFT_HYPHEN: char = '\u{ad}';

/// How far down the open-element stack an end tag looks for its start tag.
const END_TAG_SEARCH: usize = 48;

pub struct Parsed {
    pub dom: Dom,
    /// Contents of `<script type="application/ld+json">` blocks.
    pub json_ld: Vec<String>,
}

pub fn parse(html: &str) -> Parsed {
    let mut parser = Parser {
        src: html,
        nodes: vec![Node { parent: ROOT, children: Vec::new(), data: Data::Document }],
        json_ld: Vec::new(),
        open: Vec::new(),
        dropping: None,
        attrs: Vec::new(),
        preformatted: 0,
        html: None,
        head: None,
        body: None,
        text: String::new(),
    };
    parser.run();
    Parsed { dom: Dom { nodes: parser.nodes }, json_ld: parser.json_ld }
}

type Span = std::ops::Range<usize>;

/// An open element: its name and its node (`None` past [`MAX_DEPTH`], where tags are not kept).
#[derive(Clone, Copy)]
struct Open {
    name: Name,
    node: Option<usize>,
}

struct Parser<'a> {
    src: &'a str,
    nodes: Vec<Node>,
    json_ld: Vec<String>,
    open: Vec<Open>,
    /// Inside a dropped element: its name and how many of it are open.
    dropping: Option<(Name, usize)>,
    /// The current tag's attributes: name and value (with its quotes) spans.
    attrs: Vec<(Span, Option<Span>)>,
    /// Open `<pre>` elements, whose white space is kept as it is.
    preformatted: usize,
    html: Option<usize>,
    head: Option<usize>,
    body: Option<usize>,
    /// Scratch space for decoded text.
    text: String,
}

/// A tag as scanned: its name, where it ends (after `>`), and how.
struct Tag {
    name: Name,
    end: usize,
    is_end: bool,
    self_closing: bool,
}

fn is_space(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

impl Parser<'_> {
    fn run(&mut self) {
        let src = self.src.as_bytes();
        let mut pos = 0;
        while pos < src.len() {
            let Some(lt) = memchr(b'<', &src[pos..]).map(|i| pos + i) else {
                self.text(pos..src.len());
                break;
            };
            self.text(pos..lt);
            pos = self.markup(lt);
        }
    }

    /// Handles the markup starting at `lt` (a `<`); returns where scanning goes on.
    fn markup(&mut self, lt: usize) -> usize {
        let src = self.src.as_bytes();
        let after_gt = |from: usize| memchr(b'>', &src[from..]).map_or(src.len(), |i| from + i + 1);
        match src.get(lt + 1) {
            Some(b'!') if src[lt + 2..].starts_with(b"--") => {
                let body = lt + 4;
                // `<!-->` and `<!--->` are whole comments.
                if src[body..].starts_with(b">") {
                    return body + 1;
                }
                if src[body..].starts_with(b"->") {
                    return body + 2;
                }
                memmem::find(&src[body..], b"-->").map_or(src.len(), |i| body + i + 3)
            }
            Some(b'!' | b'?') => after_gt(lt + 2),
            Some(b'/') => match src.get(lt + 2) {
                Some(c) if c.is_ascii_alphabetic() => self.tag(lt, true),
                Some(b'>') => lt + 3,
                Some(_) => after_gt(lt + 2),
                None => {
                    self.text(lt..src.len());
                    src.len()
                }
            },
            Some(c) if c.is_ascii_alphabetic() => self.tag(lt, false),
            _ => {
                self.text(lt..lt + 1);
                lt + 1
            }
        }
    }

    fn tag(&mut self, lt: usize, is_end: bool) -> usize {
        let src = self.src.as_bytes();
        let Some(tag) = self.scan_tag(lt, is_end) else {
            return src.len(); // a tag cut off by the end of the page is dropped, as HTML does
        };
        let foreign = self.dropping.is_some_and(|(dropped, _)| is_foreign(dropped.as_bytes()));
        let left_foreign = foreign && self.leaves_foreign(&tag);
        if let Some((dropped, depth)) = &mut self.dropping {
            if left_foreign {
                // The SVG or ruby text was left open: HTML takes over again, as browsers do.
                self.dropping = None;
            } else {
                if *dropped == tag.name && !tag.self_closing {
                    if !tag.is_end {
                        *depth += 1;
                    } else {
                        *depth -= 1;
                        if *depth == 0 {
                            self.dropping = None;
                        }
                    }
                }
                // Inside SVG and MathML `<title>` and `<style>` are ordinary elements.
                if !tag.is_end && !foreign && is_raw_text(tag.name.as_bytes()) {
                    return raw_text_end(src, tag.end, tag.name.as_bytes());
                }
                return tag.end;
            }
        }
        let name = tag.name.as_bytes();
        if is_unwrapped(name) {
            return tag.end;
        }
        if tag.is_end {
            self.end_tag(tag.name);
            return tag.end;
        }
        if is_dropped(name) {
            if tag.self_closing && name != b"script" {
                return tag.end;
            }
            self.dropping = Some((tag.name, 1));
            if !is_raw_text(name) {
                return tag.end;
            }
            let raw_end = raw_text_end(src, tag.end, name);
            if name == b"script" && self.is_json_ld() {
                self.json_ld.push(self.src[tag.end..raw_end].to_string());
            }
            return raw_end;
        }
        self.start_tag(tag.name);
        if is_raw_text(name) || name == b"plaintext" {
            let raw_end = if name == b"plaintext" { src.len() } else { raw_text_end(src, tag.end, name) };
            self.text(tag.end..raw_end);
            return raw_end;
        }
        tag.end
    }

    /// Whether a tag inside dropped SVG, MathML or ruby text ends it: an HTML element's start
    /// tag that breaks out of foreign content, or the end tag of an element open around it.
    fn leaves_foreign(&self, tag: &Tag) -> bool {
        let name = tag.name.as_bytes();
        if tag.is_end {
            return self.open.iter().rev().take(END_TAG_SEARCH).any(|open| open.name == tag.name);
        }
        breaks_out_of_foreign(name)
    }

    /// Reads a tag's name and attributes the way the HTML tokenizer does: quoted values may hold
    /// `>`, a `/` before `>` makes it self-closing. `None` when the page ends inside the tag.
    fn scan_tag(&mut self, lt: usize, is_end: bool) -> Option<Tag> {
        let src = self.src.as_bytes();
        let name_start = lt + 1 + usize::from(is_end);
        let mut i = name_start;
        while i < src.len() && !is_space(src[i]) && src[i] != b'/' && src[i] != b'>' {
            i += 1;
        }
        let name = Name::new(&src[name_start..i]);
        self.attrs.clear();
        loop {
            while i < src.len() && (is_space(src[i]) || (src[i] == b'/' && src.get(i + 1) != Some(&b'>'))) {
                i += 1;
            }
            match src.get(i)? {
                b'>' => return Some(Tag { name, end: i + 1, is_end, self_closing: false }),
                b'/' => return Some(Tag { name, end: i + 2, is_end, self_closing: true }),
                _ => {}
            }
            let attr_start = i;
            i += 1;
            while i < src.len() && !is_space(src[i]) && !matches!(src[i], b'/' | b'>' | b'=') {
                i += 1;
            }
            let attr_name = attr_start..i;
            while i < src.len() && is_space(src[i]) {
                i += 1;
            }
            if src.get(i) != Some(&b'=') {
                self.attrs.push((attr_name, None));
                continue;
            }
            i += 1;
            while i < src.len() && is_space(src[i]) {
                i += 1;
            }
            let value_start = i;
            match src.get(i)? {
                quote @ (b'"' | b'\'') => i += 1 + memchr(*quote, &src[i + 1..])? + 1,
                b'>' => {}
                _ => {
                    while i < src.len() && !is_space(src[i]) && src[i] != b'>' {
                        i += 1;
                    }
                }
            }
            self.attrs.push((attr_name, Some(value_start..i)));
        }
    }

    /// An attribute's raw value (undecoded, without quotes).
    fn attribute(&self, wanted: &[u8]) -> Option<&str> {
        let (_, value) =
            self.attrs.iter().find(|(name, _)| self.src.as_bytes()[name.clone()].eq_ignore_ascii_case(wanted))?;
        Some(self.unquoted(value.clone()?))
    }

    /// An attribute value's text without its quotes, undecoded.
    fn unquoted(&self, span: Span) -> &str {
        let value = &self.src[span];
        value.strip_prefix('"').or_else(|| value.strip_prefix('\'')).map_or(value, |v| &v[..v.len() - 1])
    }

    fn is_json_ld(&self) -> bool {
        self.attribute(b"type").is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"))
    }

    /// The kept attributes of the current tag, decoded.
    fn kept_attributes(&self) -> Vec<(LocalName, String)> {
        let mut kept: Vec<(LocalName, String)> = Vec::new();
        for (name, value) in &self.attrs {
            let name = &self.src.as_bytes()[name.clone()];
            if name.len() > 12 {
                continue;
            }
            let mut lower = [0u8; 12];
            lower[..name.len()].copy_from_slice(name);
            lower.make_ascii_lowercase();
            let Ok(name) = std::str::from_utf8(&lower[..name.len()]) else { continue };
            let value = value.clone().map_or("", |span| self.unquoted(span));
            let unread = match name {
                "style" => !hides(value.as_bytes()),
                "src" => value.get(..5).is_some_and(|v| v.eq_ignore_ascii_case("data:")),
                name => !is_kept_attribute(name.as_bytes()),
            };
            if unread || kept.iter().any(|(seen, _)| &**seen == name) {
                continue;
            }
            let mut decoded = String::with_capacity(value.len());
            push_decoded(&mut decoded, value, true);
            kept.push((LocalName::from(name), decoded));
        }
        kept
    }

    // Tree building.

    /// The node new content goes into.
    fn current(&self) -> usize {
        match self.open.len().min(MAX_DEPTH) {
            0 => ROOT,
            depth => self.open[depth - 1].node.unwrap_or(ROOT),
        }
    }

    fn current_name(&self) -> Option<&[u8]> {
        self.open.last().map(|open| open.name.as_bytes())
    }

    fn append(&mut self, parent: usize, data: Data) -> usize {
        let index = self.nodes.len();
        self.nodes.push(Node { parent, children: Vec::new(), data });
        self.nodes[parent].children.push(index);
        index
    }

    fn element(&mut self, parent: usize, name: Name) -> usize {
        let attrs = self.kept_attributes();
        let name = LocalName::from(std::str::from_utf8(name.as_bytes()).unwrap_or(""));
        self.append(parent, Data::Element { name, attrs })
    }

    /// Adds the current tag's attributes to an element that has been opened before (`<html>`, `<body>`).
    fn merge_attributes(&mut self, node: usize) {
        let attrs = self.kept_attributes();
        if let Data::Element { attrs: existing, .. } = &mut self.nodes[node].data {
            for (name, value) in attrs {
                if !existing.iter().any(|(seen, _)| *seen == name) {
                    existing.push((name, value));
                }
            }
        }
    }

    fn push_open(&mut self, name: Name, node: Option<usize>) {
        if is_preformatted(name.as_bytes()) {
            self.preformatted += 1;
        }
        self.open.push(Open { name, node });
    }

    /// Closes the open elements from the top down to index `at` of the stack.
    fn pop_to(&mut self, at: usize) {
        for open in self.open.drain(at..) {
            if is_preformatted(open.name.as_bytes()) {
                self.preformatted -= 1;
            }
        }
    }

    /// The stack index of the nearest open element matching `wanted`, looking down from the top
    /// until an element matching `boundary`.
    fn find_open(&self, wanted: impl Fn(&[u8]) -> bool, boundary: impl Fn(&[u8]) -> bool) -> Option<usize> {
        let bottom = self.open.len().saturating_sub(END_TAG_SEARCH);
        for at in (bottom..self.open.len()).rev() {
            let name = self.open[at].name.as_bytes();
            if wanted(name) {
                return Some(at);
            }
            if boundary(name) {
                return None;
            }
        }
        None
    }

    fn close_paragraph(&mut self) {
        if let Some(at) = self.find_open(|n| n == b"p", is_scope_boundary) {
            self.pop_to(at);
        }
    }

    fn html(&mut self) -> usize {
        if let Some(html) = self.html {
            return html;
        }
        let html = self.append(ROOT, Data::Element { name: html5ever::local_name!("html"), attrs: Vec::new() });
        self.html = Some(html);
        self.push_open(Name::new(b"html"), Some(html));
        html
    }

    /// Opens `<head>` for metadata that comes before the body, once.
    fn head(&mut self) -> Option<usize> {
        if self.body.is_some() {
            return None;
        }
        if self.head.is_none() {
            let html = self.html();
            let head = self.append(html, Data::Element { name: html5ever::local_name!("head"), attrs: Vec::new() });
            self.head = Some(head);
            self.push_open(Name::new(b"head"), Some(head));
        }
        Some(self.head.unwrap_or(ROOT))
    }

    /// Opens `<body>` (implied by the first content of the page), closing `<head>`.
    fn body(&mut self) -> usize {
        if let Some(body) = self.body {
            return body;
        }
        let html = self.html();
        if let Some(at) = self.open.iter().rposition(|o| o.name.as_bytes() == b"head") {
            self.pop_to(at);
        }
        let body = self.append(html, Data::Element { name: html5ever::local_name!("body"), attrs: Vec::new() });
        self.body = Some(body);
        self.push_open(Name::new(b"body"), Some(body));
        body
    }

    fn start_tag(&mut self, name: Name) {
        let bytes = name.as_bytes();
        match bytes {
            b"html" => {
                let html = self.html();
                self.merge_attributes(html);
                return;
            }
            b"head" => {
                self.head();
                return;
            }
            b"body" => {
                let body = self.body();
                self.merge_attributes(body);
                return;
            }
            _ if is_head_content(bytes) && self.body.is_none() => {
                let head = self.head().unwrap_or(ROOT);
                let node = self.element(head, name);
                if !is_void(bytes) {
                    self.push_open(name, Some(node)); // <title>
                }
                return;
            }
            _ => {}
        }
        self.body();
        self.close_implied(bytes);
        let node = if self.open.len() < MAX_DEPTH {
            let parent = self.current();
            Some(self.element(parent, name))
        } else {
            None
        };
        if !is_void(bytes) {
            self.push_open(name, node);
        }
    }

    /// Closes what a new start tag closes implicitly, so unclosed `<p>`, `<li>` and `<td>` do not nest.
    fn close_implied(&mut self, name: &[u8]) {
        if closes_paragraph(name) {
            self.close_paragraph();
        }
        let found = match name {
            b"li" => self.find_open(|n| n == b"li", |n| is_special(n) && !matches!(n, b"address" | b"div" | b"p")),
            b"dd" | b"dt" => self.find_open(
                |n| matches!(n, b"dd" | b"dt"),
                |n| is_special(n) && !matches!(n, b"address" | b"div" | b"p"),
            ),
            b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" => {
                self.current_name().is_some_and(is_heading).then(|| self.open.len() - 1)
            }
            b"a" => self.find_open(|n| n == b"a", is_special),
            b"tr" => self.find_open(|n| n == b"tr", is_table_boundary),
            b"td" | b"th" => self.find_open(|n| matches!(n, b"td" | b"th"), |n| n == b"tr" || is_table_boundary(n)),
            b"tbody" | b"thead" | b"tfoot" => self.find_open(|n| n == b"table", |_| false).map(|at| at + 1),
            _ => None,
        };
        if let Some(at) = found {
            self.pop_to(at);
        }
    }

    fn end_tag(&mut self, name: Name) {
        let bytes = name.as_bytes();
        let found = match bytes {
            b"html" | b"body" => None,
            b"br" => {
                self.start_tag(name);
                None
            }
            b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" => self.find_open(is_heading, is_scope_boundary),
            b"li" => self.find_open(|n| n == b"li", |n| is_scope_boundary(n) || matches!(n, b"ul" | b"ol")),
            b"table" => self.find_open(|n| n == b"table", |n| matches!(n, b"html" | b"template")),
            b"tbody" | b"thead" | b"tfoot" | b"tr" => self.find_open(|n| n == bytes, |n| n == b"table"),
            _ if is_special(bytes) || is_formatting(bytes) => self.find_open(|n| n == bytes, is_scope_boundary),
            _ => self.find_open(|n| n == bytes, is_special),
        };
        if let Some(at) = found {
            self.pop_to(at);
        }
    }

    fn text(&mut self, span: Span) {
        if self.dropping.is_some() || span.is_empty() {
            return;
        }
        let raw = &self.src[span];
        let mut text = std::mem::take(&mut self.text);
        text.clear();
        if raw.contains('&') {
            push_decoded(&mut text, raw, false);
        } else {
            text.push_str(raw);
        }
        let in_head = self.body.is_none() && self.current_name().is_none_or(|n| n != b"title");
        if in_head && text.bytes().all(is_space) {
            self.text = text;
            return; // white space between head elements
        }
        if in_head {
            self.body();
        }
        let parent = self.current();
        let preformatted = self.preformatted > 0;
        let target = match self.nodes[parent].children.last() {
            Some(&last) if matches!(self.nodes[last].data, Data::Text(_)) => last,
            _ => self.append(parent, Data::Text(String::new())),
        };
        if let Data::Text(existing) = &mut self.nodes[target].data {
            push_text(existing, &text, preformatted);
        }
        self.text = text;
    }
}

/// Appends text with NULs and soft hyphens removed (a soft hyphen is a hint for breaking lines
/// that splits words for the language detector and the engines) and, outside `<pre>`, runs of
/// white space made one character (a newline if the run had one).
fn push_text(out: &mut String, text: &str, preformatted: bool) {
    if preformatted {
        out.extend(text.chars().filter(|&c| c != '\0' && c != SOFT_HYPHEN));
        return;
    }
    let mut run: Option<char> = None;
    for c in text.chars() {
        if c.is_ascii_whitespace() || c == '\x0c' {
            run = Some(if c == '\n' || run == Some('\n') { '\n' } else { ' ' });
            continue;
        }
        if c == '\0' || c == SOFT_HYPHEN {
            continue;
        }
        if let Some(space) = run.take() {
            out.push(space);
        }
        out.push(c);
    }
    if let Some(space) = run {
        out.push(space);
    }
}

/// A lower-cased tag name, short enough to copy around (longer custom names are cut).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Name {
    len: u8,
    bytes: [u8; 23],
}

impl Name {
    fn new(raw: &[u8]) -> Name {
        let mut bytes = [0; 23];
        let mut len = raw.len().min(bytes.len());
        while len < raw.len() && len > 0 && raw[len] & 0xC0 == 0x80 {
            len -= 1; // not inside a UTF-8 sequence
        }
        for (to, from) in bytes.iter_mut().zip(&raw[..len]) {
            *to = from.to_ascii_lowercase();
        }
        Name { len: len as u8, bytes }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }
}

/// Where the raw text of a `<script>`, `<style>`, `<title>`... that starts at `from` ends: at its
/// end tag, or at the end of the page.
fn raw_text_end(src: &[u8], from: usize, name: &[u8]) -> usize {
    let mut i = from;
    while let Some(at) = memmem::find(&src[i..], b"</").map(|p| i + p) {
        let after = at + 2 + name.len();
        if src.len() >= after
            && src[at + 2..after].eq_ignore_ascii_case(name)
            && src.get(after).is_none_or(|&c| is_space(c) || c == b'/' || c == b'>')
        {
            return at;
        }
        i = at + 2;
    }
    src.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elements(dom: &Dom, tag: &str) -> Vec<usize> {
        dom.elements().filter(|(_, name)| &***name == tag).map(|(i, _)| i).collect()
    }

    #[test]
    fn drops_scripts_styles_and_comments_but_keeps_json_ld() {
        let page = r#"<html><head><style>p{}</style><script>if (a < b) { document.write("<p>x</p>") }</script>
            <script type="application/ld+json">{"headline": "H"}</script></head>
            <body><!-- c --><p>Text &amp; more</p><svg><text>no</text></svg></body></html>"#;
        let parsed = parse(page);
        let body = parsed.dom.find_first(html5ever::local_name!("body")).unwrap();
        assert_eq!(parsed.dom.text(body), "Text & more");
        assert_eq!(parsed.json_ld, [r#"{"headline": "H"}"#]);
    }

    #[test]
    fn an_unclosed_media_element_does_not_swallow_the_page() {
        let page =
            "<div><video src=\"v.mp4\" data-x=\"1\" </video></div><p>The story goes on.</p><audio><p>Still here.</p>";
        let dom = parse(page).dom;
        assert_eq!(dom.text(ROOT), "The story goes on.Still here.");
    }

    #[test]
    fn svg_and_ruby_text_left_open_end_where_html_takes_over() {
        let page = "<p>One</p><a><svg><title/><path d='M0'/></a><p>Two</p>\
                    <div><svg><use href='#i'/></div><p>Three</p><svg><style>x</style><g/></svg>\
                    <p><ruby>漢<rt>かん</ruby><ruby>字<rt>じ</rt></ruby>です</p><svg><text>no</text><p>Four</p>";
        let dom = parse(page).dom;
        let paragraphs: Vec<String> = elements(&dom, "p").iter().map(|&p| dom.text(p)).collect();
        assert_eq!(paragraphs, ["One", "Two", "Three", "漢字です", "Four"]);
    }

    #[test]
    fn soft_hyphens_are_not_text() {
        let dom = parse("<p>Wein&shy;berg und Reb\u{ad}stock</p><pre>a&shy;b</pre>").dom;
        assert_eq!(dom.text(ROOT), "Weinberg und Rebstockab");
    }

    #[test]
    fn caps_depth_and_keeps_text() {
        let deep = format!("{}deep text{}<p>after</p>", "<div>".repeat(100_000), "</div>".repeat(100_000));
        let dom = parse(&deep).dom;
        assert_eq!(elements(&dom, "div").len(), MAX_DEPTH - 2); // under <html> and <body>
        assert_eq!(dom.text(ROOT), "deep textafter");
    }

    #[test]
    fn unclosed_paragraphs_list_items_and_cells_do_not_nest() {
        let page = "<div>".to_string()
            + &"<p>para".repeat(1000)
            + "</div><ul><li>a<li>b</ul>"
            + "<table><tr><td>1<td>2<tr><td>3</table><h2>one<h3>two</h3>";
        let dom = parse(&page).dom;
        let div = elements(&dom, "div")[0];
        let paragraphs = elements(&dom, "p");
        assert_eq!(paragraphs.len(), 1000);
        assert!(paragraphs.iter().all(|&p| dom.nodes[p].parent == div));
        assert_eq!(elements(&dom, "li").len(), 2);
        assert_eq!(elements(&dom, "tr").len(), 2);
        assert_eq!(elements(&dom, "td").iter().map(|&td| dom.text(td)).collect::<Vec<_>>(), ["1", "2", "3"]);
        let h3 = elements(&dom, "h3")[0];
        assert!(!dom.is(dom.nodes[h3].parent, html5ever::local_name!("h2")));
    }

    #[test]
    fn head_content_goes_to_the_head_and_the_rest_to_the_body() {
        let dom = parse("<title>Site &ndash; Story</title><meta name=description content='A &amp; B'>Text").dom;
        let head = dom.find_first(html5ever::local_name!("head")).unwrap();
        let title = dom.find_first(html5ever::local_name!("title")).unwrap();
        assert_eq!(dom.nodes[title].parent, head);
        assert_eq!(dom.text(title), "Site – Story");
        let meta = dom.find_first(html5ever::local_name!("meta")).unwrap();
        assert_eq!(dom.attr(meta, html5ever::local_name!("content")), Some("A & B"));
        let body = dom.find_first(html5ever::local_name!("body")).unwrap();
        assert_eq!(dom.text(body), "Text");
    }

    #[test]
    fn keeps_only_the_attributes_the_cleaner_reads() {
        let dom =
            parse(r#"<p class="lead" onclick="x()" data-blob="{}" style="color:red">a</p><img src="data:x" alt=b>"#)
                .dom;
        let p = dom.find_first(html5ever::local_name!("p")).unwrap();
        let img = dom.find_first(html5ever::local_name!("img")).unwrap();
        match (&dom.nodes[p].data, &dom.nodes[img].data) {
            (Data::Element { attrs: p, .. }, Data::Element { attrs: img, .. }) => {
                assert_eq!(p.len(), 1);
                assert_eq!(img.len(), 1);
            }
            _ => unreachable!(),
        }
    }
}
