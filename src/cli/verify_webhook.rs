//! `newswire verify-webhook`: checks a request's Standard Webhooks signature, as a partner would.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result};

use super::ExitStatus;
use newswire::syndicate::sign;

pub fn verify(secret: &str, id: &str, timestamp: i64, signature: &str, body: Option<&Path>) -> Result<ExitStatus> {
    let body = match body {
        Some(path) => std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?,
        None => {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf)?;
            buf
        }
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    match sign::verify(secret, id, timestamp, signature, &body, now) {
        Ok(()) => {
            println!("valid: signature matches webhook-id {id}");
            Ok(ExitStatus::Success)
        }
        Err(err) => {
            println!("invalid: {err}");
            Ok(ExitStatus::Failures)
        }
    }
}
