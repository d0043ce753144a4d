//! Editors in the loop, end to end: an OpenAI-compatible server on 127.0.0.1 that answers with
//! the failures newsrooms report (a changed number, a preamble, a skipped sentence, a loop); the
//! copies held; the XLIFF checked against the OASIS schemas and edited by translate-toolkit; the
//! edit imported, delivered with the reviewed disclosure, and remembered for the next run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::{fixture, newswire, project_dir, Desk, Partner, VerifyingReceiver};

/// An OpenAI-compatible chat server answering each segment from a table.
#[derive(Clone, Default)]
struct Llm {
    answers: Arc<Mutex<HashMap<String, String>>>,
    asked: Arc<Mutex<Vec<String>>>,
}

impl Llm {
    fn answer(&self, segment: &str, answer: &str) {
        self.answers.lock().unwrap().insert(segment.to_string(), answer.to_string());
    }

    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

impl Respond for Llm {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let segment = body["messages"][1]["content"].as_str().unwrap_or("").to_string();
        self.asked.lock().unwrap().push(segment.clone());
        match self.answers.lock().unwrap().get(&segment) {
            Some(answer) => ResponseTemplate::new(200).set_body_json(json!({
                "choices": [{"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}]
            })),
            None => ResponseTemplate::new(400)
                .set_body_json(json!({"error": {"message": format!("unexpected: {segment}")}})),
        }
    }
}

const HEADLINE: &str = "Council approves harbour budget";
const NUMBER: &str = "The council approved 3,000 new berths for the harbour on Tuesday evening, after a long debate.";
const CHATTY: &str = "Mayor Ana Lopez said the work on the northern quay starts in May and should take two years.";
const SKIPPED: &str =
    "The port will hire new staff for the summer. Fees for local fishermen stay the same. Ferries run as usual.";
const LOOPED: &str = "Residents of the old town welcomed the plan at a public meeting.";

/// The machine's answers, each with one of the failures, and the editor's fixes by unit.
fn machine(llm: &Llm) {
    llm.answer(HEADLINE, "El concejo aprueba el presupuesto del puerto");
    llm.answer(
        NUMBER,
        "El concejo aprobó 3.500 nuevos amarres para el puerto el martes por la noche, tras un largo debate.",
    );
    llm.answer(
        CHATTY,
        "Aquí está la traducción: La alcaldesa Ana Lopez dijo que las obras del muelle norte empiezan en mayo y durarán dos años.",
    );
    llm.answer(SKIPPED, "El puerto contratará nuevo personal para el verano.");
    llm.answer(
        LOOPED,
        "Los vecinos del casco antiguo acogieron el plan en una reunión pública pública pública pública.",
    );
}

fn editor() -> Value {
    json!({
        "s1": "El concejo aprobó 3.000 nuevos amarres para el puerto el martes por la noche, tras un largo debate.",
        "s2": "La alcaldesa Ana Lopez dijo que las obras del muelle norte empiezan en mayo y durarán dos años.",
        "s3": "El puerto contratará nuevo personal para el verano. Las tasas para los pescadores locales no cambian. Los ferris funcionan con normalidad.",
        "s4": "Los vecinos del casco antiguo acogieron el plan en una reunión pública.",
    })
}

struct Newsroom {
    dir: tempfile::TempDir,
    pipeline: PathBuf,
    article: PathBuf,
    llm: Llm,
    receiver: VerifyingReceiver,
    _server: MockServer,
}

async fn newsroom(review: &str) -> Newsroom {
    let server = MockServer::start().await;
    let llm = Llm::default();
    machine(&llm);
    Mock::given(method("POST")).and(path("/v1/chat/completions")).respond_with(llm.clone()).mount(&server).await;
    let receiver = VerifyingReceiver::default();
    Mock::given(method("POST")).and(path("/hook")).respond_with(receiver.clone()).mount(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("harbour.html");
    std::fs::copy(fixture("harbour-budget.html"), &article).unwrap();
    let pipeline = Desk::new("review-desk")
        .state(&dir.path().join("state.sqlite"))
        .languages(&["en"])
        .table("[translate]\nbackend = \"llm\"")
        .table(&format!(
            "[backends.llm]\nkind = \"openai\"\nurl = \"{}/\"\nmodel = \"news-mt\"\napi_key = \"sk-test\"\nretries = 0",
            server.uri()
        ))
        .partner(
            Partner::webhook("hook", &["es"], &format!("{}/hook", server.uri())).with(&format!("review = {review:?}")),
        )
        .partner(
            Partner::directory("archive", &["es"], &dir.path().join("archive"))
                .with("review = \"always\"")
                .with("review_flags = [\"numbers\"]"),
        )
        .write(dir.path());
    Newsroom { dir, pipeline, article, llm, receiver, _server: server }
}

impl Newsroom {
    fn run(&self) -> Value {
        let output =
            newswire().arg("run").arg(&self.pipeline).arg("--input").arg(&self.article).arg("--json").output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        let mut report: Value = serde_json::from_slice(&output.stdout).unwrap();
        report["summary"] = json!(String::from_utf8_lossy(&output.stderr));
        report
    }

    fn review(&self, args: &[&str]) -> std::process::Output {
        newswire().arg("review").arg(args[0]).arg(&self.pipeline).args(&args[1..]).output().unwrap()
    }

    fn waiting(&self) -> Vec<Value> {
        let output = self.review(&["list", "--json"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_slice::<Vec<Value>>(&output.stdout).unwrap()
    }

    /// Exports in a format; the files written.
    fn export(&self, format: &str) -> Vec<PathBuf> {
        let out = self.dir.path().join(format!("export-{format}"));
        let output = self.review(&["export", "--format", format, "--out", out.to_str().unwrap()]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).lines().map(PathBuf::from).collect()
    }

    fn webhooks(&self) -> Vec<Value> {
        let seen = self.receiver.seen.lock().unwrap();
        assert!(seen.iter().all(|r| r.verified));
        seen.iter().map(|r| r.body.clone()).collect()
    }

    fn archived(&self) -> Vec<String> {
        let mut files = crate::support::files_under(&self.dir.path().join("archive"));
        files.retain(|f| f.ends_with(".html"));
        files.iter().map(|f| std::fs::read_to_string(self.dir.path().join("archive").join(f)).unwrap()).collect()
    }
}

fn flags_of(translation: &Value) -> Vec<(u64, String)> {
    translation["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["segment"].as_u64().unwrap(), f["flag"].as_str().unwrap().to_string()))
        .collect()
}

/// Validates XLIFF against the OASIS schema Debian's php-symfony-translation ships, its `xml.xsd`
/// import pointed at the local copy (no network in tests).
fn validate_xliff(file: &Path, schema: &str) {
    let schemas = Path::new("/usr/share/php/Symfony/Component/Translation/Resources/schemas");
    assert!(schemas.join(schema).is_file(), "{schema} missing: make test installs php-symfony-translation");
    let local = tempfile::tempdir().unwrap();
    std::fs::copy(schemas.join("xml.xsd"), local.path().join("xml.xsd")).unwrap();
    let text = std::fs::read_to_string(schemas.join(schema)).unwrap();
    let text = text
        .replace("http://www.w3.org/2001/xml.xsd", "xml.xsd")
        .replace("informativeCopiesOf3rdPartySchemas/w3c/xml.xsd", "xml.xsd");
    std::fs::write(local.path().join(schema), text).unwrap();
    let output = std::process::Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(local.path().join(schema))
        .arg(file)
        .output()
        .expect("xmllint (libxml2-utils, which make test installs)");
    assert!(
        output.status.success(),
        "{} against {schema}: {}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// translate-toolkit, the CAT side, from the virtual environment `make test` prepares.
fn cat_edit(file: &Path, edits: &Value) {
    let python = project_dir().join("target/cat-venv/bin/python3");
    assert!(python.is_file(), "{} missing: make test installs translate-toolkit there", python.display());
    let output = std::process::Command::new(python)
        .arg(project_dir().join("tests/it/support/cat_edit.py"))
        .arg(file)
        .arg(edits.to_string())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

fn validate_ninjs(item: &Value) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("item.json");
    std::fs::write(&file, item.to_string()).unwrap();
    let schema = fixture("schemas/ninjs-schema_2.2.json");
    let output = std::process::Command::new("/usr/bin/python3")
        .arg(project_dir().join("tests/it/support/validate_ninjs.py"))
        .arg(&schema)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn flagged_copies_wait_for_an_editor_and_go_out_reviewed() {
    let desk = newsroom("flagged").await;

    // The run: every failure flagged on its segment, the copies held, nothing sent, exit 0.
    let report = desk.run();
    let article = &report["articles"][0];
    let translation = &article["translations"][0];
    assert_eq!(translation["status"], "held", "{translation}");
    let flags = flags_of(translation);
    for expected in [(1, "numbers"), (2, "chatter"), (3, "omission"), (4, "repetition")] {
        assert!(flags.contains(&(expected.0, expected.1.to_string())), "{expected:?} in {flags:?}");
    }
    assert!(!flags.iter().any(|(segment, _)| *segment == 0), "the headline is fine: {flags:?}");
    let statuses: Vec<&str> =
        article["deliveries"].as_array().unwrap().iter().map(|d| d["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["held", "held"]);
    assert_eq!(report["totals"]["held"], 2);
    let summary = report["summary"].as_str().unwrap();
    assert!(summary.contains("2 copies held for review"), "{summary}");
    assert!(summary.contains("chatter 1") && summary.contains("numbers 1"), "{summary}");
    assert!(desk.webhooks().is_empty() && desk.archived().is_empty(), "nothing reaches a partner");

    // What waits, and for whom.
    let waiting = desk.waiting();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0]["partners"], json!(["archive", "hook"]));
    assert_eq!(waiting[0]["language"], "es");
    assert_eq!(waiting[0]["flag_counts"]["repetition"], 1);

    // Out to the tools: both XLIFF versions valid against the OASIS schemas, and a page.
    let xliff = desk.export("xliff");
    assert_eq!(xliff.len(), 1);
    validate_xliff(&xliff[0], "xliff-core-1.2-strict.xsd");
    let exported = std::fs::read_to_string(&xliff[0]).unwrap();
    assert!(exported.contains("state=\"needs-review-translation\""), "{exported}");
    assert!(exported.contains("chatter: "), "flags ride along as notes: {exported}");
    for file in desk.export("xliff2") {
        validate_xliff(&file, "xliff-core-2.0.xsd");
    }
    let page = std::fs::read_to_string(&desk.export("html")[0]).unwrap();
    assert!(page.contains("<strong>omission</strong>") && page.contains("Mayor Ana Lopez"), "{page}");

    // A file for another article is refused whole, and nothing is applied.
    let foreign = desk.dir.path().join("foreign.xlf");
    let id = waiting[0]["id"].as_str().unwrap();
    std::fs::write(&foreign, exported.replace(id, "rev_000000000000000000000000")).unwrap();
    let refused = desk.review(&["import", foreign.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("foreign.xlf: refused, nothing applied"), "{stderr}");
    assert_eq!(desk.waiting().len(), 1);

    // A file with one unit twice and another missing is refused whole too, naming them: the
    // missing segment would go out as reviewed and be remembered as a person's.
    let doubled = desk.dir.path().join("doubled.xlf");
    std::fs::write(&doubled, exported.replace(r#"<trans-unit id="s1""#, r#"<trans-unit id="s0""#)).unwrap();
    let refused = desk.review(&["import", doubled.to_str().unwrap(), "--by", "Ana Editor"]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("doubled.xlf: refused, nothing applied") && stderr.contains("unit s0 is in the file twice"),
        "{stderr}"
    );
    assert_eq!(desk.waiting().len(), 1);

    // The editor fixes the four segments in a CAT tool, and the edit comes back.
    cat_edit(&xliff[0], &editor());
    let imported = desk.review(&["import", xliff[0].to_str().unwrap(), "--by", "Ana Editor"]);
    let stdout = String::from_utf8_lossy(&imported.stdout);
    assert_eq!(imported.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&imported.stderr));
    assert!(stdout.contains("4 segments edited"), "{stdout}");
    assert!(desk.waiting().is_empty());

    // Delivered as reviewed, with the editor's text.
    let webhooks = desk.webhooks();
    assert_eq!(webhooks.len(), 1);
    let item = &webhooks[0];
    let html = item["bodies"][1]["value"].as_str().unwrap();
    assert!(html.contains("3.000 nuevos amarres") && !html.contains("3.500"), "{html}");
    assert!(!html.contains("Aquí está") && !html.contains("pública pública"), "{html}");
    assert!(html.contains("Las tasas para los pescadores locales no cambian"), "{html}");
    assert_eq!(
        item["digitalsourcetype"]["uri"],
        "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
    );
    assert!(
        item["infosources"].as_array().unwrap().contains(&json!({"name": "Ana Editor", "role": "reviewer"})),
        "{item}"
    );
    assert!(item["ednote"].as_str().unwrap().contains("reviewed by Ana Editor"), "{item}");
    validate_ninjs(item);
    let archived = desk.archived();
    assert_eq!(archived.len(), 1);
    assert!(archived[0].contains("revisada por la redacción"), "{}", archived[0]);

    // A correction of the original: only its changed paragraph goes to the machine, and the
    // editor's text stays where the source did not change.
    let asked_before = desk.llm.asked().len();
    let corrected = "Residents of the old town warmly welcomed the plan at a public meeting.";
    desk.llm
        .answer(corrected, "Los vecinos del casco antiguo acogieron con entusiasmo el plan en una reunión pública.");
    let page = std::fs::read_to_string(&desk.article).unwrap().replace(LOOPED, corrected);
    std::fs::write(&desk.article, page).unwrap();
    let report = desk.run();
    assert_eq!(desk.llm.asked()[asked_before..], [corrected.to_string()], "only the changed segment was sent");
    let translation = &report["articles"][0]["translations"][0];
    assert_eq!(translation["status"], "ok", "{translation}");
    assert_eq!(translation["flags"], json!([]));
    let webhooks = desk.webhooks();
    assert_eq!(webhooks.len(), 2, "the correction went out without waiting");
    let html = webhooks[1]["bodies"][1]["value"].as_str().unwrap();
    assert!(html.contains("3.000 nuevos amarres") && html.contains("con entusiasmo"), "{html}");
    assert_eq!(webhooks[1]["version"], "2");
    assert_eq!(
        webhooks[1]["digitalsourcetype"]["uri"],
        "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
        "one paragraph is a machine's again"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_review_an_unusable_translation_fails_as_before() {
    let desk = newsroom("never").await;
    // The archive partner still reviews: the hook partner gets a failure, not the bad text.
    let output =
        newswire().arg("run").arg(&desk.pipeline).arg("--input").arg(&desk.article).arg("--json").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let deliveries = report["articles"][0]["deliveries"].as_array().unwrap();
    let hook = deliveries.iter().find(|d| d["partner"] == "hook").unwrap();
    assert_eq!(hook["status"], "failed");
    assert!(hook["error"].as_str().unwrap().contains("no backend gave a usable es translation"), "{hook}");
    assert!(desk.webhooks().is_empty());
    assert_eq!(deliveries.iter().find(|d| d["partner"] == "archive").unwrap()["status"], "held");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_editor_approves_a_rule_based_translation_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    approve_on(dir.path(), &dir.path().join("state.sqlite").display().to_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_review_gate_holds_and_releases_on_postgresql() {
    let dir = tempfile::tempdir().unwrap();
    approve_on(dir.path(), &crate::support::postgres::database().await);
}

/// A desk that reviews everything, on this store: held, approved, delivered once.
fn approve_on(dir: &Path, state: &str) {
    let archive = dir.join("archive");
    let pipeline = Desk::new("approve-desk")
        .languages(&["en"])
        .partner(Partner::directory("archive", &["es"], &archive).with("review = \"always\""))
        .write(dir);
    // The store's location, a password perhaps included, comes from the environment.
    let text = std::fs::read_to_string(&pipeline).unwrap();
    std::fs::write(&pipeline, format!("state = \"${{DESK_STATE}}\"\n{text}")).unwrap();
    let newswire = || {
        let mut command = newswire();
        command.env("DESK_STATE", state);
        command
    };
    let article = fixture("harbour-budget.html");
    newswire().arg("run").arg(&pipeline).arg("--input").arg(&article).assert().code(0);
    assert!(crate::support::files_under(&archive).is_empty(), "held for review");
    let listed = newswire().args(["review", "list"]).arg(&pipeline).arg("--json").output().unwrap();
    let waiting: Vec<Value> = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!((waiting.len(), &waiting[0]["backend"]), (1, &json!("apertium")), "{waiting:?}");
    let approve = |language: &str| {
        newswire()
            .args(["review", "approve"])
            .arg(&pipeline)
            .arg("https://news.example/city/harbour-budget")
            .args(["--language", language, "--by", "Desk Chief"])
            .output()
            .unwrap()
    };
    let refused = approve("fr");
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("no review waits for"), "refused");
    let approved = approve("es");
    assert_eq!(approved.status.code(), Some(0), "{}", String::from_utf8_lossy(&approved.stderr));
    let files: Vec<String> =
        crate::support::files_under(&archive).into_iter().filter(|f| f.ends_with(".html")).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let copy = std::fs::read_to_string(archive.join(&files[0])).unwrap();
    assert!(copy.contains("revisada por la redacción"), "{copy}");
    assert_eq!(approve("es").status.code(), Some(1), "approved once");
    // Approved once: the next run finds it delivered and holds nothing.
    let again = newswire().arg("run").arg(&pipeline).arg("--input").arg(&article).arg("--json").output().unwrap();
    let report: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report["articles"][0]["deliveries"][0]["error"], "already delivered", "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unusable_answer_gives_way_to_the_next_backend() {
    let chatty = MockServer::start().await;
    let first = Llm::default();
    machine(&first);
    Mock::given(path("/v1/chat/completions")).respond_with(first.clone()).mount(&chatty).await;
    let careful = MockServer::start().await;
    let second = Llm::default();
    machine(&second);
    for (segment, fixed) in [("s1", NUMBER), ("s2", CHATTY), ("s3", SKIPPED), ("s4", LOOPED)] {
        second.answer(fixed, editor()[segment].as_str().unwrap());
    }
    Mock::given(path("/v1/chat/completions")).respond_with(second.clone()).mount(&careful).await;
    let dir = tempfile::tempdir().unwrap();
    let backend = |name: &str, server: &MockServer| {
        format!("[backends.{name}]\nkind = \"openai\"\nurl = \"{}/\"\nmodel = \"m\"\nretries = 0", server.uri())
    };
    let pipeline = Desk::new("chain-desk")
        .state(&dir.path().join("state.sqlite"))
        .languages(&["en"])
        .table("[translate]\nbackend = [\"chatty\", \"careful\"]")
        .table(&backend("chatty", &chatty))
        .table(&backend("careful", &careful))
        .partner(Partner::directory("archive", &["es"], &dir.path().join("archive")).with("review = \"flagged\""))
        .write(dir.path());
    let output = newswire()
        .arg("run")
        .arg(&pipeline)
        .arg("--input")
        .arg(fixture("harbour-budget.html"))
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let translation = &report["articles"][0]["translations"][0];
    assert_eq!((&translation["backend"], &translation["status"]), (&json!("careful"), &json!("ok")), "{translation}");
    // The numbers flag alone does not make an answer unusable: the careful backend's text has none.
    assert_eq!(translation["flags"], json!([]));
    assert_eq!(report["articles"][0]["deliveries"][0]["status"], "ok");
    assert_eq!(first.asked().len(), 5, "the chatty backend answered every segment first");
}

/// A desk whose first engine is Apertium (it leaves `berths` and `quay` in the harbour story),
/// with a webhook partner reviewing flagged copies; `premium` is an OpenAI-compatible engine
/// added after it when `escalate` is given.
fn leftover_desk(dir: &Path, premium: Option<&MockServer>, escalate: &str, hook: &str) -> PathBuf {
    let mut desk = Desk::new("leftover-desk").state(&dir.join("state.sqlite")).languages(&["en"]);
    desk = match premium {
        None => desk.table("[translate]\nbackend = \"apertium\"").table("[backends.apertium]\nkind = \"apertium\""),
        Some(server) => desk
            .table(&format!("[translate]\nbackend = [\"apertium\", \"premium\"]\nescalate = {escalate}"))
            .table("[backends.apertium]\nkind = \"apertium\"")
            .table(&format!(
                "[backends.premium]\nkind = \"openai\"\nurl = \"{}/\"\nmodel = \"m\"\nretries = 0",
                server.uri()
            )),
    };
    desk.partner(Partner::webhook("hook", &["es"], hook).with("review = \"flagged\"")).write(dir)
}

fn run_json(pipeline: &Path) -> Value {
    let output =
        newswire().arg("run").arg(pipeline).arg("--input").arg(fixture("harbour-budget.html")).arg("--json").output();
    let output = output.unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let mut report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report["summary"] = json!(String::from_utf8_lossy(&output.stderr));
    report
}

#[tokio::test(flavor = "multi_thread")]
async fn words_left_in_english_hold_the_copy_and_are_named_for_the_editor() {
    let server = MockServer::start().await;
    let receiver = VerifyingReceiver::default();
    Mock::given(method("POST")).and(path("/hook")).respond_with(receiver.clone()).mount(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let pipeline = leftover_desk(dir.path(), None, "", &format!("{}/hook", server.uri()));

    let report = run_json(&pipeline);
    let translation = &report["articles"][0]["translations"][0];
    let details: Vec<(u64, &str)> = translation["flags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["flag"] == "untranslated")
        .map(|f| (f["segment"].as_u64().unwrap(), f["detail"].as_str().unwrap()))
        .collect();
    assert_eq!(details, [(1, "left in English: berths"), (2, "left in English: quay")]);
    assert_eq!(report["articles"][0]["deliveries"][0]["status"], "held");
    assert!(receiver.seen.lock().unwrap().is_empty(), "nothing reaches the partner");

    // The editor sees the words in the CAT tool's notes and on the review page.
    let review = |args: &[&str]| newswire().arg("review").arg(args[0]).arg(&pipeline).args(&args[1..]).output();
    let out = dir.path().join("export");
    for format in ["xliff", "html"] {
        let exported = review(&["export", "--format", format, "--out", out.to_str().unwrap()]).unwrap();
        assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    }
    let files = crate::support::files_under(&out);
    let read = |ext: &str| {
        let file = files.iter().find(|f| f.ends_with(ext)).unwrap_or_else(|| panic!("no {ext} in {files:?}"));
        std::fs::read_to_string(out.join(file)).unwrap()
    };
    let xliff = read(".xlf");
    assert!(xliff.contains("untranslated: left in English: berths"), "{xliff}");
    assert!(xliff.contains("untranslated: left in English: quay"), "{xliff}");
    let page = read(".html");
    assert!(page.contains("<strong>untranslated</strong>: left in English: quay"), "{page}");
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_segments_with_words_left_go_to_the_next_engine() {
    let server = MockServer::start().await;
    let premium = Llm::default();
    let berths = "El concejo aprobó 3.000 nuevos amarres para el puerto el martes por la noche, tras un largo debate.";
    let quay = "La alcaldesa Ana Lopez dijo que las obras del muelle norte empiezan en mayo y durarán dos años.";
    premium.answer(NUMBER, berths);
    premium.answer(CHATTY, quay);
    Mock::given(path("/v1/chat/completions")).respond_with(premium.clone()).mount(&server).await;
    let receiver = VerifyingReceiver::default();
    Mock::given(method("POST")).and(path("/hook")).respond_with(receiver.clone()).mount(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let pipeline = leftover_desk(dir.path(), Some(&server), "[\"untranslated\"]", &format!("{}/hook", server.uri()));

    let report = run_json(&pipeline);
    // Only the two segments Apertium left words in were sent on, one request each.
    let mut asked = premium.asked();
    asked.sort();
    assert_eq!(asked, [CHATTY, NUMBER]);
    let translation = &report["articles"][0]["translations"][0];
    assert_eq!(translation["status"], "ok", "{translation}");
    assert_eq!(translation["backend"], "apertium");
    assert_eq!(translation["engines"], json!(["apertium", "premium"]));
    assert!(flags_of(translation).iter().all(|(_, f)| f != "untranslated"), "{translation}");
    let escalated_chars = NUMBER.chars().count() + CHATTY.chars().count();
    assert_eq!(
        translation["escalations"],
        json!([{"backend": "premium", "segments": 2, "chars_sent": escalated_chars, "chars_cached": 0, "kept": 2}])
    );
    let usage = &report["backends"]["premium"];
    assert_eq!(
        (usage["escalated_segments"].as_u64(), usage["chars_sent"].as_u64()),
        (Some(2), Some(escalated_chars as u64))
    );
    assert_eq!(usage["requests"], 2);
    let summary = report["summary"].as_str().unwrap();
    assert!(summary.contains("2 flagged segments escalated"), "{summary}");

    // Delivered without review, with no word left, disclosing both engines.
    assert_eq!(report["articles"][0]["deliveries"][0]["status"], "ok");
    let seen = receiver.seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].verified);
    let item = &seen[0].body;
    let html = item["bodies"][1]["value"].as_str().unwrap();
    assert!(html.contains(berths) && html.contains(quay), "{html}");
    assert!(!html.contains("berths") && !html.contains("quay"), "{html}");
    assert!(html.contains("El puerto contratará"), "Apertium's other segments stay: {html}");
    let engines: Vec<&Value> =
        item["infosources"].as_array().unwrap().iter().filter(|s| s["role"] == "machine-translation").collect();
    assert_eq!(engines.iter().map(|s| s["name"].as_str().unwrap()).collect::<Vec<_>>(), ["apertium", "premium"]);
    assert!(item["ednote"].as_str().unwrap().contains("by apertium + premium"), "{item}");
    assert_eq!(
        item["digitalsourcetype"]["uri"],
        "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
    );
    validate_ninjs(item);
    drop(seen);

    // A second run asks nobody: each engine's answers are in the memory under its own name.
    let again = run_json(&pipeline);
    assert_eq!(premium.asked().len(), 2, "the premium engine is not asked again");
    let translation = &again["articles"][0]["translations"][0];
    assert_eq!(translation["escalations"][0]["chars_sent"], 0, "{translation}");
    assert_eq!(translation["escalations"][0]["chars_cached"], escalated_chars);
}
