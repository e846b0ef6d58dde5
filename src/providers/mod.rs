//! One module per cloud, and the HTTP plumbing they share.
//!
//! Each cloud has a config (token, optional base URL, [`http::ClientOptions`]) whose `build()`
//! returns a client implementing [`CloudProvider`](crate::provider::CloudProvider).

pub mod digitalocean;
pub mod http;
pub mod linode;
pub mod registry;
pub mod vultr;

pub use registry::{ProviderAbout, ProviderEntry, connect, provider_list};

#[cfg(test)]
mod spec_examples;
