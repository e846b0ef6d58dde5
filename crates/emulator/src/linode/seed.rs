//! Linode's section of the seed (`linode:`).

use serde::{Deserialize, Serialize};

use crate::seed::{DomainSeed, SshKeySeed, demo_key, demo_session_tags, record};

/// The Linode side of a seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinodeSeed {
    /// The bearer token (personal access token) the emulator accepts.
    pub token: String,
    pub account: LinodeAccountSeed,
    pub regions: Vec<LinodeRegionSeed>,
    pub types: Vec<LinodeTypeSeed>,
    pub images: Vec<LinodeImageSeed>,
    pub ssh_keys: Vec<SshKeySeed>,
    /// Master zones; their SOA e-mail is the account's e-mail.
    pub domains: Vec<DomainSeed>,
    pub instances: Vec<LinodeInstanceSeed>,
}

/// The account and profile (`GET /account`, `GET /profile`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinodeAccountSeed {
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    /// USD.
    pub balance: f64,
    /// USD.
    pub balance_uninvoiced: f64,
}

/// A region of the catalog.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinodeRegionSeed {
    pub id: String,
    pub label: String,
    pub country: String,
}

/// A Linode type (plan) of the catalog; offered in every region.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinodeTypeSeed {
    pub id: String,
    pub label: String,
    /// `nanode`, `standard`, `dedicated`, `gpu` or `highmem`.
    pub class: String,
    pub vcpus: u32,
    /// MB.
    pub memory: u32,
    /// MB.
    pub disk: u32,
    /// MB per month.
    pub transfer: u32,
    /// Mbit/s.
    pub network_out: u32,
    /// USD.
    pub price_hourly: f64,
    /// USD.
    pub price_monthly: f64,
}

/// A public image of the catalog.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinodeImageSeed {
    /// `linode/debian12`.
    pub id: String,
    pub label: String,
    pub vendor: String,
    /// MB.
    #[serde(default = "default_image_size")]
    pub size: u32,
    #[serde(default)]
    pub deprecated: bool,
}

/// A Linode that exists at start (running unless `pending` or `stopped`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinodeInstanceSeed {
    pub label: String,
    pub region: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub image: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Starts like a fresh create (`provisioning` until the IP delay passed) instead of ready.
    #[serde(default)]
    pub pending: bool,
    /// Starts `offline`.
    #[serde(default)]
    pub stopped: bool,
    /// Reported as created this many seconds before the emulator started.
    #[serde(default)]
    pub age_seconds: u64,
}

fn default_image_size() -> u32 {
    2500
}

impl LinodeSeed {
    /// The built-in section: the catalogs, one SSH key, one DNS zone and two Linodes (as on the
    /// other providers: `web-1` of the demo session, `legacy-db` made elsewhere).
    pub(crate) fn builtin() -> LinodeSeed {
        LinodeSeed {
            ssh_keys: vec![demo_key()],
            domains: vec![DomainSeed {
                name: "example.org".into(),
                records: vec![
                    record("A", "www", "198.51.100.20"),
                    record("AAAA", "v6", "2001:db8::20"),
                ],
            }],
            instances: vec![
                LinodeInstanceSeed {
                    label: "web-1".into(),
                    region: "us-east".into(),
                    kind: "g6-nanode-1".into(),
                    image: "linode/ubuntu24.04".into(),
                    tags: demo_session_tags("web"),
                    pending: false,
                    stopped: false,
                    age_seconds: 0,
                },
                LinodeInstanceSeed {
                    label: "legacy-db".into(),
                    region: "eu-west".into(),
                    kind: "g6-standard-2".into(),
                    image: "linode/debian12".into(),
                    tags: vec![],
                    pending: false,
                    stopped: false,
                    age_seconds: 0,
                },
            ],
            ..LinodeSeed::default()
        }
    }
}

impl Default for LinodeSeed {
    fn default() -> Self {
        let region = |id: &str, label: &str, country: &str| LinodeRegionSeed {
            id: id.into(),
            label: label.into(),
            country: country.into(),
        };
        #[allow(clippy::too_many_arguments)]
        let kind = |id: &str,
                    label: &str,
                    class: &str,
                    vcpus,
                    memory,
                    disk,
                    transfer,
                    network_out,
                    price_hourly,
                    price_monthly| LinodeTypeSeed {
            id: id.into(),
            label: label.into(),
            class: class.into(),
            vcpus,
            memory,
            disk,
            transfer,
            network_out,
            price_hourly,
            price_monthly,
        };
        let image = |id: &str, label: &str, vendor: &str| LinodeImageSeed {
            id: id.into(),
            label: label.into(),
            vendor: vendor.into(),
            size: default_image_size(),
            deprecated: false,
        };
        LinodeSeed {
            token: "linode-emulator-token-0000000000000000000000000000000000000000000000".into(),
            account: LinodeAccountSeed::default(),
            regions: vec![
                region("us-east", "Newark, NJ", "us"),
                region("us-central", "Dallas, TX", "us"),
                region("us-west", "Fremont, CA", "us"),
                region("eu-west", "London, UK", "gb"),
                region("eu-central", "Frankfurt, DE", "de"),
                region("ap-south", "Singapore, SG", "sg"),
            ],
            types: vec![
                kind(
                    "g6-nanode-1",
                    "Nanode 1GB",
                    "nanode",
                    1,
                    1024,
                    25600,
                    1000,
                    1000,
                    0.0075,
                    5.0,
                ),
                kind(
                    "g6-standard-1",
                    "Linode 2GB",
                    "standard",
                    1,
                    2048,
                    51200,
                    2000,
                    2000,
                    0.018,
                    12.0,
                ),
                kind(
                    "g6-standard-2",
                    "Linode 4GB",
                    "standard",
                    2,
                    4096,
                    81920,
                    4000,
                    4000,
                    0.036,
                    24.0,
                ),
                kind(
                    "g6-standard-4",
                    "Linode 8GB",
                    "standard",
                    4,
                    8192,
                    163840,
                    5000,
                    5000,
                    0.072,
                    48.0,
                ),
                kind(
                    "g6-dedicated-2",
                    "Dedicated 4GB",
                    "dedicated",
                    2,
                    4096,
                    81920,
                    4000,
                    4000,
                    0.054,
                    36.0,
                ),
            ],
            images: vec![
                image("linode/ubuntu24.04", "Ubuntu 24.04 LTS", "Ubuntu"),
                image("linode/ubuntu22.04", "Ubuntu 22.04 LTS", "Ubuntu"),
                image("linode/debian12", "Debian 12", "Debian"),
                image("linode/debian11", "Debian 11", "Debian"),
                image("linode/rocky9", "Rocky Linux 9", "Rocky"),
                image("linode/fedora40", "Fedora 40", "Fedora"),
            ],
            ssh_keys: vec![],
            domains: vec![],
            instances: vec![],
        }
    }
}

impl Default for LinodeAccountSeed {
    fn default() -> Self {
        LinodeAccountSeed {
            username: "hangar-demo".into(),
            email: "demo@example.com".into(),
            first_name: "Demo".into(),
            last_name: "User".into(),
            company: "Hangar".into(),
            balance: 0.0,
            balance_uninvoiced: 3.42,
        }
    }
}
