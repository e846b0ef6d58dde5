//! What a provider folder implements to be served: [`EmulatedApi`].
//!
//! A provider is a folder `src/<cloud>/` with a type implementing [`EmulatedApi`] and a
//! `seed` module holding its seed section's types, plus its line in
//! [`registry`](crate::registry). The shared code (listeners, the gate every request passes,
//! faults, the request log, the status proxy, the binary) never names a provider: it goes
//! through [`EmulatedProvider::api`](crate::EmulatedProvider), whose [`DynApi`] is the
//! object-safe face of the same implementation.

use std::any::Any;
use std::fmt::Debug;
use std::marker::PhantomData;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::http::HeaderMap;
use axum::middleware;
use axum::response::Response;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::config::EmulatorConfig;
use crate::error::EmulatorError;
use crate::registry::{Registered, Seed};
use crate::state::Shared;
use crate::status::Boot;

/// The answers the gate gives on a provider's behalf, each in the provider's error body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// 401: no or a wrong bearer token.
    Unauthorized,
    /// 429: an injected rate limit (the gate adds `retry-after`).
    RateLimited,
    /// 413: a body larger than the emulator reads.
    TooLarge,
    /// 500: an injected server error.
    ServerError,
}

/// What a provider gets to build its state.
pub struct StartContext<'a> {
    /// Where its listener is bound, as [`EmulatedApi::base_url`] renders it.
    pub base_url: String,
    /// The whole configuration (for provider-specific options).
    pub config: &'a EmulatorConfig,
}

/// Values of a provider's built-in seed ([`EmulatedApi::builtin_seed`]) and of its paths that
/// the demo cloud, the tests and the benchmarks use, so that none of them names a provider:
/// a create that succeeds, the zone, the machines that are ready, and how the API's requests
/// look in the request log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltinSample {
    /// A region of the catalog where [`BuiltinSample::size`] is offered.
    pub region: &'static str,
    /// A plan offered in [`BuiltinSample::region`].
    pub size: &'static str,
    /// A larger plan the sample size resizes to, in the same region.
    pub bigger_size: &'static str,
    /// A distribution image (its id as the client sends it).
    pub image: &'static str,
    /// Another distribution image, to rebuild with.
    pub other_image: &'static str,
    /// The seeded DNS zone.
    pub zone: &'static str,
    /// Machines of the built-in seed that are ready (an address, running) and carry the demo
    /// session's tags, by name.
    pub ready_machines: &'static [&'static str],
    /// The machines collection as the request log records it (`/v2/droplets`).
    pub machines_path: &'static str,
    /// The call the client proves a token with, as the request log records it (`/v2/account`).
    pub account_path: &'static str,
    /// The DNS zones collection as the request log records it (`/v2/domains`).
    pub domains_path: &'static str,
    /// The method that changes a DNS record (`PUT`, `PATCH`).
    pub record_update_method: &'static str,
    /// The largest page the machine list answers.
    pub max_page_size: usize,
    /// The query parameter that sets the page size (`per_page`).
    pub page_size_param: &'static str,
    /// The key of a machine list page's array of machines (`droplets`).
    pub machines_key: &'static str,
    /// The field of a listed machine that holds its name (`name`, `label`).
    pub machine_name_field: &'static str,
    /// A well-formed machine id that no machine has.
    pub missing_id: &'static str,
}

/// One emulated provider API.
///
/// Its state ([`EmulatedApi::State`]) is built once at start and held by the emulator; the
/// provider's handlers reach it with [`Shared::state`]. Everything else it does per request
/// is in its [`EmulatedApi::router`] and the gate hooks ([`EmulatedApi::authorized`],
/// [`EmulatedApi::admit`], [`EmulatedApi::stamp`], [`EmulatedApi::host`]).
pub trait EmulatedApi: Sized + 'static {
    /// The name people know the cloud by (`DigitalOcean`).
    const DISPLAY_NAME: &'static str;

    /// What the tests and the demo cloud may rely on in its built-in seed.
    const SAMPLE: BuiltinSample;

    /// Its section of the seed YAML.
    type Seed: Clone + Debug + Default + PartialEq + Serialize + DeserializeOwned;

    /// Everything it holds while running (its world, behind its own locks).
    type State: Send + Sync + 'static;

    /// Its part of [`Seed::builtin`].
    fn builtin_seed() -> Self::Seed;

    /// The bearer token its seed section says the API accepts.
    fn token(seed: &Self::Seed) -> &str;

    /// The base URL a client is given for a listener on `addr` (with the API's path prefix
    /// if its clients expect one in the base URL).
    fn base_url(addr: SocketAddr) -> String;

    /// Its state with the seed's catalogs, before any resource exists.
    fn new_state(seed: &Self::Seed, ctx: &StartContext<'_>) -> Self::State;

    /// Creates the seed's resources. Called once per provider, in the registry's order
    /// (addresses are allocated in that order).
    fn load_seed(
        state: &Self::State,
        seed: &Self::Seed,
        shared: &Shared,
        now: Instant,
    ) -> Result<(), EmulatorError>;

    /// Every route of the host, including its fallbacks (unknown paths, wrong methods).
    fn router() -> Router<Arc<Shared>>;

    /// Wraps the gated router: what the host does to a request before the gate sees it (e.g.
    /// normalizing paths). The default does nothing.
    fn host(gated: Router) -> Router {
        gated
    }

    /// The gate's own answers, in the provider's error body.
    fn refusal(kind: Refusal) -> Response;

    /// Whether the request carries the accepted token. The default: `Authorization: Bearer`.
    fn authorized(headers: &HeaderMap, token: &str) -> bool {
        bearer_matches(headers, token)
    }

    /// A provider-specific refusal of an authorized request before its handler runs (e.g. a
    /// per-route rate limit); `None` lets it through.
    fn admit(_state: &Self::State, _method: &str, _path: &str) -> Option<Response> {
        None
    }

    /// Adds what the provider puts on every answer (e.g. rate-limit headers), the gate's own
    /// refusals and injected faults included.
    fn stamp(_state: &Self::State, _response: &mut Response) {}

    /// Creates `count` ready machines named `bulk-<n>` carrying `tags`.
    fn add_machines(state: &Self::State, shared: &Shared, count: usize, tags: &[String]);

    /// The boot of the machine that has public address `ip`, for the status proxy.
    fn boot_of(state: &Self::State, ip: Ipv4Addr, now: Instant) -> Option<Boot>;
}

/// `Authorization: Bearer <token>`, surrounding spaces of the token ignored.
pub fn bearer_matches(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| t.trim() == token)
}

/// The object-safe face of a registered [`EmulatedApi`], for code that holds a provider only
/// as an [`EmulatedProvider`](crate::EmulatedProvider) value.
pub trait DynApi: Sync {
    fn display_name(&self) -> &'static str;
    fn sample(&self) -> &'static BuiltinSample;
    fn token<'s>(&self, seed: &'s Seed) -> &'s str;
    fn base_url(&self, addr: SocketAddr) -> String;
    fn new_state(&self, seed: &Seed, ctx: &StartContext<'_>) -> Box<dyn Any + Send + Sync>;
    fn load_seed(&self, seed: &Seed, shared: &Shared, now: Instant) -> Result<(), EmulatorError>;
    /// The host's router behind the gate, ready to serve.
    fn router(&self, shared: &Arc<Shared>) -> Router;
    fn add_machines(&self, shared: &Shared, count: usize, tags: &[String]);
    fn boot_of(&self, shared: &Shared, ip: Ipv4Addr, now: Instant) -> Option<Boot>;
}

/// [`DynApi`] for the registered implementation `P`.
pub struct Plugged<P>(PhantomData<fn() -> P>);

impl<P> Plugged<P> {
    pub const NEW: Plugged<P> = Plugged(PhantomData);
}

impl<P: Registered> DynApi for Plugged<P> {
    fn display_name(&self) -> &'static str {
        P::DISPLAY_NAME
    }

    fn sample(&self) -> &'static BuiltinSample {
        &P::SAMPLE
    }

    fn token<'s>(&self, seed: &'s Seed) -> &'s str {
        P::token(P::section(seed))
    }

    fn base_url(&self, addr: SocketAddr) -> String {
        P::base_url(addr)
    }

    fn new_state(&self, seed: &Seed, ctx: &StartContext<'_>) -> Box<dyn Any + Send + Sync> {
        Box::new(P::new_state(P::section(seed), ctx))
    }

    fn load_seed(&self, seed: &Seed, shared: &Shared, now: Instant) -> Result<(), EmulatorError> {
        P::load_seed(shared.state::<P>(), P::section(seed), shared, now)
    }

    fn router(&self, shared: &Arc<Shared>) -> Router {
        let gated = P::router()
            .layer(middleware::from_fn_with_state(
                shared.clone(),
                crate::server::gate_request::<P>,
            ))
            .with_state(shared.clone());
        P::host(gated)
    }

    fn add_machines(&self, shared: &Shared, count: usize, tags: &[String]) {
        P::add_machines(shared.state::<P>(), shared, count, tags);
    }

    fn boot_of(&self, shared: &Shared, ip: Ipv4Addr, now: Instant) -> Option<Boot> {
        P::boot_of(shared.state::<P>(), ip, now)
    }
}
