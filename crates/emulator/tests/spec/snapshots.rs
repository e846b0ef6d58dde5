//! Snapshots: DigitalOcean's Droplet action `snapshot`, `/v2/snapshots` and
//! `/v2/droplets/{id}/snapshots`; Vultr's `/snapshots`; and a machine created from one. Every
//! answer (the refusals too) is checked against the spec.

use std::time::Duration;

use hangar_emulator::{EmulatedProvider, Seed};
use serde_json::{Value, json};

use crate::adapter::Adapter;
use crate::client::{Client, OBSERVED_IP_DELAY, start_with_delay};

async fn ready_machine(a: Adapter, c: &Client<'_>, name: &str) -> String {
    let r = c
        .call("POST", a.machines(), Some(a.create_body(name, &[])))
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let id = a.id(&r.json()[a.one()]);
    tokio::time::sleep(OBSERVED_IP_DELAY + Duration::from_millis(100)).await;
    id
}

/// Snapshot a machine, see it pending then available, list it, create a machine from it, and
/// delete it; unknown ids and bad bodies are refused.
pub async fn snapshot_and_create_from_it(a: Adapter) {
    let emu = start_with_delay(Seed::builtin(), OBSERVED_IP_DELAY).await;
    let c = Client::new(&emu, a.provider());
    let id = ready_machine(a, &c, "snap-src").await;
    match a.provider() {
        EmulatedProvider::DigitalOcean => digitalocean(&c, &id).await,
        EmulatedProvider::Vultr => vultr(&c, &id).await,
        EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
    }
}

async fn digitalocean(c: &Client<'_>, id: &str) {
    let r = c
        .call(
            "POST",
            &format!("/v2/droplets/{id}/actions"),
            Some(json!({ "type": "snapshot", "name": "snap-1" })),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.json()["action"]["type"], "snapshot");
    assert_eq!(r.json()["action"]["status"], "in-progress");
    let action = r.json()["action"]["id"].as_u64().unwrap();
    // While the action runs, the snapshot does not exist yet.
    let r = c
        .call("GET", "/v2/snapshots?resource_type=droplet", None)
        .await;
    assert_eq!(r.json()["snapshots"], json!([]));
    assert_eq!(r.json()["meta"]["total"], 0);
    tokio::time::sleep(OBSERVED_IP_DELAY + Duration::from_millis(100)).await;
    let r = c.call("GET", &format!("/v2/actions/{action}"), None).await;
    assert_eq!(r.json()["action"]["status"], "completed");

    // The Droplet's own list: integer ids, `type: snapshot`.
    let r = c
        .call("GET", &format!("/v2/droplets/{id}/snapshots"), None)
        .await;
    assert_eq!(r.status, 200);
    let mine = r.json()["snapshots"].as_array().unwrap().clone();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["name"], "snap-1");
    assert_eq!(mine[0]["type"], "snapshot");
    assert_eq!(mine[0]["regions"], json!(["nyc3"]));
    assert_eq!(mine[0]["min_disk_size"], 25);
    let snap = mine[0]["id"].as_u64().unwrap();
    // The account's list: string ids, the Droplet as resource; the Droplet lists it too.
    let r = c
        .call("GET", "/v2/snapshots?resource_type=droplet", None)
        .await;
    let all = r.json()["snapshots"].as_array().unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["id"], snap.to_string());
    assert_eq!(all[0]["resource_id"], id);
    assert_eq!(all[0]["resource_type"], "droplet");
    let r = c
        .call("GET", "/v2/snapshots?resource_type=volume", None)
        .await;
    assert_eq!(r.json()["snapshots"], json!([]));
    let d = c.call("GET", &format!("/v2/droplets/{id}"), None).await;
    assert_eq!(d.json()["droplet"]["snapshot_ids"], json!([snap]));
    let r = c.call("GET", &format!("/v2/snapshots/{snap}"), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["snapshot"]["name"], "snap-1");

    // Pagination: a second snapshot, one per page.
    let r = c
        .call(
            "POST",
            &format!("/v2/droplets/{id}/actions"),
            Some(json!({ "type": "snapshot", "name": "snap-2" })),
        )
        .await;
    assert_eq!(r.status, 201);
    tokio::time::sleep(OBSERVED_IP_DELAY + Duration::from_millis(100)).await;
    let r = c.call("GET", "/v2/snapshots?per_page=1&page=2", None).await;
    assert_eq!(r.json()["meta"]["total"], 2);
    assert_eq!(r.json()["snapshots"][0]["name"], "snap-2");
    assert!(
        r.json()["links"]["pages"]["prev"].is_string(),
        "{:?}",
        r.body
    );

    // A Droplet from the snapshot, by its numeric id, in its region; elsewhere refused.
    let from = |region: &str| json!({ "name": "from-snap", "region": region, "size": "s-1vcpu-1gb", "image": snap });
    let r = c.call("POST", "/v2/droplets", Some(from("sfo3"))).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert!(
        message(r.json()).contains("not available in region"),
        "{:?}",
        r.body
    );
    let r = c.call("POST", "/v2/droplets", Some(from("nyc3"))).await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let new_id = r.json()["droplet"]["id"].as_u64().unwrap();
    let d = c.call("GET", &format!("/v2/droplets/{new_id}"), None).await;
    assert_eq!(d.json()["droplet"]["image"]["id"], snap);
    assert_eq!(d.json()["droplet"]["image"]["type"], "snapshot");

    // Deleted: 204, then gone; a Droplet cannot be created from it any more.
    let r = c
        .call("DELETE", &format!("/v2/snapshots/{snap}"), None)
        .await;
    assert_eq!(r.status, 204);
    let r = c.call("GET", &format!("/v2/snapshots/{snap}"), None).await;
    assert_eq!(r.status, 404);
    let r = c
        .call("DELETE", &format!("/v2/snapshots/{snap}"), None)
        .await;
    assert_eq!(r.status, 404);
    let r = c.call("POST", "/v2/droplets", Some(from("nyc3"))).await;
    assert_eq!(r.status, 422);
    // Unknown Droplets.
    let r = c
        .call("GET", "/v2/droplets/999999999/snapshots", None)
        .await;
    assert_eq!(r.status, 404);
    let r = c
        .call(
            "POST",
            "/v2/droplets/999999999/actions",
            Some(json!({ "type": "snapshot", "name": "x" })),
        )
        .await;
    assert_eq!(r.status, 404);
}

async fn vultr(c: &Client<'_>, id: &str) {
    let r = c
        .call(
            "POST",
            "/snapshots",
            Some(json!({ "instance_id": id, "description": "snap-1" })),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let s = &r.json()["snapshot"];
    assert_eq!(s["status"], "pending");
    assert_eq!(s["size"], 0);
    assert_eq!(s["description"], "snap-1");
    let snap = s["id"].as_str().unwrap().to_string();
    // A pending snapshot cannot be deployed yet.
    let from =
        json!({ "region": "ewr", "plan": "vc2-1c-1gb", "snapshot_id": snap, "label": "from-snap" });
    let r = c.call("POST", "/instances", Some(from.clone())).await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert!(message(r.json()).contains("not complete"), "{:?}", r.body);
    tokio::time::sleep(OBSERVED_IP_DELAY + Duration::from_millis(100)).await;
    let r = c.call("GET", &format!("/snapshots/{snap}"), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["snapshot"]["status"], "complete");
    assert!(r.json()["snapshot"]["size"].as_u64().unwrap() > 0);
    assert_eq!(r.json()["snapshot"]["os_id"], 2284);

    // Listing, with cursor pagination and the description filter.
    let r = c
        .call(
            "POST",
            "/snapshots",
            Some(json!({ "instance_id": id, "description": "snap-2" })),
        )
        .await;
    assert_eq!(r.status, 201);
    let r = c.call("GET", "/snapshots?per_page=1", None).await;
    assert_eq!(r.json()["meta"]["total"], 2);
    let next = r.json()["meta"]["links"]["next"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!next.is_empty());
    let r = c
        .call("GET", &format!("/snapshots?per_page=1&cursor={next}"), None)
        .await;
    assert_eq!(r.json()["snapshots"][0]["description"], "snap-2");
    let r = c.call("GET", "/snapshots?description=snap-1", None).await;
    assert_eq!(r.json()["snapshots"].as_array().unwrap().len(), 1);

    // An instance from the complete snapshot runs its OS; both sources at once are refused.
    let r = c.call("POST", "/instances", Some(from.clone())).await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    assert_eq!(r.json()["instance"]["os_id"], 2284);
    let mut both = from.clone();
    both["os_id"] = json!(2284);
    let r = c.call("POST", "/instances", Some(both)).await;
    assert_eq!(r.status, 400);

    // Refusals: no instance, an unknown instance.
    let r = c
        .call("POST", "/snapshots", Some(json!({ "instance_id": "" })))
        .await;
    assert_eq!(r.status, 400);
    let r = c
        .call(
            "POST",
            "/snapshots",
            Some(json!({ "instance_id": "no-such-instance" })),
        )
        .await;
    assert_eq!(r.status, 400);

    // Deleted: 204, then 404; deploying it is refused.
    let r = c.call("DELETE", &format!("/snapshots/{snap}"), None).await;
    assert_eq!(r.status, 204);
    let r = c.call("GET", &format!("/snapshots/{snap}"), None).await;
    assert_eq!(r.status, 404);
    let r = c.call("DELETE", &format!("/snapshots/{snap}"), None).await;
    assert_eq!(r.status, 404);
    let r = c.call("POST", "/instances", Some(from)).await;
    assert_eq!(r.status, 400);
}

/// DigitalOcean's `message`, Vultr's `error`.
fn message(body: &Value) -> &str {
    body["message"]
        .as_str()
        .or_else(|| body["error"].as_str())
        .unwrap_or_default()
}
