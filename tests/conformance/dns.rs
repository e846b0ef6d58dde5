//! DNS records of every type Hangar edits, through the provider client and back: what is
//! created, listed, updated and listed again is what was sent, on every provider. The requests
//! the client sent are then checked against the provider's spec.

use hangar::emulator::{EmulatedProvider, Emulator};
use hangar::provider::{CloudProvider, DnsRecordSpec, DnsRecordType};

use super::suite::assert_requests_follow_the_spec;

fn spec(
    t: DnsRecordType,
    name: &str,
    data: &str,
    f: impl FnOnce(&mut DnsRecordSpec),
) -> DnsRecordSpec {
    let mut s = DnsRecordSpec::new(t, name, data).with_ttl(300);
    f(&mut s);
    s
}

/// One record of each type, and a changed version of it (data and type-specific fields).
fn cases(zone: &str) -> Vec<(DnsRecordSpec, DnsRecordSpec)> {
    use DnsRecordType::*;
    vec![
        (
            spec(A, "conf-a", "192.0.2.44", |_| {}),
            spec(A, "conf-a2", "192.0.2.45", |s| s.ttl = Some(600)),
        ),
        (
            spec(AAAA, "conf-aaaa", "2001:db8::44", |_| {}),
            spec(AAAA, "conf-aaaa", "2001:db8::45", |_| {}),
        ),
        (
            spec(CNAME, "conf-cname", &format!("www.{zone}."), |_| {}),
            spec(CNAME, "conf-cname", "target.example.org.", |_| {}),
        ),
        (
            spec(TXT, "@", "v=spf1 include:_spf.example.org -all", |_| {}),
            spec(TXT, "conf-txt", "hangar-check=2", |_| {}),
        ),
        (
            spec(MX, "@", &format!("mail.{zone}."), |s| s.priority = Some(10)),
            spec(MX, "@", &format!("mx2.{zone}."), |s| s.priority = Some(20)),
        ),
        (
            spec(NS, "conf-sub", "ns1.example.org.", |_| {}),
            spec(NS, "conf-sub", "ns2.example.org.", |_| {}),
        ),
        (
            spec(SRV, "_sip._tcp", &format!("sip.{zone}."), |s| {
                s.priority = Some(10);
                s.weight = Some(5);
                s.port = Some(5060);
            }),
            spec(SRV, "_sip._tcp", &format!("sip2.{zone}."), |s| {
                s.priority = Some(0);
                s.weight = Some(100);
                s.port = Some(5061);
            }),
        ),
        (
            spec(CAA, "@", "letsencrypt.org", |s| {
                s.flags = Some(0);
                s.tag = Some("issue".into());
            }),
            spec(CAA, "@", "mailto:security@example.org", |s| {
                s.flags = Some(128);
                s.tag = Some("iodef".into());
            }),
        ),
    ]
}

async fn stored(p: &dyn CloudProvider, zone: &str, id: &str) -> DnsRecordSpec {
    p.list_records(zone)
        .await
        .expect("list records")
        .into_iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("record {id} is listed"))
        .spec
}

/// Every type round-trips through create, list, update and delete with all its fields.
pub async fn dns_every_type_round_trips(
    p: &dyn CloudProvider,
    emulator: &Emulator,
    kind: EmulatedProvider,
) {
    emulator.clear_requests();
    let zones = p.list_zones().await.expect("zones");
    let zone = zones
        .first()
        .expect("the emulator hosts a zone")
        .name
        .clone();
    for (created, changed) in cases(&zone) {
        let t = created.record_type.clone();
        let record = p
            .create_record(&zone, &created)
            .await
            .unwrap_or_else(|e| panic!("{kind:?} create {t}: {e}"));
        assert_eq!(record.spec, created, "{kind:?} {t}: the create answer");
        assert_eq!(
            stored(p, &zone, &record.id).await,
            created,
            "{kind:?} {t}: as listed after create"
        );
        let updated = p
            .update_record(&zone, &record.id, &changed)
            .await
            .unwrap_or_else(|e| panic!("{kind:?} update {t}: {e}"));
        assert_eq!(updated.id, record.id);
        assert_eq!(updated.spec, changed, "{kind:?} {t}: the update answer");
        assert_eq!(
            stored(p, &zone, &record.id).await,
            changed,
            "{kind:?} {t}: as listed after update"
        );
        p.delete_record(&zone, &record.id)
            .await
            .unwrap_or_else(|e| panic!("{kind:?} delete {t}: {e}"));
        assert!(
            p.list_records(&zone)
                .await
                .unwrap()
                .iter()
                .all(|r| r.id != record.id),
            "{kind:?} {t}: deleted"
        );
    }
    // A record the provider refuses comes back as an error, not as a record.
    let bad = DnsRecordSpec::new(DnsRecordType::A, "conf-bad", "not-an-address");
    assert!(p.create_record(&zone, &bad).await.is_err());
    // Every request above (the refused one included) is one the spec defines.
    assert_requests_follow_the_spec(emulator, kind);
}
