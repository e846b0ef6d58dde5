//! Rebuilding a machine from an image: an optional capability, [`Rebuild`]. A rebuild erases
//! the disk and installs the image; the machine keeps its id, plan and region.
//!
//! - **DigitalOcean:** the Droplet action `rebuild` with `image` ("an image ID or slug",
//!   `#/components/schemas/droplet_action_rebuild`): a public image's slug, or the id of a
//!   private image (a snapshot). The Droplet keeps its IP addresses.
//! - **Vultr:** PATCH `/instances/{instance-id}` with `os_id` ("Reinstall the instance with
//!   this …") for a catalog image, POST `/instances/{instance-id}/restore` with `snapshot_id`
//!   for a snapshot. The instance keeps its IP addresses.
//!
//! The image is an [`ImageRef`], as at create: a catalog image ([`Image::id`](super::Image::id))
//! or one of the account's snapshots ([`Snapshot::id`](super::Snapshot::id)) where
//! [`RebuildRules::from_snapshot`] says the provider rebuilds from one.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{CloudProvider, ImageRef, ProviderError, Result};

/// What a rebuild keeps and accepts on a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RebuildRules {
    /// The machine keeps its public IP addresses through the rebuild.
    pub keeps_ip: bool,
    /// The image may be one of the account's snapshots, not only a catalog image.
    pub from_snapshot: bool,
}

/// Reinstalling a machine from an image (DigitalOcean, Vultr).
#[async_trait]
pub trait Rebuild: Send + Sync {
    /// This provider's rules.
    fn rebuild_rules(&self) -> RebuildRules;

    /// Erase the machine `id` and install `image`; returns once the provider reports the
    /// machine rebuilt.
    async fn rebuild_machine(&self, id: &str, image: &ImageRef) -> Result<()>;
}

/// The rebuild capability of `provider`, or [`ProviderError::Unsupported`].
pub fn rebuild_of(provider: &dyn CloudProvider) -> Result<&dyn Rebuild> {
    provider
        .rebuild()
        .ok_or_else(|| ProviderError::Unsupported {
            provider: provider.kind(),
            capability: "rebuild".into(),
        })
}
