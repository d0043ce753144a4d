//! Where a desk's state lives: a path is an SQLite file, a `postgres://` URL a shared database.
//! A location prints without its password, wherever it is printed.

use std::fmt;
use std::path::PathBuf;

#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    /// A `postgres://` or `postgresql://` URL, password included when it has one.
    Postgres(String),
}

impl Location {
    pub fn parse(text: &str) -> Location {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Location::Postgres(text.to_string())
        } else {
            Location::Sqlite(PathBuf::from(text))
        }
    }

    pub fn is_shared(&self) -> bool {
        matches!(self, Location::Postgres(_))
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => f.write_str(&without_password(url)),
        }
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Location({self})")
    }
}

/// The URL with its password, and any `password=` query parameter, replaced by `***`.
pub fn without_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
            if pairs.iter().any(|(k, _)| k == "password") {
                let kept =
                    pairs.into_iter().map(|(k, v)| if k == "password" { (k, "***".to_string()) } else { (k, v) });
                parsed.query_pairs_mut().clear().extend_pairs(kept);
            }
            parsed.to_string()
        }
        // Unparsable: keep the scheme only rather than risk printing a secret.
        Err(_) => format!("{}//…", url.split("//").next().unwrap_or("postgres:")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_url_never_prints_its_password() {
        let location = Location::parse("postgres://desk:s3cret@db.internal:5433/newsroom?password=s3cret");
        for shown in [location.to_string(), format!("{location:?}")] {
            assert!(!shown.contains("s3cret"), "{shown}");
            assert!(shown.contains("db.internal:5433/newsroom"), "{shown}");
        }
        assert_eq!(Location::parse("state/desk.sqlite"), Location::Sqlite("state/desk.sqlite".into()));
        assert!(Location::parse("postgresql:///newsroom").is_shared());
    }
}
