//! The test client: one emulator, one provider, every request and response checked against
//! the provider's OpenAPI spec.

use std::time::Duration;

use hangar_emulator::{EmulatedProvider, Emulator, EmulatorConfig, Seed};
use hangar_spec_check as openapi;
use reqwest::header::HeaderMap;
use serde_json::Value;

pub const DO: EmulatedProvider = EmulatedProvider::DigitalOcean;
pub const VULTR: EmulatedProvider = EmulatedProvider::Vultr;
pub const LINODE: EmulatedProvider = EmulatedProvider::Linode;
pub const IP_DELAY: Duration = Duration::from_millis(50);
/// For tests that look at a machine before its IP appears: long enough that a loaded machine
/// does not blow through it between two requests.
pub const OBSERVED_IP_DELAY: Duration = Duration::from_millis(500);

pub const KEY_A: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDx4bW1mZ2h0cmVlc3BlY3Rlc3RrZXlhYWFhYWFhYWFh test-a";
pub const KEY_B: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFJvYm90c0FyZUZyaWVuZHNOb3RGb29kMTIzNDU2Nzg5 test-b";

pub fn fixture_seed() -> Seed {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/emulator-seed.yaml"
    ))
    .expect("the fixture seed exists");
    Seed::from_yaml_str(&text).expect("the fixture seed parses")
}

pub async fn start(seed: Seed) -> Emulator {
    start_with_delay(seed, IP_DELAY).await
}

pub async fn start_with_delay(seed: Seed, ip_delay: Duration) -> Emulator {
    Emulator::start(EmulatorConfig {
        seed,
        ip_delay,
        ..EmulatorConfig::default()
    })
    .await
    .expect("the emulator starts")
}

/// One response, already checked against the spec.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Option<Value>,
}

impl Reply {
    pub fn json(&self) -> &Value {
        self.body
            .as_ref()
            .unwrap_or_else(|| panic!("expected a JSON body, status {}", self.status))
    }
}

/// A client for one provider of one emulator. Every response is validated against the spec.
pub struct Client<'a> {
    pub emu: &'a Emulator,
    pub provider: EmulatedProvider,
    http: reqwest::Client,
}

impl<'a> Client<'a> {
    pub fn new(emu: &'a Emulator, provider: EmulatedProvider) -> Self {
        Client {
            emu,
            provider,
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .expect("client"),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.base_url(self.provider))
    }

    /// Sends with the right token; validates the request body too.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        if let Err(e) = openapi::check_request(self.provider, method, path, body.as_ref()) {
            panic!("the test sent a request that breaks the spec: {e}");
        }
        self.raw(method, path, body, Some(&self.emu.token(self.provider)))
            .await
    }

    /// Sends anything (for error cases); only the response is validated.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> Reply {
        let url = self.url(path);
        self.fetch(method, &url, path, body, token)
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    pub async fn fetch(
        &self,
        method: &str,
        url: &str,
        spec_path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> Result<Reply, reqwest::Error> {
        let mut req = self.http.request(method.parse().expect("method"), url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = &body {
            req = req.json(b);
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await?;
        let body = if bytes.is_empty() {
            None
        } else {
            Some(serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                panic!(
                    "{method} {spec_path}: body is not JSON ({e}): {}",
                    String::from_utf8_lossy(&bytes)
                )
            }))
        };
        if let Err(e) =
            openapi::check_response(self.provider, method, spec_path, status, body.as_ref())
        {
            panic!("the emulator broke the spec: {e}");
        }
        if self.provider == LINODE {
            for h in [
                "x-ratelimit-limit",
                "x-ratelimit-remaining",
                "x-ratelimit-reset",
            ] {
                assert!(
                    headers.contains_key(h),
                    "{method} {spec_path} -> {status} lacks {h}"
                );
            }
        }
        if self.provider == DO {
            for h in ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"] {
                assert!(
                    headers.contains_key(h),
                    "{method} {spec_path} -> {status} lacks {h}"
                );
            }
        }
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    /// GETs an absolute URL on this provider (a DigitalOcean `links.pages` entry).
    pub async fn get_absolute(&self, url: &str) -> Reply {
        let base = self.emu.base_url(self.provider);
        let path = url
            .strip_prefix(&base)
            .unwrap_or_else(|| panic!("{url} is not on {base}"));
        self.fetch("GET", url, path, None, Some(&self.emu.token(self.provider)))
            .await
            .expect("request")
    }

    /// GETs a path, or an absolute URL (what a pagination link holds).
    pub async fn get(&self, path_or_url: &str) -> Reply {
        if path_or_url.starts_with("http") {
            self.get_absolute(path_or_url).await
        } else {
            self.call("GET", path_or_url, None).await
        }
    }
}

/// GETs a URL that no spec operation covers; returns the status and the JSON body.
pub async fn unspecified_get(url: &str, token: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("a JSON body"))
}

pub fn public_v4(droplet: &Value) -> Option<String> {
    droplet["networks"]["v4"]
        .as_array()?
        .iter()
        .find(|n| n["type"] == "public")
        .map(|n| n["ip_address"].as_str().unwrap().to_string())
}

pub fn in_documentation_range(ip: &str) -> bool {
    ip.starts_with("192.0.2.") || ip.starts_with("198.51.100.") || ip.starts_with("203.0.113.")
}
