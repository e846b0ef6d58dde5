//! The emulator's starting data: tokens, catalogs (regions, sizes/plans, images/OS) and the
//! resources that exist at start (SSH keys, DNS zones, projects, machines).
//!
//! A seed is plain data, loadable from YAML. Every section may be left out: catalogs then
//! fall back to the built-in ones (real slugs and prices), resource lists to empty.
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

/// Everything an emulator starts with.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Seed {
    pub digitalocean: DigitalOceanSeed,
    pub vultr: VultrSeed,
}

/// The DigitalOcean side of a seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DigitalOceanSeed {
    /// The bearer token the emulator accepts.
    pub token: String,
    pub account: DoAccountSeed,
    pub regions: Vec<DoRegionSeed>,
    pub sizes: Vec<DoSizeSeed>,
    pub images: Vec<DoImageSeed>,
    pub ssh_keys: Vec<SshKeySeed>,
    pub domains: Vec<DomainSeed>,
    pub projects: Vec<ProjectSeed>,
    pub droplets: Vec<DropletSeed>,
}

/// The Vultr side of a seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VultrSeed {
    /// The bearer token (API key) the emulator accepts.
    pub token: String,
    pub account: VultrAccountSeed,
    pub regions: Vec<VultrRegionSeed>,
    pub plans: Vec<VultrPlanSeed>,
    pub os: Vec<VultrOsSeed>,
    pub ssh_keys: Vec<SshKeySeed>,
    pub domains: Vec<DomainSeed>,
    pub instances: Vec<InstanceSeed>,
}

/// The DigitalOcean account (`GET /v2/account`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DoAccountSeed {
    pub email: String,
    pub name: String,
    pub droplet_limit: u32,
    pub team_name: String,
}

/// A DigitalOcean region of the catalog.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoRegionSeed {
    pub slug: String,
    pub name: String,
    #[serde(default = "yes")]
    pub available: bool,
}

/// A DigitalOcean Droplet size of the catalog, with the regions offering it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoSizeSeed {
    pub slug: String,
    pub vcpus: u32,
    /// MB.
    pub memory: u32,
    /// GB.
    pub disk: u32,
    /// TB per month.
    pub transfer: f64,
    pub price_monthly: f64,
    pub price_hourly: f64,
    pub description: String,
    /// Region slugs where this size can be created.
    pub regions: Vec<String>,
}

/// A DigitalOcean distribution image of the catalog.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoImageSeed {
    pub id: u64,
    pub slug: String,
    pub name: String,
    pub distribution: String,
    #[serde(default = "default_min_disk")]
    pub min_disk_size: u32,
}

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

/// A DigitalOcean project; one should be the default (the first is made default otherwise).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectSeed {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_purpose")]
    pub purpose: String,
    #[serde(default = "default_environment")]
    pub environment: String,
    #[serde(default)]
    pub is_default: bool,
}

/// A Droplet that exists at start (ready with an IP unless `pending`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DropletSeed {
    pub name: String,
    pub region: String,
    pub size: String,
    /// An image slug.
    pub image: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Starts like a fresh create (no IP until the IP delay passed) instead of ready.
    #[serde(default)]
    pub pending: bool,
    /// Starts powered off.
    #[serde(default)]
    pub off: bool,
    /// Reported as created this many seconds before the emulator started.
    #[serde(default)]
    pub age_seconds: u64,
}

/// The Vultr account (`GET /account`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VultrAccountSeed {
    pub name: String,
    pub email: String,
    pub balance: f64,
    pub pending_charges: f64,
}

/// A Vultr region of the catalog.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VultrRegionSeed {
    pub id: String,
    pub city: String,
    pub country: String,
    pub continent: String,
}

/// A Vultr plan of the catalog, with the regions offering it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VultrPlanSeed {
    pub id: String,
    pub vcpu_count: u32,
    /// MB.
    pub ram: u32,
    /// GB.
    pub disk: u32,
    #[serde(default = "one")]
    pub disk_count: u32,
    /// GB per month.
    pub bandwidth: u32,
    /// USD per month (whole dollars: the spec types it as an integer).
    pub monthly_cost: u32,
    #[serde(rename = "type")]
    pub kind: String,
    /// Region ids where this plan can be deployed.
    pub locations: Vec<String>,
}

/// A Vultr operating system of the catalog.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VultrOsSeed {
    pub id: u32,
    pub name: String,
    #[serde(default = "default_arch")]
    pub arch: String,
    pub family: String,
}

/// A Vultr instance that exists at start (ready with an IP unless `pending`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceSeed {
    pub label: String,
    #[serde(default)]
    pub hostname: Option<String>,
    pub region: String,
    pub plan: String,
    pub os_id: u32,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Starts like a fresh create (no IP until the IP delay passed) instead of ready.
    #[serde(default)]
    pub pending: bool,
    /// Starts halted.
    #[serde(default)]
    pub stopped: bool,
    /// Reported as created this many seconds before the emulator started.
    #[serde(default)]
    pub age_seconds: u64,
}

fn yes() -> bool {
    true
}
fn one() -> u32 {
    1
}
fn default_ttl() -> u32 {
    1800
}
fn default_min_disk() -> u32 {
    7
}
fn default_purpose() -> String {
    "Just trying out DigitalOcean".into()
}
fn default_environment() -> String {
    "Development".into()
}
fn default_arch() -> String {
    "x64".into()
}

impl Seed {
    /// The built-in seed: real catalogs, one SSH key, one DNS zone and a couple of machines per
    /// provider, and a default project on DigitalOcean.
    pub fn builtin() -> Seed {
        let key = SshKeySeed {
            name: "hangar-demo".into(),
            public_key: DEMO_PUBLIC_KEY.into(),
        };
        let session_tags = |t: &str| {
            vec![
                "machine:created".to_string(),
                "machine:session:de300001".to_string(),
                format!("machine:type:{t}"),
            ]
        };
        let mut seed = Seed::default();
        seed.digitalocean.ssh_keys = vec![key.clone()];
        seed.digitalocean.domains = vec![DomainSeed {
            name: "example.com".into(),
            records: vec![record("A", "www", "192.0.2.10")],
        }];
        seed.digitalocean.projects = vec![ProjectSeed {
            name: "Default".into(),
            description: "Default project".into(),
            purpose: default_purpose(),
            environment: default_environment(),
            is_default: true,
        }];
        seed.digitalocean.droplets = vec![
            DropletSeed {
                name: "web-1".into(),
                region: "nyc3".into(),
                size: "s-1vcpu-1gb".into(),
                image: "ubuntu-24-04-x64".into(),
                tags: session_tags("web"),
                pending: false,
                off: false,
                age_seconds: 0,
            },
            DropletSeed {
                name: "legacy-db".into(),
                region: "ams3".into(),
                size: "s-2vcpu-4gb".into(),
                image: "debian-12-x64".into(),
                tags: vec![],
                pending: false,
                off: false,
                age_seconds: 0,
            },
        ];
        seed.vultr.ssh_keys = vec![key];
        seed.vultr.domains = vec![DomainSeed {
            name: "example.net".into(),
            records: vec![record("A", "www", "198.51.100.10")],
        }];
        seed.vultr.instances = vec![
            InstanceSeed {
                label: "web-1".into(),
                hostname: None,
                region: "ewr".into(),
                plan: "vc2-1c-1gb".into(),
                os_id: 2284,
                tags: session_tags("web"),
                pending: false,
                stopped: false,
                age_seconds: 0,
            },
            InstanceSeed {
                label: "legacy-db".into(),
                hostname: None,
                region: "ams".into(),
                plan: "vc2-2c-4gb".into(),
                os_id: 2136,
                tags: vec![],
                pending: false,
                stopped: false,
                age_seconds: 0,
            },
        ];
        seed
    }

    /// Parses a seed from YAML. Left-out sections take their defaults.
    pub fn from_yaml_str(s: &str) -> Result<Seed, EmulatorError> {
        Ok(serde_yaml_ng::from_str(s)?)
    }
}

fn record(kind: &str, name: &str, data: &str) -> RecordSeed {
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

impl Default for DigitalOceanSeed {
    fn default() -> Self {
        let region = |slug: &str, name: &str| DoRegionSeed {
            slug: slug.into(),
            name: name.into(),
            available: true,
        };
        let all: Vec<String> = ["nyc1", "nyc3", "ams3", "sfo3", "fra1", "lon1", "sgp1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        #[allow(clippy::too_many_arguments)]
        let size = |slug: &str,
                    vcpus,
                    memory,
                    disk,
                    transfer,
                    price_monthly,
                    price_hourly,
                    regions: &[String]| DoSizeSeed {
            slug: slug.into(),
            vcpus,
            memory,
            disk,
            transfer,
            price_monthly,
            price_hourly,
            description: "Basic".into(),
            regions: regions.to_vec(),
        };
        // The smallest size is not offered everywhere (as on the real platform).
        let small: Vec<String> = all
            .iter()
            .filter(|r| !matches!(r.as_str(), "lon1" | "sgp1"))
            .cloned()
            .collect();
        let image = |id, slug: &str, name: &str, distribution: &str| DoImageSeed {
            id,
            slug: slug.into(),
            name: name.into(),
            distribution: distribution.into(),
            min_disk_size: default_min_disk(),
        };
        DigitalOceanSeed {
            token: "dop_v1_emulator".into(),
            account: DoAccountSeed::default(),
            regions: vec![
                region("nyc1", "New York 1"),
                region("nyc3", "New York 3"),
                region("ams3", "Amsterdam 3"),
                region("sfo3", "San Francisco 3"),
                region("fra1", "Frankfurt 1"),
                region("lon1", "London 1"),
                region("sgp1", "Singapore 1"),
            ],
            sizes: vec![
                size("s-1vcpu-512mb-10gb", 1, 512, 10, 0.5, 4.0, 0.00595, &small),
                size("s-1vcpu-1gb", 1, 1024, 25, 1.0, 6.0, 0.00893, &all),
                size("s-1vcpu-2gb", 1, 2048, 50, 2.0, 12.0, 0.01786, &all),
                size("s-2vcpu-2gb", 2, 2048, 60, 3.0, 18.0, 0.02679, &all),
                size("s-2vcpu-4gb", 2, 4096, 80, 4.0, 24.0, 0.03571, &all),
                size("s-4vcpu-8gb", 4, 8192, 160, 5.0, 48.0, 0.07143, &all),
            ],
            images: vec![
                image(160_232_537, "ubuntu-24-04-x64", "24.04 (LTS) x64", "Ubuntu"),
                image(129_211_873, "ubuntu-22-04-x64", "22.04 (LTS) x64", "Ubuntu"),
                image(155_209_425, "debian-12-x64", "12 x64", "Debian"),
                image(161_842_031, "fedora-40-x64", "40 x64", "Fedora"),
                image(152_913_201, "rockylinux-9-x64", "9 x64", "Rocky Linux"),
                image(150_102_312, "centos-stream-9-x64", "9 Stream x64", "CentOS"),
            ],
            ssh_keys: vec![],
            domains: vec![],
            projects: vec![],
            droplets: vec![],
        }
    }
}

impl Default for DoAccountSeed {
    fn default() -> Self {
        DoAccountSeed {
            email: "demo@example.com".into(),
            name: "Demo User".into(),
            droplet_limit: 25,
            team_name: "My Team".into(),
        }
    }
}

impl Default for VultrSeed {
    fn default() -> Self {
        let region = |id: &str, city: &str, country: &str, continent: &str| VultrRegionSeed {
            id: id.into(),
            city: city.into(),
            country: country.into(),
            continent: continent.into(),
        };
        let everywhere: Vec<String> = ["ewr", "ord", "ams", "fra", "lhr", "sjc"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        #[allow(clippy::too_many_arguments)]
        let plan = |id: &str,
                    vcpu_count,
                    ram,
                    disk,
                    bandwidth,
                    monthly_cost,
                    kind: &str,
                    locations: &[String]| {
            VultrPlanSeed {
                id: id.into(),
                vcpu_count,
                ram,
                disk,
                disk_count: 1,
                bandwidth,
                monthly_cost,
                kind: kind.into(),
                locations: locations.to_vec(),
            }
        };
        // High-frequency plans are not offered in every region.
        let hf: Vec<String> = ["ewr", "ord", "ams", "fra"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let os = |id, name: &str, family: &str| VultrOsSeed {
            id,
            name: name.into(),
            arch: "x64".into(),
            family: family.into(),
        };
        VultrSeed {
            token: "VULTREMULATORTOKEN0000000000000000000".into(),
            account: VultrAccountSeed::default(),
            regions: vec![
                region("ewr", "New Jersey", "US", "North America"),
                region("ord", "Chicago", "US", "North America"),
                region("ams", "Amsterdam", "NL", "Europe"),
                region("fra", "Frankfurt", "DE", "Europe"),
                region("lhr", "London", "GB", "Europe"),
                region("sjc", "Silicon Valley", "US", "North America"),
            ],
            plans: vec![
                plan("vc2-1c-1gb", 1, 1024, 25, 1024, 5, "vc2", &everywhere),
                plan("vc2-1c-2gb", 1, 2048, 55, 2048, 10, "vc2", &everywhere),
                plan("vc2-2c-4gb", 2, 4096, 80, 3072, 20, "vc2", &everywhere),
                plan("vc2-4c-8gb", 4, 8192, 160, 4096, 40, "vc2", &everywhere),
                plan("vhf-1c-1gb", 1, 1024, 32, 1024, 6, "vhf", &hf),
                plan("vhf-2c-4gb", 2, 4096, 128, 3072, 24, "vhf", &hf),
            ],
            os: vec![
                os(2284, "Ubuntu 24.04 LTS x64", "ubuntu"),
                os(1743, "Ubuntu 22.04 LTS x64", "ubuntu"),
                os(2136, "Debian 12 x64 (bookworm)", "debian"),
                os(1869, "Rocky Linux x64", "rockylinux"),
                os(1868, "AlmaLinux x64", "almalinux"),
                os(2187, "Fedora 40 x64", "fedora"),
            ],
            ssh_keys: vec![],
            domains: vec![],
            instances: vec![],
        }
    }
}

impl Default for VultrAccountSeed {
    fn default() -> Self {
        VultrAccountSeed {
            name: "Demo Account".into(),
            email: "demo@example.com".into(),
            balance: -25.0,
            pending_charges: 3.42,
        }
    }
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
