//! Hangar's settings: one YAML file holding accounts (never their tokens), machine types,
//! UI preferences, the session id and a format `version`.
//!
//! Where: `$HANGAR_CONFIG_DIR/settings.yml` when that variable is set (tests and the CLI
//! use it), otherwise the platform config dir for `app.hangar.desktop`
//! (`~/.config/app.hangar.desktop` on Linux, `~/Library/Application Support/app.hangar.desktop`
//! on macOS, `%APPDATA%\app.hangar.desktop\config` on Windows).
//!
//! Why YAML: people arrive from `machine`, whose config is YAML, and the same serializer
//! writes cloud-init user-data; its parse errors carry the key path and the line.
//!
//! Loading gives the raw settings (as written, `${VAR}` kept) and the resolved ones (every
//! string value expanded, see [`env_vars`]). Only the raw form is ever written back, so an
//! expanded value never lands in the file. Saving is atomic, and a file that does not parse
//! is copied to `settings.yml.bak` before it is replaced (see [`file`]).
//!
//! Only a change writes the file: loading never writes, and an update that changes nothing
//! leaves the file as it is (read-only commands never rewrite it). The first session id is
//! added as one `session_id:` line, so a hand-edited file keeps its comments; any other
//! change rewrites the whole file, without the comments.

pub mod env_vars;
pub mod file;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::about::APP_IDENTIFIER;
use crate::accounts::Account;
use crate::config_error::ConfigError;
use crate::machine_types::MachineType;
use crate::session::SessionId;

/// Environment variable that overrides the settings directory.
pub const CONFIG_DIR_ENV: &str = "HANGAR_CONFIG_DIR";
/// Name of the settings file inside the settings directory.
pub const FILE_NAME: &str = "settings.yml";
/// The format version this build reads and writes.
pub const CURRENT_VERSION: u32 = 1;

const HEADER: &str = "# Hangar settings. API tokens are not kept here: they live in the system keychain.\n\
# Values may use ${VAR} or ${VAR:-default}; they are expanded when Hangar reads this file.\n";

/// Everything in the settings file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Format version of the file.
    pub version: u32,
    /// Generated once, or adopted from `machine`; tags every machine Hangar creates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<SessionId>,
    #[serde(default)]
    pub ui: UiPreferences,
    #[serde(default)]
    pub accounts: Vec<Account>,
    #[serde(default)]
    pub machine_types: BTreeMap<String, MachineType>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            version: CURRENT_VERSION,
            session_id: None,
            ui: UiPreferences::default(),
            accounts: Vec::new(),
            machine_types: BTreeMap::new(),
        }
    }
}

/// Preferences of the desktop UI.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct UiPreferences {
    #[serde(default)]
    pub theme: Theme,
    /// When the desktop app shows the demo cloud.
    #[serde(default, skip_serializing_if = "DemoCloud::is_auto")]
    pub demo_cloud: DemoCloud,
    /// Power off and reboot run without a confirmation (the user ticked "Don't ask again").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub power_without_asking: bool,
    /// The "what is my IP" service firewall access asks for this computer's public address
    /// (plain-text answer); `None`: `https://api.ipify.org`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub my_ip_url: Option<String>,
}

/// When the desktop app shows the demo cloud (simulated accounts served on this computer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum DemoCloud {
    /// While no account is configured.
    #[default]
    Auto,
    /// Always, beside the configured accounts ("Restore the demo cloud").
    Shown,
    /// Never (its accounts were removed).
    Hidden,
}

impl DemoCloud {
    fn is_auto(&self) -> bool {
        *self == DemoCloud::Auto
    }

    /// Whether the demo cloud is shown when `configured` accounts exist.
    pub fn shown_with(self, configured: usize) -> bool {
        match self {
            DemoCloud::Auto => configured == 0,
            DemoCloud::Shown => true,
            DemoCloud::Hidden => false,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// The settings as written, and with `${VAR}` references expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedSettings {
    /// As in the file: edit this and save it.
    pub raw: Settings,
    /// Every string value expanded: use this.
    pub resolved: Settings,
}

/// The settings file at one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsFile {
    path: PathBuf,
}

impl SettingsFile {
    /// `settings.yml` in `dir`.
    pub fn in_dir(dir: impl AsRef<Path>) -> Self {
        Self {
            path: dir.as_ref().join(FILE_NAME),
        }
    }

    /// The file in `$HANGAR_CONFIG_DIR`, or in the platform config directory.
    pub fn default_location() -> Result<Self, ConfigError> {
        Self::location_for(std::env::var_os(CONFIG_DIR_ENV))
    }

    /// The file in `override_dir` when given and not empty, else in the platform config
    /// directory.
    pub fn location_for(override_dir: Option<std::ffi::OsString>) -> Result<Self, ConfigError> {
        match override_dir {
            Some(dir) if !dir.is_empty() => Ok(Self::in_dir(PathBuf::from(dir))),
            _ => {
                let dirs = directories::ProjectDirs::from_path(PathBuf::from(APP_IDENTIFIER))
                    .ok_or_else(|| ConfigError::NotFound {
                        what: "home directory",
                        name: format!("(set {CONFIG_DIR_ENV} to choose where settings go)"),
                    })?;
                Ok(Self::in_dir(dirs.config_dir()))
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// Reads the file as written. A missing file gives default settings; nothing is written.
    pub fn load_raw(&self) -> Result<Settings, ConfigError> {
        match file::read_optional(&self.path)? {
            None => Ok(Settings::default()),
            Some(text) => parse(&self.path, &text),
        }
    }

    /// Reads the file and expands `${VAR}` references with the process environment.
    pub fn load(&self) -> Result<LoadedSettings, ConfigError> {
        self.load_with(&env_vars::process_env)
    }

    /// [`load`](Self::load) with a given variable lookup.
    pub fn load_with(&self, lookup: env_vars::Lookup<'_>) -> Result<LoadedSettings, ConfigError> {
        let raw = self.load_raw()?;
        let resolved = resolve(&raw, lookup)?;
        Ok(LoadedSettings { raw, resolved })
    }

    /// Takes the settings lock (see [`file::lock`]): hold it across a read-modify-write.
    pub fn lock(&self) -> Result<file::FileLock, ConfigError> {
        file::lock(&self.path)
    }

    /// Writes `raw` atomically. If the current file does not parse, it is first copied to a
    /// `.bak` name, whose path is returned. A caller that read the settings to change them
    /// holds [`lock`](Self::lock) from before the read until this returns; [`update`]
    /// (Self::update) does.
    pub fn save(&self, raw: &Settings) -> Result<Option<PathBuf>, ConfigError> {
        check_consistency(&self.path, raw)?;
        let mut kept = None;
        if let Some(current) = file::read_optional(&self.path)?
            && parse(&self.path, &current).is_err()
        {
            kept = Some(file::keep_unreadable_copy(&self.path)?);
        }
        let body = serde_yaml_ng::to_string(raw).map_err(|e| ConfigError::Malformed {
            path: self.path.clone(),
            line: None,
            key: None,
            message: format!("could not serialize the settings: {e}"),
        })?;
        file::write_atomic(&self.path, format!("{HEADER}{body}").as_bytes())?;
        Ok(kept)
    }

    /// Loads the raw settings, applies `change`, and saves them if it succeeds, all under
    /// the settings lock, so concurrent updates (threads or processes) each see the last
    /// one's result and none is lost.
    pub fn update<T>(
        &self,
        change: impl FnOnce(&mut Settings) -> Result<T, ConfigError>,
    ) -> Result<T, ConfigError> {
        let _lock = self.lock()?;
        let mut raw = self.load_raw()?;
        let before = raw.clone();
        let out = change(&mut raw)?;
        if raw != before {
            self.save(&raw)?;
        }
        Ok(out)
    }

    /// The session id, generated and saved on first use. The first id is made under the
    /// settings lock, so concurrent first runs agree on one. It is added to the file as one
    /// top-level line, so the rest of the file (comments included) stays as written.
    pub fn ensure_session_id(&self) -> Result<SessionId, ConfigError> {
        if let Some(id) = self.load_raw()?.session_id {
            return Ok(id);
        }
        let _lock = self.lock()?;
        let text = file::read_optional(&self.path)?;
        let mut raw = match &text {
            None => Settings::default(),
            Some(t) => parse(&self.path, t)?,
        };
        if let Some(id) = raw.session_id {
            return Ok(id);
        }
        let id = SessionId::generate();
        raw.session_id = Some(id.clone());
        match text.map(|t| with_line_appended(&t, &format!("session_id: '{id}'"))) {
            // Kept only if it reads back as exactly the intended settings (a file in flow
            // style or with a document end marker would not).
            Some(edited) if parse(&self.path, &edited).ok().as_ref() == Some(&raw) => {
                file::write_atomic(&self.path, edited.as_bytes())?
            }
            _ => {
                self.save(&raw)?;
            }
        }
        Ok(id)
    }
}

/// `text` with `line` added as its last line.
fn with_line_appended(text: &str, line: &str) -> String {
    let mut out = text.to_owned();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(line);
    out.push('\n');
    out
}

/// Parses settings text; errors name the line and the key.
pub fn parse(path: &Path, text: &str) -> Result<Settings, ConfigError> {
    // A UTF-8 byte order mark, as some Windows editors write, is not part of the YAML.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() || is_only_comments(text) {
        return Ok(Settings::default());
    }
    let settings: Settings = serde_yaml_ng::from_str(text).map_err(|e| malformed(path, &e))?;
    check_consistency(path, &settings)?;
    Ok(settings)
}

fn is_only_comments(text: &str) -> bool {
    text.lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
}

/// Expands every string value of `raw`.
pub fn resolve(raw: &Settings, lookup: env_vars::Lookup<'_>) -> Result<Settings, ConfigError> {
    let mut value = serde_yaml_ng::to_value(raw)
        .map_err(|e| ConfigError::invalid("settings", e.to_string()))?;
    env_vars::expand_value(&mut value, "", lookup)?;
    serde_yaml_ng::from_value(value)
        .map_err(|e| ConfigError::invalid("settings (after expanding ${VAR})", e.to_string()))
}

fn check_consistency(path: &Path, s: &Settings) -> Result<(), ConfigError> {
    let bad = |key: String, message: String| ConfigError::Malformed {
        path: path.to_owned(),
        line: None,
        key: Some(key),
        message,
    };
    if s.version > CURRENT_VERSION {
        return Err(bad(
            "version".into(),
            format!(
                "`version: {}` was written by a newer Hangar (this one reads version {CURRENT_VERSION})",
                s.version
            ),
        ));
    }
    if s.version == 0 {
        return Err(bad("version".into(), "`version` must be 1 or more".into()));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, account) in s.accounts.iter().enumerate() {
        if account.id.as_str().trim().is_empty() {
            return Err(bad(
                format!("accounts[{i}].id"),
                format!("accounts[{i}].id: the account id is empty"),
            ));
        }
        if !seen.insert(account.id.as_str()) {
            return Err(bad(
                format!("accounts[{i}].id"),
                format!(
                    "accounts[{i}].id: the id `{}` is used by two accounts",
                    account.id
                ),
            ));
        }
    }
    Ok(())
}

fn malformed(path: &Path, e: &serde_yaml_ng::Error) -> ConfigError {
    let message = e.to_string();
    // serde_yaml_ng writes "<key path>: <problem> at line L column C" when it knows the key.
    let key = message
        .split_once(": ")
        .map(|(k, _)| k)
        .filter(|k| !k.is_empty() && !k.contains(' '))
        .map(str::to_owned);
    ConfigError::Malformed {
        path: path.to_owned(),
        line: e.location().map(|l| l.line()),
        key,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_defaults_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(dir.path());
        assert_eq!(file.load_raw().unwrap(), Settings::default());
        assert!(!file.path().exists());
    }

    #[test]
    fn comment_only_file_is_empty_settings() {
        assert_eq!(
            parse(Path::new("s.yml"), "# nothing yet\n\n").unwrap(),
            Settings::default()
        );
    }
}
