//! Machine types: what to set up on a new machine (user, setup script), as in `machine`'s
//! `machines:` section, and the checks they pass before any API call.
//!
//! A type's values may hold `${VAR}` references; they are expanded when the settings are
//! loaded, and [`MachineType::validate`] runs on the expanded values.

use std::path::{Component, Path};

use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::config_error::ConfigError;
use crate::session::type_tag;
use crate::settings::{SettingsFile, env_vars};

/// One machine type, keyed by its name in the settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct MachineType {
    /// The non-root user created on the machine, with sudo rights and the SSH keys.
    pub new_user_name: String,
    /// Where the setup script is downloaded from (http or https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script_url: Option<String>,
    /// Directory created for the script (absolute).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script_dir: Option<String>,
    /// Where the script is saved (absolute); it is run from there as the new user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script_args: Option<ScriptArgs>,
}

/// Arguments for the setup script. In both forms `$MACHINE_SCRIPT_URL`,
/// `$MACHINE_SCRIPT_DIR` and `$MACHINE_FQDN` (or `${NAME}`, `${NAME:-text}`) are the
/// machine's values and `$$` is a literal `$`; any other `$` is kept as written.
///
/// Read from YAML text, a list item keeps its text as written (`1.10`, `0x1F`, `010`,
/// `true`), whatever YAML type it would have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(untagged)]
pub enum ScriptArgs {
    /// Shell text: spaces separate arguments and quotes work as in `sh`; every quote must
    /// be closed.
    Line(String),
    /// Each item is exactly one argument, whatever it contains.
    List(#[specta(type = Vec<String>)] Vec<String>),
}

impl<'de> Deserialize<'de> for ScriptArgs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ArgsVisitor;
        impl<'de> Visitor<'de> for ArgsVisitor {
            type Value = ScriptArgs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string of arguments or a list of arguments")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ScriptArgs, E> {
                Ok(ScriptArgs::Line(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<ScriptArgs, E> {
                Ok(ScriptArgs::Line(v))
            }
            // A lone number or boolean, as `machine` reads it (`str()` of the YAML value).
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<ScriptArgs, E> {
                Ok(ScriptArgs::Line(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ScriptArgs, E> {
                Ok(ScriptArgs::Line(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ScriptArgs, E> {
                Ok(ScriptArgs::Line(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ScriptArgs, E> {
                Ok(ScriptArgs::Line(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ScriptArgs, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(ArgText(s)) = seq.next_element()? {
                    items.push(s);
                }
                Ok(ScriptArgs::List(items))
            }
        }
        d.deserialize_any(ArgsVisitor)
    }
}

/// One list item: asked for as a string, so YAML text gives the scalar exactly as written.
/// Numbers and booleans from a deserializer that has no text for them (an already parsed
/// value) are accepted in their usual form.
struct ArgText(String);

impl<'de> Deserialize<'de> for ArgText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ItemVisitor;
        impl Visitor<'_> for ItemVisitor {
            type Value = ArgText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an argument (a string, number or boolean)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ArgText, E> {
                Ok(ArgText(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<ArgText, E> {
                Ok(ArgText(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<ArgText, E> {
                Ok(ArgText(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ArgText, E> {
                Ok(ArgText(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ArgText, E> {
                Ok(ArgText(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ArgText, E> {
                Ok(ArgText(v.to_string()))
            }
        }
        d.deserialize_str(ItemVisitor)
    }
}

/// The setup script of a type that has one: all three of url, dir and path are set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupScript<'a> {
    pub url: &'a str,
    pub dir: &'a str,
    pub path: &'a str,
    pub args: Option<&'a ScriptArgs>,
}

impl MachineType {
    /// The setup script, when url, dir and path are all set.
    pub fn script(&self) -> Option<SetupScript<'_>> {
        match (&self.script_url, &self.script_dir, &self.script_path) {
            (Some(url), Some(dir), Some(path)) => Some(SetupScript {
                url,
                dir,
                path,
                args: self.script_args.as_ref(),
            }),
            _ => None,
        }
    }

    /// Checks the (expanded) type named `name`; the error names the field of the first
    /// problem [`problems`](Self::problems) finds.
    pub fn validate(&self, name: &str) -> Result<(), ConfigError> {
        match self.problems(false).into_iter().next() {
            None => Ok(()),
            Some(p) => Err(ConfigError::invalid(
                format!("machine type `{name}`: {}", p.field.key()),
                p.message,
            )),
        }
    }

    /// Every problem of the type, one per field at most. With `allow_references`, a value
    /// holding a `${VAR}` reference is not checked (it is checked once expanded, when the
    /// type is saved or used).
    pub fn problems(&self, allow_references: bool) -> Vec<FieldProblem> {
        let unchecked = |v: &str| allow_references && v.contains("${");
        let mut out = Vec::new();
        let mut push = |field, r: Result<(), String>| {
            if let Err(message) = r {
                out.push(FieldProblem { field, message });
            }
        };
        if !unchecked(&self.new_user_name) {
            push(TypeField::UserName, validate_user_name(&self.new_user_name));
        }
        if let Some(url) = self.script_url.as_deref().filter(|v| !unchecked(v)) {
            push(TypeField::ScriptUrl, validate_script_url(url));
        }
        if let Some(dir) = self.script_dir.as_deref().filter(|v| !unchecked(v)) {
            push(TypeField::ScriptDir, validate_abs_path(dir));
        }
        if let Some(path) = self.script_path.as_deref().filter(|v| !unchecked(v)) {
            push(
                TypeField::ScriptPath,
                validate_abs_path(path).and_then(|()| {
                    if path == "/" {
                        Err("must name a file, not `/`".into())
                    } else {
                        Ok(())
                    }
                }),
            );
        }
        let set = [&self.script_url, &self.script_dir, &self.script_path]
            .iter()
            .filter(|v| v.is_some())
            .count();
        if set != 0 && set != 3 {
            push(
                TypeField::Script,
                Err("set all three to run a setup script, or none".into()),
            );
        }
        push(
            TypeField::Args,
            match &self.script_args {
                Some(_) if set == 0 => Err(
                    "arguments need a setup script (script_url, script_dir and script_path)".into(),
                ),
                Some(ScriptArgs::Line(line)) if line.contains(['\n', '\r', '\0']) => Err(
                    "a string of arguments must be one line without NUL; use a list for \
                     arguments that contain line breaks"
                        .into(),
                ),
                Some(ScriptArgs::Line(line)) => crate::cloud_init::check_script_line(line),
                Some(ScriptArgs::List(items)) if items.iter().any(|i| i.contains('\0')) => {
                    Err("an argument contains a NUL character".into())
                }
                _ => Ok(()),
            },
        );
        out
    }
}

/// A field of a machine type, as the Machine types screen shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum TypeField {
    Name,
    UserName,
    ScriptUrl,
    ScriptDir,
    ScriptPath,
    /// URL, directory and path together.
    Script,
    Args,
}

impl TypeField {
    /// The settings key(s) of the field.
    pub fn key(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::UserName => "new_user_name",
            Self::ScriptUrl => "script_url",
            Self::ScriptDir => "script_dir",
            Self::ScriptPath => "script_path",
            Self::Script => "script_url, script_dir, script_path",
            Self::Args => "script_args",
        }
    }
}

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FieldProblem {
    pub field: TypeField,
    pub message: String,
}

/// Every problem of the type `name` as typed in a form (`${VAR}` references allowed): the
/// name must fit in the `machine:type:<name>` tag, then the fields' own rules.
pub fn form_problems(name: &str, machine_type: &MachineType) -> Vec<FieldProblem> {
    let mut out = Vec::new();
    if let Err(e) = type_tag(name.trim()) {
        out.push(FieldProblem {
            field: TypeField::Name,
            message: match e {
                ConfigError::Invalid { message, .. } => message,
                other => other.to_string(),
            },
        });
    }
    out.extend(machine_type.problems(true));
    out
}

/// Adds or replaces the machine type `name` (values as written, `${VAR}` allowed). The name
/// must fit in a tag and the expanded type must pass [`MachineType::validate`].
pub fn save_machine_type(
    file: &SettingsFile,
    name: &str,
    machine_type: MachineType,
    lookup: env_vars::Lookup<'_>,
) -> Result<(), ConfigError> {
    type_tag(name)?;
    let mut value = serde_yaml_ng::to_value(&machine_type)
        .map_err(|e| ConfigError::invalid(format!("machine type `{name}`"), e.to_string()))?;
    env_vars::expand_value(&mut value, &format!("machine_types.{name}"), lookup)?;
    let expanded: MachineType = serde_yaml_ng::from_value(value)
        .map_err(|e| ConfigError::invalid(format!("machine type `{name}`"), e.to_string()))?;
    expanded.validate(name)?;
    file.update(|s| {
        s.machine_types.insert(name.to_owned(), machine_type);
        Ok(())
    })
}

/// Saves the machine type `name`, replacing `previous` when it had another name (a rename):
/// one atomic write, so the old name is gone only when the new one is saved. Refuses to
/// overwrite another existing type.
pub fn save_machine_type_as(
    file: &SettingsFile,
    previous: Option<&str>,
    name: &str,
    machine_type: MachineType,
    lookup: env_vars::Lookup<'_>,
) -> Result<(), ConfigError> {
    let renamed = previous.filter(|p| *p != name);
    if renamed.is_none() {
        return save_machine_type(file, name, machine_type, lookup);
    }
    type_tag(name)?;
    let mut value = serde_yaml_ng::to_value(&machine_type)
        .map_err(|e| ConfigError::invalid(format!("machine type `{name}`"), e.to_string()))?;
    env_vars::expand_value(&mut value, &format!("machine_types.{name}"), lookup)?;
    let expanded: MachineType = serde_yaml_ng::from_value(value)
        .map_err(|e| ConfigError::invalid(format!("machine type `{name}`"), e.to_string()))?;
    expanded.validate(name)?;
    file.update(|s| {
        if let Some(old) = renamed {
            if s.machine_types.contains_key(name) {
                return Err(ConfigError::invalid(
                    "name",
                    format!("a machine type named `{name}` already exists"),
                ));
            }
            s.machine_types
                .remove(old)
                .ok_or_else(|| ConfigError::NotFound {
                    what: "machine type",
                    name: old.to_owned(),
                })?;
        }
        s.machine_types.insert(name.to_owned(), machine_type);
        Ok(())
    })
}

/// Removes the machine type `name`.
pub fn remove_machine_type(file: &SettingsFile, name: &str) -> Result<(), ConfigError> {
    file.update(|s| {
        s.machine_types
            .remove(name)
            .map(|_| ())
            .ok_or_else(|| ConfigError::NotFound {
                what: "machine type",
                name: name.to_owned(),
            })
    })
}

/// A POSIX-style login name: `^[a-z_][a-z0-9_-]*[$]?$`, at most 32 characters, not `root`.
pub fn validate_user_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the user name is empty".into());
    }
    if name.len() > 32 {
        return Err(format!("`{name}` is longer than 32 characters"));
    }
    if name == "root" {
        return Err(
            "the new user cannot be `root`: Hangar creates a separate user with sudo rights".into(),
        );
    }
    let body = name.strip_suffix('$').unwrap_or(name);
    let mut chars = body.chars();
    let first_ok = matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_');
    let rest_ok =
        chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !first_ok || !rest_ok {
        return Err(format!(
            "{} is not a valid user name: start with a lowercase letter or `_`, then use \
             lowercase letters, digits, `_` or `-`",
            shown(name)
        ));
    }
    Ok(())
}

/// An http(s) URL with a host and no whitespace or control characters.
pub fn validate_script_url(url: &str) -> Result<(), String> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "{} contains whitespace or control characters",
            shown(url)
        ));
    }
    let after_scheme = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    if after_scheme.is_none_or(|rest| rest.is_empty() || rest.starts_with('/')) {
        return Err(format!(
            "{} must start with http:// or https:// followed by a host",
            shown(url)
        ));
    }
    let parsed = url::Url::parse(url).map_err(|e| format!("{} is not a URL: {e}", shown(url)))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "{} must start with http:// or https://",
            shown(url)
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("{} has no host", shown(url)));
    }
    Ok(())
}

/// An absolute, normalized path (no `.`, `..`, `//` or trailing `/`) without NUL or
/// control characters.
pub fn validate_abs_path(path: &str) -> Result<(), String> {
    if path.chars().any(char::is_control) {
        return Err(format!(
            "{} contains a line break, NUL or control character",
            shown(path)
        ));
    }
    if !path.starts_with('/') {
        return Err(format!(
            "{} must be an absolute path (start with `/`)",
            shown(path)
        ));
    }
    if path == "/" {
        return Ok(());
    }
    let normal = Path::new(path)
        .components()
        .all(|c| matches!(c, Component::RootDir | Component::Normal(_)));
    if !normal
        || path.contains("//")
        || path.ends_with('/')
        || path.split('/').any(|s| s == "." || s == "..")
    {
        return Err(format!(
            "{} is not a normalized path: remove `.`, `..`, doubled and trailing `/`",
            shown(path)
        ));
    }
    Ok(())
}

/// A value quoted for an error message, with control characters made visible.
fn shown(value: &str) -> String {
    format!("`{}`", value.escape_debug())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typ(user: &str) -> MachineType {
        MachineType {
            new_user_name: user.into(),
            ..Default::default()
        }
    }

    #[test]
    fn user_names() {
        for ok in ["alice", "_svc", "a-b_c9", "machine$", "a"] {
            assert!(validate_user_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "root",
            "Alice",
            "9x",
            "-x",
            "a b",
            "a$b",
            "a\nb",
            "é",
            &"a".repeat(33),
        ] {
            assert!(validate_user_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn urls() {
        assert!(validate_script_url("https://example.com/setup.sh?x=1").is_ok());
        assert!(validate_script_url("http://10.0.0.1:8080/s").is_ok());
        for bad in [
            "ftp://example.com/x",
            "https://",
            "https:///x",
            "example.com/x",
            "https://e.com/a b",
            "https://e.com/\nx",
            "file:///etc/passwd",
        ] {
            assert!(validate_script_url(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn paths() {
        for ok in ["/", "/opt/setup", "/opt/setup/run.sh", "/home/x y/ü"] {
            assert!(validate_abs_path(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "opt/x",
            "/opt/../etc",
            "/opt/./x",
            "/opt//x",
            "/opt/",
            "/a\nb",
            "/a\0b",
        ] {
            assert!(validate_abs_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn script_fields_go_together() {
        let mut t = typ("alice");
        t.script_url = Some("https://e.com/s.sh".into());
        let err = t.validate("web").unwrap_err().to_string();
        assert!(err.contains("web") && err.contains("all three"), "{err}");
        t.script_dir = Some("/opt/s".into());
        t.script_path = Some("/opt/s/s.sh".into());
        t.validate("web").unwrap();
        t.script_args = Some(ScriptArgs::Line("a\nb".into()));
        assert!(t.validate("web").is_err());
        t.script_args = Some(ScriptArgs::List(vec!["a\nb".into()]));
        t.validate("web").unwrap();
        let mut no_script = typ("alice");
        no_script.script_args = Some(ScriptArgs::Line("x".into()));
        assert!(no_script.validate("web").is_err());
    }

    #[test]
    fn rename_replaces_the_old_name_in_one_write_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(dir.path());
        let none = |_: &str| None;
        save_machine_type(&file, "web", typ("alice"), &none).unwrap();
        save_machine_type(&file, "db", typ("bob"), &none).unwrap();
        save_machine_type_as(&file, Some("web"), "frontend", typ("carol"), &none).unwrap();
        let types = file.load_raw().unwrap().machine_types;
        assert!(!types.contains_key("web"));
        assert_eq!(types["frontend"].new_user_name, "carol");
        let err = save_machine_type_as(&file, Some("frontend"), "db", typ("x"), &none)
            .unwrap_err()
            .to_string();
        assert!(err.contains("already exists"), "{err}");
        let types = file.load_raw().unwrap().machine_types;
        assert_eq!(types["db"].new_user_name, "bob");
        assert!(types.contains_key("frontend"));
        // An invalid type is not saved under either name.
        assert!(save_machine_type_as(&file, Some("db"), "db2", typ("Root"), &none).is_err());
        assert!(file.load_raw().unwrap().machine_types.contains_key("db"));
    }

    #[test]
    fn list_args_accept_scalars() {
        let t: MachineType =
            serde_yaml_ng::from_str("new_user_name: a\nscript_args: [x, 5, true, 1.5]\n").unwrap();
        assert_eq!(
            t.script_args,
            Some(ScriptArgs::List(vec![
                "x".into(),
                "5".into(),
                "true".into(),
                "1.5".into()
            ]))
        );
        let t: MachineType =
            serde_yaml_ng::from_str("new_user_name: a\nscript_args: --x $MACHINE_FQDN\n").unwrap();
        assert_eq!(
            t.script_args,
            Some(ScriptArgs::Line("--x $MACHINE_FQDN".into()))
        );
    }
}
