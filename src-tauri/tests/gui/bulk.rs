//! GUI flow of the Machines table's selection on the demo cloud: three machines of two
//! accounts selected (click, then shift-click for a range), powered off with one
//! confirmation listing them, each with its result; then tagged, protected and snapshotted
//! together, and a bulk destroy of the selection refused because they are protected.

use crate::actions::{texts, wait_until};
use crate::e2e::GuiSession;

/// Clicks the selection checkbox of the row named `name`, with shift held when `shift`
/// (WebDriver's element click cannot hold a key, so the click event is dispatched).
async fn select(gui: &GuiSession, name: &str, shift: bool) {
    let done = gui
        .client
        .execute(
            "const row = [...document.querySelectorAll('[data-testid=machine-row]')]\
               .find(r => r.querySelector('[data-testid=cell-name]').textContent.trim() === arguments[0]);\
             if (!row) return false;\
             row.querySelector('[data-testid=select-row]')\
               .dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, shiftKey: arguments[1] }));\
             return true;",
            vec![name.into(), shift.into()],
        )
        .await
        .expect("click a checkbox");
    assert_eq!(done, serde_json::Value::Bool(true), "no row {name}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn bulk_power_off_of_three_machines_then_tag_protect_and_refused_destroy() {
    let gui = GuiSession::start().await;
    crate::actions::demo_fleet(&gui).await;
    // By name, db-primary, edge-ams and edge-ewr are neighbours, across both demo accounts,
    // and all three are up.
    let rows = crate::table_rows(&gui).await;
    let names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let from = names
        .iter()
        .position(|n| *n == "db-primary")
        .unwrap_or_else(|| panic!("{names:?}"));
    let picked: Vec<String> = names[from..from + 3]
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(picked, ["db-primary", "edge-ams", "edge-ewr"], "{names:?}");
    for r in &rows[from..from + 3] {
        assert_eq!(r[5], "active", "{r:?}");
    }
    select(&gui, "db-primary", false).await;
    select(&gui, "edge-ewr", true).await;
    assert_eq!(gui.text_of("[data-testid=bulk-count]").await, "3 selected");
    // The boxes show it: the three rows are ticked, and only they.
    let ticked = gui
        .script(
            "return [...document.querySelectorAll('[data-testid=machine-row]')]\
           .filter(r => r.querySelector('[data-testid=select-row]').checked)\
           .map(r => r.querySelector('[data-testid=cell-name]').textContent.trim());",
        )
        .await;
    assert_eq!(ticked, serde_json::json!(picked), "{ticked}");
    gui.screenshot("bulk-01-selected").await;

    gui.click("[data-testid=bulk-power-off]").await;
    let listed = wait_until(
        "the three machines in the confirmation",
        async || texts(&gui, "[data-testid=bulk-machines] li").await,
        |l| l.len() == 3,
    )
    .await;
    for (line, name) in listed.iter().zip(&picked) {
        assert!(line.starts_with(name.as_str()), "{listed:?}");
    }
    let title = gui.text_of("#bulk-title").await;
    assert_eq!(title, "Power off 3 machines?");
    gui.screenshots_at_sizes("bulk-02-confirm").await;
    gui.click("[data-testid=bulk-confirm]").await;
    let results = wait_until(
        "a result per machine",
        async || texts(&gui, "[data-testid=bulk-result]").await,
        |r| r.len() == 3,
    )
    .await;
    assert!(results.iter().all(|r| r.starts_with('✓')), "{results:?}");
    assert_eq!(gui.text_of("#bulk-title").await, "Done");
    gui.screenshot("bulk-03-results").await;
    gui.click("[data-testid=bulk-confirm]").await;
    wait_until(
        "the three machines off",
        async || crate::table_rows(&gui).await,
        |rows| {
            picked
                .iter()
                .all(|n| rows.iter().any(|r| &r[0] == n && r[5] == "off"))
        },
    )
    .await;

    // The same selection gets a tag, then protection.
    gui.click("[data-testid=bulk-tag]").await;
    let input = gui.find("[data-testid=bulk-tags]").await;
    input.send_keys("paused").await.expect("type the tag");
    gui.click("[data-testid=bulk-confirm]").await;
    wait_until(
        "the tag on each machine",
        async || texts(&gui, "[data-testid=bulk-result]").await,
        |r| r.len() == 3 && r.iter().all(|r| r.starts_with('✓')),
    )
    .await;
    gui.click("[data-testid=bulk-confirm]").await;
    wait_until(
        "the paused tag in the table",
        async || crate::table_rows(&gui).await,
        |rows| {
            picked
                .iter()
                .all(|n| rows.iter().any(|r| &r[0] == n && r[7].contains("paused")))
        },
    )
    .await;
    gui.click("[data-testid=bulk-protect]").await;
    gui.click("[data-testid=bulk-confirm]").await;
    wait_until(
        "protection on each machine",
        async || texts(&gui, "[data-testid=bulk-result]").await,
        |r| r.len() == 3 && r.iter().all(|r| r.starts_with('✓')),
    )
    .await;
    gui.click("[data-testid=bulk-confirm]").await;

    // A snapshot of each, named after its machine.
    gui.click("[data-testid=bulk-snapshot]").await;
    gui.type_into("[data-testid=bulk-snapshot-name]", "before-upgrade")
        .await;
    gui.click("[data-testid=bulk-confirm]").await;
    wait_until(
        "a snapshot started on each machine",
        async || texts(&gui, "[data-testid=bulk-result]").await,
        |r| r.len() == 3 && r.iter().all(|r| r.starts_with('✓')),
    )
    .await;
    gui.click("[data-testid=bulk-confirm]").await;

    // Destroying the selection: the preview refuses the protected machines.
    gui.click("[data-testid=bulk-destroy]").await;
    gui.find("[data-testid=destroy-dialog][open]").await;
    let items = wait_until(
        "the destroy preview",
        async || texts(&gui, "[data-testid=destroy-item]").await,
        |i| i.len() == 3,
    )
    .await;
    assert!(
        items.iter().all(|i| i.to_lowercase().contains("protected")),
        "{items:?}"
    );
    let blocked = gui
        .script("return document.querySelector('[data-testid=destroy-confirm]').disabled;")
        .await;
    assert_eq!(blocked, serde_json::Value::Bool(true));
    gui.screenshot("bulk-04-destroy-refused").await;
    gui.click("[data-testid=destroy-cancel]").await;

    gui.close().await;
}
