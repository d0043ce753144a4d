//! Numbers: every number of the source in the target, by its digits, what translators rightly
//! rewrite excused.

use super::words;

/// Every number of the source in the target, by its digits (separators aside: 3,000 = 3.000 =
/// 3 000, 1.5 = 1,5, 7.55am = 7:55). What translators rightly change is excused: a decade
/// (1930s → años 30), a century in Roman numerals (19th → XIX), an afternoon hour (3 p.m. →
/// 15:00), a small number written out, and a measure converted (10 inches → 25 centímetros),
/// each only where the target has no number of its own that could be the changed one.
pub(super) fn numbers(source: &str, target: &str) -> Option<String> {
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
