//! Machine types as the Machine types screen edits them: list, save (add, edit, rename),
//! delete, and the live cloud-config preview of a type being edited.

use serde::{Deserialize, Serialize};

use super::blocking;
use crate::cloud_init::preview::preview_user_data;
use crate::error::Result;
use crate::machine_types::{self, MachineType};
use crate::settings::{SettingsFile, env_vars};

/// A machine type and its name, as written in the settings (`${VAR}` kept).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NamedMachineType {
    pub name: String,
    pub machine_type: MachineType,
}

/// Every machine type in the settings, by name.
pub async fn list(file: &SettingsFile) -> Result<Vec<NamedMachineType>> {
    let file = file.clone();
    let types = blocking(move || Ok(file.load_raw()?.machine_types)).await?;
    Ok(types
        .into_iter()
        .map(|(name, machine_type)| NamedMachineType { name, machine_type })
        .collect())
}

/// Adds or replaces a machine type; with `previous` set to another name, renames it (one
/// atomic write).
pub async fn save(
    file: &SettingsFile,
    previous: Option<String>,
    entry: NamedMachineType,
) -> Result<()> {
    let file = file.clone();
    blocking(move || {
        Ok(machine_types::save_machine_type_as(
            &file,
            previous.as_deref(),
            entry.name.trim(),
            entry.machine_type,
            &env_vars::process_env,
        )?)
    })
    .await
}

/// Deletes the machine type `name`.
pub async fn delete(file: &SettingsFile, name: String) -> Result<()> {
    let file = file.clone();
    blocking(move || Ok(machine_types::remove_machine_type(&file, &name)?)).await
}

/// The cloud-config the type would give (placeholders for the SSH keys and the DNS name), or
/// why it is not valid.
pub fn preview(entry: &NamedMachineType) -> Result<String> {
    Ok(preview_user_data(
        entry.name.trim(),
        &entry.machine_type,
        &env_vars::process_env,
    )?)
}
