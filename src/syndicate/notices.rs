//! The notices a copy carries (its footer, the subject's correction and kill marks, the text of a
//! kill), in the copy's own language: a partner reading a Spanish copy reads Spanish around it.
//! Languages without their own table get English. Templates receive them filled in.

use serde::Serialize;

/// One language's notices. `{from}`, `{to}`, `{backend}`, `{desk}` and `{partner}` are filled in;
/// a copy that went through a bridge language names it between `{from}` and `{to}`.
struct Table {
    language: &'static str,
    /// Names the engine; one of the next two ends the sentence.
    machine_translated: &'static str,
    reviewed: &'static str,
    unreviewed: &'static str,
    sent_by: &'static str,
    original: &'static str,
    delivery_id: &'static str,
    correction: &'static str,
    kill: &'static str,
    kill_notice: &'static str,
}

const TABLES: &[Table] = &[
    Table {
        language: "en",
        machine_translated: "Machine-translated from {from} to {to} by {backend}",
        reviewed: ", reviewed by the newsroom.",
        unreviewed: ", not reviewed.",
        sent_by: "Sent by the {desk} desk to {partner}.",
        original: "Original",
        delivery_id: "Delivery id",
        correction: "Correction",
        kill: "KILL",
        kill_notice: "This story has been withdrawn. Do not publish it; remove it if it was published.",
    },
    Table {
        language: "es",
        machine_translated: "Traducción automática ({from} → {to}) por {backend}",
        reviewed: ", revisada por la redacción.",
        unreviewed: ", sin revisar.",
        sent_by: "Enviado por la mesa {desk} a {partner}.",
        original: "Original",
        delivery_id: "Id. de entrega",
        correction: "Corrección",
        kill: "RETIRADA",
        kill_notice: "Esta noticia ha sido retirada. No la publique; si ya la publicó, elimínela.",
    },
    Table {
        language: "fr",
        machine_translated: "Traduction automatique ({from} → {to}) par {backend}",
        reviewed: ", relue par la rédaction.",
        unreviewed: ", non relue.",
        sent_by: "Envoyé par la rédaction {desk} à {partner}.",
        original: "Original",
        delivery_id: "Identifiant d'envoi",
        correction: "Correction",
        kill: "RETRAIT",
        kill_notice: "Cet article a été retiré. Ne le publiez pas ; supprimez-le s'il a été publié.",
    },
    Table {
        language: "de",
        machine_translated: "Maschinell übersetzt ({from} → {to}) von {backend}",
        reviewed: ", von der Redaktion geprüft.",
        unreviewed: ", nicht geprüft.",
        sent_by: "Gesendet vom Desk {desk} an {partner}.",
        original: "Original",
        delivery_id: "Zustell-ID",
        correction: "Korrektur",
        kill: "ZURÜCKGEZOGEN",
        kill_notice:
            "Dieser Artikel wurde zurückgezogen. Nicht veröffentlichen; bereits veröffentlicht, bitte entfernen.",
    },
    Table {
        language: "ru",
        machine_translated: "Машинный перевод ({from} → {to}), {backend}",
        reviewed: ", проверен редакцией.",
        unreviewed: ", не проверен редакцией.",
        sent_by: "Отправлено редакцией {desk} для {partner}.",
        original: "Оригинал",
        delivery_id: "Идентификатор доставки",
        correction: "Исправление",
        kill: "ОТЗЫВ",
        kill_notice: "Этот материал отозван. Не публикуйте его; если он опубликован, удалите его.",
    },
    Table {
        language: "uk",
        machine_translated: "Машинний переклад ({from} → {to}), {backend}",
        reviewed: ", перевірений редакцією.",
        unreviewed: ", не перевірений редакцією.",
        sent_by: "Надіслано редакцією {desk} для {partner}.",
        original: "Оригінал",
        delivery_id: "Ідентифікатор доставки",
        correction: "Виправлення",
        kill: "ВІДКЛИКАНО",
        kill_notice: "Цей матеріал відкликано. Не публікуйте його; якщо його опубліковано, видаліть його.",
    },
    Table {
        language: "lt",
        machine_translated: "Mašininis vertimas ({from} → {to}), {backend}",
        reviewed: ", patikrintas redakcijos.",
        unreviewed: ", redakcijos nepatikrintas.",
        sent_by: "Išsiuntė {desk} redakcija partneriui {partner}.",
        original: "Originalas",
        delivery_id: "Siuntos ID",
        correction: "Pataisymas",
        kill: "ATŠAUKTA",
        kill_notice: "Šis straipsnis atšauktas. Jo neskelbkite; jei jau paskelbėte, pašalinkite.",
    },
];

fn table(language: &str) -> &'static Table {
    TABLES.iter().find(|t| t.language == language).unwrap_or(&TABLES[0])
}

/// The notices of one copy, filled in, as templates see them (`notices.sent_by`, ...).
#[derive(Debug, Clone, Serialize)]
pub struct Notices {
    /// Empty for an original.
    pub machine_translated: String,
    pub sent_by: String,
    pub original: &'static str,
    pub delivery_id: &'static str,
    pub correction: &'static str,
    pub kill: &'static str,
}

/// What fills a copy's notices.
pub struct Facts<'a> {
    pub language: &'a str,
    pub source_language: &'a str,
    /// The bridge language, when the text went through one.
    pub via: Option<&'a str>,
    /// The backend that translated the copy; `None` for the original.
    pub backend: Option<&'a str>,
    /// A person reviewed the translation.
    pub reviewed: bool,
    pub desk: &'a str,
    pub partner: &'a str,
}

impl Notices {
    pub fn for_copy(facts: &Facts) -> Self {
        let table = table(facts.language);
        let fill = |text: &str| {
            let text = match facts.via {
                Some(_) => text
                    .replace("from {from} to {to}", "from {from} via {via} to {to}")
                    .replace("{from} → {to}", "{from} → {via} → {to}"),
                None => text.to_string(),
            };
            text.replace("{via}", facts.via.unwrap_or(""))
                .replace("{from}", facts.source_language)
                .replace("{to}", facts.language)
                .replace("{backend}", facts.backend.unwrap_or(""))
                .replace("{desk}", facts.desk)
                .replace("{partner}", facts.partner)
        };
        Notices {
            machine_translated: facts
                .backend
                .map(|_| {
                    let end = if facts.reviewed { table.reviewed } else { table.unreviewed };
                    fill(table.machine_translated) + end
                })
                .unwrap_or_default(),
            sent_by: fill(table.sent_by),
            original: table.original,
            delivery_id: table.delivery_id,
            correction: table.correction,
            kill: table.kill,
        }
    }
}

/// The text that replaces a killed story, in the copy's language.
pub fn kill_notice(language: &str) -> &'static str {
    table(language).kill_notice
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(language: &'a str, backend: Option<&'a str>) -> Facts<'a> {
        Facts {
            language,
            source_language: "en",
            via: None,
            backend,
            reviewed: false,
            desk: "demo-desk",
            partner: "el-correo",
        }
    }

    #[test]
    fn a_copy_made_through_a_bridge_language_names_it() {
        let bridged =
            |language| Facts { source_language: "uk", via: Some("en"), ..facts(language, Some("deepl + apertium")) };
        assert_eq!(
            Notices::for_copy(&bridged("es")).machine_translated,
            "Traducción automática (uk → en → es) por deepl + apertium, sin revisar."
        );
        assert_eq!(
            Notices::for_copy(&bridged("pl")).machine_translated,
            "Machine-translated from uk via en to pl by deepl + apertium, not reviewed."
        );
        assert!(TABLES
            .iter()
            .all(|t| t.machine_translated.contains("{from} → {to}")
                || t.machine_translated.contains("from {from} to {to}")));
    }

    #[test]
    fn a_spanish_copy_gets_spanish_notices() {
        let notices = Notices::for_copy(&facts("es", Some("apertium")));
        assert_eq!(notices.machine_translated, "Traducción automática (en → es) por apertium, sin revisar.");
        let reviewed = Notices::for_copy(&Facts { reviewed: true, ..facts("es", Some("deepl")) });
        assert_eq!(
            reviewed.machine_translated,
            "Traducción automática (en → es) por deepl, revisada por la redacción."
        );
        assert_eq!(notices.sent_by, "Enviado por la mesa demo-desk a el-correo.");
        assert!(kill_notice("es").starts_with("Esta noticia ha sido retirada"));
    }

    #[test]
    fn a_language_without_a_table_falls_back_to_english_and_an_original_has_no_translation_notice() {
        let notices = Notices::for_copy(&facts("pl", Some("deepl")));
        assert_eq!(notices.machine_translated, "Machine-translated from en to pl by deepl, not reviewed.");
        assert_eq!(Notices::for_copy(&facts("en", None)).machine_translated, "");
    }

    #[test]
    fn every_table_has_every_placeholder_it_needs() {
        for table in TABLES {
            for placeholder in ["{from}", "{to}", "{backend}"] {
                assert!(table.machine_translated.contains(placeholder), "{} {placeholder}", table.language);
            }
            assert!(table.sent_by.contains("{desk}") && table.sent_by.contains("{partner}"), "{}", table.language);
        }
    }
}
