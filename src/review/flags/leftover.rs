//! Words of the source language left in the translation (`berths` in a Spanish copy, a Russian
//! word in a Ukrainian one): a word of the source, written the same in the target, that the
//! target language's dictionary does not know. Engines leave such words when they have no
//! translation for them, and nothing else in a copy gives them away.
//!
//! What a translator rightly keeps is not a finding: names, brands and acronyms (capitalised),
//! numbers, addresses and hashtags, words the target language also uses (in its dictionary:
//! hotel, radio, taxi), words two other languages of the target's script also took in (gangster,
//! benchmark: an international word), the terms the glossary keeps, words in a name or title
//! kept as the source has it (Save the Children) and words the translator set in quotation marks.

use std::borrow::Cow;
use std::collections::HashSet;

use super::script::{script_of, script_of_language};
use crate::review::vocabulary::Vocabulary;

/// The words a target kept from its source, in the order they come, or `None` when the target
/// language has no dictionary to tell. `glossary` holds (term, required translation) pairs.
pub(super) fn left_words(
    from: &str,
    to: &str,
    source: &str,
    target: &str,
    glossary: &[(String, String)],
) -> Option<Vec<String>> {
    let target_vocabulary = Vocabulary::of(to)?;
    let target_script = script_of_language(to);
    let witnesses: Vec<_> = WITNESSES
        .iter()
        .filter(|w| **w != from && **w != to && script_of_language(w) == target_script)
        .filter_map(|w| Vocabulary::of(w))
        .collect();
    let source_words: Vec<&str> = plain_words(source).collect();
    let lower_in_source: HashSet<&str> =
        source_words.iter().copied().filter(|w| w.chars().next().is_some_and(char::is_lowercase)).collect();
    let source_bigrams: HashSet<(String, String)> =
        source_words.windows(2).map(|w| (w[0].to_lowercase(), w[1].to_lowercase())).collect();
    let quoted_in_source = quoted_words(source);
    let quoted_in_target = quoted_words(target);
    let target_words: Vec<&str> = plain_words(target).collect();
    let mut found: Vec<String> = Vec::new();
    for (i, &word) in target_words.iter().enumerate() {
        let lower = word.to_lowercase();
        let judged = word.chars().count() >= 3
            && word.chars().next().is_some_and(char::is_lowercase)
            && lower_in_source.contains(word)
            && !found.contains(&lower)
            && !glossary.iter().any(|(_, k)| k.to_lowercase().split_whitespace().any(|w| w == lower));
        // A dictionary may fold letters of other scripts away (the Ukrainian one drops Latin
        // letters): a word in another script than the target's is not the target's.
        let own_script = word.chars().all(|c| script_of(c) == target_script);
        if !judged || (own_script && target_vocabulary.knows(word)) {
            continue;
        }
        // A short word of a name or a title kept as the source has it (Save the Children,
        // Newport on the Levee): next to a capitalised word it also stands next to in the source.
        let short = word.chars().count() <= 4;
        let beside_capital = |j: Option<usize>, before: bool| {
            j.and_then(|j| target_words.get(j)).is_some_and(|other| {
                let pair =
                    if before { (other.to_lowercase(), lower.clone()) } else { (lower.clone(), other.to_lowercase()) };
                other.chars().next().is_some_and(char::is_uppercase) && source_bigrams.contains(&pair)
            })
        };
        if short && (beside_capital(i.checked_sub(1), true) || beside_capital(Some(i + 1), false)) {
            continue;
        }
        // A word two other languages of the target's script took in too (gangster, benchmark)
        // is an international one that translators keep.
        if witnesses.iter().filter(|v| v.knows(word) || v.knows(&capitalised(word))).count() >= 2 {
            continue;
        }
        // Set in quotation marks by the translator, not by the source: kept on purpose ("fake news").
        if quoted_in_target.contains(&lower) && !quoted_in_source.contains(&lower) {
            continue;
        }
        found.push(lower);
    }
    (!found.is_empty()).then_some(found)
}

/// Languages whose dictionaries tell an international word from one only the source has.
const WITNESSES: &[&str] = &["de", "fr", "es", "it", "pt", "nl", "pl", "ru", "uk", "be", "bg"];

/// German writes a noun it took in with a capital (Benchmark).
fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The words (lower case) that stand inside quotation marks.
fn quoted_words(text: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut depth = 0usize;
    let mut straight_open = false;
    let mut word = String::new();
    let mut flush = |word: &mut String, inside: bool| {
        if inside && !word.is_empty() {
            out.insert(word.to_lowercase());
        }
        word.clear();
    };
    for c in text.chars() {
        let inside = depth > 0 || straight_open;
        match c {
            '“' | '«' | '„' => {
                flush(&mut word, inside);
                depth += 1;
            }
            '”' | '»' if depth > 0 => {
                flush(&mut word, inside);
                depth -= 1;
            }
            '"' => {
                flush(&mut word, inside);
                straight_open = !straight_open;
            }
            c if c.is_alphabetic() => word.push(c),
            _ => flush(&mut word, inside),
        }
    }
    let inside = depth > 0 || straight_open;
    flush(&mut word, inside);
    out
}

/// A segment's text without what [`without_protected`] leaves out; `(html, text)` where the text
/// is the HTML's, already read.
pub(super) fn own_text<'a>((html, text): (&str, &'a str), from: &str) -> Cow<'a, str> {
    match without_protected(html, from) {
        Cow::Borrowed(_) => Cow::Borrowed(text),
        Cow::Owned(stripped) => Cow::Owned(crate::html::inline_text(&stripped)),
    }
}

/// Inline HTML without its quotations in another language than `from`, `translate="no"` spans
/// and code.
pub(super) fn without_protected<'a>(html: &'a str, from: &str) -> Cow<'a, str> {
    if !html.contains("<span ") && !html.contains("<code>") {
        return html.into();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        let tag_end = rest.find('>').map_or(rest.len(), |i| i + 1);
        let tag = &rest[..tag_end];
        let own_language = format!(" lang=\"{from}\"");
        let protected = tag == "<code>"
            || (tag.starts_with("<span ")
                && ((tag.contains(" lang=\"") && !tag.contains(&own_language)) || tag.contains("translate=\"no\"")));
        let close = if tag == "<code>" { "</code>" } else { "</span>" };
        match rest.find(close).filter(|_| protected) {
            Some(end) => {
                out.push(' ');
                rest = &rest[end + close.len()..];
            }
            None => {
                out.push_str(tag);
                rest = &rest[tag_end..];
            }
        }
    }
    out.push_str(rest);
    out.into()
}

/// The words of a text made of letters only, split at hyphens and apostrophes; addresses,
/// hashtags, handles and tokens with digits are left out.
fn plain_words(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace()
        .filter(|token| {
            let token = token.trim_matches(|c: char| !c.is_alphanumeric() && c != '#' && c != '@');
            !(token.starts_with(['#', '@'])
                || token.contains(['@', '/', '_'])
                || token.chars().any(|c| c.is_ascii_digit())
                || token.trim_end_matches('.').contains('.'))
        })
        .flat_map(|token| token.split(|c: char| !c.is_alphabetic()))
        .filter(|word| !word.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::Flag;
    use crate::review::flags::Checker;

    /// The untranslated finding's detail, with the system's dictionaries (`make test` installs
    /// hunspell-en-us, -es, -fr, -de-de, -ru and -uk).
    fn left(from: &str, to: &str, source: &str, target: &str) -> Option<String> {
        assert!(Vocabulary::of(to).is_some(), "no Hunspell dictionary for {to}: apt-get install hunspell-*");
        let checker = Checker::new(
            from,
            to,
            vec![("Tesla".into(), "Tesla".into()), ("newsdesk".into(), "newsdesk".into())],
            None,
        );
        checker.check(0, source, target).into_iter().find(|f| f.flag == Flag::Untranslated).map(|f| f.detail)
    }

    #[test]
    fn english_words_left_in_a_latin_script_copy_are_named() {
        let source = "The council approved 3,000 new berths for the port on Tuesday afternoon.";
        let target = "El consejo aprobó 3.000 nuevo berths para el puerto el martes por la tarde.";
        assert_eq!(left("en", "es", source, target).as_deref(), Some("left in English: berths"));
        let source = "Mayor Ana Lopez said work on the northern quay starts in May, after the dredging.";
        let target = "La alcaldesa Ana Lopez dijo que la obra en el quay norte empieza en mayo, tras el dredging.";
        assert_eq!(left("en", "es", source, target).as_deref(), Some("left in English: quay, dredging"));
        let source = "Heavy rainfall left debris on the ring road.";
        assert_eq!(
            left("en", "fr", source, "De fortes rainfall ont laissé des debris sur le périphérique.").as_deref(),
            Some("left in English: rainfall, debris")
        );
        let source = "The ferry was delayed by dredging at the quay.";
        assert_eq!(
            left("en", "de", source, "Die Fähre wurde durch dredging am Kai verspätet.").as_deref(),
            Some("left in English: dredging")
        );
    }

    #[test]
    fn words_of_the_same_script_left_in_a_cyrillic_copy_are_named() {
        let source = "Городской совет утвердил новый бюджет порта.";
        let target = "Міська рада затвердила новий бюджет порта, совет утвердил.";
        let found = left("ru", "uk", source, target).expect("Russian words in a Ukrainian copy");
        assert!(found.starts_with("left in Russian: ") && found.contains("совет"), "{found}");
        let source = "Міська рада схвалила новий бюджет порту.";
        let target = "Городской совет схвалила новый бюджет порта.";
        let found = left("uk", "ru", source, target).expect("Ukrainian words in a Russian copy");
        assert_eq!(found, "left in Ukrainian: схвалила");
        let source = "The council approved new berths for the port.";
        let target = "Рада затвердила нові berths для порту.";
        assert_eq!(left("en", "uk", source, target).as_deref(), Some("left in English: berths"));
    }

    #[test]
    fn what_a_translator_rightly_keeps_is_not_left_over() {
        let cases = [
            // Names, brands and acronyms.
            (
                "en",
                "es",
                "Mayor Ana Lopez met NATO and Tesla officials.",
                "La alcaldesa Ana Lopez se reunió con la OTAN y Tesla.",
            ),
            // Words the target language also uses.
            ("en", "es", "The hotel called a taxi and the radio played.", "El hotel llamó a un taxi y la radio sonó."),
            (
                "en",
                "fr",
                "The hotel called a taxi and the radio played.",
                "L'hôtel a appelé un taxi et la radio jouait.",
            ),
            (
                "en",
                "de",
                "The hotel called a taxi and the radio played.",
                "Das Hotel rief ein Taxi und das Radio lief.",
            ),
            // Addresses, hashtags, handles and numbers.
            (
                "en",
                "es",
                "Read more at weather.com, #dredging or @quayside now.",
                "Lea más en weather.com, #dredging o @quayside ahora.",
            ),
            // A glossary keep term, a quotation in another language, code.
            (
                "en",
                "es",
                "The newsdesk said <span lang=\"fr\">bon courage</span> and ran <code>make quay</code>.",
                "El newsdesk dijo <span lang=\"fr\">bon courage</span> y ejecutó <code>make quay</code>.",
            ),
            // A title kept as the source has it, and a word the translator set in quotes.
            ("en", "es", "Save the Children called it fake news.", "Save the Children lo llamó «fake news»."),
            // Words other languages took in too.
            ("en", "es", "The gangster set a new benchmark.", "El gangster marcó un nuevo benchmark."),
            ("ru", "uk", "Совет одобрил план.", "Рада схвалила план."),
            ("uk", "ru", "Рада схвалила план.", "Совет одобрил план."),
            ("en", "uk", "NATO and Tesla met in Kyiv.", "NATO і Tesla зустрілися в Києві."),
        ];
        for (from, to, source, target) in cases {
            assert_eq!(left(from, to, source, target), None, "{from}→{to}: {target}");
        }
    }

    #[test]
    fn quotations_in_another_language_and_code_are_left_out() {
        let html = r#"He said <span lang="fr">bon courage</span> and ran <code>make test</code>, <span translate="no">newswire</span>."#;
        assert_eq!(without_protected(html, "en"), "He said   and ran  ,  .");
        assert_eq!(without_protected("<b>plain</b>", "en"), "<b>plain</b>");
        let own = r#"a <span lang="en">quay</span>"#;
        assert_eq!(without_protected(own, "en"), own);
    }

    #[test]
    fn words_are_letters_only_and_addresses_are_not_words() {
        let words: Vec<&str> =
            plain_words("the dredging-work (see weather.com, #brexit, @ana_w) costs 3m — l'école's").collect();
        assert_eq!(words, ["the", "dredging", "work", "see", "costs", "l", "école", "s"]);
    }
}
