//! What makes a backend's answer usable at all: one segment per segment sent, the same tags, no
//! unknown-word marks the input did not have.

use super::TranslateError;

/// A backend's answer is used only when it has one non-empty segment for each non-empty input,
/// with the same tags, and without unknown-word marks the input did not have.
pub fn verify(backend: &str, input: &[String], output: Vec<String>) -> Result<Vec<String>, TranslateError> {
    let fail = |message: String| Err(TranslateError::Verification { backend: backend.to_string(), message });
    if output.len() != input.len() {
        return fail(format!("{} segments sent, {} came back", input.len(), output.len()));
    }
    for (i, (sent, got)) in input.iter().zip(&output).enumerate() {
        if !sent.trim().is_empty() && got.trim().is_empty() {
            return fail(format!("segment {} came back empty", i + 1));
        }
        if crate::html::tag_names(sent) != crate::html::tag_names(got) {
            return fail(format!("segment {} lost, gained or changed tags", i + 1));
        }
        if let Some(mark) = unknown_word_marks(got).find(|m| !sent.contains(m)) {
            return fail(format!("segment {} has an unknown-word mark: {mark:?}", i + 1));
        }
    }
    Ok(output)
}

/// Words Apertium marks as unknown (`*word`), untranslatable (`@word`) or ungenerated (`#word`).
fn unknown_word_marks(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || c == '>' || c == '<')
        .filter(|w| w.len() > 1 && w.starts_with(['*', '@', '#']) && w[1..].starts_with(char::is_alphabetic))
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
        assert!(verify("t", &input, vec!["Hola".into(), "<b href=\"x\">Mundo</b>".into()]).is_err());
        assert!(verify("t", &input, vec!["*Hola".into(), "<a href=\"x\">Mundo</a>".into()]).is_err());
        assert!(verify("t", &["#news today".to_string()], vec!["#news hoy".into()]).is_ok());
        assert!(verify("t", &input, vec!["Hola".into(), "<a href=\"x\">Mundo</a>".into()]).is_ok());
    }
}
