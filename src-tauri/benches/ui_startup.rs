//! Cold start, scrolling and memory of the real desktop app on the demo cloud, driven through
//! WebDriver under Xvfb like the GUI tests. Needs the app's debug or release build, Xvfb,
//! tauri-driver and WebKitWebDriver (`make deps`):
//!
//! ```sh
//! cargo build -p hangar-desktop --release
//! HANGAR_APP_BINARY=target/release/hangar-desktop cargo bench -p hangar --bench ui_startup
//! ```
//!
//! - **cold start:** from the WebDriver request that launches the app to the first machine rows
//!   in the table (polled every 10 ms), split into "window document created" (the web view's
//!   `performance.timeOrigin`) and "list shown" after it. The WebDriver request includes
//!   WebKitWebDriver launching the process, so the figure is an upper bound.
//! - **scrolling:** the table is scrolled from top to bottom in 120 steps; each step's time is
//!   the scroll handler, the re-render of the visible rows and the layout that follows (forced
//!   by reading `offsetHeight`), without paint. Also how many rows were in the document.
//! - **memory:** proportional set size (PSS) of the app and its WebKit processes.

#[path = "../tests/e2e/mod.rs"]
mod e2e;

use std::path::Path;
use std::time::{Duration, Instant};

use e2e::GuiSession;
use serde_json::Value;

struct Run {
    doc_ms: f64,
    shown_ms: f64,
    frames: Option<Frames>,
    pss_mb: f64,
}

struct Frames {
    p50: f64,
    p95: f64,
    max: f64,
    dom_rows: u64,
}

/// Time origin (epoch ms) of the web view and, once machine rows exist, the epoch ms when seen.
const PROBE: &str = "return [performance.timeOrigin, Date.now(), \
     document.querySelectorAll('[data-testid=machine-row]').length, \
     (document.querySelector('[data-testid=machines-summary]') || {}).textContent || ''];";

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

fn epoch_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs_f64()
        * 1000.0
}

async fn one_run(expected: &str, scroll: bool) -> Run {
    let gui =
        GuiSession::start_with_env(&[("HANGAR_DEMO_EXTRA_MACHINES", &extra_for(expected))]).await;
    // Epoch time of the launching request, from the monotonic clock.
    let requested_epoch = epoch_ms() - gui.requested_at.elapsed().as_secs_f64() * 1000.0;
    let deadline = Instant::now() + Duration::from_secs(60);
    let (origin, shown) = loop {
        let v = gui.client.execute(PROBE, vec![]).await.expect("probe");
        let origin = v[0].as_f64().unwrap_or(0.0);
        let now = v[1].as_f64().unwrap_or(0.0);
        let rows = v[2].as_u64().unwrap_or(0);
        let summary = v[3].as_str().unwrap_or("");
        if rows > 0 && summary.starts_with(expected) {
            break (origin, now);
        }
        assert!(
            Instant::now() < deadline,
            "the list never showed `{expected}`: {summary}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
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
        f.sort_by(f64::total_cmp);
        let at = |q: f64| f[((f.len() - 1) as f64 * q).round() as usize];
        Some(Frames {
            p50: at(0.5),
            p95: at(0.95),
            max: *f.last().expect("frames"),
            dom_rows,
        })
    } else {
        None
    };
    let pss_mb = app_pss_kb(gui.display()) as f64 / 1024.0;
    gui.close().await;
    Run {
        doc_ms: origin - requested_epoch,
        shown_ms: shown - requested_epoch,
        frames,
        pss_mb,
    }
}

fn extra_for(expected: &str) -> String {
    // The demo cloud has 14 machines of its own.
    let total: usize = expected
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a machine count");
    (total - 14).to_string()
}

/// PSS of the app process on `display` and all its descendants, in kB.
fn app_pss_kb(display: &str) -> u64 {
    let want = format!("DISPLAY={display}");
    let app = std::fs::canonicalize(e2e::app_binary()).expect("the app binary");
    let procs: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| Some((pid, parent_of(pid)?)))
        .collect();
    let roots: Vec<u32> = procs
        .iter()
        .map(|&(pid, _)| pid)
        .filter(|&pid| {
            let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
            let env = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            exe == app && env.split(|b| *b == 0).any(|kv| kv == want.as_bytes())
        })
        .collect();
    let mut all = roots.clone();
    let mut i = 0;
    while i < all.len() {
        let p = all[i];
        all.extend(procs.iter().filter(|&&(_, pp)| pp == p).map(|&(c, _)| c));
        i += 1;
    }
    all.iter().map(|pid| pss_of(*pid)).sum()
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(") ")?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn pss_of(pid: u32) -> u64 {
    let rollup = Path::new("/proc")
        .join(pid.to_string())
        .join("smaps_rollup");
    std::fs::read_to_string(rollup)
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let runs: usize = std::env::var("HANGAR_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    println!(
        "| fleet | runs | document created (median) | list shown (median / max) | scroll step p50 / p95 / max | rows in DOM | PSS (app + WebKit) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for expected in ["14 machines", "2014 machines"] {
        let mut done = Vec::new();
        for _ in 0..runs {
            done.push(one_run(expected, true).await);
        }
        let shown: Vec<f64> = done.iter().map(|r| r.shown_ms).collect();
        let max = shown.iter().cloned().fold(0.0, f64::max);
        let f = done.last().and_then(|r| r.frames.as_ref()).expect("frames");
        println!(
            "| {expected} | {runs} | {:.0} ms | {:.0} / {:.0} ms | {:.1} / {:.1} / {:.1} ms | {} | {:.0} MB |",
            median(done.iter().map(|r| r.doc_ms).collect()),
            median(shown),
            max,
            f.p50,
            f.p95,
            f.max,
            f.dom_rows,
            median(done.iter().map(|r| r.pss_mb).collect()),
        );
    }
}
