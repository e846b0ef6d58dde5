//! `/v2/tags` and tagging Droplets.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;

use super::{
    DoError, DoResult, base_url, lock_world, no_content, paginated_with, parse_body, query_pairs,
    reply, valid_tag_name,
};
use crate::state::Shared;

pub async fn list(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> DoResult {
    let query = query_pairs(&raw);
    let world = lock_world(&shared);
    let names: Vec<&String> = world.tags.values().collect();
    paginated_with(&shared, "/v2/tags", &query, "tags", names, |name| {
        world.tag_json(base_url(&shared), name)
    })
}

#[derive(Deserialize)]
struct CreateBody {
    name: Option<String>,
}

/// POST /v2/tags documents its 400 with `error_with_root_causes`, not the usual error body.
fn root_cause_error(message: String) -> DoResult {
    Ok((
        StatusCode::BAD_REQUEST,
        axum::Json(json!({ "error": message, "messages": null, "root_causes": [message] })),
    )
        .into_response())
}

pub async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> DoResult {
    let body: CreateBody = parse_body(&body)?;
    let Some(name) = body.name else {
        return root_cause_error("name is required".into());
    };
    if !valid_tag_name(&name) {
        return root_cause_error(format!(
            "tag name {name:?} is invalid: it must match ^[a-zA-Z0-9_\\-\\:]+$ and have at most 255 characters"
        ));
    }
    let mut world = lock_world(&shared);
    let canonical = world.ensure_tag(&name);
    reply(
        StatusCode::CREATED,
        json!({ "tag": world.tag_json(base_url(&shared), &canonical) }),
    )
}

fn canonical(shared: &Shared, name: &str) -> Result<String, DoError> {
    lock_world(shared)
        .tags
        .get(&name.to_lowercase())
        .cloned()
        .ok_or_else(DoError::not_found)
}

pub async fn get_one(State(shared): State<Arc<Shared>>, Path(name): Path<String>) -> DoResult {
    let name = canonical(&shared, &name)?;
    let world = lock_world(&shared);
    reply(
        StatusCode::OK,
        json!({ "tag": world.tag_json(base_url(&shared), &name) }),
    )
}

pub async fn delete(State(shared): State<Arc<Shared>>, Path(name): Path<String>) -> DoResult {
    let name = canonical(&shared, &name)?;
    let mut world = lock_world(&shared);
    world.tags.remove(&name.to_lowercase());
    for d in world.droplets.values_mut() {
        d.tags.retain(|t| !t.eq_ignore_ascii_case(&name));
    }
    no_content()
}

#[derive(Deserialize)]
struct Resource {
    resource_id: Option<String>,
    resource_type: Option<String>,
}

#[derive(Deserialize)]
struct ResourcesBody {
    resources: Option<Vec<Resource>>,
}

/// The Droplet ids named by a tag-resources body.
fn droplet_ids(shared: &Shared, body: &Bytes) -> Result<Vec<u64>, DoError> {
    let body: ResourcesBody = parse_body(body)?;
    let resources = body
        .resources
        .ok_or_else(|| DoError::unprocessable("resources is required"))?;
    let world = lock_world(shared);
    let mut ids = Vec::new();
    for r in resources {
        match r.resource_type.as_deref() {
            Some("droplet") => {}
            Some("image" | "volume" | "volume_snapshot") => {
                return Err(DoError::unprocessable("only Droplets can be tagged here"));
            }
            _ => {
                return Err(DoError::unprocessable(
                    "resource_type must be droplet, image, volume or volume_snapshot",
                ));
            }
        }
        let id = r
            .resource_id
            .and_then(|i| i.parse::<u64>().ok())
            .filter(|i| world.droplets.contains_key(i))
            .ok_or_else(DoError::not_found)?;
        ids.push(id);
    }
    Ok(ids)
}

pub async fn tag_resources(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    body: Bytes,
) -> DoResult {
    let name = canonical(&shared, &name)?;
    let ids = droplet_ids(&shared, &body)?;
    let mut world = lock_world(&shared);
    for id in ids {
        if let Some(d) = world.droplets.get_mut(&id)
            && !d.tags.iter().any(|t| t.eq_ignore_ascii_case(&name))
        {
            d.tags.push(name.clone());
        }
    }
    no_content()
}

pub async fn untag_resources(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    body: Bytes,
) -> DoResult {
    let name = canonical(&shared, &name)?;
    let ids = droplet_ids(&shared, &body)?;
    let mut world = lock_world(&shared);
    for id in ids {
        if let Some(d) = world.droplets.get_mut(&id) {
            d.tags.retain(|t| !t.eq_ignore_ascii_case(&name));
        }
    }
    no_content()
}
