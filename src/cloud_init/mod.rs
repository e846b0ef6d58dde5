//! cloud-init user-data for a new machine, built from a [`MachineType`] with a YAML
//! serializer (never by pasting strings into YAML).
//!
//! The cloud-config creates the non-root user (group `sudo`, passwordless sudo, bash, every
//! selected SSH public key). When the type has a setup script, `runcmd` creates the script
//! directory, downloads the script with `curl -fsSL`, makes it executable and runs it as the
//! new user with `MACHINE_SCRIPT_URL`, `MACHINE_SCRIPT_DIR` and `MACHINE_FQDN` exported.
//! `runcmd` entries are argument lists, so cloud-init quotes each item itself; only the
//! command given to `su -c` is shell text, built in [`script_command`], which also fills the
//! `$MACHINE_*` variables and `$$` into the script arguments. Every string scalar
//! stays a string under YAML 1.1, which cloud-init parses with ([`yaml11`]).

pub mod preview;
mod script_command;
pub mod yaml11;

pub use script_command::{SCRIPT_ENV_VARS, check_line as check_script_line, script_command};

use serde::Serialize;

use crate::config_error::ConfigError;
use crate::machine_types::MachineType;

/// The sudo rule of the new user. A single string: older cloud-init schemas reject a list.
pub const SUDO_RULE: &str = "ALL=(ALL) NOPASSWD:ALL";
/// Login shell of the new user.
pub const USER_SHELL: &str = "/bin/bash";

/// What user-data is built from.
#[derive(Debug, Clone, Copy)]
pub struct UserDataRequest<'a> {
    /// Name of the machine type, for error messages.
    pub type_name: &'a str,
    /// The type with `${VAR}` already expanded (from the resolved settings).
    pub machine_type: &'a MachineType,
    /// Public keys (OpenSSH one-line format) of all selected SSH keys.
    pub ssh_public_keys: &'a [String],
    /// The machine's DNS name, when it gets one; exported as `MACHINE_FQDN` (else empty).
    pub fqdn: Option<&'a str>,
}

#[derive(Serialize)]
struct CloudConfig<'a> {
    users: [User<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    runcmd: Vec<Vec<String>>,
}

#[derive(Serialize)]
struct User<'a> {
    name: &'a str,
    groups: &'static str,
    sudo: &'static str,
    shell: &'static str,
    lock_passwd: bool,
    ssh_authorized_keys: &'a [String],
}

/// Validates the request and returns the user-data text, starting with `#cloud-config`.
pub fn user_data(req: &UserDataRequest<'_>) -> Result<String, ConfigError> {
    req.machine_type.validate(req.type_name)?;
    validate_keys(req.ssh_public_keys)?;
    let fqdn = req.fqdn.unwrap_or("");
    validate_fqdn(fqdn)?;

    let user = req.machine_type.new_user_name.as_str();
    let runcmd = match req.machine_type.script() {
        None => Vec::new(),
        Some(script) => {
            let command = script_command(&script, fqdn)?;
            vec![
                vec!["mkdir".into(), "-p".into(), script.dir.into()],
                vec![
                    "curl".into(),
                    "-fsSL".into(),
                    "--retry".into(),
                    "5".into(),
                    "-o".into(),
                    script.path.into(),
                    script.url.into(),
                ],
                vec!["chmod".into(), "+x".into(), script.path.into()],
                vec!["su".into(), "-".into(), user.into(), "-c".into(), command],
            ]
        }
    };
    let config = CloudConfig {
        users: [User {
            name: user,
            groups: "sudo",
            sudo: SUDO_RULE,
            shell: USER_SHELL,
            lock_passwd: true,
            ssh_authorized_keys: req.ssh_public_keys,
        }],
        runcmd,
    };
    let body = serde_yaml_ng::to_string(&config)
        .map_err(|e| ConfigError::invalid("user-data", format!("could not serialize: {e}")))?;
    // cloud-init reads YAML 1.1: keep every string a string there too.
    let body = yaml11::quote_ambiguous(&body);
    Ok(format!("#cloud-config\n{body}"))
}

fn validate_keys(keys: &[String]) -> Result<(), ConfigError> {
    if keys.is_empty() {
        return Err(ConfigError::invalid(
            "ssh keys",
            "select at least one SSH key",
        ));
    }
    for key in keys {
        let key = key.trim();
        if key.is_empty() || key.chars().any(char::is_control) {
            return Err(ConfigError::invalid(
                "ssh keys",
                "a public key must be one non-empty line (OpenSSH format, e.g. `ssh-ed25519 AAAA... name`)",
            ));
        }
    }
    Ok(())
}

fn validate_fqdn(fqdn: &str) -> Result<(), ConfigError> {
    let ok = fqdn.len() <= 253
        && fqdn
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(ConfigError::invalid(
            "fqdn",
            format!("`{}` is not a DNS name", fqdn.escape_debug()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine_types::ScriptArgs;

    fn key() -> Vec<String> {
        vec!["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample alice@laptop".into()]
    }

    #[test]
    fn user_only_type_has_no_runcmd() {
        let t = MachineType {
            new_user_name: "alice".into(),
            ..Default::default()
        };
        let text = user_data(&UserDataRequest {
            type_name: "t",
            machine_type: &t,
            ssh_public_keys: &key(),
            fqdn: None,
        })
        .unwrap();
        assert!(text.starts_with("#cloud-config\n"));
        let v: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
        assert_eq!(v["users"][0]["name"].as_str(), Some("alice"));
        assert_eq!(v["users"][0]["sudo"].as_str(), Some(SUDO_RULE));
        assert_eq!(v["users"][0]["groups"].as_str(), Some("sudo"));
        assert_eq!(
            v["users"][0]["ssh_authorized_keys"][0].as_str(),
            Some(key()[0].as_str())
        );
        assert!(v.get("runcmd").is_none());
    }

    #[test]
    fn invalid_input_is_rejected_before_building() {
        let t = MachineType {
            new_user_name: "root".into(),
            ..Default::default()
        };
        assert!(
            user_data(&UserDataRequest {
                type_name: "t",
                machine_type: &t,
                ssh_public_keys: &key(),
                fqdn: None
            })
            .is_err()
        );
        let t = MachineType {
            new_user_name: "alice".into(),
            ..Default::default()
        };
        assert!(
            user_data(&UserDataRequest {
                type_name: "t",
                machine_type: &t,
                ssh_public_keys: &[],
                fqdn: None
            })
            .is_err()
        );
        let two_lines = vec!["ssh-ed25519 AAAA\nssh-rsa BBBB".to_owned()];
        assert!(
            user_data(&UserDataRequest {
                type_name: "t",
                machine_type: &t,
                ssh_public_keys: &two_lines,
                fqdn: None
            })
            .is_err()
        );
        assert!(
            user_data(&UserDataRequest {
                type_name: "t",
                machine_type: &t,
                ssh_public_keys: &key(),
                fqdn: Some("a b")
            })
            .is_err()
        );
    }

    #[test]
    fn script_steps_in_order() {
        let t = MachineType {
            new_user_name: "alice".into(),
            script_url: Some("https://example.com/setup.sh".into()),
            script_dir: Some("/opt/setup".into()),
            script_path: Some("/opt/setup/setup.sh".into()),
            script_args: Some(ScriptArgs::Line("--fqdn $MACHINE_FQDN".into())),
        };
        let text = user_data(&UserDataRequest {
            type_name: "t",
            machine_type: &t,
            ssh_public_keys: &key(),
            fqdn: Some("web.example.com"),
        })
        .unwrap();
        let v: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
        let runcmd: Vec<Vec<String>> = serde_yaml_ng::from_value(v["runcmd"].clone()).unwrap();
        assert_eq!(runcmd[0], ["mkdir", "-p", "/opt/setup"]);
        assert_eq!(
            runcmd[1],
            [
                "curl",
                "-fsSL",
                "--retry",
                "5",
                "-o",
                "/opt/setup/setup.sh",
                "https://example.com/setup.sh"
            ]
        );
        assert_eq!(runcmd[2], ["chmod", "+x", "/opt/setup/setup.sh"]);
        assert_eq!(runcmd[3][..4], ["su", "-", "alice", "-c"]);
        assert!(
            runcmd[3][4].ends_with("exec /opt/setup/setup.sh --fqdn web.example.com"),
            "{}",
            runcmd[3][4]
        );
    }
}
