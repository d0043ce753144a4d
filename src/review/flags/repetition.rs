//! Repetition: a translation that loops.

use super::words;

/// A word, or a run of two to six words, repeated three or more times in a row where the source
/// has no such run.
pub(super) fn repetition(source: &str, target: &str) -> Option<String> {
    let loop_in = |text: &str| -> Option<String> {
        let words: Vec<String> = words(text).map(str::to_lowercase).collect();
        for size in 1..=6 {
            let times = if size == 1 { 4 } else { 3 };
            for start in 0..words.len().saturating_sub(size * times - 1) {
                let gram = &words[start..start + size];
                let repeated = (1..times).all(|k| &words[start + k * size..start + (k + 1) * size] == gram);
                if repeated {
                    return Some(gram.join(" "));
                }
            }
        }
        None
    };
    let looped = loop_in(target)?;
    loop_in(source).is_none().then(|| format!("\"{looped}\" repeats"))
}
