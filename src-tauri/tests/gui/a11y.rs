//! axe-core (npm `axe-core`, the UI's dev dependency) run inside the real app on every screen,
//! in the light and the dark theme: WCAG 2 A and AA rules, contrast included. Every
//! violation is listed with the elements it names.

use std::time::Duration;

use crate::e2e::{GuiSession, repo_root};

/// Loads axe-core into the page once.
async fn load_axe(gui: &GuiSession) {
    let path = repo_root().join("ui/node_modules/axe-core/axe.min.js");
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("read {} (npm ci in ui/): {e}", path.display()));
    gui.client
        .execute(&format!("{source}\nreturn typeof axe;"), vec![])
        .await
        .expect("load axe-core");
}

/// The WCAG 2 A/AA violations on the page now, one line each: rule, impact, elements.
async fn violations(gui: &GuiSession) -> Vec<String> {
    let value = gui
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })\
               .then(r => done(r.violations.map(v => `${v.id} (${v.impact}): ${v.help} — ` +\
                   v.nodes.slice(0, 4).map(n => n.target.join(' ') + (n.any[0] ? ' [' + n.any[0].message + ']' : '')).join('; '))))\
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("run axe-core");
    serde_json::from_value(value).expect("a list of violations")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the app build: run `make test-e2e`"]
async fn axe_finds_no_wcag_violation_on_any_screen_in_either_theme() {
    let gui = GuiSession::start().await;
    crate::actions::demo_fleet(&gui).await;
    load_axe(&gui).await;
    let mut found = Vec::new();
    for screen in [
        "machines", "detail", "create", "dns", "types", "accounts", "about",
    ] {
        if screen == "detail" {
            gui.click("[data-testid=nav-machines]").await;
            gui.click("[data-testid=machine-link]").await;
            gui.find("[data-testid=detail-name]").await;
        } else {
            gui.click(&format!("[data-testid=nav-{screen}]")).await;
        }
        if screen == "dns" {
            gui.find("[data-testid=dns-row]").await;
        }
        tokio::time::sleep(Duration::from_millis(600)).await;
        for theme in ["light", "dark"] {
            gui.client
                .execute(
                    "document.documentElement.dataset.theme = arguments[0];",
                    vec![theme.into()],
                )
                .await
                .expect("set the theme");
            tokio::time::sleep(Duration::from_millis(200)).await;
            for v in violations(&gui).await {
                found.push(format!("{screen}, {theme}: {v}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "{} violations:\n{}",
        found.len(),
        found.join("\n")
    );
    gui.close().await;
}
