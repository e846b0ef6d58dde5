//! The CLI over Hangar's own settings with several accounts: `--account NAME` and
//! `HANGAR_ACCOUNT` choose one, `--all-accounts` runs on all of them at once (a hanging
//! account does not hold up the others), and `create --wait-for-cloud-init` waits for the
//! machine's cloud-init as the app does.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use hangar_emulator::{EmulatedProvider, Emulator, EmulatorConfig, Seed};
use serde_json::Value;

const SESSION: &str = "0badcafe";

struct Fixture {
    emulator: Emulator,
    dir: tempfile::TempDir,
    /// A server that accepts connections and never answers.
    _hang: tokio::task::JoinHandle<()>,
    hang_url: String,
}

/// An address that accepts TCP connections and never sends a byte back.
async fn hanging_server() -> (tokio::task::JoinHandle<()>, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (task, url)
}

impl Fixture {
    async fn start() -> Fixture {
        let emulator = Emulator::start(EmulatorConfig {
            seed: Seed::builtin(),
            ip_delay: Duration::from_millis(200),
            boot_delay: Duration::from_millis(1000),
            ..EmulatorConfig::default()
        })
        .await
        .unwrap();
        let (hang, hang_url) = hanging_server().await;
        let f = Fixture {
            emulator,
            dir: tempfile::tempdir().unwrap(),
            _hang: hang,
            hang_url,
        };
        f.write_settings(true);
        f
    }

    fn settings_dir(&self) -> PathBuf {
        self.dir.path().join("hangar")
    }

    /// Three accounts: `Ocean` (DigitalOcean), `Vultr`, and, with `stuck`, `Stuck` whose API
    /// never answers.
    fn write_settings(&self, stuck: bool) {
        let e = &self.emulator;
        let proxy = e.status_proxy_url();
        let mut text = format!(
            "version: 1\nsession_id: {SESSION}\nmachine_types:\n  web:\n    new_user_name: deploy\naccounts:\n\
             - id: a-ocean\n  label: Ocean\n  provider: digitalocean\n  secret: {{ source: env, var: T_OCEAN }}\n  base_url: {}\n  status_proxy: {proxy}\n  defaults:\n    region: nyc3\n    size: s-1vcpu-1gb\n    image: ubuntu-24-04-x64\n    dns_zone: example.com\n    ssh_keys: [hangar-demo]\n\
             - id: a-vultr\n  label: Vultr\n  provider: vultr\n  secret: {{ source: env, var: T_VULTR }}\n  base_url: {}\n  status_proxy: {proxy}\n  defaults:\n    region: ewr\n    size: vc2-1c-1gb\n    image: \"2284\"\n    dns_zone: example.net\n    ssh_keys: [hangar-demo]\n",
            e.base_url(EmulatedProvider::DigitalOcean),
            e.base_url(EmulatedProvider::Vultr),
        );
        if stuck {
            text.push_str(&format!(
                "- id: a-stuck\n  label: Stuck\n  provider: digitalocean\n  secret: {{ source: env, var: T_OCEAN }}\n  base_url: {}\n",
                self.hang_url
            ));
        }
        std::fs::create_dir_all(self.settings_dir()).unwrap();
        std::fs::write(self.settings_dir().join("settings.yml"), text).unwrap();
    }

    fn command(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hangar"));
        cmd.args(args)
            .env("HOME", self.dir.path())
            .env("HANGAR_CONFIG_DIR", self.settings_dir())
            .env_remove("HANGAR_ACCOUNT")
            .env(
                "T_OCEAN",
                self.emulator.token(EmulatedProvider::DigitalOcean),
            )
            .env("T_VULTR", self.emulator.token(EmulatedProvider::Vultr))
            .stdin(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd
    }

    async fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = self.command(args, env);
        tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap()
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}\n{}", stdout(o), stderr(o));
    stdout(o)
}

fn json(o: &Output) -> Value {
    serde_json::from_str(&ok(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

fn fails_with(o: &Output, needle: &str) {
    assert_eq!(o.status.code(), Some(1), "{}\n{}", stdout(o), stderr(o));
    assert!(
        stderr(o).contains(needle),
        "expected `{needle}` in {}",
        stderr(o)
    );
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_is_chosen_by_flag_or_variable_and_all_accounts_stream() {
    let f = Fixture::start().await;

    // --account by label (any case) and HANGAR_ACCOUNT choose where a machine is created.
    let o = f
        .run(
            &[
                "--account",
                "ocean",
                "--quiet",
                "create",
                "-n",
                "sea-1",
                "--no-initialize",
            ],
            &[],
        )
        .await;
    let sea_id = ok(&o).trim().to_owned();
    let o = f
        .run(
            &["--quiet", "create", "-n", "vul-1", "--no-initialize"],
            &[("HANGAR_ACCOUNT", "Vultr")],
        )
        .await;
    let vul_id = ok(&o).trim().to_owned();
    assert!(!sea_id.is_empty() && !vul_id.is_empty());

    // Each account lists only its own machine; by id works as well as by label.
    assert_eq!(
        ok(&f.run(&["--account", "Ocean", "list", "-q"], &[]).await).trim(),
        sea_id
    );
    assert_eq!(
        names(&json(
            &f.run(&["--account", "a-vultr", "list", "-o", "json"], &[])
                .await
        )),
        ["vul-1"]
    );
    // The flag wins over the variable.
    let o = f
        .run(
            &["--account", "Ocean", "list", "-q"],
            &[("HANGAR_ACCOUNT", "Vultr")],
        )
        .await;
    assert_eq!(ok(&o).trim(), sea_id);
    // Without either, the first account, as before.
    assert_eq!(ok(&f.run(&["list", "-q"], &[]).await).trim(), sea_id);

    fails_with(
        &f.run(&["--account", "Nope", "list"], &[]).await,
        "no account is called `Nope`",
    );
    fails_with(
        &f.run(&["--account", "Ocean", "list", "--all-accounts"], &[])
            .await,
        "leave out --account",
    );

    // --all-accounts while `Stuck` never answers: the other two accounts' lines arrive at
    // once, and the command is still waiting for `Stuck`.
    let mut child = f
        .command(&["list", "--all-accounts"], &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let (tx, rx) = mpsc::channel();
    let reader = BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || {
        for line in reader.lines().map_while(Result::ok) {
            if tx.send((line, started.elapsed())).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    while lines.len() < 2 {
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(line) => lines.push(line),
            Err(e) => panic!("only {lines:?} after 20 s: {e}"),
        }
    }
    let still_waiting = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    let _ = child.wait();
    let mut texts: Vec<&str> = lines.iter().map(|(l, _)| l.as_str()).collect();
    texts.sort();
    assert!(texts[0].starts_with("[Ocean] sea-1 ("), "{texts:?}");
    assert!(texts[1].starts_with("[Vultr] vul-1 ("), "{texts:?}");
    for (line, at) in &lines {
        assert!(*at < Duration::from_secs(1), "`{line}` came after {at:?}");
    }
    assert!(still_waiting, "the hanging account should still be pending");

    // Without the hanging account: JSON across accounts names each machine's account, and
    // domains and list-domain cover every account.
    f.write_settings(false);
    let v = json(&f.run(&["list", "--all-accounts", "-o", "json"], &[]).await);
    let mut got: Vec<(String, String)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["account"].as_str().unwrap().into(),
                m["name"].as_str().unwrap().into(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("Ocean".into(), "sea-1".into()),
            ("Vultr".into(), "vul-1".into())
        ]
    );
    let zones = ok(&f.run(&["domains", "--all-accounts"], &[]).await);
    assert!(zones.lines().any(|l| l == "[Ocean] example.com"), "{zones}");
    assert!(zones.lines().any(|l| l == "[Vultr] example.net"), "{zones}");
    let v = json(
        &f.run(&["status", "--all-accounts", "-o", "json"], &[])
            .await,
    );
    assert_eq!(v.as_array().unwrap().len(), 2, "{v}");
    // A zone only Vultr hosts: the other account is skipped, not an error.
    let o = f
        .run(
            &[
                "list-domain",
                "--all-accounts",
                "--all",
                "-m",
                "*",
                "example.net",
            ],
            &[],
        )
        .await;
    let text = ok(&o);
    assert!(text.lines().all(|l| l.starts_with("[Vultr] ")), "{text}");
    fails_with(
        &f.run(&["list-domain", "--all-accounts", "nowhere.test"], &[])
            .await,
        "no account hosts the zone nowhere.test",
    );

    // A failing account is reported by name, the others still print, and the exit status
    // says something failed.
    std::fs::write(
        f.settings_dir().join("settings.yml"),
        std::fs::read_to_string(f.settings_dir().join("settings.yml"))
            .unwrap()
            .replace("var: T_VULTR", "var: T_MISSING"),
    )
    .unwrap();
    let o = f.run(&["list", "--all-accounts", "-q"], &[]).await;
    assert_eq!(stdout(&o).trim(), sea_id);
    fails_with(&o, "1 of 2 accounts failed: Vultr");
    assert!(stderr(&o).contains("Error: Vultr: "), "{}", stderr(&o));
    f.emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_waits_for_cloud_init_when_asked() {
    let f = Fixture::start().await;
    f.write_settings(false);
    for account in ["Ocean", "Vultr"] {
        let name = format!("ci-{}", account.to_lowercase());
        let o = f
            .run(
                &[
                    "--account",
                    account,
                    "create",
                    "-n",
                    &name,
                    "-m",
                    "web",
                    "--wait-for-cloud-init",
                    "-o",
                    "json",
                ],
                &[],
            )
            .await;
        let v = json(&o);
        assert_eq!(v["name"], name.as_str());
        assert_eq!(v["cloud-init"]["state"], "done", "{v}");
        assert_eq!(v["cloud-init"]["status"], "done", "{v}");
        // The status command sees the same machine as done.
        let s = json(
            &f.run(
                &["--account", account, "status", "-n", &name, "-o", "json"],
                &[],
            )
            .await,
        );
        assert_eq!(s[0]["cloud-init-status"], "done", "{s}");
    }
    // Text output, with progress on stderr.
    let o = f
        .run(
            &[
                "--account",
                "Ocean",
                "create",
                "-n",
                "ci-text",
                "-m",
                "web",
                "--wait-for-cloud-init",
            ],
            &[],
        )
        .await;
    let text = ok(&o);
    assert!(text.lines().any(|l| l == "cloud-init done"), "{text}");
    assert!(stderr(&o).contains("Cloud-init: "), "{}", stderr(&o));
    // Without the flag, no wait and no cloud-init field.
    let v = json(
        &f.run(
            &[
                "--account",
                "Ocean",
                "create",
                "-n",
                "ci-none",
                "-m",
                "web",
                "-o",
                "json",
            ],
            &[],
        )
        .await,
    );
    assert!(v.get("cloud-init").is_none(), "{v}");
    f.emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_commands_leave_a_commented_settings_file_as_written() {
    let f = Fixture::start().await;
    let path = f.settings_dir().join("settings.yml");
    // The user's own comments, and no session id yet: the first run adds one line.
    let written = std::fs::read_to_string(&path).unwrap();
    let commented = format!(
        "# my accounts (keep this note)\n{}",
        written
            .replace(&format!("session_id: {SESSION}\n"), "")
            .replace("accounts:\n", "accounts: # work and play\n")
    );
    std::fs::write(&path, &commented).unwrap();
    ok(&f.run(&["domains", "--account", "Ocean"], &[]).await);
    let after_first = std::fs::read_to_string(&path).unwrap();
    assert!(
        after_first.starts_with(&commented)
            && after_first.lines().count() == commented.lines().count() + 1,
        "the first run may only add the session id line:\n{after_first}"
    );
    assert!(after_first.ends_with("'\n") && after_first.contains("\nsession_id: '"));
    for args in [
        &["domains", "--account", "Ocean"][..],
        &["list", "--account", "Vultr", "-o", "json"],
        &["list-domain", "--account", "Vultr", "example.net"],
        &["types"],
        &["ssh-keys", "--account", "Ocean"],
    ] {
        ok(&f.run(args, &[]).await);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            after_first,
            "`hangar {}` changed the settings file",
            args.join(" ")
        );
    }
}
