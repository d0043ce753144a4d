//! Contract tests for the HTTP translation backends, each against a local server that answers as
//! the service documents it (requests checked, errors included): success, batching across request
//! limits, 429 with and without Retry-After, quota errors, 5xx, timeouts and malformed answers.

use std::path::Path;

use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use newswire::config::Pipeline;
use newswire::model::{Article, Block, BlockKind};
use newswire::translate::{TranslateError, Translator};

use crate::support::{report_of, Desk};

/// The mark the emulated services add to every text they "translate".
fn mark(to: &str) -> String {
    format!(" ⟨{to}⟩")
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Service {
    LibreTranslate,
    Deepl,
    Google,
    Azure,
    OpenAi,
    Apy,
}

const ALL: [Service; 6] =
    [Service::LibreTranslate, Service::Deepl, Service::Google, Service::Azure, Service::OpenAi, Service::Apy];

impl Service {
    fn kind(self) -> &'static str {
        match self {
            Service::LibreTranslate => "libretranslate",
            Service::Deepl => "deepl",
            Service::Google => "google",
            Service::Azure => "azure",
            Service::OpenAi => "openai",
            Service::Apy => "apertium-apy",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Service::LibreTranslate | Service::Azure | Service::Apy => "/translate",
            Service::Deepl => "/v2/translate",
            Service::Google => "/language/translate/v2",
            Service::OpenAi => "/v1/chat/completions",
        }
    }

    fn extra(self) -> &'static str {
        match self {
            Service::OpenAi => "model = \"test-model\"\napi_key = \"sk-test\"",
            Service::Apy => "pairs = [\"en-es\"]",
            Service::LibreTranslate => "api_key = \"lt-key\"",
            Service::Azure => "api_key = \"az-key\"\nregion = \"westeurope\"",
            _ => "api_key = \"test-key\"",
        }
    }

    /// The largest batch each service may receive.
    fn max_segments(self) -> usize {
        match self {
            Service::LibreTranslate | Service::Deepl => 50,
            Service::Google => 128,
            Service::Azure => 1000,
            Service::OpenAi => 1,
            Service::Apy => 9,
        }
    }
}

/// A local server speaking one service's contract. It refuses requests that break the contract.
#[derive(Clone)]
struct Emulator(Service);

impl Respond for Emulator {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let header = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let query = |name: &str| request.url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.to_string());
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let texts = |v: &Value| -> Vec<String> {
            v.as_array().map(|a| a.iter().map(|t| t.as_str().unwrap_or("").to_string()).collect()).unwrap_or_default()
        };
        match self.0 {
            Service::LibreTranslate => {
                if body["format"] != "html" || body["api_key"] != "lt-key" {
                    return ResponseTemplate::new(400).set_body_json(json!({"error": "bad request"}));
                }
                let to = body["target"].as_str().unwrap_or("").to_string();
                // LibreTranslate un-escapes its HTML answers.
                let out: Vec<String> = texts(&body["q"])
                    .iter()
                    .map(|t| t.replace("&amp;", "&").replace("&lt;", "<") + &mark(&to))
                    .collect();
                ResponseTemplate::new(200).set_body_json(json!({"translatedText": out}))
            }
            Service::Deepl => {
                if header("authorization") != "DeepL-Auth-Key test-key" {
                    return ResponseTemplate::new(403).set_body_json(json!({"message": "Wrong auth"}));
                }
                let list = texts(&body["text"]);
                if list.len() > 50 || body["tag_handling"] != "html" || body["target_lang"] != "ES" {
                    return ResponseTemplate::new(400).set_body_json(json!({"message": "Bad request"}));
                }
                // A register asked for shows in the answer, so that tests can see who got which.
                let register = body["formality"].as_str().map(|f| format!(" [{f}]")).unwrap_or_default();
                let out: Vec<Value> = list
                    .iter()
                    .map(|t| json!({"detected_source_language": "EN", "text": t.clone() + &mark("es") + &register}))
                    .collect();
                ResponseTemplate::new(200).set_body_json(json!({"translations": out}))
            }
            Service::Google => {
                if query("key").as_deref() != Some("test-key") {
                    return ResponseTemplate::new(400)
                        .set_body_json(json!({"error": {"message": "API key not valid"}}));
                }
                let list = texts(&body["q"]);
                if list.len() > 128 || body["format"] != "html" {
                    return ResponseTemplate::new(400)
                        .set_body_json(json!({"error": {"message": "Too many text segments"}}));
                }
                let to = body["target"].as_str().unwrap_or("").to_string();
                let out: Vec<Value> = list.iter().map(|t| json!({"translatedText": t.clone() + &mark(&to)})).collect();
                ResponseTemplate::new(200).set_body_json(json!({"data": {"translations": out}}))
            }
            Service::Azure => {
                if header("ocp-apim-subscription-key") != "az-key"
                    || query("api-version").as_deref() != Some("3.0")
                    || query("textType").as_deref() != Some("html")
                {
                    return ResponseTemplate::new(401).set_body_json(json!({"error": {"code": 401000}}));
                }
                let to = query("to").unwrap_or_default();
                let items = body.as_array().cloned().unwrap_or_default();
                let out: Vec<Value> = items.iter().map(|i| json!({"translations": [{"text": i["Text"].as_str().unwrap_or("").to_string() + &mark(&to), "to": to}]})).collect();
                ResponseTemplate::new(200).set_body_json(out)
            }
            Service::OpenAi => {
                if header("authorization") != "Bearer sk-test" || body["temperature"] != 0 {
                    return ResponseTemplate::new(401).set_body_json(json!({"error": {"message": "no"}}));
                }
                let text = body["messages"][1]["content"].as_str().unwrap_or("").to_string();
                ResponseTemplate::new(200).set_body_json(json!({
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text + &mark("es")}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 10}
                }))
            }
            Service::Apy => {
                let form: Vec<(String, String)> = url::form_urlencoded::parse(&request.body).into_owned().collect();
                let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
                if get("langpair") != "eng|spa" || get("format") != "html" {
                    return ResponseTemplate::new(400)
                        .set_body_json(json!({"status": "error", "explanation": "bad pair"}));
                }
                let q = get("q");
                // APy truncates long requests silently; the client must keep under 3.5 KB.
                let q = if q.len() > 3500 { q[..q.floor_char_boundary(3500)].to_string() } else { q };
                let out = q.replace("</p>", &format!("{}</p>", mark("es")));
                ResponseTemplate::new(200).set_body_json(
                    json!({"responseData": {"translatedText": out}, "responseDetails": null, "responseStatus": 200}),
                )
            }
        }
    }
}

fn translator(service: Service, server: &MockServer, dir: &Path, extra: &str) -> Translator {
    let text = Desk::new("t")
        .table("[translate]\nbackend = \"svc\"")
        .table(&format!(
            "[backends.svc]\nkind = \"{}\"\nurl = \"{}/\"\ntimeout = \"500ms\"\n{}\n{}",
            service.kind(),
            server.uri(),
            service.extra(),
            if extra.is_empty() { "retries = 2" } else { extra },
        ))
        .text();
    let (pipeline, _) = Pipeline::parse(&dir.join("t.toml"), &text).unwrap_or_else(|e| panic!("{e}"));
    Translator::from_pipeline(&pipeline)
}

fn article(paragraphs: usize) -> Article {
    let mut article = Article { title: "Ferry returns".into(), language: Some("en".into()), ..Article::default() };
    for i in 0..paragraphs {
        article.blocks.push(Block::new(
            BlockKind::Paragraph,
            format!("Paragraph {i} with <a href=\"https://x.example/{i}\">a link</a> &amp; more."),
        ));
    }
    article
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.map_or(0, |r| r.len())
}

async fn emulate(service: Service) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path(service.path())).respond_with(Emulator(service)).with_priority(5).mount(&server).await;
    server
}

#[tokio::test]
async fn every_backend_translates_in_batches_within_its_limits() {
    for service in ALL {
        let server = emulate(service).await;
        let dir = tempfile::tempdir().unwrap();
        let translator = translator(service, &server, dir.path(), "");
        let paragraphs = 60;
        let translation =
            translator.translate(&article(paragraphs), "es").await.unwrap_or_else(|e| panic!("{service:?}: {e}"));
        assert_eq!(translation.title, format!("Ferry returns{}", mark("es")), "{service:?}");
        assert_eq!(translation.blocks.len(), paragraphs);
        for (i, block) in translation.blocks.iter().enumerate() {
            assert!(
                block.html.starts_with(&format!(
                    "Paragraph {i} with <a href=\"https://x.example/{i}\">a link</a> &amp; more."
                )),
                "{service:?}: {}",
                block.html
            );
            assert!(block.html.ends_with(&mark("es")), "{service:?}: {}", block.html);
        }
        let made = requests(&server).await;
        let needed = (paragraphs + 1).div_ceil(service.max_segments());
        assert!(made >= needed, "{service:?}: {made} requests for {} segments", paragraphs + 1);
        assert_eq!(
            translation.chars_sent,
            article(paragraphs).blocks.iter().map(|b| b.html.chars().count()).sum::<usize>() + "Ferry returns".len()
        );
    }
}

#[tokio::test]
async fn a_429_is_retried_with_and_without_retry_after() {
    for service in ALL {
        for retry_after in [Some("1"), None] {
            let server = emulate(service).await;
            let mut busy = ResponseTemplate::new(429).set_body_json(json!({"error": "Slowdown: too many requests"}));
            if let Some(seconds) = retry_after {
                busy = busy.insert_header("Retry-After", seconds);
            }
            Mock::given(method("POST"))
                .and(path(service.path()))
                .respond_with(busy)
                .up_to_n_times(1)
                .with_priority(1)
                .mount(&server)
                .await;
            let dir = tempfile::tempdir().unwrap();
            let translation = translator(service, &server, dir.path(), "").translate(&article(1), "es").await;
            assert!(translation.is_ok(), "{service:?} {retry_after:?}: {translation:?}");
            assert!(requests(&server).await >= 2, "{service:?}: the 429 was retried");
        }
    }
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    for service in ALL {
        let server = emulate(service).await;
        Mock::given(method("POST"))
            .and(path(service.path()))
            .respond_with(ResponseTemplate::new(503).set_body_string("upstream down"))
            .with_priority(1)
            .mount(&server)
            .await;
        let dir = tempfile::tempdir().unwrap();
        let err = translator(service, &server, dir.path(), "").translate(&article(0), "es").await.unwrap_err();
        assert!(err.is_transient(), "{service:?}: {err}");
        assert!(err.to_string().contains("503"), "{service:?}: {err}");
        assert_eq!(requests(&server).await, 3, "{service:?}: one try and two retries");
    }
}

#[tokio::test]
async fn quota_and_credential_errors_are_never_retried() {
    let cases = [
        (
            Service::Deepl,
            ResponseTemplate::new(456).set_body_json(json!({"message": "Quota Exceeded"})),
            "quota exhausted",
        ),
        (
            Service::Google,
            ResponseTemplate::new(403)
                .set_body_json(json!({"error": {"code": 403, "message": "Daily Limit Exceeded"}})),
            "403",
        ),
        (
            Service::Azure,
            ResponseTemplate::new(403)
                .set_body_json(json!({"error": {"code": 403001, "message": "Out of call volume quota"}})),
            "403",
        ),
        (Service::LibreTranslate, ResponseTemplate::new(403).set_body_json(json!({"error": "Invalid API key"})), "403"),
        (
            Service::OpenAi,
            ResponseTemplate::new(401).set_body_json(json!({"error": {"message": "Incorrect API key"}})),
            "401",
        ),
    ];
    for (service, answer, expected) in cases {
        let server = emulate(service).await;
        Mock::given(method("POST"))
            .and(path(service.path()))
            .respond_with(answer)
            .with_priority(1)
            .mount(&server)
            .await;
        let dir = tempfile::tempdir().unwrap();
        let err = translator(service, &server, dir.path(), "").translate(&article(0), "es").await.unwrap_err();
        assert!(!err.is_transient(), "{service:?}: {err}");
        assert!(err.to_string().contains(expected), "{service:?}: {err}");
        assert_eq!(requests(&server).await, 1, "{service:?}: not retried");
    }
    // Google's per-user rate limit is a 403 too, but a passing one.
    let server = emulate(Service::Google).await;
    Mock::given(method("POST"))
        .and(path(Service::Google.path()))
        .respond_with(
            ResponseTemplate::new(403).set_body_json(json!({"error": {"message": "User Rate Limit Exceeded"}})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    assert!(translator(Service::Google, &server, dir.path(), "").translate(&article(1), "es").await.is_ok());
}

#[tokio::test]
async fn a_hanging_server_times_out() {
    for service in ALL {
        let server = MockServer::start().await;
        Mock::given(path(service.path()))
            .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(3)))
            .mount(&server)
            .await;
        let dir = tempfile::tempdir().unwrap();
        let err = translator(service, &server, dir.path(), "retries = 0").translate(&article(1), "es").await;
        let err = err.unwrap_err();
        assert!(err.is_transient() && err.to_string().contains("timed out"), "{service:?}: {err}");
    }
}

#[tokio::test]
async fn malformed_answers_are_errors_never_partial_articles() {
    for service in ALL {
        let server = MockServer::start().await;
        Mock::given(path(service.path()))
            .respond_with(ResponseTemplate::new(200).set_body_string("<html>proxy error</html>"))
            .mount(&server)
            .await;
        let dir = tempfile::tempdir().unwrap();
        let err = translator(service, &server, dir.path(), "").translate(&article(2), "es").await.unwrap_err();
        assert!(matches!(err, TranslateError::Verification { .. }), "{service:?}: {err}");
    }
    // An answer with a segment missing is caught too.
    let server = MockServer::start().await;
    Mock::given(path("/v2/translate"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"translations": [{"text": "solo uno"}]})))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let err = translator(Service::Deepl, &server, dir.path(), "").translate(&article(2), "es").await.unwrap_err();
    assert!(err.to_string().contains("3 segments sent, 1 came back"), "{err}");
}

#[tokio::test]
async fn llm_commentary_and_cut_answers_are_rejected() {
    for (content, finish) in [("Here is the translation: Hola", "stop"), ("Hola mun", "length")] {
        let server = MockServer::start().await;
        Mock::given(path("/v1/chat/completions"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"choices": [{"message": {"content": content}, "finish_reason": finish}]})),
            )
            .mount(&server)
            .await;
        let dir = tempfile::tempdir().unwrap();
        let err = translator(Service::OpenAi, &server, dir.path(), "").translate(&article(0), "es").await.unwrap_err();
        assert!(matches!(err, TranslateError::Verification { .. }), "{content}: {err}");
    }
}

/// A chain of a DeepL backend (no retries) and a LibreTranslate one with this key.
fn deepl_then_libre(deepl: &MockServer, libre: &MockServer, libre_key: &str) -> Translator {
    let text = Desk::new("t")
        .table("[translate]\nbackend = [\"deepl\", \"libre\"]")
        .table(&format!("[backends.deepl]\nkind = \"deepl\"\nurl = \"{}/\"\napi_key = \"k\"\nretries = 0", deepl.uri()))
        .table(&format!(
            "[backends.libre]\nkind = \"libretranslate\"\nurl = \"{}/\"\napi_key = {libre_key:?}",
            libre.uri()
        ))
        .text();
    let (pipeline, _) = Pipeline::parse(Path::new("chain.toml"), &text).unwrap();
    Translator::from_pipeline(&pipeline)
}

#[tokio::test]
async fn a_fallback_chain_serves_when_the_first_backend_is_down() {
    let down = MockServer::start().await;
    Mock::given(path("/v2/translate")).respond_with(ResponseTemplate::new(503)).mount(&down).await;
    let up = emulate(Service::LibreTranslate).await;
    let translation = deepl_then_libre(&down, &up, "lt-key").translate(&article(2), "es").await.unwrap();
    assert_eq!(translation.backend.as_deref(), Some("libre"));
}

#[tokio::test]
async fn a_command_backend_speaks_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("engine.py");
    std::fs::write(
        &script,
        "import json, sys\nfor line in sys.stdin:\n    seg = json.loads(line)\n    print(json.dumps({'id': seg['id'], 'text': seg['text'] + ' [' + seg['to'] + ']'}))\n",
    )
    .unwrap();
    let text = Desk::new("t")
        .table("[translate]\nbackend = \"engine\"")
        .table(&format!(
            "[backends.engine]\nkind = \"command\"\ncommand = [\"/usr/bin/python3\", {:?}]\npairs = [\"en-es\"]",
            script.display().to_string()
        ))
        .text();
    let (pipeline, _) = Pipeline::parse(&dir.path().join("t.toml"), &text).unwrap();
    let translation = Translator::from_pipeline(&pipeline).translate(&article(1), "es").await.unwrap();
    assert_eq!(translation.title, "Ferry returns [es]");
    assert!(translation.blocks[0].html.ends_with("&amp; more. [es]"), "{}", translation.blocks[0].html);
}

#[tokio::test]
async fn when_every_backend_fails_the_report_names_a_transient_failure_first() {
    let busy = MockServer::start().await;
    Mock::given(path("/v2/translate")).respond_with(ResponseTemplate::new(503)).mount(&busy).await;
    let refusing = MockServer::start().await;
    Mock::given(path("/translate"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": "Invalid API key"})))
        .mount(&refusing)
        .await;
    let err = deepl_then_libre(&busy, &refusing, "x").translate(&article(1), "es").await.unwrap_err();
    // Both were tried; the busy one may answer on the next run, the refusal will not.
    assert_eq!(refusing.received_requests().await.unwrap().len(), 1);
    assert!(err.is_transient(), "{err}");
    assert!(err.to_string().starts_with("backend deepl: HTTP 503"), "{err}");
}

#[tokio::test]
async fn short_articles_share_requests_while_the_backend_is_busy() {
    let server = emulate(Service::Deepl).await;
    let dir = tempfile::tempdir().unwrap();
    let translator = translator(Service::Deepl, &server, dir.path(), "concurrency = 1");
    let articles: Vec<Article> = (0..60)
        .map(|i| {
            let mut article = article(1);
            article.title = format!("Story {i}");
            article
        })
        .collect();
    let translations =
        futures::future::join_all(articles.iter().map(|article| translator.translate(article, "es"))).await;
    for (i, translation) in translations.into_iter().enumerate() {
        let translation = translation.unwrap();
        // Each article gets its own segments back, whatever request carried them.
        assert!(translation.title.starts_with(&format!("Story {i}")), "{i}: {}", translation.title);
        assert!(translation.blocks[0].html.starts_with("Paragraph 0"), "{i}: {:?}", translation.blocks);
    }
    // 120 segments, 50 a request: the first article alone, then the rest together.
    let sent = requests(&server).await;
    assert!(sent <= 4, "{sent} requests for 60 articles");
    let counts = translator.request_counts();
    assert_eq!(counts, [("svc".to_string(), newswire::translate::RequestCount { requests: sent, minimum: 3 })]);
}

/// A desk on SQLite translating English into Spanish for a directory partner through the DeepL
/// emulator (`svc`, with `extra` in its table) and the chain `chain`.
fn deepl_desk(dir: &Path, server: &MockServer, chain: &str, extra: &str) -> std::path::PathBuf {
    Desk::new("priced")
        .state(&dir.join("state.sqlite"))
        .languages(&["en"])
        .table(&format!("[translate]\nbackend = {chain}"))
        .table(&format!(
            "[backends.svc]\nkind = \"deepl\"\nurl = \"{}/\"\napi_key = \"test-key\"\n{extra}",
            server.uri()
        ))
        .partner(crate::support::Partner::directory("archive", &["es"], &dir.join("out")))
        .write(dir)
}

/// `run --dry-run` against a priced service: it sends nothing, counts what the real run then
/// sends to the character and the request, prices it, and after the run finds it all remembered.
#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_counts_what_a_run_sends_and_prices_it_without_sending() {
    let server = emulate(Service::Deepl).await;
    let dir = tempfile::tempdir().unwrap();
    let pipeline = deepl_desk(dir.path(), &server, "\"svc\"", "price = \"20 EUR / 1M chars\"");
    let story = crate::support::examples_dir().join("en-harbour-ferry.html");
    let run = |dry: bool| {
        let (report, summary) = report_of(&pipeline, &story, if dry { &["--dry-run"] } else { &[] });
        (report["backends"]["svc"].clone(), summary)
    };

    let (estimate, summary) = run(true);
    assert_eq!(requests(&server).await, 0, "a dry run sends nothing");
    assert!(summary.contains("characters would be sent ("), "{summary}");
    let (spent, _) = run(false);
    let sent = spent["chars_sent"].as_u64().unwrap();
    assert!(sent > 1000, "{spent:#}");
    assert_eq!(estimate["chars_sent"], spent["chars_sent"], "estimate {estimate:#} run {spent:#}");
    assert_eq!(estimate["requests"], spent["requests"]);
    assert_eq!(requests(&server).await as u64, spent["requests"].as_u64().unwrap());
    assert_eq!(estimate["cost"]["currency"], "EUR");
    let amount = estimate["cost"]["amount"].as_f64().unwrap();
    assert!((amount - sent as f64 * 20.0 / 1e6).abs() < 1e-9, "{amount}");

    let (again, _) = run(true);
    assert_eq!(again["chars_sent"], 0, "{again:#}");
    assert_eq!(again["chars_cached"], spent["chars_sent"]);
    assert!((again["saved"]["amount"].as_f64().unwrap() - amount).abs() < 1e-9);
}

/// A budget shared by two workers on one PostgreSQL desk: each request is charged to the store
/// before it is sent, so however the two race, what they send stays within the budget, and what
/// would go over waits ("over budget") for the next day.
#[tokio::test(flavor = "multi_thread")]
async fn two_workers_on_one_postgresql_desk_never_spend_over_the_budget() {
    let server = emulate(Service::Deepl).await;
    let url = crate::support::postgres::database().await;
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    for i in 0..12 {
        let paragraphs: String = (0..6)
            .map(|p| format!("<p>Story {i}, paragraph {p}: the harbour council met again on Tuesday and agreed to keep the night ferry running through the winter months.</p>"))
            .collect();
        let html = format!(
            "<html lang=\"en\"><head><title>Harbour story {i}</title><link rel=\"canonical\" href=\"https://news.example/{i}\"></head><body><article><h1>Harbour story {i}</h1>{paragraphs}</article></body></html>"
        );
        std::fs::write(pages.join(format!("{i}.html")), html).unwrap();
    }
    let pipeline = Desk::new("budgeted")
        .paths(&[&pages])
        .languages(&["en"])
        .table("[budget]\ndaily = \"2.5 USD\"")
        .table("[translate]\nbackend = \"svc\"")
        .table(&format!(
            "[backends.svc]\nkind = \"deepl\"\nurl = \"{}/\"\napi_key = \"test-key\"\nprice = \"1000 USD / 1M chars\"\nconcurrency = 1",
            server.uri()
        ))
        .partner(crate::support::Partner::directory("archive", &["es"], &dir.path().join("out")))
        .write(dir.path());
    let workers: Vec<std::process::Child> = (0..2)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_newswire"))
                .arg("run")
                .arg(&pipeline)
                .args(["--state", &url, "--json"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let reports: Vec<Value> = workers
        .into_iter()
        .map(|worker| {
            let output = worker.wait_with_output().unwrap();
            assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
            serde_json::from_slice(&output.stdout).unwrap()
        })
        .collect();
    let sent: u64 = reports.iter().map(|r| r["backends"]["svc"]["chars_sent"].as_u64().unwrap_or(0)).sum();
    let waiting: u64 = reports.iter().map(|r| r["totals"]["over_budget"].as_u64().unwrap_or(0)).sum();
    let made: u64 = reports.iter().map(|r| r["totals"]["translations"].as_u64().unwrap()).sum();
    assert!(made > 0 && waiting > 0, "made {made}, over budget {waiting}: {reports:#?}");
    assert!(sent as f64 * 1000.0 / 1e6 <= 2.5, "{sent} characters cost more than the budget");
    let store = newswire::store::open(&newswire::store::Location::parse(&url), "budgeted").await.unwrap();
    let spent = store.spent().await.unwrap();
    let desk = spent.iter().find(|s| s.backend == "*").expect("the desk's spend");
    assert!(desk.today <= 2_500_000 && desk.today >= 1_000_000, "{spent:?}");
    // At 1000 USD a million characters, a character is 1000 millionths: the store holds what was sent.
    assert_eq!(desk.today, sent as i64 * 1000, "{spent:?}");
    let over = reports
        .iter()
        .flat_map(|r| r["articles"].as_array().unwrap())
        .flat_map(|a| a["translations"].as_array().unwrap());
    assert!(over
        .filter(|t| t["status"] == "over budget")
        .all(|t| t["error"].as_str().unwrap().contains("over budget")));
}

/// A backend whose budget is spent gives way to the next of the chain, which serves instead.
#[tokio::test(flavor = "multi_thread")]
async fn a_backend_over_its_budget_gives_way_to_the_next() {
    let server = emulate(Service::Deepl).await;
    let dir = tempfile::tempdir().unwrap();
    let chain = "[\"svc\", \"apertium\"]";
    let pipeline =
        deepl_desk(dir.path(), &server, chain, "daily_budget = \"0.01 USD\"\n[backends.apertium]\nkind = \"apertium\"");
    let story = crate::support::examples_dir().join("en-harbour-ferry.html");
    let (report, _) = report_of(&pipeline, &story, &[]);
    assert_eq!(report["articles"][0]["translations"][0]["backend"], "apertium", "{report:#}");
    assert_eq!(requests(&server).await, 0, "DeepL was not sent what would take it over 0.01 USD");
    let checked = crate::support::newswire().arg("check").arg(&pipeline).output().unwrap();
    assert!(checked.status.success());
    let text = std::fs::read_to_string(&pipeline).unwrap().replace("0.01 USD", "0.01 EUR");
    std::fs::write(&pipeline, text).unwrap();
    let refused = crate::support::newswire().arg("check").arg(&pipeline).output().unwrap();
    let said = String::from_utf8_lossy(&refused.stdout);
    assert!(said.contains("backend \"svc\" is priced in USD: its budget must be too, not EUR"), "{said}");
}

/// When a budget runs out, the staff hear of it once a day, however many runs find it so.
#[tokio::test(flavor = "multi_thread")]
async fn the_staff_are_told_once_when_the_budget_runs_out() {
    let server = emulate(Service::Deepl).await;
    let smtp = crate::support::SmtpServer::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let pipeline = Desk::new("thrifty")
        .state(&dir.path().join("state.sqlite"))
        .languages(&["en"])
        .smtp(smtp.port)
        .table("[delivery]\nstaff_email = \"Desk Chief <chief@newswire.example>\"")
        .table("[budget]\ndaily = \"0.01 USD\"\n[translate]\nbackend = \"svc\"")
        .table(&format!("[backends.svc]\nkind = \"deepl\"\nurl = \"{}/\"\napi_key = \"test-key\"", server.uri()))
        .partner(crate::support::Partner::directory("archive", &["es"], &dir.path().join("out")))
        .write(dir.path());
    let story = crate::support::examples_dir().join("en-harbour-ferry.html");
    for _ in 0..2 {
        let (report, _) = report_of(&pipeline, &story, &[]);
        assert_eq!(report["totals"]["over_budget"], 1, "{report:#}");
        assert_eq!(report["articles"][0]["translations"][0]["status"], "over budget");
    }
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("Subject: newswire: the thrifty desk is over budget"), "{}", messages[0]);
    assert!(messages[0].contains("chief@newswire.example"));
}

/// A partner's register goes to the engine that keeps one (DeepL's `prefer_more`, `prefer_less`),
/// each partner gets the copy in its own, and the memory keeps each register apart.
#[tokio::test(flavor = "multi_thread")]
async fn each_partner_gets_the_register_it_asked_for() {
    let server = emulate(Service::Deepl).await;
    let (formal, informal) =
        (crate::support::VerifyingReceiver::default(), crate::support::VerifyingReceiver::default());
    Mock::given(method("POST")).and(path("/formal")).respond_with(formal.clone()).mount(&server).await;
    Mock::given(method("POST")).and(path("/informal")).respond_with(informal.clone()).mount(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let hook = |name: &str, formality: &str| {
        crate::support::Partner::webhook(name, &["es"], &format!("{}/{name}", server.uri()))
            .with(&format!("formality = {formality:?}"))
    };
    let pipeline = Desk::new("registers")
        .state(&dir.path().join("state.sqlite"))
        .languages(&["en"])
        .table("[translate]\nbackend = \"svc\"")
        .table(&format!("[backends.svc]\nkind = \"deepl\"\nurl = \"{}/\"\napi_key = \"test-key\"", server.uri()))
        .partner(hook("formal", "formal"))
        .partner(hook("informal", "informal"))
        .partner(crate::support::Partner::directory("plain", &["es"], &dir.path().join("plain")))
        .write(dir.path());
    let story = crate::support::examples_dir().join("en-harbour-ferry.html");
    let run = || report_of(&pipeline, &story, &[]).0;
    let report = run();
    let formalities: Vec<&Value> =
        report["articles"][0]["translations"].as_array().unwrap().iter().map(|t| &t["formality"]).collect();
    assert_eq!(formalities.len(), 3, "one translation per register: {report:#}");
    let body =
        |receiver: &crate::support::VerifyingReceiver| receiver.seen.lock().unwrap()[0].body["bodies"].to_string();
    assert!(body(&formal).contains("[prefer_more]") && !body(&formal).contains("[prefer_less]"), "{}", body(&formal));
    assert!(body(&informal).contains("[prefer_less]") && !body(&informal).contains("[prefer_more]"));
    let plain = crate::support::files_under(&dir.path().join("plain"));
    let plain = std::fs::read_to_string(dir.path().join("plain").join(&plain[0])).unwrap();
    assert!(!plain.contains("[prefer_"), "the partner that asked for no register: {plain}");
    let made = requests(&server).await;
    let again = run();
    assert_eq!(again["backends"]["svc"]["chars_sent"], 0, "every register came from the memory: {again:#}");
    assert_eq!(requests(&server).await, made, "no more requests");

    let apertium = std::fs::read_to_string(&pipeline)
        .unwrap()
        .replace("backend = \"svc\"", "backend = \"apertium\"\n[backends.apertium]\nkind = \"apertium\"");
    std::fs::write(&pipeline, apertium).unwrap();
    let checked = crate::support::newswire().arg("check").arg(&pipeline).output().unwrap();
    let said = String::from_utf8_lossy(&checked.stdout);
    assert!(
        said.contains("partner \"formal\" asks for formal copies, but no backend translating en→es keeps a register"),
        "{said}"
    );
}

/// A premium partner's copies go through its own chain (`backend = ["svc"]`), the others' through
/// the desk's; each engine's memory stays its own.
#[tokio::test(flavor = "multi_thread")]
async fn a_partner_with_its_own_chain_gets_copies_from_it() {
    let server = emulate(Service::Deepl).await;
    let (premium, standard) =
        (crate::support::VerifyingReceiver::default(), crate::support::VerifyingReceiver::default());
    Mock::given(method("POST")).and(path("/premium")).respond_with(premium.clone()).mount(&server).await;
    Mock::given(method("POST")).and(path("/standard")).respond_with(standard.clone()).mount(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let hook = |name: &str| crate::support::Partner::webhook(name, &["es"], &format!("{}/{name}", server.uri()));
    let pipeline = Desk::new("two-chains")
        .state(&dir.path().join("state.sqlite"))
        .languages(&["en"])
        .table("[translate]\nbackend = \"apertium\"")
        .table(&format!(
            "[backends.apertium]\nkind = \"apertium\"\n[backends.svc]\nkind = \"deepl\"\nurl = \"{}/\"\napi_key = \"test-key\"",
            server.uri()
        ))
        .partner(hook("premium").with("backend = [\"svc\"]"))
        .partner(hook("standard"))
        .write(dir.path());
    let story = crate::support::examples_dir().join("en-harbour-ferry.html");
    let (report, _) = report_of(&pipeline, &story, &[]);
    let backends: Vec<&str> = report["articles"][0]["translations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["backend"].as_str().unwrap())
        .collect();
    assert_eq!(backends.len(), 2, "{report:#}");
    let by = |receiver: &crate::support::VerifyingReceiver| {
        receiver.seen.lock().unwrap()[0].body["ednote"].as_str().unwrap().to_string()
    };
    assert!(by(&premium).contains("by svc"), "{}", by(&premium));
    assert!(by(&standard).contains("by apertium"), "{}", by(&standard));
    assert!(requests(&server).await > 0);

    // Each partner's pairs are read in its own chain: DeepL has en→ro, the desk's Apertium has not.
    let german = std::fs::read_to_string(&pipeline).unwrap().replace(
        "languages = [\"es\"]\nurl = \"http://127.0.0.1",
        "languages = [\"es\", \"ro\"]\nurl = \"http://127.0.0.1",
    );
    std::fs::write(&pipeline, &german).unwrap();
    let checked = crate::support::newswire().arg("check").arg(&pipeline).output().unwrap();
    let said = String::from_utf8_lossy(&checked.stdout);
    assert!(said.contains("partner \"standard\" wants ro, but no backend translates en→ro"), "{said}");
    assert!(!said.contains("partner \"premium\" wants ro"), "{said}");
    let text = std::fs::read_to_string(&pipeline).unwrap().replace("backend = [\"svc\"]", "backend = [\"premium-mt\"]");
    std::fs::write(&pipeline, text).unwrap();
    let refused = crate::support::newswire().arg("check").arg(&pipeline).output().unwrap();
    let said = String::from_utf8_lossy(&refused.stdout);
    assert!(said.contains("backend \"premium-mt\" has no [backends.premium-mt] table"), "{said}");
}
