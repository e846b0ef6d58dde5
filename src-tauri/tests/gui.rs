//! GUI end-to-end tests against the real desktop app. They need Xvfb, tauri-driver and
//! WebKitWebDriver, and the app's debug build, so they are ignored by a plain
//! `cargo test`; `make test-e2e` (part of `make test`) runs them.

#[path = "gui/dns.rs"]
mod dns;
mod e2e;
#[path = "gui/types.rs"]
mod types;

#[path = "gui/actions.rs"]
mod actions;

#[path = "gui/create.rs"]
mod create;

#[path = "gui/detail.rs"]
mod detail;

#[path = "gui/bulk.rs"]
mod bulk;

#[path = "gui/layout.rs"]
mod layout;

#[path = "gui/a11y.rs"]
mod a11y;

#[path = "gui/resize.rs"]
mod resize;

#[path = "gui/snapshots.rs"]
mod snapshots;

#[path = "gui/firewall.rs"]
mod firewall;

#[path = "gui/providers.rs"]
mod providers;

use std::time::{Duration, Instant};

use e2e::GuiSession;
use fantoccini::Locator;

/// The machines of the demo cloud's fleet, on all its accounts.
const DEMO_MACHINES: usize = 17;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn first_screen_and_about_panel_round_trip() {
    let gui = GuiSession::start().await;

    // With no accounts configured, the first screen is the demo cloud's machine list.
    let heading = gui.text_of("main h1").await;
    assert_eq!(heading, "Machines");
    let title = gui.client.title().await.expect("window title");
    assert_eq!(title, "Hangar");
    gui.find("[data-testid=machine-row]").await;
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

    // And back: the machine list is still there.
    gui.find("[data-testid=nav-machines]")
        .await
        .click()
        .await
        .expect("open Machines");
    gui.find("[data-testid=machine-row]").await;

    gui.close().await;
}

/// The text of each cell of every rendered machine row (without the selection checkbox's
/// cell, so the name is the first). Read as `textContent` in one script
/// call: WebKitWebDriver's element text comes back empty for table cells whose text is not
/// wrapped in an inline element, although they are drawn (see the screenshots).
async fn table_rows(gui: &GuiSession) -> Vec<Vec<String>> {
    let value = gui
        .client
        .execute(
            "return [...document.querySelectorAll('[data-testid=machine-row]')]\
               .map(r => [...r.cells].filter(c => !c.classList.contains('select'))\
                 .map(c => c.textContent.replace(/\\s+/g, ' ').trim()));",
            vec![],
        )
        .await
        .expect("read the machine rows");
    serde_json::from_value(value).expect("rows of cell texts")
}

/// Waits until the rendered rows satisfy `ok`, and returns them.
async fn wait_for_rows(
    gui: &GuiSession,
    what: &str,
    timeout: Duration,
    ok: impl Fn(&[Vec<String>]) -> bool,
) -> Vec<Vec<String>> {
    let started = Instant::now();
    loop {
        let rows = table_rows(gui).await;
        if ok(&rows) {
            return rows;
        }
        assert!(
            started.elapsed() < timeout,
            "the machine table never showed {what}; last rows: {rows:#?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn is_documentation_ipv4(ip: &str) -> bool {
    ["192.0.2.", "198.51.100.", "203.0.113."]
        .iter()
        .any(|prefix| ip.starts_with(prefix))
        && ip.parse::<std::net::Ipv4Addr>().is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn machines_table_on_demo_cloud() {
    let gui = GuiSession::start().await;

    // The demo cloud's fleet: 8 DigitalOcean droplets, 6 Vultr instances and 3 Linodes.
    let rows = wait_for_rows(&gui, "the demo fleet", Duration::from_secs(30), |rows| {
        rows.len() == DEMO_MACHINES
    })
    .await;
    // Columns: name, account, region, plan, IP, status, type, tags, created.
    let web = rows
        .iter()
        .find(|r| r[0] == "web-1")
        .unwrap_or_else(|| panic!("no row for the demo machine web-1: {rows:#?}"));
    assert!(web[1].contains("Demo DigitalOcean"), "{web:?}");
    assert!(web[1].contains("Simulated"), "{web:?}");
    assert_eq!(web[2], "nyc3");
    assert_eq!(web[3], "s-1vcpu-1gb");
    assert!(is_documentation_ipv4(&web[4]), "web-1's IP: {web:?}");
    assert_eq!(web[5], "active");
    assert_eq!(web[6], "web");
    assert_eq!(web[7], "prod");
    // Machines Hangar did not create have no type.
    let legacy = rows
        .iter()
        .find(|r| r[0] == "legacy-db")
        .unwrap_or_else(|| panic!("no row for legacy-db: {rows:#?}"));
    assert_eq!(legacy[6], "");
    assert!(
        legacy[8].contains("ago") || legacy[8].starts_with("20"),
        "{legacy:?}"
    );

    let banner = gui.text_of("[data-testid=simulated-banner]").await;
    assert!(
        banner.contains("Simulated — nothing is billed"),
        "banner: {banner}"
    );
    gui.screenshot("03-machines-demo").await;

    // Clicking an IP copies it.
    gui.client
        .find(Locator::XPath(
            "//tr[td[@data-testid='cell-name'][normalize-space()='web-1']]//button[contains(@class, 'ip')]",
        ))
        .await
        .expect("web-1's IP button")
        .click()
        .await
        .expect("click web-1's IP");
    wait_for_rows(&gui, "web-1's IP copied", Duration::from_secs(5), |rows| {
        rows.iter().any(|r| r[0] == "web-1" && r[4] == "Copied")
    })
    .await;

    // The text filter narrows the table.
    gui.find("[data-testid=filter-text]")
        .await
        .send_keys("edge")
        .await
        .expect("type into the search box");
    let rows = wait_for_rows(
        &gui,
        "only the edge machines",
        Duration::from_secs(5),
        |rows| rows.len() == 2,
    )
    .await;
    let mut names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    names.sort();
    assert_eq!(names, ["edge-ams", "edge-ewr"]);
    assert!(
        gui.text_of("[data-testid=machines-summary]")
            .await
            .contains(&format!("2 of {DEMO_MACHINES} machines")),
    );
    gui.screenshot("04-machines-filtered").await;

    // A search that matches nothing says so, and offers to clear it.
    gui.find("[data-testid=filter-text]")
        .await
        .send_keys(" zzz")
        .await
        .expect("type into the search box");
    let none = gui.text_of("[data-testid=machines-no-match]").await;
    assert!(none.contains("No machine matches"), "{none}");
    gui.screenshot("05-machines-no-match").await;

    // Clear the search; sort by IP through the header, with the keyboard.
    gui.find("[data-testid=clear-filters]")
        .await
        .click()
        .await
        .expect("clear the filters");
    gui.find("[data-testid=sort-ip]")
        .await
        .send_keys("\u{E007}") // Enter
        .await
        .expect("press Enter on the IP header");
    let rows = wait_for_rows(&gui, "rows sorted by IP", Duration::from_secs(5), |rows| {
        rows.len() == DEMO_MACHINES
    })
    .await;
    let ips: Vec<std::net::Ipv4Addr> = rows.iter().filter_map(|r| r[4].parse().ok()).collect();
    assert!(ips.len() >= 2, "{rows:#?}");
    assert!(ips.windows(2).all(|w| w[0] <= w[1]), "not sorted: {ips:?}");

    // "This session": the machines tagged with the demo session only.
    gui.find("[data-testid=filter-session]")
        .await
        .click()
        .await
        .expect("choose This session");
    let rows = wait_for_rows(
        &gui,
        "this session's machines",
        Duration::from_secs(5),
        |rows| rows.len() == 8,
    )
    .await;
    let mut names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "app-1",
            "build-box",
            "db-primary",
            "edge-ams",
            "edge-ewr",
            "web-1",
            "web-2",
            "worker-3"
        ]
    );

    // The pending machines get their IP while the screen refreshes by itself.
    wait_for_rows(
        &gui,
        "every machine active or off, worker-3 with an IP",
        Duration::from_secs(40),
        |rows| {
            rows.iter().all(|r| r[5] != "new")
                && rows
                    .iter()
                    .any(|r| r[0] == "worker-3" && r[5] == "active" && is_documentation_ipv4(&r[4]))
        },
    )
    .await;
    gui.screenshot("06-machines-sorted-by-ip").await;

    gui.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn machines_table_with_two_thousand_machines() {
    let gui = GuiSession::start_with_env(&[("HANGAR_DEMO_EXTRA_MACHINES", "2000")]).await;

    let started = Instant::now();
    let summary = loop {
        let text = gui.text_of("[data-testid=machines-summary]").await;
        if text.starts_with(&format!("{} machines", 2000 + DEMO_MACHINES)) {
            break text;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the large fleet never showed: {text}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    println!(
        "{} machines listed and shown after {:?}",
        2000 + DEMO_MACHINES,
        started.elapsed()
    );
    assert!(summary.contains("3 accounts"), "{summary}");

    // Only a window of rows is in the document.
    let rows = table_rows(&gui).await;
    assert!(
        (10..100).contains(&rows.len()),
        "{} rows rendered for {} machines",
        rows.len(),
        2000 + DEMO_MACHINES
    );
    // Sorted by name (the demo's own machines among the 2,000 `fleet-…` ones).
    assert_eq!(rows[0][0], "app-1");

    // Scrolling to the end renders the last rows by name.
    gui.client
        .execute(
            "const v = document.querySelector('[data-testid=machine-table]'); v.scrollTop = v.scrollHeight;",
            vec![],
        )
        .await
        .expect("scroll the table");
    let rows = wait_for_rows(
        &gui,
        "the last machine by name",
        Duration::from_secs(5),
        |rows| rows.last().is_some_and(|r| r[0] == "worker-3"),
    )
    .await;
    assert!(rows.len() < 100, "{} rows rendered", rows.len());
    gui.screenshot("07-two-thousand-scrolled").await;

    // Sorting and filtering the whole fleet answer quickly.
    let started = Instant::now();
    gui.find("[data-testid=sort-name]")
        .await
        .click()
        .await
        .expect("sort by name, descending");
    wait_for_rows(
        &gui,
        "the fleet sorted by name, descending",
        Duration::from_secs(5),
        |rows| rows.first().is_some_and(|r| r[0] == "worker-3"),
    )
    .await;
    println!(
        "re-sorting {} machines took {:?} (including WebDriver round trips)",
        2000 + DEMO_MACHINES,
        started.elapsed()
    );
    gui.find("[data-testid=filter-text]")
        .await
        .send_keys("fleet-199")
        .await
        .expect("type into the search box");
    wait_for_rows(
        &gui,
        "the fleet-199x machines",
        Duration::from_secs(5),
        |rows| rows.len() == 10 && rows.iter().all(|r| r[0].starts_with("fleet-199")),
    )
    .await;
    gui.screenshot("08-two-thousand-filtered").await;

    gui.close().await;
}

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

/// Every file under `dir`, recursively.
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver, a Secret Service and the app build: run `make test-e2e`"]
async fn add_account_with_keychain_and_test_connection() {
    use hangar_emulator::{DropletSeed, EmulatedProvider, Emulator, EmulatorConfig, Seed};

    let mut seed = Seed::builtin();
    // Long enough for the UI to show its last four characters.
    seed.digitalocean.token = "dop_v1_emulator_accounts_gui_test_c0ffee42".into();
    seed.digitalocean.droplets = ["acct-web-1", "acct-db-1"]
        .iter()
        .map(|name| DropletSeed {
            name: (*name).into(),
            region: "nyc3".into(),
            size: "s-1vcpu-1gb".into(),
            image: "ubuntu-24-04-x64".into(),
            tags: vec![],
            pending: false,
            off: false,
            age_seconds: 3600,
        })
        .collect();
    let emulator = Emulator::start(EmulatorConfig {
        seed,
        ..EmulatorConfig::default()
    })
    .await
    .expect("start the emulator");
    let good = emulator.token(EmulatedProvider::DigitalOcean);
    let base_url = emulator.digitalocean_base_url();

    let gui = GuiSession::start_with_env(&[]).await;
    gui.find("[data-testid=nav-accounts]")
        .await
        .click()
        .await
        .expect("open Accounts");
    // Without accounts, the demo ones are listed as simulated.
    let key = wait_for_text(&gui, "[data-testid=account-key]", |t| !t.is_empty()).await;
    assert!(key.contains("Simulated"), "{key}");

    gui.type_into("[data-testid=account-label]", "Work DO")
        .await;
    // A closed port: the connection is refused, which no retry can fix, so the test says
    // so at once instead of retrying for the whole retry budget (10 s and more).
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
        l.local_addr().expect("its address").port()
    };
    gui.type_into(
        "[data-testid=account-base-url]",
        &format!("http://127.0.0.1:{closed}"),
    )
    .await;
    gui.type_into(
        "[data-testid=account-token]",
        "dop_v1_not-the-right-token-000",
    )
    .await;
    let asked = Instant::now();
    gui.find("[data-testid=test-connection]")
        .await
        .click()
        .await
        .expect("test against a closed port");
    let refused = wait_for_text(&gui, "[data-testid=test-result]", |t| !t.is_empty()).await;
    let took = asked.elapsed();
    assert!(
        refused.starts_with("Could not reach the API") && refused.contains("connection refused"),
        "{refused}"
    );
    assert!(
        took < Duration::from_secs(5),
        "a refused connection took {took:?} to report: it was retried"
    );
    gui.screenshot("09-accounts-unreachable").await;
    gui.type_into("[data-testid=account-base-url]", &base_url)
        .await;
    gui.type_into(
        "[data-testid=account-token]",
        "dop_v1_not-the-right-token-000",
    )
    .await;
    gui.find("[data-testid=test-connection]")
        .await
        .click()
        .await
        .expect("test the bad token");
    let rejected = wait_for_text(&gui, "[data-testid=test-result]", |t| {
        !t.is_empty() && !t.starts_with("Could not reach")
    })
    .await;
    assert_eq!(rejected, "Rejected: check the token.");
    gui.screenshot("09-accounts-rejected").await;

    gui.type_into("[data-testid=account-token]", &good).await;
    gui.find("[data-testid=test-connection]")
        .await
        .click()
        .await
        .expect("test the good token");
    let connected = wait_for_text(&gui, "[data-testid=test-result]", |t| {
        t.starts_with("Connected as")
    })
    .await;
    assert!(connected.contains('@'), "{connected}");
    gui.screenshot("10-accounts-connected").await;

    gui.find("[data-testid=save-account]")
        .await
        .click()
        .await
        .expect("save");
    let notice = wait_for_text(&gui, "[data-testid=accounts-notice]", |t| !t.is_empty()).await;
    assert!(notice.contains("Added “Work DO”"), "{notice}");
    let last4 = &good[good.len() - 4..];
    let key = wait_for_text(&gui, "[data-testid=account-key]", |t| {
        t.contains("Stored in")
    })
    .await;
    assert_eq!(key, format!("Stored in Secret Service · ••••{last4}"));
    // The demo accounts are gone: only the new account is listed.
    let rows = gui
        .client
        .find_all(Locator::Css("[data-testid=account-row]"))
        .await
        .expect("account rows");
    assert_eq!(rows.len(), 1);
    // The token field was cleared.
    let token_value = gui
        .find("[data-testid=account-token]")
        .await
        .prop("value")
        .await
        .expect("token field value");
    assert_eq!(token_value.as_deref(), Some(""));
    gui.screenshot("11-accounts-saved").await;

    // The token is in the real keychain (the private Secret Service of this test run)...
    let lookup = std::process::Command::new("secret-tool")
        .args(["lookup", "service", "app.hangar.desktop"])
        .output()
        .expect("run secret-tool (apt-get install libsecret-tools)");
    assert!(
        lookup.status.success(),
        "secret-tool lookup failed: {lookup:?}"
    );
    assert_eq!(String::from_utf8_lossy(&lookup.stdout).trim(), good);
    // ...and in no file of the config dir, which does hold the account.
    let files = files_under(&gui.config_dir());
    assert!(!files.is_empty(), "no settings were written");
    let mut saw_account = false;
    for file in &files {
        let bytes = std::fs::read(file).expect("read a config file");
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&good), "{} holds the token", file.display());
        saw_account |= text.contains("Work DO");
    }
    assert!(saw_account, "no config file names the account: {files:?}");

    // The Machines screen lists the emulator's machines for that account, and no demo ones.
    gui.find("[data-testid=nav-machines]")
        .await
        .click()
        .await
        .expect("open Machines");
    let rows = wait_for_rows(
        &gui,
        "the account's machines",
        Duration::from_secs(30),
        |rows| {
            rows.len() == 2
                && rows
                    .iter()
                    .all(|r| r[0].starts_with("acct-") && r[1].contains("Work DO"))
        },
    )
    .await;
    assert!(
        rows.iter().all(|r| !r[1].contains("Simulated")),
        "{rows:#?}"
    );
    gui.screenshot("12-machines-account").await;

    // Removing the account (after confirming) deletes its keychain entry and brings the
    // demo cloud back.
    gui.find("[data-testid=nav-accounts]")
        .await
        .click()
        .await
        .expect("open Accounts");
    gui.find("[data-testid=remove-account]")
        .await
        .click()
        .await
        .expect("remove");
    let question = wait_for_text(&gui, "#remove-title", |t| !t.is_empty()).await;
    assert_eq!(question, "Remove “Work DO”?");
    gui.screenshot("13-accounts-remove-confirm").await;
    gui.find("[data-testid=confirm-remove]")
        .await
        .click()
        .await
        .expect("confirm the removal");
    let notice = wait_for_text(&gui, "[data-testid=accounts-notice]", |t| {
        t.starts_with("Removed")
    })
    .await;
    assert!(notice.contains("Work DO"), "{notice}");
    let key = wait_for_text(&gui, "[data-testid=account-key]", |t| {
        t.contains("Simulated")
    })
    .await;
    assert!(key.contains("no token needed"), "{key}");
    let lookup = std::process::Command::new("secret-tool")
        .args(["lookup", "service", "app.hangar.desktop"])
        .output()
        .expect("run secret-tool");
    assert!(
        !lookup.status.success() && lookup.stdout.is_empty(),
        "the keychain entry is still there: {lookup:?}"
    );
    gui.find("[data-testid=nav-machines]")
        .await
        .click()
        .await
        .expect("open Machines");
    wait_for_rows(
        &gui,
        "the demo fleet again",
        Duration::from_secs(30),
        |rows| rows.len() == DEMO_MACHINES && rows.iter().all(|r| r[1].contains("Simulated")),
    )
    .await;

    gui.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn a_hanging_account_does_not_hold_up_the_others() {
    use hangar_emulator::{DropletSeed, EmulatedProvider, Emulator, EmulatorConfig, Seed};

    let mut seed = Seed::builtin();
    seed.digitalocean.droplets = vec![DropletSeed {
        name: "quick-1".into(),
        region: "nyc3".into(),
        size: "s-1vcpu-1gb".into(),
        image: "ubuntu-24-04-x64".into(),
        tags: vec![],
        pending: false,
        off: false,
        age_seconds: 3600,
    }];
    let emulator = Emulator::start(EmulatorConfig {
        seed,
        ..EmulatorConfig::default()
    })
    .await
    .expect("start the emulator");
    // An API that accepts connections and never answers.
    let stuck = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let stuck_url = format!("http://{}", stuck.local_addr().unwrap());
    let _hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = stuck.accept().await {
            held.push(socket);
        }
    });
    // Settings with the two accounts, written before the app starts; tokens from variables.
    let config = tempfile::tempdir().unwrap();
    std::fs::write(
        config.path().join("settings.yml"),
        format!(
            "version: 1\nsession_id: 0badcafe\naccounts:\n\
             - id: a-stuck\n  label: Stuck\n  provider: digitalocean\n  secret: {{ source: env, var: HANGAR_GUI_TOKEN }}\n  base_url: {stuck_url}\n\
             - id: a-quick\n  label: Quick\n  provider: digitalocean\n  secret: {{ source: env, var: HANGAR_GUI_TOKEN }}\n  base_url: {}\n",
            emulator.digitalocean_base_url()
        ),
    )
    .unwrap();
    let token = emulator.token(EmulatedProvider::DigitalOcean);
    let dir = config.path().to_string_lossy().into_owned();
    let gui = GuiSession::start_with_env(&[
        ("HANGAR_CONFIG_DIR", dir.as_str()),
        ("HANGAR_GUI_TOKEN", token.as_str()),
    ])
    .await;
    // From the first sight of the Machines screen to the quick account's row.
    gui.find("[data-testid=refresh]").await;
    let seen = Instant::now();
    let rows = wait_for_rows(
        &gui,
        "the quick account's machine",
        Duration::from_secs(10),
        |r| r.iter().any(|row| row.iter().any(|c| c == "quick-1")),
    )
    .await;
    let waited = seen.elapsed();
    // The stuck account is still pending while the quick one is shown.
    let waiting = gui.text_of("[data-testid=machines-waiting]").await;
    gui.screenshot("14-machines-one-account-hanging").await;
    assert!(waiting.contains("Stuck"), "{waiting}");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        waited < Duration::from_secs(1),
        "the quick account's machines took {waited:?} while another account hung"
    );
    gui.close().await;
    emulator.shutdown().await;
}
