//! What partners receive: ninjs 2.2 items that validate against the official schema, signatures
//! a partner can check with `newswire verify-webhook`, and nothing hostile in the HTML.

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use crate::support::*;

/// The IPTC's ninjs 2.2 schema, shipped with the tests (CC BY 4.0).
fn schema() -> std::path::PathBuf {
    fixture("schemas/ninjs-schema_2.2.json")
}

/// Runs the hostile fixture and the Russian example through a webhook partner; returns the requests.
async fn deliver_to_hook() -> (MockServer, Vec<wiremock::Request>) {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/hook")).respond_with(VerifyingReceiver::default()).mount(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let pipeline = Desk::new("ninjs-desk")
        .state(&dir.path().join("state.sqlite"))
        .languages(&["en", "ru", "uk"])
        .partner(Partner::webhook("hook", &["*", "uk"], &format!("{}/hook", server.uri())))
        .write(dir.path());
    let output = newswire()
        .arg("run")
        .arg(&pipeline)
        .arg("--input")
        .arg(fixture("hostile.html"))
        .arg("--input")
        .arg(examples_dir().join("ru-vilnius-library.html"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let requests = server.received_requests().await.unwrap();
    (server, requests)
}

#[tokio::test(flavor = "multi_thread")]
async fn webhook_items_validate_against_ninjs_2_2() {
    let (_server, requests) = deliver_to_hook().await;
    assert!(requests.len() >= 3, "{} requests", requests.len());
    let schema = schema();
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, request) in requests.iter().enumerate() {
        let file = dir.path().join(format!("item-{i}.json"));
        std::fs::write(&file, &request.body).unwrap();
        files.push(file);
    }
    let output = std::process::Command::new("/usr/bin/python3")
        .arg(project_dir().join("tests/it/support/validate_ninjs.py"))
        .arg(&schema)
        .args(&files)
        .output()
        .expect("python3 with jsonschema (make test installs it)");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let item: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert!(item.get("headline").is_none() && item.get("body_html").is_none(), "no ninjs 1.x names");
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_content_never_reaches_the_payload_html() {
    let (_server, requests) = deliver_to_hook().await;
    // The hostile page's original and its Ukrainian copy, and the Russian example's two copies.
    assert!(requests.len() >= 3, "{} requests", requests.len());
    let hostile: Vec<serde_json::Value> = requests
        .iter()
        .map(|r| serde_json::from_slice::<serde_json::Value>(&r.body).unwrap())
        .filter(|item| item["headlines"][0]["value"].as_str().is_some_and(|h| h.contains("Council votes")))
        .collect();
    assert!(!hostile.is_empty(), "the hostile page's copies were not delivered");
    for request in &requests {
        let item: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        let bodies = item["bodies"].as_array().unwrap();
        assert_eq!(bodies.len(), 2, "{item:#}");
        for body in bodies {
            let value = body["value"].as_str().unwrap().to_lowercase();
            for bad in ["<script", "javascript:", "onerror", "onclick", "data:text", "<iframe", "<style"] {
                assert!(!value.contains(bad), "{bad} in {value}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn partners_can_verify_signatures_with_the_cli() {
    let (_server, requests) = deliver_to_hook().await;
    let request = &requests[0];
    let header = |name: &str| request.headers.get(name).unwrap().to_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("body.json");
    std::fs::write(&body, &request.body).unwrap();
    let verify = |secret: &str, body_file: &std::path::Path| {
        newswire()
            .args([
                "verify-webhook",
                "--secret",
                secret,
                "--id",
                &header("webhook-id"),
                "--timestamp",
                &header("webhook-timestamp"),
            ])
            .args(["--signature", &header("webhook-signature"), "--body"])
            .arg(body_file)
            .output()
            .unwrap()
    };
    let good = verify(WEBHOOK_SECRET, &body);
    assert!(good.status.success(), "{}", String::from_utf8_lossy(&good.stdout));
    assert!(String::from_utf8_lossy(&good.stdout).starts_with("valid"));
    let tampered = dir.path().join("tampered.json");
    std::fs::write(&tampered, String::from_utf8_lossy(&request.body).replace("\"usable\"", "\"canceled\"")).unwrap();
    let bad = verify(WEBHOOK_SECRET, &tampered);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stdout).contains("no signature matches"));
    let wrong_key = verify("whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXk=", &body);
    assert_eq!(wrong_key.status.code(), Some(1));
}

fn sample_copy() -> newswire::syndicate::PartnerCopy {
    use newswire::model::{Article, Block, BlockKind};
    let article = Article {
        id: "https://bep.example/city/harbour-ferry-returns".into(),
        content_hash: "0123456789abcdef".into(),
        version: 1,
        title: "Harbour ferry service returns".into(),
        byline: Some("Laura Pettersen".into()),
        published: Some("2026-11-20T08:30:00Z".into()),
        section: Some("City".into()),
        canonical_url: Some("https://bep.example/city/harbour-ferry-returns".into()),
        language: Some("en".into()),
        blocks: vec![Block::new(BlockKind::Paragraph, "The ferry returns on Monday.")],
        ..Article::default()
    };
    newswire::syndicate::PartnerCopy {
        delivery_id: "msg_0123456789abcdef0123456789abcdef".into(),
        partner: "el-correo".into(),
        desk: "baltic-desk".into(),
        article: std::sync::Arc::new(article),
        language: "es".into(),
        backend: Some("apertium".into()),
        reviewed: None,
        rule_based: true,
        engines: Vec::new(),
        via: None,
        title: "El servicio de ferri <vuelve> & sigue".into(),
        html: "<p>El ferri vuelve el lunes.</p>\n".into(),
        text: "El ferri vuelve el lunes.".into(),
        event: newswire::syndicate::Event::Published,
    }
}

#[test]
fn rendered_templates_and_items_match_their_snapshots() {
    let templates = newswire::syndicate::templates::Templates::load(None).unwrap();
    let copy = sample_copy();
    for name in ["email/subject.j2", "email/text.j2", "email/html.j2", "directory/article.html.j2"] {
        let rendered = templates.render(name, &copy).unwrap();
        if name.ends_with("html.j2") {
            // Links as mail clients expect them; what HTML needs escaped still is.
            assert!(!rendered.contains("&#x2f;") && rendered.contains("https://bep.example/city/"), "{rendered}");
            assert!(rendered.contains("El servicio de ferri &lt;vuelve&gt; &amp; sigue"), "{rendered}");
        }
        insta::assert_snapshot!(name.replace('/', "__"), rendered);
    }
    // A language the built-in notices do not cover gets them in English.
    let polish = newswire::syndicate::PartnerCopy { language: "pl".into(), ..copy.clone() };
    let text = templates.render("email/text.j2", &polish).unwrap();
    assert!(
        text.contains(
            "Machine-translated from en to pl by apertium, not reviewed. Sent by the baltic-desk desk to el-correo."
        ),
        "{text}"
    );
    let item = newswire::syndicate::ninjs::item(&copy, "2026-11-25T10:00:00Z");
    insta::assert_json_snapshot!("ninjs_item", item);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_article_arrives_as_a_correction_and_a_kill_as_a_kill() {
    let smtp = SmtpServer::start(&[]);
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/hook")).respond_with(VerifyingReceiver::default()).mount(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("port.html");
    let original = std::fs::read_to_string(examples_dir().join("es-valencia-port.html")).unwrap();
    std::fs::write(&article, &original).unwrap();
    let pipeline = Desk::new("versions-desk")
        .state(&dir.path().join("state.sqlite"))
        .languages(&["es", "en"])
        .smtp(smtp.port)
        .partner(Partner::webhook("hook", &["es"], &format!("{}/hook", server.uri())))
        .partner(Partner::email("mail", &["es"], &["mesa@elcorreo.example"]))
        .write(dir.path());
    let run = || newswire().arg("run").arg(&pipeline).arg("--input").arg(&article).assert().success();
    let items = |requests: &[wiremock::Request]| -> Vec<(String, serde_json::Value)> {
        requests
            .iter()
            .map(|r| {
                (
                    r.headers.get("newswire-event").unwrap().to_str().unwrap().to_string(),
                    serde_json::from_slice(&r.body).unwrap(),
                )
            })
            .collect()
    };

    run();
    std::fs::write(&article, original.replace("casi medio millón de viajeros", "más de medio millón de viajeros"))
        .unwrap();
    run();
    run(); // nothing new: no third copy
    let received = items(&server.received_requests().await.unwrap());
    assert_eq!(received.len(), 2, "{received:?}");
    assert_eq!(received[0].0, "article.published");
    assert_eq!(received[0].1["version"], "1");
    assert_eq!(received[1].0, "article.corrected");
    assert_eq!(received[1].1["version"], "2");
    assert_eq!(received[0].1["uri"], received[1].1["uri"], "a correction updates the same item");
    let mails = smtp.messages();
    assert_eq!(mails.len(), 2);
    // The Spanish copy's subject says "correction" in Spanish.
    let subject = email_header(&mails[1], "Subject").unwrap();
    assert!(subject.starts_with("Corrección: El puerto de Valencia"), "{subject}");

    // The old version is never sent after the new one.
    std::fs::write(&article, &original).unwrap();
    run();
    assert_eq!(server.received_requests().await.unwrap().len(), 2, "version 1 is not delivered after version 2");

    newswire().arg("kill").arg(&pipeline).arg("https://levante.example/economia/puerto-record").assert().success();
    let received = items(&server.received_requests().await.unwrap());
    let (event, kill) = received.last().unwrap();
    assert_eq!(event, "article.killed");
    assert_eq!(kill["pubstatus"], "canceled");
    assert_eq!(kill["uri"], received[0].1["uri"]);
    let kill_mail = smtp.messages().last().unwrap().clone();
    let subject = email_header(&kill_mail, "Subject").unwrap();
    assert!(subject.starts_with("RETIRADA: El puerto de Valencia"), "{subject}");
    assert!(kill["bodies"][0]["value"].as_str().unwrap().starts_with("Esta noticia ha sido retirada"), "{kill:#}");
    // A killed article is not delivered again.
    std::fs::write(&article, original.replace("casi medio millón", "un millón")).unwrap();
    run();
    assert_eq!(server.received_requests().await.unwrap().len(), received.len());
}

#[test]
fn partners_get_only_the_sections_and_keywords_they_want() {
    let dir = tempfile::tempdir().unwrap();
    let folder = |name: &str| dir.path().join(name);
    let pipeline = Desk::new("filters-desk")
        .state(&dir.path().join("state.sqlite"))
        .languages(&["es", "en"])
        .partner(Partner::directory("economy", &["*"], &folder("economy")).with("sections = [\"economía\"]"))
        .partner(Partner::directory("sport", &["*"], &folder("sport")).with("sections = [\"Deportes\"]"))
        .partner(Partner::directory("no-ferries", &["*"], &folder("no-ferries")).with("exclude_keywords = [\"ferri\"]"))
        .write(dir.path());
    let output = run_json_on(&pipeline, &examples_dir().join("es-valencia-port.html")).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let deliveries = report["articles"][0]["deliveries"].as_array().unwrap();
    let by = |name: &str| deliveries.iter().find(|d| d["partner"] == name).unwrap().clone();
    assert_eq!(by("economy")["status"], "ok");
    assert_eq!(by("sport")["status"], "skipped");
    assert_eq!(by("sport")["error"], "section \"Economía\" is not among sport's sections (Deportes)");
    assert_eq!(by("no-ferries")["status"], "skipped");
    assert_eq!(by("no-ferries")["error"], "mentions \"ferri\", which no-ferries excludes");
    assert_eq!(files_under(&dir.path().join("economy")).len(), 1);
    assert!(!dir.path().join("sport").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn secret_rotation_format_and_partner_templates() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(wiremock::ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("partner-templates/directory");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(templates.join("article.html.j2"), "<h1>ARCHIVE COPY: {{ title }}</h1>{{ html }}").unwrap();
    let old_secret = "whsec_dGhpcyBpcyB0aGUgb2xkIHNlY3JldCBrZXk=";
    let pipeline = Desk::new("rotation-desk")
        .state(&dir.path().join("state.sqlite"))
        .languages(&["es", "en"])
        .partner(
            Partner::of("hook", "webhook", &["es"])
                .with(&format!("url = \"{}/hook\"", server.uri()))
                .with(&format!("secret = [\"{WEBHOOK_SECRET}\", \"{old_secret}\"]"))
                .with("format = \"html\""),
        )
        .partner(
            Partner::directory("archive", &["es"], &dir.path().join("archive"))
                .with(&format!("template = {:?}", dir.path().join("partner-templates").display().to_string())),
        )
        .write(dir.path());
    newswire()
        .arg("run")
        .arg(&pipeline)
        .arg("--input")
        .arg(examples_dir().join("es-valencia-port.html"))
        .assert()
        .success();

    let request = &server.received_requests().await.unwrap()[0];
    let header = |name: &str| request.headers.get(name).unwrap().to_str().unwrap().to_string();
    let signatures = header("webhook-signature");
    assert_eq!(signatures.split(' ').count(), 2, "{signatures}");
    let timestamp: i64 = header("webhook-timestamp").parse().unwrap();
    for (secret, signature) in [WEBHOOK_SECRET, old_secret].iter().zip(signatures.split(' ')) {
        assert!(newswire::syndicate::sign::verify(
            secret,
            &header("webhook-id"),
            timestamp,
            signature,
            &request.body,
            timestamp
        )
        .is_ok());
    }
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body["format"], "text/html");
    assert!(body["body"].as_str().unwrap().starts_with("<p>El puerto de Valencia"), "{body}");
    assert_eq!(body["event"], "article.published");

    let archive = dir.path().join("archive");
    let file = files_under(&archive).pop().unwrap();
    let page = std::fs::read_to_string(archive.join(file)).unwrap();
    assert!(page.starts_with("<h1>ARCHIVE COPY: El puerto de Valencia"), "{page}");
}

#[test]
fn email_over_starttls_with_auth_and_a_private_ca() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = test_certificates(dir.path());
    let smtp = SmtpServer::start_tls(&cert, &key, "desk:s3cret");
    let desk = |smtp_url: &str, ca_line: &str| {
        Desk::new("tls-desk")
            .state(&dir.path().join(format!("state-{}.sqlite", ca_line.len())))
            .languages(&["es", "en"])
            .table(&format!("[email]\nsmtp_url = \"{smtp_url}\"\nfrom = \"desk@newswire.example\"\n{ca_line}"))
            .partner(Partner::email("mail", &["es"], &["mesa@elcorreo.example"]))
            .write(dir.path())
    };
    let run = |pipeline: &std::path::Path| -> serde_json::Value {
        let output = run_json_on(pipeline, &examples_dir().join("es-valencia-port.html")).output().unwrap();
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let url = format!("smtp://desk:s3cret@localhost:{}?tls=required", smtp.port);

    // Without the private CA the certificate is refused: a clear, permanent TLS error.
    let report = run(&desk(&url, ""));
    let error = report["articles"][0]["deliveries"][0]["error"].as_str().unwrap().to_string();
    assert!(error.contains("TLS with the server failed"), "{error}");
    assert_eq!(report["articles"][0]["deliveries"][0]["status"], "failed");

    let report = run(&desk(&url, &format!("tls_ca = \"{}\"", ca.display())));
    assert_eq!(report["articles"][0]["deliveries"][0]["status"], "ok", "{report:#}");
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].contains("Content-Language: es"));
}

#[test]
fn dkim_signed_email_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("dkim.pem");
    let status = std::process::Command::new("openssl")
        .args(["genrsa", "-traditional", "-out"])
        .arg(&key)
        .arg("2048")
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let public = std::process::Command::new("openssl")
        .args(["rsa", "-pubout", "-outform", "DER", "-in"])
        .arg(&key)
        .stderr(std::process::Stdio::null())
        .output()
        .unwrap();
    use base64::Engine;
    let record = format!("v=DKIM1; k=rsa; p={}", base64::engine::general_purpose::STANDARD.encode(&public.stdout));
    let record_file = dir.path().join("record.txt");
    std::fs::write(&record_file, record).unwrap();

    let smtp = SmtpServer::start(&[]);
    let pipeline = Desk::new("dkim-desk")
        .state(&dir.path().join("state.sqlite"))
        .languages(&["es", "en"])
        .table(&format!(
            "[email]\nsmtp_url = \"smtp://127.0.0.1:{}\"\nfrom = \"desk@bep.example\"\ndkim_key = {:?}\ndkim_selector = \"newswire\"\ndkim_domain = \"bep.example\"",
            smtp.port,
            key.display().to_string()
        ))
        .partner(Partner::email("mail", &["es"], &["mesa@elcorreo.example"]))
        .write(dir.path());
    newswire()
        .arg("run")
        .arg(&pipeline)
        .arg("--input")
        .arg(examples_dir().join("es-valencia-port.html"))
        .assert()
        .success();
    let message = smtp.messages().pop().unwrap();
    assert!(
        message.contains("DKIM-Signature:") && message.contains("d=bep.example") && message.contains("s=newswire"),
        "{message}"
    );
    let file = dir.path().join("message.eml");
    std::fs::write(&file, message).unwrap();
    let verified = std::process::Command::new("/usr/bin/python3")
        .arg(project_dir().join("tests/it/support/verify_dkim.py"))
        .arg(&file)
        .arg(&record_file)
        .output()
        .expect("python3 with dkim (make test installs python3-dkim)");
    assert!(
        verified.status.success(),
        "{}{}",
        String::from_utf8_lossy(&verified.stdout),
        String::from_utf8_lossy(&verified.stderr)
    );
}

#[test]
fn hostile_content_never_reaches_an_email() {
    let smtp = SmtpServer::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let pipeline = Desk::new("hostile-mail")
        .state(&dir.path().join("state.sqlite"))
        .languages(&["en", "es"])
        .smtp(smtp.port)
        .partner(Partner::email("mail", &["en"], &["desk@partner.example"]))
        .write(dir.path());
    newswire().arg("run").arg(&pipeline).arg("--input").arg(fixture("hostile.html")).assert().success();
    let message = smtp.messages().pop().expect("the message arrived");
    // Undo quoted-printable soft breaks so nothing hides across lines.
    let flat = message.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=").to_lowercase();
    for bad in ["<script", "javascript:", "onerror", "onclick", "data:text", "<iframe", "<style"] {
        assert!(!flat.contains(bad), "{bad} in the email");
    }
    assert!(flat.contains("the council voted"), "{flat}");
}
