//! State shared by both providers' listeners: the two worlds, the fault table, the request
//! log, the address allocator and the DigitalOcean rate-limit window.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::config::EmulatedProvider;
use super::digitalocean::DoWorld;
use super::faults::FaultTable;
use super::recorder::RecordedRequest;
use super::vultr::VultrWorld;

/// The DigitalOcean per-token limit: requests per hour.
pub const DO_RATE_LIMIT_PER_HOUR: usize = 5_000;

pub struct Shared {
    pub ip_delay: Duration,
    /// How long after getting its address a machine's cloud-init reports `done`.
    pub boot_delay: Duration,
    pub do_token: String,
    pub vultr_token: String,
    /// `http://127.0.0.1:PORT`, set once the listener is bound; used in DigitalOcean links.
    pub do_base_url: String,
    pub digitalocean: Mutex<DoWorld>,
    pub vultr: Mutex<VultrWorld>,
    pub faults: Mutex<FaultTable>,
    pub requests: Mutex<Vec<RecordedRequest>>,
    /// Where every recorded request is also written as a JSON line, if anywhere.
    pub request_log: Mutex<Option<Box<dyn Write + Send>>>,
    /// Unix seconds of the DigitalOcean requests of the last hour (the sliding window).
    pub do_window: Mutex<VecDeque<u64>>,
    /// The optional limit on GETs of `/v2/account/keys` per 60 seconds, and their times.
    pub ssh_key_reads_per_minute: Option<u32>,
    ssh_key_reads: Mutex<VecDeque<Instant>>,
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
            boot_delay: Duration::from_secs(3),
            do_token,
            vultr_token,
            do_base_url,
            digitalocean: Mutex::new(digitalocean),
            vultr: Mutex::new(vultr),
            faults: Mutex::new(FaultTable::new(fault_seed)),
            requests: Mutex::new(Vec::new()),
            request_log: Mutex::new(None),
            do_window: Mutex::new(VecDeque::new()),
            ssh_key_reads_per_minute: None,
            ssh_key_reads: Mutex::new(VecDeque::new()),
            next_address: AtomicU64::new(0),
        }
    }

    pub fn token(&self, p: EmulatedProvider) -> &str {
        match p {
            EmulatedProvider::DigitalOcean => &self.do_token,
            EmulatedProvider::Vultr => &self.vultr_token,
        }
    }

    /// Adds a request to the log, and writes it to the request log file if there is one.
    pub fn record(&self, r: RecordedRequest) {
        {
            let mut out = lock(&self.request_log);
            if let Some(w) = out.as_mut() {
                let line = serde_json::json!({
                    "provider": r.provider,
                    "method": r.method,
                    "path": r.path,
                    "status": r.status,
                });
                let written = w
                    .write_all(format!("{line}\n").as_bytes())
                    .and_then(|()| w.flush());
                if let Err(e) = written {
                    eprintln!("hangar-emulator: the request log stops: {e}");
                    *out = None;
                }
            }
        }
        lock(&self.requests).push(r);
    }

    /// The index of the next public address (see [`super::ids::public_ipv4`]).
    pub fn allocate_address(&self) -> u64 {
        self.next_address.fetch_add(1, Ordering::Relaxed)
    }

    /// Counts one GET of `/v2/account/keys` against the per-minute limit. Returns the seconds
    /// to wait when the limit is already reached (the request is then not counted).
    pub fn ssh_key_read_wait(&self, now: Instant) -> Option<u64> {
        let limit = self.ssh_key_reads_per_minute? as usize;
        let minute = Duration::from_secs(60);
        let mut reads = lock(&self.ssh_key_reads);
        while reads
            .front()
            .is_some_and(|t| now.duration_since(*t) >= minute)
        {
            reads.pop_front();
        }
        if reads.len() >= limit {
            let oldest = reads.front().copied().unwrap_or(now);
            let wait = minute.saturating_sub(now.duration_since(oldest));
            return Some(wait.as_secs_f64().ceil().max(1.0) as u64);
        }
        reads.push_back(now);
        None
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
