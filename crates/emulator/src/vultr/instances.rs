//! `/instances`: list, create, get, update, delete, and start/halt/reboot (single and bulk).

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;

use super::{
    VultrError, VultrResult, lock_world, no_content, paginated_with, parse_body, query_get,
    query_pairs, reply,
};
use crate::clock::just_before;
use crate::ids::public_ipv4;
use crate::registry::EmulatedProvider;
use crate::state::{Shared, lock};

fn instance_not_found() -> VultrError {
    VultrError::not_found("Invalid instance-id.")
}

pub async fn list(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> VultrResult {
    let query = query_pairs(&raw);
    let label = query_get(&query, "label").filter(|s| !s.is_empty());
    let main_ip = query_get(&query, "main_ip").filter(|s| !s.is_empty());
    let region = query_get(&query, "region").filter(|s| !s.is_empty());
    let tag = query_get(&query, "tag").filter(|s| !s.is_empty());
    let now = Instant::now();
    let world = lock_world(&shared);
    let matching: Vec<_> = world
        .instances
        .values()
        .filter(|i| label.is_none_or(|l| i.label == l))
        .filter(|i| region.is_none_or(|r| i.region == r))
        .filter(|i| tag.is_none_or(|t| i.tags.iter().any(|x| x == t)))
        .filter(|i| {
            main_ip.is_none_or(|ip| {
                let current = if now >= i.ready_at {
                    public_ipv4(i.address).to_string()
                } else {
                    "0.0.0.0".to_string()
                };
                current == ip
            })
        })
        .collect();
    paginated_with(&query, "instances", matching, |i| {
        world.instance_json(i, now, false)
    })
}

#[derive(Deserialize)]
struct CreateBody {
    region: Option<String>,
    plan: Option<String>,
    os_id: Option<u32>,
    iso_id: Option<String>,
    snapshot_id: Option<String>,
    app_id: Option<u32>,
    image_id: Option<String>,
    label: Option<String>,
    hostname: Option<String>,
    tags: Option<Vec<String>>,
    /// Deprecated single tag.
    tag: Option<String>,
    sshkey_id: Option<Vec<String>>,
    user_data: Option<String>,
    enable_ipv6: Option<bool>,
    backups: Option<String>,
}

fn decode_user_data(s: &str) -> Result<Vec<u8>, VultrError> {
    base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .map_err(|_| VultrError::bad_request("Invalid user_data: it must be base64 encoded."))
}

fn check_backups(b: &Option<String>) -> Result<(), VultrError> {
    match b.as_deref() {
        None | Some("enabled") | Some("disabled") => Ok(()),
        Some(other) => Err(VultrError::bad_request(format!(
            "Invalid backups value {other:?}: use \"enabled\" or \"disabled\"."
        ))),
    }
}

pub async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> VultrResult {
    let body: CreateBody = parse_body(&body)?;
    let mut world = lock_world(&shared);
    let region = body
        .region
        .filter(|r| world.region(r).is_some())
        .ok_or_else(|| VultrError::bad_request("Invalid region."))?;
    let plan = body
        .plan
        .filter(|p| world.plan(p).is_some())
        .ok_or_else(|| VultrError::bad_request("Invalid plan."))?;
    if !world
        .plan(&plan)
        .is_some_and(|p| p.locations.contains(&region))
    {
        return Err(VultrError::bad_request(format!(
            "Plan {plan} is not available in region {region}."
        )));
    }
    let others = [&body.iso_id, &body.image_id];
    if others
        .iter()
        .any(|o| o.as_deref().is_some_and(|s| !s.is_empty()))
        || body.app_id.is_some_and(|a| a != 0)
    {
        return Err(VultrError::bad_request(
            "Only os_id and snapshot_id deploys are available here: no ISO, application or image exists.",
        ));
    }
    let snapshot_id = body.snapshot_id.as_deref().filter(|s| !s.is_empty());
    let os_id = match (body.os_id, snapshot_id) {
        (Some(_), Some(_)) => {
            return Err(VultrError::bad_request(
                "Choose one deploy source: os_id or snapshot_id, not both.",
            ));
        }
        // The instance runs the OS the snapshot was taken of.
        (None, Some(s)) => world.snapshots.deployable(s, Instant::now())?,
        (Some(os_id), None) => os_id,
        (None, None) => {
            return Err(VultrError::bad_request(
                "You must provide one of os_id, iso_id, snapshot_id, app_id or image_id.",
            ));
        }
    };
    if world.os_by_id(os_id).is_none() {
        return Err(VultrError::bad_request("Invalid os_id."));
    }
    let user_data = body
        .user_data
        .as_deref()
        .map(decode_user_data)
        .transpose()?;
    check_backups(&body.backups)?;
    let keys = body.sshkey_id.unwrap_or_default();
    for k in &keys {
        if !world.ssh_keys.iter().any(|x| &x.id == k) {
            return Err(VultrError::bad_request(format!("Invalid SSH key ID: {k}")));
        }
    }
    let mut tags = body.tags.unwrap_or_default();
    if let Some(t) = body.tag.filter(|t| !t.is_empty())
        && !tags.contains(&t)
    {
        tags.push(t);
    }
    let label = body.label.unwrap_or_default();
    let hostname = body.hostname.filter(|h| !h.is_empty()).unwrap_or_else(|| {
        if label.is_empty() {
            "vultr.guest".into()
        } else {
            label.clone()
        }
    });
    let now = Instant::now();
    let seq = world.add_instance(
        &shared,
        &label,
        &hostname,
        &region,
        &plan,
        os_id,
        &tags,
        now + shared.ip_delay,
    );
    let inst = world
        .instances
        .get_mut(&seq)
        .ok_or_else(instance_not_found)?;
    inst.user_data = user_data;
    inst.ssh_keys = keys;
    inst.enable_ipv6 = body.enable_ipv6.unwrap_or(false);
    inst.backups = body.backups.unwrap_or_else(|| "disabled".into());
    // A create answer always shows the instance as it starts: pending, without an IP.
    let json = world.instance_json(
        &world.instances[&seq],
        just_before(now + shared.ip_delay),
        true,
    );
    reply(StatusCode::ACCEPTED, json!({ "instance": json }))
}

pub async fn get_one(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> VultrResult {
    let world = lock_world(&shared);
    let seq = world.find_instance(&id).ok_or_else(instance_not_found)?;
    let json = world.instance_json(&world.instances[&seq], Instant::now(), false);
    reply(StatusCode::OK, json!({ "instance": json }))
}

/// GET `/instances/{instance-id}/user-data`: `{"user_data": {"data": "<base64>"}}`, the user
/// data the instance was created (or last updated) with; `data` is empty when it has none.
pub async fn get_user_data(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> VultrResult {
    let world = lock_world(&shared);
    let seq = world.find_instance(&id).ok_or_else(instance_not_found)?;
    let data = world.instances[&seq]
        .user_data
        .as_deref()
        .map(|d| base64::engine::general_purpose::STANDARD.encode(d))
        .unwrap_or_default();
    reply(StatusCode::OK, json!({ "user_data": { "data": data } }))
}

#[derive(Deserialize)]
struct UpdateBody {
    label: Option<String>,
    tags: Option<Vec<String>>,
    plan: Option<String>,
    /// A string in the spec; an integer is taken too.
    os_id: Option<serde_json::Value>,
    enable_ipv6: Option<bool>,
    backups: Option<String>,
    user_data: Option<String>,
    /// `""` takes the instance out of its group.
    firewall_group_id: Option<String>,
}

pub async fn update(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> VultrResult {
    let body: UpdateBody = parse_body(&body)?;
    let mut world = lock_world(&shared);
    let seq = world.find_instance(&id).ok_or_else(instance_not_found)?;
    if let Some(plan) = &body.plan {
        super::resize::check_plan(&world, seq, plan)?;
    }
    let os_id = body
        .os_id
        .as_ref()
        .map(|v| super::resize::parse_os_id(&world, v))
        .transpose()?;
    let until = super::resize::busy_until(&shared, Instant::now());
    let user_data = body
        .user_data
        .as_deref()
        .map(decode_user_data)
        .transpose()?;
    check_backups(&body.backups)?;
    if let Some(group) = &body.firewall_group_id {
        let instance_id = world.instances[&seq].id.clone();
        world.set_firewall_group(&instance_id, group)?;
    }
    let inst = world
        .instances
        .get_mut(&seq)
        .ok_or_else(instance_not_found)?;
    if let Some(v) = body.label {
        inst.label = v;
    }
    if let Some(v) = body.tags {
        inst.tags = v;
    }
    if let Some(v) = body.plan {
        if v != inst.plan {
            inst.resizing_until = Some(until);
        }
        inst.plan = v;
    }
    if let Some(v) = os_id {
        inst.os_id = v;
        inst.installing_until = Some(until);
    }
    if let Some(v) = body.enable_ipv6 {
        inst.enable_ipv6 = v;
    }
    if let Some(v) = body.backups {
        inst.backups = v;
    }
    if user_data.is_some() {
        inst.user_data = user_data;
    }
    let json = world.instance_json(&world.instances[&seq], Instant::now(), false);
    reply(StatusCode::ACCEPTED, json!({ "instance": json }))
}

pub async fn delete(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> VultrResult {
    let mut world = lock_world(&shared);
    let seq = world.find_instance(&id).ok_or_else(instance_not_found)?;
    let mut faults = lock(&shared.faults);
    if faults.take_stuck_locked_delete() {
        return Err(VultrError::bad_request(
            "Unable to destroy server: Server is currently locked",
        ));
    }
    if !faults.take_ghost_delete(EmulatedProvider::Vultr) {
        world.instances.remove(&seq);
    }
    no_content()
}

/// Sets the power state of the named instances; all must exist.
fn set_power(shared: &Shared, ids: &[String], stopped: bool) -> VultrResult {
    let mut world = lock_world(shared);
    let mut seqs = Vec::new();
    for id in ids {
        seqs.push(world.find_instance(id).ok_or_else(instance_not_found)?);
    }
    for seq in seqs {
        if let Some(i) = world.instances.get_mut(&seq) {
            i.stopped = stopped;
        }
    }
    no_content()
}

pub async fn start(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> VultrResult {
    set_power(&shared, &[id], false)
}

pub async fn halt(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> VultrResult {
    set_power(&shared, &[id], true)
}

pub async fn reboot(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> VultrResult {
    set_power(&shared, &[id], false)
}

#[derive(Deserialize)]
struct BulkBody {
    instance_ids: Option<Vec<String>>,
}

fn bulk_ids(body: &Bytes) -> Result<Vec<String>, VultrError> {
    let body: BulkBody = parse_body(body)?;
    body.instance_ids
        .filter(|ids| !ids.is_empty())
        .ok_or_else(|| VultrError::bad_request("instance_ids is required."))
}

pub async fn bulk_start(State(shared): State<Arc<Shared>>, body: Bytes) -> VultrResult {
    set_power(&shared, &bulk_ids(&body)?, false)
}

pub async fn bulk_halt(State(shared): State<Arc<Shared>>, body: Bytes) -> VultrResult {
    set_power(&shared, &bulk_ids(&body)?, true)
}

pub async fn bulk_reboot(State(shared): State<Arc<Shared>>, body: Bytes) -> VultrResult {
    set_power(&shared, &bulk_ids(&body)?, false)
}
