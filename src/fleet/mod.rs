//! The application layer: what the desktop app and the CLI both hold and do across accounts.
//!
//! A [`Fleet`] is the set of live accounts (each with its client, or the reason it has none),
//! the session, and the demo cloud when it is shown. A [`FleetState`] holds the current fleet
//! for a long-running front end (the app): it loads it after start, rebuilds it when accounts
//! change, serializes settings changes and owns the registry of cancellable
//! [`Operations`]. The CLI builds a `Fleet` once per run.
//!
//! Everything that works on several accounts goes through [`per_account::fan_out`], so each
//! account's answer (or error) stays apart and a slow account never holds up the others.
//! The use cases in [`crate::usecases`] do the work on one account; this layer picks the
//! accounts, the session, the machine types, the account defaults and the DNS zones for them.
//!
//! - [`accounts`]: the accounts as the UI lists them; add, remove, test a token.
//! - [`account_settings`]: machine types and defaults, and the defaults check.
//! - [`machines`]: list, refresh, cloud-init checks, power, SSH target.
//! - [`manage`]: one machine's detail (with the records of every account pointing at it),
//!   rename, tags, protection.
//! - [`bulk`]: one power, tag or protection action on several machines, with each one's
//!   outcome.
//! - [`firewall`]: SSH access from this computer for a while (its address from the "what is
//!   my IP" service), grants, revoke, and the sweep of expired grants the app runs on a timer.
//! - [`destroy`]: preview and destroy across accounts; clean-up after a half-made create.
//! - [`dns`]: zones across accounts, which zones hold a machine's records, and the join of a
//!   zone's records to the machines of every account.
//! - [`create`]: the create form's data, the cloud-config preview, a create request.
//! - [`machine_types`]: the machine types as the Machine types screen edits them.
//! - [`preferences`]: the settings screen (session id, theme, demo cloud).

pub mod account_settings;
pub mod accounts;
pub mod bulk;
pub mod create;
pub mod destroy;
pub mod dns;
pub mod firewall;
mod loader;
pub mod machine_types;
pub mod machines;
pub mod manage;
pub mod operations;
pub mod per_account;
pub mod preferences;
pub mod resize;
pub mod snapshots;
mod state;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

pub use loader::{load, startup_report};
pub use operations::{Operation, Operations};
pub use per_account::{OnEach, PerAccount, fan_out, ignore_each};
pub use state::FleetState;

use crate::accounts::{Account, AccountDefaults, ProviderKind};
use crate::error::{Error, ErrorKind, Result};
use crate::machine_types::MachineType;
use crate::provider::CloudProvider;
use crate::providers::http::ClientOptions;
use crate::secrets::SecretStore;
use crate::session::SessionId;
use crate::settings::{SettingsFile, env_vars};

/// One account the front end can talk to.
#[derive(Debug, Clone)]
pub struct LiveAccount {
    /// Stable id, used by the UI to match machines to accounts.
    pub id: String,
    pub label: String,
    pub provider: ProviderKind,
    /// Served by the demo cloud on this computer: nothing is billed.
    pub simulated: bool,
    /// The client, or why none could be built (e.g. the token is missing from the keychain).
    pub client: Result<Arc<dyn CloudProvider>, Error>,
    /// Region, plan, image, SSH keys, DNS zone and project preselected for a create.
    pub defaults: AccountDefaults,
}

impl LiveAccount {
    /// A configured account, with its client built through the provider registry from its
    /// token (keychain or environment variable), or with the reason there is none.
    pub fn configured(account: &Account, store: &dyn SecretStore) -> Self {
        let client = crate::accounts::resolve_token(account, store, &env_vars::process_env)
            .map_err(Error::from)
            .and_then(|token| {
                crate::accounts::provider_for(account, &token, ClientOptions::default())
            });
        LiveAccount {
            id: account.id.to_string(),
            label: account.label.clone(),
            provider: account.provider,
            simulated: false,
            client,
            defaults: account.defaults.clone(),
        }
    }

    /// The client, or why there is none.
    pub fn connected(&self) -> Result<Arc<dyn CloudProvider>> {
        self.client.clone()
    }
}

/// A running demo cloud: its accounts, the session its machines count as "this session",
/// the machine types and defaults it offers. Whatever serves it (the emulator) lives as long
/// as this value.
pub struct DemoCloud {
    pub accounts: Vec<LiveAccount>,
    pub session: SessionId,
    /// Offered while the settings define no machine types.
    pub machine_types: BTreeMap<String, MachineType>,
    /// The "what is my IP" service firewall access uses for the demo's accounts (the
    /// emulator answers it, so the demo needs no internet).
    pub my_ip_url: Option<String>,
    _keep_alive: Box<dyn std::any::Any + Send + Sync>,
}

impl DemoCloud {
    /// A demo cloud whose servers stop when `keep_alive` is dropped.
    pub fn new(
        accounts: Vec<LiveAccount>,
        session: SessionId,
        machine_types: BTreeMap<String, MachineType>,
        keep_alive: impl std::any::Any + Send + Sync,
    ) -> Self {
        Self {
            accounts,
            session,
            machine_types,
            my_ip_url: None,
            _keep_alive: Box::new(keep_alive),
        }
    }

    /// The same demo cloud, answering "what is my IP" at `url`.
    pub fn with_my_ip_url(mut self, url: impl Into<String>) -> Self {
        self.my_ip_url = Some(url.into());
        self
    }
}

impl std::fmt::Debug for DemoCloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoCloud")
            .field("accounts", &self.accounts.len())
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

/// Starts the demo cloud (the desktop app passes the one of the `hangar-demo` crate, so the
/// core never links the emulator).
#[async_trait]
pub trait DemoStarter: Send + Sync {
    async fn start(&self) -> Result<DemoCloud>;
}

/// The accounts once loaded, and what every operation across them needs.
#[derive(Debug, Default)]
pub struct Fleet {
    /// Configured accounts first, then the demo cloud's.
    pub accounts: Vec<LiveAccount>,
    /// The session whose machines are "this session".
    pub session: Option<SessionId>,
    /// Why accounts are missing (settings unreadable, demo cloud failed), in words.
    pub startup_error: Option<String>,
    pub demo: Option<Arc<DemoCloud>>,
    /// Where machine types are read from at each use (the Machine types screen edits them).
    pub settings: Option<SettingsFile>,
    /// Machine types given with the accounts (the CLI's `--config-file`); they win over the
    /// settings file.
    pub machine_types: Option<BTreeMap<String, MachineType>>,
}

impl Fleet {
    /// A fleet of `accounts` in `session`, without settings file or demo cloud (the CLI).
    pub fn of(accounts: Vec<LiveAccount>, session: SessionId) -> Self {
        Self {
            accounts,
            session: Some(session),
            ..Self::default()
        }
    }

    /// The account with `id`, or an error saying it is gone (removed since the UI listed it).
    pub fn account(&self, id: &str) -> Result<&LiveAccount> {
        self.accounts
            .iter()
            .find(|a| a.id == id)
            .ok_or_else(|| missing_account(id))
    }

    /// The account a person named: by id, else by label (case-insensitive). Two accounts
    /// with that label are refused, naming their ids.
    pub fn find(&self, name: &str) -> Result<&LiveAccount> {
        if let Some(a) = self.accounts.iter().find(|a| a.id == name) {
            return Ok(a);
        }
        let found: Vec<&LiveAccount> = self
            .accounts
            .iter()
            .filter(|a| a.label.eq_ignore_ascii_case(name.trim()))
            .collect();
        match found.as_slice() {
            [one] => Ok(one),
            [] => {
                let labels: Vec<&str> = self.accounts.iter().map(|a| a.label.as_str()).collect();
                Err(Error::not_found(format!(
                    "no account is called `{name}`; accounts: {}",
                    if labels.is_empty() {
                        "(none)".to_owned()
                    } else {
                        labels.join(", ")
                    }
                )))
            }
            many => {
                let ids: Vec<&str> = many.iter().map(|a| a.id.as_str()).collect();
                Err(Error::validation(format!(
                    "{} accounts are called `{name}`; name one by its id: {}",
                    many.len(),
                    ids.join(", ")
                )))
            }
        }
    }

    /// The account with `id` and its client, or why there is none.
    pub fn client(&self, id: &str) -> Result<(&LiveAccount, Arc<dyn CloudProvider>)> {
        let account = self.account(id)?;
        let client = account.connected().map_err(|e| Error {
            message: format!("{}: {}", account.label, e.message),
            ..e
        })?;
        Ok((account, client))
    }

    /// The session new machines are tagged with.
    pub fn session(&self) -> Result<&SessionId> {
        self.session.as_ref().ok_or_else(|| {
            Error::new(
                ErrorKind::Config,
                "Hangar has no session id, so it cannot tag new machines; check the settings file.",
            )
        })
    }

    /// The session for reading: without one (it cannot happen once loaded), a fresh id that no
    /// machine carries, so nothing counts as this session's.
    pub fn session_or_none(&self) -> SessionId {
        self.session.clone().unwrap_or_else(SessionId::generate)
    }

    /// The machine types a create, a preview, the SSH user and the Machine types screen are
    /// taken from: those given with the accounts, else the settings file's; while the demo
    /// cloud runs, its types are offered beside them (a settings type of the same name wins).
    pub fn machine_types(&self) -> Result<BTreeMap<String, MachineType>> {
        Ok(self
            .listed_machine_types()?
            .into_iter()
            .map(|(name, (t, _))| (name, t))
            .collect())
    }

    /// The demo cloud's machine types, where they are offered: while it runs, unless the
    /// accounts came with types of their own.
    pub fn offered_demo_types(&self) -> Option<&BTreeMap<String, MachineType>> {
        match (&self.demo, &self.machine_types) {
            (Some(demo), None) => Some(&demo.machine_types),
            _ => None,
        }
    }

    /// [`Self::machine_types`], each with whether it comes from the demo cloud (not from the
    /// settings, so it cannot be deleted; saving it stores a copy in the settings).
    pub fn listed_machine_types(&self) -> Result<BTreeMap<String, (MachineType, bool)>> {
        if let Some(types) = &self.machine_types {
            return Ok(types
                .iter()
                .map(|(n, t)| (n.clone(), (t.clone(), false)))
                .collect());
        }
        let from_file = match &self.settings {
            Some(file) => file
                .load()
                .map(|loaded| loaded.resolved.machine_types)
                .map_err(Error::from),
            None => Ok(BTreeMap::new()),
        };
        let Some(demo_types) = self.offered_demo_types() else {
            return Ok(from_file?
                .into_iter()
                .map(|(n, t)| (n, (t, false)))
                .collect());
        };
        let mut types: BTreeMap<String, (MachineType, bool)> = demo_types
            .iter()
            .map(|(n, t)| (n.clone(), (t.clone(), true)))
            .collect();
        // A settings file that cannot be read leaves the demo's types usable.
        types.extend(
            from_file
                .unwrap_or_default()
                .into_iter()
                .map(|(n, t)| (n, (t, false))),
        );
        Ok(types)
    }

    /// The accounts named by `targets` with their argument; an id that names no account
    /// gets an entry saying so, in its place.
    pub async fn for_targets<'a, A, T, F, Fut>(
        &'a self,
        targets: Vec<(String, A)>,
        job: F,
        on_each: OnEach<'_, T>,
    ) -> Vec<PerAccount<T>>
    where
        F: Fn(&'a LiveAccount, Arc<dyn CloudProvider>, A) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let mut known = Vec::new();
        let mut jobs = Vec::new();
        let mut unknown = Vec::new();
        for (index, (id, arg)) in targets.into_iter().enumerate() {
            match self.accounts.iter().find(|a| a.id == id) {
                Some(account) => {
                    known.push(index);
                    jobs.push((account, arg));
                }
                None => unknown.push((index, id)),
            }
        }
        // `fan_out` answers in the order of its jobs.
        let answers = fan_out(jobs, job, on_each).await;
        let mut indexed: Vec<(usize, PerAccount<T>)> = known.into_iter().zip(answers).collect();
        for (index, id) in unknown {
            let answer = PerAccount::new(id.clone(), Err(missing_account(&id)));
            on_each(&answer);
            indexed.push((index, answer));
        }
        indexed.sort_by_key(|(index, _)| *index);
        indexed.into_iter().map(|(_, answer)| answer).collect()
    }
}

fn missing_account(id: &str) -> Error {
    Error::not_found(format!(
        "There is no account `{id}` any more; refresh the list and pick another one."
    ))
}

/// Runs file and keychain work off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::cancelled(format!("stopped unexpectedly: {e}")))?
}
