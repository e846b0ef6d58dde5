//! The provider abstraction: one trait, [`CloudProvider`], and the neutral types beside it.
//!
//! A caller (the desktop app, the CLI, a use case) only sees this module. Each cloud lives in
//! `crate::providers::<cloud>` and shares retry, pagination and error mapping through
//! `crate::providers::http`.
//!
//! **Why `async-trait` and not native `async fn` in traits:** the app holds several accounts of
//! different providers at once, in one list, as `Arc<dyn CloudProvider>`. Native `async fn` in
//! traits is not dyn-compatible (its futures have no nameable type), so the trait boxes its
//! futures with `async-trait`. One allocation per call is nothing next to an HTTPS round trip.
//!
//! **Optional capabilities are types, not silent no-ops.** [`CloudProvider::projects`] returns
//! `Some(&dyn Projects)` only on providers that have projects (DigitalOcean); on Vultr it is
//! `None`, [`CloudProvider::capabilities`] says so for the UI, and [`projects_of`] turns the
//! absence into [`ProviderError::Unsupported`].
//!
//! **Adding a provider:** write `crate::providers::<cloud>/` with a client that implements
//! [`CloudProvider`] (using `providers::http::HttpClient` for requests) and declares its
//! `ProviderAbout`, then add its line to `providers::registry`. The emulator, the conformance
//! suite and the spec need their own entries too: `ARCHITECTURE.md` lists every place.

mod cache;
mod error;
mod firewall;
mod rebuild;
mod resize;
mod snapshots;
mod types;

use std::sync::Arc;

use async_trait::async_trait;

pub use cache::{DEFAULT_CATALOG_TTL, TtlCache};
pub use error::{ProviderError, Result};
pub use firewall::{
    FirewallAccess, FirewallGrant, GRANT_LABEL_PREFIX, SSH_PORT, SourceCidr, SshGrantRequest,
    firewall_of, grant_label, parse_grant_label,
};
pub use rebuild::{Rebuild, RebuildRules, rebuild_of};
pub use resize::{Resize, ResizeRules, resize_of};
pub use snapshots::{
    ImageRef, Snapshot, SnapshotRules, SnapshotStatus, SnapshotTask, Snapshots, snapshots_of,
};
pub use types::*;

/// Everything a caller may do with one cloud account.
#[async_trait]
pub trait CloudProvider: Send + Sync + std::fmt::Debug {
    /// Which cloud this is.
    fn kind(&self) -> ProviderKind;

    /// Optional features this provider offers.
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            projects: self.projects().is_some(),
            firewall: self.firewall().is_some(),
            resize: self.resize().is_some(),
            rebuild: self.rebuild().is_some(),
            snapshots: self.snapshots().is_some(),
        }
    }

    /// Who the token belongs to; the cheapest call that proves the token works.
    async fn account(&self) -> Result<AccountInfo>;

    /// Create a machine. Returns as soon as the provider accepted it, usually with status
    /// [`MachineStatus::New`] and no IP yet; poll [`get_machine`](Self::get_machine) for the IP.
    async fn create_machine(&self, request: &CreateMachine) -> Result<Machine>;

    /// One machine by id.
    async fn get_machine(&self, id: &str) -> Result<Machine>;

    /// Every machine matching `filter`, across all pages.
    async fn list_machines(&self, filter: &MachineFilter) -> Result<Vec<Machine>>;

    /// Destroy a machine and confirm it is gone.
    async fn destroy_machine(&self, id: &str) -> Result<()>;

    /// Power on, power off or reboot.
    async fn power(&self, id: &str, action: PowerAction) -> Result<()>;

    /// Give the machine a new name; returns once the provider has applied it (DigitalOcean:
    /// the `rename` action, waited for; Vultr: the instance's label).
    async fn rename_machine(&self, id: &str, name: &str) -> Result<()>;

    /// Add the tags `add` and take off the tags `remove`; the machine's other tags stay.
    async fn retag_machine(&self, id: &str, add: &[String], remove: &[String]) -> Result<()>;

    /// Every SSH key registered with the account.
    async fn list_ssh_keys(&self) -> Result<Vec<SshKey>>;

    /// The SSH key called `name`, if any.
    async fn find_ssh_key(&self, name: &str) -> Result<Option<SshKey>> {
        Ok(self
            .list_ssh_keys()
            .await?
            .into_iter()
            .find(|k| k.name == name))
    }

    /// Every DNS zone hosted by the account.
    async fn list_zones(&self) -> Result<Vec<DnsZone>>;

    /// Every record in `zone`.
    async fn list_records(&self, zone: &str) -> Result<Vec<DnsRecord>>;

    /// Create a record in `zone`.
    async fn create_record(&self, zone: &str, record: &DnsRecordSpec) -> Result<DnsRecord>;

    /// Replace the record `id` in `zone`.
    async fn update_record(
        &self,
        zone: &str,
        id: &str,
        record: &DnsRecordSpec,
    ) -> Result<DnsRecord>;

    /// Delete the record `id` in `zone`.
    async fn delete_record(&self, zone: &str, id: &str) -> Result<()>;

    /// Regions (cached for [`DEFAULT_CATALOG_TTL`]).
    async fn regions(&self) -> Result<Arc<Vec<Region>>>;

    /// Sizes / plans (cached).
    async fn sizes(&self) -> Result<Arc<Vec<Size>>>;

    /// OS images (cached).
    async fn images(&self) -> Result<Arc<Vec<Image>>>;

    /// The HTTP proxy through which the machines' own status check
    /// (`http://<ip>:4242/cgi-bin/cloud-init-status`) is asked, when the account sets one
    /// (`status_proxy` in the settings; the demo cloud points it at its emulator). `None`:
    /// the check goes straight to each machine.
    fn status_proxy(&self) -> Option<&str> {
        None
    }

    /// Projects, on providers that have them.
    fn projects(&self) -> Option<&dyn Projects> {
        None
    }

    /// Letting SSH in from one address for a while, on providers with a firewall API.
    fn firewall(&self) -> Option<&dyn FirewallAccess> {
        None
    }

    /// Moving a machine to another plan, on providers that can.
    fn resize(&self) -> Option<&dyn Resize> {
        None
    }

    /// Reinstalling a machine from an image, on providers that can.
    fn rebuild(&self) -> Option<&dyn Rebuild> {
        None
    }

    /// Taking and deleting machine snapshots, on providers that can.
    fn snapshots(&self) -> Option<&dyn Snapshots> {
        None
    }
}

/// Projects: grouping resources (DigitalOcean only).
#[async_trait]
pub trait Projects: Send + Sync {
    /// Every project of the account.
    async fn list_projects(&self) -> Result<Vec<Project>>;

    /// Assign a machine to a project (`project_id` may be `"default"`). Fails unless the
    /// provider reports the assignment as done.
    async fn assign_machine(&self, project_id: &str, machine_id: &str) -> Result<()>;
}

/// The projects capability of `provider`, or [`ProviderError::Unsupported`].
pub fn projects_of(provider: &dyn CloudProvider) -> Result<&dyn Projects> {
    provider
        .projects()
        .ok_or_else(|| ProviderError::Unsupported {
            provider: provider.kind(),
            capability: "projects".into(),
        })
}
