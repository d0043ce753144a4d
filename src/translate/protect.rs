//! Text that must not go through the backend as it is, swapped for a short token that every
//! backend passes through untouched and put back afterwards: quotations in another language,
//! `translate="no"` spans, inline code, do-not-translate terms and glossary terms.

/// A piece taken out of a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protected {
    pub token: String,
    pub kind: Kind,
    /// Foreign: the quotation's inline HTML. Fixed: exactly what goes back.
    pub inner: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// In another language: kept, or translated from that language.
    Foreign { lang: String },
    /// Goes back as it is (or as the glossary says).
    Fixed,
}

/// Replaces protected pieces of a segment by tokens; `next` numbers the tokens. `terms` are
/// (source term, replacement) pairs found at word boundaries in the text, longest first.
pub fn protect(html: &str, source: &str, terms: &[(String, String)], next: &mut usize) -> (String, Vec<Protected>) {
    let mut out = String::with_capacity(html.len());
    let mut taken = Vec::new();
    let mut take = |out: &mut String, kind: Kind, inner: String| {
        let token = format!("QZ{next}");
        *next += 1;
        out.push_str(&token);
        taken.push(Protected { token, kind, inner });
    };
    let mut rest = html;
    while !rest.is_empty() {
        let text_end = rest.find('<').unwrap_or(rest.len());
        protect_terms(&rest[..text_end], terms, &mut out, &mut take);
        rest = &rest[text_end..];
        if rest.is_empty() {
            break;
        }
        let tag_end = rest.find('>').map_or(rest.len(), |i| i + 1);
        let tag = &rest[..tag_end];
        let closing = if tag.starts_with("<span ") {
            Some("</span>")
        } else if tag == "<code>" {
            Some("</code>")
        } else {
            None
        };
        let whole = closing.and_then(|c| rest.find(c).map(|i| i + c.len()));
        match (whole, attr(tag, "lang"), tag.contains("translate=\"no\"") || tag == "<code>") {
            (Some(end), _, true) => {
                take(&mut out, Kind::Fixed, rest[..end].to_string());
                rest = &rest[end..];
            }
            (Some(end), Some(lang), false) if lang != source => {
                let inner = rest[tag_end..end - "</span>".len()].to_string();
                take(&mut out, Kind::Foreign { lang: lang.to_string() }, inner);
                rest = &rest[end..];
            }
            _ => {
                out.push_str(tag);
                rest = &rest[tag_end..];
            }
        }
    }
    (out, taken)
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(&tag[start..end])
}

/// Replaces glossary and do-not-translate terms in a run of text.
fn protect_terms(
    text: &str,
    terms: &[(String, String)],
    out: &mut String,
    take: &mut impl FnMut(&mut String, Kind, String),
) {
    let mut rest = text;
    'scan: while !rest.is_empty() {
        for (i, c) in rest.char_indices() {
            let at_boundary = i == 0 || !rest[..i].chars().next_back().is_some_and(char::is_alphanumeric);
            if at_boundary && c.is_alphanumeric() {
                for (term, replacement) in terms {
                    let after = i + term.len();
                    let ends_word = rest.get(after..).is_some_and(|r| !r.starts_with(char::is_alphanumeric));
                    if rest[i..].starts_with(term.as_str()) && ends_word {
                        out.push_str(&rest[..i]);
                        take(out, Kind::Fixed, replacement.clone());
                        rest = &rest[after..];
                        continue 'scan;
                    }
                }
            }
        }
        out.push_str(rest);
        break;
    }
}

/// Puts each protected piece back in place of its token; `None` when a token went missing.
pub fn restore(html: &str, pieces: &[(Protected, String)]) -> Option<String> {
    let mut out = html.to_string();
    for (piece, replacement) in pieces {
        if out.matches(piece.token.as_str()).count() != 1 {
            return None;
        }
        out = out.replacen(&piece.token, replacement, 1);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_spans_round_trip() {
        let mut next = 0;
        let html = "Він сказав: «<span lang=\"ru\">Мы не уйдём</span>» і «<span lang=\"uk\">ми теж</span>».";
        let (protected, pieces) = protect(html, "uk", &[], &mut next);
        assert_eq!(protected, "Він сказав: «QZ0» і «<span lang=\"uk\">ми теж</span>».");
        assert_eq!(pieces[0].kind, Kind::Foreign { lang: "ru".into() });
        assert_eq!(pieces[0].inner, "Мы не уйдём");
        let back = restore(
            "Он сказал: «QZ0» и «<span lang=\"uk\">ми теж</span>».",
            &[(pieces[0].clone(), "<span lang=\"ru\">Мы не уйдём</span>".into())],
        );
        assert_eq!(
            back.unwrap(),
            "Он сказал: «<span lang=\"ru\">Мы не уйдём</span>» и «<span lang=\"uk\">ми теж</span>»."
        );
        assert!(restore("token lost", &[(pieces[0].clone(), String::new())]).is_none());
    }

    #[test]
    fn terms_code_and_no_translate_spans() {
        let mut next = 0;
        let terms =
            vec![("city council".to_string(), "ayuntamiento".to_string()), ("NATO".to_string(), "NATO".to_string())];
        let html =
            "The city council met <a href=\"https://x.example/NATO\">NATO</a> staff; run <code>make demo</code>, \
                    <span translate=\"no\">Baltic Post</span>. NATOs stay.";
        let (protected, pieces) = protect(html, "en", &terms, &mut next);
        assert_eq!(
            protected,
            "The QZ0 met <a href=\"https://x.example/NATO\">QZ1</a> staff; run QZ2, QZ3. NATOs stay."
        );
        let inners: Vec<&str> = pieces.iter().map(|p| p.inner.as_str()).collect();
        assert_eq!(
            inners,
            ["ayuntamiento", "NATO", "<code>make demo</code>", "<span translate=\"no\">Baltic Post</span>"]
        );
    }
}
