//! Hangar's core: everything the desktop app and the CLI share, with no GUI code.
//!
//! The Tauri shell in `src-tauri/` and the `hangar` CLI are thin callers of this crate.
//! Nothing here depends on tauri.

pub mod about;
pub mod accounts;
pub mod cli;
pub mod cloud_init;
pub mod config_error;
pub mod emulator;
pub mod error;
pub mod machine_import;
pub mod machine_types;
pub mod provider;
pub mod providers;
pub mod secrets;
pub mod session;
pub mod settings;
pub mod usecases;

pub use error::{Error, ErrorKind};
