//! The use cases: what a person does with Hangar, shared by the desktop app and the CLI.
//!
//! Each use case is a function over [`CloudProvider`](crate::provider::CloudProvider) that takes
//! everything it needs as arguments (session id, machine types, options; no global state),
//! reports progress through a [`ProgressSink`] and returns a typed result or a
//! [`crate::Error`]. Confirmation prompts belong to the caller.
//!
//! - [`create`]: pre-flight checks, create, project, wait for the IP, DNS record, wait for
//!   cloud-init.
//! - [`destroy`]: refuse foreign machines, destroy, delete the machine's DNS records; preview.
//! - [`list`]: machines of this session (or all), filtered.
//! - [`manage`]: rename (with the machine's DNS records), the user's tags, delete protection.
//! - [`resize`]: the plans a machine can move to, with the price difference; resize (power
//!   off first where needed). [`rebuild`]: reinstall a machine from an image.
//! - [`firewall`]: let SSH in from this computer's address for a while; list, revoke and
//!   sweep the expired grants.
//! - [`snapshots`]: take a machine's snapshot (waiting until it is available), list the
//!   account's or a machine's snapshots, delete one.
//! - [`detail`]: one machine's plan, estimated cost so far and cloud-init check.
//! - [`ssh`]: the user and host to log in to a machine with.
//! - [`status`]: provider status plus the cloud-init check served by the machine.
//! - [`dns`]: zones and records, with per-type validation before any call.
//! - [`catalog`]: SSH keys, projects, machine types.
//! - [`check`]: PASS/FAIL of the configuration against the account.
//! - [`info`]: account and version information.

pub mod catalog;
pub mod check;
pub mod create;
pub mod destroy;
pub mod detail;
pub mod dns;
pub mod dns_advice;
pub mod firewall;
pub mod info;
pub mod list;
pub mod manage;
pub mod rebuild;
pub mod resize;
pub mod snapshots;
pub mod ssh;
pub mod status;

mod progress;
mod summary;

pub use progress::{
    CreateProgress, DestroyProgress, ProgressSink, RebuildProgress, ResizeProgress,
    SnapshotProgress, elapsed_ms, no_progress,
};
pub use summary::MachineSummary;

use crate::error::{Error, Result};
use crate::provider::{CloudProvider, Machine, ProviderError};

/// Machine `id` as the provider has it now; a 404 is "machine `id` does not exist".
pub async fn get_machine(provider: &dyn CloudProvider, id: &str) -> Result<Machine> {
    provider
        .get_machine(id)
        .await
        .map_err(|e| machine_error(id, e))
}

/// A provider's error about machine `id`, with a 404 said as "machine `id` does not exist".
pub fn machine_error(id: &str, e: ProviderError) -> Error {
    if e.is_not_found() {
        Error::not_found(format!("machine {id} does not exist"))
    } else {
        e.into()
    }
}
