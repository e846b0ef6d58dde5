//! DigitalOcean API v2 client.
//!
//! - **Auth:** `Authorization: Bearer <token>`.
//! - **Pagination:** `page`/`per_page=200`. After page 1, `meta.total` gives the page count, and
//!   pages 2..N are fetched concurrently ([`PAGE_CONCURRENCY`] at a time, well under the
//!   250-per-minute burst limit), then concatenated in page order and de-duplicated by id (an item
//!   can shift onto the next page while the walk runs).
//! - **IPs:** a Droplet in status `new` has an empty `networks.v4`; `ipv4` stays `None` until a
//!   `public` address appears.
//! - **Projects:** Droplets are assigned as `do:droplet:<id>` URNs; the 200 answer lists a status
//!   per resource, which is checked.
//! - **Base URL:** [`DigitalOceanConfig::base_url`], else `HANGAR_DIGITALOCEAN_API_URL`, else
//!   `https://api.digitalocean.com`.

mod firewall;
mod resize;
mod snapshots;
mod wire;

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use futures_util::{StreamExt, TryStreamExt, stream};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::http::lifecycle::{
    create_reconciled, destroy_confirmed, find_created, find_record, wait_for_action,
};
use super::http::{
    Catalogs, ClientOptions, ClientParts, HttpClient, ProviderClient, ProviderConfig, Safety,
    encode_segment,
};
use super::registry::ProviderAbout;
use crate::provider::{
    AccountInfo, CloudProvider, CreateMachine, DnsRecord, DnsRecordSpec, DnsZone, Image, Machine,
    MachineFilter, PowerAction, Project, Projects, ProviderError, ProviderKind, Region, Result,
    Size, SshKey,
};

/// The public API.
pub const DEFAULT_BASE_URL: &str = "https://api.digitalocean.com";
/// Overrides [`DEFAULT_BASE_URL`] when an account sets no base URL.
pub const BASE_URL_ENV: &str = "HANGAR_DIGITALOCEAN_API_URL";
/// Largest page the API allows.
pub const PER_PAGE: u32 = 200;
/// Pages fetched at once after the first.
pub const PAGE_CONCURRENCY: usize = 4;

const KIND: ProviderKind = ProviderKind::DigitalOcean;

/// Configuration of one DigitalOcean account: `DigitalOceanConfig::new(token).build()`.
pub type DigitalOceanConfig = ProviderConfig<DigitalOcean>;

impl ProviderClient for DigitalOcean {
    const KIND: ProviderKind = KIND;
    const DEFAULT_BASE_URL: &'static str = DEFAULT_BASE_URL;
    const BASE_URL_ENV: &'static str = BASE_URL_ENV;
    const ABOUT: ProviderAbout = ProviderAbout {
        display_name: "DigitalOcean",
        config_section: "digital-ocean",
        config_key: "access-token",
        access_url: "https://cloud.digitalocean.com/account/api/tokens",
        access_help: "Create a personal access token with read and write scope (API → Tokens).",
        projects: true,
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

/// A DigitalOcean account.
#[derive(Debug)]
pub struct DigitalOcean {
    http: HttpClient,
    options: ClientOptions,
    catalogs: Catalogs,
}

impl DigitalOcean {
    /// Every item under `key` of the paginated list at `path`.
    async fn list_all<T: DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<T>> {
        let page_query = |page: u64| {
            let mut q: Vec<(&str, String)> = query.to_vec();
            q.push(("page", page.to_string()));
            q.push(("per_page", PER_PAGE.to_string()));
            q
        };
        let first: Value = self.http.get_json(path, &page_query(1)).await?;
        let (mut items, total, has_next) = self.split_page::<T>(path, key, first)?;
        if has_next {
            let pages = total.div_ceil(u64::from(PER_PAGE));
            let rest: Vec<Vec<T>> = stream::iter(2..=pages)
                .map(|page| {
                    let q = page_query(page);
                    async move {
                        let v: Value = self.http.get_json(path, &q).await?;
                        self.split_page::<T>(path, key, v)
                            .map(|(items, _, _)| items)
                    }
                })
                .buffered(PAGE_CONCURRENCY)
                .try_collect()
                .await?;
            items.extend(rest.into_iter().flatten());
        }
        Ok(items)
    }

    fn split_page<T: DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
        mut page: Value,
    ) -> Result<(Vec<T>, u64, bool)> {
        let items = page
            .get_mut(key)
            .map(Value::take)
            .ok_or_else(|| self.decode_error(path, format!("no `{key}` in the answer")))?;
        let items: Vec<T> =
            serde_json::from_value(items).map_err(|e| self.decode_error(path, e.to_string()))?;
        let total = page
            .get("meta")
            .and_then(|m| m.get("total"))
            .and_then(Value::as_u64)
            .unwrap_or(items.len() as u64);
        let has_next = page
            .pointer("/links/pages/next")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty());
        Ok((items, total, has_next))
    }

    fn decode_error(&self, path: &str, message: String) -> ProviderError {
        ProviderError::Decode {
            provider: KIND,
            message: format!("{path}: {message}"),
        }
    }

    async fn list_droplets(&self, query: &[(&str, String)]) -> Result<Vec<Machine>> {
        let droplets: Vec<wire::Droplet> = self.list_all("/v2/droplets", "droplets", query).await?;
        let mut seen = HashSet::new();
        Ok(droplets
            .into_iter()
            .filter(|d| seen.insert(d.id))
            .map(Machine::from)
            .collect())
    }

    async fn create_once(&self, request: &CreateMachine) -> Result<Machine> {
        let body = wire::CreateDroplet {
            name: &request.name,
            region: &request.region,
            size: &request.size,
            // A slug or an image id; a snapshot is a private image, passed by its numeric id.
            image: wire::id_or_string(request.image.id()),
            ssh_keys: request
                .ssh_key_ids
                .iter()
                .map(|k| wire::id_or_string(k))
                .collect(),
            tags: &request.tags,
            user_data: request.user_data.as_deref(),
            ipv6: request.ipv6,
        };
        let answer: wire::DropletEnvelope = self
            .http
            .send_json(Method::POST, "/v2/droplets", &body, Safety::CreatesResource)
            .await?;
        Ok(answer.droplet.into())
    }

    /// Runs a Droplet action (`POST /v2/droplets/{id}/actions`) and waits until it completes.
    async fn run_action(&self, id: &str, body: &Value, what: &str) -> Result<()> {
        let path = format!("{}/actions", Self::droplet_path(id)?);
        // Repeating a rename to the same name, or a power action, has the same effect.
        let started: wire::ActionEnvelope = self
            .http
            .send_json(Method::POST, &path, body, Safety::Idempotent)
            .await?;
        let poll_path = format!("/v2/actions/{}", started.action.id);
        wait_for_action(KIND, id, what, &self.options.actions, || async {
            let now: wire::ActionEnvelope = self.http.get_json(&poll_path, &[]).await?;
            Ok(now.action.state())
        })
        .await
    }

    /// Creates the tag `name` (a no-op when it exists: the API answers 201 either way).
    async fn ensure_tag(&self, name: &str) -> Result<()> {
        self.http
            .send_no_content(
                Method::POST,
                "/v2/tags",
                Some(&json!({ "name": name })),
                Safety::Idempotent,
            )
            .await
            .map(drop)
    }

    fn droplet_id(id: &str) -> Result<u64> {
        id.parse::<u64>().map_err(|_| ProviderError::Validation {
            provider: KIND,
            message: format!("`{id}` is not a Droplet id"),
        })
    }

    fn droplet_path(id: &str) -> Result<String> {
        // Ids are integers; refusing anything else keeps stray input out of the URL path.
        id.parse::<u64>()
            .map(|n| format!("/v2/droplets/{n}"))
            .map_err(|_| ProviderError::Validation {
                provider: KIND,
                message: format!("`{id}` is not a Droplet id"),
            })
    }
}

fn record_path(zone: &str, id: Option<&str>) -> String {
    let zone = encode_segment(zone);
    match id {
        Some(id) => format!("/v2/domains/{zone}/records/{}", encode_segment(id)),
        None => format!("/v2/domains/{zone}/records"),
    }
}

#[async_trait]
impl CloudProvider for DigitalOcean {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    fn status_proxy(&self) -> Option<&str> {
        self.options.status_proxy.as_deref()
    }

    async fn account(&self) -> Result<AccountInfo> {
        let a: wire::AccountEnvelope = self.http.get_json("/v2/account", &[]).await?;
        Ok(a.account.into())
    }

    async fn create_machine(&self, request: &CreateMachine) -> Result<Machine> {
        let by_name = [("name", request.name.clone())];
        create_reconciled(
            self.http.policy(),
            || self.create_once(request),
            || async { Ok(find_created(self.list_droplets(&by_name).await?, request)) },
        )
        .await
    }

    async fn get_machine(&self, id: &str) -> Result<Machine> {
        let d: wire::DropletEnvelope = self.http.get_json(&Self::droplet_path(id)?, &[]).await?;
        Ok(d.droplet.into())
    }

    async fn list_machines(&self, filter: &MachineFilter) -> Result<Vec<Machine>> {
        let query: Vec<(&str, String)> =
            filter.tag.iter().map(|t| ("tag_name", t.clone())).collect();
        self.list_droplets(&query).await
    }

    async fn destroy_machine(&self, id: &str) -> Result<()> {
        let path = Self::droplet_path(id)?;
        destroy_confirmed(
            KIND,
            id,
            &self.options.destroy,
            || async {
                self.http
                    .send_no_content::<Value>(Method::DELETE, &path, None, Safety::Idempotent)
                    .await
                    .map(drop)
            },
            || self.http.exists(&path),
        )
        .await
    }

    async fn power(&self, id: &str, action: PowerAction) -> Result<()> {
        let kind = match action {
            PowerAction::PowerOn => "power_on",
            PowerAction::PowerOff => "power_off",
            PowerAction::Reboot => "reboot",
        };
        let path = format!("{}/actions", Self::droplet_path(id)?);
        self.http
            .send_no_content(
                Method::POST,
                &path,
                Some(&json!({ "type": kind })),
                Safety::Idempotent,
            )
            .await
            .map(drop)
    }

    async fn rename_machine(&self, id: &str, name: &str) -> Result<()> {
        let body = json!({ "type": "rename", "name": name });
        self.run_action(id, &body, "rename").await
    }

    async fn retag_machine(&self, id: &str, add: &[String], remove: &[String]) -> Result<()> {
        let droplet = wire::TagResources::droplet(Self::droplet_id(id)?);
        // A tag must exist before a Droplet can carry it; each change is its own request.
        for tag in add {
            self.ensure_tag(tag).await?;
            let path = format!("/v2/tags/{}/resources", encode_segment(tag));
            self.http
                .send_no_content(Method::POST, &path, Some(&droplet), Safety::Idempotent)
                .await?;
        }
        for tag in remove {
            let path = format!("/v2/tags/{}/resources", encode_segment(tag));
            match self
                .http
                .send_no_content(Method::DELETE, &path, Some(&droplet), Safety::Idempotent)
                .await
            {
                // A tag that no longer exists is not on the Droplet either.
                Err(e) if e.is_not_found() => {}
                other => drop(other?),
            }
        }
        Ok(())
    }

    async fn list_ssh_keys(&self) -> Result<Vec<SshKey>> {
        let keys: Vec<wire::SshKeyWire> =
            self.list_all("/v2/account/keys", "ssh_keys", &[]).await?;
        Ok(keys.into_iter().map(SshKey::from).collect())
    }

    async fn list_zones(&self) -> Result<Vec<DnsZone>> {
        let domains: Vec<wire::DomainWire> = self.list_all("/v2/domains", "domains", &[]).await?;
        Ok(domains.into_iter().map(DnsZone::from).collect())
    }

    async fn list_records(&self, zone: &str) -> Result<Vec<DnsRecord>> {
        let records: Vec<wire::RecordWire> = self
            .list_all(&record_path(zone, None), "domain_records", &[])
            .await?;
        Ok(records.into_iter().map(DnsRecord::from).collect())
    }

    async fn create_record(&self, zone: &str, record: &DnsRecordSpec) -> Result<DnsRecord> {
        let body = wire::RecordWire::from(record);
        let path = record_path(zone, None);
        create_reconciled(
            self.http.policy(),
            || async {
                let answer: wire::RecordEnvelope = self
                    .http
                    .send_json(Method::POST, &path, &body, Safety::CreatesResource)
                    .await?;
                Ok(DnsRecord::from(answer.domain_record))
            },
            || async { Ok(find_record(self.list_records(zone).await?, record)) },
        )
        .await
    }

    async fn update_record(
        &self,
        zone: &str,
        id: &str,
        record: &DnsRecordSpec,
    ) -> Result<DnsRecord> {
        let answer: wire::RecordEnvelope = self
            .http
            .send_json(
                Method::PUT,
                &record_path(zone, Some(id)),
                &wire::RecordWire::from(record),
                Safety::Idempotent,
            )
            .await?;
        Ok(answer.domain_record.into())
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
                let r: Vec<wire::RegionWire> = self.list_all("/v2/regions", "regions", &[]).await?;
                Ok(r.into_iter().map(Region::from).collect())
            })
            .await
    }

    async fn sizes(&self) -> Result<Arc<Vec<Size>>> {
        self.catalogs
            .sizes
            .get_or_fetch(|| async {
                let s: Vec<wire::SizeWire> = self.list_all("/v2/sizes", "sizes", &[]).await?;
                Ok(s.into_iter()
                    .filter(|s| s.available)
                    .map(Size::from)
                    .collect())
            })
            .await
    }

    async fn images(&self) -> Result<Arc<Vec<Image>>> {
        self.catalogs
            .images
            .get_or_fetch(|| async {
                let i: Vec<wire::ImageWire> = self
                    .list_all("/v2/images", "images", &[("type", "distribution".into())])
                    .await?;
                Ok(i.into_iter().map(Image::from).collect())
            })
            .await
    }

    fn projects(&self) -> Option<&dyn Projects> {
        Some(self)
    }

    fn firewall(&self) -> Option<&dyn crate::provider::FirewallAccess> {
        Some(self)
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

#[async_trait]
impl Projects for DigitalOcean {
    async fn list_projects(&self) -> Result<Vec<Project>> {
        let p: Vec<wire::ProjectWire> = self.list_all("/v2/projects", "projects", &[]).await?;
        Ok(p.into_iter().map(Project::from).collect())
    }

    async fn assign_machine(&self, project_id: &str, machine_id: &str) -> Result<()> {
        let id: u64 = machine_id.parse().map_err(|_| ProviderError::Validation {
            provider: KIND,
            message: format!("`{machine_id}` is not a Droplet id"),
        })?;
        let urn = format!("do:droplet:{id}");
        let path = format!("/v2/projects/{}/resources", encode_segment(project_id));
        let answer: wire::AssignedResources = self
            .http
            .send_json(
                Method::POST,
                &path,
                &json!({ "resources": [urn] }),
                Safety::Idempotent,
            )
            .await?;
        let status = answer
            .resources
            .iter()
            .find(|r| r.urn == urn)
            .map(|r| r.status.as_deref().unwrap_or("ok"));
        match status {
            Some("ok" | "assigned" | "already_assigned") => Ok(()),
            Some(other) => Err(ProviderError::Provider {
                provider: KIND,
                status: 200,
                message: format!("assigning {urn} to project {project_id} failed: {other}"),
            }),
            None => Err(ProviderError::Provider {
                provider: KIND,
                status: 200,
                message: format!("project {project_id} did not list {urn} after assigning it"),
            }),
        }
    }
}

#[cfg(test)]
mod tests;
