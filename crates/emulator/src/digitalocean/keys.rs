//! `/v2/account/keys`: SSH keys, addressed by numeric id or fingerprint.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;

use super::world::DoWorld;
use super::{DoError, DoResult, lock_world, no_content, paginated, parse_body, query_pairs, reply};
use crate::ids::ssh_fingerprint;
use crate::state::Shared;
use crate::validate::plausible_public_key;

pub async fn list(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> DoResult {
    let query = query_pairs(&raw);
    let world = lock_world(&shared);
    let items = world.ssh_keys.values().map(DoWorld::ssh_key_json).collect();
    paginated(&shared, "/v2/account/keys", &query, "ssh_keys", items)
}

#[derive(Deserialize)]
struct CreateBody {
    name: Option<String>,
    public_key: Option<String>,
}

pub async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> DoResult {
    let body: CreateBody = parse_body(&body)?;
    let name = body
        .name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| DoError::unprocessable("name is required"))?;
    let key = body
        .public_key
        .ok_or_else(|| DoError::unprocessable("public_key is required"))?;
    if !plausible_public_key(&key) {
        return Err(DoError::unprocessable(
            "Key invalid type, we support 'ssh-rsa', 'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'",
        ));
    }
    let mut world = lock_world(&shared);
    let fingerprint = ssh_fingerprint(&key);
    if world
        .ssh_keys
        .values()
        .any(|k| k.fingerprint == fingerprint)
    {
        return Err(DoError::unprocessable(
            "SSH Key is already in use on your account",
        ));
    }
    let id = world.add_ssh_key(&name, &key);
    reply(
        StatusCode::CREATED,
        json!({ "ssh_key": DoWorld::ssh_key_json(&world.ssh_keys[&id]) }),
    )
}

pub async fn get_one(State(shared): State<Arc<Shared>>, Path(ident): Path<String>) -> DoResult {
    let world = lock_world(&shared);
    let id = world.find_ssh_key(&ident).ok_or_else(DoError::not_found)?;
    reply(
        StatusCode::OK,
        json!({ "ssh_key": DoWorld::ssh_key_json(&world.ssh_keys[&id]) }),
    )
}

#[derive(Deserialize)]
struct UpdateBody {
    name: Option<String>,
}

pub async fn update(
    State(shared): State<Arc<Shared>>,
    Path(ident): Path<String>,
    body: Bytes,
) -> DoResult {
    let body: UpdateBody = parse_body(&body)?;
    let mut world = lock_world(&shared);
    let id = world.find_ssh_key(&ident).ok_or_else(DoError::not_found)?;
    let key = world.ssh_keys.get_mut(&id).ok_or_else(DoError::not_found)?;
    if let Some(name) = body.name {
        if name.trim().is_empty() {
            return Err(DoError::unprocessable("name cannot be blank"));
        }
        key.name = name;
    }
    reply(
        StatusCode::OK,
        json!({ "ssh_key": DoWorld::ssh_key_json(key) }),
    )
}

pub async fn delete(State(shared): State<Arc<Shared>>, Path(ident): Path<String>) -> DoResult {
    let mut world = lock_world(&shared);
    let id = world.find_ssh_key(&ident).ok_or_else(DoError::not_found)?;
    world.ssh_keys.remove(&id);
    no_content()
}
