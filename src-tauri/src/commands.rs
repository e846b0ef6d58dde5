//! Commands the web view may invoke. Each is a thin call into the `hangar` core.

use hangar::about::BuildInfo;
use hangar::accounts::{
    self, AccountDefaults, AccountDetails, AccountId, ConnectionTest, NewToken,
};
use hangar::error::ErrorKind;
use hangar::provider::{Machine, ProviderKind};
use hangar::providers::http::ClientOptions;
use hangar::secrets::{KeyringStore, SecretStatus, SecretStore, Token, normalize_token};
use hangar::session::SessionId;
use hangar::settings::{DemoCloud, Settings, SettingsFile, env_vars};
use hangar::usecases::list::{self, ListFilter};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::error::AppError;
use crate::startup;
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
    /// Where the token is kept and its last four characters; `None` for demo accounts.
    pub key: Option<SecretStatus>,
    /// The API URL used instead of the provider's public one, if any.
    pub base_url: Option<String>,
    /// Why the account cannot be used right now (e.g. its token is missing).
    pub error: Option<String>,
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

/// The accounts the app is connected to, with where their tokens are (never the tokens).
#[tauri::command]
#[specta::specta]
pub async fn list_accounts(state: State<'_, AppState>) -> Result<AccountList, AppError> {
    let fleet = state.fleet().await.ok_or_else(stopped)?;
    let configured = settings_file()
        .and_then(|f| Ok(f.load_raw()?.accounts))
        .unwrap_or_default();
    let live: Vec<LiveAccount> = fleet.accounts.clone();
    let accounts = blocking(move || {
        let store = KeyringStore::new();
        live.iter()
            .map(|a| {
                let account = configured.iter().find(|c| c.id.as_str() == a.id);
                let key = account.map(|c| {
                    accounts::secret_status(c, &store, &env_vars::process_env).unwrap_or_else(
                        |_| SecretStatus {
                            stored: false,
                            last4: None,
                            store_name: store.store_name(),
                        },
                    )
                });
                AccountSummary {
                    id: a.id.clone(),
                    label: a.label.clone(),
                    provider: a.provider,
                    simulated: a.simulated,
                    key,
                    base_url: account.and_then(|c| c.base_url.clone()),
                    error: a.client.as_ref().err().cloned(),
                }
            })
            .collect()
    })
    .await?;
    Ok(AccountList {
        accounts,
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
        accounts: list_all(&fleet.accounts, fleet.session_id.as_deref()).await,
    })
}

/// Tests a typed token without saving anything: one cheap authenticated call.
#[tauri::command]
#[specta::specta]
pub async fn test_token(
    provider: ProviderKind,
    token: String,
    base_url: Option<String>,
) -> Result<ConnectionTest, AppError> {
    let token = normalize_token(&Token::from(token))?;
    let base_url = base_url.filter(|u| !u.trim().is_empty());
    let client = accounts::connect(
        provider,
        &token,
        base_url.as_deref(),
        ClientOptions::default(),
    )?;
    Ok(accounts::test_provider(client.as_ref()).await)
}

/// What the Add account form sends. The token goes to the keychain, never back to the UI.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NewAccount {
    pub provider: ProviderKind,
    pub label: String,
    pub token: String,
    /// Empty or absent: the provider's public API.
    pub base_url: Option<String>,
}

/// Adds an account: stores its token in the keychain, writes the settings, and rebuilds
/// the fleet (the demo cloud stops being shown once a real account exists).
#[tauri::command]
#[specta::specta]
pub async fn add_account(
    state: State<'_, AppState>,
    account: NewAccount,
) -> Result<AccountSummary, AppError> {
    let _change = state.changes.lock().await;
    let file = settings_file()?;
    let details = AccountDetails {
        label: account.label,
        provider: account.provider,
        base_url: account.base_url.filter(|u| !u.trim().is_empty()),
        defaults: AccountDefaults::default(),
    };
    let token = Token::from(account.token);
    let added = blocking({
        let file = file.clone();
        move || {
            let store = KeyringStore::new();
            let added = accounts::add_account(&file, &store, details, NewToken::Keychain(token))?;
            let key = accounts::secret_status(&added, &store, &env_vars::process_env)?;
            Ok::<_, AppError>((added, key))
        }
    })
    .await??;
    let (added, key) = added;
    state.publish(startup::load_fleet_from(Ok(file)).await);
    Ok(AccountSummary {
        id: added.id.to_string(),
        label: added.label,
        provider: added.provider,
        simulated: false,
        key: Some(key),
        base_url: added.base_url,
        error: None,
    })
}

/// Removes an account and its keychain entry, and rebuilds the fleet (the demo cloud comes
/// back when the last account is gone). Removing a demo account hides the demo cloud.
#[tauri::command]
#[specta::specta]
pub async fn remove_account(state: State<'_, AppState>, id: String) -> Result<(), AppError> {
    let _change = state.changes.lock().await;
    let file = settings_file()?;
    let fleet = state.fleet().await.ok_or_else(stopped)?;
    if fleet.accounts.iter().any(|a| a.simulated && a.id == id) {
        // A demo account: hide the demo cloud (Settings can restore it).
        blocking({
            let file = file.clone();
            move || {
                file.update(|s| {
                    s.ui.demo_cloud = DemoCloud::Hidden;
                    Ok(())
                })
            }
        })
        .await??;
        state.publish(startup::load_fleet_from(Ok(file)).await);
        return Ok(());
    }
    blocking({
        let file = file.clone();
        move || accounts::remove_account(&file, &KeyringStore::new(), &AccountId::from(id.as_str()))
    })
    .await??;
    state.publish(startup::load_fleet_from(Ok(file)).await);
    Ok(())
}

pub(crate) fn settings_file() -> Result<SettingsFile, AppError> {
    Ok(SettingsFile::default_location()?)
}

/// Runs keychain and file work off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::new(ErrorKind::Cancelled, format!("stopped unexpectedly: {e}")))
}

/// Lists the machines of every account at once through the list use case (all machines,
/// not only this session's: the UI filters by session from the tags); each account's
/// failure stays in its entry.
pub async fn list_all(accounts: &[LiveAccount], session: Option<&str>) -> Vec<AccountMachines> {
    let session: SessionId = session
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(SessionId::generate);
    let tasks: Vec<_> = accounts
        .iter()
        .map(|account| {
            let client = account.client.clone();
            let session = session.clone();
            tokio::spawn(async move {
                let client = client?;
                let filter = ListFilter {
                    all: true,
                    ..ListFilter::default()
                };
                list::list_machines(client.as_ref(), &session, &filter)
                    .await
                    .map_err(|e| e.message)
            })
        })
        .collect();
    let mut listed = Vec::with_capacity(tasks.len());
    for (account, task) in accounts.iter().zip(tasks) {
        let (machines, error) = match task.await {
            Ok(Ok(machines)) => (machines, None),
            Ok(Err(e)) => (Vec::new(), Some(e)),
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

/// The resolved settings, read off the async workers.
pub(crate) async fn load_settings() -> Result<Settings, AppError> {
    tokio::task::spawn_blocking(|| {
        let file = SettingsFile::default_location()?;
        Ok::<_, AppError>(file.load()?.resolved)
    })
    .await
    .map_err(|e| AppError::new(ErrorKind::Cancelled, format!("stopped unexpectedly: {e}")))?
}

/// The error of a command that ran while the app was shutting down.
pub(crate) fn stopped() -> AppError {
    AppError::new(ErrorKind::Cancelled, "Hangar is shutting down.")
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
            client: Ok(Arc::new(
                DigitalOceanConfig::new("any-token")
                    .with_base_url("http://127.0.0.1:9")
                    .build()
                    .expect("client"),
            )),
        };
        let accounts = vec![demo.accounts[0].clone(), broken, demo.accounts[1].clone()];
        let listed = list_all(&accounts, Some(crate::demo::DEMO_SESSION)).await;
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
