//! The user-data a machine type produces, for an editor that shows it while the type is
//! being edited: the same builder a real create uses, with placeholders for what is only
//! known at creation (the SSH keys chosen then, the machine's DNS name).

use crate::config_error::ConfigError;
use crate::machine_types::MachineType;
use crate::session::type_tag;
use crate::settings::env_vars;

use super::{UserDataRequest, user_data};

/// Stands in for the SSH public keys selected when a machine is created.
pub const PLACEHOLDER_KEY: &str = "ssh-ed25519 AAAA… (the SSH keys chosen at creation)";
/// Stands in for the machine's DNS name in the preview (`MACHINE_FQDN`).
pub const PLACEHOLDER_FQDN: &str = "new-machine.example.com";

/// Validates the type as written (name, `${VAR}` references, fields) and returns the
/// cloud-config it would give, with [`PLACEHOLDER_KEY`] and [`PLACEHOLDER_FQDN`]: the script
/// arguments are shown as the machine gets them (`$MACHINE_*` filled in, `$$` made `$`).
pub fn preview_user_data(
    name: &str,
    machine_type: &MachineType,
    lookup: env_vars::Lookup<'_>,
) -> Result<String, ConfigError> {
    type_tag(name)?;
    let mut value = serde_yaml_ng::to_value(machine_type)
        .map_err(|e| ConfigError::invalid(format!("machine type `{name}`"), e.to_string()))?;
    env_vars::expand_value(&mut value, &format!("machine_types.{name}"), lookup)?;
    let expanded: MachineType = serde_yaml_ng::from_value(value)
        .map_err(|e| ConfigError::invalid(format!("machine type `{name}`"), e.to_string()))?;
    user_data(&UserDataRequest {
        type_name: name,
        machine_type: &expanded,
        ssh_public_keys: &[PLACEHOLDER_KEY.to_owned()],
        fqdn: Some(PLACEHOLDER_FQDN),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine_types::ScriptArgs;

    fn none(_: &str) -> Option<String> {
        None
    }

    fn web() -> MachineType {
        MachineType {
            new_user_name: "deploy".into(),
            script_url: Some("https://example.com/setup.sh".into()),
            script_dir: Some("/opt/setup".into()),
            script_path: Some("/opt/setup/setup.sh".into()),
            script_args: Some(ScriptArgs::List(vec![
                "--role".into(),
                "web server".into(),
                "--fqdn=$MACHINE_FQDN".into(),
            ])),
        }
    }

    #[test]
    fn shows_the_user_and_the_script_with_its_arguments() {
        let yaml = preview_user_data("web", &web(), &none).unwrap();
        assert!(yaml.starts_with("#cloud-config\n"), "{yaml}");
        assert!(yaml.contains("name: deploy"), "{yaml}");
        assert!(yaml.contains("https://example.com/setup.sh"), "{yaml}");
        assert!(yaml.contains("'web server'"), "{yaml}");
        assert!(yaml.contains(PLACEHOLDER_FQDN), "{yaml}");
    }

    #[test]
    fn shows_script_arguments_expanded() {
        let mut t = web();
        t.script_args = Some(ScriptArgs::List(vec![
            "--fqdn=$MACHINE_FQDN".into(),
            "$${HOME}".into(),
            "1.10".into(),
        ]));
        let yaml = preview_user_data("web", &t, &none).unwrap();
        let expected =
            format!("exec /opt/setup/setup.sh '--fqdn={PLACEHOLDER_FQDN}' '${{HOME}}' 1.10");
        assert!(yaml.contains(&expected), "{yaml}");
        t.script_args = Some(ScriptArgs::Line("--fqdn $MACHINE_FQDN '$$HOME".into()));
        let err = preview_user_data("web", &t, &none).unwrap_err().to_string();
        assert!(err.contains("unclosed `'` at column 22"), "{err}");
    }

    #[test]
    fn expands_variables_and_reports_what_is_wrong() {
        let mut t = web();
        t.new_user_name = "${DEPLOY_USER}".into();
        let err = preview_user_data("web", &t, &none).unwrap_err().to_string();
        assert!(err.contains("DEPLOY_USER"), "{err}");
        let lookup = |v: &str| (v == "DEPLOY_USER").then(|| "ops".to_owned());
        assert!(
            preview_user_data("web", &t, &lookup)
                .unwrap()
                .contains("name: ops")
        );
        t.new_user_name = "Root".into();
        let err = preview_user_data("web", &t, &none).unwrap_err().to_string();
        assert!(err.contains("new_user_name"), "{err}");
        let err = preview_user_data("bad name", &web(), &none)
            .unwrap_err()
            .to_string();
        assert!(!err.is_empty());
    }
}
