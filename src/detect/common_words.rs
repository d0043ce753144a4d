//! A cheap first pass: the commonest words of a language (articles, prepositions, pronouns,
//! auxiliaries) name a long text's language beyond doubt far faster than the models. Only words
//! that belong to one of the detector's languages count, so Spanish and Catalan are told apart by
//! `los`/`els`, not confused by the `de` and `la` they share; the pass is sure only when one
//! language has many such words and the others next to none. Anything else goes to the models.

use std::collections::HashMap;

/// Per language, words common enough that a page of prose in it has many of them.
const LISTS: &[(&str, &str)] = &[
    ("en", "the and of to in is that for it with was on as are be by this at from have has had but not they which were their been would will said an or its who after about also than there more a i"),
    ("es", "el la los las del que y en un una por con para es se su sus al lo como pero más fue ha han este esta sobre entre también desde según cuando muy sin hasta porque ya donde de a no le les mi me te ni o e u si yo mas hay así años dijo había tiene tienen puede otros otra otro mismo ahora aunque mientras estos ellos él"),
    ("fr", "le la les des du de et est un une en que qui dans pour pas par sur au aux avec il elle ils ont été sont plus ce cette mais ou comme son ses leur se ne nous l d s n qu c j m t à y a je tu"),
    ("de", "der die das und ist nicht ein eine den dem des mit sich auf für von zu im auch es wird wurde sind hat haben bei nach wie oder aber aus noch einer einen dass werden vom zum über in so am an"),
    ("it", "il lo la gli le di che è un una per con non del della dei delle nel nella sono alla anche più ma come questo questa ha hanno stato essere dal dalla degli sul tra perché l d e a in si se da o ci ne mi ti"),
    ("pt", "o a os as do da dos das que e em um uma para com não no na nos nas por mais é foi se ao pelo pela mas como também seu sua ser já são está isso ele ela de me te si eu"),
    ("ca", "el la els les del dels que i en un una per amb no es és al als més però com també ha han va aquest aquesta seu seva sobre entre fins quan perquè molt pel ho hi de a d l s n o si em et ens us li"),
    ("nl", "de het een en van is dat op te in niet zijn met voor die er maar ook als aan om bij door werd worden naar dan wordt nog uit over deze hij ze zij heeft hebben na"),
    ("ro", "și în de la cu pe că nu a o un este sunt care din pentru mai au fost se sau dar ca al ale lui fi acest această după prin între despre iar e i"),
    ("ru", "и в не на что с по он она они это как из к за от так но для было был была были же бы о у его ее её также только уже или при после который которые этого все этот эти чтобы может если когда даже где будет быть сказал года году время очень"),
    ("uk", "і й в у не на що з із по він вона вони це як до за від так але для було був була були же би про його її також тільки вже або при після який які цього та ще коли щоб може якщо навіть дуже році де сказав буде бути всі цей ці"),
    ("be", "і ў у не на што з па ён яна яны гэта як да за ад так але для было быў была былі ж бы пра яго яе таксама толькі ужо або пры пасля які якія гэтага ці"),
    ("bg", "и в на да се не е с за от по че са това като който която което които но или при след във със той тя те беше бил била ще до му ги си още само"),
    ("pl", "i w na z do nie się że to jest jak o po od za przez ale co dla czy oraz także był była było są już tylko który która które tym jego jej ich przy tak bardzo a u"),
    ("cs", "a v na se je z že do to o s k pro jak ale by jsou byl byla bylo jeho její které který která také jen už po od při nebo když tak za ze tím podle než i u"),
    ("lt", "ir į kad yra su iš buvo tai o bet kaip jo jos dėl per prie apie nuo po ar taip kuris kuri kurie kurios jau tik dar bei savo nes tačiau bus gali metų jis ji i"),
    ("lv", "un ir ka no uz par ar kas bet tas to arī vai lai kā pēc jau tikai viņš viņa bija būs tā šo šī savu kur nav pie līdz gan tomēr kura kurš tiek var tik a"),
    ("et", "ja on ei et see oli kui ka mis ta nad aga ning või siis ole olid oma seda selle kes veel juba kuid pärast nii ainult üle kõik peab saab mida tema pole a"),
    ("fi", "ja on ei että se oli ovat hän he mutta kun tai myös niin kuin sen joka jotka ole olla ollut vain jo nyt mitä sitä tämä tässä siitä kanssa mukaan vuoden vielä sekä"),
    ("sv", "och i att det som en på är av för med till den har inte om ett de var men han hon sig från vid så kan också efter eller när skulle hade sina sitt vara blev detta"),
    ("hu", "a az és hogy nem is egy meg de van volt csak már mint ki el még ez azt ezt által között után vagy pedig lesz lett szerint valamint amely amelyek aki akik kell így nagyon"),
    ("tr", "ve bir bu da de için ile olarak çok daha ama gibi olan en ne o kadar sonra ancak her şu veya yani ise değil oldu olduğu göre ki mi var yok tarafından kendi ayrıca a"),
];

/// Languages whose script alone names them among the supported ones.
const BY_SCRIPT: &[&str] = &["el", "ar", "ja", "zh"];

/// Words looked at: the opening of a long text is enough.
const WORDS_LOOKED_AT: usize = 400;
/// A long text is sure when its language has this many of its own words...
const SURE_HITS: usize = 6;
/// ... at least this many different ones...
const SURE_DISTINCT: usize = 4;
/// ... this many times those of any other language...
const SURE_MARGIN: usize = 6;
/// ... and they are at least this share (in percent) of its words.
const SURE_SHARE: usize = 5;

/// What a text's words said: each language's own words found, which of them, and the words read.
struct Hits {
    each: Vec<usize>,
    distinct: Vec<Vec<&'static str>>,
    words: usize,
}

/// A text agrees with a language whose own words outnumber all others' this many times.
const AGREE_MARGIN: usize = 4;

pub struct CommonWords {
    /// Each word that belongs to one of the languages only, with that language's index.
    own: HashMap<&'static str, usize>,
    languages: Vec<&'static str>,
    /// The detector's languages named by their script alone.
    by_script: Vec<&'static str>,
}

impl CommonWords {
    /// The pass over these languages; `None` when one of them has neither a list nor a script of
    /// its own, since the pass could not rule it out.
    pub fn new(codes: &[&'static str]) -> Option<Self> {
        let mut seen: HashMap<&'static str, Vec<usize>> = HashMap::new();
        let mut languages = Vec::new();
        let mut by_script = Vec::new();
        for &code in codes {
            if BY_SCRIPT.contains(&code) {
                by_script.push(code);
                continue;
            }
            let (_, list) = LISTS.iter().find(|(c, _)| *c == code)?;
            languages.push(code);
            for word in list.split_whitespace() {
                let at = seen.entry(word).or_default();
                if !at.contains(&(languages.len() - 1)) {
                    at.push(languages.len() - 1);
                }
            }
        }
        let own = seen.into_iter().filter(|(_, at)| at.len() == 1).map(|(word, at)| (word, at[0])).collect();
        Some(CommonWords { own, languages, by_script })
    }

    /// Each language's own words among a text's first words, and the words counted.
    fn hits(&self, text: &str) -> Hits {
        let mut hits =
            Hits { each: vec![0; self.languages.len()], distinct: vec![Vec::new(); self.languages.len()], words: 0 };
        let mut lower = String::new();
        // Apostrophes stay inside words: the s of it's is no Czech preposition.
        let apart = |c: char| !is_letter(c) && c != '\'' && c != '’';
        for word in text.split(apart).filter(|w| !w.is_empty()).take(WORDS_LOOKED_AT) {
            hits.words += 1;
            lower.clear();
            lower.extend(word.chars().flat_map(char::to_lowercase));
            if let Some((&own, &language)) = self.own.get_key_value(lower.as_str()) {
                hits.each[language] += 1;
                if !hits.distinct[language].contains(&own) {
                    hits.distinct[language].push(own);
                }
            }
        }
        hits
    }

    /// The language a long text is in, when its common words leave no doubt, with a confidence.
    pub fn sure(&self, text: &str) -> Option<(&'static str, f64)> {
        if let Some(code) = self.script_alone(text) {
            return Some((code, 1.0));
        }
        if !letters_are_one_script(text) {
            return None;
        }
        let hits = self.hits(text);
        let (best, &top) = hits.each.iter().enumerate().max_by_key(|(_, h)| **h)?;
        // Another language's evidence, a word repeated (a name) counting twice at most.
        let strength = |i: usize| hits.each[i].min(2 * hits.distinct[i].len());
        let runner_up = (0..hits.each.len()).filter(|i| *i != best).map(strength).max().unwrap_or(0);
        // Several different words: one word repeated may be a name or a borrowing.
        let varied = hits.distinct[best].len() >= SURE_DISTINCT;
        let sure = top >= SURE_HITS && varied && top >= SURE_MARGIN * runner_up && top * 100 >= hits.words * SURE_SHARE;
        // Sure means at least six to one: a confidence of 0.92 to 1.
        sure.then(|| (self.languages[best], 1.0 - runner_up as f64 / (2 * top) as f64))
    }

    /// The language a text's alphabet names: Greek, Arabic, Japanese (kana among the
    /// ideographs), Chinese (ideographs alone), when the detector has that language.
    fn script_alone(&self, text: &str) -> Option<&'static str> {
        let (mut greek, mut arabic, mut han, mut kana, mut total) = (0usize, 0usize, 0usize, 0usize, 0usize);
        for c in text.chars().filter(|c| is_letter(*c)) {
            total += 1;
            match c as u32 {
                0x370..=0x3FF | 0x1F00..=0x1FFF => greek += 1,
                0x600..=0x6FF | 0x750..=0x77F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => arabic += 1,
                0x3400..=0x4DBF | 0x4E00..=0x9FFF => han += 1,
                0x3040..=0x30FF => kana += 1,
                _ => {}
            }
        }
        let most = |n: usize| total > 0 && n * 10 >= total * 9;
        let code = if most(greek) {
            "el"
        } else if most(arabic) {
            "ar"
        } else if most(han + kana) && kana * 20 >= total {
            "ja"
        } else if most(han) && kana == 0 {
            "zh"
        } else {
            return None;
        };
        self.by_script.contains(&code).then_some(code)
    }

    /// Whether a text (a quotation, a paragraph) is plainly in `language`: several of its own
    /// words, and next to none of any other language's.
    pub fn agrees(&self, text: &str, language: &str) -> bool {
        let Some(index) = self.languages.iter().position(|l| *l == language) else { return false };
        if !letters_are_one_script(text) {
            return false;
        }
        let hits = self.hits(text);
        let others = hits.each.iter().enumerate().filter(|(i, _)| *i != index).map(|(_, h)| *h).sum::<usize>();
        // A quotation has few words: two of the language's own and none of another's will do.
        let quotation = hits.words < 20;
        match quotation {
            true => hits.distinct[index].len() >= 2 && others == 0,
            false => hits.distinct[index].len() >= 3 && hits.each[index] >= AGREE_MARGIN * others,
        }
    }
}

/// A letter, told quickly for the Latin and Cyrillic alphabets (the general Unicode lookup is
/// slow, and every character of a text passes here).
fn is_letter(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_alphabetic(),
        0xC0..=0x24F => c != '×' && c != '÷',
        0x400..=0x4FF => true,
        _ => c.is_alphabetic(),
    }
}

/// Latin or Cyrillic letters, nearly all of one of the two: the lists say nothing of a text in
/// Greek, Arabic or Han, nor of one that mixes alphabets (a Latin name or two in a Russian story
/// is fine).
fn letters_are_one_script(text: &str) -> bool {
    let (mut latin, mut cyrillic, mut other) = (0usize, 0usize, 0usize);
    for c in text.chars().filter(|c| is_letter(*c)) {
        match c as u32 {
            0x41..=0x24F | 0x1E00..=0x1EFF => latin += 1,
            0x400..=0x52F => cyrillic += 1,
            _ => other += 1,
        }
    }
    let total = latin + cyrillic + other;
    total > 0 && latin.max(cyrillic) * 10 >= total * 9
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPANISH: &str = "El ayuntamiento de la ciudad anunció ayer que el puerto tendrá una nueva terminal de \
        pasajeros antes del verano, según explicó el alcalde, que también dijo que las obras serán pagadas por \
        el gobierno regional y que los vecinos podrán opinar sobre el proyecto durante los próximos meses.";
    const CATALAN: &str = "L'ajuntament de la ciutat va anunciar ahir que el port tindrà una nova terminal de \
        passatgers abans de l'estiu, segons va explicar l'alcalde, que també va dir que les obres seran pagades \
        pel govern regional i que els veïns podran opinar sobre el projecte durant els pròxims mesos.";

    #[test]
    fn a_long_text_is_named_by_its_own_common_words_and_look_alikes_are_told_apart() {
        let pass = CommonWords::new(&["es", "ca", "pt", "en"]).unwrap();
        assert_eq!(pass.sure(SPANISH).map(|(l, _)| l), Some("es"));
        assert_eq!(pass.sure(CATALAN).map(|(l, _)| l), Some("ca"));
        assert!(pass.agrees("dijo que los vecinos y el alcalde votarán según la ley", "es"));
        assert!(!pass.agrees("va dir que els veïns i l'alcalde votaran per la proposta", "es"));
    }

    #[test]
    fn unsure_texts_are_left_to_the_models() {
        let pass = CommonWords::new(&["es", "ca", "en"]).unwrap();
        assert_eq!(pass.sure("El puerto tendrá una nueva terminal."), None, "too few words");
        let mixed = format!("{SPANISH} {CATALAN}");
        assert_eq!(pass.sure(&mixed), None, "two languages");
        assert_eq!(pass.sure("Μια ελληνική πρόταση χωρίς καμία σχέση με τα υπόλοιπα."), None, "no Greek here");
        let with_greek = CommonWords::new(&["es", "el"]).unwrap();
        assert_eq!(with_greek.sure("Μια ελληνική πρόταση χωρίς καμία σχέση με τα υπόλοιπα."), Some(("el", 1.0)));
        assert!(CommonWords::new(&["es", "xx"]).is_none(), "a language without a list");
    }
}
