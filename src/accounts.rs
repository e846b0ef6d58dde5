//! Cloud accounts: which provider, where the token is, and per-account defaults.
//!
//! Several accounts coexist, also of the same provider. An account's token is in the system
//! keychain (service `app.hangar.desktop`, user = the account id) or, for people who keep
//! tokens in their environment as `machine` allows, named by an environment variable. The
//! settings file holds only that reference.
//!
//! The functions here change the settings file and the keychain together: adding stores the
//! token first and removes it again if the settings cannot be saved; removing deletes the
//! keychain entry first, so a failing keychain leaves the account in place to retry.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::config_error::ConfigError;
use crate::error::Error;
use crate::provider::{CloudProvider, ProviderError};
use crate::providers::http::ClientOptions;
use crate::secrets::{SecretStatus, SecretStore, Token, normalize_token};
use crate::settings::{SettingsFile, env_vars};

pub use crate::provider::ProviderKind;

/// A stable account id (a UUID for accounts Hangar creates). Also the keychain user name.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, specta::Type,
)]
#[serde(transparent)]
pub struct AccountId(String);

impl AccountId {
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for AccountId {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl std::fmt::Display for AccountId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an account's token is. Never the token itself.
///
/// Written `{ source: keychain }` or `{ source: env, var: NAME }`; `keychain` alone is read
/// as the first, and anything else gets a sentence saying which forms there are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "source", rename_all = "lowercase", deny_unknown_fields)]
pub enum SecretRef {
    /// In the system keychain under the account id.
    Keychain,
    /// In the environment variable `var`, read when the token is needed.
    Env { var: String },
}

impl<'de> Deserialize<'de> for SecretRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(tag = "source", rename_all = "lowercase", deny_unknown_fields)]
        enum Tagged {
            Keychain,
            Env { var: String },
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Short(String),
            Tagged(Tagged),
            Other(serde::de::IgnoredAny),
        }
        match Form::deserialize(d)? {
            Form::Short(s) if s == "keychain" => Ok(SecretRef::Keychain),
            Form::Tagged(Tagged::Keychain) => Ok(SecretRef::Keychain),
            Form::Tagged(Tagged::Env { var }) => Ok(SecretRef::Env { var }),
            _ => Err(serde::de::Error::custom(
                "`secret` says where the token is: write `secret: keychain` (in the system \
                 keychain) or `secret: { source: env, var: NAME }` (in the environment \
                 variable NAME); the token itself never goes in this file",
            )),
        }
    }
}

/// Values used when creating a machine with this account, unless the user picks others.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct AccountDefaults {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Names of the SSH keys (as registered with the provider) put on new machines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ssh_keys: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_zone: Option<String>,
    /// DigitalOcean project name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
}

/// One cloud account, as kept in the settings file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub id: AccountId,
    pub label: String,
    pub provider: ProviderKind,
    pub secret: SecretRef,
    /// API base URL instead of the provider's (for the emulator or a proxy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// HTTP proxy (`http://host:port`) through which the machines' cloud-init status check
    /// (`http://<machine ip>:4242/cgi-bin/cloud-init-status`) is sent, instead of asking each
    /// machine directly. The request keeps its target, so the proxy knows which machine is
    /// meant. For machines reachable only through a gateway, and for the emulator, whose
    /// machines have documentation addresses (`cloud-emulator` prints its proxy address).
    /// Absent: no proxy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_proxy: Option<String>,
    #[serde(default)]
    pub defaults: AccountDefaults,
    /// The machine types added by the import that created this account: removing the
    /// account offers to remove them too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imported_types: Vec<String>,
}

/// What the user enters for a new account or an edit, besides the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct AccountDetails {
    pub label: String,
    pub provider: ProviderKind,
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default)]
    pub defaults: AccountDefaults,
}

/// The token of a new account: given now (goes to the keychain) or named by a variable.
/// Deliberately not `Serialize`.
#[derive(Debug)]
pub enum NewToken {
    Keychain(Token),
    EnvVar(String),
}

fn validate_details(d: &AccountDetails) -> Result<(), ConfigError> {
    if d.label.trim().is_empty() {
        return Err(ConfigError::invalid("label", "give the account a name"));
    }
    if let Some(url) = &d.base_url
        && !url.contains("${")
    {
        check_api_url(url)?;
    }
    Ok(())
}

fn validate_var_name(var: &str) -> Result<(), ConfigError> {
    let ok = !var.is_empty()
        && var
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(ConfigError::invalid(
            "token variable",
            format!("`{var}` is not a valid environment variable name"),
        ))
    }
}

/// Adds an account. A keychain token is stored first; if the settings cannot be saved the
/// entry is removed again.
pub fn add_account(
    file: &SettingsFile,
    store: &dyn SecretStore,
    details: AccountDetails,
    token: NewToken,
) -> Result<Account, ConfigError> {
    validate_details(&details)?;
    let id = AccountId::generate();
    let secret = match token {
        NewToken::Keychain(token) => {
            let token = normalize_token(&token)?;
            store.set_token(id.as_str(), &token)?;
            SecretRef::Keychain
        }
        NewToken::EnvVar(var) => {
            validate_var_name(&var)?;
            SecretRef::Env { var }
        }
    };
    let account = Account {
        id: id.clone(),
        label: details.label.trim().to_owned(),
        provider: details.provider,
        secret: secret.clone(),
        base_url: details.base_url,
        status_proxy: None,
        defaults: details.defaults,
        imported_types: Vec::new(),
    };
    let saved = file.update(|s| {
        s.accounts.push(account.clone());
        Ok(())
    });
    if let Err(e) = saved {
        if secret == SecretRef::Keychain {
            let _ = store.delete_token(id.as_str());
        }
        return Err(e);
    }
    Ok(account)
}

/// Changes label, base URL and defaults of an account (the provider cannot change).
pub fn update_account(
    file: &SettingsFile,
    id: &AccountId,
    details: AccountDetails,
) -> Result<Account, ConfigError> {
    validate_details(&details)?;
    file.update(|s| {
        let account = find_mut(&mut s.accounts, id)?;
        if account.provider != details.provider {
            return Err(ConfigError::invalid(
                "provider",
                "an account's provider cannot change; add a new account",
            ));
        }
        account.label = details.label.trim().to_owned();
        account.base_url = details.base_url;
        account.defaults = details.defaults;
        Ok(account.clone())
    })
}

/// Stores a new token for an account in the keychain (also switching an account that used
/// an environment variable to the keychain).
pub fn set_token(
    file: &SettingsFile,
    store: &dyn SecretStore,
    id: &AccountId,
    token: &Token,
) -> Result<(), ConfigError> {
    let token = normalize_token(token)?;
    let account = get_account(file, id)?;
    store.set_token(id.as_str(), &token)?;
    if account.secret != SecretRef::Keychain {
        file.update(|s| {
            find_mut(&mut s.accounts, id)?.secret = SecretRef::Keychain;
            Ok(())
        })?;
    }
    Ok(())
}

/// Removes an account and deletes its keychain entry, and the machine types named in
/// `types` in the same write.
pub fn remove_account(
    file: &SettingsFile,
    store: &dyn SecretStore,
    id: &AccountId,
    types: &[String],
) -> Result<(), ConfigError> {
    get_account(file, id)?;
    // Delete the entry even for an env-var account: a token stored earlier must not linger.
    store.delete_token(id.as_str())?;
    file.update(|s| {
        s.accounts.retain(|a| &a.id != id);
        s.machine_types.retain(|name, _| !types.contains(name));
        Ok(())
    })
}

/// The account `id` as written in the settings.
pub fn get_account(file: &SettingsFile, id: &AccountId) -> Result<Account, ConfigError> {
    file.load_raw()?
        .accounts
        .into_iter()
        .find(|a| &a.id == id)
        .ok_or_else(|| ConfigError::NotFound {
            what: "account",
            name: id.to_string(),
        })
}

fn find_mut<'a>(
    accounts: &'a mut [Account],
    id: &AccountId,
) -> Result<&'a mut Account, ConfigError> {
    accounts
        .iter_mut()
        .find(|a| &a.id == id)
        .ok_or_else(|| ConfigError::NotFound {
            what: "account",
            name: id.to_string(),
        })
}

/// The account's token, from the keychain or its environment variable.
pub fn resolve_token(
    account: &Account,
    store: &dyn SecretStore,
    lookup: env_vars::Lookup<'_>,
) -> Result<Token, ConfigError> {
    match &account.secret {
        SecretRef::Keychain => {
            store
                .token(account.id.as_str())?
                .ok_or_else(|| ConfigError::NotFound {
                    what: "token in the keychain for account",
                    name: account.label.clone(),
                })
        }
        SecretRef::Env { var } => lookup(var)
            .filter(|v| !v.is_empty())
            .map(Token::from)
            .ok_or_else(|| ConfigError::EnvVarUnset {
                var: var.clone(),
                key: format!("token of account `{}`", account.label),
            }),
    }
}

/// What the UI may know about the account's token.
pub fn secret_status(
    account: &Account,
    store: &dyn SecretStore,
    lookup: env_vars::Lookup<'_>,
) -> Result<SecretStatus, ConfigError> {
    match &account.secret {
        SecretRef::Keychain => Ok(SecretStatus::of(
            store.token(account.id.as_str())?.as_ref(),
            store.store_name(),
        )),
        SecretRef::Env { var } => {
            let token = lookup(var).filter(|v| !v.is_empty()).map(Token::from);
            Ok(SecretStatus::of(
                token.as_ref(),
                format!("environment variable {var}"),
            ))
        }
    }
}

/// A client for `account` with its resolved `token`. The account's base URL wins; without
/// one, `HANGAR_DIGITALOCEAN_API_URL` / `HANGAR_VULTR_API_URL`, else the public API. The
/// account's `status_proxy` (if set) goes into the client, so the status use case sends
/// the machines' check through it.
pub fn provider_for(
    account: &Account,
    token: &Token,
    mut options: ClientOptions,
) -> Result<Arc<dyn CloudProvider>, Error> {
    if let Some(proxy) = account
        .status_proxy
        .as_ref()
        .filter(|p| !p.trim().is_empty())
    {
        options.status_proxy = Some(proxy.clone());
    }
    if let Some(url) = account.base_url.as_deref().filter(|u| !u.trim().is_empty()) {
        check_api_url(url)?;
    }
    Ok(crate::providers::connect(
        account.provider,
        token,
        account.base_url.as_deref(),
        options,
    )?)
}

/// An API URL must be an absolute `http` or `https` URL with a host.
pub fn check_api_url(url: &str) -> Result<(), ConfigError> {
    let parsed = url::Url::parse(url)
        .map_err(|e| ConfigError::invalid("base_url", format!("`{url}` is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(ConfigError::invalid(
            "base_url",
            format!("`{url}` must be an http(s) URL with a host"),
        ));
    }
    Ok(())
}

/// What a successful connection test learned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ProbeOutcome {
    /// The account's e-mail (and name where the provider has one).
    pub account_name: Option<String>,
}

/// Result of "Test connection".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum ConnectionTest {
    Ok {
        outcome: ProbeOutcome,
    },
    /// No token could be found (keychain empty, variable unset, keychain unavailable).
    NoToken {
        message: String,
    },
    /// The provider answered 401/403: the token is wrong, expired or lacks a scope.
    Rejected {
        message: String,
    },
    /// The provider could not be reached (address, network, TLS, timeout).
    Unreachable {
        message: String,
    },
    /// Any other failure (server error, rate limit, unreadable answer).
    Failed {
        message: String,
    },
}

/// Resolves the account's token and makes one cheap authenticated call (the account endpoint).
pub async fn test_connection(
    account: &Account,
    store: &dyn SecretStore,
    lookup: env_vars::Lookup<'_>,
    options: ClientOptions,
) -> ConnectionTest {
    let token = match resolve_token(account, store, lookup) {
        Ok(t) => t,
        Err(e) => {
            return ConnectionTest::NoToken {
                message: e.to_string(),
            };
        }
    };
    let provider = match provider_for(account, &token, options) {
        Ok(p) => p,
        Err(e) => return ConnectionTest::Failed { message: e.message },
    };
    test_provider(provider.as_ref()).await
}

/// The connection test over an existing client.
pub async fn test_provider(provider: &dyn CloudProvider) -> ConnectionTest {
    match provider.account().await {
        Ok(info) => ConnectionTest::Ok {
            outcome: ProbeOutcome {
                account_name: Some(match info.name {
                    Some(name) if !name.is_empty() => format!("{name} <{}>", info.email),
                    _ => info.email,
                }),
            },
        },
        Err(e @ ProviderError::Auth { .. }) => ConnectionTest::Rejected {
            message: format!(
                "rejected: check the token ({} answered HTTP {})",
                e.provider(),
                match e {
                    ProviderError::Auth { status, .. } => status,
                    _ => 0,
                }
            ),
        },
        Err(e @ ProviderError::Network { .. }) => ConnectionTest::Unreachable {
            message: e.to_string(),
        },
        Err(e) => ConnectionTest::Failed {
            message: e.to_string(),
        },
    }
}
