//! [`Error`]: the one error type the use cases (and so the desktop app and the CLI) return.
//!
//! It wraps the lower layers' errors ([`ProviderError`], [`ConfigError`]) and adds what only the
//! use cases know (a refused destroy, a cancelled create, a pre-flight that found bad values).
//! The UI sees `{kind, message}`; the CLI prints the message, and with `--debug` the detail.
//! No variant ever holds a token: the layers below never put one in their messages.

use serde::Serialize;

use crate::config_error::{ConfigError, ConfigErrorKind};
use crate::provider::ProviderError;

/// What kind of failure, for a caller that switches on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// The provider rejected the credentials (401/403).
    Auth,
    /// A resource (machine, zone, record, account, machine type) does not exist.
    NotFound,
    /// Input is not acceptable; nothing was sent, or the provider refused it.
    Validation,
    /// The provider is rate limiting the token.
    RateLimited,
    /// The provider failed (5xx) or answered something unreadable.
    Provider,
    /// The provider could not be reached.
    Network,
    /// The provider does not offer this (e.g. projects on Vultr).
    Unsupported,
    /// The OS keychain is unavailable or failed.
    Keychain,
    /// Local configuration (settings file, environment variables) is wrong.
    Config,
    /// The operation was cancelled.
    Cancelled,
    /// The operation refused to act (e.g. destroying a machine of another session).
    Refused,
    /// A delete was accepted but the machine is still there.
    StillExists,
    /// Part of the work was done; the message says what exists.
    Partial,
    /// A machine or DNS record of that name exists already; the caller may create anyway.
    Duplicate,
}

/// An error of a use case: a kind and a message a person can act on.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    /// The underlying error, as its `Debug` output, for `--debug` and logs. Not sent to the UI.
    #[serde(skip)]
    pub detail: Option<String>,
}

/// Result alias of the use cases.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            detail: None,
        }
    }

    /// Input that is not acceptable.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Validation, message)
    }

    /// Something that does not exist.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    /// The operation refused to act.
    pub fn refused(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Refused, message)
    }

    /// The operation was cancelled.
    pub fn cancelled(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Cancelled, message)
    }
}

impl From<ProviderError> for Error {
    fn from(e: ProviderError) -> Self {
        let kind = match &e {
            ProviderError::Auth { .. } => ErrorKind::Auth,
            ProviderError::NotFound { .. } => ErrorKind::NotFound,
            ProviderError::Validation { .. } => ErrorKind::Validation,
            ProviderError::RateLimited { .. } => ErrorKind::RateLimited,
            ProviderError::Provider { .. }
            | ProviderError::Decode { .. }
            | ProviderError::ActionFailed { .. } => ErrorKind::Provider,
            ProviderError::Network { .. } => ErrorKind::Network,
            ProviderError::Unsupported { .. } => ErrorKind::Unsupported,
            ProviderError::StillExists { .. } => ErrorKind::StillExists,
        };
        Self {
            kind,
            message: e.to_string(),
            detail: Some(format!("{e:?}")),
        }
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        let kind = match e.kind() {
            ConfigErrorKind::KeychainUnavailable | ConfigErrorKind::Keychain => ErrorKind::Keychain,
            ConfigErrorKind::NotFound => ErrorKind::NotFound,
            ConfigErrorKind::Invalid => ErrorKind::Validation,
            ConfigErrorKind::Io | ConfigErrorKind::Malformed | ConfigErrorKind::EnvVar => {
                ErrorKind::Config
            }
        };
        Self {
            kind,
            message: e.to_string(),
            detail: Some(format!("{e:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::ProviderKind;

    #[test]
    fn serializes_as_kind_and_message_only() {
        let e = Error::from(ProviderError::Auth {
            provider: ProviderKind::Vultr,
            status: 401,
            message: "Invalid API token.".into(),
        });
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["kind"], "auth");
        assert!(v["message"].as_str().unwrap().contains("check the token"));
        assert_eq!(v.as_object().unwrap().len(), 2);
    }

    #[test]
    fn config_errors_keep_their_category() {
        let e = Error::from(ConfigError::EnvVarUnset {
            var: "DO_TOKEN".into(),
            key: "token".into(),
        });
        assert_eq!(e.kind, ErrorKind::Config);
    }
}
