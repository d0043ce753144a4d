//! Who is asking, and what they may do on which desk: machines present a bearer token, people a
//! session cookie they got by logging in (an Argon2-checked password). Sessions are kept in the
//! store, by a hash of the cookie's random token, so logging out ends one for good and consoles
//! sharing a store share them. Every state-changing call made with a session carries the
//! session's CSRF token. Refusals are logged without the credential.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use argon2::{Argon2, PasswordHash, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::throttle::Throttle;
use super::App;
use crate::config::{Pipeline, Role, Secret};
use crate::store::{SessionRecord, Store, StoreError};

pub const SESSION_COOKIE: &str = "newswire_session";
/// Holds the login form's CSRF token until there is a session.
pub const LOGIN_COOKIE: &str = "newswire_login";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "csrf";

/// Login attempts per minute for one name from one address: Argon2 makes each one cost, and a
/// guesser gets few; the same name from another address is not held up.
const LOGINS_PER_MINUTE: u32 = 10;
/// Login attempts per minute from one address, whatever the names.
const LOGINS_PER_ADDRESS: u32 = 30;
/// Longer names are no one's (the configuration refuses them) and are cut wherever they are shown.
pub use crate::config::MAX_USER_NAME as MAX_NAME;

pub struct Auth {
    /// Where sessions are kept: the first desk's store.
    sessions: Arc<dyn Store>,
    by_name: Throttle<(IpAddr, String)>,
    by_address: Throttle<IpAddr>,
    /// Checked for a name no one has, so that it costs what a real one costs.
    decoy: String,
    /// Each token and the desks (by index) that list it.
    tokens: Vec<(Secret, Vec<usize>)>,
    /// Each person's entries: desk index, role and password hash.
    users: HashMap<String, Vec<(usize, Role, String)>>,
    ttl: Duration,
}

/// What a caller may do on a desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// See its queue, deliveries, runs and articles.
    Read,
    /// Hand it articles (the CMS API).
    Submit,
    /// Edit and approve translations.
    Review,
    /// Redeliver, recover, enable.
    Operate,
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user's name, or "token" for a machine.
    pub name: String,
    /// Tells callers apart for rate limits: which token, or which person.
    pub key: String,
    pub session: Option<Session>,
    grants: Vec<(usize, Grant)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grant {
    Token,
    Person(Role),
}

/// A person's open session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: String,
    /// The desks the password was checked for, by name.
    pub desks: Vec<String>,
    pub csrf: String,
    /// The store's key for it: a hash of the cookie's token.
    id: String,
}

impl Auth {
    /// Tokens and people from every desk; sessions kept in `sessions`.
    pub fn new(desks: &[Pipeline], sessions: Arc<dyn Store>) -> Auth {
        let mut tokens: Vec<(Secret, Vec<usize>)> = Vec::new();
        let mut users: HashMap<String, Vec<(usize, Role, String)>> = HashMap::new();
        for (index, desk) in desks.iter().enumerate() {
            for token in &desk.serve.tokens {
                match tokens.iter_mut().find(|(t, _)| t == token) {
                    Some((_, desks)) => desks.push(index),
                    None => tokens.push((token.clone(), vec![index])),
                }
            }
            for user in &desk.serve.users {
                users.entry(user.name.clone()).or_default().push((index, user.role, user.password_hash.clone()));
            }
        }
        let ttl = desks.iter().map(|d| d.serve.session_ttl).min().unwrap_or(Duration::from_secs(12 * 3600));
        let decoy = decoy_hash(users.values().flatten().map(|(_, _, hash)| hash.as_str()));
        Auth {
            sessions,
            by_name: Throttle::per_minute(LOGINS_PER_MINUTE),
            by_address: Throttle::per_minute(LOGINS_PER_ADDRESS),
            decoy,
            tokens,
            users,
            ttl,
        }
    }

    fn by_token(&self, presented: &str) -> Option<Caller> {
        let (index, desks) = self
            .tokens
            .iter()
            .enumerate()
            .find(|(_, (token, _))| bool::from(token.expose().as_bytes().ct_eq(presented.as_bytes())))
            .map(|(index, (_, desks))| (index, desks))?;
        let grants = desks.iter().map(|&d| (d, Grant::Token)).collect();
        Some(Caller { name: "token".to_string(), key: format!("token {index}"), session: None, grants })
    }

    /// The open session a cookie's token names.
    async fn session(&self, token: &str) -> Result<Option<Session>, StoreError> {
        let id = session_id(token);
        Ok(self.sessions.session(&id).await?.map(|r| Session { user: r.user, desks: r.desks, csrf: r.csrf, id }))
    }

    fn by_session(&self, session: Session, desk_names: &[String]) -> Option<Caller> {
        let entries = self.users.get(&session.user)?;
        let grants: Vec<(usize, Grant)> = entries
            .iter()
            .filter(|(d, _, _)| session.desks.contains(&desk_names[*d]))
            .map(|(d, role, _)| (*d, Grant::Person(*role)))
            .collect();
        (!grants.is_empty()).then(|| Caller {
            name: session.user.clone(),
            key: format!("user {}", session.user),
            session: Some(session),
            grants,
        })
    }

    /// Checks a password (off the async threads: Argon2 is slow on purpose); the session it opens.
    /// Opens a session for the password's desks; the cookie's token and the session.
    pub async fn login(
        &self,
        client: IpAddr,
        user: &str,
        password: &str,
        desk_names: &[String],
    ) -> Result<(String, Session), LoginRefused> {
        let key = (client, cut(user, MAX_NAME).to_string());
        if let Err(wait) = self.by_address.check(&client).and_then(|()| self.by_name.check(&key)) {
            return Err(LoginRefused::TooMany(wait));
        }
        let desks = self.check_password(user, password, desk_names).await.ok_or(LoginRefused::Wrong)?;
        let token = random_token();
        let record = SessionRecord { user: user.to_string(), desks, csrf: random_token(), expires_at: 0 };
        let id = session_id(&token);
        if let Err(err) = self.sessions.open_session(&id, &record, self.ttl).await {
            tracing::error!(error = %err, "a session could not be opened");
            return Err(LoginRefused::Unavailable);
        }
        Ok((token, Session { user: record.user, desks: record.desks, csrf: record.csrf, id }))
    }

    /// Keys the login limiters hold now (addresses, and names per address).
    pub fn login_keys(&self) -> usize {
        self.by_name.len() + self.by_address.len()
    }

    /// Ends a session for good.
    pub async fn logout(&self, session: &Session) -> Result<(), StoreError> {
        self.sessions.close_session(&session.id).await
    }

    /// The desks (by name) whose entry for the user the password matches. A name no one has
    /// costs one Argon2 run all the same.
    async fn check_password(&self, user: &str, password: &str, desk_names: &[String]) -> Option<Vec<String>> {
        let entries = self.users.get(user).cloned().unwrap_or_default();
        let password = password.to_string();
        let decoy = self.decoy.clone();
        let desks = tokio::task::spawn_blocking(move || {
            if entries.is_empty() {
                let _ = PasswordHash::new(&decoy)
                    .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed));
                return Vec::new();
            }
            let mut checked: HashMap<String, bool> = HashMap::new();
            let mut desks = Vec::new();
            for (desk, _, hash) in entries {
                let ok = *checked.entry(hash.clone()).or_insert_with(|| {
                    PasswordHash::new(&hash)
                        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
                });
                if ok {
                    desks.push(desk);
                }
            }
            desks
        })
        .await
        .ok()?;
        (!desks.is_empty()).then(|| desks.into_iter().map(|d| desk_names[d].clone()).collect())
    }

    /// The session cookie: the token, nothing else.
    pub fn session_cookie(&self, token: String) -> Cookie<'static> {
        let mut cookie = self.cookie(SESSION_COOKIE, token);
        cookie.set_max_age(time::Duration::seconds(self.ttl.as_secs() as i64));
        cookie
    }

    pub fn login_cookie(&self, csrf: String) -> Cookie<'static> {
        let mut cookie = self.cookie(LOGIN_COOKIE, csrf);
        cookie.set_max_age(time::Duration::hours(1));
        cookie
    }

    /// Sent back only to this site, never to scripts, and only over HTTPS (browsers count
    /// loopback as secure, so a console on 127.0.0.1 works without TLS).
    fn cookie(&self, name: &'static str, value: String) -> Cookie<'static> {
        Cookie::build((name, value)).path("/").http_only(true).same_site(SameSite::Strict).secure(true).build()
    }

    /// A cookie that removes one of ours.
    pub fn removal(&self, name: &'static str) -> Cookie<'static> {
        Cookie::build((name, "")).path("/").build()
    }

    /// The CSRF token the request's cookies expect: the session's, else the login form's.
    pub async fn expected_csrf(&self, headers: &HeaderMap) -> Result<Option<String>, StoreError> {
        let jar = CookieJar::from_headers(headers);
        if let Some(cookie) = jar.get(SESSION_COOKIE) {
            if let Some(session) = self.session(cookie.value()).await? {
                return Ok(Some(session.csrf));
            }
        }
        Ok(jar.get(LOGIN_COOKIE).map(|c| c.value().to_string()))
    }
}

/// What the store knows a session by: the cookie's token, hashed.
fn session_id(token: &str) -> String {
    crate::model::hex(&Sha256::digest(token.as_bytes()))
}

/// Why a login failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginRefused {
    /// No such name, or not its password: the page does not say which.
    Wrong,
    /// Too many attempts from this address (for this name) lately; how long to wait.
    TooMany(Duration),
    /// The store does not answer.
    Unavailable,
}

/// An Argon2 hash of a random password, made with the parameters of the first configured hash
/// (what checking a real name costs).
fn decoy_hash<'a>(mut hashes: impl Iterator<Item = &'a str>) -> String {
    use argon2::password_hash::PasswordHasher;
    let params = hashes
        .find_map(|hash| PasswordHash::new(hash).ok().and_then(|parsed| argon2::Params::try_from(&parsed).ok()))
        .unwrap_or_default();
    let argon2 = Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    argon2.hash_password(random_token().as_bytes()).map(|hash| hash.to_string()).unwrap_or_default()
}

/// At most `max` bytes of `text`, cut at a character boundary.
pub fn cut(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// 32 bytes from the operating system's secure generator, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl Caller {
    pub fn may(&self, desk: usize, need: Need) -> bool {
        self.grants.iter().any(|&(d, grant)| {
            d == desk
                && match grant {
                    Grant::Token => matches!(need, Need::Read | Need::Submit),
                    Grant::Person(Role::Editor) => matches!(need, Need::Read | Need::Review),
                    Grant::Person(Role::Staff) => true,
                }
        })
    }

    /// The desks this caller may read, by index.
    pub fn desks(&self) -> Vec<usize> {
        let mut desks: Vec<usize> = self.grants.iter().map(|(d, _)| *d).collect();
        desks.dedup();
        desks
    }

    pub fn role(&self, desk: usize) -> Option<Role> {
        self.grants.iter().find_map(|&(d, g)| match g {
            Grant::Person(role) if d == desk => Some(role),
            _ => None,
        })
    }

    pub fn csrf(&self) -> &str {
        self.session.as_ref().map_or("", |s| s.csrf.as_str())
    }

    /// A refusal unless this caller may do `need` on the desk.
    pub fn require(&self, desk: usize, need: Need, path: &str) -> Result<(), Refused> {
        match self.may(desk, need) {
            true => Ok(()),
            false => Err(self.refuse(need, path)),
        }
    }

    /// This caller may not do `need`: logged, and refused.
    pub fn refuse(&self, need: Need, path: &str) -> Refused {
        tracing::warn!(user = %self.name, path, need = ?need, "refused: not allowed");
        Refused::Forbidden
    }
}

/// Why a request is refused.
#[derive(Debug)]
pub enum Refused {
    /// No valid token or session: 401.
    /// For a page, the path to come back to once logged in.
    Unauthenticated { api: bool, path: String },
    /// Authenticated, but the role may not: 403.
    Forbidden,
    /// A state-changing request without the session's CSRF token: 403.
    Csrf,
    /// The sessions' store does not answer: 503.
    Unavailable,
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::Unauthenticated { api: true, .. } => (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                axum::Json(serde_json::json!({"error": "a valid bearer token or session is needed"})),
            )
                .into_response(),
            Refused::Unauthenticated { api: false, path } => {
                (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], login_prompt(&path)).into_response()
            }
            Refused::Forbidden => {
                (StatusCode::FORBIDDEN, axum::Json(serde_json::json!({"error": "your role may not do this"})))
                    .into_response()
            }
            Refused::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"error": "the console's store does not answer; try again"})),
            )
                .into_response(),
            Refused::Csrf => (
                StatusCode::FORBIDDEN,
                axum::Json(serde_json::json!({"error": "the form's CSRF token is missing or wrong; reload the page"})),
            )
                .into_response(),
        }
    }
}

impl FromRequestParts<Arc<App>> for Caller {
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Caller, Refused> {
        let path = parts.uri.path().to_string();
        let api = path.starts_with("/api/") || path == "/metrics";
        let refuse = |reason: &str| {
            tracing::warn!(method = %parts.method, path = %path, reason, "refused: not authenticated");
            Refused::Unauthenticated { api, path: path.clone() }
        };
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let presented = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
            return match presented.and_then(|token| app.auth.by_token(token)) {
                Some(caller) => Ok(caller),
                None => Err(refuse("unknown bearer token")),
            };
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(cookie) = jar.get(SESSION_COOKIE) else {
            return Err(refuse("no token or session"));
        };
        let session = match app.auth.session(cookie.value()).await {
            Ok(Some(session)) => session,
            Ok(None) => return Err(refuse("session expired or closed")),
            Err(err) => {
                tracing::error!(error = %err, "sessions cannot be read");
                return Err(Refused::Unavailable);
            }
        };
        app.auth.by_session(session, &app.desk_names()).ok_or_else(|| refuse("no desk for this session"))
    }
}

/// Whether a request changes state, and so must carry a CSRF token when made with a session.
pub fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The body of a 401 to a page: where to log in, and back to the page after.
fn login_prompt(path: &str) -> axum::response::Html<String> {
    let next: String = url::form_urlencoded::byte_serialize(safe_next(Some(path)).as_bytes()).collect();
    axum::response::Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Log in · newswire</title>\
         <link rel=\"stylesheet\" href=\"/static/console.css\"></head><body><main><h1>Log in</h1>\
         <p>You need to <a href=\"/login?next={next}\">log in</a> first.</p></main></body></html>"
    ))
}

/// Where to go after logging in: a path of this console, never another site. Anything a
/// browser could read as another host (`//host`, `/\\host`, a tab or newline that it drops, a
/// scheme) gives the home page.
pub(super) fn safe_next(next: Option<&str>) -> String {
    let Some(path) = next else { return "/".to_string() };
    let plain = path.len() <= 2048
        && path.starts_with('/')
        && !path.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\')
        && !path.starts_with("//");
    if !plain {
        return "/".to_string();
    }
    let base = url::Url::parse("http://console.invalid/").expect("a valid base");
    match base.join(path) {
        Ok(joined) if joined.origin() == base.origin() => {
            let query = joined.query().map(|q| format!("?{q}")).unwrap_or_default();
            format!("{}{query}", joined.path())
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(grants: Vec<(usize, Grant)>) -> Caller {
        Caller { name: "x".into(), key: "token 0".into(), session: None, grants }
    }

    #[test]
    fn each_role_may_do_what_it_is_for_on_its_own_desks() {
        let token = caller(vec![(0, Grant::Token)]);
        let editor = caller(vec![(0, Grant::Person(Role::Editor))]);
        let staff = caller(vec![(0, Grant::Person(Role::Staff)), (1, Grant::Person(Role::Editor))]);
        let may = |c: &Caller, desk| [Need::Read, Need::Submit, Need::Review, Need::Operate].map(|n| c.may(desk, n));
        assert_eq!(may(&token, 0), [true, true, false, false]);
        assert_eq!(may(&editor, 0), [true, false, true, false]);
        assert_eq!(may(&staff, 0), [true, true, true, true]);
        assert_eq!(may(&staff, 1), [true, false, true, false]);
        assert_eq!(may(&editor, 1), [false; 4], "no grant on another desk");
    }

    #[test]
    fn a_session_opens_only_with_the_password_and_ends_at_logout() {
        let hash = "$argon2id$v=19$m=19456,t=2,p=1$jQpaNOo+DAS02zsMsebzQA$tC8/kqnFmc/ZOGBBHoMKHzPsdEU3QWq5XGFGMNjZ3Ps";
        let dir = tempfile::tempdir().unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let location = crate::store::Location::Sqlite(dir.path().join("state.sqlite"));
        let store = runtime.block_on(crate::store::open(&location, "web-desk")).unwrap();
        let mut auth = Auth {
            sessions: store,
            by_name: Throttle::per_minute(LOGINS_PER_MINUTE),
            by_address: Throttle::per_minute(LOGINS_PER_ADDRESS),
            decoy: decoy_hash([hash].into_iter()),
            tokens: Vec::new(),
            users: HashMap::new(),
            ttl: Duration::from_secs(60),
        };
        auth.users.insert("ana".into(), vec![(0, Role::Editor, hash.into())]);
        let desks = vec!["web-desk".to_string()];
        let here: IpAddr = "192.0.2.1".parse().unwrap();
        let login = |user: &str, password: &str| runtime.block_on(auth.login(here, user, password, &desks));
        assert_eq!(login("ana", "wrong horse").unwrap_err(), LoginRefused::Wrong);
        assert_eq!(login("bob", "correct horse battery").unwrap_err(), LoginRefused::Wrong);
        let (token, session) = login("ana", "correct horse battery").unwrap();
        assert_eq!(session.desks, desks);
        assert_ne!(session.csrf, token, "the CSRF token is not the session's");
        assert_ne!(session.id, token, "the store keeps a hash, not the token");
        let found = runtime.block_on(auth.session(&token)).unwrap().expect("open");
        assert!(auth.by_session(found.clone(), &desks).is_some_and(|c| c.may(0, Need::Review)));
        runtime.block_on(auth.logout(&found)).unwrap();
        assert!(runtime.block_on(auth.session(&token)).unwrap().is_none(), "closed for good");
        for _ in 2..LOGINS_PER_MINUTE {
            assert_eq!(login("ana", "guess").unwrap_err(), LoginRefused::Wrong);
        }
        assert!(matches!(login("ana", "correct horse battery"), Err(LoginRefused::TooMany(_))), "even the password");
        assert!(login("sam", "guess").is_err_and(|e| e == LoginRefused::Wrong), "another name is not held up");
        let elsewhere: IpAddr = "198.51.100.7".parse().unwrap();
        assert!(
            runtime.block_on(auth.login(elsewhere, "ana", "correct horse battery", &desks)).is_ok(),
            "nor another address"
        );
        assert!(
            auth.decoy.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "the decoy costs what ana costs: {}",
            auth.decoy
        );
    }

    #[test]
    fn after_logging_in_only_a_path_of_this_console() {
        assert_eq!(safe_next(Some("/desks/web-desk/review?x=1")), "/desks/web-desk/review?x=1");
        for elsewhere in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "evil",
            "",
            "/\t/evil.example/",
            "/\n/evil.example/",
            "/%09/evil.example/x\r",
            " //evil.example",
            "/ /evil.example",
            "\u{0}/x",
        ] {
            assert_eq!(safe_next(Some(elsewhere)), "/", "{elsewhere}");
        }
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some("/desks/a/../b?q=1#top")), "/desks/b?q=1", "normalised, no fragment");
        assert_eq!(safe_next(Some("/%2F%2Fevil.example")), "/%2F%2Fevil.example", "encoded slashes stay a path");
    }
}
