//! `/profile/sshkeys` (`#/components/schemas/SSHKey`): list, create, get, rename, delete.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use serde::Deserialize;

use super::world::LinodeWorld;
use super::{LinodeError, LinodeResult, empty, lock_world, ok, paginated, parse_body, path_id};
use crate::state::Shared;
use crate::validate::plausible_public_key;

/// The key types `#/components/schemas/SSHKey/properties/ssh_key` names.
const KEY_TYPES: [&str; 5] = [
    "ssh-dss",
    "ssh-rsa",
    "ecdsa-sha2-nistp",
    "ssh-ed25519",
    "sk-ecdsa-sha2-nistp256",
];

pub async fn list(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> LinodeResult {
    let world = lock_world(&shared);
    let items = world
        .ssh_keys
        .iter()
        .map(LinodeWorld::ssh_key_json)
        .collect();
    paginated(&raw, &headers, &["id", "label"], items)
}

#[derive(Deserialize)]
struct KeyBody {
    label: Option<String>,
    ssh_key: Option<String>,
}

fn check_label(label: &str) -> Result<(), LinodeError> {
    if label.chars().count() > 64 {
        return Err(LinodeError::field(
            "label",
            "Length must be 64 characters or fewer",
        ));
    }
    Ok(())
}

pub async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> LinodeResult {
    let body: KeyBody = parse_body(&body)?;
    let key = body
        .ssh_key
        .ok_or_else(|| LinodeError::field("ssh_key", "ssh_key is required"))?;
    let kind = key.split_whitespace().next().unwrap_or("");
    if !plausible_public_key(&key) || !KEY_TYPES.iter().any(|t| kind.starts_with(t)) {
        return Err(LinodeError::field(
            "ssh_key",
            "SSH Key key-type must be ssh-dss, ssh-rsa, ecdsa-sha2-nistp, ssh-ed25519, or sk-ecdsa-sha2-nistp256.",
        ));
    }
    let label = body.label.unwrap_or_default();
    check_label(&label)?;
    let mut world = lock_world(&shared);
    let id = world.add_ssh_key(&label, &key);
    let k = world
        .ssh_keys
        .iter()
        .find(|k| k.id == id)
        .ok_or_else(LinodeError::not_found)?;
    ok(LinodeWorld::ssh_key_json(k))
}

pub async fn get_one(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> LinodeResult {
    let id = path_id(&id)?;
    let world = lock_world(&shared);
    let k = world
        .ssh_keys
        .iter()
        .find(|k| k.id == id)
        .ok_or_else(LinodeError::not_found)?;
    ok(LinodeWorld::ssh_key_json(k))
}

/// PUT changes only `label` (`#/paths/~1profile~1sshkeys~1{sshKeyId}/put`); answers the key.
pub async fn update(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> LinodeResult {
    let id = path_id(&id)?;
    let body: KeyBody = parse_body(&body)?;
    if let Some(label) = &body.label {
        check_label(label)?;
    }
    let mut world = lock_world(&shared);
    let k = world
        .ssh_keys
        .iter_mut()
        .find(|k| k.id == id)
        .ok_or_else(LinodeError::not_found)?;
    if let Some(label) = body.label {
        k.label = label;
    }
    ok(LinodeWorld::ssh_key_json(k))
}

pub async fn delete(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> LinodeResult {
    let id = path_id(&id)?;
    let mut world = lock_world(&shared);
    let before = world.ssh_keys.len();
    world.ssh_keys.retain(|k| k.id != id);
    if world.ssh_keys.len() == before {
        return Err(LinodeError::not_found());
    }
    empty()
}
