//! The rules a front end checks as a person types, each with one implementation: here. The
//! desktop UI asks the core for the verdict (a command per rule kind) instead of keeping a
//! copy, and the use cases apply the same functions before any provider is called.
//!
//! - [`check`]: one value against one [`Rule`] (machine name, tag, session id, machine type
//!   name, user name, script URL, absolute path, snapshot name);
//! - [`crate::usecases::dns::record_problems`]: a DNS record, field by field;
//! - [`crate::machine_types::form_problems`]: a machine type, field by field;
//! - [`crate::providers::provider_list`]: the providers and their display names.

use serde::Deserialize;

use crate::machine_types;
use crate::session::{SessionId, type_tag};
use crate::usecases::create::{validate_hostname, validate_tag};
use crate::usecases::snapshots::validate_snapshot_name;

/// A rule for one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Rule {
    /// A machine name: a hostname label (so `<name>.<zone>` is a valid DNS name).
    MachineName,
    /// A user's own tag on a machine.
    Tag,
    /// A session id: 8 lowercase hex characters.
    SessionId,
    /// A machine type name: fits in the `machine:type:<name>` tag.
    MachineTypeName,
    /// The user a machine type creates.
    UserName,
    /// A setup script's URL.
    ScriptUrl,
    /// A setup script's directory or path.
    AbsolutePath,
    /// The name of a snapshot Hangar takes.
    SnapshotName,
}

/// Why `value` breaks `rule`, or `None` when it does not. Surrounding spaces are ignored, as
/// every form trims what it sends.
pub fn check(rule: Rule, value: &str) -> Option<String> {
    let v = value.trim();
    let verdict = match rule {
        Rule::MachineName => validate_hostname(v),
        Rule::Tag => validate_tag(v),
        Rule::SessionId => v.parse::<SessionId>().map(drop).map_err(|e| e.to_string()),
        Rule::MachineTypeName => type_tag(v).map(drop).map_err(|e| e.to_string()),
        Rule::UserName => machine_types::validate_user_name(v),
        Rule::ScriptUrl => machine_types::validate_script_url(v),
        Rule::AbsolutePath => machine_types::validate_abs_path(v),
        Rule::SnapshotName => validate_snapshot_name(v),
    };
    verdict.err()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_accepts_and_refuses() {
        let cases: [(Rule, &str, &str); 8] = [
            (Rule::MachineName, "web-1", "web_1"),
            (Rule::Tag, "team:web", "a.b"),
            (Rule::SessionId, "0a1b2c3d", "0A1B2C3D"),
            // Type names follow the tag's charset: `:` fits, `.` does not.
            (Rule::MachineTypeName, "db:primary", "db.primary"),
            (Rule::UserName, "deploy", "root"),
            (
                Rule::ScriptUrl,
                "https://example.com/s.sh",
                "ftp://example.com/s",
            ),
            (Rule::AbsolutePath, "/opt/setup", "opt/setup"),
            (Rule::SnapshotName, "before upgrade", "two\nlines"),
        ];
        for (rule, good, bad) in cases {
            assert_eq!(check(rule, good), None, "{rule:?} {good}");
            assert!(check(rule, bad).is_some(), "{rule:?} {bad}");
        }
    }

    #[test]
    fn user_tags_cannot_spoof_hangars_own_tags() {
        for spoof in [
            "machine:type:web",
            "machine:session:0a1b2c3d",
            "machine:created",
        ] {
            let problem = check(Rule::Tag, spoof).expect(spoof);
            assert!(problem.contains("reserves"), "{problem}");
        }
        assert_eq!(check(Rule::Tag, "machines:web"), None);
    }
}
