//! Vultr API v2 JSON shapes (only the fields Hangar reads) and their mapping to neutral types.
//! Schemas: `#/components/schemas/instance`, `dns-record`, `ssh`, `plans`, `region`, `os`,
//! `account` in the Vultr spec.

use serde::{Deserialize, Serialize};

use crate::provider::{
    AccountInfo, DnsRecord, DnsRecordSpec, DnsRecordType, Image, Machine, MachineStatus,
    ProviderKind, Region, Size, SshKey,
};

/// Vultr's "no address yet" value of `main_ip`.
pub const NO_IP: &str = "0.0.0.0";

#[derive(Debug, Deserialize)]
pub struct Instance {
    pub id: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub hostname: String,
    #[serde(default)]
    pub main_ip: String,
    #[serde(default)]
    pub v6_main_ip: Option<String>,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub plan: String,
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub os_id: Option<i64>,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub power_status: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub date_created: String,
    /// Set only when the instance is attached to a VPC.
    #[serde(default)]
    pub internal_ip: Option<String>,
}

fn some_address(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty() && s != NO_IP && s != "::").then(|| s.to_string())
}

impl From<Instance> for Machine {
    fn from(i: Instance) -> Self {
        // `status` is active/pending/suspended/resizing; `power_status` running/stopped. Both are
        // documented in prose only, so unknown values are kept verbatim.
        let status = match (i.status.as_str(), i.power_status.as_str()) {
            ("pending", _) => MachineStatus::New,
            ("active", "stopped") => MachineStatus::Off,
            ("active", _) => MachineStatus::Active,
            (other, _) => MachineStatus::Unknown(other.to_string()),
        };
        Machine {
            id: i.id,
            name: if i.label.is_empty() {
                i.hostname
            } else {
                i.label
            },
            tags: i.tags,
            region: i.region,
            ipv4: some_address(&i.main_ip),
            ipv6: i.v6_main_ip.as_deref().and_then(some_address),
            private_ipv4: i.internal_ip.as_deref().and_then(some_address),
            status,
            size: i.plan,
            image: i.os_id.map(|n| n.to_string()).unwrap_or_default(),
            image_name: (!i.os.is_empty()).then_some(i.os),
            created_at: i.date_created,
            price_monthly: None,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct InstanceEnvelope {
    pub instance: Instance,
}

/// POST `/instances` body.
#[derive(Debug, Serialize)]
pub struct CreateInstance<'a> {
    pub region: &'a str,
    pub plan: &'a str,
    /// The deploy source: exactly one of `os_id` and `snapshot_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<&'a str>,
    pub label: &'a str,
    pub hostname: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub sshkey_id: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub tags: &'a [String],
    /// Base64, as the spec requires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_data: Option<String>,
    pub enable_ipv6: bool,
}

#[derive(Debug, Deserialize)]
pub struct SshKeyWire {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub ssh_key: String,
}

impl From<SshKeyWire> for SshKey {
    fn from(k: SshKeyWire) -> Self {
        SshKey {
            id: k.id,
            name: k.name,
            fingerprint: None,
            public_key: k.ssh_key,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct DomainWire {
    pub domain: String,
}

/// `dns-record` as read.
#[derive(Debug, Deserialize)]
pub struct RecordWire {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub data: String,
    #[serde(default)]
    pub priority: Option<i64>,
    #[serde(default)]
    pub ttl: Option<u32>,
}

#[derive(Debug, Deserialize)]
pub struct RecordEnvelope {
    pub record: RecordWire,
}

/// POST/PATCH record body. `type` is only sent on create (PATCH does not take it).
#[derive(Debug, Serialize)]
pub struct RecordBody {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub name: String,
    pub data: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u16>,
}

/// Neutral name (`@` = apex, relative names) to Vultr's (empty = apex).
pub fn name_to_wire(name: &str) -> String {
    if name == "@" {
        String::new()
    } else {
        name.to_string()
    }
}

/// Vultr's name to neutral: empty or the zone itself is the apex; `x.zone` becomes `x`.
pub fn name_from_wire(name: &str, zone: &str) -> String {
    let name = name.trim_end_matches('.');
    if name.is_empty() || name.eq_ignore_ascii_case(zone) {
        return "@".into();
    }
    match name.strip_suffix(&format!(".{zone}")) {
        Some(relative) if !relative.is_empty() => relative.to_string(),
        _ => name.to_string(),
    }
}

/// Vultr keeps one `data` string and a `priority`. SRV data is `"weight port target"`, CAA data
/// is `flags tag "value"`: the neutral fields are packed into / unpacked from it.
pub fn body_from_spec(spec: &DnsRecordSpec, with_type: bool) -> RecordBody {
    let data = match spec.record_type {
        DnsRecordType::SRV => format!(
            "{} {} {}",
            spec.weight.unwrap_or(0),
            spec.port.unwrap_or(0),
            spec.data
        ),
        DnsRecordType::CAA => format!(
            "{} {} \"{}\"",
            spec.flags.unwrap_or(0),
            spec.tag.as_deref().unwrap_or("issue"),
            spec.data.trim_matches('"')
        ),
        _ => spec.data.clone(),
    };
    let priority = match spec.record_type {
        DnsRecordType::MX | DnsRecordType::SRV => Some(spec.priority.unwrap_or(0)),
        _ => spec.priority,
    };
    RecordBody {
        kind: with_type.then(|| spec.record_type.as_str().to_string()),
        name: name_to_wire(&spec.name),
        data,
        ttl: spec.ttl,
        priority,
    }
}

/// The inverse of [`body_from_spec`].
pub fn record_from_wire(r: RecordWire, zone: &str) -> DnsRecord {
    let record_type = DnsRecordType::parse(&r.kind);
    let mut spec = DnsRecordSpec::new(record_type.clone(), name_from_wire(&r.name, zone), r.data);
    spec.ttl = r.ttl;
    spec.priority = match record_type {
        DnsRecordType::MX | DnsRecordType::SRV => r.priority.and_then(|p| u16::try_from(p).ok()),
        _ => None,
    };
    match record_type {
        DnsRecordType::SRV => {
            let parts: Vec<&str> = spec.data.split_whitespace().collect();
            if let [weight, port, target] = parts[..]
                && let (Ok(w), Ok(p)) = (weight.parse(), port.parse())
            {
                spec.weight = Some(w);
                spec.port = Some(p);
                spec.data = target.to_string();
            }
        }
        DnsRecordType::CAA => {
            let mut parts = spec.data.splitn(3, ' ');
            if let (Some(flags), Some(tag), Some(value)) =
                (parts.next(), parts.next(), parts.next())
                && let Ok(f) = flags.parse()
            {
                spec.flags = Some(f);
                spec.tag = Some(tag.to_string());
                spec.data = value.trim_matches('"').to_string();
            }
        }
        _ => {}
    }
    DnsRecord { id: r.id, spec }
}

#[derive(Debug, Deserialize)]
pub struct RegionWire {
    pub id: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub country: String,
}

impl From<RegionWire> for Region {
    fn from(r: RegionWire) -> Self {
        Region {
            name: if r.country.is_empty() {
                r.city
            } else {
                format!("{} ({})", r.city, r.country)
            },
            slug: r.id,
            // The list has no availability flag; a listed region accepts deployments.
            available: true,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct PlanWire {
    pub id: String,
    pub vcpu_count: u32,
    pub ram: u64,
    pub disk: u64,
    /// Typed integer in the spec; read as a number so a fractional price cannot break parsing.
    pub monthly_cost: f64,
    #[serde(default)]
    pub locations: Vec<String>,
}

impl From<PlanWire> for Size {
    fn from(p: PlanWire) -> Self {
        Size {
            slug: p.id,
            vcpus: p.vcpu_count,
            memory_mb: u32::try_from(p.ram).unwrap_or(u32::MAX),
            disk_gb: u32::try_from(p.disk).unwrap_or(u32::MAX),
            price_monthly: p.monthly_cost,
            regions: p.locations,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct OsWire {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub family: String,
}

impl From<OsWire> for Image {
    fn from(o: OsWire) -> Self {
        Image {
            id: o.id.to_string(),
            distribution: o.family,
            name: o.name,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct AccountEnvelope {
    pub account: AccountWire,
}

#[derive(Debug, Deserialize)]
pub struct AccountWire {
    #[serde(default)]
    pub name: Option<String>,
    pub email: String,
}

impl From<AccountWire> for AccountInfo {
    fn from(a: AccountWire) -> Self {
        AccountInfo {
            provider: ProviderKind::Vultr,
            email: a.email,
            name: a.name,
            status: None,
        }
    }
}
