//! Harness for GUI end-to-end tests: the real debug build of the desktop app, driven
//! through WebKitWebDriver by `tauri-driver`, in a private Xvfb display.
//!
//! [`GuiSession::start`] launches Xvfb and tauri-driver on free loopback ports, opens the
//! app and returns a WebDriver client. Dropping the session ends the app, the driver and
//! the display. Screenshots go to `target/e2e-screenshots/`.
//!
//! Paths can be overridden: `HANGAR_APP_BINARY` (the app), `TAURI_DRIVER` (the driver),
//! `WEBKIT_WEBDRIVER` (the native driver).

#![allow(dead_code)] // Each test binary uses its own subset of the harness.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use hyper_util::client::legacy::connect::HttpConnector;

const WAIT: Duration = Duration::from_secs(20);
/// How long one tauri-driver gets to open the session before it is restarted on new ports.
const SESSION_WAIT: Duration = Duration::from_secs(20);
/// How many tauri-drivers are tried.
const SESSION_ATTEMPTS: u32 = 3;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the desktop crate sits in the repository root")
        .to_path_buf()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"))
}

pub fn screenshot_dir() -> PathBuf {
    target_dir().join("e2e-screenshots")
}

pub fn app_binary() -> PathBuf {
    let path = std::env::var_os("HANGAR_APP_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("debug").join("hangar-desktop"));
    assert!(
        path.is_file(),
        "the desktop app is not built at {}: run `cargo build -p hangar-desktop` (make test does)",
        path.display()
    );
    path
}

fn find_tool(env_var: &str, candidates: &[PathBuf], name: &str, install_hint: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(env_var) {
        return PathBuf::from(path);
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    candidates
        .iter()
        .cloned()
        .chain(on_path)
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("`{name}` not found ({install_hint}); or set {env_var}"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A child process that is killed when dropped.
struct Guard(Child, &'static str);

impl Drop for Guard {
    /// Asks the process to end (so Xvfb removes its lock file and socket), then kills it
    /// if it has not ended within two seconds.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .stderr(Stdio::null())
            .status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(2) {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts Xvfb on a display number it picks itself (`-displayfd`), so parallel runs and
/// stale lock files from killed servers never collide, and returns the display.
fn start_xvfb() -> (Guard, String) {
    let xvfb = find_tool("XVFB", &[], "Xvfb", "apt-get install xvfb");
    let mut child = Command::new(&xvfb)
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            // Room for the largest window size the screenshots are taken at.
            "1920x1080x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start Xvfb");
    let stdout = child.stdout.take().expect("Xvfb's stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line);
        let _ = tx.send(line);
    });
    let guard = Guard(child, "Xvfb");
    match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(line) if !line.trim().is_empty() => (guard, format!(":{}", line.trim())),
        _ => panic!("Xvfb did not report a display within 20 s"),
    }
}

/// A running app under WebDriver.
pub struct GuiSession {
    pub client: Client,
    /// When the WebDriver session that launched the app was requested.
    pub requested_at: Instant,
    display: String,
    // Dropped in this order: driver (with the app), then the display.
    _driver: Guard,
    _display: Guard,
    _home: tempfile::TempDir,
}

impl GuiSession {
    /// Opens the real app in a fresh display with an empty, private config and data dir.
    pub async fn start() -> GuiSession {
        Self::start_with_env(&[]).await
    }

    /// Like [`GuiSession::start`], with extra environment variables for the app.
    pub async fn start_with_env(env: &[(&str, &str)]) -> GuiSession {
        Self::start_app(&app_binary(), env).await
    }

    /// Like [`GuiSession::start_with_env`], with the app binary at `app` (e.g. the one
    /// unpacked from a release bundle) instead of `HANGAR_APP_BINARY` or the debug build.
    pub async fn start_app(app: &Path, env: &[(&str, &str)]) -> GuiSession {
        let root = repo_root();
        let tauri_driver = find_tool(
            "TAURI_DRIVER",
            &[target_dir().join("tools/bin/tauri-driver")],
            "tauri-driver",
            "cargo install tauri-driver --locked",
        );
        let native = find_tool(
            "WEBKIT_WEBDRIVER",
            &[PathBuf::from("/usr/bin/WebKitWebDriver")],
            "WebKitWebDriver",
            "apt-get install webkit2gtk-driver",
        );
        let (display_guard, display) = start_xvfb();
        let display_for_driver = display.clone();
        let home = tempfile::tempdir().expect("temp home");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app }),
        );
        caps.insert("browserName".into(), "wry".into());
        // The ports are free when picked, but another process can take one before
        // tauri-driver or WebKitWebDriver listens on it ("Unable to listen for HTTP server").
        // Then the session cannot open: start over on fresh ports, a few times.
        let mut attempts = 0;
        let (client, requested_at, driver_guard) = loop {
            attempts += 1;
            let (port, native_port) = (free_port(), free_port());
            let mut driver = Command::new(&tauri_driver);
            driver
                .args([
                    "--port",
                    &port.to_string(),
                    "--native-port",
                    &native_port.to_string(),
                ])
                .arg("--native-driver")
                .arg(&native)
                .current_dir(&root)
                .env("DISPLAY", &display_for_driver)
                .env("XDG_CONFIG_HOME", home.path().join("config"))
                .env("XDG_DATA_HOME", home.path().join("data"))
                .env("XDG_CACHE_HOME", home.path().join("cache"))
                .env("HANGAR_CONFIG_DIR", home.path().join("config/hangar"))
                // Xvfb has no GPU: WebKit's DMA-BUF renderer and compositing need one.
                .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
                .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
                .stdout(Stdio::null())
                .stderr(Stdio::inherit());
            for (k, v) in env {
                driver.env(k, v);
            }
            let mut guard = Guard(driver.spawn().expect("start tauri-driver"), "tauri-driver");
            let url = format!("http://127.0.0.1:{port}");
            let started = Instant::now();
            let outcome = loop {
                let attempt = Instant::now();
                match ClientBuilder::new(HttpConnector::new())
                    .capabilities(caps.clone())
                    .connect(&url)
                    .await
                {
                    Ok(client) => break Ok((client, attempt)),
                    // tauri-driver exited (e.g. its port was taken): no point waiting.
                    Err(e) if guard.0.try_wait().ok().flatten().is_some() => break Err(e),
                    // tauri-driver takes a moment to listen.
                    Err(_) if started.elapsed() < SESSION_WAIT => {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                    Err(e) => break Err(e),
                }
            };
            match outcome {
                Ok((client, at)) => break (client, at, guard),
                Err(e) if attempts < SESSION_ATTEMPTS => {
                    eprintln!(
                        "e2e: no WebDriver session on ports {port}/{native_port} ({e}); retrying on fresh ports"
                    );
                    drop(guard);
                }
                Err(e) => panic!(
                    "could not open a WebDriver session on the app after {attempts} attempts: {e}"
                ),
            }
        };
        // The flows read every column of the machine table, which shows them all at the
        // display's full size; the smaller sizes are the layout test's (gui/layout.rs).
        client
            .set_window_rect(0, 0, 1920, 1080)
            .await
            .expect("size the window to the display");
        GuiSession {
            client,
            requested_at,
            display,
            _driver: driver_guard,
            _display: display_guard,
            _home: home,
        }
    }

    /// The X display the app runs on.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// The app's private settings directory (`HANGAR_CONFIG_DIR`).
    pub fn config_dir(&self) -> PathBuf {
        self._home.path().join("config/hangar")
    }

    /// Waits for an element matching `css` to be present and returns it.
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element matches `{css}` after {WAIT:?}: {e}"))
    }

    /// Clicks the element matching `css` once it is present.
    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click `{css}`: {e}"));
    }

    /// Replaces the text of the input matching `css` by typing.
    pub async fn type_into(&self, css: &str, text: &str) {
        let input = self.find(css).await;
        input.clear().await.expect("clear the input");
        input.send_keys(text).await.expect("type into the input");
    }

    /// Runs `js` in the page and returns what it returns.
    pub async fn script(&self, js: &str) -> serde_json::Value {
        self.client
            .execute(js, vec![])
            .await
            .unwrap_or_else(|e| panic!("run a script: {e}"))
    }

    /// Whether the element matching `css` (which must exist) is disabled.
    pub async fn is_disabled(&self, css: &str) -> bool {
        let v = self
            .client
            .execute(
                "return document.querySelector(arguments[0]).disabled;",
                vec![css.into()],
            )
            .await
            .expect("read disabled");
        v.as_bool()
            .unwrap_or_else(|| panic!("`{css}` is missing or has no `disabled`"))
    }

    /// Dismisses the toasts, which may lie over buttons as they would for a user.
    pub async fn dismiss_toasts(&self) {
        self.script(
            "document.querySelectorAll('[data-testid=toast] button').forEach(b => b.click());",
        )
        .await;
    }

    /// Waits until the element matching `css` has non-empty text, and returns the text.
    pub async fn text_of(&self, css: &str) -> String {
        let started = Instant::now();
        loop {
            let text = self.find(css).await.text().await.unwrap_or_default();
            if !text.trim().is_empty() {
                return text;
            }
            assert!(
                started.elapsed() < WAIT,
                "`{css}` stayed empty for {WAIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a PNG of the display to `target/e2e-screenshots/<name>.png` and returns its
    /// path. The display is the size of the window, so the picture is the window.
    ///
    /// It captures the X display with ImageMagick's `import`: WebKitWebDriver's own
    /// screenshot command sometimes never answers under Xvfb.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        // Let the last interaction paint before capturing.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("create the screenshot dir");
        let path = dir.join(format!("{name}.png"));
        // The display is larger than the window: keep only the window.
        let (x, y, w, h) = self.client.get_window_rect().await.expect("window rect");
        let status = Command::new("import")
            .args(["-window", "root", "-crop"])
            .arg(format!("{w}x{h}+{x}+{y}"))
            .arg("+repage")
            .arg(&path)
            .env("DISPLAY", &self.display)
            .status()
            .expect("run `import` (apt-get install imagemagick)");
        assert!(
            status.success(),
            "`import` failed to capture {}",
            self.display
        );
        let png = std::fs::read(&path).expect("read the screenshot");
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
        path
    }

    /// [`screenshot`](Self::screenshot)s of the current screen at 1024×700, 1280×800 and
    /// 1920×1080, in the light and the dark theme: `<name>-<w>x<h>-<theme>.png`. The window
    /// and the theme are put back afterwards.
    pub async fn screenshots_at_sizes(&self, name: &str) {
        let (x, y, w, h) = self.client.get_window_rect().await.expect("window rect");
        let theme = self
            .client
            .execute(
                "return document.documentElement.dataset.theme || '';",
                vec![],
            )
            .await
            .expect("read the theme");
        for (width, height) in [(1024u32, 700u32), (1280, 800), (1920, 1080)] {
            self.client
                .set_window_rect(0, 0, width, height)
                .await
                .expect("resize the window");
            for t in ["light", "dark"] {
                self.client
                    .execute(
                        "document.documentElement.dataset.theme = arguments[0];",
                        vec![t.into()],
                    )
                    .await
                    .expect("set the theme");
                self.screenshot(&format!("{name}-{width}x{height}-{t}"))
                    .await;
            }
        }
        self.client
            .execute(
                "const t = arguments[0]; if (t) document.documentElement.dataset.theme = t; \
                 else delete document.documentElement.dataset.theme;",
                vec![theme],
            )
            .await
            .expect("restore the theme");
        self.client
            .set_window_rect(x as u32, y as u32, w as u32, h as u32)
            .await
            .expect("restore the window");
    }

    /// Ends the WebDriver session, closing the app.
    pub async fn close(self) {
        let GuiSession { client, .. } = self;
        let _ = client.close().await;
    }
}
