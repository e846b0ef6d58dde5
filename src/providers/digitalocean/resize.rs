//! Resize and rebuild: the Droplet actions `resize` (`#/components/schemas/droplet_action_resize`)
//! and `rebuild` (`#/components/schemas/droplet_action_rebuild`), each waited for like the
//! other Droplet actions.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{DigitalOcean, KIND, wire};
use crate::provider::{
    ImageRef, ProviderError, Rebuild, RebuildRules, Resize, ResizeRules, Result,
};

/// The Droplet must be off; `disk: false` keeps the disk (and the way back to a smaller plan),
/// `disk: true` grows it for good.
pub const RULES: ResizeRules = ResizeRules {
    needs_power_off: true,
    disk_resize_irreversible: true,
    can_keep_disk: true,
    can_downgrade: true,
};

#[async_trait]
impl Resize for DigitalOcean {
    fn resize_rules(&self) -> ResizeRules {
        RULES
    }

    async fn disk_gb(&self, id: &str) -> Result<u32> {
        let path = Self::droplet_path(id)?;
        let d: Value = self.http.get_json(&path, &[]).await?;
        d.pointer("/droplet/disk")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| self.decode_error(&path, "no `droplet.disk` in the answer".into()))
    }

    async fn resize_machine(&self, id: &str, size: &str, grow_disk: bool) -> Result<()> {
        if size.trim().is_empty() {
            return Err(ProviderError::Validation {
                provider: KIND,
                message: "no size given to resize to".into(),
            });
        }
        let body = json!({ "type": "resize", "size": size, "disk": grow_disk });
        self.run_action(id, &body, "resize").await
    }
}

/// A rebuild keeps the Droplet's addresses; `image` may be a snapshot's id.
pub const REBUILD_RULES: RebuildRules = RebuildRules {
    keeps_ip: true,
    from_snapshot: true,
};

#[async_trait]
impl Rebuild for DigitalOcean {
    fn rebuild_rules(&self) -> RebuildRules {
        REBUILD_RULES
    }

    async fn rebuild_machine(&self, id: &str, image: &ImageRef) -> Result<()> {
        // A snapshot is a private image: its id goes in the same field.
        let image = image.id();
        if image.trim().is_empty() {
            return Err(ProviderError::Validation {
                provider: KIND,
                message: "no image given to rebuild from".into(),
            });
        }
        // A slug is a string, an image id an integer (`oneOf` in the spec).
        let body = json!({ "type": "rebuild", "image": wire::id_or_string(image) });
        self.run_action(id, &body, "rebuild").await
    }
}
