//! Commands the web view may invoke. Each is a thin call into the `hangar` core.

use hangar::about::BuildInfo;

/// Name, version and platform of this build, for the About panel.
#[tauri::command]
#[specta::specta]
pub fn app_info() -> BuildInfo {
    hangar::about::build_info()
}
