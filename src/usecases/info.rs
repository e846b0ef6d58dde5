//! Account information and the version (which needs no settings at all).

use serde::Serialize;

use crate::error::Result;
use crate::provider::{AccountInfo, CloudProvider};

/// The version of Hangar.
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// What `info` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Info {
    pub account: AccountInfo,
    pub session_id: String,
    pub version: String,
}

/// The account behind the token, the session and the version.
pub async fn info(provider: &dyn CloudProvider, session_id: &str) -> Result<Info> {
    Ok(Info {
        account: provider.account().await?,
        session_id: session_id.to_string(),
        version: version(),
    })
}
