//! Import from the `machine` CLI: its config's accounts (tokens into the keychain, never
//! back to the web view), machine types and session id, through the core import.

use std::path::PathBuf;

use hangar::ErrorKind;
use hangar::machine_import::{self, ImportReport};
use hangar::secrets::KeyringStore;
use hangar::settings::env_vars;
use serde::Serialize;
use tauri::State;

use crate::commands::{blocking, settings_file};
use crate::error::AppError;
use crate::startup;
use crate::state::AppState;

/// Where `machine`'s config is looked for by default.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MachineConfigLocation {
    /// The first existing of `~/.config/machine/config.yml` and `~/.machine/config.yml`, else
    /// the first; `None` without a home directory.
    pub path: Option<String>,
    pub exists: bool,
}

/// The default location of `machine`'s config.
#[tauri::command]
#[specta::specta]
pub fn machine_config_location() -> MachineConfigLocation {
    let path = machine_import::default_config_location();
    MachineConfigLocation {
        exists: path.as_ref().is_some_and(|p| p.is_file()),
        path: path.map(|p| p.display().to_string()),
    }
}

/// Imports the `machine` config at `path` (and `session-id.yml` beside it), then rebuilds the
/// accounts. The report says what was imported and what was skipped, and why.
#[tauri::command]
#[specta::specta]
pub async fn import_machine_config(
    state: State<'_, AppState>,
    path: String,
) -> Result<ImportReport, AppError> {
    let _change = state.changes.lock().await;
    let path = PathBuf::from(path.trim());
    if path.as_os_str().is_empty() {
        return Err(invalid_path("give the path of machine's config.yml".into()));
    }
    if !path.is_file() {
        return Err(invalid_path(format!("{} is not a file", path.display())));
    }
    let file = settings_file()?;
    let report = blocking({
        let file = file.clone();
        move || {
            machine_import::import_from(&file, &KeyringStore::new(), &path, &env_vars::process_env)
        }
    })
    .await??;
    state.publish(startup::load_fleet_from(Ok(file)).await);
    Ok(report)
}

fn invalid_path(message: String) -> AppError {
    AppError::new(ErrorKind::Validation, message)
}
