//! DeepL API v2: `POST /v2/translate`, `Authorization: DeepL-Auth-Key`, the free host for keys
//! ending `:fx`, at most 50 texts and 128 KiB a request, `tag_handling=html`. 429 is backed off;
//! 456 means the quota is used up and is never retried.

use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::json;

use super::http::{parse_json, usual_verdict, HttpBackend};
use super::saas::RequestLimits;
use super::{Backend, TranslateError};
use crate::config::Secret;
use crate::error::ErrorKind;
use crate::model::Formality;

pub struct Deepl {
    http: HttpBackend,
    url: url::Url,
    api_key: Secret,
    formality: Option<String>,
    glossary_id: Option<String>,
    pairs: Vec<(String, String)>,
    /// `name/formal` when a partner's register overrides the configured one.
    memory: Option<String>,
}

#[derive(Deserialize)]
struct Answer {
    translations: Vec<Translated>,
}

#[derive(Deserialize)]
struct Translated {
    text: String,
}

/// DeepL's languages among ours.
pub const LANGUAGES: &[&str] = &[
    "ar", "bg", "cs", "de", "el", "en", "es", "et", "fi", "fr", "hu", "it", "ja", "lt", "lv", "nl", "pl", "pt", "ro",
    "ru", "sv", "tr", "uk", "zh",
];

impl Deepl {
    pub fn new(
        http: HttpBackend,
        url: Option<url::Url>,
        api_key: Secret,
        formality: Option<String>,
        glossary_id: Option<String>,
        pairs: Vec<(String, String)>,
    ) -> Self {
        let host =
            if api_key.expose().ends_with(":fx") { "https://api-free.deepl.com/" } else { "https://api.deepl.com/" };
        let url = url.unwrap_or_else(|| url::Url::parse(host).expect("a valid URL"));
        Deepl { http, url, api_key, formality, glossary_id, pairs, memory: None }
    }

    /// The same engine asked to keep a partner's register: DeepL's `prefer_more` and
    /// `prefer_less`, which fall back to the default where a language has no formal form.
    pub fn keeping(mut self, name: &str, formality: Option<Formality>) -> Self {
        if let Some(formality) = formality {
            self.formality =
                Some(if formality == Formality::Formal { "prefer_more" } else { "prefer_less" }.to_string());
            self.memory = Some(format!("{name}/{}", formality.as_str()));
        }
        self
    }
}

/// The targets whose formal and informal forms DeepL tells apart.
const FORMALITY_LANGUAGES: &[&str] = &["de", "es", "fr", "it", "ja", "nl", "pl", "pt", "ru"];

fn source_code(lang: &str) -> String {
    lang.to_ascii_uppercase()
}

/// Targets need a variant where DeepL has several.
fn target_code(lang: &str) -> String {
    match lang {
        "en" => "EN-GB".into(),
        "pt" => "PT-PT".into(),
        "zh" => "ZH-HANS".into(),
        other => other.to_ascii_uppercase(),
    }
}

#[async_trait::async_trait]
impl Backend for Deepl {
    fn memory_name(&self) -> &str {
        self.memory.as_deref().unwrap_or_else(|| self.name())
    }

    fn honours_formality(&self, to: &str) -> bool {
        FORMALITY_LANGUAGES.contains(&to)
    }

    fn name(&self) -> &str {
        &self.http.name
    }

    fn pairs(&self) -> Vec<(String, String)> {
        self.pairs.clone()
    }

    fn limits(&self) -> RequestLimits {
        RequestLimits { max_segments: 50, max_bytes: 120 * 1024 }
    }

    async fn translate(&self, from: &str, to: &str, segments: &[String]) -> Result<Vec<String>, TranslateError> {
        let endpoint = self.url.join("v2/translate").expect("a relative path joins");
        let mut body = json!({
            "text": segments,
            "source_lang": source_code(from),
            "target_lang": target_code(to),
            "tag_handling": "html",
        });
        if let Some(formality) = &self.formality {
            body["formality"] = json!(formality);
        }
        if let Some(glossary) = &self.glossary_id {
            body["glossary_id"] = json!(glossary);
        }
        let auth = format!("DeepL-Auth-Key {}", self.api_key.expose());
        let answer = self
            .http
            .send(|client| client.post(endpoint.clone()).header("Authorization", &auth).json(&body), verdict)
            .await
            .map_err(|err| match err {
                TranslateError::Backend { backend, message, kind, status: Some(QUOTA_EXCEEDED) } => {
                    let message = format!("quota exhausted ({message})");
                    TranslateError::Backend { backend, message, kind, status: Some(QUOTA_EXCEEDED) }
                }
                other => other,
            })?;
        let answer: Answer = parse_json(&self.http, &answer)?;
        Ok(answer.translations.into_iter().map(|t| t.text).collect())
    }
}

/// DeepL's own status for a used-up character quota.
const QUOTA_EXCEEDED: u16 = 456;

fn verdict(status: StatusCode, _body: &str) -> ErrorKind {
    match status.as_u16() {
        QUOTA_EXCEEDED => ErrorKind::Permanent,
        529 => ErrorKind::Transient,
        _ => usual_verdict(status),
    }
}
