//! `/regions`, `/regions/{region-id}/availability`, `/plans`, `/os` and `/account`.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{VultrError, VultrResult, lock_world, paginated, query_get, query_pairs, reply};
use crate::clock::{rfc3339_offset, unix_now};
use crate::state::Shared;

pub async fn regions(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> VultrResult {
    let query = query_pairs(&raw);
    let world = lock_world(&shared);
    let items = world
        .regions
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "city": r.city,
                "country": r.country,
                "continent": r.continent,
                "options": ["ddos_protection", "block_storage_storage_opt", "kubernetes", "load_balancers"],
            })
        })
        .collect();
    paginated(&query, "regions", items)
}

/// Whether a plan matches the `type` filter (`all` or absent matches every plan).
fn type_matches(filter: Option<&str>, kind: &str) -> bool {
    filter.is_none_or(|f| f.is_empty() || f == "all" || f == kind)
}

pub async fn availability(
    State(shared): State<Arc<Shared>>,
    Path(region): Path<String>,
    RawQuery(raw): RawQuery,
) -> VultrResult {
    let query = query_pairs(&raw);
    let kind = query_get(&query, "type");
    let world = lock_world(&shared);
    if world.region(&region).is_none() {
        return Err(VultrError::not_found("Invalid region-id."));
    }
    let plans: Vec<&str> = world
        .plans
        .iter()
        .filter(|p| p.locations.contains(&region) && type_matches(kind, &p.kind))
        .map(|p| p.id.as_str())
        .collect();
    reply(StatusCode::OK, json!({ "available_plans": plans }))
}

pub async fn plans(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> VultrResult {
    let query = query_pairs(&raw);
    let kind = query_get(&query, "type");
    let world = lock_world(&shared);
    let items: Vec<Value> = world
        .plans
        .iter()
        .filter(|p| type_matches(kind, &p.kind))
        .map(|p| {
            json!({
                "id": p.id,
                "vcpu_count": p.vcpu_count,
                "ram": p.ram,
                "disk": p.disk,
                "disk_count": p.disk_count,
                "bandwidth": p.bandwidth,
                "monthly_cost": p.monthly_cost,
                "type": p.kind,
                "locations": p.locations,
            })
        })
        .collect();
    paginated(&query, "plans", items)
}

pub async fn os(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> VultrResult {
    let query = query_pairs(&raw);
    let world = lock_world(&shared);
    let items = world
        .os
        .iter()
        .map(|o| json!({ "id": o.id, "name": o.name, "arch": o.arch, "family": o.family }))
        .collect();
    paginated(&query, "os", items)
}

pub async fn account(State(shared): State<Arc<Shared>>) -> VultrResult {
    let world = lock_world(&shared);
    let a = &world.account;
    reply(
        StatusCode::OK,
        json!({
            "account": {
                "name": a.name,
                "email": a.email,
                "acls": ["manage_users", "subscriptions_view", "subscriptions", "billing", "support", "provisioning", "dns", "abuse", "upgrade", "firewall", "alerts", "objstore", "loadbalancer"],
                "balance": a.balance,
                "pending_charges": a.pending_charges,
                "last_payment_date": rfc3339_offset(unix_now().saturating_sub(86_400 * 20)),
                "last_payment_amount": -10.0,
            }
        }),
    )
}
