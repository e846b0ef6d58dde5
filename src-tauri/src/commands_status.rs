//! The machines' cloud-init status, per account, through the core status use case (which
//! sends the checks through the account's status proxy when it has one; the demo cloud's
//! accounts do).

use hangar::session::SessionId;
use hangar::usecases::list::ListFilter;
use hangar::usecases::status::{self, MachineStatusReport, StatusOptions};
use tauri::State;

use crate::error::AppError;
use crate::state::AppState;

/// Provider status and cloud-init status of every machine of the account `account_id`
/// (`UNKNOWN` where the machine cannot be asked).
#[tauri::command]
#[specta::specta]
pub async fn machine_status(
    state: State<'_, AppState>,
    account_id: String,
) -> Result<Vec<MachineStatusReport>, AppError> {
    let fleet = state
        .fleet()
        .await
        .ok_or_else(|| AppError::new(hangar::ErrorKind::Cancelled, "Hangar is shutting down."))?;
    let account = fleet
        .accounts
        .iter()
        .find(|a| a.id == account_id)
        .ok_or_else(|| {
            AppError::new(
                hangar::ErrorKind::NotFound,
                format!("no account with id {account_id}"),
            )
        })?;
    let client = account
        .client
        .clone()
        .map_err(|e| AppError::new(hangar::ErrorKind::Config, e))?;
    let session: SessionId = fleet
        .session_id
        .as_deref()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(SessionId::generate);
    let opts = StatusOptions {
        filter: ListFilter {
            all: true,
            ..ListFilter::default()
        },
        ..StatusOptions::default()
    };
    Ok(status::machine_status(client.as_ref(), &session, &opts).await?)
}
