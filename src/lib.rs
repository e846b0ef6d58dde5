//! Hangar's core: everything the desktop app and the CLI share, with no GUI code.
//!
//! The Tauri shell in `src-tauri/` and the `hangar` CLI are thin callers of this crate.
//! Nothing here depends on tauri.

pub mod about;
pub mod emulator;
pub mod provider;
pub mod providers;
