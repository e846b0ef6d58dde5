//! Injected faults: latency, 429s, 500s, dropped connections, held requests (timeouts).

use std::time::{Duration, Instant};

use hangar_emulator::{EmulatedProvider, Faults, Seed};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::adapter::Adapter;
use crate::client::{Client, start};

/// Latency on one route delays it, and only it.
pub async fn injected_latency(a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, a.provider());
    emu.set_faults(
        a.provider(),
        Some(&format!("GET {}", a.full_path(a.account()))),
        Faults {
            latency: Duration::from_millis(400),
            ..Faults::default()
        },
    );
    let t = Instant::now();
    assert_eq!(c.call("GET", a.account(), None).await.status, 200);
    assert!(
        t.elapsed() >= Duration::from_millis(400),
        "{:?}",
        t.elapsed()
    );
    let t = Instant::now();
    c.call("GET", a.regions(), None).await;
    assert!(
        t.elapsed() < Duration::from_millis(400),
        "latency leaked to another route"
    );
    emu.shutdown().await;
}

/// An injected 429 has the provider's body and `Retry-After` (DigitalOcean: and no
/// remaining requests).
pub async fn injected_rate_limits(a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, a.provider());
    emu.set_faults(
        a.provider(),
        None,
        Faults {
            rate_limit_percent: 100,
            retry_after_secs: 7,
            ..Faults::default()
        },
    );
    let r = c.call("GET", a.machines(), None).await;
    assert_eq!(r.status, 429);
    match a.provider() {
        EmulatedProvider::DigitalOcean => {
            assert_eq!(
                r.json(),
                &json!({ "id": "too_many_requests", "message": "API rate limit exceeded." })
            );
            assert_eq!(r.headers["ratelimit-remaining"], "0");
        }
        EmulatedProvider::Vultr => assert_eq!(r.json()["status"], 429),
        EmulatedProvider::Linode => {
            assert_eq!(
                r.json(),
                &json!({ "errors": [{ "reason": "Too Many Requests" }] })
            );
            assert_eq!(r.headers["x-ratelimit-remaining"], "0");
        }
    }
    a.assert_error(r.json(), 429, "too_many_requests");
    assert_eq!(r.headers["retry-after"], "7");
    emu.clear_faults();
    assert_eq!(c.call("GET", a.machines(), None).await.status, 200);
    emu.shutdown().await;
}

/// Injected 500s on one route (a bare path prefix for DigitalOcean, a method and path for
/// Vultr) have the provider's body; other routes still answer.
pub async fn injected_server_errors(a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, a.provider());
    let (route, failing, other) = a.pick3(
        ("/v2/sizes", "/v2/sizes", "/v2/regions"),
        ("GET /v2/plans", "/plans", "/os"),
        ("GET /v4/linode/types", "/linode/types", "/images"),
    );
    emu.set_faults(
        a.provider(),
        Some(route),
        Faults {
            server_error_percent: 100,
            ..Faults::default()
        },
    );
    let r = c.call("GET", failing, None).await;
    assert_eq!(r.status, 500);
    a.assert_error(r.json(), 500, "server_error");
    assert_eq!(c.call("GET", other, None).await.status, 200);
    assert_eq!(c.call("GET", a.machines(), None).await.status, 200);
    emu.shutdown().await;
}

/// Sends a raw GET of `path` (a full path) and reads until EOF: the bytes and the time.
async fn raw_get(
    emu: &hangar_emulator::Emulator,
    p: EmulatedProvider,
    path: &str,
) -> (Vec<u8>, Duration) {
    let started = Instant::now();
    let mut sock = tokio::net::TcpStream::connect(emu.local_addr(p))
        .await
        .unwrap();
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\r\n",
        emu.token(p)
    );
    sock.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let n = tokio::time::timeout(Duration::from_secs(5), sock.read_to_end(&mut buf))
        .await
        .expect("closed promptly")
        .unwrap_or(0);
    assert_eq!(n, buf.len());
    (buf, started.elapsed())
}

/// A dropped connection closes without a byte of response, and is logged with status 0;
/// other routes still answer.
pub async fn dropped_connections(a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let account = a.full_path(a.account());
    emu.set_faults(
        a.provider(),
        Some(&format!("GET {account}")),
        Faults {
            drop_connection_percent: 100,
            ..Faults::default()
        },
    );
    let c = Client::new(&emu, a.provider());
    let url = c.url(a.account());
    let err = c
        .fetch(
            "GET",
            &url,
            a.account(),
            None,
            Some(&emu.token(a.provider())),
        )
        .await
        .expect_err("the connection is closed without a response");
    assert!(err.is_request() || err.is_connect(), "{err:?}");
    // A raw socket sees EOF without a byte of response.
    let (buf, _) = raw_get(&emu, a.provider(), &account).await;
    assert!(buf.is_empty(), "got {:?}", String::from_utf8_lossy(&buf));
    let dropped: Vec<_> = emu
        .requests()
        .into_iter()
        .filter(|r| r.path == account)
        .collect();
    assert_eq!(dropped.len(), 2);
    assert!(dropped.iter().all(|r| r.status == 0));
    assert_eq!(c.call("GET", a.regions(), None).await.status, 200);
    emu.shutdown().await;
}

/// A held request gets no answer before the client gives up; after the hold its
/// connection closes without a response, logged with status 0.
pub async fn held_requests_time_out(a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let machines = a.full_path(a.machines());
    emu.set_faults(
        a.provider(),
        Some(&format!("GET {machines}")),
        Faults {
            timeout_percent: 100,
            timeout_hold: Duration::from_millis(700),
            ..Faults::default()
        },
    );
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = http
        .get(Client::new(&emu, a.provider()).url(a.machines()))
        .bearer_auth(emu.token(a.provider()))
        .send()
        .await
        .expect_err("no answer in time");
    assert!(err.is_timeout(), "{err:?}");
    let (buf, took) = raw_get(&emu, a.provider(), &machines).await;
    assert!(buf.is_empty(), "got {:?}", String::from_utf8_lossy(&buf));
    assert!(took >= Duration::from_millis(700), "closed after {took:?}");
    // Give the first request's hold time to end too.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let held: Vec<_> = emu
        .requests()
        .into_iter()
        .filter(|r| r.path == machines)
        .collect();
    assert_eq!(held.len(), 2, "{held:?}");
    assert!(held.iter().all(|r| r.status == 0));
    let c = Client::new(&emu, a.provider());
    assert_eq!(c.call("GET", a.account(), None).await.status, 200);
    emu.shutdown().await;
}

/// The same requests meet the same faults, run after run; 200s, 500s and 429s all happen.
pub async fn fault_percentages_are_deterministic(a: Adapter) {
    async fn run(a: Adapter) -> Vec<u16> {
        let emu = start(Seed::builtin()).await;
        emu.set_faults(
            a.provider(),
            None,
            Faults {
                server_error_percent: 40,
                rate_limit_percent: 20,
                ..Faults::default()
            },
        );
        let c = Client::new(&emu, a.provider());
        let mut out = Vec::new();
        for _ in 0..40 {
            out.push(c.call("GET", a.account(), None).await.status);
        }
        emu.shutdown().await;
        out
    }
    let (x, y) = (run(a).await, run(a).await);
    assert_eq!(x, y);
    assert!(
        x.contains(&200) && x.contains(&500) && x.contains(&429),
        "{x:?}"
    );
}
