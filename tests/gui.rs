//! GUI end-to-end tests against the real desktop app. They need Xvfb, tauri-driver and
//! WebKitWebDriver, and the app's debug build, so they are ignored by a plain
//! `cargo test`; `make test-e2e` (part of `make test`) runs them.

mod e2e;

use e2e::GuiSession;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn first_screen_and_about_panel_round_trip() {
    let gui = GuiSession::start().await;

    let heading = gui.text_of("main h1").await;
    assert_eq!(heading, "Welcome to Hangar");
    let title = gui.client.title().await.expect("window title");
    assert_eq!(title, "Hangar");
    gui.screenshot("01-first-screen").await;

    // The About panel's data comes from the `app_info` command through the bindings.
    gui.find("[data-testid=nav-about]")
        .await
        .click()
        .await
        .expect("open About");
    let version = gui.text_of("[data-testid=about-version]").await;
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    let platform = gui.text_of("[data-testid=about-platform]").await;
    assert!(
        platform.contains(std::env::consts::ARCH),
        "platform line `{platform}` lacks the architecture"
    );
    assert_eq!(gui.text_of("[data-testid=about-profile]").await, "debug");
    gui.screenshot("02-about").await;

    gui.close().await;
}
