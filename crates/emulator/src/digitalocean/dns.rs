//! `/v2/domains` and their records.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::world::{DoWorld, Record};
use super::{
    DoError, DoResult, lock_world, no_content, paginated, parse_body, query_get, query_pairs, reply,
};
use crate::state::Shared;
use crate::validate::valid_zone_name;

const RECORD_TYPES: [&str; 9] = ["A", "AAAA", "CAA", "CNAME", "MX", "NS", "SOA", "SRV", "TXT"];

pub async fn list_domains(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> DoResult {
    let query = query_pairs(&raw);
    let world = lock_world(&shared);
    let items = world.domains.values().map(DoWorld::domain_json).collect();
    paginated(&shared, "/v2/domains", &query, "domains", items)
}

#[derive(Deserialize)]
struct CreateDomain {
    name: Option<String>,
    ip_address: Option<String>,
}

pub async fn create_domain(State(shared): State<Arc<Shared>>, body: Bytes) -> DoResult {
    let body: CreateDomain = parse_body(&body)?;
    let name = body
        .name
        .map(|n| n.trim_end_matches('.').to_lowercase())
        .ok_or_else(|| DoError::unprocessable("name is required"))?;
    if !valid_zone_name(&name) {
        return Err(DoError::unprocessable(format!(
            "Name {name:?} is not a valid domain name"
        )));
    }
    if let Some(ip) = &body.ip_address
        && ip.parse::<Ipv4Addr>().is_err()
    {
        return Err(DoError::unprocessable(format!(
            "ip_address {ip:?} is not a valid IPv4 address"
        )));
    }
    let mut world = lock_world(&shared);
    if world.domains.contains_key(&name) {
        return Err(DoError::unprocessable("Name already exists"));
    }
    world.add_domain(&name, body.ip_address.as_deref());
    let d = &world.domains[&name];
    reply(
        StatusCode::CREATED,
        json!({ "domain": { "name": d.name, "ttl": d.ttl, "zone_file": null } }),
    )
}

pub async fn get_domain(State(shared): State<Arc<Shared>>, Path(name): Path<String>) -> DoResult {
    let world = lock_world(&shared);
    let d = world
        .domains
        .get(&name.to_lowercase())
        .ok_or_else(DoError::not_found)?;
    reply(StatusCode::OK, json!({ "domain": DoWorld::domain_json(d) }))
}

pub async fn delete_domain(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
) -> DoResult {
    let mut world = lock_world(&shared);
    let name = name.to_lowercase();
    world.domains.remove(&name).ok_or_else(DoError::not_found)?;
    world.assignments.remove(&format!("do:domain:{name}"));
    no_content()
}

pub async fn list_records(
    State(shared): State<Arc<Shared>>,
    Path(domain): Path<String>,
    RawQuery(raw): RawQuery,
) -> DoResult {
    let query = query_pairs(&raw);
    let domain = domain.to_lowercase();
    let fqdn = query_get(&query, "name").map(|n| n.trim_end_matches('.').to_lowercase());
    let kind = query_get(&query, "type").map(str::to_uppercase);
    if let Some(k) = &kind
        && !RECORD_TYPES.contains(&k.as_str())
    {
        return Err(DoError::bad_request(format!(
            "type {k:?} is not a DNS record type"
        )));
    }
    let world = lock_world(&shared);
    let d = world.domains.get(&domain).ok_or_else(DoError::not_found)?;
    let items: Vec<Value> = d
        .records
        .iter()
        .filter(|r| fqdn.as_ref().is_none_or(|f| record_fqdn(&d.name, r) == *f))
        .filter(|r| kind.as_ref().is_none_or(|k| r.kind == *k))
        .map(DoWorld::record_json)
        .collect();
    paginated(
        &shared,
        &format!("/v2/domains/{domain}/records"),
        &query,
        "domain_records",
        items,
    )
}

fn record_fqdn(domain: &str, r: &Record) -> String {
    if r.name == "@" || r.name.is_empty() {
        domain.to_owned()
    } else {
        format!("{}.{domain}", r.name.to_lowercase())
    }
}

/// The fields of a record body; absent fields are left alone on update.
#[derive(Deserialize, Default)]
struct RecordBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    name: Option<String>,
    data: Option<String>,
    priority: Option<u32>,
    port: Option<u32>,
    ttl: Option<u32>,
    weight: Option<u32>,
    flags: Option<u32>,
    tag: Option<String>,
}

impl RecordBody {
    fn apply(self, r: &mut Record) {
        if let Some(v) = self.kind {
            r.kind = v.to_uppercase();
        }
        if let Some(v) = self.name {
            r.name = v;
        }
        if let Some(v) = self.data {
            r.data = v;
        }
        if let Some(v) = self.ttl {
            r.ttl = v;
        }
        if self.priority.is_some() {
            r.priority = self.priority;
        }
        if self.port.is_some() {
            r.port = self.port;
        }
        if self.weight.is_some() {
            r.weight = self.weight;
        }
        if self.flags.is_some() {
            r.flags = self.flags;
        }
        if self.tag.is_some() {
            r.tag = self.tag;
        }
    }
}

/// The rules of `#/components/schemas/domain_record_*`: what each type needs.
fn validate(r: &Record) -> Result<(), DoError> {
    let need = |ok: bool, what: &str| {
        if ok {
            Ok(())
        } else {
            Err(DoError::unprocessable(format!(
                "{what} is required for a {} record",
                r.kind
            )))
        }
    };
    if !RECORD_TYPES.contains(&r.kind.as_str()) || r.kind == "SOA" {
        return Err(DoError::unprocessable(format!(
            "type {:?} cannot be created",
            r.kind
        )));
    }
    need(!r.name.is_empty(), "name")?;
    need(!r.data.is_empty(), "data")?;
    if r.ttl < 30 {
        return Err(DoError::unprocessable("ttl must be at least 30"));
    }
    match r.kind.as_str() {
        "A" if r.data.parse::<Ipv4Addr>().is_err() => Err(DoError::unprocessable(format!(
            "data {:?} is not a valid IPv4 address",
            r.data
        ))),
        "AAAA" if r.data.parse::<Ipv6Addr>().is_err() => Err(DoError::unprocessable(format!(
            "data {:?} is not a valid IPv6 address",
            r.data
        ))),
        "MX" => need(r.priority.is_some(), "priority"),
        "SRV" => {
            need(r.priority.is_some(), "priority")?;
            need(r.port.is_some(), "port")?;
            need(r.weight.is_some(), "weight")
        }
        "CAA" => {
            need(r.flags.is_some(), "flags")?;
            need(r.tag.is_some(), "tag")?;
            // `#/components/schemas/domain_record/properties/flags` and `/tag`.
            if r.flags.is_some_and(|f| f > 255) {
                return Err(DoError::unprocessable("flags must be between 0 and 255"));
            }
            match r.tag.as_deref() {
                Some("issue" | "issuewild" | "iodef") => Ok(()),
                _ => Err(DoError::unprocessable(
                    "tag must be one of issue, issuewild or iodef",
                )),
            }
        }
        _ => Ok(()),
    }
}

pub async fn create_record(
    State(shared): State<Arc<Shared>>,
    Path(domain): Path<String>,
    body: Bytes,
) -> DoResult {
    let mut body: RecordBody = parse_body(&body)?;
    if body.kind.is_none() {
        return Err(DoError::unprocessable("type is required"));
    }
    // `#/components/schemas/domain_record_mx` does not require `name`: the apex.
    if body.name.is_none()
        && body
            .kind
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case("MX"))
    {
        body.name = Some("@".into());
    }
    let mut world = lock_world(&shared);
    let domain = domain.to_lowercase();
    if !world.domains.contains_key(&domain) {
        return Err(DoError::not_found());
    }
    let id = world.next_record_id();
    let mut record = Record {
        id,
        kind: String::new(),
        name: String::new(),
        data: String::new(),
        ttl: 1800,
        priority: None,
        port: None,
        weight: None,
        flags: None,
        tag: None,
    };
    body.apply(&mut record);
    validate(&record)?;
    let json = DoWorld::record_json(&record);
    if let Some(d) = world.domains.get_mut(&domain) {
        d.records.push(record);
    }
    reply(StatusCode::CREATED, json!({ "domain_record": json }))
}

fn find_record<'a>(
    world: &'a mut DoWorld,
    domain: &str,
    id: &str,
) -> Result<&'a mut Record, DoError> {
    let id: u64 = id.parse().map_err(|_| DoError::not_found())?;
    world
        .domains
        .get_mut(&domain.to_lowercase())
        .and_then(|d| d.records.iter_mut().find(|r| r.id == id))
        .ok_or_else(DoError::not_found)
}

pub async fn get_record(
    State(shared): State<Arc<Shared>>,
    Path((domain, id)): Path<(String, String)>,
) -> DoResult {
    let mut world = lock_world(&shared);
    let r = find_record(&mut world, &domain, &id)?;
    reply(
        StatusCode::OK,
        json!({ "domain_record": DoWorld::record_json(r) }),
    )
}

async fn update_record(shared: Arc<Shared>, domain: String, id: String, body: Bytes) -> DoResult {
    let body: RecordBody = parse_body(&body)?;
    let mut world = lock_world(&shared);
    let r = find_record(&mut world, &domain, &id)?;
    let mut updated = Record {
        id: r.id,
        kind: r.kind.clone(),
        name: r.name.clone(),
        data: r.data.clone(),
        ttl: r.ttl,
        priority: r.priority,
        port: r.port,
        weight: r.weight,
        flags: r.flags,
        tag: r.tag.clone(),
    };
    body.apply(&mut updated);
    validate(&updated)?;
    *r = updated;
    reply(
        StatusCode::OK,
        json!({ "domain_record": DoWorld::record_json(r) }),
    )
}

pub async fn patch_record(
    State(shared): State<Arc<Shared>>,
    Path((domain, id)): Path<(String, String)>,
    body: Bytes,
) -> DoResult {
    update_record(shared, domain, id, body).await
}

pub async fn put_record(
    State(shared): State<Arc<Shared>>,
    Path((domain, id)): Path<(String, String)>,
    body: Bytes,
) -> DoResult {
    update_record(shared, domain, id, body).await
}

pub async fn delete_record(
    State(shared): State<Arc<Shared>>,
    Path((domain, id)): Path<(String, String)>,
) -> DoResult {
    let mut world = lock_world(&shared);
    let id: u64 = id.parse().map_err(|_| DoError::not_found())?;
    let d = world
        .domains
        .get_mut(&domain.to_lowercase())
        .ok_or_else(DoError::not_found)?;
    let before = d.records.len();
    d.records.retain(|r| r.id != id);
    if d.records.len() == before {
        return Err(DoError::not_found());
    }
    no_content()
}
