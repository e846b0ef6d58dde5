//! Snapshots from a front end: one account's snapshots, one machine's, taking one (waiting
//! until it is available, with progress) and deleting one. The work is the snapshots use case's
//! ([`crate::usecases::snapshots`]); a machine is created from a snapshot through
//! [`CreateRequest::snapshot`](super::create::CreateRequest::snapshot).

use super::Fleet;
use crate::error::Result;
use crate::provider::Snapshot;
use crate::usecases::snapshots::{self, MachineSnapshots, SnapshotOutcome};
use crate::usecases::{ProgressSink, SnapshotProgress};

/// Every machine snapshot of account `account_id`, oldest first.
pub async fn list(fleet: &Fleet, account_id: &str) -> Result<Vec<Snapshot>> {
    let (_, client) = fleet.client(account_id)?;
    snapshots::list_snapshots(client.as_ref()).await
}

/// The snapshots of machine `machine_id` of account `account_id`.
pub async fn of_machine(
    fleet: &Fleet,
    account_id: &str,
    machine_id: &str,
) -> Result<MachineSnapshots> {
    let (_, client) = fleet.client(account_id)?;
    snapshots::machine_snapshots(client.as_ref(), machine_id).await
}

/// Takes a snapshot of machine `machine_id` called `name`; with `wait`, returns once it is
/// available.
pub async fn create(
    fleet: &Fleet,
    account_id: &str,
    machine_id: &str,
    name: &str,
    wait: bool,
    progress: ProgressSink<'_, SnapshotProgress>,
) -> Result<SnapshotOutcome> {
    let (_, client) = fleet.client(account_id)?;
    snapshots::create_snapshot(client.as_ref(), machine_id, name, wait, progress).await
}

/// Deletes snapshot `snapshot_id` of account `account_id`; returns what it was.
pub async fn delete(fleet: &Fleet, account_id: &str, snapshot_id: &str) -> Result<Snapshot> {
    let (_, client) = fleet.client(account_id)?;
    snapshots::delete_snapshot(client.as_ref(), snapshot_id).await
}
