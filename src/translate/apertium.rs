//! Apertium, the offline default: one long-lived null-flush pipeline per language pair (start-up
//! costs 0.2–0.5 s, a warm request about 15 ms), HTML deformatted around it so markup survives,
//! unknown-word marks removed by the generator (`-n`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::Mutex;

use super::{Backend, TranslateError};
use crate::error::ErrorKind;
use crate::languages;

pub const SYSTEM_MODES: &str = "/usr/share/apertium/modes";

/// Debian's rus-ukr tagger crashes and the pair then answers nothing; constraint grammar replaces it.
const BROKEN_TAGGER_PAIRS: &[&str] = &["rus-ukr", "ukr-rus"];

pub struct Apertium {
    name: String,
    /// Mode files by pair, ISO 639-1 codes.
    modes: HashMap<(String, String), PathBuf>,
    timeout: Duration,
    pipes: Mutex<HashMap<(String, String), PipeSlot>>,
}

/// A pair's pipeline, started on first use and restarted after a failure.
type PipeSlot = Arc<Mutex<Option<Pipe>>>;

struct Pipe {
    child: Child,
    stdin: ChildStdin,
    stdout: ChildStdout,
}

impl Apertium {
    pub fn new(name: &str, modes_dir: Option<PathBuf>, timeout: Duration) -> Self {
        let mut modes = HashMap::new();
        for dir in [Some(PathBuf::from(SYSTEM_MODES)), modes_dir].into_iter().flatten() {
            for (pair, path) in list_modes(&dir) {
                modes.insert(pair, path);
            }
        }
        Apertium { name: name.to_string(), modes, timeout, pipes: Mutex::new(HashMap::new()) }
    }

    fn error(&self, message: impl Into<String>, kind: ErrorKind) -> TranslateError {
        TranslateError::Backend { backend: self.name.clone(), message: message.into(), kind, status: None }
    }

    async fn pipe_for(&self, from: &str, to: &str) -> PipeSlot {
        let mut pipes = self.pipes.lock().await;
        pipes.entry((from.to_string(), to.to_string())).or_default().clone()
    }

    async fn start(&self, mode: &Path) -> Result<Pipe, TranslateError> {
        let mode = usable_mode(mode).map_err(|e| self.error(e, ErrorKind::Permanent))?;
        let output = Command::new("apertium-wblank-mode").arg("-z").arg(&mode).output().await.map_err(|err| {
            self.error(format!("cannot run apertium-wblank-mode (is apertium installed?): {err}"), ErrorKind::Permanent)
        })?;
        if !output.status.success() {
            return Err(self.error(
                format!("apertium-wblank-mode failed: {}", String::from_utf8_lossy(&output.stderr).trim()),
                ErrorKind::Permanent,
            ));
        }
        let pipeline = String::from_utf8_lossy(&output.stdout).trim().to_string();
        let mut child = Command::new("bash")
            .arg("-c")
            .arg(&pipeline)
            .args(["apertium", "-n", ""])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|err| self.error(format!("cannot start the Apertium pipeline: {err}"), ErrorKind::Permanent))?;
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        Ok(Pipe { child, stdin, stdout })
    }

    /// Sends deformatted text through the pair's pipeline and reads up to the NUL that ends the answer.
    async fn through_pipe(&self, from: &str, to: &str, mode: &Path, input: &[u8]) -> Result<Vec<u8>, TranslateError> {
        let slot = self.pipe_for(from, to).await;
        let mut guard = slot.lock().await;
        if guard.as_mut().is_none_or(|p| p.child.try_wait().ok().flatten().is_some()) {
            *guard = Some(self.start(mode).await?);
        }
        let pipe = guard.as_mut().expect("pipe just started");
        let exchange = async {
            pipe.stdin.write_all(input).await?;
            pipe.stdin.write_all(b"\0").await?;
            pipe.stdin.flush().await?;
            let mut out = Vec::new();
            let mut buf = [0u8; 16 * 1024];
            loop {
                let n = pipe.stdout.read(&mut buf).await?;
                if n == 0 {
                    return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the pipeline exited"));
                }
                out.extend_from_slice(&buf[..n]);
                if out.last() == Some(&0) {
                    out.pop();
                    return Ok(out);
                }
            }
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(Ok(out)) => Ok(out),
            Ok(Err(err)) => {
                *guard = None;
                Err(self.error(format!("{from}→{to} pipeline failed: {err}"), ErrorKind::Transient))
            }
            Err(_) => {
                *guard = None;
                Err(self.error(
                    format!("{from}→{to} pipeline did not answer within {:?}", self.timeout),
                    ErrorKind::Transient,
                ))
            }
        }
    }
}

#[async_trait::async_trait]
impl Backend for Apertium {
    fn name(&self) -> &str {
        &self.name
    }

    fn billing(&self) -> super::saas::Billing {
        super::saas::Billing::Free
    }

    fn rule_based(&self) -> bool {
        true
    }

    fn pairs(&self) -> Vec<(String, String)> {
        let mut pairs: Vec<_> = self.modes.keys().cloned().collect();
        pairs.sort();
        pairs
    }

    fn supports(&self, from: &str, to: &str) -> bool {
        self.modes.contains_key(&(from.to_string(), to.to_string()))
    }

    async fn translate(&self, from: &str, to: &str, segments: &[String]) -> Result<Vec<String>, TranslateError> {
        let mode = self
            .modes
            .get(&(from.to_string(), to.to_string()))
            .ok_or_else(|| TranslateError::Unsupported { from: from.to_string(), to: to.to_string() })?
            .clone();
        let mut html = String::new();
        for (i, segment) in segments.iter().enumerate() {
            html.push_str(&format!("<p id=\"nw{i}\">{segment}</p>\n"));
        }
        let deformatted =
            run_filter("apertium-deshtml", html.as_bytes()).await.map_err(|e| self.error(e, ErrorKind::Permanent))?;
        let translated = self.through_pipe(from, to, &mode, &deformatted).await?;
        let reformatted =
            run_filter("apertium-rehtml", &translated).await.map_err(|e| self.error(e, ErrorKind::Permanent))?;
        let out = String::from_utf8_lossy(&reformatted);
        split_segments(&out, segments.len()).ok_or_else(|| {
            let excerpt: String = out.chars().take(200).collect();
            TranslateError::Verification {
                backend: self.name.clone(),
                message: format!("segment markers lost in {excerpt:?}"),
            }
        })
    }
}

/// Runs a short filter program (deformatter or reformatter) over some bytes.
async fn run_filter(program: &str, input: &[u8]) -> Result<Vec<u8>, String> {
    let mut child = Command::new(program)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|err| format!("cannot run {program} (is apertium installed?): {err}"))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = input.to_vec();
    let writer = tokio::spawn(async move {
        let _ = stdin.write_all(&input).await;
    });
    let output = child.wait_with_output().await.map_err(|err| format!("{program} failed: {err}"))?;
    let _ = writer.await;
    if !output.status.success() {
        return Err(format!("{program} exited with {}", output.status));
    }
    Ok(output.stdout)
}

/// Splits `<p id="nwN">…</p>` segments back out of the reformatted HTML.
pub(super) fn split_segments(html: &str, count: usize) -> Option<Vec<String>> {
    let mut out = Vec::with_capacity(count);
    let mut rest = html;
    for i in 0..count {
        let open = format!("<p id=\"nw{i}\">");
        let start = rest.find(&open)? + open.len();
        let next = format!("<p id=\"nw{}\">", i + 1);
        let end = if i + 1 < count { rest[start..].find(&next)? + start } else { rest.len() };
        let segment = rest[start..end].trim_end();
        let segment = segment.strip_suffix("</p>")?;
        out.push(segment.trim().to_string());
        rest = &rest[end..];
    }
    Some(out)
}

/// The mode files of a folder, by ISO 639-1 pair: `eng-spa.mode` → (en, es), and older pairs
/// named in two letters, `fr-es.mode` → (fr, es). Variants such as `spa-eng_US` are skipped.
fn list_modes(dir: &Path) -> Vec<((String, String), PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let path = entry.path();
            let stem = path.file_name()?.to_str()?.strip_suffix(".mode")?;
            let (from, to) = stem.split_once('-')?;
            let code = |c: &str| languages::by_code3(c).or_else(|| languages::by_code(c)).map(|l| l.code.to_string());
            let (from, to) = (code(from)?, code(to)?);
            Some(((from, to), path))
        })
        .collect()
}

/// The mode file to run: Debian's, or a repaired copy for pairs whose tagger crashes.
fn usable_mode(mode: &Path) -> Result<PathBuf, String> {
    let stem = mode.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if !BROKEN_TAGGER_PAIRS.contains(&stem) {
        return Ok(mode.to_path_buf());
    }
    let text = std::fs::read_to_string(mode).map_err(|err| format!("cannot read {}: {err}", mode.display()))?;
    let Some(fixed) = replace_tagger(&text, stem) else {
        return Ok(mode.to_path_buf());
    };
    let dir = std::env::temp_dir().join("newswire-apertium-modes");
    std::fs::create_dir_all(&dir).map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    let path = dir.join(format!("{stem}.mode"));
    // Written beside and renamed, so concurrent runs never read half a file.
    let partial = dir.join(format!("{stem}.mode.{}", std::process::id()));
    std::fs::write(&partial, fixed).map_err(|err| format!("cannot write {}: {err}", partial.display()))?;
    std::fs::rename(&partial, &path).map_err(|err| format!("cannot write {}: {err}", path.display()))?;
    Ok(path)
}

/// Replaces `apertium-tagger -g $2 '<prob>'` with the pair's constraint grammar.
fn replace_tagger(mode: &str, pair: &str) -> Option<String> {
    let start = mode.find("apertium-tagger -g $2 '")?;
    let quote = start + "apertium-tagger -g $2 '".len();
    let end = mode[quote..].find('\'')? + quote + 1;
    let package = mode[..start].rsplit_once("/usr/share/apertium/")?.1.split('/').next()?.to_string();
    let cg = format!("cg-proc -w -1 -n /usr/share/apertium/{package}/{pair}.rlx.bin");
    Some(format!("{}{}{}", &mode[..start], cg, &mode[end..]).replace("lt-proc $1 ", "lt-proc -n "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_files_name_pairs_in_three_letters_or_two() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["eng-spa.mode", "fr-es.mode", "eco-fr-es.mode", "spa-eng_US.mode", "README"] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let mut pairs: Vec<(String, String)> = list_modes(dir.path()).into_iter().map(|(pair, _)| pair).collect();
        pairs.sort();
        assert_eq!(pairs, [("en".to_string(), "es".to_string()), ("fr".to_string(), "es".to_string())]);
    }

    #[test]
    fn segments_split_back_in_order() {
        let html = "<p id=\"nw0\">Hola</p>\n<p id=\"nw1\">El <b>coche</b></p>\n";
        assert_eq!(split_segments(html, 2).unwrap(), ["Hola", "El <b>coche</b>"]);
        assert!(split_segments("<p id=\"nw0\">Hola</p>", 2).is_none());
    }

    #[test]
    fn the_broken_tagger_is_replaced() {
        let mode = "lt-proc -w '/usr/share/apertium/apertium-rus-ukr/rus-ukr.automorf.bin' | apertium-tagger -g $2 '/usr/share/apertium/apertium-rus-ukr/rus-ukr.prob' | lt-proc $1 '/x/rus-ukr.autogen.bin'";
        let fixed = replace_tagger(mode, "rus-ukr").unwrap();
        assert!(fixed.contains("cg-proc -w -1 -n /usr/share/apertium/apertium-rus-ukr/rus-ukr.rlx.bin |"), "{fixed}");
        assert!(fixed.contains("lt-proc -n '/x/rus-ukr.autogen.bin'"));
        assert!(!fixed.contains("apertium-tagger"));
    }
}
