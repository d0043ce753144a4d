//! Names: a person's name or an acronym that should have come through the translation.

use super::script::script_of_language;
use super::{ends_sentence, words, Checker};
use crate::review::vocabulary::Vocabulary;

/// Names that should have come through: a person's name where part of it did (Roger Stone →
/// Roger Piedra), a name after a title (Mr. Stone), an acronym where the target has none.
/// Places and organisations are translated (Wales → Gales, EU → UE), so a name that is
/// wholly gone is not judged, unless a title says it is a person's, and a common word before
/// a name's last word (New York → Nueva York) is translated too.
pub(super) fn missing(checker: &Checker, source: &str, target: &str) -> Option<String> {
    // German capitalises every noun: a capital says nothing about a name there.
    if checker.from == "de" {
        return None;
    }
    let target_words: Vec<String> = words(target).flat_map(|w| w.split('-')).map(fold).collect();
    let target_skeletons: Vec<String> = target_words.iter().map(|w| skeleton(w)).collect();
    // Across scripts a name is transliterated: its first letters are what can be compared.
    let across = script_of_language(&checker.from) != script_of_language(&checker.to);
    let target_lower = target.to_lowercase();
    let kept = |name: &str| {
        let wanted = fold(name);
        let by_glossary = checker
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
    let vocabulary = Vocabulary::of(&checker.from);
    let descriptive = |run: &NameRun, name: &&str| {
        run.names.last() != Some(name) && vocabulary.as_ref().is_some_and(|v| v.knows(&name.to_lowercase()))
    };
    for run in name_runs(source, checker.from == "en") {
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
pub(super) fn is_title(word: &str) -> bool {
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
