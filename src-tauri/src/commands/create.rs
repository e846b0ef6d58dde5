//! The Create machine screen: the form's data, the cloud-config preview, the create itself
//! (each step streamed, cancellable, cloud-init waited for), clean-up of what a half-made
//! create left, and saving an account's defaults.

use hangar::accounts::AccountDefaults;
use hangar::fleet::account_settings;
use hangar::fleet::create::{self, CreateFormData, CreateRequest};
use hangar::fleet::destroy;
use hangar::usecases::CreateProgress;
use hangar::usecases::create::{CloudInitWait, CreateOutcome};
use hangar::usecases::destroy::DestroyedMachine;
use tauri::ipc::Channel;

use super::Fleet;
use crate::error::AppResult;

/// The account's regions, plans, images, SSH keys and DNS zones (in one concurrent round),
/// the machine types and the account's defaults.
#[tauri::command]
#[specta::specta]
pub async fn create_form_data(state: Fleet<'_>, account_id: String) -> AppResult<CreateFormData> {
    Ok(create::form_data(&*state.fleet().await?, &account_id).await?)
}

/// The cloud-config a machine of `machine_type` would get, with these public keys.
#[tauri::command]
#[specta::specta]
pub async fn preview_cloud_config(
    state: Fleet<'_>,
    machine_type: String,
    ssh_public_keys: Vec<String>,
    fqdn: Option<String>,
) -> AppResult<String> {
    let fleet = state.fleet().await?;
    Ok(create::preview_cloud_config(
        &fleet,
        &machine_type,
        &ssh_public_keys,
        fqdn.as_deref(),
    )?)
}

/// Creates a machine, streaming each step to `on_event`, and waits for its cloud-init.
/// `Err` means nothing was created; `Ok` says what exists, what did not happen, and whether
/// the person cancelled (with `cancel_create(operation_id)`).
#[tauri::command]
#[specta::specta]
pub async fn create_machine(
    state: Fleet<'_>,
    operation_id: String,
    request: CreateRequest,
    on_event: Channel<CreateProgress>,
) -> AppResult<CreateOutcome> {
    let fleet = state.fleet().await?;
    let operation = state.operations().start(&operation_id)?;
    let send = |event: CreateProgress| drop(on_event.send(event));
    let wait = CloudInitWait::default();
    Ok(create::create(&fleet, &request, wait, &send, operation.token()).await?)
}

/// Cancels the create `operation_id`: before the machine exists nothing is created; after,
/// waiting stops and the result says what exists. `false` when no such create is running.
#[tauri::command]
#[specta::specta]
pub fn cancel_create(state: Fleet<'_>, operation_id: String) -> bool {
    state.operations().cancel(&operation_id)
}

/// Destroys a machine a create left behind, and its DNS record in `dns_zone`.
#[tauri::command]
#[specta::specta]
pub async fn clean_up_created(
    state: Fleet<'_>,
    account_id: String,
    machine_id: String,
    dns_zone: Option<String>,
) -> AppResult<DestroyedMachine> {
    let fleet = state.fleet().await?;
    Ok(destroy::clean_up(&fleet, &account_id, &machine_id, dns_zone).await?)
}

/// Saves an account's defaults after checking them with the create's own pre-flight checks,
/// then reloads the accounts so the next create uses them.
#[tauri::command]
#[specta::specta]
pub async fn save_account_defaults(
    state: Fleet<'_>,
    account_id: String,
    defaults: AccountDefaults,
) -> AppResult<AccountDefaults> {
    let fleet = state.fleet().await?;
    let _change = state.change().await;
    let file = state.settings_file()?;
    let saved = account_settings::save_defaults(&fleet, &file, &account_id, defaults).await?;
    state.load().await;
    Ok(saved)
}
