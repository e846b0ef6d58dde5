//! The one list of the clouds Hangar speaks.
//!
//! [`registry!`] below names each provider once: its [`ProviderKind`] variant, the slug it is
//! serialized as (settings file, UI, CLI), and its client type. From that line come the
//! `ProviderKind` enum, [`ProviderKind::ALL`], the provider's [`ProviderAbout`] (display name,
//! `machine` config section, token key and help, static capabilities, which the client type
//! declares in its [`ProviderClient`] impl) and [`connect`], the one function every account
//! (configured, imported, tested or simulated by the demo cloud) gets its client from.

use std::fmt;
use std::sync::Arc;

use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use super::http::{ClientOptions, ProviderClient, ProviderConfig};
use super::{digitalocean, linode, vultr};
use crate::provider::{CloudProvider, ProviderError};
use crate::secrets::Token;

/// What every front end may show about a provider before any account of it exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ProviderAbout {
    /// The name people know the cloud by ("DigitalOcean").
    pub display_name: &'static str,
    /// The section of a `machine` config file that configures it (`digital-ocean`).
    pub config_section: &'static str,
    /// The key of that section that holds the API token (`access-token`).
    pub config_key: &'static str,
    /// Where a person creates an API token (the provider console page).
    pub access_url: &'static str,
    /// One sentence on which token to create.
    pub access_help: &'static str,
    /// Machines can be assigned to projects.
    pub projects: bool,
    /// CAA records keep their flags (Linode's records have no flags field: flags are 0).
    pub dns_caa_flags: bool,
}

/// Declares the providers. Each line: `Variant = "slug" => client type`.
macro_rules! registry {
    ($($variant:ident = $slug:literal => $client:ty),+ $(,)?) => {
        /// The clouds Hangar knows. Serialized as their slug (`digitalocean`, `vultr`, `linode`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
        pub enum ProviderKind {
            $(#[serde(rename = $slug)] $variant,)+
        }

        impl ProviderKind {
            /// Every provider, in the registry's order.
            pub const ALL: [ProviderKind; [$($slug),+].len()] = [$(ProviderKind::$variant),+];

            /// The serialized name (`digitalocean`).
            pub fn slug(self) -> &'static str {
                match self {
                    $(Self::$variant => $slug,)+
                }
            }

            /// What the provider's client declares about it.
            pub fn about(self) -> &'static ProviderAbout {
                match self {
                    $(Self::$variant => &<$client as ProviderClient>::ABOUT,)+
                }
            }
        }

        /// A client for `kind` with `token`, talking to `base_url` (else the provider's
        /// environment variable, else its public API).
        pub fn connect(
            kind: ProviderKind,
            token: &Token,
            base_url: Option<&str>,
            options: ClientOptions,
        ) -> Result<Arc<dyn CloudProvider>, ProviderError> {
            match kind {
                $(ProviderKind::$variant => {
                    Ok(Arc::new(build::<$client>(token, base_url, options)?))
                })+
            }
        }
    };
}

registry! {
    DigitalOcean = "digitalocean" => digitalocean::DigitalOcean,
    Vultr = "vultr" => vultr::Vultr,
    Linode = "linode" => linode::Linode,
}

fn build<P: ProviderClient>(
    token: &Token,
    base_url: Option<&str>,
    options: ClientOptions,
) -> Result<P, ProviderError> {
    let mut config = ProviderConfig::<P>::new(token.expose_secret()).with_options(options);
    if let Some(url) = base_url {
        config = config.with_base_url(url);
    }
    config.build()
}

impl ProviderKind {
    /// The name people know the cloud by.
    pub fn display_name(self) -> &'static str {
        self.about().display_name
    }

    /// The provider serialized as `slug` (`digitalocean`); the emulator names its APIs so too.
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == slug)
    }

    /// The provider whose `machine` config section is `section`.
    pub fn from_config_section(section: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.about().config_section == section)
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

/// One provider as the front ends list it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ProviderEntry {
    pub kind: ProviderKind,
    #[serde(flatten)]
    pub about: ProviderAbout,
}

/// Every provider with what is known about it, in the registry's order.
pub fn provider_list() -> Vec<ProviderEntry> {
    ProviderKind::ALL
        .into_iter()
        .map(|kind| ProviderEntry {
            kind,
            about: *kind.about(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip_through_serde_and_sections_are_unique() {
        for kind in ProviderKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.slug()));
            assert_eq!(serde_json::from_str::<ProviderKind>(&json).unwrap(), kind);
            assert_eq!(
                ProviderKind::from_config_section(kind.about().config_section),
                Some(kind)
            );
            assert!(kind.about().access_url.starts_with("https://"));
        }
        assert_eq!(ProviderKind::from_config_section("nope"), None);
    }
}
