//! Standard Webhooks signatures: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed with the
//! decoded bytes of a `whsec_<base64>` secret.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::secret::decode_webhook_secret;

/// Receivers reject timestamps further than this from their clock.
pub const TOLERANCE_SECONDS: i64 = 300;

pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the timestamp is more than five minutes away")]
    Stale,
    #[error("no signature matches")]
    Mismatch,
    #[error("bad secret: {0}")]
    Secret(String),
}

/// Checks a request as a partner would: any of the space-separated `v1,` signatures must match.
pub fn verify(
    secret: &str,
    id: &str,
    timestamp: i64,
    signatures: &str,
    body: &[u8],
    now: i64,
) -> Result<(), VerifyError> {
    let key = decode_webhook_secret(secret).map_err(VerifyError::Secret)?;
    if (now - timestamp).abs() > TOLERANCE_SECONDS {
        return Err(VerifyError::Stale);
    }
    let expected = sign(&key, id, timestamp, body);
    let expected = expected.as_bytes();
    let matches = signatures
        .split_whitespace()
        .any(|s| s.len() == expected.len() && s.bytes().zip(expected).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0);
    if matches {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of the Standard Webhooks specification.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: i64 = 1614265330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;

    #[test]
    fn matches_the_specification_example() {
        let key = decode_webhook_secret(SECRET).unwrap();
        assert_eq!(sign(&key, ID, TS, BODY), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn verifies_rotated_signatures_and_rejects_tampering() {
        let key = decode_webhook_secret(SECRET).unwrap();
        let good = sign(&key, ID, TS, BODY);
        let header = format!("v1,bm90LXRoZS1zaWduYXR1cmU= {good}");
        assert_eq!(verify(SECRET, ID, TS, &header, BODY, TS + 10), Ok(()));
        assert_eq!(verify(SECRET, ID, TS, &header, b"{}", TS), Err(VerifyError::Mismatch));
        assert_eq!(verify(SECRET, ID, TS, &good, BODY, TS + 600), Err(VerifyError::Stale));
    }
}
