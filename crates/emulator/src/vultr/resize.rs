//! Plan changes and reinstalls through PATCH `/instances/{instance-id}`: the spec answers 202,
//! so both run in the background. A plan change shows `status: "resizing"` until it is done
//! and refuses a plan with a smaller disk (a disk never shrinks); a reinstall (`os_id`) shows
//! `server_status: "installingbooting"`. The instance keeps its addresses through both.

use std::time::Instant;

use serde_json::Value;

use super::VultrError;
use super::world::VultrWorld;

/// Checks that instance `seq` may move to `plan`.
pub fn check_plan(world: &VultrWorld, seq: u64, plan: &str) -> Result<(), VultrError> {
    let inst = &world.instances[&seq];
    let target = world
        .plan(plan)
        .filter(|p| p.locations.contains(&inst.region))
        .ok_or_else(|| VultrError::bad_request("Invalid plan."))?;
    let current = world.plan(&inst.plan).map_or(0, |p| p.disk);
    if target.disk < current {
        return Err(VultrError::bad_request(format!(
            "Unable to change plan: plan {plan} has a smaller disk ({} GB) than the instance ({current} GB). Downgrades are not supported.",
            target.disk
        )));
    }
    Ok(())
}

/// The `os_id` of an update body: the spec types it as a string; an integer is taken too.
pub fn parse_os_id(world: &VultrWorld, v: &Value) -> Result<u32, VultrError> {
    let id = match v {
        Value::String(s) => s.trim().parse::<u32>().ok(),
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        _ => None,
    };
    id.filter(|id| world.os_by_id(*id).is_some())
        .ok_or_else(|| VultrError::bad_request("Invalid os_id."))
}

/// When the background change started at `now` ends.
pub fn busy_until(shared: &crate::state::Shared, now: Instant) -> Instant {
    now + shared.ip_delay
}

#[derive(serde::Deserialize)]
struct RestoreBody {
    backup_id: Option<String>,
    snapshot_id: Option<String>,
}

/// POST `/instances/{instance-id}/restore` (`#/paths/~1instances~1{instance-id}~1restore`): 202
/// `{status}`; the instance reinstalls the snapshot's OS in the background, keeping its
/// addresses. No backups exist here.
pub async fn restore(
    axum::extract::State(shared): axum::extract::State<std::sync::Arc<crate::state::Shared>>,
    axum::extract::Path(id): axum::extract::Path<String>,
    body: axum::body::Bytes,
) -> super::VultrResult {
    let body: RestoreBody = super::parse_body(&body)?;
    let now = Instant::now();
    let mut world = super::lock_world(&shared);
    let seq = world
        .find_instance(&id)
        .ok_or_else(|| VultrError::not_found("Invalid instance-id."))?;
    let snapshot = match (body.backup_id.filter(|b| !b.is_empty()), body.snapshot_id) {
        (Some(_), _) => return Err(VultrError::bad_request("Invalid backup_id.")),
        (None, Some(s)) if !s.is_empty() => s,
        _ => {
            return Err(VultrError::bad_request(
                "You must provide a backup_id or a snapshot_id.",
            ));
        }
    };
    let os_id = world.snapshots.deployable(&snapshot, now)?;
    let until = busy_until(&shared, now);
    let inst = world
        .instances
        .get_mut(&seq)
        .ok_or_else(|| VultrError::not_found("Invalid instance-id."))?;
    inst.os_id = os_id;
    inst.installing_until = Some(until);
    super::reply(
        axum::http::StatusCode::ACCEPTED,
        serde_json::json!({
            "status": {
                "restore_type": "snapshot_id",
                "restore_id": snapshot,
                "status": "inprogress",
            }
        }),
    )
}
