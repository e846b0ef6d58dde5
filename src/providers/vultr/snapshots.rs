//! Snapshots: GET and POST `/snapshots`, GET and DELETE `/snapshots/{snapshot-id}`
//! (`#/components/schemas/snapshot`). A new snapshot answers 201 in `status` `pending` and is
//! polled until `complete`. A Vultr snapshot names neither its instance nor a region (any
//! region can deploy it), and its `size` is in bytes.

use async_trait::async_trait;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{KIND, Vultr};
use crate::provider::{
    ProviderError, Result, Snapshot, SnapshotRules, SnapshotStatus, SnapshotTask, Snapshots,
};
use crate::providers::http::lifecycle::{ActionState, wait_for_action};
use crate::providers::http::{Safety, encode_segment};

/// Bytes per GB as Vultr counts a snapshot's `size` (its example: 42949672960 is 40 GB).
const BYTES_PER_GB: f64 = 1024.0 * 1024.0 * 1024.0;

#[derive(Debug, Deserialize)]
struct SnapshotWire {
    id: String,
    #[serde(default)]
    date_created: String,
    #[serde(default)]
    description: String,
    size: Option<u64>,
    #[serde(default)]
    status: String,
}

#[derive(Debug, Deserialize)]
struct SnapshotEnvelope {
    snapshot: SnapshotWire,
}

impl From<SnapshotWire> for Snapshot {
    fn from(s: SnapshotWire) -> Self {
        let status = match s.status.as_str() {
            "pending" => SnapshotStatus::Pending,
            "complete" => SnapshotStatus::Available,
            other => SnapshotStatus::Unknown(other.to_owned()),
        };
        Snapshot {
            id: s.id,
            name: s.description,
            machine_id: None,
            created_at: s.date_created,
            // A pending snapshot reports size 0: not a size yet.
            size_gb: s
                .size
                .filter(|b| *b > 0)
                .map(|b| (b as f64 / BYTES_PER_GB * 100.0).round() / 100.0),
            regions: Vec::new(),
            min_disk_gb: None,
            status,
        }
    }
}

fn snapshot_path(id: &str) -> Result<String> {
    if id.trim().is_empty() {
        return Err(ProviderError::Validation {
            provider: KIND,
            message: "no snapshot id given".into(),
        });
    }
    Ok(format!("/snapshots/{}", encode_segment(id)))
}

#[async_trait]
impl Snapshots for Vultr {
    fn snapshot_rules(&self) -> SnapshotRules {
        SnapshotRules {
            names_machine: false,
            regional: false,
        }
    }

    async fn list_snapshots(&self) -> Result<Vec<Snapshot>> {
        let items: Vec<SnapshotWire> = self.list_all("/snapshots", "snapshots", &[]).await?;
        let mut seen = std::collections::HashSet::new();
        Ok(items
            .into_iter()
            .filter(|s| seen.insert(s.id.clone()))
            .map(Snapshot::from)
            .collect())
    }

    async fn get_snapshot(&self, id: &str) -> Result<Snapshot> {
        let s: SnapshotEnvelope = self.http.get_json(&snapshot_path(id)?, &[]).await?;
        Ok(s.snapshot.into())
    }

    async fn start_snapshot(&self, machine_id: &str, name: &str) -> Result<SnapshotTask> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ProviderError::Validation {
                provider: KIND,
                message: "a snapshot needs a name".into(),
            });
        }
        if machine_id.trim().is_empty() {
            return Err(ProviderError::Validation {
                provider: KIND,
                message: "no instance id given to snapshot".into(),
            });
        }
        let created: SnapshotEnvelope = self
            .http
            .send_json(
                Method::POST,
                "/snapshots",
                &json!({ "instance_id": machine_id, "description": name }),
                Safety::CreatesResource,
            )
            .await?;
        Ok(SnapshotTask {
            machine_id: machine_id.to_owned(),
            name: name.to_owned(),
            snapshot: Some(created.snapshot.into()),
            action_id: None,
        })
    }

    async fn wait_for_snapshot(&self, task: &SnapshotTask) -> Result<Snapshot> {
        let machine_id = task.machine_id.as_str();
        let id = task
            .snapshot
            .as_ref()
            .map(|s| s.id.as_str())
            .ok_or_else(|| ProviderError::Validation {
                provider: KIND,
                message: "a Vultr snapshot is waited for by its id".into(),
            })?;
        let path = snapshot_path(id)?;
        let last = std::sync::Mutex::new(None::<Snapshot>);
        wait_for_action(
            KIND,
            machine_id,
            "snapshot",
            &self.options.actions,
            || async {
                let now: SnapshotEnvelope = self.http.get_json(&path, &[]).await?;
                let s = Snapshot::from(now.snapshot);
                let state = match &s.status {
                    SnapshotStatus::Available => ActionState::Done,
                    SnapshotStatus::Pending => ActionState::Running,
                    SnapshotStatus::Unknown(other) => {
                        ActionState::Failed(format!("snapshot {} is {other}", s.id))
                    }
                };
                *last.lock().unwrap_or_else(|e| e.into_inner()) = Some(s);
                Ok(state)
            },
        )
        .await?;
        let done = last.into_inner().unwrap_or_else(|e| e.into_inner());
        done.ok_or_else(|| self.decode_error(&path, "the snapshot was never read".into()))
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
