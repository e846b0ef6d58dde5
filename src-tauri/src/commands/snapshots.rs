//! The detail view's snapshots panel: the machine's snapshots, taking one (with progress
//! until it is available) and deleting one; the create form lists the account's snapshots as
//! an image source.

use hangar::fleet::snapshots;
use hangar::provider::Snapshot;
use hangar::usecases::SnapshotProgress;
use hangar::usecases::snapshots::{MachineSnapshots, SnapshotOutcome};
use tauri::ipc::Channel;

use super::Fleet;
use crate::error::AppResult;

/// Every machine snapshot of one account, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn list_snapshots(state: Fleet<'_>, account_id: String) -> AppResult<Vec<Snapshot>> {
    let fleet = state.fleet().await?;
    Ok(snapshots::list(&fleet, &account_id).await?)
}

/// One machine's snapshots (the account's, where the provider does not say whose).
#[tauri::command]
#[specta::specta]
pub async fn machine_snapshots(
    state: Fleet<'_>,
    account_id: String,
    machine_id: String,
) -> AppResult<MachineSnapshots> {
    let fleet = state.fleet().await?;
    Ok(snapshots::of_machine(&fleet, &account_id, &machine_id).await?)
}

/// Takes a snapshot of one machine and waits until it is available; each step goes to
/// `on_progress`.
#[tauri::command]
#[specta::specta]
pub async fn create_snapshot(
    state: Fleet<'_>,
    account_id: String,
    machine_id: String,
    name: String,
    on_progress: Channel<SnapshotProgress>,
) -> AppResult<SnapshotOutcome> {
    let fleet = state.fleet().await?;
    // A closed window only stops the updates, not the snapshot.
    let send = |event: SnapshotProgress| drop(on_progress.send(event));
    Ok(snapshots::create(&fleet, &account_id, &machine_id, &name, true, &send).await?)
}

/// Deletes one snapshot; returns what it was.
#[tauri::command]
#[specta::specta]
pub async fn delete_snapshot(
    state: Fleet<'_>,
    account_id: String,
    snapshot_id: String,
) -> AppResult<Snapshot> {
    let fleet = state.fleet().await?;
    Ok(snapshots::delete(&fleet, &account_id, &snapshot_id).await?)
}
