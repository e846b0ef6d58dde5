//! Rebuild: POST `/linode/instances/{linodeId}/rebuild` with `image`, `root_pass` and
//! `authorized_keys` (`#/paths/~1linode~1instances~1{linodeId}~1rebuild/post`). "A rebuild
//! will first shut down the Linode, delete all disks and configs on the Linode, and then deploy
//! a new `image`"; the Linode keeps its id, plan and addresses.
//!
//! - **Keys:** the API cannot say which keys the Linode was created with, so every SSH key of
//!   the profile goes in `authorized_keys` (without any, root could only log in with the random
//!   password, which Hangar never keeps).
//! - **Password:** a fresh random `root_pass`, as at create, never logged.
//! - **User data:** the rebuild is given none (`metadata` is left out), so Linode keeps what it
//!   has.
//! - **Images only:** Linode has no machine snapshots in Hangar's sense (see the module docs of
//!   the client), so [`RebuildRules::from_snapshot`] is false.
//!
//! The answer is the Linode in status `rebuilding`; it is polled until it runs the new image.

use async_trait::async_trait;
use serde::Serialize;

use super::{KIND, Linode, refused, root_password, scrub, wire};
use crate::provider::{CloudProvider, ImageRef, ProviderError, Rebuild, RebuildRules, Result};
use crate::providers::http::lifecycle::{ActionState, wait_for_action};
use secrecy::ExposeSecret;

/// A rebuild keeps the Linode's addresses; it installs catalog (or private) images only.
pub const REBUILD_RULES: RebuildRules = RebuildRules {
    keeps_ip: true,
    from_snapshot: false,
};

#[derive(Debug, Serialize)]
struct RebuildBody<'a> {
    image: &'a str,
    root_pass: wire::RootPass,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authorized_keys: Vec<String>,
    booted: bool,
}

#[async_trait]
impl Rebuild for Linode {
    fn rebuild_rules(&self) -> RebuildRules {
        REBUILD_RULES
    }

    async fn rebuild_machine(&self, id: &str, image: &ImageRef) -> Result<()> {
        let image = match image {
            ImageRef::Image(image) if !image.trim().is_empty() => image.trim(),
            ImageRef::Image(_) => return Err(refused("no image given to rebuild from".into())),
            ImageRef::Snapshot(_) => {
                return Err(ProviderError::Unsupported {
                    provider: KIND,
                    capability: "rebuilding from a snapshot".into(),
                });
            }
        };
        let authorized_keys = self
            .list_ssh_keys()
            .await?
            .into_iter()
            .map(|k| k.public_key)
            .filter(|k| !k.trim().is_empty())
            .collect();
        let root_pass = root_password();
        let body = serde_json::to_value(RebuildBody {
            image,
            root_pass: wire::RootPass(root_pass.clone()),
            authorized_keys,
            booted: true,
        })
        .map_err(|e| refused(format!("cannot encode the rebuild: {e}")))?;
        self.post_action(id, "rebuild", &body)
            .await
            .map_err(|e| scrub(e, root_pass.expose_secret()))?;
        wait_for_action(KIND, id, "rebuild", &self.options.actions, || async {
            let l: wire::LinodeWire = self.http.get_json(&Self::linode_path(id), &[]).await?;
            Ok(
                if l.image.as_deref() == Some(image) && l.status == "running" {
                    ActionState::Done
                } else {
                    ActionState::Running
                },
            )
        })
        .await
    }
}
