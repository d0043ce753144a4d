//! A streaming pass over the page bytes before any tree is built: drops scripts, styles, SVG,
//! comments and other markup that never holds article text, keeps only the attributes the cleaner
//! reads, keeps JSON-LD for the metadata, and caps the nesting depth so hostile pages cannot make
//! tree building quadratic. It is a byte scanner that tokenizes tags the way HTML does (quoted
//! attributes, raw-text elements) but never decodes text: html5ever does that once, on what is left.

use memchr::{memchr, memmem};

/// Elements kept open at most this deep; deeper tags are dropped, their text kept.
pub const MAX_DEPTH: usize = 200;

/// How far down the open-element stack an end tag looks for its start tag.
const END_TAG_SEARCH: usize = 48;

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

/// Elements dropped with everything inside them. Only elements whose end tag is never left out
/// in practice: a dropped element left open would swallow the rest of the page.
fn is_dropped(name: &[u8]) -> bool {
    matches!(
        name,
        b"script"
            | b"style"
            | b"svg"
            | b"math"
            | b"noscript"
            | b"template"
            | b"iframe"
            | b"object"
            | b"select"
            | b"textarea"
            | b"noembed"
            | b"noframes"
    )
}

/// Elements whose content is raw text up to their end tag.
fn is_raw_text(name: &[u8]) -> bool {
    matches!(
        name,
        b"script" | b"style" | b"noscript" | b"iframe" | b"textarea" | b"title" | b"xmp" | b"noembed" | b"noframes"
    )
}

/// Elements whose tags are dropped but whose content stays (media fallbacks, controls): their end
/// tag is often missing, or swallowed by a broken start tag.
fn is_unwrapped(name: &[u8]) -> bool {
    matches!(
        name,
        b"video" | b"audio" | b"canvas" | b"map" | b"dialog" | b"button" | b"embed" | b"source" | b"track" | b"picture"
    )
}

fn is_void(name: &[u8]) -> bool {
    matches!(
        name,
        b"area" | b"base" | b"br" | b"col" | b"embed" | b"hr" | b"img" | b"input" | b"link" | b"meta" | b"wbr"
    )
}

/// Elements that close an open `<p>` when they start.
fn closes_paragraph(name: &[u8]) -> bool {
    matches!(
        name,
        b"p" | b"div"
            | b"ul"
            | b"ol"
            | b"table"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"blockquote"
            | b"pre"
            | b"section"
            | b"article"
            | b"figure"
            | b"header"
            | b"footer"
            | b"aside"
            | b"nav"
    )
}

/// The attributes the cleaner reads; the rest (data blobs, srcset, handlers) never reach the parser.
fn is_kept_attribute(name: &[u8]) -> bool {
    matches!(
        name,
        b"class"
            | b"id"
            | b"role"
            | b"hidden"
            | b"aria-hidden"
            | b"style"
            | b"itemprop"
            | b"src"
            | b"data-src"
            | b"width"
            | b"height"
            | b"alt"
            | b"translate"
            | b"href"
            | b"lang"
            | b"property"
            | b"name"
            | b"content"
            | b"rel"
            | b"datetime"
            | b"type"
            | b"charset"
            | b"colspan"
            | b"rowspan"
    )
}

pub struct Stripped {
    pub html: String,
    /// Contents of `<script type="application/ld+json">` blocks.
    pub json_ld: Vec<String>,
}

pub fn strip(html: &str) -> Stripped {
    let mut scanner = Scanner {
        src: html.as_bytes(),
        out: Vec::with_capacity(html.len() / 2),
        json_ld: Vec::new(),
        open: Vec::new(),
        dropping: None,
        attrs: Vec::new(),
    };
    scanner.run();
    let html = String::from_utf8(scanner.out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Stripped { html, json_ld: scanner.json_ld }
}

type Span = std::ops::Range<usize>;

struct Scanner<'a> {
    src: &'a [u8],
    out: Vec<u8>,
    json_ld: Vec<String>,
    /// Open elements: name and whether its start tag was written.
    open: Vec<(Name, bool)>,
    /// Inside a dropped element: its name and how many of it are open.
    dropping: Option<(Name, usize)>,
    /// The current tag's attributes: name and value (with its quotes) spans.
    attrs: Vec<(Span, Option<Span>)>,
}

/// A tag as scanned: its name, where it ends (after `>`), and how.
struct Tag {
    name: Name,
    name_span: Span,
    end: usize,
    is_end: bool,
    self_closing: bool,
}

fn is_space(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

impl Scanner<'_> {
    fn run(&mut self) {
        let src = self.src;
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

    fn text(&mut self, span: Span) {
        if self.dropping.is_none() {
            self.out.extend_from_slice(&self.src[span]);
        }
    }

    /// Handles the markup starting at `lt` (a `<`); returns where scanning goes on.
    fn markup(&mut self, lt: usize) -> usize {
        let src = self.src;
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
            Some(b'!') => {
                if src.len() > lt + 9 && src[lt + 2..lt + 9].eq_ignore_ascii_case(b"doctype") && self.dropping.is_none() {
                    self.out.extend_from_slice(b"<!DOCTYPE html>");
                }
                after_gt(lt + 2)
            }
            Some(b'?') => after_gt(lt + 2),
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
                if self.dropping.is_none() {
                    self.out.extend_from_slice(b"&lt;");
                }
                lt + 1
            }
        }
    }

    fn tag(&mut self, lt: usize, is_end: bool) -> usize {
        let Some(tag) = self.scan_tag(lt, is_end) else {
            return self.src.len(); // a tag cut off by the end of the page is dropped, as HTML does
        };
        if let Some((dropped, depth)) = &mut self.dropping {
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
            if !tag.is_end && is_raw_text(tag.name.as_bytes()) {
                return raw_text_end(self.src, tag.end, tag.name.as_bytes());
            }
            return tag.end;
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
            let raw_end = raw_text_end(self.src, tag.end, name);
            if name == b"script" && self.is_json_ld() {
                self.json_ld.push(String::from_utf8_lossy(&self.src[tag.end..raw_end]).into_owned());
            }
            return raw_end;
        }
        if is_void(name) || tag.self_closing {
            if self.open.len() < MAX_DEPTH {
                self.write_start_tag(&tag);
            }
            return tag.end;
        }
        self.close_implied(name);
        let write = self.open.len() < MAX_DEPTH;
        if write {
            self.write_start_tag(&tag);
        }
        self.open.push((tag.name, write));
        if is_raw_text(name) {
            let raw_end = raw_text_end(self.src, tag.end, name);
            self.text(tag.end..raw_end);
            return raw_end;
        }
        tag.end
    }

    /// Reads a tag's name and attributes the way the HTML tokenizer does: quoted values may hold
    /// `>`, a `/` before `>` makes it self-closing. `None` when the page ends inside the tag.
    fn scan_tag(&mut self, lt: usize, is_end: bool) -> Option<Tag> {
        let src = self.src;
        let name_start = lt + 1 + usize::from(is_end);
        let mut i = name_start;
        while i < src.len() && !is_space(src[i]) && src[i] != b'/' && src[i] != b'>' {
            i += 1;
        }
        let name_span = name_start..i;
        self.attrs.clear();
        loop {
            while i < src.len() && (is_space(src[i]) || (src[i] == b'/' && src.get(i + 1) != Some(&b'>'))) {
                i += 1;
            }
            match src.get(i)? {
                b'>' => return Some(Tag::new(src, name_span, i + 1, is_end, false)),
                b'/' => return Some(Tag::new(src, name_span, i + 2, is_end, true)),
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

    fn attribute(&self, wanted: &[u8]) -> Option<&[u8]> {
        let (_, value) = self.attrs.iter().find(|(name, _)| self.src[name.clone()].eq_ignore_ascii_case(wanted))?;
        let value = &self.src[value.clone()?];
        Some(value.strip_prefix(b"\"").or_else(|| value.strip_prefix(b"'")).map_or(value, |v| &v[..v.len() - 1]))
    }

    fn is_json_ld(&self) -> bool {
        self.attribute(b"type").is_some_and(|t| t.trim_ascii().eq_ignore_ascii_case(b"application/ld+json"))
    }

    fn write_start_tag(&mut self, tag: &Tag) {
        let src = self.src;
        self.out.push(b'<');
        self.out.extend(src[tag.name_span.clone()].iter().map(u8::to_ascii_lowercase));
        for (name, value) in &self.attrs {
            let name = &src[name.clone()];
            let mut lower = [0u8; 12];
            if name.len() > lower.len() {
                continue;
            }
            for (to, from) in lower.iter_mut().zip(name) {
                *to = from.to_ascii_lowercase();
            }
            let name = &lower[..name.len()];
            let value = value.clone().map(|v| &src[v]);
            if !is_kept_attribute(name) || (name == b"style" && !value.is_some_and(hides)) {
                continue;
            }
            self.out.push(b' ');
            self.out.extend_from_slice(name);
            if let Some(value) = value {
                self.out.push(b'=');
                self.out.extend_from_slice(value);
            }
        }
        self.out.push(b'>');
    }

    fn write_end_tag(&mut self, name: Name) {
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'>');
    }

    /// Pops elements a new start tag closes implicitly, so unclosed `<p>` and `<li>` do not pile up.
    fn close_implied(&mut self, name: &[u8]) {
        let Some(&(top, written)) = self.open.last() else {
            return;
        };
        let top_name = top.as_bytes();
        let implied = (top_name == b"p" && closes_paragraph(name))
            || (top_name == name && matches!(name, b"li" | b"dt" | b"dd" | b"option" | b"tr"))
            || (matches!(top_name, b"td" | b"th") && matches!(name, b"td" | b"th" | b"tr"));
        if implied {
            if written {
                self.write_end_tag(top);
            }
            self.open.pop();
        }
    }

    fn end_tag(&mut self, name: Name) {
        let len = self.open.len();
        match self.open.iter().rev().take(END_TAG_SEARCH).position(|(open, _)| *open == name) {
            Some(from_top) => {
                let closed: Vec<(Name, bool)> = self.open.drain(len - from_top - 1..).rev().collect();
                for (open, written) in closed {
                    if written {
                        self.write_end_tag(open);
                    }
                }
            }
            None if len < MAX_DEPTH && name.as_bytes() != b"p" && name.as_bytes() != b"br" => self.write_end_tag(name),
            None => {}
        }
    }
}

impl Tag {
    fn new(src: &[u8], name_span: Span, end: usize, is_end: bool, self_closing: bool) -> Tag {
        Tag { name: Name::new(&src[name_span.clone()]), name_span, end, is_end, self_closing }
    }
}

/// A `style` worth keeping: one that hides the element.
fn hides(style: &[u8]) -> bool {
    let style = style.to_ascii_lowercase();
    memmem::find(&style, b"none").is_some() || memmem::find(&style, b"hidden").is_some()
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
