//! Apertium's HTTP server (APy): `/translate` with query or form parameters only (never a JSON
//! body). It silently truncates requests above about 3.5 KB with HTTP 200, so each request stays
//! under that and the segment count coming back is checked; 503 means a pipeline crashed.

use std::sync::OnceLock;

use serde::Deserialize;

use super::apertium::split_segments;
use super::http::{parse_json, usual_verdict, HttpBackend};
use super::saas::RequestLimits;
use super::{Backend, TranslateError};
use crate::languages;

pub struct ApertiumApy {
    http: HttpBackend,
    url: url::Url,
    configured: Option<Vec<(String, String)>>,
    discovered: OnceLock<Vec<(String, String)>>,
}

#[derive(Deserialize)]
struct Answer {
    #[serde(rename = "responseData")]
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "translatedText")]
    translated: String,
}

#[derive(Deserialize)]
struct PairList {
    #[serde(rename = "responseData")]
    pairs: Vec<Pair>,
}

#[derive(Deserialize)]
struct Pair {
    #[serde(rename = "sourceLanguage")]
    source: String,
    #[serde(rename = "targetLanguage")]
    target: String,
}

impl ApertiumApy {
    pub fn new(http: HttpBackend, url: url::Url, configured: Option<Vec<(String, String)>>) -> Self {
        ApertiumApy { http, url, configured, discovered: OnceLock::new() }
    }
}

fn code3(code: &str) -> &'static str {
    languages::by_code(code).map_or("und", |l| l.code3)
}

#[async_trait::async_trait]
impl Backend for ApertiumApy {
    fn name(&self) -> &str {
        &self.http.name
    }

    fn billing(&self) -> super::saas::Billing {
        super::saas::Billing::Free
    }

    fn rule_based(&self) -> bool {
        true
    }

    fn pairs(&self) -> Vec<(String, String)> {
        self.configured.clone().or_else(|| self.discovered.get().cloned()).unwrap_or_default()
    }

    fn limits(&self) -> RequestLimits {
        RequestLimits { max_segments: 9, max_bytes: 3000 }
    }

    /// Asks the server which pairs it has, unless the pipeline lists them.
    async fn warm_up(&self) -> Result<(), TranslateError> {
        if self.configured.is_some() || self.discovered.get().is_some() {
            return Ok(());
        }
        let endpoint = self.url.join("listPairs").expect("a relative path joins");
        let body = self.http.send(|client| client.get(endpoint.clone()), |status, _| usual_verdict(status)).await?;
        let list: PairList = parse_json(&self.http, &body)?;
        let pairs = list
            .pairs
            .iter()
            .filter_map(|p| {
                Some((
                    languages::by_code3(&p.source)?.code.to_string(),
                    languages::by_code3(&p.target)?.code.to_string(),
                ))
            })
            .collect();
        let _ = self.discovered.set(pairs);
        Ok(())
    }

    async fn translate(&self, from: &str, to: &str, segments: &[String]) -> Result<Vec<String>, TranslateError> {
        let endpoint = self.url.join("translate").expect("a relative path joins");
        let mut html = String::new();
        for (i, segment) in segments.iter().enumerate() {
            html.push_str(&format!("<p id=\"nw{i}\">{segment}</p>\n"));
        }
        let langpair = format!("{}|{}", code3(from), code3(to));
        let form = [("q", html.as_str()), ("langpair", langpair.as_str()), ("format", "html"), ("markUnknown", "no")];
        let answer = self
            .http
            .send(|client| client.post(endpoint.clone()).form(&form), |status, _| usual_verdict(status))
            .await?;
        let answer: Answer = parse_json(&self.http, &answer)?;
        split_segments(&answer.data.translated, segments.len()).ok_or_else(|| TranslateError::Verification {
            backend: self.http.name.clone(),
            message: format!("{} segments sent, fewer came back (the server truncates long requests)", segments.len()),
        })
    }
}
