//! DNS records of every type Hangar edits, through the provider client and back: what is
//! created, listed, updated and listed again is what was sent, on every provider. The requests
//! the client sent are then checked against the provider's spec.

use hangar::provider::{CloudProvider, DnsRecordSpec, DnsRecordType};
use hangar_emulator::{EmulatedProvider, Emulator};

use super::suite::assert_requests_follow_the_spec;
use hangar_spec_check as openapi;

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
fn cases(zone: &str, caa_flags: bool) -> Vec<(DnsRecordSpec, DnsRecordSpec)> {
    use DnsRecordType::*;
    vec![
        (
            spec(A, "conf-a", "192.0.2.44", |_| {}),
            // 3600: a TTL every provider keeps as sent (Linode rounds others up to its list).
            spec(A, "conf-a2", "192.0.2.45", |s| s.ttl = Some(3600)),
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
                s.flags = Some(if caa_flags { 128 } else { 0 });
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
    let caa_flags = p.kind().about().dns_caa_flags;
    if !caa_flags {
        // Flags the provider cannot store are refused before anything is sent.
        let critical = spec(DnsRecordType::CAA, "@", "letsencrypt.org", |s| {
            s.flags = Some(128);
            s.tag = Some("issue".into());
        });
        let sent = emulator.requests().len();
        let e = p
            .create_record(&zone, &critical)
            .await
            .expect_err("CAA flags refused");
        assert!(e.to_string().contains("flags"), "{kind:?}: {e}");
        assert_eq!(emulator.requests().len(), sent, "{kind:?}: sent a request");
    }
    for (created, changed) in cases(&zone, caa_flags) {
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
    if kind == EmulatedProvider::DigitalOcean {
        assert_bodies_have_their_types_required_fields(emulator);
    }
}

/// DigitalOcean's create body is `anyOf` the `domain_record_<type>` schemas with a
/// discriminator on `type`, which a plain JSON Schema check does not apply: each record body
/// the client sent must have every field its own type's schema requires (nullable ones may be
/// `null`).
fn assert_bodies_have_their_types_required_fields(emulator: &Emulator) {
    let doc = openapi::spec(EmulatedProvider::DigitalOcean).document();
    let mapping = doc
        .pointer("/paths/~1v2~1domains~1{domain_name}~1records/post/requestBody/content/application~1json/schema/discriminator/mapping")
        .and_then(|m| m.as_object())
        .expect("the create body's discriminator mapping");
    let mut checked = 0;
    for r in emulator.requests() {
        if r.method != "POST" || !r.path.ends_with("/records") {
            continue;
        }
        let body = r.body.as_ref().expect("a record body");
        let kind = body["type"].as_str().expect("type");
        let Some(target) = mapping.get(kind).and_then(|t| t.as_str()) else {
            continue;
        };
        let schema = &target[target.find('#').map_or(0, |i| i + 1)..];
        let required: Vec<&str> = doc
            .pointer(schema)
            .and_then(|s| s["allOf"].as_array())
            .into_iter()
            .flatten()
            .filter_map(|part| part["required"].as_array())
            .flatten()
            .filter_map(|v| v.as_str())
            .collect();
        assert!(
            !required.is_empty(),
            "{kind}: no required fields in {schema}"
        );
        for field in required {
            assert!(
                body.get(field).is_some(),
                "a {kind} record body lacks `{field}`, required by {schema}: {body}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} record bodies were checked");
}
