//! Real helpers for the integration tests, all on 127.0.0.1: an aiosmtpd SMTP server, an HTTP
//! receiver that verifies Standard Webhooks signatures, and temporary desks.

pub mod browser;
pub mod console;
pub mod postgres;

use std::io::BufRead;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use wiremock::{Request, Respond, ResponseTemplate};

pub fn project_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn examples_dir() -> PathBuf {
    project_dir().join("examples/articles")
}

pub fn fixture(name: &str) -> PathBuf {
    project_dir().join("tests/fixtures").join(name)
}

/// `count` Spanish stories in `dir/pages`, each with its own URL, headline and paragraphs (no
/// two share a segment to translate).
pub fn spanish_stories(dir: &Path, count: usize) -> PathBuf {
    let pages = dir.join("pages");
    std::fs::create_dir(&pages).unwrap();
    let template = std::fs::read_to_string(examples_dir().join("es-valencia-port.html")).unwrap();
    for i in 0..count {
        let page = template
            .replace(
                "https://levante.example/economia/puerto-record",
                &format!("https://levante.example/economia/nota-{i}"),
            )
            .replace("bate su récord", &format!("bate su récord número {i}"))
            .replace("</p>", &format!(" (nota {i})</p>"))
            .replace("</blockquote>", &format!(" (nota {i})</blockquote>"));
        std::fs::write(pages.join(format!("nota-{i:03}.html")), page).unwrap();
    }
    pages
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// An aiosmtpd server writing each accepted message into a folder.
pub struct SmtpServer {
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: Child,
}

impl SmtpServer {
    pub fn start(reject: &[&str]) -> SmtpServer {
        Self::start_with(reject, 0)
    }

    /// A server whose first `tempfail` recipients get 451.
    pub fn start_with(reject: &[&str], tempfail: usize) -> SmtpServer {
        Self::spawn(reject, tempfail, &[])
    }

    /// A server that requires STARTTLS with this certificate and key, then a login.
    pub fn start_tls(cert: &Path, key: &Path, login: &str) -> SmtpServer {
        let tls =
            ["--tls".to_string(), cert.display().to_string(), key.display().to_string(), "--auth".into(), login.into()];
        Self::spawn(&[], 0, &tls)
    }

    fn spawn(reject: &[&str], tempfail: usize, extra: &[String]) -> SmtpServer {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let script = project_dir().join("tests/it/support/smtp_server.py");
        let mut command = Command::new("/usr/bin/python3");
        command.arg(&script).arg(port.to_string()).arg(dir.path());
        if !reject.is_empty() {
            command.arg("--reject").args(reject);
        }
        command.arg("--tempfail").arg(tempfail.to_string()).args(extra);
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 with aiosmtpd (make test installs it)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP server did not start");
        SmtpServer { port, dir, child }
    }

    /// The raw messages received so far.
    pub fn messages(&self) -> Vec<String> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub const WEBHOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// A webhook receiver's answer: 204 when the signature verifies, 401 otherwise. It keeps what
/// it saw so the test can look at ids, bodies and verdicts.
#[derive(Clone, Default)]
pub struct VerifyingReceiver {
    pub seen: Arc<Mutex<Vec<Received>>>,
}

#[derive(Clone, Debug)]
pub struct Received {
    pub id: String,
    pub body: serde_json::Value,
    pub verified: bool,
}

impl Respond for VerifyingReceiver {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let header = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let id = header("webhook-id");
        let timestamp: i64 = header("webhook-timestamp").parse().unwrap_or(0);
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        let verified = newswire::syndicate::sign::verify(
            WEBHOOK_SECRET,
            &id,
            timestamp,
            &header("webhook-signature"),
            &request.body,
            now,
        )
        .is_ok();
        let body = serde_json::from_slice(&request.body).unwrap_or(serde_json::Value::Null);
        self.seen.lock().unwrap().push(Received { id, body, verified });
        ResponseTemplate::new(if verified { 204 } else { 401 })
    }
}

/// Writes a pipeline file into `dir` and returns its path.
pub fn write_pipeline(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("desk.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A desk (pipeline file) for a test: `Desk::new("name").state(..).languages(..).partner(..)`,
/// written with `write(dir)`. Tables the builder has no method for go in with `table`.
#[derive(Default)]
pub struct Desk {
    name: String,
    top: Vec<String>,
    source: Vec<String>,
    languages: Option<Vec<String>>,
    tables: Vec<String>,
    partners: Vec<Partner>,
}

/// One `[[partners]]` entry.
pub struct Partner {
    lines: Vec<String>,
}

fn toml_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("{i:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

impl Desk {
    pub fn new(name: &str) -> Self {
        Desk { name: name.to_string(), ..Desk::default() }
    }

    /// The state file (translation memory, delivery log).
    pub fn state(mut self, path: &Path) -> Self {
        self.top.push(format!("state = {:?}", path.display().to_string()));
        self
    }

    pub fn paths(mut self, paths: &[&Path]) -> Self {
        let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        self.source.push(format!("paths = {}", toml_list(&paths)));
        self
    }

    pub fn urls(mut self, urls: &[&str]) -> Self {
        self.source.push(format!("urls = {}", toml_list(urls)));
        self
    }

    pub fn feeds(mut self, feeds: &[&str]) -> Self {
        self.source.push(format!("feeds = {}", toml_list(feeds)));
        self
    }

    /// `[detect] languages`.
    pub fn languages(mut self, languages: &[&str]) -> Self {
        self.languages = Some(languages.iter().map(|l| l.to_string()).collect());
        self
    }

    /// A whole table, written as given: `[delivery]\nmax_wait = "0s"`.
    pub fn table(mut self, toml: &str) -> Self {
        self.tables.push(toml.trim().to_string());
        self
    }

    /// `[email]` sending through an SMTP server on 127.0.0.1.
    pub fn smtp(self, port: u16) -> Self {
        self.table(&format!("[email]\nsmtp_url = \"smtp://127.0.0.1:{port}\"\nfrom = \"desk@newswire.example\""))
    }

    pub fn partner(mut self, partner: Partner) -> Self {
        self.partners.push(partner);
        self
    }

    pub fn text(&self) -> String {
        let mut out = format!("name = {:?}\n", self.name);
        for line in &self.top {
            out.push_str(line);
            out.push('\n');
        }
        if !self.source.is_empty() {
            out.push_str("[source]\n");
            for line in &self.source {
                out.push_str(line);
                out.push('\n');
            }
        }
        if let Some(languages) = &self.languages {
            let languages: Vec<&str> = languages.iter().map(String::as_str).collect();
            out.push_str(&format!("[detect]\nlanguages = {}\n", toml_list(&languages)));
        }
        for table in &self.tables {
            out.push_str(table);
            out.push('\n');
        }
        for partner in &self.partners {
            out.push_str("[[partners]]\n");
            for line in &partner.lines {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    /// Writes `desk.toml` into `dir`.
    pub fn write(&self, dir: &Path) -> PathBuf {
        write_pipeline(dir, &self.text())
    }
}

impl Partner {
    pub fn of(name: &str, channel: &str, languages: &[&str]) -> Self {
        let lines = vec![
            format!("name = {name:?}"),
            format!("channel = {channel:?}"),
            format!("languages = {}", toml_list(languages)),
        ];
        Partner { lines }
    }

    /// A webhook partner signing with [`WEBHOOK_SECRET`].
    pub fn webhook(name: &str, languages: &[&str], url: &str) -> Self {
        Partner::of(name, "webhook", languages)
            .with(&format!("url = {url:?}"))
            .with(&format!("secret = {WEBHOOK_SECRET:?}"))
    }

    pub fn email(name: &str, languages: &[&str], to: &[&str]) -> Self {
        Partner::of(name, "email", languages).with(&format!("to = {}", toml_list(to)))
    }

    pub fn directory(name: &str, languages: &[&str], path: &Path) -> Self {
        Partner::of(name, "directory", languages).with(&format!("path = {:?}", path.display().to_string()))
    }

    /// Another key of the partner, written as given: `timeout = "500ms"`.
    pub fn with(mut self, line: &str) -> Self {
        self.lines.push(line.to_string());
        self
    }
}

/// `newswire run PIPELINE --input INPUT --json`, ready for more arguments or environment.
pub fn run_json_on(pipeline: &Path, input: &Path) -> assert_cmd::Command {
    let mut cmd = newswire();
    cmd.arg("run").arg(pipeline).arg("--input").arg(input).arg("--json");
    cmd
}

/// `run --json` on one page (with `more` arguments), which must end with exit 0: its report, and
/// the summary it printed.
pub fn report_of(pipeline: &Path, input: &Path, more: &[&str]) -> (serde_json::Value, String) {
    let output = run_json_on(pipeline, input).args(more).output().unwrap();
    let summary = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(0), "{summary}");
    (serde_json::from_slice(&output.stdout).expect("stdout is one JSON report"), summary)
}

pub fn newswire() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("newswire").unwrap();
    cmd.env_remove("NEWSWIRE_LOG");
    cmd
}

/// Every file under a folder, relative paths sorted.
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// A small certificate authority and a leaf for localhost, as rustls wants them (a bare
/// self-signed certificate is refused): returns (ca.pem, leaf.pem, leaf.key).
pub fn test_certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let status =
            Command::new("openssl").args(args).current_dir(dir).stderr(Stdio::null()).status().expect("openssl");
        assert!(status.success(), "openssl {args:?}");
    };
    std::fs::write(
        dir.join("leaf.ext"),
        "basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n",
    )
    .unwrap();
    run(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=newswire test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    run(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "leaf.key",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=localhost",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "2",
        "-extfile",
        "leaf.ext",
    ]);
    (dir.join("ca.pem"), dir.join("leaf.pem"), dir.join("leaf.key"))
}

/// A header of a raw email, unfolded, with RFC 2047 encoded words (`=?utf-8?b?...?=` and
/// `=?utf-8?q?...?=`) decoded.
pub fn email_header(raw: &str, name: &str) -> Option<String> {
    use base64::Engine;
    let prefix = format!("{}:", name.to_ascii_lowercase());
    let mut lines = raw.lines().skip_while(|l| !l.to_ascii_lowercase().starts_with(&prefix));
    let mut value = lines.next()?[prefix.len()..].trim().to_string();
    for line in lines.take_while(|l| l.starts_with([' ', '\t'])) {
        value.push(' ');
        value.push_str(line.trim());
    }
    let mut out = String::new();
    let mut rest = value.as_str();
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let between = &rest[..start];
        if !(after_word && between.trim().is_empty()) {
            out.push_str(between);
        }
        let word = &rest[start + 2..];
        let parts: Vec<&str> = word.splitn(3, '?').collect();
        let end = parts.get(2).and_then(|p| p.find("?=")).expect("a closed encoded word");
        let (encoding, data) = (parts[1], &parts[2][..end]);
        let bytes = if encoding.eq_ignore_ascii_case("b") {
            base64::engine::general_purpose::STANDARD.decode(data).unwrap()
        } else {
            let mut bytes = Vec::new();
            let mut chars = data.bytes();
            while let Some(b) = chars.next() {
                match b {
                    b'_' => bytes.push(b' '),
                    b'=' => {
                        let hex = [chars.next().unwrap(), chars.next().unwrap()];
                        bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).unwrap(), 16).unwrap());
                    }
                    other => bytes.push(other),
                }
            }
            bytes
        };
        out.push_str(&String::from_utf8(bytes).unwrap());
        rest = &parts[2][end + 2..];
        after_word = true;
    }
    out.push_str(rest);
    Some(out)
}
