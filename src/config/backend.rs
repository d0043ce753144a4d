//! `[backends.NAME]` tables: which engine, where it is, its credentials and its limits.

use std::path::PathBuf;
use std::time::Duration;

use toml::Spanned;

use super::raw::RawBackend;
use super::{parse_duration, Budget, Price, Secret, Validator};
use crate::languages;

#[derive(Debug, Clone)]
pub struct BackendConfig {
    pub kind: BackendKind,
    pub limits: BackendLimits,
    /// Languages the engine serves, replacing the kind's default list (ISO 639-1).
    pub languages: Option<Vec<String>>,
    /// Pairs the engine serves (`command`, `apertium-apy`); `None` means discover or any.
    pub pairs: Option<Vec<(String, String)>>,
    pub price: Price,
    /// The most it may be sent a day and a month.
    pub budget: Budget,
}

#[derive(Debug, Clone)]
pub struct BackendLimits {
    /// Requests in flight at most.
    pub concurrency: usize,
    /// At most `count` requests per `period`.
    pub rate_limit: Option<(u32, Duration)>,
    pub timeout: Duration,
    /// Retries after a transient failure.
    pub retries: usize,
}

#[derive(Debug, Clone)]
pub enum BackendKind {
    Apertium { modes_dir: Option<PathBuf> },
    ApertiumApy { url: url::Url },
    LibreTranslate { url: url::Url, api_key: Option<Secret> },
    Deepl { url: Option<url::Url>, api_key: Secret, formality: Option<String>, glossary_id: Option<String> },
    Google { url: Option<url::Url>, api_key: Secret },
    Azure { url: Option<url::Url>, api_key: Secret, region: Option<String> },
    OpenAi { url: Option<url::Url>, api_key: Option<Secret>, model: String },
    Command { program: Vec<String> },
}

pub const KINDS: &[&str] =
    &["apertium", "apertium-apy", "libretranslate", "deepl", "google", "azure", "openai", "command"];

impl BackendKind {
    pub fn name(&self) -> &'static str {
        match self {
            BackendKind::Apertium { .. } => "apertium",
            BackendKind::ApertiumApy { .. } => "apertium-apy",
            BackendKind::LibreTranslate { .. } => "libretranslate",
            BackendKind::Deepl { .. } => "deepl",
            BackendKind::Google { .. } => "google",
            BackendKind::Azure { .. } => "azure",
            BackendKind::OpenAi { .. } => "openai",
            BackendKind::Command { .. } => "command",
        }
    }

    /// A sensible number of requests in flight for each kind.
    fn default_concurrency(kind: &str) -> usize {
        match kind {
            "apertium" | "command" => 1,
            "apertium-apy" | "libretranslate" | "openai" => 2,
            _ => 4,
        }
    }
}

impl BackendConfig {
    pub fn apertium_default() -> Self {
        BackendConfig {
            kind: BackendKind::Apertium { modes_dir: None },
            limits: BackendLimits { concurrency: 1, rate_limit: None, timeout: Duration::from_secs(60), retries: 1 },
            languages: None,
            pairs: None,
            price: Price::Free,
            budget: Budget::default(),
        }
    }
}

/// "5/s", "300/min", "1000/h".
pub fn parse_rate(text: &str) -> Result<(u32, Duration), String> {
    let (count, per) =
        text.split_once('/').ok_or_else(|| format!("{text:?} is not a rate like \"5/s\" or \"300/min\""))?;
    let count: u32 = count.trim().parse().map_err(|_| format!("{text:?}: the count must be a whole number"))?;
    let period = match per.trim() {
        "s" | "sec" | "second" => Duration::from_secs(1),
        "m" | "min" | "minute" => Duration::from_secs(60),
        "h" | "hour" => Duration::from_secs(3600),
        other => parse_duration(other)?,
    };
    if count == 0 {
        return Err(format!("{text:?}: the count must be at least 1"));
    }
    Ok((count, period))
}

impl Validator<'_> {
    pub(super) fn backend(&mut self, name: &str, backend: &Spanned<RawBackend>) -> Option<BackendConfig> {
        let raw = backend.get_ref();
        let kind_name = raw.kind.get_ref().as_str();
        if !KINDS.contains(&kind_name) {
            self.problem(&raw.kind, format!("unknown backend kind {kind_name:?} (known: {})", KINDS.join(", ")));
            return None;
        }
        let default_timeout = if matches!(kind_name, "openai") { 120 } else { 60 };
        let limits = BackendLimits {
            concurrency: raw.concurrency.as_ref().map_or(BackendKind::default_concurrency(kind_name), |c| *c.get_ref()),
            rate_limit: raw.rate_limit.as_ref().and_then(|r| match parse_rate(r.get_ref()) {
                Ok(rate) => Some(rate),
                Err(message) => {
                    self.problem(r, message);
                    None
                }
            }),
            timeout: self.duration(&raw.timeout, Duration::from_secs(default_timeout)),
            retries: raw.retries.as_ref().map_or(4, |r| *r.get_ref()),
        };
        let languages = raw.languages.as_ref().map(|l| l.iter().filter_map(|c| self.language(c, false)).collect());
        let pairs = raw.pairs.as_ref().map(|pairs| pairs.iter().filter_map(|p| self.pair(p)).collect());
        let url = |v: &mut Self| -> Option<url::Url> {
            let text = raw.url.as_ref().and_then(|u| v.expanded(u))?;
            match url::Url::parse(&text) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => Some(u),
                _ => {
                    v.problem(raw.url.as_ref().expect("present"), format!("{text:?} is not an http(s) URL"));
                    None
                }
            }
        };
        let secret = |v: &mut Self, required: bool| -> Option<Secret> {
            match &raw.api_key {
                Some(key) => v.expanded(key).map(Secret::new),
                None if required => {
                    v.problem(
                        backend,
                        format!(
                            "backend {name:?} ({kind_name}) needs `api_key`, e.g. \"${{{}_KEY}}\"",
                            kind_name.to_ascii_uppercase()
                        ),
                    );
                    None
                }
                None => None,
            }
        };
        let kind = match kind_name {
            "apertium" => BackendKind::Apertium {
                modes_dir: raw.modes_dir.as_ref().and_then(|d| self.expanded(d)).map(PathBuf::from),
            },
            "apertium-apy" | "libretranslate" => {
                let Some(url) = url(self) else {
                    if raw.url.is_none() {
                        self.problem(backend, format!("backend {name:?} ({kind_name}) needs `url`"));
                    }
                    return None;
                };
                if kind_name == "apertium-apy" {
                    BackendKind::ApertiumApy { url }
                } else {
                    BackendKind::LibreTranslate { url, api_key: secret(self, false) }
                }
            }
            "deepl" => BackendKind::Deepl {
                url: url(self),
                api_key: secret(self, true)?,
                formality: raw.formality.as_ref().map(|f| f.get_ref().clone()),
                glossary_id: raw.glossary_id.as_ref().and_then(|g| self.expanded(g)),
            },
            "google" => BackendKind::Google { url: url(self), api_key: secret(self, true)? },
            "azure" => BackendKind::Azure {
                url: url(self),
                api_key: secret(self, true)?,
                region: raw.region.as_ref().and_then(|r| self.expanded(r)),
            },
            "openai" => {
                let Some(model) = raw.model.as_ref().map(|m| m.get_ref().clone()) else {
                    self.problem(backend, format!("backend {name:?} (openai) needs `model`"));
                    return None;
                };
                BackendKind::OpenAi { url: url(self), api_key: secret(self, false), model }
            }
            "command" => {
                let program: Vec<String> = raw
                    .command
                    .as_ref()
                    .map(|c| c.iter().filter_map(|p| self.expanded(p)).collect())
                    .unwrap_or_default();
                if program.is_empty() {
                    self.problem(
                        backend,
                        format!("backend {name:?} (command) needs `command = [\"program\", \"arg\"...]`"),
                    );
                    return None;
                }
                if raw.pairs.is_none() {
                    self.problem(backend, format!("backend {name:?} (command) needs `pairs`, e.g. [\"en-es\"]"));
                }
                BackendKind::Command { program }
            }
            _ => unreachable!("kinds checked above"),
        };
        let price = match &raw.price {
            None => Price::of_kind(&kind),
            Some(text) => Price::parse(text.get_ref()).unwrap_or_else(|message| {
                self.problem(text, message);
                Price::Free
            }),
        };
        let budget = self.budget(&raw.daily_budget, &raw.monthly_budget);
        if let (Some(spent), Some(priced)) = (budget.currency(), price.currency()) {
            if spent != priced {
                let at = raw.daily_budget.as_ref().or(raw.monthly_budget.as_ref()).expect("a budget was given");
                self.problem(
                    at,
                    format!("backend {name:?} is priced in {priced}: its budget must be too, not {spent}"),
                );
            }
        }
        Some(BackendConfig { kind, limits, languages, pairs, price, budget })
    }

    fn pair(&mut self, value: &Spanned<String>) -> Option<(String, String)> {
        let text = value.get_ref();
        let parsed = text.split_once(['-', '>']).and_then(|(from, to)| {
            let from = languages::by_code(from.trim())?.code.to_string();
            let to = languages::by_code(to.trim().trim_start_matches('>'))?.code.to_string();
            Some((from, to))
        });
        if parsed.is_none() {
            self.problem(value, format!("{text:?} is not a pair of supported languages like \"en-es\""));
        }
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates() {
        assert_eq!(parse_rate("5/s").unwrap(), (5, Duration::from_secs(1)));
        assert_eq!(parse_rate("300/min").unwrap(), (300, Duration::from_secs(60)));
        assert!(parse_rate("fast").is_err());
        assert!(parse_rate("0/s").is_err());
    }
}
