//! Google Cloud Translation v2: `POST /language/translate/v2?key=KEY` with `q` as an array and
//! `format=html`, at most 128 segments and about 100 KB a request. A used-up daily quota comes as
//! 403 (not 429) and is never retried; a per-user rate limit (also 403) is.

use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::json;

use super::http::{parse_json, usual_verdict, HttpBackend};
use super::saas::{code_with_chinese, RequestLimits};
use super::{Backend, TranslateError};
use crate::config::Secret;
use crate::error::ErrorKind;

pub struct Google {
    http: HttpBackend,
    url: url::Url,
    api_key: Secret,
    pairs: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct Answer {
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    translations: Vec<Translated>,
}

#[derive(Deserialize)]
struct Translated {
    #[serde(rename = "translatedText")]
    text: String,
}

impl Google {
    pub fn new(http: HttpBackend, url: Option<url::Url>, api_key: Secret, pairs: Vec<(String, String)>) -> Self {
        let url = url.unwrap_or_else(|| url::Url::parse("https://translation.googleapis.com/").expect("a valid URL"));
        Google { http, url, api_key, pairs }
    }
}

#[async_trait::async_trait]
impl Backend for Google {
    fn name(&self) -> &str {
        &self.http.name
    }

    fn pairs(&self) -> Vec<(String, String)> {
        self.pairs.clone()
    }

    fn limits(&self) -> RequestLimits {
        RequestLimits { max_segments: 128, max_bytes: 90_000 }
    }

    async fn translate(&self, from: &str, to: &str, segments: &[String]) -> Result<Vec<String>, TranslateError> {
        let mut endpoint = self.url.join("language/translate/v2").expect("a relative path joins");
        endpoint.query_pairs_mut().append_pair("key", self.api_key.expose());
        let body = json!({"q": segments, "source": code_with_chinese(from, "zh-CN"), "target": code_with_chinese(to, "zh-CN"), "format": "html"});
        let answer =
            self.http.send(|client| client.post(endpoint.clone()).json(&body), verdict).await.map_err(|err| {
                // The URL carries the key: never let it reach a message.
                match err {
                    TranslateError::Backend { backend, message, kind, status } => TranslateError::Backend {
                        backend,
                        message: message.replace(self.api_key.expose(), "***"),
                        kind,
                        status,
                    },
                    other => other,
                }
            })?;
        let answer: Answer = parse_json(&self.http, &answer)?;
        Ok(answer.data.translations.into_iter().map(|t| t.text).collect())
    }
}

fn verdict(status: StatusCode, body: &str) -> ErrorKind {
    if status == StatusCode::FORBIDDEN {
        let rate_limited = body.contains("User Rate Limit Exceeded") || body.contains("rateLimitExceeded");
        return if rate_limited { ErrorKind::Transient } else { ErrorKind::Permanent };
    }
    usual_verdict(status)
}
