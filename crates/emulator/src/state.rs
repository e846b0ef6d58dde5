//! State shared by every provider's listener: each provider's own state (its world), the
//! tokens, the fault table, the request log and the address allocator.

use std::any::Any;
use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::faults::FaultTable;
use super::recorder::RecordedRequest;
use super::registry::{EmulatedProvider, Registered};

pub struct Shared {
    pub ip_delay: Duration,
    /// How long after getting its address a machine's cloud-init reports `done`.
    pub boot_delay: Duration,
    /// The accepted token of each provider, in the registry's order.
    tokens: Vec<String>,
    /// Each provider's [`EmulatedApi::State`](super::api::EmulatedApi::State), in the
    /// registry's order.
    providers: Vec<Box<dyn Any + Send + Sync>>,
    pub faults: Mutex<FaultTable>,
    pub requests: Mutex<Vec<RecordedRequest>>,
    /// Where every recorded request is also written as a JSON line, if anywhere.
    pub request_log: Mutex<Option<Box<dyn Write + Send>>>,
    next_address: AtomicU64,
    /// What `GET /my-ip` answers (see [`super::status`]).
    pub my_ip: Mutex<std::net::IpAddr>,
}

impl Shared {
    /// `tokens` and `providers` hold one entry per provider, in [`EmulatedProvider::ALL`]'s
    /// order.
    pub fn new(
        ip_delay: Duration,
        boot_delay: Duration,
        fault_seed: u64,
        tokens: Vec<String>,
        providers: Vec<Box<dyn Any + Send + Sync>>,
    ) -> Shared {
        assert_eq!(tokens.len(), EmulatedProvider::COUNT);
        assert_eq!(providers.len(), EmulatedProvider::COUNT);
        Shared {
            ip_delay,
            boot_delay,
            tokens,
            providers,
            faults: Mutex::new(FaultTable::new(fault_seed)),
            requests: Mutex::new(Vec::new()),
            request_log: Mutex::new(None),
            next_address: AtomicU64::new(0),
            my_ip: Mutex::new(super::config::EmulatorConfig::DEFAULT_MY_IP),
        }
    }

    pub fn token(&self, p: EmulatedProvider) -> &str {
        &self.tokens[p.index()]
    }

    /// The running state of provider `P`.
    pub fn state<P: Registered>(&self) -> &P::State {
        self.providers[P::PROVIDER.index()]
            .downcast_ref()
            .expect("each provider's state is kept at its registry index")
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
}

/// Locks a mutex, recovering the data if a holder panicked.
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
