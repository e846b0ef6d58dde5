//! Firewalls: DigitalOcean's `/v2/firewalls`, Vultr's firewall groups, their rules and an
//! instance's `firewall_group_id`; and the emulator's "what is my IP" endpoint.

use hangar_emulator::{EmulatorConfig, Seed};
use serde_json::{Value, json};

use crate::adapter::Adapter;
use crate::client::{Client, DO, VULTR, start};

/// A machine of the adapter's provider; its id.
async fn machine(a: Adapter, c: &Client<'_>, name: &str) -> String {
    let r = c
        .call("POST", a.machines(), Some(a.create_body(name, &[])))
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    a.id(&r.json()[a.one()])
}

fn do_ssh_firewall(name: &str, droplet: u64) -> Value {
    json!({
        "name": name,
        "droplet_ids": [droplet],
        "inbound_rules": [
            { "protocol": "tcp", "ports": "22", "sources": { "addresses": ["203.0.113.254/32"] } }
        ],
        "outbound_rules": [
            { "protocol": "tcp", "ports": "0", "destinations": { "addresses": ["0.0.0.0/0", "::/0"] } },
            { "protocol": "icmp", "ports": "0", "destinations": { "addresses": ["0.0.0.0/0", "::/0"] } }
        ]
    })
}

/// Create (202, `waiting`, the Droplet pending), get (`succeeded`), list with pagination,
/// every refusal of the create rules as a 400 with DigitalOcean's error body, delete (204,
/// then 404), and a destroyed Droplet dropping out of `droplet_ids`.
pub async fn digitalocean_firewalls(a: Adapter) {
    assert_eq!(a.provider(), DO);
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, DO);
    let droplet: u64 = machine(a, &c, "fw-1").await.parse().unwrap();

    let r = c
        .call(
            "POST",
            "/v2/firewalls",
            Some(do_ssh_firewall("hangar-ssh-1-until-2", droplet)),
        )
        .await;
    assert_eq!(r.status, 202);
    let f = &r.json()["firewall"];
    assert_eq!(f["status"], "waiting");
    assert_eq!(f["droplet_ids"], json!([droplet]));
    assert_eq!(f["pending_changes"][0]["droplet_id"], droplet);
    assert_eq!(
        f["inbound_rules"][0]["sources"]["addresses"],
        json!(["203.0.113.254/32"])
    );
    assert_eq!(f["outbound_rules"][1]["ports"], "0");
    let id = f["id"].as_str().unwrap().to_owned();

    let r = c.call("GET", &format!("/v2/firewalls/{id}"), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["firewall"]["status"], "succeeded");
    assert_eq!(r.json()["firewall"]["name"], "hangar-ssh-1-until-2");

    for n in 0..4 {
        let r = c
            .call(
                "POST",
                "/v2/firewalls",
                Some(do_ssh_firewall(&format!("fw-{n}"), droplet)),
            )
            .await;
        assert_eq!(r.status, 202);
    }
    let r = c.call("GET", "/v2/firewalls?per_page=2", None).await;
    assert_eq!(r.json()["meta"]["total"], 5);
    assert_eq!(r.json()["firewalls"].as_array().unwrap().len(), 2);
    let (all, pages) = a
        .list_all(&c, "/v2/firewalls?per_page=2", "firewalls")
        .await;
    assert_eq!((all.len(), pages), (5, 3));
    let mut ids: Vec<&str> = all.iter().map(|f| f["id"].as_str().unwrap()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 5, "ids are unique");

    let ok = do_ssh_firewall("fine", droplet);
    let with = |pointer: &str, v: Value| {
        let mut b = ok.clone();
        *b.pointer_mut(pointer).unwrap() = v;
        b
    };
    let without = |key: &str| {
        let mut b = ok.clone();
        b.as_object_mut().unwrap().remove(key);
        b
    };
    let no_rules = {
        let mut b = without("inbound_rules");
        b.as_object_mut().unwrap().remove("outbound_rules");
        b
    };
    let invalid = [
        (without("name"), "no name"),
        (with("/name", json!("-starts-with-dash")), "name pattern"),
        (with("/name", json!("under_score")), "name pattern"),
        (with("/name", json!("x")), "one character"),
        (no_rules, "no rule"),
        (with("/inbound_rules/0/protocol", json!("sctp")), "protocol"),
        (with("/inbound_rules/0/ports", json!("ssh")), "ports"),
        (with("/inbound_rules/0/ports", json!("70000")), "port range"),
        (
            with("/inbound_rules/0/sources/addresses", json!(["nowhere"])),
            "address",
        ),
        (
            with("/inbound_rules/0/sources/addresses", json!(["1.2.3.4/40"])),
            "prefix",
        ),
        (with("/inbound_rules/0/sources", json!({})), "empty sources"),
        (with("/droplet_ids", json!([4_242_424_242u64])), "droplet"),
        (
            with(
                "/inbound_rules/0/sources",
                json!({ "tags": ["no-such-tag"] }),
            ),
            "tag",
        ),
    ];
    let token = emu.token(DO);
    for (body, what) in invalid {
        let r = c
            .raw("POST", "/v2/firewalls", Some(body), Some(&token))
            .await;
        assert_eq!(r.status, 400, "{what}: {:?}", r.body);
        a.assert_error(r.json(), 400, "bad_request");
    }
    let r = c
        .raw(
            "POST",
            "/v2/firewalls",
            Some(json!({ "name": "x1", "inbound_rules": [{ "protocol": "tcp", "ports": "22" }] })),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, 400, "no sources: {:?}", r.body);

    let r = c.call("DELETE", &format!("/v2/firewalls/{id}"), None).await;
    assert_eq!((r.status, r.body.is_none()), (204, true));
    let r = c.call("GET", &format!("/v2/firewalls/{id}"), None).await;
    a.assert_not_found(&r);
    let r = c.call("DELETE", &format!("/v2/firewalls/{id}"), None).await;
    a.assert_not_found(&r);

    // The Droplet is destroyed: the firewalls that held it list no Droplet.
    let r = c
        .call("DELETE", &a.machine(&droplet.to_string()), None)
        .await;
    assert_eq!(r.status, 204);
    let (all, _) = a
        .list_all(&c, "/v2/firewalls?per_page=200", "firewalls")
        .await;
    assert!(all.iter().all(|f| f["droplet_ids"] == json!([])), "{all:?}");
}

fn vultr_rule(subnet: &str, size: u8, notes: &str) -> Value {
    let ip_type = if subnet.contains(':') { "v6" } else { "v4" };
    json!({ "ip_type": ip_type, "protocol": "tcp", "subnet": subnet, "subnet_size": size,
        "port": "22", "source": "", "notes": notes })
}

/// Groups (create 201, get, update 204, list with cursors), rules (create 201, get, list,
/// delete, every refusal as a 400), attaching an instance with PATCH `firewall_group_id` (and
/// detaching with `""`), and a group in use refusing to be deleted.
pub async fn vultr_firewall_groups(a: Adapter) {
    assert_eq!(a.provider(), VULTR);
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, VULTR);
    let instance = machine(a, &c, "fw-1").await;
    let r = c.call("GET", &a.machine(&instance), None).await;
    assert_eq!(r.json()["instance"]["firewall_group_id"], "");

    let r = c
        .call(
            "POST",
            "/firewalls",
            Some(json!({ "description": "hangar-ssh-x-until-1" })),
        )
        .await;
    assert_eq!(r.status, 201);
    let g = &r.json()["firewall_group"];
    assert_eq!(
        (g["rule_count"].as_u64(), g["instance_count"].as_u64()),
        (Some(0), Some(0))
    );
    let group = g["id"].as_str().unwrap().to_owned();
    let r = c.call("GET", &format!("/firewalls/{group}"), None).await;
    assert_eq!(
        r.json()["firewall_group"]["description"],
        "hangar-ssh-x-until-1"
    );

    let rules = format!("/firewalls/{group}/rules");
    let r = c
        .call(
            "POST",
            &rules,
            Some(vultr_rule("203.0.113.254", 32, "hangar-ssh-x-until-1")),
        )
        .await;
    assert_eq!(r.status, 201);
    let rule = &r.json()["firewall_rule"];
    assert_eq!(
        (&rule["action"], &rule["port"], &rule["notes"]),
        (
            &json!("accept"),
            &json!("22"),
            &json!("hangar-ssh-x-until-1")
        )
    );
    let rule_id = rule["id"].as_u64().unwrap();
    let r = c
        .call("POST", &rules, Some(vultr_rule("2001:db8::", 64, "v6")))
        .await;
    assert_eq!(r.status, 201);
    let r = c.call("GET", &rules, None).await;
    assert_eq!(r.json()["meta"]["total"], 2);
    let r = c.call("GET", &format!("{rules}/{rule_id}"), None).await;
    assert_eq!(r.json()["firewall_rule"]["subnet"], "203.0.113.254");

    let ok = vultr_rule("203.0.113.254", 32, "n");
    let with = |key: &str, v: Value| {
        let mut b = ok.clone();
        b[key] = v;
        b
    };
    let invalid = [
        (with("ip_type", json!("v5")), "ip_type"),
        (with("protocol", json!("sctp")), "protocol"),
        (
            with("subnet", json!("2001:db8::1")),
            "subnet of the other type",
        ),
        (with("subnet", json!("nowhere")), "subnet"),
        (with("subnet_size", json!(33)), "subnet_size"),
        (with("port", json!("ssh")), "port"),
        (with("port", json!("22-23")), "range with a dash"),
        (with("source", json!("some-load-balancer")), "source"),
        (
            json!({ "ip_type": "v4", "protocol": "icmp", "subnet": "0.0.0.0", "subnet_size": 0, "port": "22" }),
            "port on ICMP",
        ),
    ];
    for (body, what) in invalid {
        let r = c.call("POST", &rules, Some(body)).await;
        assert_eq!(r.status, 400, "{what}: {:?}", r.body);
        a.assert_error(r.json(), 400, "");
    }
    let r = c
        .call("POST", "/firewalls/no-such-group/rules", Some(ok.clone()))
        .await;
    a.assert_not_found(&r);

    // Attach, see it, refuse to delete the group in use, detach.
    let patch = |g: &str| json!({ "firewall_group_id": g });
    let r = c
        .call("PATCH", &a.machine(&instance), Some(patch(&group)))
        .await;
    assert_eq!(r.status, 202);
    assert_eq!(r.json()["instance"]["firewall_group_id"], group.as_str());
    let r = c.call("GET", &format!("/firewalls/{group}"), None).await;
    assert_eq!(r.json()["firewall_group"]["instance_count"], 1);
    let r = c.call("DELETE", &format!("/firewalls/{group}"), None).await;
    assert_eq!(r.status, 400);
    a.assert_error(r.json(), 400, "");
    let r = c
        .call("PATCH", &a.machine(&instance), Some(patch("no-such-group")))
        .await;
    assert_eq!(r.status, 400);
    let r = c
        .call("PATCH", &a.machine(&instance), Some(patch("")))
        .await;
    assert_eq!(r.json()["instance"]["firewall_group_id"], "");

    let r = c
        .call(
            "PUT",
            &format!("/firewalls/{group}"),
            Some(json!({ "description": "renamed" })),
        )
        .await;
    assert_eq!(r.status, 204);
    let r = c.call("DELETE", &format!("{rules}/{rule_id}"), None).await;
    assert_eq!(r.status, 204);
    let r = c.call("GET", &format!("{rules}/{rule_id}"), None).await;
    a.assert_not_found(&r);

    for n in 0..3 {
        let r = c
            .call(
                "POST",
                "/firewalls",
                Some(json!({ "description": format!("g{n}") })),
            )
            .await;
        assert_eq!(r.status, 201);
    }
    let (all, pages) = a
        .list_all(&c, "/firewalls?per_page=2", "firewall_groups")
        .await;
    assert_eq!((all.len(), pages), (4, 2));

    let r = c.call("DELETE", &format!("/firewalls/{group}"), None).await;
    assert_eq!(r.status, 204);
    let r = c.call("GET", &format!("/firewalls/{group}"), None).await;
    a.assert_not_found(&r);
    let r = c.call("GET", &rules, None).await;
    a.assert_not_found(&r);
}

/// `GET /my-ip` on the status listener answers the configured address as plain text, and
/// the address can be changed while running.
#[tokio::test]
async fn my_ip_answers_the_configured_address() {
    let emu = hangar_emulator::Emulator::start(EmulatorConfig {
        my_ip: "198.51.100.9".parse().unwrap(),
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let get = || async {
        let r = reqwest::get(emu.my_ip_url()).await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        r.text().await.unwrap()
    };
    assert_eq!(get().await, "198.51.100.9");
    emu.set_my_ip("2001:db8::7".parse().unwrap());
    assert_eq!(get().await, "2001:db8::7");
    let default = start(Seed::builtin()).await;
    let text = reqwest::get(default.my_ip_url())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text, EmulatorConfig::DEFAULT_MY_IP.to_string());
}
