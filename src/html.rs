//! The small HTML helpers every stage shares: escaping text for markup, reading text and attributes
//! back out of the inline HTML that newswire writes itself, and a page's media type. It depends on
//! nothing else in the crate.

/// Text safe in element content: `& < >` escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
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
        out.push_str(&unescape(&rest[..lt]));
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
    out.push_str(&unescape(rest));
    out
}

/// The entities newswire itself writes, decoded.
pub fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
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
