//! Quality flags: the failures newsrooms find in machine translation (a number changed, a name
//! translated, a preamble, a passage left out, a loop), looked for in each translated segment.
//! Each check reads the source and the target as a person would; it errs towards silence, since
//! a flag holds a copy for an editor.

mod chatter;
mod leftover;

use std::sync::Arc;

use crate::detect::Detector;
use crate::html::inline_text;
pub use crate::quality::{Finding, Flag, ALL};
use crate::review::vocabulary::Vocabulary;

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

    pub fn from(&self) -> &str {
        &self.from
    }

    pub fn to(&self) -> &str {
        &self.to
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
        let left = self.left_words((source_html, &source), (target_html, &target));
        match (self.untranslated(&source, &target), left) {
            (Some(whole), None) | (Some(whole @ (_, true)), _) => flag(Flag::Untranslated, whole),
            (Some((detail, false)), Some(words)) => flag(Flag::Untranslated, usable(format!("{detail}; {words}"))),
            (None, Some(words)) => flag(Flag::Untranslated, usable(words)),
            (None, None) => {}
        }
        if let Some(detail) = self.script(&target) {
            flag(Flag::Script, usable(detail));
        }
        if let Some(found) = self.length(&source, &target) {
            flag(Flag::Length, found);
        }
        if let Some(detail) = repetition(&source, &target) {
            flag(Flag::Repetition, unusable(detail));
        }
        if let Some(detail) = chatter::chatter(&source, &target) {
            flag(Flag::Chatter, unusable(detail));
        }
        if let Some(detail) = omission(&source, &target, density(&self.to) / density(&self.from)) {
            flag(Flag::Omission, unusable(detail));
        }
        found
    }

    /// Names that should have come through: a person's name where part of it did (Roger Stone →
    /// Roger Piedra), a name after a title (Mr. Stone), an acronym where the target has none.
    /// Places and organisations are translated (Wales → Gales, EU → UE), so a name that is
    /// wholly gone is not judged, unless a title says it is a person's, and a common word before
    /// a name's last word (New York → Nueva York) is translated too.
    fn names(&self, source: &str, target: &str) -> Option<String> {
        // German capitalises every noun: a capital says nothing about a name there.
        if self.from == "de" {
            return None;
        }
        let target_words: Vec<String> = words(target).flat_map(|w| w.split('-')).map(fold).collect();
        let target_skeletons: Vec<String> = target_words.iter().map(|w| skeleton(w)).collect();
        // Across scripts a name is transliterated: its first letters are what can be compared.
        let across = script_of_language(&self.from) != script_of_language(&self.to);
        let target_lower = target.to_lowercase();
        let kept = |name: &str| {
            let wanted = fold(name);
            let by_glossary = self
                .glossary
                .iter()
                .any(|(term, translation)| term.contains(name) && target_lower.contains(&translation.to_lowercase()));
            if by_glossary {
                return true;
            }
            if across {
                // Transliteration keeps a name's consonants more than its vowels.
                let wanted = skeleton(&wanted);
                let head = |s: &str, from: usize| s.chars().skip(from).take(2).collect::<String>();
                // A sound may be added or dropped in front (Howard → Говард, Wayde → Уейд).
                return wanted.chars().count() < 2
                    || target_skeletons.iter().any(|t| {
                        let (t0, t1, w0, w1) = (head(t, 0), head(t, 1), head(&wanted, 0), head(&wanted, 1));
                        t0 == w0 || t1 == w1 || t1 == w0 || t0 == w1
                    });
            }
            let stem: String = wanted.chars().take(name_stem(wanted.chars().count())).collect();
            target_words.iter().any(|w| w.starts_with(&stem))
        };
        let mut missing: Vec<&str> = Vec::new();
        // l'OTAN is an acronym too.
        let target_has_acronym = words(target).flat_map(|w| w.split(['\'', '’'])).any(is_acronym);
        for acronym in words(source).filter(|w| is_acronym(w)) {
            if !target_has_acronym && !kept(acronym) && !missing.contains(&acronym) {
                missing.push(acronym);
            }
        }
        // Before the last word of a name, a common word describes (New York, Counter Terrorism
        // Policing) and is translated; the last word is the name itself (Roger Stone, Donald Trump).
        let vocabulary = Vocabulary::of(&self.from);
        let descriptive = |run: &NameRun, name: &&str| {
            run.names.last() != Some(name) && vocabulary.as_ref().is_some_and(|v| v.knows(&name.to_lowercase()))
        };
        for run in name_runs(source, self.from == "en") {
            let found = run.names.iter().filter(|n| kept(n)).count();
            let judged = (found > 0 && found < run.names.len()) || (run.titled && found == 0);
            for name in run.names.iter().filter(|n| judged && !kept(n) && !descriptive(&run, n)) {
                if !missing.contains(name) {
                    missing.push(name);
                }
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
        // A line of names and scores (Dundee Stars 5-3 Belfast Giants) stays as it is.
        let names_only = words(source).all(|w| !w.chars().next().is_some_and(char::is_lowercase));
        if source_words.len() >= 4 && target_words.len() >= 4 && !names_only {
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

    /// Words of the source language the target kept: "left in English: berths, quay". Quotations
    /// kept in their own language and spans marked not to translate are the source's to keep.
    /// Each side is (inline HTML, its text).
    fn left_words(&self, source: (&str, &str), target: (&str, &str)) -> Option<String> {
        let (source, target) = (leftover::own_text(source, &self.from), leftover::own_text(target, &self.from));
        let found = leftover::left_words(&self.from, &self.to, &source, &target, &self.glossary)?;
        let language = crate::languages::by_code(&self.from).map_or(self.from.as_str(), |l| l.name);
        Some(format!("left in {language}: {}", found.join(", ")))
    }

    /// A word mixing scripts (a Latin K in Київ), or a common word in another script than the
    /// target's (an English word left in a Ukrainian copy). Names, brands and acronyms keep their
    /// letters (Apple, ITV), and so do addresses (weather.com).
    fn script(&self, target: &str) -> Option<String> {
        let expected = script_of_language(&self.to);
        let mut strays: Vec<&str> = Vec::new();
        for token in target.split_whitespace() {
            let token = token.trim_matches(|c: char| !c.is_alphanumeric());
            if token.contains(['.', '@', '/']) || token.chars().any(|c| c.is_ascii_digit()) {
                continue;
            }
            // Each part of a compound has a script of its own (VIP-билет, O'Хейген).
            for part in token.split(['-', '\'', '’']) {
                let scripts: Vec<Script> = part.chars().filter(|c| c.is_alphabetic()).map(script_of).collect();
                if scripts.len() < 3 {
                    continue;
                }
                let mixed = scripts.iter().any(|s| *s != scripts[0]);
                let foreign = scripts.iter().all(|s| *s != expected && *s != Script::Other);
                let name = part.chars().next().is_some_and(char::is_uppercase);
                if mixed || (foreign && !name) {
                    strays.push(part);
                }
            }
        }
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

/// Every number of the source in the target, by its digits (separators aside: 3,000 = 3.000 =
/// 3 000, 1.5 = 1,5, 7.55am = 7:55). What translators rightly change is excused: a decade
/// (1930s → años 30), a century in Roman numerals (19th → XIX), an afternoon hour (3 p.m. →
/// 15:00), a small number written out, and a measure converted (10 inches → 25 centímetros),
/// each only where the target has no number of its own that could be the changed one.
fn numbers(source: &str, target: &str) -> Option<String> {
    let found = number_tokens(target);
    let mut unmatched: Vec<Option<&Number>> = found.iter().map(Some).collect();
    let mut missing = Vec::new();
    let mut source_numbers = number_tokens(source);
    // The first number of a range has the unit of the second (1 to 4 inches).
    for i in (0..source_numbers.len().saturating_sub(1)).rev() {
        let ranged = ["to ", "- ", "and ", "or "].iter().any(|w| source_numbers[i].after.starts_with(w));
        if ranged && source_numbers[i + 1].is_measure() {
            source_numbers[i].unit =
                source_numbers[i + 1].unit.clone().or_else(|| Some(source_numbers[i + 1].after.clone()));
        }
    }
    for number in source_numbers {
        let matches = |n: &Number| n.digits == number.digits || number.renderings().contains(&n.digits);
        match unmatched.iter_mut().find(|slot| slot.is_some_and(matches)) {
            Some(slot) => *slot = None,
            None => missing.push(number),
        }
    }
    let extra = unmatched.iter().flatten().count();
    let roman = roman_numerals(target);
    missing.retain(|n| {
        let century = n.after.starts_with("th") || n.after.starts_with("st") || n.after.starts_with("nd");
        let excused = (century && n.value().is_some_and(|v| roman.contains(&v)))
            || (extra == 0 && n.value().is_some_and(|v| v <= 12))
            || (extra > 0 && n.is_measure())
            // A conversion in brackets (six metres (18 feet)) may be left out.
            || (n.bracketed && n.is_measure());
        !excused
    });
    let mut missing: Vec<String> = missing.into_iter().map(|n| n.digits).collect();
    missing.sort();
    missing.dedup();
    (!missing.is_empty()).then(|| format!("numbers of the source missing: {}", missing.join(", ")))
}

/// A number as written: its digits, and the word after it.
#[derive(Debug)]
struct Number {
    digits: String,
    after: String,
    /// The unit it shares with the next number of a range (1 to 4 inches).
    unit: Option<String>,
    /// It opens a bracket: `(18 feet)`.
    bracketed: bool,
}

impl Number {
    fn value(&self) -> Option<u64> {
        self.digits.parse().ok()
    }

    /// Other ways a translation may rightly write it.
    fn renderings(&self) -> Vec<String> {
        let mut out = Vec::new();
        // 0930 BST = 9:30.
        let unpadded = self.digits.trim_start_matches('0');
        if !unpadded.is_empty() && unpadded.len() < self.digits.len() {
            out.push(unpadded.to_string());
        }
        let after = self.after.to_lowercase();
        // $2 billion = 2000 millones, 3.1bn = 3100 millones.
        if after.starts_with("billion") || after.starts_with("bn") {
            out.extend(["0", "00", "000"].iter().map(|zeros| format!("{}{zeros}", self.digits)));
        }
        if after.starts_with('s') && self.digits.len() == 4 && self.digits.ends_with('0') {
            out.push(self.digits[2..].to_string());
        }
        let pm = after.starts_with("pm") || after.starts_with("p.m") || after.starts_with("p. m");
        let am = after.starts_with("am") || after.starts_with("a.m") || after.starts_with("a. m");
        match self.value() {
            // 3 p.m. = 15 = 15:00; 7 a.m. = 7:00.
            Some(hour) if pm && (1..12).contains(&hour) => {
                out.push((hour + 12).to_string());
                out.push(format!("{}00", hour + 12));
            }
            Some(hour) if (am || pm) && (1..=12).contains(&hour) => out.push(format!("{hour}00")),
            _ if pm && self.digits.len() >= 3 => {
                let (hour, minutes) = self.digits.split_at(self.digits.len() - 2);
                if let Ok(hour @ 1..=11) = hour.parse::<u64>() {
                    out.push(format!("{}{minutes}", hour + 12));
                }
            }
            _ => {}
        }
        out
    }

    fn is_measure(&self) -> bool {
        const IMPERIAL: &[&str] = &[
            "mile",
            "miles",
            "mph",
            "pound",
            "pounds",
            "lb",
            "lbs",
            "foot",
            "feet",
            "ft",
            "inch",
            "inches",
            "yard",
            "yards",
            "degree",
            "degrees",
            "°f",
            "fahrenheit",
            "gallon",
            "gallons",
            "acre",
            "acres",
            "ounce",
            "ounces",
            "oz",
            "-degree",
            "-foot",
            "-mile",
            "-pound",
            "-inch",
            "-yard",
        ];
        let after = self.unit.as_deref().unwrap_or(&self.after).to_lowercase();
        let word = after.split_whitespace().next().unwrap_or("").trim_end_matches([')', ',', '.', ';', ':']);
        IMPERIAL.contains(&word)
    }
}

/// Roman numerals in a text (XIX, XVII), as numbers.
fn roman_numerals(text: &str) -> Vec<u64> {
    words(text)
        .filter(|w| w.len() >= 2 && w.chars().all(|c| "IVXLC".contains(c)))
        .filter_map(|w| {
            let value = |c: char| match c {
                'I' => 1,
                'V' => 5,
                'X' => 10,
                'L' => 50,
                _ => 100,
            };
            let digits: Vec<u64> = w.chars().map(value).collect();
            let mut total = 0i64;
            for (i, d) in digits.iter().enumerate() {
                let d = *d as i64;
                total += if digits.get(i + 1).is_some_and(|n| (*n as i64) > d) { -d } else { d };
            }
            (total > 0).then_some(total as u64)
        })
        .collect()
}

/// Each number of a text as its digits, with thousands and decimal separators dropped.
fn number_tokens(text: &str) -> Vec<Number> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let before = chars[..i].iter().rev().find(|c| !matches!(c, '$' | '£' | '€' | '~'));
        let bracketed = before == Some(&'(');
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
        let rest: String = chars[i..].iter().take(16).collect();
        let after = rest.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
        out.push(Number { digits, after, unit: None, bracketed });
    }
    out
}

fn is_number_separator(c: char) -> bool {
    matches!(c, ',' | '.' | ':' | ' ' | '\u{a0}' | '\u{202f}' | '\'' | '’')
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

/// Words in capitals, three letters or more: NATO, FBI (two-letter ones, UK or TV, are as often
/// spelt out in the target).
fn is_acronym(word: &str) -> bool {
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 3 && letters.len() == word.chars().count() && letters.iter().all(|c| c.is_uppercase())
}

/// Capitalised words in a row, and whether a title (Mr, Sen., President) stood before them.
struct NameRun<'a> {
    names: Vec<&'a str>,
    titled: bool,
}

/// The runs of capitalised words of a text, skipping what English capitalises without being a
/// name (days, months, nationalities, a sentence's first word when it is a common one). A text
/// in headline case has none.
fn name_runs(text: &str, english: bool) -> Vec<NameRun<'_>> {
    let long: Vec<&str> = words(text).filter(|w| w.chars().count() >= 4).collect();
    let capitalised = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
    if long.len() >= 5 && long.iter().filter(|w| capitalised(w)).count() * 10 >= long.len() * 6 {
        return Vec::new();
    }
    let mut runs = Vec::new();
    let mut run = NameRun { names: Vec::new(), titled: false };
    let mut sentence_start = true;
    fn flush<'a>(run: &mut NameRun<'a>, runs: &mut Vec<NameRun<'a>>) {
        let names = std::mem::take(&mut run.names);
        // A committee, a street or a hurricane is named in the target's own words.
        let institution = names.iter().any(|n| is_institution(n));
        if !institution && (names.len() >= 2 || (run.titled && !names.is_empty())) {
            runs.push(NameRun { names, titled: run.titled });
        }
        run.titled = false;
    }
    for raw in text.split_whitespace() {
        let trimmed = raw.trim_matches(|c: char| !c.is_alphanumeric());
        let word = trimmed.trim_end_matches("'s").trim_end_matches("’s");
        let starts = sentence_start;
        sentence_start = ends_sentence(raw);
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        let capitals = word.chars().filter(|c| c.is_uppercase()).count();
        let name_like = letters >= 2 && capitalised(word) && capitals < letters && !word.starts_with("I'");
        if !name_like {
            flush(&mut run, &mut runs);
            continue;
        }
        if is_title(word) {
            flush(&mut run, &mut runs);
            run.titled = true;
            continue;
        }
        if is_common_capital(word) || is_sentence_opener(word) || (starts && !english) || word.contains('-') {
            flush(&mut run, &mut runs);
            continue;
        }
        run.names.push(word);
        // A comma or a full stop ends a name.
        if raw.ends_with([',', ';', ':', '.', ')', '"', '”']) {
            flush(&mut run, &mut runs);
        }
    }
    flush(&mut run, &mut runs);
    runs
}

/// Capitalised in English but translated as ordinary words: days, months, institutions,
/// nationalities and languages.
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
        "Prime",
        "King",
        "Queen",
        "Prince",
        "Princess",
        "Pope",
        "Saint",
        "St",
        "Lady",
        "Lord",
        "General",
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
        "Welsh",
        "French",
        "Dutch",
        "Swiss",
        "Thai",
        "Greek",
        "German",
        "Great",
        "Red",
        "Irish",
        "Scottish",
        "English",
        "British",
        "Spanish",
        "Polish",
        "Danish",
        "Swedish",
        "Finnish",
        "Turkish",
        "Jewish",
        "Muslim",
        "Christian",
        "Catholic",
        "Democrat",
        "Democrats",
        "Democratic",
        "Republican",
        "Republicans",
        "Labour",
        "Conservative",
        "Conservatives",
    ];
    let nationality = ["ian", "ean", "ese", "can", "ans"].iter().any(|end| word.ends_with(end));
    nationality || WORDS.contains(&word)
}

/// Nouns that make a run of capitalised words the name of a body, a place or an event.
fn is_institution(word: &str) -> bool {
    const HEADS: &[&str] = &[
        "Committee",
        "Office",
        "City",
        "Community",
        "Party",
        "Hurricane",
        "Storm",
        "Typhoon",
        "Street",
        "Avenue",
        "Road",
        "Square",
        "Bridge",
        "River",
        "Lake",
        "Mountain",
        "Mountains",
        "Island",
        "Islands",
        "Bay",
        "Park",
        "Center",
        "Centre",
        "Hospital",
        "University",
        "College",
        "School",
        "Airport",
        "Station",
        "Museum",
        "Agency",
        "Association",
        "Bank",
        "Company",
        "Group",
        "Club",
        "League",
        "Cup",
        "Championship",
        "Assembly",
        "Member",
        "Members",
        "Board",
        "Authority",
        "Institute",
        "Foundation",
        "Service",
        "Services",
        "Forces",
        "Force",
        "Guard",
        "Corps",
        "Organization",
        "Organisation",
        "Federation",
        "Alliance",
        "Front",
        "Movement",
        "Coast",
        "Ocean",
        "Sea",
        "Peninsula",
        "Valley",
        "Desert",
        "Plains",
        "State",
        "Province",
        "County",
        "Parish",
        "Region",
        "District",
        "Coroner",
        "Hall",
        "Tower",
        "Palace",
        "Cathedral",
        "Temple",
        "Mosque",
        "Festival",
        "Games",
        "Awards",
        "Prize",
        "Act",
        "Law",
        "Bill",
        "Treaty",
        "Agreement",
        "Day",
        "War",
        "Revolution",
        "Monitor",
        "Administration",
        "Commission",
        "Judiciary",
        "Police",
        "Department",
        "Court",
        "Senate",
        "Ministry",
        "Council",
        "Government",
        "Parliament",
        "Congress",
        "Union",
        "Church",
        "House",
        "Stadium",
        "Market",
        "Exchange",
        "Fund",
        "Times",
        "Post",
        "News",
        "Journal",
        "Telegraph",
    ];
    HEADS.contains(&word)
}

/// Words before a person's name: what follows them is a name that stays.
fn is_title(word: &str) -> bool {
    const TITLES: &[&str] = &[
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Sen",
        "Senator",
        "Rep",
        "Gov",
        "Governor",
        "President",
        "Rev",
        "Reverend",
        "Capt",
        "Captain",
        "Det",
        "Detective",
        "Gen",
        "Lt",
        "Col",
        "Sgt",
        "Prof",
        "Professor",
        "Judge",
        "Justice",
        "Minister",
        "Chancellor",
        "Mayor",
        "Sir",
        "Dame",
        "Father",
        "Officer",
        "Secretary",
        "Ambassador",
        "Coach",
        "Agent",
        "Inspector",
        "Speaker",
        "Commissioner",
        "Adviser",
        "Advisor",
        "Spokesman",
        "Spokeswoman",
    ];
    TITLES.contains(&word)
}

/// English words that open sentences with a capital and are no name.
fn is_sentence_opener(word: &str) -> bool {
    const OPENERS: &[&str] = &[
        "The",
        "A",
        "An",
        "And",
        "But",
        "Or",
        "So",
        "Yet",
        "In",
        "On",
        "At",
        "For",
        "Of",
        "To",
        "From",
        "With",
        "By",
        "As",
        "If",
        "When",
        "While",
        "After",
        "Before",
        "Since",
        "Until",
        "Although",
        "Though",
        "Because",
        "This",
        "That",
        "These",
        "Those",
        "It",
        "He",
        "She",
        "They",
        "We",
        "You",
        "His",
        "Her",
        "Their",
        "Our",
        "My",
        "Its",
        "There",
        "Here",
        "What",
        "Who",
        "How",
        "Why",
        "Where",
        "Some",
        "Many",
        "Most",
        "All",
        "Both",
        "Each",
        "One",
        "Two",
        "Three",
        "No",
        "Not",
        "Now",
        "Then",
        "Still",
        "Also",
        "However",
        "Meanwhile",
        "Other",
        "Others",
        "Such",
        "More",
        "Last",
        "Next",
        "First",
        "Even",
        "Only",
        "About",
        "Over",
        "Under",
        "During",
        "Despite",
        "Among",
        "Yes",
        "Well",
        "Just",
        "Watch",
        "Read",
        "See",
    ];
    OPENERS.contains(&word)
}

/// A token that ends a sentence: a full stop, a question or exclamation mark, not an abbreviation.
fn ends_sentence(raw: &str) -> bool {
    let raw = raw.trim_end_matches(['"', '”', '»', '\'', '’', ')']);
    if raw.ends_with(['!', '?', '…', '。', '！', '？']) {
        return true;
    }
    let Some(word) = raw.strip_suffix('.') else { return false };
    let word = word.trim_start_matches(|c: char| !c.is_alphanumeric());
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    // U.S., a.m., J. and Mr., St., Oct. are abbreviations.
    let dotted = word.contains('.');
    let initial = letters == 1 && word.chars().count() == 1;
    let abbreviation = is_title(word) || ABBREVIATIONS.contains(&word.to_lowercase().as_str());
    !(dotted || initial || abbreviation)
}

const ABBREVIATIONS: &[&str] = &[
    "st", "jr", "sr", "vs", "etc", "inc", "ltd", "co", "corp", "no", "nos", "fig", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "approx", "dept", "est", "gen", "pp", "vol", "sra",
    "sr", "dña", "d", "av", "avda", "ee", "uu", "hr", "nr", "bzw", "usw", "z", "b", "г", "гг", "ул", "им", "т", "д",
    "п", "р", "тыс", "млн", "млрд", "вул", "грн",
];

/// A folded name's consonants, spelt one way: what survives transliteration (Jones → gns,
/// Джонсу → gns).
fn skeleton(folded: &str) -> String {
    let spelt = folded
        .replace("dzh", "j")
        .replace("zh", "j")
        .replace("gh", "")
        .replace("ph", "f")
        .replace("kh", "h")
        .replace("ts", "c");
    let mut out = String::new();
    for c in spelt.chars() {
        let c = match c {
            'c' | 'q' => 'k',
            'w' => 'v',
            // Roger → Роджер, Jones → Джонс: g and j are one sound across these scripts.
            'j' => 'g',
            'z' => 's',
            c => c,
        };
        if "aeiouyh'’-".contains(c) || out.ends_with(c) {
            continue;
        }
        out.push(c);
    }
    out
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

/// Far fewer sentences, and far fewer characters than the pair expects: a translator who merges
/// two sentences keeps their words.
fn omission(source: &str, target: &str, expected_ratio: f64) -> Option<String> {
    let (wanted, got) = (sentences(source), sentences(target));
    let chars = |text: &str| text.chars().filter(|c| !c.is_whitespace()).count() as f64;
    let ratio = chars(target) / chars(source).max(1.0);
    (wanted >= 2 && got * 3 < wanted * 2 && ratio < expected_ratio * 0.75)
        .then(|| format!("{got} sentences for the source's {wanted}, and {:.0}% of its length", ratio * 100.0))
}

/// Sentences: runs of words ended by a full stop, a question or exclamation mark, with
/// abbreviations (Mr., U.S., a.m.) read as such.
fn sentences(text: &str) -> usize {
    let mut count = 0;
    let mut open = false;
    for raw in text.split_whitespace() {
        if raw.chars().any(char::is_alphanumeric) {
            open = true;
        }
        if open && ends_sentence(raw) {
            count += 1;
            open = false;
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
    fn numbers_translators_rightly_rewrite_are_excused() {
        let billions = "They invested $2 billion and €3.1bn.";
        assert_eq!(
            flags("en", "es", billions, "Invirtieron 2000 millones de dólares y 3100 millones de euros."),
            vec![]
        );
        assert_eq!(
            flags("en", "es", billions, "Invirtieron 3000 millones de dólares y 3100 millones de euros."),
            vec![Flag::Numbers]
        );
        let rain = "Expect 1 to 4 inches of rain.";
        assert_eq!(flags("en", "es", rain, "Se esperan entre 2 y 10 centímetros de lluvia."), vec![]);
        let waves = "Waves as high as six meters (18 feet) hit the town.";
        assert_eq!(flags("en", "es", waves, "Olas de hasta seis metros golpearon la ciudad."), vec![]);
        assert_eq!(
            flags("en", "es", "Waves of 18 feet hit the town.", "Olas golpearon la ciudad."),
            vec![Flag::Numbers]
        );
        assert_eq!(
            flags("en", "es", "Gates open at 0930 on Sunday.", "Las puertas abren a las 9:30 el domingo."),
            vec![]
        );
        assert_eq!(flags("en", "es", "It moved out in the 1930s.", "Se fue en los años 30."), vec![]);
        assert_eq!(flags("en", "es", "A 19th century view.", "Una visión del siglo XIX."), vec![]);
        assert_eq!(
            flags("en", "es", "Kick-off is at 3 p.m. on Thursday.", "El partido empieza el jueves a las 15:00."),
            vec![]
        );
        assert_eq!(flags("en", "es", "Found at 7.55am.", "Encontrada a las 7:55."), vec![]);
        assert_eq!(
            flags("en", "es", "At 2pm two vans came.", "A las dos de la tarde llegaron dos furgonetas."),
            vec![]
        );
        assert_eq!(flags("en", "es", "Up to 10 inches of rain.", "Hasta 25 centímetros de lluvia."), vec![]);
        // A small number changed into another is still a change.
        assert_eq!(
            flags("en", "es", "Three died and 4 were hurt.", "Murieron tres y 5 resultaron heridos."),
            vec![Flag::Numbers]
        );
        assert_eq!(flags("en", "es", "It cost 10 euros.", "Costó 12 euros."), vec![Flag::Numbers]);
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
        // A common word before the name itself describes it, and is translated.
        let source = "Fans crowded the streets of New York on Sunday.";
        let target = "Los aficionados llenaron las calles de Nueva York el domingo.";
        assert_eq!(flags("en", "es", source, target), vec![]);
        // Transliterated and declined, a name is still kept.
        assert_eq!(flags("en", "uk", "They met Roger Stone.", "Вони зустріли Роджера Стоуна."), vec![]);
        assert_eq!(flags("en", "es", "NATO met on Monday.", "La alianza se reunió el lunes."), vec![Flag::Names]);
        assert_eq!(flags("en", "es", "NATO met on Monday.", "La OTAN se reunió el lunes."), vec![]);
        assert_eq!(
            flags("en", "es", "Later, Mr. Trump said no.", "Después, el señor Triunfo dijo que no."),
            vec![Flag::Names]
        );
        assert_eq!(flags("en", "es", "Later, Mr. Trump said no.", "Después, el señor Trump dijo que no."), vec![]);
        // Places and organisations have names of their own in other languages.
        assert_eq!(
            flags("en", "es", "Voters in Wales and Greece agree.", "Los votantes de Gales y Grecia coinciden."),
            vec![]
        );
        let headline = "The Bells of St. Martin's Fall Silent as Churches in Harlem Struggle";
        let translated = "Las campanas de San Martín guardan silencio por las dificultades de las iglesias de Harlem";
        assert_eq!(flags("en", "es", headline, translated), vec![]);
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
        // A source word left in another script is both.
        let found = flags("en", "uk", "The government met today.", "Уряд зустрівся today.");
        assert_eq!(found, vec![Flag::Untranslated, Flag::Script]);
        assert_eq!(flags("en", "uk", "Apple shares rose.", "Акції Apple зросли."), vec![]);
        // A Latin letter hiding in a Cyrillic word.
        assert_eq!(flags("en", "uk", "Kyiv is calm.", "Kиїв спокійний."), vec![Flag::Script]);
        let kept = flags("en", "ru", "ITV's VIP tickets, says weather.com.", "VIP-билеты ITV, сообщает weather.com.");
        assert_eq!(kept, vec![]);
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
