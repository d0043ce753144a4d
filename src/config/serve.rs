//! `[serve]` validated: the tokens machines present, the people who may log in and what each may
//! do, and how the console signs what it hands out.

use std::time::Duration;

use ipnet::IpNet;
use toml::Spanned;

use super::raw::{RawServe, RawUser};
use super::{Problem, Validator};
use crate::secret::{expand, Secret};

/// The longest user name, in bytes.
pub const MAX_USER_NAME: usize = 128;

/// Request bodies above this are refused unless the desk says otherwise.
pub const DEFAULT_MAX_BODY: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub tokens: Vec<Secret>,
    pub users: Vec<User>,
    pub callback_secret: Option<Secret>,
    pub session_ttl: Duration,
    pub max_body: usize,
    /// Opened to the URLs the API is given (loopback, private, ... are closed by default).
    pub allow_networks: Vec<IpNet>,
    /// When not empty, the only hosts those URLs may name.
    pub allow_hosts: Vec<String>,
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpNet>,
    /// Articles one token or person may submit per minute.
    pub submissions_per_minute: u32,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            tokens: Vec::new(),
            users: Vec::new(),
            callback_secret: None,
            session_ttl: Duration::from_secs(12 * 3600),
            max_body: DEFAULT_MAX_BODY,
            allow_networks: Vec::new(),
            allow_hosts: Vec::new(),
            trusted_proxies: Vec::new(),
            submissions_per_minute: 600,
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub name: String,
    pub role: Role,
    /// An Argon2 PHC string.
    pub password_hash: String,
}

/// What a person may do in the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reviews translations.
    Editor,
    /// Also redelivers, recovers and enables partners.
    Staff,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Editor => "editor",
            Role::Staff => "staff",
        }
    }
}

impl Validator<'_> {
    pub(super) fn serve(&mut self, raw: &Option<RawServe>) -> ServeConfig {
        let mut serve = ServeConfig::default();
        let Some(raw) = raw else { return serve };
        for token in &raw.tokens {
            if let Some(secret) = self.secret(token, "a token") {
                if secret.expose().len() < 16 {
                    self.problem(token, "a token must be at least 16 characters");
                }
                serve.tokens.push(secret);
            }
        }
        for raw_user in &raw.users {
            if let Some(user) = self.user(raw_user) {
                if serve.users.iter().any(|u| u.name == user.name) {
                    self.problem(&raw_user.get_ref().name, format!("user {:?} is defined twice", user.name));
                }
                serve.users.push(user);
            }
        }
        serve.callback_secret = raw.callback_secret.as_ref().and_then(|s| self.secret(s, "the callback secret"));
        if let (Some(secret), Some(at)) = (&serve.callback_secret, &raw.callback_secret) {
            if let Err(message) = crate::secret::decode_webhook_secret(secret.expose()) {
                self.problem(at, message);
            }
        }
        serve.session_ttl = self.duration(&raw.session_ttl, serve.session_ttl);
        if let Some(max) = &raw.max_body {
            serve.max_body = *max.get_ref();
        }
        serve.allow_networks = raw.allow_networks.iter().filter_map(|n| self.network(n)).collect();
        serve.trusted_proxies = raw.trusted_proxies.iter().filter_map(|n| self.network(n)).collect();
        if let Some(rate) = &raw.submissions_per_minute {
            match *rate.get_ref() {
                0 => self.problem(rate, "submissions_per_minute must be at least 1"),
                rate => serve.submissions_per_minute = rate,
            }
        }
        for host in &raw.allow_hosts {
            let name = host.get_ref().trim();
            let bare = name.strip_prefix("*.").unwrap_or(name);
            if bare.is_empty() || url::Host::parse(bare).is_err() || bare.contains('*') {
                self.problem(host, format!("{name:?} is not a host name (\"cms.example\" or \"*.example\")"));
            } else {
                serve.allow_hosts.push(name.to_string());
            }
        }
        serve
    }

    /// A CIDR ("10.1.0.0/16"), or one address.
    fn network(&mut self, value: &Spanned<String>) -> Option<IpNet> {
        let text = value.get_ref().trim();
        let parsed = text.parse::<IpNet>().ok().or_else(|| text.parse::<std::net::IpAddr>().ok().map(IpNet::from));
        if parsed.is_none() {
            self.problem(value, format!("{text:?} is not a network (\"10.1.0.0/16\") or an address"));
        }
        parsed
    }

    /// A secret value: expanded, and a warning when it is written in the file itself.
    fn secret(&mut self, value: &Spanned<String>, what: &str) -> Option<Secret> {
        if !value.get_ref().contains("${") {
            self.problems.push(
                Problem::at(
                    self.file,
                    self.text,
                    Some(value.span()),
                    format!("{what} is written in the file; give it from the environment (\"${{VAR}}\")"),
                )
                .warning(),
            );
        }
        match expand(value.get_ref()) {
            Ok(v) => Some(Secret::new(v)),
            Err(message) => {
                self.problem(value, message);
                None
            }
        }
    }

    fn user(&mut self, raw: &Spanned<RawUser>) -> Option<User> {
        let user = raw.get_ref();
        let name = user.name.get_ref().trim().to_string();
        if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            self.problem(&user.name, "a user name must be one word");
            return None;
        }
        if name.len() > MAX_USER_NAME {
            self.problem(&user.name, format!("a user name has at most {MAX_USER_NAME} bytes"));
            return None;
        }
        let role = match user.role.get_ref().as_str() {
            "editor" => Role::Editor,
            "staff" => Role::Staff,
            other => {
                self.problem(&user.role, format!("role {other:?} is not editor or staff"));
                return None;
            }
        };
        let hash = expand(user.password_hash.get_ref()).unwrap_or_else(|_| user.password_hash.get_ref().clone());
        if let Err(err) = argon2::PasswordHash::new(&hash) {
            self.problem(
                &user.password_hash,
                format!("user {name:?}: the password hash is not a PHC string ({err}); make one with `newswire hash-password`"),
            );
            return None;
        }
        Some(User { name, role, password_hash: hash })
    }
}
