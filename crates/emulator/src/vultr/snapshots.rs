//! `/snapshots`: list (cursor pagination, `description` filter), create, get and delete
//! (`#/components/schemas/snapshot`; `compressed_size`, in the spec's examples only, is left
//! out). A new snapshot is `pending` with `size` 0 until the
//! emulator's IP delay has passed, then `complete`; it outlives its instance. An instance is
//! created from a complete snapshot with `snapshot_id` (see `instances::create`) and gets the
//! snapshot's `os_id`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    VultrError, VultrResult, lock_world, no_content, paginated_with, parse_body, query_get,
    query_pairs, reply,
};
use crate::clock::{rfc3339_offset, unix_now};
use crate::ids;
use crate::state::Shared;

/// A 25 GB disk's snapshot, in bytes.
const SIZE_BYTES: u64 = 26_843_545_600;

pub struct InstanceSnapshot {
    pub id: String,
    pub description: String,
    pub os_id: u32,
    pub created_unix: u64,
    /// When it turns `complete`.
    pub ready_at: Instant,
}

/// Every snapshot, in creation order.
#[derive(Default)]
pub struct InstanceSnapshots {
    pub by_seq: BTreeMap<u64, InstanceSnapshot>,
    next: u64,
}

impl InstanceSnapshots {
    /// The sequence number of snapshot `id`.
    fn find(&self, id: &str) -> Option<u64> {
        self.by_seq
            .iter()
            .find(|(_, s)| s.id == id)
            .map(|(seq, _)| *seq)
    }

    /// The `os_id` of snapshot `id` when it is complete at `now`; otherwise why not.
    pub fn deployable(&self, id: &str, now: Instant) -> Result<u32, VultrError> {
        let s = self
            .find(id)
            .and_then(|seq| self.by_seq.get(&seq))
            .ok_or_else(|| VultrError::bad_request("Invalid snapshot_id."))?;
        if now < s.ready_at {
            return Err(VultrError::bad_request(
                "Snapshot is not complete yet: try again once its status is complete.",
            ));
        }
        Ok(s.os_id)
    }
}

fn snapshot_json(s: &InstanceSnapshot, now: Instant) -> Value {
    let complete = now >= s.ready_at;
    json!({
        "id": s.id,
        "date_created": rfc3339_offset(s.created_unix),
        "description": s.description,
        "size": if complete { SIZE_BYTES } else { 0 },
        "status": if complete { "complete" } else { "pending" },
        "os_id": s.os_id,
        "app_id": 0,
    })
}

fn snapshot_not_found() -> VultrError {
    VultrError::not_found("Invalid snapshot-id.")
}

pub async fn list(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> VultrResult {
    let query = query_pairs(&raw);
    let description = query_get(&query, "description").filter(|s| !s.is_empty());
    let now = Instant::now();
    let world = lock_world(&shared);
    let items: Vec<&InstanceSnapshot> = world
        .snapshots
        .by_seq
        .values()
        .filter(|s| description.is_none_or(|d| s.description == d))
        .collect();
    paginated_with(&query, "snapshots", items, |s| snapshot_json(s, now))
}

#[derive(Deserialize)]
struct CreateBody {
    instance_id: Option<String>,
    description: Option<String>,
}

/// POST `/snapshots`: 201 with the snapshot, `pending`.
pub async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> VultrResult {
    let body: CreateBody = parse_body(&body)?;
    let instance_id = body
        .instance_id
        .filter(|i| !i.is_empty())
        .ok_or_else(|| VultrError::bad_request("instance_id is required."))?;
    let now = Instant::now();
    let mut world = lock_world(&shared);
    let seq = world
        .find_instance(&instance_id)
        .ok_or_else(|| VultrError::bad_request("Invalid instance_id."))?;
    let os_id = world.instances[&seq].os_id;
    let n = world.snapshots.next + 1;
    world.snapshots.next = n;
    let snapshot = InstanceSnapshot {
        id: ids::uuid(0x736e_6170, n),
        description: body.description.unwrap_or_default(),
        os_id,
        created_unix: unix_now(),
        ready_at: now + shared.ip_delay,
    };
    let json = snapshot_json(&snapshot, now);
    world.snapshots.by_seq.insert(n, snapshot);
    reply(StatusCode::CREATED, json!({ "snapshot": json }))
}

pub async fn get_one(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> VultrResult {
    let world = lock_world(&shared);
    let seq = world.snapshots.find(&id).ok_or_else(snapshot_not_found)?;
    let json = snapshot_json(&world.snapshots.by_seq[&seq], Instant::now());
    reply(StatusCode::OK, json!({ "snapshot": json }))
}

pub async fn delete(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> VultrResult {
    let mut world = lock_world(&shared);
    let seq = world.snapshots.find(&id).ok_or_else(snapshot_not_found)?;
    world.snapshots.by_seq.remove(&seq);
    no_content()
}
