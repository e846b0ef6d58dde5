//! What every provider client needs from HTTP: one `reqwest` client per account, a timeout on
//! every request, retry with exponential backoff and jitter (`backon`), rate-limit headers, and
//! error mapping. No provider writes its own retry loop for transport errors.
//!
//! # When a request is retried
//!
//! | outcome | idempotent (GET, PUT, DELETE, actions) | [`Safety::CreatesResource`] (POST create) |
//! |---|---|---|
//! | connection refused, DNS failure, TLS failure | **no**: repeating cannot fix it | **no** |
//! | other connect error (nothing was sent) | retry | retry |
//! | 429 (the request was refused, not processed) | retry after `Retry-After` / `ratelimit-reset` | retry, same |
//! | 5xx | retry | **no**: the provider may have created it |
//! | timeout, connection dropped after sending | retry | **no**: same reason |
//!
//! A create that fails ambiguously is never blindly repeated here, because a duplicate machine
//! is billed. The provider clients instead look the machine up by name after such a failure (see
//! `create_machine` in each provider) and only then decide.
//!
//! A DELETE that answers 404 on a retry counts as done: the earlier, ambiguous attempt deleted it.
//!
//! A `Retry-After` (or DigitalOcean `ratelimit-reset`) longer than [`RetryPolicy::max_wait`] is
//! not slept through: the caller gets [`ProviderError::RateLimited`] with the seconds to wait.

mod config;
pub mod errors;
pub mod lifecycle;

pub use config::{Catalogs, ClientParts, ProviderClient, ProviderConfig};

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use backon::{ExponentialBuilder, Retryable};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::provider::{ProviderError, ProviderKind, Result};

/// Retry and timeout settings of one account's client.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: usize,
    /// First backoff delay; doubled on each retry, with jitter.
    pub min_delay: Duration,
    /// Longest backoff delay.
    pub max_delay: Duration,
    /// Longest `Retry-After` / rate-limit reset this client sleeps through before giving up.
    pub max_wait: Duration,
    /// Whole-request timeout (connect, send, read the body).
    pub request_timeout: Duration,
    /// Connect timeout.
    pub connect_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 5,
            min_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_wait: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// The exponential backoff with jitter this policy describes.
    pub fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_jitter()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_retries)
    }
}

/// Everything tunable about one account's client.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub retry: RetryPolicy,
    pub destroy: lifecycle::DestroyPolicy,
    /// How actions run in the background (a rename) are waited for.
    pub actions: lifecycle::ActionPolicy,
    /// How long catalogs (regions, sizes, images) stay cached.
    pub catalog_ttl: Duration,
    /// HTTP proxy the machines' status check is sent through (an account's
    /// `status_proxy`); `None`: straight to each machine. See
    /// [`CloudProvider::status_proxy`](crate::provider::CloudProvider::status_proxy).
    pub status_proxy: Option<String>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            destroy: lifecycle::DestroyPolicy::default(),
            actions: lifecycle::ActionPolicy::default(),
            catalog_ttl: crate::provider::DEFAULT_CATALOG_TTL,
            status_proxy: None,
        }
    }
}

/// Whether a request may be repeated after an ambiguous failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Safety {
    /// Repeating it has the same effect as sending it once.
    Idempotent,
    /// It creates a billed resource: repeat only when the provider certainly did not act on it.
    CreatesResource,
}

/// A successful response.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// One attempt's failure, with what the retry loop should do about it.
#[derive(Debug)]
struct Failure {
    error: ProviderError,
    retry: bool,
    wait: Option<Duration>,
}

/// One account's HTTP client: base URL, token, retry policy and rate-limit state.
pub struct HttpClient {
    provider: ProviderKind,
    base_url: String,
    token: SecretString,
    policy: RetryPolicy,
    client: reqwest::Client,
    /// Until when the provider told us (via rate-limit headers) to send nothing.
    blocked_until: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("provider", &self.provider)
            .field("base_url", &self.base_url)
            .field("token", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    /// A client for `provider` at `base_url` (no trailing slash needed).
    pub fn new(
        provider: ProviderKind,
        base_url: &str,
        token: SecretString,
        policy: RetryPolicy,
    ) -> Result<Self> {
        if token.expose_secret().trim().is_empty() {
            return Err(ProviderError::Auth {
                provider,
                status: 0,
                message: "no token is set for this account".into(),
            });
        }
        let client = reqwest::Client::builder()
            .timeout(policy.request_timeout)
            .connect_timeout(policy.connect_timeout)
            .user_agent(concat!("hangar/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ProviderError::Network {
                provider,
                message: format!("cannot set up the HTTP client: {e}"),
            })?;
        Ok(Self {
            provider,
            base_url: base_url.trim_end_matches('/').to_string(),
            token,
            policy,
            client,
            blocked_until: Mutex::new(None),
        })
    }

    /// The provider this client talks to.
    pub fn provider(&self) -> ProviderKind {
        self.provider
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The retry policy.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// GET `path` and decode the JSON body.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T> {
        let reply = self
            .execute(Method::GET, path, query, None, Safety::Idempotent)
            .await?;
        self.decode(path, &reply.body)
    }

    /// Whether GET `path` finds something: `false` on a 404, the error on any other failure
    /// (a destroy's "is it gone yet" probe).
    pub async fn exists(&self, path: &str) -> Result<bool> {
        match self
            .execute(Method::GET, path, &[], None, Safety::Idempotent)
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// GET `path` with extra request headers (a provider's filter header, such as Linode's
    /// `X-Filter`) and decode the JSON body.
    pub async fn get_json_with_headers<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        headers: &[(&str, String)],
    ) -> Result<T> {
        let reply = self
            .execute_with_headers(Method::GET, path, query, headers, None, Safety::Idempotent)
            .await?;
        self.decode(path, &reply.body)
    }

    /// Send a JSON body and decode the JSON answer.
    pub async fn send_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &B,
        safety: Safety,
    ) -> Result<T> {
        let body = self.encode(body)?;
        let reply = self.execute(method, path, &[], Some(body), safety).await?;
        self.decode(path, &reply.body)
    }

    /// Send a request whose answer has no body we need (204, or a body we ignore).
    pub async fn send_no_content<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        safety: Safety,
    ) -> Result<Reply> {
        let body = body.map(|b| self.encode(b)).transpose()?;
        self.execute(method, path, &[], body, safety).await
    }

    fn encode<B: Serialize + ?Sized>(&self, body: &B) -> Result<Vec<u8>> {
        serde_json::to_vec(body).map_err(|e| ProviderError::Decode {
            provider: self.provider,
            message: format!("cannot encode the request: {e}"),
        })
    }

    /// Decode a JSON body, naming the path on failure.
    pub fn decode<T: DeserializeOwned>(&self, path: &str, body: &[u8]) -> Result<T> {
        serde_json::from_slice(body).map_err(|e| ProviderError::Decode {
            provider: self.provider,
            message: format!("{path}: {e}"),
        })
    }

    /// Send a request with retries; `Ok` only for a 2xx answer.
    pub async fn execute(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
        safety: Safety,
    ) -> Result<Reply> {
        self.execute_with_headers(method, path, query, &[], body, safety)
            .await
    }

    /// [`execute`](Self::execute) with extra request headers.
    pub async fn execute_with_headers(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        headers: &[(&str, String)],
        body: Option<Vec<u8>>,
        safety: Safety,
    ) -> Result<Reply> {
        let attempts = std::sync::atomic::AtomicUsize::new(0);
        let attempt = || {
            let retried = attempts.fetch_add(1, std::sync::atomic::Ordering::Relaxed) > 0;
            self.attempt(
                method.clone(),
                path,
                query,
                headers,
                body.clone(),
                safety,
                retried,
            )
        };
        attempt
            .retry(self.policy.backoff())
            .when(|f: &Failure| f.retry)
            .adjust(|f: &Failure, backoff| backoff.map(|d| f.wait.unwrap_or(d)))
            .await
            .map_err(|f| f.error)
    }

    #[allow(clippy::too_many_arguments)]
    async fn attempt(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        headers: &[(&str, String)],
        body: Option<Vec<u8>>,
        safety: Safety,
        retried: bool,
    ) -> Result<Reply, Failure> {
        self.wait_for_rate_limit().await?;
        let url = format!("{}{}", self.base_url, path);
        let mut bearer = HeaderValue::from_str(&format!("Bearer {}", self.token.expose_secret()))
            .map_err(|_| Failure {
            error: ProviderError::Auth {
                provider: self.provider,
                status: 0,
                message: "the token contains characters that cannot be sent".into(),
            },
            retry: false,
            wait: None,
        })?;
        bearer.set_sensitive(true);
        let mut request = self
            .client
            .request(method.clone(), &url)
            .header(AUTHORIZATION, bearer);
        if !query.is_empty() {
            request = request.query(query);
        }
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let idempotent = safety == Safety::Idempotent;
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => return Err(self.transport_failure(&e, idempotent)),
        };
        let status = response.status();
        let headers = response.headers().clone();
        self.note_rate_limit(&headers);
        let body = match response.bytes().await {
            Ok(b) => b.to_vec(),
            Err(e) => return Err(self.transport_failure(&e, idempotent)),
        };
        // A repeated DELETE that finds nothing: an earlier attempt that failed ambiguously had
        // already deleted it.
        let deleted_earlier =
            retried && method == Method::DELETE && status == StatusCode::NOT_FOUND;
        if status.is_success() || deleted_earlier {
            return Ok(Reply {
                status,
                headers,
                body,
            });
        }
        let wait = retry_wait(&headers, status);
        let what = format!("{method} {path}");
        let retry_after_secs = wait.map(|w| w.as_secs().max(1));
        // A provider (or a proxy) that echoes the request's headers must not show the token.
        let shown = errors::scrub_secret(&body, self.token.expose_secret());
        let error = errors::map_status(self.provider, status, &shown, &what, retry_after_secs);
        let (retry, wait) = if status == StatusCode::TOO_MANY_REQUESTS {
            // A 429 means the request was refused before it was processed: always safe to repeat,
            // unless the provider asks for a longer wait than we are willing to block for.
            match wait {
                Some(w) if w > self.policy.max_wait => (false, None),
                w => (true, w),
            }
        } else if status.is_server_error() {
            (idempotent, wait.filter(|w| *w <= self.policy.max_wait))
        } else {
            (false, None)
        };
        Err(Failure { error, retry, wait })
    }

    fn transport_failure(&self, e: &reqwest::Error, idempotent: bool) -> Failure {
        // `is_connect` means the connection was never established, so nothing was sent.
        let nothing_sent = e.is_connect();
        if let Some(reason) = lasting_connect_failure(e) {
            // Seconds of backoff would only delay the same answer.
            return Failure {
                error: ProviderError::Network {
                    provider: self.provider,
                    message: match reason {
                        LastingFailure::Refused => format!(
                            "cannot connect: connection refused at {}; check the API URL",
                            self.base_url
                        ),
                        LastingFailure::UnknownHost => format!(
                            "cannot connect: the host of {} was not found; check the API URL \
                             and the network",
                            self.base_url
                        ),
                        LastingFailure::Tls => format!(
                            "cannot connect: the TLS handshake with {} failed ({}); check the \
                             API URL and the system clock",
                            self.base_url,
                            root_cause(e)
                        ),
                    },
                },
                retry: false,
                wait: None,
            };
        }
        let message = if e.is_timeout() {
            format!(
                "no answer within {} s",
                self.policy.request_timeout.as_secs()
            )
        } else if nothing_sent {
            format!("cannot connect: {}", root_cause(e))
        } else {
            format!("the connection failed: {}", root_cause(e))
        };
        let message = if !idempotent && !nothing_sent {
            format!(
                "{message}; the request may have reached {} — check before repeating it",
                self.provider
            )
        } else {
            message
        };
        Failure {
            error: ProviderError::Network {
                provider: self.provider,
                message,
            },
            retry: idempotent || nothing_sent,
            wait: None,
        }
    }

    /// Remember `ratelimit-remaining: 0` (DigitalOcean; `x-ratelimit-*` on Linode) until the
    /// reset. A `Retry-After` on the same response is the more precise instruction (a
    /// burst-limit 429 carries one) and is honoured by the retry loop instead.
    fn note_rate_limit(&self, headers: &HeaderMap) {
        if headers.contains_key(RETRY_AFTER) {
            return;
        }
        let remaining = rate_limit_header(headers, "remaining");
        let reset = rate_limit_header(headers, "reset");
        if let (Some(0), Some(reset)) = (remaining, reset) {
            let wait = Duration::from_secs(reset.saturating_sub(unix_now()));
            *self.blocked_until.lock().expect("rate-limit lock") = Some(Instant::now() + wait);
        }
    }

    async fn wait_for_rate_limit(&self) -> Result<(), Failure> {
        let until = *self.blocked_until.lock().expect("rate-limit lock");
        let Some(until) = until else { return Ok(()) };
        let wait = until.saturating_duration_since(Instant::now());
        if wait.is_zero() {
            *self.blocked_until.lock().expect("rate-limit lock") = None;
            return Ok(());
        }
        if wait > self.policy.max_wait {
            return Err(Failure {
                error: ProviderError::RateLimited {
                    provider: self.provider,
                    retry_after_secs: Some(wait.as_secs().max(1)),
                },
                retry: false,
                wait: None,
            });
        }
        tokio::time::sleep(wait).await;
        Ok(())
    }
}

/// How long the provider asked us to wait: `Retry-After` (seconds), else for a 429 the
/// `ratelimit-reset` / `x-ratelimit-reset` (Unix time) when the matching `remaining` is 0.
fn retry_wait(headers: &HeaderMap, status: StatusCode) -> Option<Duration> {
    if let Some(secs) = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        return Some(Duration::from_secs(secs));
    }
    if status == StatusCode::TOO_MANY_REQUESTS
        && rate_limit_header(headers, "remaining") == Some(0)
        && let Some(reset) = rate_limit_header(headers, "reset")
    {
        return Some(Duration::from_secs(reset.saturating_sub(unix_now()).max(1)));
    }
    None
}

/// A rate-limit header as a number: `ratelimit-<what>` (DigitalOcean), else
/// `x-ratelimit-<what>` (Linode), both with the reset in Unix seconds.
fn rate_limit_header(headers: &HeaderMap, what: &str) -> Option<u64> {
    header_u64(headers, &format!("ratelimit-{what}"))
        .or_else(|| header_u64(headers, &format!("x-ratelimit-{what}")))
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The innermost cause of a reqwest error, which is where the useful words are.
enum LastingFailure {
    Refused,
    UnknownHost,
    Tls,
}

/// Why a connection could not be made, when repeating the attempt in the next seconds cannot
/// help: nothing listens at the address, the host name does not resolve, or TLS failed (a
/// certificate or protocol mismatch). `None` for timeouts and resets, which may pass.
fn lasting_connect_failure(e: &reqwest::Error) -> Option<LastingFailure> {
    if !e.is_connect() || e.is_timeout() {
        return None;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(err) = source {
        // An io::Error wrapping another (hyper-util wraps the TLS error in `Other`) does not
        // return it as its source: descend through `get_ref` as well.
        let mut io = err.downcast_ref::<std::io::Error>();
        while let Some(e) = io {
            match e.kind() {
                std::io::ErrorKind::ConnectionRefused => return Some(LastingFailure::Refused),
                // tokio-rustls reports every handshake failure (certificate, protocol, a
                // server that does not speak TLS) as invalid data.
                std::io::ErrorKind::InvalidData => return Some(LastingFailure::Tls),
                _ => {}
            }
            io = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<std::io::Error>());
        }
        // hyper-util's resolver error is private; its text is stable ("dns error: ...").
        if err.to_string().starts_with("dns error") {
            return Some(LastingFailure::UnknownHost);
        }
        source = err.source();
    }
    None
}

fn root_cause(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
}

/// The base URL to use: the account's own, else the environment variable, else the default.
pub fn resolve_base_url(explicit: Option<&str>, env_var: &str, default: &str) -> String {
    explicit
        .map(str::to_string)
        .or_else(|| std::env::var(env_var).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| default.to_string())
        .trim_end_matches('/')
        .to_string()
}

/// Percent-encode one path segment.
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
