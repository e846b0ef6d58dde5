//! The one error type the desktop shell returns to the web view.
//!
//! Every command returns `Result<T, AppError>`. It serializes as
//! `{ "kind": "...", "message": "..." }`, so the UI can switch on `kind` and show
//! `message`, which is written for a person to act on.

use serde::Serialize;

#[derive(Debug, thiserror::Error, Serialize, specta::Type)]
#[serde(tag = "kind", content = "message", rename_all = "camelCase")]
pub enum AppError {
    /// Something inside Hangar failed that the user cannot fix by changing input.
    #[error("{0}")]
    Internal(String),
}
