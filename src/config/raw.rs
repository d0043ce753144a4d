//! The pipeline file exactly as written: serde types that reject unknown keys and keep the position
//! of every value that validation may complain about.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPipeline {
    pub name: Spanned<String>,
    /// SQLite state file, or a `postgres://` URL; default `newswire-state.sqlite` beside the pipeline file.
    pub state: Option<Spanned<String>>,
    /// A folder of templates overriding the built-in ones.
    pub templates: Option<Spanned<String>>,
    #[serde(default)]
    pub source: RawSource,
    pub detect: Option<RawDetect>,
    pub translate: Option<RawTranslate>,
    #[serde(default)]
    pub backends: BTreeMap<String, Spanned<RawBackend>>,
    pub email: Option<RawEmail>,
    #[serde(default)]
    pub partners: Vec<Spanned<RawPartner>>,
    pub glossary: Option<RawGlossary>,
    pub delivery: Option<RawDelivery>,
    pub work: Option<RawWork>,
    /// "never", "flagged" or "always": when a copy waits for an editor.
    pub review: Option<Spanned<String>>,
    /// The flags that hold a copy under `review = "flagged"`.
    pub review_flags: Option<Vec<Spanned<String>>>,
    pub serve: Option<RawServe>,
    pub budget: Option<RawBudget>,
}

/// `[serve]`: who may use the desk's console and API (`newswire serve`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServe {
    /// Bearer tokens for machines (the CMS), from the environment.
    #[serde(default)]
    pub tokens: Vec<Spanned<String>>,
    #[serde(default)]
    pub users: Vec<Spanned<RawUser>>,
    /// Signs the calls to an article's `callback_url` (Standard Webhooks, `whsec_…`).
    pub callback_secret: Option<Spanned<String>>,
    /// How long a login lasts ("12h").
    pub session_ttl: Option<Spanned<String>>,
    /// The largest request body accepted, in bytes.
    pub max_body: Option<Spanned<usize>>,
    /// Networks (CIDRs) the URLs the API is given may reach besides the public internet.
    #[serde(default)]
    pub allow_networks: Vec<Spanned<String>>,
    /// When given, the only hosts the URLs the API is given may name ("cms.example", "*.example").
    #[serde(default)]
    pub allow_hosts: Vec<Spanned<String>>,
    /// Articles one token (or person) may submit per minute.
    pub submissions_per_minute: Option<Spanned<u32>>,
    /// Proxies (CIDRs) whose `X-Forwarded-For` names the client.
    #[serde(default)]
    pub trusted_proxies: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUser {
    pub name: Spanned<String>,
    /// "editor" (may review) or "staff" (may also redeliver, recover and enable).
    pub role: Spanned<String>,
    /// An Argon2 PHC string from `newswire hash-password`.
    pub password_hash: Spanned<String>,
}

/// `[work]`: how workers sharing the desk's store claim pages.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWork {
    /// How long a claim on a page lasts unless renewed: a dead worker's pages wait this long.
    pub lease: Option<Spanned<String>>,
    /// How often `newswire work` looks for work when it found none.
    pub poll: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDelivery {
    pub timeout: Option<Spanned<String>>,
    pub retry_schedule: Option<Vec<Spanned<String>>>,
    /// How long `run` waits for retries that fall due.
    pub max_wait: Option<Spanned<String>>,
    /// A partner whose deliveries have only failed for this long is disabled.
    pub disable_after: Option<Spanned<String>>,
    pub staff_email: Option<Spanned<String>>,
    /// Nothing is delivered before this time (RFC 3339).
    pub embargo: Option<Spanned<String>>,
    /// Timeouts or failed connections in a row after which a partner's remaining copies in a run
    /// wait for `deliver --due`; 0 never gives up.
    pub circuit_breaker: Option<Spanned<u32>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGlossary {
    /// Names and terms never translated.
    #[serde(default)]
    pub keep: Vec<Spanned<String>>,
    /// Per pair ("en-es"): source term → target term.
    #[serde(default)]
    pub terms: BTreeMap<String, Spanned<BTreeMap<String, String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
    #[serde(default)]
    pub urls: Vec<Spanned<String>>,
    #[serde(default)]
    pub feeds: Vec<Spanned<String>>,
    /// Largest page accepted, in bytes (default 10 MB).
    pub max_bytes: Option<Spanned<u64>>,
    /// HTTP timeout, e.g. "20s".
    pub timeout: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDetect {
    pub languages: Spanned<Vec<Spanned<String>>>,
    pub min_confidence: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTranslate {
    pub backend: Spanned<OneOrMany>,
    /// "keep" or "translate": quotations in another language than the article's.
    pub foreign_quotes: Option<Spanned<String>>,
    /// Flags that send a segment on, alone, to the next backend of the chain.
    pub escalate: Option<Vec<Spanned<String>>>,
    /// Bridge languages, in order, for pairs no backend serves: `["en"]` unless set.
    pub pivot: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one.clone()],
            OneOrMany::Many(many) => many.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBackend {
    pub kind: Spanned<String>,
    /// Apertium: an extra folder of `.mode` files searched before the installed ones.
    pub modes_dir: Option<Spanned<String>>,
    /// Longest wait for one request, e.g. "60s".
    pub timeout: Option<Spanned<String>>,
    /// Base URL of an HTTP service.
    pub url: Option<Spanned<String>>,
    /// Credentials, from the environment: "${DEEPL_KEY}".
    pub api_key: Option<Spanned<String>>,
    pub concurrency: Option<Spanned<usize>>,
    /// "5/s", "300/min".
    pub rate_limit: Option<Spanned<String>>,
    pub retries: Option<Spanned<usize>>,
    /// Languages served, replacing the kind's default list.
    pub languages: Option<Vec<Spanned<String>>>,
    /// Pairs served: ["en-es", "es-en"].
    pub pairs: Option<Vec<Spanned<String>>>,
    /// openai: the model name.
    pub model: Option<Spanned<String>>,
    /// azure: the resource's region.
    pub region: Option<Spanned<String>>,
    /// deepl: "default", "more", "less", "prefer_more", "prefer_less".
    pub formality: Option<Spanned<String>>,
    /// deepl: a glossary to apply.
    pub glossary_id: Option<Spanned<String>>,
    /// command: the program and its arguments.
    pub command: Option<Vec<Spanned<String>>>,
    /// What it charges: "25 USD / 1M chars"; the kind's list price unless set.
    pub price: Option<Spanned<String>>,
    /// The most it may be sent a day and a month, priced: "5 USD".
    pub daily_budget: Option<Spanned<String>>,
    pub monthly_budget: Option<Spanned<String>>,
}

/// `[budget]`: the most the whole desk may spend on its backends.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBudget {
    pub daily: Option<Spanned<String>>,
    pub monthly: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEmail {
    pub smtp_url: Spanned<String>,
    pub from: Spanned<String>,
    pub timeout: Option<Spanned<String>>,
    /// A PEM file of a root certificate to trust besides the system's (a private mail relay).
    pub tls_ca: Option<Spanned<String>>,
    /// DKIM signing: the private key file (RSA PKCS#1 PEM), the selector and the domain.
    pub dkim_key: Option<Spanned<String>>,
    pub dkim_selector: Option<Spanned<String>>,
    pub dkim_domain: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPartner {
    pub name: Spanned<String>,
    pub channel: Spanned<String>,
    pub languages: Spanned<Vec<Spanned<String>>>,
    pub to: Option<Spanned<Vec<Spanned<String>>>>,
    pub url: Option<Spanned<String>>,
    /// One secret, or several while a partner rotates its secret (each signs every request).
    pub secret: Option<Spanned<OneOrMany>>,
    /// "ninjs" (webhooks' default), "html" or "text".
    pub format: Option<Spanned<String>>,
    /// A folder of templates for this partner, overriding the desk's file by file.
    pub template: Option<Spanned<String>>,
    /// Copies sent to this partner at once.
    pub concurrency: Option<Spanned<usize>>,
    /// "10/s", "300/min".
    pub rate_limit: Option<Spanned<String>>,
    pub path: Option<Spanned<String>>,
    pub timeout: Option<Spanned<String>>,
    /// Only articles in these sections.
    pub sections: Option<Vec<String>>,
    /// Never articles mentioning these words.
    pub exclude_keywords: Option<Vec<String>>,
    /// This partner's review gate, instead of the desk's.
    pub review: Option<Spanned<String>>,
    pub review_flags: Option<Vec<Spanned<String>>>,
    /// "full" (default), "headline" or "lede": how much of each story it takes.
    pub content: Option<Spanned<String>>,
    /// The original beside the translation, block by block.
    pub bilingual: Option<bool>,
    /// "formal" or "informal": the register, for the engines that keep one.
    pub formality: Option<Spanned<String>>,
    /// Its own chain of backends, instead of the desk's: ["deepl", "apertium"].
    pub backend: Option<Spanned<OneOrMany>>,
    /// Its own glossary over the desk's: the same shape as `[glossary]`.
    pub glossary: Option<RawGlossary>,
    /// Locales whose typography its copies take: "es-ES", or one per language.
    pub style: Option<Spanned<OneOrMany>>,
}
