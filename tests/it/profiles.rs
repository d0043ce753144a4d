//! Partner profiles end to end, through real receivers: each partner gets the cut of the story
//! it asked for (`content`), and only what some partner is sent is translated and billed.

use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use crate::support::{examples_dir, newswire, report_of, Desk, Partner, VerifyingReceiver};

const HEADLINE: &str = "Harbour ferry service returns after two-year pause";
const FIRST: &str = "The ferry linking the old harbour with the island district will carry passengers again from Monday, the city transport office said on Thursday, ending a two-year pause caused by repairs to both piers.";

fn run(pipeline: &std::path::Path) -> Value {
    report_of(pipeline, &examples_dir().join("en-harbour-ferry.html"), &[]).0
}

fn spanish<'a>(report: &'a Value, content: &str) -> &'a Value {
    report["articles"][0]["translations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["language"] == "es" && t["content"].as_str().unwrap_or("full") == content)
        .unwrap_or_else(|| panic!("no {content} translation in {report:#}"))
}

fn chars(translation: &Value) -> u64 {
    translation["chars_sent"].as_u64().unwrap() + translation["chars_cached"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_partner_gets_the_cut_it_asked_for() {
    let server = MockServer::start().await;
    let (whole, headline) = (VerifyingReceiver::default(), VerifyingReceiver::default());
    Mock::given(method("POST")).and(path("/whole")).respond_with(whole.clone()).mount(&server).await;
    Mock::given(method("POST")).and(path("/headline")).respond_with(headline.clone()).mount(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let pipeline = Desk::new("profiles")
        .state(&dir.path().join("state.sqlite"))
        .languages(&["en"])
        .partner(Partner::webhook("whole", &["es"], &format!("{}/whole", server.uri())))
        .partner(
            Partner::webhook("wire-briefs", &["es"], &format!("{}/headline", server.uri()))
                .with("content = \"headline\""),
        )
        .partner(Partner::directory("morning-digest", &["es"], &dir.path().join("digest")).with("content = \"lede\""))
        .write(dir.path());
    let report = run(&pipeline);

    let full = spanish(&report, "full");
    assert!(chars(full) > 1000, "{full:#}");
    // The headline and the lede are parts of the whole, found in the memory it filled.
    assert_eq!(chars(spanish(&report, "headline")), HEADLINE.len() as u64);
    assert_eq!(spanish(&report, "headline")["chars_sent"], 0);
    assert_eq!(chars(spanish(&report, "lede")), (HEADLINE.len() + FIRST.len()) as u64);

    let whole: Vec<Value> = whole.seen.lock().unwrap().iter().map(|r| r.body.clone()).collect();
    let brief: Vec<Value> = headline.seen.lock().unwrap().iter().map(|r| r.body.clone()).collect();
    assert_eq!((whole.len(), brief.len()), (1, 1));
    assert_eq!(brief[0]["headlines"], whole[0]["headlines"], "the same Spanish headline");
    let html = |item: &Value| {
        item["bodies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["contenttype"] == "text/html")
            .map(|b| b["value"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert!(html(&whole[0]).matches("<p>").count() >= 5, "{}", html(&whole[0]));
    assert!(!html(&brief[0]).contains("<p>"), "a headline alone: {}", html(&brief[0]));
    assert!(brief[0]["associations"].to_string().contains("harbour-ferry"), "with the link to the original");

    let digest = crate::support::files_under(&dir.path().join("digest"));
    let page = std::fs::read_to_string(dir.path().join("digest").join(&digest[0])).unwrap();
    let story = &page[page.find("<article>").unwrap()..page.find("</article>").unwrap()];
    let first_spanish = html(&whole[0]).split("</p>").next().unwrap().trim_start_matches("<p>").to_string();
    assert!(story.contains(&first_spanish), "the lede is the first paragraph: {story}");
    assert!(!story.contains("<h2>") && !story.contains("<li>"), "and nothing after it: {story}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_desk_whose_partners_take_headlines_sends_only_headlines() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = Desk::new("briefs")
        .state(&dir.path().join("state.sqlite"))
        .languages(&["en"])
        .partner(Partner::directory("wire-briefs", &["es"], &dir.path().join("briefs")).with("content = \"headline\""))
        .write(dir.path());
    let report = run(&pipeline);
    assert_eq!(report["totals"]["chars_sent"], HEADLINE.len(), "{report:#}");
    let brief = spanish(&report, "headline");
    assert_eq!(brief["status"], "ok");
    let checked = newswire().arg("check").arg(&pipeline).output().unwrap();
    assert!(checked.status.success());
    std::fs::write(&pipeline, std::fs::read_to_string(&pipeline).unwrap().replace("\"headline\"", "\"teaser\""))
        .unwrap();
    let refused = newswire().arg("check").arg(&pipeline).output().unwrap();
    let said = String::from_utf8_lossy(&refused.stdout);
    assert!(said.contains("`content` must be \"full\", \"headline\" or \"lede\", not \"teaser\""), "{said}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proofreading_partner_gets_the_original_beside_the_translation() {
    let server = MockServer::start().await;
    let proofreader = VerifyingReceiver::default();
    Mock::given(method("POST")).and(path("/proof")).respond_with(proofreader.clone()).mount(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let pipeline = Desk::new("proof")
        .state(&dir.path().join("state.sqlite"))
        .languages(&["en"])
        .partner(Partner::webhook("proofreader", &["es"], &format!("{}/proof", server.uri())).with("bilingual = true"))
        .partner(
            Partner::directory("digest", &["es"], &dir.path().join("digest"))
                .with("bilingual = true")
                .with("content = \"lede\""),
        )
        .write(dir.path());
    run(&pipeline);

    let items: Vec<Value> = proofreader.seen.lock().unwrap().iter().map(|r| r.body.clone()).collect();
    assert_eq!(items.len(), 1);
    let body = |kind: &str| {
        items[0]["bodies"].as_array().unwrap().iter().find(|b| b["contenttype"] == kind).unwrap()["value"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let html = body("text/html");
    assert!(html.starts_with("<table class=\"newswire-bilingual\">"), "{html}");
    let first_row = html.lines().nth(1).unwrap();
    assert!(
        first_row.starts_with(&format!("<tr><td lang=\"en\"><p>{FIRST}</p></td><td lang=\"es\"><p>")),
        "{first_row}"
    );
    assert!(html.matches("<tr>").count() >= 8, "a row per block: {html}");
    let text = body("text/plain");
    let (english, spanish) = text.split_once("\n").unwrap();
    assert_eq!(english, FIRST);
    assert!(spanish.starts_with("El "), "{spanish}");
    assert_eq!(items[0]["language"], "es");

    let digest = crate::support::files_under(&dir.path().join("digest"));
    let page = std::fs::read_to_string(dir.path().join("digest").join(&digest[0])).unwrap();
    assert_eq!(page.matches("<tr>").count(), 1, "the lede, side by side: {page}");
    assert!(page.contains(&format!("<td lang=\"en\"><p>{FIRST}</p></td>")), "{page}");
}

/// A headline and the whole story in one language are reviewed apart, and releasing one sends
/// only the partners that take it.
#[tokio::test(flavor = "multi_thread")]
async fn a_cut_is_reviewed_and_released_apart_from_the_whole_story() {
    let dir = tempfile::tempdir().unwrap();
    let (whole, briefs) = (dir.path().join("whole"), dir.path().join("briefs"));
    let pipeline = Desk::new("reviewed-cuts")
        .state(&dir.path().join("state.sqlite"))
        .languages(&["en"])
        .partner(Partner::directory("whole", &["es"], &whole).with("review = \"always\""))
        .partner(
            Partner::directory("briefs", &["es"], &briefs).with("review = \"always\"").with("content = \"headline\""),
        )
        .write(dir.path());
    run(&pipeline);
    let listed = newswire().args(["review", "list"]).arg(&pipeline).arg("--json").output().unwrap();
    let waiting: Vec<Value> = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(waiting.len(), 2, "{waiting:#?}");
    let by_article = newswire()
        .args(["review", "approve"])
        .arg(&pipeline)
        .arg("https://bep.example/city/harbour-ferry-returns")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&by_article.stderr);
    assert!(!by_article.status.success() && said.contains("several reviews wait for"), "{said}");
    let review_for = |partner: &str| {
        waiting.iter().find(|w| w["partners"] == serde_json::json!([partner])).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let approve = |id: String| {
        let output = newswire()
            .args(["review", "approve"])
            .arg(&pipeline)
            .arg(id)
            .args(["--by", "Desk Chief"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    };
    approve(review_for("briefs"));
    assert_eq!(crate::support::files_under(&briefs).len(), 1);
    assert!(crate::support::files_under(&whole).is_empty(), "the whole story still waits");
    approve(review_for("whole"));
    let page = std::fs::read_to_string(whole.join(&crate::support::files_under(&whole)[0])).unwrap();
    assert!(page.matches("<p>").count() >= 5, "{page}");
}

/// A partner's own glossary is laid over the desk's: its terms win where both translate one, the
/// others' copies keep the desk's, and the memory serves both again without a request.
#[tokio::test(flavor = "multi_thread")]
async fn a_partner_with_its_own_glossary_gets_its_terms() {
    let server = MockServer::start().await;
    let (house, desk) = (VerifyingReceiver::default(), VerifyingReceiver::default());
    Mock::given(method("POST")).and(path("/house")).respond_with(house.clone()).mount(&server).await;
    Mock::given(method("POST")).and(path("/desk")).respond_with(desk.clone()).mount(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let pipeline = Desk::new("glossaries")
        .state(&dir.path().join("state.sqlite"))
        .languages(&["en"])
        .table("[glossary]\nkeep = [\"Baltic Evening Post\"]\nterms.\"en-es\" = { \"transport office\" = \"Concejalía de Transportes\" }")
        .partner(Partner::webhook("desk-style", &["es"], &format!("{}/desk", server.uri())))
        .partner(
            Partner::webhook("house-style", &["es"], &format!("{}/house", server.uri()))
                .with("glossary = { keep = [\"Marta Kalnina\"], terms = { \"en-es\" = { \"transport office\" = \"Oficina de Movilidad\" } } }"),
        )
        .write(dir.path());
    let report = run(&pipeline);
    let voices: Vec<&Value> =
        report["articles"][0]["translations"].as_array().unwrap().iter().map(|t| &t["glossary"]).collect();
    assert_eq!(voices, [&Value::Null, &Value::from("house-style")], "{report:#}");

    let text = |receiver: &VerifyingReceiver| receiver.seen.lock().unwrap()[0].body["bodies"].to_string();
    assert!(text(&house).contains("Oficina de Movilidad"), "{}", text(&house));
    assert!(!text(&house).contains("Concejalía de Transportes"), "{}", text(&house));
    assert!(text(&desk).contains("Concejalía de Transportes"), "{}", text(&desk));
    assert!(!text(&desk).contains("Oficina de Movilidad"), "{}", text(&desk));

    let again = run(&pipeline);
    assert_eq!(again["totals"]["chars_sent"], 0, "both glossaries' segments come from the memory: {again:#}");

    let refused = std::fs::read_to_string(&pipeline)
        .unwrap()
        .replace("\"en-es\" = { \"transport", "\"english-es\" = { \"transport");
    std::fs::write(&pipeline, refused).unwrap();
    let said = newswire().arg("check").arg(&pipeline).output().unwrap();
    let said = String::from_utf8_lossy(&said.stdout);
    assert!(said.contains("glossary pair \"english-es\" is not like \"en-es\""), "{said}");
}

/// `style = "es-ES"`: the partner's machine-made copy takes CLDR's Spanish separators, quotation
/// marks and date order; a partner without one gets the engine's text as it came.
#[tokio::test(flavor = "multi_thread")]
async fn a_partner_with_a_style_gets_its_typography() {
    let server = MockServer::start().await;
    let styled = VerifyingReceiver::default();
    Mock::given(method("POST")).and(path("/styled")).respond_with(styled.clone()).mount(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let page = std::fs::read_to_string(examples_dir().join("en-harbour-ferry.html"))
        .unwrap()
        .replace("again from Monday,", "again from 12/25/2026 with 1,250.5 seats a day,");
    let story = dir.path().join("ferry.html");
    std::fs::write(&story, page).unwrap();
    let pipeline = Desk::new("styles")
        .state(&dir.path().join("state.sqlite"))
        .languages(&["en"])
        .partner(Partner::webhook("el-diario", &["es"], &format!("{}/styled", server.uri())).with("style = \"es-ES\""))
        .partner(Partner::directory("plain", &["es"], &dir.path().join("plain")))
        .write(dir.path());
    report_of(&pipeline, &story, &[]);

    let item = styled.seen.lock().unwrap()[0].body.clone();
    let html = item["bodies"].as_array().unwrap().iter().find(|b| b["contenttype"] == "text/html").unwrap()["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(html.contains("1250,5") && html.contains("25/12/2026"), "{html}");
    assert!(html.contains("«Nosotros") && html.contains("en,»"), "{html}");
    let plain = crate::support::files_under(&dir.path().join("plain"));
    let plain = std::fs::read_to_string(dir.path().join("plain").join(&plain[0])).unwrap();
    assert!(plain.contains("1,250.5") && plain.contains("12/25/2026") && !plain.contains("«"), "{plain}");

    let text = std::fs::read_to_string(&pipeline).unwrap();
    for (style, said) in [
        ("\"fr-FR\"", "style \"fr-FR\" is for fr, which it does not take"),
        ("\"xx-QQ\"", "CLDR has no typography for \"xx-QQ\""),
    ] {
        std::fs::write(&pipeline, text.replace("\"es-ES\"", style)).unwrap();
        let checked = newswire().arg("check").arg(&pipeline).output().unwrap();
        let out = String::from_utf8_lossy(&checked.stdout);
        assert!(out.contains(said), "{out}");
    }
}
