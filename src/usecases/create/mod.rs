//! Create a machine: pre-flight, create, project, wait for the IP, DNS record.
//!
//! 1. **Pre-flight**, concurrently and before anything is created: SSH keys (one list call),
//!    regions, sizes, images (cached catalogs), DNS zones (when DNS is wanted), projects (when
//!    one is configured), the hostname and the machine type. Every failure is collected and
//!    reported together, each naming the bad value and the valid ones.
//! 2. **Create** with the tags `machine:created`, `machine:type:<t>`, `machine:session:<id>` and
//!    the extra tag, and user-data carrying the public keys of all selected keys.
//! 3. **Project** (DigitalOcean, when configured), **wait for the IPv4** with polling that backs
//!    off from [`PollPolicy::initial`] to [`PollPolicy::max`] under an overall timeout, and
//!    cancellable, then the **DNS A record** `<name>.<zone>` with TTL 300.
//!
//! 4. **Cloud-init** (when asked, [`CreateOptions::cloud_init`], and the machine was set up
//!    from a machine type): the machine's own status check is asked until it says done
//!    ([`cloud_init`]).
//!
//! Once the machine exists, later failures do not lose it: [`create_machine`] returns
//! `Ok(CreateOutcome)` whose [`problems`](CreateOutcome::problems) list what did not happen,
//! next to what exists (machine, IP, record), so the caller can offer clean-up.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio_util::sync::CancellationToken;

mod cloud_init;
pub mod preflight;

pub use cloud_init::{CloudInitResult, CloudInitWait, wait_for_cloud_init};

use super::{CreateProgress as Progress, MachineSummary, ProgressSink, elapsed_ms};
use crate::cloud_init::{UserDataRequest, user_data};
use crate::error::{Error, ErrorKind, Result};
use crate::machine_types::MachineType;
use crate::provider::{
    CloudProvider, CreateMachine, DnsRecordSpec, DnsRecordType, ImageRef, Machine, MachineFilter,
    ProviderError,
};
use crate::session::{CREATED_TAG, MachineTag, SessionId, type_tag};
use crate::usecases::status;

/// TTL of the A record of a new machine.
pub const DNS_TTL: u32 = 300;

/// How to wait for the public IP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollPolicy {
    /// First wait between polls.
    pub initial: Duration,
    /// Longest wait between polls (the wait doubles up to this).
    pub max: Duration,
    /// Give up after this long.
    pub timeout: Duration,
    /// After this many polls in a row fail to reach the API, say it is unreachable.
    pub unreachable_after: u32,
    /// Once the API is unreachable, give up after this long without an answer (shorter than
    /// `timeout`: nothing can be learned while the API is gone).
    pub outage_timeout: Duration,
}

impl Default for PollPolicy {
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(5),
            timeout: Duration::from_secs(300),
            unreachable_after: 3,
            outage_timeout: Duration::from_secs(60),
        }
    }
}

/// What to create.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateOptions {
    pub name: String,
    pub region: String,
    pub size: String,
    /// A catalog image, or one of the account's snapshots (checked to exist, be available and
    /// be offered in the region).
    pub image: ImageRef,
    /// SSH key names as registered with the provider.
    pub ssh_keys: Vec<String>,
    /// The configured DNS zone, if any.
    pub dns_zone: Option<String>,
    /// Create `<name>.<zone>` (needs `wait_for_ip` and a zone).
    pub update_dns: bool,
    /// Project name (DigitalOcean).
    pub project: Option<String>,
    /// Machine type name.
    pub machine_type: Option<String>,
    /// Build user-data from the machine type.
    pub initialize: bool,
    /// One more tag.
    pub extra_tag: Option<String>,
    /// Create even when a machine of this name exists in the account or `name.zone` already
    /// has a record (otherwise refused with [`ErrorKind::Duplicate`]).
    pub allow_duplicate: bool,
    pub wait_for_ip: bool,
    pub poll: PollPolicy,
    /// Wait for cloud-init to finish (only a machine set up from its type has any to wait
    /// for); `None`: do not wait.
    pub cloud_init: Option<CloudInitWait>,
}

/// What a create call needs besides the options: no global state.
#[derive(Debug, Clone, Copy)]
pub struct CreateContext<'a> {
    pub session: &'a SessionId,
    /// Machine types, with `${VAR}` already expanded.
    pub machine_types: &'a BTreeMap<String, MachineType>,
}

/// A DNS record created for the machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CreatedRecord {
    pub zone: String,
    pub fqdn: String,
    pub record_id: String,
}

/// What exists after [`create_machine`], and what did not happen.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CreateOutcome {
    pub machine: MachineSummary,
    /// Public IPv4, when it was assigned before the wait ended.
    pub ip: Option<String>,
    pub dns_record: Option<CreatedRecord>,
    /// The project the machine was assigned to.
    pub project: Option<String>,
    /// Each step that did not happen, with the reason. Empty when everything asked was done.
    pub problems: Vec<Error>,
    /// Whether cloud-init finished, when that was asked.
    pub cloud_init: CloudInitResult,
    /// The create was cancelled before its last step (the cloud-init wait); what exists is
    /// above. Cancelling during the cloud-init wait only ends the wait and leaves this false.
    pub cancelled: bool,
}

impl CreateOutcome {
    /// True when every requested step happened.
    pub fn is_complete(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What pre-flight resolved.
struct Plan {
    key_ids: Vec<String>,
    public_keys: Vec<String>,
    project_id: Option<String>,
    dns_zone: Option<String>,
}

/// Runs the pre-flight checks; returns every failure at once as one validation error.
async fn preflight(
    provider: &dyn CloudProvider,
    ctx: &CreateContext<'_>,
    opts: &CreateOptions,
) -> Result<Plan> {
    let mut failures: Vec<String> = Vec::new();
    if let Err(m) = validate_hostname(&opts.name) {
        failures.push(m);
    }
    if opts.initialize {
        match &opts.machine_type {
            None => failures.push("a machine type is required to initialize the machine".into()),
            Some(t) if !ctx.machine_types.contains_key(t) => failures.push(format!(
                "machine type `{t}` does not exist; known types: {}",
                preflight::list_or_none(ctx.machine_types.keys())
            )),
            Some(_) => {}
        }
    }
    if let Some(t) = &opts.machine_type
        && let Err(e) = type_tag(t)
    {
        failures.push(e.to_string());
    }
    if let Some(tag) = &opts.extra_tag
        && let Err(m) = validate_tag(tag)
    {
        failures.push(m);
    }
    let want_dns = opts.update_dns && opts.wait_for_ip;
    if opts.update_dns && !opts.wait_for_ip {
        failures.push("a DNS record needs the IP: do not combine DNS with not waiting".into());
    }
    let dns_zone = if want_dns {
        if opts.dns_zone.is_none() {
            failures.push("DNS was requested but no DNS zone is configured".into());
        }
        opts.dns_zone.clone()
    } else {
        None
    };
    if opts.project.is_some() && provider.projects().is_none() {
        failures.push(format!(
            "a project is configured, but projects are not supported by {}",
            provider.kind()
        ));
    }
    if opts.image.snapshot().is_some() && provider.snapshots().is_none() {
        failures.push(format!(
            "creating a machine from a snapshot is not supported by {}",
            provider.kind()
        ));
    }
    // What can be checked here fails without a single request (a bad type needs no network).
    if !failures.is_empty() {
        return Err(Error::validation(failures.join("\n")));
    }

    let keys = async {
        if opts.ssh_keys.is_empty() {
            Ok(Vec::new())
        } else {
            provider.list_ssh_keys().await
        }
    };
    let zones = async {
        match &dns_zone {
            Some(_) => provider.list_zones().await.map(Some),
            None => Ok(None),
        }
    };
    let projects = async {
        match (&opts.project, provider.projects()) {
            (Some(_), Some(p)) => p.list_projects().await.map(Some),
            _ => Ok(None),
        }
    };
    let namesakes = async {
        if opts.allow_duplicate {
            Ok(Vec::new())
        } else {
            preflight::namesakes(provider, &opts.name, dns_zone.as_deref()).await
        }
    };
    let snapshot = preflight::find_snapshot(provider, &opts.image);
    let (keys, regions, sizes, images, zones, projects, namesakes, snapshot) = tokio::join!(
        keys,
        provider.regions(),
        provider.sizes(),
        provider.images(),
        zones,
        projects,
        namesakes,
        snapshot
    );
    let (keys, regions, sizes, images, zones, projects) =
        (keys?, regions?, sizes?, images?, zones?, projects?);

    let mut key_ids = Vec::new();
    let mut public_keys = Vec::new();
    for name in &opts.ssh_keys {
        match preflight::find_ssh_key(&keys, name) {
            Ok(k) => {
                key_ids.push(k.id.clone());
                public_keys.push(k.public_key.clone());
            }
            Err(m) => failures.push(m),
        }
    }
    let region_ok = match preflight::check_region(&regions, &opts.region) {
        Ok(()) => true,
        Err(m) => {
            failures.push(m);
            false
        }
    };
    let region = region_ok.then_some(opts.region.as_str());
    if let Err(m) = preflight::check_size(&sizes, &opts.size, region) {
        failures.push(m);
    }
    match &opts.image {
        ImageRef::Image(image) => {
            if let Err(m) = preflight::check_image(&images, image) {
                failures.push(m);
            }
        }
        ImageRef::Snapshot(_) => {
            let size = sizes.iter().find(|s| s.slug == opts.size);
            if let Err(m) = snapshot?.and_then(|s| preflight::check_snapshot(s, region, size)) {
                failures.push(m);
            }
        }
    }
    if let (Some(zone), Some(zones)) = (&dns_zone, &zones)
        && let Err(m) = preflight::check_zone(zones, zone)
    {
        failures.push(m);
    }
    let mut project_id = None;
    if let (Some(name), Some(projects)) = (&opts.project, &projects) {
        match preflight::find_project(projects, name) {
            Ok(p) => project_id = Some(p.id.clone()),
            Err(m) => failures.push(m),
        }
    }
    if !failures.is_empty() {
        return Err(Error::validation(failures.join("\n")));
    }
    // Only when all else is fine: acknowledging a duplicate must not hide another problem.
    let namesakes = namesakes?;
    if !namesakes.is_empty() {
        return Err(Error::new(
            ErrorKind::Duplicate,
            format!(
                "{}; creating it would make two of them",
                namesakes.join("; ")
            ),
        ));
    }
    Ok(Plan {
        key_ids,
        public_keys,
        project_id,
        dns_zone,
    })
}

/// What a create would send, checked as [`create_machine`] checks it (pre-flight and the
/// user-data), creating nothing: `--dry-run`.
pub async fn check_create(
    provider: &dyn CloudProvider,
    ctx: &CreateContext<'_>,
    opts: &CreateOptions,
) -> Result<CreateMachine> {
    let plan = preflight(provider, ctx, opts).await?;
    request_for(ctx, opts, &plan)
}

/// The provider request for `opts` once pre-flight resolved `plan`.
fn request_for(
    ctx: &CreateContext<'_>,
    opts: &CreateOptions,
    plan: &Plan,
) -> Result<CreateMachine> {
    let fqdn = plan.dns_zone.as_ref().map(|z| format!("{}.{z}", opts.name));
    let user_data = match (&opts.machine_type, opts.initialize) {
        (Some(type_name), true) => Some(user_data(&UserDataRequest {
            type_name,
            machine_type: &ctx.machine_types[type_name],
            ssh_public_keys: &plan.public_keys,
            fqdn: fqdn.as_deref(),
        })?),
        _ => None,
    };
    let mut tags = vec![CREATED_TAG.to_string()];
    if let Some(t) = &opts.machine_type {
        tags.push(type_tag(t)?);
    }
    let session_tag = MachineTag::Session(ctx.session.clone()).to_string();
    tags.push(session_tag);
    if let Some(t) = &opts.extra_tag {
        tags.push(t.clone());
    }
    let request = CreateMachine {
        name: opts.name.clone(),
        region: opts.region.clone(),
        size: opts.size.clone(),
        image: opts.image.clone(),
        ssh_key_ids: plan.key_ids.clone(),
        tags,
        user_data,
        ipv6: false,
    };
    Ok(request)
}

/// Creates a machine. `Err` means nothing was created (or a machine that may exist could not
/// be found, which the error says); `Ok` lists what exists and what did not happen.
pub async fn create_machine(
    provider: &dyn CloudProvider,
    ctx: &CreateContext<'_>,
    opts: &CreateOptions,
    progress: ProgressSink<'_, Progress>,
    cancel: &CancellationToken,
) -> Result<CreateOutcome> {
    progress(Progress::Checking);
    let plan = preflight(provider, ctx, opts).await?;
    if cancel.is_cancelled() {
        return Err(Error::cancelled("cancelled before anything was created"));
    }

    let fqdn = plan.dns_zone.as_ref().map(|z| format!("{}.{z}", opts.name));
    let session_tag = MachineTag::Session(ctx.session.clone()).to_string();
    let request = request_for(ctx, opts, &plan)?;
    let machine = match provider.create_machine(&request).await {
        Ok(m) => m,
        Err(e) => {
            return Err(find_after_failed_create(provider, &session_tag, &opts.name, e).await);
        }
    };
    progress(Progress::Created {
        id: machine.id.clone(),
        name: machine.name.clone(),
    });
    let mut outcome = CreateOutcome {
        machine: MachineSummary::from(&machine),
        ip: machine.ipv4.clone(),
        dns_record: None,
        project: None,
        problems: Vec::new(),
        cloud_init: CloudInitResult::NotRequested,
        cancelled: false,
    };
    let problem = |outcome: &mut CreateOutcome, e: Error| {
        progress(Progress::Warning {
            message: e.message.clone(),
        });
        outcome.problems.push(e);
    };

    if let (Some(project_id), Some(projects)) = (&plan.project_id, provider.projects()) {
        match projects.assign_machine(project_id, &machine.id).await {
            Ok(()) => {
                let name = opts.project.clone().unwrap_or_default();
                progress(Progress::ProjectAssigned {
                    project: name.clone(),
                });
                outcome.project = Some(name);
            }
            Err(e) => problem(
                &mut outcome,
                with_prefix("the machine was not assigned to its project", e.into()),
            ),
        }
    }

    if opts.wait_for_ip && outcome.ip.is_none() {
        match wait_for_ip(provider, &machine.id, &opts.poll, progress, cancel).await {
            Ok(m) => {
                outcome.ip = m.ipv4.clone();
                outcome.machine = MachineSummary::from(&m);
            }
            Err(e) => problem(&mut outcome, e),
        }
    }
    if let Some(ip) = &outcome.ip {
        outcome.machine.ip = Some(ip.clone());
        progress(Progress::IpAssigned { ip: ip.clone() });
    }

    if let (Some(zone), Some(fqdn)) = (&plan.dns_zone, &fqdn) {
        match &outcome.ip {
            None => problem(
                &mut outcome,
                Error::new(
                    ErrorKind::Partial,
                    format!("no DNS record {fqdn} was created: the machine has no IP yet"),
                ),
            ),
            Some(_) if cancel.is_cancelled() => problem(
                &mut outcome,
                Error::cancelled(format!("cancelled: no DNS record {fqdn} was created")),
            ),
            Some(ip) => {
                let spec = DnsRecordSpec::new(DnsRecordType::A, &opts.name, ip).with_ttl(DNS_TTL);
                match provider.create_record(zone, &spec).await {
                    Ok(record) => {
                        progress(Progress::DnsRecordCreated {
                            fqdn: fqdn.clone(),
                            record_id: record.id.clone(),
                        });
                        outcome.dns_record = Some(CreatedRecord {
                            zone: zone.clone(),
                            fqdn: fqdn.clone(),
                            record_id: record.id,
                        });
                    }
                    Err(e) => problem(
                        &mut outcome,
                        with_prefix(&format!("no DNS record {fqdn} was created"), e.into()),
                    ),
                }
            }
        }
    }
    outcome.cancelled = cancel.is_cancelled();
    let set_up = opts.initialize && opts.machine_type.is_some();
    if let (Some(wait), true) = (&opts.cloud_init, set_up) {
        outcome.cloud_init = if outcome.ip.is_none() {
            CloudInitResult::NoIp
        } else if outcome.cancelled {
            cloud_init::unconfirmed(status::UNKNOWN, "Cancelled before cloud-init was checked.")
        } else {
            wait_for_cloud_init(provider, ctx.session, &machine.id, wait, progress, cancel).await
        };
    }
    progress(Progress::Done);
    Ok(outcome)
}

/// Polls until the machine has a public IPv4, backing off, until the timeout or cancellation.
/// When the API stops answering, it says so after [`PollPolicy::unreachable_after`] polls and
/// gives up [`PollPolicy::outage_timeout`] after the first of them, naming the machine that
/// exists and how to find it again.
async fn wait_for_ip(
    provider: &dyn CloudProvider,
    id: &str,
    poll: &PollPolicy,
    progress: ProgressSink<'_, Progress>,
    cancel: &CancellationToken,
) -> Result<Machine> {
    let start = Instant::now();
    let mut delay = poll.initial;
    let mut last_error: Option<Error> = None;
    let mut outage = Outage::default();
    loop {
        let remaining = poll.timeout.saturating_sub(start.elapsed());
        let outage_left = outage
            .since
            .map(|since| poll.outage_timeout.saturating_sub(since.elapsed()));
        if let (Some(left), Some(e)) = (outage_left, &last_error)
            && left.is_zero()
        {
            return Err(Error::new(
                ErrorKind::Partial,
                format!(
                    "machine {id} was created, but the {} API has not answered for {} s \
                     (last error: {}), so its IP is unknown. When the API is back, find the \
                     machine in the list (`hangar list`) and destroy it (`hangar destroy {id}`) \
                     if it is not wanted",
                    provider.kind(),
                    poll.outage_timeout.as_secs(),
                    e.message
                ),
            ));
        }
        if remaining.is_zero() {
            let why = last_error
                .map(|e| format!(" (last error: {})", e.message))
                .unwrap_or_default();
            return Err(Error::new(
                ErrorKind::Partial,
                format!(
                    "machine {id} has no public IP after {} s{why}",
                    poll.timeout.as_secs()
                ),
            ));
        }
        let left = outage_left.map_or(remaining, |o| o.min(remaining));
        // Said before each poll, so even a wait that ends at the first poll is shown.
        progress(Progress::WaitingForIp {
            elapsed_ms: elapsed_ms(start),
        });
        let polled = tokio::select! {
            () = cancel.cancelled() => {
                return Err(Error::cancelled(format!(
                    "cancelled while waiting for the IP of machine {id}, which exists"
                )));
            }
            polled = async {
                tokio::time::sleep(delay.min(left)).await;
                // A hanging API must not hold the wait past its deadline, and a poll that
                // gets no answer counts as a failed one.
                let left = outage_left
                    .map_or(poll.timeout.saturating_sub(start.elapsed()), |o| o.min(remaining))
                    .min(POLL_ANSWER_LIMIT);
                tokio::time::timeout(left, provider.get_machine(id)).await
            } => polled,
        };
        match polled {
            Ok(Ok(m)) if m.ipv4.is_some() => return Ok(m),
            Ok(Ok(_)) => {
                last_error = None;
                if outage.end() {
                    progress(Progress::Warning {
                        message: format!(
                            "the {} API answers again; still waiting for the IP of machine {id}",
                            provider.kind()
                        ),
                    });
                }
            }
            // The machine vanished: polling longer will not help.
            Ok(Err(e)) if e.is_not_found() => {
                return Err(with_prefix(
                    &format!("machine {id} disappeared while waiting for its IP"),
                    e.into(),
                ));
            }
            Ok(Err(e)) => {
                let unreachable = matches!(e, ProviderError::Network { .. });
                let e: Error = e.into();
                if unreachable && outage.failed(poll.unreachable_after) {
                    progress(Progress::Warning {
                        message: format!(
                            "the {} API is unreachable ({}); machine {id} exists; still trying \
                             for up to {} s",
                            provider.kind(),
                            e.message,
                            poll.outage_timeout.as_secs()
                        ),
                    });
                } else if !unreachable {
                    outage.end();
                }
                last_error = Some(e);
            }
            Err(_) => {
                if outage.failed(poll.unreachable_after) {
                    progress(Progress::Warning {
                        message: format!(
                            "the {} API is not answering; machine {id} exists; still trying \
                             for up to {} s",
                            provider.kind(),
                            poll.outage_timeout.as_secs()
                        ),
                    });
                }
                last_error = Some(Error::new(
                    ErrorKind::Network,
                    format!("{} did not answer", provider.kind()),
                ));
            }
        }
        delay = (delay * 2).min(poll.max);
    }
}

/// How long one poll of the machine may take, retries included, before it counts as failed.
const POLL_ANSWER_LIMIT: Duration = Duration::from_secs(30);

/// Polls in a row that could not reach the API, and since when it counts as unreachable.
#[derive(Default)]
struct Outage {
    failures: u32,
    since: Option<Instant>,
}

impl Outage {
    /// Counts a failed poll; true when this one makes the API unreachable.
    fn failed(&mut self, threshold: u32) -> bool {
        self.failures += 1;
        if self.since.is_none() && self.failures >= threshold.max(1) {
            self.since = Some(Instant::now());
            return true;
        }
        false
    }

    /// The API answered; true when it had been unreachable.
    fn end(&mut self) -> bool {
        self.failures = 0;
        self.since.take().is_some()
    }
}

/// After a failed create whose request may have reached the provider (server error, lost
/// connection), look for the machine so it is not left unreported.
async fn find_after_failed_create(
    provider: &dyn CloudProvider,
    session_tag: &str,
    name: &str,
    error: ProviderError,
) -> Error {
    let uncertain = matches!(
        error,
        ProviderError::Provider { .. }
            | ProviderError::Network { .. }
            | ProviderError::Decode { .. }
    );
    if !uncertain {
        return error.into();
    }
    let base: Error = error.into();
    match provider
        .list_machines(&MachineFilter::tagged(session_tag))
        .await
    {
        Ok(machines) => {
            let found: Vec<&Machine> = machines.iter().filter(|m| m.name == name).collect();
            if found.is_empty() {
                with_prefix("the machine was not created", base)
            } else {
                let ids: Vec<&str> = found.iter().map(|m| m.id.as_str()).collect();
                Error {
                    kind: ErrorKind::Partial,
                    message: format!(
                        "the create call failed ({}), but machine `{name}` exists with id {}; \
                         destroy it or try again",
                        base.message,
                        ids.join(", ")
                    ),
                    detail: base.detail,
                }
            }
        }
        Err(list_error) => Error {
            kind: ErrorKind::Partial,
            message: format!(
                "the create call failed ({}) and whether machine `{name}` exists could not be \
                 checked ({list_error}); look for it with `list`",
                base.message
            ),
            detail: base.detail,
        },
    }
}

fn with_prefix(prefix: &str, e: Error) -> Error {
    Error {
        kind: e.kind,
        message: format!("{prefix}: {}", e.message),
        detail: e.detail,
    }
}

/// A tag every provider accepts: 1-255 letters, digits, `_`, `-` and `:` (DigitalOcean's tag
/// name pattern, the stricter of the two; Hangar's own `machine:*` tags fit it).
pub fn validate_tag(tag: &str) -> std::result::Result<(), String> {
    // `machine:type:…` or `machine:session:…` given by hand would pass a machine off as
    // another type's or another session's.
    if crate::session::is_reserved_tag(tag) {
        return Err(format!(
            "tag `{tag}` starts with `{}`, which Hangar reserves for its own tags",
            crate::session::RESERVED_PREFIX
        ));
    }
    let ok = !tag.is_empty()
        && tag.len() <= 255
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "tag `{tag}` must be 1 to 255 letters, digits, `_`, `-` or `:` (no spaces, dots or \
             slashes)"
        ))
    }
}

/// A valid hostname label: 1-63 letters, digits and hyphens, not starting or ending with a
/// hyphen (so `<name>.<zone>` is a valid DNS name too).
pub fn validate_hostname(name: &str) -> std::result::Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a valid hostname: use 1 to 63 letters, digits and hyphens, not \
             starting or ending with a hyphen"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        for good in ["prod", "team:web", "a_b-c", &"x".repeat(255)] {
            assert!(validate_tag(good).is_ok(), "{good}");
        }
        for bad in ["", "has space", "a.b", "a/b", "k=v", &"x".repeat(256)] {
            let e = validate_tag(bad).unwrap_err();
            assert!(e.contains("1 to 255 letters"), "{bad}: {e}");
        }
    }

    #[test]
    fn hostnames() {
        assert!(validate_hostname("web-1").is_ok());
        for bad in ["", "-a", "a-", "a.b", "a b", &"x".repeat(64)] {
            assert!(validate_hostname(bad).is_err(), "{bad}");
        }
    }
}
