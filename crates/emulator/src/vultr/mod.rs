//! The Vultr API v2 routes Hangar uses (served under `/v2`), with Vultr's
//! `{"error": ..., "status": N}` bodies and cursor pagination.

mod catalog;
mod dns;
mod instances;
mod keys;
mod world;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::pagination::vultr_page;
use super::recorder::url_query_pairs;

pub use world::VultrWorld;

use super::state::Shared;

/// All Vultr routes, relative to `/v2`.
pub fn router() -> Router<Arc<Shared>> {
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
pub async fn not_found_fallback() -> Response {
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

fn query_pairs(raw: &Option<String>) -> Vec<(String, String)> {
    raw.as_deref().map(url_query_pairs).unwrap_or_default()
}

fn query_get<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
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
