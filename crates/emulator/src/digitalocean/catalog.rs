//! `/v2/regions`, `/v2/sizes`, `/v2/images` and `/v2/account`.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{DoError, DoResult, lock_world, paginated, query_get, query_pairs, reply};
use crate::state::Shared;

pub async fn regions(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> DoResult {
    let query = query_pairs(&raw);
    let world = lock_world(&shared);
    let items = world
        .regions
        .iter()
        .map(|r| world.region_json(&r.slug))
        .collect();
    paginated(&shared, "/v2/regions", &query, "regions", items)
}

pub async fn sizes(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> DoResult {
    let query = query_pairs(&raw);
    let world = lock_world(&shared);
    let items = world
        .sizes
        .iter()
        .map(|s| world.size_json(&s.slug))
        .collect();
    paginated(&shared, "/v2/sizes", &query, "sizes", items)
}

/// Every emulated image is a public distribution image: `type=distribution` lists them all,
/// `type=application` and `private=true` list none.
pub async fn images(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> DoResult {
    let query = query_pairs(&raw);
    let include = match query_get(&query, "type") {
        None | Some("distribution") => true,
        Some("application") => false,
        Some(other) => {
            return Err(DoError::bad_request(format!(
                "type {other:?} must be distribution or application"
            )));
        }
    } && query_get(&query, "private") != Some("true");
    let world = lock_world(&shared);
    let items: Vec<Value> = if include {
        world.images.iter().map(|i| world.image_json(i)).collect()
    } else {
        Vec::new()
    };
    paginated(&shared, "/v2/images", &query, "images", items)
}

pub async fn account(State(shared): State<Arc<Shared>>) -> DoResult {
    let world = lock_world(&shared);
    let a = &world.account;
    reply(
        StatusCode::OK,
        json!({
            "account": {
                "droplet_limit": a.droplet_limit,
                "floating_ip_limit": 3,
                "email": a.email,
                "name": a.name,
                "uuid": world.account_uuid,
                "email_verified": true,
                "status": "active",
                "status_message": "",
                "team": { "uuid": "5df3e3004a17e242b7c20ca6c9fc25b701a47ece", "name": a.team_name },
            }
        }),
    )
}
