//! GUI flow of snapshots on the demo cloud: take a snapshot of a machine from its detail view
//! (with its progress until it is available), create a new machine from it with the Create
//! form's image source "Snapshot", then delete the snapshot after its confirmation.

use crate::actions::{slowly, texts, wait_until};
use crate::detail::open_detail;
use crate::e2e::GuiSession;

/// The value of the form control matching `css` ("" when there is none).
async fn value_of(gui: &GuiSession, css: &str) -> String {
    gui.client
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.value : '';",
            vec![css.into()],
        )
        .await
        .expect("read the value")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn snapshot_a_machine_create_from_it_and_delete_it() {
    let gui = GuiSession::start().await;
    open_detail(&gui, "web-1").await;
    gui.find("[data-testid=snapshots-panel]").await;
    gui.find("[data-testid=snapshot-name]").await;

    // Take one, with a name; the panel says how it goes until it is listed, available.
    gui.type_into("[data-testid=snapshot-name]", "e2e-snap")
        .await;
    gui.click("[data-testid=snapshot-take]").await;
    wait_until(
        "the snapshot's progress",
        async || texts(&gui, "[data-testid=snapshot-progress]").await,
        |t| t.first().is_some_and(|s| s.contains("Taking snapshot")),
    )
    .await;
    let rows = slowly(&gui, "[data-testid=snapshot-row]", |r| {
        r.iter().any(|r| r.contains("e2e-snap"))
    })
    .await;
    let row = rows
        .iter()
        .find(|r| r.contains("e2e-snap"))
        .unwrap_or_else(|| panic!("no snapshot row: {rows:?}"));
    assert!(row.contains("available") && row.contains("nyc3"), "{row}");
    let activity = texts(&gui, "[data-testid=detail-activity-entry]").await;
    assert!(
        activity
            .iter()
            .any(|a| a.contains("Snapshot e2e-snap of web-1 is available")),
        "{activity:?}"
    );
    gui.dismiss_toasts().await;
    gui.script(
        "document.querySelector('[data-testid=detail-snapshots]').scrollIntoView({ block: 'center' });",
    )
    .await;
    gui.screenshots_at_sizes("snapshots-01-panel").await;

    // Create a machine from it: the Create form's image source "Snapshot".
    gui.click("[data-testid=nav-create]").await;
    wait_until(
        "the default region",
        async || value_of(&gui, "[data-testid=create-region]").await,
        |v| v == "nyc3",
    )
    .await;
    gui.type_into("[data-testid=create-name]", "e2e-from-snap")
        .await;
    gui.click("[data-testid=create-source-snapshot]").await;
    let picked = wait_until(
        "the snapshot to be offered",
        async || {
            texts(&gui, "[data-testid=create-snapshot] option:checked")
                .await
                .join(" ")
        },
        |t| t.contains("e2e-snap"),
    )
    .await;
    assert!(picked.contains("from "), "{picked}");
    gui.screenshot("snapshots-02-create-from-snapshot").await;
    let submit = gui.find("[data-testid=create-submit]").await;
    wait_until(
        "submit to be enabled",
        async || submit.is_enabled().await.unwrap_or(false),
        |on| *on,
    )
    .await;
    submit.click().await.expect("submit");
    let done = slowly(&gui, "[data-testid=create-view-machines]", |t| {
        !t.is_empty()
    })
    .await;
    assert!(!done.is_empty(), "the create never finished");
    gui.click("[data-testid=create-view-machines]").await;
    wait_until(
        "the new machine in the table",
        async || texts(&gui, "[data-testid=cell-name]").await,
        |names| names.iter().any(|n| n == "e2e-from-snap"),
    )
    .await;

    // Delete the snapshot: only after the confirmation.
    open_detail(&gui, "web-1").await;
    gui.find("[data-testid=snapshot-delete]").await;
    gui.dismiss_toasts().await;
    gui.click("[data-testid=snapshot-delete]").await;
    let dialog = gui.text_of("[data-testid=snapshot-delete-dialog]").await;
    assert!(
        dialog.contains("e2e-snap") && dialog.contains("deleted for good"),
        "{dialog}"
    );
    gui.screenshot("snapshots-03-delete-dialog").await;
    gui.click("[data-testid=snapshot-delete-confirm]").await;
    wait_until(
        "the snapshot to be gone",
        async || texts(&gui, "[data-testid=snapshots-none]").await,
        |t| !t.is_empty(),
    )
    .await;
    gui.close().await;
}
