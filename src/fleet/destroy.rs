//! Destroy across accounts: what would go (machines, their DNS records, refusals), the
//! destroy itself with each step streamed, and the clean-up of a half-made create.

use serde::Serialize;

use super::machines::MachineRefs;
use super::{Fleet, OnEach, PerAccount, dns};
use crate::error::{Error, ErrorKind, Result};
use crate::usecases::destroy::{
    self, DestroyOptions, DestroyPreview, DestroyedMachine, ExtraRecord,
};
use crate::usecases::{DestroyProgress, no_progress};

/// [`preview`]'s answer, per account.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DestroyPreviews {
    pub accounts: Vec<PerAccount<Vec<DestroyPreview>>>,
}

/// [`destroy`]'s answer, per account.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DestroyResults {
    pub accounts: Vec<PerAccount<Vec<DestroyedMachine>>>,
}

/// Per machine: the DNS records that would go with it, and why it would be refused (not
/// created by Hangar, or of another session) unless `all` is set. Deletes nothing.
pub async fn preview(fleet: &Fleet, targets: Vec<MachineRefs>, all: bool) -> DestroyPreviews {
    let session = fleet.session_or_none();
    let session = &session;
    let accounts = fleet
        .for_targets(
            MachineRefs::targets(targets),
            |account, client, ids| async move {
                let zones = dns::zones_to_search(account, client.as_ref()).await?;
                destroy::preview_destroy(client.as_ref(), session, &ids, all, &zones).await
            },
            &super::ignore_each,
        )
        .await;
    DestroyPreviews { accounts }
}

/// One step of a destroy, with the account it happened in.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DestroyEvent {
    pub account_id: String,
    pub step: DestroyProgress,
}

/// Destroys machines and their DNS records with the destroy use case (foreign machines are
/// refused unless `all`; the provider confirms each machine is gone). Accounts run at once;
/// every step goes to `on_step`, each account's result to `on_each`. `extra` are other
/// records (from the preview's `other_records`) to delete once their machine is gone.
pub async fn destroy(
    fleet: &Fleet,
    targets: Vec<MachineRefs>,
    all: bool,
    extra: Vec<ExtraRecord>,
    on_step: &(dyn Fn(DestroyEvent) + Send + Sync),
    on_each: OnEach<'_, Vec<DestroyedMachine>>,
) -> DestroyResults {
    let session = fleet.session_or_none();
    let session = &session;
    let extra = &extra;
    let accounts = fleet
        .for_targets(
            MachineRefs::targets(targets),
            |account, client, ids| async move {
                let sink = |step: DestroyProgress| {
                    on_step(DestroyEvent {
                        account_id: account.id.clone(),
                        step,
                    })
                };
                let zones = dns::zones_to_search(account, client.as_ref()).await?;
                let opts = DestroyOptions {
                    ids,
                    all,
                    delete_dns: true,
                    dns_zones: zones,
                    extra_records: extra.clone(),
                };
                destroy::destroy_machines(client.as_ref(), session, &opts, &sink).await
            },
            on_each,
        )
        .await;
    DestroyResults { accounts }
}

/// Destroys a machine a create left behind, and its DNS record in `dns_zone`.
pub async fn clean_up(
    fleet: &Fleet,
    account_id: &str,
    machine_id: &str,
    dns_zone: Option<String>,
) -> Result<DestroyedMachine> {
    let (_, client) = fleet.client(account_id)?;
    let zones: Vec<String> = dns_zone.into_iter().filter(|z| !z.is_empty()).collect();
    let opts = DestroyOptions {
        ids: vec![machine_id.to_owned()],
        all: false,
        delete_dns: !zones.is_empty(),
        dns_zones: zones,
        extra_records: Vec::new(),
    };
    let mut results =
        destroy::destroy_machines(client.as_ref(), fleet.session()?, &opts, &no_progress).await?;
    results.pop().ok_or_else(|| {
        Error::new(
            ErrorKind::Provider,
            format!("Destroying machine {machine_id} reported nothing."),
        )
    })
}
