//! The running emulator: one listener per provider (and one for the status proxy), a
//! connection loop that can drop a TCP connection on purpose, and the gate every request
//! passes (recording, faults, authentication, the provider's own admission rules and
//! headers).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tower::ServiceExt as _;

use super::api::{Refusal, StartContext};
use super::config::EmulatorConfig;
use super::error::EmulatorError;
use super::faults::{FaultOutcome, Faults};
use super::recorder::RecordedRequest;
use super::registry::{EmulatedProvider, Registered};
use super::state::{Shared, lock};

/// Requests bodies larger than this are refused (the real APIs cap user data at 64 KiB).
const MAX_BODY: usize = 4 * 1024 * 1024;

/// A running emulator. It stops when dropped or after [`Emulator::shutdown`].
pub struct Emulator {
    shared: Arc<Shared>,
    /// Each provider's listener address, in the registry's order.
    addrs: Vec<SocketAddr>,
    status_addr: SocketAddr,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// Set on every request: notifying it closes the request's TCP connection at once.
#[derive(Clone)]
struct ConnectionKill(Arc<Notify>);

async fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), EmulatorError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| EmulatorError::Bind { addr, source })?;
    let local = listener
        .local_addr()
        .map_err(|source| EmulatorError::Bind { addr, source })?;
    Ok((listener, local))
}

impl Emulator {
    /// Binds every listener, loads the seed and starts serving.
    pub async fn start(config: EmulatorConfig) -> Result<Emulator, EmulatorError> {
        let mut listeners = Vec::new();
        let mut addrs = Vec::new();
        for p in EmulatedProvider::ALL {
            let (listener, addr) = bind(config.listen_addr(p)).await?;
            listeners.push(listener);
            addrs.push(addr);
        }
        let (status_listener, status_addr) = bind(config.status_listen).await?;

        let seed = &config.seed;
        let apis = EmulatedProvider::ALL.map(EmulatedProvider::api);
        let tokens = apis.iter().map(|a| a.token(seed).to_owned()).collect();
        let states = apis
            .iter()
            .zip(&addrs)
            .map(|(api, addr)| {
                let ctx = StartContext {
                    base_url: api.base_url(*addr),
                    config: &config,
                };
                api.new_state(seed, &ctx)
            })
            .collect();
        let shared = Arc::new(Shared::new(
            config.ip_delay,
            config.boot_delay,
            config.fault_seed,
            tokens,
            states,
        ));
        *lock(&shared.my_ip) = config.my_ip;
        let now = Instant::now();
        for api in &apis {
            api.load_seed(seed, &shared, now)?;
        }

        let (stop, stopped) = watch::channel(false);
        let mut tasks: Vec<JoinHandle<()>> = apis
            .iter()
            .zip(listeners)
            .map(|(api, listener)| {
                tokio::spawn(serve(listener, api.router(&shared), stopped.clone()))
            })
            .collect();
        tasks.push(tokio::spawn(serve(
            status_listener,
            super::status::router(shared.clone()),
            stopped,
        )));
        Ok(Emulator {
            shared,
            addrs,
            status_addr,
            stop,
            tasks,
        })
    }

    /// DigitalOcean's [`Emulator::base_url`]: `http://127.0.0.1:PORT`; a client appends
    /// `/v2/droplets`.
    pub fn digitalocean_base_url(&self) -> String {
        self.base_url(EmulatedProvider::DigitalOcean)
    }

    /// Vultr's [`Emulator::base_url`]: `http://127.0.0.1:PORT/v2`; a client appends
    /// `/instances`.
    pub fn vultr_base_url(&self) -> String {
        self.base_url(EmulatedProvider::Vultr)
    }

    /// Linode's [`Emulator::base_url`]: `http://127.0.0.1:PORT/v4`; a client appends
    /// `/linode/instances`.
    pub fn linode_base_url(&self) -> String {
        self.base_url(EmulatedProvider::Linode)
    }

    /// `http://127.0.0.1:PORT`: the HTTP proxy that answers the machines' status check
    /// (`http://<machine ip>:4242/cgi-bin/cloud-init-status`); see [`super::status`].
    pub fn status_proxy_url(&self) -> String {
        format!("http://{}", self.status_addr)
    }

    /// `http://127.0.0.1:PORT/my-ip`: a "what is my IP" service answering
    /// [`EmulatorConfig::my_ip`](super::EmulatorConfig::my_ip) as plain text, as
    /// `https://api.ipify.org` does (served by the status listener).
    pub fn my_ip_url(&self) -> String {
        format!("http://{}{}", self.status_addr, super::status::MY_IP_PATH)
    }

    /// Changes what [`Emulator::my_ip_url`] answers.
    pub fn set_my_ip(&self, ip: std::net::IpAddr) {
        *lock(&self.shared.my_ip) = ip;
    }

    /// The address the provider's listener is bound to.
    pub fn local_addr(&self, p: EmulatedProvider) -> SocketAddr {
        self.addrs[p.index()]
    }

    /// The base URL a client of provider `p` is given: `http://127.0.0.1:PORT` plus the
    /// path prefix its clients expect in it, if any (Vultr's `/v2`, Linode's `/v4`).
    pub fn base_url(&self, p: EmulatedProvider) -> String {
        p.api().base_url(self.local_addr(p))
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
        p.api().add_machines(&self.shared, count, &tags);
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

    /// Stops every listener and closes open connections.
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

/// The gate in front of provider `P`'s routes: records the request, applies faults and
/// authentication, then `P`'s own admission rule, and lets `P` stamp the answer.
pub(crate) async fn gate_request<P: Registered>(
    State(shared): State<Arc<Shared>>,
    req: Request,
    next: Next,
) -> Response {
    let provider = P::PROVIDER;
    let state = shared.state::<P>();
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or("").to_owned();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return P::refusal(Refusal::TooLarge);
    };
    let json = if bytes.is_empty() {
        None
    } else {
        serde_json::from_slice(&bytes).ok()
    };
    let record = |status: u16| {
        shared.record(RecordedRequest {
            provider,
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

    let decision = lock(&shared.faults).decide(provider, &method, &path);
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
            let mut r = P::refusal(Refusal::RateLimited);
            r.headers_mut()
                .insert("retry-after", HeaderValue::from(retry_after_secs));
            r
        }
        FaultOutcome::ServerError => P::refusal(Refusal::ServerError),
        FaultOutcome::Proceed => {
            if !P::authorized(&parts.headers, shared.token(provider)) {
                P::refusal(Refusal::Unauthorized)
            } else if let Some(refused) = P::admit(state, &method, &path) {
                refused
            } else {
                next.run(Request::from_parts(parts, Body::from(bytes.clone())))
                    .await
            }
        }
    };
    P::stamp(state, &mut response);
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
