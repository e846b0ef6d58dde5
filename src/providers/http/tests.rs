//! Retry-policy tests against tiny local servers on 127.0.0.1.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::Response;
use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

use super::*;

const TOKEN: &str = "dop_v1_secret_token_value";

type Headers = Vec<(&'static str, String)>;

/// Scripted answers: (status, headers, body); once exhausted, 200 `{"ok": true}`.
#[derive(Clone, Default)]
struct Script {
    answers: Arc<std::sync::Mutex<VecDeque<(u16, Headers, String)>>>,
    hits: Arc<AtomicUsize>,
}

impl Script {
    fn new(answers: Vec<(u16, Headers, &str)>) -> Self {
        let s = Self::default();
        *s.answers.lock().unwrap() = answers
            .into_iter()
            .map(|(c, h, b)| (c, h, b.to_string()))
            .collect();
        s
    }
    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

async fn serve(script: Script) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new().fallback(move || {
        let script = script.clone();
        async move {
            script.hits.fetch_add(1, Ordering::SeqCst);
            let next = script.answers.lock().unwrap().pop_front();
            let (code, headers, body) = next.unwrap_or((200, vec![], r#"{"ok":true}"#.to_string()));
            let mut r = Response::builder().status(code);
            for (k, v) in headers {
                r = r.header(k, v);
            }
            r.body(Body::from(body)).unwrap()
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// A server that reads each request and closes the connection without answering.
async fn serve_dropping() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            drop(sock);
        }
    });
    (format!("http://{addr}"), hits)
}

fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        min_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_wait: Duration::from_secs(5),
        request_timeout: Duration::from_millis(500),
        connect_timeout: Duration::from_millis(500),
    }
}

fn client(base: &str) -> HttpClient {
    HttpClient::new(
        ProviderKind::DigitalOcean,
        base,
        SecretString::from(TOKEN),
        fast_policy(),
    )
    .unwrap()
}

#[tokio::test]
async fn get_retries_server_errors_then_succeeds() {
    let script = Script::new(vec![
        (500, vec![], r#"{"id":"server_error","message":"boom"}"#),
        (503, vec![], ""),
    ]);
    let c = client(&serve(script.clone()).await);
    let v: Value = c.get_json("/v2/x", &[]).await.unwrap();
    assert_eq!(v, json!({"ok": true}));
    assert_eq!(script.hits(), 3);
}

#[tokio::test]
async fn get_gives_up_after_max_retries_with_the_provider_message() {
    let script = Script::new(vec![
        (
            500,
            vec![],
            r#"{"id":"server_error","message":"boom"}"#
        );
        10
    ]);
    let c = client(&serve(script.clone()).await);
    let err = c.get_json::<Value>("/v2/x", &[]).await.unwrap_err();
    assert_eq!(
        err,
        ProviderError::Provider {
            provider: ProviderKind::DigitalOcean,
            status: 500,
            message: "boom".into()
        }
    );
    assert_eq!(script.hits(), 4, "1 attempt + 3 retries");
}

#[tokio::test]
async fn create_is_not_repeated_after_a_server_error() {
    let script = Script::new(vec![(500, vec![], "")]);
    let c = client(&serve(script.clone()).await);
    let err = c
        .send_json::<_, Value>(
            Method::POST,
            "/v2/droplets",
            &json!({}),
            Safety::CreatesResource,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Provider { status: 500, .. }));
    assert_eq!(script.hits(), 1);
}

#[tokio::test]
async fn create_is_repeated_after_429_honouring_retry_after() {
    let script = Script::new(vec![(
        429,
        vec![("retry-after", "1".into())],
        r#"{"id":"too_many_requests","message":"API rate limit exceeded."}"#,
    )]);
    let c = client(&serve(script.clone()).await);
    let started = Instant::now();
    let v: Value = c
        .send_json(
            Method::POST,
            "/v2/droplets",
            &json!({}),
            Safety::CreatesResource,
        )
        .await
        .unwrap();
    assert_eq!(v, json!({"ok": true}));
    assert_eq!(script.hits(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited Retry-After"
    );
}

#[tokio::test]
async fn digitalocean_ratelimit_reset_is_honoured_on_429() {
    let reset = (unix_now() + 1).to_string();
    let script = Script::new(vec![(
        429,
        vec![
            ("ratelimit-remaining", "0".into()),
            ("ratelimit-reset", reset),
        ],
        "",
    )]);
    let c = client(&serve(script.clone()).await);
    let started = Instant::now();
    let _: Value = c.get_json("/v2/x", &[]).await.unwrap();
    assert_eq!(script.hits(), 2);
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn a_retry_after_beyond_max_wait_is_reported_not_slept() {
    let script = Script::new(vec![(429, vec![("retry-after", "3600".into())], "")]);
    let c = client(&serve(script.clone()).await);
    let started = Instant::now();
    let err = c.get_json::<Value>("/v2/x", &[]).await.unwrap_err();
    assert_eq!(
        err,
        ProviderError::RateLimited {
            provider: ProviderKind::DigitalOcean,
            retry_after_secs: Some(3600)
        }
    );
    assert_eq!(script.hits(), 1);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn remaining_zero_blocks_the_next_request_until_reset() {
    // Two whole seconds ahead: a second boundary passing before the client reads the
    // header still leaves at least one second to wait.
    let reset = (unix_now() + 2).to_string();
    let script = Script::new(vec![(
        200,
        vec![
            ("ratelimit-remaining", "0".into()),
            ("ratelimit-reset", reset),
        ],
        "{}",
    )]);
    let c = client(&serve(script.clone()).await);
    let _: Value = c.get_json("/v2/x", &[]).await.unwrap();
    let started = Instant::now();
    let _: Value = c.get_json("/v2/x", &[]).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(500));
    assert_eq!(script.hits(), 2);
}

#[tokio::test]
async fn x_ratelimit_headers_block_the_same_way() {
    // Linode's names for the same two headers.
    let reset = (unix_now() + 2).to_string();
    let script = Script::new(vec![(
        200,
        vec![
            ("x-ratelimit-remaining", "0".into()),
            ("x-ratelimit-reset", reset),
        ],
        "{}",
    )]);
    let c = client(&serve(script.clone()).await);
    let _: Value = c.get_json("/v2/x", &[]).await.unwrap();
    let started = Instant::now();
    let _: Value = c.get_json("/v2/x", &[]).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(500));
    assert_eq!(script.hits(), 2);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let script = Script::new(vec![(
        422,
        vec![],
        r#"{"id":"unprocessable_entity","message":"Name is invalid"}"#,
    )]);
    let c = client(&serve(script.clone()).await);
    let err = c.get_json::<Value>("/v2/x", &[]).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "DigitalOcean refused the request: Name is invalid"
    );
    assert_eq!(script.hits(), 1);
}

#[tokio::test]
async fn dropped_connections_retry_reads_but_not_creates() {
    let (base, hits) = serve_dropping().await;
    let c = client(&base);
    let err = c.get_json::<Value>("/v2/x", &[]).await.unwrap_err();
    assert!(matches!(err, ProviderError::Network { .. }), "{err:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 4);

    hits.store(0, Ordering::SeqCst);
    let err = c
        .send_json::<_, Value>(
            Method::POST,
            "/v2/droplets",
            &json!({}),
            Safety::CreatesResource,
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("may have reached DigitalOcean"),
        "{err}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

/// A client whose first backoff is an hour: if it retried, the test would time out.
fn patient_client(base: &str) -> HttpClient {
    HttpClient::new(
        ProviderKind::DigitalOcean,
        base,
        SecretString::from(TOKEN),
        RetryPolicy {
            min_delay: Duration::from_secs(3600),
            max_delay: Duration::from_secs(3600),
            ..fast_policy()
        },
    )
    .unwrap()
}

#[tokio::test]
async fn a_refused_connection_fails_at_once_without_retrying() {
    // Bind then drop a listener: the port is (almost certainly) closed afterwards.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = patient_client(&format!("http://127.0.0.1:{port}"));
    let body = json!({});
    for safety in [Safety::Idempotent, Safety::CreatesResource] {
        let sent = c.send_json::<_, Value>(Method::POST, "/v2/droplets", &body, safety);
        let err = tokio::time::timeout(Duration::from_secs(20), sent)
            .await
            .expect("a refused connection was retried")
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("could not reach DigitalOcean: cannot connect: connection refused at"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn an_unknown_host_fails_at_once_without_retrying() {
    // `.invalid` never resolves (RFC 6761), with or without a network.
    let c = patient_client("http://api.hangar-test.invalid");
    let err = tokio::time::timeout(
        Duration::from_secs(20),
        c.get_json::<Value>("/v2/account", &[]),
    )
    .await
    .expect("a DNS failure was retried")
    .unwrap_err();
    assert!(
        err.to_string().starts_with(
            "could not reach DigitalOcean: cannot connect: the host of http://api.hangar-test.invalid was not found"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_failed_tls_handshake_fails_at_once_without_retrying() {
    // A server that answers the TLS hello with plain text: the handshake cannot succeed.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("https://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            let _ = tokio::io::AsyncWriteExt::write_all(
                &mut socket,
                b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n",
            )
            .await;
        }
    });
    let c = patient_client(&base);
    let err = tokio::time::timeout(Duration::from_secs(20), c.get_json::<Value>("/v2/x", &[]))
        .await
        .expect("a failed TLS handshake was retried")
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("could not reach DigitalOcean: cannot connect: the TLS handshake with"),
        "{err}"
    );
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "one connection, no retry"
    );
}

#[tokio::test]
async fn slow_answers_time_out_and_are_retried() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            "{}"
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let c = client(&format!("http://{addr}"));
    let _: Value = c.get_json("/v2/x", &[]).await.unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn the_token_appears_in_no_error_and_no_debug_output() {
    let script = Script::new(vec![(
        401,
        vec![],
        r#"{"id":"unauthorized","message":"Unable to authenticate you"}"#,
    )]);
    let c = client(&serve(script).await);
    let err = c.get_json::<Value>("/v2/account", &[]).await.unwrap_err();
    for text in [
        format!("{err}"),
        format!("{err:?}"),
        format!("{c:?}"),
        serde_json::to_string(&err).unwrap(),
    ] {
        assert!(!text.contains(TOKEN), "token leaked in {text}");
    }
    assert!(
        err.to_string()
            .contains("rejected the credentials: check the token")
    );
    assert!(
        HttpClient::new(
            ProviderKind::Vultr,
            "http://x",
            SecretString::from(" "),
            fast_policy()
        )
        .is_err()
    );
}

#[tokio::test]
async fn a_token_echoed_back_by_the_provider_is_scrubbed() {
    // A provider or proxy error that echoes the request headers, token included.
    let echo = format!(
        r#"{{"message":"bad request, headers: Authorization: Bearer {TOKEN}; token={TOKEN}"}}"#
    );
    let script = Script::new(vec![(422, vec![], Box::leak(echo.into_boxed_str()))]);
    let c = client(&serve(script).await);
    let err = c.get_json::<Value>("/v2/account", &[]).await.unwrap_err();
    let text = format!("{err} {err:?} {}", serde_json::to_string(&err).unwrap());
    assert!(!text.contains(TOKEN), "token leaked in {text}");
    assert!(text.contains("Bearer [REDACTED]"), "{text}");
}

#[test]
fn base_url_resolution_prefers_explicit_then_env_then_default() {
    // A variable only this test reads, so setting it races with nothing.
    const VAR: &str = "HANGAR_TEST_ONLY_BASE_URL_RESOLUTION";
    unsafe { std::env::set_var(VAR, "http://127.0.0.1:4010/v2/") };
    assert_eq!(
        resolve_base_url(None, VAR, "http://d"),
        "http://127.0.0.1:4010/v2"
    );
    assert_eq!(
        resolve_base_url(Some("http://a"), VAR, "http://d"),
        "http://a"
    );
    unsafe { std::env::remove_var(VAR) };
    assert_eq!(
        resolve_base_url(Some("http://a/v2/"), "HANGAR_TEST_UNSET_VAR", "http://d"),
        "http://a/v2"
    );
    assert_eq!(
        resolve_base_url(None, "HANGAR_TEST_UNSET_VAR", "http://d/"),
        "http://d"
    );
}

#[tokio::test]
async fn a_repeated_delete_that_finds_nothing_counts_as_done() {
    let script = Script::new(vec![
        (500, vec![], ""),
        (404, vec![], r#"{"id":"not_found","message":"gone"}"#),
    ]);
    let c = client(&serve(script.clone()).await);
    c.send_no_content::<Value>(Method::DELETE, "/v2/droplets/1", None, Safety::Idempotent)
        .await
        .unwrap();
    assert_eq!(script.hits(), 2);

    let script = Script::new(vec![(
        404,
        vec![],
        r#"{"id":"not_found","message":"gone"}"#,
    )]);
    let c = client(&serve(script).await);
    let err = c
        .send_no_content::<Value>(Method::DELETE, "/v2/droplets/1", None, Safety::Idempotent)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "a first-attempt 404 is reported");
}

#[tokio::test]
async fn retry_after_outranks_a_distant_ratelimit_reset() {
    // A burst-limit 429: Retry-After 1 s, while the hourly window resets in an hour.
    let reset = (unix_now() + 3600).to_string();
    let script = Script::new(vec![(
        429,
        vec![
            ("retry-after", "1".into()),
            ("ratelimit-remaining", "0".into()),
            ("ratelimit-reset", reset),
        ],
        "",
    )]);
    let c = client(&serve(script.clone()).await);
    let started = Instant::now();
    let _: Value = c.get_json("/v2/x", &[]).await.unwrap();
    let _: Value = c.get_json("/v2/x", &[]).await.unwrap();
    assert_eq!(script.hits(), 3);
    assert!(started.elapsed() >= Duration::from_millis(950));
    assert!(started.elapsed() < Duration::from_secs(5));
}
