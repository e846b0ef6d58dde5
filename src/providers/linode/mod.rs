//! Linode (Akamai) API v4 client.
//!
//! - **Auth:** `Authorization: Bearer <personal access token>`.
//! - **Pagination:** `page`/`page_size=500` (the largest the API allows); the answer is
//!   `{data[], page, pages, results}`. After page 1, pages 2..`pages` are fetched concurrently
//!   ([`PAGE_CONCURRENCY`] at a time), concatenated in page order and de-duplicated by id.
//!   GET `/regions` and `/linode/types` declare no page parameters, so none is sent on their
//!   first page.
//! - **List by tag:** the tag goes to the server as `X-Filter: {"tags": "<tag>"}` (`tags` is
//!   filterable); the spec does not say how an array field is matched, so the answer is
//!   filtered again here.
//! - **Create:** answers 200 with the Linode at once. It is **not idempotent**: it is sent with
//!   [`Safety::CreatesResource`], so the HTTP layer never repeats it after a 5xx or a timeout.
//!   After such an ambiguous failure the Linode is looked up by its exact label (`X-Filter`)
//!   and adopted if it exists; only when that lookup answers and finds nothing is the create
//!   sent again, as for the other providers
//!   ([`create_reconciled`](super::http::lifecycle::create_reconciled)). A fresh random
//!   `root_pass` is generated for every attempt (the API requires one when deploying an
//!   image, even with SSH keys); it is never logged and is scrubbed from any error.
//! - **Busy Linodes:** right after a create, and while any action runs, boot, shutdown,
//!   reboot, delete, update, rebuild and resize can be refused with 400 "Linode busy"; those
//!   are retried with backoff ([`is_busy`], [`DestroyPolicy::locked_retries`]).
//! - **Delete:** 200 `{}`, then the Linode is polled until it answers 404; see
//!   [`destroy_confirmed`](super::http::lifecycle::destroy_confirmed).
//! - **DNS:** records are addressed by the domain's integer id. The name→id map is cached from
//!   the last domain list; a zone that is not in it is looked up with one domain list, and a
//!   404 on a cached id refreshes it once.
//! - **Snapshots:** none. Linode's closest equivalents are the Backup service's single manual
//!   "snapshot" slot (POST `/linode/instances/{linodeId}/backups`, only with the paid Backups
//!   add-on, restored onto a Linode rather than deployed as an image) and private Images
//!   captured from one disk (POST `/images` with `disk_id`). Neither is a machine snapshot
//!   in the DigitalOcean/Vultr sense, so [`CloudProvider::snapshots`] is `None`.
//! - **Projects:** Linode has none; [`CloudProvider::projects`] is `None`.
//! - **Base URL:** [`LinodeConfig::base_url`], else `HANGAR_LINODE_API_URL`, else
//!   `https://api.linode.com/v4` (it includes `/v4`; paths do not repeat it).

mod firewall;
mod rebuild;
mod resize;
mod wire;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use backon::Retryable;
use base64::Engine;
use futures_util::{StreamExt, TryStreamExt, stream};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
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
    AccountInfo, CloudProvider, CreateMachine, DnsRecord, DnsRecordSpec, DnsRecordType, DnsZone,
    Image, ImageRef, Machine, MachineFilter, PowerAction, ProviderError, ProviderKind, Region,
    Result, Size, SshKey,
};

/// The public API, including the version prefix.
pub const DEFAULT_BASE_URL: &str = "https://api.linode.com/v4";
/// Overrides [`DEFAULT_BASE_URL`] when an account sets no base URL.
pub const BASE_URL_ENV: &str = "HANGAR_LINODE_API_URL";
/// Largest page the API allows (`#/components/parameters/pageSize`: 25 to 500).
pub const PAGE_SIZE: u32 = 500;
/// Pages fetched at once after the first.
pub const PAGE_CONCURRENCY: usize = 4;
/// Shortest and longest tag (`POST /tags` `label`: 3 to 50 characters, applied to the tags of
/// a create body too).
pub const TAG_LEN: std::ops::RangeInclusive<usize> = 3..=50;
/// Shortest and longest Linode label (`#/components/schemas/Linode/properties/label`).
pub const LABEL_LEN: std::ops::RangeInclusive<usize> = 3..=64;
/// Length of the generated root password (the API allows 7 to 128).
const ROOT_PASS_LEN: usize = 32;

const KIND: ProviderKind = ProviderKind::Linode;

/// Configuration of one Linode account: `LinodeConfig::new(token).build()`.
pub type LinodeConfig = ProviderConfig<Linode>;

impl ProviderClient for Linode {
    const KIND: ProviderKind = KIND;
    const DEFAULT_BASE_URL: &'static str = DEFAULT_BASE_URL;
    const BASE_URL_ENV: &'static str = BASE_URL_ENV;
    const ABOUT: ProviderAbout = ProviderAbout {
        display_name: "Linode",
        config_section: "linode",
        config_key: "access-token",
        access_url: "https://cloud.linode.com/profile/tokens",
        access_help: "Create a personal access token with read/write access to Linodes, Domains and Firewalls (Profile → API Tokens).",
        projects: false,
        dns_caa_flags: false,
    };

    fn from_parts(parts: ClientParts) -> Self {
        Self {
            http: parts.http,
            options: parts.options,
            catalogs: parts.catalogs,
            zones: Mutex::new(HashMap::new()),
            domains_listed: tokio::sync::Mutex::new(None),
            key_texts: Mutex::new(HashMap::new()),
            region_capabilities: Mutex::new(HashMap::new()),
        }
    }
}

/// A Linode account.
#[derive(Debug)]
pub struct Linode {
    http: HttpClient,
    options: ClientOptions,
    catalogs: Catalogs,
    /// Domain name (lower case, no trailing dot) → domain id, from the last domain list.
    zones: Mutex<HashMap<String, i64>>,
    /// The last domain list and when it was answered. Held while a list is fetched, so calls
    /// that need it at the same time (the zones of a pre-flight and a record list's domain id)
    /// share one request.
    domains_listed: tokio::sync::Mutex<Option<(std::time::Instant, Vec<wire::DomainWire>)>>,
    /// Profile key id → public key, from every key list. A key's text never changes (PUT
    /// changes only its label), so a create finds the keys pre-flight listed without asking.
    key_texts: Mutex<HashMap<String, String>>,
    /// Region id → its `capabilities`, from the last region list.
    region_capabilities: Mutex<HashMap<String, Vec<String>>>,
}

/// True for Linode's "busy" refusal (400 `Linode busy.`), given while an action such as the
/// provisioning that follows a create is still running.
pub fn is_busy(error: &ProviderError) -> bool {
    match error {
        ProviderError::Validation { message, .. } => message.to_ascii_lowercase().contains("busy"),
        _ => false,
    }
}

/// A Linode label, checked against the rules in the spec's description: 3 to 64 characters,
/// only letters, digits, `-`, `_` and `.`, beginning and ending with a letter or digit, and no
/// `--`, `__` or `..`.
///
/// The schema's own `pattern`, `^[a-zA-Z]((?!--|__|..)[a-zA-Z0-9-_.])+$`, is broken: its
/// unescaped `..` matches any two characters, so the pattern accepts only two-character labels
/// (while `minLength` is 3) and would reject every real label; it also demands a leading
/// letter where the description says alphanumeric. The description is what is enforced here.
pub fn validate_label(label: &str) -> std::result::Result<(), String> {
    let alnum_ends = label.starts_with(|c: char| c.is_ascii_alphanumeric())
        && label.ends_with(|c: char| c.is_ascii_alphanumeric());
    let charset = label
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    let doubled = ["--", "__", ".."].iter().any(|d| label.contains(d));
    if LABEL_LEN.contains(&label.len()) && alnum_ends && charset && !doubled {
        Ok(())
    } else {
        Err(format!(
            "`{label}` is not a valid Linode label: use 3 to 64 letters, digits, `-`, `_` or \
             `.`, beginning and ending with a letter or digit, with no `--`, `__` or `..`"
        ))
    }
}

/// A tag Linode accepts: 3 to 50 characters.
pub fn validate_tag(tag: &str) -> std::result::Result<(), String> {
    let len = tag.chars().count();
    if TAG_LEN.contains(&len) {
        Ok(())
    } else {
        Err(format!(
            "tag `{tag}` has {len} characters; Linode tags have 3 to 50"
        ))
    }
}

fn refused(message: String) -> ProviderError {
    ProviderError::Validation {
        provider: KIND,
        message,
    }
}

/// A strong random root password: [`ROOT_PASS_LEN`] characters from 64 symbols (letters,
/// digits, `-`, `_`), 192 bits, with at least one upper-case letter, one lower-case letter and
/// one digit. The randomness is the operating system's, through the v4 UUIDs (`getrandom`);
/// only their 14 fully random bytes are used.
pub fn root_password() -> SecretString {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    loop {
        let mut out = String::with_capacity(ROOT_PASS_LEN);
        while out.len() < ROOT_PASS_LEN {
            let bytes = uuid::Uuid::new_v4().into_bytes();
            // Byte 6 carries the version and byte 8 the variant: not random.
            for (i, b) in bytes.iter().enumerate() {
                if i != 6 && i != 8 && out.len() < ROOT_PASS_LEN {
                    out.push(ALPHABET[usize::from(b & 63)] as char);
                }
            }
        }
        let has = |f: fn(&u8) -> bool| out.as_bytes().iter().any(f);
        if has(u8::is_ascii_uppercase) && has(u8::is_ascii_lowercase) && has(u8::is_ascii_digit) {
            return SecretString::from(out);
        }
    }
}

/// `error` with every occurrence of `secret` in its message replaced by `[REDACTED]`.
fn scrub(error: ProviderError, secret: &str) -> ProviderError {
    let clean = |m: String| m.replace(secret, "[REDACTED]");
    match error {
        ProviderError::Auth {
            provider,
            status,
            message,
        } => ProviderError::Auth {
            provider,
            status,
            message: clean(message),
        },
        ProviderError::NotFound {
            provider,
            what,
            message,
        } => ProviderError::NotFound {
            provider,
            what,
            message: clean(message),
        },
        ProviderError::Validation { provider, message } => ProviderError::Validation {
            provider,
            message: clean(message),
        },
        ProviderError::Provider {
            provider,
            status,
            message,
        } => ProviderError::Provider {
            provider,
            status,
            message: clean(message),
        },
        ProviderError::Network { provider, message } => ProviderError::Network {
            provider,
            message: clean(message),
        },
        ProviderError::Decode { provider, message } => ProviderError::Decode {
            provider,
            message: clean(message),
        },
        other => other,
    }
}

/// `filter` as an `X-Filter` header value: JSON with every non-ASCII character escaped
/// (`\uXXXX`), since a header value is ASCII.
fn filter_header(filter: &Value) -> String {
    let json = filter.to_string();
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

fn normalize_zone(zone: &str) -> String {
    zone.trim().trim_end_matches('.').to_ascii_lowercase()
}

impl Linode {
    /// Every item of the paginated list at `path`. `filter` goes in the `X-Filter` header;
    /// `page_size` is sent when the operation declares it.
    async fn list_all<T: DeserializeOwned>(
        &self,
        path: &str,
        filter: Option<&Value>,
        page_size: Option<u32>,
    ) -> Result<Vec<T>> {
        let headers: Vec<(&str, String)> = filter
            .map(|f| vec![("X-Filter", filter_header(f))])
            .unwrap_or_default();
        let page_query = |page: u64| {
            let mut q: Vec<(&str, String)> = Vec::new();
            if page > 1 || page_size.is_some() {
                q.push(("page", page.to_string()));
            }
            if let Some(size) = page_size {
                q.push(("page_size", size.to_string()));
            }
            q
        };
        let first: wire::Page<T> = self
            .http
            .get_json_with_headers(path, &page_query(1), &headers)
            .await?;
        let pages = first.pages;
        let mut items = first.data;
        if pages > 1 {
            let rest: Vec<Vec<T>> = stream::iter(2..=pages)
                .map(|page| {
                    let (q, headers) = (page_query(page), &headers);
                    async move {
                        let p: wire::Page<T> =
                            self.http.get_json_with_headers(path, &q, headers).await?;
                        Ok::<_, ProviderError>(p.data)
                    }
                })
                .buffered(PAGE_CONCURRENCY)
                .try_collect()
                .await?;
            items.extend(rest.into_iter().flatten());
        }
        Ok(items)
    }

    async fn list_linodes(&self, filter: Option<&Value>) -> Result<Vec<Machine>> {
        let linodes: Vec<wire::LinodeWire> = self
            .list_all("/linode/instances", filter, Some(PAGE_SIZE))
            .await?;
        let mut seen = HashSet::new();
        Ok(linodes
            .into_iter()
            .filter(|l| seen.insert(l.id))
            .map(Machine::from)
            .collect())
    }

    fn linode_path(id: &str) -> String {
        format!("/linode/instances/{}", encode_segment(id))
    }

    /// `op`, retried with backoff while Linode answers "busy".
    async fn unbusy<T, F, Fut>(&self, op: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let policy: &DestroyPolicy = &self.options.destroy;
        op.retry(
            backon::ExponentialBuilder::default()
                .with_jitter()
                .with_min_delay(policy.locked_delay)
                .with_max_delay(policy.locked_delay * 16)
                .with_max_times(policy.locked_retries),
        )
        .when(is_busy)
        .await
    }

    /// POST `body` to `/linode/instances/{id}/<verb>` (a rebuild, a resize), retried while the
    /// Linode is busy.
    async fn post_action(&self, id: &str, verb: &str, body: &Value) -> Result<Value> {
        let path = format!("{}/{verb}", Self::linode_path(id));
        self.unbusy(|| {
            self.http
                .send_json(Method::POST, &path, body, Safety::Idempotent)
        })
        .await
    }

    /// PUT `body` on the Linode (label, tags), retried while it is busy.
    async fn update_linode(&self, id: &str, body: &Value) -> Result<()> {
        let path = Self::linode_path(id);
        let _: Value = self
            .unbusy(|| {
                self.http
                    .send_json(Method::PUT, &path, body, Safety::Idempotent)
            })
            .await?;
        Ok(())
    }

    /// The public keys of the profile keys `ids` (Linode takes key text, not key ids).
    async fn public_keys(&self, ids: &[String]) -> Result<Vec<String>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let known = |ids: &[String]| -> Option<Vec<String>> {
            let texts = self.key_texts.lock().expect("key cache lock");
            ids.iter().map(|id| texts.get(id).cloned()).collect()
        };
        if let Some(texts) = known(ids) {
            return Ok(texts);
        }
        let keys = self.list_ssh_keys().await?;
        ids.iter()
            .map(|id| {
                keys.iter()
                    .find(|k| &k.id == id)
                    .map(|k| k.public_key.clone())
                    .ok_or_else(|| {
                        refused(format!(
                            "SSH key {id} is not in this account's Linode profile"
                        ))
                    })
            })
            .collect()
    }

    async fn create_once(
        &self,
        request: &CreateMachine,
        image: &str,
        authorized_keys: &[String],
        user_data: Option<&str>,
    ) -> Result<Machine> {
        let root_pass = root_password();
        let body = wire::CreateLinode {
            plan: &request.size,
            region: &request.region,
            image,
            label: &request.name,
            tags: &request.tags,
            root_pass: wire::RootPass(root_pass.clone()),
            authorized_keys: authorized_keys.to_vec(),
            booted: true,
            // The vendored spec (4.151.1) has no `metadata.user_data` (README, "No user data in
            // this version" and "Where the specs disagree"); newer versions of the API take
            // cloud-init user data there, base64-encoded, and Hangar follows them.
            metadata: user_data.map(|u| wire::MetadataWire {
                user_data: base64::engine::general_purpose::STANDARD.encode(u),
            }),
        };
        let created: Result<wire::LinodeWire> = self
            .http
            .send_json(
                Method::POST,
                "/linode/instances",
                &body,
                Safety::CreatesResource,
            )
            .await;
        created
            .map(Machine::from)
            .map_err(|e| scrub(e, root_pass.expose_secret()))
    }

    /// User data needs the region's `Metadata` capability (README: a client that sends
    /// `metadata.user_data` "should check `Region.capabilities`"). Refused here only when the
    /// region list names the region and its capabilities lack `Metadata`; when the list cannot
    /// be read, the API decides.
    async fn check_metadata_region(&self, region: &str) -> Result<()> {
        if self.regions().await.is_err() {
            return Ok(());
        }
        let capabilities = self.region_capabilities.lock().expect("region lock");
        match capabilities.get(region) {
            Some(c) if !c.is_empty() && !c.iter().any(|c| c == "Metadata") => {
                Err(refused(format!(
                    "Linode region {region} does not offer Metadata, so it cannot pass cloud-init \
                 user data to the machine; pick a region that does"
                )))
            }
            _ => Ok(()),
        }
    }

    /// Every domain; refreshes the name→id cache.
    async fn list_domains(&self) -> Result<Vec<wire::DomainWire>> {
        let asked = std::time::Instant::now();
        let mut last = self.domains_listed.lock().await;
        if let Some((answered, domains)) = last.as_ref()
            && *answered >= asked
        {
            // Answered while this call waited for it.
            return Ok(domains.clone());
        }
        let domains: Vec<wire::DomainWire> =
            self.list_all("/domains", None, Some(PAGE_SIZE)).await?;
        *last = Some((std::time::Instant::now(), domains.clone()));
        let map = domains
            .iter()
            .map(|d| (normalize_zone(&d.domain), d.id))
            .collect();
        *self.zones.lock().expect("zone cache lock") = map;
        Ok(domains)
    }

    /// The domain id of `zone`, and whether it came from the cache.
    async fn zone_id(&self, zone: &str) -> Result<(i64, bool)> {
        let key = normalize_zone(zone);
        if let Some(id) = self.zones.lock().expect("zone cache lock").get(&key) {
            return Ok((*id, true));
        }
        self.list_domains().await?;
        match self.zones.lock().expect("zone cache lock").get(&key) {
            Some(id) => Ok((*id, false)),
            None => Err(ProviderError::NotFound {
                provider: KIND,
                what: format!("DNS zone {zone}"),
                message: "no domain of that name on this account".into(),
            }),
        }
    }

    /// `op` on the domain id of `zone`. A 404 on a cached id (the domain was deleted and made
    /// again) refreshes the cache, and `op` runs again if the id changed.
    async fn with_zone<T, F, Fut>(&self, zone: &str, op: F) -> Result<T>
    where
        F: Fn(i64) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let (id, cached) = self.zone_id(zone).await?;
        match op(id).await {
            Err(e) if e.is_not_found() && cached => {
                self.zones
                    .lock()
                    .expect("zone cache lock")
                    .remove(&normalize_zone(zone));
                match self.zone_id(zone).await {
                    Ok((fresh, _)) if fresh != id => op(fresh).await,
                    _ => Err(e),
                }
            }
            other => other,
        }
    }

    async fn records_of(&self, domain_id: i64, zone: &str) -> Result<Vec<DnsRecord>> {
        let records: Vec<wire::RecordWire> = self
            .list_all(&record_path(domain_id, None), None, Some(PAGE_SIZE))
            .await?;
        Ok(records
            .into_iter()
            .map(|r| wire::record_from_wire(r, zone))
            .collect())
    }
}

fn record_path(domain_id: i64, id: Option<&str>) -> String {
    match id {
        Some(id) => format!("/domains/{domain_id}/records/{}", encode_segment(id)),
        None => format!("/domains/{domain_id}/records"),
    }
}

/// What Linode cannot store of `spec`, refused before sending.
fn check_record(spec: &DnsRecordSpec) -> Result<()> {
    match spec.record_type {
        DnsRecordType::SRV if wire::srv_parts(&spec.name).is_none() => Err(refused(format!(
            "an SRV record on Linode is named `_service._protocol` (such as `_sip._tcp`), not \
             `{}`",
            spec.name
        ))),
        DnsRecordType::CAA if spec.flags.is_some_and(|f| f != 0) => Err(refused(
            "Linode's CAA records have no flags: only flags 0 can be stored".into(),
        )),
        _ => Ok(()),
    }
}

#[async_trait]
impl CloudProvider for Linode {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    fn status_proxy(&self) -> Option<&str> {
        self.options.status_proxy.as_deref()
    }

    /// GET `/profile` "is always accessible, no matter what OAuth scopes the acting token has".
    async fn account(&self) -> Result<AccountInfo> {
        let p: wire::ProfileWire = self.http.get_json("/profile", &[]).await?;
        Ok(p.into())
    }

    async fn create_machine(&self, request: &CreateMachine) -> Result<Machine> {
        validate_label(&request.name).map_err(refused)?;
        for tag in &request.tags {
            validate_tag(tag).map_err(refused)?;
        }
        let image = match &request.image {
            ImageRef::Image(image) if !image.trim().is_empty() => image.trim(),
            ImageRef::Image(_) => return Err(refused("no image given to install".into())),
            ImageRef::Snapshot(_) => {
                return Err(ProviderError::Unsupported {
                    provider: KIND,
                    capability: "creating a machine from a snapshot".into(),
                });
            }
        };
        let user_data = request.user_data.as_deref();
        if user_data.is_some() {
            self.check_metadata_region(&request.region).await?;
        }
        let authorized_keys = self.public_keys(&request.ssh_key_ids).await?;
        // A Linode create is not idempotent: the HTTP layer never repeats it after a 5xx or a
        // timeout (`Safety::CreatesResource`). After such an ambiguous failure the Linode is
        // looked up by its exact label (`X-Filter`) and adopted if it exists; the create is
        // sent again only when that lookup answers and finds nothing, and never when the lookup
        // fails. Each attempt has a fresh root password.
        let by_label = json!({ "label": request.name });
        create_reconciled(
            self.http.policy(),
            || self.create_once(request, image, &authorized_keys, user_data),
            || async {
                Ok(find_created(
                    self.list_linodes(Some(&by_label)).await?,
                    request,
                ))
            },
        )
        .await
    }

    async fn get_machine(&self, id: &str) -> Result<Machine> {
        let l: wire::LinodeWire = self.http.get_json(&Self::linode_path(id), &[]).await?;
        Ok(l.into())
    }

    async fn list_machines(&self, filter: &MachineFilter) -> Result<Vec<Machine>> {
        match &filter.tag {
            Some(tag) => {
                let by_tag = json!({ "tags": tag });
                let tagged = self.list_linodes(Some(&by_tag)).await?;
                Ok(tagged
                    .into_iter()
                    .filter(|m| m.tags.contains(tag))
                    .collect())
            }
            None => self.list_linodes(None).await,
        }
    }

    async fn destroy_machine(&self, id: &str) -> Result<()> {
        let path = Self::linode_path(id);
        let policy = &self.options.destroy;
        destroy_confirmed(
            KIND,
            id,
            policy,
            || async {
                self.unbusy(|| async {
                    self.http
                        .send_no_content::<Value>(Method::DELETE, &path, None, Safety::Idempotent)
                        .await
                        .map(drop)
                })
                .await
            },
            || self.http.exists(&path),
        )
        .await
    }

    async fn power(&self, id: &str, action: PowerAction) -> Result<()> {
        let verb = match action {
            PowerAction::PowerOn => "boot",
            PowerAction::PowerOff => "shutdown",
            PowerAction::Reboot => "reboot",
        };
        // Shutdown takes no body, boot and reboot an optional `config_id`: none is sent.
        let path = format!("{}/{verb}", Self::linode_path(id));
        self.unbusy(|| async {
            self.http
                .send_no_content::<Value>(Method::POST, &path, None, Safety::Idempotent)
                .await
                .map(drop)
        })
        .await
    }

    async fn rename_machine(&self, id: &str, name: &str) -> Result<()> {
        validate_label(name).map_err(refused)?;
        self.update_linode(id, &json!({ "label": name })).await
    }

    async fn retag_machine(&self, id: &str, add: &[String], remove: &[String]) -> Result<()> {
        for tag in add {
            validate_tag(tag).map_err(refused)?;
        }
        // PUT replaces the whole list, so read it first and keep the other tags.
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
        self.update_linode(id, &json!({ "tags": tags })).await
    }

    async fn list_ssh_keys(&self) -> Result<Vec<SshKey>> {
        let keys: Vec<wire::SshKeyWire> = self
            .list_all("/profile/sshkeys", None, Some(PAGE_SIZE))
            .await?;
        let keys: Vec<SshKey> = keys.into_iter().map(SshKey::from).collect();
        self.key_texts
            .lock()
            .expect("key cache lock")
            .extend(keys.iter().map(|k| (k.id.clone(), k.public_key.clone())));
        Ok(keys)
    }

    async fn list_zones(&self) -> Result<Vec<DnsZone>> {
        Ok(self
            .list_domains()
            .await?
            .into_iter()
            .map(|d| DnsZone { name: d.domain })
            .collect())
    }

    async fn list_records(&self, zone: &str) -> Result<Vec<DnsRecord>> {
        self.with_zone(zone, |domain| self.records_of(domain, zone))
            .await
    }

    async fn create_record(&self, zone: &str, record: &DnsRecordSpec) -> Result<DnsRecord> {
        check_record(record)?;
        let body = wire::body_from_spec(record, true);
        self.with_zone(zone, |domain| {
            let (path, body) = (record_path(domain, None), &body);
            async move {
                create_reconciled(
                    self.http.policy(),
                    || async {
                        let r: wire::RecordWire = self
                            .http
                            .send_json(Method::POST, &path, body, Safety::CreatesResource)
                            .await?;
                        Ok(wire::record_from_wire(r, zone))
                    },
                    || async { Ok(find_record(self.records_of(domain, zone).await?, record)) },
                )
                .await
            }
        })
        .await
    }

    async fn update_record(
        &self,
        zone: &str,
        id: &str,
        record: &DnsRecordSpec,
    ) -> Result<DnsRecord> {
        check_record(record)?;
        let body = wire::body_from_spec(record, false);
        self.with_zone(zone, |domain| {
            let (path, body) = (record_path(domain, Some(id)), &body);
            async move {
                let r: wire::RecordWire = self
                    .http
                    .send_json(Method::PUT, &path, body, Safety::Idempotent)
                    .await?;
                Ok(wire::record_from_wire(r, zone))
            }
        })
        .await
    }

    async fn delete_record(&self, zone: &str, id: &str) -> Result<()> {
        self.with_zone(zone, |domain| {
            let path = record_path(domain, Some(id));
            async move {
                self.http
                    .send_no_content::<Value>(Method::DELETE, &path, None, Safety::Idempotent)
                    .await
                    .map(drop)
            }
        })
        .await
    }

    async fn regions(&self) -> Result<Arc<Vec<Region>>> {
        self.catalogs
            .regions
            .get_or_fetch(|| async {
                let r: Vec<wire::RegionWire> = self.list_all("/regions", None, None).await?;
                *self.region_capabilities.lock().expect("region lock") = r
                    .iter()
                    .map(|r| (r.id.clone(), r.capabilities.clone()))
                    .collect();
                Ok(r.into_iter().map(Region::from).collect())
            })
            .await
    }

    /// Linode offers every type in every region: each size lists every region that takes
    /// Linodes now.
    async fn sizes(&self) -> Result<Arc<Vec<Size>>> {
        self.catalogs
            .sizes
            .get_or_fetch(|| async {
                let (regions, types) = tokio::join!(
                    self.regions(),
                    self.list_all::<wire::TypeWire>("/linode/types", None, None)
                );
                let regions: Vec<String> = regions?
                    .iter()
                    .filter(|r| r.available)
                    .map(|r| r.slug.clone())
                    .collect();
                Ok(types?
                    .into_iter()
                    .map(|t| wire::size_from_wire(t, &regions))
                    .collect())
            })
            .await
    }

    /// Public distribution images (`linode/*`) that are `available` and not deprecated.
    async fn images(&self) -> Result<Arc<Vec<Image>>> {
        self.catalogs
            .images
            .get_or_fetch(|| async {
                let i: Vec<wire::ImageWire> =
                    self.list_all("/images", None, Some(PAGE_SIZE)).await?;
                Ok(i.into_iter()
                    .filter(wire::ImageWire::is_deployable_distribution)
                    .map(Image::from)
                    .collect())
            })
            .await
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
}

#[cfg(test)]
mod tests;
