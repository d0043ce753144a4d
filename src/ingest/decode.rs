//! Bytes to UTF-8: byte-order mark, then the HTTP charset, then valid UTF-8, then `<meta>`, then
//! chardetng's guess. Everything after the ingest stage is UTF-8.

use encoding_rs::{Encoding, UTF_8};

/// How far into a page a `<meta charset>` is looked for.
const META_SCAN_BYTES: usize = 4096;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the file is empty")]
    Empty,
    #[error("binary content, not a text page ({0} control bytes in the first 8 KB)")]
    Binary(usize),
}

/// Decodes a page; returns the text and the name of the encoding used.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Result<(String, &'static str), DecodeError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(DecodeError::Empty);
    }
    let (encoding, bom_len) = match Encoding::for_bom(bytes) {
        Some((encoding, len)) => (encoding, len),
        None => (pick_encoding(bytes, content_type), 0),
    };
    let body = &bytes[bom_len..];
    if encoding != encoding_rs::UTF_16LE && encoding != encoding_rs::UTF_16BE {
        let controls = control_bytes(body);
        if controls > 8 {
            return Err(DecodeError::Binary(controls));
        }
    }
    let (text, _had_errors) = encoding.decode_without_bom_handling(body);
    Ok((text.into_owned(), encoding.name()))
}

fn pick_encoding(bytes: &[u8], content_type: Option<&str>) -> &'static Encoding {
    if let Some(encoding) = content_type.and_then(charset_param).and_then(|c| Encoding::for_label(c.as_bytes())) {
        return encoding;
    }
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    if let Some(encoding) = meta_charset(&bytes[..bytes.len().min(META_SCAN_BYTES)]) {
        // A page that is not valid UTF-8 cannot be UTF-8, whatever it says.
        if encoding != UTF_8 {
            return encoding;
        }
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    detector.guess(None, true)
}

/// `charset=...` of a Content-Type value.
fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim().eq_ignore_ascii_case("charset").then(|| value.trim().trim_matches(['"', '\'']).to_string())
    })
}

/// `<meta charset="x">` or `<meta http-equiv="Content-Type" content="text/html; charset=x">`.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"charset") {
        let start = from + pos + b"charset".len();
        let rest = &lower[start..];
        let rest = rest.strip_prefix(b"=").or_else(|| {
            let trimmed = rest.iter().position(|b| !b.is_ascii_whitespace()).map(|i| &rest[i..])?;
            trimmed.strip_prefix(b"=")
        });
        if let Some(rest) = rest {
            let rest: &[u8] = &rest[rest.iter().position(|b| !b" \t\"'".contains(b)).unwrap_or(rest.len())..];
            let end = rest.iter().position(|b| b" \t\"';>/".contains(b)).unwrap_or(rest.len());
            if let Some(encoding) = Encoding::for_label(&rest[..end]) {
                return Some(encoding);
            }
        }
        from = start;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn control_bytes(bytes: &[u8]) -> usize {
    bytes[..bytes.len().min(8192)].iter().filter(|&&b| b < 0x09 || ((0x0e..0x20).contains(&b) && b != 0x1b)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1251_from_meta() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode("<meta charset=\"windows-1251\"><p>Привет, мир</p>");
        let (text, name) = decode(&bytes, None).unwrap();
        assert!(text.contains("Привет, мир"));
        assert_eq!(name, "windows-1251");
    }

    #[test]
    fn http_header_wins_and_undeclared_pages_are_guessed() {
        let (bytes, _, _) =
            encoding_rs::WINDOWS_1251.encode("<p>Київ оголосив про нові санкції проти країни-агресора</p>");
        let (text, _) = decode(&bytes, Some("text/html; charset=windows-1251")).unwrap();
        assert!(text.contains("Київ"));
        let (guessed, _) = decode(&bytes, None).unwrap();
        assert!(guessed.contains("оголосив"), "{guessed}");
    }

    #[test]
    fn utf8_bom_and_binary_junk() {
        let (text, _) = decode("\u{feff}<p>olá</p>".as_bytes(), None).unwrap();
        assert_eq!(text, "<p>olá</p>");
        assert_eq!(decode(b"  \n", None), Err(DecodeError::Empty));
        let junk: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 256) as u8).collect();
        assert!(matches!(decode(&junk, None), Err(DecodeError::Binary(_))));
    }
}
