//! Typed progress events of the long use cases, one type per use case; the CLI prints them,
//! the app forwards them to the window as they are (they are exported to TypeScript).

use serde::Serialize;

/// One step of a create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(
    tag = "event",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum CreateProgress {
    /// Pre-flight checks started.
    Checking,
    /// The provider accepted the machine.
    Created { id: String, name: String },
    /// The machine was assigned to a project.
    ProjectAssigned { project: String },
    /// Still waiting for the public IPv4 address.
    WaitingForIp { elapsed_ms: u32 },
    /// The public IPv4 address is known.
    IpAssigned { ip: String },
    /// A DNS record was created.
    DnsRecordCreated { fqdn: String, record_id: String },
    /// The machine was asked whether cloud-init is done; it answered `status` (or `UNKNOWN`).
    CloudInitChecked { status: String, elapsed_ms: u32 },
    /// A step failed without ending the create; the outcome lists it too.
    Warning { message: String },
    /// The create finished.
    Done,
}

/// One step of a destroy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(
    tag = "event",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum DestroyProgress {
    /// The machine is being destroyed.
    Destroying { id: String, name: String },
    /// The provider confirmed the machine is gone.
    Destroyed { id: String },
    /// A DNS record of the machine was deleted.
    DnsRecordDeleted { fqdn: String, record_id: String },
    /// A step failed without ending the destroy; the result lists it too.
    Warning { message: String },
    /// The destroy finished.
    Done,
}

/// One step of a resize.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(
    tag = "event",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ResizeProgress {
    /// The machine is being powered off, as the provider resizes only a machine that is off.
    PoweringOff { id: String },
    /// The provider is resizing the machine.
    Resizing {
        id: String,
        from: String,
        to: String,
    },
    /// The machine is being powered back on.
    PoweringOn { id: String },
    /// The resize finished.
    Done,
}

/// One step of a rebuild.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(
    tag = "event",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum RebuildProgress {
    /// The provider is erasing the machine and installing `image`.
    Rebuilding { id: String, image: String },
    /// The rebuild finished.
    Done,
}

/// One step of taking a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(
    tag = "event",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum SnapshotProgress {
    /// The provider accepted to snapshot machine `id` as `name`.
    Started { id: String, name: String },
    /// Waiting until the snapshot is available.
    Waiting { elapsed_ms: u32 },
    /// The snapshot `snapshot_id` is available.
    Available { snapshot_id: String },
}

/// Where progress of type `P` goes.
pub type ProgressSink<'a, P> = &'a (dyn Fn(P) + Send + Sync);

/// A sink that drops every event.
pub fn no_progress<P>(_: P) {}

/// Milliseconds since `start`, as the events carry them (saturating at `u32::MAX`, 49 days).
pub fn elapsed_ms(start: std::time::Instant) -> u32 {
    u32::try_from(start.elapsed().as_millis()).unwrap_or(u32::MAX)
}
