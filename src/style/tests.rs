use super::*;
use crate::model::{Block, BlockKind, Segment};

fn restyled(locale: &str, from: &str, html: &str) -> String {
    let style = Style::new(locale).unwrap();
    style.restyle(html, &crate::html::inline_text(html), &Source::of(from))
}

#[test]
fn numbers_take_the_partners_separators() {
    assert_eq!(
        restyled("es-ES", "en", "<p>Costs rose 1,234.5 euros, 12,345 in all, 0.75 each.</p>"),
        "<p>Costs rose 1234,5 euros, 12.345 in all, 0,75 each.</p>"
    );
    assert_eq!(restyled("fr-FR", "en", "12,345.5"), "12\u{202f}345,5");
    assert_eq!(restyled("en-US", "de", "Es kostet 1.234.567,89 Euro"), "Es kostet 1,234,567.89 Euro");
    // Years, versions, times, codes and numbers stuck to words stay as written.
    let kept = "In 2026, v1.2, 6:10, 1.2.3, A4.5 and 10.30am.";
    assert_eq!(restyled("es-ES", "en", kept), kept);
    // A separator that is not the original's is not read as it.
    assert_eq!(restyled("es-ES", "en", "1,5 litres"), "1,5 litres");
}

#[test]
fn a_number_the_engine_localised_already_is_left() {
    let style = Style::new("es-ES").unwrap();
    let html = "<p>Cuesta 1.234,5 euros.</p>";
    let restyled = style.restyle(html, "It costs 1,234.5 euros.", &Source::of("en"));
    assert_eq!(restyled, html);
}

#[test]
fn quotation_marks_follow_the_locale() {
    assert_eq!(
        restyled("es-ES", "en", r#"Dijo: "no <em>ahora</em>" y se fue."#),
        "Dijo: «no <em>ahora</em>» y se fue."
    );
    assert_eq!(restyled("de", "en", "Er sagte “nein, “nie” jetzt”."), "Er sagte „nein, ‚nie‘ jetzt“.");
    assert_eq!(restyled("en-US", "de", "Er sagte „nein“."), "Er sagte “nein”.");
    assert_eq!(restyled("es", "fr", "Il a dit « non » hier"), "Il a dit «non» hier");
    // Marks that do not pair up are not guessed at.
    let odd = r#"a 6" screen and "more"#;
    assert_eq!(restyled("es", "en", odd), odd);
}

#[test]
fn french_gets_its_non_breaking_spaces() {
    assert_eq!(
        restyled("fr-FR", "en", r#"Il a dit : "Pourquoi pas ?" Voilà ; fini!"#),
        "Il a dit\u{a0}: «\u{a0}Pourquoi pas\u{202f}?\u{a0}» Voilà\u{202f}; fini\u{202f}!"
    );
    assert_eq!(restyled("fr-CA", "en", "Quoi? Ceci: cela"), "Quoi? Ceci\u{a0}: cela");
    let untouched = "Départ 6:10, voir https://example.org/a?b";
    assert_eq!(restyled("fr-FR", "en", untouched), untouched);
}

#[test]
fn dates_take_the_locales_order_when_they_cannot_be_misread() {
    assert_eq!(restyled("en-US", "es", "El 25/12/2026 y el 2026-12-06."), "El 12/25/2026 y el 12/6/2026.");
    assert_eq!(restyled("de", "en", "On 12/25/2026."), "On 25.12.2026.");
    // 06/12 could be either way round: left as written.
    assert_eq!(restyled("de", "es", "El 06/12/2026."), "El 06/12/2026.");
}

#[test]
fn entities_and_tags_come_back_as_they_were() {
    let html = r#"<a href="/x?a=1,5">1,234.5</a> &amp; &eacute;t&eacute; &quot;ok&quot;"#;
    assert_eq!(restyled("es", "en", html), r#"<a href="/x?a=1,5">1234,5</a> &amp; &eacute;t&eacute; «ok»"#);
}

#[test]
fn reviewed_and_human_text_is_left_as_written() {
    let segment = |source: &str, target: &str, backend: &str| Segment {
        source: source.into(),
        target: target.into(),
        backend: backend.into(),
        flags: Vec::new(),
    };
    let block = |html: &str| Block::new(BlockKind::Paragraph, html);
    let translation = Translation {
        language: "es".into(),
        backend: Some("apertium".into()),
        title: "Subió a 1,5".into(),
        blocks: vec![block("Costó 2,500.5"), block("Dijo \"sí\"")],
        segments: vec![
            segment("Rose to 1,5", "Subió a 1,5", "apertium"),
            segment("Cost 2,500.5", "Costó 2,500.5", "apertium"),
            segment("Said \"yes\"", "Dijo \"sí\"", HUMAN),
        ],
        layout: vec![Some(1), Some(2)],
        ..Translation::original(&crate::model::Article::default())
    };
    let style = Style::new("es-ES").unwrap();
    let styled = style.apply(&translation, "en");
    assert_eq!(styled.blocks[0].html, "Costó 2500,5");
    assert_eq!(styled.blocks[1].html, "Dijo \"sí\"", "an editor's words");
    let reviewed = Translation { reviewed: Some(crate::model::Reviewed { by: None }), ..translation };
    assert_eq!(style.apply(&reviewed, "en").blocks[0].html, "Costó 2,500.5");
}

#[test]
fn unknown_locales_are_refused() {
    assert!(Style::new("xx-YY").unwrap_err().contains("CLDR has no typography"));
    assert!(Style::new("not a locale").unwrap_err().contains("is not a locale"));
    assert_eq!(Style::new("es-ES").unwrap().language(), "es");
}

#[test]
fn apertiums_spaced_quotation_marks_pair_up() {
    assert_eq!(restyled("es-ES", "en", r#"aprobado. " Estamos a punto," dijo."#), "aprobado. «Estamos a punto,» dijo.");
}
