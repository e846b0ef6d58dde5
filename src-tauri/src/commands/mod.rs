//! The commands the web view may invoke, one file per screen. Each is glue: resolve the
//! state, call one core function, map the error. Anything that decides or loops lives in the
//! core (`hangar::fleet`, `hangar::usecases`), where the CLI uses it too.

pub mod accounts;
pub mod create;
pub mod dns;
pub mod firewall;
pub mod machines;
pub mod resize;
pub mod settings;
pub mod snapshots;

use hangar::fleet::FleetState;
use tauri::State;

/// The state every command resolves.
pub type Fleet<'a> = State<'a, std::sync::Arc<FleetState>>;
