//! DNS: zones, records (by default the A/AAAA records of this session's machines), and record
//! changes validated per type before any call to the provider.

use std::net::{Ipv4Addr, Ipv6Addr};

use serde::Serialize;

use super::MachineSummary;
use crate::error::{Error, Result};
use crate::provider::{CloudProvider, DnsRecord, DnsRecordSpec, DnsRecordType, MachineFilter};
use crate::session::{MachineTag, SessionId};

/// Shortest TTL accepted (DigitalOcean's minimum).
pub const MIN_TTL: u32 = 30;
/// Longest TTL accepted (RFC 2181: 2^31 - 1).
pub const MAX_TTL: u32 = 2_147_483_647;

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
}

/// Records of `query.zone`, matched to machines (this session's, or all with `all`).
pub async fn list_records(
    provider: &dyn CloudProvider,
    session: &SessionId,
    query: &RecordQuery,
) -> Result<Vec<RecordView>> {
    let filter = if query.all {
        MachineFilter::all()
    } else {
        MachineFilter::tagged(MachineTag::Session(session.clone()).to_string())
    };
    let (records, machines) = tokio::join!(
        provider.list_records(&query.zone),
        provider.list_machines(&filter)
    );
    let (records, machines) = (records?, machines?);
    Ok(records
        .into_iter()
        .filter(|r| match query.record_type.as_deref() {
            None => matches!(r.spec.record_type, DnsRecordType::A | DnsRecordType::AAAA),
            Some("*") => true,
            Some(t) => r.spec.record_type.as_str().eq_ignore_ascii_case(t),
        })
        .filter(|r| query.name.as_ref().is_none_or(|n| &r.spec.name == n))
        .filter_map(|r| {
            let machine = machines.iter().find(|m| {
                m.ipv4.as_ref() == Some(&r.spec.data) || m.ipv6.as_ref() == Some(&r.spec.data)
            });
            if !query.all && machine.is_none() {
                return None;
            }
            Some(view(&query.zone, r, machine.map(MachineSummary::from)))
        })
        .collect())
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
    }
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

/// Checks a record's data against its type; every problem is listed.
pub fn validate_record(spec: &DnsRecordSpec) -> Result<()> {
    let mut p: Vec<String> = Vec::new();
    let d = spec.data.as_str();
    if spec.name.is_empty() || !(spec.name == "@" || is_hostname(&spec.name, true)) {
        p.push(format!(
            "name `{}` is not a valid record name (use `@` for the zone itself)",
            spec.name
        ));
    }
    if let Some(ttl) = spec.ttl
        && !(MIN_TTL..=MAX_TTL).contains(&ttl)
    {
        p.push(format!("TTL {ttl} is out of range {MIN_TTL}..={MAX_TTL}"));
    }
    match &spec.record_type {
        DnsRecordType::A => {
            if d.parse::<Ipv4Addr>().is_err() {
                p.push(format!("A record data `{d}` is not an IPv4 address"));
            }
        }
        DnsRecordType::AAAA => {
            if d.parse::<Ipv6Addr>().is_err() {
                p.push(format!("AAAA record data `{d}` is not an IPv6 address"));
            }
        }
        DnsRecordType::CNAME | DnsRecordType::NS => {
            if !is_target(d) {
                p.push(format!(
                    "{} record data `{d}` is not a hostname",
                    spec.record_type
                ));
            }
        }
        DnsRecordType::MX => {
            if !is_target(d) {
                p.push(format!("MX record data `{d}` is not a hostname"));
            }
            if spec.priority.is_none() {
                p.push("an MX record needs a priority (0-65535)".into());
            }
        }
        DnsRecordType::SRV => {
            if !is_target(d) {
                p.push(format!("SRV record data `{d}` is not a hostname"));
            }
            for (field, v) in [
                ("priority", spec.priority),
                ("weight", spec.weight),
                ("port", spec.port),
            ] {
                if v.is_none() {
                    p.push(format!("an SRV record needs a {field} (0-65535)"));
                }
            }
        }
        DnsRecordType::CAA => {
            if spec.flags.is_none() {
                p.push("a CAA record needs flags (0-255)".into());
            }
            match spec.tag.as_deref() {
                Some("issue" | "issuewild" | "iodef") => {}
                other => p.push(format!(
                    "CAA tag `{}` must be issue, issuewild or iodef",
                    other.unwrap_or("")
                )),
            }
            if d.is_empty() {
                p.push("a CAA record needs a value".into());
            }
        }
        DnsRecordType::TXT => {
            if d.is_empty() {
                p.push("a TXT record needs text".into());
            }
        }
        DnsRecordType::Other(t) => p.push(format!("records of type {t} cannot be edited")),
    }
    if p.is_empty() {
        Ok(())
    } else {
        Err(Error::validation(p.join("\n")))
    }
}

/// A target host: `@`, or a hostname with an optional trailing dot.
fn is_target(s: &str) -> bool {
    s == "@" || is_hostname(s.strip_suffix('.').unwrap_or(s), false)
}

/// Dot-separated labels of letters, digits, hyphens (and `_`/`*` in record names).
fn is_hostname(s: &str, record_name: bool) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| {
                    b.is_ascii_alphanumeric()
                        || b == b'-'
                        || (record_name && (b == b'_' || b == b'*'))
                })
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
}
