//! GUI flows of the Machines screen's actions on the demo cloud: power off, the ssh command,
//! the destroy confirmation (typed name, DNS records) and the bulk destroy of the session.

use std::time::{Duration, Instant};

use fantoccini::Locator;

use crate::e2e::GuiSession;

/// The `textContent` of every element matching `css`.
pub(crate) async fn texts(gui: &GuiSession, css: &str) -> Vec<String> {
    let value = gui
        .client
        .execute(
            "return [...document.querySelectorAll(arguments[0])]\
               .map(e => e.textContent.replace(/\\s+/g, ' ').trim());",
            vec![css.into()],
        )
        .await
        .expect("read texts");
    serde_json::from_value(value).expect("texts")
}

/// Polls `probe` until `ok` holds, for up to 30 s.
pub(crate) async fn wait_until<T: std::fmt::Debug>(
    what: &str,
    mut probe: impl AsyncFnMut() -> T,
    ok: impl Fn(&T) -> bool,
) -> T {
    let started = Instant::now();
    loop {
        let value = probe().await;
        if ok(&value) {
            return value;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "never saw {what}; last: {value:#?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The texts of `css` once `ok` holds for them, or after 90 s whatever they are (for what
/// takes the demo cloud's IP delay: snapshots, creates, resizes); the caller asserts.
pub(crate) async fn slowly(
    gui: &GuiSession,
    css: &str,
    ok: impl Fn(&Vec<String>) -> bool,
) -> Vec<String> {
    let started = Instant::now();
    loop {
        let t = texts(gui, css).await;
        if ok(&t) || started.elapsed() > Duration::from_secs(90) {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Waits for the demo cloud's machines in the table, and returns the rows.
pub(crate) async fn demo_fleet(gui: &GuiSession) -> Vec<Vec<String>> {
    wait_until(
        "the demo fleet",
        async || crate::table_rows(gui).await,
        |r| r.len() == crate::DEMO_MACHINES,
    )
    .await
}

/// Clicks the row button `testid` of the machine called `name` (after dismissing the toasts,
/// which may cover the bottom rows' buttons).
pub(crate) async fn click_row_action(gui: &GuiSession, name: &str, testid: &str) {
    gui.client
        .execute(
            "document.querySelectorAll('[data-testid=toast] button').forEach(b => b.click());",
            vec![],
        )
        .await
        .expect("dismiss the toasts");
    let xpath = format!(
        "//tr[@data-testid='machine-row'][td[@data-testid='cell-name'][normalize-space()='{name}']]//button[@data-testid='{testid}']"
    );
    // A refresh may re-render the row between finding and clicking: find again and retry.
    let mut last = None;
    for _ in 0..5 {
        let button = gui
            .client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("no {testid} button on {name}: {e}"));
        match button.click().await {
            Ok(()) => return,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    gui.screenshot(&format!("actions-failed-click-{testid}"))
        .await;
    let probe = gui
        .client
        .execute(
            "const b = document.evaluate(arguments[0], document, null, 9, null).singleNodeValue;\
             const r = b.getBoundingClientRect();\
             const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);\
             return [JSON.stringify(r), top ? top.outerHTML.slice(0, 200) : 'none', b.outerHTML.slice(0, 300), String(document.activeElement && document.activeElement.outerHTML.slice(0,200))];",
            vec![xpath.clone().into()],
        )
        .await;
    panic!("click {testid} on {name}: {last:?}; {probe:?}");
}

fn row<'a>(rows: &'a [Vec<String>], name: &str) -> Option<&'a Vec<String>> {
    rows.iter().find(|r| r[0] == name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn actions_power_off_ssh_and_destroy_with_typed_confirmation_then_bulk() {
    let gui = GuiSession::start().await;
    let all = demo_fleet(&gui).await;
    let web2 = row(&all, "web-2").expect("web-2");
    assert_eq!(web2[5], "active", "{web2:?}");

    // Power off asks first, saying the machine stays billed; then the row's buttons give way
    // to a busy label, and the status changes.
    click_row_action(&gui, "web-2", "action-power-off").await;
    let ask = gui.text_of("[data-testid=power-confirm-body]").await;
    assert!(ask.contains("still billed"), "{ask}");
    gui.screenshot("actions-00-power-confirm").await;
    gui.find("[data-testid=power-confirm-yes]")
        .await
        .click()
        .await
        .expect("confirm the power off");
    let after = wait_until(
        "web-2 powered off",
        async || crate::table_rows(&gui).await,
        |r| row(r, "web-2").is_some_and(|w| w[5] == "off"),
    )
    .await;
    assert!(
        row(&after, "web-2").unwrap()[5] == "off",
        "{:?}",
        row(&after, "web-2")
    );
    let toasts = wait_until(
        "the power toast",
        async || texts(&gui, "[data-testid=toast]").await,
        |t| t.iter().any(|t| t.contains("Powered off web-2")),
    )
    .await;
    assert!(toasts.iter().any(|t| t.contains("(now off)")), "{toasts:?}");
    // Powered off: the power button now powers on, reboot is unavailable.
    gui.find("tr[data-key] [data-testid=action-power-on]").await;
    gui.screenshot("actions-01-powered-off").await;

    // The ssh command of a machine with a DNS record: its FQDN, not its IP. The user is its
    // type's; when the type is not configured it is root and the toast says why.
    let db_ip = row(&all, "db-primary").expect("db-primary")[4].clone();
    click_row_action(&gui, "db-primary", "action-ssh").await;
    let toasts = wait_until(
        "the ssh toast",
        async || texts(&gui, "[data-testid=toast]").await,
        |t| t.iter().any(|t| t.contains("ssh ")),
    )
    .await;
    let ssh = toasts.iter().find(|t| t.contains("ssh ")).unwrap();
    let command = ssh
        .split(['“', '”'])
        .nth(1)
        .unwrap_or_else(|| panic!("no quoted command in `{ssh}`"));
    let (user, host) = command
        .strip_prefix("ssh ")
        .and_then(|c| c.split_once('@'))
        .unwrap_or_else(|| panic!("not `ssh user@host`: `{command}`"));
    assert!(host.ends_with(".example.com") && host != db_ip, "{ssh}");
    if user == "root" {
        assert!(ssh.contains("machine type “db” is not configured"), "{ssh}");
    }
    gui.screenshot("actions-02-ssh-copied").await;

    // A Vultr machine reboots (POST /instances/{id}/reboot) and is running again.
    // "Don't ask again" is ticked this time, and saved in the settings.
    click_row_action(&gui, "edge-ams", "action-reboot").await;
    gui.find("[data-testid=power-confirm-dont-ask]")
        .await
        .click()
        .await
        .expect("tick Don't ask again");
    gui.find("[data-testid=power-confirm-yes]")
        .await
        .click()
        .await
        .expect("confirm the reboot");
    wait_until(
        "power_without_asking in the settings",
        async || std::fs::read_to_string(gui.config_dir().join("settings.yml")).unwrap_or_default(),
        |t| t.contains("power_without_asking: true"),
    )
    .await;
    wait_until(
        "the reboot toast",
        async || texts(&gui, "[data-testid=toast]").await,
        |t| {
            t.iter()
                .any(|t| t.contains("Rebooted edge-ams (now active)"))
        },
    )
    .await;

    // Destroy web-1: the dialog lists its DNS record and unlocks only on the exact name.
    let web1_ip = row(&all, "web-1").expect("web-1")[4].clone();
    click_row_action(&gui, "web-1", "action-destroy").await;
    gui.find("[data-testid=destroy-dialog][open]").await;
    let records = wait_until(
        "web-1's DNS record in the dialog",
        async || texts(&gui, "[data-testid=destroy-record]").await,
        |r| !r.is_empty(),
    )
    .await;
    // The records named like the machine and pointing at its address.
    assert!(
        records.iter().any(|r| r.contains("web-1.example.com")),
        "{records:?}"
    );
    assert!(
        records
            .iter()
            .all(|r| r.contains("web-1.") && r.contains(&web1_ip)),
        "{records:?}"
    );
    // Other records pointing at it stay unless ticked: the `blog` CNAME to its name.
    let others = texts(&gui, "[data-testid=destroy-other-records] label").await;
    assert!(
        others.iter().any(|r| r.contains("CNAME")
            && r.contains("blog.example.com")
            && r.contains("web-1.example.com")),
        "{others:?}"
    );
    gui.find("[data-testid=destroy-other-record]")
        .await
        .click()
        .await
        .expect("tick the CNAME");
    assert!(gui.is_disabled("[data-testid=destroy-confirm]").await);
    let input = gui.find("[data-testid=destroy-confirm-input]").await;
    input.send_keys("web-").await.expect("type");
    assert!(
        gui.is_disabled("[data-testid=destroy-confirm]").await,
        "a partial name must not unlock"
    );
    input.send_keys("1").await.expect("type");
    wait_until(
        "the destroy button enabled",
        async || gui.is_disabled("[data-testid=destroy-confirm]").await,
        |d| !d,
    )
    .await;
    gui.screenshot("actions-03-destroy-dialog").await;
    gui.find("[data-testid=destroy-confirm]")
        .await
        .click()
        .await
        .expect("confirm the destroy");

    // Gone from the table, with the toast naming the deleted record.
    let left = wait_until(
        "web-1 gone from the table",
        async || crate::table_rows(&gui).await,
        |r| r.len() == crate::DEMO_MACHINES - 1 && row(r, "web-1").is_none(),
    )
    .await;
    assert!(row(&left, "web-2").is_some());
    let toasts = wait_until(
        "the destroy toast",
        async || texts(&gui, "[data-testid=toast]").await,
        |t| t.iter().any(|t| t.contains("Destroyed web-1")),
    )
    .await;
    assert!(
        toasts
            .iter()
            .any(|t| t.contains("Destroyed web-1 (and web-1.example.com, blog.example.com)")),
        "{toasts:?}"
    );
    gui.screenshot("actions-04-destroyed").await;

    // From the zone's side: the DNS screen no longer lists web-1's record, while the zone's
    // other records are still there.
    gui.click("[data-testid=nav-dns]").await;
    gui.client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(fantoccini::Locator::XPath(
            "//button[@data-testid='dns-zone' and normalize-space()='example.com']",
        ))
        .await
        .expect("the example.com zone")
        .click()
        .await
        .expect("pick example.com");
    let records = crate::dns::wait_rows(&gui, "example.com's records", |r| {
        r.iter().any(|r| r.name == "web-2")
    })
    .await;
    assert!(
        !records
            .iter()
            .any(|r| r.kind == "A" && r.name == "web-1" && r.cells.iter().any(|c| c == &web1_ip)),
        "web-1's record is still in the zone: {records:#?}"
    );
    assert!(
        !records.iter().any(|r| r.name == "blog"),
        "the ticked CNAME is still in the zone: {records:#?}"
    );
    gui.screenshot("actions-05-record-gone").await;
    gui.click("[data-testid=nav-machines]").await;

    // The bulk confirmation lists this session's machines (web-1 no longer among them) with
    // their records.
    gui.click("[data-testid=select-session]").await;
    gui.click("[data-testid=bulk-destroy]").await;
    let items = wait_until(
        "the bulk list",
        async || texts(&gui, "[data-testid=destroy-item] strong").await,
        |i| !i.is_empty(),
    )
    .await;
    let mut names = items.clone();
    names.sort();
    assert_eq!(
        names,
        [
            "app-1",
            "build-box",
            "db-primary",
            "edge-ams",
            "edge-ewr",
            "web-2",
            "worker-3"
        ],
        "this session's machines, web-1 gone"
    );
    let records = texts(&gui, "[data-testid=destroy-record]").await;
    assert!(
        records.iter().any(|r| r.contains("db-primary.example.com")),
        "{records:?}"
    );
    assert!(gui.is_disabled("[data-testid=destroy-confirm]").await);
    gui.screenshot("actions-06-bulk-dialog").await;

    // Confirm with the word: every machine of this session goes, the others stay.
    gui.find("[data-testid=destroy-confirm-input]")
        .await
        .send_keys("destroy")
        .await
        .expect("type the confirmation");
    gui.find("[data-testid=destroy-confirm]")
        .await
        .click()
        .await
        .expect("confirm the bulk destroy");
    let left = wait_until(
        "only the other sessions' and foreign machines left",
        async || crate::table_rows(&gui).await,
        |r| r.len() == 9,
    )
    .await;
    let mut names: Vec<&str> = left.iter().map(|r| r[0].as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "ci-runner",
            "legacy-db",
            "legacy-db",
            "legacy-db",
            "metrics",
            "old-mail",
            "queue-1",
            "staging-web",
            "vpn-gateway"
        ]
    );
    let toasts = wait_until(
        "the bulk destroy toast",
        async || texts(&gui, "[data-testid=toast]").await,
        |t| t.iter().any(|t| t.contains("edge-ams")),
    )
    .await;
    let bulk = toasts.iter().find(|t| t.contains("edge-ams")).unwrap();
    for name in [
        "web-2",
        "db-primary",
        "worker-3",
        "edge-ewr",
        "build-box",
        "app-1",
    ] {
        assert!(bulk.contains(name), "{name} missing from `{bulk}`");
    }
    assert!(!bulk.contains("Not done"), "{bulk}");
    gui.screenshot("actions-07-bulk-destroyed").await;

    gui.close().await;
}
