//! Pipeline files (desks): parsed into raw serde types, then validated into the types the rest of
//! the program uses. Every problem names the file, line and column.

mod backend;
mod duration;
mod partner;
mod price;
mod problem;
mod raw;
mod serve;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::Mailbox;
use toml::Spanned;

pub use crate::secret::{expand, Secret};
pub use backend::{parse_rate, BackendConfig, BackendKind, BackendLimits};
pub use duration::parse_duration;
pub use partner::{ChannelConfig, Partner, PayloadFormat};
pub use price::{Amount, Budget, Price};
pub use problem::{line_column, ConfigError, Problem, Severity};
use raw::RawPipeline;
pub use serve::{Role, ServeConfig, User, DEFAULT_MAX_BODY, MAX_USER_NAME};

use crate::languages;
use crate::model::{Content, Voice};
pub use crate::quality::{Flag, ReviewMode, ReviewPolicy};

pub const DEFAULT_MAX_BYTES: u64 = 10_000_000;

/// A pipeline file that has passed validation.
#[derive(Debug, Clone)]
pub struct Pipeline {
    pub name: String,
    pub file: PathBuf,
    /// An SQLite file or a PostgreSQL URL.
    pub state: crate::store::Location,
    pub templates: Option<PathBuf>,
    pub source: SourceConfig,
    pub detect: DetectConfig,
    /// Backend names in the order they are tried.
    pub translate_chain: Vec<String>,
    /// What happens to quotations and paragraphs in another language than the article's.
    pub foreign_text: ForeignText,
    /// `[translate] escalate`: flags that send a segment on, alone, to the next backend of the
    /// chain that serves the pair (none by default).
    pub escalate: Vec<Flag>,
    /// `[translate] pivot`: bridge languages, in order, for a pair no backend serves (uk→es as
    /// uk→en→es); `["en"]` unless the file says otherwise, `[]` for none.
    pub pivot: Vec<String>,
    /// `[budget]`: the most the desk may spend on its backends, a day and a month.
    pub budget: Budget,
    pub glossary: Glossary,
    pub delivery: DeliveryConfig,
    pub work: WorkConfig,
    pub backends: BTreeMap<String, BackendConfig>,
    pub email: Option<EmailConfig>,
    pub partners: Vec<Partner>,
    /// The desk's review gate; a partner may have its own.
    pub review: ReviewPolicy,
    /// Who may use the desk's console and API.
    pub serve: ServeConfig,
}

/// One translation the desk makes of each article: a language, in a cut and a voice.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Target {
    pub language: String,
    pub content: Content,
    pub voice: Voice,
}

#[derive(Debug, Clone)]
pub struct SourceConfig {
    pub paths: Vec<String>,
    pub urls: Vec<String>,
    pub feeds: Vec<String>,
    pub max_bytes: u64,
    pub timeout: Duration,
}

impl Default for SourceConfig {
    fn default() -> Self {
        SourceConfig {
            paths: Vec::new(),
            urls: Vec::new(),
            feeds: Vec::new(),
            max_bytes: DEFAULT_MAX_BYTES,
            timeout: Duration::from_secs(20),
        }
    }
}

#[derive(Debug, Clone)]
pub struct DetectConfig {
    /// ISO 639-1 codes the desk handles.
    pub languages: Vec<String>,
    pub min_confidence: f64,
}

impl Default for DetectConfig {
    fn default() -> Self {
        DetectConfig { languages: languages::supported_codes(), min_confidence: 0.5 }
    }
}

/// `[work]`: how workers that share the desk's store claim its pages.
#[derive(Debug, Clone)]
pub struct WorkConfig {
    /// A claim on a page lasts this long unless its worker renews it (every third of it).
    pub lease: Duration,
    /// How often `newswire work` looks for work when there was none.
    pub poll: Duration,
}

impl Default for WorkConfig {
    fn default() -> Self {
        WorkConfig { lease: Duration::from_secs(30), poll: Duration::from_secs(1) }
    }
}

/// `[delivery]`: how long a send may take, when failures are retried, when a partner is disabled.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    pub timeout: Duration,
    /// Waits before each retry (±20% jitter); after the last, a delivery has failed.
    pub retry_schedule: Vec<Duration>,
    /// Retries falling due within this much of a run are made by the run.
    pub max_wait: Duration,
    pub disable_after: Duration,
    pub staff_email: Option<Mailbox>,
    /// Nothing is delivered before this time (Unix seconds); an article may carry its own.
    pub embargo: Option<i64>,
    /// A partner that did not answer this many times in a row in a run gets no more attempts in
    /// it; its copies wait for `deliver --due`. 0: never.
    pub circuit_breaker: u32,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        let schedule = ["5s", "5m", "30m", "2h", "5h", "10h", "10h"];
        DeliveryConfig {
            timeout: Duration::from_secs(30),
            retry_schedule: schedule.iter().map(|d| parse_duration(d).expect("valid defaults")).collect(),
            max_wait: Duration::from_secs(120),
            disable_after: Duration::from_secs(5 * 86400),
            staff_email: None,
            embargo: None,
            circuit_breaker: 3,
        }
    }
}

/// `[glossary]`: terms never translated, and fixed translations per pair.
#[derive(Debug, Clone, Default)]
pub struct Glossary {
    pub keep: Vec<String>,
    pub terms: BTreeMap<(String, String), Vec<(String, String)>>,
}

impl Glossary {
    /// This glossary with `own`'s terms added, and put first where both translate a term.
    pub fn overlaid(&self, own: &Glossary) -> Glossary {
        let mut merged = self.clone();
        merged.keep.extend(own.keep.iter().filter(|k| !self.keep.contains(k)).cloned());
        for (pair, terms) in &own.terms {
            let entry = merged.terms.entry(pair.clone()).or_default();
            entry.retain(|(source, _)| !terms.iter().any(|(s, _)| s == source));
            entry.extend(terms.iter().cloned());
        }
        merged
    }

    /// The glossary a voice is made with: the desk's, or with its partner's own terms over it.
    pub fn of_voice(&self, voice: &Voice, partners: &[Partner]) -> Glossary {
        let own = voice.glossary.as_ref().and_then(|name| partners.iter().find(|p| &p.name == name));
        match own.and_then(|p| p.glossary.as_ref()) {
            Some(own) => self.overlaid(own),
            None => self.clone(),
        }
    }

    /// (source term, replacement) pairs for a pair, longest term first.
    pub fn for_pair(&self, from: &str, to: &str) -> Vec<(String, String)> {
        let mut terms: Vec<(String, String)> = self.keep.iter().map(|k| (k.clone(), k.clone())).collect();
        if let Some(pair_terms) = self.terms.get(&(from.to_string(), to.to_string())) {
            terms.extend(pair_terms.iter().cloned());
        }
        terms.sort_by_key(|(source, _)| std::cmp::Reverse(source.len()));
        terms
    }
}

/// `[translate] foreign_quotes`: text marked in another language is kept as it is (the default:
/// a quotation stays in the words that were said) or translated from its own language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ForeignText {
    #[default]
    Keep,
    Translate,
}

#[derive(Debug, Clone)]
pub struct EmailConfig {
    /// smtp:// (STARTTLS required, or when offered on a loopback host; `?tls=required`,
    /// `?tls=opportunistic` or `?tls=none` say otherwise), smtps://, or file://DIR.
    pub smtp_url: Secret,
    pub from: Mailbox,
    pub timeout: Duration,
    pub tls_ca: Option<PathBuf>,
    pub dkim: Option<DkimConfig>,
}

/// DKIM signing of outgoing mail.
#[derive(Debug, Clone)]
pub struct DkimConfig {
    /// The private key: RSA PKCS#1 PEM.
    pub key: Secret,
    pub selector: String,
    pub domain: String,
}

impl Pipeline {
    /// Reads and validates a pipeline file. Warnings are returned beside the pipeline.
    pub fn load(file: &Path) -> Result<(Pipeline, Vec<Problem>), ConfigError> {
        let text = std::fs::read_to_string(file).map_err(|err| ConfigError {
            problems: vec![Problem::at(file, "", None, format!("cannot read the pipeline file: {err}"))],
        })?;
        Self::parse(file, &text)
    }

    pub fn parse(file: &Path, text: &str) -> Result<(Pipeline, Vec<Problem>), ConfigError> {
        let raw: RawPipeline = toml::from_str(text).map_err(|err| ConfigError {
            problems: vec![Problem::at(file, text, err.span(), err.message().trim().to_string())],
        })?;
        let mut validator = Validator { file, text, problems: Vec::new() };
        let pipeline = validator.pipeline(raw);
        let (errors, warnings): (Vec<_>, Vec<_>) =
            validator.problems.into_iter().partition(|p| p.severity == Severity::Error);
        if errors.is_empty() {
            Ok((pipeline, warnings))
        } else {
            Err(ConfigError { problems: errors.into_iter().chain(warnings).collect() })
        }
    }

    /// Languages some partner reviews before it receives them (`*`: every target).
    pub fn reviewed_languages(&self) -> Vec<String> {
        let mut languages: Vec<String> = Vec::new();
        for partner in self.partners.iter().filter(|p| p.review.mode != ReviewMode::Never) {
            match partner.wants_everything() {
                true => languages.extend(self.target_languages()),
                false => languages.extend(partner.languages.iter().cloned()),
            }
        }
        languages.sort();
        languages.dedup();
        languages
    }

    /// Every language some partner asked for by name.
    /// What the translate stage makes: each language partners want, in each cut and register
    /// they take. A partner that takes every language takes its cut of each.
    pub fn targets(&self) -> Vec<Target> {
        let languages = self.target_languages();
        let mut targets: Vec<Target> = self
            .partners
            .iter()
            .flat_map(|p| {
                let wanted = if p.wants_everything() { languages.clone() } else { p.languages.clone() };
                wanted.into_iter().filter(|l| l != "*").map(move |language| Target {
                    language,
                    content: p.content,
                    voice: p.voice.clone(),
                })
            })
            .collect();
        targets.sort();
        targets.dedup();
        targets
    }

    pub fn target_languages(&self) -> Vec<String> {
        let mut targets: Vec<String> =
            self.partners.iter().flat_map(|p| p.languages.iter()).filter(|l| *l != "*").cloned().collect();
        targets.sort();
        targets.dedup();
        targets
    }
}

struct Validator<'a> {
    file: &'a Path,
    text: &'a str,
    problems: Vec<Problem>,
}

impl Validator<'_> {
    fn problem<T>(&mut self, value: &Spanned<T>, message: impl Into<String>) {
        self.problems.push(Problem::at(self.file, self.text, Some(value.span()), message));
    }

    /// The value with `${VAR}` expanded, or a problem at its position.
    fn expanded(&mut self, value: &Spanned<String>) -> Option<String> {
        match expand(value.get_ref()) {
            Ok(v) => Some(v),
            Err(message) => {
                self.problem(value, message);
                None
            }
        }
    }

    /// A budget's two amounts, in one currency.
    fn budget(&mut self, daily: &Option<Spanned<String>>, monthly: &Option<Spanned<String>>) -> Budget {
        let mut amount = |value: &Option<Spanned<String>>| {
            let value = value.as_ref()?;
            Amount::parse(value.get_ref()).map_err(|message| self.problem(value, message)).ok()
        };
        let budget = Budget { daily: amount(daily), monthly: amount(monthly) };
        if let (Some(d), Some(m), Some(at)) = (&budget.daily, &budget.monthly, monthly) {
            if d.currency != m.currency {
                self.problem(at, format!("a budget in one currency: {} a day, {} a month", d.currency, m.currency));
            }
        }
        budget
    }

    fn duration(&mut self, value: &Option<Spanned<String>>, default: Duration) -> Duration {
        let Some(value) = value else { return default };
        match parse_duration(value.get_ref()) {
            Ok(d) => d,
            Err(message) => {
                self.problem(value, message);
                default
            }
        }
    }

    fn language(&mut self, code: &Spanned<String>, allow_star: bool) -> Option<String> {
        let c = code.get_ref().trim().to_ascii_lowercase();
        if (allow_star && c == "*") || languages::by_code(&c).is_some() {
            return Some(c);
        }
        let supported = languages::supported_codes().join(" ");
        self.problem(code, format!("unknown or unsupported language {:?} (supported: {supported})", code.get_ref()));
        None
    }

    fn pipeline(&mut self, raw: RawPipeline) -> Pipeline {
        let dir = self.file.parent().unwrap_or(Path::new("."));
        let name = raw.name.get_ref().trim().to_string();
        if name.is_empty() {
            self.problem(&raw.name, "`name` must not be empty");
        }
        let state = match &raw.state {
            Some(s) => crate::store::Location::parse(&self.expanded(s).unwrap_or_default()),
            None => crate::store::Location::Sqlite(dir.join("newswire-state.sqlite")),
        };
        let templates = raw.templates.as_ref().and_then(|t| self.expanded(t)).map(PathBuf::from);

        let mut source = SourceConfig::default();
        for (from, into) in [
            (&raw.source.paths, &mut source.paths),
            (&raw.source.urls, &mut source.urls),
            (&raw.source.feeds, &mut source.feeds),
        ] {
            for value in from {
                if let Some(v) = self.expanded(value) {
                    into.push(v);
                }
            }
        }
        for url in raw.source.urls.iter().chain(&raw.source.feeds) {
            if let Err(err) = url::Url::parse(url.get_ref()) {
                self.problem(url, format!("{:?} is not a URL: {err}", url.get_ref()));
            }
        }
        if let Some(max) = &raw.source.max_bytes {
            source.max_bytes = *max.get_ref();
        }
        source.timeout = self.duration(&raw.source.timeout, source.timeout);

        let mut detect = DetectConfig::default();
        if let Some(raw_detect) = &raw.detect {
            let langs: Vec<String> =
                raw_detect.languages.get_ref().iter().filter_map(|c| self.language(c, false)).collect();
            if raw_detect.languages.get_ref().is_empty() {
                self.problem(&raw_detect.languages, "`detect.languages` must list at least one language");
            }
            detect.languages = langs;
            if let Some(min) = &raw_detect.min_confidence {
                if !(0.0..=1.0).contains(min.get_ref()) {
                    self.problem(min, "`min_confidence` must be between 0 and 1");
                }
                detect.min_confidence = *min.get_ref();
            }
        }

        let mut backends = BTreeMap::new();
        for (name, backend) in &raw.backends {
            if let Some(config) = self.backend(name, backend) {
                backends.insert(name.clone(), config);
            }
        }
        let translate_chain = match &raw.translate {
            Some(t) => {
                let chain = t.backend.get_ref().to_vec();
                for name in &chain {
                    if !raw.backends.contains_key(name) {
                        let known: Vec<&str> = raw.backends.keys().map(String::as_str).collect();
                        self.problem(
                            &t.backend,
                            format!("backend {name:?} has no [backends.{name}] table (defined: {})", known.join(", ")),
                        );
                    }
                }
                chain
            }
            None if backends.is_empty() => {
                backends.insert("apertium".to_string(), BackendConfig::apertium_default());
                vec!["apertium".to_string()]
            }
            None => backends.keys().cloned().collect(),
        };

        let foreign_text = match raw.translate.as_ref().and_then(|t| t.foreign_quotes.as_ref()) {
            None => ForeignText::Keep,
            Some(value) => match value.get_ref().as_str() {
                "keep" => ForeignText::Keep,
                "translate" => ForeignText::Translate,
                other => {
                    self.problem(value, format!("`foreign_quotes` must be \"keep\" or \"translate\", not {other:?}"));
                    ForeignText::Keep
                }
            },
        };

        let mut escalate = Vec::new();
        for name in raw.translate.as_ref().and_then(|t| t.escalate.as_ref()).into_iter().flatten() {
            match self.flag(name) {
                Some(flag) if !escalate.contains(&flag) => escalate.push(flag),
                _ => {}
            }
        }
        if !escalate.is_empty() && translate_chain.len() < 2 {
            if let Some(first) = raw.translate.as_ref().and_then(|t| t.escalate.as_ref()).and_then(|e| e.first()) {
                self.problem(
                    first,
                    "`escalate` needs a chain of two backends or more (`backend = [\"first\", \"next\"]`)".to_string(),
                );
            }
        }

        let pivot = match raw.translate.as_ref().and_then(|t| t.pivot.as_ref()) {
            None => vec!["en".to_string()],
            Some(bridges) => {
                let mut pivot: Vec<String> = Vec::new();
                for code in bridges {
                    match self.language(code, false) {
                        Some(code) if !pivot.contains(&code) => pivot.push(code),
                        _ => {}
                    }
                }
                pivot
            }
        };

        let glossary = raw.glossary.as_ref().map(|g| self.glossary(g)).unwrap_or_default();

        let mut work = WorkConfig::default();
        if let Some(raw_work) = &raw.work {
            work.lease = self.duration(&raw_work.lease, work.lease).max(Duration::from_secs(1));
            work.poll = self.duration(&raw_work.poll, work.poll);
        }
        let mut delivery = DeliveryConfig::default();
        if let Some(raw_delivery) = &raw.delivery {
            delivery.timeout = self.duration(&raw_delivery.timeout, delivery.timeout);
            if let Some(schedule) = &raw_delivery.retry_schedule {
                delivery.retry_schedule =
                    schedule.iter().map(|d| self.duration(&Some(d.clone()), Duration::ZERO)).collect();
            }
            delivery.max_wait = self.duration(&raw_delivery.max_wait, delivery.max_wait);
            delivery.disable_after = self.duration(&raw_delivery.disable_after, delivery.disable_after);
            if let Some(breaker) = &raw_delivery.circuit_breaker {
                delivery.circuit_breaker = *breaker.get_ref();
            }
            delivery.staff_email = raw_delivery.staff_email.as_ref().and_then(|m| self.mailbox(m));
            if let Some(embargo) = &raw_delivery.embargo {
                match time::OffsetDateTime::parse(embargo.get_ref(), &time::format_description::well_known::Rfc3339) {
                    Ok(t) => delivery.embargo = Some(t.unix_timestamp()),
                    Err(_) => self.problem(embargo, format!("embargo {:?} is not an RFC 3339 time", embargo.get_ref())),
                }
            }
            if delivery.staff_email.is_some() && raw.email.is_none() {
                let at = raw_delivery.staff_email.as_ref().expect("present");
                self.problem(at, "`staff_email` needs an [email] table to send from");
            }
        }

        let email = raw.email.as_ref().and_then(|e| {
            let smtp_url = self.expanded(&e.smtp_url)?;
            if let Err(message) = check_smtp_url(&smtp_url) {
                self.problem(&e.smtp_url, message);
            }
            let from = self.mailbox(&e.from)?;
            let timeout = self.duration(&e.timeout, Duration::from_secs(30));
            let tls_ca = e.tls_ca.as_ref().and_then(|c| self.expanded(c)).map(PathBuf::from);
            if let (Some(path), Some(at)) = (&tls_ca, &e.tls_ca) {
                if !path.is_file() {
                    self.problem(at, format!("tls_ca {} is not a file", path.display()));
                }
            }
            let dkim = match (&e.dkim_key, &e.dkim_selector, &e.dkim_domain) {
                (None, None, None) => None,
                (Some(key), Some(selector), Some(domain)) => {
                    let path = self.expanded(key).map(PathBuf::from)?;
                    match std::fs::read_to_string(&path) {
                        Ok(pem) => Some(DkimConfig {
                            key: Secret::new(pem),
                            selector: selector.get_ref().clone(),
                            domain: domain.get_ref().clone(),
                        }),
                        Err(err) => {
                            self.problem(key, format!("dkim_key {}: {err}", path.display()));
                            None
                        }
                    }
                }
                _ => {
                    self.problem(&e.smtp_url, "DKIM needs dkim_key, dkim_selector and dkim_domain together");
                    None
                }
            };
            Some(EmailConfig { smtp_url: Secret::new(smtp_url), from, timeout, tls_ca, dkim })
        });

        let review = self.review(&raw.review, &raw.review_flags, &ReviewPolicy::default());
        let serve = self.serve(&raw.serve);
        let mut partners: Vec<Partner> = Vec::new();
        for partner in &raw.partners {
            if let Some(p) = self.partner(partner, raw.email.is_some(), delivery.timeout, &review, &backends) {
                if partners.iter().any(|other| other.name == p.name) {
                    self.problem(&partner.get_ref().name, format!("partner {:?} is defined twice", p.name));
                }
                partners.push(p);
            }
        }

        let budget = match &raw.budget {
            None => Budget::default(),
            Some(budget) => self.budget(&budget.daily, &budget.monthly),
        };
        if let Some(spent) = budget.currency() {
            let priced = backends.iter().filter_map(|(name, b)| b.price.currency().map(|c| (name, c)));
            if let Some((name, priced)) = priced.clone().find(|(_, c)| *c != spent) {
                let at = raw.budget.as_ref().and_then(|b| b.daily.as_ref().or(b.monthly.as_ref())).expect("given");
                self.problem(
                    at,
                    format!("the desk's budget is in {spent}, but backend {name:?} is priced in {priced}"),
                );
            }
        }

        Pipeline {
            name,
            file: self.file.to_path_buf(),
            state,
            templates,
            source,
            detect,
            translate_chain,
            foreign_text,
            escalate,
            pivot,
            budget,
            glossary,
            delivery,
            work,
            backends,
            email,
            partners,
            review,
            serve,
        }
    }

    /// A review gate: what the file says, the rest from `inherited`.
    fn review(
        &mut self,
        mode: &Option<Spanned<String>>,
        flags: &Option<Vec<Spanned<String>>>,
        inherited: &ReviewPolicy,
    ) -> ReviewPolicy {
        let mut policy = inherited.clone();
        if let Some(mode) = mode {
            policy.mode = match mode.get_ref().as_str() {
                "never" => ReviewMode::Never,
                "flagged" => ReviewMode::Flagged,
                "always" => ReviewMode::Always,
                other => {
                    self.problem(mode, format!("review {other:?} is not never, flagged or always"));
                    inherited.mode
                }
            };
        }
        if let Some(flags) = flags {
            policy.flags = Vec::new();
            for flag in flags {
                if let Some(f) = self.flag(flag) {
                    policy.flags.push(f);
                }
            }
        }
        policy
    }

    /// A flag by its name; an unknown name is a problem.
    fn flag(&mut self, name: &Spanned<String>) -> Option<Flag> {
        let flag = Flag::parse(name.get_ref());
        if flag.is_none() {
            let known: Vec<&str> = crate::quality::ALL.iter().map(|f| f.as_str()).collect();
            self.problem(name, format!("unknown flag {:?} (known: {})", name.get_ref(), known.join(", ")));
        }
        flag
    }

    fn mailbox(&mut self, value: &Spanned<String>) -> Option<Mailbox> {
        let text = self.expanded(value)?;
        match text.parse::<Mailbox>() {
            Ok(m) => Some(m),
            Err(err) => {
                self.problem(value, format!("{text:?} is not an email address: {err}"));
                None
            }
        }
    }
}

impl Validator<'_> {
    fn glossary(&mut self, raw: &raw::RawGlossary) -> Glossary {
        let mut glossary = Glossary::default();
        for term in &raw.keep {
            if term.get_ref().trim().is_empty() {
                self.problem(term, "an empty term");
            } else {
                glossary.keep.push(term.get_ref().trim().to_string());
            }
        }
        for (pair, terms) in &raw.terms {
            let parsed = pair.split_once('-').and_then(|(f, t)| {
                Some((languages::by_code(f)?.code.to_string(), languages::by_code(t)?.code.to_string()))
            });
            match parsed {
                Some(pair) => {
                    glossary.terms.insert(pair, terms.get_ref().iter().map(|(s, t)| (s.clone(), t.clone())).collect());
                }
                None => self.problem(terms, format!("glossary pair {pair:?} is not like \"en-es\"")),
            }
        }
        glossary
    }
}

fn check_smtp_url(url: &str) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|err| format!("smtp_url is not a URL: {err}"))?;
    match parsed.scheme() {
        "smtp" | "smtps" if parsed.host_str().is_some() => Ok(()),
        "file" => Ok(()),
        scheme => Err(format!("smtp_url must be smtp://, smtps:// or file://, not {scheme}://")),
    }
}

#[cfg(test)]
mod tests;
