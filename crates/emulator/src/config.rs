//! What an emulator is started with.

use std::net::SocketAddr;
use std::time::Duration;

use super::seed::Seed;

/// The provider APIs the emulator speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmulatedProvider {
    DigitalOcean,
    Vultr,
}

impl EmulatedProvider {
    /// Both providers, in a fixed order.
    pub const ALL: [EmulatedProvider; 2] =
        [EmulatedProvider::DigitalOcean, EmulatedProvider::Vultr];

    /// A short lowercase name: `digitalocean` or `vultr`.
    pub fn name(self) -> &'static str {
        match self {
            EmulatedProvider::DigitalOcean => "digitalocean",
            EmulatedProvider::Vultr => "vultr",
        }
    }
}

/// How to start an [`Emulator`](super::Emulator).
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// Catalogs, tokens and the resources that exist at start.
    pub seed: Seed,
    /// How long a new machine waits before it gets its public IP and becomes active.
    pub ip_delay: Duration,
    /// How long after getting its public IP a machine's cloud-init status turns from
    /// `running` to `done` (see the status proxy in `emulator::status`).
    pub boot_delay: Duration,
    /// Where the status proxy listens (an account's `status_proxy` points here). Port 0
    /// picks a free port.
    pub status_listen: SocketAddr,
    /// Seeds the deterministic generator behind percentage faults.
    pub fault_seed: u64,
    /// Where the DigitalOcean API listens. Port 0 picks a free port.
    pub digitalocean_listen: SocketAddr,
    /// Where the Vultr API listens. Port 0 picks a free port.
    pub vultr_listen: SocketAddr,
    /// DigitalOcean allows only 10 GET requests to `/v2/account/keys` per 60 seconds. With
    /// `Some(n)` the emulator enforces `n` per 60 seconds (429 with `retry-after`); `None`
    /// (the default) leaves it unenforced so tests that list keys often stay fast.
    pub do_ssh_key_reads_per_minute: Option<u32>,
}

impl EmulatorConfig {
    /// The default [`EmulatorConfig::fault_seed`].
    pub const DEFAULT_FAULT_SEED: u64 = 0x5eed;
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            seed: Seed::builtin(),
            ip_delay: Duration::from_secs(2),
            boot_delay: Duration::from_secs(3),
            status_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            fault_seed: Self::DEFAULT_FAULT_SEED,
            digitalocean_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            vultr_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            do_ssh_key_reads_per_minute: None,
        }
    }
}
