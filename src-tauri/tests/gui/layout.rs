//! The app at 1024×700, 1280×800 and 1920×1080, on every screen: no page-level horizontal
//! scroll (the content area's scroll width is its client width), no sideways scroll inside
//! the machine table, and the first row's action buttons inside the window.

use std::time::Duration;

use crate::e2e::GuiSession;

/// The content area's and the document's scroll and client widths, and the window's width.
async fn widths(gui: &GuiSession) -> serde_json::Value {
    gui.script(
        "const m = document.querySelector('main');\
         const d = document.documentElement;\
         return { main: [m.scrollWidth, m.clientWidth], doc: [d.scrollWidth, d.clientWidth], window: innerWidth };",
    )
    .await
}

/// The right edge and bottom of every button of the first element matching `row` that is
/// not inside the window, with the window's size; `"none"` when the row has no button.
async fn outside(gui: &GuiSession, row: &str) -> serde_json::Value {
    gui.client
        .execute(
            "const first = document.querySelector(arguments[0]);\
             const els = first ? [...first.querySelectorAll('button')] : [];\
             if (els.length === 0) return 'none';\
             return els.map(e => e.getBoundingClientRect())\
               .filter(r => r.left < 0 || r.right > innerWidth || r.top < 0 || r.bottom > innerHeight)\
               .map(r => [Math.round(r.right), Math.round(r.bottom), innerWidth, innerHeight]);",
            vec![row.into()],
        )
        .await
        .expect("measure the buttons")
}

fn fits(v: &serde_json::Value, key: &str) -> bool {
    let pair = &v[key];
    pair[0].as_f64().unwrap_or(f64::MAX) <= pair[1].as_f64().unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn every_screen_fits_the_window_at_three_sizes() {
    let gui = GuiSession::start().await;
    crate::actions::demo_fleet(&gui).await;
    let mut problems = Vec::new();
    for (width, height) in [(1024u32, 700u32), (1280, 800), (1920, 1080)] {
        gui.client
            .set_window_rect(0, 0, width, height)
            .await
            .expect("resize the window");
        for screen in ["machines", "create", "dns", "types", "accounts", "about"] {
            gui.click(&format!("[data-testid=nav-{screen}]")).await;
            // The screen's data arrives; on DNS, the first zone's records.
            let ready = match screen {
                "machines" => Some("[data-testid=machine-row] [data-testid=cell-actions] button"),
                "dns" => Some("[data-testid=dns-row] [data-testid=dns-edit]"),
                _ => None,
            };
            if let Some(css) = ready {
                gui.find(css).await;
            }
            tokio::time::sleep(Duration::from_millis(400)).await;
            let w = widths(&gui).await;
            if !fits(&w, "main") || !fits(&w, "doc") {
                problems.push(format!(
                    "{screen} at {width}×{height} scrolls sideways: {w}"
                ));
            }
            if screen == "machines" {
                // A toast (here: the ssh command copied) lies over the sidebar, not over
                // the table's controls.
                gui.click("[data-testid=machine-row] [data-testid=action-ssh]:not([disabled])")
                    .await;
                gui.find("[data-testid=toast]").await;
                let placed = gui
                    .script(
                        "const s = document.querySelector('nav.sidebar').getBoundingClientRect();\
                         return [...document.querySelectorAll('[data-testid=toast]')]\
                           .every(t => { const r = t.getBoundingClientRect();\
                             return r.left >= s.left && r.right <= s.right && r.bottom <= s.bottom; });",
                    )
                    .await;
                if placed != serde_json::Value::Bool(true) {
                    problems.push(format!("a toast leaves the sidebar at {width}×{height}"));
                }
                gui.dismiss_toasts().await;
                let table = gui
                    .script(
                        "const v = document.querySelector('[data-testid=machine-table]');\
                         return [v.scrollWidth, v.clientWidth];",
                    )
                    .await;
                if table[0].as_f64() > table[1].as_f64() {
                    problems.push(format!(
                        "the machine table at {width}×{height} scrolls sideways: {table}"
                    ));
                }
                let first = "[data-testid=machine-row] [data-testid=cell-actions]";
                let out = outside(&gui, first).await;
                if out != serde_json::json!([]) {
                    problems.push(format!(
                        "machine actions outside the window at {width}×{height}: {out}"
                    ));
                }
            }
            if screen == "dns" {
                let first = "[data-testid=dns-row]:has([data-testid=dns-edit])";
                let out = outside(&gui, first).await;
                if out != serde_json::json!([]) {
                    problems.push(format!(
                        "DNS actions outside the window at {width}×{height}: {out}"
                    ));
                }
            }
            if width == 1024 {
                gui.screenshot(&format!("layout-{screen}-{width}x{height}"))
                    .await;
            }
        }
    }
    gui.click("[data-testid=nav-machines]").await;
    gui.find("[data-testid=machine-row]").await;
    gui.screenshots_at_sizes("layout-machines").await;
    assert!(problems.is_empty(), "{problems:#?}");
    gui.close().await;
}
