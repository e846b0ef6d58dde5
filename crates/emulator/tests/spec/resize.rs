//! Resize and rebuild: DigitalOcean's Droplet actions `resize` and `rebuild`, Vultr's PATCH of
//! `plan` and `os_id`; every answer (the refusals too) checked against the spec.

use std::time::Duration;

use hangar_emulator::{EmulatedProvider, Seed};
use serde_json::{Value, json};

use crate::adapter::Adapter;
use crate::client::{Client, OBSERVED_IP_DELAY, start_with_delay};

/// A ready machine of the adapter's provider; returns its id.
async fn ready_machine(a: Adapter, c: &Client<'_>) -> String {
    let r = c
        .call("POST", a.machines(), Some(a.create_body("resize-me", &[])))
        .await;
    assert_eq!(r.status, 202);
    let id = a.id(&r.json()[a.one()]);
    tokio::time::sleep(OBSERVED_IP_DELAY + Duration::from_millis(100)).await;
    id
}

async fn machine(a: Adapter, c: &Client<'_>, id: &str) -> Value {
    c.call("GET", &a.machine(id), None).await.json()[a.one()].clone()
}

/// The plan (DigitalOcean `size_slug`, Vultr `plan`) and disk of a machine.
fn plan_and_disk(a: Adapter, m: &Value) -> (String, u64) {
    let plan = m[a.pick("size_slug", "plan")].as_str().unwrap().to_string();
    (plan, m["disk"].as_u64().unwrap())
}

/// Resizes change the plan, refuse what the provider refuses, and keep the address; rebuilds
/// change the image and keep the address.
pub async fn resize_and_rebuild(a: Adapter) {
    let emu = start_with_delay(Seed::builtin(), OBSERVED_IP_DELAY).await;
    let c = Client::new(&emu, a.provider());
    let id = ready_machine(a, &c).await;
    let ip = a.public_ip(&machine(a, &c, &id).await).expect("an IP");
    match a.provider() {
        EmulatedProvider::DigitalOcean => digitalocean(a, &c, &id).await,
        EmulatedProvider::Vultr => vultr(a, &c, &id).await,
        EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
    }
    let m = machine(a, &c, &id).await;
    assert_eq!(
        a.public_ip(&m).as_deref(),
        Some(ip.as_str()),
        "the IP stays"
    );
}

async fn do_action(c: &Client<'_>, id: &str, body: Value) -> crate::client::Reply {
    c.call("POST", &format!("/v2/droplets/{id}/actions"), Some(body))
        .await
}

async fn wait_for_action(c: &Client<'_>, action: &Value) {
    let a_id = action["action"]["id"].as_u64().unwrap();
    for _ in 0..40 {
        let a = c.call("GET", &format!("/v2/actions/{a_id}"), None).await;
        if a.json()["action"]["status"] == "completed" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("action {a_id} did not complete");
}

async fn digitalocean(a: Adapter, c: &Client<'_>, id: &str) {
    let resize = |size: &str, disk: bool| json!({ "type": "resize", "size": size, "disk": disk });
    // On: refused, as the real API refuses it.
    let r = do_action(c, id, resize("s-1vcpu-2gb", false)).await;
    assert_eq!(r.status, 422);
    assert!(
        a.error_message(r.json()).contains("power it off"),
        "{:?}",
        r.body
    );
    a.act(c, id, "power_off").await;

    // CPU and RAM only: the disk stays at 25 GB.
    let r = do_action(c, id, resize("s-2vcpu-4gb", false)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.json()["action"]["type"], "resize");
    assert_eq!(r.json()["action"]["status"], "in-progress");
    wait_for_action(c, r.json()).await;
    let m = machine(a, c, id).await;
    assert_eq!(plan_and_disk(a, &m), ("s-2vcpu-4gb".into(), 25));
    assert_eq!(m["vcpus"], 2);
    assert_eq!(m["status"], "off");

    // Back down works while the disk was kept; then grow the disk for good.
    let r = do_action(c, id, resize("s-1vcpu-1gb", false)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = do_action(c, id, resize("s-1vcpu-2gb", true)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    wait_for_action(c, r.json()).await;
    assert_eq!(
        plan_and_disk(a, &machine(a, c, id).await),
        ("s-1vcpu-2gb".into(), 50)
    );
    // A smaller disk, an unknown size, no size: refused.
    for (body, why) in [
        (resize("s-1vcpu-1gb", false), "smaller disk"),
        (resize("s-64vcpu-1tb", false), "invalid size"),
        (json!({ "type": "resize" }), "size is required"),
    ] {
        let r = do_action(c, id, body).await;
        assert_eq!(r.status, 422, "{why}");
        assert!(a.error_message(r.json()).contains(why), "{:?}", r.body);
    }

    // Rebuild from a slug, then from an image id; an unknown image is refused.
    let r = do_action(
        c,
        id,
        json!({ "type": "rebuild", "image": "debian-12-x64" }),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.json()["action"]["type"], "rebuild");
    wait_for_action(c, r.json()).await;
    assert_eq!(machine(a, c, id).await["image"]["slug"], "debian-12-x64");
    let r = do_action(c, id, json!({ "type": "rebuild", "image": 129_211_873 })).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(machine(a, c, id).await["image"]["slug"], "ubuntu-22-04-x64");
    let r = do_action(c, id, json!({ "type": "rebuild", "image": "beos-5" })).await;
    assert_eq!(r.status, 422);
    assert!(a.error_message(r.json()).contains("invalid image"));

    // From one of the account's snapshots: its id is the image.
    let r = do_action(c, id, json!({ "type": "snapshot", "name": "before" })).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    wait_for_action(c, r.json()).await;
    let snaps = c
        .call("GET", &format!("/v2/droplets/{id}/snapshots"), None)
        .await;
    let snapshot = snaps.json()["snapshots"][0]["id"].clone();
    let snapshot_id: u64 = match &snapshot {
        Value::String(s) => s.parse().unwrap(),
        other => other.as_u64().unwrap(),
    };
    let r = do_action(c, id, json!({ "type": "rebuild", "image": snapshot_id })).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    wait_for_action(c, r.json()).await;
    assert_eq!(machine(a, c, id).await["image"]["id"], snapshot_id);
}

async fn vultr(a: Adapter, c: &Client<'_>, id: &str) {
    let path = a.machine(id);
    // Running instances resize: 202, `resizing` until done, then the new plan and disk.
    let r = c
        .call("PATCH", &path, Some(json!({ "plan": "vc2-2c-4gb" })))
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    assert_eq!(r.json()["instance"]["status"], "resizing");
    assert_eq!(r.json()["instance"]["plan"], "vc2-2c-4gb");
    tokio::time::sleep(OBSERVED_IP_DELAY + Duration::from_millis(100)).await;
    let m = machine(a, c, id).await;
    assert_eq!(m["status"], "active");
    assert_eq!(plan_and_disk(a, &m), ("vc2-2c-4gb".into(), 80));
    // A plan with a smaller disk, or an unknown plan: 400 with Vultr's error body.
    for (plan, why) in [
        ("vc2-1c-2gb", "smaller disk"),
        ("vc2-96c-1tb", "Invalid plan"),
    ] {
        let r = c.call("PATCH", &path, Some(json!({ "plan": plan }))).await;
        assert_eq!(r.status, 400, "{plan}");
        assert!(a.error_message(r.json()).contains(why), "{:?}", r.body);
    }
    assert_eq!(machine(a, c, id).await["plan"], "vc2-2c-4gb");

    // Reinstall with another OS (`os_id` is a string in the spec).
    let r = c
        .call("PATCH", &path, Some(json!({ "os_id": "2136" })))
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    assert_eq!(r.json()["instance"]["server_status"], "installingbooting");
    assert_eq!(r.json()["instance"]["os_id"], 2136);
    tokio::time::sleep(OBSERVED_IP_DELAY + Duration::from_millis(100)).await;
    let m = machine(a, c, id).await;
    assert_eq!(m["server_status"], "ok");
    assert_eq!(m["os"], "Debian 12 x64 (bookworm)");
    let r = c
        .call("PATCH", &path, Some(json!({ "os_id": "999999" })))
        .await;
    assert_eq!(r.status, 400);
    assert!(a.error_message(r.json()).contains("Invalid os_id"));

    // Restore from a snapshot: refused while it is pending, then 202 and a reinstall.
    let r = c
        .call(
            "POST",
            "/snapshots",
            Some(json!({ "instance_id": id, "description": "before" })),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let snapshot = r.json()["snapshot"]["id"].as_str().unwrap().to_owned();
    let restore = format!("{path}/restore");
    let body = json!({ "snapshot_id": snapshot });
    let r = c.call("POST", &restore, Some(body.clone())).await;
    assert_eq!(r.status, 400, "a pending snapshot");
    tokio::time::sleep(OBSERVED_IP_DELAY + Duration::from_millis(100)).await;
    let r = c.call("POST", &restore, Some(body)).await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    assert_eq!(r.json()["status"]["restore_id"], snapshot.as_str());
    assert_eq!(
        machine(a, c, id).await["server_status"],
        "installingbooting"
    );
    let token = c.emu.token(a.provider());
    for (body, why) in [
        (
            json!({ "snapshot_id": "no-such-snapshot" }),
            "Invalid snapshot_id",
        ),
        (json!({}), "backup_id or a snapshot_id"),
    ] {
        // The empty body breaks the spec on purpose: only the answer is checked.
        let r = c.raw("POST", &restore, Some(body), Some(&token)).await;
        assert_eq!(r.status, 400);
        assert!(a.error_message(r.json()).contains(why), "{:?}", r.body);
    }
}
