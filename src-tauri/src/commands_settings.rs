//! The Settings screen: session id, theme, where settings and tokens are kept, build
//! information, and bringing back the demo cloud.

use hangar::about::BuildInfo;
use hangar::secrets::{KeyringStore, SecretStore};
use hangar::session::SessionId;
use hangar::settings::{DemoCloud, Theme};
use serde::Serialize;
use tauri::State;

use crate::commands::{blocking, settings_file, stopped};
use crate::error::AppError;
use crate::startup;
use crate::state::AppState;

/// What the Settings screen shows.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SettingsInfo {
    /// The settings file.
    pub settings_path: String,
    /// Where API tokens are kept, in words (e.g. "macOS Keychain").
    pub keychain: String,
    /// The session id in the settings (tags the machines Hangar creates), if one was made.
    pub session_id: Option<String>,
    /// The session whose machines the app shows as "this session" now (the demo cloud has
    /// its own while no account is configured).
    pub active_session_id: Option<String>,
    pub theme: Theme,
    pub demo_cloud: DemoCloud,
    /// The demo cloud is running now.
    pub demo_shown: bool,
    pub build: BuildInfo,
}

/// The keychain's name, with the programs that provide it where that helps.
fn keychain_description(store_name: String) -> String {
    if store_name == "Secret Service" {
        "Secret Service (GNOME Keyring / KWallet)".into()
    } else {
        store_name
    }
}

/// Everything the Settings screen shows.
#[tauri::command]
#[specta::specta]
pub async fn settings_info(state: State<'_, AppState>) -> Result<SettingsInfo, AppError> {
    let fleet = state.fleet().await.ok_or_else(stopped)?;
    let file = settings_file()?;
    let path = file.path().display().to_string();
    let raw = blocking(move || file.load_raw()).await??;
    Ok(SettingsInfo {
        settings_path: path,
        keychain: keychain_description(KeyringStore::new().store_name()),
        session_id: raw.session_id.map(|s| s.as_str().to_owned()),
        active_session_id: fleet.session_id.clone(),
        theme: raw.ui.theme,
        demo_cloud: raw.ui.demo_cloud,
        demo_shown: fleet.demo.is_some(),
        build: hangar::about::build_info(),
    })
}

/// Changes the session id (8 lowercase hex characters). Machines tagged with the old one
/// stop counting as "this session".
#[tauri::command]
#[specta::specta]
pub async fn set_session_id(state: State<'_, AppState>, id: String) -> Result<String, AppError> {
    let _change = state.changes.lock().await;
    let id: SessionId = id.trim().parse()?;
    let file = settings_file()?;
    blocking({
        let file = file.clone();
        let id = id.clone();
        move || {
            file.update(|s| {
                s.session_id = Some(id);
                Ok(())
            })
        }
    })
    .await??;
    state.publish(startup::load_fleet_from(Ok(file)).await);
    Ok(id.as_str().to_owned())
}

/// Saves the theme (System follows the OS).
#[tauri::command]
#[specta::specta]
pub async fn set_theme(state: State<'_, AppState>, theme: Theme) -> Result<(), AppError> {
    let _change = state.changes.lock().await;
    let file = settings_file()?;
    blocking(move || {
        file.update(|s| {
            s.ui.theme = theme;
            Ok(())
        })
    })
    .await??;
    Ok(())
}

/// Sets when the demo cloud is shown (`shown` restores it beside the configured accounts)
/// and rebuilds the accounts.
#[tauri::command]
#[specta::specta]
pub async fn set_demo_cloud(state: State<'_, AppState>, mode: DemoCloud) -> Result<(), AppError> {
    let _change = state.changes.lock().await;
    let file = settings_file()?;
    blocking({
        let file = file.clone();
        move || {
            file.update(|s| {
                s.ui.demo_cloud = mode;
                Ok(())
            })
        }
    })
    .await??;
    state.publish(startup::load_fleet_from(Ok(file)).await);
    Ok(())
}
