//! Starting an emulator and connecting a provider client to it.
//!
//! **Adding a provider:** one arm in [`connect`] and one line in the `for_each_provider!` macro
//! of `tests/conformance.rs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use hangar::provider::CloudProvider;
use hangar::providers::digitalocean::DigitalOceanConfig;
use hangar::providers::http::lifecycle::DestroyPolicy;
use hangar::providers::http::{ClientOptions, RetryPolicy};
use hangar::providers::vultr::VultrConfig;
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

/// A client for `kind` talking to `base_url` (default: the emulator itself).
pub fn connect(
    kind: EmulatedProvider,
    emulator: &Emulator,
    base_url: Option<String>,
) -> Arc<dyn CloudProvider> {
    let token = emulator.token(kind);
    match kind {
        EmulatedProvider::DigitalOcean => Arc::new(
            DigitalOceanConfig::new(token)
                .with_base_url(base_url.unwrap_or_else(|| emulator.digitalocean_base_url()))
                .with_options(test_options())
                .build()
                .expect("client"),
        ),
        EmulatedProvider::Vultr => Arc::new(
            VultrConfig::new(token)
                .with_base_url(base_url.unwrap_or_else(|| emulator.vultr_base_url()))
                .with_options(test_options())
                .build()
                .expect("client"),
        ),
    }
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
    let (url, key, name) = match kind {
        EmulatedProvider::DigitalOcean => (
            format!(
                "{}/v2/droplets?per_page=200",
                emulator.digitalocean_base_url()
            ),
            "droplets",
            "name",
        ),
        EmulatedProvider::Vultr => (
            format!("{}/instances?per_page=500", emulator.vultr_base_url()),
            "instances",
            "label",
        ),
    };
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
        page["meta"]["total"].as_u64().unwrap() <= 200,
        "more machines than one page"
    );
    page[key]
        .as_array()
        .expect("list")
        .iter()
        .map(|m| m[name].as_str().unwrap_or_default().to_string())
        .collect()
}
