//! Character references (`&amp;`, `&#8217;`, `&eacute;`, legacy `&copy` without a semicolon)
//! decoded as HTML decodes them, with html5ever's table of named references.

use html5ever::data::{C1_REPLACEMENTS, NAMED_ENTITIES};
use memchr::memchr;

/// Appends `text` with its character references decoded. In attribute values a legacy reference
/// followed by a letter, digit or `=` stays as written (`?a=1&copy=2`).
pub fn push_decoded(out: &mut String, text: &str, in_attribute: bool) {
    let mut rest = text;
    while let Some(amp) = memchr(b'&', rest.as_bytes()) {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match reference(after, in_attribute) {
            Some((chars, used)) => {
                out.extend(chars.into_iter().flatten());
                rest = &after[used..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

/// The characters a reference (the text after `&`) stands for, and its length.
fn reference(text: &str, in_attribute: bool) -> Option<([Option<char>; 2], usize)> {
    let bytes = text.as_bytes();
    if bytes.first() == Some(&b'#') {
        return numeric(bytes);
    }
    let mut best = None;
    for (i, &c) in bytes.iter().enumerate().take(40) {
        if !c.is_ascii_alphanumeric() && c != b';' {
            break;
        }
        match NAMED_ENTITIES.get(&text[..=i]) {
            Some(&(first, second)) if first != 0 => best = Some((first, second, i + 1)),
            Some(_) => {}
            None => break,
        }
        if c == b';' {
            break;
        }
    }
    let (first, second, len) = best?;
    let legacy = bytes[len - 1] != b';';
    if legacy && in_attribute && bytes.get(len).is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'=') {
        return None;
    }
    Some(([char::from_u32(first), char::from_u32(second).filter(|_| second != 0)], len))
}

fn numeric(bytes: &[u8]) -> Option<([Option<char>; 2], usize)> {
    let hex = matches!(bytes.get(1), Some(b'x' | b'X'));
    let start = if hex { 2 } else { 1 };
    let digits =
        bytes[start..].iter().take_while(|c| if hex { c.is_ascii_hexdigit() } else { c.is_ascii_digit() }).count();
    if digits == 0 {
        return None;
    }
    let value = bytes[start..start + digits].iter().fold(0u32, |value, &c| {
        let digit = (c as char).to_digit(16).unwrap_or(0);
        value.saturating_mul(if hex { 16 } else { 10 }).saturating_add(digit)
    });
    let mut len = start + digits;
    if bytes.get(len) == Some(&b';') {
        len += 1;
    }
    let c = match value {
        0 => '\u{fffd}',
        0x80..=0x9f => C1_REPLACEMENTS[(value - 0x80) as usize].unwrap_or('\u{fffd}'),
        value => char::from_u32(value).unwrap_or('\u{fffd}'),
    };
    Some(([Some(c), None], len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(text: &str, in_attribute: bool) -> String {
        let mut out = String::new();
        push_decoded(&mut out, text, in_attribute);
        out
    }

    #[test]
    fn decodes_named_numeric_and_legacy_references() {
        assert_eq!(
            decoded("Tom &amp; Jerry &#8217;s &#x41;&eacute; &copy 2024 &notit;", false),
            "Tom & Jerry ’s Aé © 2024 ¬it;"
        );
        assert_eq!(decoded("&#150; &#0; &bogus; & alone", false), "– \u{fffd} &bogus; & alone");
        assert_eq!(decoded("?a=1&copy=2&amp;b", true), "?a=1&copy=2&b");
    }
}
