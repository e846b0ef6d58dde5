//! The Linux release bundles built by `make dist`: the .deb's control file and files, the
//! desktop entry and icons they install, and the same for the .rpm.
//!
//! They read `target/release/bundle/` (or `$CARGO_TARGET_DIR/release/bundle/`), so they are
//! `#[ignore]`d and run by `make test-dist` after `make dist`, which then also installs the
//! .deb into a fresh Debian 12 and opens it (`tests/support/dist-install-test`).
//! They need `dpkg-deb` and `rpm` (`tests/support/bootstrap dist`); the GUI check also
//! needs what the GUI tests need (Xvfb, tauri-driver, WebKitWebDriver).

#[path = "e2e/mod.rs"]
mod e2e;

use std::path::{Path, PathBuf};
use std::process::Command;

use e2e::GuiSession;
use hangar::about::APP_NAME;

const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The installed binary's name: `mainBinaryName` in tauri.conf.json.
const BINARY: &str = "hangar-desktop";
/// The hicolor icon sizes the bundle installs, from `bundle.icon` in tauri.conf.json.
const ICON_SIZES: [&str; 3] = ["32x32", "128x128", "256x256@2"];
/// The size the .deb should stay under.
const DEB_BUDGET_BYTES: u64 = 15 * 1024 * 1024;

fn bundle_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("release/bundle")
}

/// The bundle of this version in `bundle/<kind>/`.
fn bundle(kind: &str, extension: &str) -> PathBuf {
    let dir = bundle_dir().join(kind);
    let found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (run `make dist` first)", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.ends_with(extension) && name.contains(VERSION)
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one {extension} of version {VERSION} in {}: {found:?}",
        dir.display()
    );
    found.into_iter().next().unwrap()
}

fn output(program: &str, args: &[&str], file: &Path) -> String {
    let out = Command::new(program)
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|e| {
            panic!("running {program}: {e} (tests/support/bootstrap dist installs it)")
        });
    assert!(
        out.status.success(),
        "{program} {args:?} {} failed: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn deb_field(deb: &Path, field: &str) -> String {
    let out = Command::new("dpkg-deb")
        .args(["--field"])
        .arg(deb)
        .arg(field)
        .output()
        .expect("run dpkg-deb");
    assert!(out.status.success(), "dpkg-deb --field {field}");
    String::from_utf8(out.stdout)
        .expect("UTF-8")
        .trim()
        .to_owned()
}

/// The paths a package installs, without a leading `./` or `/`.
fn installed_paths(listing: &str, deb: bool) -> Vec<String> {
    listing
        .lines()
        .filter_map(|l| {
            if deb {
                l.split_whitespace().nth(5)
            } else {
                Some(l.trim())
            }
        })
        .map(|p| {
            p.trim_start_matches('.')
                .trim_start_matches('/')
                .trim_end_matches('/')
                .to_owned()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

fn expected_files() -> Vec<String> {
    let mut files = vec![
        format!("usr/bin/{BINARY}"),
        format!("usr/share/applications/{APP_NAME}.desktop"),
    ];
    files.extend(
        ICON_SIZES
            .iter()
            .map(|s| format!("usr/share/icons/hicolor/{s}/apps/{BINARY}.png")),
    );
    files
}

/// The desktop entry's `key=value` lines from its [Desktop Entry] group.
fn check_desktop_entry(entry: &str) {
    let value = |key: &str| {
        entry
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("the desktop entry has no {key}=:\n{entry}"))
    };
    assert!(entry.starts_with("[Desktop Entry]"), "{entry}");
    assert_eq!(value("Type"), "Application");
    assert_eq!(value("Name"), APP_NAME);
    assert_eq!(value("Exec"), BINARY);
    assert_eq!(
        value("Icon"),
        BINARY,
        "Icon= must name the installed hicolor icons"
    );
    assert!(value("Categories").contains("Development"), "{entry}");
}

#[test]
#[ignore = "needs `make dist`; run by `make test-dist`"]
fn deb_control_file_names_the_package_version_and_dependencies() {
    let deb = bundle("deb", ".deb");
    assert_eq!(deb_field(&deb, "Package"), "hangar");
    assert_eq!(deb_field(&deb, "Version"), VERSION);
    assert_eq!(deb_field(&deb, "Architecture"), "amd64");
    let depends = deb_field(&deb, "Depends");
    // The web view and its toolkit, and the TLS roots the HTTP client needs (without
    // them a minimal system cannot even start the demo cloud).
    for package in ["libwebkit2gtk-4.1-0", "libgtk-3-0", "ca-certificates"] {
        assert!(
            depends.contains(package),
            "Depends lacks {package}: {depends}"
        );
    }
    // A Secret Service to keep API tokens in; Hangar runs without one (demo, env tokens).
    let recommends = deb_field(&deb, "Recommends");
    assert!(recommends.contains("gnome-keyring"), "{recommends}");
    let size = std::fs::metadata(&deb).expect("the .deb").len();
    assert!(
        size < DEB_BUDGET_BYTES,
        "{} is {size} bytes, over the {DEB_BUDGET_BYTES}-byte budget",
        deb.display()
    );
}

/// Unpacks the .deb into a temporary directory.
fn extract_deb(deb: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let status = Command::new("dpkg-deb")
        .arg("--extract")
        .arg(deb)
        .arg(dir.path())
        .status()
        .expect("run dpkg-deb --extract");
    assert!(status.success(), "dpkg-deb --extract {}", deb.display());
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs `make dist`, Xvfb and tauri-driver; run by `make test-dist`"]
async fn the_packaged_binary_opens_its_window_and_about_panel() {
    let unpacked = extract_deb(&bundle("deb", ".deb"));
    let binary = unpacked.path().join("usr/bin").join(BINARY);
    let gui = GuiSession::start_app(&binary, &[]).await;

    assert_eq!(gui.client.title().await.expect("window title"), APP_NAME);
    gui.find("[data-testid=machine-row]").await;
    gui.find("[data-testid=nav-about]")
        .await
        .click()
        .await
        .expect("open About");
    assert_eq!(
        gui.text_of("#about-heading").await,
        format!("About {APP_NAME}")
    );
    assert_eq!(gui.text_of("[data-testid=about-version]").await, VERSION);
    assert_eq!(gui.text_of("[data-testid=about-profile]").await, "release");
    gui.screenshot("dist-about-release").await;
    gui.close().await;
}

#[test]
#[ignore = "needs `make dist`; run by `make test-dist`"]
fn deb_installs_the_binary_a_desktop_entry_and_hicolor_icons() {
    let deb = bundle("deb", ".deb");
    let files = installed_paths(&output("dpkg-deb", &["--contents"], &deb), true);
    for expected in expected_files() {
        assert!(
            files.contains(&expected),
            "the .deb lacks {expected}: {files:#?}"
        );
    }

    let dir = extract_deb(&deb);
    let entry = std::fs::read_to_string(
        dir.path()
            .join(format!("usr/share/applications/{APP_NAME}.desktop")),
    )
    .expect("the desktop entry");
    check_desktop_entry(&entry);

    let binary = dir.path().join("usr/bin").join(BINARY);
    let kind = output("file", &["--brief"], &binary);
    assert!(kind.starts_with("ELF 64-bit"), "{kind}");
    assert!(
        kind.contains(", stripped"),
        "the release binary keeps its symbols: {kind}"
    );
    for size in ICON_SIZES {
        let icon = dir
            .path()
            .join(format!("usr/share/icons/hicolor/{size}/apps/{BINARY}.png"));
        let kind = output("file", &["--brief"], &icon);
        let pixels = size.trim_end_matches("@2").replace('x', " x ");
        assert!(
            kind.contains(&format!("PNG image data, {pixels},")),
            "{size}: {kind}"
        );
    }
}

#[test]
#[ignore = "needs `make dist`; run by `make test-dist`"]
fn rpm_names_the_package_version_files_and_dependencies() {
    let rpm = bundle("rpm", ".rpm");
    let header = output(
        "rpm",
        &["-qp", "--queryformat", "%{NAME} %{VERSION} %{ARCH}"],
        &rpm,
    );
    assert_eq!(header, format!("hangar {VERSION} x86_64"));
    let files = installed_paths(&output("rpm", &["-qlp"], &rpm), false);
    for expected in expected_files() {
        assert!(
            files.contains(&expected),
            "the .rpm lacks {expected}: {files:#?}"
        );
    }
    let requires = output("rpm", &["-qp", "--requires"], &rpm);
    for needed in ["libwebkit2gtk-4.1.so.0", "libgtk-3.so.0", "ca-certificates"] {
        assert!(
            requires.contains(needed),
            "Requires lacks {needed}: {requires}"
        );
    }
}
