//! The shell command that runs a machine type's setup script as the new user.

use crate::config_error::ConfigError;
use crate::machine_types::{ScriptArgs, SetupScript};

/// Variables exported to the setup script.
pub const SCRIPT_ENV_VARS: [&str; 3] = ["MACHINE_SCRIPT_URL", "MACHINE_SCRIPT_DIR", "MACHINE_FQDN"];

/// Shell text for `su - <user> -c`: assigns and exports the `MACHINE_*` variables, then
/// `exec`s the script with its arguments. Variables are set before the arguments are
/// expanded, so a string of arguments may use `$MACHINE_FQDN`. A list of arguments is
/// quoted item by item, so each item arrives as exactly one argument.
pub fn script_command(script: &SetupScript<'_>, fqdn: &str) -> Result<String, ConfigError> {
    let values = [script.url, script.dir, fqdn];
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
                command.push(' ');
                command.push_str(line);
            }
        }
        Some(ScriptArgs::List(items)) => {
            for item in items {
                command.push(' ');
                command.push_str(&quote(item, "script_args")?);
            }
        }
    }
    Ok(command)
}

fn quote<'a>(value: &'a str, field: &str) -> Result<std::borrow::Cow<'a, str>, ConfigError> {
    shlex::try_quote(value).map_err(|_| ConfigError::invalid(field, "contains a NUL character"))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
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
        let out = Command::new("sh").arg("-c").arg(&cmd).output().unwrap();
        assert!(
            out.status.success(),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        text.split_terminator('\0').map(str::to_owned).collect()
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
            "$MACHINE_FQDN".into(),
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
    fn string_args_are_expanded_by_the_shell() {
        let got = run(
            ScriptArgs::Line("--host $MACHINE_FQDN --dir \"$MACHINE_SCRIPT_DIR\"".into()),
            "h.example.com",
        );
        assert_eq!(got[3..], ["--host", "h.example.com", "--dir", "/opt/x y"]);
    }
}
