//! Language detection: which language an article is written in, and how sure we are.
//! CPU-bound and synchronous; one shared detector per process. The cost of a detection grows with
//! the text, so a long text is first judged on two short windows (its opening and its middle),
//! which settle most articles, and only when they disagree or the models are unsure, on more.

mod belarusian;
mod common_words;
mod iberian;
pub mod mixed;
mod policy;

pub use policy::{Policy, SHORT_TEXT_MIN_CONFIDENCE};

use lingua::{LanguageDetector, LanguageDetectorBuilder};

use crate::languages;

/// How much text is looked at when the windows are not enough: three thousand characters decide
/// as well as the whole.
const SAMPLE_CHARS: usize = 3000;

/// The opening looked at first, and a window as long from the middle; they settle the text when
/// the models name the same desk language in both...
const OPENING_CHARS: usize = 200;
/// ... with at least this confidence.
const OPENING_SURE: f64 = 0.95;

/// Texts shorter than this are short: a headline or a sentence, where look-alikes blur.
pub const SHORT_TEXT_CHARS: usize = 120;

/// The confidence at which a short text is named as a look-alike (Catalan beside a Spanish desk)
/// rather than as the desk language it resembles. Below it the desk language is named with its own,
/// low, confidence, which the pipeline does not accept for a short text either.
const NAME_LOOK_ALIKE: f64 = 0.6;

#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// ISO 639-1 code; `None` when the text has no letters to judge.
    pub language: Option<String>,
    pub confidence: f64,
    /// A look-alike outside the desk that a short text leans towards without the models being
    /// sure of it (then `language` is the nearest desk language, at its own low confidence).
    pub leaning: Option<String>,
}

pub trait Detector: Send + Sync {
    fn detect(&self, text: &str) -> Detection;

    /// Whether a text is plainly in `language`, found without the models; `false` says only that
    /// a detection is needed.
    fn agrees(&self, _text: &str, _language: &str) -> bool {
        false
    }
}

pub struct LinguaDetector {
    detector: LanguageDetector,
    /// Codes the detector was built over: the desk's and their look-alikes.
    codes: Vec<&'static str>,
    /// The desk's own codes.
    desk: Vec<&'static str>,
    /// The desk's languages alone, for a text whose look-alike guess its letters rule out
    /// (lingua's models are shared between detectors, so this costs no memory).
    desk_only: Option<LanguageDetector>,
    /// The first pass over long texts, when every language of the detector has common words.
    common: Option<common_words::CommonWords>,
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
        let desk: Vec<&'static str> = codes.iter().filter_map(|c| languages::by_code(c)).map(|l| l.code).collect();
        let desk_only = (desk.len() >= 2 && desk.len() < infos.len()).then(|| {
            let langs: Vec<lingua::Language> =
                desk.iter().filter_map(|c| languages::by_code(c)).map(|l| l.lingua).collect();
            LanguageDetectorBuilder::from_languages(&langs).with_preloaded_language_models().build()
        });
        let codes: Vec<&'static str> = infos.iter().map(|i| i.code).collect();
        let common = common_words::CommonWords::new(&codes);
        LinguaDetector { detector, codes, desk, desk_only, common }
    }

    /// A detector over every language this build supports.
    pub fn all() -> Self {
        Self::new(&languages::supported_codes())
    }

    /// The opening's language, when the models are sure of a desk language there that has no
    /// look-alike among the detector's languages: Spanish beside Catalan and Portuguese, or
    /// Russian beside Ukrainian and Belarusian, is judged on the longer sample.
    fn settled_by(&self, opening: &str) -> Option<Detection> {
        let (first, confidence) = self.detector.compute_language_confidence_values(opening).into_iter().next()?;
        let code = languages::by_lingua(first)?.code;
        let contested = languages::look_alikes(code).iter().any(|other| self.codes.contains(other));
        let sure = confidence >= OPENING_SURE && self.desk.contains(&code) && !contested;
        sure.then(|| Detection { language: Some(code.to_string()), confidence, leaning: None })
    }

    /// The full models over the whole text, without sampling: what the sampled detection must
    /// agree with (tests and the benchmark compare the two).
    pub fn detect_thoroughly(&self, text: &str) -> Detection {
        self.full(text)
    }

    fn full(&self, text: &str) -> Detection {
        let values: Vec<(&'static str, f64)> = self
            .detector
            .compute_language_confidence_values(text)
            .into_iter()
            .filter_map(|(language, confidence)| Some((languages::by_lingua(language)?.code, confidence)))
            .collect();
        let Some(&(mut code, mut confidence)) = values.first().filter(|(_, confidence)| *confidence > 0.0) else {
            return Detection { language: None, confidence: 0.0, leaning: None };
        };
        if code == "be" && belarusian::rules_out(text) {
            let desk_best =
                self.desk_only.as_ref().and_then(|d| d.compute_language_confidence_values(text).into_iter().next());
            if let Some((language, desk_confidence)) = desk_best.filter(|(_, c)| *c > 0.0) {
                if let Some(info) = languages::by_lingua(language) {
                    (code, confidence) = (info.code, desk_confidence);
                }
            }
        }
        if !is_short(text) {
            return Detection { language: Some(code.to_string()), confidence, leaning: None };
        }
        if let Some(settled) = iberian::settle(text, code).filter(|settled| self.codes.contains(settled)) {
            code = settled;
        } else if !self.desk.contains(&code) && confidence < NAME_LOOK_ALIKE {
            // A short text that only leans towards a look-alike: the nearest desk language, as
            // unsure as the models are.
            if let Some(&(desk_code, desk_confidence)) = values.iter().find(|(c, _)| self.desk.contains(c)) {
                let leaning = Some(code.to_string());
                return Detection { language: Some(desk_code.to_string()), confidence: desk_confidence, leaning };
            }
        }
        Detection { language: Some(code.to_string()), confidence, leaning: None }
    }
}

impl Detector for LinguaDetector {
    fn detect(&self, text: &str) -> Detection {
        if let Some((code, confidence)) =
            self.common.as_ref().filter(|_| !is_short(text)).and_then(|c| c.sure(sample(text, SAMPLE_CHARS)))
        {
            return Detection { language: Some(code.to_string()), confidence, leaning: None };
        }
        let opening = sample(text, OPENING_CHARS);
        // The opening and a window from the middle must agree: a text that opens in one
        // language and goes on in another is judged on the longer sample.
        let half = (text.len() / 2..text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
        let middle = Some(text[half..].trim_start_matches(|c: char| !c.is_whitespace()));
        if let Some(middle) = middle.filter(|_| 2 * opening.len() < text.len() && !is_short(opening)) {
            if let Some(settled) = self.settled_by(opening) {
                let agrees =
                    self.settled_by(sample(middle, OPENING_CHARS)).is_some_and(|m| m.language == settled.language);
                if agrees {
                    return settled;
                }
            }
        }
        self.full(sample(text, SAMPLE_CHARS))
    }

    fn agrees(&self, text: &str, language: &str) -> bool {
        self.common.as_ref().is_some_and(|c| c.agrees(text, language))
    }
}

/// The first `chars` characters of a text, cut at a word break.
fn sample(text: &str, chars: usize) -> &str {
    match text.char_indices().nth(chars) {
        None => text,
        Some((end, _)) => text[..end].rfind(char::is_whitespace).map_or(&text[..end], |cut| &text[..cut]),
    }
}

pub fn is_short(text: &str) -> bool {
    text.chars().nth(SHORT_TEXT_CHARS - 1).is_none()
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
    fn a_short_catalan_headline_is_named_or_too_unsure_never_taken_for_spanish() {
        let detector = LinguaDetector::new(&["es".into(), "en".into()]);
        let named = detector.detect("El govern aprova el pressupost");
        assert_eq!((named.language.as_deref(), named.leaning), (Some("ca"), None));
        // Too short to be sure: the desk language at its own low confidence, and the look-alike named.
        let leaning = detector.detect("La festa major");
        assert_eq!((leaning.language.as_deref(), leaning.leaning.as_deref()), (Some("es"), Some("ca")));
        assert!(leaning.confidence < 0.7, "{leaning:?}");
    }

    #[test]
    fn no_letters_no_language() {
        let detector = LinguaDetector::new(&["es".into(), "en".into()]);
        assert_eq!(detector.detect("12345 --- !!!").language, None);
    }
}
