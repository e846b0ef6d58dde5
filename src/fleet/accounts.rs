//! The accounts as a front end lists and changes them: where each token is (never the token),
//! adding one (token to the keychain), removing one, testing a typed token, and importing
//! `machine`'s config.
//!
//! A change writes the settings; the caller then reloads its fleet
//! ([`FleetState::load`](super::FleetState::load)).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{Fleet, blocking};
use crate::accounts::{
    self, Account, AccountDefaults, AccountDetails, AccountId, ConnectionTest, NewToken, SecretRef,
};
use crate::error::{Error, Result};
use crate::machine_import::{self, SkippedItem};
use crate::provider::ProviderKind;
use crate::providers::http::ClientOptions;
use crate::secrets::{KeyringStore, SecretStatus, SecretStore, Token, normalize_token};
use crate::settings::{DemoCloud as DemoCloudMode, SettingsFile, env_vars};

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
    /// The machine types its import added that are still there and that no other account's
    /// import also added: removing the account offers to remove them.
    pub imported_types: Vec<String>,
}

impl AccountSummary {
    /// An account as it was just added or edited: connected again on the next reload, which
    /// also says which of its imported types remain ([`list`]).
    fn just_saved(account: Account, key: SecretStatus) -> Self {
        Self {
            id: account.id.to_string(),
            label: account.label,
            provider: account.provider,
            simulated: false,
            key: Some(key),
            base_url: account.base_url,
            error: None,
            imported_types: Vec::new(),
        }
    }
}

/// The accounts the front end is connected to.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AccountList {
    pub accounts: Vec<AccountSummary>,
    /// Why accounts are missing (settings unreadable, demo cloud failed), if they are.
    pub problem: Option<String>,
}

/// The fleet's accounts with where their tokens are (read from the keychain, never shown).
pub async fn list(fleet: &Fleet) -> Result<AccountList> {
    let (configured, types): (Vec<Account>, Vec<String>) = match &fleet.settings {
        Some(file) => {
            let file = file.clone();
            blocking(move || {
                let s = file.load_raw()?;
                Ok((s.accounts, s.machine_types.into_keys().collect()))
            })
            .await
            .unwrap_or_default()
        }
        None => Default::default(),
    };
    let live = fleet.accounts.clone();
    let accounts = blocking(move || {
        let store = KeyringStore::new();
        Ok(live
            .iter()
            .map(|a| {
                let account = configured.iter().find(|c| c.id.as_str() == a.id);
                AccountSummary {
                    id: a.id.clone(),
                    label: a.label.clone(),
                    provider: a.provider,
                    simulated: a.simulated,
                    key: account.map(|c| key_status(c, &store)),
                    base_url: account.and_then(|c| c.base_url.clone()),
                    error: a.client.as_ref().err().map(|e| e.message.clone()),
                    imported_types: account
                        .map(|c| own_imported_types(c, &configured, &types))
                        .unwrap_or_default(),
                }
            })
            .collect())
    })
    .await?;
    Ok(AccountList {
        accounts,
        problem: fleet.startup_error.clone(),
    })
}

/// The types `account`'s import added that the settings still have and that no other
/// account's import added too.
fn own_imported_types(account: &Account, all: &[Account], present: &[String]) -> Vec<String> {
    account
        .imported_types
        .iter()
        .filter(|t| present.contains(t))
        .filter(|t| {
            !all.iter()
                .any(|o| o.id != account.id && o.imported_types.contains(t))
        })
        .cloned()
        .collect()
}

fn key_status(account: &Account, store: &dyn SecretStore) -> SecretStatus {
    accounts::secret_status(account, store, &env_vars::process_env).unwrap_or_else(|_| {
        SecretStatus {
            stored: false,
            last4: None,
            store_name: store.store_name(),
        }
    })
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

/// Adds an account: its token to the keychain, the account to the settings.
pub async fn add(file: &SettingsFile, account: NewAccount) -> Result<AccountSummary> {
    let details = AccountDetails {
        label: account.label,
        provider: account.provider,
        base_url: non_empty(account.base_url),
        defaults: AccountDefaults::default(),
    };
    let token = Token::from(account.token);
    let file = file.clone();
    blocking(move || {
        let store = KeyringStore::new();
        let added = accounts::add_account(&file, &store, details, NewToken::Keychain(token))?;
        let key = accounts::secret_status(&added, &store, &env_vars::process_env)?;
        Ok(AccountSummary::just_saved(added, key))
    })
    .await
}

/// Removes an account and its keychain entry; with `with_types`, also the machine types its
/// import added that no other account's import added (as listed in
/// [`AccountSummary::imported_types`]), in the same write. Removing a demo account hides the
/// demo cloud (the Settings screen restores it).
pub async fn remove(fleet: &Fleet, file: &SettingsFile, id: &str, with_types: bool) -> Result<()> {
    let file = file.clone();
    if fleet.accounts.iter().any(|a| a.simulated && a.id == id) {
        return blocking(move || {
            Ok(file.update(|s| {
                s.ui.demo_cloud = DemoCloudMode::Hidden;
                Ok(())
            })?)
        })
        .await;
    }
    let id = AccountId::from(id);
    blocking(move || {
        let types = if with_types {
            let settings = file.load_raw()?;
            let present: Vec<String> = settings.machine_types.keys().cloned().collect();
            settings
                .accounts
                .iter()
                .find(|a| a.id == id)
                .map(|a| own_imported_types(a, &settings.accounts, &present))
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        Ok(accounts::remove_account(
            &file,
            &KeyringStore::new(),
            &id,
            &types,
        )?)
    })
    .await
}

/// What the Edit account form sends: the name, the API URL, and a new token if one was
/// typed (it replaces the old one in the keychain).
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AccountEdit {
    pub label: String,
    /// Empty or absent: the provider's public API.
    pub base_url: Option<String>,
    /// Empty or absent: the token stays as it is.
    pub token: Option<String>,
}

/// Renames an account, changes its API URL and, when a token is given, replaces its token
/// in the keychain (an account whose token was an environment variable moves to the
/// keychain). Its provider and defaults stay. Nothing is changed when a value is refused.
pub async fn edit(file: &SettingsFile, id: &str, edit: AccountEdit) -> Result<AccountSummary> {
    let file = file.clone();
    let id = AccountId::from(id);
    let token = non_empty(edit.token).map(|t| normalize_token(&Token::from(t)));
    let token = token.transpose().map_err(Error::from)?;
    blocking(move || {
        let store = KeyringStore::new();
        let current = accounts::get_account(&file, &id)?;
        let details = AccountDetails {
            label: edit.label,
            provider: current.provider,
            base_url: non_empty(edit.base_url),
            defaults: current.defaults.clone(),
        };
        // The details are checked first, so a refused URL leaves the old token in place.
        let updated = accounts::update_account(&file, &id, details)?;
        if let Some(token) = &token {
            accounts::set_token(&file, &store, &id, token)?;
        }
        let updated = accounts::get_account(&file, &id).unwrap_or(updated);
        let key = accounts::secret_status(&updated, &store, &env_vars::process_env)?;
        Ok(AccountSummary::just_saved(updated, key))
    })
    .await
}

/// Tests a typed token without saving anything: one cheap authenticated call.
pub async fn test_token(
    provider: ProviderKind,
    token: String,
    base_url: Option<String>,
) -> Result<ConnectionTest> {
    let token = normalize_token(&Token::from(token)).map_err(Error::from)?;
    let base_url = non_empty(base_url);
    let client = crate::providers::connect(
        provider,
        &token,
        base_url.as_deref(),
        ClientOptions::default(),
    )?;
    Ok(accounts::test_provider(client.as_ref()).await)
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|u| !u.trim().is_empty())
}

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
pub fn machine_config_location() -> MachineConfigLocation {
    let path = machine_import::default_config_location();
    MachineConfigLocation {
        exists: path.as_ref().is_some_and(|p| p.is_file()),
        path: path.map(|p| p.display().to_string()),
    }
}

/// Imports the `machine` config at `path` into `file`: its accounts (tokens into the
/// keychain), machine types and the session id `machine` keeps in its config directory
/// (`~/.config/machine/session-id.yml`, whatever the config's path). The caller reloads its
/// fleet.
pub async fn import_machine_config(file: &SettingsFile, path: &str) -> Result<ImportSummary> {
    let path = PathBuf::from(path.trim());
    if path.as_os_str().is_empty() {
        return Err(Error::validation("give the path of machine's config.yml"));
    }
    if !path.is_file() {
        return Err(Error::validation(format!(
            "{} is not a file",
            path.display()
        )));
    }
    let file = file.clone();
    let report = blocking(move || {
        let session = match machine_import::MachineDir::of_user() {
            Some(dir) => dir.session_file(),
            None => path.with_file_name(machine_import::SESSION_FILE_NAME),
        };
        Ok(machine_import::import_from(
            &file,
            &KeyringStore::new(),
            &path,
            &session,
            &env_vars::process_env,
        )?)
    })
    .await?;
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
