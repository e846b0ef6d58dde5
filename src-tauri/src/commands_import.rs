//! Import from the `machine` CLI: its config's accounts (tokens into the keychain, never
//! back to the web view), machine types and session id, through the core import.

use std::path::PathBuf;

use hangar::ErrorKind;
use hangar::accounts::{ProviderKind, SecretRef};
use hangar::machine_import::{self, SkippedItem};
use hangar::secrets::KeyringStore;
use hangar::settings::env_vars;
use serde::Serialize;
use tauri::State;

use crate::commands::{blocking, settings_file};
use crate::error::AppError;
use crate::startup;
use crate::state::AppState;

/// An imported account as the UI sees it: where its token went, never the token.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportedAccountSummary {
    pub id: String,
    pub label: String,
    pub provider: ProviderKind,
    /// "the keychain", or "environment variable NAME" for a `${NAME}` token.
    pub key_location: String,
}

/// What an import did: what was imported, and what was skipped and why.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    /// The config file read.
    pub source: String,
    pub accounts: Vec<ImportedAccountSummary>,
    /// Names of the machine types added.
    pub machine_types: Vec<String>,
    /// The session id adopted, if any.
    pub session_id: Option<String>,
    pub skipped: Vec<SkippedItem>,
    pub notes: Vec<String>,
}

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
) -> Result<ImportSummary, AppError> {
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
    Ok(ImportSummary {
        source: report.source,
        accounts: report
            .accounts
            .into_iter()
            .map(|a| ImportedAccountSummary {
                id: a.id.to_string(),
                label: a.label,
                provider: a.provider,
                key_location: match a.secret {
                    SecretRef::Keychain => "the keychain".into(),
                    SecretRef::Env { var } => format!("environment variable {var}"),
                },
            })
            .collect(),
        machine_types: report.machine_types,
        session_id: report.session_id.map(|s| s.as_str().to_owned()),
        skipped: report.skipped,
        notes: report.notes,
    })
}

fn invalid_path(message: String) -> AppError {
    AppError::new(ErrorKind::Validation, message)
}
