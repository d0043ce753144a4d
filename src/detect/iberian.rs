//! Spanish, Catalan and Portuguese share most of their letters and many words, and lingua alone
//! confuses them on short texts. Each has markers the others lack (ñ and ¿ in Spanish, l·l, è and
//! "amb" in Catalan, ã and "não" in Portuguese); this counts them to settle a close call.

/// Evidence for (es, ca, pt).
pub fn evidence(text: &str) -> [i32; 3] {
    let mut score = [0i32; 3];
    let lower = text.to_lowercase();
    for c in lower.chars() {
        match c {
            'ñ' | '¿' | '¡' => score[0] += 2,
            'è' | 'ò' => score[1] += 2,
            'ã' | 'õ' | 'â' | 'ê' | 'ô' => score[2] += 2,
            'ç' => {
                score[1] += 1;
                score[2] += 1;
            }
            _ => {}
        }
    }
    score[1] += 3 * lower.matches("l·l").count() as i32;
    for word in lower.split(|c: char| !c.is_alphabetic() && c != '\'' && c != '’') {
        let (es, ca, pt) = match word {
            "y" | "los" | "las" | "con" | "muy" | "pero" | "también" | "hay" | "había" | "sus" | "su" | "desde"
            | "cuando" | "donde" | "hasta" | "ya" | "lo" | "fue" | "eran" | "nuestro" | "nuestra" | "ese" | "esa"
            | "eso" | "esto" | "muchos" | "ahora" | "después" | "año" | "años" | "mi" | "yo" | "le" | "él" | "está"
            | "están" | "así" | "aunque" | "mismo" | "misma" | "otro" | "otra" | "puede" | "tiene" => (1, 0, 0),
            "el" | "en" | "del" | "una" | "un" | "la" | "es" | "al" => (1, 1, 0),
            "por" | "para" | "como" | "este" | "esta" | "estos" | "estas" => (1, 0, 1),
            "i" | "els" | "amb" | "però" | "també" | "és" | "per" | "molt" | "això" | "aquest" | "aquesta"
            | "aquests" | "perquè" | "quan" | "fins" | "dels" | "pels" | "als" | "nostre" | "nostra" | "seva"
            | "seves" | "aquí" | "més" | "ara" | "any" | "anys" | "havia" | "va" | "van" => (0, 1, 0),
            "e" | "os" | "o" | "do" | "da" | "dos" | "das" | "na" | "nas" | "nos" | "em" | "com" | "não" | "muito"
            | "ao" | "aos" | "uma" | "um" | "é" | "pelo" | "pela" | "foi" | "mais" | "sua" | "ele" | "ela" | "isso"
            | "então" | "ano" | "anos" => (0, 0, 1),
            "les" => (0, 0, 0),
            w if w.starts_with("l'") || w.starts_with("d'") || w.starts_with("s'") || w.starts_with("n'") => (0, 1, 0),
            w if w.starts_with("l’") || w.starts_with("d’") => (0, 1, 0),
            _ => (0, 0, 0),
        };
        score[0] += es;
        score[1] += ca;
        score[2] += pt;
    }
    score
}

pub const CODES: [&str; 3] = ["es", "ca", "pt"];

/// The Iberian language the markers clearly favour over `guess`, if any.
pub fn settle(text: &str, guess: &str) -> Option<&'static str> {
    let at = CODES.iter().position(|c| *c == guess)?;
    let score = evidence(text);
    let (best, best_score) = score.iter().enumerate().max_by_key(|(_, s)| **s)?;
    let runner_up = score.iter().enumerate().filter(|(i, _)| *i != best).map(|(_, s)| *s).max().unwrap_or(0);
    (best != at && *best_score >= score[at] + 2 && *best_score > runner_up).then_some(CODES[best])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_settle_close_calls() {
        assert_eq!(settle("El govern i els ajuntaments treballen amb la gent", "es"), Some("ca"));
        assert_eq!(settle("El niño y los padres viajaron con sus amigos", "ca"), Some("es"));
        assert_eq!(settle("O governo não aprovou a lei e os deputados", "es"), Some("pt"));
        assert_eq!(settle("La casa", "es"), None);
    }
}
