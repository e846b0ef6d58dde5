//! The app's identity agrees everywhere it is written: the bundle configuration
//! (`tauri.conf.json`), the workspace `Cargo.toml` (the one place the version is set), the
//! `app_info` command behind the About panel, the window title and the web page title.

use std::path::{Path, PathBuf};

use hangar::about::{APP_IDENTIFIER, APP_NAME};
use serde_json::Value;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(relative: &str) -> String {
    let path = repo_root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn tauri_conf() -> Value {
    serde_json::from_str(&read("src-tauri/tauri.conf.json")).expect("tauri.conf.json is JSON")
}

/// `version = "…"` under `[workspace.package]` in the root Cargo.toml.
fn workspace_version() -> String {
    let manifest = read("Cargo.toml");
    let section = manifest
        .split("\n[")
        .find(|s| s.starts_with("workspace.package]"))
        .expect("a [workspace.package] section");
    section
        .lines()
        .find_map(|l| l.strip_prefix("version = "))
        .map(|v| v.trim_matches('"').to_owned())
        .expect("a version in [workspace.package]")
}

#[test]
fn the_version_is_set_once_in_the_workspace_manifest() {
    let version = workspace_version();
    for manifest in ["Cargo.toml", "src-tauri/Cargo.toml"] {
        let text = format!("\n{}", read(manifest));
        let package = text
            .split("\n[")
            .find(|s| s.starts_with("package]"))
            .unwrap_or_else(|| panic!("{manifest} has a [package] section"));
        assert!(
            package
                .lines()
                .any(|l| l.trim() == "version.workspace = true"),
            "{manifest}'s [package] should take the workspace version"
        );
    }
    // No `version` in tauri.conf.json: the bundler then takes the crate's version.
    assert_eq!(
        tauri_conf().get("version"),
        None,
        "tauri.conf.json must not set its own version"
    );
    assert_eq!(env!("CARGO_PKG_VERSION"), version);
    assert_eq!(
        hangar_desktop::commands::accounts::app_info().version,
        version
    );
}

#[test]
fn name_identifier_and_titles_agree() {
    let conf = tauri_conf();
    let info = hangar_desktop::commands::accounts::app_info();
    assert_eq!(info.name, APP_NAME);
    assert_eq!(conf["productName"], APP_NAME);
    assert_eq!(conf["identifier"], APP_IDENTIFIER);

    let windows = conf["app"]["windows"]
        .as_array()
        .expect("configured windows");
    assert!(!windows.is_empty());
    for window in windows {
        assert_eq!(window["title"], APP_NAME, "window {}", window["label"]);
    }

    let index = read("ui/index.html");
    assert!(
        index.contains(&format!("<title>{APP_NAME}</title>")),
        "ui/index.html's <title> should be {APP_NAME}"
    );
    let about = read("ui/src/components/AboutPanel.svelte");
    assert!(
        about.contains(&format!(">About {APP_NAME}</h2>")),
        "the About panel's heading should name {APP_NAME}"
    );
}

#[test]
fn bundles_carry_the_icons_the_linux_packages_install() {
    let conf = tauri_conf();
    let icons: Vec<&str> = conf["bundle"]["icon"]
        .as_array()
        .expect("bundle.icon")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for icon in &icons {
        let path = repo_root().join("src-tauri").join(icon);
        assert!(path.is_file(), "missing icon {}", path.display());
    }
    for needed in [
        "32x32.png",
        "128x128.png",
        "128x128@2x.png",
        "icon.icns",
        "icon.ico",
    ] {
        assert!(
            icons.iter().any(|i| i.ends_with(needed)),
            "bundle.icon lacks {needed}: {icons:?}"
        );
    }
    let targets: Vec<&str> = conf["bundle"]["targets"]
        .as_array()
        .expect("bundle.targets")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for target in ["deb", "rpm", "appimage", "msi", "nsis", "app", "dmg"] {
        assert!(targets.contains(&target), "bundle.targets lacks {target}");
    }
}
