//! `/domains` and their records. Vultr hosts second-level zones only.

use std::net::{Ipv4Addr, Ipv6Addr};
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
use crate::validate::valid_zone_name;

const RECORD_TYPES: [&str; 9] = [
    "A", "AAAA", "CNAME", "NS", "MX", "SRV", "TXT", "CAA", "SSHFP",
];

fn domain_not_found() -> VultrError {
    VultrError::not_found("Invalid domain.")
}

fn record_not_found() -> VultrError {
    VultrError::not_found("Invalid record-id.")
}

pub async fn list_domains(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
) -> VultrResult {
    let query = query_pairs(&raw);
    let world = lock_world(&shared);
    let items = world.domains.iter().map(VultrWorld::domain_json).collect();
    paginated(&query, "domains", items)
}

#[derive(Deserialize)]
struct CreateDomain {
    domain: Option<String>,
    ip: Option<String>,
    dns_sec: Option<String>,
}

fn check_dns_sec(v: &Option<String>) -> Result<(), VultrError> {
    match v.as_deref() {
        None | Some("enabled") | Some("disabled") => Ok(()),
        Some(_) => Err(VultrError::bad_request(
            "Invalid dns_sec: use enabled or disabled.",
        )),
    }
}

pub async fn create_domain(State(shared): State<Arc<Shared>>, body: Bytes) -> VultrResult {
    let body: CreateDomain = parse_body(&body)?;
    let name = body
        .domain
        .map(|d| d.trim_end_matches('.').to_lowercase())
        .ok_or_else(|| VultrError::bad_request("Missing domain."))?;
    if !valid_zone_name(&name) {
        return Err(VultrError::bad_request("Invalid domain."));
    }
    if name.split('.').count() > 2 {
        return Err(VultrError::bad_request(
            "Unable to create domain: only second-level domains (example.com) can be hosted.",
        ));
    }
    if let Some(ip) = &body.ip
        && ip.parse::<Ipv4Addr>().is_err()
        && ip.parse::<Ipv6Addr>().is_err()
    {
        return Err(VultrError::bad_request("Invalid IP address."));
    }
    check_dns_sec(&body.dns_sec)?;
    let mut world = lock_world(&shared);
    if world.domains.iter().any(|d| d.name == name) {
        return Err(VultrError::bad_request(
            "Unable to create domain: Domain already exists.",
        ));
    }
    let dns_sec = body.dns_sec.unwrap_or_else(|| "disabled".into());
    world.add_domain(&name, body.ip.as_deref(), &dns_sec);
    let d = world
        .domains
        .iter()
        .find(|d| d.name == name)
        .ok_or_else(domain_not_found)?;
    reply(
        StatusCode::OK,
        json!({ "domain": VultrWorld::domain_json(d) }),
    )
}

pub async fn get_domain(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
) -> VultrResult {
    let world = lock_world(&shared);
    let d = world
        .domains
        .iter()
        .find(|d| d.name == name)
        .ok_or_else(domain_not_found)?;
    reply(
        StatusCode::OK,
        json!({ "domain": VultrWorld::domain_json(d) }),
    )
}

#[derive(Deserialize)]
struct UpdateDomain {
    dns_sec: Option<String>,
}

pub async fn update_domain(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    body: Bytes,
) -> VultrResult {
    let body: UpdateDomain = parse_body(&body)?;
    if body.dns_sec.is_none() {
        return Err(VultrError::bad_request("Missing dns_sec."));
    }
    check_dns_sec(&body.dns_sec)?;
    let mut world = lock_world(&shared);
    let d = world
        .domains
        .iter_mut()
        .find(|d| d.name == name)
        .ok_or_else(domain_not_found)?;
    if let Some(v) = body.dns_sec {
        d.dns_sec = v;
    }
    no_content()
}

pub async fn delete_domain(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
) -> VultrResult {
    let mut world = lock_world(&shared);
    let before = world.domains.len();
    world.domains.retain(|d| d.name != name);
    if world.domains.len() == before {
        return Err(domain_not_found());
    }
    no_content()
}

pub async fn list_records(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> VultrResult {
    let query = query_pairs(&raw);
    let world = lock_world(&shared);
    let d = world
        .domains
        .iter()
        .find(|d| d.name == name)
        .ok_or_else(domain_not_found)?;
    let items = d.records.iter().map(VultrWorld::record_json).collect();
    paginated(&query, "records", items)
}

#[derive(Deserialize)]
struct RecordBody {
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    data: Option<String>,
    ttl: Option<u32>,
    priority: Option<u32>,
}

/// Vultr keeps a record's extra fields in `data`: SRV is `weight port target`, CAA is
/// `flags tag "value"` (the priority of MX and SRV is its own field).
fn check_data(kind: &str, data: &str) -> Result<(), VultrError> {
    let ok = match kind {
        "A" => data.parse::<Ipv4Addr>().is_ok(),
        "AAAA" => data.parse::<Ipv6Addr>().is_ok(),
        "SRV" => matches!(
            data.split_whitespace().collect::<Vec<_>>()[..],
            [weight, port, target]
                if weight.parse::<u16>().is_ok() && port.parse::<u16>().is_ok() && !target.is_empty()
        ),
        "CAA" => {
            let mut parts = data.splitn(3, ' ');
            matches!(
                (parts.next(), parts.next(), parts.next()),
                (Some(flags), Some("issue" | "issuewild" | "iodef"), Some(value))
                    if flags.parse::<u8>().is_ok()
                        && value.len() >= 2
                        && value.starts_with('"')
                        && value.ends_with('"')
            )
        }
        _ => !data.is_empty(),
    };
    if ok {
        Ok(())
    } else {
        Err(VultrError::bad_request(format!(
            "Invalid data for a {kind} record."
        )))
    }
}

pub async fn create_record(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    body: Bytes,
) -> VultrResult {
    let body: RecordBody = parse_body(&body)?;
    let kind = body
        .kind
        .map(|k| k.to_uppercase())
        .filter(|k| RECORD_TYPES.contains(&k.as_str()))
        .ok_or_else(|| VultrError::bad_request("Invalid record type."))?;
    let rname = body
        .name
        .ok_or_else(|| VultrError::bad_request("Missing name."))?;
    let data = body
        .data
        .ok_or_else(|| VultrError::bad_request("Missing data."))?;
    check_data(&kind, &data)?;
    if matches!(kind.as_str(), "MX" | "SRV") && body.priority.is_none() {
        return Err(VultrError::bad_request(format!(
            "priority is required for a {kind} record."
        )));
    }
    let mut world = lock_world(&shared);
    let id = world
        .add_record(
            &name,
            &kind,
            &rname,
            &data,
            body.ttl.unwrap_or(300),
            body.priority.unwrap_or(0),
        )
        .ok_or_else(domain_not_found)?;
    let d = world
        .domains
        .iter()
        .find(|d| d.name == name)
        .ok_or_else(domain_not_found)?;
    let r = d
        .records
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(record_not_found)?;
    reply(
        StatusCode::CREATED,
        json!({ "record": VultrWorld::record_json(r) }),
    )
}

pub async fn get_record(
    State(shared): State<Arc<Shared>>,
    Path((name, id)): Path<(String, String)>,
) -> VultrResult {
    let world = lock_world(&shared);
    let d = world
        .domains
        .iter()
        .find(|d| d.name == name)
        .ok_or_else(domain_not_found)?;
    let r = d
        .records
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(record_not_found)?;
    reply(
        StatusCode::OK,
        json!({ "record": VultrWorld::record_json(r) }),
    )
}

pub async fn update_record(
    State(shared): State<Arc<Shared>>,
    Path((name, id)): Path<(String, String)>,
    body: Bytes,
) -> VultrResult {
    let body: RecordBody = parse_body(&body)?;
    let mut world = lock_world(&shared);
    let d = world
        .domains
        .iter_mut()
        .find(|d| d.name == name)
        .ok_or_else(domain_not_found)?;
    let r = d
        .records
        .iter_mut()
        .find(|r| r.id == id)
        .ok_or_else(record_not_found)?;
    if let Some(data) = &body.data {
        check_data(&r.kind, data)?;
    }
    if let Some(v) = body.name {
        r.name = v;
    }
    if let Some(v) = body.data {
        r.data = v;
    }
    if let Some(v) = body.ttl {
        r.ttl = v;
    }
    if let Some(v) = body.priority {
        r.priority = v;
    }
    no_content()
}

pub async fn delete_record(
    State(shared): State<Arc<Shared>>,
    Path((name, id)): Path<(String, String)>,
) -> VultrResult {
    let mut world = lock_world(&shared);
    let d = world
        .domains
        .iter_mut()
        .find(|d| d.name == name)
        .ok_or_else(domain_not_found)?;
    let before = d.records.len();
    d.records.retain(|r| r.id != id);
    if d.records.len() == before {
        return Err(record_not_found());
    }
    no_content()
}
