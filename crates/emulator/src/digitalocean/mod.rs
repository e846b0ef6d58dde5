//! The DigitalOcean API v2 routes Hangar uses, with DigitalOcean's error bodies,
//! page-numbered pagination, `ratelimit-*` headers, the optional SSH-key read limit and
//! paths accepted with a trailing slash.

mod catalog;
mod dns;
mod droplets;
mod firewalls;
mod keys;
mod limits;
mod pagination;
mod projects;
mod resize;
pub mod seed;
mod snapshots;
mod tags;
mod world;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tower::ServiceExt as _;

use crate::api::{BuiltinSample, EmulatedApi, Refusal, StartContext};
use crate::clock::unix_now;
use crate::error::EmulatorError;
use crate::query::{query_get, query_pairs};
use crate::state::{Shared, lock};
use crate::status::Boot;
use limits::{Limits, RATE_LIMIT_PER_HOUR};
use pagination::{DoPage, do_page};
use seed::DigitalOceanSeed;
use world::DoWorld;

/// The DigitalOcean API, as the registry knows it.
pub struct DigitalOcean;

/// What the DigitalOcean side holds while running.
pub struct DoState {
    world: Mutex<DoWorld>,
    /// `http://127.0.0.1:PORT`, used in links.
    base_url: String,
    limits: Limits,
}

/// Locks the DigitalOcean world.
fn lock_world(shared: &Shared) -> MutexGuard<'_, DoWorld> {
    lock(&shared.state::<DigitalOcean>().world)
}

/// `http://127.0.0.1:PORT`, as links to the API start.
fn base_url(shared: &Shared) -> &str {
    &shared.state::<DigitalOcean>().base_url
}

impl EmulatedApi for DigitalOcean {
    const DISPLAY_NAME: &'static str = "DigitalOcean";
    const SAMPLE: BuiltinSample = BuiltinSample {
        region: "nyc3",
        size: "s-1vcpu-1gb",
        bigger_size: "s-1vcpu-2gb",
        image: "ubuntu-24-04-x64",
        other_image: "debian-12-x64",
        zone: "example.com",
        ready_machines: &["web-1"],
        machines_path: "/v2/droplets",
        account_path: "/v2/account",
        domains_path: "/v2/domains",
        record_update_method: "PUT",
        max_page_size: 200,
        page_size_param: "per_page",
        machines_key: "droplets",
        machine_name_field: "name",
        missing_id: "999999999",
    };
    type Seed = DigitalOceanSeed;
    type State = DoState;

    fn builtin_seed() -> DigitalOceanSeed {
        DigitalOceanSeed::builtin()
    }

    fn token(seed: &DigitalOceanSeed) -> &str {
        &seed.token
    }

    /// `http://127.0.0.1:PORT`; a client appends `/v2/droplets`.
    fn base_url(addr: SocketAddr) -> String {
        format!("http://{addr}")
    }

    fn new_state(seed: &DigitalOceanSeed, ctx: &StartContext<'_>) -> DoState {
        DoState {
            world: Mutex::new(DoWorld::new(seed)),
            base_url: ctx.base_url.clone(),
            limits: Limits::new(ctx.config.do_ssh_key_reads_per_minute),
        }
    }

    fn load_seed(
        state: &DoState,
        seed: &DigitalOceanSeed,
        shared: &Shared,
        now: Instant,
    ) -> Result<(), EmulatorError> {
        lock(&state.world).load_seed(seed, shared, now)
    }

    fn router() -> Router<Arc<Shared>> {
        router()
    }

    /// DigitalOcean serves every path with a trailing slash too (`/v2/droplets/`), as
    /// clients such as pydo send them: it is stripped before routing (and before the gate,
    /// so faults, the SSH-key read limit and the request log see one form).
    fn host(gated: Router) -> Router {
        Router::new().fallback_service(gated.map_request(strip_trailing_slash))
    }

    fn refusal(kind: Refusal) -> Response {
        let (status, id, message) = match kind {
            Refusal::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Unable to authenticate you.",
            ),
            Refusal::RateLimited => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "API rate limit exceeded.",
            ),
            Refusal::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "request_too_large",
                "The request body is too large.",
            ),
            Refusal::ServerError => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "Server Error",
            ),
        };
        error(status, id, message).into_response()
    }

    /// The SSH-key read limit ([`EmulatorConfig::do_ssh_key_reads_per_minute`]).
    ///
    /// [`EmulatorConfig::do_ssh_key_reads_per_minute`]: crate::EmulatorConfig::do_ssh_key_reads_per_minute
    fn admit(state: &DoState, method: &str, path: &str) -> Option<Response> {
        if method != "GET" || !path.starts_with("/v2/account/keys") {
            return None;
        }
        let wait = state.limits.ssh_key_read_wait(Instant::now())?;
        let mut r = Self::refusal(Refusal::RateLimited);
        r.headers_mut()
            .insert("retry-after", HeaderValue::from(wait));
        Some(r)
    }

    /// `ratelimit-limit`, `ratelimit-remaining` and `ratelimit-reset` (a one-hour sliding
    /// window; `remaining` is 0 on a 429).
    fn stamp(state: &DoState, response: &mut Response) {
        let (mut remaining, reset) = state.limits.count_request(unix_now());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            remaining = 0;
        }
        let h = response.headers_mut();
        h.insert("ratelimit-limit", HeaderValue::from(RATE_LIMIT_PER_HOUR));
        h.insert("ratelimit-remaining", HeaderValue::from(remaining));
        h.insert("ratelimit-reset", HeaderValue::from(reset));
    }

    fn add_machines(state: &DoState, shared: &Shared, count: usize, tags: &[String]) {
        lock(&state.world).add_ready_droplets(shared, count, tags);
    }

    fn boot_of(state: &DoState, ip: Ipv4Addr, now: Instant) -> Option<Boot> {
        lock(&state.world).boot_of(ip, now)
    }
}

/// `/v2/droplets/` becomes `/v2/droplets` (any number of trailing slashes; `/` stays), with
/// the query kept.
fn strip_trailing_slash<B>(mut req: Request<B>) -> Request<B> {
    let uri = req.uri();
    let path = uri.path();
    if path.len() <= 1 || !path.ends_with('/') {
        return req;
    }
    let trimmed = match path.trim_end_matches('/') {
        "" => "/",
        t => t,
    };
    let path_and_query = match uri.query() {
        Some(q) => format!("{trimmed}?{q}"),
        None => trimmed.to_owned(),
    };
    let mut parts = uri.clone().into_parts();
    let Ok(pq) = path_and_query.parse() else {
        return req;
    };
    parts.path_and_query = Some(pq);
    if let Ok(new_uri) = axum::http::Uri::from_parts(parts) {
        *req.uri_mut() = new_uri;
    }
    req
}

/// All DigitalOcean routes, relative to the host (paths start with `/v2/`).
fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/v2/droplets",
            get(droplets::list)
                .post(droplets::create)
                .delete(droplets::delete_by_tag),
        )
        .route(
            "/v2/droplets/{droplet_id}",
            get(droplets::get_one).delete(droplets::delete_one),
        )
        .route(
            "/v2/droplets/{droplet_id}/actions",
            post(droplets::post_action).get(droplets::list_actions),
        )
        .route(
            "/v2/droplets/{droplet_id}/actions/{action_id}",
            get(droplets::get_droplet_action),
        )
        .route(
            "/v2/droplets/{droplet_id}/snapshots",
            get(snapshots::of_droplet),
        )
        .route("/v2/snapshots", get(snapshots::list))
        .route(
            "/v2/snapshots/{snapshot_id}",
            get(snapshots::get_one).delete(snapshots::delete_one),
        )
        .route("/v2/actions/{action_id}", get(droplets::get_action))
        .route(
            "/v2/firewalls",
            get(firewalls::list).post(firewalls::create),
        )
        .route(
            "/v2/firewalls/{firewall_id}",
            get(firewalls::get_one).delete(firewalls::delete),
        )
        .route("/v2/account", get(catalog::account))
        .route("/v2/account/keys", get(keys::list).post(keys::create))
        .route(
            "/v2/account/keys/{ssh_key_identifier}",
            get(keys::get_one).put(keys::update).delete(keys::delete),
        )
        .route(
            "/v2/domains",
            get(dns::list_domains).post(dns::create_domain),
        )
        .route(
            "/v2/domains/{domain_name}",
            get(dns::get_domain).delete(dns::delete_domain),
        )
        .route(
            "/v2/domains/{domain_name}/records",
            get(dns::list_records).post(dns::create_record),
        )
        .route(
            "/v2/domains/{domain_name}/records/{domain_record_id}",
            get(dns::get_record)
                .patch(dns::patch_record)
                .put(dns::put_record)
                .delete(dns::delete_record),
        )
        .route("/v2/projects", get(projects::list))
        .route("/v2/projects/{project_id}", get(projects::get_one))
        .route(
            "/v2/projects/{project_id}/resources",
            post(projects::assign).get(projects::list_resources),
        )
        .route("/v2/regions", get(catalog::regions))
        .route("/v2/sizes", get(catalog::sizes))
        .route("/v2/images", get(catalog::images))
        .route("/v2/tags", get(tags::list).post(tags::create))
        .route("/v2/tags/{tag_id}", get(tags::get_one).delete(tags::delete))
        .route(
            "/v2/tags/{tag_id}/resources",
            post(tags::tag_resources).delete(tags::untag_resources),
        )
        .fallback(not_found_fallback)
        .method_not_allowed_fallback(method_not_allowed)
}

/// A DigitalOcean error: `{"id": ..., "message": ...}` with a status.
#[derive(Debug)]
pub struct DoError {
    pub status: StatusCode,
    pub id: &'static str,
    pub message: String,
}

/// Builds a DigitalOcean error response.
pub fn error(status: StatusCode, id: &'static str, message: &str) -> DoError {
    DoError {
        status,
        id,
        message: message.to_owned(),
    }
}

impl DoError {
    pub fn not_found() -> DoError {
        error(
            StatusCode::NOT_FOUND,
            "not_found",
            "The resource you were accessing could not be found.",
        )
    }

    pub fn unprocessable(message: impl Into<String>) -> DoError {
        DoError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            id: "unprocessable_entity",
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> DoError {
        DoError {
            status: StatusCode::BAD_REQUEST,
            id: "bad_request",
            message: message.into(),
        }
    }
}

impl IntoResponse for DoError {
    fn into_response(self) -> Response {
        (
            self.status,
            axum::Json(json!({ "id": self.id, "message": self.message })),
        )
            .into_response()
    }
}

pub type DoResult = Result<Response, DoError>;

async fn method_not_allowed() -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "The method is not allowed for this resource.",
    )
    .into_response()
}

async fn not_found_fallback() -> Response {
    DoError::not_found().into_response()
}

/// A JSON response with `status`.
fn reply(status: StatusCode, body: Value) -> DoResult {
    Ok((status, axum::Json(body)).into_response())
}

/// 204 with an empty body.
fn no_content() -> DoResult {
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Parses a JSON request body; a malformed body is a 400, a well-formed one of the wrong
/// shape a 422.
fn parse_body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, DoError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| DoError::bad_request(format!("The request body is not valid JSON: {e}")))?;
    serde_json::from_value(value).map_err(|e| DoError::unprocessable(e.to_string()))
}

/// One page of `items` as `{key: [...], links, meta: {total}}`.
fn paginated(
    shared: &Shared,
    path: &str,
    query: &[(String, String)],
    key: &str,
    items: Vec<Value>,
) -> DoResult {
    paginated_with(shared, path, query, key, items, |v| v)
}

/// Like [`paginated`], rendering only the items of the requested page.
fn paginated_with<T>(
    shared: &Shared,
    path: &str,
    query: &[(String, String)],
    key: &str,
    items: Vec<T>,
    render: impl FnMut(T) -> Value,
) -> DoResult {
    let page: DoPage = do_page(query).map_err(DoError::bad_request)?;
    let total = items.len();
    let range = page.range(total);
    let links = page.links(base_url(shared), path, query, total);
    let page_items: Vec<Value> = items
        .into_iter()
        .skip(range.start)
        .take(range.len())
        .map(render)
        .collect();
    let mut body = serde_json::Map::new();
    body.insert(key.to_owned(), Value::Array(page_items));
    body.insert("links".into(), links);
    body.insert("meta".into(), json!({ "total": total }));
    reply(StatusCode::OK, Value::Object(body))
}

/// The tag-name rule of `#/components/schemas/tags/properties/name`.
fn valid_tag_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':'))
}
