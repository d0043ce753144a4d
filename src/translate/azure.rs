//! Microsoft Azure Translator v3: `POST /translate?api-version=3.0&from=..&to=..&textType=html`
//! with the subscription key (and region) headers, at most 1000 elements and 50,000 characters a
//! request (tags are billed too).

use serde::Deserialize;
use serde_json::json;

use super::http::{parse_json, usual_verdict, HttpBackend};
use super::saas::{code_with_chinese, RequestLimits};
use super::{Backend, TranslateError};
use crate::config::Secret;
use crate::error::ErrorKind;

pub struct Azure {
    http: HttpBackend,
    url: url::Url,
    api_key: Secret,
    region: Option<String>,
    pairs: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct Item {
    translations: Vec<Translated>,
}

#[derive(Deserialize)]
struct Translated {
    text: String,
}

impl Azure {
    pub fn new(
        http: HttpBackend,
        url: Option<url::Url>,
        api_key: Secret,
        region: Option<String>,
        pairs: Vec<(String, String)>,
    ) -> Self {
        let url = url
            .unwrap_or_else(|| url::Url::parse("https://api.cognitive.microsofttranslator.com/").expect("a valid URL"));
        Azure { http, url, api_key, region, pairs }
    }
}

#[async_trait::async_trait]
impl Backend for Azure {
    fn name(&self) -> &str {
        &self.http.name
    }

    fn billing(&self) -> super::saas::Billing {
        super::saas::Billing::CharactersWithTags
    }

    fn pairs(&self) -> Vec<(String, String)> {
        self.pairs.clone()
    }

    fn limits(&self) -> RequestLimits {
        RequestLimits { max_segments: 1000, max_bytes: 45_000 }
    }

    async fn translate(&self, from: &str, to: &str, segments: &[String]) -> Result<Vec<String>, TranslateError> {
        let mut endpoint = self.url.join("translate").expect("a relative path joins");
        endpoint
            .query_pairs_mut()
            .append_pair("api-version", "3.0")
            .append_pair("from", code_with_chinese(from, "zh-Hans"))
            .append_pair("to", code_with_chinese(to, "zh-Hans"))
            .append_pair("textType", "html");
        let body: Vec<serde_json::Value> = segments.iter().map(|s| json!({"Text": s})).collect();
        let answer = self
            .http
            .send(
                |client| {
                    let mut request = client
                        .post(endpoint.clone())
                        .header("Ocp-Apim-Subscription-Key", self.api_key.expose())
                        .json(&body);
                    if let Some(region) = &self.region {
                        request = request.header("Ocp-Apim-Subscription-Region", region);
                    }
                    request
                },
                |status, _| if status.as_u16() == 403 { ErrorKind::Permanent } else { usual_verdict(status) },
            )
            .await?;
        let items: Vec<Item> = parse_json(&self.http, &answer)?;
        items
            .into_iter()
            .map(|item| {
                item.translations.into_iter().next().map(|t| t.text).ok_or_else(|| TranslateError::Verification {
                    backend: self.http.name.clone(),
                    message: "an element came back without a translation".into(),
                })
            })
            .collect()
    }
}
