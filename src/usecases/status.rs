//! Status: the provider's machine status plus the cloud-init check each machine serves at
//! `http://<ip>:<port>/cgi-bin/<check>` (JSON with `status`), queried concurrently.
//!
//! When the account sets a status proxy ([`CloudProvider::status_proxy`], the account's
//! `status_proxy` setting), the checks are sent through it as ordinary HTTP proxy requests:
//! the request target stays `http://<ip>:<port>/cgi-bin/<check>`. The demo cloud uses this
//! to have its emulator answer for machines whose addresses route nowhere. A proxy error
//! (e.g. 502 for a host that does not answer) gives [`UNKNOWN`], like an unreachable machine.

use std::time::Duration;

use futures_util::future::join_all;
use serde::Serialize;

use super::list::{ListFilter, list_machines};
use crate::error::Result;
use crate::provider::{CloudProvider, Machine, MachineStatus};
use crate::session::SessionId;

/// Port the status check is served on by default.
pub const DEFAULT_PORT: u16 = 4242;
/// The default check.
pub const DEFAULT_CHECK: &str = "cloud-init-status";
/// What a check reports when the machine cannot be asked.
pub const UNKNOWN: &str = "UNKNOWN";

/// How to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusOptions {
    pub filter: ListFilter,
    pub port: u16,
    pub check: String,
    pub timeout: Duration,
}

impl Default for StatusOptions {
    fn default() -> Self {
        Self {
            filter: ListFilter::default(),
            port: DEFAULT_PORT,
            check: DEFAULT_CHECK.into(),
            timeout: Duration::from_secs(3),
        }
    }
}

/// One machine's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MachineStatusReport {
    pub id: String,
    pub name: String,
    pub ip: Option<String>,
    /// The provider's status (`new`, `active`, `off`, …).
    pub machine_status: String,
    /// The check's `status`, or [`UNKNOWN`].
    pub check_status: String,
}

/// The provider status name of `s`.
pub fn status_name(s: &MachineStatus) -> String {
    match s {
        MachineStatus::New => "new".into(),
        MachineStatus::Active => "active".into(),
        MachineStatus::Off => "off".into(),
        MachineStatus::Archive => "archive".into(),
        MachineStatus::Unknown(s) => s.clone(),
    }
}

/// Status of the machines matching `opts.filter`.
pub async fn machine_status(
    provider: &dyn CloudProvider,
    session: &SessionId,
    opts: &StatusOptions,
) -> Result<Vec<MachineStatusReport>> {
    let machines = list_machines(provider, session, &opts.filter).await?;
    let client = check_client(opts.timeout, provider.status_proxy())?;
    let checks = join_all(
        machines
            .iter()
            .map(|m| check_one(&client, m, opts.port, &opts.check)),
    )
    .await;
    Ok(machines
        .iter()
        .zip(checks)
        .map(|(m, check_status)| MachineStatusReport {
            id: m.id.clone(),
            name: m.name.clone(),
            ip: m.ipv4.clone(),
            machine_status: status_name(&m.status),
            check_status,
        })
        .collect())
}

/// The check of one machine ([`UNKNOWN`] when it cannot be asked).
pub async fn check_machine(
    provider: &dyn CloudProvider,
    m: &Machine,
    opts: &StatusOptions,
) -> Result<String> {
    let client = check_client(opts.timeout, provider.status_proxy())?;
    Ok(check_one(&client, m, opts.port, &opts.check).await)
}

/// The HTTP client the checks are sent with: straight to the machines, or through `proxy`.
pub fn check_client(timeout: Duration, proxy: Option<&str>) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout);
    if let Some(proxy) = proxy {
        let proxy = reqwest::Proxy::http(proxy).map_err(|e| {
            crate::Error::new(
                crate::ErrorKind::Config,
                format!("the account's status proxy `{proxy}` is not usable: {e}"),
            )
        })?;
        builder = builder.proxy(proxy);
    }
    builder
        .build()
        .map_err(|e| crate::Error::new(crate::ErrorKind::Network, e.to_string()))
}

async fn check_one(client: &reqwest::Client, m: &Machine, port: u16, check: &str) -> String {
    let Some(ip) = &m.ipv4 else {
        return UNKNOWN.into();
    };
    let url = format!("http://{ip}:{port}/cgi-bin/{check}");
    let Ok(resp) = client.get(url).send().await else {
        return UNKNOWN.into();
    };
    if !resp.status().is_success() {
        return UNKNOWN.into();
    }
    match resp.json::<serde_json::Value>().await {
        Ok(v) => v
            .get("status")
            .and_then(|s| s.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| UNKNOWN.into()),
        Err(_) => UNKNOWN.into(),
    }
}
