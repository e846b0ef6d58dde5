//! The Settings screen: the session id, the theme, when the demo cloud is shown, whether power
//! off and reboot ask first, and where settings and tokens are kept.

use serde::Serialize;

use super::{Fleet, blocking};
use crate::about::BuildInfo;
use crate::error::Result;
use crate::secrets::{KeyringStore, SecretStore};
use crate::session::SessionId;
use crate::settings::{DemoCloud, SettingsFile, Theme};

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
    /// The session whose machines count as "this session" now (the demo cloud has its own
    /// while no account is configured).
    pub active_session_id: Option<String>,
    pub theme: Theme,
    pub demo_cloud: DemoCloud,
    /// Power off and reboot ask for a confirmation first.
    pub ask_before_power: bool,
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
pub async fn info(fleet: &Fleet, file: &SettingsFile) -> Result<SettingsInfo> {
    let path = file.path().display().to_string();
    let file = file.clone();
    let (raw, keychain) =
        blocking(move || Ok((file.load_raw()?, KeyringStore::new().store_name()))).await?;
    Ok(SettingsInfo {
        settings_path: path,
        keychain: keychain_description(keychain),
        session_id: raw.session_id.map(|s| s.as_str().to_owned()),
        active_session_id: fleet.session.as_ref().map(|s| s.as_str().to_owned()),
        theme: raw.ui.theme,
        demo_cloud: raw.ui.demo_cloud,
        ask_before_power: !raw.ui.power_without_asking,
        demo_shown: fleet.demo.is_some(),
        build: crate::about::build_info(),
    })
}

/// Changes the session id (8 lowercase hex characters). Machines tagged with the old one stop
/// counting as "this session"; the caller reloads its fleet.
pub async fn set_session_id(file: &SettingsFile, id: &str) -> Result<SessionId> {
    let id: SessionId = id.trim().parse()?;
    let file = file.clone();
    let saved = id.clone();
    blocking(move || {
        Ok(file.update(|s| {
            s.session_id = Some(saved);
            Ok(())
        })?)
    })
    .await?;
    Ok(id)
}

/// Saves the theme (System follows the OS).
pub async fn set_theme(file: &SettingsFile, theme: Theme) -> Result<()> {
    let file = file.clone();
    blocking(move || {
        Ok(file.update(|s| {
            s.ui.theme = theme;
            Ok(())
        })?)
    })
    .await
}

/// Sets when the demo cloud is shown (`shown` restores it beside the configured accounts);
/// the caller reloads its fleet.
pub async fn set_demo_cloud(file: &SettingsFile, mode: DemoCloud) -> Result<()> {
    let file = file.clone();
    blocking(move || {
        Ok(file.update(|s| {
            s.ui.demo_cloud = mode;
            Ok(())
        })?)
    })
    .await
}

/// Sets whether power off and reboot ask for a confirmation first.
pub async fn set_ask_before_power(file: &SettingsFile, ask: bool) -> Result<()> {
    let file = file.clone();
    blocking(move || {
        Ok(file.update(|s| {
            s.ui.power_without_asking = !ask;
            Ok(())
        })?)
    })
    .await
}
