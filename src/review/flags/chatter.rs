//! A language model talking instead of translating: a preamble ("Here is the translation:"), a
//! refusal, an apology, or a note left inside the text ("(Nota: he traducido el texto
//! manteniendo el estilo periodístico.)"), wherever it sits in the segment, in the target
//! language or in English. What the source says too (a story quoting an apology, a note the
//! source carries) is the story's.

/// Phrases by what they are; a kind the source has is not judged in the target.
const KINDS: &[(&str, &[&str])] = &[
    (
        "a preamble",
        &[
            "here is the translation",
            "here's the translation",
            "here is a translation",
            "here's a translation",
            "here is the translated",
            "translation:",
            "translated text:",
            "voici la traduction",
            "traduction :",
            "traduction:",
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
        ],
    ),
    (
        "a refusal",
        &[
            "as an ai",
            "i cannot translate",
            "i can't translate",
            "no puedo traducir",
            "je ne peux pas traduire",
            "ich kann nicht übersetzen",
            "я не могу перевести",
            "я не можу перекласти",
        ],
    ),
    (
        "an apology",
        &[
            "i'm sorry, but",
            "i am sorry, but",
            "i apologize",
            "i apologise",
            "my apologies",
            "lo siento, pero",
            "pido disculpas",
            "mis disculpas",
            "je suis désolé",
            "je m'excuse",
            "es tut mir leid",
            "ich entschuldige mich",
            "прошу прощения",
            "приношу извинения",
            "перепрошую",
            "прошу вибачення",
        ],
    ),
    (
        "a note",
        &[
            "note:",
            "translator's note",
            "nota:",
            "nota del traductor",
            "n. del t.",
            "remarque :",
            "remarque:",
            "note du traducteur",
            "(n.d.t.",
            "anmerkung:",
            "hinweis:",
            "anmerkung des übersetzers",
            "примечание:",
            "примечание переводчика",
            "(прим. пер",
            "примітка:",
            "примітка перекладача",
            "(прим. перекл",
        ],
    ),
    (
        "an explanation of the translation",
        &[
            "i have translated",
            "i've translated",
            "i translated",
            "i kept the",
            "i have kept",
            "i've kept",
            "he traducido",
            "he mantenido",
            "traduje",
            "j'ai traduit",
            "j'ai conservé",
            "ich habe den text",
            "ich habe es übersetzt",
            "habe ich übersetzt",
            "я перевел",
            "я перевёл",
            "я сохранил",
            "я переклав",
            "я зберіг",
            "(literally",
            "(literalmente",
            "(littéralement",
            "(wörtlich",
            "(дословно",
            "(дослівно",
        ],
    ),
];

/// What of a model's talk the target has and the source has not.
pub(super) fn chatter(source: &str, target: &str) -> Option<String> {
    let source = source.to_lowercase();
    let target = target.to_lowercase().replace(['’', 'ʼ'], "'");
    for (kind, phrases) in KINDS {
        if phrases.iter().any(|phrase| says(&source, phrase)) {
            continue;
        }
        if let Some(found) = phrases.iter().find(|phrase| says(&target, phrase)) {
            return Some(format!("\"{found}\" is the model talking, not the story ({kind})"));
        }
    }
    None
}

/// The phrase stands in the text as words of their own (not "translated" inside "retranslated").
fn says(text: &str, phrase: &str) -> bool {
    let edge = |c: Option<char>| !c.is_some_and(char::is_alphanumeric);
    let starts_word = phrase.starts_with(char::is_alphanumeric);
    let ends_word = phrase.ends_with(char::is_alphanumeric);
    text.match_indices(phrase).any(|(at, _)| {
        (!starts_word || edge(text[..at].chars().next_back()))
            && (!ends_word || edge(text[at + phrase.len()..].chars().next()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_at_the_end_is_found_in_the_target_language_and_in_english() {
        let source = "The opposition criticised the price of the new bridge.";
        let noted = "La oposición criticó el precio del nuevo puente. (Nota: he traducido el texto manteniendo el estilo periodístico.)";
        assert!(chatter(source, noted).is_some_and(|d| d.contains("a note")));
        let english = "La oposición criticó el precio del nuevo puente (I kept the journalistic tone).";
        assert!(chatter(source, english).is_some_and(|d| d.contains("explanation")));
        let apology = "La oposición criticó el precio del nuevo puente. I apologize if the tone is off.";
        assert!(chatter(source, apology).is_some_and(|d| d.contains("apology")));
        let ukrainian = "Опозиція розкритикувала ціну нового мосту (примітка: я зберіг стиль).";
        assert!(chatter(source, ukrainian).is_some());
        let literally = "Il a dit « casser sa pipe » (littéralement, mourir).";
        assert!(chatter("He said he would kick the bucket.", literally).is_some());
    }

    #[test]
    fn what_the_source_says_too_is_the_story() {
        let source = "The minister said: \"I apologise to the families.\" (Note: the inquiry opens in May.)";
        let target = "El ministro dijo: «Pido disculpas a las familias». (Nota: la investigación se abre en mayo.)";
        assert_eq!(chatter(source, target), None);
        assert_eq!(chatter("They retranslated the law.", "Retradujeron la ley."), None);
        assert_eq!(chatter("The minister resigned (for now).", "El ministro dimitió (por ahora)."), None);
        assert_eq!(chatter("An AI translated the menu.", "Una IA tradujo el menú."), None);
    }
}
