//! The running emulator: two listeners (one per provider), a connection loop that can drop a
//! TCP connection on purpose, and the gate every request passes (recording, faults, auth,
//! DigitalOcean rate-limit headers).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tower::ServiceExt as _;

use super::clock::unix_now;
use super::config::{EmulatedProvider, EmulatorConfig};
use super::digitalocean::{self, DoWorld};
use super::error::EmulatorError;
use super::faults::{FaultOutcome, Faults};
use super::recorder::RecordedRequest;
use super::state::{DO_RATE_LIMIT_PER_HOUR, Shared, lock};
use super::vultr::{self, VultrWorld};

/// Requests bodies larger than this are refused (the real APIs cap user data at 64 KiB).
const MAX_BODY: usize = 4 * 1024 * 1024;

/// A running emulator. It stops when dropped or after [`Emulator::shutdown`].
pub struct Emulator {
    shared: Arc<Shared>,
    do_addr: SocketAddr,
    vultr_addr: SocketAddr,
    status_addr: SocketAddr,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// Set on every request: notifying it closes the request's TCP connection at once.
#[derive(Clone)]
struct ConnectionKill(Arc<Notify>);

#[derive(Clone)]
struct Gate {
    provider: EmulatedProvider,
    shared: Arc<Shared>,
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, EmulatorError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| EmulatorError::Bind { addr, source })
}

impl Emulator {
    /// Binds both listeners, loads the seed and starts serving.
    pub async fn start(config: EmulatorConfig) -> Result<Emulator, EmulatorError> {
        let do_listener = bind(config.digitalocean_listen).await?;
        let vultr_listener = bind(config.vultr_listen).await?;
        let status_listener = bind(config.status_listen).await?;
        let local = |l: &TcpListener, addr| {
            l.local_addr()
                .map_err(|source| EmulatorError::Bind { addr, source })
        };
        let do_addr = local(&do_listener, config.digitalocean_listen)?;
        let vultr_addr = local(&vultr_listener, config.vultr_listen)?;
        let status_addr = local(&status_listener, config.status_listen)?;

        let seed = config.seed;
        let (do_token, vultr_token) = (seed.digitalocean.token.clone(), seed.vultr.token.clone());
        let mut shared = Shared::new(
            config.ip_delay,
            do_token,
            vultr_token,
            format!("http://{do_addr}"),
            DoWorld::new(&seed.digitalocean),
            VultrWorld::new(&seed.vultr),
            config.fault_seed,
        );
        shared.ssh_key_reads_per_minute = config.do_ssh_key_reads_per_minute;
        shared.boot_delay = config.boot_delay;
        let shared = Arc::new(shared);
        let now = Instant::now();
        lock(&shared.digitalocean).load_seed(&seed.digitalocean, &shared, now)?;
        lock(&shared.vultr).load_seed(&seed.vultr, &shared, now)?;

        let (stop, stopped) = watch::channel(false);
        // DigitalOcean serves every path with a trailing slash too (`/v2/droplets/`), as
        // clients such as pydo send them: strip it before routing (and before the gate, so
        // faults, the SSH-key read limit and the request log see one form).
        let do_router = Router::new().fallback_service(
            gated(
                digitalocean::router(),
                EmulatedProvider::DigitalOcean,
                &shared,
            )
            .map_request(strip_trailing_slash),
        );
        let vultr_router = gated(
            Router::new()
                .nest("/v2", vultr::router())
                .fallback(vultr::not_found_fallback),
            EmulatedProvider::Vultr,
            &shared,
        );
        let tasks = vec![
            tokio::spawn(serve(do_listener, do_router, stopped.clone())),
            tokio::spawn(serve(vultr_listener, vultr_router, stopped.clone())),
            tokio::spawn(serve(
                status_listener,
                super::status::router(shared.clone()),
                stopped,
            )),
        ];
        Ok(Emulator {
            shared,
            do_addr,
            vultr_addr,
            status_addr,
            stop,
            tasks,
        })
    }

    /// `http://127.0.0.1:PORT`; a client appends `/v2/droplets`.
    pub fn digitalocean_base_url(&self) -> String {
        format!("http://{}", self.do_addr)
    }

    /// `http://127.0.0.1:PORT/v2`; a client appends `/instances`.
    pub fn vultr_base_url(&self) -> String {
        format!("http://{}/v2", self.vultr_addr)
    }

    /// `http://127.0.0.1:PORT`: the HTTP proxy that answers the machines' status check
    /// (`http://<machine ip>:4242/cgi-bin/cloud-init-status`); see [`super::status`].
    pub fn status_proxy_url(&self) -> String {
        format!("http://{}", self.status_addr)
    }

    /// The address the provider's listener is bound to.
    pub fn local_addr(&self, p: EmulatedProvider) -> SocketAddr {
        match p {
            EmulatedProvider::DigitalOcean => self.do_addr,
            EmulatedProvider::Vultr => self.vultr_addr,
        }
    }

    /// The base URL of a provider (see the two methods above).
    pub fn base_url(&self, p: EmulatedProvider) -> String {
        match p {
            EmulatedProvider::DigitalOcean => self.digitalocean_base_url(),
            EmulatedProvider::Vultr => self.vultr_base_url(),
        }
    }

    /// The bearer token the provider's API accepts.
    pub fn token(&self, p: EmulatedProvider) -> String {
        self.shared.token(p).to_owned()
    }

    /// Sets faults for one route of `p`, or all its routes with `None`. A route is a method
    /// and a path prefix, e.g. `"DELETE /v2/instances/"` (Vultr paths include `/v2`); a bare
    /// path prefix matches every method. The most specific matching route wins.
    pub fn set_faults(&self, p: EmulatedProvider, route: Option<&str>, faults: Faults) {
        lock(&self.shared.faults).set(p, route, faults);
    }

    /// Removes every fault, including pending stuck and ghost deletes.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Vultr: the next `n` instance DELETEs answer 400 "Unable to destroy server: Server is
    /// currently locked" and leave the instance in place.
    pub fn stuck_locked_deletes(&self, n: u32) {
        lock(&self.shared.faults).add_stuck_locked_deletes(n);
    }

    /// The next `n` machine DELETEs of `p` answer 204 but the machine survives.
    pub fn ghost_deletes(&self, p: EmulatedProvider, n: u32) {
        lock(&self.shared.faults).add_ghost_deletes(p, n);
    }

    /// Creates `count` ready machines (with public IPs) carrying `tags`, named
    /// `bulk-<n>`. For pagination tests and benchmarks.
    pub fn add_machines(&self, p: EmulatedProvider, count: usize, tags: &[&str]) {
        let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
        match p {
            EmulatedProvider::DigitalOcean => {
                lock(&self.shared.digitalocean).add_ready_droplets(&self.shared, count, &tags)
            }
            EmulatedProvider::Vultr => {
                lock(&self.shared.vultr).add_ready_instances(&self.shared, count, &tags)
            }
        }
    }

    /// Also writes each request, when it is recorded (see [`Emulator::requests`]), to `out` as
    /// one JSON line, `{"provider":"vultr","method":"GET","path":"/v2/instances","status":200}`
    /// (`status` 0: closed without a response), flushed per line. Replaces an earlier log. On
    /// a write error the log stops, with one message on stderr.
    pub fn log_requests_to(&self, out: impl std::io::Write + Send + 'static) {
        *lock(&self.shared.request_log) = Some(Box::new(out));
    }

    /// Every request received so far, in the order the responses were finished. The log grows
    /// until [`Emulator::clear_requests`]; long benchmarks should clear it now and then.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }

    /// Stops both listeners and closes open connections.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for task in std::mem::take(&mut self.tasks) {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn gated(router: Router<Arc<Shared>>, provider: EmulatedProvider, shared: &Arc<Shared>) -> Router {
    let gate = Gate {
        provider,
        shared: shared.clone(),
    };
    router
        .layer(middleware::from_fn_with_state(gate, gate_request))
        .with_state(shared.clone())
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

/// Accepts connections until `stopped` turns true. Each connection is served by hyper and
/// torn down when a handler asks for it (a dropped-connection fault) or on shutdown.
async fn serve(listener: TcpListener, router: Router, mut stopped: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            _ = stopped.wait_for(|s| *s) => break,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors and the like: back off a little.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let router = router.clone();
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let kill = Arc::new(Notify::new());
            let handle = ConnectionKill(kill.clone());
            let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
                req.extensions_mut().insert(handle.clone());
                router.clone().oneshot(req.map(Body::new))
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = conn => {}
                _ = kill.notified() => {}
                _ = stopped.wait_for(|s| *s) => {}
            }
        });
    }
}

/// Records the request, applies faults and authentication, and stamps DigitalOcean's
/// rate-limit headers on the response.
async fn gate_request(State(gate): State<Gate>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or("").to_owned();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return too_large(gate.provider);
    };
    let json = if bytes.is_empty() {
        None
    } else {
        serde_json::from_slice(&bytes).ok()
    };
    let record = |status: u16| {
        gate.shared.record(RecordedRequest {
            provider: gate.provider,
            method: method.clone(),
            path: path.clone(),
            query: query.clone(),
            body: json.clone(),
            status,
        });
    };
    let close_connection = || {
        if let Some(kill) = parts.extensions.get::<ConnectionKill>() {
            kill.0.notify_one();
        }
    };

    let decision = lock(&gate.shared.faults).decide(gate.provider, &method, &path);
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    let mut response = match decision.outcome {
        FaultOutcome::DropConnection => {
            record(0);
            close_connection();
            // The connection task drops this future together with the connection.
            std::future::pending::<()>().await;
            unreachable!("a dropped connection never answers");
        }
        FaultOutcome::Timeout { hold } => {
            // Recorded when this future is dropped: after the hold (closing the connection
            // drops it), or earlier when the client closes the connection or on shutdown.
            let _record = OnDrop(Some(|| record(0)));
            tokio::time::sleep(hold).await;
            close_connection();
            std::future::pending::<()>().await;
            unreachable!("a timed-out request never answers");
        }
        FaultOutcome::RateLimited { retry_after_secs } => {
            let mut r = too_many_requests(gate.provider);
            r.headers_mut()
                .insert("retry-after", HeaderValue::from(retry_after_secs));
            r
        }
        FaultOutcome::ServerError => server_error(gate.provider),
        FaultOutcome::Proceed => {
            let key_read = gate.provider == EmulatedProvider::DigitalOcean
                && method == "GET"
                && path.starts_with("/v2/account/keys");
            if !authorized(&parts.headers, gate.shared.token(gate.provider)) {
                unauthorized(gate.provider)
            } else if let Some(wait) = key_read
                .then(|| gate.shared.ssh_key_read_wait(Instant::now()))
                .flatten()
            {
                let mut r = too_many_requests(gate.provider);
                r.headers_mut()
                    .insert("retry-after", HeaderValue::from(wait));
                r
            } else {
                next.run(Request::from_parts(parts, Body::from(bytes.clone())))
                    .await
            }
        }
    };
    if gate.provider == EmulatedProvider::DigitalOcean {
        let now = unix_now();
        let (mut remaining, reset) = gate.shared.count_do_request(now);
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            remaining = 0;
        }
        let h = response.headers_mut();
        h.insert("ratelimit-limit", HeaderValue::from(DO_RATE_LIMIT_PER_HOUR));
        h.insert("ratelimit-remaining", HeaderValue::from(remaining));
        h.insert("ratelimit-reset", HeaderValue::from(reset));
    }
    record(response.status().as_u16());
    response
}

/// Runs a closure when dropped.
struct OnDrop<F: FnOnce()>(Option<F>);

impl<F: FnOnce()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        if let Some(f) = self.0.take() {
            f();
        }
    }
}

fn authorized(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| t.trim() == token)
}

fn unauthorized(p: EmulatedProvider) -> Response {
    match p {
        EmulatedProvider::DigitalOcean => digitalocean::error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Unable to authenticate you.",
        )
        .into_response(),
        EmulatedProvider::Vultr => {
            vultr::error(StatusCode::UNAUTHORIZED, "Invalid API token.").into_response()
        }
    }
}

fn too_many_requests(p: EmulatedProvider) -> Response {
    match p {
        EmulatedProvider::DigitalOcean => digitalocean::error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            "API rate limit exceeded.",
        )
        .into_response(),
        EmulatedProvider::Vultr => vultr::error(
            StatusCode::TOO_MANY_REQUESTS,
            "Rate limit reached - please try your request again later.",
        )
        .into_response(),
    }
}

fn too_large(p: EmulatedProvider) -> Response {
    let message = "The request body is too large.";
    match p {
        EmulatedProvider::DigitalOcean => {
            digitalocean::error(StatusCode::PAYLOAD_TOO_LARGE, "request_too_large", message)
                .into_response()
        }
        EmulatedProvider::Vultr => {
            vultr::error(StatusCode::PAYLOAD_TOO_LARGE, message).into_response()
        }
    }
}

fn server_error(p: EmulatedProvider) -> Response {
    match p {
        EmulatedProvider::DigitalOcean => digitalocean::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "Server Error",
        )
        .into_response(),
        EmulatedProvider::Vultr => {
            vultr::error(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error.")
                .into_response()
        }
    }
}
