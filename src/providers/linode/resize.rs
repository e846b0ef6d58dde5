//! Resize: POST `/linode/instances/{linodeId}/resize` with `type` and
//! `allow_auto_disk_resize` (`#/paths/~1linode~1instances~1{linodeId}~1resize/post`). The
//! answer is 200 `{}` and the resize runs in the background (the Linode is migrated to a host
//! with the new plan), so the Linode is polled until it shows the new `type` and a settled
//! status.
//!
//! What the spec says, and so what [`RULES`] says:
//! - The Linode need not be powered off first: the resize takes it down for the migration
//!   itself. It refuses while "any actions are currently running or queued" (the "busy"
//!   answer, retried like the others).
//! - "The Linode must not have more disk allocation than the new Type allows": a smaller plan
//!   is accepted when the disks fit it.
//! - `allow_auto_disk_resize` (default true) "Automatically resize disks when resizing a
//!   Linode. When resizing down to a smaller plan your Linode's data must fit within the
//!   smaller disk size": with it false the disks keep their size; with it true they follow the
//!   plan both ways, so growing them is not final.

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

use super::{KIND, Linode, refused, wire};
use crate::provider::{Resize, ResizeRules, Result};
use crate::providers::http::lifecycle::{ActionState, wait_for_action};

/// See the module docs.
pub const RULES: ResizeRules = ResizeRules {
    needs_power_off: false,
    disk_resize_irreversible: false,
    can_keep_disk: true,
    can_downgrade: true,
};

/// Statuses in which a Linode is not in the middle of anything.
fn settled(status: &str) -> bool {
    matches!(status, "running" | "offline" | "stopped")
}

#[derive(Debug, Deserialize)]
struct DiskWire {
    /// MB.
    #[serde(default)]
    size: u64,
}

#[async_trait]
impl Resize for Linode {
    fn resize_rules(&self) -> ResizeRules {
        RULES
    }

    /// The Linode's disks added up (GET `/linode/instances/{linodeId}/disks`, sizes in MB);
    /// the plan's disk (`specs.disk`) when that lists none or is not there. A Linode that does
    /// not exist is still an error, from the second GET.
    async fn disk_gb(&self, id: &str) -> Result<u32> {
        let path = format!("{}/disks", Self::linode_path(id));
        let mut mb: u64 = match self
            .list_all::<DiskWire>(&path, None, Some(super::PAGE_SIZE))
            .await
        {
            Ok(disks) => disks.iter().map(|d| d.size).sum(),
            // No disk list here: the plan's allocation below is the best answer.
            Err(e) if e.is_not_found() => 0,
            Err(e) => return Err(e),
        };
        if mb == 0 {
            let l: wire::LinodeWire = self.http.get_json(&Self::linode_path(id), &[]).await?;
            mb = l.specs.map(|s| s.disk).unwrap_or_default();
        }
        Ok(u32::try_from(mb.div_ceil(1024)).unwrap_or(u32::MAX))
    }

    async fn resize_machine(&self, id: &str, size: &str, grow_disk: bool) -> Result<()> {
        let size = size.trim();
        if size.is_empty() {
            return Err(refused("no plan given to resize to".into()));
        }
        let body = json!({ "type": size, "allow_auto_disk_resize": grow_disk });
        self.post_action(id, "resize", &body).await?;
        wait_for_action(KIND, id, "resize", &self.options.actions, || async {
            let l: wire::LinodeWire = self.http.get_json(&Self::linode_path(id), &[]).await?;
            Ok(if l.plan.as_deref() == Some(size) && settled(&l.status) {
                ActionState::Done
            } else {
                ActionState::Running
            })
        })
        .await
    }
}
