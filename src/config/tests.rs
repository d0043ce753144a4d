//! The pipeline file's validation, on small files.

use super::*;

const GOOD: &str = r#"
name = "desk"
[source]
paths = ["examples"]
[detect]
languages = ["en", "es"]
[translate]
backend = "apertium"
[backends.apertium]
kind = "apertium"
[[partners]]
name = "archive"
channel = "directory"
languages = ["*"]
path = "out"
"#;

#[test]
fn a_good_file_validates() {
    let (p, warnings) = Pipeline::parse(Path::new("desk.toml"), GOOD).unwrap();
    assert!(warnings.is_empty());
    assert_eq!(p.detect.languages, ["en", "es"]);
    assert_eq!(p.translate_chain, ["apertium"]);
    assert!(p.partners[0].wants("ru"));
}

#[test]
fn a_typo_is_reported_with_line_and_column() {
    let text = GOOD.replace("languages = [\"en\"", "langauges = [\"en\"");
    let err = Pipeline::parse(Path::new("desk.toml"), &text).unwrap_err();
    let problem = &err.problems[0];
    assert_eq!((problem.line, problem.column), (6, 1), "{problem}");
    assert!(problem.message.contains("langauges"), "{problem}");
}

#[test]
fn semantic_problems_point_at_the_value() {
    let text = GOOD.replace("[\"en\", \"es\"]", "[\"en\", \"xx\"]");
    let err = Pipeline::parse(Path::new("desk.toml"), &text).unwrap_err();
    assert_eq!(err.problems[0].line, 6);
    assert!(err.problems[0].message.contains("\"xx\""));
}

#[test]
fn a_partner_reviews_as_the_desk_says_unless_it_says_otherwise() {
    let text = GOOD.replace("name = \"desk\"", "name = \"desk\"\nreview = \"flagged\"\nreview_flags = [\"numbers\"]");
    let (p, _) = Pipeline::parse(Path::new("desk.toml"), &text).unwrap();
    assert_eq!(p.partners[0].review, ReviewPolicy { mode: ReviewMode::Flagged, flags: vec![Flag::Numbers] });
    let own = text.replace("path = \"out\"", "path = \"out\"\nreview = \"always\"");
    let (p, _) = Pipeline::parse(Path::new("desk.toml"), &own).unwrap();
    assert_eq!(p.partners[0].review.mode, ReviewMode::Always);
    assert_eq!(p.reviewed_languages(), Vec::<String>::new(), "no partner names a language");
    let bad = text.replace("[\"numbers\"]", "[\"numbers\", \"tone\"]").replace("\"flagged\"", "\"sometimes\"");
    let err = Pipeline::parse(Path::new("desk.toml"), &bad).unwrap_err();
    let messages: Vec<String> = err.problems.iter().map(|p| format!("{}:{} {}", p.line, p.column, p.message)).collect();
    assert!(
        messages.iter().any(|m| m.starts_with("3:10 review \"sometimes\" is not never, flagged or always")),
        "{messages:?}"
    );
    assert!(messages.iter().any(|m| m.contains("unknown flag \"tone\" (known: numbers, urls")), "{messages:?}");
}

#[test]
fn serve_takes_tokens_from_the_environment_and_checks_users() {
    std::env::set_var("NEWSWIRE_TEST_CMS_TOKEN", "cms-token-from-the-environment");
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$jQpaNOo+DAS02zsMsebzQA$tC8/kqnFmc/ZOGBBHoMKHzPsdEU3QWq5XGFGMNjZ3Ps";
    let serve = format!(
        "\n[serve]\ntokens = [\"${{NEWSWIRE_TEST_CMS_TOKEN}}\"]\nsession_ttl = \"2h\"\n\
         [[serve.users]]\nname = \"ana\"\nrole = \"editor\"\npassword_hash = \"{hash}\"\n"
    );
    let (p, warnings) = Pipeline::parse(Path::new("desk.toml"), &format!("{GOOD}{serve}")).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(p.serve.tokens[0].expose(), "cms-token-from-the-environment");
    assert_eq!((p.serve.users[0].name.as_str(), p.serve.users[0].role), ("ana", Role::Editor));
    assert_eq!(p.serve.session_ttl, Duration::from_secs(7200));

    let literal = serve.replace("${NEWSWIRE_TEST_CMS_TOKEN}", "a-token-written-in-the-file");
    let (_, warnings) = Pipeline::parse(Path::new("desk.toml"), &format!("{GOOD}{literal}")).unwrap();
    assert!(warnings[0].message.contains("give it from the environment"), "{warnings:?}");

    let bad =
        serve.replace("\"editor\"", "\"admin\"").replace("${NEWSWIRE_TEST_CMS_TOKEN}", "${NEWSWIRE_TEST_UNSET_TOKEN}");
    let bad = format!("{bad}[[serve.users]]\nname = \"sam\"\nrole = \"staff\"\npassword_hash = \"hunter2\"\n");
    let err = Pipeline::parse(Path::new("desk.toml"), &format!("{GOOD}{bad}")).unwrap_err();
    let messages: Vec<String> = err.problems.iter().map(|p| format!("{}:{} {}", p.line, p.column, p.message)).collect();
    assert!(messages.iter().any(|m| m.contains("NEWSWIRE_TEST_UNSET_TOKEN is not set")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("role \"admin\" is not editor or staff")), "{messages:?}");
    assert!(
        messages.iter().any(|m| m.starts_with("27:17 user \"sam\": the password hash is not a PHC string")),
        "{messages:?}"
    );
}

#[test]
fn a_partners_glossary_lies_over_the_desks() {
    let text = GOOD.replace(
        "[backends.apertium]",
        "[glossary]\nkeep = [\"NATO\"]\nterms.\"en-es\" = { \"Supreme Court\" = \"Tribunal Supremo\", \"ferry\" = \"ferri\" }\n[backends.apertium]",
    ) + "glossary = { keep = [\"UEFA\"], terms = { \"en-es\" = { \"Supreme Court\" = \"Corte Suprema\" } } }\n";
    let (p, _) = Pipeline::parse(Path::new("desk.toml"), &text).unwrap();
    let archive = &p.partners[0];
    assert_eq!(archive.voice.glossary.as_deref(), Some("archive"));
    let merged = p.glossary.of_voice(&archive.voice, &p.partners);
    assert_eq!(merged.keep, ["NATO", "UEFA"]);
    let mut terms = merged.for_pair("en", "es");
    terms.sort();
    let expected = [("NATO", "NATO"), ("Supreme Court", "Corte Suprema"), ("UEFA", "UEFA"), ("ferry", "ferri")];
    assert_eq!(terms, expected.map(|(s, t)| (s.to_string(), t.to_string())));
    assert_eq!(p.glossary.of_voice(&Voice::default(), &p.partners).for_pair("en", "es").len(), 3);
}
