//! The newsroom languages this build supports. Only their lingua models are compiled in (see the
//! `lingua` features in Cargo.toml); Kazakh is left out on purpose: lingua reads Ukrainian text with
//! both щ and і as Kazakh when it is loaded.

use lingua::Language;

pub struct LanguageInfo {
    /// ISO 639-1, the code used everywhere in newswire.
    pub code: &'static str,
    /// ISO 639-3, the code Apertium uses.
    pub code3: &'static str,
    pub name: &'static str,
    pub lingua: Language,
}

macro_rules! languages {
    ($(($code:literal, $code3:literal, $name:literal, $lingua:ident)),* $(,)?) => {
        pub const SUPPORTED: &[LanguageInfo] = &[
            $(LanguageInfo { code: $code, code3: $code3, name: $name, lingua: Language::$lingua }),*
        ];
    };
}

languages![
    ("ar", "ara", "Arabic", Arabic),
    ("be", "bel", "Belarusian", Belarusian),
    ("bg", "bul", "Bulgarian", Bulgarian),
    ("ca", "cat", "Catalan", Catalan),
    ("cs", "ces", "Czech", Czech),
    ("de", "deu", "German", German),
    ("el", "ell", "Greek", Greek),
    ("en", "eng", "English", English),
    ("es", "spa", "Spanish", Spanish),
    ("et", "est", "Estonian", Estonian),
    ("fi", "fin", "Finnish", Finnish),
    ("fr", "fra", "French", French),
    ("hu", "hun", "Hungarian", Hungarian),
    ("it", "ita", "Italian", Italian),
    ("ja", "jpn", "Japanese", Japanese),
    ("lt", "lit", "Lithuanian", Lithuanian),
    ("lv", "lav", "Latvian", Latvian),
    ("nl", "nld", "Dutch", Dutch),
    ("pl", "pol", "Polish", Polish),
    ("pt", "por", "Portuguese", Portuguese),
    ("ro", "ron", "Romanian", Romanian),
    ("ru", "rus", "Russian", Russian),
    ("sv", "swe", "Swedish", Swedish),
    ("tr", "tur", "Turkish", Turkish),
    ("uk", "ukr", "Ukrainian", Ukrainian),
    ("zh", "zho", "Chinese", Chinese),
];

pub fn by_code(code: &str) -> Option<&'static LanguageInfo> {
    SUPPORTED.iter().find(|l| l.code == code)
}

pub fn by_code3(code3: &str) -> Option<&'static LanguageInfo> {
    SUPPORTED.iter().find(|l| l.code3 == code3)
}

pub fn by_lingua(language: Language) -> Option<&'static LanguageInfo> {
    SUPPORTED.iter().find(|l| l.lingua == language)
}

pub fn supported_codes() -> Vec<String> {
    SUPPORTED.iter().map(|l| l.code.to_string()).collect()
}

/// Languages easily mistaken for `code`: loaded beside it so that an article in one of them is named
/// for what it is instead of being forced into the nearest desk language.
pub fn look_alikes(code: &str) -> &'static [&'static str] {
    match code {
        "es" => &["ca", "pt"],
        "pt" => &["es", "ca"],
        "ca" => &["es"],
        "ru" | "uk" => &["be", "ru", "uk"],
        "be" => &["ru", "uk"],
        _ => &[],
    }
}
