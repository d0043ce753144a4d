//! The desk's rule for accepting a detection: a language it handles, at a confidence it trusts.
//! Short texts are judged on little evidence and need a surer call; a page that declares the same
//! language (`<html lang>`) is evidence for it and halves what is needed.

use super::{is_short, Detection};

/// The least confidence a short text (under [`super::SHORT_TEXT_CHARS`]) needs, whatever the desk says.
pub const SHORT_TEXT_MIN_CONFIDENCE: f64 = 0.7;

/// How much of the needed confidence a matching `<html lang>` declaration stands in for.
const DECLARED_LANGUAGE_DISCOUNT: f64 = 0.5;

pub struct Policy<'a> {
    /// The desk's languages.
    pub languages: &'a [String],
    /// The desk's `min_confidence`.
    pub min_confidence: f64,
}

impl Policy<'_> {
    /// The article's language, or why it is skipped.
    pub fn accept(&self, detection: &Detection, text: &str, declared: Option<&str>) -> Result<String, String> {
        let Some(language) = detection.language.clone() else {
            return Err("language undetermined (no text to judge)".into());
        };
        let mut needed = self.min_confidence;
        if is_short(text) {
            needed = needed.max(SHORT_TEXT_MIN_CONFIDENCE);
        }
        let declared = declared.map(|l| l.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase());
        if declared.as_deref() == Some(language.as_str()) {
            needed *= DECLARED_LANGUAGE_DISCOUNT;
        }
        if detection.confidence < needed {
            let leaning = detection
                .leaning
                .as_ref()
                .map(|l| format!("; it leans towards {l}, not in this pipeline"))
                .unwrap_or_default();
            return Err(format!(
                "language undetermined (best guess {language} at {:.2}, below the {needed:.2} needed{leaning})",
                detection.confidence
            ));
        }
        if !self.languages.contains(&language) {
            return Err(format!("language {language} not in this pipeline"));
        }
        Ok(language)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detection(language: &str, confidence: f64) -> Detection {
        Detection { language: Some(language.into()), confidence, leaning: None }
    }

    const LONG: &str = "A text long enough not to count as short: it goes on for well over one hundred and twenty characters, as the body of any article does.";

    #[test]
    fn a_sure_detection_in_a_desk_language_is_accepted() {
        let languages = ["en".to_string(), "es".to_string()];
        let policy = Policy { languages: &languages, min_confidence: 0.5 };
        assert_eq!(policy.accept(&detection("es", 0.9), LONG, None), Ok("es".into()));
        let out = policy.accept(&detection("fr", 0.9), LONG, None).unwrap_err();
        assert_eq!(out, "language fr not in this pipeline");
    }

    #[test]
    fn short_texts_need_a_surer_call_unless_the_page_declares_the_language() {
        let languages = ["es".to_string()];
        let policy = Policy { languages: &languages, min_confidence: 0.5 };
        let unsure = policy.accept(&detection("es", 0.6), "Un titular corto", None).unwrap_err();
        assert!(unsure.contains("below the 0.70 needed"), "{unsure}");
        assert_eq!(policy.accept(&detection("es", 0.6), LONG, None), Ok("es".into()));
        assert_eq!(policy.accept(&detection("es", 0.4), "Un titular corto", Some("es-ES")), Ok("es".into()));
    }

    #[test]
    fn a_leaning_is_named_in_the_reason() {
        let languages = ["es".to_string()];
        let policy = Policy { languages: &languages, min_confidence: 0.7 };
        let leaning = Detection { language: Some("es".into()), confidence: 0.3, leaning: Some("ca".into()) };
        let reason = policy.accept(&leaning, "La festa major", None).unwrap_err();
        assert!(reason.ends_with("it leans towards ca, not in this pipeline)"), "{reason}");
        let none = Detection { language: None, confidence: 0.0, leaning: None };
        assert_eq!(policy.accept(&none, "", None).unwrap_err(), "language undetermined (no text to judge)");
    }
}
