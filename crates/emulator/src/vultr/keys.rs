//! `/ssh-keys`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;

use super::world::VultrWorld;
use super::{
    VultrError, VultrResult, lock_world, no_content, paginated, parse_body, query_pairs, reply,
};
use crate::state::Shared;
use crate::validate::plausible_public_key;

fn key_not_found() -> VultrError {
    VultrError::not_found("Invalid ssh-key-id.")
}

pub async fn list(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> VultrResult {
    let query = query_pairs(&raw);
    let world = lock_world(&shared);
    let items = world
        .ssh_keys
        .iter()
        .map(VultrWorld::ssh_key_json)
        .collect();
    paginated(&query, "ssh_keys", items)
}

#[derive(Deserialize)]
struct KeyBody {
    name: Option<String>,
    ssh_key: Option<String>,
}

pub async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> VultrResult {
    let body: KeyBody = parse_body(&body)?;
    let name = body
        .name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| VultrError::bad_request("Missing name."))?;
    let key = body
        .ssh_key
        .ok_or_else(|| VultrError::bad_request("Missing ssh_key."))?;
    if !plausible_public_key(&key) {
        return Err(VultrError::bad_request("Invalid SSH key."));
    }
    let mut world = lock_world(&shared);
    let id = world.add_ssh_key(&name, &key);
    let k = world
        .ssh_keys
        .iter()
        .find(|k| k.id == id)
        .ok_or_else(key_not_found)?;
    reply(
        StatusCode::CREATED,
        json!({ "ssh_key": VultrWorld::ssh_key_json(k) }),
    )
}

pub async fn get_one(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> VultrResult {
    let world = lock_world(&shared);
    let k = world
        .ssh_keys
        .iter()
        .find(|k| k.id == id)
        .ok_or_else(key_not_found)?;
    reply(
        StatusCode::OK,
        json!({ "ssh_key": VultrWorld::ssh_key_json(k) }),
    )
}

pub async fn update(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> VultrResult {
    let body: KeyBody = parse_body(&body)?;
    if let Some(key) = &body.ssh_key
        && !plausible_public_key(key)
    {
        return Err(VultrError::bad_request("Invalid SSH key."));
    }
    let mut world = lock_world(&shared);
    let k = world
        .ssh_keys
        .iter_mut()
        .find(|k| k.id == id)
        .ok_or_else(key_not_found)?;
    if let Some(name) = body.name {
        k.name = name;
    }
    if let Some(key) = body.ssh_key {
        k.ssh_key = key.trim().to_owned();
    }
    no_content()
}

pub async fn delete(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> VultrResult {
    let mut world = lock_world(&shared);
    let before = world.ssh_keys.len();
    world.ssh_keys.retain(|k| k.id != id);
    if world.ssh_keys.len() == before {
        return Err(key_not_found());
    }
    no_content()
}
