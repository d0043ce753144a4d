//! Secrets: `${VAR}` in pipeline values is read from the environment so secrets never live in the
//! file, and a value that came from there is never printed, logged or stored.

use std::borrow::Cow;
use std::sync::RwLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// Every value `${VAR}` expanded to in this process, as written and as a URL would encode it:
/// what [`redact`] hides.
static FROM_ENVIRONMENT: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Values shorter than this are not hidden: `***` in place of every "1" would hide everything.
const MIN_HIDDEN_CHARS: usize = 4;

/// What a hidden value is shown as.
pub const HIDDEN: &str = "***";

/// Replaces every `${NAME}` with the variable's value; names the first variable that is not set.
pub fn expand(value: &str) -> Result<String, String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err(format!("unclosed `${{` in {value:?}"));
        };
        let name = &after[..end];
        match std::env::var(name) {
            Ok(v) => {
                remember(&v);
                out.push_str(&v);
            }
            Err(_) => return Err(format!("environment variable {name} is not set")),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn remember(value: &str) {
    if value.chars().count() < MIN_HIDDEN_CHARS {
        return;
    }
    let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    // As a parsed URL writes the value in its query and in its path.
    let in_query = url::Url::parse(&format!("http://h/?{value}")).ok().and_then(|u| u.query().map(str::to_string));
    let in_path = url::Url::parse(&format!("http://h/{value}")).ok().map(|u| u.path()[1..].to_string());
    let forms = [Some(value.to_string()), Some(encoded.replace('+', "%20")), Some(encoded), in_query, in_path];
    let mut known = FROM_ENVIRONMENT.write().unwrap_or_else(|poisoned| poisoned.into_inner());
    for form in forms.into_iter().flatten().filter(|f| f.chars().count() >= MIN_HIDDEN_CHARS) {
        if !known.contains(&form) {
            known.push(form);
        }
    }
    // Longest first, so a value containing another is hidden whole.
    known.sort_by_key(|v| std::cmp::Reverse(v.len()));
}

/// The text with every value that came from the environment replaced by `***`. Everything newswire
/// prints, logs or stores about a failure passes through here.
pub fn redact(text: &str) -> Cow<'_, str> {
    let known = FROM_ENVIRONMENT.read().unwrap_or_else(|poisoned| poisoned.into_inner());
    if !known.iter().any(|value| text.contains(value.as_str())) {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_string();
    for value in known.iter() {
        out = out.replace(value.as_str(), HIDDEN);
    }
    Cow::Owned(out)
}

/// A URL as people may see it: its password and every value from the environment hidden.
pub fn redact_url(url: &url::Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some(HIDDEN));
    }
    redact(shown.as_str()).into_owned()
}

/// A writer that hides values from the environment in what passes through it (the log), and
/// keeps each event on one line: a line break or other control character inside it (an id or a
/// name a client chose) is written escaped, so no one forges a line of the log.
pub struct Redacting<W>(pub W);

impl<W: std::io::Write> std::io::Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match std::str::from_utf8(buf) {
            Ok(text) => self.0.write_all(one_line(&redact(text)).as_bytes())?,
            Err(_) => self.0.write_all(&String::from_utf8_lossy(buf).replace(['\n', '\r'], " ").into_bytes())?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// One log event as one line: control characters escaped, but for the final line break, tabs
/// and the formatter's own colours (the formatter escapes escape characters in values).
fn one_line(event: &str) -> Cow<'_, str> {
    let body = event.strip_suffix('\n').unwrap_or(event);
    if !body.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\x1b')) {
        return Cow::Borrowed(event);
    }
    let mut out = String::with_capacity(event.len() + 16);
    for c in body.chars() {
        match c {
            '\t' | '\x1b' => out.push(c),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    if body.len() < event.len() {
        out.push('\n');
    }
    Cow::Owned(out)
}

/// A value that must never be printed or logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The HMAC key of a Standard Webhooks secret (`whsec_<base64>`).
pub fn decode_webhook_secret(secret: &str) -> Result<Vec<u8>, String> {
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    let key = STANDARD
        .decode(encoded.trim())
        .map_err(|_| "the webhook secret must be whsec_ followed by base64".to_string())?;
    if key.len() < 16 {
        return Err("the webhook secret is too short (at least 16 bytes once decoded)".to_string());
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_set_variables_and_names_missing_ones() {
        std::env::set_var("NEWSWIRE_TEST_EXPAND", "abc");
        assert_eq!(expand("x-${NEWSWIRE_TEST_EXPAND}-y").unwrap(), "x-abc-y");
        assert_eq!(expand("plain").unwrap(), "plain");
        let err = expand("${NEWSWIRE_SURELY_UNSET_VAR}").unwrap_err();
        assert!(err.contains("NEWSWIRE_SURELY_UNSET_VAR"), "{err}");
        assert_eq!(format!("{:?}", Secret::new("s3cret".into())), "Secret(***)");
    }

    #[test]
    fn values_from_the_environment_are_hidden_as_written_and_url_encoded() {
        std::env::set_var("NEWSWIRE_TEST_TOKEN", "tok/en+42 x");
        let url = expand("https://user:pw@partner.example/hook?token=${NEWSWIRE_TEST_TOKEN}").unwrap();
        assert_eq!(redact("failed: tok/en+42 x refused"), "failed: *** refused");
        let parsed = url::Url::parse(&url).unwrap();
        let shown = redact_url(&parsed);
        assert_eq!(shown, "https://user:***@partner.example/hook?token=***");
        assert_eq!(redact("nothing secret here"), "nothing secret here");
    }

    #[test]
    fn a_log_event_stays_on_one_line() {
        use std::io::Write;
        let mut log = Redacting(Vec::new());
        log.write_all(b"INFO request path=/a\nERROR forged line\rx\n").unwrap();
        log.write_all(b"INFO \x1b[2mcoloured\x1b[0m\tok\n").unwrap();
        let written = String::from_utf8(log.0).unwrap();
        assert_eq!(written, "INFO request path=/a\\nERROR forged line\\rx\nINFO \x1b[2mcoloured\x1b[0m\tok\n");
    }
}
