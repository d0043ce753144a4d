//! `newswire hash-password`: an Argon2id PHC string for a `[[serve.users]]` entry, from a password
//! read on standard input, so that it never shows in the shell's history or the process list.

use std::io::BufRead;

use anyhow::{Context, Result};
use argon2::password_hash::PasswordHasher;
use argon2::Argon2;

use super::ExitStatus;

/// Passwords shorter than this are refused.
const MIN_CHARS: usize = 10;

pub fn hash_password() -> Result<ExitStatus> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\n', '\r']);
    if password.chars().count() < MIN_CHARS {
        eprintln!("error: the password must have at least {MIN_CHARS} characters");
        return Ok(ExitStatus::Unusable);
    }
    let hash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|err| anyhow::anyhow!("cannot hash the password: {err}"))?;
    println!("{hash}");
    Ok(ExitStatus::Success)
}
