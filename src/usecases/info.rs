//! What `info` shows: where the configuration and the session id come from, the provider,
//! the machine types and the version. It is read from the configuration alone, so it works
//! offline, and it holds no secret.

use serde::Serialize;

use crate::provider::ProviderKind;

/// The version of Hangar.
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// What `info` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Info {
    /// The config file read (a `machine` config, or Hangar's settings).
    pub config_file: String,
    /// Where the session id is kept.
    pub session_id_file: String,
    pub session_id: String,
    /// The provider names a `machine` config may use (`digital-ocean`, `vultr`).
    pub supported_providers: Vec<String>,
    /// The provider in use, named as in a `machine` config (`digital-ocean`).
    pub active_provider: String,
    /// The account's label.
    pub account: String,
    pub machine_types: Vec<String>,
    pub version: String,
}

/// The facts `info` reports, for the account of `provider`.
pub fn info(
    config_file: String,
    session_id_file: String,
    session_id: &str,
    provider: ProviderKind,
    account: &str,
    machine_types: Vec<String>,
) -> Info {
    Info {
        config_file,
        session_id_file,
        session_id: session_id.to_owned(),
        supported_providers: ProviderKind::ALL
            .iter()
            .map(|k| k.about().config_section.to_owned())
            .collect(),
        active_provider: provider.about().config_section.to_owned(),
        account: account.to_owned(),
        machine_types,
        version: version(),
    }
}
