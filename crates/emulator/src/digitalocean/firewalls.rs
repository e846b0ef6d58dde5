//! `/v2/firewalls`: create, list (paginated), get and delete cloud firewalls.
//!
//! What is checked on create (`#/paths/~1v2~1firewalls/post`, `#/components/schemas/firewall`):
//! `name` is required and matches `^[a-zA-Z0-9][a-zA-Z0-9\.-]+$`; at least one inbound or
//! outbound rule; each rule has a `protocol` of `tcp`, `udp` or `icmp`, a `ports` string (one
//! port, a range `a-b`, or `0` for all; ICMP rules always read back `0`) and its
//! `sources`/`destinations` naming at least one address, Droplet or tag; addresses are IPv4 or
//! IPv6 addresses or CIDR blocks; Droplets and tags must exist. Refusals are 400 with
//! DigitalOcean's error body. The create answer is 202 with `status: "waiting"` and the
//! Droplets as pending changes; reading it later shows `succeeded`. A destroyed Droplet drops
//! out of every firewall's `droplet_ids`.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::{Arc, LazyLock};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use regex::Regex;
use serde::Deserialize;
use serde_json::{Value, json};

use super::world::DoWorld;
use super::{
    DoError, DoResult, lock_world, no_content, paginated_with, parse_body, query_pairs, reply,
};
use crate::clock::{rfc3339_z, unix_now};
use crate::ids;
use crate::state::Shared;

/// `#/components/schemas/firewall/allOf/0/properties/name/pattern`.
static NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-zA-Z0-9][a-zA-Z0-9\.-]+$").expect("valid regex"));

/// One firewall rule as stored (already validated).
#[derive(Clone)]
pub struct FirewallRule {
    pub protocol: String,
    pub ports: String,
    pub addresses: Vec<String>,
    pub droplet_ids: Vec<u64>,
    pub tags: Vec<String>,
}

pub struct Firewall {
    pub id: String,
    pub name: String,
    pub droplet_ids: Vec<u64>,
    pub tags: Vec<String>,
    pub inbound: Vec<FirewallRule>,
    pub outbound: Vec<FirewallRule>,
    pub created_unix: u64,
}

/// Every firewall, by id, in creation order of their sequence number.
#[derive(Default)]
pub struct Firewalls {
    pub by_seq: BTreeMap<u64, Firewall>,
    next: u64,
}

impl Firewalls {
    fn find(&self, id: &str) -> Option<u64> {
        self.by_seq
            .iter()
            .find(|(_, f)| f.id == id)
            .map(|(seq, _)| *seq)
    }
}

fn rule_json(r: &FirewallRule, key: &str, world: &DoWorld) -> Value {
    let mut target = serde_json::Map::new();
    if !r.addresses.is_empty() {
        target.insert("addresses".into(), json!(r.addresses));
    }
    let droplets: Vec<u64> = r
        .droplet_ids
        .iter()
        .copied()
        .filter(|d| world.droplets.contains_key(d))
        .collect();
    if !droplets.is_empty() {
        target.insert("droplet_ids".into(), json!(droplets));
    }
    if !r.tags.is_empty() {
        target.insert("tags".into(), json!(r.tags));
    }
    json!({ "protocol": r.protocol, "ports": r.ports, key: target })
}

fn firewall_json(f: &Firewall, world: &DoWorld, just_created: bool) -> Value {
    let droplets: Vec<u64> = f
        .droplet_ids
        .iter()
        .copied()
        .filter(|d| world.droplets.contains_key(d))
        .collect();
    let pending: Vec<Value> = if just_created {
        droplets
            .iter()
            .map(|d| json!({ "droplet_id": d, "removing": false, "status": "waiting" }))
            .collect()
    } else {
        Vec::new()
    };
    json!({
        "id": f.id,
        "name": f.name,
        "status": if just_created { "waiting" } else { "succeeded" },
        "created_at": rfc3339_z(f.created_unix),
        "pending_changes": pending,
        "droplet_ids": droplets,
        "tags": f.tags,
        "inbound_rules": f.inbound.iter().map(|r| rule_json(r, "sources", world)).collect::<Vec<_>>(),
        "outbound_rules": f.outbound.iter().map(|r| rule_json(r, "destinations", world)).collect::<Vec<_>>(),
    })
}

pub async fn list(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> DoResult {
    let query = query_pairs(&raw);
    let world = lock_world(&shared);
    let all: Vec<&Firewall> = world.firewalls.by_seq.values().collect();
    paginated_with(&shared, "/v2/firewalls", &query, "firewalls", all, |f| {
        firewall_json(f, &world, false)
    })
}

pub async fn get_one(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> DoResult {
    let world = lock_world(&shared);
    let seq = world.firewalls.find(&id).ok_or_else(DoError::not_found)?;
    let f = &world.firewalls.by_seq[&seq];
    reply(
        StatusCode::OK,
        json!({ "firewall": firewall_json(f, &world, false) }),
    )
}

pub async fn delete(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> DoResult {
    let mut world = lock_world(&shared);
    let seq = world.firewalls.find(&id).ok_or_else(DoError::not_found)?;
    world.firewalls.by_seq.remove(&seq);
    no_content()
}

#[derive(Deserialize)]
struct TargetBody {
    addresses: Option<Vec<String>>,
    droplet_ids: Option<Vec<u64>>,
    load_balancer_uids: Option<Vec<String>>,
    kubernetes_ids: Option<Vec<String>>,
    tags: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RuleBody {
    protocol: Option<String>,
    ports: Option<String>,
    sources: Option<TargetBody>,
    destinations: Option<TargetBody>,
}

#[derive(Deserialize)]
struct CreateBody {
    name: Option<String>,
    droplet_ids: Option<Vec<u64>>,
    tags: Option<Vec<String>>,
    inbound_rules: Option<Vec<RuleBody>>,
    outbound_rules: Option<Vec<RuleBody>>,
}

/// An IPv4/IPv6 address, or one with a prefix length it can have.
fn valid_address(s: &str) -> bool {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let Ok(addr) = addr.parse::<IpAddr>() else {
        return false;
    };
    let max = if addr.is_ipv4() { 32 } else { 128 };
    prefix.is_none_or(|p| p.parse::<u8>().is_ok_and(|p| p <= max))
}

/// `"22"`, `"8000-9000"` or `"0"` (all).
fn valid_ports(s: &str) -> bool {
    let port = |p: &str| p.parse::<u16>().is_ok_and(|p| p >= 1);
    match s.split_once('-') {
        Some((a, b)) => port(a) && port(b) && a.parse::<u16>().ok() <= b.parse::<u16>().ok(),
        None => s == "0" || port(s),
    }
}

fn check_tags(world: &DoWorld, tags: &[String]) -> Result<(), DoError> {
    match tags
        .iter()
        .find(|t| !world.tags.contains_key(&t.to_lowercase()))
    {
        Some(t) => Err(DoError::bad_request(format!("tag {t} does not exist"))),
        None => Ok(()),
    }
}

fn check_droplets(world: &DoWorld, ids: &[u64]) -> Result<(), DoError> {
    match ids.iter().find(|d| !world.droplets.contains_key(d)) {
        Some(d) => Err(DoError::bad_request(format!("droplet {d} does not exist"))),
        None => Ok(()),
    }
}

fn check_rule(
    world: &DoWorld,
    r: RuleBody,
    direction: &str,
    target: Option<TargetBody>,
) -> Result<FirewallRule, DoError> {
    let bad = |m: String| DoError::bad_request(format!("{direction} rule: {m}"));
    let protocol = r
        .protocol
        .ok_or_else(|| bad("protocol is required".into()))?;
    if !matches!(protocol.as_str(), "tcp" | "udp" | "icmp") {
        return Err(bad(format!(
            "protocol {protocol:?} must be tcp, udp or icmp"
        )));
    }
    let ports = r.ports.ok_or_else(|| bad("ports is required".into()))?;
    let ports = if protocol == "icmp" {
        "0".to_owned()
    } else if valid_ports(&ports) {
        ports
    } else {
        return Err(bad(format!(
            "ports {ports:?} must be a port, a range such as 8000-9000, or 0 for all"
        )));
    };
    let key = if direction == "inbound" {
        "sources"
    } else {
        "destinations"
    };
    let t = target.ok_or_else(|| bad(format!("{key} is required")))?;
    if t.load_balancer_uids.is_some_and(|v| !v.is_empty())
        || t.kubernetes_ids.is_some_and(|v| !v.is_empty())
    {
        return Err(bad(
            "no load balancer or Kubernetes cluster exists here".into()
        ));
    }
    let addresses = t.addresses.unwrap_or_default();
    if let Some(a) = addresses.iter().find(|a| !valid_address(a)) {
        return Err(bad(format!(
            "{a:?} is not an IPv4 or IPv6 address or CIDR block"
        )));
    }
    let droplet_ids = t.droplet_ids.unwrap_or_default();
    check_droplets(world, &droplet_ids)?;
    let tags = t.tags.unwrap_or_default();
    check_tags(world, &tags)?;
    if addresses.is_empty() && droplet_ids.is_empty() && tags.is_empty() {
        return Err(bad(format!(
            "{key} must name at least one address, Droplet or tag"
        )));
    }
    Ok(FirewallRule {
        protocol,
        ports,
        addresses,
        droplet_ids,
        tags,
    })
}

pub async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> DoResult {
    let body: CreateBody = parse_body(&body)?;
    let mut world = lock_world(&shared);
    let name = body
        .name
        .ok_or_else(|| DoError::bad_request("name is required"))?;
    if !NAME.is_match(&name) {
        return Err(DoError::bad_request(format!(
            "name {name:?} must begin with a letter or digit and contain only letters, digits, \
             '.' and '-' (at least two characters)"
        )));
    }
    let inbound = body.inbound_rules.unwrap_or_default();
    let outbound = body.outbound_rules.unwrap_or_default();
    if inbound.is_empty() && outbound.is_empty() {
        return Err(DoError::bad_request(
            "a firewall must have at least one inbound or outbound rule",
        ));
    }
    let mut rules_in = Vec::new();
    for mut r in inbound {
        let t = r.sources.take();
        rules_in.push(check_rule(&world, r, "inbound", t)?);
    }
    let mut rules_out = Vec::new();
    for mut r in outbound {
        let t = r.destinations.take();
        rules_out.push(check_rule(&world, r, "outbound", t)?);
    }
    let droplet_ids = body.droplet_ids.unwrap_or_default();
    check_droplets(&world, &droplet_ids)?;
    let tags = body.tags.unwrap_or_default();
    check_tags(&world, &tags)?;
    let seq = world.firewalls.next;
    world.firewalls.next += 1;
    let firewall = Firewall {
        id: ids::uuid(0xf12e_0001, seq),
        name,
        droplet_ids,
        tags,
        inbound: rules_in,
        outbound: rules_out,
        created_unix: unix_now(),
    };
    let json = firewall_json(&firewall, &world, true);
    world.firewalls.by_seq.insert(seq, firewall);
    reply(StatusCode::ACCEPTED, json!({ "firewall": json }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_ports_follow_the_spec() {
        for ok in [
            "1.2.3.4",
            "18.0.0.0/8",
            "::/0",
            "2001:db8::1/128",
            "0.0.0.0/0",
        ] {
            assert!(valid_address(ok), "{ok}");
        }
        for bad in ["", "1.2.3", "1.2.3.4/33", "host.example", "::/129"] {
            assert!(!valid_address(bad), "{bad}");
        }
        for ok in ["22", "0", "8000-9000", "1-65535"] {
            assert!(valid_ports(ok), "{ok}");
        }
        for bad in ["", "all", "70000", "9000-8000", "-1", "22-"] {
            assert!(!valid_ports(bad), "{bad}");
        }
    }
}
