//! `/v2/projects`: listing, the default project, and assigning resources.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::world::DoWorld;
use super::{DoError, DoResult, base_url, lock_world, paginated, parse_body, query_pairs, reply};
use crate::clock::{rfc3339_z, unix_now};
use crate::state::Shared;

/// The URN rule of `#/components/schemas/urn`.
const URN_KINDS: [&str; 9] = [
    "dbaas",
    "domain",
    "droplet",
    "floatingip",
    "loadbalancer",
    "space",
    "volume",
    "kubernetes",
    "vpc",
];

pub async fn list(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> DoResult {
    let query = query_pairs(&raw);
    let world = lock_world(&shared);
    let items = world
        .projects
        .iter()
        .map(|p| world.project_json(p))
        .collect();
    paginated(&shared, "/v2/projects", &query, "projects", items)
}

/// The index of a project by id, or of the default project for `default`.
fn find(world: &DoWorld, id: &str) -> Result<usize, DoError> {
    world
        .projects
        .iter()
        .position(|p| {
            if id == "default" {
                p.is_default
            } else {
                p.id == id
            }
        })
        .ok_or_else(DoError::not_found)
}

pub async fn get_one(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> DoResult {
    let world = lock_world(&shared);
    let i = find(&world, &id)?;
    reply(
        StatusCode::OK,
        json!({ "project": world.project_json(&world.projects[i]) }),
    )
}

#[derive(Deserialize)]
struct Assignment {
    resources: Option<Vec<String>>,
}

pub async fn assign(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> DoResult {
    let body: Assignment = parse_body(&body)?;
    let urns = body
        .resources
        .ok_or_else(|| DoError::unprocessable("resources is required"))?;
    let mut world = lock_world(&shared);
    let project_id = world.projects[find(&world, &id)?].id.clone();
    for urn in &urns {
        let valid = urn
            .strip_prefix("do:")
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(kind, _)| URN_KINDS.contains(&kind));
        if !valid {
            return Err(DoError::bad_request(format!(
                "{urn:?} is not a valid resource URN (do:<kind>:<id>)"
            )));
        }
    }
    let now = rfc3339_z(unix_now());
    let mut out = Vec::new();
    for urn in urns {
        let (kind, ident) = urn[3..].split_once(':').unwrap_or(("", ""));
        let (exists, self_link) = match kind {
            "droplet" => (
                ident
                    .parse::<u64>()
                    .is_ok_and(|i| world.droplets.contains_key(&i)),
                format!("{}/v2/droplets/{ident}", base_url(&shared)),
            ),
            "domain" => (
                world.domains.contains_key(&ident.to_lowercase()),
                format!("{}/v2/domains/{ident}", base_url(&shared)),
            ),
            _ => (false, String::new()),
        };
        let status = if !exists {
            "not_found"
        } else if world.assignments.get(&urn) == Some(&project_id) {
            "already_assigned"
        } else {
            world.assignments.insert(urn.clone(), project_id.clone());
            "ok"
        };
        let mut entry = json!({ "urn": urn, "assigned_at": now, "status": status });
        if !self_link.is_empty() {
            entry["links"] = json!({ "self": self_link });
        }
        out.push(entry);
    }
    reply(StatusCode::OK, json!({ "resources": out }))
}

pub async fn list_resources(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> DoResult {
    let query = query_pairs(&raw);
    let world = lock_world(&shared);
    let project_id = world.projects[find(&world, &id)?].id.clone();
    let items: Vec<Value> = world
        .assignments
        .iter()
        .filter(|(_, p)| **p == project_id)
        .map(|(urn, _)| json!({ "urn": urn, "status": "ok" }))
        .collect();
    paginated(
        &shared,
        &format!("/v2/projects/{id}/resources"),
        &query,
        "resources",
        items,
    )
}
