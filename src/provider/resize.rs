//! Resizing a machine to another plan: an optional capability, [`Resize`], with the
//! provider's rules as data ([`ResizeRules`]) so that a use case and the UI can say what will
//! happen before it does.
//!
//! - **DigitalOcean:** the Droplet action `resize` (`size`, `disk`). The Droplet must be off.
//!   With `disk: false` only CPU and RAM change and the Droplet can later go back to a smaller
//!   plan; with `disk: true` the disk grows too, and that "cannot be reversed as a Droplet's disk
//!   size cannot be decreased" (`#/components/schemas/droplet_action_resize/properties/disk`).
//! - **Vultr:** PATCH `/instances/{instance-id}` with `plan` ("Upgrade the instance with this
//!   Plan id"). The disk always follows the plan, and a plan with a smaller disk is refused.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{CloudProvider, ProviderError, Result};

/// What a provider demands of, and allows for, a resize.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ResizeRules {
    /// The machine must be powered off before the provider resizes it.
    pub needs_power_off: bool,
    /// A resize that grows the disk cannot be undone: the machine can never move to a plan with
    /// a smaller disk afterwards.
    pub disk_resize_irreversible: bool,
    /// The disk can be kept at its size while CPU and RAM change (DigitalOcean `disk: false`),
    /// which keeps a later move back to a smaller plan possible.
    pub can_keep_disk: bool,
    /// Plans with less CPU or RAM are accepted, as long as their disk is not smaller than the
    /// machine's disk.
    pub can_downgrade: bool,
}

/// Moving a machine to another plan (DigitalOcean, Vultr).
#[async_trait]
pub trait Resize: Send + Sync {
    /// This provider's rules.
    fn resize_rules(&self) -> ResizeRules;

    /// The machine's disk in GB as it is now. It can be smaller than its plan's disk on a
    /// provider that resizes without the disk ([`ResizeRules::can_keep_disk`]).
    async fn disk_gb(&self, id: &str) -> Result<u32>;

    /// Move the machine `id` to the plan `size` and return once the provider reports the
    /// resize done. `grow_disk` grows the disk with the plan where the provider lets the caller
    /// choose ([`ResizeRules::can_keep_disk`]); elsewhere the disk always follows the plan.
    async fn resize_machine(&self, id: &str, size: &str, grow_disk: bool) -> Result<()>;
}

/// The resize capability of `provider`, or [`ProviderError::Unsupported`].
pub fn resize_of(provider: &dyn CloudProvider) -> Result<&dyn Resize> {
    provider.resize().ok_or_else(|| ProviderError::Unsupported {
        provider: provider.kind(),
        capability: "resize".into(),
    })
}
