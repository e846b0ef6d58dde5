//! Droplet snapshots: the Droplet action `snapshot` takes one, which appears once the action
//! has completed (after the emulator's IP delay); GET `/v2/snapshots` (with `resource_type`
//! and pagination), GET and DELETE `/v2/snapshots/{snapshot_id}`, GET
//! `/v2/droplets/{droplet_id}/snapshots`. A snapshot outlives its Droplet, lives in the
//! Droplet's region, needs at least the Droplet's disk, and is a private image a Droplet can be
//! created from by its numeric id.
//!
//! Shapes: `/v2/snapshots` renders `#/components/schemas/snapshots` (`id` a **string**,
//! `resource_id`, `resource_type`, `tags`); the Droplet's list renders
//! `#/components/schemas/droplet_snapshot` (`id` an **integer**, `type`).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::world::DoWorld;
use super::{
    DoError, DoResult, lock_world, no_content, paginated_with, query_get, query_pairs, reply,
};
use crate::clock::{rfc3339_z, unix_now};
use crate::state::Shared;

/// One Droplet snapshot.
pub struct DropletSnapshot {
    pub id: u64,
    pub name: String,
    pub droplet_id: u64,
    pub regions: Vec<String>,
    pub min_disk_size: u32,
    pub size_gigabytes: f64,
    /// The image the Droplet ran, for the snapshot's `distribution`.
    pub source_image: u64,
    pub created_unix: u64,
    /// When the snapshot action completes and the snapshot appears.
    pub ready_at: Instant,
}

/// Every snapshot, by id.
pub struct Snapshots {
    pub by_id: BTreeMap<u64, DropletSnapshot>,
    next: u64,
}

impl Default for Snapshots {
    fn default() -> Self {
        Snapshots {
            by_id: BTreeMap::new(),
            next: 171_000_001,
        }
    }
}

impl Snapshots {
    /// The snapshots that exist at `now` (taken, not pending).
    pub fn ready(&self, now: Instant) -> impl Iterator<Item = &DropletSnapshot> {
        self.by_id.values().filter(move |s| now >= s.ready_at)
    }

    /// The snapshot `id`, once it exists.
    pub fn get(&self, id: u64, now: Instant) -> Option<&DropletSnapshot> {
        self.by_id.get(&id).filter(|s| now >= s.ready_at)
    }

    /// The ids of Droplet `droplet_id`'s snapshots (its `snapshot_ids`).
    pub fn ids_of(&self, droplet_id: u64, now: Instant) -> Vec<u64> {
        self.ready(now)
            .filter(|s| s.droplet_id == droplet_id)
            .map(|s| s.id)
            .collect()
    }
}

/// Starts a snapshot of Droplet `id` called `name` (by default `<droplet>-<unix time>`), ready
/// at `ready_at`.
pub fn take(
    world: &mut DoWorld,
    id: u64,
    name: Option<String>,
    ready_at: Instant,
) -> Result<(), DoError> {
    let d = world.droplets.get(&id).ok_or_else(DoError::not_found)?;
    let name = match name {
        Some(n) if n.trim().is_empty() => {
            return Err(DoError::unprocessable("name must not be empty"));
        }
        Some(n) => n,
        None => format!("{}-{}", d.name, unix_now()),
    };
    let disk = super::resize::current_disk(world, d);
    let snapshot = DropletSnapshot {
        id: world.snapshots.next,
        name,
        droplet_id: id,
        regions: vec![d.region.clone()],
        min_disk_size: disk,
        // What a fresh OS install compresses to, give or take.
        size_gigabytes: 2.36,
        source_image: d.image_id,
        created_unix: unix_now(),
        ready_at,
    };
    world.snapshots.next += 1;
    world.snapshots.by_id.insert(snapshot.id, snapshot);
    Ok(())
}

impl DoWorld {
    /// `#/components/schemas/snapshots`.
    fn snapshot_json(&self, s: &DropletSnapshot) -> Value {
        json!({
            "id": s.id.to_string(),
            "name": s.name,
            "created_at": rfc3339_z(s.created_unix),
            "regions": s.regions,
            "min_disk_size": s.min_disk_size,
            "size_gigabytes": s.size_gigabytes,
            "resource_id": s.droplet_id.to_string(),
            "resource_type": "droplet",
            "tags": [],
        })
    }

    /// `#/components/schemas/droplet_snapshot`.
    fn droplet_snapshot_json(&self, s: &DropletSnapshot) -> Value {
        json!({
            "id": s.id,
            "name": s.name,
            "created_at": rfc3339_z(s.created_unix),
            "regions": s.regions,
            "min_disk_size": s.min_disk_size,
            "size_gigabytes": s.size_gigabytes,
            "type": "snapshot",
        })
    }

    /// The snapshot `id` as a Droplet's `image` (`#/components/schemas/image`), when it exists.
    pub fn snapshot_image_json(&self, id: u64, now: Instant) -> Option<Value> {
        let s = self.snapshots.get(id, now)?;
        let distribution = self
            .image_by_id(s.source_image)
            .map_or("Unknown", |i| i.distribution.as_str());
        Some(json!({
            "id": s.id,
            "name": s.name,
            "distribution": distribution,
            "slug": null,
            "public": false,
            "regions": s.regions,
            "created_at": rfc3339_z(s.created_unix),
            "type": "snapshot",
            "min_disk_size": s.min_disk_size,
            "size_gigabytes": s.size_gigabytes,
            "description": "",
            "tags": [],
            "status": "available",
            "error_message": "",
        }))
    }

    /// Checks that a Droplet of `size` can be created in `region` from snapshot `id`.
    pub fn check_snapshot_for(
        &self,
        id: u64,
        region: &str,
        size: &str,
        now: Instant,
    ) -> Result<(), DoError> {
        let s = self.snapshots.get(id, now).ok_or_else(|| {
            DoError::unprocessable(format!(
                "You specified an invalid image for Droplet creation: {id}"
            ))
        })?;
        if !s.regions.iter().any(|r| r == region) {
            return Err(DoError::unprocessable(format!(
                "Image {id} is not available in region {region}"
            )));
        }
        if self.size(size).is_some_and(|z| z.disk < s.min_disk_size) {
            return Err(DoError::unprocessable(format!(
                "Size {size} has a smaller disk than image {id} needs ({} GB)",
                s.min_disk_size
            )));
        }
        Ok(())
    }
}

fn snapshot_id(raw: &str) -> Result<u64, DoError> {
    raw.parse().map_err(|_| DoError::not_found())
}

/// GET `/v2/snapshots`: every snapshot (all are Droplet snapshots; `resource_type=volume`
/// lists none).
pub async fn list(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> DoResult {
    let query = query_pairs(&raw);
    let kind = query_get(&query, "resource_type");
    if let Some(k) = kind
        && k != "droplet"
        && k != "volume"
    {
        return Err(DoError::bad_request(
            "resource_type must be droplet or volume",
        ));
    }
    let now = Instant::now();
    let world = lock_world(&shared);
    let items: Vec<&DropletSnapshot> = world
        .snapshots
        .ready(now)
        .filter(|_| kind != Some("volume"))
        .collect();
    paginated_with(&shared, "/v2/snapshots", &query, "snapshots", items, |s| {
        world.snapshot_json(s)
    })
}

/// GET `/v2/snapshots/{snapshot_id}`.
pub async fn get_one(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> DoResult {
    let id = snapshot_id(&id)?;
    let world = lock_world(&shared);
    let s = world
        .snapshots
        .get(id, Instant::now())
        .ok_or_else(DoError::not_found)?;
    reply(
        StatusCode::OK,
        json!({ "snapshot": world.snapshot_json(s) }),
    )
}

/// DELETE `/v2/snapshots/{snapshot_id}`: 204.
pub async fn delete_one(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> DoResult {
    let id = snapshot_id(&id)?;
    let mut world = lock_world(&shared);
    if world.snapshots.get(id, Instant::now()).is_none() {
        return Err(DoError::not_found());
    }
    world.snapshots.by_id.remove(&id);
    no_content()
}

/// GET `/v2/droplets/{droplet_id}/snapshots`.
pub async fn of_droplet(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> DoResult {
    let id: u64 = id.parse().map_err(|_| DoError::not_found())?;
    let query = query_pairs(&raw);
    let now = Instant::now();
    let world = lock_world(&shared);
    if !world.droplets.contains_key(&id) {
        return Err(DoError::not_found());
    }
    let items: Vec<&DropletSnapshot> = world
        .snapshots
        .ready(now)
        .filter(|s| s.droplet_id == id)
        .collect();
    paginated_with(
        &shared,
        &format!("/v2/droplets/{id}/snapshots"),
        &query,
        "snapshots",
        items,
        |s| world.droplet_snapshot_json(s),
    )
}
