//! The one list of the provider APIs the emulator speaks.
//!
//! Each provider has two lines here: `mod <slug>;`, its folder `src/<slug>/`, and its entry in
//! [`emulated_providers!`] below, which names its [`EmulatedProvider`] variant, its slug (its
//! name in the request log, on the command line, and its folder's and seed section's name)
//! and, in its folder, the type implementing [`EmulatedApi`](crate::api::EmulatedApi) and its
//! seed section's type. From that entry come the `EmulatedProvider` variant,
//! [`EmulatedProvider::ALL`], the provider's field of [`Seed`] (the YAML section named by the
//! slug), its part of [`Seed::builtin`], the re-export of its seed types at the crate root,
//! and the mapping from the variant to the implementation that the shared code (server,
//! faults, state, status proxy, binary) reaches it through. Nothing outside this file and the
//! provider's folder matches on `EmulatedProvider`.
//!
//! This file is loaded with `#[path]` from `lib.rs`, so the folders it declares are
//! `src/<slug>/`, beside it. (The `mod` lines stay outside the macro so that `cargo fmt`
//! follows them.)

use serde::{Deserialize, Serialize};

use crate::api::{DynApi, EmulatedApi, Plugged};

/// What the registry line gives a provider's implementation: its variant and where its part
/// of the seed is.
pub trait Registered: EmulatedApi {
    const PROVIDER: EmulatedProvider;

    /// This provider's section of `seed`.
    fn section(seed: &Seed) -> &Self::Seed;
}

/// Declares the providers. Each line: `Variant = "slug" => folder::{ApiType, SeedType}`. The
/// slug is the folder's name; the folder `src/<folder>/` has `ApiType` (implementing
/// [`EmulatedApi`]) and a module `seed` holding `SeedType` (its section of [`Seed`]) and its
/// other public seed types.
macro_rules! emulated_providers {
    ($($variant:ident = $slug:literal => $folder:ident :: { $api:ident, $seed:ident }),+ $(,)?) => {
        /// The provider APIs the emulator speaks. Serialized as their slug (`digitalocean`,
        /// `vultr`).
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        pub enum EmulatedProvider {
            $(#[serde(rename = $slug)] $variant,)+
        }

        impl EmulatedProvider {
            /// How many providers there are.
            pub(crate) const COUNT: usize = [$($slug),+].len();

            /// Every provider, in the registry's order.
            pub const ALL: [EmulatedProvider; Self::COUNT] = [$(EmulatedProvider::$variant),+];

            /// A short lowercase name: `digitalocean`, `vultr`, …
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $slug,)+
                }
            }

            /// The provider's implementation, for the shared code.
            pub(crate) fn api(self) -> &'static dyn DynApi {
                match self {
                    $(Self::$variant => &Plugged::<$folder::$api>::NEW,)+
                }
            }
        }

        // The slug is the folder's name, so the seed section is named like the provider.
        $(const _: () = assert!(
            same_str($slug, stringify!($folder)),
            concat!("the slug \"", $slug, "\" is not the folder's name")
        );)+

        $(
            impl Registered for $folder::$api {
                const PROVIDER: EmulatedProvider = EmulatedProvider::$variant;

                fn section(seed: &Seed) -> &$folder::seed::$seed {
                    &seed.$folder
                }
            }
        )+

        /// Everything an emulator starts with: one section per provider, named like its
        /// folder (`digitalocean:`, `vultr:`). Every section may be left out (see
        /// [`Seed::from_yaml_str`]).
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct Seed {
            $(
                #[doc = concat!("The ", $slug, " section.")]
                pub $folder: $folder::seed::$seed,
            )+
        }

        impl Seed {
            /// The built-in seed: each provider's real catalogs and a few resources (one SSH
            /// key, one DNS zone, a couple of machines; a default project on DigitalOcean).
            pub fn builtin() -> Seed {
                Seed {
                    $($folder: <$folder::$api as EmulatedApi>::builtin_seed(),)+
                }
            }

            /// Adds `key` to the SSH keys of every provider's account.
            pub fn add_ssh_key(&mut self, key: &crate::seed::SshKeySeed) {
                $(self.$folder.ssh_keys.push(key.clone());)+
            }
        }

        /// Every provider's seed types, re-exported at the crate root.
        pub mod seed_types {
            $(pub use super::$folder::seed::*;)+
        }
    };
}

mod digitalocean;
mod linode;
mod vultr;

emulated_providers! {
    DigitalOcean = "digitalocean" => digitalocean::{DigitalOcean, DigitalOceanSeed},
    Vultr = "vultr" => vultr::{Vultr, VultrSeed},
    Linode = "linode" => linode::{Linode, LinodeSeed},
}

/// `a == b`, in a constant.
const fn same_str(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

impl EmulatedProvider {
    /// The position in [`EmulatedProvider::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The name people know the cloud by (`DigitalOcean`).
    pub fn display_name(self) -> &'static str {
        self.api().display_name()
    }

    /// The provider whose slug is `name` (the core's `ProviderKind` slugs are the same).
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// What the demo cloud and the tests may rely on in its built-in seed.
    pub fn sample(self) -> &'static crate::api::BuiltinSample {
        self.api().sample()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip_through_serde_in_the_registry_order() {
        for (i, p) in EmulatedProvider::ALL.into_iter().enumerate() {
            assert_eq!(p.index(), i);
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.name()));
            assert_eq!(serde_json::from_str::<EmulatedProvider>(&json).unwrap(), p);
        }
    }
}
