//! `/domains` and their records (`#/components/schemas/Domain`,
//! `#/components/schemas/DomainRecord`). Zones and records have integer ids; a record's
//! `name` is relative to the zone (`""` for the apex) and its value is `target`.
//!
//! What is checked: a `master` zone needs `soa_email`, a `slave` one `master_ips`; a zone
//! name is a DNS name and unique. A record's `type` is one of A, AAAA, NS, MX, CNAME, TXT,
//! SRV, PTR, CAA; A and AAAA targets are addresses of that family; MX needs a `priority`
//! (0–255); SRV needs a `port` (1–65535) and takes `priority` and `weight` (0–65535) and
//! either `service`/`protocol` or a `_service._protocol` name; CAA needs a `tag` (`issue`,
//! `issuewild`, `iodef`). `ttl_sec` is rounded up to a value Linode keeps.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use serde::Deserialize;

use super::world::{LinodeWorld, Record, round_ttl};
use super::{LinodeError, LinodeResult, empty, lock_world, ok, paginated, parse_body, path_id};
use crate::clock::unix_now;
use crate::state::Shared;
use crate::validate::valid_zone_name;

const RECORD_TYPES: [&str; 9] = ["A", "AAAA", "NS", "MX", "CNAME", "TXT", "SRV", "PTR", "CAA"];

pub async fn list_domains(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> LinodeResult {
    let world = lock_world(&shared);
    let items = world.domains.iter().map(LinodeWorld::domain_json).collect();
    paginated(&raw, &headers, &["id", "domain", "type", "tags"], items)
}

#[derive(Deserialize)]
struct DomainBody {
    domain: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    soa_email: Option<String>,
    master_ips: Option<Vec<String>>,
    description: Option<String>,
    tags: Option<Vec<String>>,
    ttl_sec: Option<u32>,
    status: Option<String>,
}

fn plausible_email(s: &str) -> bool {
    s.split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
}

pub async fn create_domain(State(shared): State<Arc<Shared>>, body: Bytes) -> LinodeResult {
    let body: DomainBody = parse_body(&body)?;
    let name = body
        .domain
        .map(|d| d.trim_end_matches('.').to_lowercase())
        .ok_or_else(|| LinodeError::field("domain", "domain is required"))?;
    if name.len() > 253 || !valid_zone_name(&name) {
        return Err(LinodeError::field("domain", "Domain is not valid."));
    }
    let kind = body
        .kind
        .ok_or_else(|| LinodeError::field("type", "type is required"))?;
    match kind.as_str() {
        "master" => match body.soa_email.as_deref() {
            None | Some("") => {
                return Err(LinodeError::field(
                    "soa_email",
                    "soa_email required when type=master",
                ));
            }
            Some(e) if !plausible_email(e) => {
                return Err(LinodeError::field(
                    "soa_email",
                    "Must be a valid email address.",
                ));
            }
            Some(_) => {}
        },
        "slave" => {
            if body.master_ips.as_ref().is_none_or(|ips| ips.is_empty()) {
                return Err(LinodeError::field(
                    "master_ips",
                    "master_ips required when type=slave",
                ));
            }
        }
        _ => return Err(LinodeError::field("type", "type must be master or slave")),
    }
    if let Some(s) = &body.status {
        check_status(s)?;
    }
    let mut world = lock_world(&shared);
    if world.domains.iter().any(|d| d.domain == name) {
        return Err(LinodeError::field(
            "domain",
            format!("Domain {name} already exists."),
        ));
    }
    let id = world.add_domain(&name, body.soa_email.as_deref().unwrap_or(""));
    let d = world.domain_mut(id).ok_or_else(LinodeError::not_found)?;
    d.kind = kind;
    d.master_ips = body.master_ips.unwrap_or_default();
    d.description = body.description.unwrap_or_default();
    d.tags = body.tags.unwrap_or_default();
    d.ttl_sec = round_ttl(body.ttl_sec.unwrap_or(0));
    if let Some(s) = body.status {
        d.status = s;
    }
    ok(LinodeWorld::domain_json(d))
}

fn check_status(s: &str) -> Result<(), LinodeError> {
    if matches!(s, "active" | "disabled") {
        Ok(())
    } else {
        Err(LinodeError::field(
            "status",
            "status must be active or disabled",
        ))
    }
}

pub async fn get_domain(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> LinodeResult {
    let id = path_id(&id)?;
    let world = lock_world(&shared);
    let d = world.domain(id).ok_or_else(LinodeError::not_found)?;
    ok(LinodeWorld::domain_json(d))
}

pub async fn update_domain(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> LinodeResult {
    let id = path_id(&id)?;
    let body: DomainBody = parse_body(&body)?;
    if let Some(s) = &body.status {
        check_status(s)?;
    }
    if let Some(e) = &body.soa_email
        && !plausible_email(e)
    {
        return Err(LinodeError::field(
            "soa_email",
            "Must be a valid email address.",
        ));
    }
    let mut world = lock_world(&shared);
    let d = world.domain_mut(id).ok_or_else(LinodeError::not_found)?;
    if let Some(v) = body.soa_email {
        d.soa_email = v;
    }
    if let Some(v) = body.description {
        d.description = v;
    }
    if let Some(v) = body.tags {
        d.tags = v;
    }
    if let Some(v) = body.ttl_sec {
        d.ttl_sec = round_ttl(v);
    }
    if let Some(v) = body.status {
        d.status = v;
    }
    if let Some(v) = body.master_ips {
        d.master_ips = v;
    }
    ok(LinodeWorld::domain_json(d))
}

pub async fn delete_domain(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> LinodeResult {
    let id = path_id(&id)?;
    let mut world = lock_world(&shared);
    let before = world.domains.len();
    world.domains.retain(|d| d.id != id);
    if world.domains.len() == before {
        return Err(LinodeError::not_found());
    }
    empty()
}

pub async fn list_records(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> LinodeResult {
    let id = path_id(&id)?;
    let world = lock_world(&shared);
    let d = world.domain(id).ok_or_else(LinodeError::not_found)?;
    let items = d.records.iter().map(LinodeWorld::record_json).collect();
    paginated(&raw, &headers, &["id", "name", "type", "target"], items)
}

#[derive(Deserialize, Default)]
struct RecordBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    name: Option<String>,
    target: Option<String>,
    ttl_sec: Option<u32>,
    priority: Option<u32>,
    weight: Option<u32>,
    port: Option<u32>,
    service: Option<String>,
    protocol: Option<String>,
    tag: Option<String>,
}

/// A record name as Linode keeps it: relative to `zone` ("The hostname or FQDN of the
/// Record": a fully qualified name in the zone loses the zone, the zone itself is `""`).
fn relative_name(name: &str, zone: &str) -> String {
    let name = name.trim_end_matches('.');
    if name.eq_ignore_ascii_case(zone) {
        return String::new();
    }
    let lower = name.to_ascii_lowercase();
    match lower.strip_suffix(&format!(".{zone}")) {
        Some(_) => name[..name.len() - zone.len() - 1].to_owned(),
        None => name.to_owned(),
    }
}

/// Applies `body` to `r` (a new record, or one being updated, in `zone`) and checks the
/// result.
fn apply(r: &mut Record, body: RecordBody, zone: &str, creating: bool) -> Result<(), LinodeError> {
    if let Some(v) = body.name {
        if v.chars().count() > 100 {
            return Err(LinodeError::field(
                "name",
                "Length must be 100 characters or fewer",
            ));
        }
        r.name = relative_name(&v, zone);
    }
    if let Some(v) = body.target {
        r.target = v;
    }
    if let Some(v) = body.ttl_sec {
        r.ttl_sec = round_ttl(v);
    }
    if let Some(v) = body.priority {
        r.priority = v;
    }
    if let Some(v) = body.weight {
        r.weight = v;
    }
    if let Some(v) = body.port {
        r.port = v;
    }
    if let Some(v) = body.service {
        r.service = Some(v);
    }
    if let Some(v) = body.protocol {
        r.protocol = Some(v);
    }
    if let Some(v) = body.tag {
        r.tag = Some(v);
    }
    let target = r.target.as_str();
    let bad = |field: &str, reason: &str| Err(LinodeError::field(field, reason));
    match r.kind.as_str() {
        "A" if target.parse::<Ipv4Addr>().is_err() && target != "[remote_addr]" => {
            return bad("target", "You must provide a valid IPv4 address.");
        }
        "AAAA" if target.parse::<Ipv6Addr>().is_err() && target != "[remote_addr]" => {
            return bad("target", "You must provide a valid IPv6 address.");
        }
        "MX" if r.priority > 255 => {
            return bad("priority", "Must be between 0 and 255");
        }
        "SRV" => {
            if r.port == 0 || r.port > 65_535 {
                return bad("port", "port is required and must be between 1 and 65535");
            }
            if r.priority > 65_535 || r.weight > 65_535 {
                return bad("priority", "Must be between 0 and 65535");
            }
            if r.service.is_none()
                && let Some((svc, proto)) = r
                    .name
                    .split('.')
                    .collect::<Vec<_>>()
                    .get(..2)
                    .and_then(|p| Some((p[0].strip_prefix('_')?, p[1].strip_prefix('_')?)))
            {
                r.service = Some(svc.to_owned());
                r.protocol = Some(proto.to_owned());
            }
            let Some(service) = r.service.clone() else {
                return bad("service", "service is required for SRV records");
            };
            let protocol = r.protocol.clone().unwrap_or_else(|| "tcp".into());
            r.protocol = Some(protocol.clone());
            if creating && r.name.is_empty() {
                r.name = format!("_{service}._{protocol}");
            }
        }
        "CAA" => match r.tag.as_deref() {
            Some("issue" | "issuewild" | "iodef") => {}
            _ => return bad("tag", "tag must be issue, issuewild or iodef"),
        },
        _ => {}
    }
    if r.kind == "MX" && creating && body.priority.is_none() {
        return bad("priority", "priority is required for MX records");
    }
    if r.target.is_empty() {
        return bad("target", "target is required");
    }
    Ok(())
}

pub async fn create_record(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> LinodeResult {
    let id = path_id(&id)?;
    let body: RecordBody = parse_body(&body)?;
    let kind = body
        .kind
        .as_deref()
        .map(str::to_uppercase)
        .ok_or_else(|| LinodeError::field("type", "type is required"))?;
    if !RECORD_TYPES.contains(&kind.as_str()) {
        return Err(LinodeError::field(
            "type",
            "type is not a valid record type",
        ));
    }
    let mut world = lock_world(&shared);
    let zone = world
        .domain(id)
        .ok_or_else(LinodeError::not_found)?
        .domain
        .clone();
    let mut record = world.new_record(&kind, "", "", 0, 0);
    apply(&mut record, body, &zone, true)?;
    let json = LinodeWorld::record_json(&record);
    world
        .domain_mut(id)
        .ok_or_else(LinodeError::not_found)?
        .records
        .push(record);
    ok(json)
}

pub async fn get_record(
    State(shared): State<Arc<Shared>>,
    Path((id, rid)): Path<(String, String)>,
) -> LinodeResult {
    let (id, rid) = (path_id(&id)?, path_id(&rid)?);
    let world = lock_world(&shared);
    let d = world.domain(id).ok_or_else(LinodeError::not_found)?;
    let r = d
        .records
        .iter()
        .find(|r| r.id == rid)
        .ok_or_else(LinodeError::not_found)?;
    ok(LinodeWorld::record_json(r))
}

/// PUT: the fields sent replace the record's (its `type` stays); answers the record.
pub async fn update_record(
    State(shared): State<Arc<Shared>>,
    Path((id, rid)): Path<(String, String)>,
    body: Bytes,
) -> LinodeResult {
    let (id, rid) = (path_id(&id)?, path_id(&rid)?);
    let mut body: RecordBody = parse_body(&body)?;
    body.kind = None;
    let mut world = lock_world(&shared);
    let d = world.domain_mut(id).ok_or_else(LinodeError::not_found)?;
    let zone = d.domain.clone();
    let r = d
        .records
        .iter_mut()
        .find(|r| r.id == rid)
        .ok_or_else(LinodeError::not_found)?;
    let mut changed = r.clone();
    apply(&mut changed, body, &zone, false)?;
    changed.updated_unix = unix_now();
    *r = changed;
    ok(LinodeWorld::record_json(r))
}

pub async fn delete_record(
    State(shared): State<Arc<Shared>>,
    Path((id, rid)): Path<(String, String)>,
) -> LinodeResult {
    let (id, rid) = (path_id(&id)?, path_id(&rid)?);
    let mut world = lock_world(&shared);
    let d = world.domain_mut(id).ok_or_else(LinodeError::not_found)?;
    let before = d.records.len();
    d.records.retain(|r| r.id != rid);
    if d.records.len() == before {
        return Err(LinodeError::not_found());
    }
    empty()
}
