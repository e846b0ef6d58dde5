//! What every provider client is built from: an account's token, an optional base URL and
//! the client options, resolved into a shared HTTP client and catalog caches.
//!
//! A provider implements [`ProviderClient`] (its kind, public URL, override variable and
//! how to assemble itself from [`ClientParts`]); [`ProviderConfig`] does the rest, so
//! `DigitalOceanConfig` and `VultrConfig` are this one type.

use std::fmt;
use std::marker::PhantomData;

use secrecy::SecretString;

use super::{ClientOptions, HttpClient, resolve_base_url};
use crate::provider::{Image, ProviderKind, Region, Result, Size, TtlCache};
use crate::providers::registry::ProviderAbout;

/// A provider client that can be built from a [`ProviderConfig`].
pub trait ProviderClient: Sized {
    const KIND: ProviderKind;
    /// The public API.
    const DEFAULT_BASE_URL: &'static str;
    /// Environment variable that overrides [`Self::DEFAULT_BASE_URL`] when an account sets
    /// no base URL.
    const BASE_URL_ENV: &'static str;
    /// What the front ends show about the provider (see the registry).
    const ABOUT: ProviderAbout;

    fn from_parts(parts: ClientParts) -> Self;
}

/// The pieces a provider client is made of.
#[derive(Debug)]
pub struct ClientParts {
    pub http: HttpClient,
    pub options: ClientOptions,
    pub catalogs: Catalogs,
}

/// In-memory caches of the catalogs the create form reads, each with the options' TTL.
#[derive(Debug)]
pub struct Catalogs {
    pub regions: TtlCache<Vec<Region>>,
    pub sizes: TtlCache<Vec<Size>>,
    pub images: TtlCache<Vec<Image>>,
}

/// Configuration of one account of provider `P`.
pub struct ProviderConfig<P> {
    pub token: SecretString,
    /// `None`: the provider's environment variable, else its public API.
    pub base_url: Option<String>,
    pub options: ClientOptions,
    client: PhantomData<fn() -> P>,
}

impl<P: ProviderClient> ProviderConfig<P> {
    /// An account with this token and default settings.
    pub fn new(token: impl Into<String>) -> Self {
        Self {
            token: SecretString::from(token.into()),
            base_url: None,
            options: ClientOptions::default(),
            client: PhantomData,
        }
    }

    /// Talk to `url` instead of the public API.
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Retry, destroy and cache settings.
    pub fn with_options(mut self, options: ClientOptions) -> Self {
        self.options = options;
        self
    }

    /// The client.
    pub fn build(self) -> Result<P> {
        let base = resolve_base_url(
            self.base_url.as_deref(),
            P::BASE_URL_ENV,
            P::DEFAULT_BASE_URL,
        );
        let http = HttpClient::new(P::KIND, &base, self.token, self.options.retry.clone())?;
        let ttl = self.options.catalog_ttl;
        Ok(P::from_parts(ClientParts {
            http,
            options: self.options,
            catalogs: Catalogs {
                regions: TtlCache::new(ttl),
                sizes: TtlCache::new(ttl),
                images: TtlCache::new(ttl),
            },
        }))
    }
}

// Written out rather than derived: a derive would demand `P: Clone` and `P: Debug`.
impl<P> Clone for ProviderConfig<P> {
    fn clone(&self) -> Self {
        Self {
            token: self.token.clone(),
            base_url: self.base_url.clone(),
            options: self.options.clone(),
            client: PhantomData,
        }
    }
}

impl<P> fmt::Debug for ProviderConfig<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("token", &self.token)
            .field("base_url", &self.base_url)
            .field("options", &self.options)
            .finish()
    }
}
