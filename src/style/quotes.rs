//! Quotation marks as the locale writes them (`"…"` and `“…”` become `«…»` in Spanish, `„…“` in
//! German, with the nested pair inside), and French spacing: a non-breaking space inside
//! guillemets and before `:`, a narrow one before `;`, `!` and `?` (in Canada before `:` only).
//! A segment whose marks do not pair up is left as it is.

use icu_locale_core::Locale;

use super::marked::neighbour;

#[derive(Debug)]
pub struct Quotes {
    /// Primary, then nested: (opening, closing).
    marks: [(String, String); 2],
    spacing: Spacing,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Spacing {
    None,
    French,
    /// fr-CA: only before `:` and inside guillemets.
    Canadian,
}

const NBSP: char = '\u{a0}';
const NARROW: char = '\u{202f}';

#[derive(Clone, Copy, PartialEq)]
enum Role {
    Opening,
    Closing,
}

impl Quotes {
    /// From a `cldr.tsv` row: locale, start, end, nested start, nested end, date.
    pub fn new(row: &[&str], locale: &Locale) -> Quotes {
        let spacing = match (locale.id.language.as_str(), locale.id.region.map(|r| r.to_string())) {
            ("fr", Some(region)) if region == "CA" => Spacing::Canadian,
            ("fr", _) => Spacing::French,
            _ => Spacing::None,
        };
        Quotes { marks: [(row[1].to_string(), row[2].to_string()), (row[3].to_string(), row[4].to_string())], spacing }
    }

    pub fn restyle(&self, text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        let Some(roles) = roles(&chars) else { return self.spaced(text) };
        let mut out = String::with_capacity(text.len() + 8);
        let mut depth = 0usize;
        let mut i = 0;
        while i < chars.len() {
            match roles.iter().find(|(at, _)| *at == i) {
                Some((_, Role::Opening)) => {
                    out.push_str(&self.marks[depth].0);
                    depth += 1;
                    if self.spacing != Spacing::None && depth == 1 && self.marks[0].0 == "«" {
                        out.push(NBSP);
                    }
                    // A space the original language put inside its marks goes.
                    while chars.get(i + 1).is_some_and(|c| is_space(*c)) {
                        i += 1;
                    }
                }
                Some((_, Role::Closing)) => {
                    while out.ends_with(is_space) {
                        out.pop();
                    }
                    depth -= 1;
                    if self.spacing != Spacing::None && depth == 0 && self.marks[0].1 == "»" {
                        out.push(NBSP);
                    }
                    out.push_str(&self.marks[depth].1);
                }
                None => out.push(chars[i]),
            }
            i += 1;
        }
        self.spaced(&out)
    }

    /// French spaces before high punctuation followed by a space or the end (not in `6:10`,
    /// `https://`).
    fn spaced(&self, text: &str) -> String {
        if self.spacing == Spacing::None {
            return text.to_string();
        }
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len() + 8);
        for (i, &c) in chars.iter().enumerate() {
            let space = match c {
                ':' => Some(NBSP),
                ';' | '!' | '?' if self.spacing == Spacing::French => Some(NARROW),
                _ => None,
            };
            let ends = neighbour(&chars, i, true).is_none_or(|n| n.is_whitespace() || matches!(n, '»' | '"' | ')'));
            let after = neighbour(&chars, i, false);
            let punctuation_before = after.is_some_and(|p| matches!(p, ':' | ';' | '!' | '?' | NBSP | NARROW));
            if let (Some(space), true, false) = (space, ends, punctuation_before) {
                if after.is_some() {
                    while out.ends_with(' ') {
                        out.pop();
                    }
                    out.push(space);
                }
            }
            out.push(c);
        }
        out
    }
}

/// Each quotation mark's place and role, when every one pairs up at most two deep. A straight
/// mark whose neighbours do not tell (`" Estamos`, as Apertium spaces it) closes the one open.
fn roles(chars: &[char]) -> Option<Vec<(usize, Role)>> {
    let mut found = Vec::new();
    let mut open: Vec<char> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        if !matches!(c, '"' | '“' | '”' | '„' | '«' | '»') {
            continue;
        }
        let before = neighbour(chars, i, false);
        let after = neighbour(chars, i, true);
        let opens_here = before.is_none_or(|b| b.is_whitespace() || matches!(b, '(' | '[' | '—' | '–'))
            && after.is_some_and(|a| !a.is_whitespace() || c == '«');
        let closes_here = before.is_some_and(|b| !b.is_whitespace() || c == '»');
        let role = match c {
            '„' => Role::Opening,
            '”' => Role::Closing,
            '«' if closes_here && !opens_here => Role::Closing,
            '«' => Role::Opening,
            '»' if opens_here && !closes_here => Role::Opening,
            '»' => Role::Closing,
            // “ opens in English and closes in German.
            _ if opens_here && !closes_here => Role::Opening,
            _ if closes_here && !opens_here => Role::Closing,
            '"' if open.last() == Some(&'"') => Role::Closing,
            '"' => Role::Opening,
            _ => return None,
        };
        match role {
            Role::Opening if open.len() < 2 => open.push(c),
            Role::Closing if open.pop().is_some() => {}
            _ => return None,
        }
        found.push((i, role));
    }
    open.is_empty().then_some(found)
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | NBSP | NARROW)
}
