//! Belarusian, Ukrainian and Russian share most of their Cyrillic letters, and lingua takes a single
//! `ы` in a Ukrainian text (a Russian word inside it) as proof of Belarusian. Belarusian's alphabet
//! has no `и`, `щ`, `ъ`, `ї`, `є` or `ґ`, which fill Ukrainian and Russian text: a text where they
//! are common is not Belarusian.

/// Share of the Cyrillic letters above which a text cannot be Belarusian.
const FOREIGN_LETTERS_SHARE: f64 = 0.03;

pub fn rules_out(text: &str) -> bool {
    let (mut cyrillic, mut foreign) = (0usize, 0usize);
    for c in text.chars().flat_map(char::to_lowercase) {
        if ('\u{0400}'..='\u{04ff}').contains(&c) {
            cyrillic += 1;
            foreign += usize::from(matches!(c, 'и' | 'щ' | 'ъ' | 'ї' | 'є' | 'ґ'));
        }
    }
    cyrillic > 0 && foreign as f64 / cyrillic as f64 > FOREIGN_LETTERS_SHARE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ukrainian_with_a_russian_word_is_not_belarusian() {
        assert!(rules_out("Проте відзначені випадки, коли цитокинины гнітили зростання клітин."));
        assert!(!rules_out("Беларусь і Літва падпісалі пагадненне аб супрацоўніцтве ў галіне адукацыі."));
    }
}
