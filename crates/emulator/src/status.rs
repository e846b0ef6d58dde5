//! The machines' own status endpoint, served as an HTTP proxy.
//!
//! A real machine made from a Hangar machine type serves its cloud-init state at
//! `http://<public ip>:4242/cgi-bin/cloud-init-status` (JSON with a `status` field). The
//! emulator's machines have documentation addresses (192.0.2.0/24 …) that route nowhere, so
//! the emulator listens on one more loopback port and acts as the HTTP proxy a client sends
//! those requests through (an account's `status_proxy`). The request keeps its real target:
//! an absolute-form URI `http://192.0.2.7:4242/cgi-bin/cloud-init-status` (or, for a client
//! that sends origin-form, the `Host` header). The emulator answers for the machine that has
//! that public address:
//!
//! - `running` from the moment the machine got its address until
//!   [`EmulatorConfig::boot_delay`](super::EmulatorConfig::boot_delay) later, then `done`;
//!   machines seeded with an age past that are `done` at once;
//! - 404 for another path on port 4242 (the machine serves only that check);
//! - 502 Bad Gateway when no machine has the address, it has none yet, it is powered off, or
//!   another port is asked: what a proxy says when the host does not answer. A status check
//!   treats it like an unreachable machine.

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::clock::unix_now;
use super::registry::EmulatedProvider;
use super::state::Shared;

/// The port machines serve their status check on.
pub const STATUS_PORT: u16 = 4242;
/// The one check a machine serves.
pub const STATUS_PATH: &str = "/cgi-bin/cloud-init-status";
/// Asked directly (not through the proxy), the status listener answers this path with the
/// configured "my IP" address as plain text.
pub const MY_IP_PATH: &str = "/my-ip";

/// What the emulator knows about one machine's boot.
#[derive(Debug, Clone, Copy)]
pub struct Boot {
    /// When the machine got its public address.
    pub ready_at: Instant,
    /// Unix seconds of its creation (seeded machines may be older than the emulator).
    pub created_unix: u64,
    /// Powered off / stopped.
    pub off: bool,
}

/// The router of the status proxy listener.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(answer).with_state(shared)
}

async fn answer(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    if req.uri().authority().is_none() && req.uri().path() == MY_IP_PATH {
        let ip = *super::state::lock(&shared.my_ip);
        return (
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            ip.to_string(),
        )
            .into_response();
    }
    let Some((host, port)) = target(&req) else {
        return bad_gateway("the request names no host");
    };
    let Ok(ip) = host.parse::<Ipv4Addr>() else {
        return bad_gateway(&format!("{host} does not answer"));
    };
    let now = Instant::now();
    let boot = EmulatedProvider::ALL
        .into_iter()
        .find_map(|p| p.api().boot_of(&shared, ip, now));
    let Some(boot) = boot else {
        return bad_gateway(&format!("{ip} does not answer"));
    };
    if boot.off || port != STATUS_PORT {
        return bad_gateway(&format!("{ip}:{port} does not answer"));
    }
    if req.uri().path() != STATUS_PATH {
        return (StatusCode::NOT_FOUND, "Not Found\n").into_response();
    }
    let status = cloud_init_status(boot, shared.boot_delay, shared.ip_delay, now, unix_now());
    (
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(json!({ "status": status })),
    )
        .into_response()
}

/// `running` until `boot_delay` after the machine got its address, then `done`. A machine
/// created longer ago than the whole provisioning takes is `done` whatever `ready_at` says
/// (seeded machines are made ready when the emulator starts).
pub fn cloud_init_status(
    boot: Boot,
    boot_delay: Duration,
    ip_delay: Duration,
    now: Instant,
    now_unix: u64,
) -> &'static str {
    let booted = now.saturating_duration_since(boot.ready_at) >= boot_delay;
    let age = Duration::from_secs(now_unix.saturating_sub(boot.created_unix));
    if booted || age >= ip_delay + boot_delay {
        "done"
    } else {
        "running"
    }
}

/// Host and port the request is for: the absolute-form URI a proxy receives, else `Host`.
fn target(req: &Request) -> Option<(String, u16)> {
    if let Some(authority) = req.uri().authority() {
        return Some((
            authority.host().to_owned(),
            authority.port_u16().unwrap_or(80),
        ));
    }
    let host = req.headers().get(header::HOST)?.to_str().ok()?;
    let authority: axum::http::uri::Authority = host.parse().ok()?;
    Some((
        authority.host().to_owned(),
        authority.port_u16().unwrap_or(80),
    ))
}

fn bad_gateway(why: &str) -> Response {
    (StatusCode::BAD_GATEWAY, format!("Bad Gateway: {why}\n")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_until_the_boot_delay_has_passed_since_the_address() {
        let start = Instant::now();
        let created = 1_000_000;
        let boot = Boot {
            ready_at: start + Duration::from_secs(2),
            created_unix: created,
            off: false,
        };
        let (boot_delay, ip_delay) = (Duration::from_secs(5), Duration::from_secs(2));
        let at = |s: u64| {
            cloud_init_status(
                boot,
                boot_delay,
                ip_delay,
                start + Duration::from_secs(s),
                created + s,
            )
        };
        assert_eq!(at(3), "running");
        assert_eq!(at(6), "running");
        assert_eq!(at(7), "done");
    }

    #[test]
    fn an_old_seeded_machine_is_done_at_once() {
        let now = Instant::now();
        let boot = Boot {
            ready_at: now,
            created_unix: 1_000_000,
            off: false,
        };
        let s = cloud_init_status(
            boot,
            Duration::from_secs(5),
            Duration::from_secs(2),
            now,
            1_000_000 + 86_400,
        );
        assert_eq!(s, "done");
    }
}
