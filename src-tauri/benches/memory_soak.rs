//! Memory of the release app over a session of ordinary use, against the floor of a bare
//! window of the same Tauri build, in one run. Driven through WebDriver under Xvfb like the GUI
//! tests; needs Xvfb, tauri-driver and WebKitWebDriver (`make deps`), the app's release build
//! and the `bare_window` example's:
//!
//! ```sh
//! cargo build -p hangar-desktop --release --example bare_window
//! cargo bench -p hangar-desktop --bench memory_soak
//! ```
//!
//! 1. **Floor:** `examples/bare_window.rs` (the same tauri, wry and WebKitGTK showing a static
//!    table) is opened the same way as the app; after it settles, the proportional set size
//!    (PSS) of its process tree (the process and the WebKit processes under it) is the floor.
//! 2. **Soak:** the app is opened on the demo cloud; once the list shows and settles, its PSS
//!    is the start. Then for `HANGAR_SOAK_SECS` (600 by default) it is used in cycles: the
//!    Machines screen (and a manual refresh), Create machine (a machine is created on the demo
//!    cloud), DNS, Machine types, Accounts, Settings, back to Machines while the new machine
//!    starts (the table refreshes the machines in transition on its own every 5 s: that is
//!    the app's auto-refresh, which has no switch), and the new machine is destroyed through
//!    its typed confirmation. PSS is sampled every `HANGAR_SOAK_SAMPLE_SECS` (30). After the
//!    last cycle the Machines screen is shown again and settles; its PSS is the end.
//!
//! Each reading is the PSS of the tree by process (app, WebKit's web and network processes),
//! and its USS (the pages only these processes map). PSS divides a shared library page among
//! every process that maps it, so another WebKit program running on the machine lowers this
//! tree's PSS; the readings say how many other WebKit processes were running.
//!
//! Paths: `HANGAR_APP_BINARY` (default `target/release/hangar-desktop`) and
//! `HANGAR_BARE_WINDOW_BINARY` (default `target/release/examples/bare_window`).
//! `HANGAR_SOAK_SETTLE_SECS` (20) is how long each process tree settles before a reading.

#[path = "../tests/e2e/mod.rs"]
mod e2e;
#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use e2e::GuiSession;
use fantoccini::Locator;
use serde_json::{Value, json};
use support::{TreePss, mib, tree_pss};

fn env_secs(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn release_binary(var: &str, rel: &str) -> PathBuf {
    let path = std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| {
        std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| e2e::repo_root().join("target"))
            .join(rel)
    });
    assert!(
        path.is_file(),
        "{} is not built: see this bench's header (or set {var})",
        path.display()
    );
    path
}

/// One reading of the app's process tree, with what the page holds.
#[derive(Clone)]
struct Sample {
    at: Duration,
    pss: TreePss,
    /// Elements in the document, entries in Tauri's IPC callback table, toasts on screen.
    page: Option<(u64, i64, u64)>,
    cycles: usize,
}

const PAGE_PROBE: &str = "const cb = window.__TAURI_INTERNALS__ && window.__TAURI_INTERNALS__.callbacks; \
     return [document.getElementsByTagName('*').length, cb ? cb.size : -1, \
     document.querySelectorAll('[data-testid=toast]').length];";

async fn page_probe(client: &fantoccini::Client) -> Option<(u64, i64, u64)> {
    let v = client.execute(PAGE_PROBE, vec![]).await.ok()?;
    Some((v[0].as_u64()?, v[1].as_i64()?, v[2].as_u64()?))
}

/// The value of `var` in the environment of the process running `binary` on `display`.
fn env_of(display: &str, binary: &Path, var: &str) -> Option<String> {
    let binary = std::fs::canonicalize(binary).ok()?;
    let want = format!("DISPLAY={display}");
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let exe = std::fs::read_link(e.path().join("exe")).ok()?;
        let env = std::fs::read(e.path().join("environ")).ok()?;
        let mut kv = env.split(|b| *b == 0);
        if exe != binary || !kv.clone().any(|kv| kv == want.as_bytes()) {
            return None;
        }
        kv.find_map(|kv| {
            let s = std::str::from_utf8(kv).ok()?;
            s.strip_prefix(&format!("{var}=")).map(str::to_owned)
        })
        .or_else(|| Some("(unset)".into()))
    })
}

/// Polls `probe` every 250 ms until `ok` holds; panics after `timeout`.
async fn wait_until<T: std::fmt::Debug>(
    what: &str,
    timeout: Duration,
    mut probe: impl AsyncFnMut() -> T,
    ok: impl Fn(&T) -> bool,
) -> T {
    let started = Instant::now();
    loop {
        let v = probe().await;
        if ok(&v) {
            return v;
        }
        assert!(
            started.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}; last: {v:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn script(gui: &GuiSession, js: &str, args: Vec<Value>) -> Value {
    gui.client
        .execute(js, args)
        .await
        .unwrap_or_else(|e| panic!("run a script: {e}"))
}

/// Opens the screen of the sidebar entry `nav` and waits for its heading.
async fn visit(gui: &GuiSession, nav: &str, heading: &str) {
    gui.click(&format!("[data-testid=nav-{nav}]")).await;
    wait_until(
        &format!("the {heading} screen"),
        Duration::from_secs(20),
        async || {
            script(
                gui,
                "const h = document.querySelector('main h1'); return h ? h.textContent.trim() : '';",
                vec![],
            )
            .await
        },
        |h| h.as_str() == Some(heading),
    )
    .await;
    // A person reads the screen a moment, and the screen loads what it shows.
    tokio::time::sleep(Duration::from_millis(1500)).await;
}

/// The status shown for the machine called `name`, if it is in the table.
async fn status_of(gui: &GuiSession, name: &str) -> Option<String> {
    let v = script(
        gui,
        "const r = [...document.querySelectorAll('[data-testid=machine-row]')]\
           .find(r => r.querySelector('[data-testid=cell-name]').textContent.trim() === arguments[0]); \
         return r ? r.querySelector('[data-testid=cell-status]').textContent.trim() : null;",
        vec![json!(name)],
    )
    .await;
    v.as_str().map(str::to_owned)
}

async fn row_count(gui: &GuiSession) -> u64 {
    script(
        gui,
        "return document.querySelectorAll('[data-testid=machine-row]').length;",
        vec![],
    )
    .await
    .as_u64()
    .unwrap_or(0)
}

async fn disabled(gui: &GuiSession, css: &str) -> bool {
    script(
        gui,
        "const e = document.querySelector(arguments[0]); return e === null || e.disabled;",
        vec![json!(css)],
    )
    .await
    .as_bool()
    .unwrap_or(true)
}

/// Clicks the row button `testid` of the machine called `name`, after dismissing the toasts
/// (which may cover the bottom rows' buttons); a refresh may re-render the row in between.
async fn click_row_action(gui: &GuiSession, name: &str, testid: &str) {
    gui.dismiss_toasts().await;
    let xpath = format!(
        "//tr[@data-testid='machine-row'][td[@data-testid='cell-name'][normalize-space()='{name}']]//button[@data-testid='{testid}']"
    );
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
    panic!("click {testid} on {name}: {last:?}");
}

/// The Machines screen with its list shown and no listing running.
async fn machines_listed(gui: &GuiSession) {
    wait_until(
        "the machine list",
        Duration::from_secs(60),
        async || {
            (
                row_count(gui).await,
                disabled(gui, "[data-testid=refresh]").await,
            )
        },
        |(rows, busy)| *rows > 0 && !busy,
    )
    .await;
}

/// One cycle of ordinary use; `name` is the machine it creates and destroys.
async fn cycle(gui: &GuiSession, name: &str) {
    visit(gui, "machines", "Machines").await;
    machines_listed(gui).await;
    gui.click("[data-testid=refresh]").await;
    machines_listed(gui).await;

    visit(gui, "create", "Create machine").await;
    wait_until(
        "the default region",
        Duration::from_secs(20),
        async || {
            script(
                gui,
                "const s = document.querySelector('[data-testid=create-region]'); return s ? s.value : '';",
                vec![],
            )
            .await
        },
        |v| v.as_str().is_some_and(|s| !s.is_empty()),
    )
    .await;
    gui.type_into("[data-testid=create-name]", name).await;
    wait_until(
        "Create to be enabled",
        Duration::from_secs(20),
        async || disabled(gui, "[data-testid=create-submit]").await,
        |d| !d,
    )
    .await;
    gui.click("[data-testid=create-submit]").await;
    wait_until(
        "the machine to be created",
        Duration::from_secs(30),
        async || {
            script(
                gui,
                "const e = document.querySelector('[data-testid=step-created]'); return e ? e.dataset.state : '';",
                vec![],
            )
            .await
        },
        |s| s.as_str() == Some("done"),
    )
    .await;

    // The other screens while the machine starts.
    visit(gui, "dns", "DNS").await;
    visit(gui, "types", "Machine types").await;
    visit(gui, "accounts", "Accounts").await;
    visit(gui, "about", "Settings").await;

    // The table follows the new machine until it is up.
    visit(gui, "machines", "Machines").await;
    wait_until(
        &format!("{name} to be active"),
        Duration::from_secs(120),
        async || status_of(gui, name).await,
        |s| s.as_deref() == Some("active"),
    )
    .await;

    click_row_action(gui, name, "action-destroy").await;
    gui.find("[data-testid=destroy-dialog][open]").await;
    gui.type_into("[data-testid=destroy-confirm-input]", name)
        .await;
    wait_until(
        "Destroy to be enabled",
        Duration::from_secs(20),
        async || disabled(gui, "[data-testid=destroy-confirm]").await,
        |d| !d,
    )
    .await;
    gui.click("[data-testid=destroy-confirm]").await;
    wait_until(
        &format!("{name} gone from the table"),
        Duration::from_secs(60),
        async || status_of(gui, name).await,
        |s| s.is_none(),
    )
    .await;
}

/// Readings every `every`, from a task of their own, until the returned handle is aborted.
fn sampler(
    gui: &GuiSession,
    binary: &Path,
    every: Duration,
    started: Instant,
    cycles: Arc<Mutex<usize>>,
    samples: Arc<Mutex<Vec<Sample>>>,
) -> tokio::task::JoinHandle<()> {
    let display = gui.display().to_owned();
    let binary = binary.to_path_buf();
    let client = gui.client.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            let pss = tree_pss(&display, &binary);
            let page = page_probe(&client).await;
            let cycles = *cycles.lock().expect("cycles");
            let s = Sample {
                at: started.elapsed(),
                pss,
                page,
                cycles,
            };
            eprintln!(
                "soak: {:>4.0} s {:>6.1} MiB (web {:.1}) page {:?} cycles {cycles}",
                s.at.as_secs_f64(),
                s.pss.total_mib(),
                mib(s.pss.web_kb),
                s.page
            );
            samples.lock().expect("samples").push(s);
        }
    })
}

fn row(label: &str, p: &TreePss) -> String {
    format!(
        "| {label} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {} |",
        p.total_mib(),
        mib(p.app_kb),
        mib(p.web_kb),
        mib(p.network_kb),
        mib(p.other_kb),
        mib(p.private_kb),
        p.foreign_webkit
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let soak = Duration::from_secs(env_secs("HANGAR_SOAK_SECS", 600));
    let every = Duration::from_secs(env_secs("HANGAR_SOAK_SAMPLE_SECS", 30).max(1));
    let settle = Duration::from_secs(env_secs("HANGAR_SOAK_SETTLE_SECS", 20));
    let app = release_binary("HANGAR_APP_BINARY", "release/hangar-desktop");
    let bare = release_binary("HANGAR_BARE_WINDOW_BINARY", "release/examples/bare_window");
    println!(
        "machine: load {} and {} compilers running at the start",
        support::load_average(),
        support::compilers_running()
    );

    // The floor: the bare window, opened and measured the same way.
    let floor_gui = GuiSession::start_app(&bare, &[]).await;
    floor_gui.find("[data-testid=bare-table] tr").await;
    tokio::time::sleep(settle).await;
    let floor_compositing = env_of(
        floor_gui.display(),
        &bare,
        "WEBKIT_DISABLE_COMPOSITING_MODE",
    );
    let mut floor_readings = Vec::new();
    for _ in 0..3 {
        floor_readings.push(tree_pss(floor_gui.display(), &bare));
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
    floor_gui.close().await;
    floor_readings.sort_by_key(TreePss::total_kb);
    let floor = floor_readings[1];

    // The app.
    let gui = GuiSession::start_app(&app, &[]).await;
    machines_listed(&gui).await;
    let app_compositing = env_of(gui.display(), &app, "WEBKIT_DISABLE_COMPOSITING_MODE");
    tokio::time::sleep(settle).await;
    let started = Instant::now();
    let start = Sample {
        at: Duration::ZERO,
        pss: tree_pss(gui.display(), &app),
        page: page_probe(&gui.client).await,
        cycles: 0,
    };
    let cycles = Arc::new(Mutex::new(0usize));
    let samples = Arc::new(Mutex::new(vec![start.clone()]));
    let task = sampler(&gui, &app, every, started, cycles.clone(), samples.clone());
    let mut n = 0;
    while started.elapsed() < soak {
        n += 1;
        cycle(&gui, &format!("soak-{n}")).await;
        *cycles.lock().expect("cycles") = n;
    }
    task.abort();
    let used_for = started.elapsed();
    visit(&gui, "machines", "Machines").await;
    machines_listed(&gui).await;
    tokio::time::sleep(settle).await;
    let end = Sample {
        at: started.elapsed(),
        pss: tree_pss(gui.display(), &app),
        page: page_probe(&gui.client).await,
        cycles: n,
    };
    gui.close().await;
    let mut samples = samples.lock().expect("samples").clone();
    samples.push(end.clone());

    println!();
    println!(
        "WEBKIT_DISABLE_COMPOSITING_MODE: app {}, bare window {}",
        app_compositing.as_deref().unwrap_or("?"),
        floor_compositing.as_deref().unwrap_or("?")
    );
    println!(
        "{n} cycles in {:.0} s ({:.0} s of use asked for)",
        used_for.as_secs_f64(),
        soak.as_secs_f64()
    );
    println!();
    println!(
        "| t (s) | PSS total (MiB) | app | web process | network process | other | USS total (MiB) | other WebKit processes | elements | IPC callbacks | toasts | cycles done |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for s in &samples {
        let (el, cb, toasts) = s
            .page
            .map_or(("?".into(), "?".into(), "?".into()), |(a, b, c)| {
                (a.to_string(), b.to_string(), c.to_string())
            });
        println!(
            "| {:.0} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {el} | {cb} | {toasts} | {} |",
            s.at.as_secs_f64(),
            s.pss.total_mib(),
            mib(s.pss.app_kb),
            mib(s.pss.web_kb),
            mib(s.pss.network_kb),
            mib(s.pss.other_kb),
            mib(s.pss.private_kb),
            s.pss.foreign_webkit,
            s.cycles
        );
    }
    let max = samples.iter().map(|s| s.pss.total_kb()).max().unwrap_or(0);
    let growth = (end.pss.total_kb() as f64 / start.pss.total_kb() as f64 - 1.0) * 100.0;
    let ratio = end.pss.total_kb() as f64 / floor.total_kb() as f64;
    println!();
    println!(
        "| reading | PSS total (MiB) | app | web process | network process | other | USS total (MiB) | other WebKit processes |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    println!("{}", row("bare window (floor)", &floor));
    println!("{}", row("app, start (list shown, settled)", &start.pss));
    println!(
        "{}",
        row(
            &format!(
                "app, end (after {:.0} s of use, settled)",
                used_for.as_secs_f64()
            ),
            &end.pss
        )
    );
    println!();
    println!(
        "PSS: start {:.1} MiB, end {:.1} MiB, max {:.1} MiB, growth {growth:+.1} % (goal ≤ 10 %); \
         floor {:.1} MiB; end / floor {ratio:.2} (goal ≤ 1.3); start / floor {:.2}",
        start.pss.total_mib(),
        end.pss.total_mib(),
        mib(max),
        floor.total_mib(),
        start.pss.total_kb() as f64 / floor.total_kb() as f64
    );
    // After the first cycle every screen has been opened once: what is left is growth in use.
    if let Some(first) = samples.iter().find(|s| s.cycles >= 1) {
        println!(
            "PSS after the first cycle ({:.0} s): {:.1} MiB; end / that {:+.1} %",
            first.at.as_secs_f64(),
            first.pss.total_mib(),
            (end.pss.total_kb() as f64 / first.pss.total_kb() as f64 - 1.0) * 100.0
        );
    }
    let uss = |p: &TreePss| p.private_kb as f64;
    println!(
        "USS: start {:.1} MiB, end {:.1} MiB, growth {:+.1} %; floor {:.1} MiB; end / floor {:.2}",
        mib(start.pss.private_kb),
        mib(end.pss.private_kb),
        (uss(&end.pss) / uss(&start.pss) - 1.0) * 100.0,
        mib(floor.private_kb),
        uss(&end.pss) / uss(&floor)
    );
    println!(
        "machine: load {} and {} compilers running at the end",
        support::load_average(),
        support::compilers_running()
    );
}
