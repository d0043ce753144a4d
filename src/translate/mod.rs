//! Translate: an article's headline and blocks into a target language through a chain of
//! backends. Each segment (headline, paragraph, list item, caption) travels as HTML so inline
//! markup comes back in place, and every answer is checked before it is used.

pub mod apertium;

use std::sync::Arc;

use crate::config::{BackendConfig, Pipeline};
use crate::model::{Article, Block, BlockKind, Translation};

#[derive(Debug, Clone, thiserror::Error)]
pub enum TranslateError {
    #[error("no backend translates {from}→{to}")]
    Unsupported { from: String, to: String },
    #[error("backend {backend}: {message}")]
    Backend { backend: String, message: String, transient: bool },
    #[error("backend {backend} gave an unusable answer: {message}")]
    Verification { backend: String, message: String },
}

impl TranslateError {
    pub fn is_transient(&self) -> bool {
        matches!(self, TranslateError::Backend { transient: true, .. })
    }
}

/// A translation engine. Segments are inline HTML; the answer has one segment per input segment.
#[async_trait::async_trait]
pub trait Backend: Send + Sync {
    fn name(&self) -> &str;
    /// ISO 639-1 pairs this backend translates.
    fn pairs(&self) -> Vec<(String, String)>;
    async fn translate(&self, from: &str, to: &str, segments: &[String]) -> Result<Vec<String>, TranslateError>;

    fn supports(&self, from: &str, to: &str) -> bool {
        self.pairs().iter().any(|(f, t)| f == from && t == to)
    }
}

pub fn build_backend(name: &str, config: &BackendConfig) -> Arc<dyn Backend> {
    match config {
        BackendConfig::Apertium { modes_dir, timeout } => {
            Arc::new(apertium::Apertium::new(name, modes_dir.clone(), *timeout))
        }
    }
}

/// The translate stage: the pipeline's backends, tried in order.
#[derive(Clone)]
pub struct Translator {
    backends: Vec<Arc<dyn Backend>>,
}

impl Translator {
    pub fn new(backends: Vec<Arc<dyn Backend>>) -> Self {
        Translator { backends }
    }

    pub fn from_pipeline(pipeline: &Pipeline) -> Self {
        let backends = pipeline
            .translate_chain
            .iter()
            .filter_map(|name| pipeline.backends.get(name).map(|config| build_backend(name, config)))
            .collect();
        Translator { backends }
    }

    /// The Apertium install, for commands run without a pipeline.
    pub fn apertium_default() -> Self {
        Translator::new(vec![Arc::new(apertium::Apertium::new("apertium", None, std::time::Duration::from_secs(60)))])
    }

    pub fn supports(&self, from: &str, to: &str) -> bool {
        self.backends.iter().any(|b| b.supports(from, to))
    }

    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = self.backends.iter().flat_map(|b| b.pairs()).collect();
        pairs.sort();
        pairs.dedup();
        pairs
    }

    /// Translates the article's headline and body into `to`. A backend that is down gives way to
    /// the next one in the chain that serves the pair.
    pub async fn translate(&self, article: &Article, to: &str) -> Result<Translation, TranslateError> {
        let from = article.language.as_deref().unwrap_or("und");
        let candidates: Vec<&Arc<dyn Backend>> = self.backends.iter().filter(|b| b.supports(from, to)).collect();
        if candidates.is_empty() {
            return Err(TranslateError::Unsupported { from: from.to_string(), to: to.to_string() });
        }
        let (segments, layout) = segments_of(article);
        let mut last_error = None;
        for backend in candidates {
            match backend.translate(from, to, &segments).await.and_then(|out| verify(backend.name(), &segments, out)) {
                Ok(translated) => {
                    let (title, blocks) = reassemble(article, &layout, translated);
                    return Ok(Translation {
                        language: to.to_string(),
                        backend: Some(backend.name().to_string()),
                        title,
                        blocks,
                    });
                }
                Err(err) => last_error = Some(err),
            }
        }
        Err(last_error.expect("at least one candidate was tried"))
    }
}

/// The segments sent for an article: the headline, then every block with text. `layout` maps
/// each block to its segment (images are not sent).
fn segments_of(article: &Article) -> (Vec<String>, Vec<Option<usize>>) {
    let mut segments = vec![crate::clean::escape(&article.title)];
    let layout = article
        .blocks
        .iter()
        .map(|block| {
            (block.kind != BlockKind::Image).then(|| {
                segments.push(block.html.clone());
                segments.len() - 1
            })
        })
        .collect();
    (segments, layout)
}

fn reassemble(article: &Article, layout: &[Option<usize>], translated: Vec<String>) -> (String, Vec<Block>) {
    let title = crate::clean::render::inline_text(&translated[0]);
    let blocks = article
        .blocks
        .iter()
        .zip(layout)
        .map(|(block, segment)| match segment {
            Some(i) => Block { kind: block.kind, html: translated[*i].clone() },
            None => block.clone(),
        })
        .collect();
    (title, blocks)
}

/// A backend's answer is used only when it has one non-empty segment for each non-empty input.
pub fn verify(backend: &str, input: &[String], output: Vec<String>) -> Result<Vec<String>, TranslateError> {
    let fail = |message: String| Err(TranslateError::Verification { backend: backend.to_string(), message });
    if output.len() != input.len() {
        return fail(format!("{} segments sent, {} came back", input.len(), output.len()));
    }
    for (i, (sent, got)) in input.iter().zip(&output).enumerate() {
        if !sent.trim().is_empty() && got.trim().is_empty() {
            return fail(format!("segment {} came back empty", i + 1));
        }
        if sent.matches("<a ").count() != got.matches("<a ").count() {
            return fail(format!("segment {} lost or gained links", i + 1));
        }
    }
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_rejects_lost_and_empty_segments() {
        let input = vec!["Hello".to_string(), "<a href=\"x\">World</a>".to_string()];
        assert!(verify("t", &input, vec!["Hola".into()]).is_err());
        assert!(verify("t", &input, vec!["Hola".into(), "".into()]).is_err());
        assert!(verify("t", &input, vec!["Hola".into(), "Mundo".into()]).is_err());
        assert!(verify("t", &input, vec!["Hola".into(), "<a href=\"x\">Mundo</a>".into()]).is_ok());
    }
}
