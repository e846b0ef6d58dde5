//! Building a [`Fleet`] from the settings: the configured accounts, and the demo cloud when
//! there are none (or when the settings ask for it, see `ui.demo_cloud`).

use std::sync::Arc;

use super::{DemoCloud, DemoStarter, Fleet, LiveAccount, blocking};
use crate::error::Error;
use crate::secrets::KeyringStore;
use crate::settings::SettingsFile;

/// The fleet described by `settings`. `demo` starts the demo cloud when it is to be shown;
/// `running` is the demo cloud of the fleet this one replaces, kept (with its machines) when
/// it is still to be shown.
pub async fn load(
    settings: Result<SettingsFile, Error>,
    demo: Option<&dyn DemoStarter>,
    running: Option<Arc<DemoCloud>>,
) -> Fleet {
    let file = match settings {
        Ok(file) => file,
        Err(e) => return unreadable(e),
    };
    let loaded = match blocking({
        let file = file.clone();
        move || Ok(file.load()?.resolved)
    })
    .await
    {
        Ok(settings) => settings,
        Err(e) => return unreadable(e),
    };
    let show_demo = demo.is_some() && loaded.ui.demo_cloud.shown_with(loaded.accounts.len());
    let mut fleet = Fleet {
        settings: Some(file.clone()),
        ..Fleet::default()
    };
    if !loaded.accounts.is_empty() {
        let accounts = loaded.accounts;
        let built = blocking(move || {
            let session = file.ensure_session_id()?;
            let store = KeyringStore::new();
            let live: Vec<LiveAccount> = accounts
                .iter()
                .map(|account| LiveAccount::configured(account, &store))
                .collect();
            Ok((session, live))
        })
        .await;
        match built {
            Ok((session, accounts)) => {
                fleet.session = Some(session);
                fleet.accounts = accounts;
            }
            Err(e) => return unreadable(e),
        }
    }
    if show_demo {
        let cloud = match (running, demo) {
            (Some(cloud), _) => Ok(cloud),
            (None, Some(starter)) => starter.start().await.map(Arc::new),
            (None, None) => unreachable!("show_demo needs a starter"),
        };
        match cloud {
            Ok(cloud) => {
                fleet.accounts.extend(cloud.accounts.iter().cloned());
                // Without accounts of their own, the demo's machines are "this session".
                fleet.session.get_or_insert_with(|| cloud.session.clone());
                fleet.demo = Some(cloud);
            }
            Err(e) => fleet.startup_error = Some(e.message),
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

/// One line saying how loading went: the problem, or how many accounts are ready.
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
