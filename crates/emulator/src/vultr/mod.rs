//! The Vultr API v2 routes Hangar uses (served under `/v2`), with Vultr's
//! `{"error": ..., "status": N}` bodies and cursor pagination.

mod catalog;
mod dns;
mod firewalls;
mod instances;
mod keys;
mod pagination;
mod resize;
pub mod seed;
mod snapshots;
mod world;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::api::{BuiltinSample, EmulatedApi, Refusal, StartContext};
use crate::error::EmulatorError;
use crate::query::{query_get, query_pairs};
use crate::state::{Shared, lock};
use crate::status::Boot;
use pagination::vultr_page;
use seed::VultrSeed;
use world::VultrWorld;

/// The Vultr API, as the registry knows it.
pub struct Vultr;

/// What the Vultr side holds while running.
pub struct VultrState {
    world: Mutex<VultrWorld>,
}

/// Locks the Vultr world.
fn lock_world(shared: &Shared) -> MutexGuard<'_, VultrWorld> {
    lock(&shared.state::<Vultr>().world)
}

impl EmulatedApi for Vultr {
    const DISPLAY_NAME: &'static str = "Vultr";
    const SAMPLE: BuiltinSample = BuiltinSample {
        region: "ewr",
        size: "vc2-1c-1gb",
        bigger_size: "vc2-1c-2gb",
        image: "2284",
        other_image: "2136",
        zone: "example.net",
        ready_machines: &["web-1"],
        machines_path: "/v2/instances",
        account_path: "/v2/account",
        domains_path: "/v2/domains",
        record_update_method: "PATCH",
        max_page_size: 500,
        page_size_param: "per_page",
        machines_key: "instances",
        machine_name_field: "label",
        missing_id: "00000000-0000-4000-8000-000000000000",
    };
    type Seed = VultrSeed;
    type State = VultrState;

    fn builtin_seed() -> VultrSeed {
        VultrSeed::builtin()
    }

    fn token(seed: &VultrSeed) -> &str {
        &seed.token
    }

    /// `http://127.0.0.1:PORT/v2`; a client appends `/instances`.
    fn base_url(addr: SocketAddr) -> String {
        format!("http://{addr}/v2")
    }

    fn new_state(seed: &VultrSeed, _ctx: &StartContext<'_>) -> VultrState {
        VultrState {
            world: Mutex::new(VultrWorld::new(seed)),
        }
    }

    fn load_seed(
        state: &VultrState,
        seed: &VultrSeed,
        shared: &Shared,
        now: Instant,
    ) -> Result<(), EmulatorError> {
        lock(&state.world).load_seed(seed, shared, now)
    }

    /// The routes under `/v2`; every other path answers Vultr's 404.
    fn router() -> Router<Arc<Shared>> {
        Router::new()
            .nest("/v2", router())
            .fallback(not_found_fallback)
    }

    fn refusal(kind: Refusal) -> Response {
        let (status, message) = match kind {
            Refusal::Unauthorized => (StatusCode::UNAUTHORIZED, "Invalid API token."),
            Refusal::RateLimited => (
                StatusCode::TOO_MANY_REQUESTS,
                "Rate limit reached - please try your request again later.",
            ),
            Refusal::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "The request body is too large.",
            ),
            Refusal::ServerError => (StatusCode::INTERNAL_SERVER_ERROR, "Internal server error."),
        };
        error(status, message).into_response()
    }

    fn add_machines(state: &VultrState, shared: &Shared, count: usize, tags: &[String]) {
        lock(&state.world).add_ready_instances(shared, count, tags);
    }

    fn boot_of(state: &VultrState, ip: Ipv4Addr, now: Instant) -> Option<Boot> {
        lock(&state.world).boot_of(ip, now)
    }
}

/// All Vultr routes, relative to `/v2`.
fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/instances", get(instances::list).post(instances::create))
        .route("/instances/start", post(instances::bulk_start))
        .route("/instances/halt", post(instances::bulk_halt))
        .route("/instances/reboot", post(instances::bulk_reboot))
        .route(
            "/instances/{instance_id}",
            get(instances::get_one)
                .patch(instances::update)
                .delete(instances::delete),
        )
        .route(
            "/instances/{instance_id}/user-data",
            get(instances::get_user_data),
        )
        .route("/instances/{instance_id}/start", post(instances::start))
        .route("/instances/{instance_id}/halt", post(instances::halt))
        .route("/instances/{instance_id}/reboot", post(instances::reboot))
        .route("/instances/{instance_id}/restore", post(resize::restore))
        .route("/firewalls", get(firewalls::list).post(firewalls::create))
        .route(
            "/firewalls/{firewall_group_id}",
            get(firewalls::get_one)
                .put(firewalls::update)
                .delete(firewalls::delete),
        )
        .route(
            "/firewalls/{firewall_group_id}/rules",
            get(firewalls::list_rules).post(firewalls::create_rule),
        )
        .route(
            "/firewalls/{firewall_group_id}/rules/{firewall_rule_id}",
            get(firewalls::get_rule).delete(firewalls::delete_rule),
        )
        .route("/snapshots", get(snapshots::list).post(snapshots::create))
        .route(
            "/snapshots/{snapshot_id}",
            get(snapshots::get_one).delete(snapshots::delete),
        )
        .route("/ssh-keys", get(keys::list).post(keys::create))
        .route(
            "/ssh-keys/{ssh_key_id}",
            get(keys::get_one).patch(keys::update).delete(keys::delete),
        )
        .route("/domains", get(dns::list_domains).post(dns::create_domain))
        .route(
            "/domains/{dns_domain}",
            get(dns::get_domain)
                .put(dns::update_domain)
                .delete(dns::delete_domain),
        )
        .route(
            "/domains/{dns_domain}/records",
            get(dns::list_records).post(dns::create_record),
        )
        .route(
            "/domains/{dns_domain}/records/{record_id}",
            get(dns::get_record)
                .patch(dns::update_record)
                .delete(dns::delete_record),
        )
        .route("/regions", get(catalog::regions))
        .route(
            "/regions/{region_id}/availability",
            get(catalog::availability),
        )
        .route("/plans", get(catalog::plans))
        .route("/os", get(catalog::os))
        .route("/account", get(catalog::account))
        .method_not_allowed_fallback(method_not_allowed)
}

async fn method_not_allowed() -> Response {
    error(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed.").into_response()
}

/// A Vultr error: `{"error": message, "status": code}`.
#[derive(Debug)]
pub struct VultrError {
    pub status: StatusCode,
    pub message: String,
}

/// Builds a Vultr error response.
pub fn error(status: StatusCode, message: &str) -> VultrError {
    VultrError {
        status,
        message: message.to_owned(),
    }
}

impl VultrError {
    pub fn bad_request(message: impl Into<String>) -> VultrError {
        VultrError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> VultrError {
        VultrError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }
}

impl IntoResponse for VultrError {
    fn into_response(self) -> Response {
        (
            self.status,
            axum::Json(json!({ "error": self.message, "status": self.status.as_u16() })),
        )
            .into_response()
    }
}

pub type VultrResult = Result<Response, VultrError>;

/// Unknown paths under the Vultr host.
async fn not_found_fallback() -> Response {
    VultrError::not_found("Invalid API path.").into_response()
}

fn reply(status: StatusCode, body: Value) -> VultrResult {
    Ok((status, axum::Json(body)).into_response())
}

fn no_content() -> VultrResult {
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Parses a JSON request body; anything malformed is a 400, as Vultr answers.
fn parse_body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, VultrError> {
    let bytes: &[u8] = if bytes.is_empty() { b"{}" } else { bytes };
    serde_json::from_slice(bytes)
        .map_err(|e| VultrError::bad_request(format!("Invalid JSON body: {e}")))
}

/// One page of `items` as `{key: [...], meta: {total, links: {next, prev}}}`.
fn paginated(query: &[(String, String)], key: &str, items: Vec<Value>) -> VultrResult {
    paginated_with(query, key, items, |v| v)
}

/// Like [`paginated`], rendering only the items of the requested page.
fn paginated_with<T>(
    query: &[(String, String)],
    key: &str,
    items: Vec<T>,
    render: impl FnMut(T) -> Value,
) -> VultrResult {
    let page = vultr_page(query).map_err(VultrError::bad_request)?;
    let total = items.len();
    let range = page.range(total);
    let page_items: Vec<Value> = items
        .into_iter()
        .skip(range.start)
        .take(range.len())
        .map(render)
        .collect();
    let mut body = serde_json::Map::new();
    body.insert(key.to_owned(), Value::Array(page_items));
    body.insert("meta".into(), page.meta(total));
    reply(StatusCode::OK, Value::Object(body))
}
