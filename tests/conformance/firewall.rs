//! Firewall access through the provider client and the use case: a grant whose expiry has
//! passed is removed by the sweep and a live one is not; a grant is refused twice; revoking
//! the live one leaves nothing of Hangar's behind, and the user's own firewall (a DigitalOcean
//! firewall, a Vultr group the machine already was in, a Linode Cloud Firewall on another
//! Linode) is left as it was. Every request the
//! client sent follows the provider's spec.

use std::time::Duration;

use hangar::error::ErrorKind;
use hangar::provider::{CloudProvider, parse_grant_label};
use hangar::usecases::firewall::{self, unix_now};
use hangar_emulator::{EmulatedProvider, Emulator, EmulatorConfig};
use serde_json::{Value, json};

use super::harness::unique;
use super::suite::{assert_requests_follow_the_spec, create_request, wait_ready};

/// The provider's API straight, for what the client does not do (the user's own firewalls).
struct Raw<'a> {
    emulator: &'a Emulator,
    kind: EmulatedProvider,
    http: reqwest::Client,
}

impl Raw<'_> {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.emulator.base_url(self.kind));
        let mut req = self
            .http
            .request(method.parse().unwrap(), &url)
            .bearer_auth(self.emulator.token(self.kind));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        assert!(r.status().is_success(), "{method} {path}: {}", r.status());
        r.json().await.unwrap_or(Value::Null)
    }
}

pub async fn firewall_allow_me_then_sweep(
    p: &dyn CloudProvider,
    emulator: &Emulator,
    kind: EmulatedProvider,
) {
    emulator.clear_requests();
    assert!(p.capabilities().firewall, "{kind:?}");
    let raw = Raw {
        emulator,
        kind,
        http: reqwest::Client::new(),
    };
    let tag = unique("hangar-fw");
    let mine = p
        .create_machine(&create_request(p, &unique("fw"), &tag).await)
        .await
        .expect("create");
    let other = p
        .create_machine(&create_request(p, &unique("fw-other"), &tag).await)
        .await
        .expect("create");
    wait_ready(p, &mine.id).await;
    wait_ready(p, &other.id).await;

    // The user's own firewall, which nothing of Hangar's may change.
    let users_group = match kind {
        EmulatedProvider::DigitalOcean => {
            let id: u64 = other.id.parse().unwrap();
            raw.call(
                "POST",
                "/v2/firewalls",
                Some(
                    json!({ "name": "web", "droplet_ids": [id], "inbound_rules": [
                    { "protocol": "tcp", "ports": "443", "sources": { "addresses": ["0.0.0.0/0"] } }
                ] }),
                ),
            )
            .await["firewall"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
        EmulatedProvider::Vultr => {
            let g = raw
                .call("POST", "/firewalls", Some(json!({ "description": "web" })))
                .await["firewall_group"]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            raw.call(
                "POST",
                &format!("/firewalls/{g}/rules"),
                Some(
                    json!({ "ip_type": "v4", "protocol": "tcp", "subnet": "0.0.0.0",
                    "subnet_size": 0, "port": "443", "source": "", "notes": "https" }),
                ),
            )
            .await;
            raw.call(
                "PATCH",
                &format!("/instances/{}", other.id),
                Some(json!({ "firewall_group_id": g })),
            )
            .await;
            g
        }
        EmulatedProvider::Linode => {
            let id: u64 = other.id.parse().unwrap();
            let made = raw
                .call(
                    "POST",
                    "/networking/firewalls",
                    Some(json!({
                        "label": "web",
                        "rules": {
                            "inbound_policy": "DROP",
                            "outbound_policy": "ACCEPT",
                            "inbound": [{
                                "action": "ACCEPT", "protocol": "TCP", "ports": "443",
                                "addresses": { "ipv4": ["0.0.0.0/0"] }, "label": "https"
                            }],
                        },
                        "devices": { "linodes": [id] },
                    })),
                )
                .await;
            made["id"].as_u64().expect("a firewall id").to_string()
        }
    };

    let my_ip = firewall::my_ip(&emulator.my_ip_url())
        .await
        .expect("the emulator says who I am");
    assert_eq!(my_ip, EmulatorConfig::DEFAULT_MY_IP);
    let hour = Duration::from_secs(3600);
    let now = unix_now();
    let expired = firewall::allow_me_at(p, &mine.id, hour, my_ip, now - 2 * 3600)
        .await
        .expect("a grant that expired an hour ago");
    assert!(expired.expired_at(now));
    let live = firewall::allow_me(p, &mine.id, hour, my_ip)
        .await
        .expect("a live grant");
    assert!(!live.expired_at(now));
    assert!(u64::from(live.expires_at) >= now + 3600);
    assert_eq!(
        parse_grant_label(&live.label),
        Some((mine.id.clone(), u64::from(live.expires_at)))
    );
    assert_eq!(live.source, format!("{my_ip}/32"));
    assert_eq!(live.port, 22);
    // On Vultr, the one on the other machine goes into the user's group.
    let beside = firewall::allow_me(p, &other.id, hour, my_ip)
        .await
        .expect("a grant beside the user's firewall");

    let again = firewall::allow_me(p, &mine.id, hour, my_ip).await;
    assert_eq!(
        again.as_ref().map_err(|e| e.kind),
        Err(ErrorKind::Duplicate),
        "{again:?}"
    );

    let listed = firewall::grants(p).await.expect("grants");
    let ids: Vec<&String> = listed.iter().map(|g| &g.id).collect();
    assert_eq!(ids.len(), 3, "{listed:?}");
    assert_eq!(ids[0], &expired.id, "soonest expiry first");
    assert!(
        ids.contains(&&live.id) && ids.contains(&&beside.id),
        "{ids:?}"
    );

    let report = firewall::sweep_expired(p, unix_now()).await.expect("sweep");
    assert_eq!(report.removed, vec![expired.clone()]);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let left: Vec<String> = firewall::grants(p)
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.id)
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(
        left.contains(&live.id) && left.contains(&beside.id),
        "{left:?}"
    );

    // Revoking is refused for what is not a grant, then empties the account of Hangar's.
    let e = firewall::revoke(p, &users_group).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e:?}");
    firewall::revoke(p, &live.id).await.expect("revoke");
    firewall::revoke(p, &beside.id).await.expect("revoke");
    assert!(firewall::grants(p).await.unwrap().is_empty());
    // A sweep with nothing expired removes nothing.
    assert_eq!(
        firewall::sweep_expired(p, unix_now())
            .await
            .unwrap()
            .removed,
        vec![]
    );

    match kind {
        EmulatedProvider::DigitalOcean => {
            let all = raw.call("GET", "/v2/firewalls", None).await;
            let names: Vec<&str> = all["firewalls"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["name"].as_str().unwrap())
                .collect();
            assert_eq!(names, vec!["web"], "only the user's firewall is left");
        }
        EmulatedProvider::Vultr => {
            let all = raw.call("GET", "/firewalls", None).await;
            let groups = all["firewall_groups"].as_array().unwrap();
            assert_eq!(groups.len(), 1, "Hangar's own group is gone: {groups:?}");
            assert_eq!(groups[0]["id"], users_group.as_str());
            assert_eq!(groups[0]["rule_count"], 1, "the user's rule stays");
            let i = |id: &str| format!("/instances/{id}");
            let m = raw.call("GET", &i(&mine.id), None).await;
            assert_eq!(m["instance"]["firewall_group_id"], "");
            let o = raw.call("GET", &i(&other.id), None).await;
            assert_eq!(o["instance"]["firewall_group_id"], users_group.as_str());
        }
        EmulatedProvider::Linode => {
            let all = raw.call("GET", "/networking/firewalls", None).await;
            let left = all["data"].as_array().unwrap();
            assert_eq!(left.len(), 1, "Hangar's own firewall is gone: {left:?}");
            assert_eq!(left[0]["id"].to_string(), users_group, "{left:?}");
            let inbound = left[0]["rules"]["inbound"].as_array().unwrap();
            assert_eq!(
                inbound.len(),
                1,
                "the user's rule stays, alone: {inbound:?}"
            );
            let on = |id: &str| format!("/linode/instances/{id}/firewalls");
            let m = raw.call("GET", &on(&mine.id), None).await;
            assert_eq!(m["data"].as_array().unwrap().len(), 0, "{m}");
            let o = raw.call("GET", &on(&other.id), None).await;
            assert_eq!(o["data"][0]["id"].to_string(), users_group, "{o}");
        }
    }

    p.destroy_machine(&mine.id).await.expect("destroy");
    p.destroy_machine(&other.id).await.expect("destroy");
    assert_requests_follow_the_spec(emulator, kind);
}
