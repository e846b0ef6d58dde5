//! Where the CLI's account, machine types and session come from: a `machine`-style config file
//! (`--config-file`), or Hangar's own settings and the keychain.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use hangar::accounts::{self, Account, AccountDefaults};
use hangar::error::{Error, Result};
use hangar::machine_import::{self, SESSION_FILE_NAME};
use hangar::machine_types::MachineType;
use hangar::provider::CloudProvider;
use hangar::providers::http::ClientOptions;
use hangar::secrets::KeyringStore;
use hangar::session::SessionId;
use hangar::settings::{SettingsFile, env_vars};

/// Everything a command needs, resolved.
pub struct Context {
    pub provider: Arc<dyn CloudProvider>,
    pub defaults: AccountDefaults,
    pub machine_types: BTreeMap<String, MachineType>,
    pub session: SessionId,
}

/// Loads the context from `config_file`, else from Hangar's settings.
pub fn load(config_file: Option<&Path>, session_override: Option<&str>) -> Result<Context> {
    let session_override = session_override
        .map(|s| s.parse::<SessionId>())
        .transpose()?;
    match config_file {
        Some(path) => from_machine_config(path, session_override),
        None => from_settings(session_override),
    }
}

fn from_machine_config(path: &Path, session_override: Option<SessionId>) -> Result<Context> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::new(
            hangar::ErrorKind::Config,
            format!("could not read the config file {}: {e}", path.display()),
        )
    })?;
    let session_path = path.with_file_name(SESSION_FILE_NAME);
    let session_text = std::fs::read_to_string(&session_path).ok();
    let lookup = &env_vars::process_env;
    let parts = machine_import::plan(path, &text, session_text.as_deref(), lookup)?.into_parts();
    let Some((mut account, token)) = parts.accounts.into_iter().next() else {
        return Err(Error::new(
            hangar::ErrorKind::Config,
            format!(
                "{} has no provider section (digital-ocean or vultr)",
                path.display()
            ),
        ));
    };
    expand_account(&mut account, lookup)?;
    let token = match token {
        Some(t) => t,
        None => accounts::resolve_token(&account, &NoStore, lookup)?,
    };
    let provider = accounts::provider_for(&account, &token, ClientOptions::default())?;
    let mut machine_types = BTreeMap::new();
    for (name, t) in parts.machine_types {
        machine_types.insert(name, expand_type(t, lookup)?);
    }
    let session = match session_override.or(parts.session_id) {
        Some(s) => s,
        None => {
            // As `machine` does: a new session id, kept beside the config.
            let s = SessionId::generate();
            let _ = std::fs::write(&session_path, format!("id: {s}\n"));
            s
        }
    };
    Ok(Context {
        provider,
        defaults: account.defaults,
        machine_types,
        session,
    })
}

fn from_settings(session_override: Option<SessionId>) -> Result<Context> {
    let file = SettingsFile::default_location()?;
    let loaded = file.load()?;
    let Some(account) = loaded.resolved.accounts.first().cloned() else {
        return Err(Error::new(
            hangar::ErrorKind::Config,
            format!(
                "no account is set up in {}: add one in the Hangar app, or pass --config-file",
                file.path().display()
            ),
        ));
    };
    let store = KeyringStore::new();
    let token = accounts::resolve_token(&account, &store, &env_vars::process_env)?;
    let provider = accounts::provider_for(&account, &token, ClientOptions::default())?;
    let session = match session_override {
        Some(s) => s,
        None => file.ensure_session_id()?,
    };
    Ok(Context {
        provider,
        defaults: account.defaults,
        machine_types: loaded.resolved.machine_types,
        session,
    })
}

fn expand_account(account: &mut Account, lookup: env_vars::Lookup<'_>) -> Result<()> {
    let ex = |v: &mut Option<String>, key: &str| -> Result<()> {
        if let Some(s) = v {
            *s = env_vars::expand_str(s, key, lookup)?;
        }
        Ok(())
    };
    let d = &mut account.defaults;
    ex(&mut d.region, "region")?;
    ex(&mut d.size, "machine-size")?;
    ex(&mut d.image, "image")?;
    ex(&mut d.dns_zone, "dns-zone")?;
    ex(&mut d.project, "project")?;
    ex(&mut account.base_url, "base-url")?;
    ex(&mut account.status_proxy, "status-proxy")?;
    for k in &mut d.ssh_keys {
        *k = env_vars::expand_str(k, "ssh-key", lookup)?;
    }
    Ok(())
}

fn expand_type(t: MachineType, lookup: env_vars::Lookup<'_>) -> Result<MachineType> {
    let mut v = serde_yaml_ng::to_value(&t)
        .map_err(|e| Error::new(hangar::ErrorKind::Config, e.to_string()))?;
    env_vars::expand_value(&mut v, "machines", lookup)?;
    serde_yaml_ng::from_value(v).map_err(|e| Error::new(hangar::ErrorKind::Config, e.to_string()))
}

/// The config file holds no keychain tokens; a `${VAR}` token is read from the environment.
struct NoStore;

impl hangar::secrets::SecretStore for NoStore {
    fn store_name(&self) -> String {
        "none".into()
    }
    fn token(
        &self,
        _: &str,
    ) -> std::result::Result<Option<hangar::secrets::Token>, hangar::config_error::ConfigError> {
        Ok(None)
    }
    fn set_token(
        &self,
        _: &str,
        _: &hangar::secrets::Token,
    ) -> std::result::Result<(), hangar::config_error::ConfigError> {
        Ok(())
    }
    fn delete_token(&self, _: &str) -> std::result::Result<bool, hangar::config_error::ConfigError> {
        Ok(false)
    }
}
