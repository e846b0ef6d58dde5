//! Where the CLI's account, machine types and session come from, in this order:
//! 1. `--config-file PATH`: a `machine` config file;
//! 2. Hangar's own settings and the keychain, when they hold an account;
//! 3. `machine`'s default config, `~/.config/machine/config.yml` (or the legacy
//!    `~/.machine/config.yml`, with `machine`'s deprecation warning).
//!
//! With a `machine` config, the session id lives in `machine`'s config directory
//! (`~/.config/machine/session-id.yml`), whatever the config file's path, so both tools share
//! one session.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hangar::accounts::{self, Account, AccountDefaults, ProviderKind};
use hangar::error::{Error, Result};
use hangar::fleet::{Fleet, LiveAccount};
use hangar::machine_import::{self, MachineDir};
use hangar::machine_types::MachineType;
use hangar::provider::CloudProvider;
use hangar::providers::http::ClientOptions;
use hangar::session::SessionId;
use hangar::settings::{SettingsFile, env_vars, file};

/// Everything a command needs, resolved.
pub struct Context {
    /// The accounts the command may use: Hangar's accounts, or the one of `--config-file`.
    pub fleet: Fleet,
    /// The id of the account a single-account command uses (`--account`, else the first).
    selected: String,
    pub machine_types: BTreeMap<String, MachineType>,
    pub session: SessionId,
    /// The `machine` config in use and what it says, when the accounts come from one.
    pub machine_config: Option<MachineConfigInfo>,
}

/// What `info` and `--debug` show of a `machine` config.
pub struct MachineConfigInfo {
    pub path: PathBuf,
    pub session_file: PathBuf,
    /// The resolved config, secrets replaced by `<redacted>`.
    pub redacted: String,
    /// Keys of the provider section that mean nothing (`digital-ocean.regoin`).
    pub unknown_keys: Vec<String>,
    /// Machine types that were left out, and why.
    pub invalid_types: BTreeMap<String, String>,
    pub has_machines: bool,
}

/// Where the accounts come from and which one is meant.
pub struct Choice<'a> {
    pub config_file: Option<&'a Path>,
    pub session_override: Option<&'a str>,
    /// An account's label or id (`--account`, `HANGAR_ACCOUNT`).
    pub account: Option<&'a str>,
}

impl Context {
    /// The selected account.
    pub fn account(&self) -> &LiveAccount {
        self.fleet
            .account(&self.selected)
            .expect("the selected account is in the fleet")
    }

    /// The selected account's id, for the fleet's one-account functions.
    pub fn selected(&self) -> &str {
        &self.selected
    }

    /// The selected account's client, or why there is none.
    pub fn provider(&self) -> Result<Arc<dyn CloudProvider>> {
        self.account().connected()
    }

    pub fn defaults(&self) -> &AccountDefaults {
        &self.account().defaults
    }

    /// The accounts a command runs on: all of them, or the selected one.
    pub fn accounts(&self, all: bool) -> Vec<&LiveAccount> {
        if all {
            self.fleet.accounts.iter().collect()
        } else {
            vec![self.account()]
        }
    }

    /// The label of account `id` (the id itself if it is unknown).
    pub fn label<'a>(&'a self, id: &'a str) -> &'a str {
        self.fleet
            .account(id)
            .map(|a| a.label.as_str())
            .unwrap_or(id)
    }

    pub fn accounts_count(&self) -> usize {
        self.fleet.accounts.len()
    }

    /// Whether machine type `name` can be used, checked before any API call, with
    /// `machine`'s messages.
    pub fn check_type(&self, name: &str) -> Result<()> {
        if let Some(c) = &self.machine_config {
            if !c.has_machines {
                return Err(Error::validation(
                    "Required 'machines' section not found in config file",
                ));
            }
            if let Some(reason) = c.invalid_types.get(name) {
                return Err(Error::validation(format!(
                    "machine type `{name}` in {} is not usable: {reason}",
                    c.path.display()
                )));
            }
        }
        if self.machine_types.contains_key(name) {
            return Ok(());
        }
        Err(Error::validation(format!(
            "Machine type '{name}' not found in config file. Available types: {}",
            self.machine_types
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }
}

/// Loads the context from `config_file`, else from Hangar's settings.
pub async fn load(choice: Choice<'_>) -> Result<Context> {
    let session_override = choice
        .session_override
        .map(|s| s.parse::<SessionId>())
        .transpose()?;
    let (fleet, machine_types, session, machine_config) = match choice.config_file {
        Some(path) => with_info(from_machine_config(path, session_override)?),
        None => match from_settings(session_override.clone()).await? {
            Some((fleet, types, session)) => (fleet, types, session, None),
            None => {
                let (dir, settings) = (machine_dir()?, SettingsFile::default_location()?);
                let path = dir.config_file();
                if !path.is_file() {
                    return Err(Error::new(
                        hangar::ErrorKind::Config,
                        format!(
                            "no account is set up in {} and there is no machine config at {}: \
                             add an account in the Hangar app, or pass --config-file",
                            settings.path().display(),
                            path.display()
                        ),
                    ));
                }
                with_info(from_machine_config(&path, session_override)?)
            }
        },
    };
    let selected = match choice.account {
        Some(name) => fleet.find(name)?.id.clone(),
        None => fleet.accounts[0].id.clone(),
    };
    Ok(Context {
        fleet,
        selected,
        machine_types,
        session,
        machine_config,
    })
}

type Loaded = (Fleet, BTreeMap<String, MachineType>, SessionId);

fn with_info(
    ((fleet, types, session), info): (Loaded, MachineConfigInfo),
) -> (
    Fleet,
    BTreeMap<String, MachineType>,
    SessionId,
    Option<MachineConfigInfo>,
) {
    (fleet, types, session, Some(info))
}

/// `machine`'s config directory; says so on stderr when it is the deprecated one, as
/// `machine` does.
fn machine_dir() -> Result<MachineDir> {
    let dir = MachineDir::of_user().ok_or_else(|| {
        Error::new(
            hangar::ErrorKind::Config,
            "no home directory: set HOME (machine's config and session id live under it)",
        )
    })?;
    if let Some(warning) = dir.deprecation_warning() {
        eprintln!("{warning}");
    }
    Ok(dir)
}

fn from_machine_config(
    path: &Path,
    session_override: Option<SessionId>,
) -> Result<(Loaded, MachineConfigInfo)> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::new(
            hangar::ErrorKind::Config,
            format!("could not read the config file {}: {e}", path.display()),
        )
    })?;
    let session_path = machine_dir()?.session_file();
    let mut session_text = file::read_optional(&session_path)?;
    // Without a session id yet, the lock is held until one is saved, so concurrent first runs
    // share the one made first (the second reads it after the first saved it).
    let _session_lock = match (&session_text, &session_override) {
        (None, None) => {
            let held = file::lock(&session_path)?;
            session_text = file::read_optional(&session_path)?;
            Some(held)
        }
        _ => None,
    };
    let lookup = &env_vars::process_env;
    let parts = machine_import::plan(path, &text, session_text.as_deref(), lookup)?.into_parts();
    let config_error = |m: String| Error::new(hangar::ErrorKind::Config, m);
    if !parts.provider_chosen {
        return Err(config_error(
            "Multiple provider sections found in config file. Please add a 'provider:' key to select one.".into(),
        ));
    }
    if let Some(problem) = parts.strict_errors.first() {
        return Err(config_error(problem.clone()));
    }
    for key in &parts.unknown_keys {
        eprintln!(
            "Warning: unknown key `{key}` in {} is ignored (a typo?)",
            path.display()
        );
    }
    let Some((mut account, token)) = parts.accounts.into_iter().next() else {
        let section = parts.skipped.iter().find(|s| s.item.ends_with(" section"));
        return Err(config_error(match section {
            Some(s) => format!("{}: the {}: {}", path.display(), s.item, s.reason),
            None => format!(
                "No provider section found in config file {}. Expected one of: {}",
                path.display(),
                provider_sections()
            ),
        }));
    };
    expand_account(&mut account, lookup)?;
    let token = match token {
        Some(t) => t,
        None => accounts::resolve_token(&account, &NoStore, lookup)?,
    };
    let section = account.provider.about().config_section;
    let client =
        accounts::provider_for(&account, &token, ClientOptions::default()).map_err(|e| {
            match &account.base_url {
                Some(url) => config_error(format!("`{section}.base-url` ({url}): {}", e.message)),
                None => e,
            }
        })?;
    let invalid_types = parts
        .skipped
        .iter()
        .filter_map(|s| {
            s.item
                .strip_prefix("machine type ")
                .map(|name| (name.to_owned(), s.reason.clone()))
        })
        .collect();
    let mut machine_types = BTreeMap::new();
    for (name, t) in parts.machine_types {
        machine_types.insert(name, expand_type(t, lookup)?);
    }
    let session = match session_override.or(parts.session_id) {
        Some(s) => s,
        None => {
            // As `machine` does: a new session id, kept in machine's config directory. If it cannot be
            // kept, every run would start a new session: that is an error, not a default.
            let s = SessionId::generate();
            file::write_atomic(&session_path, format!("id: {s}\n").as_bytes()).map_err(|e| {
                Error::new(
                    hangar::ErrorKind::Config,
                    format!("could not save the new session id: {e}"),
                )
            })?;
            s
        }
    };
    let live = LiveAccount {
        id: account.id.to_string(),
        label: account.label.clone(),
        provider: account.provider,
        simulated: false,
        client: Ok(client),
        defaults: account.defaults,
    };
    let mut fleet = Fleet::of(vec![live], session.clone());
    fleet.machine_types = Some(machine_types.clone());
    let info = MachineConfigInfo {
        path: path.to_owned(),
        session_file: session_path,
        redacted: machine_import::redacted(&text, lookup),
        unknown_keys: parts.unknown_keys,
        invalid_types,
        has_machines: parts.has_machines,
    };
    Ok(((fleet, machine_types, session), info))
}

/// Hangar's settings, or `None` when they hold no account.
async fn from_settings(session_override: Option<SessionId>) -> Result<Option<Loaded>> {
    let file = SettingsFile::default_location()?;
    let mut fleet = hangar::fleet::load(Ok(file), None, None).await;
    if let Some(problem) = fleet.startup_error.take() {
        return Err(Error::new(hangar::ErrorKind::Config, problem));
    }
    if fleet.accounts.is_empty() {
        return Ok(None);
    }
    if let Some(s) = session_override {
        fleet.session = Some(s);
    }
    let session = fleet.session()?.clone();
    let machine_types = fleet.machine_types()?;
    Ok(Some((fleet, machine_types, session)))
}

/// The provider section names of a `machine` config file, from the registry.
pub fn provider_sections() -> String {
    ProviderKind::ALL
        .iter()
        .map(|k| k.about().config_section)
        .collect::<Vec<_>>()
        .join(", ")
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
    ) -> std::result::Result<Option<hangar::secrets::Token>, hangar::config_error::ConfigError>
    {
        Ok(None)
    }
    fn set_token(
        &self,
        _: &str,
        _: &hangar::secrets::Token,
    ) -> std::result::Result<(), hangar::config_error::ConfigError> {
        Ok(())
    }
    fn delete_token(
        &self,
        _: &str,
    ) -> std::result::Result<bool, hangar::config_error::ConfigError> {
        Ok(false)
    }
}
