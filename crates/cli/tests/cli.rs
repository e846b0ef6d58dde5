//! The real `hangar` and `machine` binaries against the emulator (started in this process),
//! configured by a `machine`-style config file, for both providers.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use assert_cmd::assert::OutputAssertExt;
use hangar_emulator::{EmulatedProvider, Emulator, EmulatorConfig, Seed, SshKeySeed};
use serde_json::Value;

const SECOND_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMcz3KwdFtlgx88RA8G0L91LOjkSbQD/FAmT+02/i3LR second@example";

struct Setup {
    emulator: Emulator,
    kind: EmulatedProvider,
    dir: tempfile::TempDir,
}

struct Values {
    region: &'static str,
    size: &'static str,
    image: &'static str,
    zone: &'static str,
}

impl Setup {
    async fn start(kind: EmulatedProvider) -> Setup {
        let mut seed = Seed::builtin();
        let second = SshKeySeed {
            name: "second".into(),
            public_key: SECOND_KEY.into(),
        };
        seed.add_ssh_key(&second);
        let emulator = Emulator::start(EmulatorConfig {
            seed,
            ip_delay: Duration::from_millis(200),
            ..EmulatorConfig::default()
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        // `machine`'s session file is in its config directory, whatever `--config-file` says.
        let machine_dir = dir.path().join(".config/machine");
        std::fs::create_dir_all(&machine_dir).unwrap();
        std::fs::write(machine_dir.join("session-id.yml"), "id: 0123abcd\n").unwrap();
        let s = Setup {
            emulator,
            kind,
            dir,
        };
        s.write_config("config.yml", &s.emulator.token(kind), &[]);
        s
    }

    fn values(&self) -> Values {
        let sample = self.kind.sample();
        Values {
            region: sample.region,
            size: sample.size,
            image: sample.image,
            zone: sample.zone,
        }
    }

    /// A client of the emulated account, as the CLI makes one.
    fn client(&self) -> std::sync::Arc<dyn hangar::provider::CloudProvider> {
        hangar::providers::connect(
            self.provider(),
            &hangar::secrets::Token::from(self.emulator.token(self.kind)),
            Some(&self.emulator.base_url(self.kind)),
            Default::default(),
        )
        .unwrap()
    }

    /// The core's provider for the emulated one (the same slug).
    fn provider(&self) -> hangar::provider::ProviderKind {
        hangar::provider::ProviderKind::from_slug(self.kind.name())
            .expect("a client for every emulated provider")
    }

    /// Writes a config; `overrides` replace `key: value` lines of the provider section.
    fn write_config(&self, file: &str, token: &str, overrides: &[(&str, &str)]) -> PathBuf {
        let v = self.values();
        let about = self.provider().about();
        let (section, token_key) = (about.config_section, about.config_key);
        let mut entries: Vec<(String, String)> = vec![
            (token_key.into(), token.into()),
            ("base-url".into(), self.emulator.base_url(self.kind)),
            ("ssh-key".into(), "[hangar-demo, second]".into()),
            ("dns-zone".into(), v.zone.into()),
            ("machine-size".into(), v.size.into()),
            ("image".into(), format!("\"{}\"", v.image)),
            ("region".into(), v.region.into()),
        ];
        if self.provider().about().projects {
            entries.push(("project".into(), "Default".into()));
        }
        for (k, val) in overrides {
            entries.retain(|(key, _)| key != k);
            if !val.is_empty() {
                entries.push((k.to_string(), val.to_string()));
            }
        }
        let mut text = format!("provider: {section}\n{section}:\n");
        for (k, val) in entries {
            text.push_str(&format!("  {k}: {val}\n"));
        }
        text.push_str("machines:\n  web:\n    new-user-name: deploy\n");
        let path = self.dir.path().join(file);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("config.yml")
    }

    /// Runs `bin` with `--config-file <config>` and `args`, feeding `stdin`.
    async fn run_with(&self, bin: &str, config: &PathBuf, args: &[&str], stdin: &str) -> Output {
        self.run_env(bin, config, args, stdin, &[]).await
    }

    async fn run_env(
        &self,
        bin: &str,
        config: &PathBuf,
        args: &[&str],
        stdin: &str,
        env: &[(&str, String)],
    ) -> Output {
        let exe = match bin {
            "machine" => env!("CARGO_BIN_EXE_machine"),
            _ => env!("CARGO_BIN_EXE_hangar"),
        };
        let mut cmd = Command::new(exe);
        cmd.arg("--config-file")
            .arg(config)
            .args(args)
            .env("HOME", self.dir.path())
            .env("HANGAR_CONFIG_DIR", self.dir.path().join("hangar"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let stdin = stdin.to_string();
        tokio::task::spawn_blocking(move || {
            let mut child = cmd.spawn().unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(stdin.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        })
        .await
        .unwrap()
    }

    async fn run(&self, args: &[&str]) -> Output {
        self.run_with("hangar", &self.config(), args, "").await
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts a clean failure: non-zero status, an `Error:` line mentioning `needle`, no panic.
fn fails_with(o: Output, needle: &str) {
    let err = stderr(&o);
    assert!(err.contains("Error: "), "{err}");
    assert!(err.contains(needle), "expected `{needle}` in: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    o.assert().failure().code(1);
}

fn json(o: &Output) -> Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_works_against_the_emulator() {
    for kind in EmulatedProvider::ALL {
        let s = Setup::start(kind).await;
        let v = s.values();

        // create, text
        let o = s
            .run(&[
                "create",
                "-n",
                "app-1",
                "-m",
                "web",
                "-t",
                "team-a",
                "--no-progress",
            ])
            .await;
        let (text, info) = (stdout(&o), stderr(&o));
        o.assert().success();
        // As `machine`: the id on stdout, the IP and DNS lines on stderr.
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1, "{text}");
        assert!(
            lines[0].starts_with("New machine created with id: "),
            "{text}"
        );
        let info: Vec<&str> = info.lines().collect();
        assert!(info[0].starts_with("IP Address: "), "{info:?}");
        assert_eq!(info[1], format!("DNS: app-1.{}", v.zone), "{info:?}");
        let id = lines[0].rsplit(' ').next().unwrap().to_string();
        let ip = info[0].rsplit(' ').next().unwrap().to_string();

        // create, json and quiet
        let o = s
            .run(&["create", "-n", "app-2", "-m", "web", "-o", "json"])
            .await;
        o.clone().assert().success();
        let j = json(&o);
        assert_eq!(j["name"], "app-2");
        assert_eq!(j["type"], "web");
        assert_eq!(j["region"], v.region);
        assert!(j["ip"].is_string() && j["id"].is_string());
        assert!(
            j["tags"]
                .as_array()
                .unwrap()
                .contains(&Value::from("machine:session:0123abcd"))
        );
        let o = s
            .run(&[
                "--quiet",
                "create",
                "-n",
                "app-3",
                "--no-initialize",
                "--no-update-dns",
            ])
            .await;
        o.clone().assert().success();
        let id3 = stdout(&o).trim().to_string();
        assert!(!id3.is_empty() && !id3.contains(' '), "{id3}");

        // list: text, json, quiet, id filter, unique, all
        let o = s.run(&["list", "-n", "app-1"]).await;
        assert_eq!(
            stdout(&o).trim(),
            format!("app-1 ({id}, {}, web): {ip}", v.region)
        );
        let o = s.run(&["list", "-o", "json"]).await;
        assert_eq!(json(&o).as_array().unwrap().len(), 3);
        let o = s.run(&["list", "-q", "--id", &id]).await;
        assert_eq!(stdout(&o).trim(), id);
        fails_with(
            s.run(&["list", "-m", "web", "--unique"]).await,
            "at most one",
        );
        let o = s
            .run(&["list", "-n", "no-such-machine", "--unique", "-q"])
            .await;
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).is_empty());
        let o = s.run(&["list", "--all", "-q"]).await;
        assert_eq!(stdout(&o).lines().count(), 5, "{}", stdout(&o));

        // status
        let o = s
            .run(&["status", "--id", &id, "-o", "json", "--status-port", "9"])
            .await;
        o.clone().assert().success();
        let j = json(&o);
        assert_eq!(j[0]["name"], "app-1");
        assert_eq!(j[0]["machine-status"], "active");
        assert_eq!(j[0]["cloud-init-status"], "UNKNOWN");
        let o = s
            .run(&[
                "status",
                "-n",
                "app-1",
                "--status-check",
                "ready",
                "--status-port",
                "9",
            ])
            .await;
        assert!(
            stdout(&o).contains("machine-status=active\tready=UNKNOWN"),
            "{}",
            stdout(&o)
        );

        // list-domain
        let o = s.run(&["list-domain"]).await;
        let t = stdout(&o);
        assert!(t.lines().any(|l| l == format!("app-1\tA\t{ip}")), "{t}");
        assert!(!t.contains("www"), "{t}");
        let o = s
            .run(&["list-domain", v.zone, "-o", "json", "-n", "app-1"])
            .await;
        let j = json(&o);
        assert_eq!(j[0]["fqdn"], format!("app-1.{}", v.zone));
        assert_eq!(j[0]["machine"]["id"], id.as_str());
        assert_eq!(j[0]["ttl"], 300);
        let o = s.run(&["list-domain", "--all", "-m", "*", "-q"]).await;
        assert!(stdout(&o).lines().any(|l| l == "www"), "{}", stdout(&o));

        // Without base-url in the file, the environment variable points at the emulator.
        let no_url = s.write_config("no-url.yml", &s.emulator.token(kind), &[("base-url", "")]);
        let var = format!("HANGAR_{}_API_URL", kind.name().to_uppercase());
        let o = s
            .run_env(
                "hangar",
                &no_url,
                &["domains"],
                "",
                &[(var.as_str(), s.emulator.base_url(kind))],
            )
            .await;
        assert_eq!(stdout(&o).trim(), v.zone, "{}", stderr(&o));

        // domains, ssh-keys, projects, types, check, info, version
        assert_eq!(stdout(&s.run(&["domains"]).await).trim(), v.zone);
        assert_eq!(
            json(&s.run(&["domains", "-o", "json"]).await),
            serde_json::json!([v.zone])
        );
        let keys = stdout(&s.run(&["ssh-keys"]).await);
        assert!(keys.lines().any(|l| l.contains(": second (")), "{keys}");
        if s.provider().about().projects {
            assert_eq!(stdout(&s.run(&["projects"]).await).trim(), "Default")
        } else {
            fails_with(
                s.run(&["projects"]).await,
                &format!("{} does not support projects", s.provider()),
            )
        }
        assert_eq!(
            json(&s.run(&["types", "-o", "json"]).await),
            serde_json::json!(["web"])
        );
        let o = s.run(&["check"]).await;
        let t = stdout(&o);
        o.assert().success();
        assert!(
            t.contains("  PASS: API authentication\n") && t.contains("  PASS: SSH key (second)"),
            "{t}"
        );
        assert!(t.ends_with("\nAll checks passed.\n"), "{t}");
        let o = s.run(&["info"]).await;
        assert!(
            stdout(&o).contains("Session ID: 0123abcd"),
            "{}",
            stdout(&o)
        );
        // version needs no configuration at all
        let o = s
            .run_with(
                "machine",
                &s.dir.path().join("absent.yml"),
                &["version"],
                "",
            )
            .await;
        assert_eq!(stdout(&o).trim(), env!("CARGO_PKG_VERSION"));

        // destroy: wrong confirmation, then YES, then --no-confirm (with the `machine` binary)
        fails_with(
            s.run_with("hangar", &s.config(), &["destroy", &id], "yes\n")
                .await,
            "not confirmed",
        );
        assert!(stdout(&s.run(&["list", "-q"]).await).contains(&id));
        let o = s
            .run_with("hangar", &s.config(), &["destroy", &id], "YES\n")
            .await;
        assert!(stdout(&o).contains("Type YES"), "{}", stdout(&o));
        o.assert().success();
        let o = s
            .run_with(
                "machine",
                &s.config(),
                &["--verbose", "destroy", "--no-confirm", &id3],
                "",
            )
            .await;
        assert!(
            stderr(&o).contains(&format!("Destroyed machine {id3}")),
            "{}",
            stderr(&o)
        );
        o.assert().success();
        let left = stdout(&s.run(&["list", "-q"]).await);
        assert!(!left.contains(&id) && !left.contains(&id3), "{left}");
        let o = s.run(&["list-domain", "-n", "app-1", "--all"]).await;
        assert!(
            !stdout(&o).contains(&ip),
            "record of app-1 deleted: {}",
            stdout(&o)
        );
        s.emulator.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_clear_errors() {
    for kind in EmulatedProvider::ALL {
        let s = Setup::start(kind).await;

        let bad = s.write_config("bad-token.yml", "not-the-token-0123456789", &[]);
        let o = s.run_with("hangar", &bad, &["list"], "").await;
        assert!(!stderr(&o).contains("not-the-token"), "{}", stderr(&o));
        fails_with(o, "rejected the credentials: check the token");
        let o = s
            .run_with("hangar", &bad, &["--debug", "ssh-keys"], "")
            .await;
        assert!(stderr(&o).contains("Debug: Auth"), "{}", stderr(&o));
        assert!(!stderr(&o).contains("not-the-token"), "{}", stderr(&o));
        fails_with(o, "check the token");
        let o = s.run_with("hangar", &bad, &["check"], "").await;
        let t = stdout(&o);
        assert!(
            t.contains("  FAIL: API authentication (") && t.contains("skipping remaining checks"),
            "{t}"
        );
        fails_with(o, "check the token");
        let no_zone_key = s.write_config(
            "bad-values.yml",
            &s.emulator.token(kind),
            &[("ssh-key", "nope"), ("dns-zone", "")],
        );
        let o = s.run_with("hangar", &no_zone_key, &["check"], "").await;
        let t = stdout(&o);
        assert!(
            t.contains("  FAIL: SSH key (nope)") && t.contains("  SKIP: DNS zone (not configured)"),
            "{t}"
        );
        assert!(t.ends_with("\nSome checks failed.\n"), "{t}");
        fails_with(o, "checks failed");

        let no_key = s.write_config(
            "no-key.yml",
            &s.emulator.token(kind),
            &[("ssh-key", "nope")],
        );
        fails_with(
            s.run_with("hangar", &no_key, &["create", "-n", "x", "-m", "web"], "")
                .await,
            "SSH key `nope` does not exist",
        );
        let no_zone = s.write_config(
            "no-zone.yml",
            &s.emulator.token(kind),
            &[("dns-zone", "unknown.zone")],
        );
        fails_with(
            s.run_with("hangar", &no_zone, &["create", "-n", "x", "-m", "web"], "")
                .await,
            "DNS zone `unknown.zone` not found; zones: ",
        );
        fails_with(
            s.run(&["create", "-n", "x", "-m", "web", "-r", "atlantis"])
                .await,
            "region `atlantis`",
        );
        // (Where a catalog offers every plan in every region, there is nothing to refuse.)
        if let Some((size, region)) = find_size_not_in_region(&s).await {
            fails_with(
                s.run(&["create", "-n", "x", "-m", "web", "-s", &size, "-r", &region])
                    .await,
                &format!("size `{size}` is not offered in region `{region}`"),
            );
        }
        fails_with(
            s.run(&["create", "-n", "x"]).await,
            "machine type is required",
        );
        fails_with(
            s.run(&["create", "-n", "x", "-o", "yaml"]).await,
            "unknown output format",
        );

        // Refused: a machine of another session, and one not created by machine.
        let all = stdout(&s.run(&["list", "--all"]).await);
        let foreign_id = |name: &str| {
            all.lines()
                .find(|l| l.starts_with(&format!("{name} (")))
                .and_then(|l| l.split(['(', ',']).nth(1))
                .unwrap()
                .to_string()
        };
        fails_with(
            s.run(&["destroy", "--no-confirm", &foreign_id("web-1")])
                .await,
            "belongs to another session",
        );
        fails_with(
            s.run(&["destroy", "--no-confirm", &foreign_id("legacy-db")])
                .await,
            "not created by Hangar or machine",
        );
        fails_with(
            s.run(&["destroy", "--no-confirm", "12345678"]).await,
            "does not exist",
        );
        assert_eq!(
            stdout(&s.run(&["list", "--all", "-q"]).await)
                .lines()
                .count(),
            2
        );

        // Usage errors come from the parser with status 2.
        let o = s.run(&["create"]).await;
        assert!(stderr(&o).contains("--name"), "{}", stderr(&o));
        o.assert().failure().code(2);
        s.emulator.shutdown().await;
    }
}

/// How the emulated provider resizes.
fn resize_rules(s: &Setup) -> hangar::provider::ResizeRules {
    hangar::provider::resize_of(s.client().as_ref())
        .expect("a provider that resizes")
        .resize_rules()
}

/// A plan and an available region that does not offer it, where the catalog has one.
async fn find_size_not_in_region(s: &Setup) -> Option<(String, String)> {
    let p = s.client();
    let sizes = p.sizes().await.unwrap();
    let regions = p.regions().await.unwrap();
    sizes.iter().find_map(|z| {
        regions
            .iter()
            .find(|r| r.available && !z.regions.contains(&r.slug))
            .map(|r| (z.slug.clone(), r.slug.clone()))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_from_variables_session_override_and_hangar_settings() {
    for kind in EmulatedProvider::ALL {
        let s = Setup::start(kind).await;
        let v = s.values();
        let token_var = [("HANGAR_TEST_TOKEN", s.emulator.token(kind))];

        // `${VAR}` token in a machine-style file.
        let cfg = s.write_config("var-token.yml", "${HANGAR_TEST_TOKEN}", &[]);
        let o = s
            .run_env("hangar", &cfg, &["domains"], "", &token_var)
            .await;
        assert_eq!(stdout(&o).trim(), v.zone, "{}", stderr(&o));
        fails_with(
            s.run_env("hangar", &cfg, &["domains"], "", &[]).await,
            "HANGAR_TEST_TOKEN",
        );

        // --session-id: a machine created under another session is listed only there.
        let o = s
            .run(&[
                "--session-id",
                "0badcafe",
                "--quiet",
                "create",
                "-n",
                "other",
                "--no-initialize",
            ])
            .await;
        o.assert().success();
        assert!(stdout(&s.run(&["list", "-q"]).await).is_empty());
        let o = s.run(&["--session-id", "0badcafe", "list", "-q"]).await;
        assert_eq!(
            stdout(&o).lines().count(),
            1,
            "{} {}",
            stdout(&o),
            stderr(&o)
        );
        fails_with(
            s.run(&["--session-id", "NOTHEX", "list"]).await,
            "session id",
        );

        // Without --config-file: Hangar's settings (an account whose token is in a variable).
        let settings_dir = s.dir.path().join("hangar");
        std::fs::create_dir_all(&settings_dir).unwrap();
        std::fs::write(
            settings_dir.join("settings.yml"),
            format!(
                "version: 1\nsession_id: 0badcafe\naccounts:\n- id: a1\n  label: Test\n  provider: {}\n  secret: {{ source: env, var: HANGAR_TEST_TOKEN }}\n  base_url: {}\n  defaults:\n    dns_zone: {}\n",
                kind.name(),
                s.emulator.base_url(kind),
                v.zone
            ),
        )
        .unwrap();
        let exe = env!("CARGO_BIN_EXE_hangar");
        let out = tokio::task::spawn_blocking({
            let dir = settings_dir.clone();
            let token = s.emulator.token(kind);
            move || {
                Command::new(exe)
                    .args(["list", "-o", "json"])
                    .env("HANGAR_CONFIG_DIR", dir)
                    .env("HANGAR_TEST_TOKEN", token)
                    .output()
                    .unwrap()
            }
        })
        .await
        .unwrap();
        let j = json(&out);
        assert_eq!(j.as_array().unwrap().len(), 1, "{}", stderr(&out));
        assert_eq!(j[0]["name"], "other", "{}", stderr(&out));
        s.emulator.shutdown().await;
    }
}

/// Runs `hangar` without `--config-file`, with `home` as the home directory and an empty
/// Hangar settings directory in it.
async fn run_in_home(home: &std::path::Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hangar"));
    cmd.args(args)
        .env("HOME", home)
        .env("HANGAR_CONFIG_DIR", home.join("hangar"))
        .env_remove("HANGAR_ACCOUNT")
        .stdin(Stdio::null());
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}\n{}", stdout(o), stderr(o));
    stdout(o)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_config_file_or_account_machines_default_config_is_read() {
    let s = Setup::start(EmulatedProvider::DigitalOcean).await;
    let text = std::fs::read_to_string(s.config()).unwrap();

    // ~/.config/machine/config.yml, and the session id beside it.
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join(".config/machine");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.yml"), &text).unwrap();
    let o = run_in_home(home.path(), &["domains"]).await;
    assert_eq!(ok(&o).trim(), "example.com");
    assert!(!stderr(&o).contains("deprecated"), "{}", stderr(&o));
    assert!(dir.join("session-id.yml").is_file());

    // Only the legacy ~/.machine: read, with machine's warning.
    let legacy = tempfile::tempdir().unwrap();
    let old = legacy.path().join(".machine");
    std::fs::create_dir_all(&old).unwrap();
    std::fs::write(old.join("config.yml"), &text).unwrap();
    let o = run_in_home(legacy.path(), &["domains"]).await;
    assert_eq!(ok(&o).trim(), "example.com");
    assert!(
        stderr(&o).contains(&format!(
            "Warning: config directory {} is deprecated, please move it to {}",
            old.display(),
            legacy.path().join(".config/machine").display()
        )),
        "{}",
        stderr(&o)
    );
    assert!(old.join("session-id.yml").is_file());

    // Neither: the error names both places to put an account.
    let empty = tempfile::tempdir().unwrap();
    fails_with(
        run_in_home(empty.path(), &["list"]).await,
        "no machine config at",
    );
    s.emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_id_lives_in_machines_config_dir_whatever_the_config_path() {
    let s = Setup::start(EmulatedProvider::DigitalOcean).await;
    let elsewhere = s.dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let config = elsewhere.join("config.yml");
    std::fs::copy(s.config(), &config).unwrap();
    // The session id written by `machine` in ~/.config/machine is the one used.
    let o = s
        .run_with(
            "hangar",
            &config,
            &["create", "-n", "sess-1", "-m", "web", "-o", "json"],
            "",
        )
        .await;
    assert!(
        json(&o)["tags"]
            .as_array()
            .unwrap()
            .contains(&Value::from("machine:session:0123abcd")),
        "{}",
        stdout(&o)
    );
    assert!(!elsewhere.join("session-id.yml").exists());
    // A first run makes one there, not beside the config.
    std::fs::remove_file(s.dir.path().join(".config/machine/session-id.yml")).unwrap();
    ok(&s.run_with("hangar", &config, &["list"], "").await);
    let made =
        std::fs::read_to_string(s.dir.path().join(".config/machine/session-id.yml")).unwrap();
    assert!(
        made.starts_with("id: ") && made.trim().len() == 12,
        "{made}"
    );
    assert!(!elsewhere.join("session-id.yml").exists());
    s.emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_waits_for_the_ip_only_when_asked_or_for_dns_and_shows_progress_only_on_a_terminal()
{
    let s = Setup::start(EmulatedProvider::DigitalOcean).await;
    // No DNS, no --wait-for-ip: the id, and no IP line.
    let o = s
        .run(&[
            "create",
            "-n",
            "nowait",
            "-m",
            "web",
            "--no-update-dns",
            "--progress",
        ])
        .await;
    assert!(ok(&o).starts_with("New machine created with id: "));
    assert!(!stderr(&o).contains("IP Address"), "{}", stderr(&o));
    // --progress draws nothing when stderr is not a terminal.
    assert!(!stderr(&o).contains("Waiting"), "{}", stderr(&o));
    // --wait-for-ip waits.
    let o = s
        .run(&[
            "create",
            "-n",
            "wait",
            "-m",
            "web",
            "--no-update-dns",
            "--wait-for-ip",
        ])
        .await;
    ok(&o);
    assert!(stderr(&o).starts_with("IP Address: "), "{}", stderr(&o));
    // A DNS update waits for the IP even with --no-wait-for-ip.
    let o = s
        .run(&["create", "-n", "dns", "-m", "web", "--no-wait-for-ip"])
        .await;
    ok(&o);
    assert!(
        stderr(&o).contains("IP Address: ") && stderr(&o).contains("DNS: dns.example.com"),
        "{}",
        stderr(&o)
    );
    // --verbose says each poll on stdout, as machine does.
    let o = s
        .run(&[
            "--verbose",
            "create",
            "-n",
            "verbose",
            "-m",
            "web",
            "--no-update-dns",
            "--wait-for-ip",
        ])
        .await;
    assert!(
        ok(&o).contains("Waiting for machine IP address"),
        "{}",
        stdout(&o)
    );
    s.emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_info_and_debug_change_nothing_and_show_no_secret() {
    let s = Setup::start(EmulatedProvider::DigitalOcean).await;
    let token = s.emulator.token(EmulatedProvider::DigitalOcean);
    // --dry-run checks and says what it would do, creating nothing.
    let o = s
        .run(&["--dry-run", "create", "-n", "dry", "-m", "web"])
        .await;
    assert!(
        ok(&o).starts_with("Dry run: would create machine dry in nyc3"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&s.run(&["list", "-n", "dry", "-q"]).await).is_empty());
    fails_with(
        s.run(&[
            "--dry-run",
            "create",
            "-n",
            "dry",
            "-m",
            "web",
            "-r",
            "atlantis",
        ])
        .await,
        "region `atlantis`",
    );
    let o = s
        .run(&["--quiet", "create", "-n", "keep", "-m", "web"])
        .await;
    let id = ok(&o).trim().to_owned();
    let o = s.run(&["--dry-run", "destroy", "--no-confirm", &id]).await;
    assert!(
        ok(&o).starts_with(&format!("Dry run: would destroy machine \"keep\" (id: {id}) and its DNS records keep.example.com")),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        stdout(&s.run(&["list", "-q", "--id", &id]).await).trim(),
        id
    );

    // info reads the configuration only: it works with the API unreachable.
    let offline = s.write_config("offline.yml", &token, &[("base-url", "http://127.0.0.1:9")]);
    let o = s.run_with("hangar", &offline, &["info"], "").await;
    let t = ok(&o);
    for line in [
        format!("Config file: {}", offline.display()),
        format!(
            "Session ID file: {}",
            s.dir
                .path()
                .join(".config/machine/session-id.yml")
                .display()
        ),
        "Session ID: 0123abcd".into(),
        "Supported providers: digital-ocean, vultr, linode".into(),
        "Active provider: digital-ocean".into(),
        "Machine types: web".into(),
    ] {
        assert!(t.lines().any(|l| l == line), "`{line}` missing in:\n{t}");
    }
    assert!(!t.contains(&token), "{t}");
    // A bad type fails before any request (the API is unreachable here).
    fails_with(
        s.run_with("hangar", &offline, &["create", "-n", "x", "-m", "nope"], "")
            .await,
        "Machine type 'nope' not found in config file. Available types: web",
    );

    // --debug shows the resolved configuration, the token redacted.
    let o = s.run(&["--debug", "domains"]).await;
    ok(&o);
    let e = stderr(&o);
    assert!(
        e.contains("Parsed config")
            && e.contains("access-token: <redacted>")
            && e.contains("region: nyc3"),
        "{e}"
    );
    assert!(!e.contains(&token), "{e}");
    s.emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_file_problems_are_named_precisely() {
    let s = Setup::start(EmulatedProvider::DigitalOcean).await;
    let token = s.emulator.token(EmulatedProvider::DigitalOcean);
    let url = s.emulator.base_url(EmulatedProvider::DigitalOcean);
    let write = |name: &str, text: String| {
        let p = s.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let section = |extra: &str| {
        format!(
            "digital-ocean:\n  access-token: {token}\n  base-url: {url}\n  region: nyc3\n  machine-size: s-1vcpu-1gb\n  image: ubuntu-24-04-x64\n{extra}"
        )
    };
    let machines = "machines:\n  web:\n    new-user-name: deploy\n";

    // A typo in a key: a warning, and a FAIL in check.
    let typo = write(
        "typo.yml",
        format!(
            "{}{machines}",
            section("  ssh-key: hangar-demo\n  regoin: ams3\n")
        ),
    );
    let o = s.run_with("hangar", &typo, &["domains"], "").await;
    ok(&o);
    assert!(
        stderr(&o).contains("unknown key `digital-ocean.regoin`"),
        "{}",
        stderr(&o)
    );
    let o = s.run_with("hangar", &typo, &["check"], "").await;
    assert!(
        stdout(&o).contains("  FAIL: Config key (`digital-ocean.regoin`"),
        "{}",
        stdout(&o)
    );
    fails_with(o, "checks failed");

    // An invalid machine type says what is wrong with it.
    let bad_type = write(
        "bad-type.yml",
        format!(
            "{}machines:\n  web:\n    script-url: https://x\n",
            section("  ssh-key: hangar-demo\n")
        ),
    );
    fails_with(
        s.run_with("hangar", &bad_type, &["create", "-n", "x", "-m", "web"], "")
            .await,
        "machine type `web` in",
    );
    fails_with(
        s.run_with("hangar", &bad_type, &["create", "-n", "x", "-m", "web"], "")
            .await,
        "new-user-name",
    );

    // ssh-key and machines as machine reports them.
    let no_key = write("no-key.yml", format!("{}{machines}", section("")));
    fails_with(
        s.run_with("hangar", &no_key, &["list"], "").await,
        "Required key 'ssh-key' not found in 'digital-ocean' section of config file",
    );
    let empty_keys = write(
        "empty-keys.yml",
        format!("{}{machines}", section("  ssh-key: []\n")),
    );
    fails_with(
        s.run_with("hangar", &empty_keys, &["list"], "").await,
        "Config key 'ssh-key' in 'digital-ocean' section must specify at least one SSH key",
    );
    let no_machines = write("no-machines.yml", section("  ssh-key: hangar-demo\n"));
    fails_with(
        s.run_with(
            "hangar",
            &no_machines,
            &["create", "-n", "x", "-m", "web"],
            "",
        )
        .await,
        "Required 'machines' section not found in config file",
    );

    // Two provider sections without `provider:` are refused, as machine does.
    let two = write(
        "two.yml",
        format!(
            "{}vultr:\n  api-key: x\n  ssh-key: a\n{machines}",
            section("  ssh-key: hangar-demo\n")
        ),
    );
    fails_with(
        s.run_with("hangar", &two, &["list"], "").await,
        "Multiple provider sections found in config file. Please add a 'provider:' key to select one.",
    );

    // An empty token says so.
    let empty_token = write(
        "empty-token.yml",
        format!(
            "{}{machines}",
            section("  ssh-key: hangar-demo\n").replace(&token, "''")
        ),
    );
    fails_with(
        s.run_with("hangar", &empty_token, &["list"], "").await,
        "`access-token` is empty",
    );

    // A bad base-url names the key.
    let bad_url = write(
        "bad-url.yml",
        format!(
            "{}{machines}",
            section("  ssh-key: hangar-demo\n").replace(&url, "not a url")
        ),
    );
    fails_with(
        s.run_with("hangar", &bad_url, &["list"], "").await,
        "`digital-ocean.base-url`",
    );

    // A UTF-8 byte order mark is accepted.
    let bom = write(
        "bom.yml",
        format!("\u{feff}{}{machines}", section("  ssh-key: hangar-demo\n")),
    );
    assert_eq!(
        ok(&s.run_with("hangar", &bom, &["domains"], "").await).trim(),
        "example.com"
    );
    s.emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_name_is_refused_unless_allowed() {
    let s = Setup::start(EmulatedProvider::DigitalOcean).await;
    ok(&s.run(&["create", "-n", "twin", "-m", "web"]).await);
    // The name exists in the account (and twin.example.com has its record).
    let o = s.run(&["create", "-n", "twin", "-m", "web"]).await;
    let e = stderr(&o);
    assert!(
        e.contains("a machine named `twin` already exists")
            && e.contains("twin.example.com already has DNS records (A "),
        "{e}"
    );
    assert!(e.contains("--allow-duplicate"), "{e}");
    o.assert().failure().code(1);
    // A DNS name with a record but no machine (the seed's `www`).
    fails_with(
        s.run(&["create", "-n", "www", "-m", "web"]).await,
        "www.example.com already has DNS records",
    );
    assert_eq!(
        stdout(&s.run(&["list", "-n", "twin", "-q"]).await)
            .lines()
            .count(),
        1
    );
    ok(&s
        .run(&["create", "-n", "twin", "-m", "web", "--allow-duplicate"])
        .await);
    assert_eq!(
        stdout(&s.run(&["list", "-n", "twin", "-q"]).await)
            .lines()
            .count(),
        2
    );
    s.emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orphan_records_are_listed_and_deleted_by_id() {
    for kind in EmulatedProvider::ALL {
        let s = Setup::start(kind).await;
        let zone = s.values().zone;
        // A machine of this session with its record: not an orphan.
        ok(&s.run(&["create", "-n", "kept", "-m", "web"]).await);
        let o = s.run(&["list-domain", "--orphans"]).await;
        let t = ok(&o);
        assert!(!t.contains("kept"), "{kind:?}: {t}");
        // The seed's `www` points at an address no machine has.
        let www: Vec<&str> = t
            .lines()
            .find(|l| l.starts_with("www\tA\t"))
            .unwrap_or_else(|| panic!("{kind:?}: no www orphan in {t}"))
            .split('\t')
            .collect();
        let id = www[3].to_owned();
        // Wrong confirmation: nothing deleted.
        let o = s
            .run_with(
                "hangar",
                &s.config(),
                &["dns", "delete", zone, &id],
                "yes\n",
            )
            .await;
        fails_with(o, "not confirmed");
        let o = s
            .run_with(
                "hangar",
                &s.config(),
                &["dns", "delete", zone, &id],
                "YES\n",
            )
            .await;
        assert!(
            ok(&o).contains(&format!(
                "Deleted DNS record www.{zone} A {} (id {id})",
                www[2]
            )),
            "{}",
            stdout(&o)
        );
        assert!(!ok(&s.run(&["list-domain", "--orphans"]).await).contains("www"));
        fails_with(
            s.run(&["dns", "delete", zone, "no-such-id", "--no-confirm"])
                .await,
            &format!("zone {zone} has no record with id no-such-id"),
        );
        s.emulator.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_tags_and_protection_change_the_machine_and_protection_refuses_destroy() {
    for kind in EmulatedProvider::ALL {
        let s = Setup::start(kind).await;
        let zone = s.values().zone;
        let o = s.run(&["create", "-n", "cli-ren", "-m", "web"]).await;
        let id = ok(&o)
            .lines()
            .find_map(|l| l.strip_prefix("New machine created with id: "))
            .unwrap_or_else(|| panic!("{kind:?}: no id in {}", stdout(&o)))
            .trim()
            .to_owned();

        // Rename: the machine and its record.
        let t = ok(&s.run(&["rename", &id, "cli-new"]).await);
        assert!(
            t.contains(&format!("Renamed machine {id} to cli-new")),
            "{kind:?}: {t}"
        );
        assert!(
            t.contains(&format!("Renamed DNS record: cli-new.{zone} A")),
            "{kind:?}: {t}"
        );
        let records = ok(&s.run(&["list-domain", "--all"]).await);
        assert!(records.contains("cli-new\tA\t"), "{kind:?}: {records}");
        assert!(!records.contains("cli-ren\tA\t"), "{kind:?}: {records}");
        fails_with(
            s.run(&["rename", &id, "Not_A_Name"]).await,
            "is not a valid hostname",
        );

        // Tags: added, removed, Hangar's own refused; JSON on request.
        let t = ok(&s.run(&["tag", "add", &id, "blue", "owner:ops"]).await);
        assert!(
            t.contains("tags: ") && t.contains("blue") && t.contains("owner:ops"),
            "{t}"
        );
        let json: serde_json::Value = serde_json::from_str(&ok(&s
            .run(&["tag", "remove", &id, "blue", "-o", "json"])
            .await))
        .expect("JSON");
        let tags = json["userTags"].as_array().expect("userTags");
        assert!(
            !tags.iter().any(|t| t == "blue") && tags.iter().any(|t| t == "owner:ops"),
            "{json}"
        );
        fails_with(
            s.run(&["tag", "add", &id, "machine:session:ffffffff"])
                .await,
            "which Hangar reserves for its own tags",
        );

        // Protection: destroy refuses it, even with --all, until it is turned off.
        let t = ok(&s.run(&["protect", "on", &id]).await);
        assert!(t.contains("is protected against deletion"), "{t}");
        for extra in [&[][..], &["--all"][..]] {
            let mut args = vec!["destroy", id.as_str(), "--no-confirm"];
            args.extend_from_slice(extra);
            fails_with(s.run(&args).await, &format!("hangar protect off {id}"));
        }
        assert!(
            ok(&s.run(&["list"]).await).contains("cli-new"),
            "{kind:?}: destroyed anyway"
        );
        ok(&s.run(&["protect", "off", &id]).await);
        ok(&s.run(&["destroy", &id, "--no-confirm"]).await);
        assert!(!ok(&s.run(&["list"]).await).contains("cli-new"));
        s.emulator.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn firewall_allow_me_lists_revokes_and_sweeps_expired_grants() {
    for kind in EmulatedProvider::ALL {
        let s = Setup::start(kind).await;
        let my_ip = [("HANGAR_MY_IP_URL", s.emulator.my_ip_url())];
        let o = s
            .run(&["create", "-n", "cli-fw", "-m", "web", "--no-initialize"])
            .await;
        let id = ok(&o)
            .lines()
            .find_map(|l| l.strip_prefix("New machine created with id: "))
            .unwrap_or_else(|| panic!("{kind:?}: no id in {}", stdout(&o)))
            .trim()
            .to_owned();
        let env_run = |args: Vec<&str>| {
            let args: Vec<String> = args.into_iter().map(str::to_owned).collect();
            let s = &s;
            let my_ip = &my_ip;
            async move {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                s.run_env("hangar", &s.config(), &args, "", my_ip).await
            }
        };

        // Text: the address the service gave, the expiry, and who removes it; the note first.
        let o = env_run(vec!["firewall", "allow-me", &id, "--for", "2h"]).await;
        let t = ok(&o);
        assert!(
            t.contains(&format!(
                "SSH to machine {id} is allowed from 203.0.113.254/32 until "
            )),
            "{kind:?}: {t}"
        );
        assert!(t.contains("(2h): grant "), "{t}");
        assert!(t.contains("hangar firewall revoke --expired"), "{t}");
        let note = stderr(&o);
        assert!(
            note.starts_with("Note: ") && note.to_lowercase().contains("firewall"),
            "{note}"
        );

        // JSON, from a given address.
        let o = env_run(vec![
            "firewall",
            "allow-me",
            &id,
            "--for",
            "30m",
            "--from",
            "198.51.100.20",
            "-o",
            "json",
        ])
        .await;
        let j = json(&o);
        assert_eq!(j["grant"]["machineId"], id.as_str(), "{j}");
        assert_eq!(j["grant"]["source"], "198.51.100.20/32");
        assert_eq!(j["grant"]["port"], 22);
        let left = j["secondsLeft"].as_u64().unwrap();
        assert!((1700..=1800).contains(&left), "{j}");
        let second = j["grant"]["id"].as_str().unwrap().to_owned();

        // Refusals before anything is sent.
        fails_with(
            env_run(vec!["firewall", "allow-me", &id, "--for", "8d"]).await,
            "a grant lasts from 1m to 7d",
        );
        fails_with(
            env_run(vec!["firewall", "allow-me", &id, "--for", "soon"]).await,
            "is not a duration",
        );
        fails_with(
            env_run(vec!["firewall", "allow-me", &id, "--from", "10.0.0.1"]).await,
            "is not a public address",
        );
        fails_with(
            env_run(vec!["firewall", "allow-me", &id]).await,
            "already lets SSH in from 203.0.113.254",
        );
        let o = s
            .run_env(
                "hangar",
                &s.config(),
                &["firewall", "allow-me", &id],
                "",
                &[("HANGAR_MY_IP_URL", "http://127.0.0.1:9/".to_owned())],
            )
            .await;
        fails_with(
            o,
            "could not ask http://127.0.0.1:9/ for this computer's public address",
        );

        let listed = ok(&env_run(vec!["firewall", "list"]).await);
        assert_eq!(listed.lines().count(), 2, "{listed}");
        assert!(
            listed.contains("from 198.51.100.20/32  port 22"),
            "{listed}"
        );
        let o = env_run(vec!["firewall", "list", "--machine", &id, "-o", "json"]).await;
        assert_eq!(json(&o).as_array().unwrap().len(), 2);

        // Nothing has expired yet; revoke one by id, an unknown id is refused.
        let t = ok(&env_run(vec!["firewall", "revoke", "--expired"]).await);
        assert_eq!(t.trim(), "No expired firewall grant to remove");
        let t = ok(&env_run(vec!["firewall", "revoke", &second]).await);
        assert!(t.contains(&format!("Revoked grant {second}")), "{t}");
        fails_with(
            env_run(vec!["firewall", "revoke", &second]).await,
            "there is no Hangar firewall grant",
        );
        let o = env_run(vec!["firewall", "revoke", "--all-expired", "-o", "json"]).await;
        assert_eq!(json(&o)["removed"], serde_json::json!([]));
        let listed = ok(&env_run(vec!["firewall", "list"]).await);
        assert_eq!(listed.lines().count(), 1, "{listed}");
        let first = listed.split_whitespace().next().unwrap().to_owned();
        ok(&env_run(vec!["firewall", "revoke", &first]).await);
        assert_eq!(
            ok(&env_run(vec!["firewall", "list"]).await).trim(),
            "No firewall grants made by Hangar"
        );
        ok(&s.run(&["destroy", &id, "--no-confirm"]).await);
        s.emulator.shutdown().await;
    }
}

/// What `hangar args…` draws on a terminal: it runs under `script`, which gives it a
/// pseudo-terminal for stdin, stdout and stderr and copies what it draws to its own stdout.
fn on_a_terminal(s: &Setup, args: &[&str]) -> String {
    let config = s.config();
    let mut words = vec![
        env!("CARGO_BIN_EXE_hangar").to_string(),
        "--config-file".into(),
        config.display().to_string(),
    ];
    words.extend(args.iter().map(|a| a.to_string()));
    let line = shlex::try_join(words.iter().map(String::as_str)).unwrap();
    let o = Command::new("script")
        .args(["-qefc", &line, "/dev/null"])
        .env("HOME", s.dir.path())
        .env("HANGAR_CONFIG_DIR", s.dir.path().join("hangar"))
        .stdin(Stdio::null())
        .output()
        .expect("run `script` (util-linux)");
    let drawn = stdout(&o);
    assert!(o.status.success(), "{drawn}{}", stderr(&o));
    drawn
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_draws_a_spinner_only_when_asked_and_stderr_is_a_terminal() {
    let s = Setup::start(EmulatedProvider::DigitalOcean).await;
    let drawn = on_a_terminal(
        &s,
        &[
            "create",
            "-n",
            "tty-spin",
            "-m",
            "web",
            "--no-update-dns",
            "--wait-for-ip",
            "--progress",
        ],
    );
    // A frame redrawn in place (`\r`, no newline), then erased before the IP line.
    assert!(
        drawn.contains("\r| Waiting for machine IP address (0s)"),
        "{drawn:?}"
    );
    let erased = drawn.find("\r \u{20}").or_else(|| drawn.rfind("   \r"));
    let ip = drawn.find("IP Address: ").expect("the IP line");
    assert!(erased.is_some_and(|e| e < ip), "{drawn:?}");
    assert!(
        !drawn.contains("Waiting for machine IP address\r\n"),
        "{drawn:?}"
    );

    // Without --progress, a terminal gets no spinner either.
    let drawn = on_a_terminal(
        &s,
        &[
            "create",
            "-n",
            "tty-quiet",
            "-m",
            "web",
            "--no-update-dns",
            "--wait-for-ip",
        ],
    );
    assert!(drawn.contains("IP Address: "), "{drawn:?}");
    assert!(!drawn.contains("Waiting"), "{drawn:?}");
    s.emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resize_lists_plans_and_resizes_and_rebuild_wants_the_name_typed() {
    for kind in EmulatedProvider::ALL {
        let s = Setup::start(kind).await;
        if s.client().resize().is_none() {
            // Not offered by this provider: there is nothing to drive.
            s.emulator.shutdown().await;
            continue;
        }
        let v = s.values();
        let o = s.run(&["create", "-n", "cli-rsz", "-m", "web"]).await;
        let id = ok(&o)
            .lines()
            .find_map(|l| l.strip_prefix("New machine created with id: "))
            .unwrap_or_else(|| panic!("{kind:?}: no id in {}", stdout(&o)))
            .trim()
            .to_owned();

        // The plans, with the price difference, as text and as JSON.
        let t = ok(&s.run(&["resize", &id, "--list"]).await);
        assert!(t.contains("DIFFERENCE") && t.contains("current"), "{t}");
        let list = json(&s.run(&["resize", &id, "--list", "-o", "json"]).await);
        let options = list["options"].as_array().expect("options");
        let bigger = options
            .iter()
            .find(|o| o["allowed"] == true && o["priceDifferenceMonthly"].as_f64() > Some(0.0))
            .unwrap_or_else(|| panic!("{kind:?}: no bigger plan in {list}"));
        let bigger_slug = bigger["size"]["slug"].as_str().unwrap().to_owned();
        assert!(
            t.contains(&bigger_slug),
            "{kind:?}: {bigger_slug} missing from {t}"
        );
        fails_with(
            s.run(&["resize", &id, "no-such-plan", "-y"]).await,
            "is not offered in region",
        );

        // A provider that resizes only a stopped machine refuses until --power-off; one that
        // grows the disk for good asks for YES first.
        let rules = resize_rules(&s);
        if rules.needs_power_off {
            fails_with(s.run(&["resize", &id, &bigger_slug]).await, "--power-off")
        } else if rules.disk_resize_irreversible {
            fails_with(
                s.run(&["resize", &id, &bigger_slug]).await,
                "Resize aborted",
            )
        }
        let done = json(
            &s.run(&[
                "resize",
                &id,
                &bigger_slug,
                "--power-off",
                "-y",
                "-o",
                "json",
            ])
            .await,
        );
        assert_eq!(
            done["machine"]["machine"]["size"],
            bigger_slug.as_str(),
            "{done}"
        );
        assert_eq!(done["from"], v.size, "{done}");
        assert_eq!(done["powerCycled"], rules.needs_power_off, "{done}");

        // Rebuild: the name must be typed; then the image changes and the IP stays.
        let image = kind.sample().other_image;
        let o = s
            .run_with(
                "hangar",
                &s.config(),
                &["rebuild", &id, image],
                "cli-other\n",
            )
            .await;
        fails_with(o, "Rebuild aborted");
        let o = s
            .run_with("hangar", &s.config(), &["rebuild", &id, image], "cli-rsz\n")
            .await;
        let t = ok(&o);
        assert!(
            t.contains("Type the machine's name (cli-rsz)") && t.contains("kept its IP address"),
            "{kind:?}: {t}"
        );
        fails_with(
            s.run(&["rebuild", &id, "no-such-image", "-y"]).await,
            "is not an image",
        );
        let after = json(&s.run(&["rebuild", &id, v.image, "-y", "-o", "json"]).await);
        assert_eq!(after["machine"]["machine"]["image"], v.image, "{after}");
        assert_eq!(after["keptIp"], true);
        s.emulator.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_are_taken_listed_created_from_and_deleted_after_a_yes() {
    for kind in EmulatedProvider::ALL {
        let s = Setup::start(kind).await;
        if s.client().snapshots().is_none() {
            // Not offered by this provider: there is nothing to drive.
            s.emulator.shutdown().await;
            continue;
        }
        let created_id = |o: &Output| {
            ok(o)
                .lines()
                .find_map(|l| l.strip_prefix("New machine created with id: "))
                .unwrap_or_else(|| panic!("{kind:?}: no id in {}", stdout(o)))
                .trim()
                .to_owned()
        };
        let id = created_id(
            &s.run(&[
                "create",
                "-n",
                "cli-snap",
                "--no-update-dns",
                "--no-initialize",
            ])
            .await,
        );

        fails_with(
            s.run(&["snapshot", "create", &id, "--name", " "]).await,
            "give the snapshot a name",
        );
        let taken = json(
            &s.run(&[
                "snapshot", "create", &id, "--name", "before", "--wait", "-o", "json",
            ])
            .await,
        );
        assert_eq!(taken["available"], true, "{kind:?}: {taken}");
        assert_eq!(taken["snapshot"]["name"], "before");
        assert_eq!(taken["snapshot"]["status"], "available");
        let snap = taken["snapshot"]["id"].as_str().unwrap().to_owned();

        let text = ok(&s.run(&["snapshot", "list"]).await);
        assert!(
            text.lines()
                .any(|l| l.starts_with(&format!("{snap}\tbefore\tavailable\t"))),
            "{kind:?}: {text}"
        );
        let listed = json(&s.run(&["snapshot", "list", "-o", "json"]).await);
        assert!(
            listed.as_array().unwrap().iter().any(|x| x["id"] == snap),
            "{listed}"
        );
        let o = s
            .run(&["snapshot", "list", "--machine", &id, "-o", "json"])
            .await;
        assert!(json(&o).as_array().unwrap().iter().any(|x| x["id"] == snap));
        let whose = listed.as_array().unwrap().iter().find(|x| x["id"] == snap);
        assert_eq!(
            stderr(&o).contains("does not say which machine"),
            whose.is_some_and(|x| x["machineId"].is_null()),
            "{kind:?}: {}",
            stderr(&o)
        );

        // `create --snapshot`: from it; an unknown snapshot is named, nothing created.
        fails_with(
            s.run(&[
                "create",
                "-n",
                "cli-none",
                "--no-update-dns",
                "--no-initialize",
                "--snapshot",
                "4242",
            ])
            .await,
            "snapshot `4242`",
        );
        let copy = created_id(
            &s.run(&[
                "create",
                "-n",
                "cli-copy",
                "--no-update-dns",
                "--no-initialize",
                "--snapshot",
                &snap,
            ])
            .await,
        );
        let machines = ok(&s.run(&["list"]).await);
        assert!(machines.contains("cli-copy"), "{machines}");
        assert!(!machines.contains("cli-none"), "{machines}");

        // Delete: anything but YES keeps it; YES deletes it; then it is gone.
        let no = s
            .run_with(
                "hangar",
                &s.config(),
                &["snapshot", "delete", &snap],
                "yes\n",
            )
            .await;
        assert!(stdout(&no).contains("Type YES"), "{}", stdout(&no));
        fails_with(no, "aborted");
        assert!(ok(&s.run(&["snapshot", "list"]).await).contains(&snap));
        let t = ok(&s
            .run_with(
                "hangar",
                &s.config(),
                &["snapshot", "delete", &snap],
                "YES\n",
            )
            .await);
        assert!(
            t.contains(&format!("Deleted snapshot before (id {snap})")),
            "{t}"
        );
        assert!(!ok(&s.run(&["snapshot", "list"]).await).contains(&snap));
        fails_with(
            s.run(&["snapshot", "delete", &snap, "-y"]).await,
            "does not exist",
        );

        for m in [&id, &copy] {
            ok(&s.run(&["destroy", m, "--no-confirm"]).await);
        }
        s.emulator.shutdown().await;
    }
}
