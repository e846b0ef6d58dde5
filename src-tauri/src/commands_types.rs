//! Machine types: list, save (add, edit, rename), delete, and the live cloud-config preview
//! of a type being edited. Saving goes through the core settings module (atomic writes).

use hangar::cloud_init::preview::preview_user_data;
use hangar::machine_types::{self, MachineType};
use hangar::settings::env_vars;
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::commands::{blocking, settings_file};
use crate::error::AppError;
use crate::state::AppState;

/// A machine type and its name, as written in the settings (`${VAR}` kept).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NamedMachineType {
    pub name: String,
    pub machine_type: MachineType,
}

/// Every machine type in the settings, by name.
#[tauri::command]
#[specta::specta]
pub async fn list_machine_types() -> Result<Vec<NamedMachineType>, AppError> {
    let file = settings_file()?;
    let types = blocking(move || file.load_raw()).await??.machine_types;
    Ok(types
        .into_iter()
        .map(|(name, machine_type)| NamedMachineType { name, machine_type })
        .collect())
}

/// Adds or replaces a machine type; with `previous` set to another name, renames it.
#[tauri::command]
#[specta::specta]
pub async fn save_machine_type(
    state: State<'_, AppState>,
    previous: Option<String>,
    entry: NamedMachineType,
) -> Result<(), AppError> {
    // One settings change at a time: each is a read, a change and an atomic write.
    let _change = state.changes.lock().await;
    let file = settings_file()?;
    blocking(move || {
        machine_types::save_machine_type_as(
            &file,
            previous.as_deref(),
            entry.name.trim(),
            entry.machine_type,
            &env_vars::process_env,
        )
    })
    .await??;
    Ok(())
}

/// Deletes the machine type `name`.
#[tauri::command]
#[specta::specta]
pub async fn delete_machine_type(state: State<'_, AppState>, name: String) -> Result<(), AppError> {
    let _change = state.changes.lock().await;
    let file = settings_file()?;
    blocking(move || machine_types::remove_machine_type(&file, &name)).await??;
    Ok(())
}

/// The cloud-config the type would give (placeholders for the SSH keys and the DNS name),
/// or why it is not valid.
#[tauri::command]
#[specta::specta]
pub fn preview_machine_type(entry: NamedMachineType) -> Result<String, AppError> {
    Ok(preview_user_data(
        entry.name.trim(),
        &entry.machine_type,
        &env_vars::process_env,
    )?)
}
