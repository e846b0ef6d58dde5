//! `/firewalls` (firewall groups), `/firewalls/{id}/rules`, and which group each instance is in
//! (`firewall_group_id`, set with PATCH `/instances/{id}`).
//!
//! What is checked (`#/paths/~1firewalls~1{firewall-group-id}~1rules/post`): `ip_type` is `v4`
//! or `v6`; `protocol` is one of ICMP, TCP, UDP, GRE, ESP, AH (any case; read back lowercase);
//! `subnet` is an address of that type and `subnet_size` a prefix length it can have; `port`
//! (TCP and UDP only) is a port or a `low:high` range; `source` is `""` or `cloudflare` (no load
//! balancer exists here); a group holds at most 50 rules. A group with instances in it cannot be
//! deleted (400). Refusals are Vultr's `{"error", "status"}` bodies.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::world::VultrWorld;
use super::{
    VultrError, VultrResult, lock_world, no_content, paginated_with, parse_body, query_pairs, reply,
};
use crate::clock::{rfc3339_offset, unix_now};
use crate::ids;
use crate::state::Shared;

/// `max_rule_count` of every group.
pub const MAX_RULES: usize = 50;

pub struct Rule {
    pub id: u64,
    pub ip_type: String,
    pub protocol: String,
    pub port: String,
    pub subnet: String,
    pub subnet_size: u8,
    pub source: String,
    pub notes: String,
}

pub struct Group {
    pub id: String,
    pub description: String,
    pub created_unix: u64,
    pub modified_unix: u64,
    pub rules: Vec<Rule>,
    next_rule: u64,
}

/// Every firewall group (in creation order) and the instances attached to them.
#[derive(Default)]
pub struct FirewallGroups {
    pub groups: Vec<Group>,
    /// Instance id → group id.
    pub attached: BTreeMap<String, String>,
    next: u64,
}

impl FirewallGroups {
    pub fn exists(&self, id: &str) -> bool {
        self.groups.iter().any(|g| g.id == id)
    }

    fn index(&self, id: &str) -> Result<usize, VultrError> {
        self.groups
            .iter()
            .position(|g| g.id == id)
            .ok_or_else(group_not_found)
    }
}

impl VultrWorld {
    /// The group instance `id` is in, or `""`.
    pub fn firewall_group_of(&self, instance_id: &str) -> String {
        self.firewalls
            .attached
            .get(instance_id)
            .filter(|g| self.firewalls.exists(g))
            .cloned()
            .unwrap_or_default()
    }

    /// Puts instance `id` in group `group` (`""`: in none). An unknown group is a 400.
    pub fn set_firewall_group(&mut self, instance_id: &str, group: &str) -> Result<(), VultrError> {
        if group.is_empty() {
            self.firewalls.attached.remove(instance_id);
            return Ok(());
        }
        if !self.firewalls.exists(group) {
            return Err(VultrError::bad_request("Invalid firewall group ID."));
        }
        self.firewalls
            .attached
            .insert(instance_id.to_owned(), group.to_owned());
        Ok(())
    }

    /// Instances (still existing) attached to `group`.
    fn instance_count(&self, group: &str) -> usize {
        self.instances
            .values()
            .filter(|i| {
                self.firewalls
                    .attached
                    .get(&i.id)
                    .is_some_and(|g| g == group)
            })
            .count()
    }

    fn group_json(&self, g: &Group) -> Value {
        json!({
            "id": g.id,
            "description": g.description,
            "date_created": rfc3339_offset(g.created_unix),
            "date_modified": rfc3339_offset(g.modified_unix),
            "instance_count": self.instance_count(&g.id),
            "rule_count": g.rules.len(),
            "max_rule_count": MAX_RULES,
        })
    }
}

fn rule_json(r: &Rule) -> Value {
    json!({
        "id": r.id,
        "type": r.ip_type,
        "ip_type": r.ip_type,
        "action": "accept",
        "protocol": r.protocol,
        "port": r.port,
        "subnet": r.subnet,
        "subnet_size": r.subnet_size,
        "source": r.source,
        "notes": r.notes,
    })
}

fn group_not_found() -> VultrError {
    VultrError::not_found("Invalid firewall group ID.")
}

fn rule_not_found() -> VultrError {
    VultrError::not_found("Invalid firewall rule ID.")
}

pub async fn list(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> VultrResult {
    let query = query_pairs(&raw);
    let world = lock_world(&shared);
    let groups: Vec<&Group> = world.firewalls.groups.iter().collect();
    paginated_with(&query, "firewall_groups", groups, |g| world.group_json(g))
}

#[derive(Deserialize)]
struct GroupBody {
    description: Option<String>,
}

pub async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> VultrResult {
    let body: GroupBody = parse_body(&body)?;
    let mut world = lock_world(&shared);
    let seq = world.firewalls.next;
    world.firewalls.next += 1;
    let now = unix_now();
    let group = Group {
        id: ids::uuid(0x6677_6770, seq),
        description: body.description.unwrap_or_default(),
        created_unix: now,
        modified_unix: now,
        rules: Vec::new(),
        next_rule: 1,
    };
    let json = world.group_json(&group);
    world.firewalls.groups.push(group);
    reply(StatusCode::CREATED, json!({ "firewall_group": json }))
}

pub async fn get_one(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> VultrResult {
    let world = lock_world(&shared);
    let i = world.firewalls.index(&id)?;
    let json = world.group_json(&world.firewalls.groups[i]);
    reply(StatusCode::OK, json!({ "firewall_group": json }))
}

pub async fn update(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> VultrResult {
    let body: GroupBody = parse_body(&body)?;
    let description = body
        .description
        .ok_or_else(|| VultrError::bad_request("description is required."))?;
    let mut world = lock_world(&shared);
    let i = world.firewalls.index(&id)?;
    let g = &mut world.firewalls.groups[i];
    g.description = description;
    g.modified_unix = unix_now();
    no_content()
}

pub async fn delete(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> VultrResult {
    let mut world = lock_world(&shared);
    let i = world.firewalls.index(&id)?;
    let in_use = world.instance_count(&id);
    if in_use > 0 {
        return Err(VultrError::bad_request(format!(
            "Unable to delete firewall group: {in_use} instance(s) are still linked to it."
        )));
    }
    world.firewalls.groups.remove(i);
    world.firewalls.attached.retain(|_, g| *g != id);
    no_content()
}

pub async fn list_rules(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> VultrResult {
    let query = query_pairs(&raw);
    let world = lock_world(&shared);
    let i = world.firewalls.index(&id)?;
    let rules: Vec<&Rule> = world.firewalls.groups[i].rules.iter().collect();
    paginated_with(&query, "firewall_rules", rules, rule_json)
}

#[derive(Deserialize)]
struct RuleBody {
    ip_type: Option<String>,
    protocol: Option<String>,
    subnet: Option<String>,
    subnet_size: Option<i64>,
    port: Option<String>,
    source: Option<String>,
    notes: Option<String>,
}

/// `"22"` or `"8000:9000"`.
fn valid_port(s: &str) -> bool {
    let port = |p: &str| p.parse::<u16>().is_ok_and(|p| p >= 1);
    match s.split_once(':') {
        Some((a, b)) => port(a) && port(b) && a.parse::<u16>().ok() <= b.parse::<u16>().ok(),
        None => port(s),
    }
}

pub async fn create_rule(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> VultrResult {
    let body: RuleBody = parse_body(&body)?;
    let bad = |m: &str| VultrError::bad_request(m);
    let ip_type = body
        .ip_type
        .filter(|t| t == "v4" || t == "v6")
        .ok_or_else(|| bad("Invalid ip_type: use v4 or v6."))?;
    let protocol = body
        .protocol
        .map(|p| p.to_ascii_lowercase())
        .filter(|p| matches!(p.as_str(), "icmp" | "tcp" | "udp" | "gre" | "esp" | "ah"))
        .ok_or_else(|| bad("Invalid protocol: use ICMP, TCP, UDP, GRE, ESP or AH."))?;
    let subnet = body.subnet.ok_or_else(|| bad("subnet is required."))?;
    let addr: IpAddr = subnet
        .parse()
        .map_err(|_| bad("Invalid subnet: it must be an IP address."))?;
    if addr.is_ipv4() != (ip_type == "v4") {
        return Err(bad("The subnet does not match ip_type."));
    }
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let subnet_size = body
        .subnet_size
        .and_then(|s| u8::try_from(s).ok())
        .filter(|s| *s <= max)
        .ok_or_else(|| VultrError::bad_request(format!("Invalid subnet_size: use 0 to {max}.")))?;
    let port = body.port.unwrap_or_default();
    let port = match protocol.as_str() {
        "tcp" | "udp" if valid_port(&port) => port,
        "tcp" | "udp" => {
            return Err(bad(
                "Invalid port: use a port or a colon separated range (8000:9000).",
            ));
        }
        _ if port.is_empty() => port,
        _ => return Err(bad("A port applies to TCP and UDP rules only.")),
    };
    let source = body.source.unwrap_or_default();
    if !source.is_empty() && source != "cloudflare" {
        return Err(bad("Invalid source: no such load balancer."));
    }
    let mut world = lock_world(&shared);
    let i = world.firewalls.index(&id)?;
    let g = &mut world.firewalls.groups[i];
    if g.rules.len() >= MAX_RULES {
        return Err(VultrError::bad_request(format!(
            "This firewall group already has the maximum of {MAX_RULES} rules."
        )));
    }
    let rule = Rule {
        id: g.next_rule,
        ip_type,
        protocol,
        port,
        subnet,
        subnet_size,
        source,
        notes: body.notes.unwrap_or_default(),
    };
    g.next_rule += 1;
    g.modified_unix = unix_now();
    let json = rule_json(&rule);
    g.rules.push(rule);
    reply(StatusCode::CREATED, json!({ "firewall_rule": json }))
}

fn rule_index(g: &Group, rule: &str) -> Result<usize, VultrError> {
    let id: u64 = rule.parse().map_err(|_| rule_not_found())?;
    g.rules
        .iter()
        .position(|r| r.id == id)
        .ok_or_else(rule_not_found)
}

pub async fn get_rule(
    State(shared): State<Arc<Shared>>,
    Path((id, rule)): Path<(String, String)>,
) -> VultrResult {
    let world = lock_world(&shared);
    let g = &world.firewalls.groups[world.firewalls.index(&id)?];
    let r = &g.rules[rule_index(g, &rule)?];
    reply(StatusCode::OK, json!({ "firewall_rule": rule_json(r) }))
}

pub async fn delete_rule(
    State(shared): State<Arc<Shared>>,
    Path((id, rule)): Path<(String, String)>,
) -> VultrResult {
    let mut world = lock_world(&shared);
    let i = world.firewalls.index(&id)?;
    let g = &mut world.firewalls.groups[i];
    let r = rule_index(g, &rule)?;
    g.rules.remove(r);
    g.modified_unix = unix_now();
    no_content()
}

#[cfg(test)]
mod tests {
    use super::valid_port;

    #[test]
    fn ports_are_one_port_or_a_colon_range() {
        for ok in ["22", "1:65535", "8000:9000"] {
            assert!(valid_port(ok), "{ok}");
        }
        for bad in ["", "0", "8000-9000", "9000:8000", "x"] {
            assert!(!valid_port(bad), "{bad}");
        }
    }
}
