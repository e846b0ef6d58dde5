//! Snapshots, on one account: take one of a machine (and, when asked, wait until it is
//! available), list the account's or one machine's, delete one.
//!
//! Every input is checked before the first request: the name (not empty, at most
//! [`MAX_NAME_LEN`] characters, no control characters), that the machine exists, and, for a
//! delete, that the snapshot exists. A machine is created from a snapshot by the create use case
//! ([`ImageRef::Snapshot`](crate::provider::ImageRef::Snapshot)), whose pre-flight checks the
//! snapshot.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::progress::{ProgressSink, SnapshotProgress, elapsed_ms};
use crate::error::{Error, Result};
use crate::provider::{CloudProvider, Machine, Snapshot, SnapshotRules, snapshots_of};

/// Longest snapshot name accepted (DigitalOcean's names and Vultr's descriptions).
pub const MAX_NAME_LEN: usize = 255;

/// How often [`SnapshotProgress::Waiting`] is reported while a snapshot is taken.
const WAITING_EVERY: Duration = Duration::from_secs(1);

/// The rules a snapshot name follows, in words when it breaks one.
pub fn validate_snapshot_name(name: &str) -> std::result::Result<(), String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("give the snapshot a name".into());
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err(format!(
            "a snapshot name has at most {MAX_NAME_LEN} characters"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("a snapshot name cannot hold control characters (tabs, new lines)".into());
    }
    Ok(())
}

/// The snapshots of one machine.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MachineSnapshots {
    pub snapshots: Vec<Snapshot>,
    /// The provider names each snapshot's machine, so `snapshots` are this machine's only.
    /// When false (Vultr) they are every snapshot of the account.
    pub machine_known: bool,
    pub rules: SnapshotRules,
}

/// A snapshot taken, or started.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotOutcome {
    pub machine_id: String,
    pub name: String,
    /// The snapshot: available after a wait; without one, as the provider shows it while it is
    /// taken (Vultr), or `None` where it appears only once taken (DigitalOcean).
    pub snapshot: Option<Snapshot>,
    /// True once the snapshot is available.
    pub available: bool,
}

/// Every machine snapshot of the account, oldest first.
pub async fn list_snapshots(provider: &dyn CloudProvider) -> Result<Vec<Snapshot>> {
    let mut all = snapshots_of(provider)?.list_snapshots().await?;
    all.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    Ok(all)
}

/// The snapshots of machine `machine_id` (every snapshot of the account where the provider
/// does not say which machine a snapshot is of; see [`MachineSnapshots::machine_known`]).
pub async fn machine_snapshots(
    provider: &dyn CloudProvider,
    machine_id: &str,
) -> Result<MachineSnapshots> {
    let rules = snapshots_of(provider)?.snapshot_rules();
    let all = list_snapshots(provider).await?;
    let snapshots = if rules.names_machine {
        all.into_iter()
            .filter(|s| s.machine_id.as_deref() == Some(machine_id))
            .collect()
    } else {
        all
    };
    Ok(MachineSnapshots {
        snapshots,
        machine_known: rules.names_machine,
        rules,
    })
}

/// One snapshot by id.
pub async fn get_snapshot(provider: &dyn CloudProvider, id: &str) -> Result<Snapshot> {
    let id = id.trim();
    if id.is_empty() {
        return Err(Error::validation("give the id of a snapshot"));
    }
    snapshots_of(provider)?.get_snapshot(id).await.map_err(|e| {
        if e.is_not_found() {
            Error::not_found(format!(
                "snapshot {id} does not exist; `hangar snapshot list` shows the account's snapshots"
            ))
        } else {
            e.into()
        }
    })
}

/// Takes a snapshot of machine `machine_id` called `name`; with `wait`, returns once it is
/// available, reporting [`SnapshotProgress::Waiting`] meanwhile.
pub async fn create_snapshot(
    provider: &dyn CloudProvider,
    machine_id: &str,
    name: &str,
    wait: bool,
    progress: ProgressSink<'_, SnapshotProgress>,
) -> Result<SnapshotOutcome> {
    let name = name.trim();
    validate_snapshot_name(name).map_err(Error::validation)?;
    let snapshots = snapshots_of(provider)?;
    let machine = machine(provider, machine_id).await?;
    let task = snapshots.start_snapshot(&machine.id, name).await?;
    progress(SnapshotProgress::Started {
        id: machine.id.clone(),
        name: name.to_owned(),
    });
    if !wait {
        return Ok(SnapshotOutcome {
            machine_id: machine.id,
            name: name.to_owned(),
            available: task.snapshot.as_ref().is_some_and(Snapshot::is_available),
            snapshot: task.snapshot,
        });
    }
    let start = Instant::now();
    let waiting = snapshots.wait_for_snapshot(&task);
    tokio::pin!(waiting);
    let mut tick = tokio::time::interval(WAITING_EVERY);
    tick.tick().await;
    let snapshot = loop {
        tokio::select! {
            done = &mut waiting => break done?,
            _ = tick.tick() => progress(SnapshotProgress::Waiting { elapsed_ms: elapsed_ms(start) }),
        }
    };
    progress(SnapshotProgress::Available {
        snapshot_id: snapshot.id.clone(),
    });
    Ok(SnapshotOutcome {
        machine_id: machine.id,
        name: name.to_owned(),
        available: snapshot.is_available(),
        snapshot: Some(snapshot),
    })
}

/// Deletes snapshot `id` and returns what it was.
pub async fn delete_snapshot(provider: &dyn CloudProvider, id: &str) -> Result<Snapshot> {
    let snapshot = get_snapshot(provider, id).await?;
    snapshots_of(provider)?
        .delete_snapshot(&snapshot.id)
        .await?;
    Ok(snapshot)
}

async fn machine(provider: &dyn CloudProvider, id: &str) -> Result<Machine> {
    let id = id.trim();
    if id.is_empty() {
        return Err(Error::validation("give the id of the machine to snapshot"));
    }
    super::get_machine(provider, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_names_are_checked() {
        assert!(validate_snapshot_name("web-1 before upgrade").is_ok());
        assert!(validate_snapshot_name("  ").is_err());
        assert!(validate_snapshot_name("a\nb").is_err());
        assert!(validate_snapshot_name(&"x".repeat(MAX_NAME_LEN)).is_ok());
        assert!(validate_snapshot_name(&"x".repeat(MAX_NAME_LEN + 1)).is_err());
    }
}
