//! `${VAR}` and `${VAR:-default}` in configuration values, as the `machine` CLI reads them.
//!
//! Expansion happens when a file is loaded, on every string value (map keys are left
//! alone). `$VAR` without braces is not touched, so script arguments such as
//! `$MACHINE_FQDN` reach the script-args pass as written. As in `machine`, the default is
//! used only when the variable is unset (an empty value stays empty). An unset variable
//! without a default is an error naming the variable and the key. An unterminated `${` is
//! kept as written.
//!
//! `$$` is the escape for a literal `$`: it is never the start of a reference, so `$${HOME}`
//! is not expanded. This pass keeps `$$` as written (it never removes a `$`); in
//! `script_args` the command builder turns `$$` into one `$` (see
//! [`crate::cloud_init::script_command`]), so no value is unescaped twice.
//!
//! Inside `script_args` (`script-args` in a `machine` config), `${MACHINE_SCRIPT_URL}`,
//! `${MACHINE_SCRIPT_DIR}` and `${MACHINE_FQDN}` (with or without `:-default`) are not read
//! from the local environment: they are left for the command builder, which fills in the
//! machine's values.
//!
//! Callers keep the raw text for writing back, so an expanded secret never lands in a file.

use serde_yaml_ng::Value;

use crate::config_error::ConfigError;

/// Reads one environment variable; `None` when unset.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Looks a variable up in this process's environment. A value that is not valid UTF-8
/// counts as unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// One `${...}` found in a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference<'s> {
    /// Byte range of the whole `${...}` in the string.
    pub span: std::ops::Range<usize>,
    pub var: &'s str,
    pub default: Option<&'s str>,
}

/// The `${...}` references in `s`, in order; a `${` right after `$$` is not one. Fails on
/// `${}` or a name that is not `[A-Za-z_][A-Za-z0-9_]*`.
pub fn references<'s>(s: &'s str, key: &str) -> Result<Vec<Reference<'s>>, ConfigError> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(rel) = s[from..].find('$') {
        let start = from + rel;
        match s.as_bytes().get(start + 1) {
            // `$$` is a literal `$`: what follows it is not a reference.
            Some(b'$') => {
                from = start + 2;
                continue;
            }
            Some(b'{') => {}
            _ => {
                from = start + 1;
                continue;
            }
        }
        let Some(close_rel) = s[start + 2..].find('}') else {
            break; // unterminated: kept as written
        };
        let end = start + 2 + close_rel + 1;
        let expr = &s[start + 2..end - 1];
        let (var, default) = match expr.split_once(":-") {
            Some((var, default)) => (var, Some(default)),
            None => (expr, None),
        };
        if !is_var_name(var) {
            return Err(ConfigError::EnvVarSyntax {
                key: key.to_owned(),
                message: format!(
                    "`${{{expr}}}` is not a valid reference: write `${{NAME}}` or `${{NAME:-default}}` \
                     with NAME made of letters, digits and `_`"
                ),
            });
        }
        found.push(Reference {
            span: start..end,
            var,
            default,
        });
        from = end;
    }
    Ok(found)
}

/// If `s` is exactly one `${VAR}` (no default, nothing around it), the variable's name.
pub fn whole_reference(s: &str) -> Option<&str> {
    let refs = references(s, "").ok()?;
    match refs.as_slice() {
        [r] if r.span == (0..s.len()) && r.default.is_none() => Some(r.var),
        _ => None,
    }
}

fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Expands the references in one string. `key` names the value in error messages. `$$` is
/// kept as written and is never the start of a reference.
pub fn expand_str(s: &str, key: &str, lookup: Lookup<'_>) -> Result<String, ConfigError> {
    expand_str_in(s, key, lookup, false)
}

/// Whether a mapping key holds a machine type's script arguments.
fn is_script_args_key(name: &str) -> bool {
    matches!(name, "script_args" | "script-args")
}

/// [`expand_str`]; with `script_args`, references to the `MACHINE_*` variables of the setup
/// script are left as written for the command builder.
fn expand_str_in(
    s: &str,
    key: &str,
    lookup: Lookup<'_>,
    script_args: bool,
) -> Result<String, ConfigError> {
    let mut refs = references(s, key)?;
    if script_args {
        refs.retain(|r| !crate::cloud_init::SCRIPT_ENV_VARS.contains(&r.var));
    }
    if refs.is_empty() {
        return Ok(s.to_owned());
    }
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for r in refs {
        out.push_str(&s[last..r.span.start]);
        match (lookup(r.var), r.default) {
            (Some(value), _) => out.push_str(&value),
            (None, Some(default)) => out.push_str(default),
            (None, None) => {
                return Err(ConfigError::EnvVarUnset {
                    var: r.var.to_owned(),
                    key: key.to_owned(),
                });
            }
        }
        last = r.span.end;
    }
    out.push_str(&s[last..]);
    Ok(out)
}

/// Expands every string value inside `value` in place. `path` is the key of `value`
/// itself (empty for the document root); nested keys are named like `accounts[0].label`.
/// Under a `script_args` (or `script-args`) key, the `MACHINE_*` references are left for the
/// command builder (see the module documentation).
pub fn expand_value(value: &mut Value, path: &str, lookup: Lookup<'_>) -> Result<(), ConfigError> {
    expand_value_in(value, path, lookup, false)
}

fn expand_value_in(
    value: &mut Value,
    path: &str,
    lookup: Lookup<'_>,
    script_args: bool,
) -> Result<(), ConfigError> {
    match value {
        Value::String(s) => {
            let expanded = expand_str_in(s, path, lookup, script_args)?;
            *s = expanded;
        }
        Value::Sequence(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                expand_value_in(item, &format!("{path}[{i}]"), lookup, script_args)?;
            }
        }
        Value::Mapping(map) => {
            for (k, v) in map.iter_mut() {
                let name = match k {
                    Value::String(s) => s.clone(),
                    other => serde_yaml_ng::to_string(other)
                        .unwrap_or_default()
                        .trim()
                        .to_owned(),
                };
                let in_args = script_args || is_script_args_key(&name);
                let child = if path.is_empty() {
                    name
                } else {
                    format!("{path}.{name}")
                };
                expand_value_in(v, &child, lookup, in_args)?;
            }
        }
        Value::Tagged(tagged) => expand_value_in(&mut tagged.value, path, lookup, script_args)?,
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "REGION" => Some("ams3".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn expands_set_variables_and_defaults() {
        assert_eq!(expand_str("${REGION}", "k", &env).unwrap(), "ams3");
        assert_eq!(
            expand_str("a-${REGION}-${NOPE:-x:y}-b", "k", &env).unwrap(),
            "a-ams3-x:y-b"
        );
        assert_eq!(expand_str("${EMPTY:-fallback}", "k", &env).unwrap(), "");
        assert_eq!(
            expand_str("$MACHINE_FQDN ${unterminated", "k", &env).unwrap(),
            "$MACHINE_FQDN ${unterminated"
        );
    }

    #[test]
    fn unset_variable_without_default_names_variable_and_key() {
        let err = expand_str("x${DO_TOKEN}", "accounts[0].label", &env).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("DO_TOKEN") && msg.contains("accounts[0].label"),
            "{msg}"
        );
    }

    #[test]
    fn bad_reference_names_are_errors() {
        assert!(expand_str("${}", "k", &env).is_err());
        assert!(expand_str("${1A}", "k", &env).is_err());
        assert!(expand_str("${A B}", "k", &env).is_err());
    }

    #[test]
    fn expands_nested_values_with_paths() {
        let mut v: Value =
            serde_yaml_ng::from_str("a:\n  - x: ${REGION}\n  - y: [1, '${MISSING}']\n").unwrap();
        let err = expand_value(&mut v, "", &env).unwrap_err();
        assert!(err.to_string().contains("`a[1].y[1]`"), "{err}");
        let mut v: Value = serde_yaml_ng::from_str("a:\n  - x: ${REGION}\n").unwrap();
        expand_value(&mut v, "", &env).unwrap();
        assert_eq!(v["a"][0]["x"], Value::String("ams3".into()));
    }

    #[test]
    fn double_dollar_is_never_a_reference_and_is_kept_for_the_script_args_pass() {
        assert_eq!(expand_str("$${HOME}", "k", &env).unwrap(), "$${HOME}");
        assert_eq!(expand_str("$${NOPE}", "k", &env).unwrap(), "$${NOPE}");
        assert_eq!(
            expand_str("$$$${REGION}", "k", &env).unwrap(),
            "$$$${REGION}"
        );
        assert_eq!(expand_str("$$${REGION}", "k", &env).unwrap(), "$$ams3");
        assert_eq!(expand_str("a$$b", "k", &env).unwrap(), "a$$b");
        assert_eq!(whole_reference("$${DO_TOKEN}"), None);
    }

    #[test]
    fn machine_variables_in_script_args_are_left_for_the_command_builder() {
        let mut v: Value = serde_yaml_ng::from_str(
            "machines:\n  web:\n    script-dir: /opt/${REGION}\n    script-args:\n      - ${MACHINE_FQDN}\n      - ${MACHINE_SCRIPT_DIR:-x}-${REGION}\n",
        )
        .unwrap();
        expand_value(&mut v, "", &env).unwrap();
        let args = &v["machines"]["web"]["script-args"];
        assert_eq!(args[0], Value::String("${MACHINE_FQDN}".into()));
        assert_eq!(
            args[1],
            Value::String("${MACHINE_SCRIPT_DIR:-x}-ams3".into())
        );
        let mut v: Value =
            serde_yaml_ng::from_str("web:\n  script_args: --h ${MACHINE_FQDN}\n").unwrap();
        expand_value(&mut v, "machine_types", &env).unwrap();
        assert_eq!(
            v["web"]["script_args"],
            Value::String("--h ${MACHINE_FQDN}".into())
        );
        // Elsewhere they are ordinary references to the local environment.
        assert!(expand_str("${MACHINE_FQDN}", "k", &env).is_err());
    }

    #[test]
    fn whole_reference_only_for_a_lone_variable() {
        assert_eq!(whole_reference("${DO_TOKEN}"), Some("DO_TOKEN"));
        assert_eq!(whole_reference("${DO_TOKEN:-x}"), None);
        assert_eq!(whole_reference("a${DO_TOKEN}"), None);
        assert_eq!(whole_reference("plain"), None);
    }
}
