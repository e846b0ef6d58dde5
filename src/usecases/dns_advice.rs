//! Advice on DNS records that are valid but deserve a second look: the ones the zone's
//! delegation rests on, and changes that break something elsewhere (a second SPF record).
//!
//! Nothing here refuses a record ([`super::dns::record_problems`] does that). The DNS screen
//! shows a record's [`caution`] beside it and in the delete confirmation, and asks for
//! [`record_hints`] as a record is typed; the CLI can print the same words.

use super::dns::RecordView;
use crate::provider::{DnsRecordSpec, DnsRecordType};

/// Why changing or deleting `record` may break the zone; `None` for an ordinary record.
pub fn caution(record: &RecordView) -> Option<String> {
    let apex = is_apex(&record.name);
    match record.record_type.as_str() {
        "NS" if apex => Some(apex_ns_caution(&record.zone)),
        "SOA" => Some(format!(
            "The provider keeps the SOA record of {}: its serial and timers change with the zone.",
            record.zone
        )),
        _ => None,
    }
}

/// Hints about `spec`, about to be saved in `zone`, given the zone's `others` records (without
/// the record being edited). Each hint is a sentence; none stops the record from being saved.
pub fn record_hints(zone: &str, spec: &DnsRecordSpec, others: &[DnsRecordSpec]) -> Vec<String> {
    let mut hints = Vec::new();
    if spec.record_type == DnsRecordType::NS && is_apex(&spec.name) {
        hints.push(apex_ns_caution(zone));
    }
    if is_spf(spec) {
        let name = fqdn(zone, &spec.name);
        if let Some(other) = others
            .iter()
            .find(|o| is_spf(o) && fqdn(zone, &o.name) == name)
        {
            hints.push(format!(
                "{name} already has an SPF record (\u{201c}{}\u{201d}). With two SPF records, SPF \
                 checks fail for every receiver (RFC 7208, permerror): merge them into one.",
                other.data
            ));
        }
    }
    hints
}

fn apex_ns_caution(zone: &str) -> String {
    format!(
        "This is a name server record at the apex of {zone}: the registrar delegates the domain \
         to these servers. Changing or deleting it can make the whole domain stop resolving."
    )
}

/// The zone's own name: `@` or empty.
fn is_apex(name: &str) -> bool {
    name.is_empty() || name == "@"
}

fn fqdn(zone: &str, name: &str) -> String {
    if is_apex(name) {
        zone.to_ascii_lowercase()
    } else {
        format!(
            "{}.{}",
            name.to_ascii_lowercase(),
            zone.to_ascii_lowercase()
        )
    }
}

/// A TXT record holding an SPF policy: its text starts with `v=spf1`, then a space or nothing.
fn is_spf(spec: &DnsRecordSpec) -> bool {
    if spec.record_type != DnsRecordType::TXT {
        return false;
    }
    let text = spec.data.trim().trim_matches('"');
    text.len() >= 6
        && text[..6].eq_ignore_ascii_case("v=spf1")
        && text[6..].chars().next().is_none_or(|c| c == ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn txt(name: &str, data: &str) -> DnsRecordSpec {
        DnsRecordSpec::new(DnsRecordType::TXT, name, data)
    }

    fn view(record_type: &str, name: &str) -> RecordView {
        RecordView {
            id: "1".into(),
            machine: None,
            name: name.into(),
            fqdn: format!("{name}.example.com"),
            zone: "example.com".into(),
            data: "ns1.example.net.".into(),
            ttl: Some(1800),
            record_type: record_type.into(),
            priority: None,
            port: None,
            weight: None,
            flags: None,
            tag: None,
        }
    }

    #[test]
    fn apex_name_servers_and_the_soa_carry_a_caution_and_other_records_none() {
        assert!(
            caution(&view("NS", "@"))
                .unwrap()
                .contains("stop resolving")
        );
        assert!(
            caution(&view("SOA", "@"))
                .unwrap()
                .contains("provider keeps")
        );
        assert_eq!(
            caution(&view("NS", "sub")),
            None,
            "a delegation of a subdomain"
        );
        assert_eq!(caution(&view("A", "@")), None);
    }

    #[test]
    fn a_second_spf_record_at_the_same_name_gets_a_hint() {
        let zone = "example.com";
        let existing = [
            txt("@", "v=spf1 include:_spf.example.net -all"),
            txt("@", "hello"),
        ];
        let second = txt("@", "\"v=spf1 mx -all\"");
        let hints = record_hints(zone, &second, &existing);
        assert_eq!(hints.len(), 1, "{hints:?}");
        assert!(hints[0].contains("include:_spf.example.net"), "{hints:?}");
        assert!(hints[0].contains("merge"), "{hints:?}");
        // Another name, a TXT that only looks like SPF, or the first one: no hint.
        assert!(record_hints(zone, &txt("mail", "v=spf1 mx -all"), &existing).is_empty());
        assert!(record_hints(zone, &txt("@", "v=spf10 x"), &existing).is_empty());
        assert!(record_hints(zone, &second, &existing[1..]).is_empty());
        // Names compare as names: `@` and the empty name are the apex, case does not matter.
        assert_eq!(
            record_hints(zone, &txt("", "V=SPF1 -all"), &existing).len(),
            1
        );
    }

    #[test]
    fn an_apex_name_server_record_gets_the_delegation_hint_as_it_is_typed() {
        let ns = DnsRecordSpec::new(DnsRecordType::NS, "@", "ns1.example.net.");
        let hints = record_hints("example.com", &ns, &[]);
        assert_eq!(hints.len(), 1);
        assert!(hints[0].contains("apex of example.com"));
        let sub = DnsRecordSpec::new(DnsRecordType::NS, "lab", "ns1.example.net.");
        assert!(record_hints("example.com", &sub, &[]).is_empty());
    }
}
