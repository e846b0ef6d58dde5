//! The Create machine screen on the demo cloud: region-dependent plans, the name checked as
//! typed, the cloud-config preview, the progress timeline up to the last step the demo cloud
//! can confirm, and the new machine in the Machines table.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::e2e::GuiSession;

/// The values of the options of the `<select>` matching `css`.
pub(crate) async fn option_values(gui: &GuiSession, css: &str) -> Vec<String> {
    let v = gui
        .client
        .execute(
            "const s = document.querySelector(arguments[0]); \
             return s ? [...s.options].map(o => o.value) : [];",
            vec![json!(css)],
        )
        .await
        .expect("read the options");
    serde_json::from_value(v).expect("option values")
}

/// The current value of the form control matching `css`.
pub(crate) async fn value_of(gui: &GuiSession, css: &str) -> String {
    let v = gui
        .client
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.value : null;",
            vec![json!(css)],
        )
        .await
        .expect("read the value");
    v.as_str().unwrap_or_default().to_owned()
}

/// Picks `value` in the `<select>` matching `css` the way a user's choice arrives: the value
/// changes, then `change` fires.
pub(crate) async fn choose(gui: &GuiSession, css: &str, value: &str) {
    gui.find(css).await;
    gui.client
        .execute(
            "const s = document.querySelector(arguments[0]); s.value = arguments[1]; \
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![json!(css), json!(value)],
        )
        .await
        .expect("choose an option");
    assert_eq!(
        value_of(gui, css).await,
        value,
        "{css} did not take {value}"
    );
}

/// Waits until `read` returns a value for which `ok` holds.
pub(crate) async fn wait_until<T: std::fmt::Debug, F: std::future::Future<Output = T>>(
    what: &str,
    timeout: Duration,
    read: impl Fn() -> F,
    ok: impl Fn(&T) -> bool,
) -> T {
    let started = Instant::now();
    loop {
        let v = read().await;
        if ok(&v) {
            return v;
        }
        assert!(
            started.elapsed() < timeout,
            "timed out waiting for {what}; last: {v:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The `data-state` of a timeline step.
pub(crate) async fn step_state(gui: &GuiSession, step: &str) -> String {
    let v = gui
        .client
        .execute(
            "const e = document.querySelector(`[data-testid=step-${arguments[0]}]`); \
             return e ? e.dataset.state + ' | ' + e.textContent.replace(/\\s+/g, ' ').trim() : '';",
            vec![json!(step)],
        )
        .await
        .expect("read a step");
    v.as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn create_machine_on_demo_cloud() {
    let gui = GuiSession::start().await;
    gui.find("[data-testid=nav-create]")
        .await
        .click()
        .await
        .expect("open Create machine");
    assert_eq!(gui.text_of("main h1").await, "Create machine");

    // The demo account's defaults are preselected once its catalogs arrive.
    wait_until(
        "the default region",
        Duration::from_secs(20),
        || value_of(&gui, "[data-testid=create-region]"),
        |v| v == "nyc3",
    )
    .await;
    assert_eq!(
        value_of(&gui, "[data-testid=create-plan]").await,
        "s-1vcpu-1gb"
    );
    assert_eq!(
        value_of(&gui, "[data-testid=create-image]").await,
        "ubuntu-24-04-x64"
    );
    let region_text = gui
        .text_of("[data-testid=create-region] option[value=nyc3]")
        .await;
    assert_eq!(region_text, "New York 3 (nyc3)");
    gui.screenshot("create-01-form").await;

    // The plan list follows the region: the smallest plan is not offered in London.
    let nyc = option_values(&gui, "[data-testid=create-plan]").await;
    assert!(nyc.contains(&"s-1vcpu-512mb-10gb".to_owned()), "{nyc:?}");
    choose(&gui, "[data-testid=create-region]", "lon1").await;
    let lon = wait_until(
        "the London plans",
        Duration::from_secs(5),
        || option_values(&gui, "[data-testid=create-plan]"),
        |v| !v.contains(&"s-1vcpu-512mb-10gb".to_owned()),
    )
    .await;
    assert!(lon.contains(&"s-1vcpu-2gb".to_owned()), "{lon:?}");
    assert_eq!(lon.len(), nyc.len() - 1, "nyc3 {nyc:?} lon1 {lon:?}");
    choose(&gui, "[data-testid=create-plan]", "s-1vcpu-2gb").await;

    // The name is checked as it is typed.
    let name = gui.find("[data-testid=create-name]").await;
    name.send_keys("e2e_web").await.expect("type a bad name");
    let why = gui.text_of("[data-testid=create-name-error]").await;
    assert!(why.contains("not a valid hostname"), "{why}");
    let submit = gui.find("[data-testid=create-submit]").await;
    assert!(
        !submit.is_enabled().await.expect("submit state"),
        "submit enabled with an invalid name"
    );
    gui.screenshot("create-02-invalid-name").await;
    name.clear().await.expect("clear the name");
    name.send_keys("e2e-web").await.expect("type a good name");
    wait_until(
        "the name error to go",
        Duration::from_secs(5),
        || async {
            gui.client
                .find_all(fantoccini::Locator::Css("[data-testid=create-name-error]"))
                .await
                .map(|v| v.len())
                .unwrap_or(1)
        },
        |n| *n == 0,
    )
    .await;

    // Type, DNS and the FQDN; the cloud-config preview carries the type's user and the key.
    choose(&gui, "[data-testid=create-type]", "web").await;
    let fqdn = gui.text_of("[data-testid=create-fqdn]").await;
    assert!(fqdn.contains("e2e-web.example.com"), "{fqdn}");
    gui.find("[data-testid=create-tag]")
        .await
        .send_keys("e2e")
        .await
        .expect("type a tag");
    gui.find("[data-testid=create-preview] summary")
        .await
        .click()
        .await
        .expect("open the preview");
    let preview = gui.text_of("[data-testid=create-preview-text]").await;
    assert!(preview.starts_with("#cloud-config"), "{preview}");
    assert!(preview.contains("hangar-demo"), "{preview}");
    assert!(preview.contains("MACHINE_FQDN"), "{preview}");
    gui.screenshot("create-03-preview").await;

    // Submit: created → IP → DNS record, streamed as they happen.
    assert!(submit.is_enabled().await.expect("submit state"));
    submit.click().await.expect("submit");
    wait_until(
        "the submit button to be disabled",
        Duration::from_secs(5),
        || async {
            gui.find("[data-testid=create-submit]")
                .await
                .is_enabled()
                .await
                .unwrap_or(true)
        },
        |enabled| !enabled,
    )
    .await;
    let created = wait_until(
        "the machine to be created",
        Duration::from_secs(20),
        || step_state(&gui, "created"),
        |s| s.starts_with("done"),
    )
    .await;
    assert!(created.contains("e2e-web"), "{created}");
    gui.screenshot("create-04-waiting-for-ip").await;
    let ip_step = wait_until(
        "the IP",
        Duration::from_secs(60),
        || step_state(&gui, "ip"),
        |s| s.starts_with("done") || s.starts_with("failed"),
    )
    .await;
    assert!(ip_step.starts_with("done"), "{ip_step}");
    let dns = wait_until(
        "the DNS record",
        Duration::from_secs(20),
        || step_state(&gui, "dns"),
        |s| s.starts_with("done") || s.starts_with("failed"),
    )
    .await;
    assert!(dns.contains("e2e-web.example.com"), "{dns}");
    assert!(dns.starts_with("done"), "{dns}");

    // cloud-init: done only when the machine's status check says so. The demo cloud answers
    // that check (through its status proxy): `running` at first, `done` a few seconds later.
    let cloud_init = wait_until(
        "cloud-init to report done",
        Duration::from_secs(60),
        || step_state(&gui, "cloudInit"),
        |s| s.starts_with("done") || s.starts_with("failed"),
    )
    .await;
    assert!(cloud_init.starts_with("done"), "{cloud_init}");
    gui.screenshot("create-05-cloud-init-done").await;
    // The create was complete: nothing to clean up, and the form is usable again.
    gui.find("[data-testid=create-view-machines]").await;
    let cleanup = gui
        .client
        .find_all(fantoccini::Locator::Css("[data-testid=create-cleanup]"))
        .await
        .expect("look for clean-up");
    assert!(
        cleanup.is_empty(),
        "clean-up offered after a complete create"
    );
    gui.screenshot("create-06-done").await;

    // The new machine is in the Machines table with its IP, region, plan and type.
    gui.find("[data-testid=create-view-machines]")
        .await
        .click()
        .await
        .expect("View in Machines");
    let rows = crate::wait_for_rows(&gui, "the new machine", Duration::from_secs(30), |rows| {
        rows.iter().any(|r| r[0] == "e2e-web")
    })
    .await;
    let row = rows
        .iter()
        .find(|r| r[0] == "e2e-web")
        .expect("e2e-web row");
    let ip = ip_step
        .split_whitespace()
        .find(|w| w.parse::<std::net::Ipv4Addr>().is_ok())
        .expect("an IP in the IP step");
    assert_eq!(row[4], ip, "{row:?}");
    assert!(crate::is_documentation_ipv4(&row[4]), "{row:?}");
    assert_eq!(row[2], "lon1", "{row:?}");
    assert_eq!(row[3], "s-1vcpu-2gb", "{row:?}");
    assert_eq!(row[6], "web", "{row:?}");
    assert!(row[7].contains("e2e"), "{row:?}");
    gui.screenshot("create-07-in-machines").await;

    gui.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn create_cancelled_after_the_machine_exists_is_cleaned_up() {
    let gui = GuiSession::start().await;
    gui.find("[data-testid=nav-create]")
        .await
        .click()
        .await
        .expect("open Create machine");
    wait_until(
        "the default region",
        Duration::from_secs(20),
        || value_of(&gui, "[data-testid=create-region]"),
        |v| v == "nyc3",
    )
    .await;
    gui.find("[data-testid=create-name]")
        .await
        .send_keys("e2e-cancel")
        .await
        .expect("type a name");
    let submit = gui.find("[data-testid=create-submit]").await;
    wait_until(
        "submit to be enabled",
        Duration::from_secs(5),
        || async { submit.is_enabled().await.unwrap_or(false) },
        |on| *on,
    )
    .await;
    submit.click().await.expect("submit");

    // Cancel while the machine waits for its IP: it exists, nothing else does.
    wait_until(
        "the machine to be created",
        Duration::from_secs(20),
        || step_state(&gui, "created"),
        |s| s.starts_with("done"),
    )
    .await;
    let cancel = gui.find("[data-testid=create-cancel]").await;
    assert_eq!(cancel.text().await.unwrap_or_default(), "Cancel");
    cancel.click().await.expect("cancel");
    let ip = wait_until(
        "the IP step to be cancelled",
        Duration::from_secs(20),
        || step_state(&gui, "ip"),
        |s| s.starts_with("cancelled") || s.starts_with("done"),
    )
    .await;
    assert!(ip.starts_with("cancelled"), "{ip}");
    assert!(step_state(&gui, "dns").await.starts_with("cancelled"));
    let exists = gui.text_of("[data-testid=create-exists]").await;
    assert!(exists.contains("e2e-cancel"), "{exists}");
    assert!(exists.contains("IP: none yet"), "{exists}");
    assert!(exists.contains("DNS record: none"), "{exists}");
    gui.screenshot("create-08-cancelled").await;

    // Clean up destroys it, and says so.
    gui.find("[data-testid=create-cleanup]")
        .await
        .click()
        .await
        .expect("clean up");
    let cleaned = gui.text_of("[data-testid=create-cleaned]").await;
    assert!(cleaned.contains("Destroyed e2e-cancel"), "{cleaned}");
    gui.screenshot("create-09-cleaned-up").await;

    gui.find("[data-testid=nav-machines]")
        .await
        .click()
        .await
        .expect("open Machines");
    let rows = crate::wait_for_rows(&gui, "the demo fleet", Duration::from_secs(30), |rows| {
        rows.len() == crate::DEMO_MACHINES
    })
    .await;
    assert!(rows.iter().all(|r| r[0] != "e2e-cancel"), "{rows:#?}");
    gui.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver, a Secret Service and the app build: run `make test-e2e`"]
async fn account_defaults_preselect_the_create_form() {
    use hangar_emulator::{EmulatedProvider, Emulator, EmulatorConfig, Seed};

    let emulator = Emulator::start(EmulatorConfig {
        seed: Seed::builtin(),
        ..EmulatorConfig::default()
    })
    .await
    .expect("start the emulator");
    let gui = GuiSession::start_with_env(&[]).await;

    // A configured account, served by the emulator.
    gui.find("[data-testid=nav-accounts]")
        .await
        .click()
        .await
        .expect("open Accounts");
    gui.type_into("[data-testid=account-label]", "Work DO")
        .await;
    gui.type_into(
        "[data-testid=account-base-url]",
        &emulator.digitalocean_base_url(),
    )
    .await;
    gui.type_into(
        "[data-testid=account-token]",
        &emulator.token(EmulatedProvider::DigitalOcean),
    )
    .await;
    gui.find("[data-testid=save-account]")
        .await
        .click()
        .await
        .expect("save the account");
    let notice = gui.text_of("[data-testid=accounts-notice]").await;
    assert!(notice.contains("Added “Work DO”"), "{notice}");

    // Its defaults, picked from its live catalogs.
    gui.find("[data-testid=edit-defaults]")
        .await
        .click()
        .await
        .expect("open the defaults");
    wait_until(
        "the account's regions",
        Duration::from_secs(20),
        || option_values(&gui, "[data-testid=defaults-region]"),
        |v| v.contains(&"fra1".to_owned()),
    )
    .await;
    choose(&gui, "[data-testid=defaults-region]", "fra1").await;
    choose(&gui, "[data-testid=defaults-plan]", "s-2vcpu-2gb").await;
    choose(&gui, "[data-testid=defaults-image]", "debian-12-x64").await;
    gui.find("[data-testid=defaults-key-hangar-demo]")
        .await
        .click()
        .await
        .expect("pick the key");
    choose(&gui, "[data-testid=defaults-zone]", "example.com").await;
    gui.screenshot("create-10-account-defaults").await;
    gui.find("[data-testid=defaults-save]")
        .await
        .click()
        .await
        .expect("save the defaults");
    let toast = gui.text_of("[data-testid=toast]").await;
    assert!(toast.contains("Saved the defaults of “Work DO”"), "{toast}");
    let saved = hangar::settings::SettingsFile::in_dir(gui.config_dir())
        .load_raw()
        .expect("the settings file");
    let account = &saved.accounts[0];
    assert_eq!(account.label, "Work DO");
    let saved = format!("{:?}", account.defaults);
    for value in [
        "fra1",
        "s-2vcpu-2gb",
        "debian-12-x64",
        "hangar-demo",
        "example.com",
    ] {
        assert!(
            saved.contains(value),
            "{value} not in the settings:\n{saved}"
        );
    }

    // The Create machine form preselects them.
    gui.find("[data-testid=nav-create]")
        .await
        .click()
        .await
        .expect("open Create machine");
    wait_until(
        "the default region",
        Duration::from_secs(20),
        || value_of(&gui, "[data-testid=create-region]"),
        |v| v == "fra1",
    )
    .await;
    assert_eq!(
        value_of(&gui, "[data-testid=create-plan]").await,
        "s-2vcpu-2gb"
    );
    assert_eq!(
        value_of(&gui, "[data-testid=create-image]").await,
        "debian-12-x64"
    );
    let checked = gui
        .client
        .execute(
            "return [document.querySelector('[data-testid=create-key-hangar-demo]').checked, \
                     document.querySelector('[data-testid=create-dns]').checked];",
            vec![],
        )
        .await
        .expect("read the checkboxes");
    assert_eq!(checked, json!([true, true]));
    assert_eq!(
        value_of(&gui, "[data-testid=create-zone]").await,
        "example.com"
    );
    gui.screenshot("create-11-defaults-preselected").await;
    gui.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn a_duplicate_name_needs_acknowledging_before_a_second_machine_is_made() {
    let gui = GuiSession::start().await;
    gui.find("[data-testid=nav-create]")
        .await
        .click()
        .await
        .expect("open Create machine");
    wait_until(
        "the default region",
        Duration::from_secs(20),
        || value_of(&gui, "[data-testid=create-region]"),
        |v| v == "nyc3",
    )
    .await;
    // The demo cloud's DigitalOcean account already has `web-1`.
    gui.type_into("[data-testid=create-name]", "web-1").await;
    choose(&gui, "[data-testid=create-type]", "web").await;
    let submit = || async { gui.find("[data-testid=create-submit]").await };
    wait_until(
        "submit to be enabled",
        Duration::from_secs(5),
        || async { submit().await.is_enabled().await.unwrap_or(false) },
        |enabled| *enabled,
    )
    .await;
    submit().await.click().await.expect("submit");
    let warning = gui.text_of("[data-testid=create-duplicate-dialog]").await;
    assert!(
        warning.contains("machine named `web-1` already exists")
            && warning.contains("Nothing has been created yet"),
        "{warning}"
    );
    gui.screenshot("create-08-duplicate-warning").await;
    // Cancel: nothing is made.
    gui.find("[data-testid=create-duplicate-cancel]")
        .await
        .click()
        .await
        .expect("cancel");
    wait_until(
        "the dialog to close",
        Duration::from_secs(5),
        || async {
            gui.client
                .find_all(fantoccini::Locator::Css(
                    "[data-testid=create-duplicate-dialog][open]",
                ))
                .await
                .map(|v| v.len())
                .unwrap_or(1)
        },
        |n| *n == 0,
    )
    .await;
    assert!(
        gui.client
            .find_all(fantoccini::Locator::Css("[data-testid=step-created]"))
            .await
            .map(|v| v.is_empty())
            .unwrap_or(false),
        "a create started without acknowledging"
    );
    // Acknowledged: the second machine is made.
    submit().await.click().await.expect("submit again");
    gui.find("[data-testid=create-duplicate-confirm]")
        .await
        .click()
        .await
        .expect("create anyway");
    let created = wait_until(
        "the second web-1",
        Duration::from_secs(20),
        || step_state(&gui, "created"),
        |s| s.starts_with("done"),
    )
    .await;
    assert!(created.contains("web-1"), "{created}");
    gui.close().await;
}
