//! Typed progress events of the long use cases; the CLI prints them, the GUI forwards them.

use serde::Serialize;

/// One step of a use case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(
    tag = "event",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Progress {
    /// Pre-flight checks started.
    Checking,
    /// The provider accepted the machine.
    Created { id: String, name: String },
    /// The machine was assigned to a project.
    ProjectAssigned { project: String },
    /// Still waiting for the public IPv4 address.
    WaitingForIp { elapsed_ms: u64 },
    /// The public IPv4 address is known.
    IpAssigned { ip: String },
    /// A DNS record was created.
    DnsRecordCreated { fqdn: String, record_id: String },
    /// The machine is being destroyed.
    Destroying { id: String, name: String },
    /// The machine is gone.
    Destroyed { id: String },
    /// A DNS record was deleted.
    DnsRecordDeleted { fqdn: String, record_id: String },
    /// A step failed without ending the use case; the result lists it too.
    Warning { message: String },
    /// The use case finished.
    Done,
}

/// Where progress goes.
pub type ProgressSink<'a> = &'a (dyn Fn(Progress) + Send + Sync);

/// A sink that drops every event.
pub fn no_progress(_: Progress) {}
