//! DigitalOcean API v2 JSON shapes (only the fields Hangar reads) and their mapping to neutral
//! types. Schemas: `#/components/schemas/droplet`, `domain_record`, `size`, `region`, `image`,
//! `sshKeys`, `project`, `resource`, `account` in the DigitalOcean spec.

use serde::{Deserialize, Serialize};

use crate::provider::{
    AccountInfo, DnsRecord, DnsRecordSpec, DnsRecordType, DnsZone, Image, Machine, MachineStatus,
    Project, ProviderKind, Region, Size, SshKey,
};
use crate::providers::http::lifecycle::ActionState;

#[derive(Debug, Deserialize)]
pub struct Droplet {
    pub id: u64,
    pub name: String,
    pub status: String,
    pub created_at: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub networks: Networks,
    #[serde(default)]
    pub region: Option<RegionRef>,
    #[serde(default)]
    pub size_slug: Option<String>,
    #[serde(default)]
    pub size: Option<SizeRef>,
    #[serde(default)]
    pub image: Option<ImageRef>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Networks {
    #[serde(default)]
    pub v4: Vec<Network>,
    #[serde(default)]
    pub v6: Vec<Network>,
}

#[derive(Debug, Deserialize)]
pub struct Network {
    pub ip_address: String,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Deserialize)]
pub struct RegionRef {
    pub slug: String,
}

#[derive(Debug, Deserialize)]
pub struct SizeRef {
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub price_monthly: Option<f64>,
}

#[derive(Debug, Deserialize)]
pub struct ImageRef {
    #[serde(default)]
    pub id: Option<u64>,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub distribution: Option<String>,
}

impl ImageRef {
    /// The identifier to pass back on create: the slug, else the numeric id.
    fn identifier(&self) -> String {
        self.slug
            .clone()
            .or_else(|| self.id.map(|i| i.to_string()))
            .unwrap_or_default()
    }
}

/// The first address of `kind` (`public` or `private`, `network_v4.type`).
fn address_of(networks: &[Network], kind: &str) -> Option<String> {
    networks
        .iter()
        .find(|n| n.kind == kind && !n.ip_address.is_empty())
        .map(|n| n.ip_address.clone())
}

fn public(networks: &[Network]) -> Option<String> {
    address_of(networks, "public")
}

impl From<Droplet> for Machine {
    fn from(d: Droplet) -> Self {
        let status = match d.status.as_str() {
            "new" => MachineStatus::New,
            "active" => MachineStatus::Active,
            "off" => MachineStatus::Off,
            "archive" => MachineStatus::Archive,
            other => MachineStatus::Unknown(other.to_string()),
        };
        let size = d
            .size_slug
            .clone()
            .or_else(|| d.size.as_ref().and_then(|s| s.slug.clone()))
            .unwrap_or_default();
        Machine {
            id: d.id.to_string(),
            name: d.name,
            tags: d.tags,
            region: d.region.map(|r| r.slug).unwrap_or_default(),
            // An empty `networks.v4` (status `new`) means no IP yet.
            ipv4: public(&d.networks.v4),
            ipv6: public(&d.networks.v6),
            private_ipv4: address_of(&d.networks.v4, "private"),
            status,
            size,
            image: d
                .image
                .as_ref()
                .map(ImageRef::identifier)
                .unwrap_or_default(),
            image_name: d
                .image
                .as_ref()
                .and_then(|i| match (&i.distribution, &i.name) {
                    (Some(dist), Some(name)) => Some(format!("{dist} {name}")),
                    (None, Some(name)) => Some(name.clone()),
                    _ => None,
                }),
            created_at: d.created_at,
            price_monthly: d.size.and_then(|s| s.price_monthly),
        }
    }
}

/// `droplet_single_create`.
#[derive(Debug, Serialize)]
pub struct CreateDroplet<'a> {
    pub name: &'a str,
    pub region: &'a str,
    pub size: &'a str,
    /// A slug (string) or an id (integer).
    pub image: serde_json::Value,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ssh_keys: Vec<serde_json::Value>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub tags: &'a [String],
    /// Plain text, not base64.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_data: Option<&'a str>,
    pub ipv6: bool,
}

/// A number stays a number (id), anything else is a string (slug or fingerprint).
pub fn id_or_string(s: &str) -> serde_json::Value {
    match s.parse::<u64>() {
        Ok(n) => serde_json::Value::from(n),
        Err(_) => serde_json::Value::from(s),
    }
}

/// `#/components/schemas/action`: what a Droplet action answers, and what polling it reads.
#[derive(Debug, Deserialize)]
pub struct ActionWire {
    pub id: u64,
    /// `in-progress`, `completed` or `errored`.
    pub status: String,
}

#[derive(Debug, Deserialize)]
pub struct ActionEnvelope {
    pub action: ActionWire,
}

impl ActionWire {
    pub fn state(&self) -> ActionState {
        match self.status.as_str() {
            "completed" => ActionState::Done,
            "errored" => ActionState::Failed(format!("action {} errored", self.id)),
            _ => ActionState::Running,
        }
    }
}

/// `tags_resource`: the Droplets a tag is added to or removed from.
#[derive(Debug, Serialize)]
pub struct TagResources {
    pub resources: Vec<TagResource>,
}

#[derive(Debug, Serialize)]
pub struct TagResource {
    pub resource_id: String,
    pub resource_type: &'static str,
}

impl TagResources {
    pub fn droplet(id: u64) -> Self {
        Self {
            resources: vec![TagResource {
                resource_id: id.to_string(),
                resource_type: "droplet",
            }],
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct DropletEnvelope {
    pub droplet: Droplet,
}

#[derive(Debug, Deserialize)]
pub struct SshKeyWire {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub fingerprint: Option<String>,
    pub public_key: String,
}

impl From<SshKeyWire> for SshKey {
    fn from(k: SshKeyWire) -> Self {
        SshKey {
            id: k.id.to_string(),
            name: k.name,
            fingerprint: k.fingerprint,
            public_key: k.public_key,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct DomainWire {
    pub name: String,
}

impl From<DomainWire> for DnsZone {
    fn from(d: DomainWire) -> Self {
        DnsZone { name: d.name }
    }
}

/// `domain_record`, both directions. Absent fields are `null` in answers.
///
/// In bodies the nullable fields (`priority`, `port`, `weight`, `flags`, `tag`) are always sent,
/// `null` when unused: the create body's discriminator picks `domain_record_<type>`, and the
/// spec's `domain_record_ns`, `_srv` and `_txt` list `flags` and `tag` as required. `ttl` is not
/// nullable, so it is left out when unset (the provider's default).
#[derive(Debug, Serialize, Deserialize)]
pub struct RecordWire {
    #[serde(default, skip_serializing)]
    pub id: Option<u64>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub data: Option<String>,
    #[serde(default)]
    pub priority: Option<u32>,
    #[serde(default)]
    pub port: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u32>,
    #[serde(default)]
    pub weight: Option<u32>,
    #[serde(default)]
    pub flags: Option<u32>,
    #[serde(default)]
    pub tag: Option<String>,
}

impl From<&DnsRecordSpec> for RecordWire {
    fn from(r: &DnsRecordSpec) -> Self {
        RecordWire {
            id: None,
            kind: r.record_type.as_str().to_string(),
            name: Some(r.name.clone()),
            data: Some(r.data.clone()),
            priority: r.priority.map(u32::from),
            port: r.port.map(u32::from),
            ttl: r.ttl,
            weight: r.weight.map(u32::from),
            flags: r.flags.map(u32::from),
            tag: r.tag.clone(),
        }
    }
}

impl From<RecordWire> for DnsRecord {
    fn from(r: RecordWire) -> Self {
        DnsRecord {
            id: r.id.map(|i| i.to_string()).unwrap_or_default(),
            spec: DnsRecordSpec {
                record_type: DnsRecordType::parse(&r.kind),
                name: r.name.unwrap_or_else(|| "@".into()),
                data: r.data.unwrap_or_default(),
                ttl: r.ttl,
                priority: r.priority.and_then(|v| u16::try_from(v).ok()),
                port: r.port.and_then(|v| u16::try_from(v).ok()),
                weight: r.weight.and_then(|v| u16::try_from(v).ok()),
                flags: r.flags.and_then(|v| u8::try_from(v).ok()),
                tag: r.tag,
            },
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct RecordEnvelope {
    pub domain_record: RecordWire,
}

#[derive(Debug, Deserialize)]
pub struct ProjectWire {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub is_default: bool,
}

impl From<ProjectWire> for Project {
    fn from(p: ProjectWire) -> Self {
        Project {
            id: p.id,
            name: p.name,
            is_default: p.is_default,
        }
    }
}

/// POST `/v2/projects/{id}/resources` answer: per-resource status.
#[derive(Debug, Deserialize)]
pub struct AssignedResources {
    #[serde(default)]
    pub resources: Vec<AssignedResource>,
}

#[derive(Debug, Deserialize)]
pub struct AssignedResource {
    pub urn: String,
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct RegionWire {
    pub slug: String,
    pub name: String,
    pub available: bool,
}

impl From<RegionWire> for Region {
    fn from(r: RegionWire) -> Self {
        Region {
            slug: r.slug,
            name: r.name,
            available: r.available,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct SizeWire {
    pub slug: String,
    pub vcpus: u32,
    pub memory: u64,
    pub disk: u64,
    pub price_monthly: f64,
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default = "yes")]
    pub available: bool,
}

fn yes() -> bool {
    true
}

impl From<SizeWire> for Size {
    fn from(s: SizeWire) -> Self {
        Size {
            slug: s.slug,
            vcpus: s.vcpus,
            memory_mb: u32::try_from(s.memory).unwrap_or(u32::MAX),
            disk_gb: u32::try_from(s.disk).unwrap_or(u32::MAX),
            price_monthly: s.price_monthly,
            regions: s.regions,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ImageWire {
    #[serde(default)]
    pub id: Option<u64>,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub distribution: Option<String>,
}

impl From<ImageWire> for Image {
    fn from(i: ImageWire) -> Self {
        Image {
            id: i
                .slug
                .clone()
                .or_else(|| i.id.map(|n| n.to_string()))
                .unwrap_or_default(),
            distribution: i.distribution.unwrap_or_default(),
            name: i.name.unwrap_or_default(),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct AccountEnvelope {
    pub account: AccountWire,
}

#[derive(Debug, Deserialize)]
pub struct AccountWire {
    pub email: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

impl From<AccountWire> for AccountInfo {
    fn from(a: AccountWire) -> Self {
        AccountInfo {
            provider: ProviderKind::DigitalOcean,
            email: a.email,
            name: a.name,
            status: a.status,
        }
    }
}
