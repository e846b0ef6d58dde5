//! Vultr API v2 client.
//!
//! - **Auth:** `Authorization: Bearer <API key>`.
//! - **Pagination:** cursor-based: `per_page=500` and `cursor=<meta.links.next>` until `next` is
//!   `""`. Cursors are opaque, so pages are fetched one after another.
//! - **List by tag:** the spec has no `tags` filter, only a deprecated single `tag`. Hangar lists
//!   every instance (500 per page) and keeps those whose `tags[]` holds the tag. That is correct
//!   whatever the deprecated filter does with multi-tag instances, and costs one request per 500
//!   instances.
//! - **Create:** `user_data` is sent base64-encoded; `os_id` is numeric (the [`Image::id`] from
//!   the catalog). The new instance has `main_ip: "0.0.0.0"`, read as "no IP yet".
//! - **Delete:** while an instance is provisioning, DELETE can fail with 400 or 500 and a message
//!   containing "currently locked" or "not currently active": it is retried with backoff. After a
//!   204 the instance is polled until it answers 404; see
//!   [`destroy_confirmed`](super::http::lifecycle::destroy_confirmed).
//! - **Projects:** Vultr has none; [`CloudProvider::projects`] is `None`.
//! - **Base URL:** [`VultrConfig::base_url`], else `HANGAR_VULTR_API_URL`, else
//!   `https://api.vultr.com/v2` (it includes `/v2`; paths do not repeat it).

mod firewall;
mod resize;
mod snapshots;
mod wire;

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use backon::Retryable;
use base64::Engine;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::http::lifecycle::{
    DestroyPolicy, create_reconciled, destroy_confirmed, find_created, find_record,
};
use super::http::{
    Catalogs, ClientOptions, ClientParts, HttpClient, ProviderClient, ProviderConfig, Safety,
    encode_segment,
};
use super::registry::ProviderAbout;
use crate::provider::{
    AccountInfo, CloudProvider, CreateMachine, DnsRecord, DnsRecordSpec, DnsZone, Image, ImageRef,
    Machine, MachineFilter, PowerAction, ProviderError, ProviderKind, Region, Result, Size, SshKey,
};

/// The public API, including the version prefix.
pub const DEFAULT_BASE_URL: &str = "https://api.vultr.com/v2";
/// Overrides [`DEFAULT_BASE_URL`] when an account sets no base URL.
pub const BASE_URL_ENV: &str = "HANGAR_VULTR_API_URL";
/// Largest page the API allows.
pub const PER_PAGE: u32 = 500;

const KIND: ProviderKind = ProviderKind::Vultr;

/// Configuration of one Vultr account: `VultrConfig::new(token).build()`.
pub type VultrConfig = ProviderConfig<Vultr>;

impl ProviderClient for Vultr {
    const KIND: ProviderKind = KIND;
    const DEFAULT_BASE_URL: &'static str = DEFAULT_BASE_URL;
    const BASE_URL_ENV: &'static str = BASE_URL_ENV;
    const ABOUT: ProviderAbout = ProviderAbout {
        display_name: "Vultr",
        config_section: "vultr",
        config_key: "api-key",
        access_url: "https://my.vultr.com/settings/#settingsapi",
        access_help: "Enable the API and copy the personal access token (Account → API); allow this computer's address in its access control.",
        projects: false,
        dns_caa_flags: true,
    };

    fn from_parts(parts: ClientParts) -> Self {
        Self {
            http: parts.http,
            options: parts.options,
            catalogs: parts.catalogs,
        }
    }
}

/// A Vultr account.
#[derive(Debug)]
pub struct Vultr {
    http: HttpClient,
    options: ClientOptions,
    catalogs: Catalogs,
}

/// True for the refusals Vultr gives while an instance is still being provisioned.
pub fn is_locked(error: &ProviderError) -> bool {
    let message = match error {
        ProviderError::Validation { message, .. } | ProviderError::Provider { message, .. } => {
            message.to_ascii_lowercase()
        }
        _ => return false,
    };
    message.contains("currently locked") || message.contains("not currently active")
}

impl Vultr {
    /// Every item under `key`, following `meta.links.next` cursors.
    async fn list_all<T: DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<T>> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        let mut seen_cursors = HashSet::new();
        loop {
            let mut q = query.to_vec();
            q.push(("per_page", PER_PAGE.to_string()));
            if let Some(c) = &cursor {
                q.push(("cursor", c.clone()));
            }
            let mut page: Value = self.http.get_json(path, &q).await?;
            let batch = page
                .get_mut(key)
                .map(Value::take)
                .ok_or_else(|| self.decode_error(path, format!("no `{key}` in the answer")))?;
            let batch: Vec<T> = serde_json::from_value(batch)
                .map_err(|e| self.decode_error(path, e.to_string()))?;
            items.extend(batch);
            let next = page
                .pointer("/meta/links/next")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if next.is_empty() {
                return Ok(items);
            }
            if !seen_cursors.insert(next.to_string()) {
                return Err(self.decode_error(path, format!("the cursor `{next}` repeats")));
            }
            cursor = Some(next.to_string());
        }
    }

    fn decode_error(&self, path: &str, message: String) -> ProviderError {
        ProviderError::Decode {
            provider: KIND,
            message: format!("{path}: {message}"),
        }
    }

    async fn list_instances(&self, query: &[(&str, String)]) -> Result<Vec<Machine>> {
        let instances: Vec<wire::Instance> =
            self.list_all("/instances", "instances", query).await?;
        let mut seen = HashSet::new();
        Ok(instances
            .into_iter()
            .filter(|i| seen.insert(i.id.clone()))
            .map(Machine::from)
            .collect())
    }

    async fn create_once(&self, request: &CreateMachine) -> Result<Machine> {
        let (os_id, snapshot_id) = match &request.image {
            ImageRef::Image(image) => {
                let os_id: i64 = image.parse().map_err(|_| ProviderError::Validation {
                    provider: KIND,
                    message: format!(
                        "`{image}` is not a Vultr OS id: pick an image from the catalog"
                    ),
                })?;
                (Some(os_id), None)
            }
            ImageRef::Snapshot(id) => (None, Some(id.as_str())),
        };
        let body = wire::CreateInstance {
            region: &request.region,
            plan: &request.size,
            os_id,
            snapshot_id,
            label: &request.name,
            hostname: &request.name,
            sshkey_id: &request.ssh_key_ids,
            tags: &request.tags,
            user_data: request
                .user_data
                .as_deref()
                .map(|u| base64::engine::general_purpose::STANDARD.encode(u)),
            enable_ipv6: request.ipv6,
        };
        let answer: wire::InstanceEnvelope = self
            .http
            .send_json(Method::POST, "/instances", &body, Safety::CreatesResource)
            .await?;
        Ok(answer.instance.into())
    }

    /// One DELETE, retried while the instance is locked by provisioning.
    async fn delete_unlocked(&self, path: &str, policy: &DestroyPolicy) -> Result<()> {
        let once = || async {
            self.http
                .send_no_content::<Value>(Method::DELETE, path, None, Safety::Idempotent)
                .await
                .map(drop)
        };
        once.retry(
            backon::ExponentialBuilder::default()
                .with_jitter()
                .with_min_delay(policy.locked_delay)
                .with_max_delay(policy.locked_delay * 16)
                .with_max_times(policy.locked_retries),
        )
        .when(is_locked)
        .await
    }

    fn instance_path(id: &str) -> String {
        format!("/instances/{}", encode_segment(id))
    }
}

fn record_path(zone: &str, id: Option<&str>) -> String {
    let zone = encode_segment(zone);
    match id {
        Some(id) => format!("/domains/{zone}/records/{}", encode_segment(id)),
        None => format!("/domains/{zone}/records"),
    }
}

#[async_trait]
impl CloudProvider for Vultr {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    fn status_proxy(&self) -> Option<&str> {
        self.options.status_proxy.as_deref()
    }

    fn firewall(&self) -> Option<&dyn crate::provider::FirewallAccess> {
        Some(self)
    }

    async fn account(&self) -> Result<AccountInfo> {
        let a: wire::AccountEnvelope = self.http.get_json("/account", &[]).await?;
        Ok(a.account.into())
    }

    async fn create_machine(&self, request: &CreateMachine) -> Result<Machine> {
        let by_name = [("label", request.name.clone())];
        create_reconciled(
            self.http.policy(),
            || self.create_once(request),
            || async { Ok(find_created(self.list_instances(&by_name).await?, request)) },
        )
        .await
    }

    async fn get_machine(&self, id: &str) -> Result<Machine> {
        let i: wire::InstanceEnvelope = self.http.get_json(&Self::instance_path(id), &[]).await?;
        Ok(i.instance.into())
    }

    async fn list_machines(&self, filter: &MachineFilter) -> Result<Vec<Machine>> {
        let all = self.list_instances(&[]).await?;
        Ok(match &filter.tag {
            Some(tag) => all.into_iter().filter(|m| m.tags.contains(tag)).collect(),
            None => all,
        })
    }

    async fn destroy_machine(&self, id: &str) -> Result<()> {
        let path = Self::instance_path(id);
        let policy = &self.options.destroy;
        destroy_confirmed(
            KIND,
            id,
            policy,
            || self.delete_unlocked(&path, policy),
            || self.http.exists(&path),
        )
        .await
    }

    async fn power(&self, id: &str, action: PowerAction) -> Result<()> {
        let verb = match action {
            PowerAction::PowerOn => "start",
            PowerAction::PowerOff => "halt",
            PowerAction::Reboot => "reboot",
        };
        let path = format!("{}/{verb}", Self::instance_path(id));
        self.http
            .send_no_content::<Value>(Method::POST, &path, None, Safety::Idempotent)
            .await
            .map(drop)
    }

    async fn rename_machine(&self, id: &str, name: &str) -> Result<()> {
        // The label is what Hangar shows as the name; the hostname inside stays as created.
        let _: wire::InstanceEnvelope = self
            .http
            .send_json(
                Method::PATCH,
                &Self::instance_path(id),
                &json!({ "label": name }),
                Safety::Idempotent,
            )
            .await?;
        Ok(())
    }

    async fn retag_machine(&self, id: &str, add: &[String], remove: &[String]) -> Result<()> {
        // PATCH replaces the whole list, so read it first and keep the other tags.
        let machine = self.get_machine(id).await?;
        let mut tags: Vec<String> = machine
            .tags
            .into_iter()
            .filter(|t| !remove.contains(t))
            .collect();
        for tag in add {
            if !tags.contains(tag) {
                tags.push(tag.clone());
            }
        }
        let _: wire::InstanceEnvelope = self
            .http
            .send_json(
                Method::PATCH,
                &Self::instance_path(id),
                &json!({ "tags": tags }),
                Safety::Idempotent,
            )
            .await?;
        Ok(())
    }

    async fn list_ssh_keys(&self) -> Result<Vec<SshKey>> {
        let keys: Vec<wire::SshKeyWire> = self.list_all("/ssh-keys", "ssh_keys", &[]).await?;
        Ok(keys.into_iter().map(SshKey::from).collect())
    }

    async fn list_zones(&self) -> Result<Vec<DnsZone>> {
        let domains: Vec<wire::DomainWire> = self.list_all("/domains", "domains", &[]).await?;
        Ok(domains
            .into_iter()
            .map(|d| DnsZone { name: d.domain })
            .collect())
    }

    async fn list_records(&self, zone: &str) -> Result<Vec<DnsRecord>> {
        let records: Vec<wire::RecordWire> = self
            .list_all(&record_path(zone, None), "records", &[])
            .await?;
        Ok(records
            .into_iter()
            .map(|r| wire::record_from_wire(r, zone))
            .collect())
    }

    async fn create_record(&self, zone: &str, record: &DnsRecordSpec) -> Result<DnsRecord> {
        let body = wire::body_from_spec(record, true);
        let path = record_path(zone, None);
        create_reconciled(
            self.http.policy(),
            || async {
                let answer: wire::RecordEnvelope = self
                    .http
                    .send_json(Method::POST, &path, &body, Safety::CreatesResource)
                    .await?;
                Ok(wire::record_from_wire(answer.record, zone))
            },
            || async { Ok(find_record(self.list_records(zone).await?, record)) },
        )
        .await
    }

    /// PATCH answers 204 with no body, so the returned record is the one that was sent (the
    /// type of a Vultr record cannot change).
    async fn update_record(
        &self,
        zone: &str,
        id: &str,
        record: &DnsRecordSpec,
    ) -> Result<DnsRecord> {
        self.http
            .send_no_content(
                Method::PATCH,
                &record_path(zone, Some(id)),
                Some(&wire::body_from_spec(record, false)),
                Safety::Idempotent,
            )
            .await?;
        Ok(DnsRecord {
            id: id.to_string(),
            spec: record.clone(),
        })
    }

    async fn delete_record(&self, zone: &str, id: &str) -> Result<()> {
        self.http
            .send_no_content::<Value>(
                Method::DELETE,
                &record_path(zone, Some(id)),
                None,
                Safety::Idempotent,
            )
            .await
            .map(drop)
    }

    async fn regions(&self) -> Result<Arc<Vec<Region>>> {
        self.catalogs
            .regions
            .get_or_fetch(|| async {
                let r: Vec<wire::RegionWire> = self.list_all("/regions", "regions", &[]).await?;
                Ok(r.into_iter().map(Region::from).collect())
            })
            .await
    }

    async fn sizes(&self) -> Result<Arc<Vec<Size>>> {
        self.catalogs
            .sizes
            .get_or_fetch(|| async {
                let p: Vec<wire::PlanWire> = self.list_all("/plans", "plans", &[]).await?;
                Ok(p.into_iter().map(Size::from).collect())
            })
            .await
    }

    async fn images(&self) -> Result<Arc<Vec<Image>>> {
        self.catalogs
            .images
            .get_or_fetch(|| async {
                let o: Vec<wire::OsWire> = self.list_all("/os", "os", &[]).await?;
                Ok(o.into_iter().map(Image::from).collect())
            })
            .await
    }

    fn resize(&self) -> Option<&dyn crate::provider::Resize> {
        Some(self)
    }

    fn rebuild(&self) -> Option<&dyn crate::provider::Rebuild> {
        Some(self)
    }

    fn snapshots(&self) -> Option<&dyn crate::provider::Snapshots> {
        Some(self)
    }
}

#[cfg(test)]
mod tests;
