//! Turning HTTP statuses and provider error bodies into [`ProviderError`].
//!
//! Error bodies are parsed leniently, because the shapes differ by provider and by operation:
//! DigitalOcean's `{"id", "message"}`, DigitalOcean's `error_with_root_causes`
//! (`{"error", "messages", "root_causes"}`), Vultr's `{"error", "status"}`, a list of error
//! objects (`{"errors": [{"reason", "field"}]}`, as Linode sends), and anything else (HTML
//! from a proxy, an empty body), which falls back to the HTTP status text.

use reqwest::StatusCode;
use serde_json::Value;

use crate::provider::{ProviderError, ProviderKind};

/// The most useful human message in an error body, or the status text.
pub fn error_message(status: StatusCode, body: &[u8]) -> String {
    if let Ok(value) = serde_json::from_slice::<Value>(body)
        && let Some(message) = message_from_json(&value)
    {
        return message;
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let looks_like_markup = text.starts_with('<');
    if !text.is_empty() && !looks_like_markup && text.len() <= 300 && !text.starts_with('{') {
        return text.to_string();
    }
    status
        .canonical_reason()
        .map(|r| format!("HTTP {} {r}", status.as_u16()))
        .unwrap_or_else(|| format!("HTTP {}", status.as_u16()))
}

fn message_from_json(value: &Value) -> Option<String> {
    let string = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    // DigitalOcean: {"id": "not_found", "message": "..."}
    if let Some(message) = string("message") {
        return Some(message);
    }
    // Vultr {"error": "...", "status": 400} and DigitalOcean error_with_root_causes.
    let mut parts: Vec<String> = string("error").into_iter().collect();
    for key in ["messages", "root_causes"] {
        if let Some(items) = value.get(key).and_then(Value::as_array) {
            parts.extend(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty() && !parts.iter().any(|p| p == s))
                    .map(str::to_string)
                    .collect::<Vec<_>>(),
            );
        }
    }
    // {"errors": [{"reason": "...", "field": "..."}, ...]}: one entry per problem, `field`
    // only when one request field caused it (and then possibly a dotted path, or "null").
    if let Some(items) = value.get("errors").and_then(Value::as_array) {
        for item in items {
            let Some(reason) = item
                .get("reason")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
            else {
                continue;
            };
            let field = item
                .get("field")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|f| !f.is_empty() && *f != "null");
            let part = match field {
                Some(field) => format!("{field}: {reason}"),
                None => reason.to_string(),
            };
            if !parts.contains(&part) {
                parts.push(part);
            }
        }
    }
    if parts.is_empty() {
        string("id")
    } else {
        Some(parts.join("; "))
    }
}

/// `body` with every occurrence of `secret` (alone or in `Bearer <secret>`) replaced by
/// `[REDACTED]`, before any of it reaches a message or a log.
pub fn scrub_secret(body: &[u8], secret: &str) -> Vec<u8> {
    let secret = secret.trim().as_bytes();
    if secret.is_empty() {
        return body.to_vec();
    }
    let mut out = Vec::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.windows(secret.len()).position(|w| w == secret) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(b"[REDACTED]");
        rest = &rest[at + secret.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// Map a non-success status to an error. `what` names the resource for a 404.
pub fn map_status(
    provider: ProviderKind,
    status: StatusCode,
    body: &[u8],
    what: &str,
    retry_after_secs: Option<u64>,
) -> ProviderError {
    let message = error_message(status, body);
    match status.as_u16() {
        401 | 403 => ProviderError::Auth {
            provider,
            status: status.as_u16(),
            message,
        },
        404 => ProviderError::NotFound {
            provider,
            what: what.to_string(),
            message,
        },
        429 => ProviderError::RateLimited {
            provider,
            retry_after_secs,
        },
        400..=499 => ProviderError::Validation { provider, message },
        _ => ProviderError::Provider {
            provider,
            status: status.as_u16(),
            message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DO: ProviderKind = ProviderKind::DigitalOcean;

    #[test]
    fn parses_each_error_body_shape() {
        let s = StatusCode::UNPROCESSABLE_ENTITY;
        assert_eq!(
            error_message(
                s,
                br#"{"id":"unprocessable_entity","message":"Name is invalid"}"#
            ),
            "Name is invalid"
        );
        assert_eq!(
            error_message(
                StatusCode::BAD_REQUEST,
                br#"{"error":"tag name invalid","messages":null,"root_causes":["bad chars"]}"#
            ),
            "tag name invalid; bad chars"
        );
        assert_eq!(
            error_message(
                StatusCode::BAD_REQUEST,
                br#"{"error":"Server is currently locked","status":400}"#
            ),
            "Server is currently locked"
        );
        assert_eq!(
            error_message(StatusCode::BAD_GATEWAY, b"<html><body>502</body></html>"),
            "HTTP 502 Bad Gateway"
        );
        assert_eq!(
            error_message(StatusCode::INTERNAL_SERVER_ERROR, b""),
            "HTTP 500 Internal Server Error"
        );
        assert_eq!(
            error_message(StatusCode::INTERNAL_SERVER_ERROR, b"{}"),
            "HTTP 500 Internal Server Error"
        );
        assert_eq!(
            error_message(StatusCode::BAD_REQUEST, b"plain words"),
            "plain words"
        );
    }

    #[test]
    fn parses_a_list_of_error_objects_with_optional_fields() {
        let body = br#"{"errors":[
            {"reason":"Label must be unique","field":"label"},
            {"reason":"Linode busy."},
            {"reason":"Not a valid type","field":"null"},
            {"field":"region"},
            {"reason":"Linode busy."}
        ]}"#;
        assert_eq!(
            error_message(StatusCode::BAD_REQUEST, body),
            "label: Label must be unique; Linode busy.; Not a valid type"
        );
        assert_eq!(
            error_message(
                StatusCode::BAD_REQUEST,
                br#"{"errors":[{"reason":"too long","field":"metadata.user_data"}]}"#
            ),
            "metadata.user_data: too long"
        );
        assert_eq!(
            error_message(StatusCode::NOT_FOUND, br#"{"errors":[]}"#),
            "HTTP 404 Not Found"
        );
    }

    #[test]
    fn maps_statuses_to_kinds_with_actionable_messages() {
        let auth = map_status(
            DO,
            StatusCode::UNAUTHORIZED,
            br#"{"id":"unauthorized","message":"Unable to authenticate you"}"#,
            "account",
            None,
        );
        assert!(matches!(auth, ProviderError::Auth { status: 401, .. }));
        assert!(
            auth.to_string()
                .contains("rejected the credentials: check the token")
        );
        assert!(matches!(
            map_status(DO, StatusCode::FORBIDDEN, b"", "x", None),
            ProviderError::Auth { status: 403, .. }
        ));
        assert!(map_status(DO, StatusCode::NOT_FOUND, b"", "droplet 5", None).is_not_found());
        let v = map_status(
            ProviderKind::Vultr,
            StatusCode::BAD_REQUEST,
            br#"{"error":"Invalid plan","status":400}"#,
            "x",
            None,
        );
        assert_eq!(v.to_string(), "Vultr refused the request: Invalid plan");
        assert!(matches!(
            map_status(DO, StatusCode::UNPROCESSABLE_ENTITY, b"{}", "x", None),
            ProviderError::Validation { .. }
        ));
        assert_eq!(
            map_status(DO, StatusCode::TOO_MANY_REQUESTS, b"", "x", Some(7)),
            ProviderError::RateLimited {
                provider: DO,
                retry_after_secs: Some(7)
            }
        );
        assert!(matches!(
            map_status(DO, StatusCode::SERVICE_UNAVAILABLE, b"", "x", None),
            ProviderError::Provider { status: 503, .. }
        ));
    }
}
