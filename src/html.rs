//! The small HTML helpers every stage shares: escaping text for markup, reading text and attributes
//! back out of the inline HTML that newswire writes itself, and a page's media type. It depends on
//! nothing else in the crate.

/// Text safe in element content: `& < >` escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

/// Appends [`escape`]d text.
pub fn push_escaped(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<', '>']) {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            _ => "&gt;",
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
}

/// Text safe in a double-quoted attribute too.
pub fn escape_attr(text: &str) -> String {
    escape(text).replace('"', "&quot;")
}

/// Text safe in element content and in single- or double-quoted attributes alike: `& < > " '`
/// escaped, nothing else (a URL keeps its slashes).
pub fn escape_text_or_attribute(text: &str) -> String {
    escape_attr(text).replace('\'', "&#39;")
}

/// The value of an attribute in a tag we wrote ourselves (double-quoted, escaped).
pub fn attr_value(html: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = html.find(&key)? + key.len();
    let end = html[start..].find('"')? + start;
    Some(unescape(&html[start..end]))
}

/// Inline HTML to its text: tags dropped, entities decoded.
pub fn inline_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_unescaped(&mut out, &rest[..lt]);
        match rest[lt..].find('>') {
            Some(gt) => {
                if rest[lt..].starts_with("<br") {
                    out.push(' ');
                }
                rest = &rest[lt + gt + 1..];
            }
            None => {
                rest = "";
            }
        }
    }
    push_unescaped(&mut out, rest);
    out
}

/// The entities newswire itself writes, decoded.
pub fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_unescaped(&mut out, text);
    out
}

/// Appends [`unescape`]d text.
fn push_unescaped(out: &mut String, text: &str) {
    const REFERENCES: [(&str, &str); 6] =
        [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&nbsp;", "\u{a0}"), ("&amp;", "&")];
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match REFERENCES.iter().find(|(reference, _)| rest.starts_with(reference)) {
            Some((reference, character)) => {
                out.push_str(character);
                rest = &rest[reference.len()..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

/// The names of a segment's tags, sorted: reordering is fine, losing one is not.
pub fn tag_names(html: &str) -> Vec<&str> {
    let mut names: Vec<&str> = html
        .split('<')
        .skip(1)
        .filter_map(|t| t.split(|c: char| c.is_whitespace() || c == '>').next())
        .filter(|n| !n.is_empty())
        .collect();
    names.sort_unstable();
    names
}

/// The media type of a `Content-Type` value, lower-case, without parameters.
pub fn media_type(content_type: Option<&str>) -> String {
    content_type.unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_round_trips_and_leaves_other_references_alone() {
        let text = "a < b & \"c\" > 'd'\u{a0}&amp;lt;";
        assert_eq!(escape(text), "a &lt; b &amp; \"c\" &gt; 'd'\u{a0}&amp;amp;lt;");
        assert_eq!(unescape(&escape(text)), text);
        assert_eq!(unescape("&amp;lt; &copy; &#39;&quot;&nbsp;&"), "&lt; &copy; '\"\u{a0}&");
        assert_eq!(inline_text("<p>R&amp;D<br>&lt;now&gt;</p>"), "R&D <now>");
    }
}
