//! Commands of the Create machine screen: the form's catalogs, name checks, the
//! cloud-config preview, the create itself (streamed progress, cancellable), and clean-up of
//! what a partly failed create left behind.
//!
//! Every step calls a core use case: [`create::create_machine`] creates, waits for the IP and
//! writes the DNS record; [`status::machine_status`] then asks the machine whether cloud-init
//! is done; [`destroy::destroy_machines`] cleans up.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use hangar::accounts::{self, AccountDefaults, AccountDetails, AccountId};
use hangar::cloud_init::{UserDataRequest, user_data};
use hangar::error::{Error, ErrorKind};
use hangar::machine_types::MachineType;
use hangar::provider::{CloudProvider, DnsZone, Image, ProviderKind, Region, Size, SshKey};
use hangar::session::SessionId;
use hangar::settings::SettingsFile;
use hangar::usecases::create::{self, CreateContext, CreateOptions, CreateOutcome, PollPolicy};
use hangar::usecases::destroy::{self, DestroyOptions, DestroyedMachine};
use hangar::usecases::list::ListFilter;
use hangar::usecases::status::{self, StatusOptions, UNKNOWN};
use hangar::usecases::{MachineSummary, Progress};
use serde::{Deserialize, Serialize};
use tauri::State;
use tauri::ipc::Channel;
use tokio_util::sync::CancellationToken;

use crate::commands::{load_settings, stopped};
use crate::error::AppError;
use crate::state::{AppState, Fleet, LiveAccount};

/// Everything the form offers for one account, fetched concurrently in one call.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CreateFormData {
    pub account_id: String,
    pub provider: ProviderKind,
    pub simulated: bool,
    pub regions: Vec<Region>,
    /// Every plan; each lists the regions it is offered in.
    pub sizes: Vec<Plan>,
    pub images: Vec<Image>,
    pub ssh_keys: Vec<SshKey>,
    pub zones: Vec<DnsZone>,
    /// Names of the configured machine types.
    pub machine_types: Vec<String>,
    /// The account's defaults, preselected in the form.
    pub defaults: AccountDefaults,
}

/// The account's regions, sizes, images, SSH keys and DNS zones (catalogs come from the
/// provider's cache), its machine types and its defaults.
#[tauri::command]
#[specta::specta]
pub async fn create_form_data(
    state: State<'_, AppState>,
    account_id: String,
) -> Result<CreateFormData, AppError> {
    let fleet = state.fleet().await.ok_or_else(stopped)?;
    let (account, client) = account_client(&fleet, &account_id)?;
    let settings = account_settings(&fleet, &account).await?;
    let provider = client.as_ref();
    let (regions, sizes, images, ssh_keys, zones) = tokio::join!(
        provider.regions(),
        provider.sizes(),
        provider.images(),
        provider.list_ssh_keys(),
        provider.list_zones()
    );
    let with = |what: &str, e: hangar::provider::ProviderError| {
        let e = Error::from(e);
        AppError::new(
            e.kind,
            format!("The {what} could not be loaded: {}", e.message),
        )
    };
    Ok(CreateFormData {
        account_id: account.id.clone(),
        provider: account.provider,
        simulated: account.simulated,
        regions: regions.map_err(|e| with("regions", e))?.to_vec(),
        sizes: sizes
            .map_err(|e| with("plans", e))?
            .iter()
            .map(Plan::from)
            .collect(),
        images: images.map_err(|e| with("images", e))?.to_vec(),
        ssh_keys: ssh_keys.map_err(|e| with("SSH keys", e))?,
        zones: zones.map_err(|e| with("DNS zones", e))?,
        machine_types: settings.machine_types.keys().cloned().collect(),
        defaults: settings.defaults,
    })
}

/// A size ("plan") as the form shows it.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub slug: String,
    pub vcpus: u32,
    pub memory_mb: u32,
    pub disk_gb: u32,
    pub price_monthly: f64,
    /// Regions the plan is offered in.
    pub regions: Vec<String>,
}

impl From<&Size> for Plan {
    fn from(s: &Size) -> Self {
        let small = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        Plan {
            slug: s.slug.clone(),
            vcpus: s.vcpus,
            memory_mb: small(s.memory_mb),
            disk_gb: small(s.disk_gb),
            price_monthly: s.price_monthly,
            regions: s.regions.clone(),
        }
    }
}

/// Why `name` is not a valid machine name, or `None` when it is.
#[tauri::command]
#[specta::specta]
pub fn check_machine_name(name: String) -> Option<String> {
    create::validate_hostname(&name).err()
}

/// The cloud-config a machine of `machine_type` would get, with these public keys.
#[tauri::command]
#[specta::specta]
pub async fn preview_cloud_config(
    state: State<'_, AppState>,
    account_id: String,
    machine_type: String,
    ssh_public_keys: Vec<String>,
    fqdn: Option<String>,
) -> Result<String, AppError> {
    let fleet = state.fleet().await.ok_or_else(stopped)?;
    let (account, _) = account_client(&fleet, &account_id)?;
    let settings = account_settings(&fleet, &account).await?;
    let Some(t) = settings.machine_types.get(&machine_type) else {
        return Err(AppError::new(
            ErrorKind::NotFound,
            format!("Machine type `{machine_type}` is not configured."),
        ));
    };
    let text = user_data(&UserDataRequest {
        type_name: &machine_type,
        machine_type: t,
        ssh_public_keys: &ssh_public_keys,
        fqdn: fqdn.as_deref().filter(|f| !f.is_empty()),
    })?;
    Ok(text)
}

/// What the form submits.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CreateRequest {
    pub account_id: String,
    pub name: String,
    pub region: String,
    pub size: String,
    pub image: String,
    /// SSH key names.
    pub ssh_keys: Vec<String>,
    /// Machine type; with one, the machine is initialized from it (cloud-config).
    pub machine_type: Option<String>,
    /// Create `<name>.<zone>` in this zone.
    pub dns_zone: Option<String>,
    pub extra_tag: Option<String>,
}

/// One step of a create, as the progress timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(
    tag = "event",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum CreateEvent {
    /// Checking the request against the account.
    Checking,
    /// The provider accepted the machine.
    Created { id: String, name: String },
    /// The machine was assigned to a project.
    ProjectAssigned { project: String },
    /// Still waiting for the public IP.
    WaitingForIp { elapsed_ms: u32 },
    /// The public IPv4 is known.
    IpAssigned { ip: String },
    /// The DNS record was created.
    DnsRecordCreated { fqdn: String, record_id: String },
    /// A step failed; the result lists it too.
    Warning { message: String },
    /// Asked the machine whether cloud-init is done; it answered `status` (or `UNKNOWN`).
    CloudInitChecked { status: String, elapsed_ms: u32 },
}

impl CreateEvent {
    /// The timeline event of a core progress event (destroy events have none).
    pub fn from_progress(p: Progress) -> Option<Self> {
        Some(match p {
            Progress::Checking => Self::Checking,
            Progress::Created { id, name } => Self::Created { id, name },
            Progress::ProjectAssigned { project } => Self::ProjectAssigned { project },
            Progress::WaitingForIp { elapsed_ms } => Self::WaitingForIp {
                elapsed_ms: elapsed_ms.min(u32::MAX as u64) as u32,
            },
            Progress::IpAssigned { ip } => Self::IpAssigned { ip },
            Progress::DnsRecordCreated { fqdn, record_id } => {
                Self::DnsRecordCreated { fqdn, record_id }
            }
            Progress::Warning { message } => Self::Warning { message },
            Progress::Destroying { .. }
            | Progress::Destroyed { .. }
            | Progress::DnsRecordDeleted { .. }
            | Progress::Done => return None,
        })
    }
}

/// Whether cloud-init finished on the new machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(
    tag = "state",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum CloudInitResult {
    /// No machine type was chosen, so the machine got no cloud-config to wait for.
    NotRequested,
    /// The machine has no IP, so it cannot be asked.
    NoIp,
    /// The machine reported cloud-init done.
    Done { status: String },
    /// The machine reported that cloud-init failed.
    Failed { status: String },
    /// No answer that says done within the wait (or the wait was stopped).
    Unconfirmed {
        last_status: String,
        message: String,
    },
}

/// What a create ended with.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CreateResult {
    /// What exists (machine, IP, record) and what did not happen.
    pub outcome: CreateOutcome,
    pub cloud_init: CloudInitResult,
    /// The user cancelled before the create use case ended; `outcome` says what exists
    /// anyway. Cancelling during the cloud-init wait only ends the wait, and leaves this false.
    pub cancelled: bool,
}

/// How long to ask a new machine whether cloud-init is done.
pub const CLOUD_INIT_TIMEOUT: Duration = Duration::from_secs(180);
/// Pause between two cloud-init checks.
pub const CLOUD_INIT_INTERVAL: Duration = Duration::from_secs(4);

/// Running creates, by operation id, so they can be cancelled.
static OPERATIONS: LazyLock<Mutex<HashMap<String, CancellationToken>>> =
    LazyLock::new(Default::default);

/// Removes an operation from [`OPERATIONS`] when the create ends, however it ends.
struct Registered(String);

impl Registered {
    fn new(id: &str) -> Result<(Self, CancellationToken), AppError> {
        let mut ops = OPERATIONS.lock().unwrap_or_else(|e| e.into_inner());
        if ops.contains_key(id) {
            return Err(AppError::new(
                ErrorKind::Validation,
                format!("Operation {id} is already running."),
            ));
        }
        let token = CancellationToken::new();
        ops.insert(id.to_owned(), token.clone());
        Ok((Self(id.to_owned()), token))
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        OPERATIONS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.0);
    }
}

/// Creates a machine, streaming each step to `on_event`; then waits for cloud-init. `Err`
/// means nothing was created; `Ok` says what exists, what did not happen, and whether the
/// user cancelled.
#[tauri::command]
#[specta::specta]
pub async fn create_machine(
    state: State<'_, AppState>,
    operation_id: String,
    request: CreateRequest,
    on_event: Channel<CreateEvent>,
) -> Result<CreateResult, AppError> {
    let fleet = state.fleet().await.ok_or_else(stopped)?;
    let (account, client) = account_client(&fleet, &request.account_id)?;
    let settings = account_settings(&fleet, &account).await?;
    let session = session_of(&fleet)?;
    let (_registered, cancel) = Registered::new(&operation_id)?;
    let send = |e: CreateEvent| {
        let _ = on_event.send(e);
    };
    run_create(
        client.as_ref(),
        &session,
        &settings,
        &request,
        &send,
        &cancel,
        CLOUD_INIT_TIMEOUT,
    )
    .await
}

/// The create and the cloud-init wait, without the app around them.
pub async fn run_create(
    provider: &dyn CloudProvider,
    session: &SessionId,
    settings: &AccountSettings,
    request: &CreateRequest,
    send: &(dyn Fn(CreateEvent) + Send + Sync),
    cancel: &CancellationToken,
    cloud_init_timeout: Duration,
) -> Result<CreateResult, AppError> {
    let opts = create_options(request, settings);
    let ctx = CreateContext {
        session,
        machine_types: &settings.machine_types,
    };
    let progress = |p: Progress| {
        if let Some(e) = CreateEvent::from_progress(p) {
            send(e);
        }
    };
    let outcome = create::create_machine(provider, &ctx, &opts, &progress, cancel).await?;
    // Cancelling later only stops the cloud-init wait: the create itself was complete.
    let cancelled = cancel.is_cancelled();
    let cloud_init = if request.machine_type.is_none() {
        CloudInitResult::NotRequested
    } else if outcome.ip.is_none() {
        CloudInitResult::NoIp
    } else if cancelled {
        unconfirmed(UNKNOWN, "Cancelled before cloud-init was checked.")
    } else {
        wait_for_cloud_init(
            provider,
            session,
            &outcome.machine,
            send,
            cancel,
            cloud_init_timeout,
        )
        .await
    };
    Ok(CreateResult {
        outcome,
        cloud_init,
        cancelled,
    })
}

fn create_options(request: &CreateRequest, settings: &AccountSettings) -> CreateOptions {
    let dns_zone = request.dns_zone.clone().filter(|z| !z.trim().is_empty());
    CreateOptions {
        name: request.name.trim().to_owned(),
        region: request.region.clone(),
        size: request.size.clone(),
        image: request.image.clone(),
        ssh_keys: request.ssh_keys.clone(),
        update_dns: dns_zone.is_some(),
        dns_zone,
        project: settings.defaults.project.clone(),
        machine_type: request.machine_type.clone(),
        initialize: request.machine_type.is_some(),
        extra_tag: request
            .extra_tag
            .as_ref()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty()),
        wait_for_ip: true,
        poll: PollPolicy::default(),
    }
}

/// Asks the machine for its cloud-init status (the core status use case) until it answers
/// done or failed, the timeout passes, or the user cancels.
async fn wait_for_cloud_init(
    provider: &dyn CloudProvider,
    session: &SessionId,
    machine: &MachineSummary,
    send: &(dyn Fn(CreateEvent) + Send + Sync),
    cancel: &CancellationToken,
    timeout: Duration,
) -> CloudInitResult {
    let opts = StatusOptions {
        filter: ListFilter {
            id: Some(machine.id.clone()),
            all: true,
            ..ListFilter::default()
        },
        ..StatusOptions::default()
    };
    let start = Instant::now();
    let mut last = UNKNOWN.to_owned();
    loop {
        let answer = tokio::select! {
            () = cancel.cancelled() => {
                return unconfirmed(&last, "Stopped waiting for cloud-init; the machine keeps running.");
            }
            answer = status::machine_status(provider, session, &opts) => answer,
        };
        last = match answer {
            Ok(reports) => reports
                .into_iter()
                .next()
                .map(|r| r.check_status)
                .unwrap_or_else(|| UNKNOWN.to_owned()),
            Err(_) => UNKNOWN.to_owned(),
        };
        send(CreateEvent::CloudInitChecked {
            status: last.clone(),
            elapsed_ms: start.elapsed().as_millis().min(u32::MAX as u128) as u32,
        });
        match last.to_ascii_lowercase().as_str() {
            "done" => return CloudInitResult::Done { status: last },
            "error" | "failed" | "degraded" => return CloudInitResult::Failed { status: last },
            _ => {}
        }
        let remaining = timeout.saturating_sub(start.elapsed());
        if remaining.is_zero() {
            let why = if last == UNKNOWN {
                "the machine did not answer the status check"
            } else {
                "the machine did not report cloud-init done"
            };
            return unconfirmed(
                &last,
                &format!(
                    "Not confirmed after {} s: {why}. The machine exists; check it later on \
                     the Machines screen.",
                    timeout.as_secs()
                ),
            );
        }
        tokio::select! {
            () = cancel.cancelled() => {
                return unconfirmed(&last, "Stopped waiting for cloud-init; the machine keeps running.");
            }
            () = tokio::time::sleep(CLOUD_INIT_INTERVAL.min(remaining)) => {}
        }
    }
}

fn unconfirmed(last: &str, message: &str) -> CloudInitResult {
    CloudInitResult::Unconfirmed {
        last_status: last.to_owned(),
        message: message.to_owned(),
    }
}

/// Cancels the create `operation_id`: before the machine exists nothing is created; after,
/// waiting stops and the result says what exists. `false` when no such create is running.
#[tauri::command]
#[specta::specta]
pub fn cancel_create(operation_id: String) -> bool {
    let ops = OPERATIONS.lock().unwrap_or_else(|e| e.into_inner());
    match ops.get(&operation_id) {
        Some(token) => {
            token.cancel();
            true
        }
        None => false,
    }
}

/// Destroys a machine a create left behind, and its DNS record in `dns_zone`.
#[tauri::command]
#[specta::specta]
pub async fn clean_up_created(
    state: State<'_, AppState>,
    account_id: String,
    machine_id: String,
    dns_zone: Option<String>,
) -> Result<DestroyedMachine, AppError> {
    let fleet = state.fleet().await.ok_or_else(stopped)?;
    let (_, client) = account_client(&fleet, &account_id)?;
    let session = session_of(&fleet)?;
    clean_up(client.as_ref(), &session, &machine_id, dns_zone).await
}

/// [`clean_up_created`] without the app around it.
pub async fn clean_up(
    provider: &dyn CloudProvider,
    session: &SessionId,
    machine_id: &str,
    dns_zone: Option<String>,
) -> Result<DestroyedMachine, AppError> {
    let zones: Vec<String> = dns_zone.into_iter().filter(|z| !z.is_empty()).collect();
    let opts = DestroyOptions {
        ids: vec![machine_id.to_owned()],
        all: false,
        delete_dns: !zones.is_empty(),
        dns_zones: zones,
    };
    let mut results =
        destroy::destroy_machines(provider, session, &opts, &hangar::usecases::no_progress).await?;
    results.pop().ok_or_else(|| {
        AppError::new(
            ErrorKind::Provider,
            format!("Destroying machine {machine_id} reported nothing."),
        )
    })
}

/// Saves an account's defaults (region, plan, image, SSH keys, DNS zone) in the settings
/// file, after checking each against the account's live catalogs. The project is kept.
#[tauri::command]
#[specta::specta]
pub async fn save_account_defaults(
    state: State<'_, AppState>,
    account_id: String,
    defaults: AccountDefaults,
) -> Result<AccountDefaults, AppError> {
    let fleet = state.fleet().await.ok_or_else(stopped)?;
    let (account, client) = account_client(&fleet, &account_id)?;
    if account.simulated {
        return Err(AppError::new(
            ErrorKind::Validation,
            "The demo accounts' defaults are built in; add an account to set your own.",
        ));
    }
    check_defaults(client.as_ref(), &defaults).await?;
    let _change = state.changes.lock().await;
    let saved = tokio::task::spawn_blocking(move || {
        let file = SettingsFile::default_location()?;
        save_defaults_in(&file, &account_id, defaults)
    })
    .await
    .map_err(|e| AppError::new(ErrorKind::Cancelled, format!("stopped unexpectedly: {e}")))??;
    Ok(saved)
}

/// Writes `defaults` to the account `account_id` in `file`, keeping its label, base URL and
/// project.
pub fn save_defaults_in(
    file: &SettingsFile,
    account_id: &str,
    defaults: AccountDefaults,
) -> Result<AccountDefaults, AppError> {
    let id = AccountId::from(account_id);
    let current = accounts::get_account(file, &id)?;
    let details = AccountDetails {
        label: current.label,
        provider: current.provider,
        base_url: current.base_url,
        defaults: AccountDefaults {
            project: current.defaults.project,
            ..defaults
        },
    };
    Ok(accounts::update_account(file, &id, details)?.defaults)
}

/// Checks that every value of `d` exists in the account's catalogs (one concurrent round of
/// calls; the catalogs are cached), and names every one that does not.
pub async fn check_defaults(
    provider: &dyn CloudProvider,
    d: &AccountDefaults,
) -> Result<(), AppError> {
    let (regions, sizes, images, keys, zones) = tokio::join!(
        provider.regions(),
        provider.sizes(),
        provider.images(),
        provider.list_ssh_keys(),
        provider.list_zones()
    );
    let (regions, sizes, images, keys, zones) = (
        regions.map_err(Error::from)?,
        sizes.map_err(Error::from)?,
        images.map_err(Error::from)?,
        keys.map_err(Error::from)?,
        zones.map_err(Error::from)?,
    );
    let mut wrong = Vec::new();
    if let Some(r) = &d.region
        && !regions.iter().any(|x| &x.slug == r)
    {
        wrong.push(format!("region `{r}` does not exist"));
    }
    if let Some(s) = &d.size {
        match sizes.iter().find(|x| &x.slug == s) {
            None => wrong.push(format!("plan `{s}` does not exist")),
            Some(x) => {
                if let Some(r) = &d.region
                    && !x.regions.contains(r)
                {
                    wrong.push(format!("plan `{s}` is not offered in region `{r}`"));
                }
            }
        }
    }
    if let Some(i) = &d.image
        && !images.iter().any(|x| &x.id == i)
    {
        wrong.push(format!("image `{i}` does not exist"));
    }
    for k in &d.ssh_keys {
        if !keys.iter().any(|x| &x.name == k) {
            wrong.push(format!("SSH key `{k}` does not exist"));
        }
    }
    if let Some(z) = &d.dns_zone
        && !zones.iter().any(|x| &x.name == z)
    {
        wrong.push(format!("DNS zone `{z}` is not hosted by this account"));
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorKind::Validation,
            format!("Not saved: {}.", wrong.join("; ")),
        ))
    }
}

/// An account's machine types and defaults.
#[derive(Debug, Clone, Default)]
pub struct AccountSettings {
    pub machine_types: BTreeMap<String, MachineType>,
    pub defaults: AccountDefaults,
}

/// The settings that shape a create with `account`: from the settings file for configured
/// accounts; for the demo cloud, its own defaults and types unless the file defines types.
async fn account_settings(
    fleet: &Fleet,
    account: &LiveAccount,
) -> Result<AccountSettings, AppError> {
    let loaded = load_settings().await;
    if account.simulated || fleet.demo.is_some() {
        let types = loaded
            .ok()
            .map(|s| s.machine_types)
            .filter(|t| !t.is_empty())
            .unwrap_or_else(crate::demo::demo_machine_types);
        return Ok(AccountSettings {
            machine_types: types,
            defaults: crate::demo::demo_defaults(account.provider),
        });
    }
    let settings = loaded?;
    let defaults = settings
        .accounts
        .iter()
        .find(|a| a.id.as_str() == account.id)
        .map(|a| a.defaults.clone())
        .unwrap_or_default();
    Ok(AccountSettings {
        machine_types: settings.machine_types,
        defaults,
    })
}

/// The account with `id` and its client.
fn account_client(
    fleet: &Fleet,
    id: &str,
) -> Result<(LiveAccount, Arc<dyn CloudProvider>), AppError> {
    Ok((fleet.account(id)?.clone(), fleet.client(id)?))
}

fn session_of(fleet: &Fleet) -> Result<SessionId, AppError> {
    fleet.session().ok_or_else(|| {
        AppError::new(
            ErrorKind::Config,
            "Hangar has no session id, so it cannot tag new machines; check the settings file.",
        )
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex as StdMutex;

    use hangar::provider::MachineFilter;

    use super::*;
    use crate::demo;

    fn request(account: &str, name: &str) -> CreateRequest {
        let d = demo::demo_defaults(ProviderKind::DigitalOcean);
        CreateRequest {
            account_id: account.into(),
            name: name.into(),
            region: d.region.unwrap(),
            size: d.size.unwrap(),
            image: d.image.unwrap(),
            ssh_keys: d.ssh_keys,
            machine_type: Some("web".into()),
            dns_zone: d.dns_zone,
            extra_tag: Some("trial".into()),
        }
    }

    fn demo_settings(kind: ProviderKind) -> AccountSettings {
        AccountSettings {
            machine_types: demo::demo_machine_types(),
            defaults: demo::demo_defaults(kind),
        }
    }

    #[tokio::test]
    async fn demo_defaults_exist_in_the_demo_catalogs() {
        let cloud = demo::start_with(0).await.expect("demo cloud");
        for account in &cloud.accounts {
            let p = account.client.as_ref().unwrap();
            let d = demo::demo_defaults(account.provider);
            let region = d.region.expect("region");
            let size = d.size.expect("size");
            assert!(p.regions().await.unwrap().iter().any(|r| r.slug == region));
            let sizes = p.sizes().await.unwrap();
            let s = sizes.iter().find(|s| s.slug == size).expect("size");
            assert!(s.regions.contains(&region), "{s:?}");
            let image = d.image.expect("image");
            assert!(p.images().await.unwrap().iter().any(|i| i.id == image));
            let keys = p.list_ssh_keys().await.unwrap();
            for k in &d.ssh_keys {
                assert!(keys.iter().any(|x| &x.name == k), "{k}");
            }
            let zone = d.dns_zone.expect("zone");
            assert!(p.list_zones().await.unwrap().iter().any(|z| z.name == zone));
        }
    }

    #[tokio::test]
    async fn a_demo_create_streams_created_ip_and_dns_then_reports_cloud_init_unconfirmed() {
        let cloud = demo::start_with(0).await.expect("demo cloud");
        let account = &cloud.accounts[0];
        let p = account.client.clone().unwrap();
        let session: SessionId = demo::DEMO_SESSION.parse().unwrap();
        let events = StdMutex::new(Vec::new());
        let send = |e: CreateEvent| events.lock().unwrap().push(e);
        let CreateResult {
            outcome,
            cloud_init,
            cancelled,
        } = run_create(
            p.as_ref(),
            &session,
            &demo_settings(account.provider),
            &request(&account.id, "trial-1"),
            &send,
            &CancellationToken::new(),
            Duration::from_secs(1),
        )
        .await
        .expect("created");
        assert!(!cancelled);
        assert!(outcome.is_complete(), "{:?}", outcome.problems);
        let ip = outcome.ip.clone().expect("an IP");
        let record = outcome.dns_record.clone().expect("a DNS record");
        assert_eq!(record.fqdn, "trial-1.example.com");
        let events = events.into_inner().unwrap();
        let kinds: Vec<&str> = events
            .iter()
            .map(|e| match e {
                CreateEvent::Checking => "checking",
                CreateEvent::Created { .. } => "created",
                CreateEvent::IpAssigned { .. } => "ip",
                CreateEvent::DnsRecordCreated { .. } => "dns",
                CreateEvent::CloudInitChecked { .. } => "cloud-init",
                CreateEvent::WaitingForIp { .. } => "waiting",
                CreateEvent::ProjectAssigned { .. } => "project",
                CreateEvent::Warning { .. } => "warning",
            })
            .filter(|k| *k != "waiting")
            .collect();
        assert_eq!(
            kinds[..4],
            ["checking", "created", "ip", "dns"],
            "{kinds:?}"
        );
        assert!(kinds[4..].iter().all(|k| *k == "cloud-init"), "{kinds:?}");
        assert!(events.contains(&CreateEvent::IpAssigned { ip: ip.clone() }));
        // The step ends as the machine's last answer says: "done" only when it said so (a
        // demo machine's address routes nowhere unless the account has a status proxy).
        let last = events
            .iter()
            .rev()
            .find_map(|e| match e {
                CreateEvent::CloudInitChecked { status, .. } => Some(status.clone()),
                _ => None,
            })
            .expect("the machine was asked at least once");
        match cloud_init {
            CloudInitResult::Done { status } => assert_eq!(status, last),
            CloudInitResult::Unconfirmed { last_status, .. } => {
                assert_eq!(last_status, last);
                assert!(!last.eq_ignore_ascii_case("done"));
            }
            other => panic!("{other:?} after {last}"),
        }
        // The record exists in the zone, and the machine carries its type and tags.
        let records = p.list_records("example.com").await.unwrap();
        assert!(
            records
                .iter()
                .any(|r| r.spec.name == "trial-1" && r.spec.data == ip)
        );
        let m = p.get_machine(&outcome.machine.id).await.unwrap();
        assert!(
            m.tags.iter().any(|t| t == "machine:type:web"),
            "{:?}",
            m.tags
        );
        assert!(m.tags.iter().any(|t| t == "trial"));

        // Clean-up removes the machine and its record.
        let gone = clean_up(p.as_ref(), &session, &m.id, record.zone.clone().into())
            .await
            .expect("cleaned up");
        assert!(gone.destroyed, "{gone:?}");
        assert_eq!(gone.dns_records_deleted.len(), 1, "{gone:?}");
        let left = p.list_machines(&MachineFilter::all()).await.unwrap();
        assert!(left.iter().all(|x| x.id != m.id));
        let records = p.list_records("example.com").await.unwrap();
        assert!(records.iter().all(|r| r.spec.name != "trial-1"));
    }

    #[tokio::test]
    async fn cancelling_while_waiting_for_the_ip_keeps_the_machine_and_says_so() {
        let cloud = demo::start_with(0).await.expect("demo cloud");
        let account = &cloud.accounts[1];
        let p = account.client.clone().unwrap();
        let session: SessionId = demo::DEMO_SESSION.parse().unwrap();
        let cancel = CancellationToken::new();
        let d = demo::demo_defaults(ProviderKind::Vultr);
        let req = CreateRequest {
            account_id: account.id.clone(),
            name: "cancel-me".into(),
            region: d.region.unwrap(),
            size: d.size.unwrap(),
            image: d.image.unwrap(),
            ssh_keys: vec![],
            machine_type: None,
            dns_zone: d.dns_zone,
            extra_tag: None,
        };
        let send = |e: CreateEvent| {
            if matches!(e, CreateEvent::Created { .. }) {
                cancel.cancel();
            }
        };
        let CreateResult {
            outcome,
            cloud_init,
            cancelled,
        } = run_create(
            p.as_ref(),
            &session,
            &demo_settings(ProviderKind::Vultr),
            &req,
            &send,
            &cancel,
            Duration::from_secs(1),
        )
        .await
        .expect("the machine exists");
        assert!(cancelled);
        assert_eq!(outcome.ip, None);
        assert_eq!(outcome.dns_record, None);
        assert!(
            outcome
                .problems
                .iter()
                .any(|e| e.kind == ErrorKind::Cancelled),
            "{:?}",
            outcome.problems
        );
        assert_eq!(cloud_init, CloudInitResult::NotRequested);
        assert!(p.get_machine(&outcome.machine.id).await.is_ok());
    }

    #[tokio::test]
    async fn cancelling_during_the_cloud_init_wait_only_ends_the_wait() {
        let cloud = demo::start_with(0).await.expect("demo cloud");
        let account = &cloud.accounts[0];
        let p = account.client.clone().unwrap();
        let session: SessionId = demo::DEMO_SESSION.parse().unwrap();
        let cancel = CancellationToken::new();
        let first_answer = StdMutex::new(None);
        let send = |e: CreateEvent| {
            if let CreateEvent::CloudInitChecked { status, .. } = e {
                first_answer.lock().unwrap().get_or_insert(status);
                cancel.cancel();
            }
        };
        let started = Instant::now();
        let result = run_create(
            p.as_ref(),
            &session,
            &demo_settings(account.provider),
            &request(&account.id, "stop-waiting"),
            &send,
            &cancel,
            Duration::from_secs(600),
        )
        .await
        .expect("created");
        assert!(started.elapsed() < Duration::from_secs(120));
        assert!(!result.cancelled, "the create itself was complete");
        assert!(
            result.outcome.is_complete(),
            "{:?}",
            result.outcome.problems
        );
        let first = first_answer.into_inner().unwrap().expect("asked once");
        match result.cloud_init {
            CloudInitResult::Unconfirmed { message, .. } => {
                assert!(message.contains("Stopped waiting"), "{message}")
            }
            // A machine that is done at the first check is reported done, not stopped.
            CloudInitResult::Done { status } if first.eq_ignore_ascii_case("done") => {
                assert_eq!(status, first)
            }
            other => panic!("{other:?} after {first}"),
        }
    }

    #[tokio::test]
    async fn defaults_are_checked_against_the_live_catalogs() {
        let cloud = demo::start_with(0).await.expect("demo cloud");
        let p = cloud.accounts[0].client.clone().unwrap();
        let good = demo::demo_defaults(ProviderKind::DigitalOcean);
        check_defaults(p.as_ref(), &good)
            .await
            .expect("demo defaults are valid");
        let bad = AccountDefaults {
            region: Some("lon1".into()),
            size: Some("s-1vcpu-512mb-10gb".into()),
            image: Some("plan9".into()),
            ssh_keys: vec!["nobody".into()],
            dns_zone: Some("example.org".into()),
            project: None,
        };
        let e = check_defaults(p.as_ref(), &bad).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Validation);
        for part in [
            "plan `s-1vcpu-512mb-10gb` is not offered in region `lon1`",
            "image `plan9`",
            "SSH key `nobody`",
            "DNS zone `example.org`",
        ] {
            assert!(e.message.contains(part), "{part}: {}", e.message);
        }
        assert!(
            !e.message.contains("region `lon1` does not exist"),
            "{}",
            e.message
        );
    }

    #[test]
    fn saved_defaults_keep_the_label_url_and_project() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(dir.path());
        let added = accounts::add_account(
            &file,
            // A token named by a variable: the keychain is not touched.
            &hangar::secrets::KeyringStore::new(),
            AccountDetails {
                label: "Work".into(),
                provider: ProviderKind::DigitalOcean,
                base_url: Some("http://127.0.0.1:9".into()),
                defaults: AccountDefaults {
                    project: Some("Web".into()),
                    ..AccountDefaults::default()
                },
            },
            accounts::NewToken::EnvVar("HANGAR_TEST_UNUSED_TOKEN".into()),
        )
        .unwrap();
        let saved = save_defaults_in(
            &file,
            added.id.as_str(),
            AccountDefaults {
                region: Some("fra1".into()),
                ssh_keys: vec!["laptop".into()],
                project: None,
                ..AccountDefaults::default()
            },
        )
        .unwrap();
        assert_eq!(saved.project.as_deref(), Some("Web"));
        let back = accounts::get_account(&file, &added.id).unwrap();
        assert_eq!(back.label, "Work");
        assert_eq!(back.base_url.as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(back.defaults.region.as_deref(), Some("fra1"));
        assert_eq!(back.defaults.ssh_keys, ["laptop"]);
        assert!(save_defaults_in(&file, "nope", AccountDefaults::default()).is_err());
    }

    #[tokio::test]
    async fn a_failed_dns_step_reports_what_exists_and_clean_up_removes_it() {
        use hangar::emulator::{EmulatedProvider, Emulator, EmulatorConfig, Faults};
        use hangar::providers::digitalocean::DigitalOceanConfig;
        use hangar::providers::http::{ClientOptions, RetryPolicy};

        let emulator = Emulator::start(EmulatorConfig {
            seed: demo::seed(),
            ip_delay: Duration::from_millis(300),
            ..EmulatorConfig::default()
        })
        .await
        .expect("emulator");
        let p = DigitalOceanConfig::new(emulator.token(EmulatedProvider::DigitalOcean))
            .with_base_url(emulator.digitalocean_base_url())
            .with_options(ClientOptions {
                retry: RetryPolicy {
                    max_retries: 1,
                    min_delay: Duration::from_millis(10),
                    max_delay: Duration::from_millis(20),
                    ..RetryPolicy::default()
                },
                ..ClientOptions::default()
            })
            .build()
            .expect("client");
        // Every record creation fails on the server.
        emulator.set_faults(
            EmulatedProvider::DigitalOcean,
            Some("POST /v2/domains/"),
            Faults {
                server_error_percent: 100,
                ..Faults::default()
            },
        );
        let session: SessionId = demo::DEMO_SESSION.parse().unwrap();
        let mut req = request("demo-digitalocean", "half-made");
        req.machine_type = None;
        let result = run_create(
            &p,
            &session,
            &demo_settings(ProviderKind::DigitalOcean),
            &req,
            &|_| {},
            &CancellationToken::new(),
            Duration::from_secs(1),
        )
        .await
        .expect("the machine exists");
        assert!(!result.cancelled);
        let ip = result.outcome.ip.clone().expect("the IP was assigned");
        assert_eq!(result.outcome.dns_record, None);
        assert_eq!(
            result.outcome.problems.len(),
            1,
            "{:?}",
            result.outcome.problems
        );
        let problem = &result.outcome.problems[0].message;
        assert!(
            problem.contains("no DNS record half-made.example.com"),
            "{problem}"
        );

        emulator.clear_faults();
        let gone = clean_up(
            &p,
            &session,
            &result.outcome.machine.id,
            Some("example.com".into()),
        )
        .await
        .expect("cleaned up");
        assert!(gone.destroyed && gone.problems.is_empty(), "{gone:?}");
        let left = p.list_machines(&MachineFilter::all()).await.unwrap();
        assert!(
            left.iter()
                .all(|m| m.name != "half-made" && m.ipv4.as_deref() != Some(&ip))
        );
    }

    #[test]
    fn operations_are_cancelled_by_id_and_forgotten_when_they_end() {
        let (reg, token) = Registered::new("op-test-1").unwrap();
        assert!(Registered::new("op-test-1").is_err());
        assert!(cancel_create("op-test-1".into()));
        assert!(token.is_cancelled());
        drop(reg);
        assert!(!cancel_create("op-test-1".into()));
    }

    #[test]
    fn names_are_checked_by_the_core_rule() {
        assert_eq!(check_machine_name("web-1".into()), None);
        let why = check_machine_name("web_1".into()).expect("invalid");
        assert!(why.contains("letters, digits and hyphens"), "{why}");
    }
}
