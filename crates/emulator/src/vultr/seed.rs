//! Vultr's section of the seed (`vultr:`).

use serde::{Deserialize, Serialize};

use crate::seed::{DomainSeed, SshKeySeed, demo_key, demo_session_tags, record};

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

fn one() -> u32 {
    1
}
fn default_arch() -> String {
    "x64".into()
}

impl VultrSeed {
    /// The built-in section: the catalogs, one SSH key, one DNS zone and two instances.
    pub(crate) fn builtin() -> VultrSeed {
        VultrSeed {
            ssh_keys: vec![demo_key()],
            domains: vec![DomainSeed {
                name: "example.net".into(),
                records: vec![record("A", "www", "198.51.100.10")],
            }],
            instances: vec![
                InstanceSeed {
                    label: "web-1".into(),
                    hostname: None,
                    region: "ewr".into(),
                    plan: "vc2-1c-1gb".into(),
                    os_id: 2284,
                    tags: demo_session_tags("web"),
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
            ],
            ..VultrSeed::default()
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
