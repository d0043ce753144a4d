//! Any OpenAI-compatible chat-completions server (Ollama, vLLM, llama.cpp server): one segment a
//! request, temperature 0, a prompt that keeps the markup. An answer is used only when it ended
//! by itself (`finish_reason: stop`); the quality checks judge what it says.

use serde::Deserialize;
use serde_json::json;

use super::http::{parse_json, usual_verdict, HttpBackend};
use super::saas::RequestLimits;
use super::{Backend, TranslateError};
use crate::config::Secret;
use crate::languages;
use crate::model::Formality;

pub struct OpenAi {
    http: HttpBackend,
    url: url::Url,
    api_key: Option<Secret>,
    model: String,
    pairs: Vec<(String, String)>,
    /// The register the prompt asks for, and the memory's name for it (`name/formal`).
    register: Option<(Formality, String)>,
}

#[derive(Deserialize)]
struct Answer {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    content: Option<String>,
}

impl OpenAi {
    pub fn new(
        http: HttpBackend,
        url: Option<url::Url>,
        api_key: Option<Secret>,
        model: String,
        pairs: Vec<(String, String)>,
    ) -> Self {
        let url = url.unwrap_or_else(|| url::Url::parse("https://api.openai.com/").expect("a valid URL"));
        OpenAi { http, url, api_key, model, pairs, register: None }
    }

    /// The same model asked to keep a partner's register.
    pub fn keeping(mut self, name: &str, formality: Option<Formality>) -> Self {
        self.register = formality.map(|f| (f, format!("{name}/{}", f.as_str())));
        self
    }

    fn prompt(&self, from: &str, to: &str) -> String {
        let name = |code: &str| languages::by_code(code).map_or(code.to_string(), |l| l.name.to_string());
        let register = match self.register.as_ref().map(|(f, _)| *f) {
            Some(Formality::Formal) => {
                " Address the reader formally, as a newspaper does in that language's formal register."
            }
            Some(Formality::Informal) => " Address the reader informally, in that language's familiar register.",
            None => "",
        };
        format!(
            "You are a professional news translator. Translate the user's text from {} to {}. The text is an HTML \
             fragment: keep every tag and attribute exactly as it is and translate only the text between tags. Leave \
             tokens like QZ0 unchanged. Answer with the translation only: no comments, no quotation marks around it.{register}",
            name(from),
            name(to)
        )
    }

    async fn one(&self, from: &str, to: &str, segment: &str) -> Result<String, TranslateError> {
        let endpoint = self.url.join("v1/chat/completions").expect("a relative path joins");
        let body = json!({
            "model": self.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": self.prompt(from, to)},
                {"role": "user", "content": segment},
            ],
        });
        let answer = self
            .http
            .send(
                |client| {
                    let request = client.post(endpoint.clone()).json(&body);
                    match &self.api_key {
                        Some(key) => request.bearer_auth(key.expose()),
                        None => request,
                    }
                },
                |status, _| usual_verdict(status),
            )
            .await?;
        let answer: Answer = parse_json(&self.http, &answer)?;
        let fail = |message: String| TranslateError::Verification { backend: self.http.name.clone(), message };
        let choice = answer.choices.into_iter().next().ok_or_else(|| fail("no choices in the answer".into()))?;
        if choice.finish_reason.as_deref() != Some("stop") {
            return Err(fail(format!(
                "the answer was cut off (finish_reason {:?})",
                choice.finish_reason.unwrap_or_default()
            )));
        }
        // Commentary, echoes and loops are the quality checks' to find: an editor may still use
        // the rest of the answer.
        Ok(choice.message.content.unwrap_or_default().trim().to_string())
    }
}

#[async_trait::async_trait]
impl Backend for OpenAi {
    fn memory_name(&self) -> &str {
        self.register.as_ref().map_or_else(|| self.name(), |(_, memory)| memory)
    }

    fn honours_formality(&self, _to: &str) -> bool {
        true
    }

    fn name(&self) -> &str {
        &self.http.name
    }

    fn billing(&self) -> super::saas::Billing {
        super::saas::Billing::Tokens
    }

    fn pairs(&self) -> Vec<(String, String)> {
        self.pairs.clone()
    }

    fn limits(&self) -> RequestLimits {
        RequestLimits { max_segments: 1, max_bytes: usize::MAX }
    }

    async fn translate(&self, from: &str, to: &str, segments: &[String]) -> Result<Vec<String>, TranslateError> {
        let mut out = Vec::with_capacity(segments.len());
        for segment in segments {
            out.push(self.one(from, to, segment).await?);
        }
        Ok(out)
    }
}
