//! Numbers as the partner's locale writes them: `1,234.5` in an English original becomes
//! `1234,5` in es-ES and `1 234,5` in fr-FR, by CLDR's symbols and grouping through icu_decimal.
//! Only a number written with a separator is touched (a year or a count stays as it is), and
//! only one the engine copied unchanged from the original, read by the original's conventions.

use icu_decimal::input::Decimal;
use icu_decimal::DecimalFormatter;
use icu_locale_core::Locale;

#[derive(Debug)]
pub struct Numbers {
    formatter: DecimalFormatter,
}

/// How a language separates thousands and decimals.
#[derive(Debug)]
pub struct Separators {
    group: char,
    decimal: char,
}

impl Numbers {
    pub fn new(locale: &Locale) -> Result<Numbers, String> {
        let formatter = DecimalFormatter::try_new(locale.into(), Default::default())
            .map_err(|err| format!("CLDR has no number format for {locale}: {err}"))?;
        Ok(Numbers { formatter })
    }

    /// `text` with each number the original wrote the same way written as this locale would.
    pub fn restyle(&self, text: &str, original: &str, source: &Separators) -> String {
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < chars.len() {
            let (start, end) = match number_at(&chars, i, source) {
                Some(span) => span,
                None => {
                    out.push(chars[i]);
                    i += 1;
                    continue;
                }
            };
            let token: String = chars[start..end].iter().collect();
            match source.read(&token).filter(|_| original.contains(&token)) {
                Some(value) => out.push_str(&self.formatter.format_to_string(&value)),
                None => out.push_str(&token),
            }
            i = end;
        }
        out
    }
}

impl Separators {
    /// A language's separators, as CLDR writes a probe number in it; none where it writes
    /// digits other than 0–9.
    pub fn of(locale: &Locale) -> Option<Separators> {
        let formatter = DecimalFormatter::try_new(locale.into(), Default::default()).ok()?;
        let probe: Decimal = "1234567.5".parse().ok()?;
        let written = formatter.format_to_string(&probe);
        let others: Vec<char> = written.chars().filter(|c| !c.is_ascii_digit()).collect();
        if written.chars().filter(char::is_ascii_digit).count() != 8 || others.len() < 2 {
            return None;
        }
        Some(Separators { group: others[0], decimal: *others.last()? })
    }

    fn is_group(&self, c: char) -> bool {
        c == self.group || (is_space(self.group) && is_space(c)) || (is_apostrophe(self.group) && is_apostrophe(c))
    }

    fn may_separate(&self, c: char) -> bool {
        c == '.' || c == ',' || c == self.decimal || self.is_group(c)
    }

    /// The value of a number as this language writes it: groups of three after the first, at
    /// most one decimal separator, at least one separator of either kind.
    fn read(&self, token: &str) -> Option<Decimal> {
        let (whole, fraction) = match token.split_once(self.decimal) {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (token, None),
        };
        if fraction.is_some_and(|f| f.is_empty() || !f.chars().all(|c| c.is_ascii_digit())) {
            return None;
        }
        let groups: Vec<&str> = whole.split(|c| self.is_group(c)).collect();
        let grouped = groups.len() > 1;
        if !grouped && fraction.is_none() {
            return None;
        }
        let first_ok = !groups[0].is_empty() && groups[0].len() <= if grouped { 3 } else { usize::MAX };
        let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
        if !first_ok || !rest_ok || !groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit())) {
            return None;
        }
        let mut plain = groups.concat();
        if let Some(fraction) = fraction {
            plain = format!("{plain}.{fraction}");
        }
        plain.parse().ok()
    }
}

/// The number starting at `i`, if one does: digits and the separators between them, standing
/// apart from letters (`A4`, `v1.2`) and from other numbers' pieces (`6:10`, `12/06`).
fn number_at(chars: &[char], i: usize, source: &Separators) -> Option<(usize, usize)> {
    if !chars[i].is_ascii_digit() {
        return None;
    }
    if i > 0 && is_attached(chars[i - 1]) {
        return None;
    }
    let mut end = i;
    while end < chars.len() {
        let c = chars[end];
        if c.is_ascii_digit() {
            end += 1;
        } else if source.may_separate(c) && chars.get(end + 1).is_some_and(char::is_ascii_digit) {
            end += 2;
        } else {
            break;
        }
    }
    match chars.get(end) {
        Some(&next) if is_attached(next) => None,
        Some(&next) if matches!(next, '.' | ',') && chars.get(end + 1).is_some_and(|c| c.is_alphanumeric()) => None,
        _ => Some((i, end)),
    }
}

fn is_attached(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '/' | ':' | '-' | '@' | '#')
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}')
}
