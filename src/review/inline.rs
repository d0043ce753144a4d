//! A segment's inline markup as numbered codes, the way CAT tools protect it: each tag of the
//! source gets an id, the editor moves codes but cannot alter them, and the tags come back exactly
//! as the source had them.

/// One piece of a segment's inline HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text, entities decoded.
    Text(String),
    /// An opening tag, with its code id.
    Open {
        id: usize,
        name: String,
    },
    Close {
        id: usize,
    },
    /// A tag without content (`<br>`, `<img>`).
    Empty {
        id: usize,
        name: String,
    },
}

/// The tags of a source segment, by code id (from 1).
#[derive(Debug, Clone, Default)]
pub struct Codes {
    /// (tag name, opening tag, closing tag or empty for a void one), id - 1 indexed.
    tags: Vec<(String, String, String)>,
}

const VOID: &[&str] = &["br", "img", "wbr", "hr"];

impl Codes {
    pub fn name(&self, id: usize) -> Option<&str> {
        self.tags.get(id.checked_sub(1)?).map(|(name, _, _)| name.as_str())
    }

    pub fn open(&self, id: usize) -> Option<&str> {
        self.tags.get(id.checked_sub(1)?).map(|(_, open, _)| open.as_str())
    }

    pub fn close(&self, id: usize) -> Option<&str> {
        self.tags.get(id.checked_sub(1)?).map(|(_, _, close)| close.as_str())
    }

    pub fn is_empty(&self, id: usize) -> bool {
        self.close(id).is_some_and(str::is_empty)
    }
}

/// A tag as written: `<a href="x">`, `</a>`, `<br>`.
struct Tag<'a> {
    name: String,
    closing: bool,
    html: &'a str,
}

fn split(html: &str) -> Vec<Result<Tag<'_>, &str>> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        if lt > 0 {
            out.push(Err(&rest[..lt]));
        }
        let Some(gt) = rest[lt..].find('>') else { break };
        let html = &rest[lt..lt + gt + 1];
        let inner = html.trim_start_matches('<').trim_end_matches('>').trim_end_matches('/');
        let closing = inner.starts_with('/');
        let name = inner.trim_start_matches('/').split(|c: char| c.is_whitespace()).next().unwrap_or("");
        out.push(Ok(Tag { name: name.to_ascii_lowercase(), closing, html }));
        rest = &rest[lt + gt + 1..];
    }
    if !rest.is_empty() {
        out.push(Err(rest));
    }
    out
}

/// What the walk over a segment's tags asks for.
enum Seen<'t, 'a> {
    /// An opening or empty tag: its code and whether it has no content, or `None` to drop it.
    Opening(&'t Tag<'a>),
    /// The closing tag of the code given.
    Closing(usize, &'t Tag<'a>),
}

/// A segment as pieces, each tag's code given by `code`.
fn walk(html: &str, mut code: impl FnMut(Seen) -> Option<(usize, bool)>) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for part in split(html) {
        match part {
            Err(text) => pieces.push(Piece::Text(crate::html::unescape(text))),
            Ok(tag) if tag.closing => {
                if let Some(id) = open.pop() {
                    code(Seen::Closing(id, &tag));
                    pieces.push(Piece::Close { id });
                }
            }
            Ok(tag) => match code(Seen::Opening(&tag)) {
                Some((id, true)) => pieces.push(Piece::Empty { id, name: tag.name }),
                Some((id, false)) => {
                    open.push(id);
                    pieces.push(Piece::Open { id, name: tag.name });
                }
                None => {}
            },
        }
    }
    pieces
}

/// The source's pieces and its codes: each tag gets the next id.
pub fn source_pieces(html: &str) -> (Vec<Piece>, Codes) {
    let mut codes = Codes::default();
    let pieces = walk(html, |seen| match seen {
        Seen::Opening(tag) => {
            codes.tags.push((tag.name.clone(), tag.html.to_string(), String::new()));
            Some((codes.tags.len(), VOID.contains(&tag.name.as_str()) || tag.html.ends_with("/>")))
        }
        Seen::Closing(id, tag) => {
            codes.tags[id - 1].2 = tag.html.to_string();
            None
        }
    });
    (pieces, codes)
}

/// A target's pieces, its tags matched to the source's codes: the n-th `<a>` of the target is
/// the n-th `<a>` of the source. Tags the source does not have are dropped (the translation
/// was verified to have the same ones).
pub fn target_pieces(html: &str, codes: &Codes) -> Vec<Piece> {
    let mut used: Vec<bool> = vec![false; codes.tags.len()];
    walk(html, |seen| match seen {
        Seen::Opening(tag) => {
            let index = (0..codes.tags.len()).find(|&i| !used[i] && codes.tags[i].0 == tag.name)?;
            used[index] = true;
            Some((index + 1, codes.is_empty(index + 1)))
        }
        Seen::Closing(..) => None,
    })
}

/// Pieces back to inline HTML, each code as the source wrote it; an id the source does not
/// have is an error naming it.
pub fn to_html(pieces: &[Piece], codes: &Codes) -> Result<String, String> {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(&crate::html::escape(text)),
            Piece::Open { id, .. } | Piece::Empty { id, .. } => {
                out.push_str(codes.open(*id).ok_or_else(|| format!("inline code {id} is not in the source"))?)
            }
            Piece::Close { id } => {
                out.push_str(codes.close(*id).ok_or_else(|| format!("inline code {id} is not in the source"))?)
            }
        }
    }
    Ok(out)
}

/// Pieces as an editor types them in the console: text, with each code as `[1]`…`[/1]` or `[2/]`.
pub fn to_marked(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Open { id, .. } => out.push_str(&format!("[{id}]")),
            Piece::Close { id } => out.push_str(&format!("[/{id}]")),
            Piece::Empty { id, .. } => out.push_str(&format!("[{id}/]")),
        }
    }
    out
}

/// An editor's text back to pieces: a marker naming one of the source's codes is that code; any
/// other bracket is text.
pub fn from_marked(text: &str, codes: &Codes) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('[') {
        plain.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let marker = after.find(']').and_then(|end| Some((marker(&after[..end], codes)?, end)));
        match marker {
            Some((piece, end)) => {
                if !plain.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut plain)));
                }
                pieces.push(piece);
                rest = &after[end + 1..];
            }
            None => {
                plain.push('[');
                rest = after;
            }
        }
    }
    plain.push_str(rest);
    if !plain.is_empty() {
        pieces.push(Piece::Text(plain));
    }
    pieces
}

/// `1`, `/1` or `1/`, for a code the source has.
fn marker(inside: &str, codes: &Codes) -> Option<Piece> {
    let (closing, empty, digits) = match (inside.strip_prefix('/'), inside.strip_suffix('/')) {
        (Some(d), _) => (true, false, d),
        (None, Some(d)) => (false, true, d),
        (None, None) => (false, false, inside),
    };
    let id: usize = digits.parse().ok()?;
    let name = codes.name(id)?.to_string();
    Some(match (closing, empty || codes.is_empty(id)) {
        (true, _) => Piece::Close { id },
        (false, true) => Piece::Empty { id, name },
        (false, false) => Piece::Open { id, name },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_become_codes_and_come_back_as_the_source_wrote_them() {
        let source = r#"Read <a href="https://x.org/?a=1&amp;b=2">the <em>full</em> report</a><br>now &amp; here"#;
        let (pieces, codes) = source_pieces(source);
        assert_eq!(to_html(&pieces, &codes).unwrap(), source);
        let target = r#"Lea <a href="https://changed.example">el informe <em>completo</em></a><br>ahora"#;
        let pieces = target_pieces(target, &codes);
        assert_eq!(pieces[1], Piece::Open { id: 1, name: "a".into() });
        assert_eq!(pieces[3], Piece::Open { id: 2, name: "em".into() });
        assert!(pieces.contains(&Piece::Empty { id: 3, name: "br".into() }));
        let back = to_html(&pieces, &codes).unwrap();
        assert_eq!(back, r#"Lea <a href="https://x.org/?a=1&amp;b=2">el informe <em>completo</em></a><br>ahora"#);
        assert!(to_html(&[Piece::Empty { id: 9, name: "x".into() }], &codes).is_err());
    }

    #[test]
    fn an_editors_marked_text_keeps_the_codes_and_other_brackets() {
        let source = r#"Read <a href="https://x.org/">the <em>full</em> report</a><br>[sic]"#;
        let (pieces, codes) = source_pieces(source);
        let marked = to_marked(&pieces);
        assert_eq!(marked, "Read [1]the [2]full[/2] report[/1][3/][sic]");
        assert_eq!(to_html(&from_marked(&marked, &codes), &codes).unwrap(), source);
        let edited = from_marked("Lea [1]el informe [2]completo[/2][/1] [9] [x][3/]", &codes);
        assert_eq!(
            to_html(&edited, &codes).unwrap(),
            r#"Lea <a href="https://x.org/">el informe <em>completo</em></a> [9] [x]<br>"#
        );
    }
}
