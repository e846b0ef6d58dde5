//! Generated user-data passes the real `cloud-init schema` check. cloud-init must be
//! installed (`apt-get install cloud-init`; `make test` installs it): a missing cloud-init
//! fails these tests rather than skipping them.

use std::process::Command;

use hangar::cloud_init::{UserDataRequest, user_data};
use hangar::machine_types::{MachineType, ScriptArgs};

const KEY_ED25519: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq4mYdv2hx0f2mFQ9Zb6cA8YbYJx1l0dtJ1kC5S3w0r alice@laptop";
const KEY_RSA: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7Zb0k3n8Q== bob@desktop";

fn with_script(args: Option<ScriptArgs>) -> MachineType {
    MachineType {
        new_user_name: "deploy".into(),
        script_url: Some("https://example.com/setup/web.sh?ref=main&x=1".into()),
        script_dir: Some("/opt/setup dir".into()),
        script_path: Some("/opt/setup dir/web.sh".into()),
        script_args: args,
    }
}

/// Runs `cloud-init schema --config-file` on the user-data; panics with its output on failure.
fn assert_schema_valid(name: &str, text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.yaml"));
    std::fs::write(&path, text).unwrap();
    let out = Command::new("cloud-init")
        .args(["schema", "--config-file"])
        .arg(&path)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run cloud-init ({e}): install it with `apt-get install cloud-init`")
        });
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{name}: cloud-init schema rejected:\n{text}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    assert!(
        stdout.contains("Valid cloud-config"),
        "{name}: unexpected output {stdout} {stderr}"
    );
}

#[test]
fn user_data_passes_cloud_init_schema() {
    let nasty = vec![
        "--name".to_owned(),
        "two words".into(),
        "it's \"quoted\"".into(),
        "$(touch pwned) `id`".into(),
        "line1\nline2".into(),
        "- not: [a, list]".into(),
        "# not a comment".into(),
        "".into(),
        "ünïcødé ✓".into(),
    ];
    let cases: Vec<(&str, MachineType, Vec<String>, Option<&str>)> = vec![
        (
            "user-only",
            MachineType {
                new_user_name: "alice".into(),
                ..Default::default()
            },
            vec![KEY_ED25519.into()],
            None,
        ),
        (
            "script-no-args",
            with_script(None),
            vec![KEY_ED25519.into()],
            Some("web.example.com"),
        ),
        (
            "script-string-args",
            with_script(Some(ScriptArgs::Line(
                "--fqdn $MACHINE_FQDN --dir \"$MACHINE_SCRIPT_DIR\" 'x: y'".into(),
            ))),
            vec![KEY_ED25519.into()],
            Some("web.example.com"),
        ),
        (
            "script-list-args",
            with_script(Some(ScriptArgs::List(nasty))),
            vec![KEY_ED25519.into()],
            None,
        ),
        (
            "script-args-with-machine-variables",
            with_script(Some(ScriptArgs::List(vec![
                "--fqdn=$MACHINE_FQDN".into(),
                "${MACHINE_SCRIPT_DIR}/conf".into(),
                "$${HOME}".into(),
                "1.10".into(),
            ]))),
            vec![KEY_ED25519.into()],
            Some("web.example.com"),
        ),
        (
            "script-string-args-with-machine-variables",
            with_script(Some(ScriptArgs::Line(
                "--url '$MACHINE_SCRIPT_URL' --dir $MACHINE_SCRIPT_DIR \"$$HOME\" $${HOME}".into(),
            ))),
            vec![KEY_ED25519.into()],
            Some("web.example.com"),
        ),
        (
            "multiple-keys",
            MachineType {
                new_user_name: "ops_team-1".into(),
                ..Default::default()
            },
            vec![KEY_ED25519.into(), KEY_RSA.into()],
            None,
        ),
    ];
    for (name, machine_type, keys, fqdn) in cases {
        let text = user_data(&UserDataRequest {
            type_name: name,
            machine_type: &machine_type,
            ssh_public_keys: &keys,
            fqdn,
        })
        .unwrap();
        assert!(text.starts_with("#cloud-config\n"));
        assert_schema_valid(name, &text);
    }
}

#[test]
fn the_schema_check_does_reject_bad_user_data() {
    // Proves the check above can fail: `sudo` as a list (what `machine` wrote; older schemas
    // refuse it) and a non-string runcmd item are refused by the same command.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    std::fs::write(&path, "#cloud-config\nusers:\n- name: deploy\n  sudo: ['ALL=(ALL) NOPASSWD:ALL']\nruncmd:\n- [su, '-', 5]\n").unwrap();
    let out = Command::new("cloud-init")
        .args(["schema", "--config-file"])
        .arg(&path)
        .output()
        .expect("cloud-init is missing");
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// cloud-init parses user-data with PyYAML (YAML 1.1). Each document is read back by PyYAML
/// (the parser cloud-init uses, installed with it), returning the user's name and the script
/// arguments as JSON.
fn read_with_yaml11(texts: &[String]) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let path = dir.path().join(format!("{i}.yaml"));
        std::fs::write(&path, text).unwrap();
        paths.push(path);
    }
    let script = "import json, sys, yaml\nfor p in sys.argv[1:]:\n    d = yaml.safe_load(open(p))\n    print(json.dumps({'name': d['users'][0]['name'], 'lock': d['users'][0]['lock_passwd'], 'runcmd': d.get('runcmd')}))\n";
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(&paths)
        .output()
        .expect("python3 with PyYAML (installed with cloud-init)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn yaml11_words_stay_strings_for_cloud_init() {
    // Valid login names that YAML 1.1 reads as booleans or null, and arguments that it reads
    // as numbers, dates, booleans or null.
    let users = ["yes", "no", "on", "off", "y", "n", "null", "_yes"];
    let args: Vec<String> = [
        "yes",
        "No",
        "ON",
        "~",
        "null",
        "0777",
        "0x1F",
        "1:20",
        "1.10",
        "1e3",
        "2026-01-02",
        ".inf",
        "-",
        "+1",
        "=",
        "<<",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let texts: Vec<String> = users
        .iter()
        .map(|user| {
            let t = MachineType {
                new_user_name: (*user).into(),
                script_url: Some("https://example.com/s.sh".into()),
                script_dir: Some("/opt/s".into()),
                script_path: Some("/opt/s/s.sh".into()),
                script_args: Some(ScriptArgs::List(args.clone())),
            };
            user_data(&UserDataRequest {
                type_name: "t",
                machine_type: &t,
                ssh_public_keys: &[KEY_ED25519.into()],
                fqdn: None,
            })
            .unwrap()
        })
        .collect();
    let read = read_with_yaml11(&texts);
    for ((user, text), doc) in users.iter().zip(&texts).zip(&read) {
        assert_eq!(doc["name"], *user, "{text}");
        assert_eq!(doc["lock"], true, "lock_passwd must stay a boolean: {text}");
        let runcmd = doc["runcmd"].as_array().unwrap();
        for step in runcmd {
            for item in step.as_array().unwrap() {
                assert!(
                    item.is_string(),
                    "{item} is not a string under YAML 1.1:\n{text}"
                );
            }
        }
        // `su - <user> -c …`: the user cloud-init switches to is the name as written.
        let su = runcmd.last().unwrap().as_array().unwrap();
        assert_eq!(su[2], *user);
        assert_schema_valid(&format!("yaml11-{user}"), text);
    }
}
