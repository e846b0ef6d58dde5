//! `/regions`, `/linode/types`, `/images`, `/profile` and `/account`.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use serde_json::json;

use super::{LinodeResult, lock_world, ok, paginated};
use crate::clock::{rfc3339_z, unix_now};
use crate::ids;
use crate::state::Shared;

pub async fn regions(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> LinodeResult {
    let world = lock_world(&shared);
    let items = world
        .regions
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "label": r.label,
                "country": r.country,
                "capabilities": ["Linodes", "Block Storage", "Cloud Firewall", "Metadata"],
                "status": "ok",
                "resolvers": {
                    "ipv4": "192.0.2.53,198.51.100.53",
                    "ipv6": "2001:db8::53",
                },
            })
        })
        .collect();
    paginated(&raw, &headers, &["id", "country", "status"], items)
}

pub async fn types(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> LinodeResult {
    let world = lock_world(&shared);
    let items = world
        .types
        .iter()
        .map(|t| {
            json!({
                "id": t.id,
                "label": t.label,
                "class": t.class,
                "vcpus": t.vcpus,
                "memory": t.memory,
                "disk": t.disk,
                "transfer": t.transfer,
                "network_out": t.network_out,
                "gpus": 0,
                "successor": null,
                "price": { "hourly": t.price_hourly, "monthly": t.price_monthly },
                "addons": {
                    "backups": {
                        "price": {
                            "hourly": (t.price_hourly * 0.2 * 10_000.0).round() / 10_000.0,
                            "monthly": (t.price_monthly * 0.2 * 100.0).round() / 100.0,
                        }
                    }
                },
            })
        })
        .collect();
    paginated(
        &raw,
        &headers,
        &["id", "label", "class", "vcpus", "memory", "disk"],
        items,
    )
}

pub async fn images(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> LinodeResult {
    let world = lock_world(&shared);
    let created = rfc3339_z(unix_now().saturating_sub(86_400 * 90));
    let items = world
        .images
        .iter()
        .map(|i| {
            json!({
                "id": i.id,
                "label": i.label,
                "description": null,
                "created": created,
                "updated": created,
                "created_by": "linode",
                "type": "manual",
                "is_public": true,
                "deprecated": i.deprecated,
                "size": i.size,
                "vendor": i.vendor,
                "status": "available",
                "expiry": null,
            })
        })
        .collect();
    paginated(
        &raw,
        &headers,
        &["id", "label", "vendor", "is_public", "deprecated", "status"],
        items,
    )
}

/// GET `/profile`: "always accessible, no matter what OAuth scopes the acting token has",
/// so clients check their token with it.
pub async fn profile(State(shared): State<Arc<Shared>>) -> LinodeResult {
    let world = lock_world(&shared);
    let a = &world.account;
    ok(json!({
        "uid": 1_000_001,
        "username": a.username,
        "email": a.email,
        "timezone": "UTC",
        "email_notifications": true,
        "ip_whitelist_enabled": false,
        "lish_auth_method": "keys_only",
        "authorized_keys": null,
        "two_factor_auth": false,
        "restricted": false,
        "authentication_type": "password",
        "referrals": {
            "code": "0000000000000000000000000000000000000000",
            "url": "https://www.linode.com/?r=0000000000000000000000000000000000000000",
            "total": 0,
            "completed": 0,
            "pending": 0,
            "credit": 0,
        },
    }))
}

pub async fn account(State(shared): State<Arc<Shared>>) -> LinodeResult {
    let world = lock_world(&shared);
    let a = &world.account;
    ok(json!({
        "email": a.email,
        "first_name": a.first_name,
        "last_name": a.last_name,
        "company": a.company,
        "address_1": "",
        "address_2": "",
        "city": "",
        "state": "",
        "zip": "",
        "country": "US",
        "phone": "",
        "tax_id": "",
        "balance": a.balance,
        "balance_uninvoiced": a.balance_uninvoiced,
        "active_since": rfc3339_z(unix_now().saturating_sub(86_400 * 400)),
        "capabilities": ["Linodes", "NodeBalancers", "Block Storage", "Object Storage", "Cloud Firewall"],
        "active_promotions": [],
        "billing_source": "linode",
        "euuid": ids::uuid(0x6c69_6e6f, 1).to_uppercase(),
        "credit_card": { "last_four": "1111", "expiry": "11/2030" },
    }))
}
