//! Real Apertium translations through `newswire translate`, in both directions of both pairs.

use crate::support::*;

fn translate(text: &str, from: &str, to: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("input.txt");
    std::fs::write(&file, text).unwrap();
    let output = newswire()
        .args(["translate", "--no-clean", "--from", from, "--to", to])
        .arg(&file)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn english_to_spanish_and_back() {
    let es = translate("The city opened a new library on Monday.\n\nThe building has three floors.", "en", "es");
    assert!(es.contains("ciudad") && es.contains("biblioteca"), "{es}");
    assert_eq!(es.trim().split("\n\n").count(), 2, "paragraphs kept: {es}");
    let en = translate("La ciudad abrió una biblioteca nueva el lunes.", "es", "en");
    assert!(en.to_lowercase().contains("library") && en.contains("city"), "{en}");
}

#[test]
fn russian_to_ukrainian_and_back() {
    let uk = translate("Новая библиотека открылась в среду. Вход свободный для всех жителей города.", "ru", "uk");
    assert!(uk.contains("бібліотека"), "{uk}");
    let ru = translate("Нова бібліотека відкрилася в середу. Вхід вільний для всіх мешканців міста.", "uk", "ru");
    assert!(ru.contains("библиотека"), "{ru}");
}

#[test]
fn markup_survives_and_unknown_words_are_unmarked() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fragment.html");
    std::fs::write(&file, "<h2>Big news</h2><p>The <a href=\"https://x.example/\">mayor</a> met Zorblaxian delegates.</p><ul><li>One item</li></ul>").unwrap();
    let output = newswire()
        .args(["translate", "--no-clean", "--from", "en", "--to", "es", "--format", "html"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let html = String::from_utf8(output.stdout).unwrap();
    assert!(html.contains("<h2>"), "{html}");
    assert!(html.contains("<a href=\"https://x.example/\""), "{html}");
    assert!(html.contains("<li>"), "{html}");
    assert!(html.contains("Zorblaxian") && !html.contains("*Zorblaxian"), "{html}");
}

#[test]
fn an_unsupported_pair_is_a_clear_failure() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("input.txt");
    std::fs::write(&file, "Labas rytas, Vilniau.").unwrap();
    let output =
        newswire().args(["translate", "--no-clean", "--from", "lt", "--to", "es"]).arg(&file).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no backend translates lt→es"));
}

#[test]
fn the_translation_memory_makes_a_rerun_free_and_a_change_cheap() {
    let work = tempfile::tempdir().unwrap();
    let article = work.path().join("ferry.html");
    let original = std::fs::read_to_string(examples_dir().join("en-harbour-ferry.html")).unwrap();
    std::fs::write(&article, &original).unwrap();
    let pipeline = Desk::new("memory-desk")
        .state(&work.path().join("state.sqlite"))
        .languages(&["en", "es"])
        .partner(Partner::directory("archive", &["es"], &work.path().join("archive")))
        .write(work.path());
    let run = || -> serde_json::Value {
        let output = newswire().arg("run").arg(&pipeline).arg("--input").arg(&article).arg("--json").output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let first = run();
    let sent = first["totals"]["chars_sent"].as_u64().unwrap();
    assert!(sent > 1000, "{}", first["totals"]);
    assert_eq!(first["totals"]["chars_cached"], 0);
    assert_eq!(first["backends"]["apertium"]["chars_sent"], sent);

    let second = run();
    assert_eq!(second["totals"]["chars_sent"], 0, "a re-run sends nothing: {}", second["totals"]);
    assert_eq!(second["totals"]["chars_cached"].as_u64().unwrap(), sent);

    let changed_paragraph = "The transport office will publish passenger numbers every month.";
    let edited = original.replace(
        "The transport office said it would publish passenger numbers after the first month and decide in the spring whether to add a third stop near the new library.",
        changed_paragraph,
    );
    std::fs::write(&article, edited).unwrap();
    let third = run();
    assert_eq!(
        third["totals"]["chars_sent"].as_u64().unwrap(),
        changed_paragraph.chars().count() as u64,
        "only the changed paragraph is sent: {}",
        third["totals"]
    );
}

#[test]
fn glossary_terms_code_and_no_translate_spans_survive() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = Desk::new("glossary-desk")
        .state(&dir.path().join("state.sqlite"))
        .table("[glossary]\nkeep = [\"Harbour Line\"]\n[glossary.terms.\"en-es\"]\n\"city council\" = \"ayuntamiento\"")
        .write(dir.path());
    let file = dir.path().join("fragment.html");
    std::fs::write(
        &file,
        "<p>The city council of Harbour Line met the <span class=\"notranslate\">Big Ferry</span> crew and typed <code>make demo</code> today.</p>",
    )
    .unwrap();
    let output = newswire()
        .args(["translate", "--no-clean", "--from", "en", "--to", "es", "--format", "html", "--pipeline"])
        .arg(&pipeline)
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let html = String::from_utf8(output.stdout).unwrap();
    assert!(html.contains("ayuntamiento"), "{html}");
    assert!(html.contains("Harbour Line"), "{html}");
    assert!(html.contains("<span translate=\"no\">Big Ferry</span>"), "{html}");
    assert!(html.contains("<code>make demo</code>"), "{html}");
    assert!(!html.contains("QZ"), "no token left behind: {html}");
}

#[test]
fn translate_json_reports_characters_sent_and_cached() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = Desk::new("d").state(&dir.path().join("s.sqlite")).write(dir.path());
    let file = dir.path().join("input.txt");
    std::fs::write(&file, "The harbour opens on Monday.").unwrap();
    let run = || -> serde_json::Value {
        let output = newswire()
            .args(["translate", "--no-clean", "--from", "en", "--to", "es", "--format", "json", "--pipeline"])
            .arg(&pipeline)
            .arg(&file)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let first = run();
    assert_eq!(first["language"], "es");
    assert_eq!(first["backend"], "apertium");
    assert_eq!(first["chars_sent"], "The harbour opens on Monday.".len());
    assert!(first["html"].as_str().unwrap().starts_with("<p>"));
    let second = run();
    assert_eq!(second["chars_sent"], 0);
    assert_eq!(second["chars_cached"], "The harbour opens on Monday.".len());
    assert_eq!(second["text"], first["text"]);
}
