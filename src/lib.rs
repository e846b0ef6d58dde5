//! Hangar's core: everything the desktop app and the CLI share, with no GUI code.
//!
//! The desktop shell (`src-tauri/`) and the CLI (`crates/cli`) are thin callers of this crate:
//! they hold a [`fleet`] and call its functions and the [`usecases`]. Nothing here depends on
//! tauri, a web server or a command-line parser; see `ARCHITECTURE.md` for the layers.

pub mod about;
pub mod accounts;
pub mod cloud_init;
pub mod config_error;
pub mod error;
pub mod fleet;
pub mod machine_import;
pub mod machine_types;
pub mod provider;
pub mod providers;
pub mod rules;
pub mod secrets;
pub mod session;
pub mod settings;
pub mod usecases;

pub use error::{Error, ErrorKind};
