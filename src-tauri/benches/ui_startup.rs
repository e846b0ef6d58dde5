//! Cold start, scrolling and memory of the real desktop app on the demo cloud, driven through
//! WebDriver under Xvfb like the GUI tests. Needs the app's debug or release build, Xvfb,
//! tauri-driver and WebKitWebDriver (`make deps`):
//!
//! ```sh
//! cargo build -p hangar-desktop --release
//! HANGAR_APP_BINARY=target/release/hangar-desktop cargo bench -p hangar-desktop --bench ui_startup
//! ```
//!
//! `HANGAR_BENCH_RUNS` launches per fleet (5 by default); `HANGAR_BENCH_FLEETS=demo` skips
//! the 2,000-machine fleet.
//!
//! - **first launch:** the app is launched once before the timed runs, to count the demo
//!   cloud's machines (the fleets are that many, and that many plus 2,000). Its figures are
//!   printed on their own: it is the launch after a build, with the least in the page cache.
//! - **cold start:** from the WebDriver request that launches the app to the first machine rows
//!   in the table (polled every 10 ms), split into "session" (the WebDriver session answered
//!   and the window sized), "window document created" (the web view's
//!   `performance.timeOrigin`), "skeleton" (the loading placeholder rows first seen in the
//!   page, also counted from the document's creation), "first rows" (the first account's
//!   answer) and "list shown". The WebDriver request includes WebKitWebDriver launching the
//!   process, so the figures are upper bounds. The page can only be polled once the session
//!   answered: a skeleton gone before the first poll is reported as that poll's time, marked
//!   `≤`. Every launch is printed in order too, to tell a first-launch effect from a stall.
//! - **demo cloud start:** the demo cloud the app starts in the background (emulators on
//!   loopback ports, seeded DNS records), started `HANGAR_BENCH_DEMO_STARTS` times (5) in the
//!   bench's own process, for what it adds to "list shown".
//! - **scrolling:** the table is scrolled from top to bottom in 120 steps (in the last run of
//!   each fleet); each step's time is the scroll handler, the re-render of the visible rows
//!   and the layout that follows (forced by reading `offsetHeight`), without paint. Also how
//!   many rows were in the document.
//! - **memory:** proportional set size (PSS) of the app and its WebKit processes.

#[path = "../tests/e2e/mod.rs"]
mod e2e;
#[path = "support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use e2e::GuiSession;
use serde_json::Value;
use support::{TreePss, epoch_ms, median, mib, quantile, tree_pss};

/// When the loading placeholder was first seen, in ms after the launching request.
#[derive(Clone, Copy)]
enum Skeleton {
    Seen(f64),
    /// Never seen: the list was already there at this poll, an upper bound.
    AtMost(f64),
}

impl Skeleton {
    fn ms(self) -> f64 {
        match self {
            Skeleton::Seen(ms) | Skeleton::AtMost(ms) => ms,
        }
    }
}

struct Run {
    session_ms: f64,
    doc_ms: f64,
    /// WebKit's first contentful paint, when the page reports one.
    fcp_ms: Option<f64>,
    skeleton: Skeleton,
    /// The first poll that saw machine rows (the first account's answer).
    first_rows_ms: f64,
    shown_ms: f64,
    /// The summary line once the list was shown ("15 machines in 3 accounts").
    summary: String,
    frames: Option<Frames>,
    pss: TreePss,
}

struct Frames {
    p50: f64,
    p95: f64,
    max: f64,
    dom_rows: u64,
}

/// Time origin (epoch ms) of the web view, the epoch ms now, the machine rows, the summary,
/// whether the loading skeleton is there, the first contentful paint (ms after the origin),
/// whether a listing still runs.
const PROBE: &str = "const paint = (performance.getEntriesByType ? performance.getEntriesByType('paint') : [])\
       .find(e => e.name === 'first-contentful-paint'); \
     const refresh = document.querySelector('[data-testid=refresh]'); \
     return [performance.timeOrigin, Date.now(), \
     document.querySelectorAll('[data-testid=machine-row]').length, \
     (document.querySelector('[data-testid=machines-summary]') || {}).textContent || '', \
     document.querySelector('[data-testid=machines-loading]') !== null, \
     paint ? paint.startTime : null, \
     refresh === null || refresh.disabled || document.querySelector('[data-testid=machines-waiting]') !== null];";

/// One scroll step to `arguments[0]` (0..1 of the way down); answers its time and the rows.
const SCROLL_STEP: &str = r#"
const done = arguments[arguments.length - 1];
const el = document.querySelector('[data-testid=machine-table]');
const t = performance.now();
el.scrollTop = (el.scrollHeight - el.clientHeight) * arguments[0];
el.dispatchEvent(new Event('scroll'));
(async () => {
  for (let i = 0; i < 3; i++) await Promise.resolve();
  void document.body.offsetHeight;
  done([performance.now() - t, document.querySelectorAll('[data-testid=machine-row]').length]);
})();
"#;

/// Launches the app with `extra` generated machines and waits for the list: the summary
/// starting with `expected` ("15 machines"), or with `None` any complete listing.
async fn one_run(expected: Option<&str>, extra: usize, scroll: bool) -> Run {
    let gui =
        GuiSession::start_with_env(&[("HANGAR_DEMO_EXTRA_MACHINES", &extra.to_string())]).await;
    let answered = gui.requested_at.elapsed().as_secs_f64() * 1000.0;
    // Epoch time of the launching request, from the monotonic clock.
    let requested_epoch = epoch_ms() - gui.requested_at.elapsed().as_secs_f64() * 1000.0;
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut skeleton = None;
    let mut first_rows = None;
    let (origin, shown, fcp, summary) = loop {
        let v = gui.client.execute(PROBE, vec![]).await.expect("probe");
        let origin = v[0].as_f64().unwrap_or(0.0);
        let now = v[1].as_f64().unwrap_or(0.0);
        let rows = v[2].as_u64().unwrap_or(0);
        let summary = v[3].as_str().unwrap_or("").trim().to_owned();
        let loading = v[4].as_bool().unwrap_or(false);
        let fcp = v[5].as_f64().map(|ms| origin + ms - requested_epoch);
        let busy = v[6].as_bool().unwrap_or(true);
        if loading && skeleton.is_none() {
            skeleton = Some(Skeleton::Seen(now - requested_epoch));
        }
        if rows > 0 && first_rows.is_none() {
            first_rows = Some(now - requested_epoch);
        }
        let done = rows > 0
            && match expected {
                Some(e) => summary.starts_with(e),
                None => !busy && summary.starts_with(|c: char| c.is_ascii_digit()),
            };
        if done {
            break (origin, now, fcp, summary);
        }
        assert!(
            Instant::now() < deadline,
            "the list never showed `{expected:?}`: {summary}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let shown_ms = shown - requested_epoch;
    let frames = if scroll {
        const STEPS: usize = 120;
        let mut f = Vec::with_capacity(STEPS);
        let mut dom_rows = 0;
        for step in 1..=STEPS {
            let at = serde_json::json!(step as f64 / STEPS as f64);
            let v: Value = gui
                .client
                .execute_async(SCROLL_STEP, vec![at])
                .await
                .expect("scroll the table");
            f.push(v[0].as_f64().expect("step time"));
            dom_rows = dom_rows.max(v[1].as_u64().unwrap_or(0));
        }
        Some(Frames {
            p50: quantile(&f, 0.5),
            p95: quantile(&f, 0.95),
            max: quantile(&f, 1.0),
            dom_rows,
        })
    } else {
        None
    };
    let pss = tree_pss(gui.display(), &e2e::app_binary());
    gui.close().await;
    Run {
        session_ms: answered,
        doc_ms: origin - requested_epoch,
        fcp_ms: fcp,
        skeleton: skeleton.unwrap_or(Skeleton::AtMost(shown_ms)),
        first_rows_ms: first_rows.unwrap_or(shown_ms),
        shown_ms,
        summary,
        frames,
        pss,
    }
}

/// The machine count a summary starts with ("15 machines in 3 accounts": 15).
fn count_of(summary: &str) -> usize {
    summary
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no machine count in `{summary}`"))
}

fn skeleton_cell(runs: &[Run], q: f64) -> String {
    let v: Vec<f64> = runs.iter().map(|r| r.skeleton.ms()).collect();
    let bound = runs
        .iter()
        .any(|r| matches!(r.skeleton, Skeleton::AtMost(_)));
    format!("{}{:.0}", if bound { "≤ " } else { "" }, quantile(&v, q))
}

fn print_run(label: &str, r: &Run) {
    let skeleton = match r.skeleton {
        Skeleton::Seen(ms) => format!("{ms:.0}"),
        Skeleton::AtMost(ms) => format!("≤ {ms:.0} (not seen)"),
    };
    println!(
        "| {label} | {:.0} | {:.0} | {} | {skeleton} | {:.0} | {:.0} | {:.0} ({:.0} web) MiB |",
        r.session_ms,
        r.doc_ms,
        r.fcp_ms.map_or("n/a".into(), |ms| format!("{ms:.0}")),
        r.first_rows_ms,
        r.shown_ms,
        r.pss.total_mib(),
        mib(r.pss.web_kb),
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let runs: usize = std::env::var("HANGAR_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1);
    let only_demo = std::env::var("HANGAR_BENCH_FLEETS").is_ok_and(|v| v == "demo");
    println!(
        "machine: load {} and {} compilers running at the start",
        support::load_average(),
        support::compilers_running()
    );

    // What the app does before it can list: start the demo cloud (emulators, seeded records).
    let starts: usize = std::env::var("HANGAR_BENCH_DEMO_STARTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let mut demo_ms = Vec::new();
    for _ in 0..starts {
        let t = Instant::now();
        let cloud = hangar_demo::start_with(0).await.expect("the demo cloud");
        demo_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        drop(cloud);
    }

    // The first launch counts the demo cloud's machines.
    let first = one_run(None, 0, false).await;
    let demo = count_of(&first.summary);
    let mut fleets = vec![(demo, 0)];
    if !only_demo {
        fleets.push((demo + 2000, 2000));
    }

    let mut all = Vec::new();
    for &(total, extra) in &fleets {
        let expected = format!("{total} machines");
        let mut done = Vec::new();
        for i in 0..runs {
            done.push(one_run(Some(&expected), extra, i + 1 == runs).await);
        }
        all.push((expected, done));
    }

    println!();
    println!(
        "| fleet | runs | document created (median) | skeleton seen (median / p95) | skeleton after the document (median / p95) | list shown (median / p95 / max) | scroll step p50 / p95 / max | rows in DOM | PSS (app + WebKit, median) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (expected, done) in &all {
        let shown: Vec<f64> = done.iter().map(|r| r.shown_ms).collect();
        let doc: Vec<f64> = done.iter().map(|r| r.doc_ms).collect();
        let pss: Vec<f64> = done.iter().map(|r| r.pss.total_mib()).collect();
        let after_doc: Vec<f64> = done.iter().map(|r| r.skeleton.ms() - r.doc_ms).collect();
        let bound = if done
            .iter()
            .any(|r| matches!(r.skeleton, Skeleton::AtMost(_)))
        {
            "≤ "
        } else {
            ""
        };
        let f = done.last().and_then(|r| r.frames.as_ref()).expect("frames");
        println!(
            "| {expected} | {runs} | {:.0} ms | {} / {} ms | {bound}{:.0} / {bound}{:.0} ms | {:.0} / {:.0} / {:.0} ms | {:.1} / {:.1} / {:.1} ms | {} | {:.0} MiB |",
            median(&doc),
            skeleton_cell(done, 0.5),
            skeleton_cell(done, 0.95),
            median(&after_doc),
            quantile(&after_doc, 0.95),
            median(&shown),
            quantile(&shown, 0.95),
            quantile(&shown, 1.0),
            f.p50,
            f.p95,
            f.max,
            f.dom_rows,
            median(&pss),
        );
    }

    println!();
    println!(
        "Each launch, in order (ms after the launching request; `≤`: the skeleton was gone before a poll saw it):"
    );
    println!();
    println!(
        "| launch | session answered | document created | first contentful paint | skeleton seen | first rows | list shown | PSS |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    print_run(&format!("first ({} machines)", demo), &first);
    for (expected, done) in &all {
        for (i, r) in done.iter().enumerate() {
            print_run(&format!("{expected} #{}", i + 1), r);
        }
    }
    if !demo_ms.is_empty() {
        println!();
        println!(
            "The demo cloud's start on its own (in this process, {} times): median {:.0} ms, max {:.0} ms ({})",
            demo_ms.len(),
            median(&demo_ms),
            quantile(&demo_ms, 1.0),
            demo_ms
                .iter()
                .map(|ms| format!("{ms:.0}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    println!();
    println!(
        "machine: load {} and {} compilers running at the end",
        support::load_average(),
        support::compilers_running()
    );
}
