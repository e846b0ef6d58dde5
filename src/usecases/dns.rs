//! DNS: zones, records (by default the A/AAAA records of this session's machines), and record
//! changes validated per type before any call to the provider.
//!
//! [`match_records`] labels records with the machine their address belongs to; the desktop app
//! passes the machines of every account, the CLI those of one.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;

use super::MachineSummary;
use crate::error::{Error, Result};
use crate::provider::{
    CloudProvider, DnsRecord, DnsRecordSpec, DnsRecordType, Machine, MachineFilter,
};
use crate::session::{MachineTag, SessionId};

/// Shortest TTL accepted (DigitalOcean's minimum).
pub const MIN_TTL: u32 = 30;
/// Longest TTL accepted (RFC 2181: 2^31 - 1).
pub const MAX_TTL: u32 = 2_147_483_647;
/// Longest TXT value accepted: two 255-byte character strings, which both providers split
/// and join for the caller.
pub const MAX_TXT_LEN: usize = 512;
/// The CAA property tags providers accept.
pub const CAA_TAGS: [&str; 3] = ["issue", "issuewild", "iodef"];

/// Zone names of the account.
pub async fn list_zones(provider: &dyn CloudProvider) -> Result<Vec<String>> {
    Ok(provider
        .list_zones()
        .await?
        .into_iter()
        .map(|z| z.name)
        .collect())
}

/// Which records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordQuery {
    pub zone: String,
    /// Only records with this name.
    pub name: Option<String>,
    /// Only this type; `None` is A and AAAA; `Some("*")` is every type.
    pub record_type: Option<String>,
    /// Every record, not only those pointing at this session's machines.
    pub all: bool,
    /// Only A/AAAA records whose address is no machine of the account's (any session):
    /// orphans, left by a machine that is gone, whose address may go to someone else.
    pub orphans: bool,
}

/// A record with the machine it points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct RecordView {
    pub id: String,
    /// The machine whose address is the record's data, if any.
    pub machine: Option<MachineSummary>,
    pub name: String,
    pub fqdn: String,
    pub zone: String,
    pub data: String,
    pub ttl: Option<u32>,
    #[serde(rename = "type")]
    pub record_type: String,
    /// MX and SRV priority.
    pub priority: Option<u16>,
    /// SRV port.
    pub port: Option<u16>,
    /// SRV weight.
    pub weight: Option<u16>,
    /// CAA flags.
    pub flags: Option<u8>,
    /// CAA tag (`issue`, `issuewild`, `iodef`).
    pub tag: Option<String>,
}

impl RecordView {
    /// The record's content as a [`DnsRecordSpec`], ready to edit and send back.
    pub fn spec(&self) -> DnsRecordSpec {
        DnsRecordSpec {
            record_type: DnsRecordType::parse(&self.record_type),
            name: self.name.clone(),
            data: self.data.clone(),
            ttl: self.ttl,
            priority: self.priority,
            port: self.port,
            weight: self.weight,
            flags: self.flags,
            tag: self.tag.clone(),
        }
    }
}

/// Records of `query.zone`, matched to machines (this session's, or all with `all`).
pub async fn list_records(
    provider: &dyn CloudProvider,
    session: &SessionId,
    query: &RecordQuery,
) -> Result<Vec<RecordView>> {
    let filter = if query.all || query.orphans {
        MachineFilter::all()
    } else {
        MachineFilter::tagged(MachineTag::Session(session.clone()).to_string())
    };
    let (records, machines) = tokio::join!(
        provider.list_records(&query.zone),
        provider.list_machines(&filter)
    );
    let (records, machines) = (records?, machines?);
    let wanted: Vec<DnsRecord> = records
        .into_iter()
        .filter(|r| match query.record_type.as_deref() {
            None => matches!(r.spec.record_type, DnsRecordType::A | DnsRecordType::AAAA),
            Some("*") => true,
            Some(t) => r.spec.record_type.as_str().eq_ignore_ascii_case(t),
        })
        .filter(|r| query.name.as_ref().is_none_or(|n| &r.spec.name == n))
        .collect();
    Ok(match_records(&query.zone, wanted, &machines)
        .into_iter()
        .filter(|v| {
            if query.orphans {
                v.machine.is_none() && matches!(v.record_type.as_str(), "A" | "AAAA")
            } else {
                query.all || v.machine.is_some()
            }
        })
        .collect())
}

/// Every record of `zone` as a [`RecordView`], labelled with the machine among `machines`
/// whose public address is the record's data (A and AAAA records only; addresses are compared
/// as addresses, so `2001:db8::1` matches `2001:0db8:0:0::1`).
pub fn match_records(zone: &str, records: Vec<DnsRecord>, machines: &[Machine]) -> Vec<RecordView> {
    records
        .into_iter()
        .map(|r| {
            let machine = machine_for(&r.spec, machines).map(MachineSummary::from);
            view(zone, r, machine)
        })
        .collect()
}

/// The machine whose public IPv4 or IPv6 address an A/AAAA record points at.
pub fn machine_for<'a>(spec: &DnsRecordSpec, machines: &'a [Machine]) -> Option<&'a Machine> {
    if !matches!(spec.record_type, DnsRecordType::A | DnsRecordType::AAAA) {
        return None;
    }
    let target: IpAddr = spec.data.trim().parse().ok()?;
    machines.iter().find(|m| {
        [m.ipv4.as_deref(), m.ipv6.as_deref()]
            .into_iter()
            .flatten()
            .any(|ip| ip.parse::<IpAddr>().is_ok_and(|ip| ip == target))
    })
}

fn view(zone: &str, r: DnsRecord, machine: Option<MachineSummary>) -> RecordView {
    let fqdn = if r.spec.name == "@" {
        zone.to_string()
    } else {
        format!("{}.{zone}", r.spec.name)
    };
    RecordView {
        id: r.id,
        machine,
        fqdn,
        zone: zone.into(),
        name: r.spec.name,
        data: r.spec.data,
        ttl: r.spec.ttl,
        record_type: r.spec.record_type.as_str().to_string(),
        priority: r.spec.priority,
        port: r.spec.port,
        weight: r.spec.weight,
        flags: r.spec.flags,
        tag: r.spec.tag,
    }
}

/// Record `id` of `zone`, with the machine of the account it points at, if any.
pub async fn find_record(provider: &dyn CloudProvider, zone: &str, id: &str) -> Result<RecordView> {
    let every = MachineFilter::all();
    let (records, machines) =
        tokio::join!(provider.list_records(zone), provider.list_machines(&every));
    let (records, machines) = (records?, machines?);
    match_records(zone, records, &machines)
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| Error::not_found(format!("zone {zone} has no record with id {id}")))
}

/// Creates a record after [`validate_record`].
pub async fn create_record(
    provider: &dyn CloudProvider,
    zone: &str,
    spec: &DnsRecordSpec,
) -> Result<DnsRecord> {
    validate_record(spec)?;
    Ok(provider.create_record(zone, spec).await?)
}

/// Replaces a record after [`validate_record`].
pub async fn update_record(
    provider: &dyn CloudProvider,
    zone: &str,
    id: &str,
    spec: &DnsRecordSpec,
) -> Result<DnsRecord> {
    validate_record(spec)?;
    Ok(provider.update_record(zone, id, spec).await?)
}

/// Deletes a record.
pub async fn delete_record(provider: &dyn CloudProvider, zone: &str, id: &str) -> Result<()> {
    Ok(provider.delete_record(zone, id).await?)
}

/// One problem with a record, and the field it is about (`name`, `data`, `ttl`, `priority`,
/// `port`, `weight`, `flags`, `tag` or `type`), so a form can show it next to that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct RecordProblem {
    pub field: String,
    pub message: String,
}

/// Checks a record's data against its type; every problem is listed in one
/// [`ErrorKind::Validation`](crate::error::ErrorKind::Validation) error, one per line.
pub fn validate_record(spec: &DnsRecordSpec) -> Result<()> {
    let problems = record_problems(spec);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::validation(
            problems
                .into_iter()
                .map(|p| p.message)
                .collect::<Vec<_>>()
                .join("\n"),
        ))
    }
}

/// The problems [`validate_record`] reports, by field. The desktop form asks for them as the
/// user types (`check_dns_record`); the rules are checked against the cases in
/// `tests/cases/dns-validation-cases.json`.
pub fn record_problems(spec: &DnsRecordSpec) -> Vec<RecordProblem> {
    let mut p: Vec<RecordProblem> = Vec::new();
    let mut add = |field: &str, message: String| {
        p.push(RecordProblem {
            field: field.into(),
            message,
        })
    };
    let d = spec.data.as_str();
    let t = &spec.record_type;
    if spec.name.is_empty() || !(spec.name == "@" || is_hostname(&spec.name, true)) {
        add(
            "name",
            format!(
                "name `{}` is not a valid record name (letters, digits, hyphens, `_` and `*` in \
                 dot-separated labels, or `@` for the zone itself)",
                spec.name
            ),
        );
    } else if *t == DnsRecordType::CNAME && spec.name == "@" {
        add(
            "name",
            "a CNAME record cannot be at the zone apex `@`".into(),
        );
    }
    if let Some(ttl) = spec.ttl
        && !(MIN_TTL..=MAX_TTL).contains(&ttl)
    {
        add(
            "ttl",
            format!("TTL {ttl} is out of range: use {MIN_TTL} to {MAX_TTL} seconds"),
        );
    }
    let mut need = |field: &str, v: bool, what: &str, range: &str| {
        if !v {
            add(field, format!("{what} needs a {field} ({range})"));
        }
    };
    match t {
        DnsRecordType::A => {
            if d.parse::<Ipv4Addr>().is_err() {
                p.push(problem(
                    "data",
                    format!("A record data `{d}` is not an IPv4 address"),
                ));
            }
        }
        DnsRecordType::AAAA => {
            if d.parse::<Ipv6Addr>().is_err() {
                p.push(problem(
                    "data",
                    format!("AAAA record data `{d}` is not an IPv6 address"),
                ));
            }
        }
        DnsRecordType::CNAME | DnsRecordType::NS => {
            if !is_target(d) {
                p.push(problem(
                    "data",
                    format!("{t} record data `{d}` is not a hostname"),
                ));
            }
        }
        DnsRecordType::MX => {
            need(
                "priority",
                spec.priority.is_some(),
                "an MX record",
                "0-65535",
            );
            if !is_target(d) {
                p.push(problem(
                    "data",
                    format!("MX record data `{d}` is not a hostname"),
                ));
            }
        }
        DnsRecordType::SRV => {
            need(
                "priority",
                spec.priority.is_some(),
                "an SRV record",
                "0-65535",
            );
            need("weight", spec.weight.is_some(), "an SRV record", "0-65535");
            need("port", spec.port.is_some(), "an SRV record", "0-65535");
            if !is_target(d) {
                p.push(problem(
                    "data",
                    format!("SRV record data `{d}` is not a hostname"),
                ));
            }
        }
        DnsRecordType::CAA => {
            need("flags", spec.flags.is_some(), "a CAA record", "0-255");
            match spec.tag.as_deref() {
                Some(tag) if CAA_TAGS.contains(&tag) => {}
                other => p.push(problem(
                    "tag",
                    format!(
                        "CAA tag `{}` must be issue, issuewild or iodef",
                        other.unwrap_or("")
                    ),
                )),
            }
            if d.trim().is_empty() {
                p.push(problem("data", "a CAA record needs a value".into()));
            } else if spec.tag.as_deref() == Some("iodef")
                && !["mailto:", "http://", "https://"]
                    .iter()
                    .any(|s| d.starts_with(s))
            {
                p.push(problem(
                    "data",
                    format!("CAA iodef value `{d}` must be a mailto:, http:// or https:// URL"),
                ));
            } else if d.contains('"') {
                p.push(problem("data", "a CAA value cannot contain `\"`".into()));
            }
        }
        DnsRecordType::TXT => {
            if d.is_empty() {
                p.push(problem("data", "a TXT record needs text".into()));
            } else if d.chars().count() > MAX_TXT_LEN {
                // Characters, as the form counts them and the message says.
                p.push(problem(
                    "data",
                    format!(
                        "TXT text is {} characters long; at most {MAX_TXT_LEN} are accepted",
                        d.chars().count()
                    ),
                ));
            } else if d.chars().any(|c| c.is_control()) {
                p.push(problem(
                    "data",
                    "TXT text cannot contain line breaks, NUL or other control characters".into(),
                ));
            }
        }
        DnsRecordType::Other(other) => p.push(problem(
            "type",
            format!("records of type {other} cannot be edited"),
        )),
    }
    p
}

fn problem(field: &str, message: String) -> RecordProblem {
    RecordProblem {
        field: field.into(),
        message,
    }
}

/// A target host: `@`, or a hostname with an optional trailing dot. An IP address is not a
/// host name (an MX, CNAME, NS or SRV target must be a name).
fn is_target(s: &str) -> bool {
    let name = s.strip_suffix('.').unwrap_or(s);
    s == "@" || (name.parse::<std::net::IpAddr>().is_err() && is_hostname(name, false))
}

/// Dot-separated labels of letters, digits, hyphens (and `_`/`*` in record names).
/// In a record name, `*` is a wildcard only as the whole leftmost label (`*.apps`, not `a*b`).
fn is_hostname(s: &str, record_name: bool) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').enumerate().all(|(i, l)| {
            (record_name && i == 0 && l == "*")
                || (!l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.bytes().all(|b| {
                        b.is_ascii_alphanumeric() || b == b'-' || (record_name && b == b'_')
                    }))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(t: DnsRecordType, data: &str) -> DnsRecordSpec {
        DnsRecordSpec::new(t, "www", data)
    }

    #[test]
    fn per_type_validation() {
        assert!(validate_record(&rec(DnsRecordType::A, "192.0.2.1")).is_ok());
        assert!(validate_record(&rec(DnsRecordType::A, "2001:db8::1")).is_err());
        assert!(validate_record(&rec(DnsRecordType::AAAA, "2001:db8::1")).is_ok());
        assert!(validate_record(&rec(DnsRecordType::AAAA, "192.0.2.1")).is_err());
        assert!(validate_record(&rec(DnsRecordType::CNAME, "host.example.com.")).is_ok());
        assert!(validate_record(&rec(DnsRecordType::CNAME, "not a host")).is_err());
        let mut mx = rec(DnsRecordType::MX, "mail.example.com");
        assert!(validate_record(&mx).is_err());
        mx.priority = Some(10);
        assert!(validate_record(&mx).is_ok());
        let mut srv = rec(DnsRecordType::SRV, "sip.example.com");
        srv.priority = Some(1);
        srv.weight = Some(5);
        let e = validate_record(&srv).unwrap_err();
        assert!(e.message.contains("port"), "{e}");
        let mut caa = rec(DnsRecordType::CAA, "letsencrypt.org");
        caa.flags = Some(0);
        caa.tag = Some("issue".into());
        assert!(validate_record(&caa).is_ok());
        caa.tag = Some("bogus".into());
        assert!(validate_record(&caa).is_err());
        assert!(validate_record(&rec(DnsRecordType::A, "192.0.2.1").with_ttl(5)).is_err());
        assert!(
            validate_record(&DnsRecordSpec::new(DnsRecordType::A, "a b", "192.0.2.1")).is_err()
        );
    }

    /// The cases the desktop form is tested against too: both sides agree on every one.
    #[test]
    fn shared_record_cases_hold() {
        #[derive(serde::Deserialize)]
        struct Case {
            spec: DnsRecordSpec,
            fields: Vec<String>,
        }
        #[derive(serde::Deserialize)]
        struct Cases {
            cases: Vec<Case>,
        }
        let text = include_str!("../../tests/cases/dns-validation-cases.json");
        let cases: Cases = serde_json::from_str(text).expect("the shared cases parse");
        assert!(cases.cases.len() > 30);
        for case in cases.cases {
            let mut got: Vec<String> = record_problems(&case.spec)
                .into_iter()
                .map(|p| p.field)
                .collect();
            got.sort();
            got.dedup();
            let mut want = case.fields.clone();
            want.sort();
            assert_eq!(got, want, "{:?}", case.spec);
            assert_eq!(validate_record(&case.spec).is_ok(), want.is_empty());
        }
    }

    fn machine(name: &str, v4: &str, v6: Option<&str>) -> Machine {
        Machine {
            id: name.into(),
            name: name.into(),
            tags: vec![],
            region: "nyc3".into(),
            ipv4: Some(v4.into()),
            ipv6: v6.map(Into::into),
            private_ipv4: None,
            status: crate::provider::MachineStatus::Active,
            size: "s".into(),
            image: "i".into(),
            image_name: None,
            created_at: String::new(),
            price_monthly: None,
        }
    }

    #[test]
    fn records_are_matched_to_machines_by_address() {
        let machines = [
            machine("web-1", "192.0.2.5", Some("2001:db8::5")),
            machine("db", "198.51.100.7", None),
        ];
        let rec = |t: DnsRecordType, name: &str, data: &str| DnsRecord {
            id: name.into(),
            spec: DnsRecordSpec::new(t, name, data),
        };
        let views = match_records(
            "example.com",
            vec![
                rec(DnsRecordType::A, "www", "192.0.2.5"),
                rec(DnsRecordType::AAAA, "www6", "2001:0db8:0:0::5"),
                rec(DnsRecordType::A, "@", "198.51.100.7"),
                rec(DnsRecordType::A, "other", "203.0.113.1"),
                // A TXT record holding an address is not "pointing at" the machine.
                rec(DnsRecordType::TXT, "note", "192.0.2.5"),
            ],
            &machines,
        );
        let names: Vec<Option<&str>> = views
            .iter()
            .map(|v| v.machine.as_ref().map(|m| m.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [Some("web-1"), Some("web-1"), Some("db"), None, None]
        );
        assert_eq!(views[2].fqdn, "example.com");
        assert_eq!(views[0].fqdn, "www.example.com");
    }

    #[test]
    fn a_view_gives_back_its_spec() {
        let mut spec = DnsRecordSpec::new(DnsRecordType::SRV, "_sip._tcp", "sip.example.com");
        spec.priority = Some(1);
        spec.weight = Some(2);
        spec.port = Some(5060);
        spec.ttl = Some(300);
        let v = &match_records(
            "example.com",
            vec![DnsRecord {
                id: "1".into(),
                spec: spec.clone(),
            }],
            &[],
        )[0];
        assert_eq!(v.spec(), spec);
    }
}
