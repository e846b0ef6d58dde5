//! GUI flow of resize and rebuild on the demo cloud: the plans with the price difference, the
//! power-off agreement a DigitalOcean resize needs, the irreversible-disk warning, the resize
//! with its progress; then a rebuild that waits for the machine's name typed out.

use crate::actions::{slowly, texts, wait_until};
use crate::detail::open_detail;
use crate::e2e::GuiSession;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn resize_with_the_price_difference_and_rebuild_with_the_name_typed() {
    let gui = GuiSession::start().await;
    open_detail(&gui, "web-2").await;
    assert_eq!(
        gui.text_of("[data-testid=detail-plan]").await,
        "s-1vcpu-1gb"
    );
    let ip = gui.text_of("[data-testid=detail-ipv4]").await;

    // The plans of nyc3, each with its price difference; the smaller disk is refused.
    gui.click("[data-testid=detail-resize]").await;
    let options = wait_until(
        "the plans",
        async || texts(&gui, "[data-testid=resize-option]").await,
        |o| o.len() >= 3,
    )
    .await;
    assert!(
        options
            .iter()
            .any(|o| o.starts_with("s-1vcpu-2gb") && o.contains("+$6.00/month")),
        "{options:?}"
    );
    assert!(
        options
            .iter()
            .any(|o| o.starts_with("s-1vcpu-512mb-10gb") && o.contains("a disk never shrinks")),
        "{options:?}"
    );
    assert!(
        gui.is_disabled("[data-testid=resize-option-s-1vcpu-512mb-10gb]")
            .await
    );

    // DigitalOcean resizes a Droplet that is off: the confirm waits for the agreement.
    gui.click("[data-testid=resize-option-s-1vcpu-2gb]").await;
    assert!(gui.is_disabled("[data-testid=resize-confirm]").await);
    gui.click("[data-testid=resize-grow-disk]").await;
    let warning = gui.text_of("[data-testid=resize-irreversible]").await;
    assert!(warning.contains("cannot be undone"), "{warning}");
    gui.click("[data-testid=resize-power-off]").await;
    assert!(!gui.is_disabled("[data-testid=resize-confirm]").await);
    gui.screenshots_at_sizes("resize-01-dialog").await;
    gui.click("[data-testid=resize-confirm]").await;
    wait_until(
        "the progress",
        async || texts(&gui, "[data-testid=resize-progress]").await,
        |t| {
            t.first()
                .is_some_and(|s| s.contains("Resizing from s-1vcpu-1gb"))
        },
    )
    .await;
    // The demo's actions take its IP delay (longer than `wait_until`'s 30 s with the power
    // off and on around it).
    let plan = slowly(&gui, "[data-testid=detail-plan]", |t| {
        t.first().is_some_and(|p| p == "s-1vcpu-2gb")
    })
    .await;
    assert_eq!(plan.first().map(String::as_str), Some("s-1vcpu-2gb"));
    let activity = texts(&gui, "[data-testid=detail-activity-entry]").await;
    assert!(
        activity
            .iter()
            .any(|a| a.contains("Resized web-2 from s-1vcpu-1gb to s-1vcpu-2gb")),
        "{activity:?}"
    );
    assert_eq!(gui.text_of("[data-testid=detail-status]").await, "active");

    // Rebuild: erases the disk, so the confirm waits for the name typed out.
    gui.dismiss_toasts().await;
    gui.click("[data-testid=detail-rebuild]").await;
    let warning = gui.text_of("[data-testid=rebuild-warning]").await;
    assert!(
        warning.contains("erases everything on the disk") && warning.contains(&ip),
        "{warning}"
    );
    gui.type_into("[data-testid=rebuild-typed]", "web-").await;
    assert!(gui.is_disabled("[data-testid=rebuild-confirm]").await);
    gui.type_into("[data-testid=rebuild-typed]", "web-2").await;
    gui.screenshot("resize-02-rebuild-dialog").await;
    gui.click("[data-testid=rebuild-confirm]").await;
    let rebuilt = slowly(&gui, "[data-testid=detail-activity-entry]", |t| {
        t.iter().any(|a| a.contains("Rebuilt web-2"))
    })
    .await;
    assert!(
        rebuilt
            .iter()
            .any(|a| a.contains("Rebuilt web-2") && a.contains("kept its IP address")),
        "{rebuilt:?}"
    );
    assert_eq!(gui.text_of("[data-testid=detail-ipv4]").await, ip);
    gui.close().await;
}
