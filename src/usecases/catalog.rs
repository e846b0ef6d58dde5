//! SSH keys, projects and machine types.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::machine_types::MachineType;
use crate::provider::{CloudProvider, Project, SshKey, projects_of};

/// The account's SSH keys.
pub async fn ssh_keys(provider: &dyn CloudProvider) -> Result<Vec<SshKey>> {
    Ok(provider.list_ssh_keys().await?)
}

/// The account's projects; on Vultr an `unsupported` error ("Vultr does not support projects").
pub async fn projects(provider: &dyn CloudProvider) -> Result<Vec<Project>> {
    Ok(projects_of(provider)?.list_projects().await?)
}

/// Names of the configured machine types, sorted.
pub fn machine_types(types: &BTreeMap<String, MachineType>) -> Vec<String> {
    types.keys().cloned().collect()
}
