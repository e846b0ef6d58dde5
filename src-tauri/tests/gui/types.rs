//! GUI flows of the Machine types screen, the Settings screen and the import from `machine`.

use std::time::{Duration, Instant};

use fantoccini::Locator;

use crate::e2e::GuiSession;

/// Waits until `css` shows text for which `ok` holds, and returns it.
async fn wait_for_text(gui: &GuiSession, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        let text = match gui.client.find(Locator::Css(css)).await {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if ok(&text) {
            return text;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "`{css}` never showed the expected text; last: `{text}`"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The texts of every element matching `css`.
async fn texts(gui: &GuiSession, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for el in gui
        .client
        .find_all(Locator::Css(css))
        .await
        .unwrap_or_default()
    {
        out.push(el.text().await.unwrap_or_default());
    }
    out
}

async fn wait_for_toast(gui: &GuiSession, ok: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        if let Some(t) = texts(gui, "[data-testid=toast]")
            .await
            .into_iter()
            .find(|t| ok(t))
        {
            return t;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no matching toast; shown: {:?}",
            texts(gui, "[data-testid=toast]").await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn settings_text(gui: &GuiSession) -> String {
    std::fs::read_to_string(gui.config_dir().join("settings.yml")).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn types_add_and_edit_a_machine_type_with_live_preview() {
    let gui = GuiSession::start().await;
    gui.click("[data-testid=nav-types]").await;
    // The demo cloud's types are listed, as the create form offers them, marked as the demo's.
    wait_for_text(&gui, "[data-testid=type-item]", |t| t.contains("web")).await;
    let items = texts(&gui, "[data-testid=type-item]").await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(
        items[0].contains("web") && items[1].contains("worker"),
        "{items:?}"
    );
    assert!(items.iter().all(|i| i.contains("demo")), "{items:?}");
    gui.find("[data-testid=type-demo-note]").await;

    // A new type: the preview follows the form.
    gui.click("[data-testid=type-new]").await;
    gui.type_into("[data-testid=type-name]", "site").await;
    gui.type_into("[data-testid=type-user]", "deploy").await;
    let preview = wait_for_text(&gui, "[data-testid=type-preview]", |t| {
        t.contains("name: deploy")
    })
    .await;
    assert!(preview.starts_with("#cloud-config"), "{preview}");
    assert!(!preview.contains("runcmd"), "{preview}");
    gui.screenshot("types-01-new").await;
    gui.click("[data-testid=type-save]").await;
    wait_for_toast(&gui, |t| t.contains("Saved machine type “site”")).await;
    wait_for_text(&gui, "[data-testid=type-item]", |t| t.contains("site")).await;
    assert!(settings_text(&gui).contains("new_user_name: deploy"));

    // Edit: another user, a setup script and list arguments; the preview changes with them.
    gui.type_into("[data-testid=type-user]", "ops").await;
    wait_for_text(&gui, "[data-testid=type-preview]", |t| {
        t.contains("name: ops")
    })
    .await;
    // An invalid user name is shown in place, by the form and by the backend's check.
    gui.type_into("[data-testid=type-user]", "Ops").await;
    wait_for_text(&gui, "[data-testid=type-user-error]", |t| {
        t.contains("lowercase")
    })
    .await;
    wait_for_text(&gui, "[data-testid=type-preview-error]", |t| {
        t.contains("not a valid user name")
    })
    .await;
    gui.screenshot("types-02-invalid").await;
    gui.type_into("[data-testid=type-user]", "ops").await;
    gui.type_into(
        "[data-testid=type-script-url]",
        "https://example.com/setup.sh",
    )
    .await;
    gui.type_into("[data-testid=type-script-dir]", "/opt/setup")
        .await;
    gui.type_into("[data-testid=type-script-path]", "/opt/setup/run.sh")
        .await;
    gui.click("[data-testid=args-mode-list]").await;
    gui.click("[data-testid=arg-add]").await;
    gui.type_into("#mt-arg-0", "--role").await;
    gui.click("[data-testid=arg-add]").await;
    gui.type_into("#mt-arg-1", "web server").await;
    let preview = wait_for_text(&gui, "[data-testid=type-preview]", |t| {
        t.contains("web server") && t.contains("name: ops")
    })
    .await;
    assert!(
        preview.contains("https://example.com/setup.sh"),
        "{preview}"
    );
    assert!(preview.contains("/opt/setup/run.sh"), "{preview}");
    // Each list item is one argument: the one with a space is quoted for the shell.
    assert!(preview.contains("'web server'"), "{preview}");
    assert!(
        gui.client
            .find_all(Locator::Css("[data-testid=type-preview-error]"))
            .await
            .unwrap_or_default()
            .is_empty()
    );
    gui.screenshot("types-03-edited-preview").await;

    gui.click("[data-testid=type-save]").await;
    wait_for_toast(&gui, |t| t.contains("Saved machine type “site”")).await;
    let saved = settings_text(&gui);
    assert!(saved.contains("new_user_name: ops"), "{saved}");
    assert!(saved.contains("web server"), "{saved}");

    // Rename: one entry under the new name.
    gui.type_into("[data-testid=type-name]", "frontend").await;
    gui.click("[data-testid=type-save]").await;
    wait_for_toast(&gui, |t| t.contains("Renamed “site” to “frontend”")).await;
    let saved = settings_text(&gui);
    assert!(
        saved.contains("frontend:") && !saved.contains("  site:"),
        "{saved}"
    );
    // The user's type beside the demo's, which stay offered.
    let items = texts(&gui, "[data-testid=type-item]").await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(
        items[0].contains("frontend") && !items[0].contains("demo"),
        "{items:?}"
    );
    assert!(
        items[1].contains("web") && items[1].contains("demo"),
        "{items:?}"
    );
    gui.screenshot("types-04-renamed").await;

    gui.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn settings_session_theme_and_demo_cloud_restore() {
    let gui = GuiSession::start().await;
    gui.click("[data-testid=nav-about]").await;
    let keychain = gui.text_of("[data-testid=settings-keychain]").await;
    assert_eq!(keychain, "Secret Service (GNOME Keyring / KWallet)");
    let path = gui.text_of("[data-testid=settings-path]").await;
    assert!(path.ends_with("settings.yml"), "{path}");
    assert_eq!(
        gui.text_of("[data-testid=about-version]").await,
        env!("CARGO_PKG_VERSION")
    );
    gui.screenshot("settings-01").await;

    // Session id: refused when invalid, a warning before changing it, saved when valid.
    gui.type_into("[data-testid=session-id]", "demo0001").await;
    wait_for_text(&gui, "[data-testid=session-error]", |t| {
        t.contains("8 lowercase hex")
    })
    .await;
    // The demo cloud has no session id of its own in the settings: a first one is set.
    gui.type_into("[data-testid=session-id]", "0badcafe").await;
    wait_for_text(&gui, "[data-testid=session-warning]", |t| {
        t.contains("No session id yet")
    })
    .await;
    gui.click("[data-testid=session-save]").await;
    wait_for_toast(&gui, |t| t.contains("Session id changed to 0badcafe")).await;
    assert!(settings_text(&gui).contains("session_id: 0badcafe"));
    // Changing it again warns about the machines of the old one.
    gui.type_into("[data-testid=session-id]", "0badf00d").await;
    wait_for_text(&gui, "[data-testid=session-warning]", |t| {
        t.contains("(0badcafe) will no longer count as this session")
    })
    .await;
    gui.screenshot("settings-02-session-warning").await;
    gui.click("[data-testid=session-save]").await;
    wait_for_toast(&gui, |t| t.contains("Session id changed to 0badf00d")).await;
    assert!(settings_text(&gui).contains("session_id: 0badf00d"));

    // Theme: dark overrides the OS at once and is saved.
    gui.click("[data-testid=theme-dark]").await;
    wait_for_toast(&gui, |t| t.contains("Theme: Dark")).await;
    let theme = gui
        .client
        .execute(
            "return document.documentElement.dataset.theme || ''",
            vec![],
        )
        .await
        .expect("read data-theme");
    assert_eq!(theme.as_str(), Some("dark"));
    assert!(settings_text(&gui).contains("theme: dark"));
    gui.screenshot("settings-03-dark").await;

    // Removing a demo account hides the demo cloud; Settings brings it back.
    gui.click("[data-testid=nav-accounts]").await;
    wait_for_text(&gui, "[data-testid=account-key]", |t| {
        t.contains("Simulated")
    })
    .await;
    gui.click("[data-testid=remove-account]").await;
    gui.click("[data-testid=confirm-remove]").await;
    wait_for_text(&gui, "[data-testid=accounts-notice]", |t| {
        t.contains("demo cloud is hidden")
    })
    .await;
    let started = Instant::now();
    while !texts(&gui, "[data-testid=account-row]").await.is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "demo rows stay"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    gui.click("[data-testid=nav-about]").await;
    gui.click("[data-testid=demo-restore]").await;
    wait_for_toast(&gui, |t| t.contains("The demo cloud is back")).await;
    gui.screenshot("settings-04-demo-restored").await;
    gui.click("[data-testid=nav-accounts]").await;
    let started = Instant::now();
    loop {
        let rows = texts(&gui, "[data-testid=account-row]").await;
        if rows.len() == 3 {
            assert!(rows.iter().all(|r| r.contains("Simulated")), "{rows:?}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "demo accounts not back: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The demo machines answer their cloud-init check through the emulator.
    gui.click("[data-testid=nav-machines]").await;
    gui.find("[data-testid=machine-row]").await;

    gui.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn import_a_machine_config_into_accounts_types_and_keychain() {
    let token = "dop_v1_imported_from_machine_0123456789abcdef";
    let home = tempfile::tempdir().expect("temp home");
    let machine_dir = home.path().join(".config/machine");
    std::fs::create_dir_all(&machine_dir).unwrap();
    let config = machine_dir.join("config.yml");
    std::fs::write(
        &config,
        format!(
            "provider: digital-ocean\n\
             digital-ocean:\n  access-token: {token}\n  base-url: http://127.0.0.1:9\n  \
             ssh-key: laptop\n  region: nyc3\n  machine-size: s-1vcpu-1gb\n  image: ubuntu-24-04-x64\n\
             machines:\n  web:\n    new-user-name: deploy\n  \
             bad:\n    new-user-name: Root\n"
        ),
    )
    .unwrap();
    std::fs::write(machine_dir.join("session-id.yml"), "id: 5eed1234\n").unwrap();
    let home_path = home.path().to_str().unwrap().to_owned();
    let gui = GuiSession::start_with_env(&[("HOME", &home_path)]).await;

    gui.click("[data-testid=nav-accounts]").await;
    // The core found the config in its usual place.
    let started = Instant::now();
    loop {
        let value = gui
            .find("[data-testid=import-path]")
            .await
            .prop("value")
            .await
            .expect("path value")
            .unwrap_or_default();
        if value == config.display().to_string() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "path not prefilled: `{value}`"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    gui.screenshot("import-01-form").await;
    gui.click("[data-testid=import-run]").await;
    let account = wait_for_text(&gui, "[data-testid=import-account]", |t| !t.is_empty()).await;
    assert!(account.contains("DigitalOcean (from machine)"), "{account}");
    assert!(account.contains("token in the keychain"), "{account}");
    assert_eq!(
        texts(&gui, "[data-testid=import-type]").await,
        ["Machine type “web”"]
    );
    assert!(
        gui.text_of("[data-testid=import-session]")
            .await
            .contains("5eed1234")
    );
    let skipped = texts(&gui, "[data-testid=import-skipped]").await;
    assert!(
        skipped.iter().any(|s| s.contains("bad")),
        "the invalid type is reported as skipped: {skipped:?}"
    );
    wait_for_toast(&gui, |t| t.starts_with("Imported 1 account")).await;
    // The imported account replaces the demo ones in the list; its token is in the keychain.
    let key = wait_for_text(&gui, "[data-testid=account-key]", |t| {
        t.contains("Stored in")
    })
    .await;
    assert!(key.ends_with(&token[token.len() - 4..]), "{key}");
    let rows = texts(&gui, "[data-testid=account-row]").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("DigitalOcean (from machine)"), "{rows:?}");
    gui.screenshot("import-02-report").await;

    let lookup = std::process::Command::new("secret-tool")
        .args(["lookup", "service", "app.hangar.desktop"])
        .output()
        .expect("run secret-tool (apt-get install libsecret-tools)");
    assert!(lookup.status.success(), "secret-tool lookup: {lookup:?}");
    assert_eq!(String::from_utf8_lossy(&lookup.stdout).trim(), token);
    let settings = settings_text(&gui);
    assert!(!settings.contains(token), "the settings hold the token");
    assert!(settings.contains("session_id: 5eed1234"), "{settings}");

    // The imported type is on the Machine types screen.
    gui.click("[data-testid=nav-types]").await;
    let item = wait_for_text(&gui, "[data-testid=type-item]", |t| !t.is_empty()).await;
    assert!(item.contains("web") && item.contains("deploy"), "{item}");
    wait_for_text(&gui, "[data-testid=type-preview]", |t| {
        t.contains("name: deploy")
    })
    .await;
    gui.screenshot("import-03-types").await;

    // Edit the imported account: another name, an API URL and a new token, which replaces
    // the old one in the keychain.
    gui.click("[data-testid=nav-accounts]").await;
    gui.click("[data-testid=edit-account]").await;
    gui.type_into("#edit-acc-label", "Ocean").await;
    gui.type_into("#edit-acc-url", "http://127.0.0.1:9/v2")
        .await;
    let replaced = "dop_v1_replaced4444444444444444444444444444444444444444444444444444eeee";
    gui.type_into("#edit-acc-token", replaced).await;
    gui.screenshot("accounts-01-edit").await;
    gui.click("[data-testid=edit-account-form] [data-testid=save-account]")
        .await;
    wait_for_text(&gui, "[data-testid=accounts-notice]", |t| {
        t.contains("Saved “Ocean”")
    })
    .await;
    // The list reloads after the notice: wait for the new URL, not for the old one.
    wait_for_text(&gui, "[data-testid=account-url]", |t| {
        t == "API: http://127.0.0.1:9/v2"
    })
    .await;
    let lookup = std::process::Command::new("secret-tool")
        .args(["lookup", "service", "app.hangar.desktop"])
        .output()
        .expect("run secret-tool");
    assert_eq!(String::from_utf8_lossy(&lookup.stdout).trim(), replaced);
    assert!(
        !settings_text(&gui).contains(replaced),
        "the settings hold the token"
    );

    // Removing it offers the machine type its import added.
    gui.click("[data-testid=remove-account]").await;
    let question = gui.text_of("[data-testid=remove-dialog]").await;
    assert!(
        question.contains("machine types its import added: web"),
        "{question}"
    );
    gui.click("[data-testid=remove-with-types]").await;
    gui.screenshot("accounts-02-remove-with-types").await;
    gui.click("[data-testid=confirm-remove]").await;
    wait_for_text(&gui, "[data-testid=accounts-notice]", |t| {
        t.contains("the machine types web")
    })
    .await;
    let left = settings_text(&gui);
    assert!(!left.contains("new_user_name"), "{left}");

    gui.close().await;
}
