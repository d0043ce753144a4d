//! What every error in newswire says about itself: whether the same request may succeed later.
//! Retries (of a backend request, of a delivery) and fallbacks (to the next backend) decide on it.

/// Transient: a timeout, a refused connection, a 429 or 5xx, an SMTP 4xx: worth another try.
/// Permanent: bad credentials, an exhausted quota, a request the other side refuses, an SMTP 5xx.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorKind {
    Transient,
    Permanent,
}

impl ErrorKind {
    pub fn is_transient(self) -> bool {
        self == ErrorKind::Transient
    }
}
