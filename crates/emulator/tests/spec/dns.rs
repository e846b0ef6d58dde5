//! DNS domains and records.

use hangar_emulator::{EmulatedProvider, Seed};
use serde_json::{Value, json};

use crate::adapter::Adapter;
use crate::client::{Client, DO, VULTR, start};

/// Domain create (with default records), duplicate refusal, list and read; a record of each
/// type, invalid records refused, read, update, delete; 404s after deletes.
pub async fn domains_and_records(a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, a.provider());
    let token = emu.token(a.provider());
    let ip = "192.0.2.77";
    let zone = "hangar.example";
    let r = c
        .call("POST", a.domains(), Some(a.domain_body(zone, Some(ip))))
        .await;
    assert_eq!(r.status, a.domain_created());
    assert_eq!(a.domain_name(&r.json()["domain"]), zone);
    let mut created = 1;
    let dup = c
        .raw(
            "POST",
            a.domains(),
            Some(a.domain_body(zone, None)),
            Some(&token),
        )
        .await;
    assert_eq!(dup.status, a.invalid_status());
    a.assert_error(dup.json(), a.invalid_status(), "unprocessable_entity");
    if a.provider() == VULTR {
        // Without `ip` the zone is empty; subdomains are refused.
        let r = c
            .call(
                "POST",
                "/domains",
                Some(json!({ "domain": "empty.example" })),
            )
            .await;
        assert_eq!(r.status, 200);
        created += 1;
        assert_eq!(
            c.call("GET", "/domains/empty.example/records", None)
                .await
                .json()["meta"]["total"],
            0
        );
        let sub = c
            .raw(
                "POST",
                "/domains",
                Some(json!({ "domain": "a.b.example" })),
                Some(&token),
            )
            .await;
        assert_eq!(sub.status, 400);
    }
    assert_eq!(
        c.call("GET", a.domains(), None).await.json()["meta"]["total"],
        1 + created
    );
    match a.provider() {
        EmulatedProvider::DigitalOcean => {
            let r = c.call("GET", "/v2/domains/hangar.example", None).await;
            assert!(
                r.json()["domain"]["zone_file"]
                    .as_str()
                    .unwrap()
                    .contains(ip)
            );
        }
        EmulatedProvider::Vultr => {
            assert_eq!(
                c.call("GET", "/domains/hangar.example", None).await.json()["domain"]["dns_sec"],
                "disabled"
            );
            assert_eq!(
                c.call(
                    "PUT",
                    "/domains/hangar.example",
                    Some(json!({ "dns_sec": "enabled" }))
                )
                .await
                .status,
                204
            );
            assert_eq!(
                c.call("GET", "/domains/hangar.example", None).await.json()["domain"]["dns_sec"],
                "enabled"
            );
        }
        EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
    }
    // With an IP, the zone gets an A record at the apex.
    let r = c.call("GET", &a.records(zone), None).await;
    assert!(
        r.json()[a.record_many()]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["type"] == "A" && x["data"] == ip),
        "{}",
        r.json()
    );

    let mut ids = Vec::new();
    for rec in a.record_kinds(zone) {
        let r = c.call("POST", &a.records(zone), Some(rec.clone())).await;
        assert_eq!(r.status, 201, "{rec}");
        assert_eq!(r.json()[a.record_one()]["type"], rec["type"]);
        ids.push(a.id(&r.json()[a.record_one()]));
    }
    for (bad, words) in a.invalid_records() {
        let r = c
            .raw("POST", &a.records(zone), Some(bad.clone()), Some(&token))
            .await;
        assert_eq!(r.status, a.invalid_status(), "{bad}");
        a.assert_error(r.json(), a.invalid_status(), "unprocessable_entity");
        let message = a.error_message(r.json());
        assert!(
            words.is_empty() || words.iter().any(|w| message.contains(w)),
            "{bad}: {message}"
        );
    }
    if a.provider() == DO {
        // Filters: name is fully qualified, type narrows.
        let r = c
            .call(
                "GET",
                "/v2/domains/hangar.example/records?name=www.hangar.example",
                None,
            )
            .await;
        assert_eq!(r.json()["meta"]["total"], 2);
        let r = c
            .call(
                "GET",
                "/v2/domains/hangar.example/records?name=www.hangar.example&type=AAAA",
                None,
            )
            .await;
        assert_eq!(r.json()["domain_records"][0]["data"], "2001:db8::10");
        let r = c
            .call(
                "GET",
                "/v2/domains/hangar.example/records?name=hangar.example&type=A",
                None,
            )
            .await;
        assert_eq!(r.json()["domain_records"][0]["data"], ip);
        let r = c
            .call("GET", "/v2/domains/hangar.example/records?type=NS", None)
            .await;
        assert_eq!(r.json()["meta"]["total"], 4);
    }

    // The A record: read, update, delete.
    let path = a.record(zone, &ids[0]);
    assert_eq!(
        c.call("GET", &path, None).await.json()[a.record_one()]["ttl"],
        600
    );
    a.set_record_data(&c, &path, "A", "192.0.2.11").await;
    assert_eq!(
        c.call("GET", &path, None).await.json()[a.record_one()]["data"],
        "192.0.2.11"
    );
    if a.provider() == DO {
        let r = c
            .call(
                "PUT",
                &path,
                Some(json!({ "type": "A", "name": "www2", "data": "192.0.2.12" })),
            )
            .await;
        assert_eq!(r.json()["domain_record"]["name"], "www2");
    }
    assert_eq!(c.call("DELETE", &path, None).await.status, 204);
    assert_eq!(c.call("GET", &path, None).await.status, 404);
    let r = c.call("GET", &a.records("nope.example"), None).await;
    assert_eq!(r.status, 404);
    a.assert_error(r.json(), 404, "not_found");
    assert_eq!(c.call("DELETE", &a.domain(zone), None).await.status, 204);
    assert_eq!(c.call("GET", &a.domain(zone), None).await.status, 404);
    emu.shutdown().await;
}

/// Each provider's record conventions, as its spec has them: DigitalOcean's MX without a
/// name is the apex and CAA tags are issue, issuewild or iodef; Vultr keeps SRV's weight and
/// port and CAA's flags and tag in `data`, on create and on PATCH.
pub async fn record_conventions(a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, a.provider());
    let zone = a.seeded_domain();
    let cases: Vec<(Value, Value)> = match a.provider() {
        EmulatedProvider::DigitalOcean => {
            let mut v = vec![(
                json!({ "type": "MX", "data": "mail.example.com.", "priority": 5 }),
                json!({ "name": "@" }),
            )];
            for tag in ["issue", "issuewild", "iodef"] {
                v.push((
                    json!({ "type": "CAA", "name": "@", "data": "ca.example", "flags": 0, "tag": tag }),
                    json!({ "tag": tag }),
                ));
            }
            v
        }
        EmulatedProvider::Vultr => vec![
            (
                json!({ "name": "_sip._tcp", "type": "SRV", "data": "5 5060 sip.example.net", "priority": 10, "ttl": 300 }),
                json!({ "data": "5 5060 sip.example.net", "priority": 10 }),
            ),
            (
                json!({ "name": "", "type": "CAA", "data": "0 issue \"letsencrypt.org\"" }),
                json!({ "data": "0 issue \"letsencrypt.org\"" }),
            ),
        ],
        EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
    };
    let mut ids = Vec::new();
    for (body, echoed) in cases {
        let r = c.call("POST", &a.records(zone), Some(body.clone())).await;
        assert_eq!(r.status, 201, "{body}");
        let rec = &r.json()[a.record_one()];
        for (k, v) in echoed.as_object().unwrap() {
            assert_eq!(&rec[k], v, "{body}: {k}");
        }
        ids.push(a.id(rec));
    }
    if a.provider() == VULTR {
        let path = a.record(zone, &ids[0]);
        let r = c
            .raw(
                "PATCH",
                &path,
                Some(json!({ "data": "sip.example.net" })),
                Some(&emu.token(VULTR)),
            )
            .await;
        assert_eq!(r.status, 400);
        assert!(
            a.error_message(r.json()).contains("Invalid data"),
            "{}",
            r.json()
        );
        let r = c
            .call(
                "PATCH",
                &path,
                Some(json!({ "data": "7 5061 sip2.example.net", "priority": 20 })),
            )
            .await;
        assert_eq!((r.status, r.body.is_none()), (204, true));
        let r = c.call("GET", &path, None).await;
        assert_eq!(
            (
                r.json()["record"]["data"].clone(),
                r.json()["record"]["priority"].clone()
            ),
            (json!("7 5061 sip2.example.net"), json!(20))
        );
    }
    emu.shutdown().await;
}
