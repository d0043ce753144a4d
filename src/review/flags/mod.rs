//! Quality flags: the failures newsrooms find in machine translation (a number changed, a name
//! translated, a preamble, a passage left out, a loop), looked for in each translated segment.
//! Each check reads the source and the target as a person would; it errs towards silence, since
//! a flag holds a copy for an editor. One file per check; this one runs them and holds what they
//! share.

mod chatter;
mod glossary;
mod leftover;
mod length;
mod links;
mod names;
mod numbers;
mod repetition;
mod script;
mod untranslated;

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
        if let Some(detail) = numbers::numbers(&source, &target) {
            flag(Flag::Numbers, usable(detail));
        }
        let urls = |html, text| links::links(html, text, links::is_url);
        if let Some(detail) = links::kept(&urls(source_html, &source), &urls(target_html, &target)) {
            flag(Flag::Urls, usable(detail));
        }
        if let Some(detail) = links::kept(&links::emails(source_html, &source), &links::emails(target_html, &target)) {
            flag(Flag::Emails, usable(detail));
        }
        if let Some(detail) = names::missing(self, &source, &target) {
            flag(Flag::Names, usable(detail));
        }
        if let Some(detail) = glossary::unused(self, &source, &target) {
            flag(Flag::Glossary, usable(detail));
        }
        let left = untranslated::left_words(self, (source_html, &source), (target_html, &target));
        match (untranslated::whole(self, &source, &target), left) {
            (Some(whole), None) | (Some(whole @ (_, true)), _) => flag(Flag::Untranslated, whole),
            (Some((detail, false)), Some(words)) => flag(Flag::Untranslated, usable(format!("{detail}; {words}"))),
            (None, Some(words)) => flag(Flag::Untranslated, usable(words)),
            (None, None) => {}
        }
        if let Some(detail) = script::strays(self, &target) {
            flag(Flag::Script, usable(detail));
        }
        if let Some(found) = length::outlier(self, &source, &target) {
            flag(Flag::Length, found);
        }
        if let Some(detail) = repetition::repetition(&source, &target) {
            flag(Flag::Repetition, unusable(detail));
        }
        if let Some(detail) = chatter::chatter(&source, &target) {
            flag(Flag::Chatter, unusable(detail));
        }
        let expected_ratio = length::density(&self.to) / length::density(&self.from);
        if let Some(detail) = length::omission(&source, &target, expected_ratio) {
            flag(Flag::Omission, unusable(detail));
        }
        found
    }
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
    let abbreviation = names::is_title(word) || ABBREVIATIONS.contains(&word.to_lowercase().as_str());
    !(dotted || initial || abbreviation)
}

const ABBREVIATIONS: &[&str] = &[
    "st", "jr", "sr", "vs", "etc", "inc", "ltd", "co", "corp", "no", "nos", "fig", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "approx", "dept", "est", "gen", "pp", "vol", "sra",
    "sr", "dña", "d", "av", "avda", "ee", "uu", "hr", "nr", "bzw", "usw", "z", "b", "г", "гг", "ул", "им", "т", "д",
    "п", "р", "тыс", "млн", "млрд", "вул", "грн",
];

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
