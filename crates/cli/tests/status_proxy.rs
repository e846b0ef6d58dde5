//! The CLI's `status` command asks the machines' cloud-init check through the status proxy
//! that a `machine`-style config names (`status-proxy:`), against the emulator.

use std::process::Command;
use std::time::{Duration, Instant};

use hangar::accounts::{self, Account, AccountDefaults, AccountId, ProviderKind, SecretRef};
use hangar::provider::CreateMachine;
use hangar::providers::http::ClientOptions;
use hangar::secrets::Token;
use hangar::usecases::status::UNKNOWN;
use hangar_emulator::{EmulatedProvider, Emulator, EmulatorConfig, Seed};

const SESSION: &str = "0123abcd";

async fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig {
        seed: Seed::builtin(),
        ip_delay: Duration::from_millis(300),
        boot_delay: Duration::from_millis(1500),
        ..EmulatorConfig::default()
    })
    .await
    .unwrap()
}

fn emulated(kind: ProviderKind) -> EmulatedProvider {
    EmulatedProvider::named(kind.slug()).expect("an emulated provider")
}

/// An account as the settings file would hold it, with the emulator as status proxy.
fn account(kind: ProviderKind, emulator: &Emulator) -> Account {
    Account {
        id: AccountId::from("acc"),
        label: "Emulated".into(),
        provider: kind,
        secret: SecretRef::Keychain,
        base_url: Some(emulator.base_url(emulated(kind))),
        status_proxy: Some(emulator.status_proxy_url()),
        defaults: AccountDefaults::default(),
        imported_types: Vec::new(),
    }
}

fn request(kind: ProviderKind, name: &str) -> CreateMachine {
    let sample = emulated(kind).sample();
    let (region, size, image) = (sample.region, sample.size, sample.image);
    CreateMachine {
        name: name.into(),
        region: region.into(),
        size: size.into(),
        image: image.into(),
        ssh_key_ids: vec![],
        tags: vec![
            "machine:created".into(),
            format!("machine:session:{SESSION}"),
        ],
        user_data: None,
        ipv6: false,
    }
}

#[tokio::test]
async fn the_cli_status_command_uses_the_status_proxy_of_the_config() {
    for kind in ProviderKind::ALL {
        let emulator = emulator().await;
        let provider = accounts::provider_for(
            &account(kind, &emulator),
            &Token::from(emulator.token(emulated(kind))),
            ClientOptions::default(),
        )
        .unwrap();
        let made = provider
            .create_machine(&request(kind, "booted"))
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (section, token_key) = (kind.about().config_section, kind.about().config_key);
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "{section}:\n  {token_key}: {}\n  base-url: {}\n  status-proxy: {}\n  ssh-key: hangar-demo\n",
                emulator.token(emulated(kind)),
                emulator.base_url(emulated(kind)),
                emulator.status_proxy_url()
            ),
        )
        .unwrap();
        // `machine`'s session file, in its config directory under HOME.
        let machine_dir = dir.path().join(".config/machine");
        std::fs::create_dir_all(&machine_dir).unwrap();
        std::fs::write(
            machine_dir.join("session-id.yml"),
            format!("id: {SESSION}\n"),
        )
        .unwrap();
        let run = |config: std::path::PathBuf, home: std::path::PathBuf| {
            tokio::task::spawn_blocking(move || {
                Command::new(env!("CARGO_BIN_EXE_hangar"))
                    .arg("--config-file")
                    .arg(&config)
                    .args(["status", "-o", "json"])
                    .env("HOME", &home)
                    .env("HANGAR_CONFIG_DIR", home.join("hangar"))
                    .output()
                    .unwrap()
            })
        };
        let started = Instant::now();
        let mut seen = Vec::new();
        loop {
            let out = run(config.clone(), dir.path().to_owned()).await.unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(json[0]["id"], made.id.as_str());
            let s = json[0]["cloud-init-status"].as_str().unwrap().to_owned();
            if seen.last() != Some(&s) {
                seen.push(s.clone());
            }
            if s == "done" {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{kind}: never done: {seen:?}"
            );
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        seen.retain(|s| s != UNKNOWN);
        assert_eq!(seen.last().map(String::as_str), Some("done"), "{kind}");
        assert!(seen.contains(&"running".to_string()), "{kind}: {seen:?}");
        emulator.shutdown().await;
    }
}
