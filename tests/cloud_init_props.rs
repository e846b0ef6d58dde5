//! Property tests: whatever strings a machine type holds, the user-data either is refused
//! before any API call or parses back to exactly the intended structure, and every list
//! argument survives as exactly one shell argument.

use hangar::cloud_init::{UserDataRequest, user_data};
use hangar::machine_types::{MachineType, ScriptArgs};
use proptest::prelude::*;
use serde_yaml_ng::Value;

const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq4mYdv2hx0f2mFQ9Zb6cA8YbYJx1l0dtJ1kC5S3w0r alice@laptop";

/// Strings built from shell and YAML metacharacters, unicode, and YAML words that change
/// type when unquoted (null, true, 1e3, ...).
fn nasty() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => prop::sample::select(vec![
            "'", "\"", "\n", "\r", "\t", " ", "$", "$(", ")", "`", "\\", ":", ": ", "- ", "#", " #", "&", "*",
            "!", "|", ">", "{", "}", "[", "]", "%", "@", ",", "?", ";", "~", "=", "/", "/.", "..", "//",
            "null", "true", "no", "yes", "on", "off", "y", "Y", "NULL", "0777", "1.10", "1:20", "2026-01-02",
            "1e3", "0x1F", "0o17", ".inf", "---", "...", "é", "✓", "😀", "\u{200b}",
            "\u{7f}", "\u{85}", "\u{2028}", "a", "z", "_", "-", "0", "root", "$MACHINE_FQDN", "${MACHINE_FQDN}", "$MACHINE_SCRIPT_DIR", "$$", "${X}", "\0",
        ])
        .prop_map(str::to_owned),
        1 => any::<String>(),
    ];
    prop::collection::vec(piece, 0..8).prop_map(|parts| parts.concat())
}

fn script_type(
    user: &str,
    url: &str,
    dir: &str,
    path: &str,
    args: Option<ScriptArgs>,
) -> MachineType {
    MachineType {
        new_user_name: user.into(),
        script_url: Some(url.into()),
        script_dir: Some(dir.into()),
        script_path: Some(path.into()),
        script_args: args,
    }
}

fn build(t: &MachineType) -> Result<String, hangar::config_error::ConfigError> {
    user_data(&UserDataRequest {
        type_name: "t",
        machine_type: t,
        ssh_public_keys: &[KEY.to_owned()],
        fqdn: Some("h.example.com"),
    })
}

fn parse(text: &str) -> Value {
    assert!(text.starts_with("#cloud-config\n"));
    serde_yaml_ng::from_str(text).expect("user-data must be valid YAML")
}

fn runcmd(v: &Value) -> Vec<Vec<String>> {
    serde_yaml_ng::from_value(v["runcmd"].clone()).expect("runcmd must be a list of string lists")
}

/// What a list item becomes, written independently of the implementation: split at `$$`
/// (each a literal `$`), and in each part the script's variables (`build` uses FQDN
/// `h.example.com`) replaced, in `$NAME` form only when no name character follows.
fn model_expand(item: &str) -> String {
    let vars = [
        ("MACHINE_SCRIPT_URL", "https://example.com/s.sh"),
        ("MACHINE_SCRIPT_DIR", "/opt/s"),
        ("MACHINE_FQDN", "h.example.com"),
    ];
    item.split("$$")
        .map(|part| {
            let mut out = String::new();
            let mut rest = part;
            'scan: while let Some(at) = rest.find('$') {
                out.push_str(&rest[..at]);
                let after = &rest[at + 1..];
                for (name, value) in vars {
                    let braced = format!("{{{name}}}");
                    if let Some(tail) = after.strip_prefix(braced.as_str()) {
                        out.push_str(value);
                        rest = tail;
                        continue 'scan;
                    }
                    if let Some(tail) = after.strip_prefix(name)
                        && !tail.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                    {
                        out.push_str(value);
                        rest = tail;
                        continue 'scan;
                    }
                }
                out.push('$');
                rest = after;
            }
            out.push_str(rest);
            out
        })
        .collect::<Vec<_>>()
        .join("$")
}

/// The words after `exec` in the `su -c` command, split the way a POSIX shell would.
fn exec_words(command: &str) -> Vec<String> {
    let words = shlex::split(command).expect("command must split");
    let at = words
        .iter()
        .position(|w| w == "exec")
        .expect("exec in command");
    words[at + 1..].to_vec()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn user_names_are_valid_or_rejected(name in prop_oneof![nasty(), "[a-z_][a-z0-9_-]{0,33}[$]?"]) {
        let t = MachineType { new_user_name: name.clone(), ..Default::default() };
        let valid = regex::Regex::new(r"^[a-z_][a-z0-9_-]*[$]?$").unwrap().is_match(&name) && name.len() <= 32 && name != "root";
        match build(&t) {
            Ok(text) => {
                prop_assert!(valid, "accepted invalid name {name:?}");
                let v = parse(&text);
                prop_assert_eq!(v["users"][0]["name"].as_str(), Some(name.as_str()));
                prop_assert_eq!(v["users"][0]["sudo"].as_str(), Some("ALL=(ALL) NOPASSWD:ALL"));
                prop_assert_eq!(v["users"].as_sequence().map(Vec::len), Some(1));
            }
            Err(e) => prop_assert!(!valid, "rejected valid name {name:?}: {e}"),
        }
    }

    #[test]
    fn list_arguments_survive_one_to_one(args in prop::collection::vec(nasty(), 0..6)) {
        let t = script_type("deploy", "https://example.com/s.sh", "/opt/s", "/opt/s/run.sh", Some(ScriptArgs::List(args.clone())));
        match build(&t) {
            Err(e) => prop_assert!(args.iter().any(|a| a.contains('\0')), "rejected {args:?}: {e}"),
            Ok(text) => {
                prop_assert!(!args.iter().any(|a| a.contains('\0')));
                let cmds = runcmd(&parse(&text));
                prop_assert_eq!(cmds.len(), 4);
                prop_assert_eq!(&cmds[3][..4], &["su", "-", "deploy", "-c"]);
                let words = exec_words(&cmds[3][4]);
                prop_assert_eq!(&words[0], "/opt/s/run.sh");
                let expected: Vec<String> = args.iter().map(|a| model_expand(a)).collect();
                prop_assert_eq!(&words[1..], &expected[..]);
            }
        }
    }

    #[test]
    fn string_arguments_without_dollar_are_appended_as_written(line in nasty()) {
        let t = script_type("deploy", "https://example.com/s.sh", "/opt/s", "/opt/s/run.sh", Some(ScriptArgs::Line(line.clone())));
        let splits = shlex::split(&line).is_some();
        match build(&t) {
            Err(e) => prop_assert!(line.contains(['\n', '\r', '\0']) || !splits, "rejected one-line args {line:?}: {e}"),
            Ok(_) if line.contains('$') => prop_assert!(splits, "accepted unbalanced {line:?}"),
            Ok(text) => {
                prop_assert!(splits, "accepted unbalanced {line:?}");
                let cmds = runcmd(&parse(&text));
                let command = &cmds[3][4];
                if line.trim().is_empty() {
                    prop_assert!(command.ends_with("exec /opt/s/run.sh"), "{command}");
                } else {
                    let expected_end = format!("exec /opt/s/run.sh {line}");
                    prop_assert!(command.ends_with(&expected_end), "{command:?}");
                }
            }
        }
    }

    #[test]
    fn paths_are_valid_or_rejected(dir in prop_oneof![nasty(), "/[a-z .'$]{1,8}(/[a-z .'$]{1,8}){0,2}"], file in nasty()) {
        let path = format!("{dir}/{file}");
        let t = script_type("deploy", "https://example.com/s.sh", &dir, &path, Some(ScriptArgs::List(vec!["x".into()])));
        let normal = |p: &str| p.starts_with('/') && !p.chars().any(char::is_control)
            && (p == "/" || (!p.contains("//") && !p.ends_with('/') && !p.split('/').any(|s| s == "." || s == "..")));
        match build(&t) {
            Ok(text) => {
                prop_assert!(normal(&dir) && normal(&path) && path != "/", "accepted {dir:?} / {path:?}");
                let cmds = runcmd(&parse(&text));
                prop_assert_eq!(&cmds[0], &["mkdir", "-p", dir.as_str()]);
                prop_assert_eq!(&cmds[1][5], &path);
                prop_assert_eq!(&cmds[2], &["chmod", "+x", path.as_str()]);
                let words = exec_words(&cmds[3][4]);
                prop_assert_eq!(&words[0], &path);
                prop_assert_eq!(&words[1..], &["x".to_owned()]);
                let assigned: Vec<_> = shlex::split(&cmds[3][4]).unwrap();
                let dir_assignment = format!("MACHINE_SCRIPT_DIR={dir}");
                prop_assert!(assigned.contains(&dir_assignment), "{assigned:?}");
            }
            Err(_) => prop_assert!(!(normal(&dir) && normal(&path) && path != "/"), "rejected {dir:?} / {path:?}"),
        }
    }

    #[test]
    fn urls_are_valid_or_rejected(tail in nasty()) {
        let url = format!("https://example.com/{tail}");
        let t = script_type("deploy", &url, "/opt/s", "/opt/s/run.sh", None);
        match build(&t) {
            Ok(text) => {
                prop_assert!(!url.chars().any(|c| c.is_whitespace() || c.is_control()), "accepted {url:?}");
                let cmds = runcmd(&parse(&text));
                prop_assert_eq!(&cmds[1], &["curl", "-fsSL", "--retry", "5", "-o", "/opt/s/run.sh", url.as_str()]);
            }
            Err(_) => prop_assert!(url.chars().any(|c| c.is_whitespace() || c.is_control()), "rejected {url:?}"),
        }
    }
}
