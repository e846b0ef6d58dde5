//! What happens after the window opens: read the settings and bring up the accounts.
//!
//! With no accounts configured, the demo cloud starts. Runs on the async runtime, never on
//! the UI thread.

use std::sync::Arc;

use hangar::config_error::ConfigError;
use hangar::settings::SettingsFile;

use crate::demo;
use crate::state::Fleet;

/// Builds the fleet the commands work on, from the settings in their usual place.
pub async fn load_fleet() -> Fleet {
    load_fleet_from(SettingsFile::default_location()).await
}

/// Builds the fleet from the settings in `file`.
pub async fn load_fleet_from(file: Result<SettingsFile, ConfigError>) -> Fleet {
    let settings = file.and_then(|file| file.load());
    let settings = match settings {
        Ok(loaded) => loaded.resolved,
        Err(e) => {
            return Fleet {
                startup_error: Some(format!("Hangar could not read its settings: {e}")),
                ..Fleet::default()
            };
        }
    };
    if !settings.accounts.is_empty() {
        // Connecting configured accounts needs the account → provider factory of the
        // core; until it is wired, say so instead of showing an empty fleet.
        return Fleet {
            session_id: settings.session_id.map(|s| s.as_str().to_owned()),
            startup_error: Some(format!(
                "{} account(s) are configured, but this build cannot connect to configured accounts yet.",
                settings.accounts.len()
            )),
            ..Fleet::default()
        };
    }
    match demo::start().await {
        Ok(cloud) => Fleet {
            accounts: cloud.accounts.clone(),
            session_id: Some(demo::DEMO_SESSION.to_owned()),
            startup_error: None,
            demo: Some(cloud),
        },
        Err(e) => Fleet {
            startup_error: Some(e.to_string()),
            ..Fleet::default()
        },
    }
}

/// Loads the fleet in the background and publishes it.
pub fn spawn(tx: tokio::sync::watch::Sender<Option<Arc<Fleet>>>) {
    tauri::async_runtime::spawn(async move {
        let fleet = load_fleet().await;
        let _ = tx.send(Some(Arc::new(fleet)));
    });
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
    }

    #[tokio::test]
    async fn configured_accounts_are_not_replaced_by_the_demo() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(dir.path());
        let settings = Settings {
            accounts: vec![Account {
                id: AccountId::generate(),
                label: "Work".into(),
                provider: ProviderKind::DigitalOcean,
                secret: SecretRef::Env {
                    var: "DO_TOKEN".into(),
                },
                base_url: None,
                defaults: AccountDefaults::default(),
            }],
            ..Settings::default()
        };
        file.save(&settings).unwrap();
        let fleet = load_fleet_from(Ok(file)).await;
        assert!(fleet.demo.is_none());
        assert!(fleet.accounts.is_empty());
        let error = fleet.startup_error.expect("says why no account is listed");
        assert!(error.contains("1 account(s) are configured"), "{error}");
    }

    #[tokio::test]
    async fn unreadable_settings_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("settings.yml"), "version: [not a number").unwrap();
        let fleet = load_fleet_from(Ok(SettingsFile::in_dir(dir.path()))).await;
        assert!(fleet.accounts.is_empty());
        let error = fleet.startup_error.expect("an error");
        assert!(
            error.starts_with("Hangar could not read its settings"),
            "{error}"
        );
    }
}
