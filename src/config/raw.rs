//! The pipeline file exactly as written: serde types that reject unknown keys and keep the position
//! of every value that validation may complain about.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPipeline {
    pub name: Spanned<String>,
    /// SQLite state file; default `newswire-state.sqlite` beside the pipeline file.
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
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBackend {
    pub kind: Spanned<String>,
    /// Apertium: an extra folder of `.mode` files searched before the installed ones.
    pub modes_dir: Option<Spanned<String>>,
    /// Longest wait for one request, e.g. "60s".
    pub timeout: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEmail {
    pub smtp_url: Spanned<String>,
    pub from: Spanned<String>,
    pub timeout: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPartner {
    pub name: Spanned<String>,
    pub channel: Spanned<String>,
    pub languages: Spanned<Vec<Spanned<String>>>,
    pub to: Option<Spanned<Vec<Spanned<String>>>>,
    pub url: Option<Spanned<String>>,
    pub secret: Option<Spanned<String>>,
    pub path: Option<Spanned<String>>,
    pub timeout: Option<Spanned<String>>,
}
