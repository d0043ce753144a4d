//! A partner's typography (`style = "es-ES"`): machine text is given the locale's number
//! separators, quotation marks, date order and, in French, its non-breaking spaces, so a copy
//! reads as the partner's own desk would write it. Numbers come from CLDR through icu_decimal;
//! quotation marks and date patterns from CLDR's locale files (`cldr.tsv`, made by
//! `scripts/cldr-typography`), since icu4x has no delimiters and its date formatter's data would
//! weigh more than the rest of the binary for one field order. Text a person reviewed is left as
//! they wrote it, and a number or date is restyled only where the engine copied it unchanged
//! from the original, so nothing an engine or editor localised already is read twice.

mod dates;
mod marked;
mod numbers;
mod quotes;

use std::sync::{Arc, Mutex};

use crate::model::{Translation, HUMAN};
use marked::Marked;

const TABLE: &str = include_str!("cldr.tsv");

/// One locale's typography.
#[derive(Debug)]
pub struct Style {
    locale: String,
    numbers: numbers::Numbers,
    quotes: quotes::Quotes,
    dates: dates::DateOrder,
    /// How each original language seen so far writes numbers and dates.
    sources: Mutex<Vec<(String, Arc<Source>)>>,
}

impl Style {
    /// The style of a locale CLDR knows (`es-ES`, `fr-CA`, `de`); why not otherwise.
    pub fn new(tag: &str) -> Result<Style, String> {
        let locale: icu_locale_core::Locale =
            tag.parse().map_err(|_| format!("{tag:?} is not a locale like \"es-ES\""))?;
        let wanted = locale.to_string();
        let row = cldr_row(&wanted).ok_or_else(|| format!("CLDR has no typography for {tag:?}"))?;
        Ok(Style {
            numbers: numbers::Numbers::new(&locale)?,
            quotes: quotes::Quotes::new(&row, &locale),
            dates: dates::DateOrder::new(row[5]).ok_or_else(|| format!("{tag:?}: unreadable date pattern"))?,
            locale: wanted,
            sources: Mutex::default(),
        })
    }

    pub fn locale(&self) -> &str {
        &self.locale
    }

    /// The language it styles: `es` for `es-ES`.
    pub fn language(&self) -> &str {
        self.locale.split('-').next().unwrap_or_default()
    }

    /// The translation with its machine-made headline and blocks restyled; one a person reviewed
    /// as it is.
    pub fn apply(&self, translation: &Translation, from: &str) -> Translation {
        let mut styled = translation.clone();
        if translation.backend.is_none() || translation.reviewed.is_some() {
            return styled;
        }
        let source = self.source(from);
        let machine = |segment: usize| translation.segments.get(segment).filter(|s| s.backend != HUMAN);
        if let Some(headline) = machine(0) {
            let original = crate::html::inline_text(&headline.source);
            let html = self.restyle(&crate::html::escape(&translation.title), &original, &source);
            styled.title = crate::html::inline_text(&html);
        }
        for (block, segment) in styled.blocks.iter_mut().zip(&translation.layout) {
            if let Some(segment) = segment.and_then(&machine) {
                let original = crate::html::inline_text(&segment.source);
                block.html = self.restyle(&block.html, &original, &source);
            }
        }
        styled
    }

    fn source(&self, language: &str) -> Arc<Source> {
        let mut sources = self.sources.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, known)) = sources.iter().find(|(l, _)| l == language) {
            return known.clone();
        }
        let source = Arc::new(Source::of(language));
        sources.push((language.to_string(), source.clone()));
        source
    }

    /// Inline HTML restyled; `original` is the source segment's text.
    fn restyle(&self, html: &str, original: &str, source: &Source) -> String {
        let Some(mut marked) = Marked::of(html) else { return html.to_string() };
        if let Some(separators) = &source.separators {
            marked.text = self.numbers.restyle(&marked.text, original, separators);
        }
        if let Some(order) = &source.dates {
            marked.text = self.dates.restyle(&marked.text, original, order);
        }
        marked.text = self.quotes.restyle(&marked.text);
        marked.html()
    }
}

/// How the original's language writes numbers and dates, to read them in what the engine copied.
#[derive(Debug)]
struct Source {
    separators: Option<numbers::Separators>,
    dates: Option<dates::DateOrder>,
}

impl Source {
    fn of(language: &str) -> Source {
        let locale = language.parse::<icu_locale_core::Locale>().ok();
        Source {
            separators: locale.as_ref().and_then(numbers::Separators::of),
            dates: cldr_row(language).and_then(|row| dates::DateOrder::new(row[5])),
        }
    }
}

/// The table's row for a locale, or for the nearest one it falls back to (`es-ES` → `es`).
fn cldr_row(locale: &str) -> Option<Vec<&'static str>> {
    let mut wanted = locale.to_string();
    loop {
        let row = TABLE
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split('\t').collect::<Vec<_>>())
            .find(|fields| fields.len() == 6 && fields[0].eq_ignore_ascii_case(&wanted));
        if row.is_some() {
            return row;
        }
        wanted = wanted.rsplit_once('-')?.0.to_string();
    }
}

#[cfg(test)]
mod tests;
