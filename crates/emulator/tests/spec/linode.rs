//! Linode's own cases: its bodies are not wrapped (`{data, page, pages, results}` pages,
//! resources as they are), every success is 200, and its machines have their address from
//! the start and pass through `provisioning`, `booting`, `shutting_down` and `rebooting`
//! (with "Linode busy." meanwhile), so the shared cases' shapes do not fit it.

use std::collections::BTreeSet;
use std::time::Duration;

use base64::Engine as _;
use hangar_emulator::Seed;
use serde_json::{Value, json};

use crate::adapter::Adapter;
use crate::client::{
    Client, KEY_A, LINODE, OBSERVED_IP_DELAY, Reply, in_documentation_range, start,
    start_with_delay, unspecified_get,
};

const PASS: &str = "Str0ng-Passw0rd!";

fn create_body(label: &str, tags: &[&str]) -> Value {
    json!({ "type": "g6-nanode-1", "region": "us-east", "image": "linode/debian12",
        "root_pass": PASS, "label": label, "tags": tags })
}

/// A request the test sends with `X-Filter`; the response is checked against the spec.
async fn filtered(c: &Client<'_>, path: &str, filter: &Value) -> Reply {
    let url = c.url(path);
    let resp = reqwest::Client::new()
        .get(&url)
        .bearer_auth(c.emu.token(LINODE))
        .header("X-Filter", filter.to_string())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body: Value = resp.json().await.unwrap();
    hangar_spec_check::check_response(LINODE, "GET", path, status, Some(&body))
        .unwrap_or_else(|e| panic!("the emulator broke the spec: {e}"));
    Reply {
        status,
        headers,
        body: Some(body),
    }
}

fn assert_reason(r: &Reply, status: u16, reason: &str) {
    assert_eq!(r.status, status, "{:?}", r.body);
    let reasons: Vec<&str> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons.iter().any(|x| x.contains(reason)),
        "{reason:?} not in {reasons:?}"
    );
}

async fn status_of(c: &Client<'_>, id: u64) -> String {
    c.call("GET", &format!("/linode/instances/{id}"), None)
        .await
        .json()["status"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Create answers 200 with a provisioning Linode that already has its public address; power
/// calls are refused while busy; boot, shutdown and reboot pass through their statuses; PUT
/// renames and retags; delete answers `{}`, then 404.
pub async fn linode_lifecycle_and_busy_states(a: Adapter) {
    assert_eq!(a.provider(), LINODE);
    let emu = start_with_delay(Seed::builtin(), OBSERVED_IP_DELAY).await;
    let c = Client::new(&emu, LINODE);
    let user_data = base64::engine::general_purpose::STANDARD.encode("#cloud-config\n{}\n");
    let mut body = create_body("web-2", &["machine:created", "machine:session:ab12cd34"]);
    body["authorized_keys"] = json!([KEY_A]);
    body["authorized_users"] = json!(["hangar-demo"]);
    body["booted"] = json!(true);
    // `metadata` is not in the 4.151.1 spec (the live API has it): sent unchecked.
    body["metadata"] = json!({ "user_data": user_data });
    let token = emu.token(LINODE);
    let r = c
        .raw("POST", "/linode/instances", Some(body), Some(&token))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let m = r.json().clone();
    assert_eq!(m["status"], "provisioning");
    let ip = m["ipv4"][0].as_str().unwrap().to_string();
    assert!(in_documentation_range(&ip), "{ip}");
    assert_eq!(m["label"], "web-2");
    assert_eq!(m["type"], "g6-nanode-1");
    assert_eq!(m["specs"]["memory"], 1024);
    let id = m["id"].as_u64().unwrap();
    let path = format!("/linode/instances/{id}");
    // Busy while provisioning.
    for action in ["boot", "shutdown", "reboot"] {
        let r = c.call("POST", &format!("{path}/{action}"), None).await;
        assert_eq!(
            r.json(),
            &json!({ "errors": [{ "reason": "Linode busy." }] }),
            "{action}"
        );
        assert_eq!(r.status, 400);
    }
    let r = c
        .call(
            "POST",
            &format!("{path}/resize"),
            Some(json!({ "type": "g6-standard-1" })),
        )
        .await;
    assert_reason(&r, 400, "Linode busy.");
    let ips = c.call("GET", &format!("{path}/ips"), None).await;
    assert_eq!(ips.json()["ipv4"]["public"][0]["address"], ip.as_str());

    tokio::time::sleep(OBSERVED_IP_DELAY + Duration::from_millis(100)).await;
    assert_eq!(status_of(&c, id).await, "running");
    // Shutdown: shutting_down, busy, then offline.
    let r = c.call("POST", &format!("{path}/shutdown"), None).await;
    assert_eq!((r.status, r.json().clone()), (200, json!({})));
    assert_eq!(status_of(&c, id).await, "shutting_down");
    let r = c.call("POST", &format!("{path}/boot"), None).await;
    assert_reason(&r, 400, "Linode busy.");
    tokio::time::sleep(OBSERVED_IP_DELAY + Duration::from_millis(100)).await;
    assert_eq!(status_of(&c, id).await, "offline");
    // Boot: booting, then running.
    let r = c
        .call(
            "POST",
            &format!("{path}/boot"),
            Some(json!({ "config_id": 1 })),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(status_of(&c, id).await, "booting");
    tokio::time::sleep(OBSERVED_IP_DELAY + Duration::from_millis(100)).await;
    assert_eq!(status_of(&c, id).await, "running");
    // Reboot: rebooting, then running.
    assert_eq!(
        c.call("POST", &format!("{path}/reboot"), None).await.status,
        200
    );
    assert_eq!(status_of(&c, id).await, "rebooting");
    tokio::time::sleep(OBSERVED_IP_DELAY + Duration::from_millis(100)).await;
    assert_eq!(status_of(&c, id).await, "running");

    // Rename and retag.
    let r = c
        .call(
            "PUT",
            &path,
            Some(json!({ "label": "web-2b", "tags": ["machine:type:web"] })),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["label"], "web-2b");
    assert_eq!(r.json()["tags"], json!(["machine:type:web"]));
    let r = c
        .raw(
            "PUT",
            &path,
            Some(json!({ "label": "bad--label" })),
            Some(&emu.token(LINODE)),
        )
        .await;
    assert_reason(&r, 400, "two dashes");

    // Delete, then 404.
    let r = c.call("DELETE", &path, None).await;
    assert_eq!((r.status, r.json().clone()), (200, json!({})));
    a.assert_not_found(&c.call("GET", &path, None).await);
    a.assert_not_found(&c.call("DELETE", &path, None).await);
    a.assert_not_found(&c.call("POST", &format!("{path}/boot"), None).await);
    emu.shutdown().await;
}

/// `X-Filter` on tags, label, `+and` and `+or`; unknown fields and operators are 400.
pub async fn linode_filters(_a: Adapter) {
    let emu = start(Seed::default()).await;
    emu.add_machines(LINODE, 23, &["bulk-tag"]);
    emu.add_machines(LINODE, 2, &["other"]);
    let c = Client::new(&emu, LINODE);
    let r = c
        .call(
            "POST",
            "/linode/instances",
            Some(create_body(
                "web-2",
                &["machine:created", "machine:session:ab12cd34"],
            )),
        )
        .await;
    let id = r.json()["id"].clone();
    let path = "/linode/instances";
    let r = filtered(&c, path, &json!({ "tags": "machine:session:ab12cd34" })).await;
    assert_eq!(
        (
            r.json()["results"].clone(),
            r.json()["data"][0]["id"].clone()
        ),
        (json!(1), id.clone())
    );
    let r = filtered(&c, path, &json!({ "label": "web-2" })).await;
    assert_eq!(r.json()["data"][0]["id"], id);
    assert_eq!(
        filtered(&c, path, &json!({ "tags": "bulk-tag" }))
            .await
            .json()["results"],
        23
    );
    let both = json!({ "+and": [{ "tags": "machine:created" }, { "label": "web-2" }] });
    assert_eq!(filtered(&c, path, &both).await.json()["results"], 1);
    let none = json!({ "+and": [{ "tags": "other" }, { "label": "web-2" }] });
    assert_eq!(filtered(&c, path, &none).await.json()["results"], 0);
    let either = json!({ "+or": [{ "tags": "other" }, { "label": "web-2" }] });
    assert_eq!(filtered(&c, path, &either).await.json()["results"], 3);
    for bad in [json!({ "bogus": 1 }), json!({ "label": { "+like": "x" } })] {
        let r = filtered(&c, path, &bad).await;
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(r.json()["errors"][0]["field"], "X-Filter");
    }
    emu.shutdown().await;
}

/// `page` and `page_size` (25–500, default 100): every machine once; out of range is 400.
pub async fn linode_pagination(a: Adapter) {
    let emu = start(Seed::default()).await;
    emu.add_machines(LINODE, 260, &["fleet"]);
    let c = Client::new(&emu, LINODE);
    let r = c.call("GET", "/linode/instances", None).await;
    assert_eq!(
        (
            r.json()["page"].clone(),
            r.json()["pages"].clone(),
            r.json()["results"].clone()
        ),
        (json!(1), json!(3), json!(260))
    );
    assert_eq!(r.json()["data"].as_array().unwrap().len(), 100);
    let mut seen = BTreeSet::new();
    for page in 1..=11 {
        let r = c
            .call(
                "GET",
                &format!("/linode/instances?page={page}&page_size=25"),
                None,
            )
            .await;
        assert_eq!(r.json()["pages"], 11);
        for m in r.json()["data"].as_array().unwrap() {
            assert!(seen.insert(a.id(m)));
        }
    }
    assert_eq!(seen.len(), 260);
    let r = c.call("GET", "/linode/instances?page_size=500", None).await;
    assert_eq!(r.json()["data"].as_array().unwrap().len(), 260);
    for bad in ["page_size=24", "page_size=501", "page=0", "page=x"] {
        let r = c
            .call("GET", &format!("/linode/instances?{bad}"), None)
            .await;
        assert_eq!(r.status, 400, "{bad}");
        a.assert_error(r.json(), 400, "");
    }
    // Other lists page the same way.
    let r = c.call("GET", "/images?page_size=25", None).await;
    assert_eq!(r.json()["results"], 6);
    emu.shutdown().await;
}

/// Invalid create bodies are 400 with the field named; malformed JSON is 400.
pub async fn linode_create_validates_its_input(a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, LINODE);
    let token = emu.token(LINODE);
    let base = create_body("ok-name", &[]);
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let without = |k: &str| {
        let mut b = base.clone();
        b.as_object_mut().unwrap().remove(k);
        b
    };
    let long_tag = "t".repeat(51);
    // Labels are unique among the account's Linodes.
    let seeded = c.call("GET", "/linode/instances", None).await;
    let seeded_label = seeded.json()["data"][0]["label"]
        .as_str()
        .unwrap()
        .to_string();
    let cases = [
        (without("type"), "type"),
        (without("region"), "region"),
        (with("region", json!("mars")), "region"),
        (with("type", json!("g9-huge")), "type"),
        (with("image", json!("linode/windows")), "image"),
        (without("root_pass"), "root_pass"),
        (with("root_pass", json!("short")), "root_pass"),
        (with("root_pass", json!("alllowercase")), "root_pass"),
        (with("label", json!("ab")), "label"),
        (with("label", json!("-starts-with-dash")), "label"),
        (with("label", json!("ends.")), "label"),
        (with("label", json!("two__underscores")), "label"),
        (with("label", json!("has space")), "label"),
        (with("label", json!(seeded_label)), "label"),
        (with("tags", json!([long_tag])), "tags"),
        (
            with("authorized_keys", json!(["not a key"])),
            "authorized_keys",
        ),
        (
            with("authorized_users", json!(["nobody"])),
            "authorized_users",
        ),
    ];
    for (body, field) in cases {
        let r = c
            .raw(
                "POST",
                "/linode/instances",
                Some(body.clone()),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, 400, "{field}: {body}");
        a.assert_error(r.json(), 400, "");
        assert!(
            r.json()["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field),
            "{field}: {:?}",
            r.body
        );
    }
    let mut bad_user_data = base.clone();
    bad_user_data["metadata"] = json!({ "user_data": "not base64!!" });
    let r = c
        .raw(
            "POST",
            "/linode/instances",
            Some(bad_user_data),
            Some(&token),
        )
        .await;
    assert_eq!(r.json()["errors"][0]["field"], "metadata.user_data");
    // Several errors at once.
    let r = c
        .raw("POST", "/linode/instances", Some(json!({})), Some(&token))
        .await;
    assert_eq!(r.json()["errors"].as_array().unwrap().len(), 2);
    // Labels the spec's broken pattern would refuse are fine; a label is assigned if none.
    for label in ["web01", "linode123", "a.b_c-d", "9lives"] {
        let r = c
            .call(
                "POST",
                "/linode/instances",
                Some(with("label", json!(label))),
            )
            .await;
        assert_eq!(r.status, 200, "{label}: {:?}", r.body);
    }
    let r = c
        .call("POST", "/linode/instances", Some(without("label")))
        .await;
    assert!(r.json()["label"].as_str().unwrap().starts_with("linode"));
    let resp = reqwest::Client::new()
        .post(c.url("/linode/instances"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    emu.shutdown().await;
}

/// Resize (`{type}`) and rebuild (`{image, root_pass}`): busy while they run, then back.
pub async fn linode_resize_and_rebuild(a: Adapter) {
    let emu = start_with_delay(Seed::builtin(), OBSERVED_IP_DELAY).await;
    let c = Client::new(&emu, LINODE);
    let app = &c.call("GET", "/linode/instances", None).await.json()["data"][0].clone();
    assert_eq!(
        (app["status"].clone(), app["type"].clone()),
        (json!("running"), json!("g6-nanode-1"))
    );
    let id = a.id(app);
    let path = format!("/linode/instances/{id}");
    let r = c
        .call(
            "POST",
            &format!("{path}/resize"),
            Some(json!({ "type": "g6-nanode-1" })),
        )
        .await;
    assert_reason(&r, 400, "already");
    let r = c
        .call(
            "POST",
            &format!("{path}/resize"),
            Some(json!({ "type": "g6-standard-2" })),
        )
        .await;
    assert_eq!((r.status, r.json().clone()), (200, json!({})));
    let m = c.call("GET", &path, None).await;
    assert_eq!(
        (m.json()["status"].clone(), m.json()["type"].clone()),
        (json!("migrating"), json!("g6-standard-2"))
    );
    assert_eq!(m.json()["specs"]["memory"], 4096);
    assert_reason(
        &c.call("POST", &format!("{path}/reboot"), None).await,
        400,
        "Linode busy.",
    );
    tokio::time::sleep(OBSERVED_IP_DELAY + Duration::from_millis(100)).await;
    assert_eq!(c.call("GET", &path, None).await.json()["status"], "running");
    let small = json!({ "type": "g6-nanode-1", "allow_auto_disk_resize": false });
    assert_reason(
        &c.call("POST", &format!("{path}/resize"), Some(small)).await,
        400,
        "disk",
    );

    let r = c
        .raw(
            "POST",
            &format!("{path}/rebuild"),
            Some(json!({ "image": "linode/debian12" })),
            Some(&emu.token(LINODE)),
        )
        .await;
    assert_eq!(r.json()["errors"][0]["field"], "root_pass");
    let r = c
        .call(
            "POST",
            &format!("{path}/rebuild"),
            Some(json!({ "image": "linode/debian12", "root_pass": PASS, "authorized_keys": [KEY_A] })),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        (r.json()["status"].clone(), r.json()["image"].clone()),
        (json!("rebuilding"), json!("linode/debian12"))
    );
    tokio::time::sleep(OBSERVED_IP_DELAY + Duration::from_millis(100)).await;
    assert_eq!(c.call("GET", &path, None).await.json()["status"], "running");
    emu.shutdown().await;
}

/// Regions, types with prices, images, the profile and the account.
pub async fn linode_catalogs_and_account(_a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, LINODE);
    let r = c.call("GET", "/regions", None).await;
    let ids: Vec<&str> = r.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    for want in ["us-east", "us-west", "eu-west", "ap-south"] {
        assert!(ids.contains(&want), "{want}");
    }
    let r = c.call("GET", "/linode/types", None).await;
    let nanode = r.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "g6-nanode-1")
        .unwrap()
        .clone();
    assert_eq!(nanode["price"]["monthly"], 5.0);
    assert_eq!(
        (nanode["vcpus"].clone(), nanode["memory"].clone()),
        (json!(1), json!(1024))
    );
    let r = c.call("GET", "/images", None).await;
    let images = r.json()["data"].as_array().unwrap();
    for want in ["linode/ubuntu24.04", "linode/debian12"] {
        let i = images.iter().find(|i| i["id"] == want).unwrap();
        assert_eq!(
            (i["is_public"].clone(), i["status"].clone()),
            (json!(true), json!("available"))
        );
    }
    assert_eq!(
        c.call("GET", "/profile", None).await.json()["username"],
        "hangar-demo"
    );
    assert_eq!(
        c.call("GET", "/account", None).await.json()["email"],
        "demo@example.com"
    );
    emu.shutdown().await;
}

/// SSH keys: list, create, get, rename (PUT answers the key), refuse a bad key, delete.
pub async fn linode_ssh_key_crud(a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, LINODE);
    assert_eq!(
        c.call("GET", "/profile/sshkeys", None).await.json()["results"],
        1
    );
    let r = c
        .call(
            "POST",
            "/profile/sshkeys",
            Some(json!({ "label": "a", "ssh_key": KEY_A })),
        )
        .await;
    assert_eq!(r.status, 200);
    let key = r.json().clone();
    let path = format!("/profile/sshkeys/{}", a.id(&key));
    assert_eq!(c.call("GET", &path, None).await.json(), &key);
    assert_eq!(
        c.call("GET", "/profile/sshkeys", None).await.json()["results"],
        2
    );
    let r = c
        .call("PUT", &path, Some(json!({ "label": "renamed" })))
        .await;
    assert_eq!(r.json()["label"], "renamed");
    let r = c
        .call(
            "POST",
            "/profile/sshkeys",
            Some(json!({ "label": "x", "ssh_key": "not a key" })),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["errors"][0]["field"].clone()),
        (400, json!("ssh_key"))
    );
    let r = c.call("DELETE", &path, None).await;
    assert_eq!((r.status, r.json().clone()), (200, json!({})));
    a.assert_not_found(&c.call("GET", &path, None).await);
    a.assert_not_found(&c.call("DELETE", &path, None).await);
    emu.shutdown().await;
}

/// Domains (master needs `soa_email`) and records of every type Hangar writes, with their
/// fields; the record list's `X-Filter`; refusals; deletes.
pub async fn linode_domains_and_records(a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, LINODE);
    let r = c.call("GET", "/domains", None).await;
    assert_eq!(r.json()["data"][0]["domain"], "example.org");
    let seeded = a.id(&r.json()["data"][0]);
    let r = c
        .call("GET", &format!("/domains/{seeded}/records"), None)
        .await;
    let seeded_records = Seed::builtin().linode.domains[0].records.len();
    assert_eq!(r.json()["results"], seeded_records);

    let r = c
        .call(
            "POST",
            "/domains",
            Some(json!({ "domain": "zone.example", "type": "master" })),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["errors"][0]["field"].clone()),
        (400, json!("soa_email"))
    );
    let r = c
        .call(
            "POST",
            "/domains",
            Some(json!({ "domain": "zone.example", "type": "master", "soa_email": "admin@zone.example" })),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "active");
    let zone = a.id(r.json());
    let again = c
        .call(
            "POST",
            "/domains",
            Some(json!({ "domain": "zone.example", "type": "master", "soa_email": "admin@zone.example" })),
        )
        .await;
    assert_eq!(again.status, 400);
    let records = format!("/domains/{zone}/records");
    let kinds = [
        json!({ "type": "A", "name": "www", "target": "192.0.2.10", "ttl_sec": 600 }),
        json!({ "type": "AAAA", "name": "www", "target": "2001:db8::10" }),
        json!({ "type": "CNAME", "name": "blog", "target": "www.zone.example" }),
        json!({ "type": "MX", "name": "", "target": "mail.zone.example", "priority": 10 }),
        json!({ "type": "TXT", "name": "", "target": "v=spf1 -all" }),
        json!({ "type": "NS", "name": "sub", "target": "ns1.other.example" }),
        json!({ "type": "SRV", "name": "_sip._tcp", "target": "sip.zone.example", "priority": 1, "weight": 5, "port": 5060 }),
        json!({ "type": "CAA", "name": "", "target": "letsencrypt.org", "tag": "issue" }),
    ];
    let mut ids = Vec::new();
    for body in &kinds {
        let r = c.call("POST", &records, Some(body.clone())).await;
        assert_eq!(r.status, 200, "{body}: {:?}", r.body);
        for (k, v) in body.as_object().unwrap() {
            if k != "ttl_sec" {
                assert_eq!(&r.json()[k], v, "{k} of {body}");
            }
        }
        ids.push(a.id(r.json()));
    }
    // A fully qualified name loses the zone.
    let r = c
        .call(
            "POST",
            &records,
            Some(json!({ "type": "A", "name": "api.zone.example.", "target": "192.0.2.12" })),
        )
        .await;
    assert_eq!(r.json()["name"], "api");
    let r = c
        .call(
            "POST",
            &records,
            Some(json!({ "type": "A", "name": "zone.example", "target": "192.0.2.13" })),
        )
        .await;
    assert_eq!(r.json()["name"], "");
    // TTLs are rounded up to a value Linode keeps.
    let a_record = c.call("GET", &format!("{records}/{}", ids[0]), None).await;
    assert_eq!(a_record.json()["ttl_sec"], 3600);
    let srv = c.call("GET", &format!("{records}/{}", ids[6]), None).await;
    assert_eq!(
        (
            srv.json()["service"].clone(),
            srv.json()["protocol"].clone()
        ),
        (json!("sip"), json!("tcp"))
    );
    // X-Filter on name and type.
    let r = filtered(&c, &records, &json!({ "name": "www" })).await;
    assert_eq!(r.json()["results"], 2);
    let r = filtered(
        &c,
        &records,
        &json!({ "+and": [{ "name": "www" }, { "type": "AAAA" }] }),
    )
    .await;
    assert_eq!(r.json()["data"][0]["target"], "2001:db8::10");
    // Refusals.
    for (body, field) in [
        (
            json!({ "type": "A", "name": "x", "target": "not-an-ip" }),
            "target",
        ),
        (
            json!({ "type": "AAAA", "name": "x", "target": "192.0.2.1" }),
            "target",
        ),
        (
            json!({ "type": "MX", "name": "", "target": "mail.zone.example" }),
            "priority",
        ),
        (
            json!({ "type": "SRV", "name": "_x._tcp", "target": "a.example", "priority": 1 }),
            "port",
        ),
        (
            json!({ "type": "CAA", "name": "", "target": "ca.example", "tag": "bogus" }),
            "tag",
        ),
        (
            json!({ "type": "BOGUS", "name": "", "target": "x" }),
            "type",
        ),
    ] {
        let r = c
            .raw(
                "POST",
                &records,
                Some(body.clone()),
                Some(&emu.token(LINODE)),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["errors"][0]["field"].clone()),
            (400, json!(field)),
            "{body}"
        );
    }
    // Update answers the record.
    let path = format!("{records}/{}", ids[0]);
    let r = c
        .call("PUT", &path, Some(json!({ "target": "192.0.2.11" })))
        .await;
    assert_eq!(r.json()["target"], "192.0.2.11");
    let r = c
        .call("PUT", &path, Some(json!({ "target": "nope" })))
        .await;
    assert_eq!(r.status, 400);
    // Deletes.
    let r = c.call("DELETE", &path, None).await;
    assert_eq!((r.status, r.json().clone()), (200, json!({})));
    a.assert_not_found(&c.call("GET", &path, None).await);
    let r = c
        .call(
            "PUT",
            &format!("/domains/{zone}"),
            Some(json!({ "description": "d" })),
        )
        .await;
    assert_eq!(r.json()["description"], "d");
    assert_eq!(
        c.call("DELETE", &format!("/domains/{zone}"), None)
            .await
            .status,
        200
    );
    a.assert_not_found(&c.call("GET", &format!("/domains/{zone}"), None).await);
    // The record list documents no error answer: read without the spec check.
    let (status, body) = unspecified_get(&c.url(&records), &emu.token(LINODE)).await;
    assert_eq!(
        (status, body),
        (404, json!({ "errors": [{ "reason": "Not found" }] }))
    );
    emu.shutdown().await;
}

/// Every route answers successfully, each answer valid by the spec.
pub async fn linode_every_route_answers(a: Adapter) {
    let emu = start_with_delay(Seed::builtin(), Duration::ZERO).await;
    let c = Client::new(&emu, LINODE);
    let id = a.id(&c.call("GET", "/linode/instances", None).await.json()["data"][0]);
    let key = a.id(&c.call("GET", "/profile/sshkeys", None).await.json()["data"][0]);
    let zone = a.id(&c.call("GET", "/domains", None).await.json()["data"][0]);
    let record = a.id(&c
        .call("GET", &format!("/domains/{zone}/records"), None)
        .await
        .json()["data"][0]);
    let m = format!("/linode/instances/{id}");
    let calls: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", "/linode/instances".into(), None),
        (
            "POST",
            "/linode/instances".into(),
            Some(create_body("new-one", &["machine:created"])),
        ),
        ("GET", m.clone(), None),
        ("PUT", m.clone(), Some(json!({ "label": "app-renamed" }))),
        ("GET", format!("{m}/ips"), None),
        ("POST", format!("{m}/shutdown"), None),
        ("POST", format!("{m}/boot"), None),
        ("POST", format!("{m}/reboot"), None),
        (
            "POST",
            format!("{m}/resize"),
            Some(json!({ "type": "g6-standard-1" })),
        ),
        (
            "POST",
            format!("{m}/rebuild"),
            Some(json!({ "image": "linode/debian12", "root_pass": PASS })),
        ),
        ("GET", "/profile/sshkeys".into(), None),
        (
            "POST",
            "/profile/sshkeys".into(),
            Some(json!({ "label": "k", "ssh_key": KEY_A })),
        ),
        ("GET", format!("/profile/sshkeys/{key}"), None),
        (
            "PUT",
            format!("/profile/sshkeys/{key}"),
            Some(json!({ "label": "k2" })),
        ),
        ("GET", "/domains".into(), None),
        (
            "POST",
            "/domains".into(),
            Some(
                json!({ "domain": "new.example", "type": "master", "soa_email": "a@new.example" }),
            ),
        ),
        ("GET", format!("/domains/{zone}"), None),
        (
            "PUT",
            format!("/domains/{zone}"),
            Some(json!({ "ttl_sec": 300 })),
        ),
        ("GET", format!("/domains/{zone}/records"), None),
        (
            "POST",
            format!("/domains/{zone}/records"),
            Some(json!({ "type": "A", "name": "x", "target": "192.0.2.9" })),
        ),
        ("GET", format!("/domains/{zone}/records/{record}"), None),
        (
            "PUT",
            format!("/domains/{zone}/records/{record}"),
            Some(json!({ "ttl_sec": 300 })),
        ),
        ("GET", "/regions".into(), None),
        ("GET", "/linode/types".into(), None),
        ("GET", "/images".into(), None),
        ("GET", "/profile".into(), None),
        ("GET", "/account".into(), None),
        ("DELETE", format!("/domains/{zone}/records/{record}"), None),
        ("DELETE", format!("/domains/{zone}"), None),
        ("DELETE", format!("/profile/sshkeys/{key}"), None),
        ("DELETE", m.clone(), None),
    ];
    for (method, path, body) in calls {
        let r = c.call(method, &path, body).await;
        assert_eq!(r.status, 200, "{method} {path}: {:?}", r.body);
        // With no delay, each power event has ended by the next request.
    }
    emu.shutdown().await;
}

/// Cloud Firewalls: create with rules and a device, read, rename, replace the rules, list a
/// Linode's firewalls, detach, refusals, delete; a deleted Linode leaves its firewall.
pub async fn linode_firewalls(a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, LINODE);
    let token = emu.token(LINODE);
    let linode = a.id(&c.call("GET", "/linode/instances", None).await.json()["data"][0]);
    let ssh = json!({ "action": "ACCEPT", "protocol": "TCP", "ports": "22, 80-81",
        "addresses": { "ipv4": ["203.0.113.254/32"], "ipv6": ["2001:db8::/32"] }, "label": "ssh-in" });
    let rules = json!({ "inbound": [ssh], "outbound": [], "inbound_policy": "DROP", "outbound_policy": "ACCEPT" });
    let linode_num: u64 = linode.parse().unwrap();
    let r = c
        .call(
            "POST",
            "/networking/firewalls",
            Some(json!({ "label": "hangar-web", "rules": rules, "devices": { "linodes": [linode_num] } })),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.json()["status"], "enabled");
    assert_eq!(r.json()["rules"]["inbound"][0]["ports"], "22, 80-81");
    let fw = a.id(r.json());
    let path = format!("/networking/firewalls/{fw}");
    assert_eq!(
        c.call("GET", &path, None).await.json()["label"],
        "hangar-web"
    );
    let devices = c.call("GET", &format!("{path}/devices"), None).await;
    assert_eq!(devices.json()["data"][0]["entity"]["id"], linode_num);
    let device = a.id(&devices.json()["data"][0]);
    let of = c
        .call(
            "GET",
            &format!("/linode/instances/{linode}/firewalls"),
            None,
        )
        .await;
    assert_eq!(of.json()["data"][0]["id"].to_string(), fw);
    // One firewall per Linode.
    let r = c
        .call(
            "POST",
            &format!("{path}/devices"),
            Some(json!({ "id": linode_num, "type": "linode" })),
        )
        .await;
    assert_eq!(r.status, 400);
    // Rename, replace the rules.
    let r = c
        .call(
            "PUT",
            &path,
            Some(json!({ "label": "hangar-web2", "status": "disabled" })),
        )
        .await;
    assert_eq!(
        (r.json()["label"].clone(), r.json()["status"].clone()),
        (json!("hangar-web2"), json!("disabled"))
    );
    let icmp =
        json!({ "action": "ACCEPT", "protocol": "ICMP", "addresses": { "ipv4": ["0.0.0.0/0"] } });
    let new_rules = json!({ "inbound": [icmp], "outbound": [], "inbound_policy": "DROP", "outbound_policy": "ACCEPT" });
    let r = c
        .call("PUT", &format!("{path}/rules"), Some(new_rules))
        .await;
    assert_eq!(r.json()["inbound"][0]["protocol"], "ICMP");
    assert_eq!(
        c.call("GET", &format!("{path}/rules"), None).await.json()["inbound"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Refusals.
    let bad_rule = |rule: Value| json!({ "inbound": [rule], "outbound": [], "inbound_policy": "DROP", "outbound_policy": "ACCEPT" });
    for (body, why) in [
        (
            bad_rule(
                json!({ "action": "ALLOW", "protocol": "TCP", "addresses": { "ipv4": ["0.0.0.0/0"] } }),
            ),
            "action",
        ),
        (
            bad_rule(
                json!({ "action": "ACCEPT", "protocol": "SCTP", "addresses": { "ipv4": ["0.0.0.0/0"] } }),
            ),
            "protocol",
        ),
        (
            bad_rule(
                json!({ "action": "ACCEPT", "protocol": "ICMP", "ports": "22", "addresses": { "ipv4": ["0.0.0.0/0"] } }),
            ),
            "ports on ICMP",
        ),
        (
            bad_rule(
                json!({ "action": "ACCEPT", "protocol": "TCP", "ports": "99999", "addresses": { "ipv4": ["0.0.0.0/0"] } }),
            ),
            "port",
        ),
        (
            bad_rule(
                json!({ "action": "ACCEPT", "protocol": "TCP", "addresses": { "ipv4": ["192.0.2.1"] } }),
            ),
            "no mask",
        ),
        (
            bad_rule(
                json!({ "action": "ACCEPT", "protocol": "TCP", "addresses": { "ipv6": ["192.0.2.0/24"] } }),
            ),
            "v4 as v6",
        ),
    ] {
        let r = c
            .raw("PUT", &format!("{path}/rules"), Some(body), Some(&token))
            .await;
        assert_eq!(r.status, 400, "{why}");
    }
    let r = c
        .raw(
            "POST",
            "/networking/firewalls",
            Some(json!({ "label": "no-rules" })),
            Some(&token),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["errors"][0]["field"].clone()),
        (400, json!("rules"))
    );
    // Detach, then deleting the firewall.
    let r = c
        .call("DELETE", &format!("{path}/devices/{device}"), None)
        .await;
    assert_eq!((r.status, r.json().clone()), (200, json!({})));
    a.assert_not_found(
        &c.call("GET", &format!("{path}/devices/{device}"), None)
            .await,
    );
    // A deleted Linode leaves its firewall.
    let r = c
        .call(
            "POST",
            &format!("{path}/devices"),
            Some(json!({ "id": linode_num, "type": "linode" })),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        c.call("DELETE", &format!("/linode/instances/{linode}"), None)
            .await
            .status,
        200
    );
    assert_eq!(
        c.call("GET", &format!("{path}/devices"), None).await.json()["results"],
        0
    );
    assert_eq!(c.call("DELETE", &path, None).await.status, 200);
    a.assert_not_found(&c.call("GET", &path, None).await);
    emu.shutdown().await;
}

/// The status proxy answers for a Linode's address once it has provisioned: cloud-init is
/// `running`, then `done` after the boot delay; an offline Linode does not answer.
pub async fn linode_status_proxy_follows_the_boot(_a: Adapter) {
    let emu = hangar_emulator::Emulator::start(hangar_emulator::EmulatorConfig {
        seed: Seed::builtin(),
        ip_delay: OBSERVED_IP_DELAY,
        boot_delay: Duration::from_millis(600),
        ..hangar_emulator::EmulatorConfig::default()
    })
    .await
    .unwrap();
    let c = Client::new(&emu, LINODE);
    let mut body = create_body("booting-1", &["machine:created"]);
    body["metadata"] = json!({ "user_data": base64::engine::general_purpose::STANDARD.encode("#cloud-config\n{}\n") });
    let r = c
        .raw(
            "POST",
            "/linode/instances",
            Some(body),
            Some(&emu.token(LINODE)),
        )
        .await;
    let id = r.json()["id"].as_u64().unwrap();
    let ip = r.json()["ipv4"][0].as_str().unwrap().to_string();
    let http = reqwest::Client::builder()
        .proxy(reqwest::Proxy::http(emu.status_proxy_url()).unwrap())
        .build()
        .unwrap();
    let url = format!("http://{ip}:4242/cgi-bin/cloud-init-status");
    let status = |http: reqwest::Client, url: String| async move {
        let r = http.get(&url).send().await.unwrap();
        let code = r.status().as_u16();
        let body: Option<Value> = r.json().await.ok();
        (
            code,
            body.map(|b| b["status"].as_str().unwrap_or("").to_string()),
        )
    };
    // Provisioning: the machine does not answer yet.
    assert_eq!(status(http.clone(), url.clone()).await.0, 502);
    tokio::time::sleep(OBSERVED_IP_DELAY + Duration::from_millis(50)).await;
    assert_eq!(
        status(http.clone(), url.clone()).await,
        (200, Some("running".into()))
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        status(http.clone(), url.clone()).await,
        (200, Some("done".into()))
    );
    // Shut down (after its event ends): no answer.
    c.call("POST", &format!("/linode/instances/{id}/shutdown"), None)
        .await;
    tokio::time::sleep(OBSERVED_IP_DELAY + Duration::from_millis(50)).await;
    assert_eq!(status(http, url).await.0, 502);
    emu.shutdown().await;
}

/// A Linode body the emulator serves passes the check and fails it once broken: the checker
/// really looks at Linodes (and the label rules replace the spec's broken pattern).
pub async fn linode_broken_bodies_fail_the_check(_a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, LINODE);
    let m = c.call("GET", "/linode/instances", None).await.json()["data"][0].clone();
    let check = |m: &Value| {
        hangar_spec_check::check_response(LINODE, "GET", "/v4/linode/instances/1", 200, Some(m))
    };
    check(&m).unwrap();
    for (pointer, bad) in [
        ("/status", json!("resizing")),
        ("/ipv4", json!("192.0.2.1")),
        ("/specs/memory", json!("1 GB")),
        ("/label", json!("bad--label")),
        ("/label", json!("ab")),
        ("/created", json!("yesterday")),
    ] {
        let mut broken = m.clone();
        *broken.pointer_mut(pointer).expect(pointer) = bad.clone();
        assert!(check(&broken).is_err(), "{pointer} = {bad}");
    }
    let mut extra = m.clone();
    extra["bogus"] = json!(1);
    assert!(check(&extra).is_err());
    let mut ok = m.clone();
    ok["label"] = json!("linode123");
    check(&ok).unwrap();
    emu.shutdown().await;
}
