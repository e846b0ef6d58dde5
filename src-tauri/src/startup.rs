//! What happens after the window opens: read the settings and bring up the accounts.
//!
//! With no accounts configured, the demo cloud starts. Runs on the async runtime, never on
//! the UI thread.

use std::sync::Arc;

use hangar::settings::SettingsFile;

use crate::demo;
use crate::state::Fleet;

/// Builds the fleet the commands work on.
pub async fn load_fleet() -> Fleet {
    let settings = SettingsFile::default_location().and_then(|file| file.load());
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
