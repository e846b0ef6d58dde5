//! Long operations that a person can cancel (a create), by an id the caller chooses.
//!
//! The registry belongs to the state a front end holds ([`FleetState`](super::FleetState)),
//! not to a global: two app instances in one process (as in tests) never see each other's
//! operations.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio_util::sync::CancellationToken;

use crate::error::Error;

/// The operations running now.
#[derive(Debug, Default)]
pub struct Operations {
    running: Mutex<HashMap<String, CancellationToken>>,
}

/// A running operation; it leaves the registry when this is dropped, however the operation
/// ends.
#[derive(Debug)]
pub struct Operation {
    registry: Arc<Operations>,
    id: String,
    token: CancellationToken,
}

impl Operation {
    /// Cancelled when [`Operations::cancel`] is called with this operation's id.
    pub fn token(&self) -> &CancellationToken {
        &self.token
    }
}

impl Drop for Operation {
    fn drop(&mut self) {
        self.registry.lock().remove(&self.id);
    }
}

impl Operations {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, CancellationToken>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers operation `id`; refused while another operation has that id.
    pub fn start(self: &Arc<Self>, id: &str) -> Result<Operation, Error> {
        let mut running = self.lock();
        if running.contains_key(id) {
            return Err(Error::validation(format!(
                "Operation {id} is already running."
            )));
        }
        let token = CancellationToken::new();
        running.insert(id.to_owned(), token.clone());
        Ok(Operation {
            registry: self.clone(),
            id: id.to_owned(),
            token,
        })
    }

    /// Cancels operation `id`; `false` when no such operation is running.
    pub fn cancel(&self, id: &str) -> bool {
        match self.lock().get(id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_cancelled_by_id_and_forgotten_when_they_end() {
        let ops = Arc::new(Operations::default());
        let op = ops.start("op-1").unwrap();
        assert!(ops.start("op-1").is_err());
        assert!(ops.cancel("op-1"));
        assert!(op.token().is_cancelled());
        drop(op);
        assert!(!ops.cancel("op-1"));
        assert!(ops.start("op-1").is_ok());
        // Another registry knows nothing of this one's operations.
        let other = Arc::new(Operations::default());
        let _op = ops.start("op-2").unwrap();
        assert!(!other.cancel("op-2"));
    }
}
