//! Machine types as the Machine types screen edits them: list, save (add, edit, rename),
//! delete, and the live cloud-config preview of a type being edited.

use serde::{Deserialize, Serialize};

use super::{Fleet, blocking};
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
    /// The type comes with the demo cloud, not from the settings: it cannot be deleted, and
    /// saving it stores a copy in the settings, which then wins.
    #[serde(default, skip_deserializing)]
    pub from_demo: bool,
}

/// Every machine type the create form offers, by name: the settings' as written (`${VAR}`
/// kept), and while the demo cloud runs, the demo's beside them.
pub async fn list(fleet: &Fleet, file: &SettingsFile) -> Result<Vec<NamedMachineType>> {
    let file = file.clone();
    let written = blocking(move || Ok(file.load_raw()?.machine_types)).await?;
    // The demo's types where `Fleet::machine_types` offers them; the settings file was read
    // once, above.
    let demo = fleet.offered_demo_types().cloned().unwrap_or_default();
    let mut listed: Vec<NamedMachineType> = demo
        .into_iter()
        .filter(|(name, _)| !written.contains_key(name))
        .map(|(name, machine_type)| NamedMachineType {
            name,
            machine_type,
            from_demo: true,
        })
        .collect();
    listed.extend(
        written
            .into_iter()
            .map(|(name, machine_type)| NamedMachineType {
                name,
                machine_type,
                from_demo: false,
            }),
    );
    listed.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(listed)
}

/// Adds or replaces a machine type; with `previous` set to another name of the settings,
/// renames it (one atomic write).
pub async fn save(
    file: &SettingsFile,
    previous: Option<String>,
    entry: NamedMachineType,
) -> Result<()> {
    let file = file.clone();
    blocking(move || {
        // A demo type renamed is saved under its new name: there is nothing to rename in the
        // settings, and the demo's stays offered beside it.
        let previous = match previous {
            Some(p) if file.load_raw()?.machine_types.contains_key(&p) => Some(p),
            _ => None,
        };
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
