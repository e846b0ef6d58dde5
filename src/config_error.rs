//! The error type of Hangar's local configuration: settings file, keychain, accounts,
//! import from `machine`, and machine types.
//!
//! No variant ever carries a token: messages name files, keys, variables and accounts only.

use std::path::PathBuf;

use serde::Serialize;

/// What went wrong, as a category the UI can switch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ConfigErrorKind {
    /// A file could not be read or written.
    Io,
    /// A file is not valid (syntax, unknown key, wrong type).
    Malformed,
    /// An environment variable a value refers to is not set.
    EnvVar,
    /// No usable keychain on this system.
    KeychainUnavailable,
    /// The keychain refused or failed an operation.
    Keychain,
    /// A value is not acceptable (user name, URL, path, ...).
    Invalid,
    /// An account, machine type or file does not exist.
    NotFound,
}

/// What the UI receives for a [`ConfigError`]: its kind and its message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConfigErrorReport {
    pub kind: ConfigErrorKind,
    pub message: String,
}

impl From<&ConfigError> for ConfigErrorReport {
    fn from(e: &ConfigError) -> Self {
        Self {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}

/// An error from the local configuration layer.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A file that does not parse or does not have the expected shape. `message` names the
    /// line and the key where the parser could tell.
    #[error("{} is not valid: {message}", path.display())]
    Malformed {
        path: PathBuf,
        line: Option<usize>,
        key: Option<String>,
        message: String,
    },

    #[error(
        "`{key}` refers to the environment variable `{var}`, which is not set (set it, or write `${{{var}:-default}}`)"
    )]
    EnvVarUnset { var: String, key: String },

    #[error("`{key}`: {message}")]
    EnvVarSyntax { key: String, message: String },

    #[error(
        "no keychain is available ({store}: {detail}). Hangar keeps API tokens only in the \
         system keychain and never in plain text. {hint}"
    )]
    KeychainUnavailable {
        store: String,
        detail: String,
        hint: &'static str,
    },

    #[error("the keychain ({store}) failed: {detail}")]
    Keychain { store: String, detail: String },

    #[error("{field}: {message}")]
    Invalid { field: String, message: String },

    #[error("{what} `{name}` does not exist")]
    NotFound { what: &'static str, name: String },
}

impl ConfigError {
    pub fn kind(&self) -> ConfigErrorKind {
        match self {
            Self::Io { .. } => ConfigErrorKind::Io,
            Self::Malformed { .. } => ConfigErrorKind::Malformed,
            Self::EnvVarUnset { .. } | Self::EnvVarSyntax { .. } => ConfigErrorKind::EnvVar,
            Self::KeychainUnavailable { .. } => ConfigErrorKind::KeychainUnavailable,
            Self::Keychain { .. } => ConfigErrorKind::Keychain,
            Self::Invalid { .. } => ConfigErrorKind::Invalid,
            Self::NotFound { .. } => ConfigErrorKind::NotFound,
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
