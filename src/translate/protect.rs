//! Text that must not go through the backend as part of a segment (a quotation in another
//! language) is swapped for a short token that every backend passes through untouched, and put
//! back afterwards.

/// A span taken out of a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protected {
    pub token: String,
    pub lang: String,
    /// The span's inline HTML, without the `<span>` around it.
    pub inner: String,
}

/// Replaces every `<span lang="X">…</span>` with X ≠ `source` by a token; `next` numbers the tokens.
pub fn protect(html: &str, source: &str, next: &mut usize) -> (String, Vec<Protected>) {
    let mut out = String::with_capacity(html.len());
    let mut taken = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<span lang=\"") {
        let attr_start = start + "<span lang=\"".len();
        let (Some(attr_len), Some(close)) = (rest[attr_start..].find('"'), rest[start..].find("</span>")) else {
            break;
        };
        let lang = &rest[attr_start..attr_start + attr_len];
        let Some(open_end) = rest[start..].find('>').map(|i| start + i + 1) else { break };
        let close = start + close;
        if lang == source || open_end > close {
            out.push_str(&rest[..close + "</span>".len()]);
            rest = &rest[close + "</span>".len()..];
            continue;
        }
        out.push_str(&rest[..start]);
        let token = format!("QZ{next}");
        *next += 1;
        out.push_str(&token);
        taken.push(Protected { token, lang: lang.to_string(), inner: rest[open_end..close].to_string() });
        rest = &rest[close + "</span>".len()..];
    }
    out.push_str(rest);
    (out, taken)
}

/// Puts each protected span back in place of its token; `None` when a token went missing.
pub fn restore(html: &str, spans: &[(Protected, String)]) -> Option<String> {
    let mut out = html.to_string();
    for (span, replacement) in spans {
        if out.matches(span.token.as_str()).count() != 1 {
            return None;
        }
        out = out.replacen(&span.token, replacement, 1);
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
        let (protected, spans) = protect(html, "uk", &mut next);
        assert_eq!(protected, "Він сказав: «QZ0» і «<span lang=\"uk\">ми теж</span>».");
        assert_eq!(spans[0].inner, "Мы не уйдём");
        let back = restore(
            "Он сказал: «QZ0» и «<span lang=\"uk\">ми теж</span>».",
            &[(spans[0].clone(), "<span lang=\"ru\">Мы не уйдём</span>".into())],
        );
        assert_eq!(
            back.unwrap(),
            "Он сказал: «<span lang=\"ru\">Мы не уйдём</span>» и «<span lang=\"uk\">ми теж</span>»."
        );
        assert!(restore("token lost", &[(spans[0].clone(), String::new())]).is_none());
    }
}
