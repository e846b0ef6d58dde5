//! Linode API v4 JSON shapes (only the fields Hangar reads) and their mapping to neutral types.
//! Schemas: `#/components/schemas/Linode`, `SSHKey`, `Domain`, `DomainRecord`, `Region`,
//! `LinodeType`, `Image`, `Profile` and `PaginationEnvelope` in the Linode spec.

use std::fmt;
use std::net::Ipv4Addr;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};

use crate::provider::{
    AccountInfo, DnsRecord, DnsRecordSpec, DnsRecordType, Image, Machine, MachineStatus,
    ProviderKind, Region, Size, SshKey,
};

/// One page of a list: `{data[], page, pages, results}`.
#[derive(Debug, Deserialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    /// How many pages there are; the walk stops when `page >= pages`.
    #[serde(default = "one")]
    pub pages: u64,
}

fn one() -> u64 {
    1
}

/// A Linode as read. The schema marks no property as required, so everything but `id` has a
/// default.
#[derive(Debug, Deserialize)]
pub struct LinodeWire {
    pub id: i64,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub status: String,
    #[serde(default, rename = "type")]
    pub plan: Option<String>,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Public and private addresses mixed.
    #[serde(default)]
    pub ipv4: Vec<String>,
    /// The SLAAC address as `addr/128`, or null.
    #[serde(default)]
    pub ipv6: Option<String>,
    #[serde(default)]
    pub specs: Option<SpecsWire>,
    #[serde(default)]
    pub created: Option<String>,
}

/// `Linode.specs`: what the plan gives the Linode (disk and memory in MB).
#[derive(Debug, Default, Deserialize)]
pub struct SpecsWire {
    #[serde(default)]
    pub disk: u64,
}

/// Linode's status (`#/components/schemas/Linode/properties/status`) in neutral terms.
/// `provisioning` and the `booting` that follows a create are [`MachineStatus::New`];
/// `offline` and `stopped` (maintenance) are off. The transitional states (`rebooting`,
/// `shutting_down`, `deleting`, `migrating`, `rebuilding`, `cloning`, `restoring`) and any
/// status this version does not know are kept verbatim.
pub fn status_from_wire(status: &str) -> MachineStatus {
    match status {
        "running" => MachineStatus::Active,
        "provisioning" | "booting" => MachineStatus::New,
        "offline" | "stopped" => MachineStatus::Off,
        other => MachineStatus::Unknown(other.to_string()),
    }
}

/// Whether `ip` is in one of the private IPv4 blocks (10/8, 172.16/12, 192.168/16).
fn is_private_v4(ip: &Ipv4Addr) -> bool {
    ip.is_private()
}

/// The public address among `ipv4[]`: the first one outside the private blocks (and not
/// loopback, link-local or unspecified).
pub fn public_ipv4(addresses: &[String]) -> Option<String> {
    addresses.iter().find_map(|a| {
        let ip: Ipv4Addr = a.trim().parse().ok()?;
        let public =
            !is_private_v4(&ip) && !ip.is_loopback() && !ip.is_link_local() && !ip.is_unspecified();
        public.then(|| ip.to_string())
    })
}

/// The first private address among `ipv4[]`.
pub fn private_ipv4(addresses: &[String]) -> Option<String> {
    addresses.iter().find_map(|a| {
        let ip: Ipv4Addr = a.trim().parse().ok()?;
        is_private_v4(&ip).then(|| ip.to_string())
    })
}

/// Linode's timestamps (`2025-10-15T13:52:10.825Z` in the spec; the live API omits the zone)
/// are UTC: without an offset, `Z` is added so that the neutral value is RFC 3339.
pub fn rfc3339_utc(s: &str) -> String {
    let s = s.trim();
    let Some((_, time)) = s.split_once('T') else {
        return s.to_string();
    };
    let has_zone = time.ends_with('Z') || time.ends_with('z') || time.contains(['+', '-']);
    if has_zone || s.is_empty() {
        s.to_string()
    } else {
        format!("{s}Z")
    }
}

impl From<LinodeWire> for Machine {
    fn from(l: LinodeWire) -> Self {
        let ipv6 = l
            .ipv6
            .as_deref()
            .map(|a| a.split('/').next().unwrap_or_default().trim().to_string())
            .filter(|a| !a.is_empty() && a != "::");
        Machine {
            id: l.id.to_string(),
            name: l.label,
            tags: l.tags,
            region: l.region,
            ipv4: public_ipv4(&l.ipv4),
            ipv6,
            private_ipv4: private_ipv4(&l.ipv4),
            status: status_from_wire(&l.status),
            size: l.plan.unwrap_or_default(),
            image: l.image.unwrap_or_default(),
            image_name: None,
            created_at: l.created.as_deref().map(rfc3339_utc).unwrap_or_default(),
            price_monthly: None,
        }
    }
}

/// The root password of a create or a rebuild: serialized into the body, never shown by
/// `Debug`.
pub struct RootPass(pub SecretString);

impl fmt::Debug for RootPass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RootPass([REDACTED])")
    }
}

impl Serialize for RootPass {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.expose_secret())
    }
}

/// `metadata` of a create or a rebuild: cloud-init user data, base64.
#[derive(Debug, Serialize)]
pub struct MetadataWire {
    pub user_data: String,
}

/// POST `/linode/instances` body (`#/components/schemas/LinodeRequest`, plus `metadata`).
#[derive(Debug, Serialize)]
pub struct CreateLinode<'a> {
    #[serde(rename = "type")]
    pub plan: &'a str,
    pub region: &'a str,
    pub image: &'a str,
    pub label: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub tags: &'a [String],
    pub root_pass: RootPass,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authorized_keys: Vec<String>,
    pub booted: bool,
    /// Not in the vendored spec (4.151.1); later versions and the live API accept it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<MetadataWire>,
}

#[derive(Debug, Deserialize)]
pub struct SshKeyWire {
    pub id: i64,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub ssh_key: String,
}

impl From<SshKeyWire> for SshKey {
    fn from(k: SshKeyWire) -> Self {
        SshKey {
            id: k.id.to_string(),
            name: k.label,
            fingerprint: None,
            public_key: k.ssh_key,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct DomainWire {
    pub id: i64,
    pub domain: String,
}

/// `DomainRecord` as read.
#[derive(Debug, Deserialize)]
pub struct RecordWire {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub ttl_sec: Option<u32>,
    #[serde(default)]
    pub priority: Option<i64>,
    #[serde(default)]
    pub weight: Option<i64>,
    #[serde(default)]
    pub port: Option<i64>,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub protocol: Option<String>,
    #[serde(default)]
    pub tag: Option<String>,
}

/// POST / PUT record body. `type` is sent on create only (the update request has none).
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct RecordBody {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl_sec: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

/// Neutral name (`@` = apex) to Linode's, which is relative to the domain with `""` for the
/// apex.
pub fn name_to_wire(name: &str) -> String {
    let name = name.trim();
    if name == "@" {
        String::new()
    } else {
        name.to_string()
    }
}

/// Linode's name ("The hostname or FQDN of the Record") to neutral: empty or the domain itself
/// is the apex; `x.<domain>` becomes `x`.
pub fn name_from_wire(name: &str, zone: &str) -> String {
    let name = name.trim().trim_end_matches('.');
    if name.is_empty() || name.eq_ignore_ascii_case(zone) {
        return "@".into();
    }
    // ASCII lower-casing keeps byte offsets, so the relative part can be cut from `name`.
    let suffix = format!(".{}", zone.to_ascii_lowercase());
    match name.to_ascii_lowercase().strip_suffix(&suffix) {
        Some(relative) if !relative.is_empty() => name[..relative.len()].to_string(),
        _ => name.to_string(),
    }
}

/// An SRV name `_service._proto` (optionally followed by more labels, which Linode cannot
/// express) split into Linode's `service` and `protocol`, without their underscores (Linode
/// prepends them).
pub fn srv_parts(name: &str) -> Option<(String, String)> {
    let mut labels = name.trim().split('.');
    let service = labels.next()?.strip_prefix('_')?;
    let protocol = labels.next()?.strip_prefix('_')?;
    if service.is_empty() || protocol.is_empty() || labels.next().is_some() {
        return None;
    }
    Some((service.to_string(), protocol.to_string()))
}

/// The body for `spec`. Callers check SRV names with [`srv_parts`] and CAA flags first: a name
/// that is not `_service._proto` sends no service.
pub fn body_from_spec(spec: &DnsRecordSpec, with_type: bool) -> RecordBody {
    let kind = with_type.then(|| spec.record_type.as_str().to_string());
    let mut body = RecordBody {
        kind,
        name: Some(name_to_wire(&spec.name)),
        target: spec.data.clone(),
        ttl_sec: spec.ttl,
        priority: None,
        weight: None,
        port: None,
        service: None,
        protocol: None,
        tag: None,
    };
    match spec.record_type {
        DnsRecordType::MX => body.priority = Some(spec.priority.unwrap_or(0)),
        DnsRecordType::SRV => {
            // "SRV: Unused. Use the `service` property to set the service name".
            body.name = None;
            if let Some((service, protocol)) = srv_parts(&spec.name) {
                body.service = Some(service);
                body.protocol = Some(protocol);
            }
            body.priority = Some(spec.priority.unwrap_or(0));
            body.weight = Some(spec.weight.unwrap_or(0));
            body.port = Some(spec.port.unwrap_or(0));
        }
        DnsRecordType::CAA => {
            body.tag = Some(spec.tag.clone().unwrap_or_else(|| "issue".into()));
            body.target = spec.data.trim_matches('"').to_string();
        }
        _ => {}
    }
    body
}

/// A record as read, in neutral terms.
pub fn record_from_wire(r: RecordWire, zone: &str) -> DnsRecord {
    let record_type = DnsRecordType::parse(&r.kind);
    let u16_of = |v: Option<i64>| v.and_then(|n| u16::try_from(n).ok());
    let name = match (&record_type, r.service.as_deref(), r.protocol.as_deref()) {
        (DnsRecordType::SRV, Some(service), Some(protocol))
            if !service.is_empty() && !protocol.is_empty() =>
        {
            let clean = |s: &str| {
                s.trim()
                    .trim_start_matches('_')
                    .trim_end_matches('.')
                    .to_string()
            };
            format!("_{}._{}", clean(service), clean(protocol))
        }
        _ => name_from_wire(r.name.as_deref().unwrap_or_default(), zone),
    };
    let mut spec = DnsRecordSpec::new(record_type.clone(), name, r.target.unwrap_or_default());
    // 0 is the domain's default.
    spec.ttl = r.ttl_sec.filter(|t| *t > 0);
    match record_type {
        DnsRecordType::MX => spec.priority = u16_of(r.priority),
        DnsRecordType::SRV => {
            spec.priority = u16_of(r.priority);
            spec.weight = u16_of(r.weight);
            spec.port = u16_of(r.port);
        }
        DnsRecordType::CAA => {
            // Linode has no flags field: its CAA records carry flags 0.
            spec.flags = Some(0);
            spec.tag = r.tag;
        }
        _ => {}
    }
    DnsRecord {
        id: r.id.to_string(),
        spec,
    }
}

#[derive(Debug, Deserialize)]
pub struct RegionWire {
    pub id: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub capabilities: Vec<String>,
    #[serde(default)]
    pub status: Option<String>,
}

impl From<RegionWire> for Region {
    fn from(r: RegionWire) -> Self {
        let up = r.status.as_deref().is_none_or(|s| s == "ok");
        // A region that lists capabilities but not "Linodes" takes no machines.
        let takes_linodes =
            r.capabilities.is_empty() || r.capabilities.iter().any(|c| c == "Linodes");
        let name = match (r.label.is_empty(), r.country.is_empty()) {
            (true, _) => r.id.clone(),
            (false, true) => r.label,
            (false, false) => format!("{} ({})", r.label, r.country.to_uppercase()),
        };
        Region {
            slug: r.id,
            name,
            available: up && takes_linodes,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct TypeWire {
    pub id: String,
    #[serde(default)]
    pub vcpus: u32,
    /// MB (the spec states no unit; its example is 4096 for "Linode 4GB").
    #[serde(default)]
    pub memory: u64,
    /// MB.
    #[serde(default)]
    pub disk: u64,
    #[serde(default)]
    pub price: Option<PriceWire>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PriceWire {
    #[serde(default)]
    pub monthly: Option<f64>,
    #[serde(default)]
    pub hourly: Option<f64>,
}

/// A plan as a [`Size`]. Linode offers every type in every region, so `regions` is the whole
/// region list.
pub fn size_from_wire(t: TypeWire, regions: &[String]) -> Size {
    let price = t.price.unwrap_or_default();
    Size {
        slug: t.id,
        vcpus: t.vcpus,
        memory_mb: u32::try_from(t.memory).unwrap_or(u32::MAX),
        disk_gb: u32::try_from(t.disk / 1024).unwrap_or(u32::MAX),
        // A type with only an hourly price: 730 hours a month, as Linode bills.
        price_monthly: price
            .monthly
            .or(price.hourly.map(|h| (h * 730.0 * 100.0).round() / 100.0))
            .unwrap_or(0.0),
        regions: regions.to_vec(),
    }
}

#[derive(Debug, Deserialize)]
pub struct ImageWire {
    pub id: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub vendor: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(default)]
    pub is_public: Option<bool>,
}

impl ImageWire {
    /// A public distribution image that can be deployed now.
    pub fn is_deployable_distribution(&self) -> bool {
        self.id.starts_with("linode/")
            && self.status.as_deref().is_none_or(|s| s == "available")
            && !self.deprecated
            && self.is_public != Some(false)
    }
}

impl From<ImageWire> for Image {
    fn from(i: ImageWire) -> Self {
        let distribution = i.vendor.filter(|v| !v.is_empty()).unwrap_or_else(|| {
            i.id.trim_start_matches("linode/")
                .trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')
                .to_string()
        });
        Image {
            name: if i.label.is_empty() {
                i.id.clone()
            } else {
                i.label
            },
            id: i.id,
            distribution,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ProfileWire {
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub email: String,
}

impl From<ProfileWire> for AccountInfo {
    fn from(p: ProfileWire) -> Self {
        AccountInfo {
            provider: ProviderKind::Linode,
            email: p.email,
            name: p.username,
            // The profile has no account status.
            status: None,
        }
    }
}
