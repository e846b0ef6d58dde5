//! Snapshots: the Droplet action `snapshot` (`#/components/schemas/droplet_action_snapshot`),
//! waited for like the other Droplet actions, then found by name in
//! GET `/v2/droplets/{droplet_id}/snapshots`; GET `/v2/snapshots?resource_type=droplet`,
//! GET and DELETE `/v2/snapshots/{snapshot_id}`.
//!
//! A snapshot shows up only once its action has completed, so every snapshot listed is
//! available. Ids are integers for Droplet snapshots, rendered in decimal; `/v2/snapshots`
//! gives them as strings, `/v2/droplets/{droplet_id}/snapshots` as integers.

use async_trait::async_trait;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{DigitalOcean, KIND, wire};
use crate::provider::{
    ProviderError, Result, Snapshot, SnapshotRules, SnapshotStatus, SnapshotTask, Snapshots,
};
use crate::providers::http::Safety;
use crate::providers::http::lifecycle::wait_for_action;

/// `#/components/schemas/snapshots` and `#/components/schemas/droplet_snapshot` (the latter
/// without `resource_id`).
#[derive(Debug, Deserialize)]
struct SnapshotWire {
    id: Value,
    name: String,
    created_at: String,
    #[serde(default)]
    regions: Vec<String>,
    min_disk_size: Option<u32>,
    size_gigabytes: Option<f64>,
    resource_id: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct SnapshotEnvelope {
    snapshot: SnapshotWire,
}

/// An integer or a string id, in decimal.
fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

impl SnapshotWire {
    fn into_snapshot(self, machine_id: Option<String>) -> Result<Snapshot> {
        let id = id_text(&self.id).ok_or_else(|| ProviderError::Decode {
            provider: KIND,
            message: format!("snapshot id {} is neither an integer nor a string", self.id),
        })?;
        Ok(Snapshot {
            id,
            name: self.name,
            machine_id: machine_id.or_else(|| self.resource_id.as_ref().and_then(id_text)),
            created_at: self.created_at,
            size_gb: self.size_gigabytes,
            regions: self.regions,
            min_disk_gb: self.min_disk_size,
            status: SnapshotStatus::Available,
        })
    }
}

/// A Droplet snapshot's id is an integer; refusing anything else keeps stray input out of the
/// URL path.
fn snapshot_path(id: &str) -> Result<String> {
    id.parse::<u64>()
        .map(|n| format!("/v2/snapshots/{n}"))
        .map_err(|_| ProviderError::Validation {
            provider: KIND,
            message: format!("`{id}` is not a DigitalOcean snapshot id (an integer)"),
        })
}

impl DigitalOcean {
    /// The snapshots of Droplet `id`, newest last.
    async fn droplet_snapshots(&self, id: &str) -> Result<Vec<Snapshot>> {
        let path = format!("{}/snapshots", Self::droplet_path(id)?);
        let items: Vec<SnapshotWire> = self.list_all(&path, "snapshots", &[]).await?;
        items
            .into_iter()
            .map(|s| s.into_snapshot(Some(id.to_owned())))
            .collect()
    }
}

#[async_trait]
impl Snapshots for DigitalOcean {
    fn snapshot_rules(&self) -> SnapshotRules {
        SnapshotRules {
            names_machine: true,
            regional: true,
        }
    }

    async fn list_snapshots(&self) -> Result<Vec<Snapshot>> {
        let query = [("resource_type", "droplet".to_owned())];
        let items: Vec<SnapshotWire> = self.list_all("/v2/snapshots", "snapshots", &query).await?;
        let mut seen = std::collections::HashSet::new();
        items
            .into_iter()
            .map(|s| s.into_snapshot(None))
            .filter(|s| s.as_ref().map_or(true, |s| seen.insert(s.id.clone())))
            .collect()
    }

    async fn get_snapshot(&self, id: &str) -> Result<Snapshot> {
        let s: SnapshotEnvelope = self.http.get_json(&snapshot_path(id)?, &[]).await?;
        s.snapshot.into_snapshot(None)
    }

    async fn start_snapshot(&self, machine_id: &str, name: &str) -> Result<SnapshotTask> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ProviderError::Validation {
                provider: KIND,
                message: "a snapshot needs a name".into(),
            });
        }
        let path = format!("{}/actions", Self::droplet_path(machine_id)?);
        // Sent again after an ambiguous failure, it could take a second snapshot: once only.
        let started: wire::ActionEnvelope = self
            .http
            .send_json(
                Method::POST,
                &path,
                &json!({ "type": "snapshot", "name": name }),
                Safety::CreatesResource,
            )
            .await?;
        Ok(SnapshotTask {
            machine_id: machine_id.to_owned(),
            name: name.to_owned(),
            snapshot: None,
            action_id: Some(started.action.id.to_string()),
        })
    }

    async fn wait_for_snapshot(&self, task: &SnapshotTask) -> Result<Snapshot> {
        let (machine_id, name) = (task.machine_id.as_str(), task.name.as_str());
        let action = task
            .action_id
            .as_deref()
            .ok_or_else(|| ProviderError::Validation {
                provider: KIND,
                message: "a DigitalOcean snapshot is waited for through its action".into(),
            })?;
        let poll_path = format!(
            "/v2/actions/{}",
            action
                .parse::<u64>()
                .map_err(|_| ProviderError::Validation {
                    provider: KIND,
                    message: format!("`{action}` is not an action id"),
                })?
        );
        wait_for_action(
            KIND,
            machine_id,
            "snapshot",
            &self.options.actions,
            || async {
                let now: wire::ActionEnvelope = self.http.get_json(&poll_path, &[]).await?;
                Ok(now.action.state())
            },
        )
        .await?;
        // The newest snapshot of that name (an older one may share it).
        self.droplet_snapshots(machine_id)
            .await?
            .into_iter()
            .filter(|s| s.name == name)
            .max_by(|a, b| {
                (a.created_at.as_str(), a.id.parse::<u64>().unwrap_or(0))
                    .cmp(&(b.created_at.as_str(), b.id.parse::<u64>().unwrap_or(0)))
            })
            .ok_or_else(|| ProviderError::ActionFailed {
                provider: KIND,
                id: machine_id.to_owned(),
                action: "snapshot".into(),
                message: format!(
                    "the action completed, but the Droplet has no snapshot called `{name}`"
                ),
            })
    }

    async fn delete_snapshot(&self, id: &str) -> Result<()> {
        self.http
            .send_no_content::<Value>(
                Method::DELETE,
                &snapshot_path(id)?,
                None,
                Safety::Idempotent,
            )
            .await
            .map(drop)
    }
}
