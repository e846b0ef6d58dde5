//! Import from the `machine` CLI's configuration.
//!
//! `machine` reads `~/.config/machine/config.yml` (or the legacy `~/.machine/config.yml`):
//! provider sections `digital-ocean` (token `access-token`) and `vultr` (token `api-key`),
//! an optional top-level `provider:` naming the one to use, and a `machines:` map of types.
//! Its session id is in `session-id.yml` in `machine`'s config directory (whatever config
//! file is read), as `id: <8 hex>`.
//!
//! Each provider section becomes an account; its token moves into the keychain, except a
//! token written as exactly `${VAR}`, which stays a reference to that variable. Other values
//! are copied as written, so their `${VAR}` references keep working in Hangar's settings.
//! Machine types are copied and the session id is adopted.
//!
//! The whole file is read and checked before anything is written: a malformed file gives an
//! error and changes nothing. Then tokens go to the keychain and the settings are saved; if
//! either step fails, the keychain entries just created are deleted again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_yaml_ng::{Mapping, Value};

use crate::accounts::{Account, AccountDefaults, AccountId, ProviderKind, SecretRef};
use crate::config_error::ConfigError;
use crate::machine_types::{MachineType, ScriptArgs};
use crate::secrets::{SecretStore, Token, normalize_token};
use crate::session::{SessionId, type_tag};
use crate::settings::{SettingsFile, env_vars};

/// Name of `machine`'s session id file, beside its config.
pub const SESSION_FILE_NAME: &str = "session-id.yml";

/// Where `machine` keeps its config under `home`, newest location first.
pub fn candidate_paths(home: &Path) -> [PathBuf; 2] {
    [
        home.join(".config/machine/config.yml"),
        home.join(".machine/config.yml"),
    ]
}

/// `machine`'s config directory, as `machine` resolves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineDir {
    pub path: PathBuf,
    /// The legacy `~/.machine`, used because `~/.config/machine` does not exist.
    pub legacy: bool,
    /// Where it should move to (`~/.config/machine`).
    pub current: PathBuf,
}

impl MachineDir {
    /// `~/.config/machine` when it exists; else `~/.machine` when that exists; else
    /// `~/.config/machine`. `machine` decides on the directories, not on the files in them.
    pub fn under(home: &Path) -> MachineDir {
        let current = home.join(".config/machine");
        let old = home.join(".machine");
        let legacy = !current.is_dir() && old.is_dir();
        MachineDir {
            path: if legacy { old } else { current.clone() },
            legacy,
            current,
        }
    }

    /// [`under`](Self::under) the user's home directory (`$HOME`); `None` without one.
    pub fn of_user() -> Option<MachineDir> {
        Some(Self::under(directories::BaseDirs::new()?.home_dir()))
    }

    /// `config.yml`, the config `machine` reads without `--config-file`.
    pub fn config_file(&self) -> PathBuf {
        self.path.join("config.yml")
    }

    /// `session-id.yml`, whatever config file is used.
    pub fn session_file(&self) -> PathBuf {
        self.path.join(SESSION_FILE_NAME)
    }

    /// The warning `machine` prints when it uses the legacy directory.
    pub fn deprecation_warning(&self) -> Option<String> {
        self.legacy.then(|| {
            format!(
                "Warning: config directory {} is deprecated, please move it to {}",
                self.path.display(),
                self.current.display()
            )
        })
    }
}

/// The first existing config under `home`.
pub fn find_config(home: &Path) -> Result<PathBuf, ConfigError> {
    let candidates = candidate_paths(home);
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or_else(|| ConfigError::NotFound {
            what: "machine config",
            name: candidates
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" or "),
        })
}

/// Where to look for `machine`'s config by default: the first existing candidate under the
/// home directory, else the newest location. `None` without a home directory.
pub fn default_config_location() -> Option<PathBuf> {
    let home = directories::BaseDirs::new()?.home_dir().to_owned();
    let candidates = candidate_paths(&home);
    candidates
        .iter()
        .find(|p| p.is_file())
        .or(candidates.first())
        .cloned()
}

/// What was imported, and what was not and why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// The config file read.
    pub source: String,
    pub accounts: Vec<ImportedAccount>,
    /// Names of the machine types added.
    pub machine_types: Vec<String>,
    /// The session id adopted from `session-id.yml`, if any.
    pub session_id: Option<SessionId>,
    pub skipped: Vec<SkippedItem>,
    /// Things worth knowing that needed no action (ignored keys, expanded tokens, ...).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportedAccount {
    pub id: AccountId,
    pub label: String,
    pub provider: ProviderKind,
    /// The token went to the keychain, or stays an environment variable reference.
    pub secret: SecretRef,
    /// This section was the one named by `provider:` (or the only one).
    pub was_default: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SkippedItem {
    /// E.g. `digital-ocean section`, `machine type web`, `session id`.
    pub item: String,
    pub reason: String,
}

/// Everything read from `machine`'s files, checked, nothing written yet.
#[derive(Debug)]
pub struct ImportPlan {
    accounts: Vec<(Account, Option<Token>, bool)>,
    machine_types: Vec<(String, MachineType)>,
    session_id: Option<SessionId>,
    skipped: Vec<SkippedItem>,
    notes: Vec<String>,
    unknown_keys: Vec<String>,
    provider_chosen: bool,
    strict_errors: Vec<String>,
    has_machines: bool,
}

/// An [`ImportPlan`] taken apart, for a caller that uses `machine`'s file directly (the CLI's
/// `--config-file`) instead of importing it.
#[derive(Debug)]
pub struct PlanParts {
    /// Accounts, the default one first, each with its token unless it is a `${VAR}` reference.
    pub accounts: Vec<(Account, Option<Token>)>,
    /// Machine types as written (`${VAR}` not expanded).
    pub machine_types: Vec<(String, MachineType)>,
    pub session_id: Option<SessionId>,
    /// What was left out and why: provider sections without a token, invalid machine types.
    pub skipped: Vec<SkippedItem>,
    /// Keys of provider sections that mean nothing (`digital-ocean.regoin`).
    pub unknown_keys: Vec<String>,
    /// `provider:` names the section, or there is only one: `machine` refuses several
    /// sections without it.
    pub provider_chosen: bool,
    /// What `machine` refuses at load in the default section, in its words (a missing or
    /// empty `ssh-key`). The app's import takes such a section anyway.
    pub strict_errors: Vec<String>,
    /// The file has a `machines:` section.
    pub has_machines: bool,
}

impl ImportPlan {
    /// The accounts, machine types and session id read from the file.
    pub fn into_parts(self) -> PlanParts {
        PlanParts {
            accounts: self
                .accounts
                .into_iter()
                .map(|(account, token, _)| (account, token))
                .collect(),
            machine_types: self.machine_types,
            session_id: self.session_id,
            skipped: self.skipped,
            unknown_keys: self.unknown_keys,
            provider_chosen: self.provider_chosen,
            strict_errors: self.strict_errors,
            has_machines: self.has_machines,
        }
    }
}

/// Each provider's config section and token key, from the registry.
fn sections() -> impl Iterator<Item = (&'static str, ProviderKind, &'static str)> {
    ProviderKind::ALL.into_iter().map(|k| {
        let about = k.about();
        (about.config_section, k, about.config_key)
    })
}

/// The section names, for messages: `digital-ocean or vultr`.
pub fn section_names() -> String {
    let names: Vec<&str> = sections().map(|(name, _, _)| name).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// Label of an account imported from `machine`'s section for `provider`.
pub fn imported_label(provider: ProviderKind) -> String {
    format!("{} (from machine)", provider.display_name())
}

/// Reads and checks `machine`'s config text (and session file text, if any).
pub fn plan(
    config_path: &Path,
    config_text: &str,
    session_text: Option<&str>,
    lookup: env_vars::Lookup<'_>,
) -> Result<ImportPlan, ConfigError> {
    let bad = |key: Option<String>, line: Option<usize>, message: String| ConfigError::Malformed {
        path: config_path.to_owned(),
        line,
        key,
        message,
    };
    // A UTF-8 byte order mark, as some Windows editors write, is not part of the YAML.
    let config_text = config_text.strip_prefix('\u{feff}').unwrap_or(config_text);
    let doc: Value = serde_yaml_ng::from_str(config_text)
        .map_err(|e| bad(None, e.location().map(|l| l.line()), e.to_string()))?;
    let Value::Mapping(root) = &doc else {
        return Err(bad(
            None,
            None,
            format!(
                "the file must be a map of sections ({}, machines, ...)",
                sections()
                    .map(|(name, _, _)| name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    };

    // Every value except tokens must expand, as `machine` would require when it loads.
    let mut without_tokens = doc.clone();
    for (section, _, token_key) in sections() {
        if let Some(Value::Mapping(m)) = without_tokens.get_mut(section) {
            m.remove(token_key);
        }
    }
    env_vars::expand_value(&mut without_tokens, "", lookup)?;

    let mut out = ImportPlan {
        accounts: Vec::new(),
        machine_types: Vec::new(),
        session_id: None,
        skipped: Vec::new(),
        notes: Vec::new(),
        unknown_keys: Vec::new(),
        provider_chosen: false,
        strict_errors: Vec::new(),
        has_machines: root.contains_key("machines"),
    };

    let selected = match root.get("provider") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) => {
            let p = env_vars::expand_str(p, "provider", lookup)?;
            match sections().find(|(name, _, _)| *name == p) {
                Some(_) if root.contains_key(p.as_str()) => Some(p),
                Some(_) => {
                    return Err(bad(
                        Some("provider".into()),
                        None,
                        format!("`provider: {p}` but there is no `{p}` section"),
                    ));
                }
                None => {
                    return Err(bad(
                        Some("provider".into()),
                        None,
                        format!("unknown provider `{p}` (expected {})", section_names()),
                    ));
                }
            }
        }
        Some(_) => {
            return Err(bad(
                Some("provider".into()),
                None,
                "`provider` must be a name".into(),
            ));
        }
    };
    let present: Vec<(&str, ProviderKind, &str)> = sections()
        .filter(|(name, _, _)| root.contains_key(*name))
        .collect();
    out.provider_chosen = selected.is_some() || present.len() <= 1;

    for &(section, kind, token_key) in &present {
        let Some(Value::Mapping(map)) = root.get(section) else {
            return Err(bad(
                Some((section).into()),
                None,
                format!("`{section}` must be a map of settings"),
            ));
        };
        let was_default =
            selected.as_deref() == Some(section) || (selected.is_none() && present.len() == 1);
        let item = format!("{section} section");
        if was_default {
            match map.get("ssh-key") {
                None => out.strict_errors.push(format!(
                    "Required key 'ssh-key' not found in '{section}' section of config file"
                )),
                Some(Value::Sequence(keys)) if keys.is_empty() => out.strict_errors.push(format!(
                    "Config key 'ssh-key' in '{section}' section must specify at least one SSH key"
                )),
                _ => {}
            }
        }
        let token_raw = match map.get(token_key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => {
                out.skipped.push(SkippedItem {
                    item,
                    reason: format!("its `{token_key}` is empty"),
                });
                continue;
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                return Err(bad(
                    Some(format!("{section}.{token_key}")),
                    None,
                    format!("`{section}.{token_key}` must be a string"),
                ));
            }
        };
        let Some(token_raw) = token_raw else {
            out.skipped.push(SkippedItem {
                item,
                reason: format!("it has no `{token_key}`"),
            });
            continue;
        };
        let (secret, token) = match env_vars::whole_reference(&token_raw) {
            Some(var) => (
                SecretRef::Env {
                    var: var.to_owned(),
                },
                None,
            ),
            None => {
                let key = format!("{section}.{token_key}");
                let value = env_vars::expand_str(&token_raw, &key, lookup)?;
                if value != token_raw {
                    out.notes.push(format!("`{key}` was expanded from the environment now and the result stored in the keychain"));
                }
                let token = normalize_token(&Token::from(value))
                    .map_err(|e| bad(Some(key.clone()), None, format!("`{key}`: {e}")))?;
                (SecretRef::Keychain, Some(token))
            }
        };
        let mut defaults = AccountDefaults::default();
        let mut base_url = None;
        let mut status_proxy = None;
        for (k, v) in map {
            let Some(k) = k.as_str() else {
                return Err(bad(
                    Some(section.to_string()),
                    None,
                    format!("`{section}` has a key that is not a name"),
                ));
            };
            let key = format!("{section}.{k}");
            match k {
                _ if k == token_key => {}
                "ssh-key" => {
                    defaults.ssh_keys = string_or_list(v).ok_or_else(|| {
                        bad(
                            Some(key.clone()),
                            None,
                            format!("`{key}` must be a name or a list of names"),
                        )
                    })?
                }
                "dns-zone" => {
                    defaults.dns_zone =
                        scalar(v, &key).map_err(|m| bad(Some(key.clone()), None, m))?
                }
                "machine-size" => {
                    defaults.size = scalar(v, &key).map_err(|m| bad(Some(key.clone()), None, m))?
                }
                "image" => {
                    defaults.image = scalar(v, &key).map_err(|m| bad(Some(key.clone()), None, m))?
                }
                "region" => {
                    defaults.region =
                        scalar(v, &key).map_err(|m| bad(Some(key.clone()), None, m))?
                }
                "project" if kind.about().projects => {
                    defaults.project =
                        scalar(v, &key).map_err(|m| bad(Some(key.clone()), None, m))?;
                }
                "base-url" | "api-url" | "url" => {
                    base_url = scalar(v, &key).map_err(|m| bad(Some(key.clone()), None, m))?
                }
                // Hangar's own key (see `Account::status_proxy`); `machine` has none.
                "status-proxy" => {
                    status_proxy = scalar(v, &key).map_err(|m| bad(Some(key.clone()), None, m))?
                }
                "project" => out.notes.push(format!(
                    "`{key}` ignored: projects exist only on DigitalOcean"
                )),
                other => {
                    out.unknown_keys.push(format!("{section}.{other}"));
                    out.notes.push(format!(
                        "`{section}.{other}` ignored: Hangar has no such setting"
                    ))
                }
            }
        }
        let account = Account {
            id: AccountId::generate(),
            label: imported_label(kind),
            provider: kind,
            secret,
            base_url,
            status_proxy,
            defaults,
            imported_types: Vec::new(),
        };
        out.accounts.push((account, token, was_default));
    }
    // The account `provider:` selects comes first.
    out.accounts
        .sort_by_key(|(_, _, was_default)| !*was_default);

    match root.get("machines") {
        None | Some(Value::Null) => {}
        Some(Value::Mapping(machines)) => {
            let expanded_machines = match without_tokens.get("machines") {
                Some(Value::Mapping(m)) => m.clone(),
                _ => Mapping::new(),
            };
            let args_as_written = script_args_as_written(config_text);
            for (index, (name, body)) in machines.iter().enumerate() {
                let name = match name {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => {
                        return Err(bad(
                            Some("machines".into()),
                            None,
                            "machine type names must be strings".into(),
                        ));
                    }
                };
                let key = format!("machines.{name}");
                let raw = machine_type(body, &key, &mut out.notes)
                    .map_err(|m| bad(Some(key.clone()), None, m))?;
                let Some(mut raw) = raw else {
                    out.skipped.push(SkippedItem {
                        item: format!("machine type {name}"),
                        reason: "it has no `new-user-name`".into(),
                    });
                    continue;
                };
                if raw.script_args.is_some()
                    && let Some(Some(args)) = args_as_written.as_ref().and_then(|a| a.get(index))
                {
                    raw.script_args = Some(args.clone());
                }
                let expanded_body = expanded_machines
                    .get(name.as_str())
                    .cloned()
                    .unwrap_or(Value::Null);
                let expanded = machine_type(&expanded_body, &key, &mut Vec::new())
                    .map_err(|m| bad(Some(key.clone()), None, m))?
                    .unwrap_or_default();
                if let Err(e) = type_tag(&name).and_then(|_| expanded.validate(&name)) {
                    out.skipped.push(SkippedItem {
                        item: format!("machine type {name}"),
                        reason: e.to_string(),
                    });
                    continue;
                }
                out.machine_types.push((name, raw));
            }
        }
        Some(_) => {
            return Err(bad(
                Some("machines".into()),
                None,
                "`machines` must be a map of machine types".into(),
            ));
        }
    }

    if present.is_empty() && out.machine_types.is_empty() && out.skipped.is_empty() {
        return Err(bad(
            None,
            None,
            format!(
                "nothing to import: no {} section and no machines",
                section_names()
            ),
        ));
    }
    for k in root.keys().filter_map(Value::as_str) {
        if !matches!(k, "digital-ocean" | "vultr" | "provider" | "machines") {
            out.notes.push(format!("top-level `{k}` ignored"));
        }
    }

    if let Some(text) = session_text {
        match parse_session(text) {
            Ok(id) => out.session_id = Some(id),
            Err(reason) => out.skipped.push(SkippedItem {
                item: "session id".into(),
                reason,
            }),
        }
    }
    Ok(out)
}

fn parse_session(text: &str) -> Result<SessionId, String> {
    let v: Value = serde_yaml_ng::from_str(text)
        .map_err(|e| format!("{SESSION_FILE_NAME} is not valid YAML: {e}"))?;
    match v.get("id") {
        Some(Value::String(s)) => s.parse().map_err(|e: ConfigError| e.to_string()),
        Some(Value::Number(n)) => n
            .to_string()
            .parse()
            .map_err(|e: ConfigError| e.to_string()),
        _ => Err(format!("{SESSION_FILE_NAME} has no `id`")),
    }
}

fn scalar(v: &Value, key: &str) -> Result<Option<String>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        _ => Err(format!("`{key}` must be a single value")),
    }
}

fn string_or_list(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::Null => Some(Vec::new()),
        Value::Sequence(items) => items.iter().map(|i| scalar(i, "").ok().flatten()).collect(),
        other => scalar(other, "").ok().flatten().map(|s| vec![s]),
    }
}

/// Each `machines:` entry's `script-args`, in file order, read from the text with
/// [`ScriptArgs`]'s own deserializer, so that list items keep their written form (`1.10`,
/// `0x1F`, `010`): a parsed [`Value`] has already made numbers of them. `None` when the
/// section cannot be read that way; the [`Value`] reading then stands (and reports).
fn script_args_as_written(config_text: &str) -> Option<Vec<Option<ScriptArgs>>> {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};

    #[derive(serde::Deserialize)]
    struct Doc {
        #[serde(default)]
        machines: Option<Machines>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        #[serde(default, rename = "script-args")]
        script_args: Option<ScriptArgs>,
    }
    struct Machines(Vec<Option<ScriptArgs>>);
    impl<'de> serde::Deserialize<'de> for Machines {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Machines;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a map of machine types")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Machines, A::Error> {
                    let mut out = Vec::new();
                    while let Some((IgnoredAny, entry)) =
                        map.next_entry::<IgnoredAny, Option<Entry>>()?
                    {
                        out.push(entry.and_then(|e| e.script_args));
                    }
                    Ok(Machines(out))
                }
            }
            d.deserialize_map(V)
        }
    }
    let doc: Doc = serde_yaml_ng::from_str(config_text).ok()?;
    doc.machines.map(|m| m.0)
}

/// Reads one `machines:` entry; `Ok(None)` when `new-user-name` is missing.
fn machine_type(
    body: &Value,
    key: &str,
    notes: &mut Vec<String>,
) -> Result<Option<MachineType>, String> {
    let map = match body {
        Value::Mapping(m) => m,
        Value::Null => return Ok(None),
        _ => {
            return Err(format!(
                "`{key}` must be a map (new-user-name, script-url, ...)"
            ));
        }
    };
    let mut t = MachineType::default();
    let mut user = None;
    for (k, v) in map {
        let k = k
            .as_str()
            .ok_or_else(|| format!("`{key}` has a key that is not a name"))?;
        let sub = format!("{key}.{k}");
        match k {
            "new-user-name" => user = scalar(v, &sub)?,
            "script-url" => t.script_url = scalar(v, &sub)?,
            "script-dir" => t.script_dir = scalar(v, &sub)?,
            "script-path" => t.script_path = scalar(v, &sub)?,
            "script-args" => {
                t.script_args = match v {
                    Value::Null => None,
                    Value::String(s) => Some(ScriptArgs::Line(s.clone())),
                    Value::Sequence(items) => Some(ScriptArgs::List(
                        items
                            .iter()
                            .map(|i| match i {
                                Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                                    Ok(scalar(i, &sub)?.unwrap_or_default())
                                }
                                _ => Err(format!(
                                    "`{sub}` must be a string or a list of scalar values"
                                )),
                            })
                            .collect::<Result<_, _>>()?,
                    )),
                    _ => {
                        return Err(format!(
                            "`{sub}` must be a string or a list of scalar values"
                        ));
                    }
                }
            }
            other => notes.push(format!(
                "`{key}.{other}` ignored: Hangar has no such setting"
            )),
        }
    }
    Ok(user.map(|u| MachineType {
        new_user_name: u,
        ..t
    }))
}

/// The config as `--debug` shows it: `${VAR}` expanded where the variable is set, and every
/// provider section's token replaced by `<redacted>`.
pub fn redacted(config_text: &str, lookup: env_vars::Lookup<'_>) -> String {
    let text = config_text.strip_prefix('\u{feff}').unwrap_or(config_text);
    let Ok(mut doc) = serde_yaml_ng::from_str::<Value>(text) else {
        return "(the file does not parse)".into();
    };
    for (section, _, token_key) in sections() {
        if let Some(Value::Mapping(m)) = doc.get_mut(section)
            && m.contains_key(token_key)
        {
            m.insert(token_key.into(), "<redacted>".into());
        }
    }
    // An unset variable is left as written.
    let _ = env_vars::expand_value(&mut doc, "", lookup);
    serde_yaml_ng::to_string(&doc).unwrap_or_default()
}

/// Imports the config at `config_path` into `file`, with the session id from
/// `session_path` (`machine` keeps it in its config directory, [`MachineDir::session_file`],
/// whatever config file it reads), storing tokens in `store`.
pub fn import_from(
    file: &SettingsFile,
    store: &dyn SecretStore,
    config_path: &Path,
    session_path: &Path,
    lookup: env_vars::Lookup<'_>,
) -> Result<ImportReport, ConfigError> {
    let text = std::fs::read_to_string(config_path)
        .map_err(|e| ConfigError::io("read", config_path, e))?;
    let session_text = crate::settings::file::read_optional(session_path)?;
    let plan = plan(config_path, &text, session_text.as_deref(), lookup)?;
    // Held from the read to the write, so a concurrent import or edit loses nothing.
    let _lock = file.lock()?;
    let mut settings = file.load_raw()?;
    apply(file, store, &mut settings, plan, config_path)
}

fn apply(
    file: &SettingsFile,
    store: &dyn SecretStore,
    settings: &mut crate::settings::Settings,
    plan: ImportPlan,
    source: &Path,
) -> Result<ImportReport, ConfigError> {
    let mut report = ImportReport {
        source: source.display().to_string(),
        skipped: plan.skipped,
        notes: plan.notes,
        ..Default::default()
    };
    let mut to_store = Vec::new();
    for (account, token, was_default) in plan.accounts {
        let exists = settings
            .accounts
            .iter()
            .any(|a| a.provider == account.provider && a.label == account.label);
        if exists {
            report.skipped.push(SkippedItem {
                item: format!("{} account", account.provider.display_name()),
                reason: format!(
                    "an account named `{}` already exists (imported before?)",
                    account.label
                ),
            });
            continue;
        }
        if let Some(token) = token {
            to_store.push((account.id.clone(), token));
        }
        report.accounts.push(ImportedAccount {
            id: account.id.clone(),
            label: account.label.clone(),
            provider: account.provider,
            secret: account.secret.clone(),
            was_default,
        });
        settings.accounts.push(account);
    }
    let mut types: BTreeMap<_, _> = BTreeMap::new();
    for (name, t) in plan.machine_types {
        if settings.machine_types.contains_key(&name) {
            report.skipped.push(SkippedItem {
                item: format!("machine type {name}"),
                reason: "a machine type with this name already exists".into(),
            });
        } else {
            report.machine_types.push(name.clone());
            types.insert(name, t);
        }
    }
    settings.machine_types.extend(types);
    // Each account this import created remembers the types that came with it.
    for account in settings
        .accounts
        .iter_mut()
        .filter(|a| report.accounts.iter().any(|r| r.id == a.id))
    {
        account.imported_types = report.machine_types.clone();
    }
    if let Some(id) = plan.session_id {
        match &settings.session_id {
            Some(current) if *current == id => {}
            Some(current)
                if !settings
                    .accounts
                    .iter()
                    .all(|a| report.accounts.iter().any(|r| r.id == a.id)) =>
            {
                report.skipped.push(SkippedItem {
                    item: "session id".into(),
                    reason: format!("Hangar already uses session id {current} with its own accounts; kept it (machines tagged with {id} are not shown as Hangar's)"),
                });
            }
            _ => {
                settings.session_id = Some(id.clone());
                report.session_id = Some(id);
            }
        }
    }

    let mut stored: Vec<&AccountId> = Vec::new();
    let rollback = |stored: &[&AccountId]| {
        for id in stored {
            let _ = store.delete_token(id.as_str());
        }
    };
    for (id, token) in &to_store {
        if let Err(e) = store.set_token(id.as_str(), token) {
            rollback(&stored);
            return Err(e);
        }
        stored.push(id);
    }
    if let Err(e) = file.save(settings) {
        rollback(&stored);
        return Err(e);
    }
    Ok(report)
}
