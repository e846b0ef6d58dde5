//! State shared by both providers' listeners: the two worlds, the fault table, the request
//! log, the address allocator and the DigitalOcean rate-limit window.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::config::EmulatedProvider;
use super::digitalocean::DoWorld;
use super::faults::FaultTable;
use super::recorder::RecordedRequest;
use super::vultr::VultrWorld;

/// The DigitalOcean per-token limit: requests per hour.
pub const DO_RATE_LIMIT_PER_HOUR: usize = 5_000;

pub struct Shared {
    pub ip_delay: Duration,
    pub do_token: String,
    pub vultr_token: String,
    /// `http://127.0.0.1:PORT`, set once the listener is bound; used in DigitalOcean links.
    pub do_base_url: String,
    pub digitalocean: Mutex<DoWorld>,
    pub vultr: Mutex<VultrWorld>,
    pub faults: Mutex<FaultTable>,
    pub requests: Mutex<Vec<RecordedRequest>>,
    /// Unix seconds of the DigitalOcean requests of the last hour (the sliding window).
    pub do_window: Mutex<VecDeque<u64>>,
    next_address: AtomicU64,
}

impl Shared {
    pub fn new(
        ip_delay: Duration,
        do_token: String,
        vultr_token: String,
        do_base_url: String,
        digitalocean: DoWorld,
        vultr: VultrWorld,
        fault_seed: u64,
    ) -> Shared {
        Shared {
            ip_delay,
            do_token,
            vultr_token,
            do_base_url,
            digitalocean: Mutex::new(digitalocean),
            vultr: Mutex::new(vultr),
            faults: Mutex::new(FaultTable::new(fault_seed)),
            requests: Mutex::new(Vec::new()),
            do_window: Mutex::new(VecDeque::new()),
            next_address: AtomicU64::new(0),
        }
    }

    pub fn token(&self, p: EmulatedProvider) -> &str {
        match p {
            EmulatedProvider::DigitalOcean => &self.do_token,
            EmulatedProvider::Vultr => &self.vultr_token,
        }
    }

    /// The index of the next public address (see [`super::ids::public_ipv4`]).
    pub fn allocate_address(&self) -> u64 {
        self.next_address.fetch_add(1, Ordering::Relaxed)
    }

    /// Counts one DigitalOcean request and returns (remaining, reset) for the
    /// `ratelimit-*` headers.
    pub fn count_do_request(&self, now: u64) -> (usize, u64) {
        let mut window = lock(&self.do_window);
        while window.front().is_some_and(|t| *t + 3_600 <= now) {
            window.pop_front();
        }
        if window.len() < DO_RATE_LIMIT_PER_HOUR {
            window.push_back(now);
        }
        let remaining = DO_RATE_LIMIT_PER_HOUR.saturating_sub(window.len());
        let reset = window.front().map_or(now, |t| t + 3_600);
        (remaining, reset)
    }
}

/// Locks a mutex, recovering the data if a holder panicked.
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
