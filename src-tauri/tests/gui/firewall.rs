//! GUI flows of SSH access on the demo cloud: the dialog shows the address the demo's "what
//! is my IP" service answers and DigitalOcean's note, grants SSH for two hours, lists the grant
//! with its time left, and revokes it; and a one-minute grant on Vultr is removed by the app's
//! sweep once it expires.

use std::time::Duration;

use crate::actions::{texts, wait_until};
use crate::detail::open_detail;
use crate::e2e::GuiSession;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn ssh_access_is_granted_listed_and_revoked() {
    let gui = GuiSession::start().await;
    open_detail(&gui, "web-1").await;
    gui.click("[data-testid=detail-firewall]").await;

    let address = wait_until(
        "the detected address",
        async || texts(&gui, "[data-testid=firewall-address]").await,
        |t| t.first().is_some_and(|a| a.contains("203.0.113.254")),
    )
    .await;
    assert!(address[0].contains("/my-ip"), "{address:?}");
    let note = gui.text_of("[data-testid=firewall-note]").await;
    assert!(note.contains("drops all inbound traffic"), "{note}");
    gui.find("[data-testid=firewall-none]").await;
    gui.screenshots_at_sizes("firewall-dialog").await;

    let select = gui.find("[data-testid=firewall-duration]").await;
    select
        .select_by_value("120")
        .await
        .expect("choose two hours");
    gui.click("[data-testid=firewall-allow]").await;
    let left = wait_until(
        "the new grant",
        async || texts(&gui, "[data-testid=firewall-left]").await,
        |t| t.len() == 1,
    )
    .await;
    assert!(
        left[0].starts_with("1h 59m") || left[0].starts_with("2h 00m"),
        "{left:?}"
    );
    let grant = gui.text_of("[data-testid=firewall-grant]").await;
    assert!(grant.contains("203.0.113.254/32"), "{grant}");
    gui.screenshot("firewall-granted").await;

    gui.click("[data-testid=firewall-revoke]").await;
    wait_until(
        "the grant revoked",
        async || texts(&gui, "[data-testid=firewall-none]").await,
        |t| t.len() == 1,
    )
    .await;
    gui.click("[data-testid=firewall-close]").await;
    let activity = wait_until(
        "the activity",
        async || texts(&gui, "[data-testid=detail-activity-entry]").await,
        |t| t.iter().any(|e| e.contains("revoked")),
    )
    .await;
    assert!(
        activity
            .iter()
            .any(|e| e.contains("allowed from 203.0.113.254/32")),
        "{activity:?}"
    );
    gui.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn a_one_minute_grant_is_removed_when_it_expires() {
    // The app sweeps every 2 s instead of 30 s, so the grant goes soon after its minute.
    let gui = GuiSession::start_with_env(&[("HANGAR_FIREWALL_SWEEP_SECS", "2")]).await;
    open_detail(&gui, "edge-ams").await;
    gui.click("[data-testid=detail-firewall]").await;
    gui.find("[data-testid=firewall-none]").await;
    gui.find("[data-testid=firewall-duration]")
        .await
        .select_by_value("1")
        .await
        .expect("choose one minute");
    gui.click("[data-testid=firewall-allow]").await;
    let granted = std::time::Instant::now();
    let left = wait_until(
        "the one-minute grant",
        async || texts(&gui, "[data-testid=firewall-left]").await,
        |t| t.len() == 1,
    )
    .await;
    assert!(
        left[0].starts_with("0m 5") || left[0].starts_with("1m 00s"),
        "{left:?}"
    );
    gui.click("[data-testid=firewall-close]").await;

    // After the minute and a sweep, the provider has no grant left: the dialog, opened
    // again, reads it from the (emulated) Vultr firewall groups.
    tokio::time::sleep(Duration::from_secs(64).saturating_sub(granted.elapsed())).await;
    let started = std::time::Instant::now();
    loop {
        gui.click("[data-testid=detail-firewall]").await;
        tokio::time::sleep(Duration::from_millis(800)).await;
        if !texts(&gui, "[data-testid=firewall-none]").await.is_empty() {
            break;
        }
        let grants = texts(&gui, "[data-testid=firewall-grant]").await;
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the expired grant is still there: {grants:?}"
        );
        gui.click("[data-testid=firewall-close]").await;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    gui.screenshot("firewall-expired-removed").await;
    gui.close().await;
}
