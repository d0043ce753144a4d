//! `newswire serve` as a test runs it: the real binary on a free loopback port, its log kept in a
//! file, stopped with SIGTERM; and a person's session, logged in through the form.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::free_port;

pub const TOKEN: &str = "cms-token-7f3a9c0e5b2d4f61";
pub const PASSWORD: &str = "correct horse battery staple";
/// Signs the callbacks; the receivers in the tests check it.
pub const CALLBACK_SECRET: &str = super::WEBHOOK_SECRET;

/// An Argon2 hash of [`PASSWORD`], made by `newswire hash-password`.
pub fn password_hash() -> String {
    let output = super::newswire().arg("hash-password").write_stdin(format!("{PASSWORD}\n")).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

/// The `[serve]` tables: the CMS token and the callback secret from the environment, an editor
/// (ana) and a staff member (sam); loopback opened to the URLs the API is given, since the tests'
/// pages and CMS live there.
pub fn serve_tables() -> String {
    serve_tables_opening(&["127.0.0.1/32"])
}

/// The same, opening only `networks` (none: the default policy).
pub fn serve_tables_opening(networks: &[&str]) -> String {
    let hash = password_hash();
    let networks: Vec<String> = networks.iter().map(|n| format!("{n:?}")).collect();
    format!(
        "[serve]\ntokens = [\"${{CMS_TOKEN}}\"]\ncallback_secret = \"${{CALLBACK_SECRET}}\"\n\
         allow_networks = [{}]\n\n\
         [[serve.users]]\nname = \"ana\"\nrole = \"editor\"\npassword_hash = \"{hash}\"\n\n\
         [[serve.users]]\nname = \"sam\"\nrole = \"staff\"\npassword_hash = \"{hash}\"\n",
        networks.join(", ")
    )
}

pub struct Console {
    child: Child,
    pub base: String,
    log: PathBuf,
}

impl Console {
    /// Starts the console on the desks and waits until it answers (on another port when another
    /// test took the one it was given first).
    pub fn start(pipelines: &[&Path], dir: &Path) -> Console {
        Console::start_with(pipelines, dir, &[])
    }

    /// The same, with more environment (a store URL, say).
    pub fn start_with(pipelines: &[&Path], dir: &Path, env: &[(&str, &str)]) -> Console {
        for _ in 0..5 {
            let port = free_port();
            let log = dir.join(format!("console-{port}.log"));
            let mut command = Command::new(assert_cmd::cargo::cargo_bin("newswire"));
            command
                .arg("serve")
                .args(pipelines)
                .arg("--listen")
                .arg(format!("127.0.0.1:{port}"))
                .env("CMS_TOKEN", TOKEN)
                .env("CALLBACK_SECRET", CALLBACK_SECRET)
                .env("NEWSWIRE_LOG", "info")
                .envs(env.iter().copied())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).unwrap());
            let child = command.spawn().unwrap();
            let mut console = Console { child, base: format!("http://127.0.0.1:{port}"), log };
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                if console.child.try_wait().unwrap().is_some() {
                    let log = console.log();
                    assert!(log.contains("cannot listen"), "the console stopped:\n{log}");
                    break;
                }
                if console.log().contains("console listening") {
                    return console;
                }
                assert!(Instant::now() < deadline, "the console did not start:\n{}", console.log());
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        panic!("no free port for the console after five tries");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Everything the console logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM, then its exit once what was in flight is done.
    pub fn stop(mut self) -> ExitStatus {
        Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the console did not stop:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A person logged in: the session cookie and the CSRF token the pages carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// A client that follows no redirect, so that each answer can be looked at.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The `name=value` of a `Set-Cookie` header named `name`.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_string()
}

/// The value of a hidden `csrf` field (or the page's csrf meta tag).
pub fn csrf_in(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .map(|i| i + 19)
        .or_else(|| html.find("name=\"csrf-token\" content=\"").map(|i| i + 27));
    let rest = &html[at.expect("the page carries a CSRF token")..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// Logs in through the form, as a browser would.
pub async fn login(console: &Console, user: &str, password: &str) -> Result<Session, reqwest::StatusCode> {
    let client = client();
    let form = client.get(console.url("/login")).send().await.unwrap();
    let login_cookie = cookie_pair(&set_cookie(&form, "newswire_login").expect("the form sets its cookie"));
    let csrf = csrf_in(&form.text().await.unwrap());
    let answer = client
        .post(console.url("/login"))
        .header("cookie", login_cookie)
        .form(&[("csrf", csrf.as_str()), ("username", user), ("password", password), ("next", "/")])
        .send()
        .await
        .unwrap();
    if answer.status() != reqwest::StatusCode::SEE_OTHER {
        return Err(answer.status());
    }
    let session = set_cookie(&answer, "newswire_session").expect("a session cookie");
    for flag in ["HttpOnly", "SameSite=Strict", "Secure"] {
        assert!(session.contains(flag), "{flag} in {session}");
    }
    let cookie = cookie_pair(&session);
    let home = client.get(console.url("/")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(home.status(), 200);
    let csrf = csrf_in(&home.text().await.unwrap());
    Ok(Session { cookie, csrf })
}
