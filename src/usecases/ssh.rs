//! SSH: who to log in as and where, for a "copy the ssh command" action.
//!
//! The user is the `new_user_name` of the machine's type (from its `machine:type:` tag and the
//! configured machine types); only a machine without a known type falls back to `root`, and the
//! answer says why. The host is the fully qualified name of an A record pointing at the
//! machine's IPv4 address when one exists (a record named like the machine first), else the
//! address itself.

use std::collections::BTreeMap;

use serde::Serialize;

use super::destroy::MachineRecord;
use crate::machine_types::MachineType;
use crate::provider::Machine;
use crate::session::TagSummary;

/// The user when the machine's type is unknown.
pub const FALLBACK_USER: &str = "root";

/// Where the user name came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum UserSource {
    /// The machine type's `new_user_name`.
    MachineType,
    /// The machine has no `machine:type:` tag: `root`.
    NoType,
    /// The machine's type is not among the configured machine types: `root`.
    TypeNotConfigured,
}

/// How to reach a machine over SSH.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SshTarget {
    pub user: String,
    /// The FQDN when an A record points at the machine, else its IPv4 address.
    pub host: String,
    pub user_source: UserSource,
    /// The type read from the machine's tags, if any.
    pub machine_type: Option<String>,
    /// The A record `host` was taken from.
    pub fqdn: Option<String>,
    /// `ssh user@host`.
    pub command: String,
}

/// How to reach `m`, given the configured machine `types` and the `records` pointing at it (see
/// [`address_records`](super::destroy::address_records)). `None` while the machine has no
/// public IPv4 address.
pub fn ssh_target(
    m: &Machine,
    types: &BTreeMap<String, MachineType>,
    records: &[MachineRecord],
) -> Option<SshTarget> {
    let ip = m.ipv4.as_deref()?;
    let machine_type = TagSummary::from_tags(m.tags.iter().map(String::as_str)).type_name;
    let configured = machine_type.as_deref().and_then(|t| {
        types
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(t))
            .map(|(_, ty)| ty)
    });
    let (user, user_source) = match (&machine_type, configured) {
        (_, Some(ty)) => (ty.new_user_name.clone(), UserSource::MachineType),
        (Some(_), None) => (FALLBACK_USER.to_string(), UserSource::TypeNotConfigured),
        (None, None) => (FALLBACK_USER.to_string(), UserSource::NoType),
    };
    let a_records = || {
        records
            .iter()
            .filter(|r| r.record_type == "A" && r.data == ip)
    };
    let fqdn = a_records()
        .find(|r| r.name == m.name)
        .or_else(|| a_records().next())
        .map(|r| r.fqdn.clone());
    let host = fqdn.clone().unwrap_or_else(|| ip.to_string());
    Some(SshTarget {
        command: format!("ssh {user}@{host}"),
        user,
        host,
        user_source,
        machine_type,
        fqdn,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::MachineStatus;

    fn machine(tags: &[&str], ip: Option<&str>) -> Machine {
        Machine {
            id: "1".into(),
            name: "web-1".into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            region: "nyc3".into(),
            ipv4: ip.map(str::to_string),
            ipv6: None,
            private_ipv4: None,
            status: MachineStatus::Active,
            size: "s-1vcpu-1gb".into(),
            image: "ubuntu-24-04-x64".into(),
            image_name: None,
            created_at: "2026-01-01T00:00:00Z".into(),
            price_monthly: None,
        }
    }

    fn record(name: &str, zone: &str, kind: &str, data: &str) -> MachineRecord {
        MachineRecord {
            zone: zone.into(),
            fqdn: super::super::destroy::fqdn(name, zone),
            record_id: "9".into(),
            record_type: kind.into(),
            name: name.into(),
            data: data.into(),
        }
    }

    fn types() -> BTreeMap<String, MachineType> {
        BTreeMap::from([(
            "Web".to_string(),
            MachineType {
                new_user_name: "deploy".into(),
                ..MachineType::default()
            },
        )])
    }

    #[test]
    fn the_type_user_and_the_record_fqdn() {
        let m = machine(&["machine:created", "machine:type:web"], Some("192.0.2.1"));
        let records = [
            record("other", "example.com", "A", "192.0.2.1"),
            record("web-1", "example.com", "A", "192.0.2.1"),
        ];
        let t = ssh_target(&m, &types(), &records).expect("an IP");
        assert_eq!(t.command, "ssh deploy@web-1.example.com");
        assert_eq!(t.user_source, UserSource::MachineType);
        assert_eq!(t.fqdn.as_deref(), Some("web-1.example.com"));
        // Without a record named like the machine, any A record pointing at it.
        let t = ssh_target(&m, &types(), &records[..1]).expect("an IP");
        assert_eq!(t.command, "ssh deploy@other.example.com");
    }

    #[test]
    fn the_ip_when_no_a_record_points_at_the_machine() {
        let m = machine(&["machine:type:web"], Some("192.0.2.1"));
        let records = [
            record("web-1", "example.com", "A", "192.0.2.99"),
            record("web-1", "example.com", "AAAA", "2001:db8::1"),
        ];
        let t = ssh_target(&m, &types(), &records).expect("an IP");
        assert_eq!(t.command, "ssh deploy@192.0.2.1");
        assert_eq!(t.fqdn, None);
    }

    #[test]
    fn root_only_without_a_known_type_and_says_why() {
        let untyped = machine(&[], Some("192.0.2.1"));
        let t = ssh_target(&untyped, &types(), &[]).expect("an IP");
        assert_eq!(
            (t.user.as_str(), t.user_source),
            ("root", UserSource::NoType)
        );
        let unknown = machine(&["machine:type:db"], Some("192.0.2.1"));
        let t = ssh_target(&unknown, &types(), &[]).expect("an IP");
        assert_eq!(t.user, "root");
        assert_eq!(t.user_source, UserSource::TypeNotConfigured);
        assert_eq!(t.machine_type.as_deref(), Some("db"));
    }

    #[test]
    fn nothing_without_an_ip() {
        assert_eq!(
            ssh_target(&machine(&["machine:type:web"], None), &types(), &[]),
            None
        );
    }
}
