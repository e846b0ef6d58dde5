//! Starting an emulator and connecting a provider client to it.
//!
//! **Adding a provider:** one line in the `for_each_provider!` macro of `tests/conformance.rs`;
//! clients connect through the registry, and what a scenario needs to know of the emulated API
//! comes from its [`BuiltinSample`](hangar_emulator::BuiltinSample).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use hangar::provider::{CloudProvider, ProviderKind};
use hangar::providers::http::lifecycle::DestroyPolicy;
use hangar::providers::http::{ClientOptions, RetryPolicy};
use hangar::secrets::Token;
use hangar_emulator::{EmulatedProvider, Emulator, EmulatorConfig};

/// How long a new machine waits for its IP in the emulator.
pub const IP_DELAY: Duration = Duration::from_millis(300);

/// One provider's client against its own emulator.
pub struct Harness {
    pub emulator: Emulator,
    pub kind: EmulatedProvider,
    pub provider: Arc<dyn CloudProvider>,
}

impl Harness {
    /// A fresh emulator and a client pointed straight at it.
    pub async fn start(kind: EmulatedProvider) -> Harness {
        let emulator = Emulator::start(EmulatorConfig {
            ip_delay: IP_DELAY,
            ..EmulatorConfig::default()
        })
        .await
        .expect("emulator starts");
        let provider = connect(kind, &emulator, None);
        Harness {
            emulator,
            kind,
            provider,
        }
    }

    /// Stop the emulator.
    pub async fn shutdown(self) {
        self.emulator.shutdown().await;
    }
}

/// Retry and destroy settings scaled for a local emulator: same logic, shorter waits.
pub fn test_options() -> ClientOptions {
    ClientOptions {
        retry: RetryPolicy {
            max_retries: 8,
            min_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(200),
            max_wait: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(2),
        },
        destroy: DestroyPolicy {
            rounds: 3,
            confirm_polls: 4,
            confirm_interval: Duration::from_millis(20),
            locked_retries: 6,
            locked_delay: Duration::from_millis(20),
        },
        ..ClientOptions::default()
    }
}

/// The core's provider for the emulated `kind` (the one of the same slug).
pub fn provider_kind(kind: EmulatedProvider) -> ProviderKind {
    ProviderKind::from_slug(kind.name()).expect("a client for every emulated provider")
}

/// A client for `kind` talking to `base_url` (default: the emulator itself), through the
/// registry as every account connects.
pub fn connect(
    kind: EmulatedProvider,
    emulator: &Emulator,
    base_url: Option<String>,
) -> Arc<dyn CloudProvider> {
    connect_with_token(kind, emulator, &emulator.token(kind), base_url)
}

/// As [`connect`], with another token.
pub fn connect_with_token(
    kind: EmulatedProvider,
    emulator: &Emulator,
    token: &str,
    base_url: Option<String>,
) -> Arc<dyn CloudProvider> {
    let base_url = base_url.unwrap_or_else(|| emulator.base_url(kind));
    hangar::providers::connect(
        provider_kind(kind),
        &Token::from(token),
        Some(&base_url),
        test_options(),
    )
    .expect("client")
}

/// A name unique within this test process (valid on both providers).
pub fn unique(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
}

/// Names of the machines the emulator holds, read with a plain HTTP request (not through the
/// client under test). Sufficient for tests that hold fewer machines than one page.
pub async fn emulator_machine_names(emulator: &Emulator, kind: EmulatedProvider) -> Vec<String> {
    let sample = kind.sample();
    let url = format!(
        "http://{}{}?{}={}",
        emulator.local_addr(kind),
        sample.machines_path,
        sample.page_size_param,
        sample.max_page_size
    );
    let (key, name) = (sample.machines_key, sample.machine_name_field);
    let page: serde_json::Value = reqwest::Client::new()
        .get(url)
        .bearer_auth(emulator.token(kind))
        .send()
        .await
        .expect("emulator answers")
        .json()
        .await
        .expect("JSON list");
    assert!(
        page[key].as_array().expect("list").len() < sample.max_page_size,
        "more machines than one page"
    );
    page[key]
        .as_array()
        .expect("list")
        .iter()
        .map(|m| m[name].as_str().unwrap_or_default().to_string())
        .collect()
}
