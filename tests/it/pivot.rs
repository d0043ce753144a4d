//! Pivot translation end to end: a Ukrainian story reaches a Spanish partner through English when
//! no backend serves uk→es, each hop by its own engine (a command engine for uk→en, the real
//! Apertium for en→es), both disclosed, and the final text checked against the original.

use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use crate::support::{newswire, report_of, Desk, Partner, VerifyingReceiver};

/// uk→en by sentence, as a person would have it, but with the ticket price written wrong: the
/// error the check over the whole way must still catch after Apertium's hop.
const UK_EN: &str = r#"import json, sys
known = {
    "Пором знову курсує між островами": "The ferry runs between the islands again",
    "Пором між двома островами знову курсує з понеділка, повідомила міська рада.":
        "The ferry between the two islands runs again from Monday, the city council said.",
    "Квитки коштують 12 євро, а перший пором вирушає о 7 ранку.":
        "Tickets cost 15 euros and the first ferry leaves at 7 in the morning.",
    "Мешканці чекали на відновлення сполучення понад три місяці.":
        "Residents waited more than three months for the service to return.",
}
for line in sys.stdin:
    segment = json.loads(line)
    print(json.dumps({"id": segment["id"], "text": known.get(segment["text"], segment["text"])}), flush=True)
"#;

const STORY: &str = "<html lang=\"uk\"><head><title>Пором знову курсує між островами</title></head><body><article>
<h1>Пором знову курсує між островами</h1>
<p>Пором між двома островами знову курсує з понеділка, повідомила міська рада.</p>
<p>Квитки коштують 12 євро, а перший пором вирушає о 7 ранку.</p>
<p>Мешканці чекали на відновлення сполучення понад три місяці.</p>
</article></body></html>";

fn desk(dir: &std::path::Path, hook: &str, pivot: &str) -> std::path::PathBuf {
    let script = dir.join("uk_en.py");
    std::fs::write(&script, UK_EN).unwrap();
    Desk::new("pivot-desk")
        .state(&dir.join("state.sqlite"))
        .languages(&["uk", "en", "es"])
        .table(&format!("[translate]\nbackend = [\"phrasebook\", \"apertium\"]\n{pivot}"))
        .table(&format!(
            "[backends.phrasebook]\nkind = \"command\"\ncommand = [\"/usr/bin/python3\", {:?}]\npairs = [\"uk-en\"]",
            script.display().to_string()
        ))
        .table("[backends.apertium]\nkind = \"apertium\"")
        .partner(Partner::webhook("el-correo", &["es"], hook))
        .partner(Partner::directory("archive", &["es"], &dir.join("archive")))
        .write(dir)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ukrainian_story_reaches_a_spanish_partner_through_english() {
    let server = MockServer::start().await;
    let receiver = VerifyingReceiver::default();
    Mock::given(method("POST")).and(path("/hook")).respond_with(receiver.clone()).mount(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let story = dir.path().join("ferry.html");
    std::fs::write(&story, STORY).unwrap();
    let pipeline = desk(dir.path(), &format!("{}/hook", server.uri()), "");

    let checked = newswire().arg("check").arg(&pipeline).output().unwrap();
    let said = String::from_utf8_lossy(&checked.stdout);
    assert!(said.contains("translation into es: directly from en; through en from uk"), "{said}");

    let (report, summary) = report_of(&pipeline, &story, &[]);
    assert!(summary.contains("through a bridge language: uk→en→es 1"), "{summary}");
    let spanish = &report["articles"][0]["translations"][0];
    assert_eq!(spanish["language"], "es", "{report:#}");
    let hops: Vec<(String, String, String)> = spanish["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["from"].as_str().unwrap().into(),
                h["to"].as_str().unwrap().into(),
                h["backend"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(hops, [("uk".into(), "en".into(), "phrasebook".into()), ("en".into(), "es".into(), "apertium".into())]);
    assert!(spanish["path"][0]["chars_sent"].as_u64().unwrap() > 0);
    assert_eq!(spanish["engines"], serde_json::json!(["phrasebook", "apertium"]));
    // Apertium kept the first hop's 15; only the check against the Ukrainian sees the 12 is gone.
    let numbers: Vec<&Value> = spanish["flags"].as_array().unwrap().iter().filter(|f| f["flag"] == "numbers").collect();
    assert_eq!(numbers.len(), 1, "{:#}", spanish["flags"]);
    assert!(numbers[0]["detail"].as_str().unwrap().contains("12"), "{:#}", numbers[0]);

    let items: Vec<Value> = receiver.seen.lock().unwrap().iter().map(|r| r.body.clone()).collect();
    let item = items.iter().find(|i| i["language"] == "es").expect("the Spanish copy was delivered");
    let engines: Vec<&str> = item["infosources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["role"] == "machine-translation")
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(engines, ["phrasebook", "apertium"]);
    let ednote = item["ednote"].as_str().unwrap();
    assert!(ednote.starts_with("Machine translation from uk via en by phrasebook + apertium"), "{ednote}");
    assert!(item["bodies"].to_string().contains("15 euros"), "{item:#}");
    let archived = crate::support::files_under(&dir.path().join("archive"));
    let page = archived.iter().find(|f| f.ends_with(".html")).expect("the archive's copy");
    let page = std::fs::read_to_string(dir.path().join("archive").join(page)).unwrap();
    assert!(page.contains("Traducción automática (uk → en → es) por phrasebook + apertium"), "{page}");
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_pivot_off_the_pair_is_not_reached_and_check_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = desk(dir.path(), "http://127.0.0.1:9/hook", "pivot = []");
    let checked = newswire().arg("check").arg(&pipeline).output().unwrap();
    let said = String::from_utf8_lossy(&checked.stdout);
    assert!(said.contains("translation into es: directly from en; not at all from uk"), "{said}");
    assert!(
        said.contains("no backend translates uk→es, directly or through a bridge language (`pivot = []`)"),
        "{said}"
    );
}
