//! What the running app holds: the live accounts, each with an `Arc<dyn CloudProvider>`.
//!
//! The accounts become known after startup (the demo cloud starts asynchronously, so the
//! window is not held up); commands wait for them through a watch channel. Adding or
//! removing an account publishes a rebuilt fleet on the same channel.

use std::sync::Arc;

use hangar::provider::{CloudProvider, ProviderKind};
use tokio::sync::watch;

use hangar::error::ErrorKind;
use hangar::session::SessionId;

use crate::demo::DemoCloud;
use crate::error::AppError;

/// One account the app can talk to.
#[derive(Debug, Clone)]
pub struct LiveAccount {
    /// Stable id, used by the UI to match machines to accounts.
    pub id: String,
    pub label: String,
    pub provider: ProviderKind,
    /// Served by the in-process demo cloud: nothing is billed.
    pub simulated: bool,
    /// The client, or why none could be built (e.g. the token is missing from the keychain).
    pub client: Result<Arc<dyn CloudProvider>, String>,
}

impl LiveAccount {
    /// An account of the demo cloud.
    pub fn simulated(id: &str, provider: ProviderKind, client: Arc<dyn CloudProvider>) -> Self {
        LiveAccount {
            id: id.into(),
            label: format!("Demo {provider}"),
            provider,
            simulated: true,
            client: Ok(client),
        }
    }
}

/// The accounts once startup is done.
#[derive(Debug, Default)]
pub struct Fleet {
    pub accounts: Vec<LiveAccount>,
    /// The session id whose machines are "this session".
    pub session_id: Option<String>,
    /// Why startup could not provide accounts, in words for the user.
    pub startup_error: Option<String>,
    /// Keeps the demo cloud's emulator running while the app runs.
    pub demo: Option<DemoCloud>,
}

impl Fleet {
    /// The account with `id`, or an error saying it is gone (removed since the UI listed it).
    pub fn account(&self, id: &str) -> Result<&LiveAccount, AppError> {
        self.accounts.iter().find(|a| a.id == id).ok_or_else(|| {
            AppError::new(
                ErrorKind::NotFound,
                format!(
                    "There is no account `{id}` any more; refresh the list and pick another one."
                ),
            )
        })
    }

    /// This installation's session id, when it has a valid one.
    pub fn session(&self) -> Option<SessionId> {
        self.session_id.as_deref().and_then(|s| s.parse().ok())
    }

    /// The client of the account with `id`, or why there is none.
    pub fn client(&self, id: &str) -> Result<Arc<dyn CloudProvider>, AppError> {
        let account = self.account(id)?;
        account
            .client
            .clone()
            .map_err(|e| AppError::new(ErrorKind::Config, format!("{}: {e}", account.label)))
    }
}

/// The sender the fleet is published through.
pub type FleetSender = Arc<watch::Sender<Option<Arc<Fleet>>>>;

/// Managed by tauri: `None` until startup has finished.
pub struct AppState {
    fleet: watch::Receiver<Option<Arc<Fleet>>>,
    tx: FleetSender,
    /// Serializes account changes, so two rebuilds do not race.
    pub changes: tokio::sync::Mutex<()>,
}

impl AppState {
    /// The state and the sender startup fills it through.
    pub fn new() -> (AppState, FleetSender) {
        let (tx, rx) = watch::channel(None);
        let tx = Arc::new(tx);
        (
            AppState {
                fleet: rx,
                tx: tx.clone(),
                changes: tokio::sync::Mutex::new(()),
            },
            tx,
        )
    }

    /// The fleet, waiting for startup to finish if needed.
    pub async fn fleet(&self) -> Option<Arc<Fleet>> {
        let mut rx = self.fleet.clone();
        let ready = rx.wait_for(Option::is_some).await.ok()?;
        ready.clone()
    }

    /// Replaces the fleet (after accounts changed). The old one (and its demo cloud, if no
    /// command still uses it) is dropped.
    pub fn publish(&self, fleet: Fleet) {
        let _ = self.tx.send(Some(Arc::new(fleet)));
    }
}
