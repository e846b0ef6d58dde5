//! The Accounts screen and the About panel: accounts, adding and removing them, testing a
//! token, importing `machine`'s config; the providers and the build.

use hangar::about::BuildInfo;
use hangar::accounts::ConnectionTest;
use hangar::fleet::accounts::{
    self, AccountEdit, AccountList, AccountSummary, ImportSummary, MachineConfigLocation,
    NewAccount,
};
use hangar::provider::ProviderKind;
use hangar::providers::ProviderEntry;

use super::Fleet;
use crate::error::AppResult;

/// Name, version and platform of this build, for the About panel.
#[tauri::command]
#[specta::specta]
pub fn app_info() -> BuildInfo {
    hangar::about::build_info()
}

/// The providers Hangar speaks, with their display names and token help.
#[tauri::command]
#[specta::specta]
pub fn provider_list() -> Vec<ProviderEntry> {
    hangar::providers::provider_list()
}

/// The accounts the app is connected to, with where their tokens are (never the tokens).
#[tauri::command]
#[specta::specta]
pub async fn list_accounts(state: Fleet<'_>) -> AppResult<AccountList> {
    Ok(accounts::list(&*state.fleet().await?).await?)
}

/// Tests a typed token without saving anything: one cheap authenticated call.
#[tauri::command]
#[specta::specta]
pub async fn test_token(
    provider: ProviderKind,
    token: String,
    base_url: Option<String>,
) -> AppResult<ConnectionTest> {
    Ok(accounts::test_token(provider, token, base_url).await?)
}

/// Adds an account (its token goes to the keychain, never back to the UI) and reloads the
/// accounts: the demo cloud stops being shown once a real account exists.
#[tauri::command]
#[specta::specta]
pub async fn add_account(state: Fleet<'_>, account: NewAccount) -> AppResult<AccountSummary> {
    let _change = state.change().await;
    let added = accounts::add(&state.settings_file()?, account).await?;
    state.load().await;
    Ok(added)
}

/// Removes an account and its keychain entry (a demo account: hides the demo cloud), with
/// `withTypes` also the machine types its import added, and reloads the accounts.
#[tauri::command]
#[specta::specta]
pub async fn remove_account(state: Fleet<'_>, id: String, with_types: bool) -> AppResult<()> {
    let _change = state.change().await;
    let fleet = state.fleet().await?;
    accounts::remove(&fleet, &state.settings_file()?, &id, with_types).await?;
    state.load().await;
    Ok(())
}

/// Renames an account, changes its API URL and, if one is typed, replaces its token in the
/// keychain; then reloads the accounts.
#[tauri::command]
#[specta::specta]
pub async fn edit_account(
    state: Fleet<'_>,
    id: String,
    edit: AccountEdit,
) -> AppResult<AccountSummary> {
    let _change = state.change().await;
    let edited = accounts::edit(&state.settings_file()?, &id, edit).await?;
    state.load().await;
    Ok(edited)
}

/// The default location of `machine`'s config.
#[tauri::command]
#[specta::specta]
pub fn machine_config_location() -> MachineConfigLocation {
    accounts::machine_config_location()
}

/// Imports the `machine` config at `path`, then reloads the accounts. The report says what
/// was imported and what was skipped, and why.
#[tauri::command]
#[specta::specta]
pub async fn import_machine_config(state: Fleet<'_>, path: String) -> AppResult<ImportSummary> {
    let _change = state.change().await;
    let report = accounts::import_machine_config(&state.settings_file()?, &path).await?;
    state.load().await;
    Ok(report)
}
