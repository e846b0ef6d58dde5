//! GUI flow of a machine's detail view on the demo cloud: opened from the table (with a route
//! the back button follows), its records and cost, tags added and refused, protection that
//! refuses a destroy, and a rename that takes its DNS record along.

use std::time::Duration;

use fantoccini::Locator;

use crate::actions::{texts, wait_until};
use crate::e2e::GuiSession;

/// The cells of every `detail-record` row, joined by one space.
async fn record_rows(gui: &GuiSession) -> Vec<String> {
    let value = gui
        .client
        .execute(
            "return [...document.querySelectorAll('[data-testid=detail-record]')]\
               .map(r => [...r.cells].map(c => c.textContent.trim()).join(' '));",
            vec![],
        )
        .await
        .expect("read the records");
    serde_json::from_value(value).expect("record rows")
}

/// The link to the detail view of the machine called `name`, once its row is in the table.
pub(crate) async fn detail_link(gui: &GuiSession, name: &str) -> fantoccini::elements::Element {
    let xpath = format!(
        "//tr[@data-testid='machine-row'][td[@data-testid='cell-name'][normalize-space()='{name}']]//a[@data-testid='machine-link']"
    );
    gui.client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("no link to {name}: {e}"))
}

/// Waits until the detail view shows the machine called `name`.
pub(crate) async fn wait_for_detail(gui: &GuiSession, name: &str) {
    wait_until(
        "the detail view",
        async || texts(gui, "[data-testid=detail-name]").await,
        |t| t.first().is_some_and(|n| n == name),
    )
    .await;
}

/// Opens the detail view of the machine called `name` by following its link in the table as
/// a click would (the row may lie under the toasts or below the fold).
pub(crate) async fn open_detail(gui: &GuiSession, name: &str) {
    let href = detail_link(gui, name)
        .await
        .attr("href")
        .await
        .expect("read the link")
        .expect("the link has a target");
    gui.client
        .execute(
            "location.hash = new URL(arguments[0], location.href).hash;",
            vec![href.into()],
        )
        .await
        .expect("open the detail view");
    wait_for_detail(gui, name).await;
}

/// Opens the detail view of the machine called `name` with a click on its name.
async fn click_into_detail(gui: &GuiSession, name: &str) {
    detail_link(gui, name)
        .await
        .click()
        .await
        .expect("open the detail view");
    wait_for_detail(gui, name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn machine_detail_tags_protection_and_rename_with_its_record() {
    let gui = GuiSession::start().await;
    click_into_detail(&gui, "web-1").await;
    let hash = gui.script("return location.hash;").await;
    assert!(
        hash.as_str()
            .is_some_and(|h| h.starts_with("#/machines/demo-")),
        "{hash}"
    );

    // What points at it: its own A record and the `blog` CNAME, each with its account.
    let records = wait_until(
        "the records pointing at web-1",
        async || record_rows(&gui).await,
        |r| r.len() >= 2,
    )
    .await;
    assert!(
        records
            .iter()
            .any(|r| r.starts_with("web-1.example.com A") && r.contains("deleted with it")),
        "{records:?}"
    );
    assert!(
        records
            .iter()
            .any(|r| r.starts_with("blog.example.com CNAME") && r.contains("left as it is")),
        "{records:?}"
    );
    let cost = gui.text_of("[data-testid=detail-cost]").await;
    assert!(
        cost.starts_with("≈ $") && cost.contains("estimate"),
        "{cost}"
    );
    let price = gui.text_of("[data-testid=detail-price]").await;
    assert!(price.contains("/month") && price.contains("/h"), "{price}");
    // The emulated Droplet has a VPC address, as real ones do.
    let private = gui.text_of("[data-testid=detail-private]").await;
    assert!(private.starts_with("10."), "{private}");
    gui.screenshots_at_sizes("detail-01").await;

    // Tags: one of the user's own is added and removed; Hangar's own prefix is refused.
    gui.type_into("[data-testid=detail-tag-input]", "blue")
        .await;
    gui.click("[data-testid=detail-tag-add]").await;
    wait_until(
        "the blue tag",
        async || texts(&gui, "[data-testid=detail-tag]").await,
        |t| t.iter().any(|t| t.starts_with("blue")),
    )
    .await;
    gui.type_into("[data-testid=detail-tag-input]", "machine:type:db")
        .await;
    gui.click("[data-testid=detail-tag-add]").await;
    let refused = gui.text_of("[data-testid=detail-tag-error]").await;
    assert!(refused.contains("reserves for its own tags"), "{refused}");
    gui.dismiss_toasts().await;
    let blue = "//li[@data-testid='detail-tag'][starts-with(normalize-space(), 'blue')]//button";
    gui.client
        .find(Locator::XPath(blue))
        .await
        .expect("the blue tag's remove button")
        .click()
        .await
        .expect("remove blue");
    wait_until(
        "blue removed",
        async || texts(&gui, "[data-testid=detail-tag]").await,
        |t| !t.iter().any(|t| t.starts_with("blue")),
    )
    .await;

    // Protection: the detail view's destroy is disabled, and the table's destroy refuses it.
    gui.dismiss_toasts().await;
    gui.click("[data-testid=detail-protect]").await;
    gui.text_of("[data-testid=detail-protected]").await;
    assert!(gui.is_disabled("[data-testid=detail-destroy]").await);
    gui.click("[data-testid=detail-back]").await;
    let xpath = "//tr[@data-testid='machine-row'][td[@data-testid='cell-name'][normalize-space()='web-1']]//button[@data-testid='action-destroy']";
    gui.dismiss_toasts().await;
    gui.client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::XPath(xpath))
        .await
        .expect("web-1's destroy button")
        .click()
        .await
        .expect("destroy web-1");
    let refusal = gui.text_of("[data-testid=destroy-refusal]").await;
    assert!(
        refusal.contains("is protected against deletion"),
        "{refusal}"
    );
    gui.screenshot("detail-02-protected-refused").await;
    gui.click("[data-testid=destroy-cancel]").await;
    open_detail(&gui, "web-1").await;
    gui.dismiss_toasts().await;
    gui.click("[data-testid=detail-protect]").await;
    wait_until(
        "protection removed",
        async || texts(&gui, "[data-testid=detail-protected]").await,
        |t| t.is_empty(),
    )
    .await;

    // Rename, with its DNS record.
    gui.dismiss_toasts().await;
    gui.click("[data-testid=detail-rename]").await;
    gui.type_into("[data-testid=rename-name]", "web-9").await;
    let with_records = gui
        .find("[data-testid=rename-records]")
        .await
        .prop("checked")
        .await
        .expect("read checked");
    assert_eq!(with_records.as_deref(), Some("true"));
    gui.screenshots_at_sizes("detail-03-rename-dialog").await;
    gui.click("[data-testid=rename-confirm]").await;
    wait_until(
        "the new name",
        async || texts(&gui, "[data-testid=detail-name]").await,
        |t| t.first().is_some_and(|n| n == "web-9"),
    )
    .await;
    let records = wait_until(
        "the renamed record",
        async || record_rows(&gui).await,
        |r| r.iter().any(|r| r.starts_with("web-9.example.com A")),
    )
    .await;
    assert!(
        !records.iter().any(|r| r.starts_with("web-1.example.com")),
        "{records:?}"
    );
    let activity = texts(&gui, "[data-testid=detail-activity-entry]").await;
    assert!(
        activity
            .iter()
            .any(|a| a.contains("Renamed web-1 to web-9")),
        "{activity:?}"
    );

    // Back: the Machines screen, with the new name.
    gui.script("history.back(); return null;").await;
    wait_until(
        "the table with web-9",
        async || crate::table_rows(&gui).await,
        |rows| rows.iter().any(|r| r[0] == "web-9"),
    )
    .await;
    gui.close().await;
}
