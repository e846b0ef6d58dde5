//! The Linode API v4 routes Hangar uses (served under `/v4`), with Linode's
//! `{"errors": [{"reason", "field"}]}` bodies, page-number pagination and the `X-Filter`
//! header.
//!
//! Every success answers 200, creates and deletes included (delete answers `{}`). A Linode is
//! returned by its create at once, with its public IPv4 address, as `provisioning`; it turns
//! `running` after the emulator's IP delay. Power calls (boot, shutdown, reboot) pass through
//! `booting`, `shutting_down` and `rebooting` for as long again; while any of these events
//! runs (provisioning included), power calls, resizes and rebuilds answer 400 "Linode busy.".
//! Resize (`migrating`) and rebuild (`rebuilding`) run as long. Cloud Firewalls
//! (`/networking/firewalls`, their rules and devices) are in `firewalls.rs`; backups, disks,
//! configs, events and the other Linode services are not served.

mod catalog;
mod dns;
mod firewalls;
mod instances;
mod keys;
mod pagination;
pub mod seed;
mod world;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::api::{BuiltinSample, EmulatedApi, Refusal, StartContext};
use crate::clock::unix_now;
use crate::error::EmulatorError;
use crate::query::query_pairs;
use crate::state::{Shared, lock};
use crate::status::Boot;
use pagination::{Filter, linode_page};
use seed::LinodeSeed;
use world::LinodeWorld;

/// The Linode API, as the registry knows it.
pub struct Linode;

/// What the Linode side holds while running.
pub struct LinodeState {
    world: Mutex<LinodeWorld>,
    /// The current two-minute rate-limit window: its start (Unix seconds) and its requests.
    window: Mutex<(u64, u64)>,
}

/// "Generally 1,600 requests per two minutes" (`#/info/description`, "Rate Limiting").
const RATE_LIMIT: u64 = 1600;
const RATE_WINDOW_SECS: u64 = 120;

/// Locks the Linode world.
fn lock_world(shared: &Shared) -> MutexGuard<'_, LinodeWorld> {
    lock(&shared.state::<Linode>().world)
}

impl EmulatedApi for Linode {
    const DISPLAY_NAME: &'static str = "Linode";
    const SAMPLE: BuiltinSample = BuiltinSample {
        region: "us-east",
        size: "g6-nanode-1",
        bigger_size: "g6-standard-1",
        image: "linode/ubuntu24.04",
        other_image: "linode/debian12",
        zone: "example.org",
        ready_machines: &["web-1"],
        machines_path: "/v4/linode/instances",
        account_path: "/v4/profile",
        domains_path: "/v4/domains",
        record_update_method: "PUT",
        max_page_size: 500,
        page_size_param: "page_size",
        machines_key: "data",
        machine_name_field: "label",
        missing_id: "999999999",
    };
    type Seed = LinodeSeed;
    type State = LinodeState;

    fn builtin_seed() -> LinodeSeed {
        LinodeSeed::builtin()
    }

    fn token(seed: &LinodeSeed) -> &str {
        &seed.token
    }

    /// `http://127.0.0.1:PORT/v4`; a client appends `/linode/instances`.
    fn base_url(addr: SocketAddr) -> String {
        format!("http://{addr}/v4")
    }

    fn new_state(seed: &LinodeSeed, _ctx: &StartContext<'_>) -> LinodeState {
        LinodeState {
            world: Mutex::new(LinodeWorld::new(seed)),
            window: Mutex::new((0, 0)),
        }
    }

    fn load_seed(
        state: &LinodeState,
        seed: &LinodeSeed,
        shared: &Shared,
        now: Instant,
    ) -> Result<(), EmulatorError> {
        lock(&state.world).load_seed(seed, shared, now)
    }

    /// The routes under `/v4`; every other path answers Linode's 404.
    fn router() -> Router<Arc<Shared>> {
        Router::new()
            .nest("/v4", router())
            .fallback(not_found_fallback)
    }

    fn refusal(kind: Refusal) -> Response {
        let (status, reason) = match kind {
            Refusal::Unauthorized => (StatusCode::UNAUTHORIZED, "Invalid Token"),
            Refusal::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "Too Many Requests"),
            Refusal::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large"),
            Refusal::ServerError => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "An unexpected error occurred.",
            ),
        };
        LinodeError::new(status, reason).into_response()
    }

    /// `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (UTC epoch
    /// seconds) of a fixed two-minute window; `remaining` is 0 on a 429. The limit itself is
    /// not enforced (faults inject 429s).
    fn stamp(state: &LinodeState, response: &mut Response) {
        let now = unix_now();
        let (remaining, reset) = {
            let mut w = lock(&state.window);
            if now >= w.0 + RATE_WINDOW_SECS {
                *w = (now, 0);
            }
            w.1 += 1;
            (RATE_LIMIT.saturating_sub(w.1), w.0 + RATE_WINDOW_SECS)
        };
        let remaining = if response.status() == StatusCode::TOO_MANY_REQUESTS {
            0
        } else {
            remaining
        };
        let h = response.headers_mut();
        h.insert("x-ratelimit-limit", HeaderValue::from(RATE_LIMIT));
        h.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
        h.insert("x-ratelimit-reset", HeaderValue::from(reset));
    }

    fn add_machines(state: &LinodeState, shared: &Shared, count: usize, tags: &[String]) {
        lock(&state.world).add_ready_instances(shared, count, tags);
    }

    fn boot_of(state: &LinodeState, ip: Ipv4Addr, now: Instant) -> Option<Boot> {
        lock(&state.world).boot_of(ip, now)
    }
}

/// All Linode routes, relative to `/v4`.
fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/linode/instances",
            get(instances::list).post(instances::create),
        )
        .route(
            "/linode/instances/{linode_id}",
            get(instances::get_one)
                .put(instances::update)
                .delete(instances::delete),
        )
        .route("/linode/instances/{linode_id}/boot", post(instances::boot))
        .route(
            "/linode/instances/{linode_id}/shutdown",
            post(instances::shutdown),
        )
        .route(
            "/linode/instances/{linode_id}/reboot",
            post(instances::reboot),
        )
        .route(
            "/linode/instances/{linode_id}/resize",
            post(instances::resize),
        )
        .route(
            "/linode/instances/{linode_id}/rebuild",
            post(instances::rebuild),
        )
        .route("/linode/instances/{linode_id}/ips", get(instances::ips))
        .route("/linode/instances/{linode_id}/disks", get(instances::disks))
        .route(
            "/linode/instances/{linode_id}/firewalls",
            get(firewalls::of_linode),
        )
        .route(
            "/networking/firewalls",
            get(firewalls::list).post(firewalls::create),
        )
        .route(
            "/networking/firewalls/{firewall_id}",
            get(firewalls::get_one)
                .put(firewalls::update)
                .delete(firewalls::delete),
        )
        .route(
            "/networking/firewalls/{firewall_id}/rules",
            get(firewalls::get_rules).put(firewalls::set_rules),
        )
        .route(
            "/networking/firewalls/{firewall_id}/devices",
            get(firewalls::list_devices).post(firewalls::create_device),
        )
        .route(
            "/networking/firewalls/{firewall_id}/devices/{device_id}",
            get(firewalls::get_device).delete(firewalls::delete_device),
        )
        .route("/profile/sshkeys", get(keys::list).post(keys::create))
        .route(
            "/profile/sshkeys/{ssh_key_id}",
            get(keys::get_one).put(keys::update).delete(keys::delete),
        )
        .route("/domains", get(dns::list_domains).post(dns::create_domain))
        .route(
            "/domains/{domain_id}",
            get(dns::get_domain)
                .put(dns::update_domain)
                .delete(dns::delete_domain),
        )
        .route(
            "/domains/{domain_id}/records",
            get(dns::list_records).post(dns::create_record),
        )
        .route(
            "/domains/{domain_id}/records/{record_id}",
            get(dns::get_record)
                .put(dns::update_record)
                .delete(dns::delete_record),
        )
        .route("/regions", get(catalog::regions))
        .route("/linode/types", get(catalog::types))
        .route("/images", get(catalog::images))
        .route("/profile", get(catalog::profile))
        .route("/account", get(catalog::account))
        .method_not_allowed_fallback(method_not_allowed)
}

async fn method_not_allowed() -> Response {
    LinodeError::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed").into_response()
}

/// Unknown paths under the Linode host.
async fn not_found_fallback() -> Response {
    LinodeError::not_found().into_response()
}

/// A Linode error: `{"errors": [{"reason": ..., "field": ...}]}` (`field` only when one
/// request field caused it).
#[derive(Debug)]
pub struct LinodeError {
    pub status: StatusCode,
    pub errors: Vec<(String, Option<String>)>,
}

impl LinodeError {
    pub fn new(status: StatusCode, reason: impl Into<String>) -> LinodeError {
        LinodeError {
            status,
            errors: vec![(reason.into(), None)],
        }
    }

    /// A 400 about one request field.
    pub fn field(field: &str, reason: impl Into<String>) -> LinodeError {
        LinodeError {
            status: StatusCode::BAD_REQUEST,
            errors: vec![(reason.into(), Some(field.to_owned()))],
        }
    }

    /// A 400 not about a single field.
    pub fn bad_request(reason: impl Into<String>) -> LinodeError {
        LinodeError::new(StatusCode::BAD_REQUEST, reason)
    }

    /// 404 "Not found", Linode's answer for every unknown id or path.
    pub fn not_found() -> LinodeError {
        LinodeError::new(StatusCode::NOT_FOUND, "Not found")
    }

    /// 400 "Linode busy.": an event of the Linode is still running.
    pub fn busy() -> LinodeError {
        LinodeError::bad_request("Linode busy.")
    }
}

impl IntoResponse for LinodeError {
    fn into_response(self) -> Response {
        let errors: Vec<Value> = self
            .errors
            .into_iter()
            .map(|(reason, field)| match field {
                Some(f) => json!({ "reason": reason, "field": f }),
                None => json!({ "reason": reason }),
            })
            .collect();
        (self.status, axum::Json(json!({ "errors": errors }))).into_response()
    }
}

pub type LinodeResult = Result<Response, LinodeError>;

/// 200 with `body`.
fn ok(body: Value) -> LinodeResult {
    Ok((StatusCode::OK, axum::Json(body)).into_response())
}

/// 200 `{}`: what deletes and power calls answer.
fn empty() -> LinodeResult {
    ok(json!({}))
}

/// Parses a JSON request body; anything malformed is a 400.
fn parse_body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, LinodeError> {
    let bytes: &[u8] = if bytes.is_empty() { b"{}" } else { bytes };
    serde_json::from_slice(bytes).map_err(|e| {
        let reason = if e.is_data() {
            format!("Invalid request body: {e}")
        } else {
            "Malformed JSON".to_string()
        };
        LinodeError::bad_request(reason)
    })
}

/// A path id: Linode's ids are integers; anything else names nothing.
fn path_id(s: &str) -> Result<u64, LinodeError> {
    s.parse().map_err(|_| LinodeError::not_found())
}

/// One page of already rendered `items`, after the `X-Filter` of `headers` (on the fields
/// `filterable`), in Linode's envelope.
fn paginated(
    raw_query: &Option<String>,
    headers: &HeaderMap,
    filterable: &[&str],
    items: Vec<Value>,
) -> LinodeResult {
    let query = query_pairs(raw_query);
    let page = linode_page(&query).map_err(|(r, f)| LinodeError::field(f, r))?;
    let header = headers.get("x-filter").and_then(|v| v.to_str().ok());
    let filter = Filter::parse(header, filterable).map_err(|(r, f)| LinodeError::field(f, r))?;
    let items = filter.apply(items);
    let total = items.len();
    let range = page.range(total);
    let data: Vec<Value> = items
        .into_iter()
        .skip(range.start)
        .take(range.len())
        .collect();
    ok(page.envelope(total, data))
}
