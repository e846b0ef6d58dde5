//! The Machines screen: the list across accounts (each account streamed as it answers),
//! refreshing machines in transition, cloud-init checks, power, the SSH command, destroy;
//! and one machine's detail view: its detail, rename, tags, protection; bulk actions on a
//! selection.

use hangar::fleet::bulk::{self, BulkAction, BulkResults};
use hangar::fleet::destroy::{self, DestroyEvent, DestroyPreviews, DestroyResults};
use hangar::fleet::machines::{
    self, MachineChecks, MachineListing, MachineRefs, MachineView, Refreshes,
};
use hangar::fleet::manage::{self, MachineDetail, RenamedView};
use hangar::provider::PowerAction;
use hangar::usecases::destroy::ExtraRecord;
use hangar::usecases::ssh::SshTarget;
use tauri::ipc::Channel;

use super::Fleet;
use crate::error::AppResult;

/// Every machine of every account. Each account's machines go to `on_account` (as a
/// listing of that one account) as soon as it answers; all of them are returned at the end.
#[tauri::command]
#[specta::specta]
pub async fn list_machines(
    state: Fleet<'_>,
    on_account: Channel<MachineListing>,
) -> AppResult<MachineListing> {
    let fleet = state.fleet().await?;
    // A closed window only stops the updates.
    let send = |listing: MachineListing| drop(on_account.send(listing));
    Ok(machines::list_streamed(&fleet, &send).await)
}

/// Gets just the machines asked for (all at once), e.g. those in transition.
#[tauri::command]
#[specta::specta]
pub async fn refresh_machines(state: Fleet<'_>, targets: Vec<MachineRefs>) -> AppResult<Refreshes> {
    Ok(machines::refresh(&*state.fleet().await?, targets).await)
}

/// Each machine's cloud-init check (`UNKNOWN` when the machine cannot be asked), every
/// account at once.
#[tauri::command]
#[specta::specta]
pub async fn machine_checks(state: Fleet<'_>) -> AppResult<MachineChecks> {
    Ok(machines::checks(&*state.fleet().await?, &hangar::fleet::ignore_each).await)
}

/// Power on, power off or reboot one machine; returns it as it is afterwards.
#[tauri::command]
#[specta::specta]
pub async fn power_machine(
    state: Fleet<'_>,
    account_id: String,
    machine_id: String,
    action: PowerAction,
) -> AppResult<MachineView> {
    let fleet = state.fleet().await?;
    Ok(machines::power(&fleet, &account_id, &machine_id, action).await?)
}

/// The `ssh user@host` to reach one machine.
#[tauri::command]
#[specta::specta]
pub async fn ssh_target(
    state: Fleet<'_>,
    account_id: String,
    machine_id: String,
) -> AppResult<SshTarget> {
    let fleet = state.fleet().await?;
    Ok(machines::ssh_target(&fleet, &account_id, &machine_id).await?)
}

/// One machine's detail: plan, cost so far, cloud-init, and the DNS records of every account
/// that point at it.
#[tauri::command]
#[specta::specta]
pub async fn machine_detail(
    state: Fleet<'_>,
    account_id: String,
    machine_id: String,
) -> AppResult<MachineDetail> {
    let fleet = state.fleet().await?;
    Ok(manage::detail(&fleet, &account_id, &machine_id).await?)
}

/// Renames one machine, and with `with_records` its own DNS records too.
#[tauri::command]
#[specta::specta]
pub async fn rename_machine(
    state: Fleet<'_>,
    account_id: String,
    machine_id: String,
    name: String,
    with_records: bool,
    allow_duplicate: bool,
) -> AppResult<RenamedView> {
    let fleet = state.fleet().await?;
    let (account, machine) = (&account_id, &machine_id);
    Ok(manage::rename(
        &fleet,
        account,
        machine,
        &name,
        with_records,
        allow_duplicate,
    )
    .await?)
}

/// Adds and removes the user's own tags of one machine.
#[tauri::command]
#[specta::specta]
pub async fn change_tags(
    state: Fleet<'_>,
    account_id: String,
    machine_id: String,
    add: Vec<String>,
    remove: Vec<String>,
) -> AppResult<MachineView> {
    let fleet = state.fleet().await?;
    Ok(manage::change_tags(&fleet, &account_id, &machine_id, &add, &remove).await?)
}

/// Turns one machine's protection against deletion on or off.
#[tauri::command]
#[specta::specta]
pub async fn set_protection(
    state: Fleet<'_>,
    account_id: String,
    machine_id: String,
    on: bool,
) -> AppResult<MachineView> {
    let fleet = state.fleet().await?;
    Ok(manage::set_protection(&fleet, &account_id, &machine_id, on).await?)
}

/// Runs one power, tag or protection action on several machines, each with its outcome.
#[tauri::command]
#[specta::specta]
pub async fn bulk_action(
    state: Fleet<'_>,
    targets: Vec<MachineRefs>,
    action: BulkAction,
) -> AppResult<BulkResults> {
    let fleet = state.fleet().await?;
    Ok(bulk::run(&fleet, targets, &action).await?)
}

/// What destroying these machines would do: their DNS records and refusals. Deletes nothing.
#[tauri::command]
#[specta::specta]
pub async fn preview_destroy(
    state: Fleet<'_>,
    targets: Vec<MachineRefs>,
    all: bool,
) -> AppResult<DestroyPreviews> {
    Ok(destroy::preview(&*state.fleet().await?, targets, all).await)
}

/// Destroys machines and their DNS records, and the `extra` records chosen in the dialog;
/// every step goes to `on_progress`.
#[tauri::command]
#[specta::specta]
pub async fn destroy_machines(
    state: Fleet<'_>,
    targets: Vec<MachineRefs>,
    all: bool,
    extra: Vec<ExtraRecord>,
    on_progress: Channel<DestroyEvent>,
) -> AppResult<DestroyResults> {
    let fleet = state.fleet().await?;
    // A closed window only stops the updates, not the destroy.
    let send = |event: DestroyEvent| drop(on_progress.send(event));
    let each = hangar::fleet::ignore_each;
    Ok(destroy::destroy(&fleet, targets, all, extra, &send, &each).await)
}
