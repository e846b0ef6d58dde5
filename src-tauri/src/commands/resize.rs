//! The detail view's resize and rebuild dialogs: the plans a machine can move to (with the
//! price difference and the provider's rules), the resize itself with its progress, and the
//! rebuild from an image or a snapshot.

use hangar::fleet::resize::{self, RebuiltView, ResizedView};
use hangar::provider::{ImageRef, RebuildRules};
use hangar::usecases::resize::{ResizeChoices, ResizeOpts};
use hangar::usecases::{RebuildProgress, ResizeProgress};
use tauri::ipc::Channel;

use super::Fleet;
use crate::error::AppResult;

/// The plans one machine can move to, cheapest first, each with its monthly price difference
/// and whether the provider accepts it.
#[tauri::command]
#[specta::specta]
pub async fn resize_options(
    state: Fleet<'_>,
    account_id: String,
    machine_id: String,
) -> AppResult<ResizeChoices> {
    let fleet = state.fleet().await?;
    Ok(resize::resize_options(&fleet, &account_id, &machine_id).await?)
}

/// Moves one machine to plan `size`; each step goes to `on_progress`.
#[tauri::command]
#[specta::specta]
pub async fn resize_machine(
    state: Fleet<'_>,
    account_id: String,
    machine_id: String,
    size: String,
    opts: ResizeOpts,
    on_progress: Channel<ResizeProgress>,
) -> AppResult<ResizedView> {
    let fleet = state.fleet().await?;
    // A closed window only stops the updates, not the resize.
    let send = |event: ResizeProgress| drop(on_progress.send(event));
    Ok(resize::resize(&fleet, &account_id, &machine_id, &size, opts, &send).await?)
}

/// What a rebuild keeps on the account's provider.
#[tauri::command]
#[specta::specta]
pub async fn rebuild_rules(state: Fleet<'_>, account_id: String) -> AppResult<RebuildRules> {
    let fleet = state.fleet().await?;
    Ok(resize::rebuild_rules(&fleet, &account_id)?)
}

/// Erases one machine and reinstalls it from `image`; each step goes to `on_progress`.
#[tauri::command]
#[specta::specta]
pub async fn rebuild_machine(
    state: Fleet<'_>,
    account_id: String,
    machine_id: String,
    image: ImageRef,
    on_progress: Channel<RebuildProgress>,
) -> AppResult<RebuiltView> {
    let fleet = state.fleet().await?;
    let send = |event: RebuildProgress| drop(on_progress.send(event));
    Ok(resize::rebuild(&fleet, &account_id, &machine_id, &image, &send).await?)
}
