//! A cloud API emulator: a real HTTP server on 127.0.0.1 that speaks the parts of the
//! DigitalOcean API v2, the Vultr API v2 and the Linode API v4 that Hangar uses, as their OpenAPI specs define
//! them (paths, status codes, response shapes, error bodies and pagination).
//!
//! Each provider is served on its own listener, like the real hosts. The emulator is used by
//! the tests, the benchmarks, the desktop "demo cloud" and the `cloud-emulator` binary.
//!
//! How it is built:
//! - Each provider is a plug-in: a folder `src/<cloud>/` (its routes, world, seed section,
//!   pagination, error bodies and gate rules) implementing the `EmulatedApi` trait of
//!   `src/api.rs`, declared by its `mod` line and its entry in the `emulated_providers!` list
//!   of `src/registry.rs`. The entry generates the [`EmulatedProvider`] variant, the
//!   provider's section of [`Seed`] and the mapping the shared code reaches the
//!   implementation through.
//! - The shared code never names a provider: `server.rs` binds one listener per provider and
//!   puts the gate (request log, faults, authentication, the provider's own admission rules
//!   and headers) in front of each provider's router; `state.rs` holds each provider's state
//!   by its registry index; `faults.rs`, `recorder.rs`, `status.rs` (the status proxy) and the
//!   binary iterate over [`EmulatedProvider::ALL`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), hangar_emulator::EmulatorError> {
//! use hangar_emulator::{EmulatedProvider, Emulator, EmulatorConfig};
//! let emulator = Emulator::start(EmulatorConfig::default()).await?;
//! let url = format!("{}/v2/droplets", emulator.digitalocean_base_url());
//! let token = emulator.token(EmulatedProvider::DigitalOcean);
//! # let _ = (url, token);
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Behaviour worth knowing:
//! - Machines are created without a public IP; it appears after [`EmulatorConfig::ip_delay`].
//!   (A Linode has its address from the start, as the real one does, and is `provisioning`
//!   until then.)
//!   Addresses come from the documentation ranges 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24.
//! - Ids, addresses and fault decisions are deterministic for a given seed and request order.
//! - Faults ([`Faults`]) inject latency, 429s, 500s, requests held without an answer (client
//!   timeouts) and dropped TCP connections per route;
//!   [`Emulator::stuck_locked_deletes`] and [`Emulator::ghost_deletes`] script the delete
//!   misbehaviours seen on the real services.
//! - Every DigitalOcean response carries `ratelimit-limit`, `ratelimit-remaining` and
//!   `ratelimit-reset` (a one-hour sliding window). The hourly limit itself is not enforced,
//!   so benchmarks can run long; the SSH-key read limit can be enabled with
//!   [`EmulatorConfig::do_ssh_key_reads_per_minute`].
//! - Every Linode response carries `x-ratelimit-limit`, `x-ratelimit-remaining` and
//!   `x-ratelimit-reset` (a two-minute window of 1,600 requests, not enforced). Linode lists
//!   take the `X-Filter` header; Linode power calls, resizes and rebuilds answer 400
//!   "Linode busy." while an earlier event of the Linode runs.
//! - There are 762 documentation addresses; beyond that many machines, addresses repeat.
//! - One more listener is the HTTP proxy through which the machines' own cloud-init status
//!   check (`http://<ip>:4242/cgi-bin/cloud-init-status`) is answered: `running`, then
//!   `done` [`EmulatorConfig::boot_delay`] after the machine got its IP; see [`status`] and
//!   [`Emulator::status_proxy_url`].
//! - Only what Hangar uses is served: other paths answer 404 with the provider's error body.
//!
//! The `cloud-emulator` binary serves the same thing from the command line
//! (`cloud-emulator --listen 127.0.0.1:8080 --seed seed.yaml`, with options for latency,
//! faults, extra machines and a request log; see `--help`).

mod api;
mod clock;
mod config;
mod error;
mod faults;
mod ids;
mod query;
mod recorder;
// Loaded with `#[path]` so that the provider folders it declares are `src/<cloud>/`.
#[path = "registry.rs"]
mod registry;
mod seed;
mod server;
mod state;
pub mod status;
mod validate;

pub use api::BuiltinSample;
pub use config::EmulatorConfig;
pub use error::EmulatorError;
pub use faults::{FaultOdds, FaultSpecError, Faults};
pub use recorder::RecordedRequest;
pub use registry::seed_types::*;
pub use registry::{EmulatedProvider, Seed};
pub use seed::{DomainSeed, RecordSeed, SshKeySeed};
pub use server::Emulator;
