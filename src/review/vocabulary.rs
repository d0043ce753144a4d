//! The words a language has, read from the Hunspell dictionaries the system ships (Debian's
//! `hunspell-es`, `hunspell-uk`, ...). They tell a word left in the source language from one the
//! target language also uses (hotel, radio, taxi). Each dictionary is read once per process, on
//! first use, and shared.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Where dictionaries are looked for, after the folders in `NEWSWIRE_DICTIONARIES` (`:`-separated).
const SYSTEM_FOLDERS: &[&str] = &["/usr/share/hunspell", "/usr/share/myspell/dicts", "/usr/share/myspell"];

/// A language's dictionary once it was looked for: `None` when there is none.
type Slot = OnceLock<Option<Arc<Vocabulary>>>;

/// One language's dictionary.
pub struct Vocabulary {
    dictionary: spellbook::Dictionary,
    /// The `.dic` file it was read from.
    pub path: PathBuf,
}

impl Vocabulary {
    /// The language's dictionary (ISO 639-1 code), read on first use; `None` when the system has
    /// none or it cannot be read (said once in the log).
    pub fn of(language: &str) -> Option<Arc<Vocabulary>> {
        static LOADED: OnceLock<Mutex<HashMap<String, Arc<Slot>>>> = OnceLock::new();
        let slot = {
            let mut loaded = LOADED.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
            loaded.entry(language.to_string()).or_default().clone()
        };
        slot.get_or_init(|| {
            let path = find(language)?;
            match Vocabulary::read(&path) {
                Ok(vocabulary) => Some(Arc::new(vocabulary)),
                Err(err) => {
                    tracing::warn!(language, path = %path.display(), error = %err, "dictionary not usable");
                    None
                }
            }
        })
        .clone()
    }

    /// Reads a `.dic` file and the `.aff` file beside it.
    pub fn read(dic: &Path) -> Result<Vocabulary, String> {
        let aff = dic.with_extension("aff");
        let aff_text = read_text(&aff)?;
        let dic_text = read_text_as(dic, encoding_of(&aff_text))?;
        let dictionary =
            spellbook::Dictionary::new(&aff_text, &dic_text).map_err(|e| format!("{}: {e}", dic.display()))?;
        Ok(Vocabulary { dictionary, path: dic.to_path_buf() })
    }

    /// Whether the language writes this word so (any form the dictionary's rules make).
    pub fn knows(&self, word: &str) -> bool {
        self.dictionary.check(word)
    }
}

/// The dictionary file for a language: `es_ES.dic` before other regions (`es_MX.dic`), then a
/// file named after the language alone (`fr.dic`).
pub fn find(language: &str) -> Option<PathBuf> {
    if language.len() < 2 || !language.chars().all(|c| c.is_ascii_lowercase()) {
        return None;
    }
    let own_region = format!("{language}_{}.dic", language.to_ascii_uppercase());
    let preferred = [
        own_region.clone(),
        format!("{language}.dic"),
        // Languages whose main region has another code.
        match language {
            "en" => "en_US.dic".to_string(),
            "uk" => "uk_UA.dic".to_string(),
            "ca" => "ca_ES.dic".to_string(),
            "el" => "el_GR.dic".to_string(),
            "cs" => "cs_CZ.dic".to_string(),
            "sv" => "sv_SE.dic".to_string(),
            "da" => "da_DK.dic".to_string(),
            _ => own_region,
        },
    ];
    let prefix = format!("{language}_");
    for folder in folders() {
        for name in &preferred {
            let path = folder.join(name);
            if path.is_file() {
                return Some(path);
            }
        }
        let Ok(entries) = std::fs::read_dir(&folder) else { continue };
        let mut others: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                name.starts_with(&prefix) && name.ends_with(".dic")
            })
            .collect();
        others.sort();
        if let Some(first) = others.into_iter().next() {
            return Some(first);
        }
    }
    None
}

fn folders() -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> =
        std::env::var_os("NEWSWIRE_DICTIONARIES").map(|v| std::env::split_paths(&v).collect()).unwrap_or_default();
    folders.extend(SYSTEM_FOLDERS.iter().map(PathBuf::from));
    folders
}

/// The encoding an `.aff` file declares (`SET ISO8859-1`); UTF-8 when it declares none.
fn encoding_of(aff: &str) -> &'static encoding_rs::Encoding {
    aff.lines()
        .find_map(|line| line.strip_prefix("SET "))
        .and_then(|label| encoding_rs::Encoding::for_label(label.trim().as_bytes()))
        .unwrap_or(encoding_rs::UTF_8)
}

fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    // The SET line is ASCII, so a first read as Latin-1 finds it whatever the encoding.
    let declared = encoding_of(&encoding_rs::WINDOWS_1252.decode(&bytes).0);
    Ok(declared.decode(&bytes).0.into_owned())
}

fn read_text_as(path: &Path, encoding: &'static encoding_rs::Encoding) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(encoding.decode(&bytes).0.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dictionary_in_latin1_is_read_as_its_aff_file_says() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("xx_XX.aff"), "SET ISO8859-1\nSFX S Y 1\nSFX S 0 s .\n").unwrap();
        std::fs::write(dir.path().join("xx_XX.dic"), b"2\ncaf\xe9/S\nna\xefve\n").unwrap();
        let vocabulary = Vocabulary::read(&dir.path().join("xx_XX.dic")).unwrap();
        assert!(vocabulary.knows("café"));
        assert!(vocabulary.knows("cafés"));
        assert!(vocabulary.knows("naïve"));
        assert!(!vocabulary.knows("naive"));
    }

    #[test]
    fn the_system_dictionaries_of_the_desk_languages_are_found() {
        // `make test` installs them (hunspell-en-us, -es, -fr, -de-de, -ru, -uk).
        for language in ["en", "es", "fr", "de", "ru", "uk"] {
            let vocabulary = Vocabulary::of(language)
                .unwrap_or_else(|| panic!("no Hunspell dictionary for {language}: apt-get install hunspell-*"));
            assert!(vocabulary.path.exists());
        }
        assert!(Vocabulary::of("es").unwrap().knows("hotel"));
        assert!(!Vocabulary::of("es").unwrap().knows("berths"));
        assert!(Vocabulary::of("en").unwrap().knows("berths"));
        assert!(Vocabulary::of("uk").unwrap().knows("місто"));
        assert!(!Vocabulary::of("uk").unwrap().knows("совет"));
        assert!(Vocabulary::of("xx").is_none());
    }
}
