//! Provider-neutral types: what a caller of [`CloudProvider`](super::CloudProvider) sees.
//!
//! No provider's wire format leaks through here. Ids are strings on every provider (DigitalOcean's
//! integer ids are rendered in decimal). Field names are camelCase for the UI.

use std::fmt;

use serde::{Deserialize, Serialize};

pub use crate::providers::registry::ProviderKind;

/// What optional features a provider offers, for a UI that greys out what is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    /// Machines can be assigned to projects (see [`Projects`](super::Projects)).
    pub projects: bool,
    /// SSH can be let in from one address for a while (see
    /// [`FirewallAccess`](super::FirewallAccess)).
    pub firewall: bool,
    /// Machines can move to another plan (see [`Resize`](super::Resize)).
    pub resize: bool,
    /// Machines can be reinstalled from an image (see [`Rebuild`](super::Rebuild)).
    pub rebuild: bool,
    /// Machines can be snapshotted, and created from a snapshot (see
    /// [`Snapshots`](super::Snapshots)).
    pub snapshots: bool,
}

/// Life-cycle state of a machine, mapped from each provider's status fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum MachineStatus {
    /// Being provisioned; usually no public IP yet.
    New,
    /// Running.
    Active,
    /// Powered off.
    Off,
    /// Archived (DigitalOcean) — no longer running, kept for billing history.
    Archive,
    /// A status this version does not know, verbatim.
    Unknown(String),
}

/// A virtual machine (DigitalOcean Droplet, Vultr instance).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Machine {
    pub id: String,
    pub name: String,
    pub tags: Vec<String>,
    /// Region slug (`nyc3`, `ewr`).
    pub region: String,
    /// Public IPv4 address; `None` while the provider has not assigned one.
    pub ipv4: Option<String>,
    /// Public IPv6 address, when the machine has one.
    pub ipv6: Option<String>,
    /// Address on the provider's private network (VPC), when the machine has one.
    #[serde(default)]
    pub private_ipv4: Option<String>,
    pub status: MachineStatus,
    /// Size / plan slug.
    pub size: String,
    /// Image identifier as used by [`Image::id`] (DigitalOcean slug or id, Vultr `os_id`).
    pub image: String,
    /// Human-readable image name, when the provider gives one.
    pub image_name: Option<String>,
    /// RFC 3339 creation time as the provider reports it.
    pub created_at: String,
    /// Monthly price in USD, when the provider reports it with the machine.
    pub price_monthly: Option<f64>,
}

impl Machine {
    /// True once the machine is running and has a public IPv4 address.
    pub fn is_ready(&self) -> bool {
        self.status == MachineStatus::Active && self.ipv4.is_some()
    }
}

/// What to create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CreateMachine {
    pub name: String,
    pub region: String,
    pub size: String,
    /// A catalog image ([`Image::id`]) or one of the account's snapshots.
    pub image: super::ImageRef,
    /// [`SshKey::id`]s.
    #[serde(default)]
    pub ssh_key_ids: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Cloud-init user data as plain text; providers that want base64 get it encoded.
    #[serde(default)]
    pub user_data: Option<String>,
    /// Ask for an IPv6 address too.
    #[serde(default)]
    pub ipv6: bool,
}

/// Which machines to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MachineFilter {
    /// Only machines carrying this tag.
    pub tag: Option<String>,
}

impl MachineFilter {
    /// Every machine.
    pub fn all() -> Self {
        Self::default()
    }

    /// Machines carrying `tag`.
    pub fn tagged(tag: impl Into<String>) -> Self {
        Self {
            tag: Some(tag.into()),
        }
    }
}

/// A power action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum PowerAction {
    PowerOn,
    PowerOff,
    Reboot,
}

/// An SSH public key registered with the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SshKey {
    pub id: String,
    pub name: String,
    /// MD5 fingerprint where the provider reports one (DigitalOcean); Vultr does not.
    pub fingerprint: Option<String>,
    pub public_key: String,
}

/// A DNS zone (domain) hosted by the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DnsZone {
    pub name: String,
}

/// DNS record types Hangar manages; anything else is listed as `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
pub enum DnsRecordType {
    A,
    AAAA,
    CNAME,
    TXT,
    MX,
    NS,
    SRV,
    CAA,
    /// A type Hangar does not edit (SOA, SSHFP, …), verbatim.
    #[serde(rename = "other")]
    Other(String),
}

impl DnsRecordType {
    /// The record type as written in zone files and provider APIs.
    pub fn as_str(&self) -> &str {
        match self {
            Self::A => "A",
            Self::AAAA => "AAAA",
            Self::CNAME => "CNAME",
            Self::TXT => "TXT",
            Self::MX => "MX",
            Self::NS => "NS",
            Self::SRV => "SRV",
            Self::CAA => "CAA",
            Self::Other(s) => s,
        }
    }

    /// Parse a provider's type string (case-insensitive).
    pub fn parse(s: &str) -> Self {
        match s.to_ascii_uppercase().as_str() {
            "A" => Self::A,
            "AAAA" => Self::AAAA,
            "CNAME" => Self::CNAME,
            "TXT" => Self::TXT,
            "MX" => Self::MX,
            "NS" => Self::NS,
            "SRV" => Self::SRV,
            "CAA" => Self::CAA,
            other => Self::Other(other.to_string()),
        }
    }
}

impl fmt::Display for DnsRecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The content of a DNS record, without its id: what to create or update.
///
/// `name` is relative to the zone, with `@` for the apex. `data` is the value: the address for
/// A/AAAA, the target host for CNAME/MX/NS/SRV, the text for TXT, the value for CAA. The other
/// fields apply to the types that have them: `priority` (MX, SRV), `port`/`weight` (SRV),
/// `flags`/`tag` (CAA).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DnsRecordSpec {
    pub record_type: DnsRecordType,
    pub name: String,
    pub data: String,
    /// Seconds; the provider's default when `None`.
    pub ttl: Option<u32>,
    pub priority: Option<u16>,
    pub port: Option<u16>,
    pub weight: Option<u16>,
    pub flags: Option<u8>,
    pub tag: Option<String>,
}

impl DnsRecordSpec {
    /// A record with only type, name and data set.
    pub fn new(
        record_type: DnsRecordType,
        name: impl Into<String>,
        data: impl Into<String>,
    ) -> Self {
        Self {
            record_type,
            name: name.into(),
            data: data.into(),
            ttl: None,
            priority: None,
            port: None,
            weight: None,
            flags: None,
            tag: None,
        }
    }

    /// Set the TTL.
    pub fn with_ttl(mut self, ttl: u32) -> Self {
        self.ttl = Some(ttl);
        self
    }
}

/// A DNS record as stored by the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DnsRecord {
    pub id: String,
    #[serde(flatten)]
    pub spec: DnsRecordSpec,
}

/// A DigitalOcean project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub id: String,
    pub name: String,
    pub is_default: bool,
}

/// A region from the live catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub slug: String,
    pub name: String,
    pub available: bool,
}

/// A machine size / plan from the live catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Size {
    pub slug: String,
    pub vcpus: u32,
    pub memory_mb: u32,
    pub disk_gb: u32,
    pub price_monthly: f64,
    /// Region slugs where this size can be created.
    pub regions: Vec<String>,
}

/// An OS image from the live catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// What to pass as [`CreateMachine::image`]: DigitalOcean slug (or id when it has no slug),
    /// Vultr `os_id`.
    pub id: String,
    pub distribution: String,
    pub name: String,
}

/// Who the token belongs to: the "Test connection" answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    pub provider: ProviderKind,
    pub email: String,
    /// Account name where the provider has one.
    pub name: Option<String>,
    /// Provider's account status (`active`, `warning`, `locked`) where it reports one.
    pub status: Option<String>,
}
