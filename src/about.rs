//! What this build of Hangar is: name, version and the platform it was built for.
//!
//! The desktop app's About panel and the CLI's `version` command both read this, so the
//! two always agree. The version comes from the workspace `Cargo.toml`, the one place it
//! is set.

use serde::Serialize;

/// The product name shown in window titles, the About panel and the CLI.
pub const APP_NAME: &str = "Hangar";

/// The reverse-DNS identifier shared by the desktop bundle, the keychain service name
/// and the settings directory.
pub const APP_IDENTIFIER: &str = "app.hangar.desktop";

/// Facts about the running build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BuildInfo {
    pub name: String,
    pub version: String,
    /// Operating system the binary was built for (`linux`, `macos`, `windows`).
    pub os: String,
    /// CPU architecture (`x86_64`, `aarch64`, ...).
    pub arch: String,
    /// `debug` or `release`.
    pub profile: String,
}

/// Describes the running build.
pub fn build_info() -> BuildInfo {
    BuildInfo {
        name: APP_NAME.to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        os: std::env::consts::OS.to_owned(),
        arch: std::env::consts::ARCH.to_owned(),
        profile: if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
        .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_info_reports_the_workspace_version_and_platform() {
        let info = build_info();
        assert_eq!(info.name, "Hangar");
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        assert!(
            info.version.split('.').count() == 3,
            "semver expected: {}",
            info.version
        );
        assert_eq!(info.os, std::env::consts::OS);
        assert!(["debug", "release"].contains(&info.profile.as_str()));
    }
}
