//! The Settings and Machine types screens, and the rules every form checks as you type (asked
//! of the core, which applies the same rules again before anything is saved or sent).

use hangar::fleet::machine_types::{self, NamedMachineType};
use hangar::fleet::preferences::{self, SettingsInfo};
use hangar::machine_types::{FieldProblem, form_problems};
use hangar::rules::{self, Rule};
use hangar::settings::{DemoCloud, Theme};

use super::Fleet;
use crate::error::AppResult;

/// Why `value` breaks `rule` (a machine name, tag, session id, ...), or `None`.
#[tauri::command]
#[specta::specta]
pub fn check_value(rule: Rule, value: String) -> Option<String> {
    rules::check(rule, &value)
}

/// What the Settings screen shows.
#[tauri::command]
#[specta::specta]
pub async fn settings_info(state: Fleet<'_>) -> AppResult<SettingsInfo> {
    let fleet = state.fleet().await?;
    Ok(preferences::info(&fleet, &state.settings_file()?).await?)
}

/// Changes the session id, then reloads the accounts: machines tagged with the old one stop
/// counting as "this session".
#[tauri::command]
#[specta::specta]
pub async fn set_session_id(state: Fleet<'_>, id: String) -> AppResult<String> {
    let _change = state.change().await;
    let id = preferences::set_session_id(&state.settings_file()?, &id).await?;
    state.load().await;
    Ok(id.as_str().to_owned())
}

/// Saves the theme (System follows the OS).
#[tauri::command]
#[specta::specta]
pub async fn set_theme(state: Fleet<'_>, theme: Theme) -> AppResult<()> {
    let _change = state.change().await;
    Ok(preferences::set_theme(&state.settings_file()?, theme).await?)
}

/// Sets when the demo cloud is shown, then reloads the accounts.
#[tauri::command]
#[specta::specta]
pub async fn set_demo_cloud(state: Fleet<'_>, mode: DemoCloud) -> AppResult<()> {
    let _change = state.change().await;
    preferences::set_demo_cloud(&state.settings_file()?, mode).await?;
    state.load().await;
    Ok(())
}

/// Sets whether power off and reboot ask for a confirmation first.
#[tauri::command]
#[specta::specta]
pub async fn set_ask_before_power(state: Fleet<'_>, ask: bool) -> AppResult<()> {
    let _change = state.change().await;
    Ok(preferences::set_ask_before_power(&state.settings_file()?, ask).await?)
}

/// Every machine type in the settings, by name.
#[tauri::command]
#[specta::specta]
pub async fn list_machine_types(state: Fleet<'_>) -> AppResult<Vec<NamedMachineType>> {
    let fleet = state.fleet().await?;
    Ok(machine_types::list(&fleet, &state.settings_file()?).await?)
}

/// Adds or replaces a machine type; with `previous` set to another name, renames it.
#[tauri::command]
#[specta::specta]
pub async fn save_machine_type(
    state: Fleet<'_>,
    previous: Option<String>,
    entry: NamedMachineType,
) -> AppResult<()> {
    let _change = state.change().await;
    Ok(machine_types::save(&state.settings_file()?, previous, entry).await?)
}

/// Deletes the machine type `name`.
#[tauri::command]
#[specta::specta]
pub async fn delete_machine_type(state: Fleet<'_>, name: String) -> AppResult<()> {
    let _change = state.change().await;
    Ok(machine_types::delete(&state.settings_file()?, name).await?)
}

/// What is wrong with a machine type as typed in the form, field by field (empty: nothing).
#[tauri::command]
#[specta::specta]
pub fn check_machine_type(entry: NamedMachineType) -> Vec<FieldProblem> {
    form_problems(&entry.name, &entry.machine_type)
}

/// The cloud-config the type would give (placeholders for the SSH keys and the DNS name), or
/// why it is not valid.
#[tauri::command]
#[specta::specta]
pub fn preview_machine_type(entry: NamedMachineType) -> AppResult<String> {
    Ok(machine_types::preview(&entry)?)
}
