//! `/v2/droplets`, Droplet actions and `/v2/actions`.

use std::sync::{Arc, LazyLock};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use regex::Regex;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    DoError, DoResult, base_url, lock_world, no_content, paginated, paginated_with, parse_body,
    query_get, query_pairs, reply, valid_tag_name,
};
use crate::clock::just_before;
use crate::registry::EmulatedProvider;
use crate::state::{Shared, lock};

/// `#/components/schemas/droplet_single_create/properties/name`.
static NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-zA-Z0-9]?[a-z0-9A-Z.\-]*[a-z0-9A-Z]$").expect("valid regex"));

const USER_DATA_MAX: usize = 64 * 1024;

fn droplet_id(raw: &str) -> Result<u64, DoError> {
    raw.parse().map_err(|_| DoError::not_found())
}

pub async fn list(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> DoResult {
    let query = query_pairs(&raw);
    let tag = query_get(&query, "tag_name");
    let name = query_get(&query, "name");
    let kind = query_get(&query, "type");
    if tag.is_some() && (name.is_some() || kind.is_some()) {
        return Err(DoError::bad_request(
            "tag_name cannot be combined with name or type",
        ));
    }
    if let Some(k) = kind
        && k != "droplets"
        && k != "gpus"
    {
        return Err(DoError::bad_request("type must be droplets or gpus"));
    }
    let now = Instant::now();
    let world = lock_world(&shared);
    let matching: Vec<_> = world
        .droplets
        .values()
        .filter(|d| tag.is_none_or(|t| d.tags.iter().any(|x| x.eq_ignore_ascii_case(t))))
        .filter(|d| name.is_none_or(|n| d.name.eq_ignore_ascii_case(n)))
        // No emulated Droplet has a GPU.
        .filter(|_| kind != Some("gpus"))
        .collect();
    paginated_with(&shared, "/v2/droplets", &query, "droplets", matching, |d| {
        world.droplet_json(d, now)
    })
}

#[derive(Deserialize)]
struct CreateBody {
    name: Option<String>,
    names: Option<Vec<String>>,
    region: Option<String>,
    size: Option<String>,
    image: Option<Value>,
    #[serde(default)]
    ssh_keys: Vec<Value>,
    #[serde(default)]
    tags: Vec<String>,
    user_data: Option<String>,
}

pub async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> DoResult {
    let body: CreateBody = parse_body(&body)?;
    let (names, multi) = match (body.name, body.names) {
        (Some(n), None) => (vec![n], false),
        (None, Some(ns)) if !ns.is_empty() && ns.len() <= 10 => (ns, true),
        (None, Some(_)) => {
            return Err(DoError::unprocessable(
                "names must list between 1 and 10 names",
            ));
        }
        (Some(_), Some(_)) => {
            return Err(DoError::unprocessable("name and names cannot be combined"));
        }
        (None, None) => return Err(DoError::unprocessable("name is required")),
    };
    for n in &names {
        if n.len() > 255 || !NAME.is_match(n) {
            return Err(DoError::unprocessable(format!(
                "Name {n:?} is invalid: only letters, digits, '.' and '-' are allowed, and it must end with a letter or digit"
            )));
        }
    }
    let size = body
        .size
        .ok_or_else(|| DoError::unprocessable("size is required"))?;
    let image = body
        .image
        .ok_or_else(|| DoError::unprocessable("image is required"))?;
    if let Some(ud) = &body.user_data
        && ud.len() > USER_DATA_MAX
    {
        return Err(DoError::unprocessable("user_data must be at most 64 KiB"));
    }
    for t in &body.tags {
        if !valid_tag_name(t) {
            return Err(DoError::unprocessable(format!(
                "Tag name {t:?} is invalid: it must match ^[a-zA-Z0-9_\\-\\:]+$ and have at most 255 characters"
            )));
        }
    }

    let now = Instant::now();
    let mut world = lock_world(&shared);
    if world.size(&size).is_none() {
        return Err(DoError::unprocessable(format!(
            "You specified an invalid size for Droplet creation: {size}"
        )));
    }
    // A number that is no catalog image may be one of the account's snapshots.
    let snapshot = match &image {
        Value::Number(n) => n
            .as_u64()
            .filter(|id| world.image_by_id(*id).is_none())
            .filter(|id| world.snapshots.get(*id, now).is_some()),
        _ => None,
    };
    let image_id = match &image {
        Value::String(slug) => world.image_by_slug(slug).map(|i| i.id),
        Value::Number(n) => n
            .as_u64()
            .and_then(|id| world.image_by_id(id))
            .map(|i| i.id)
            .or(snapshot),
        _ => None,
    }
    .ok_or_else(|| {
        DoError::unprocessable(format!(
            "You specified an invalid image for Droplet creation: {image}"
        ))
    })?;
    let offers = |r: &str| {
        world.region(r).is_some_and(|x| x.available)
            && world
                .size(&size)
                .is_some_and(|s| s.regions.iter().any(|x| x == r))
    };
    let region = match body.region.as_deref() {
        Some(slug) if world.region(slug).is_some() => {
            if !offers(slug) {
                return Err(DoError::unprocessable(format!(
                    "Size {size} is not available in region {slug}"
                )));
            }
            slug.to_owned()
        }
        Some(prefix) => world
            .regions
            .iter()
            .map(|r| r.slug.clone())
            .find(|r| r.starts_with(prefix) && !prefix.is_empty() && offers(r))
            .ok_or_else(|| {
                DoError::unprocessable(format!(
                    "You specified an invalid region for Droplet creation: {prefix}"
                ))
            })?,
        None => world
            .regions
            .iter()
            .map(|r| r.slug.clone())
            .find(|r| offers(r))
            .ok_or_else(|| {
                DoError::unprocessable(format!("Size {size} is not available in any region"))
            })?,
    };
    if let Some(s) = snapshot {
        world.check_snapshot_for(s, &region, &size, now)?;
    }
    let mut key_ids = Vec::new();
    for k in &body.ssh_keys {
        let ident = match k {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            other => return Err(DoError::unprocessable(format!("invalid SSH key {other}"))),
        };
        let id = world
            .find_ssh_key(&ident)
            .ok_or_else(|| DoError::unprocessable(format!("SSH key {ident} could not be found")))?;
        key_ids.push(id);
    }

    let ready_at = now + shared.ip_delay;
    let mut droplets = Vec::new();
    let mut actions = Vec::new();
    for n in &names {
        let id = world.add_droplet(&shared, n, &region, &size, image_id, &body.tags, ready_at);
        if let Some(d) = world.droplets.get_mut(&id) {
            d.user_data = body.user_data.clone();
            d.ssh_keys = key_ids.clone();
        }
        let action = world.add_action(id, "create", shared.ip_delay);
        // A create answer always shows the Droplet as it starts: new, without networks.
        droplets.push(world.droplet_json(&world.droplets[&id], just_before(ready_at)));
        actions.push(json!({
            "id": action,
            "rel": "create",
            "href": format!("{}/v2/actions/{action}", base_url(&shared)),
        }));
    }
    let body = if multi {
        json!({ "droplets": droplets, "links": { "actions": actions } })
    } else {
        json!({ "droplet": droplets[0], "links": { "actions": actions } })
    };
    reply(StatusCode::ACCEPTED, body)
}

pub async fn get_one(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> DoResult {
    let id = droplet_id(&id)?;
    let world = lock_world(&shared);
    let d = world.droplets.get(&id).ok_or_else(DoError::not_found)?;
    reply(
        StatusCode::OK,
        json!({ "droplet": world.droplet_json(d, Instant::now()) }),
    )
}

pub async fn delete_one(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> DoResult {
    let id = droplet_id(&id)?;
    let mut world = lock_world(&shared);
    if !world.droplets.contains_key(&id) {
        return Err(DoError::not_found());
    }
    if !lock(&shared.faults).take_ghost_delete(EmulatedProvider::DigitalOcean) {
        world.remove_droplet(id);
    }
    no_content()
}

pub async fn delete_by_tag(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> DoResult {
    let query = query_pairs(&raw);
    let tag = query_get(&query, "tag_name")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| DoError::unprocessable("tag_name is required to delete Droplets by tag"))?;
    let mut world = lock_world(&shared);
    if lock(&shared.faults).take_ghost_delete(EmulatedProvider::DigitalOcean) {
        return no_content();
    }
    let doomed: Vec<u64> = world
        .droplets
        .values()
        .filter(|d| d.tags.iter().any(|t| t.eq_ignore_ascii_case(tag)))
        .map(|d| d.id)
        .collect();
    for id in doomed {
        world.remove_droplet(id);
    }
    no_content()
}

#[derive(Deserialize)]
struct ActionBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    /// `droplet_action_rename`: the new name.
    name: Option<String>,
    /// `droplet_action_resize`: the size slug, and whether the disk grows too.
    size: Option<String>,
    disk: Option<bool>,
    /// `droplet_action_rebuild`: a slug or an image id.
    image: Option<Value>,
}

pub async fn post_action(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> DoResult {
    let id = droplet_id(&id)?;
    let body: ActionBody = parse_body(&body)?;
    let mut world = lock_world(&shared);
    if !world.droplets.contains_key(&id) {
        return Err(DoError::not_found());
    }
    let kind = body
        .kind
        .ok_or_else(|| DoError::unprocessable("type is required"))?;
    let droplet = world.droplets.get_mut(&id).ok_or_else(DoError::not_found)?;
    match kind.as_str() {
        "power_on" | "reboot" | "power_cycle" => droplet.off = false,
        "power_off" | "shutdown" => droplet.off = true,
        "rename" => {
            let name = body
                .name
                .ok_or_else(|| DoError::unprocessable("name is required to rename a Droplet"))?;
            if name.len() > 255 || !NAME.is_match(&name) {
                return Err(DoError::unprocessable(format!(
                    "Name {name:?} is invalid: only letters, digits, '.' and '-' are allowed, and it must end with a letter or digit"
                )));
            }
            droplet.name = name;
        }
        "resize" => super::resize::resize(&mut world, id, body.size.as_deref(), body.disk)?,
        "rebuild" => super::resize::rebuild(&mut world, id, body.image.as_ref())?,
        "snapshot" => {
            let ready_at = Instant::now() + shared.ip_delay;
            super::snapshots::take(&mut world, id, body.name, ready_at)?;
        }
        other => {
            return Err(DoError::unprocessable(format!(
                "Action type {other:?} is not supported here; use power_on, power_off, shutdown, reboot, power_cycle, rename, resize, rebuild or snapshot"
            )));
        }
    }
    let action = world.add_action(id, &kind, shared.ip_delay);
    let json = world.action_json(&world.actions[&action], Instant::now());
    reply(StatusCode::CREATED, json!({ "action": json }))
}

pub async fn list_actions(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> DoResult {
    let id = droplet_id(&id)?;
    let query = query_pairs(&raw);
    let world = lock_world(&shared);
    if !world.droplets.contains_key(&id) {
        return Err(DoError::not_found());
    }
    let now = Instant::now();
    let items = world
        .actions
        .values()
        .filter(|a| a.droplet_id == id)
        .map(|a| world.action_json(a, now))
        .collect();
    paginated(
        &shared,
        &format!("/v2/droplets/{id}/actions"),
        &query,
        "actions",
        items,
    )
}

pub async fn get_droplet_action(
    State(shared): State<Arc<Shared>>,
    Path((id, action)): Path<(String, String)>,
) -> DoResult {
    let id = droplet_id(&id)?;
    let action: u64 = action.parse().map_err(|_| DoError::not_found())?;
    let world = lock_world(&shared);
    let a = world
        .actions
        .get(&action)
        .filter(|a| a.droplet_id == id)
        .ok_or_else(DoError::not_found)?;
    reply(
        StatusCode::OK,
        json!({ "action": world.action_json(a, Instant::now()) }),
    )
}

pub async fn get_action(State(shared): State<Arc<Shared>>, Path(action): Path<String>) -> DoResult {
    let action: u64 = action.parse().map_err(|_| DoError::not_found())?;
    let world = lock_world(&shared);
    let a = world.actions.get(&action).ok_or_else(DoError::not_found)?;
    reply(
        StatusCode::OK,
        json!({ "action": world.action_json(a, Instant::now()) }),
    )
}
