//! Resize and rebuild through PATCH `/instances/{instance-id}` (`#/paths/~1instances~1{instance-id}/patch`):
//! `plan` "Upgrade[s] the instance with this Plan id", `os_id` reinstalls it. The answer is 202:
//! the change runs in the background, so the instance is polled until it shows the new plan
//! (and `status` is no longer `resizing`) or the new `os_id` with `server_status` `ok`.

use async_trait::async_trait;
use reqwest::Method;
use serde_json::{Value, json};

use super::{KIND, Vultr};
use crate::provider::{
    ImageRef, ProviderError, Rebuild, RebuildRules, Resize, ResizeRules, Result,
};
use crate::providers::http::lifecycle::{ActionState, wait_for_action};
use crate::providers::http::{Safety, encode_segment};

/// No power off needed; the disk follows the plan and never shrinks, so a plan with a smaller
/// disk is refused.
pub const RULES: ResizeRules = ResizeRules {
    needs_power_off: false,
    disk_resize_irreversible: true,
    can_keep_disk: false,
    can_downgrade: false,
};

/// A reinstall (`os_id`) or a restore from a snapshot keeps the instance and its addresses.
pub const REBUILD_RULES: RebuildRules = RebuildRules {
    keeps_ip: true,
    from_snapshot: true,
};

impl Vultr {
    /// The instance as raw JSON (fields the neutral [`Machine`](crate::provider::Machine) does
    /// not carry: `disk`, `server_status`).
    async fn instance_value(&self, id: &str) -> Result<Value> {
        let path = Self::instance_path(id);
        let mut v: Value = self.http.get_json(&path, &[]).await?;
        match v.get_mut("instance").map(Value::take) {
            Some(i) if i.is_object() => Ok(i),
            _ => Err(self.decode_error(&path, "no `instance` in the answer".into())),
        }
    }

    /// PATCH the instance with `body`, then poll until `done` holds for the instance.
    async fn patch_and_wait(
        &self,
        id: &str,
        body: &Value,
        what: &str,
        done: impl Fn(&Value) -> bool + Send + Sync,
    ) -> Result<()> {
        let _: Value = self
            .http
            .send_json(
                Method::PATCH,
                &Self::instance_path(id),
                body,
                Safety::Idempotent,
            )
            .await?;
        wait_for_action(KIND, id, what, &self.options.actions, || async {
            let i = self.instance_value(id).await?;
            Ok(if done(&i) {
                ActionState::Done
            } else {
                ActionState::Running
            })
        })
        .await
    }
}

impl Vultr {
    /// POST `/instances/{instance-id}/restore` with `snapshot_id` (202 `{status}`), then polls
    /// until the instance runs the snapshot's OS (its `os_id`, read from the snapshot first)
    /// with `server_status` `ok`.
    async fn restore_snapshot(&self, id: &str, snapshot: &str) -> Result<()> {
        let snapshot = snapshot.trim();
        if snapshot.is_empty() {
            return Err(ProviderError::Validation {
                provider: KIND,
                message: "no snapshot given to rebuild from".into(),
            });
        }
        let path = format!("/snapshots/{}", encode_segment(snapshot));
        let s: Value = self.http.get_json(&path, &[]).await?;
        let os_id = s.pointer("/snapshot/os_id").and_then(Value::as_i64);
        let restore = format!("{}/restore", Self::instance_path(id));
        let _: Value = self
            .http
            .send_json(
                Method::POST,
                &restore,
                &json!({ "snapshot_id": snapshot }),
                Safety::Idempotent,
            )
            .await?;
        wait_for_action(KIND, id, "rebuild", &self.options.actions, || async {
            let i = self.instance_value(id).await?;
            let done = os_id.is_none_or(|os| i.get("os_id").and_then(Value::as_i64) == Some(os))
                && field(&i, "server_status") == "ok"
                && field(&i, "status") == "active";
            Ok(if done {
                ActionState::Done
            } else {
                ActionState::Running
            })
        })
        .await
    }
}

fn field<'a>(i: &'a Value, name: &str) -> &'a str {
    i.get(name).and_then(Value::as_str).unwrap_or_default()
}

#[async_trait]
impl Resize for Vultr {
    fn resize_rules(&self) -> ResizeRules {
        RULES
    }

    async fn disk_gb(&self, id: &str) -> Result<u32> {
        let i = self.instance_value(id).await?;
        i.get("disk")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| {
                self.decode_error(
                    &Self::instance_path(id),
                    "no `instance.disk` in the answer".into(),
                )
            })
    }

    async fn resize_machine(&self, id: &str, size: &str, _grow_disk: bool) -> Result<()> {
        if size.trim().is_empty() {
            return Err(ProviderError::Validation {
                provider: KIND,
                message: "no plan given to resize to".into(),
            });
        }
        self.patch_and_wait(id, &json!({ "plan": size }), "resize", |i| {
            field(i, "plan") == size && field(i, "status") == "active"
        })
        .await
    }
}

#[async_trait]
impl Rebuild for Vultr {
    fn rebuild_rules(&self) -> RebuildRules {
        REBUILD_RULES
    }

    async fn rebuild_machine(&self, id: &str, image: &ImageRef) -> Result<()> {
        let image = match image {
            ImageRef::Image(id) => id.as_str(),
            ImageRef::Snapshot(snapshot) => return self.restore_snapshot(id, snapshot).await,
        };
        let os_id: i64 = image
            .trim()
            .parse()
            .map_err(|_| ProviderError::Validation {
                provider: KIND,
                message: format!("`{image}` is not a Vultr OS id: pick an image from the catalog"),
            })?;
        // The spec types this `os_id` as a string (unlike the integer of the create body).
        self.patch_and_wait(id, &json!({ "os_id": os_id.to_string() }), "rebuild", |i| {
            i.get("os_id").and_then(Value::as_i64) == Some(os_id)
                && field(i, "server_status") == "ok"
                && field(i, "status") == "active"
        })
        .await
    }
}
