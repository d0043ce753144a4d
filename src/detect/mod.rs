//! Language detection: which language an article is written in, and how sure we are.
//! CPU-bound and synchronous; one shared detector per process.

mod iberian;
pub mod languages;
pub mod mixed;

use lingua::{LanguageDetector, LanguageDetectorBuilder};

/// How much text is looked at: the first few thousand characters decide as well as the whole.
const MAX_DETECT_CHARS: usize = 3000;

#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// ISO 639-1 code; `None` when the text has no letters to judge.
    pub language: Option<String>,
    pub confidence: f64,
}

pub trait Detector: Send + Sync {
    fn detect(&self, text: &str) -> Detection;
}

pub struct LinguaDetector {
    detector: LanguageDetector,
    /// Codes the detector was built over: the desk's and their look-alikes.
    codes: Vec<&'static str>,
}

impl LinguaDetector {
    /// A detector over `codes` and their look-alikes, with models loaded and warmed up.
    pub fn new(codes: &[String]) -> Self {
        let mut infos: Vec<&languages::LanguageInfo> = Vec::new();
        for code in codes {
            let extra = languages::look_alikes(code).iter().copied();
            for c in std::iter::once(code.as_str()).chain(extra) {
                if let Some(info) = languages::by_code(c) {
                    if !infos.iter().any(|i| i.code == info.code) {
                        infos.push(info);
                    }
                }
            }
        }
        if infos.len() < 2 {
            // lingua needs two languages to compare; English is the most common second one in news.
            let fallback = if infos.iter().any(|i| i.code == "en") { "fr" } else { "en" };
            infos.extend(languages::by_code(fallback));
        }
        let langs: Vec<lingua::Language> = infos.iter().map(|i| i.lingua).collect();
        let detector = LanguageDetectorBuilder::from_languages(&langs).with_preloaded_language_models().build();
        let _ = detector.detect_language_of("warm up the models");
        LinguaDetector { detector, codes: infos.iter().map(|i| i.code).collect() }
    }

    /// A detector over every language this build supports.
    pub fn all() -> Self {
        Self::new(&languages::supported_codes())
    }
}

impl Detector for LinguaDetector {
    fn detect(&self, text: &str) -> Detection {
        let end = text.char_indices().nth(MAX_DETECT_CHARS).map_or(text.len(), |(i, _)| i);
        let text = &text[..end];
        let best = self.detector.compute_language_confidence_values(text).into_iter().next();
        match best {
            Some((language, confidence)) if confidence > 0.0 => {
                let mut code = languages::by_lingua(language).map(|l| l.code);
                if let Some(settled) = code.and_then(|c| iberian::settle(text, c)) {
                    if self.codes.contains(&settled) {
                        code = Some(settled);
                    }
                }
                Detection { language: code.map(str::to_string), confidence }
            }
            _ => Detection { language: None, confidence: 0.0 },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_ukrainian_from_russian() {
        let detector = LinguaDetector::new(&["ru".into(), "uk".into(), "en".into()]);
        let uk = detector
            .detect("Міністр оборони Литви заявив про демілітаризацію Калінінградської області, щоб захистити країну.");
        assert_eq!(uk.language.as_deref(), Some("uk"));
        let ru = detector
            .detect("Министр обороны Литвы заявил о демилитаризации Калининградской области после переброски войск.");
        assert_eq!(ru.language.as_deref(), Some("ru"));
    }

    #[test]
    fn names_a_look_alike_instead_of_forcing_it() {
        let detector = LinguaDetector::new(&["es".into(), "en".into()]);
        let ca = detector.detect(
            "El govern de la Generalitat ha aprovat avui un nou pla per millorar les escoles públiques del país.",
        );
        assert_eq!(ca.language.as_deref(), Some("ca"));
    }

    #[test]
    fn no_letters_no_language() {
        let detector = LinguaDetector::new(&["es".into(), "en".into()]);
        assert_eq!(detector.detect("12345 --- !!!").language, None);
    }
}
