//! The console in a real headless Chromium: an editor logs in, opens a held article, edits a
//! segment (the diff shows, Ctrl+Enter approves and moves on), approves all, and the partner's
//! receiver gets the reviewed copy; staff see a failing partner and press Redeliver. Screenshots
//! of both pages go to `target/screenshots/`.

use std::time::Duration;

use fantoccini::Locator;
use serde_json::json;

use crate::serve::{harbour_html, newsroom, post_article, received, wait_for};
use crate::support::browser::Browser;
use crate::support::console::{Console, PASSWORD};

async fn log_in(browser: &Browser, console: &Console, user: &str) {
    browser.client.goto(&console.url("/login")).await.unwrap();
    browser.find("input[name=username]").await.send_keys(user).await.unwrap();
    browser.find("input[name=password]").await.send_keys(PASSWORD).await.unwrap();
    browser.find("form.login button[type=submit]").await.click().await.unwrap();
    // Logged in: the page has the logout button, and lists the desks.
    browser.find("form.logout").await;
    let page = browser.client.source().await.unwrap();
    assert!(page.contains("<h1>Desks</h1>") && page.contains(user), "after logging in: {page}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_editor_reviews_in_the_browser_and_the_partner_gets_the_reviewed_copy() {
    let room = newsroom("always", "\"100ms\"").await;
    let console = Console::start(&[&room.pipeline], room.dir.path());
    let html = harbour_html()
        .replace("welcomed the plan", "welcomed <a href=\"https://port.example/plan\">the <em>new</em> plan</a>");
    assert_eq!(post_article(&console, json!({ "html": html, "id": "cms-21" })).await.status(), 202);
    wait_for(&console, "cms-21", |s| s["status"] == "held").await;

    let browser = Browser::start().await;
    log_in(&browser, &console, "ana").await;
    browser.client.goto(&console.url("/desks/web-desk/review")).await.unwrap();
    browser.find("table.queue a").await.click().await.unwrap();
    let headline = browser.find("textarea[name=s0]").await;
    let edited = "El concejo aprueba el presupuesto del puerto";
    headline.clear().await.unwrap();
    headline.send_keys(edited).await.unwrap();
    let diff = browser.find("tr#s0 .diff ins").await.text().await.unwrap();
    assert!(!diff.is_empty(), "the diff shows what the editor added");
    // Ctrl+Enter approves the segment and moves to the next.
    headline.send_keys("\u{E009}\u{E007}\u{E000}").await.unwrap();
    let row = browser.find("tr#s0").await;
    assert!(row.attr("class").await.unwrap().unwrap_or_default().contains("approved"));
    let focused = browser.client.execute("return document.activeElement.name", vec![]).await.unwrap();
    assert_eq!(focused, json!("s1"));
    assert_eq!(browser.find(".progress .approved").await.text().await.unwrap(), "1");
    let coded = browser.find("textarea[data-machine*='[1]']").await.prop("value").await.unwrap().unwrap();
    assert!(coded.contains("[2]") && coded.contains("[/1]"), "the link and the emphasis are codes: {coded}");
    browser.screenshot("review-page").await;

    browser.find("button.approve-all").await.click().await.unwrap();
    browser.wait_for_url("/desks/web-desk/review?notice=").await;
    let notice = browser.find("p.notice").await.text().await.unwrap();
    assert!(notice.contains("1 segment edited") && notice.contains("1 of 1 copy sent"), "{notice}");
    assert!(browser.text().await.contains("Nothing waits for an editor."));

    let copies = received(&room.partner, 1).await;
    assert_eq!(copies[0]["headlines"][0]["value"], edited);
    assert!(copies[0]["ednote"].as_str().unwrap().contains("reviewed by ana"), "{:#}", copies[0]);
    let body = copies[0]["bodies"][1]["value"].as_str().unwrap();
    assert!(body.contains("<a href=\"https://port.example/plan\""), "{body}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_see_the_failing_partner_in_the_browser_and_redeliver() {
    let room = newsroom("never", "\"1h\"").await;
    room.server.reset().await;
    let partner = crate::support::VerifyingReceiver::default();
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .and(wiremock::matchers::path("/hook"))
        .respond_with(wiremock::ResponseTemplate::new(503).set_body_string("down for maintenance"))
        .up_to_n_times(1)
        .mount(&room.server)
        .await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .and(wiremock::matchers::path("/hook"))
        .respond_with(partner.clone())
        .mount(&room.server)
        .await;
    let console = Console::start(&[&room.pipeline], room.dir.path());
    assert_eq!(post_article(&console, json!({ "html": harbour_html(), "id": "cms-22" })).await.status(), 202);
    wait_for(&console, "cms-22", |s| s["status"] == "delivering").await;

    let browser = Browser::start().await;
    log_in(&browser, &console, "sam").await;
    browser.client.goto(&console.url("/desks/web-desk/deliveries")).await.unwrap();
    let state = browser.find("#partner-la-voz h2 .state").await.text().await.unwrap();
    assert!(state.starts_with("failing since"), "{state}");
    let error = browser.find("#partner-la-voz td.error-text").await.text().await.unwrap();
    assert!(error.contains("HTTP 503") && error.contains("down for maintenance"), "{error}");
    browser.screenshot("deliveries-page").await;

    browser.find("#partner-la-voz button.redeliver").await.click().await.unwrap();
    browser.wait_for_url("notice=").await;
    let notice = browser.find("p.notice").await.text().await.unwrap();
    assert_eq!(notice, "Redelivered: 1 of 1 delivery made.");
    let state = browser.find("#partner-la-voz h2 .state").await.text().await.unwrap();
    assert_eq!(state, "ok");
    tokio::time::sleep(Duration::from_millis(10)).await;
    let seen = partner.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].verified);
    browser.client.find(Locator::Css("form.logout button")).await.unwrap().click().await.unwrap();
    browser.wait_for_url("/login").await;
    browser.client.goto(&console.url("/desks/web-desk/deliveries")).await.unwrap();
    assert!(browser.text().await.contains("You need to log in"), "logged out");
    browser.close().await;
}
