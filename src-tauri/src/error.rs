//! The one error type the desktop shell returns to the web view.
//!
//! Every command returns `Result<T, AppError>`. It serializes as
//! `{ "kind": "...", "message": "..." }` with the core's kinds (`auth`, `notFound`,
//! `validation`, `rateLimited`, `provider`, `network`, `unsupported`, `keychain`, `config`,
//! ...), so the UI can switch on `kind` and show `message`, which is written for a person to
//! act on. The core's debug detail stays out of the web view.

use hangar::error::{Error, ErrorKind};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
}

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        Self {
            kind: e.kind,
            message: e.message,
        }
    }
}

/// The result of a command.
pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;
    use hangar::config_error::ConfigError;

    #[test]
    fn keeps_the_core_kind_and_message_and_drops_the_detail() {
        let e = AppError::from(Error::from(ConfigError::EnvVarUnset {
            var: "DO_TOKEN".into(),
            key: "token".into(),
        }));
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["kind"], "config");
        assert!(v["message"].as_str().unwrap().contains("DO_TOKEN"));
        assert_eq!(v.as_object().unwrap().len(), 2);
    }
}
