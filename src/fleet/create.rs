//! Create from a front end: the form's data for one account (catalogs, keys, zones, machine
//! types, defaults in one concurrent round), the cloud-config preview, and the create request
//! run through the create use case, cloud-init wait included.

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use super::Fleet;
use crate::accounts::AccountDefaults;
use crate::cloud_init::{UserDataRequest, user_data};
use crate::error::{Error, Result};
use crate::provider::{
    DnsZone, Image, ImageRef, ProviderError, ProviderKind, Region, Size, SshKey,
};
use crate::usecases::create::{
    self, CloudInitWait, CreateContext, CreateOptions, CreateOutcome, PollPolicy,
};
use crate::usecases::{CreateProgress, ProgressSink};

/// Everything the form offers for one account, fetched concurrently in one call.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CreateFormData {
    pub account_id: String,
    pub provider: ProviderKind,
    pub simulated: bool,
    pub regions: Vec<Region>,
    /// Every plan; each lists the regions it is offered in.
    pub sizes: Vec<Size>,
    pub images: Vec<Image>,
    pub ssh_keys: Vec<SshKey>,
    pub zones: Vec<DnsZone>,
    /// Names of the configured machine types.
    pub machine_types: Vec<String>,
    /// The account's defaults, preselected in the form.
    pub defaults: AccountDefaults,
}

/// The account's regions, sizes, images, SSH keys and DNS zones (catalogs come from the
/// provider's cache), the machine types and the account's defaults.
pub async fn form_data(fleet: &Fleet, account_id: &str) -> Result<CreateFormData> {
    let (account, client) = fleet.client(account_id)?;
    let provider = client.as_ref();
    let (regions, sizes, images, ssh_keys, zones) = tokio::join!(
        provider.regions(),
        provider.sizes(),
        provider.images(),
        provider.list_ssh_keys(),
        provider.list_zones()
    );
    let with = |what: &str, e: ProviderError| {
        let e = Error::from(e);
        Error {
            message: format!("The {what} could not be loaded: {}", e.message),
            ..e
        }
    };
    Ok(CreateFormData {
        account_id: account.id.clone(),
        provider: account.provider,
        simulated: account.simulated,
        regions: regions.map_err(|e| with("regions", e))?.to_vec(),
        sizes: sizes.map_err(|e| with("plans", e))?.to_vec(),
        images: images.map_err(|e| with("images", e))?.to_vec(),
        ssh_keys: ssh_keys.map_err(|e| with("SSH keys", e))?,
        zones: zones.map_err(|e| with("DNS zones", e))?,
        machine_types: fleet.machine_types()?.into_keys().collect(),
        defaults: account.defaults.clone(),
    })
}

/// The cloud-config a machine of `machine_type` would get, with these public keys.
pub fn preview_cloud_config(
    fleet: &Fleet,
    machine_type: &str,
    ssh_public_keys: &[String],
    fqdn: Option<&str>,
) -> Result<String> {
    let types = fleet.machine_types()?;
    let Some(t) = types.get(machine_type) else {
        return Err(Error::not_found(format!(
            "Machine type `{machine_type}` is not configured."
        )));
    };
    Ok(user_data(&UserDataRequest {
        type_name: machine_type,
        machine_type: t,
        ssh_public_keys,
        fqdn: fqdn.filter(|f| !f.is_empty()),
    })?)
}

/// What the Create form submits.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CreateRequest {
    pub account_id: String,
    pub name: String,
    pub region: String,
    pub size: String,
    pub image: String,
    /// Create from this snapshot ([`Snapshot::id`](crate::provider::Snapshot::id)) instead of
    /// `image`.
    #[serde(default)]
    pub snapshot: Option<String>,
    /// SSH key names.
    pub ssh_keys: Vec<String>,
    /// Machine type; with one, the machine is set up from it (cloud-config) and the create
    /// waits for its cloud-init.
    pub machine_type: Option<String>,
    /// Create `<name>.<zone>` in this zone.
    pub dns_zone: Option<String>,
    pub extra_tag: Option<String>,
    /// Create even if a machine of this name exists or `name.zone` has records: the person
    /// saw the warning and went on.
    #[serde(default)]
    pub allow_duplicate: bool,
}

impl CreateRequest {
    /// The create use case's options for this request on an account with `defaults`.
    pub fn options(&self, defaults: &AccountDefaults, cloud_init: CloudInitWait) -> CreateOptions {
        let dns_zone = self.dns_zone.clone().filter(|z| !z.trim().is_empty());
        CreateOptions {
            name: self.name.trim().to_owned(),
            region: self.region.clone(),
            size: self.size.clone(),
            image: match self.snapshot.as_deref().map(str::trim) {
                Some(id) if !id.is_empty() => ImageRef::Snapshot(id.to_owned()),
                _ => ImageRef::Image(self.image.clone()),
            },
            ssh_keys: self.ssh_keys.clone(),
            update_dns: dns_zone.is_some(),
            dns_zone,
            project: defaults.project.clone(),
            machine_type: self.machine_type.clone(),
            initialize: self.machine_type.is_some(),
            extra_tag: self
                .extra_tag
                .as_ref()
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty()),
            allow_duplicate: self.allow_duplicate,
            wait_for_ip: true,
            poll: PollPolicy::default(),
            cloud_init: Some(cloud_init),
        }
    }
}

/// Creates a machine for `request`, streaming each step to `progress`, and waits for its
/// cloud-init. `Err` means nothing was created; `Ok` says what exists, what did not happen,
/// whether cloud-init finished and whether the person cancelled.
pub async fn create(
    fleet: &Fleet,
    request: &CreateRequest,
    cloud_init: CloudInitWait,
    progress: ProgressSink<'_, CreateProgress>,
    cancel: &CancellationToken,
) -> Result<CreateOutcome> {
    let (account, client) = fleet.client(&request.account_id)?;
    let machine_types = fleet.machine_types()?;
    let ctx = CreateContext {
        session: fleet.session()?,
        machine_types: &machine_types,
    };
    let opts = request.options(&account.defaults, cloud_init);
    create::create_machine(client.as_ref(), &ctx, &opts, progress, cancel).await
}
