//! Cloud Firewalls: `/networking/firewalls` (`#/components/schemas/Firewall`), their rules
//! (`/rules`, `#/components/schemas/FirewallRuleConfig`), their devices (`/devices`, Linodes
//! only) and `GET /linode/instances/{linodeId}/firewalls`.
//!
//! What is checked: a firewall's `label` follows the Linode label rules with 3 to 32
//! characters and is unique; `rules` is required on create, with `inbound_policy` and
//! `outbound_policy` (`ACCEPT` or `DROP`); each rule has `action` (`ACCEPT`, `DROP`),
//! `protocol` (`TCP`, `UDP`, `ICMP`, `IPENCAP`) and `addresses` (IPv4 and IPv6 networks in
//! `IP/mask` form); `ports` (`"22-24, 80, 443"`) only for TCP and UDP; a rule's `label` is 3
//! to 32 characters and its `description` 1 to 100; at most 25 rules in all. A Linode can be
//! a device of one firewall at a time; deleting the Linode removes it from its firewall.

use std::net::IpAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{LinodeError, LinodeResult, empty, lock_world, ok, paginated, parse_body, path_id};
use crate::clock::{rfc3339_z, unix_now};
use crate::state::Shared;

const FIREWALL_IDS: u64 = 870_000;
const DEVICE_IDS: u64 = 1_230_000;
/// "A Firewall may have up to 25 rules across its inbound and outbound rulesets."
const MAX_RULES: usize = 25;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    action: Option<String>,
    protocol: Option<String>,
    ports: Option<String>,
    addresses: Option<Addresses>,
    label: Option<String>,
    description: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Addresses {
    ipv4: Option<Vec<String>>,
    ipv6: Option<Vec<String>>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Rules {
    #[serde(default)]
    inbound: Vec<Rule>,
    #[serde(default)]
    outbound: Vec<Rule>,
    inbound_policy: Option<String>,
    outbound_policy: Option<String>,
}

pub struct Device {
    pub id: u64,
    pub linode_id: u64,
    pub created_unix: u64,
}

pub struct Firewall {
    pub id: u64,
    pub label: String,
    pub status: String,
    pub tags: Vec<String>,
    pub rules: Rules,
    pub devices: Vec<Device>,
    pub created_unix: u64,
    pub updated_unix: u64,
}

/// Every firewall, in creation order.
#[derive(Default)]
pub struct Firewalls {
    pub list: Vec<Firewall>,
    next: u64,
}

impl Firewalls {
    fn next_id(&mut self, base: u64) -> u64 {
        self.next += 1;
        base + self.next
    }

    fn get(&self, id: u64) -> Result<&Firewall, LinodeError> {
        self.list
            .iter()
            .find(|f| f.id == id)
            .ok_or_else(LinodeError::not_found)
    }

    fn get_mut(&mut self, id: u64) -> Result<&mut Firewall, LinodeError> {
        self.list
            .iter_mut()
            .find(|f| f.id == id)
            .ok_or_else(LinodeError::not_found)
    }

    /// Removes a deleted Linode from its firewall.
    pub fn forget_linode(&mut self, linode_id: u64) {
        for f in &mut self.list {
            f.devices.retain(|d| d.linode_id != linode_id);
        }
    }
}

fn check_label(label: &str, field: &str) -> Result<(), LinodeError> {
    if !(3..=32).contains(&label.chars().count()) {
        return Err(LinodeError::field(
            field,
            "Label must be between 3 and 32 characters.",
        ));
    }
    super::instances::check_label(label).map_err(|_| {
        LinodeError::field(
            field,
            "Label must begin and end with a letter or number and include only letters, numbers, dashes, underscores and periods, with no two in a row.",
        )
    })
}

fn check_network(s: &str, v6: bool, field: &str) -> Result<(), LinodeError> {
    let bad = || LinodeError::field(field, format!("{s} is not a valid network in IP/mask form"));
    let (ip, mask) = s.split_once('/').ok_or_else(bad)?;
    let ip: IpAddr = ip.parse().map_err(|_| bad())?;
    let mask: u8 = mask.parse().map_err(|_| bad())?;
    let ok = match ip {
        IpAddr::V4(_) => !v6 && mask <= 32,
        IpAddr::V6(_) => v6 && mask <= 128,
    };
    if ok { Ok(()) } else { Err(bad()) }
}

fn check_ports(ports: &str, field: &str) -> Result<(), LinodeError> {
    let bad = || {
        LinodeError::field(
            field,
            format!("Invalid ports {ports:?}: use ports and ranges like \"22-24, 80, 443\""),
        )
    };
    let port = |p: &str| p.trim().parse::<u16>().ok().filter(|p| *p >= 1);
    for part in ports.split(',') {
        match part.split_once('-') {
            Some((lo, hi)) => match (port(lo), port(hi)) {
                (Some(lo), Some(hi)) if lo < hi => {}
                _ => return Err(bad()),
            },
            None => {
                port(part).ok_or_else(bad)?;
            }
        }
    }
    Ok(())
}

fn check_policy(p: &Option<String>, field: &str) -> Result<(), LinodeError> {
    match p.as_deref() {
        Some("ACCEPT" | "DROP") => Ok(()),
        None => Err(LinodeError::field(field, format!("{field} is required"))),
        Some(_) => Err(LinodeError::field(field, "Must be ACCEPT or DROP")),
    }
}

fn check_rules(rules: &Rules) -> Result<(), LinodeError> {
    check_policy(&rules.inbound_policy, "rules.inbound_policy")?;
    check_policy(&rules.outbound_policy, "rules.outbound_policy")?;
    if rules.inbound.len() + rules.outbound.len() > MAX_RULES {
        return Err(LinodeError::field(
            "rules",
            "A Firewall may have up to 25 rules across its inbound and outbound rulesets.",
        ));
    }
    for (set, list) in [("inbound", &rules.inbound), ("outbound", &rules.outbound)] {
        for (i, r) in list.iter().enumerate() {
            let field = |f: &str| format!("rules.{set}[{i}].{f}");
            match r.action.as_deref() {
                Some("ACCEPT" | "DROP") => {}
                _ => {
                    return Err(LinodeError::field(
                        &field("action"),
                        "Must be ACCEPT or DROP",
                    ));
                }
            }
            let protocol = r.protocol.as_deref().unwrap_or("");
            if !matches!(protocol, "TCP" | "UDP" | "ICMP" | "IPENCAP") {
                return Err(LinodeError::field(
                    &field("protocol"),
                    "Must be TCP, UDP, ICMP or IPENCAP",
                ));
            }
            if let Some(ports) = &r.ports {
                if !matches!(protocol, "TCP" | "UDP") {
                    return Err(LinodeError::field(
                        &field("ports"),
                        format!("Ports are not allowed for the {protocol} protocol"),
                    ));
                }
                check_ports(ports, &field("ports"))?;
            }
            let Some(addresses) = &r.addresses else {
                return Err(LinodeError::field(
                    &field("addresses"),
                    "addresses is required",
                ));
            };
            for a in addresses.ipv4.iter().flatten() {
                check_network(a, false, &field("addresses.ipv4"))?;
            }
            for a in addresses.ipv6.iter().flatten() {
                check_network(a, true, &field("addresses.ipv6"))?;
            }
            if let Some(l) = &r.label
                && !(3..=32).contains(&l.chars().count())
            {
                return Err(LinodeError::field(
                    &field("label"),
                    "Length must be 3-32 characters",
                ));
            }
            if let Some(d) = &r.description
                && !(1..=100).contains(&d.chars().count())
            {
                return Err(LinodeError::field(
                    &field("description"),
                    "Length must be 1-100 characters",
                ));
            }
        }
    }
    Ok(())
}

fn rule_json(r: &Rule) -> Value {
    let mut addresses = serde_json::Map::new();
    let a = r.addresses.clone().unwrap_or_default();
    if let Some(v4) = a.ipv4 {
        addresses.insert("ipv4".into(), json!(v4));
    }
    if let Some(v6) = a.ipv6 {
        addresses.insert("ipv6".into(), json!(v6));
    }
    let mut v = json!({ "action": r.action, "protocol": r.protocol, "addresses": addresses });
    for (k, x) in [
        ("ports", &r.ports),
        ("label", &r.label),
        ("description", &r.description),
    ] {
        if let Some(x) = x {
            v[k] = json!(x);
        }
    }
    v
}

fn rules_json(r: &Rules) -> Value {
    json!({
        "inbound": r.inbound.iter().map(rule_json).collect::<Vec<_>>(),
        "outbound": r.outbound.iter().map(rule_json).collect::<Vec<_>>(),
        "inbound_policy": r.inbound_policy,
        "outbound_policy": r.outbound_policy,
    })
}

fn firewall_json(f: &Firewall) -> Value {
    json!({
        "id": f.id,
        "label": f.label,
        "status": f.status,
        "tags": f.tags,
        "rules": rules_json(&f.rules),
        "created": rfc3339_z(f.created_unix),
        "updated": rfc3339_z(f.updated_unix),
    })
}

fn device_json(d: &Device, label: &str) -> Value {
    json!({
        "id": d.id,
        "created": rfc3339_z(d.created_unix),
        "updated": rfc3339_z(d.created_unix),
        "entity": {
            "id": d.linode_id,
            "type": "linode",
            "label": label,
            "url": format!("/v4/linode/instances/{}", d.linode_id),
        },
    })
}

pub async fn list(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> LinodeResult {
    let world = lock_world(&shared);
    let items = world.firewalls.list.iter().map(firewall_json).collect();
    paginated(&raw, &headers, &["id", "label", "status", "tags"], items)
}

#[derive(Deserialize)]
struct DeviceIds {
    linodes: Option<Vec<u64>>,
}

#[derive(Deserialize)]
struct CreateBody {
    label: Option<String>,
    rules: Option<Rules>,
    tags: Option<Vec<String>>,
    devices: Option<DeviceIds>,
}

pub async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> LinodeResult {
    let body: CreateBody = parse_body(&body)?;
    let label = body
        .label
        .ok_or_else(|| LinodeError::field("label", "label is required"))?;
    check_label(&label, "label")?;
    let rules = body
        .rules
        .ok_or_else(|| LinodeError::field("rules", "rules is required"))?;
    check_rules(&rules)?;
    let linodes = body.devices.and_then(|d| d.linodes).unwrap_or_default();
    let mut world = lock_world(&shared);
    if world.firewalls.list.iter().any(|f| f.label == label) {
        return Err(LinodeError::field(
            "label",
            "Label must be unique among your Firewalls",
        ));
    }
    for l in &linodes {
        check_attachable(&world, *l, "devices.linodes")?;
    }
    let now = unix_now();
    let id = world.firewalls.next_id(FIREWALL_IDS);
    let mut devices = Vec::new();
    for l in linodes {
        devices.push(Device {
            id: world.firewalls.next_id(DEVICE_IDS),
            linode_id: l,
            created_unix: now,
        });
    }
    let f = Firewall {
        id,
        label,
        status: "enabled".into(),
        tags: body.tags.unwrap_or_default(),
        rules,
        devices,
        created_unix: now,
        updated_unix: now,
    };
    let json = firewall_json(&f);
    world.firewalls.list.push(f);
    ok(json)
}

/// A Linode may join a firewall when it exists and is in no firewall yet.
fn check_attachable(
    world: &super::world::LinodeWorld,
    linode_id: u64,
    field: &str,
) -> Result<(), LinodeError> {
    if !world.instances.contains_key(&linode_id) {
        return Err(LinodeError::field(
            field,
            format!("Linode {linode_id} was not found"),
        ));
    }
    if world
        .firewalls
        .list
        .iter()
        .any(|f| f.devices.iter().any(|d| d.linode_id == linode_id))
    {
        return Err(LinodeError::field(
            field,
            format!("Linode {linode_id} already belongs to a Firewall"),
        ));
    }
    Ok(())
}

pub async fn get_one(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> LinodeResult {
    let id = path_id(&id)?;
    let world = lock_world(&shared);
    ok(firewall_json(world.firewalls.get(id)?))
}

#[derive(Deserialize)]
struct UpdateBody {
    label: Option<String>,
    status: Option<String>,
    tags: Option<Vec<String>>,
}

pub async fn update(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> LinodeResult {
    let id = path_id(&id)?;
    let body: UpdateBody = parse_body(&body)?;
    if let Some(l) = &body.label {
        check_label(l, "label")?;
    }
    if let Some(s) = &body.status
        && !matches!(s.as_str(), "enabled" | "disabled")
    {
        return Err(LinodeError::field("status", "Must be enabled or disabled"));
    }
    let mut world = lock_world(&shared);
    world.firewalls.get(id)?;
    if let Some(l) = &body.label
        && world
            .firewalls
            .list
            .iter()
            .any(|f| f.id != id && &f.label == l)
    {
        return Err(LinodeError::field(
            "label",
            "Label must be unique among your Firewalls",
        ));
    }
    let f = world.firewalls.get_mut(id)?;
    if let Some(v) = body.label {
        f.label = v;
    }
    if let Some(v) = body.status {
        f.status = v;
    }
    if let Some(v) = body.tags {
        f.tags = v;
    }
    f.updated_unix = unix_now();
    ok(firewall_json(f))
}

pub async fn delete(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> LinodeResult {
    let id = path_id(&id)?;
    let mut world = lock_world(&shared);
    world.firewalls.get(id)?;
    world.firewalls.list.retain(|f| f.id != id);
    empty()
}

pub async fn get_rules(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> LinodeResult {
    let id = path_id(&id)?;
    let world = lock_world(&shared);
    ok(rules_json(&world.firewalls.get(id)?.rules))
}

/// PUT `/rules` replaces the whole rule set and answers it.
pub async fn set_rules(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> LinodeResult {
    let id = path_id(&id)?;
    let rules: Rules = parse_body(&body)?;
    let mut world = lock_world(&shared);
    let f = world.firewalls.get_mut(id)?;
    let rules = Rules {
        inbound_policy: rules
            .inbound_policy
            .or_else(|| f.rules.inbound_policy.clone()),
        outbound_policy: rules
            .outbound_policy
            .or_else(|| f.rules.outbound_policy.clone()),
        ..rules
    };
    check_rules(&rules)?;
    f.rules = rules;
    f.updated_unix = unix_now();
    ok(rules_json(&f.rules))
}

pub async fn list_devices(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> LinodeResult {
    let id = path_id(&id)?;
    let world = lock_world(&shared);
    let f = world.firewalls.get(id)?;
    let items = f
        .devices
        .iter()
        .map(|d| device_json(d, &label_of(&world, d.linode_id)))
        .collect();
    paginated(&raw, &headers, &["id"], items)
}

fn label_of(world: &super::world::LinodeWorld, linode_id: u64) -> String {
    world
        .instances
        .get(&linode_id)
        .map(|i| i.label.clone())
        .unwrap_or_default()
}

#[derive(Deserialize)]
struct DeviceBody {
    id: Option<u64>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

pub async fn create_device(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> LinodeResult {
    let id = path_id(&id)?;
    let body: DeviceBody = parse_body(&body)?;
    let linode_id = body
        .id
        .ok_or_else(|| LinodeError::field("id", "id is required"))?;
    if body.kind.as_deref() != Some("linode") {
        return Err(LinodeError::field(
            "type",
            "Only Linodes can be Firewall devices here",
        ));
    }
    let mut world = lock_world(&shared);
    world.firewalls.get(id)?;
    check_attachable(&world, linode_id, "id")?;
    let device_id = world.firewalls.next_id(DEVICE_IDS);
    let device = Device {
        id: device_id,
        linode_id,
        created_unix: unix_now(),
    };
    let json = device_json(&device, &label_of(&world, linode_id));
    world.firewalls.get_mut(id)?.devices.push(device);
    ok(json)
}

fn find_device(f: &Firewall, device_id: u64) -> Result<&Device, LinodeError> {
    f.devices
        .iter()
        .find(|d| d.id == device_id)
        .ok_or_else(LinodeError::not_found)
}

pub async fn get_device(
    State(shared): State<Arc<Shared>>,
    Path((id, device)): Path<(String, String)>,
) -> LinodeResult {
    let (id, device) = (path_id(&id)?, path_id(&device)?);
    let world = lock_world(&shared);
    let d = find_device(world.firewalls.get(id)?, device)?;
    ok(device_json(d, &label_of(&world, d.linode_id)))
}

pub async fn delete_device(
    State(shared): State<Arc<Shared>>,
    Path((id, device)): Path<(String, String)>,
) -> LinodeResult {
    let (id, device) = (path_id(&id)?, path_id(&device)?);
    let mut world = lock_world(&shared);
    let f = world.firewalls.get_mut(id)?;
    find_device(f, device)?;
    f.devices.retain(|d| d.id != device);
    empty()
}

/// GET `/linode/instances/{linodeId}/firewalls`: the firewalls the Linode is a device of.
pub async fn of_linode(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> LinodeResult {
    let id = path_id(&id)?;
    let world = lock_world(&shared);
    if !world.instances.contains_key(&id) {
        return Err(LinodeError::not_found());
    }
    let items = world
        .firewalls
        .list
        .iter()
        .filter(|f| f.devices.iter().any(|d| d.linode_id == id))
        .map(firewall_json)
        .collect();
    paginated(&raw, &headers, &["id", "label"], items)
}
