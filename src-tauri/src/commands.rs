//! Commands the web view may invoke. Each is a thin call into the `hangar` core.

use hangar::about::BuildInfo;
use hangar::provider::{Machine, MachineFilter, ProviderKind};
use serde::Serialize;
use tauri::State;

use crate::error::AppError;
use crate::state::{AppState, LiveAccount};

/// Name, version and platform of this build, for the About panel.
#[tauri::command]
#[specta::specta]
pub fn app_info() -> BuildInfo {
    hangar::about::build_info()
}

/// An account as the UI sees it. Never carries a token.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AccountSummary {
    pub id: String,
    pub label: String,
    pub provider: ProviderKind,
    /// Served by the demo cloud on this computer: nothing is billed.
    pub simulated: bool,
}

/// The accounts the app is connected to.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AccountList {
    pub accounts: Vec<AccountSummary>,
    /// Why accounts are missing (settings unreadable, demo cloud failed), if they are.
    pub problem: Option<String>,
}

/// The machines of one account, or why they could not be listed.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AccountMachines {
    pub account_id: String,
    pub machines: Vec<Machine>,
    /// Set when listing failed; `machines` is then empty.
    pub error: Option<String>,
}

/// Machines across all accounts.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MachineListing {
    /// The session whose machines count as "this session".
    pub session_id: Option<String>,
    /// One entry per account, in the order of `list_accounts`.
    pub accounts: Vec<AccountMachines>,
}

/// The accounts the app is connected to (labels and providers only).
#[tauri::command]
#[specta::specta]
pub async fn list_accounts(state: State<'_, AppState>) -> Result<AccountList, AppError> {
    let fleet = state.fleet().await.ok_or_else(stopped)?;
    Ok(AccountList {
        accounts: fleet
            .accounts
            .iter()
            .map(|a| AccountSummary {
                id: a.id.clone(),
                label: a.label.clone(),
                provider: a.provider,
                simulated: a.simulated,
            })
            .collect(),
        problem: fleet.startup_error.clone(),
    })
}

/// Every machine of every account, listed concurrently. An account that fails reports its
/// error in its own entry; the others are still listed.
#[tauri::command]
#[specta::specta]
pub async fn list_machines(state: State<'_, AppState>) -> Result<MachineListing, AppError> {
    let fleet = state.fleet().await.ok_or_else(stopped)?;
    Ok(MachineListing {
        session_id: fleet.session_id.clone(),
        accounts: list_all(&fleet.accounts).await,
    })
}

/// Lists the machines of every account at once; each account's failure stays in its entry.
// TODO(use cases): call the `list` use case instead of the provider directly.
pub async fn list_all(accounts: &[LiveAccount]) -> Vec<AccountMachines> {
    let tasks: Vec<_> = accounts
        .iter()
        .map(|account| {
            let client = account.client.clone();
            tokio::spawn(async move { client.list_machines(&MachineFilter::all()).await })
        })
        .collect();
    let mut listed = Vec::with_capacity(tasks.len());
    for (account, task) in accounts.iter().zip(tasks) {
        let (machines, error) = match task.await {
            Ok(Ok(machines)) => (machines, None),
            Ok(Err(e)) => (Vec::new(), Some(e.to_string())),
            Err(e) => (
                Vec::new(),
                Some(format!("listing stopped unexpectedly: {e}")),
            ),
        };
        listed.push(AccountMachines {
            account_id: account.id.clone(),
            machines,
            error,
        });
    }
    listed
}

fn stopped() -> AppError {
    AppError::Internal("Hangar is shutting down.".into())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use hangar::provider::ProviderKind;
    use hangar::providers::digitalocean::DigitalOceanConfig;

    use super::*;

    #[tokio::test]
    async fn one_failing_account_does_not_hide_the_others() {
        let demo = crate::demo::start_with(0).await.expect("demo cloud");
        // A second DigitalOcean account whose API cannot be reached (a closed port).
        let broken = LiveAccount {
            id: "broken".into(),
            label: "Broken".into(),
            provider: ProviderKind::DigitalOcean,
            simulated: false,
            client: Arc::new(
                DigitalOceanConfig::new("any-token")
                    .with_base_url("http://127.0.0.1:9")
                    .build()
                    .expect("client"),
            ),
        };
        let accounts = vec![demo.accounts[0].clone(), broken, demo.accounts[1].clone()];
        let listed = list_all(&accounts).await;
        let ids: Vec<&str> = listed.iter().map(|a| a.account_id.as_str()).collect();
        assert_eq!(ids, ["demo-digitalocean", "broken", "demo-vultr"]);
        assert!(listed[0].error.is_none() && !listed[0].machines.is_empty());
        assert!(listed[2].error.is_none() && !listed[2].machines.is_empty());
        let error = listed[1]
            .error
            .as_deref()
            .expect("an error for the broken account");
        assert!(error.contains("DigitalOcean"), "{error}");
        assert!(listed[1].machines.is_empty());
    }
}
