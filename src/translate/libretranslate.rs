//! LibreTranslate (self-hosted): `POST /translate` with `q` as an array and `format=html`. Its
//! HTML answers come back with entities decoded, so text is re-escaped; it answers 429 without
//! Retry-After when its `--req-limit` is reached.

use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::json;

use super::http::{parse_json, usual_verdict, HttpBackend};
use super::saas::{code_with_chinese, reescape, RequestLimits};
use super::{Backend, TranslateError};
use crate::config::Secret;

pub struct LibreTranslate {
    http: HttpBackend,
    url: url::Url,
    api_key: Option<Secret>,
    pairs: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct Answer {
    #[serde(rename = "translatedText")]
    translated: Vec<String>,
}

impl LibreTranslate {
    pub fn new(http: HttpBackend, url: url::Url, api_key: Option<Secret>, pairs: Vec<(String, String)>) -> Self {
        LibreTranslate { http, url, api_key, pairs }
    }
}

#[async_trait::async_trait]
impl Backend for LibreTranslate {
    fn name(&self) -> &str {
        &self.http.name
    }

    fn pairs(&self) -> Vec<(String, String)> {
        self.pairs.clone()
    }

    fn limits(&self) -> RequestLimits {
        RequestLimits { max_segments: 50, max_bytes: 20_000 }
    }

    async fn translate(&self, from: &str, to: &str, segments: &[String]) -> Result<Vec<String>, TranslateError> {
        let endpoint = self.url.join("translate").expect("a relative path joins");
        let mut body = json!({"q": segments, "source": code_with_chinese(from, "zh-Hans"), "target": code_with_chinese(to, "zh-Hans"), "format": "html"});
        if let Some(key) = &self.api_key {
            body["api_key"] = json!(key.expose());
        }
        let answer = self
            .http
            .send(
                |client| client.post(endpoint.clone()).json(&body),
                |status, _| {
                    if status == StatusCode::BAD_REQUEST {
                        crate::error::ErrorKind::Permanent
                    } else {
                        usual_verdict(status)
                    }
                },
            )
            .await?;
        let answer: Answer = parse_json(&self.http, &answer)?;
        Ok(answer.translated.iter().map(|t| reescape(t)).collect())
    }
}
