//! The shell command that runs a machine type's setup script as the new user.
//!
//! `script_args` follows one rule in both forms, as `machine` does: `$MACHINE_SCRIPT_URL`,
//! `$MACHINE_SCRIPT_DIR` and `$MACHINE_FQDN` (also written `${NAME}`, or `${NAME:-text}` for
//! `text` when the value is empty) are replaced by the machine's values, and `$$` is one
//! literal `$`. Any other `$` is kept as written. Then a list item is quoted as exactly one
//! argument; a string goes to the shell, a replaced value quoted so it stays one word and
//! `$$` escaped so the shell leaves the `$` alone (inside any quotes too). The `${VAR}`
//! expansion done when the settings are loaded keeps `$$` and these three names as written,
//! so nothing is expanded or unescaped twice.

use std::borrow::Cow;

use crate::config_error::ConfigError;
use crate::machine_types::{ScriptArgs, SetupScript};

/// Variables exported to the setup script.
pub const SCRIPT_ENV_VARS: [&str; 3] = ["MACHINE_SCRIPT_URL", "MACHINE_SCRIPT_DIR", "MACHINE_FQDN"];

/// The values of [`SCRIPT_ENV_VARS`], in that order.
type Vars<'a> = [&'a str; 3];

/// Shell text for `su - <user> -c`: assigns and exports the `MACHINE_*` variables, then
/// `exec`s the script with its arguments, rendered as the module documentation says.
pub fn script_command(script: &SetupScript<'_>, fqdn: &str) -> Result<String, ConfigError> {
    let values: Vars<'_> = [script.url, script.dir, fqdn];
    let mut command = String::new();
    for (name, value) in SCRIPT_ENV_VARS.iter().zip(values) {
        command.push_str(&format!("{name}={} ", quote(value, "script environment")?));
    }
    command.pop();
    command.push_str(&format!(
        "; export {}; exec {}",
        SCRIPT_ENV_VARS.join(" "),
        quote(script.path, "script_path")?
    ));
    match script.args {
        None => {}
        Some(ScriptArgs::Line(line)) => {
            if line.contains(['\n', '\r', '\0']) {
                return Err(ConfigError::invalid(
                    "script_args",
                    "a string of arguments must be one line",
                ));
            }
            if !line.trim().is_empty() {
                let rendered = render_line(line, &values)
                    .map_err(|m| ConfigError::invalid("script_args", m))?;
                command.push(' ');
                command.push_str(&rendered);
            }
        }
        Some(ScriptArgs::List(items)) => {
            for item in items {
                command.push(' ');
                command.push_str(&quote(&expand_item(item, &values), "script_args")?);
            }
        }
    }
    Ok(command)
}

/// Checks that a string of arguments splits into words: every quote is closed and it does
/// not end with a lone backslash. The message gives the (1-based, in characters) column.
pub fn check_line(line: &str) -> Result<(), String> {
    if shlex::split(line).is_some() {
        return Ok(());
    }
    // Where it goes wrong, scanning as `shlex` does.
    let mut open: Option<(char, usize)> = None;
    let mut word_start = true;
    let mut chars = line.chars().enumerate();
    while let Some((i, c)) = chars.next() {
        let col = i + 1;
        match (open, c) {
            (None, '#') if word_start => {
                // A comment, up to the end of the line.
                if !chars.any(|(_, c)| c == '\n') {
                    break;
                }
                word_start = true;
                continue;
            }
            (None, ' ' | '\t' | '\n') => {
                word_start = true;
                continue;
            }
            (None, '\'' | '"') => open = Some((c, col)),
            (Some((q, _)), _) if c == q => open = None,
            // The guard consumes the escaped character; only a lone `\` at the end fails.
            (None, '\\') | (Some(('"', _)), '\\') if chars.next().is_none() => {
                return Err(format!(
                    "unfinished `\\` at column {col}: nothing follows it"
                ));
            }
            _ => {}
        }
        word_start = false;
    }
    Err(match open {
        Some((q, col)) => format!("unclosed `{q}` at column {col}"),
        None => "unbalanced quotes".into(),
    })
}

/// What a `$` starts.
enum Dollar<'a> {
    /// `$$`: one literal `$`.
    Escape,
    /// One of the script's variables: the text it stands for.
    Var(&'a str),
    /// Anything else: the `$` is kept as written.
    Other,
}

/// Reads what follows a `$` (`after`); returns it and how many bytes of `after` it takes.
fn dollar<'a>(after: &'a str, vars: &Vars<'a>) -> (Dollar<'a>, usize) {
    let var = |name: &str| {
        SCRIPT_ENV_VARS
            .iter()
            .position(|v| *v == name)
            .map(|i| vars[i])
    };
    if after.starts_with('$') {
        return (Dollar::Escape, 1);
    }
    if let Some(body) = after.strip_prefix('{') {
        if let Some(close) = body.find('}') {
            let expr = &body[..close];
            let (name, default) = match expr.split_once(":-") {
                Some((name, default)) => (name, Some(default)),
                None => (expr, None),
            };
            if let Some(value) = var(name) {
                let text = match default {
                    Some(d) if value.is_empty() => d,
                    _ => value,
                };
                return (Dollar::Var(text), close + 2);
            }
        }
        return (Dollar::Other, 0);
    }
    if !after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return (Dollar::Other, 0);
    }
    let len = after
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    match var(&after[..len]) {
        Some(value) => (Dollar::Var(value), len),
        None => (Dollar::Other, 0),
    }
}

/// A list item with the script's variables replaced and `$$` made one `$`.
pub fn expand_item(item: &str, vars: &Vars<'_>) -> String {
    let mut out = String::with_capacity(item.len());
    let mut rest = item;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (d, len) = dollar(after, vars);
        match d {
            Dollar::Escape | Dollar::Other => out.push('$'),
            Dollar::Var(text) => out.push_str(text),
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    Single,
    Double,
}

/// A string of arguments as shell text: the script's variables replaced by their values,
/// quoted for where they stand (unquoted: one word, nothing for an empty value), and `$$`
/// escaped to give one `$`. Refused when a quote is not closed.
pub fn render_line(line: &str, vars: &Vars<'_>) -> Result<String, String> {
    check_line(line)?;
    let mut out = String::with_capacity(line.len());
    let mut q = Quote::None;
    let mut word_start = true;
    let mut i = 0;
    while let Some(c) = line[i..].chars().next() {
        let next = i + c.len_utf8();
        match (q, c) {
            // A comment: the shell ignores the rest.
            (Quote::None, '#') if word_start => {
                out.push_str(&line[i..]);
                break;
            }
            (Quote::None, ' ' | '\t') => {
                out.push(c);
                word_start = true;
                i = next;
                continue;
            }
            (Quote::None, '\'') => q = Quote::Single,
            (Quote::None, '"') => q = Quote::Double,
            (Quote::Single, '\'') | (Quote::Double, '"') => q = Quote::None,
            (Quote::None | Quote::Double, '\\') => {
                // The escaped character goes with it, as written.
                let escaped = line[next..].chars().next().map_or(0, char::len_utf8);
                out.push_str(&line[i..next + escaped]);
                word_start = false;
                i = next + escaped;
                continue;
            }
            (_, '$') => {
                let (d, len) = dollar(&line[next..], vars);
                match d {
                    Dollar::Escape if q == Quote::Single => out.push('$'),
                    Dollar::Escape => out.push_str("\\$"),
                    Dollar::Other => out.push('$'),
                    Dollar::Var(text) => push_value(&mut out, q, text)?,
                }
                word_start = false;
                i = next + len;
                continue;
            }
            _ => {}
        }
        out.push(c);
        word_start = false;
        i = next;
    }
    Ok(out)
}

/// Appends `value` so that the shell reads it back as written, as (part of) one word.
fn push_value(out: &mut String, q: Quote, value: &str) -> Result<(), String> {
    if value.contains('\0') {
        return Err("a value contains a NUL character".into());
    }
    match q {
        Quote::None if value.is_empty() => {}
        Quote::None => out.push_str(&quote(value, "script_args").map_err(|e| e.to_string())?),
        Quote::Double => {
            for c in value.chars() {
                if matches!(c, '$' | '`' | '"' | '\\') {
                    out.push('\\');
                }
                out.push(c);
            }
        }
        Quote::Single => out.push_str(&value.replace('\'', "'\\''")),
    }
    Ok(())
}

fn quote<'a>(value: &'a str, field: &str) -> Result<Cow<'a, str>, ConfigError> {
    shlex::try_quote(value).map_err(|_| ConfigError::invalid(field, "contains a NUL character"))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::machine_types::MachineType;
    use crate::settings::env_vars;
    use std::process::Command;

    /// Runs the command with a real `sh`, the script path pointing at a script that prints
    /// its arguments and the variables NUL-separated.
    fn run(args: ScriptArgs, fqdn: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("print args.sh");
        std::fs::write(&script, "#!/bin/sh\nprintf '%s\\0' \"$MACHINE_SCRIPT_URL\" \"$MACHINE_SCRIPT_DIR\" \"$MACHINE_FQDN\" \"$@\"\n").unwrap();
        Command::new("chmod")
            .arg("+x")
            .arg(&script)
            .status()
            .unwrap();
        let path = script.to_str().unwrap();
        let s = SetupScript {
            url: "https://example.com/s.sh?a=1&b=2",
            dir: "/opt/x y",
            path,
            args: Some(&args),
        };
        let cmd = script_command(&s, fqdn).unwrap();
        let out = Command::new("sh")
            .arg("-c")
            .arg(&cmd)
            .env("HOME", "/home/local")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        text.split_terminator('\0').map(str::to_owned).collect()
    }

    /// The arguments the script gets (after the three variables).
    fn args_of(args: ScriptArgs, fqdn: &str) -> Vec<String> {
        run(args, fqdn)[3..].to_vec()
    }

    fn list(items: &[&str]) -> ScriptArgs {
        ScriptArgs::List(items.iter().map(|s| (*s).to_owned()).collect())
    }

    fn line(text: &str) -> ScriptArgs {
        ScriptArgs::Line(text.to_owned())
    }

    /// The type's script-args as the app uses them: read from YAML text, then `${VAR}`
    /// expanded as when the settings are loaded (`HOME` set to `/home/local`).
    fn loaded(yaml_args: &str) -> ScriptArgs {
        let text = format!("new_user_name: a\nscript_args: {yaml_args}\n");
        let t: MachineType = serde_yaml_ng::from_str(&text).unwrap();
        let mut value = serde_yaml_ng::to_value(&t).unwrap();
        let lookup = |v: &str| (v == "HOME").then(|| "/home/local".to_owned());
        env_vars::expand_value(&mut value, "machine_types.t", &lookup).unwrap();
        let t: MachineType = serde_yaml_ng::from_value(value).unwrap();
        t.script_args.unwrap()
    }

    #[test]
    fn list_items_arrive_as_single_arguments_in_a_real_shell() {
        let nasty = vec![
            "".to_owned(),
            "two words".into(),
            "it's".into(),
            "\"dq\"".into(),
            "$(touch pwned)".into(),
            "`id`".into(),
            "a\nb".into(),
            "; rm -rf /".into(),
            "*".into(),
            "#comment".into(),
            "ünï".into(),
            "$HOME".into(),
            "${X}".into(),
            "$1 $".into(),
            "$MACHINE_FQDNS".into(),
        ];
        let got = run(ScriptArgs::List(nasty.clone()), "web.example.com");
        assert_eq!(
            got[..3],
            [
                "https://example.com/s.sh?a=1&b=2",
                "/opt/x y",
                "web.example.com"
            ]
        );
        assert_eq!(got[3..], nasty[..]);
    }

    #[test]
    fn machine_fqdn_in_a_list_item_expands_to_one_argument() {
        let got = args_of(
            list(&[
                "$MACHINE_FQDN",
                "--host=$MACHINE_FQDN",
                "${MACHINE_FQDN}.internal",
                "$MACHINE_SCRIPT_DIR",
                "--url $MACHINE_SCRIPT_URL",
                "${MACHINE_FQDN:-none}",
            ]),
            "web.example.com",
        );
        assert_eq!(
            got,
            [
                "web.example.com",
                "--host=web.example.com",
                "web.example.com.internal",
                "/opt/x y",
                "--url https://example.com/s.sh?a=1&b=2",
                "web.example.com",
            ]
        );
        // Without a DNS name: one empty argument, or the default.
        let got = args_of(list(&["$MACHINE_FQDN", "${MACHINE_FQDN:-none}"]), "");
        assert_eq!(got, ["", "none"]);
        // Through the config-time `${VAR}` pass too.
        let got = args_of(
            loaded("['${MACHINE_FQDN}', '$MACHINE_FQDN']"),
            "h.example.com",
        );
        assert_eq!(got, ["h.example.com", "h.example.com"]);
    }

    #[test]
    fn double_dollar_is_a_literal_dollar_in_both_forms() {
        let got = args_of(
            list(&[
                "$$MACHINE_FQDN",
                "a$$b",
                "$$",
                "$$$MACHINE_FQDN",
                "$${MACHINE_FQDN}",
            ]),
            "h.example.com",
        );
        assert_eq!(
            got,
            [
                "$MACHINE_FQDN",
                "a$b",
                "$",
                "$h.example.com",
                "${MACHINE_FQDN}"
            ]
        );
        let got = args_of(
            line(r#"$$MACHINE_FQDN "$$HOME" '$$x' a$$b $$ "$$$MACHINE_FQDN" '$$$MACHINE_FQDN'"#),
            "h.example.com",
        );
        assert_eq!(
            got,
            [
                "$MACHINE_FQDN",
                "$HOME",
                "$x",
                "a$b",
                "$",
                "$h.example.com",
                "$h.example.com"
            ]
        );
    }

    #[test]
    fn escaped_brace_reference_stays_literal_through_config_expansion() {
        // `${HOME}` is expanded from the local environment when the settings are loaded;
        // `$${HOME}` is not, and reaches the script as the literal `${HOME}`.
        let got = args_of(loaded("['${HOME}', '$${HOME}', 'a$${HOME}b']"), "");
        assert_eq!(got, ["/home/local", "${HOME}", "a${HOME}b"]);
        let got = args_of(loaded(r#"'$${HOME} "$${HOME}" ''$${HOME}'' ${HOME}'"#), "");
        assert_eq!(got, ["${HOME}", "${HOME}", "${HOME}", "/home/local"]);
    }

    #[test]
    fn numbers_keep_their_written_form_when_loaded_from_yaml_text() {
        let written = [
            "1.10", "0x1F", "1e3", "010", "true", "no", "1_000", "0o17", ".inf", "~",
        ];
        let yaml = format!("[{}]", written.join(", "));
        let got = args_of(loaded(&yaml), "");
        assert_eq!(got, written);
        let block = format!("\n{}", written.map(|w| format!("  - {w}\n")).concat());
        assert_eq!(args_of(loaded(&block), ""), written);
        // Saved and read back, they are still the same text.
        let t = MachineType {
            new_user_name: "a".into(),
            script_args: Some(list(&written)),
            ..Default::default()
        };
        let text = serde_yaml_ng::to_string(&t).unwrap();
        let back: MachineType = serde_yaml_ng::from_str(&text).unwrap();
        assert_eq!(back, t, "{text}");
    }

    #[test]
    fn unbalanced_quote_in_a_string_is_refused_with_its_column() {
        fn s(args: &ScriptArgs) -> SetupScript<'_> {
            SetupScript {
                url: "https://example.com/s.sh",
                dir: "/opt/s",
                path: "/opt/s/run.sh",
                args: Some(args),
            }
        }
        let err = |text: &str| script_command(&s(&line(text)), "").unwrap_err().to_string();
        let e = err(r#"--name "web server"#);
        assert!(
            e.contains("script_args") && e.contains("unclosed `\"` at column 8"),
            "{e}"
        );
        let e = err("--name it's");
        assert!(e.contains("unclosed `'` at column 10"), "{e}");
        let e = err(r#"--x "it's" 'say "hi"' "a\"b"#);
        assert!(e.contains("unclosed `\"` at column 23"), "{e}");
        let e = err(r"--x a\");
        assert!(e.contains("column 6"), "{e}");
        // The same check when the type is validated, before anything is created.
        let t = MachineType {
            new_user_name: "a".into(),
            script_url: Some("https://example.com/s.sh".into()),
            script_dir: Some("/opt/s".into()),
            script_path: Some("/opt/s/run.sh".into()),
            script_args: Some(line("--name 'web")),
        };
        let e = t.validate("web").unwrap_err().to_string();
        assert!(
            e.contains("script_args") && e.contains("unclosed `'` at column 8"),
            "{e}"
        );
        // Closed quotes, and a quote in a comment, are fine.
        assert!(script_command(&s(&line(r#"--x "it's" 'say "hi"' a\'b # don't"#)), "").is_ok());
    }

    #[test]
    fn string_args_are_expanded_by_the_shell() {
        let got = run(
            ScriptArgs::Line("--host $MACHINE_FQDN --dir \"$MACHINE_SCRIPT_DIR\"".into()),
            "h.example.com",
        );
        assert_eq!(got[3..], ["--host", "h.example.com", "--dir", "/opt/x y"]);
    }

    #[test]
    fn string_args_get_machine_values_as_one_word_in_any_quotes() {
        let got = args_of(
            line(
                r#"$MACHINE_SCRIPT_DIR --u=$MACHINE_SCRIPT_URL "${MACHINE_SCRIPT_DIR}" '$MACHINE_FQDN' x$MACHINE_FQDN $HOME '$HOME'"#,
            ),
            "it's.example.com",
        );
        assert_eq!(
            got,
            [
                "/opt/x y",
                "--u=https://example.com/s.sh?a=1&b=2",
                "/opt/x y",
                "it's.example.com",
                "xit's.example.com",
                "/home/local",
                "$HOME",
            ]
        );
        // An empty value unquoted disappears, as in the shell.
        assert_eq!(args_of(line("--host $MACHINE_FQDN"), ""), ["--host"]);
    }
}
