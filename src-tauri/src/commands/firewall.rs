//! The detail view's firewall dialog: this computer's address, the provider's note and the
//! machine's grants; allowing SSH for a while; revoking a grant. The expired grants are swept
//! by the core's sweeper, which the app starts (see `crate::run`).

use std::time::Duration;

use hangar::fleet::firewall::{self, FirewallPanel, GrantView, MyIpSetting};

use super::Fleet;
use crate::error::AppResult;

/// What the firewall dialog of one machine shows.
#[tauri::command]
#[specta::specta]
pub async fn firewall_panel(
    state: Fleet<'_>,
    account_id: String,
    machine_id: String,
) -> AppResult<FirewallPanel> {
    let fleet = state.fleet().await?;
    Ok(firewall::panel(&fleet, &account_id, &machine_id).await?)
}

/// Lets SSH reach one machine from this computer's public address for `minutes`.
#[tauri::command]
#[specta::specta]
pub async fn firewall_allow_me(
    state: Fleet<'_>,
    account_id: String,
    machine_id: String,
    minutes: u32,
) -> AppResult<GrantView> {
    let fleet = state.fleet().await?;
    let duration = Duration::from_secs(u64::from(minutes) * 60);
    Ok(firewall::allow_me(&fleet, &account_id, &machine_id, duration, None).await?)
}

/// Removes one grant.
#[tauri::command]
#[specta::specta]
pub async fn firewall_revoke(
    state: Fleet<'_>,
    account_id: String,
    grant_id: String,
) -> AppResult<GrantView> {
    let fleet = state.fleet().await?;
    Ok(firewall::revoke(&fleet, &account_id, &grant_id).await?)
}

/// The "what is my IP" URL of the Settings screen.
#[tauri::command]
#[specta::specta]
pub async fn my_ip_setting(state: Fleet<'_>) -> AppResult<MyIpSetting> {
    Ok(firewall::my_ip_setting(&state.settings_file()?).await?)
}

/// Saves the "what is my IP" URL (empty: the default).
#[tauri::command]
#[specta::specta]
pub async fn set_my_ip_url(state: Fleet<'_>, url: String) -> AppResult<MyIpSetting> {
    let _change = state.change().await;
    Ok(firewall::set_my_ip_url(&state.settings_file()?, &url).await?)
}
