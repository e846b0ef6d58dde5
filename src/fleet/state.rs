//! [`FleetState`]: the fleet a long-running front end (the desktop app) holds.
//!
//! The accounts become known after start (the demo cloud starts asynchronously, so a window
//! is not held up); callers wait for them. A change to the accounts publishes a rebuilt
//! fleet; callers that hold the old one finish with it.

use std::sync::Arc;

use tokio::sync::{Mutex, MutexGuard, watch};

use super::{DemoStarter, Fleet, Operations, loader};
use crate::error::{Error, ErrorKind, Result};
use crate::settings::SettingsFile;

/// The current fleet, the settings it comes from, the change lock and the operations.
pub struct FleetState {
    fleet: watch::Receiver<Option<Arc<Fleet>>>,
    publish: watch::Sender<Option<Arc<Fleet>>>,
    changes: Mutex<()>,
    operations: Arc<Operations>,
    settings: Result<SettingsFile>,
    demo: Option<Arc<dyn DemoStarter>>,
}

impl FleetState {
    /// A state with no fleet yet: [`load`](Self::load) fills it.
    pub fn new(settings: Result<SettingsFile>, demo: Option<Arc<dyn DemoStarter>>) -> Self {
        let (publish, fleet) = watch::channel(None);
        Self {
            fleet,
            publish,
            changes: Mutex::new(()),
            operations: Arc::default(),
            settings,
            demo,
        }
    }

    /// Loads the fleet from the settings and publishes it; a running demo cloud that is still
    /// to be shown is kept. Returns the new fleet.
    pub async fn load(&self) -> Arc<Fleet> {
        let running = self.fleet.borrow().as_ref().and_then(|f| f.demo.clone());
        let fleet =
            Arc::new(loader::load(self.settings.clone(), self.demo.as_deref(), running).await);
        self.publish.send_replace(Some(fleet.clone()));
        fleet
    }

    /// The fleet, waiting for the first load if needed.
    pub async fn fleet(&self) -> Result<Arc<Fleet>> {
        let mut rx = self.fleet.clone();
        let ready = rx
            .wait_for(Option::is_some)
            .await
            .map_err(|_| Error::new(ErrorKind::Cancelled, "Hangar is shutting down."))?;
        Ok(ready.clone().expect("waited for Some"))
    }

    /// Held while settings or accounts change, so two changes never interleave in this
    /// process (the settings file has its own lock across processes).
    pub async fn change(&self) -> MutexGuard<'_, ()> {
        self.changes.lock().await
    }

    /// The cancellable operations running now.
    pub fn operations(&self) -> &Arc<Operations> {
        &self.operations
    }

    /// The settings file, or why there is none (no config directory).
    pub fn settings_file(&self) -> Result<SettingsFile> {
        self.settings.clone()
    }
}
