//! The emulator's starting data: tokens, catalogs (regions, sizes/plans, images/OS) and the
//! resources that exist at start (SSH keys, DNS zones, projects, machines).
//!
//! A seed ([`Seed`], one section per provider, declared by the registry) is plain data,
//! loadable from YAML. Every section may be left out: catalogs then fall back to the
//! built-in ones (real slugs and prices), resource lists to empty. Each provider's section
//! type lives in its folder (`src/<cloud>/seed.rs`); the types several providers share are
//! here.
//!
//! ```yaml
//! digitalocean:
//!   token: do-token
//!   ssh_keys: [{ name: laptop, public_key: "ssh-ed25519 AAAA... me@laptop" }]
//!   domains: [{ name: example.com, records: [{ type: A, name: www, data: 192.0.2.10 }] }]
//!   projects: [{ name: Default, is_default: true }]
//!   droplets: [{ name: web-1, region: nyc3, size: s-1vcpu-1gb, image: ubuntu-24-04-x64,
//!                tags: ["machine:created"] }]
//! vultr:
//!   instances: [{ label: web-1, region: ewr, plan: vc2-1c-1gb, os_id: 2284 }]
//! ```

use serde::{Deserialize, Serialize};

use super::error::EmulatorError;
use super::registry::Seed;

/// An SSH key that exists at start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SshKeySeed {
    pub name: String,
    pub public_key: String,
}

/// A DNS zone that exists at start, with its records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainSeed {
    /// The zone, e.g. `example.com`.
    pub name: String,
    #[serde(default)]
    pub records: Vec<RecordSeed>,
}

/// A DNS record; `name` is relative to the zone (`@` or empty for the apex).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordSeed {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub data: String,
    #[serde(default = "default_ttl")]
    pub ttl: u32,
    #[serde(default)]
    pub priority: Option<u32>,
    #[serde(default)]
    pub port: Option<u32>,
    #[serde(default)]
    pub weight: Option<u32>,
    #[serde(default)]
    pub flags: Option<u32>,
    #[serde(default)]
    pub tag: Option<String>,
}

fn default_ttl() -> u32 {
    1800
}

impl Seed {
    /// Parses a seed from YAML. Left-out sections take their defaults.
    pub fn from_yaml_str(s: &str) -> Result<Seed, EmulatorError> {
        Ok(serde_yaml_ng::from_str(s)?)
    }
}

/// A DNS record of the built-in seeds.
pub(crate) fn record(kind: &str, name: &str, data: &str) -> RecordSeed {
    RecordSeed {
        kind: kind.into(),
        name: name.into(),
        data: data.into(),
        ttl: default_ttl(),
        priority: None,
        port: None,
        weight: None,
        flags: None,
        tag: None,
    }
}

/// The public half of a throwaway key, used only as demo data.
pub const DEMO_PUBLIC_KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHq0pqZ9m1xV0o8bq1v5vG9x2nKpXr0a7h8m3T1Yc4Zq hangar-demo";

/// The SSH key every provider's built-in seed has.
pub(crate) fn demo_key() -> SshKeySeed {
    SshKeySeed {
        name: "hangar-demo".into(),
        public_key: DEMO_PUBLIC_KEY.into(),
    }
}

/// The tags of a built-in machine of type `machine_type` created in the demo session.
pub(crate) fn demo_session_tags(machine_type: &str) -> Vec<String> {
    vec![
        "machine:created".to_string(),
        "machine:session:de300001".to_string(),
        format!("machine:type:{machine_type}"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_yaml_document_gives_the_catalogs() {
        let seed = Seed::from_yaml_str("{}").unwrap();
        assert_eq!(seed.digitalocean.regions.len(), 7);
        assert!(seed.digitalocean.droplets.is_empty());
        assert_eq!(seed.vultr.os[0].id, 2284);
    }

    #[test]
    fn unknown_fields_are_rejected() {
        assert!(Seed::from_yaml_str("digitalocean: { tokn: x }").is_err());
    }

    #[test]
    fn the_builtin_seed_round_trips_through_yaml() {
        let yaml = serde_yaml_ng::to_string(&Seed::builtin()).unwrap();
        assert_eq!(Seed::from_yaml_str(&yaml).unwrap(), Seed::builtin());
    }
}
