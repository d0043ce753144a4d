//! Quality flags: the failures newsrooms find in machine translation (a number changed, a name
//! translated, a preamble, a passage left out, a loop), looked for in each translated segment.
//! Each check reads the source and the target as a person would; it errs towards silence, since
//! a flag holds a copy for an editor.

use std::collections::HashMap;
use std::sync::Arc;

use crate::detect::Detector;
use crate::html::inline_text;
pub use crate::quality::{Finding, Flag, ALL};

/// The checks for one language pair.
#[derive(Clone)]
pub struct Checker {
    from: String,
    to: String,
    /// (source term, required translation) pairs.
    glossary: Vec<(String, String)>,
    /// Tells the language of a target long enough to tell.
    detector: Option<Arc<dyn Detector>>,
}

impl Checker {
    pub fn new(from: &str, to: &str, glossary: Vec<(String, String)>, detector: Option<Arc<dyn Detector>>) -> Self {
        Checker { from: from.to_string(), to: to.to_string(), glossary, detector }
    }

    /// Every flag one translated segment (inline HTML, both sides) deserves.
    pub fn check(&self, segment: usize, source_html: &str, target_html: &str) -> Vec<Finding> {
        let source = inline_text(source_html);
        let target = inline_text(target_html);
        let mut found = Vec::new();
        let mut flag =
            |flag: Flag, (detail, unusable): (String, bool)| found.push(Finding { segment, flag, detail, unusable });
        let usable = |detail: String| (detail, false);
        let unusable = |detail: String| (detail, true);
        if let Some(detail) = numbers(&source, &target) {
            flag(Flag::Numbers, usable(detail));
        }
        if let Some(detail) = kept(&links(source_html, &source, is_url), &links(target_html, &target, is_url)) {
            flag(Flag::Urls, usable(detail));
        }
        if let Some(detail) = kept(&emails(source_html, &source), &emails(target_html, &target)) {
            flag(Flag::Emails, usable(detail));
        }
        if let Some(detail) = self.names(&source, &target) {
            flag(Flag::Names, usable(detail));
        }
        if let Some(detail) = self.glossary(&source, &target) {
            flag(Flag::Glossary, usable(detail));
        }
        if let Some(found) = self.untranslated(&source, &target) {
            flag(Flag::Untranslated, found);
        }
        if let Some(detail) = self.script(&source, &target) {
            flag(Flag::Script, usable(detail));
        }
        if let Some(found) = self.length(&source, &target) {
            flag(Flag::Length, found);
        }
        if let Some(detail) = repetition(&source, &target) {
            flag(Flag::Repetition, unusable(detail));
        }
        if let Some(detail) = chatter(&source, &target) {
            flag(Flag::Chatter, unusable(detail));
        }
        if let Some(detail) = omission(&source, &target) {
            flag(Flag::Omission, unusable(detail));
        }
        found
    }

    fn names(&self, source: &str, target: &str) -> Option<String> {
        // German capitalises every noun: a capital says nothing about a name there.
        if self.from == "de" {
            return None;
        }
        let target_words: Vec<String> = words(target).map(fold).collect();
        // Across scripts a name is transliterated: its first letters are what can be compared.
        let across = script_of_language(&self.from) != script_of_language(&self.to);
        let glossary_targets: Vec<String> = self.glossary.iter().map(|(_, t)| t.to_lowercase()).collect();
        let mut missing = Vec::new();
        for name in proper_names(source) {
            let wanted = fold(name);
            let stem_letters = if across { 2 } else { name_stem(wanted.chars().count()) };
            let stem: String = wanted.chars().take(stem_letters).collect();
            let present = target_words.iter().any(|w| w.starts_with(&stem));
            let by_glossary = self
                .glossary
                .iter()
                .zip(&glossary_targets)
                .any(|((term, _), translation)| term.contains(name) && target.to_lowercase().contains(translation));
            if !present && !by_glossary && !missing.contains(&name) {
                missing.push(name);
            }
        }
        (!missing.is_empty()).then(|| format!("not in the translation: {}", missing.join(", ")))
    }

    fn glossary(&self, source: &str, target: &str) -> Option<String> {
        let source_lower = source.to_lowercase();
        let target_lower = target.to_lowercase();
        let missing: Vec<String> = self
            .glossary
            .iter()
            .filter(|(term, _)| contains_word(&source_lower, &term.to_lowercase()))
            .filter(|(_, translation)| !target_lower.contains(&translation.to_lowercase()))
            .map(|(term, translation)| format!("{term} → {translation}"))
            .collect();
        (!missing.is_empty()).then(|| format!("glossary term not used: {}", missing.join(", ")))
    }

    /// The target is the source, word for word (unusable), or mostly, or reads as another language.
    fn untranslated(&self, source: &str, target: &str) -> Option<(String, bool)> {
        let distinct = |text: &str| {
            let mut words: Vec<String> = words(text).map(str::to_lowercase).collect();
            words.sort();
            words.dedup();
            words
        };
        let (source_words, target_words) = (distinct(source), distinct(target));
        if source_words.len() >= 4 && target_words.len() >= 4 {
            let same = target_words.iter().filter(|w| source_words.contains(w)).count();
            if same * 10 >= target_words.len() * 8 {
                let echo = normalised(source) == normalised(target);
                let detail = match echo {
                    true => "the source came back as it was sent".to_string(),
                    false => format!("{same} of {} words are the source's", target_words.len()),
                };
                return Some((detail, echo));
            }
        }
        let detector = self.detector.as_ref()?;
        if target.chars().filter(|c| c.is_alphabetic()).count() < 60 {
            return None;
        }
        let detection = detector.detect(target);
        let language = detection.language?;
        let sure = language == self.from || detection.confidence >= 0.8;
        let detail = format!("reads as {language} (confidence {:.2}), not {}", detection.confidence, self.to);
        (language != self.to && sure).then_some((detail, false))
    }

    fn script(&self, source: &str, target: &str) -> Option<String> {
        let expected = script_of_language(&self.to);
        let source_words: Vec<String> = words(source).map(str::to_lowercase).collect();
        let strays: Vec<&str> = words(target)
            .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 3)
            .filter(|w| {
                let scripts: Vec<Script> = w.chars().filter(|c| c.is_alphabetic()).map(script_of).collect();
                let mixed = scripts.iter().any(|s| *s != scripts[0]);
                let foreign = scripts.iter().all(|s| *s != expected && *s != Script::Other);
                // A name or a brand (Apple in Ukrainian) keeps its letters; a common word does not.
                let name = w.chars().next().is_some_and(char::is_uppercase) && source_words.contains(&w.to_lowercase());
                mixed || (foreign && !name)
            })
            .collect();
        (!strays.is_empty()).then(|| format!("letters of another script: {}", first_few(&strays)))
    }

    /// The length ratio is an outlier for the pair; far too short is a passage cut off.
    fn length(&self, source: &str, target: &str) -> Option<(String, bool)> {
        let source_chars = source.chars().filter(|c| !c.is_whitespace()).count();
        let target_chars = target.chars().filter(|c| !c.is_whitespace()).count();
        if source_chars < 40 {
            return None;
        }
        let expected = density(&self.to) / density(&self.from);
        let ratio = target_chars as f64 / source_chars as f64;
        let (low, high) = (expected * 0.5, expected * 2.0);
        (ratio < low || ratio > high).then(|| {
            let detail = format!(
                "{target_chars} characters for {source_chars}: ratio {ratio:.2}, expected {low:.2}–{high:.2} for {}→{}",
                self.from, self.to
            );
            (detail, ratio < low)
        })
    }
}

/// Digits a number is made of, separators aside: 3,000 = 3.000 = 3 000 and 1.5 = 1,5.
fn numbers(source: &str, target: &str) -> Option<String> {
    let mut wanted: HashMap<String, usize> = HashMap::new();
    for n in number_tokens(source) {
        *wanted.entry(n).or_default() += 1;
    }
    for n in number_tokens(target) {
        if let Some(count) = wanted.get_mut(&n) {
            *count = count.saturating_sub(1);
        }
    }
    let mut missing: Vec<String> = wanted.into_iter().filter(|(_, c)| *c > 0).map(|(n, _)| n).collect();
    missing.sort();
    (!missing.is_empty()).then(|| format!("numbers of the source missing: {}", missing.join(", ")))
}

/// Each number of a text as its digits, with thousands and decimal separators dropped.
fn number_tokens(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let mut digits = String::new();
        while i < chars.len() {
            if chars[i].is_ascii_digit() {
                digits.push(chars[i]);
                i += 1;
            } else if is_number_separator(chars[i]) && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
                // A space separates thousands only before exactly three digits.
                let group = chars[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                if chars[i].is_whitespace() && group != 3 {
                    break;
                }
                i += 1;
            } else {
                break;
            }
        }
        out.push(digits);
    }
    out
}

fn is_number_separator(c: char) -> bool {
    matches!(c, ',' | '.' | ' ' | '\u{a0}' | '\u{202f}' | '\'' | '’')
}

fn is_url(word: &str) -> bool {
    word.starts_with("http://") || word.starts_with("https://") || word.starts_with("www.")
}

/// The URLs of a segment: its links' targets and the addresses in its text.
fn links(html: &str, text: &str, keep: fn(&str) -> bool) -> Vec<String> {
    let mut found: Vec<String> = html
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(crate::html::unescape)
        .filter(|u| keep(u))
        .collect();
    found.extend(
        text.split_whitespace()
            .map(|w| w.trim_end_matches(['.', ',', ';', ':', ')', '»', '"', '!', '?']))
            .filter(|w| keep(w))
            .map(str::to_string),
    );
    found
}

fn emails(html: &str, text: &str) -> Vec<String> {
    let mut found: Vec<String> = links(html, "", |u| u.starts_with("mailto:"))
        .into_iter()
        .map(|u| u.trim_start_matches("mailto:").to_string())
        .collect();
    found.extend(
        text.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '<' | '>' | ',' | ';' | '«' | '»'))
            .map(|w| w.trim_end_matches(['.', ':', '!', '?']))
            .filter(|w| {
                let mut parts = w.split('@');
                matches!((parts.next(), parts.next(), parts.next()), (Some(user), Some(host), None)
                    if !user.is_empty() && host.contains('.') && !host.ends_with('.'))
            })
            .map(str::to_string),
    );
    found
}

/// What of `wanted` the target lacks.
fn kept(wanted: &[String], got: &[String]) -> Option<String> {
    let missing: Vec<&str> = wanted.iter().filter(|w| !got.contains(w)).map(String::as_str).collect();
    (!missing.is_empty()).then(|| format!("not in the translation: {}", first_few(&missing)))
}

/// Capitalised words that do not start a sentence, and all-capital words (acronyms): names.
fn proper_names(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut sentence_start = true;
    for raw in text.split_whitespace() {
        let word = raw.trim_matches(|c: char| !c.is_alphanumeric());
        let starts = sentence_start;
        sentence_start = raw.ends_with(['.', '!', '?', ':', '…']) || raw.ends_with(".\"") || raw.ends_with(".”");
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        if letters < 2 || !word.chars().next().is_some_and(char::is_uppercase) {
            continue;
        }
        let acronym = word.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase);
        let opens = raw.starts_with(['"', '“', '«', '(', '\'', '‘']);
        if acronym || (!starts && !opens && !is_common_capital(word)) {
            names.push(word);
        }
    }
    names
}

/// Capitalised in English but translated as ordinary words: days, months, titles, nationalities.
fn is_common_capital(word: &str) -> bool {
    const WORDS: &[&str] = &[
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "President",
        "Prime",
        "Minister",
        "Senator",
        "Governor",
        "King",
        "Queen",
        "Prince",
        "Pope",
        "General",
        "Judge",
        "Secretary",
        "Chancellor",
        "Mayor",
        "Professor",
        "Saint",
        "St",
        "Sir",
        "Lady",
        "Lord",
        "Parliament",
        "Government",
        "Congress",
        "Senate",
        "House",
        "Court",
        "Supreme",
        "Ministry",
        "Department",
        "Army",
        "Navy",
        "Police",
        "Church",
        "Internet",
        "Christmas",
        "Easter",
        "North",
        "South",
        "East",
        "West",
        "Northern",
        "Southern",
        "Eastern",
        "Western",
        "Central",
        "Union",
        "United",
        "States",
        "Kingdom",
        "Republic",
        "National",
        "International",
        "Foreign",
        "Council",
        "Commission",
        "European",
    ];
    let nationality = ["ian", "ean", "ish", "ese", "can", "ans"].iter().any(|end| word.ends_with(end));
    nationality || WORDS.contains(&word)
}

/// How much of a name must stand in the target: names decline (Stone → Stonea, Стоуна).
fn name_stem(letters: usize) -> usize {
    match letters {
        0..=4 => letters.min(3),
        _ => (letters - 2).min(6),
    }
}

/// Lower case, and Cyrillic or Greek read as Latin letters, so a name transliterated still
/// matches (Stone → Стоун → stoun).
fn fold(word: &str) -> String {
    let mut out = String::new();
    for c in word.to_lowercase().chars() {
        out.push_str(match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'ґ' => "g",
            'д' => "d",
            'е' | 'є' | 'э' | 'ё' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' | 'і' | 'ї' | 'ы' | 'й' => "i",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' | 'ў' => "u",
            'ф' => "f",
            'х' => "h",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "sch",
            'ю' => "yu",
            'я' => "ya",
            'ь' | 'ъ' | '\'' | '’' => "",
            'á' | 'à' | 'â' | 'ä' | 'ą' => "a",
            'é' | 'è' | 'ê' | 'ë' | 'ę' | 'ė' => "e",
            'í' | 'ì' | 'î' | 'ï' | 'į' => "i",
            'ó' | 'ò' | 'ô' | 'ö' => "o",
            'ú' | 'ù' | 'û' | 'ü' | 'ū' | 'ų' => "u",
            _ => {
                out.push(c);
                continue;
            }
        });
    }
    // Transliteration spells some sounds two ways: compare their common letters.
    out.replace("ou", "u").replace("oo", "u").replace("ee", "i").replace('y', "i").replace('w', "v").replace("ck", "k")
}

/// Words in lower case, without punctuation: what an echo keeps.
fn normalised(text: &str) -> Vec<String> {
    words(text).map(str::to_lowercase).collect()
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\'' || c == '’')).filter(|w| !w.is_empty())
}

fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Cyrillic,
    Greek,
    Arabic,
    Han,
    Other,
}

fn script_of(c: char) -> Script {
    match c as u32 {
        0x41..=0x24F | 0x1E00..=0x1EFF => Script::Latin,
        0x400..=0x52F => Script::Cyrillic,
        0x370..=0x3FF => Script::Greek,
        0x600..=0x6FF => Script::Arabic,
        0x3040..=0x30FF | 0x4E00..=0x9FFF => Script::Han,
        _ => Script::Other,
    }
}

fn script_of_language(code: &str) -> Script {
    match code {
        "ru" | "uk" | "be" | "bg" | "sr" | "mk" | "kk" => Script::Cyrillic,
        "el" => Script::Greek,
        "ar" | "fa" => Script::Arabic,
        "zh" | "ja" => Script::Han,
        _ => Script::Latin,
    }
}

/// Characters (without spaces) a language uses for what English says in one: the target/source
/// ratio a pair expects is the quotient of its two.
fn density(code: &str) -> f64 {
    match code {
        "es" | "fr" | "pt" | "it" | "ro" | "ca" => 1.15,
        "de" | "nl" | "sv" => 1.18,
        "ru" | "uk" | "be" | "bg" | "pl" | "cs" | "lt" | "lv" => 1.1,
        "fi" | "et" | "hu" | "tr" => 1.12,
        "el" => 1.2,
        "ar" => 0.9,
        "zh" => 0.3,
        "ja" => 0.45,
        _ => 1.0,
    }
}

/// A word, or a run of two to six words, repeated three or more times in a row where the source
/// has no such run.
fn repetition(source: &str, target: &str) -> Option<String> {
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

/// Words a language model puts around a translation, or instead of one.
const CHATTER: &[&str] = &[
    "here is the translation",
    "here's the translation",
    "here is a translation",
    "here's a translation",
    "here is the translated",
    "translation:",
    "translated text:",
    "as an ai",
    "i cannot translate",
    "i can't translate",
    "i'm sorry, but",
    "i am sorry, but",
    "note: the",
    "(note:",
    "voici la traduction",
    "traduction :",
    "aquí está la traducción",
    "aquí tienes la traducción",
    "traducción:",
    "hier ist die übersetzung",
    "übersetzung:",
    "ecco la traduzione",
    "вот перевод",
    "перевод:",
    "ось переклад",
    "переклад:",
    "oto tłumaczenie",
    "lo siento, pero",
    "no puedo traducir",
    "je ne peux pas traduire",
    "я не могу перевести",
];

fn chatter(source: &str, target: &str) -> Option<String> {
    let target = target.to_lowercase();
    let source = source.to_lowercase();
    // A story that quotes a refusal is translated into one.
    if CHATTER.iter().any(|phrase| source.contains(phrase)) {
        return None;
    }
    let found = CHATTER.iter().find(|phrase| target.contains(**phrase))?;
    Some(format!("\"{found}\" is the model talking, not the story"))
}

fn omission(source: &str, target: &str) -> Option<String> {
    let (wanted, got) = (sentences(source), sentences(target));
    (wanted >= 2 && got * 3 < wanted * 2).then(|| format!("{got} sentences for the source's {wanted}"))
}

/// Sentences: runs of words ended by a full stop, a question or exclamation mark.
fn sentences(text: &str) -> usize {
    let mut count = 0;
    let mut open = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() {
            open = true;
        } else if matches!(c, '.' | '!' | '?' | '…' | '。' | '！' | '？') && open {
            let next = chars.peek().copied();
            if next.is_none_or(|n| n.is_whitespace() || matches!(n, '"' | '”' | '»' | '\'' | ')')) {
                count += 1;
                open = false;
            }
        }
    }
    count + usize::from(open)
}

fn first_few(items: &[&str]) -> String {
    let mut shown: Vec<&str> = items.iter().take(5).copied().collect();
    shown.dedup();
    let more = items.len().saturating_sub(5);
    match more {
        0 => shown.join(", "),
        _ => format!("{} and {more} more", shown.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(from: &str, to: &str, source: &str, target: &str) -> Vec<Flag> {
        Checker::new(from, to, Vec::new(), None).check(0, source, target).into_iter().map(|f| f.flag).collect()
    }

    #[test]
    fn numbers_may_change_their_separators_but_not_their_digits() {
        assert_eq!(flags("en", "es", "3,000 people came.", "Vinieron 3.000 personas."), vec![]);
        assert_eq!(flags("en", "fr", "It cost 3,000 euros.", "Cela a coûté 3 000 euros."), vec![]);
        assert_eq!(flags("en", "de", "Up 1.5%.", "Plus 1,5 %."), vec![]);
        assert_eq!(flags("en", "es", "On 13 August", "El 13 de agosto"), vec![]);
        assert_eq!(flags("en", "es", "It cost 3,000 euros.", "Costó 3.500 euros."), vec![Flag::Numbers]);
        assert_eq!(flags("en", "uk", "In 2024, 45% voted.", "У 2023 році проголосували 45%."), vec![Flag::Numbers]);
        let detail = Checker::new("en", "es", vec![], None).check(2, "Rose 12%.", "Subió 21%.");
        assert_eq!(detail[0].segment, 2);
        assert_eq!(detail[0].detail, "numbers of the source missing: 12");
    }

    #[test]
    fn links_and_addresses_are_kept() {
        let source = r#"See <a href="https://example.org/a">the report</a> or write to desk@example.org."#;
        let kept = r#"Vea <a href="https://example.org/a">el informe</a> o escriba a desk@example.org."#;
        assert_eq!(flags("en", "es", source, kept), vec![]);
        let changed = r#"Vea <a href="https://example.org/b">el informe</a> o escriba a desk@example.org."#;
        assert_eq!(flags("en", "es", source, changed), vec![Flag::Urls]);
        let lost = r#"Vea <a href="https://example.org/a">el informe</a> o escriba a la redacción."#;
        assert_eq!(flags("en", "es", source, lost), vec![Flag::Emails]);
    }

    #[test]
    fn names_stay_names() {
        assert_eq!(flags("en", "es", "Adviser Roger Stone spoke.", "Habló el asesor Roger Piedra."), vec![Flag::Names]);
        assert_eq!(flags("en", "es", "Adviser Roger Stone spoke.", "Habló el asesor Roger Stone."), vec![]);
        // Transliterated and declined, a name is still kept.
        assert_eq!(flags("en", "uk", "They met Roger Stone.", "Вони зустріли Роджера Стоуна."), vec![]);
        assert_eq!(flags("en", "es", "NATO met on Monday.", "La OTAN se reunió el lunes."), vec![Flag::Names]);
        assert_eq!(flags("en", "es", "The President spoke on Monday.", "El presidente habló el lunes."), vec![]);
        assert_eq!(flags("de", "en", "Die Regierung tagte.", "The government met."), vec![]);
        let glossary = vec![("NATO".to_string(), "OTAN".to_string())];
        let checker = Checker::new("en", "es", glossary, None);
        assert_eq!(checker.check(0, "NATO met.", "La OTAN se reunió."), vec![]);
    }

    #[test]
    fn glossary_terms_come_out_as_required() {
        let glossary = vec![("Supreme Court".to_string(), "Tribunal Supremo".to_string())];
        let checker = Checker::new("en", "es", glossary, None);
        let found = checker.check(0, "The Supreme Court ruled.", "La Corte Suprema dictaminó.");
        assert!(found.iter().any(|f| f.flag == Flag::Glossary), "{found:?}");
        assert_eq!(checker.check(0, "The Supreme Court ruled.", "El Tribunal Supremo dictaminó."), vec![]);
    }

    #[test]
    fn an_echoed_source_is_untranslated() {
        let text = "The council approved the new budget on Tuesday evening.";
        let echo = Checker::new("en", "es", vec![], None).check(0, text, text);
        assert_eq!((echo[0].flag, echo[0].unusable), (Flag::Untranslated, true), "the source echoed is unusable");
        let mostly = Checker::new("en", "es", vec![], None).check(0, text, &format!("{text} [es]"));
        assert_eq!((mostly[0].flag, mostly[0].unusable), (Flag::Untranslated, false), "{mostly:?}");
        // A short headline made of a name may stay as it is.
        assert_eq!(flags("en", "es", "Roger Stone", "Roger Stone"), vec![]);
    }

    #[test]
    fn a_target_in_another_language_is_untranslated() {
        let languages: Vec<String> = ["en", "es", "fr"].iter().map(|l| l.to_string()).collect();
        let detector: Arc<dyn Detector> = Arc::new(crate::detect::LinguaDetector::new(&languages));
        let checker = Checker::new("en", "es", vec![], Some(detector));
        let source = "The regional government announced on Monday a new plan for public transport in the valley.";
        let french =
            "Le gouvernement régional a annoncé lundi un nouveau plan pour les transports publics de la vallée.";
        let found = checker.check(0, source, french);
        assert_eq!(found.iter().map(|f| f.flag).collect::<Vec<_>>(), vec![Flag::Untranslated], "{found:?}");
        assert!(found[0].detail.starts_with("reads as fr"), "{found:?}");
        let spanish = "El gobierno regional anunció el lunes un nuevo plan para el transporte público del valle.";
        assert_eq!(checker.check(0, source, spanish), vec![]);
    }

    #[test]
    fn the_wrong_script_is_found() {
        let found = flags("en", "uk", "The government met today.", "Уряд зустрівся today.");
        assert_eq!(found, vec![Flag::Script]);
        assert_eq!(flags("en", "uk", "Apple shares rose.", "Акції Apple зросли."), vec![]);
        // A Latin letter hiding in a Cyrillic word.
        assert_eq!(flags("en", "uk", "Kyiv is calm.", "Kиїв спокійний."), vec![Flag::Script]);
    }

    #[test]
    fn length_bounds_depend_on_the_pair() {
        let source = "The council approved the new budget on Tuesday evening after a long debate.";
        assert_eq!(
            flags(
                "en",
                "es",
                source,
                "El consejo aprobó el nuevo presupuesto el martes por la noche tras un largo debate."
            ),
            vec![]
        );
        let cut = Checker::new("en", "es", vec![], None).check(0, source, "El consejo aprobó.");
        assert!(cut.iter().any(|f| f.flag == Flag::Length && f.unusable), "{cut:?}");
        // Chinese is short: a quarter of the characters is what the pair expects.
        assert_eq!(flags("en", "zh", source, "议会在长时间辩论后于周二晚上批准了新预算。"), vec![]);
        // A short headline is never judged by its length.
        assert_eq!(flags("en", "es", "Budget passes", "Aprobado el presupuesto municipal de este año"), vec![]);
    }

    #[test]
    fn loops_are_repetition_unless_the_source_repeats_too() {
        let found = flags("en", "es", "The vote was close.", "La votación fue muy muy muy muy muy reñida.");
        assert_eq!(found, vec![Flag::Repetition]);
        let found = flags(
            "en",
            "es",
            "Prices rose again this week in the capital.",
            "Los precios subieron de nuevo de nuevo de nuevo de nuevo esta semana en la capital.",
        );
        assert!(found.contains(&Flag::Repetition), "{found:?}");
        assert_eq!(flags("en", "es", "No, no, no, no!", "¡No, no, no, no!"), vec![]);
    }

    #[test]
    fn a_model_talking_is_chatter() {
        let found = flags("en", "es", "The mayor resigned.", "Aquí está la traducción: El alcalde dimitió.");
        assert_eq!(found, vec![Flag::Chatter]);
        let found = flags("en", "ru", "The mayor resigned.", "Вот перевод: мэр ушёл в отставку.");
        assert_eq!(found, vec![Flag::Chatter]);
        assert_eq!(flags("en", "es", "I'm sorry, but I cannot translate this.", "Lo siento, pero no puedo."), vec![]);
        assert_eq!(flags("en", "fr", "The mayor resigned.", "Le maire a démissionné."), vec![]);
    }

    #[test]
    fn a_passage_left_out_is_omission() {
        let source = "The mayor resigned. Her deputy takes over. Elections follow in May.";
        let found = flags("en", "es", source, "La alcaldesa dimitió.");
        assert!(found.contains(&Flag::Omission), "{found:?}");
        let whole = "La alcaldesa dimitió. Su adjunto la sustituye. Las elecciones serán en mayo.";
        assert_eq!(flags("en", "es", source, whole), vec![]);
        assert_eq!(flags("en", "es", "Mr. Smith left.", "El Sr. Smith se fue."), vec![]);
    }

    #[test]
    fn flags_have_stable_names() {
        for flag in ALL {
            assert_eq!(Flag::parse(flag.as_str()), Some(*flag));
            assert_eq!(serde_json::to_value(flag).unwrap(), flag.as_str());
        }
    }
}
