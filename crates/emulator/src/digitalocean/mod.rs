//! The DigitalOcean API v2 routes Hangar uses, with DigitalOcean's error bodies and
//! page-numbered pagination.

mod catalog;
mod dns;
mod droplets;
mod keys;
mod projects;
mod tags;
mod world;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::pagination::{DoPage, do_page};
use super::recorder::url_query_pairs;
use super::state::Shared;

pub use dns::valid_zone_name;
pub use keys::plausible_public_key;
pub use world::DoWorld;

/// All DigitalOcean routes, relative to the host (paths start with `/v2/`).
pub fn router() -> Router<Arc<Shared>> {
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
        .route("/v2/actions/{action_id}", get(droplets::get_action))
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

/// The query string as decoded pairs.
fn query_pairs(raw: &Option<String>) -> Vec<(String, String)> {
    raw.as_deref().map(url_query_pairs).unwrap_or_default()
}

fn query_get<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
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
    let links = page.links(&shared.do_base_url, path, query, total);
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
