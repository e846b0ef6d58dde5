//! DigitalOcean's section of the seed (`digitalocean:`).

use serde::{Deserialize, Serialize};

use crate::seed::{DomainSeed, SshKeySeed, demo_key, demo_session_tags, record};

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

fn yes() -> bool {
    true
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

impl DigitalOceanSeed {
    /// The built-in section: the catalogs, one SSH key, one DNS zone, a default project and
    /// two Droplets.
    pub(crate) fn builtin() -> DigitalOceanSeed {
        DigitalOceanSeed {
            ssh_keys: vec![demo_key()],
            domains: vec![DomainSeed {
                name: "example.com".into(),
                records: vec![record("A", "www", "192.0.2.10")],
            }],
            projects: vec![ProjectSeed {
                name: "Default".into(),
                description: "Default project".into(),
                purpose: default_purpose(),
                environment: default_environment(),
                is_default: true,
            }],
            droplets: vec![
                DropletSeed {
                    name: "web-1".into(),
                    region: "nyc3".into(),
                    size: "s-1vcpu-1gb".into(),
                    image: "ubuntu-24-04-x64".into(),
                    tags: demo_session_tags("web"),
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
            ],
            ..DigitalOceanSeed::default()
        }
    }
}

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
