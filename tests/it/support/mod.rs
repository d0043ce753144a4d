//! Real helpers for the integration tests, all on 127.0.0.1: an aiosmtpd SMTP server, an HTTP
//! receiver that verifies Standard Webhooks signatures, and temporary desks.

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
