//! The one error type of the provider layer.
//!
//! Every variant names the provider and carries a message a person can act on. Tokens never
//! appear here: the HTTP layer builds these errors from status codes and response bodies only,
//! and provider error bodies do not echo the `Authorization` header.

use serde::Serialize;

use super::types::ProviderKind;

/// What went wrong when talking to a cloud provider.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, specta::Type)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ProviderError {
    /// 401/403: the token is wrong, expired, lacks a scope, or is restricted to other addresses.
    #[error("{provider} rejected the credentials: check the token ({message})")]
    Auth {
        provider: ProviderKind,
        status: u16,
        message: String,
    },
    /// 404: the resource does not exist (any more).
    #[error("{provider}: {what} was not found ({message})")]
    NotFound {
        provider: ProviderKind,
        what: String,
        message: String,
    },
    /// 400/422, or input this client refuses before sending: the provider's own message.
    #[error("{provider} refused the request: {message}")]
    Validation {
        provider: ProviderKind,
        message: String,
    },
    /// 429 after every retry, or a wait longer than the client is willing to block.
    #[error(
        "{provider} is rate limiting this token: try again {}",
        retry_after_secs.map(|s| format!("in {s} s")).unwrap_or_else(|| "later".into())
    )]
    RateLimited {
        provider: ProviderKind,
        retry_after_secs: Option<u64>,
    },
    /// 5xx after every retry (or on a request that is unsafe to repeat).
    #[error("{provider} had a server error (HTTP {status}): {message}")]
    Provider {
        provider: ProviderKind,
        status: u16,
        message: String,
    },
    /// The provider could not be reached, or the connection failed or timed out.
    #[error("could not reach {provider}: {message}")]
    Network {
        provider: ProviderKind,
        message: String,
    },
    /// The provider does not offer this capability (e.g. projects on Vultr).
    #[error("{provider} does not support {capability}")]
    Unsupported {
        provider: ProviderKind,
        capability: String,
    },
    /// The provider answered with a body this client cannot read.
    #[error("{provider} sent a response this version of Hangar cannot read: {message}")]
    Decode {
        provider: ProviderKind,
        message: String,
    },
    /// The provider accepted a delete, but the machine is still there after every retry.
    #[error(
        "{provider} accepted the delete of machine {id}, but it still exists: it is still billed; \
         destroy it again or remove it in the provider's console"
    )]
    StillExists { provider: ProviderKind, id: String },
    /// An action the provider runs in the background (a rename, later a resize or a snapshot)
    /// ended in error, or was still running at the deadline.
    #[error("{provider} did not finish the {action} of machine {id}: {message}")]
    ActionFailed {
        provider: ProviderKind,
        id: String,
        action: String,
        message: String,
    },
}

impl ProviderError {
    /// The provider the error came from.
    pub fn provider(&self) -> ProviderKind {
        match self {
            Self::Auth { provider, .. }
            | Self::NotFound { provider, .. }
            | Self::Validation { provider, .. }
            | Self::RateLimited { provider, .. }
            | Self::Provider { provider, .. }
            | Self::Network { provider, .. }
            | Self::Unsupported { provider, .. }
            | Self::Decode { provider, .. }
            | Self::StillExists { provider, .. }
            | Self::ActionFailed { provider, .. } => *provider,
        }
    }

    /// True for `NotFound`.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }
}

/// Result alias of the provider layer.
pub type Result<T, E = ProviderError> = std::result::Result<T, E>;
