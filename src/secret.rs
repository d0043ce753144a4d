//! Secrets: `${VAR}` in pipeline values is read from the environment so secrets never live in the
//! file, and a value that came from there is never printed, logged or stored.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

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
            Ok(v) => out.push_str(&v),
            Err(_) => return Err(format!("environment variable {name} is not set")),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
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
}
