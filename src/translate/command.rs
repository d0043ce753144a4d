//! Any program as a backend: segments go to its standard input as JSON lines
//! (`{"id", "from", "to", "text"}`) and translations come back on its standard output
//! (`{"id", "text"}`), so a newsroom can plug in its own engine without a new release.

use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use super::saas::RequestLimits;
use super::{Backend, TranslateError};
use crate::error::ErrorKind;

pub struct CommandBackend {
    name: String,
    program: Vec<String>,
    pairs: Vec<(String, String)>,
    timeout: Duration,
}

#[derive(Deserialize)]
struct Line {
    id: usize,
    text: String,
}

impl CommandBackend {
    pub fn new(name: &str, program: Vec<String>, pairs: Vec<(String, String)>, timeout: Duration) -> Self {
        CommandBackend { name: name.to_string(), program, pairs, timeout }
    }

    fn error(&self, message: String, kind: ErrorKind) -> TranslateError {
        TranslateError::Backend { backend: self.name.clone(), message, kind, status: None }
    }
}

#[async_trait::async_trait]
impl Backend for CommandBackend {
    fn name(&self) -> &str {
        &self.name
    }

    fn billing(&self) -> super::saas::Billing {
        super::saas::Billing::Free
    }

    fn pairs(&self) -> Vec<(String, String)> {
        self.pairs.clone()
    }

    fn limits(&self) -> RequestLimits {
        RequestLimits { max_segments: 200, max_bytes: 1_000_000 }
    }

    async fn translate(&self, from: &str, to: &str, segments: &[String]) -> Result<Vec<String>, TranslateError> {
        let mut child = Command::new(&self.program[0])
            .args(&self.program[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|err| self.error(format!("cannot run {:?}: {err}", self.program[0]), ErrorKind::Permanent))?;
        let mut input = String::new();
        for (id, text) in segments.iter().enumerate() {
            input.push_str(&json!({"id": id, "from": from, "to": to, "text": text}).to_string());
            input.push('\n');
        }
        let mut stdin = child.stdin.take().expect("piped stdin");
        let writer = tokio::spawn(async move {
            let _ = stdin.write_all(input.as_bytes()).await;
        });
        let output = tokio::time::timeout(self.timeout, child.wait_with_output())
            .await
            .map_err(|_| self.error(format!("no answer within {:?}", self.timeout), ErrorKind::Transient))?
            .map_err(|err| self.error(err.to_string(), ErrorKind::Transient))?;
        let _ = writer.await;
        if !output.status.success() {
            let stderr: String = String::from_utf8_lossy(&output.stderr).chars().take(200).collect();
            return Err(self.error(format!("exited with {}: {}", output.status, stderr.trim()), ErrorKind::Permanent));
        }
        let mut out = vec![None; segments.len()];
        for line in String::from_utf8_lossy(&output.stdout).lines().filter(|l| !l.trim().is_empty()) {
            let parsed: Line = serde_json::from_str(line).map_err(|err| TranslateError::Verification {
                backend: self.name.clone(),
                message: format!(
                    "not a JSON line with id and text ({err}): {:?}",
                    line.chars().take(80).collect::<String>()
                ),
            })?;
            if let Some(slot) = out.get_mut(parsed.id) {
                *slot = Some(parsed.text);
            }
        }
        out.into_iter()
            .enumerate()
            .map(|(i, text)| {
                text.ok_or_else(|| TranslateError::Verification {
                    backend: self.name.clone(),
                    message: format!("no line for segment {i}"),
                })
            })
            .collect()
    }
}
