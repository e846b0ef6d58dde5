//! The same machine life on every demo account, whatever its provider: create with a DNS
//! record (up to cloud-init done), power off, the zone's records on the DNS screen (one added
//! and deleted), and destroy with the record. The accounts and their zones are read from the
//! Create machine form, so a provider added to the registry is driven here without a line
//! naming it.

use std::time::Duration;

use crate::actions::{click_row_action, texts, wait_until as wait_for};
use crate::create::{choose, option_values, step_state, value_of, wait_until};
use crate::detail::open_detail;
use crate::dns::{open_add_form, row_button, type_into, wait_rows, xpath};
use crate::e2e::GuiSession;

/// The demo accounts offered by the Create machine form: (account id, label).
async fn demo_accounts(gui: &GuiSession) -> Vec<(String, String)> {
    gui.click("[data-testid=nav-create]").await;
    gui.find("[data-testid=create-account] option").await;
    let ids = option_values(gui, "[data-testid=create-account]").await;
    let labels = texts(gui, "[data-testid=create-account] option").await;
    ids.into_iter()
        .zip(labels)
        .filter(|(id, _)| id.starts_with("demo-"))
        .collect()
}

/// Creates `name` on the account `id` with its preselected defaults and a DNS record in its
/// default zone; returns the zone and the machine's address.
async fn create_with_dns(gui: &GuiSession, id: &str, label: &str, name: &str) -> (String, String) {
    gui.click("[data-testid=nav-create]").await;
    choose(gui, "[data-testid=create-account]", id).await;
    // The account's defaults arrive with its catalogs.
    for field in ["create-region", "create-plan", "create-image"] {
        let css = format!("[data-testid={field}]");
        wait_until(
            &format!("{label}: the default of {field}"),
            Duration::from_secs(20),
            || value_of(gui, &css),
            |v| !v.is_empty(),
        )
        .await;
    }
    let zone = wait_until(
        &format!("{label}: a DNS zone"),
        Duration::from_secs(20),
        || value_of(gui, "[data-testid=create-zone]"),
        |v| !v.is_empty(),
    )
    .await;
    gui.type_into("[data-testid=create-name]", name).await;
    // A type, so the machine gets a cloud-config and the create waits for cloud-init.
    choose(gui, "[data-testid=create-type]", "web").await;
    let dns = gui.find("[data-testid=create-dns]").await;
    if !dns.is_selected().await.expect("DNS checkbox state") {
        dns.click().await.expect("tick Create a DNS record");
    }
    gui.screenshot(&format!("providers-{id}-01-form")).await;
    wait_until(
        &format!("{label}: submit enabled"),
        Duration::from_secs(10),
        || async { !gui.is_disabled("[data-testid=create-submit]").await },
        |enabled| *enabled,
    )
    .await;
    gui.click("[data-testid=create-submit]").await;

    let mut ip = String::new();
    for (step, timeout) in [("created", 30), ("ip", 90), ("dns", 30), ("cloudInit", 90)] {
        let state = wait_until(
            &format!("{label}: the {step} step"),
            Duration::from_secs(timeout),
            || step_state(gui, step),
            |s| s.starts_with("done") || s.starts_with("failed"),
        )
        .await;
        assert!(state.starts_with("done"), "{label}: {step}: {state}");
        if step == "ip" {
            ip = state
                .split_whitespace()
                .find(|w| w.parse::<std::net::Ipv4Addr>().is_ok())
                .unwrap_or_else(|| panic!("{label}: no address in `{state}`"))
                .to_owned();
        }
        if step == "dns" {
            assert!(
                state.contains(&format!("{name}.{zone}")),
                "{label}: {state}"
            );
        }
    }
    gui.screenshot(&format!("providers-{id}-02-created")).await;
    (zone, ip)
}

/// The machine's row in the Machines table, once `ok` holds for it.
async fn machine_row(
    gui: &GuiSession,
    name: &str,
    what: &str,
    ok: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    let rows = crate::wait_for_rows(gui, what, Duration::from_secs(60), |rows| {
        rows.iter().any(|r| r[0] == name && ok(r))
    })
    .await;
    rows.into_iter().find(|r| r[0] == name).expect("the row")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn every_demo_provider_creates_powers_serves_dns_and_destroys() {
    let gui = GuiSession::start().await;
    let accounts = demo_accounts(&gui).await;
    assert!(accounts.len() >= 3, "demo accounts: {accounts:?}");

    for (n, (id, label)) in accounts.iter().enumerate() {
        let name = format!("e2e-life-{n}");
        let (zone, ip) = create_with_dns(&gui, id, label, &name).await;

        // In the table under its account, with the address the create reported; then off.
        gui.click("[data-testid=nav-machines]").await;
        let row = machine_row(&gui, &name, &format!("{label}: {name} listed"), |r| {
            r[5] == "active"
        })
        .await;
        assert_eq!(row[4], ip, "{label}: {row:?}");
        assert!(crate::is_documentation_ipv4(&ip), "{label}: {ip}");
        click_row_action(&gui, &name, "action-power-off").await;
        gui.click("[data-testid=power-confirm-yes]").await;
        machine_row(&gui, &name, &format!("{label}: {name} off"), |r| {
            r[5] == "off"
        })
        .await;
        gui.screenshot(&format!("providers-{id}-03-off")).await;

        // Its detail view: a snapshots section either way (the list, or why there is none).
        open_detail(&gui, &name).await;
        gui.find("[data-testid=detail-snapshots]").await;
        gui.screenshot(&format!("providers-{id}-03-detail")).await;

        // The zone lists the machine's A record; a TXT record is added and deleted.
        gui.click("[data-testid=nav-dns]").await;
        xpath(
            &gui,
            &format!("//button[@data-testid='dns-zone' and normalize-space()='{zone}']"),
        )
        .await
        .click()
        .await
        .expect("open the zone");
        let records = wait_rows(&gui, &format!("{label}: {name}'s A record"), |r| {
            r.iter().any(|r| r.name == name && r.kind == "A")
        })
        .await;
        let total = records.len();
        let a = records.iter().find(|r| r.name == name && r.kind == "A");
        assert_eq!(a.map(|r| r.value()), Some(ip.as_str()), "{label}");
        open_add_form(&gui, "TXT").await;
        type_into(&gui, "[data-testid=dns-field-name]", &format!("{name}-txt")).await;
        type_into(&gui, "[data-testid=dns-field-data]", "hangar-check=1").await;
        gui.click("[data-testid=dns-form-save]").await;
        wait_rows(&gui, &format!("{label}: the TXT record added"), |r| {
            r.len() == total + 1 && r.iter().any(|r| r.name == format!("{name}-txt"))
        })
        .await;
        gui.screenshot(&format!("providers-{id}-04-dns")).await;
        row_button(&gui, &format!("{name}-txt"), "dns-delete").await;
        gui.click("[data-testid=dns-confirm-delete]").await;
        wait_rows(&gui, &format!("{label}: the TXT record deleted"), |r| {
            r.len() == total
        })
        .await;

        // Destroy, with its record.
        gui.click("[data-testid=nav-machines]").await;
        machine_row(&gui, &name, &format!("{label}: {name} listed"), |_| true).await;
        click_row_action(&gui, &name, "action-destroy").await;
        gui.find("[data-testid=destroy-dialog][open]").await;
        let fqdn = format!("{name}.{zone}");
        wait_for(
            "the record in the destroy dialog",
            async || texts(&gui, "[data-testid=destroy-record]").await,
            |r| r.iter().any(|r| r.contains(&fqdn)),
        )
        .await;
        gui.find("[data-testid=destroy-confirm-input]")
            .await
            .send_keys(&name)
            .await
            .expect("type the name");
        wait_for(
            "the destroy button enabled",
            async || gui.is_disabled("[data-testid=destroy-confirm]").await,
            |d| !d,
        )
        .await;
        gui.click("[data-testid=destroy-confirm]").await;
        wait_for(
            &format!("{label}: the destroy toast"),
            async || texts(&gui, "[data-testid=toast]").await,
            |t| {
                t.iter()
                    .any(|t| t.contains(&format!("Destroyed {name} (and {fqdn})")))
            },
        )
        .await;
        crate::wait_for_rows(
            &gui,
            &format!("{label}: {name} gone"),
            Duration::from_secs(30),
            |rows| rows.iter().all(|r| r[0] != name),
        )
        .await;
        gui.screenshot(&format!("providers-{id}-05-destroyed"))
            .await;
    }
    gui.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn every_provider_is_offered_and_a_linode_account_is_added_and_listed() {
    use hangar_emulator::{EmulatedProvider, Emulator, EmulatorConfig};

    let emulator = Emulator::start(EmulatorConfig::default())
        .await
        .expect("start the emulator");
    let gui = GuiSession::start_with_env(&[]).await;
    gui.click("[data-testid=nav-accounts]").await;

    // Every provider of the registry is offered, each with where to create its token.
    let offered = option_values(&gui, "[data-testid=account-provider]").await;
    assert!(offered.len() >= 3, "{offered:?}");
    for provider in &offered {
        choose(&gui, "[data-testid=account-provider]", provider).await;
        let about = gui.text_of("[data-testid=account-token-about]").await;
        assert!(
            about.contains("Token page: https://"),
            "{provider}: {about}"
        );
    }
    choose(&gui, "[data-testid=account-provider]", "linode").await;
    let about = gui.text_of("[data-testid=account-token-about]").await;
    assert!(
        about.contains("https://cloud.linode.com/profile/tokens"),
        "{about}"
    );

    // A Linode account against the emulator: tested, saved, and its Linodes listed.
    gui.type_into("[data-testid=account-label]", "Work Linode")
        .await;
    gui.type_into(
        "[data-testid=account-base-url]",
        &emulator.base_url(EmulatedProvider::Linode),
    )
    .await;
    gui.type_into(
        "[data-testid=account-token]",
        &emulator.token(EmulatedProvider::Linode),
    )
    .await;
    gui.click("[data-testid=test-connection]").await;
    let connected = wait_for(
        "the connection test",
        async || gui.text_of("[data-testid=test-result]").await,
        |t| t.starts_with("Connected as"),
    )
    .await;
    assert!(connected.contains('@'), "{connected}");
    gui.screenshot("providers-10-linode-account-connected")
        .await;
    gui.click("[data-testid=save-account]").await;
    let notice = wait_for(
        "the saved notice",
        async || gui.text_of("[data-testid=accounts-notice]").await,
        |t| !t.is_empty(),
    )
    .await;
    assert!(notice.contains("Added “Work Linode”"), "{notice}");

    gui.click("[data-testid=nav-machines]").await;
    let rows = crate::wait_for_rows(
        &gui,
        "the Linode account's machines",
        Duration::from_secs(30),
        |rows| {
            ["web-1", "legacy-db"].iter().all(|n| {
                rows.iter()
                    .any(|r| r[0] == *n && r[1].contains("Work Linode"))
            })
        },
    )
    .await;
    let web = rows.iter().find(|r| r[0] == "web-1").expect("web-1");
    assert_eq!(web[2], "us-east", "{web:?}");
    assert_eq!(web[3], "g6-nanode-1", "{web:?}");
    assert!(crate::is_documentation_ipv4(&web[4]), "{web:?}");
    gui.screenshot("providers-11-linode-account-machines").await;
    gui.close().await;
    emulator.shutdown().await;
}
