//! Machine snapshots: an optional capability, [`Snapshots`], its neutral [`Snapshot`], and
//! [`ImageRef`], which lets a create start from a snapshot instead of a catalog image.
//!
//! - **DigitalOcean:** the Droplet action `snapshot` (`#/components/schemas/droplet_action_snapshot`)
//!   is polled until it completes; the snapshot then appears in
//!   GET `/v2/droplets/{droplet_id}/snapshots` and in GET `/v2/snapshots?resource_type=droplet`
//!   (`#/components/schemas/snapshots`: `id`, `name`, `resource_id`, `regions`,
//!   `min_disk_size`, `size_gigabytes`, `created_at`). A snapshot lives in regions; a Droplet
//!   is created from it with its numeric id as `image`, in one of those regions.
//! - **Vultr:** POST `/snapshots` with `instance_id` and `description` answers 201 with a
//!   snapshot in `status` `pending`, polled with GET `/snapshots/{snapshot-id}` until `complete`
//!   (`#/components/schemas/snapshot`: `id`, `description`, `size` in bytes, `status`,
//!   `os_id`, `date_created`). A Vultr snapshot names neither its instance nor a region; an
//!   instance is created from it with `snapshot_id` instead of `os_id`.
//!
//! Neither API prices a snapshot, so no cost is given here.

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{CloudProvider, ProviderError, Result};

/// What a new machine is installed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ImageRef {
    /// A catalog image: [`Image::id`](super::Image::id).
    Image(String),
    /// One of the account's snapshots: [`Snapshot::id`].
    Snapshot(String),
}

impl ImageRef {
    /// The image's or the snapshot's id.
    pub fn id(&self) -> &str {
        match self {
            ImageRef::Image(id) | ImageRef::Snapshot(id) => id,
        }
    }

    /// The snapshot's id, when this is a snapshot.
    pub fn snapshot(&self) -> Option<&str> {
        match self {
            ImageRef::Snapshot(id) => Some(id),
            ImageRef::Image(_) => None,
        }
    }
}

impl Default for ImageRef {
    fn default() -> Self {
        ImageRef::Image(String::new())
    }
}

impl From<String> for ImageRef {
    fn from(id: String) -> Self {
        ImageRef::Image(id)
    }
}

impl From<&str> for ImageRef {
    fn from(id: &str) -> Self {
        ImageRef::Image(id.to_owned())
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageRef::Image(id) => write!(f, "image {id}"),
            ImageRef::Snapshot(id) => write!(f, "snapshot {id}"),
        }
    }
}

/// Where a snapshot stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum SnapshotStatus {
    /// Being taken; a machine cannot be created from it yet.
    Pending,
    /// Ready to create machines from.
    Available,
    /// A status this version does not know, verbatim.
    Unknown(String),
}

/// One snapshot of a machine's disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub id: String,
    /// DigitalOcean `name`, Vultr `description`.
    pub name: String,
    /// The machine it was taken of, where the provider says (DigitalOcean `resource_id`).
    pub machine_id: Option<String>,
    /// RFC 3339, as the provider gave it.
    pub created_at: String,
    /// Billable size in GB, where given (DigitalOcean `size_gigabytes`; Vultr `size` in bytes,
    /// `0` while pending, which is left out).
    pub size_gb: Option<f64>,
    /// Regions a machine can be created from it in; empty where the provider has no regions
    /// on snapshots (Vultr: any region).
    pub regions: Vec<String>,
    /// Smallest disk in GB a machine created from it needs, where given.
    pub min_disk_gb: Option<u32>,
    pub status: SnapshotStatus,
}

impl Snapshot {
    /// True once machines can be created from it.
    pub fn is_available(&self) -> bool {
        self.status == SnapshotStatus::Available
    }

    /// True if a machine can be created from it in `region` (any region when the provider
    /// gives none).
    pub fn offered_in(&self, region: &str) -> bool {
        self.regions.is_empty() || self.regions.iter().any(|r| r == region)
    }
}

/// What a provider says about its snapshots, for a UI that explains what it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotRules {
    /// A snapshot names the machine it was taken of (DigitalOcean `resource_id`); without it
    /// a machine's snapshots cannot be told from the account's others.
    pub names_machine: bool,
    /// A snapshot lives in regions, and a machine is created from it only there.
    pub regional: bool,
}

/// A snapshot the provider accepted to take, not necessarily taken yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotTask {
    pub machine_id: String,
    pub name: String,
    /// The snapshot, where the provider shows it while it is taken (Vultr, `pending`).
    /// DigitalOcean shows it only once its action completed.
    pub snapshot: Option<Snapshot>,
    /// The provider's action that takes it, where there is one (DigitalOcean).
    pub action_id: Option<String>,
}

/// Taking, listing and deleting machine snapshots (DigitalOcean, Vultr).
#[async_trait]
pub trait Snapshots: Send + Sync {
    /// This provider's rules.
    fn snapshot_rules(&self) -> SnapshotRules;

    /// Every machine snapshot of the account, across all pages.
    async fn list_snapshots(&self) -> Result<Vec<Snapshot>>;

    /// One snapshot by id.
    async fn get_snapshot(&self, id: &str) -> Result<Snapshot>;

    /// Ask the provider to take a snapshot of machine `machine_id` called `name`; returns as
    /// soon as it accepted. Sent once only: a repeat could take a second snapshot.
    async fn start_snapshot(&self, machine_id: &str, name: &str) -> Result<SnapshotTask>;

    /// Wait until the snapshot `task` started is available, and return it. A snapshot still
    /// being taken at the deadline is [`ProviderError::ActionFailed`].
    async fn wait_for_snapshot(&self, task: &SnapshotTask) -> Result<Snapshot>;

    /// [`start_snapshot`](Self::start_snapshot), then
    /// [`wait_for_snapshot`](Self::wait_for_snapshot).
    async fn create_snapshot(&self, machine_id: &str, name: &str) -> Result<Snapshot> {
        let task = self.start_snapshot(machine_id, name).await?;
        self.wait_for_snapshot(&task).await
    }

    /// Delete the snapshot `id`.
    async fn delete_snapshot(&self, id: &str) -> Result<()>;
}

/// The snapshots capability of `provider`, or [`ProviderError::Unsupported`].
pub fn snapshots_of(provider: &dyn CloudProvider) -> Result<&dyn Snapshots> {
    provider
        .snapshots()
        .ok_or_else(|| ProviderError::Unsupported {
            provider: provider.kind(),
            capability: "snapshots".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_ref_serializes_as_one_tagged_value() {
        let s = serde_json::to_value(ImageRef::Snapshot("42".into())).unwrap();
        assert_eq!(s, serde_json::json!({ "snapshot": "42" }));
        let i: ImageRef = serde_json::from_value(serde_json::json!({ "image": "x" })).unwrap();
        assert_eq!(i, ImageRef::Image("x".into()));
        assert_eq!(i.snapshot(), None);
        assert_eq!(ImageRef::Snapshot("42".into()).snapshot(), Some("42"));
    }

    #[test]
    fn a_snapshot_without_regions_is_offered_everywhere() {
        let mut s = Snapshot {
            id: "1".into(),
            name: "n".into(),
            machine_id: None,
            created_at: String::new(),
            size_gb: None,
            regions: vec![],
            min_disk_gb: None,
            status: SnapshotStatus::Available,
        };
        assert!(s.offered_in("ewr"));
        s.regions = vec!["nyc3".into()];
        assert!(s.offered_in("nyc3"));
        assert!(!s.offered_in("sfo3"));
    }
}
