//! The DNS screen on the demo cloud: zones of both demo accounts, A records labelled with the
//! machines they point at, and a record added, edited and deleted (with the confirmation), with
//! the table checked after each step.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use fantoccini::elements::Element;

use crate::e2e::GuiSession;

const STEP: Duration = Duration::from_secs(10);

/// One rendered record row: name, type and the text of each cell.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct Row {
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) cells: Vec<String>,
}

impl Row {
    pub(crate) fn value(&self) -> &str {
        &self.cells[2]
    }
    fn machine(&self) -> &str {
        &self.cells[4]
    }
}

/// The rows of the records table, read as `textContent` in one script call (WebKitWebDriver's
/// element text can come back empty for table cells).
pub(crate) async fn rows(gui: &GuiSession) -> Vec<Row> {
    let value = gui
        .client
        .execute(
            "return [...document.querySelectorAll('[data-testid=dns-row]')].map(r => ({\
               name: r.dataset.name, type: r.dataset.type,\
               cells: [...r.cells].map(c => c.textContent.replace(/\\s+/g, ' ').trim()) }));",
            vec![],
        )
        .await
        .expect("read the record rows");
    serde_json::from_value(value).expect("record rows")
}

pub(crate) async fn wait_rows(
    gui: &GuiSession,
    what: &str,
    ok: impl Fn(&[Row]) -> bool,
) -> Vec<Row> {
    let started = Instant::now();
    loop {
        let rows = rows(gui).await;
        if ok(&rows) {
            return rows;
        }
        assert!(
            started.elapsed() < STEP,
            "waited {STEP:?} for {what}; the table shows {rows:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) async fn xpath(gui: &GuiSession, path: &str) -> Element {
    gui.client
        .wait()
        .at_most(STEP)
        .for_element(Locator::XPath(path))
        .await
        .unwrap_or_else(|e| panic!("no element at `{path}`: {e}"))
}

/// Replaces the text of the input `css` by typing, then leaves the field.
pub(crate) async fn type_into(gui: &GuiSession, css: &str, text: &str) {
    gui.type_into(css, text).await;
    let input = gui.find(css).await;
    input.send_keys("\u{E004}").await.expect("tab out"); // Tab: the field counts as touched
}

/// Opens the Add record form with `record_type` chosen.
pub(crate) async fn open_add_form(gui: &GuiSession, record_type: &str) {
    gui.click("[data-testid=dns-add]").await;
    gui.find("[data-testid=dns-field-type]")
        .await
        .select_by_value(record_type)
        .await
        .expect("choose the record type");
}

pub(crate) async fn row_button(gui: &GuiSession, name: &str, testid: &str) {
    // Earlier result toasts may lie over the last rows' buttons, as they would for a user.
    gui.client
        .execute(
            "document.querySelectorAll('[data-testid=toast] button').forEach(b => b.click());",
            vec![],
        )
        .await
        .expect("dismiss the toasts");
    xpath(
        gui,
        &format!("//tr[@data-name='{name}']//button[@data-testid='{testid}']"),
    )
    .await
    .click()
    .await
    .unwrap_or_else(|e| panic!("click {testid} of {name}: {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn dns_records_are_added_edited_and_deleted_on_the_demo_cloud() {
    let gui = GuiSession::start().await;
    gui.click("[data-testid=nav-dns]").await;
    assert_eq!(gui.text_of("main h1").await, "DNS");

    // Both demo accounts list their zone; pick DigitalOcean's.
    xpath(
        &gui,
        "//button[@data-testid='dns-zone' and normalize-space()='example.net']",
    )
    .await;
    xpath(
        &gui,
        "//button[@data-testid='dns-zone' and normalize-space()='example.com']",
    )
    .await
    .click()
    .await
    .expect("pick example.com");
    assert_eq!(
        gui.text_of("[data-testid=dns-zone-title]").await,
        "example.com"
    );

    // A records are labelled with the machine they point at, with its account.
    let listed = wait_rows(&gui, "the demo zone's records", |r| {
        r.iter().any(|r| r.name == "web-1")
    })
    .await;
    let web = listed.iter().find(|r| r.name == "web-1").unwrap();
    assert_eq!(web.kind, "A");
    assert!(
        web.machine().contains("web-1") && web.machine().contains("Demo DigitalOcean"),
        "{web:?}"
    );
    assert!(web.machine().contains("this session"), "{web:?}");
    let ci = listed.iter().find(|r| r.name == "ci").unwrap();
    assert!(ci.machine().starts_with("ci-runner"), "{ci:?}");
    assert!(!ci.machine().contains("this session"), "{ci:?}");
    let srv = listed.iter().find(|r| r.kind == "SRV").unwrap();
    assert_eq!(srv.value(), "10 5 5060 sip.example.com.");
    let total = listed.len();
    gui.screenshot("dns-01-zone").await;

    // "This session's machines" keeps only the records of this session's machines.
    gui.click("[data-testid=dns-filter-session]").await;
    let mine = wait_rows(&gui, "only this session's records", |r| r.len() < total).await;
    let names: Vec<&str> = mine.iter().map(|r| r.name.as_str()).collect();
    for name in ["db", "web-1", "web-2"] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    assert!(!names.contains(&"ci"), "{names:?}");
    assert!(
        mine.iter().all(|r| r.machine().contains("this session")),
        "{mine:#?}"
    );
    gui.screenshot("dns-02-this-session").await;
    gui.click("[data-testid=dns-count] button").await;
    wait_rows(&gui, "every record again", |r| r.len() == total).await;

    // Add a TXT record; a bad name is flagged in place as it is typed.
    open_add_form(&gui, "TXT").await;
    type_into(&gui, "[data-testid=dns-field-name]", "bad name").await;
    let problem = gui.text_of("[data-testid=dns-error-name]").await;
    assert!(problem.contains("letters, digits"), "{problem}");
    type_into(&gui, "[data-testid=dns-field-ttl]", "5").await;
    assert!(
        gui.text_of("[data-testid=dns-error-ttl]")
            .await
            .contains("30")
    );
    gui.screenshot("dns-03-form-invalid").await;
    type_into(&gui, "[data-testid=dns-field-name]", "gui-check").await;
    type_into(&gui, "[data-testid=dns-field-ttl]", "600").await;
    type_into(
        &gui,
        "[data-testid=dns-field-data]",
        "hangar-verification=first",
    )
    .await;
    gui.click("[data-testid=dns-form-save]").await;
    let added = wait_rows(&gui, "the new TXT record", |r| {
        r.iter().any(|r| r.name == "gui-check")
    })
    .await;
    let txt = added.iter().find(|r| r.name == "gui-check").unwrap();
    assert_eq!(
        (txt.kind.as_str(), txt.value(), txt.cells[3].as_str()),
        ("TXT", "hangar-verification=first", "600")
    );
    assert_eq!(added.len(), total + 1);
    let toast = gui.text_of("[data-testid=toast]").await;
    assert!(
        toast.contains("Added the TXT record gui-check.example.com"),
        "{toast}"
    );
    gui.screenshot("dns-04-added").await;

    // Edit it: the form opens with its values, the type is fixed.
    row_button(&gui, "gui-check", "dns-edit").await;
    let type_select = gui.find("[data-testid=dns-field-type]").await;
    assert!(!type_select.is_enabled().await.expect("enabled state"));
    let data = gui.find("[data-testid=dns-field-data]").await;
    assert_eq!(
        data.prop("value").await.expect("value").as_deref(),
        Some("hangar-verification=first")
    );
    type_into(
        &gui,
        "[data-testid=dns-field-data]",
        "hangar-verification=second",
    )
    .await;
    gui.screenshot("dns-05-editing").await;
    gui.click("[data-testid=dns-form-save]").await;
    let edited = wait_rows(&gui, "the edited record", |r| {
        r.iter()
            .any(|r| r.name == "gui-check" && r.value() == "hangar-verification=second")
    })
    .await;
    assert_eq!(edited.len(), total + 1);
    gui.screenshot("dns-06-edited").await;

    // Delete it, after the confirmation.
    row_button(&gui, "gui-check", "dns-delete").await;
    let question = gui.text_of("[data-testid=dns-delete-dialog]").await;
    assert!(question.contains("gui-check.example.com"), "{question}");
    gui.screenshot("dns-07-confirm-delete").await;
    gui.click("[data-testid=dns-confirm-delete]").await;
    wait_rows(&gui, "the record gone", |r| {
        r.len() == total && r.iter().all(|r| r.name != "gui-check")
    })
    .await;
    gui.screenshot("dns-08-deleted").await;

    // A second SPF record at the apex gets the core's hint as it is typed (the demo zone has
    // one); the apex NS and SOA rows are marked.
    open_add_form(&gui, "TXT").await;
    type_into(&gui, "[data-testid=dns-field-name]", "@").await;
    type_into(&gui, "[data-testid=dns-field-data]", "v=spf1 a -all").await;
    let hint = gui.text_of("[data-testid=dns-hint]").await;
    assert!(hint.contains("already has an SPF record"), "{hint}");
    gui.screenshot("dns-08b-spf-hint").await;
    gui.click("[data-testid=dns-form-cancel]").await;
    let marked = gui
        .script(
            "return [...document.querySelectorAll('[data-testid=dns-row]')]\
             .filter(r => r.querySelector('[data-testid=dns-caution]'))\
             .map(r => r.dataset.type);",
        )
        .await;
    let marked: Vec<String> = serde_json::from_value(marked).expect("types");
    assert!(
        marked.contains(&"NS".to_string()) && marked.contains(&"SOA".to_string()),
        "{marked:?}"
    );
    assert!(!marked.contains(&"A".to_string()), "{marked:?}");

    // The Vultr zone: its records point at Vultr machines.
    xpath(
        &gui,
        "//button[@data-testid='dns-zone' and normalize-space()='example.net']",
    )
    .await
    .click()
    .await
    .expect("pick example.net");
    let vultr = wait_rows(&gui, "the Vultr zone's records", |r| {
        r.iter().any(|r| r.name == "edge-ewr")
    })
    .await;
    let edge = vultr.iter().find(|r| r.name == "edge-ewr").unwrap();
    assert!(
        edge.machine().contains("edge-ewr") && edge.machine().contains("Demo Vultr"),
        "{edge:?}"
    );
    let caa = vultr.iter().find(|r| r.kind == "CAA").unwrap();
    assert_eq!(caa.value(), "0 issue \"letsencrypt.org\"");
    gui.screenshot("dns-09-vultr-zone").await;

    gui.close().await;
}
