//! What happens after the window opens: read the settings and bring up the accounts.
//!
//! With no accounts configured, the demo cloud starts. Runs on the async runtime, never on
//! the UI thread.

use std::sync::Arc;

use hangar::accounts::{self, Account};
use hangar::config_error::ConfigError;
use hangar::providers::http::ClientOptions;
use hangar::secrets::{KeyringStore, SecretStore};
use hangar::settings::{SettingsFile, env_vars};

use crate::demo;
use crate::state::{Fleet, FleetSender, LiveAccount};

/// Builds the fleet the commands work on, from the settings in their usual place.
pub async fn load_fleet() -> Fleet {
    load_fleet_from(SettingsFile::default_location()).await
}

/// Builds the fleet from the settings in `file`: the configured accounts, and the demo
/// cloud when there are none (or when the settings ask for it, see `ui.demo_cloud`).
pub async fn load_fleet_from(file: Result<SettingsFile, ConfigError>) -> Fleet {
    let file = match file {
        Ok(file) => file,
        Err(e) => return unreadable(e),
    };
    let settings = match file.load() {
        Ok(loaded) => loaded.resolved,
        Err(e) => return unreadable(e),
    };
    let show_demo = settings.ui.demo_cloud.shown_with(settings.accounts.len());
    let mut fleet = Fleet::default();
    if !settings.accounts.is_empty() {
        let session_id = match tokio::task::spawn_blocking({
            let file = file.clone();
            move || file.ensure_session_id()
        })
        .await
        {
            Ok(Ok(id)) => Some(id.as_str().to_owned()),
            Ok(Err(e)) => return unreadable(e),
            Err(e) => return unreadable(format!("the session id could not be read: {e}")),
        };
        let accounts = tokio::task::spawn_blocking(move || {
            let store = KeyringStore::new();
            settings
                .accounts
                .iter()
                .map(|account| live_account(account, &store))
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        fleet.accounts = accounts;
        fleet.session_id = session_id;
    }
    if show_demo {
        match demo::start().await {
            Ok(cloud) => {
                fleet.accounts.extend(cloud.accounts.iter().cloned());
                // Without accounts of their own, the demo's machines are "this session".
                fleet
                    .session_id
                    .get_or_insert_with(|| demo::DEMO_SESSION.to_owned());
                fleet.demo = Some(cloud);
            }
            Err(e) => fleet.startup_error = Some(e.to_string()),
        }
    }
    fleet
}

fn unreadable(e: impl std::fmt::Display) -> Fleet {
    Fleet {
        startup_error: Some(format!("Hangar could not read its settings: {e}")),
        ..Fleet::default()
    }
}

/// A configured account with its client, or with the reason it has none (token missing
/// from the keychain, variable unset, keychain unavailable, bad base URL).
pub fn live_account(account: &Account, store: &dyn SecretStore) -> LiveAccount {
    let client = accounts::resolve_token(account, store, &env_vars::process_env)
        .map_err(|e| hangar::Error::from(e).message)
        .and_then(|token| {
            accounts::provider_for(account, &token, ClientOptions::default()).map_err(|e| e.message)
        });
    LiveAccount {
        id: account.id.to_string(),
        label: account.label.clone(),
        provider: account.provider,
        simulated: false,
        client,
    }
}

/// Loads the fleet in the background and publishes it.
pub fn spawn(tx: FleetSender) {
    tauri::async_runtime::spawn(async move {
        let fleet = load_fleet().await;
        // Also on stderr, for whoever started the app from a terminal (and the install test).
        eprintln!("{}", startup_report(&fleet));
        let _ = tx.send(Some(Arc::new(fleet)));
    });
}

/// One line saying how startup went: the problem, or how many accounts are ready.
pub fn startup_report(fleet: &Fleet) -> String {
    match &fleet.startup_error {
        Some(problem) => format!("Hangar: startup failed: {problem}"),
        None => format!(
            "Hangar: {} account(s) ready{}",
            fleet.accounts.len(),
            if fleet.demo.is_some() {
                " (demo cloud)"
            } else {
                ""
            }
        ),
    }
}

#[cfg(test)]
mod tests {
    use hangar::accounts::{Account, AccountDefaults, AccountId, ProviderKind, SecretRef};
    use hangar::settings::Settings;

    use super::*;

    #[tokio::test]
    async fn without_accounts_the_demo_cloud_starts() {
        let dir = tempfile::tempdir().unwrap();
        let fleet = load_fleet_from(Ok(SettingsFile::in_dir(dir.path()))).await;
        assert_eq!(fleet.startup_error, None);
        assert_eq!(fleet.accounts.len(), 2);
        assert!(fleet.accounts.iter().all(|a| a.simulated));
        assert_eq!(fleet.session_id.as_deref(), Some(demo::DEMO_SESSION));
        assert!(fleet.demo.is_some());
        assert_eq!(
            startup_report(&fleet),
            "Hangar: 2 account(s) ready (demo cloud)"
        );
    }

    #[tokio::test]
    async fn configured_accounts_replace_the_demo_and_a_missing_token_stays_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(dir.path());
        let settings = Settings {
            accounts: vec![Account {
                id: AccountId::generate(),
                label: "Work".into(),
                provider: ProviderKind::DigitalOcean,
                secret: SecretRef::Env {
                    var: "HANGAR_TEST_UNSET_TOKEN_VARIABLE".into(),
                },
                base_url: None,
                status_proxy: None,
                defaults: AccountDefaults::default(),
            }],
            ..Settings::default()
        };
        file.save(&settings).unwrap();
        let fleet = load_fleet_from(Ok(file.clone())).await;
        assert!(fleet.demo.is_none());
        assert_eq!(fleet.startup_error, None);
        assert_eq!(fleet.accounts.len(), 1);
        assert_eq!(fleet.accounts[0].label, "Work");
        assert!(!fleet.accounts[0].simulated);
        let error = fleet.accounts[0].client.as_ref().expect_err("no token");
        assert!(
            error.contains("HANGAR_TEST_UNSET_TOKEN_VARIABLE"),
            "{error}"
        );
        // The session id was created and saved.
        let saved = file.load_raw().unwrap().session_id.expect("a session id");
        assert_eq!(fleet.session_id.as_deref(), Some(saved.as_str()));
    }

    #[tokio::test]
    async fn the_demo_cloud_can_be_hidden_and_restored_beside_accounts() {
        use hangar::settings::DemoCloud;
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(dir.path());
        let mut settings = Settings::default();
        settings.ui.demo_cloud = DemoCloud::Hidden;
        file.save(&settings).unwrap();
        let fleet = load_fleet_from(Ok(file.clone())).await;
        assert!(fleet.accounts.is_empty() && fleet.demo.is_none());

        settings.ui.demo_cloud = DemoCloud::Shown;
        settings.accounts.push(Account {
            id: AccountId::generate(),
            label: "Work".into(),
            provider: ProviderKind::Vultr,
            secret: SecretRef::Env {
                var: "HANGAR_TEST_UNSET_TOKEN_VARIABLE".into(),
            },
            base_url: None,
            status_proxy: None,
            defaults: AccountDefaults::default(),
        });
        file.save(&settings).unwrap();
        let fleet = load_fleet_from(Ok(file.clone())).await;
        let labels: Vec<&str> = fleet.accounts.iter().map(|a| a.label.as_str()).collect();
        assert_eq!(labels, ["Work", "Demo DigitalOcean", "Demo Vultr"]);
        assert!(fleet.demo.is_some());
        // The configured accounts' session stays "this session".
        let saved = file.load_raw().unwrap().session_id.expect("a session id");
        assert_eq!(fleet.session_id.as_deref(), Some(saved.as_str()));
    }

    #[test]
    fn a_configured_accounts_status_proxy_reaches_its_client() {
        let account = Account {
            id: AccountId::generate(),
            label: "Gateway".into(),
            provider: ProviderKind::DigitalOcean,
            secret: SecretRef::Env {
                var: "HANGAR_TEST_STATUS_PROXY_TOKEN".into(),
            },
            base_url: Some("http://127.0.0.1:9".into()),
            status_proxy: Some("http://127.0.0.1:3128".into()),
            defaults: AccountDefaults::default(),
        };
        let token = hangar::secrets::Token::from("dop_v1_only_for_this_test".to_string());
        let client =
            accounts::provider_for(&account, &token, ClientOptions::default()).expect("client");
        assert_eq!(client.status_proxy(), Some("http://127.0.0.1:3128"));
    }

    #[tokio::test]
    async fn unreadable_settings_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("settings.yml"), "version: [not a number").unwrap();
        let fleet = load_fleet_from(Ok(SettingsFile::in_dir(dir.path()))).await;
        assert!(fleet.accounts.is_empty());
        assert!(
            startup_report(&fleet).starts_with("Hangar: startup failed: Hangar could not read"),
            "{}",
            startup_report(&fleet)
        );
        let error = fleet.startup_error.expect("an error");
        assert!(
            error.starts_with("Hangar could not read its settings"),
            "{error}"
        );
    }
}
