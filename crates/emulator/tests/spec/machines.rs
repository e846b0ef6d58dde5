//! Machines (Droplets, instances): lifecycle, lists, validation and errors.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use hangar_emulator::{EmulatedProvider, Seed};
use hangar_spec_check::{self as openapi};
use serde_json::{Value, json};

use crate::adapter::Adapter;
use crate::client::{
    Client, DO, OBSERVED_IP_DELAY, VULTR, in_documentation_range, start, start_with_delay,
    unspecified_get,
};

/// Create answers 202 with a pending machine without an IP; the IP appears after the delay;
/// power actions work and show; delete answers 204, then 404 with the spec's error body.
pub async fn lifecycle_and_ip_delay(a: Adapter) {
    let emu = start_with_delay(Seed::builtin(), OBSERVED_IP_DELAY).await;
    let c = Client::new(&emu, a.provider());
    let body = a.full_create_body(&c).await;
    let r = c.call("POST", a.machines(), Some(body)).await;
    assert_eq!(r.status, 202);
    let m = &r.json()[a.one()];
    assert_eq!(m["status"], a.pending_status());
    assert!(a.public_ip(m).is_none());
    match a.provider() {
        EmulatedProvider::DigitalOcean => assert_eq!(m["networks"]["v4"], json!([])),
        EmulatedProvider::Vultr => {
            assert_eq!(
                (m["main_ip"].as_str(), m["server_status"].as_str()),
                (Some("0.0.0.0"), Some("none"))
            );
            assert!(
                m["default_password"]
                    .as_str()
                    .is_some_and(|p| !p.is_empty())
            );
        }
        EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
    }
    let id = a.id(m);
    // DigitalOcean's create answer links the create action.
    let action_href = (a.provider() == DO).then(|| {
        r.json()["links"]["actions"][0]["href"]
            .as_str()
            .unwrap()
            .to_string()
    });

    let r = c.call("GET", &a.machine(&id), None).await;
    let m = &r.json()[a.one()];
    assert_eq!(m["status"], a.pending_status());
    assert!(a.public_ip(m).is_none());
    match a.provider() {
        EmulatedProvider::DigitalOcean => {
            let href = action_href.as_deref().unwrap();
            let create_action = c.get_absolute(href).await;
            assert_eq!(create_action.json()["action"]["status"], "in-progress");
        }
        EmulatedProvider::Vultr => {
            assert_eq!(m["main_ip"], "0.0.0.0");
            assert!(m.get("default_password").is_none());
        }
        EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
    }

    tokio::time::sleep(OBSERVED_IP_DELAY + Duration::from_millis(100)).await;
    let r = c.call("GET", &a.machine(&id), None).await;
    let m = &r.json()[a.one()];
    assert_eq!(m["status"], "active");
    let ip = a.public_ip(m).expect("a public IP after the delay");
    assert!(in_documentation_range(&ip), "{ip}");
    if let Some(href) = &action_href {
        assert_eq!(
            c.get_absolute(href).await.json()["action"]["status"],
            "completed"
        );
    }

    // Each documented power action, then off shows.
    for action in a.power_actions() {
        a.act(&c, &id, action).await;
    }
    let (off, field, value) = a.power_off();
    a.act(&c, &id, off).await;
    assert_eq!(
        c.call("GET", &a.machine(&id), None).await.json()[a.one()][field],
        value
    );
    match a.provider() {
        EmulatedProvider::DigitalOcean => {
            let r = c
                .raw(
                    "POST",
                    &format!("/v2/droplets/{id}/actions"),
                    Some(json!({ "type": "teleport" })),
                    Some(&emu.token(DO)),
                )
                .await;
            assert_eq!(r.status, 422);
            assert_eq!(c.call("GET", "/v2/actions/1", None).await.status, 404);
        }
        EmulatedProvider::Vultr => {
            let r = c
                .call(
                    "PATCH",
                    &format!("/instances/{id}"),
                    Some(json!({ "label": "web-2b", "tags": ["x"] })),
                )
                .await;
            assert_eq!(
                (r.status, r.json()["instance"]["label"].clone()),
                (202, json!("web-2b"))
            );
            let all: Vec<String> = c.call("GET", "/instances", None).await.json()["instances"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_string())
                .collect();
            for action in ["start", "halt", "reboot"] {
                let r = c
                    .call(
                        "POST",
                        &format!("/instances/{action}"),
                        Some(json!({ "instance_ids": all })),
                    )
                    .await;
                assert_eq!(r.status, 204, "bulk {action}");
            }
            let r = c
                .raw(
                    "POST",
                    "/instances/halt",
                    Some(json!({ "instance_ids": ["nope"] })),
                    Some(&emu.token(VULTR)),
                )
                .await;
            assert_eq!(r.status, 404);
        }
        EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
    }

    // Delete, then 404.
    let r = c.call("DELETE", &a.machine(&id), None).await;
    assert_eq!((r.status, r.body.is_none()), (204, true));
    a.assert_not_found(&c.call("GET", &a.machine(&id), None).await);
    assert_eq!(c.call("DELETE", &a.machine(&id), None).await.status, 404);
    if a.provider() == VULTR {
        assert_eq!(
            c.call("POST", &format!("/instances/{id}/start"), None)
                .await
                .status,
            404
        );
    }
    emu.shutdown().await;
}

/// The list filters: by name (DigitalOcean's case-insensitive), by tag, and ones nothing
/// matches; DigitalOcean's single page has no links.
pub async fn list_filters(a: Adapter) {
    let emu = start(Seed::default()).await;
    emu.add_machines(a.provider(), 23, &["bulk"]);
    emu.add_machines(a.provider(), 2, &["other"]);
    let c = Client::new(&emu, a.provider());
    let body = a.create_body("web-2", &["machine:created", "machine:session:ab12cd34"]);
    let r = c.call("POST", a.machines(), Some(body)).await;
    assert_eq!(r.status, 202);
    let id = a.id(&r.json()[a.one()]);

    let r = c.call("GET", &a.name_filter("web-2"), None).await;
    assert_eq!(r.json()["meta"]["total"], 1);
    assert_eq!(a.id(&r.json()[a.many()][0]), id);
    if a.provider() == DO {
        assert_eq!(r.json()["links"], json!({}));
    }
    let r = c
        .call("GET", &a.tag_filter("machine:session:ab12cd34"), None)
        .await;
    assert_eq!(r.json()["meta"]["total"], 1);
    assert_eq!(a.id(&r.json()[a.many()][0]), id);
    let r = c.call("GET", &a.tag_filter("bulk"), None).await;
    assert_eq!(r.json()["meta"]["total"], 23);
    let r = c.call("GET", a.empty_filter(), None).await;
    assert_eq!(r.json()["meta"]["total"], 0);

    if a.provider() == VULTR {
        let first =
            c.call("GET", "/instances?per_page=1", None).await.json()["instances"][0].clone();
        let by_label = c
            .call(
                "GET",
                &format!("/instances?label={}", first["label"].as_str().unwrap()),
                None,
            )
            .await;
        assert_eq!(by_label.json()["meta"]["total"], 1);
        let by_ip = c
            .call(
                "GET",
                &format!("/instances?main_ip={}", first["main_ip"].as_str().unwrap()),
                None,
            )
            .await;
        assert_eq!(by_ip.json()["instances"][0]["id"], first["id"]);
        // The 25 bulk machines and web-2 are all in ewr.
        assert_eq!(
            c.call("GET", "/instances?region=ewr", None).await.json()["meta"]["total"],
            26
        );
    }
    emu.shutdown().await;
}

/// Walking the pages as a client does sees every machine once; each provider's links or
/// cursors are as its spec says; a page larger than the cap, and malformed page requests.
pub async fn pagination_follows_the_spec(a: Adapter) {
    let emu = start(Seed::default()).await;
    emu.add_machines(a.provider(), 45, &["bulk"]);
    emu.add_machines(a.provider(), 3, &[]);
    let c = Client::new(&emu, a.provider());
    let first = format!("{}&per_page=10", a.tag_filter("bulk"));
    let base = emu.digitalocean_base_url();
    let link = |p: usize| format!("{base}/v2/droplets?page={p}&per_page=10&tag_name=bulk");

    let mut seen = BTreeSet::new();
    let mut next = Some(first.clone());
    let mut pages = 0;
    let mut first_page = Vec::new();
    while let Some(url) = next {
        let r = c.get(&url).await;
        pages += 1;
        let body = r.json();
        assert_eq!(body["meta"]["total"], 45);
        let items = body[a.many()].as_array().unwrap();
        if pages == 1 {
            first_page = items.clone();
        }
        for m in items {
            assert!(seen.insert(a.id(m)), "an id repeated across pages");
        }
        next = a.next_page(body, &first);
        match a.provider() {
            EmulatedProvider::DigitalOcean => {
                let expected = match pages {
                    1 => json!({ "next": link(2), "last": link(5) }),
                    5 => json!({ "first": link(1), "prev": link(4) }),
                    p => {
                        json!({ "first": link(1), "prev": link(p - 1), "next": link(p + 1), "last": link(5) })
                    }
                };
                assert_eq!(body["links"]["pages"], expected, "page {pages}");
            }
            EmulatedProvider::Vultr => {
                let links = &body["meta"]["links"];
                if pages == 1 {
                    assert_eq!(links["prev"], "");
                } else {
                    assert_ne!(links["prev"], "");
                }
                assert!(
                    !links["next"].as_str().unwrap().contains("http"),
                    "cursors are opaque strings, not URLs"
                );
            }
            EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
        }
        if next.is_none() {
            assert_eq!(items.len(), 5, "the last page");
        } else {
            assert_eq!(items.len(), 10);
        }
    }
    assert_eq!((pages, seen.len()), (5, 45));
    // Asking again gives the same first page.
    let again = c.get(&first).await;
    assert_eq!(again.json()[a.many()].as_array().unwrap(), &first_page);

    match a.provider() {
        EmulatedProvider::DigitalOcean => {
            // The `first` link leads back to the first page.
            let again = c.get_absolute(&link(1)).await;
            assert_eq!(again.json()["droplets"].as_array().unwrap(), &first_page);
            // A page asked for directly has the same links.
            let middle = c
                .call("GET", "/v2/droplets?tag_name=bulk&per_page=10&page=3", None)
                .await;
            assert_eq!(
                middle.json()["links"]["pages"],
                json!({ "first": link(1), "prev": link(2), "next": link(4), "last": link(5) })
            );
            // per_page is capped at 200, and one page has no links.
            let r = c.call("GET", "/v2/droplets?per_page=500", None).await;
            assert_eq!(r.json()["droplets"].as_array().unwrap().len(), 48);
            assert_eq!(r.json()["links"], json!({}));
        }
        EmulatedProvider::Vultr => {
            let r = c.call("GET", "/instances?per_page=1000", None).await;
            assert_eq!(r.json()["instances"].as_array().unwrap().len(), 48);
            assert_eq!(r.json()["meta"]["links"]["next"], "");
        }
        EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
    }
    // Malformed page requests are refused with the error body.
    let bad = a.pick("/v2/droplets?page=0", "/instances?cursor=garbage");
    let r = c
        .raw("GET", bad, None, Some(&emu.token(a.provider())))
        .await;
    assert_eq!(r.status, 400);
    a.assert_error(r.json(), 400, "bad_request");
    // Other lists paginate the same way.
    match a.provider() {
        EmulatedProvider::DigitalOcean => {
            let r = c.call("GET", "/v2/regions?per_page=2&page=2", None).await;
            assert_eq!(r.json()["regions"].as_array().unwrap().len(), 2);
            assert!(
                r.json()["links"]["pages"]["prev"]
                    .as_str()
                    .unwrap()
                    .ends_with("/v2/regions?page=1&per_page=2")
            );
        }
        EmulatedProvider::Vultr => {
            let r = c.call("GET", "/os?per_page=2", None).await;
            assert_eq!(r.json()["os"].as_array().unwrap().len(), 2);
            assert_ne!(r.json()["meta"]["links"]["next"], "");
        }
        EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
    }
    emu.shutdown().await;
}

/// 2,500 machines page through completely at the largest page size.
pub async fn large_fleets_page_through_completely(a: Adapter) {
    let emu = start(Seed::default()).await;
    emu.add_machines(a.provider(), 2_500, &["fleet"]);
    let c = Client::new(&emu, a.provider());
    let first = format!("{}&per_page={}", a.tag_filter("fleet"), a.max_per_page());
    let (items, pages) = a.list_all(&c, &first, a.many()).await;
    let ids: BTreeSet<String> = items.iter().map(|m| a.id(m)).collect();
    assert_eq!(ids.len(), 2_500);
    assert_eq!(items.len(), 2_500);
    assert_eq!(pages, 2_500usize.div_ceil(a.max_per_page()));
    emu.shutdown().await;
}

/// Invalid create bodies are refused (422, Vultr 400) with the error body; malformed JSON
/// with 400; a tag with `:` is valid.
pub async fn create_validates_its_input(a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, a.provider());
    let token = emu.token(a.provider());
    for (body, what) in a.invalid_create_bodies() {
        let r = c
            .raw("POST", a.machines(), Some(body.clone()), Some(&token))
            .await;
        assert_eq!(r.status, a.invalid_status(), "{what}: {body}");
        a.assert_error(r.json(), a.invalid_status(), "unprocessable_entity");
    }
    let r = c
        .call(
            "POST",
            a.machines(),
            Some(a.create_body("ok-name", &["machine:type:web"])),
        )
        .await;
    assert_eq!(r.status, 202);

    let resp = reqwest::Client::new()
        .post(c.url(a.machines()))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    emu.shutdown().await;
}

/// No token or a wrong one: 401 with the provider's exact body.
pub async fn auth_failures_give_401(a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, a.provider());
    for t in [None, Some("wrong")] {
        for path in [a.machines(), a.account()] {
            let r = c.raw("GET", path, None, t).await;
            assert_eq!(r.status, 401);
            assert_eq!(r.json(), &a.unauthorized_body());
        }
    }
    emu.shutdown().await;
}

/// Unknown ids and paths answer 404, wrong methods 405, with the provider's error body.
pub async fn unknown_ids_paths_and_methods(a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, a.provider());
    let token = emu.token(a.provider());
    let r = c.call("GET", &a.machine(a.bogus_machine_id()), None).await;
    assert_eq!(r.status, 404);
    a.assert_error(r.json(), 404, "not_found");
    // An unknown path has no operation in the spec; it answers with the same 404 body.
    let (status, body) = unspecified_get(&c.url(a.unspecified_path()), &token).await;
    assert_eq!(status, 404);
    a.assert_error(&body, 404, "not_found");
    let r = reqwest::Client::new()
        .put(c.url(a.account()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 405);
    a.assert_error(&r.json::<Value>().await.unwrap(), 405, "method_not_allowed");
    emu.shutdown().await;
}

/// A machine body the emulator serves passes the check, and fails it once it breaks the
/// schema: the checker really looks at machines.
pub async fn broken_machine_bodies_fail_the_check(a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, a.provider());
    let r = c.call("GET", a.machines(), None).await;
    let path = a.full_path(&a.machine("1"));
    let check = |m: &Value| {
        openapi::check_response(
            a.provider(),
            "GET",
            &path,
            200,
            Some(&json!({ a.one(): m })),
        )
    };
    let mut m = r.json()[a.many()][0].clone();
    check(&m).unwrap();
    let breaks: Vec<(&str, Value)> = match a.provider() {
        EmulatedProvider::DigitalOcean => vec![
            ("/status", json!("running")),
            ("/networks/v4/0/type", json!("elastic")),
        ],
        EmulatedProvider::Vultr => vec![("/ram", json!("1 GB"))],
        EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
    };
    for (pointer, bad) in breaks {
        let good = m.pointer(pointer).expect(pointer).clone();
        *m.pointer_mut(pointer).unwrap() = bad;
        assert!(check(&m).is_err(), "{pointer}");
        *m.pointer_mut(pointer).unwrap() = good;
        check(&m).unwrap();
    }
    emu.shutdown().await;
}

/// With no IP delay, the create answer still shows a pending machine; the next GET an
/// active one with its IP.
pub async fn with_no_ip_delay_the_create_answer_is_still_pending(a: Adapter) {
    let emu = start_with_delay(Seed::builtin(), Duration::ZERO).await;
    let c = Client::new(&emu, a.provider());
    let body = match a.provider() {
        EmulatedProvider::DigitalOcean => {
            json!({ "name": "instant", "size": "s-1vcpu-1gb", "image": "debian-12-x64" })
        }
        EmulatedProvider::Vultr => json!({ "region": "ewr", "plan": "vc2-1c-1gb", "os_id": 2284 }),
        EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
    };
    let r = c.call("POST", a.machines(), Some(body)).await;
    let m = &r.json()[a.one()];
    assert_eq!(m["status"], a.pending_status());
    assert!(a.public_ip(m).is_none());
    if a.provider() == VULTR {
        assert_eq!(m["main_ip"], "0.0.0.0");
    }
    let id = a.id(m);
    let r = c.call("GET", &a.machine(&id), None).await;
    assert_eq!(r.json()[a.one()]["status"], "active");
    assert!(a.public_ip(&r.json()[a.one()]).is_some());
    emu.shutdown().await;
}

/// DigitalOcean: one create makes several Droplets; a DELETE by tag removes just those.
pub async fn multi_create_and_delete_by_tag(a: Adapter) {
    assert_eq!(a.provider(), DO, "DigitalOcean only");
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, DO);
    let body = json!({ "names": ["a-1", "a-2", "a-3"], "region": "nyc", "size": "s-1vcpu-1gb", "image": 129211873, "tags": ["batch"] });
    let r = c.call("POST", "/v2/droplets", Some(body)).await;
    assert_eq!(r.status, 202);
    let droplets = r.json()["droplets"].as_array().unwrap();
    assert_eq!(droplets.len(), 3);
    assert!(
        droplets
            .iter()
            .all(|d| d["region"]["slug"].as_str().unwrap().starts_with("nyc"))
    );
    assert_eq!(r.json()["links"]["actions"].as_array().unwrap().len(), 3);
    let r = c.call("GET", "/v2/droplets?tag_name=batch", None).await;
    assert_eq!(r.json()["meta"]["total"], 3);
    assert_eq!(
        c.call("DELETE", "/v2/droplets?tag_name=batch", None)
            .await
            .status,
        204
    );
    let r = c.call("GET", "/v2/droplets?tag_name=batch", None).await;
    assert_eq!(r.json()["meta"]["total"], 0);
    // The other Droplets survive.
    assert_eq!(
        c.call("GET", "/v2/droplets", None).await.json()["meta"]["total"],
        2
    );
    emu.shutdown().await;
}

/// A ghost delete answers as a delete does (204, Linode's 200 `{}`) but leaves the machine;
/// the next delete really deletes.
pub async fn ghost_deletes(a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, a.provider());
    let id = a.id(&c.call("GET", a.machines(), None).await.json()[a.many()][0]);
    emu.ghost_deletes(a.provider(), 1);
    a.assert_deleted(&c.call("DELETE", &a.machine(&id), None).await);
    assert_eq!(
        c.call("GET", &a.machine(&id), None).await.status,
        200,
        "a ghost delete leaves it"
    );
    a.assert_deleted(&c.call("DELETE", &a.machine(&id), None).await);
    assert_eq!(c.call("GET", &a.machine(&id), None).await.status, 404);
    emu.shutdown().await;
}

/// Vultr: a stuck delete answers 400 "Server is currently locked" and leaves the instance.
pub async fn stuck_locked_deletes(a: Adapter) {
    assert_eq!(a.provider(), VULTR, "Vultr only");
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, VULTR);
    let id = a.id(&c.call("GET", "/instances", None).await.json()["instances"][0]);
    emu.stuck_locked_deletes(2);
    for _ in 0..2 {
        let r = c.call("DELETE", &format!("/instances/{id}"), None).await;
        assert_eq!(r.status, 400);
        assert_eq!(
            r.json(),
            &json!({ "error": "Unable to destroy server: Server is currently locked", "status": 400 })
        );
    }
    assert_eq!(
        c.call("GET", &format!("/instances/{id}"), None)
            .await
            .status,
        200
    );
    assert_eq!(
        c.call("DELETE", &format!("/instances/{id}"), None)
            .await
            .status,
        204
    );
    assert_eq!(
        c.call("GET", &format!("/instances/{id}"), None)
            .await
            .status,
        404
    );
    emu.shutdown().await;
}

/// Dropping the emulator closes the provider's listener.
pub async fn dropping_the_emulator_stops_it(a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let addr = emu.local_addr(a.provider());
    drop(emu);
    let deadline = Instant::now() + Duration::from_secs(5);
    while tokio::net::TcpStream::connect(addr).await.is_ok() {
        assert!(Instant::now() < deadline, "the listener is still open");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
