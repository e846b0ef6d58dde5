//! What an emulator is started with.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use super::registry::{EmulatedProvider, Seed};

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
    /// Where each provider's API listens (see [`EmulatorConfig::with_listen`]). A provider
    /// left out listens on 127.0.0.1 on a free port.
    pub listen: BTreeMap<EmulatedProvider, SocketAddr>,
    /// DigitalOcean allows only 10 GET requests to `/v2/account/keys` per 60 seconds. With
    /// `Some(n)` the emulator enforces `n` per 60 seconds (429 with `retry-after`); `None`
    /// (the default) leaves it unenforced so tests that list keys often stay fast.
    pub do_ssh_key_reads_per_minute: Option<u32>,
    /// What `GET /my-ip` on the status listener answers: the "what is my IP" service of
    /// the tests and the demo cloud (see [`Emulator::my_ip_url`](super::Emulator::my_ip_url)).
    pub my_ip: std::net::IpAddr,
}

impl EmulatorConfig {
    /// The default [`EmulatorConfig::fault_seed`].
    pub const DEFAULT_FAULT_SEED: u64 = 0x5eed;

    /// The default [`EmulatorConfig::my_ip`], a documentation address (RFC 5737).
    pub const DEFAULT_MY_IP: std::net::IpAddr =
        std::net::IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 254));

    /// Where a provider listens when [`EmulatorConfig::listen`] does not say.
    pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::V4(std::net::SocketAddrV4::new(
        std::net::Ipv4Addr::LOCALHOST,
        0,
    ));

    /// Makes provider `p` listen on `addr` (port 0 picks a free port).
    pub fn with_listen(mut self, p: EmulatedProvider, addr: SocketAddr) -> Self {
        self.listen.insert(p, addr);
        self
    }

    /// Where provider `p` listens.
    pub fn listen_addr(&self, p: EmulatedProvider) -> SocketAddr {
        self.listen.get(&p).copied().unwrap_or(Self::DEFAULT_LISTEN)
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            seed: Seed::builtin(),
            ip_delay: Duration::from_secs(2),
            boot_delay: Duration::from_secs(3),
            status_listen: Self::DEFAULT_LISTEN,
            fault_seed: Self::DEFAULT_FAULT_SEED,
            listen: BTreeMap::new(),
            do_ssh_key_reads_per_minute: None,
            my_ip: Self::DEFAULT_MY_IP,
        }
    }
}
