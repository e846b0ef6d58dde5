//! Every route of the "Paths Hangar uses" tables answers 2xx at least once.

use hangar_emulator::{EmulatedProvider, Emulator, Seed};
use hangar_spec_check as openapi;
use serde_json::json;

use crate::adapter::Adapter;
use crate::client::{Client, KEY_B, start};

/// The "Paths Hangar uses" tables of the provider-specs README, as (method, spec template).
const DO_ROUTES: &[(&str, &str)] = &[
    ("GET", "/v2/droplets"),
    ("POST", "/v2/droplets"),
    ("DELETE", "/v2/droplets"),
    ("GET", "/v2/droplets/{droplet_id}"),
    ("DELETE", "/v2/droplets/{droplet_id}"),
    ("POST", "/v2/droplets/{droplet_id}/actions"),
    ("GET", "/v2/droplets/{droplet_id}/actions/{action_id}"),
    ("GET", "/v2/actions/{action_id}"),
    ("GET", "/v2/account/keys"),
    ("POST", "/v2/account/keys"),
    ("GET", "/v2/account/keys/{ssh_key_identifier}"),
    ("PUT", "/v2/account/keys/{ssh_key_identifier}"),
    ("DELETE", "/v2/account/keys/{ssh_key_identifier}"),
    ("GET", "/v2/domains"),
    ("POST", "/v2/domains"),
    ("GET", "/v2/domains/{domain_name}"),
    ("DELETE", "/v2/domains/{domain_name}"),
    ("GET", "/v2/domains/{domain_name}/records"),
    ("POST", "/v2/domains/{domain_name}/records"),
    (
        "GET",
        "/v2/domains/{domain_name}/records/{domain_record_id}",
    ),
    (
        "PATCH",
        "/v2/domains/{domain_name}/records/{domain_record_id}",
    ),
    (
        "PUT",
        "/v2/domains/{domain_name}/records/{domain_record_id}",
    ),
    (
        "DELETE",
        "/v2/domains/{domain_name}/records/{domain_record_id}",
    ),
    ("GET", "/v2/projects"),
    ("GET", "/v2/projects/default"),
    ("POST", "/v2/projects/{project_id}/resources"),
    ("POST", "/v2/projects/default/resources"),
    ("GET", "/v2/regions"),
    ("GET", "/v2/sizes"),
    ("GET", "/v2/images"),
    ("GET", "/v2/tags"),
    ("POST", "/v2/tags"),
    ("GET", "/v2/tags/{tag_id}"),
    ("DELETE", "/v2/tags/{tag_id}"),
    ("POST", "/v2/tags/{tag_id}/resources"),
    ("DELETE", "/v2/tags/{tag_id}/resources"),
    ("GET", "/v2/account"),
];

const VULTR_ROUTES: &[(&str, &str)] = &[
    ("GET", "/instances"),
    ("POST", "/instances"),
    ("GET", "/instances/{instance-id}"),
    ("PATCH", "/instances/{instance-id}"),
    ("DELETE", "/instances/{instance-id}"),
    ("POST", "/instances/{instance-id}/start"),
    ("POST", "/instances/{instance-id}/halt"),
    ("POST", "/instances/{instance-id}/reboot"),
    ("POST", "/instances/start"),
    ("POST", "/instances/halt"),
    ("POST", "/instances/reboot"),
    ("GET", "/ssh-keys"),
    ("POST", "/ssh-keys"),
    ("GET", "/ssh-keys/{ssh-key-id}"),
    ("PATCH", "/ssh-keys/{ssh-key-id}"),
    ("DELETE", "/ssh-keys/{ssh-key-id}"),
    ("GET", "/domains"),
    ("POST", "/domains"),
    ("GET", "/domains/{dns-domain}"),
    ("PUT", "/domains/{dns-domain}"),
    ("DELETE", "/domains/{dns-domain}"),
    ("GET", "/domains/{dns-domain}/records"),
    ("POST", "/domains/{dns-domain}/records"),
    ("GET", "/domains/{dns-domain}/records/{record-id}"),
    ("PATCH", "/domains/{dns-domain}/records/{record-id}"),
    ("DELETE", "/domains/{dns-domain}/records/{record-id}"),
    ("GET", "/regions"),
    ("GET", "/regions/{region-id}/availability"),
    ("GET", "/plans"),
    ("GET", "/os"),
    ("GET", "/account"),
];

/// The spec templates that answered 2xx, from the emulator's request log.
fn successful_templates(
    emu: &Emulator,
    provider: EmulatedProvider,
) -> std::collections::BTreeSet<(String, String)> {
    let spec = openapi::spec(provider);
    emu.requests()
        .into_iter()
        .filter(|r| r.provider == provider && (200..300).contains(&r.status))
        .filter_map(|r| {
            spec.operation(&r.method, &r.path)
                .map(|op| (r.method.clone(), op.template.to_string()))
        })
        .collect()
}

/// Calls every route of the provider's table, in an order where every call succeeds, and
/// checks from the request log that each answered 2xx.
pub async fn every_route_answers_successfully(a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, a.provider());
    let expected = match a.provider() {
        EmulatedProvider::DigitalOcean => {
            exercise_digitalocean(&c).await;
            DO_ROUTES
        }
        EmulatedProvider::Vultr => {
            exercise_vultr(&c).await;
            VULTR_ROUTES
        }
        EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
    };
    let provider = a.provider();
    let hit = successful_templates(&emu, provider);
    let missing: Vec<_> = expected
        .iter()
        .filter(|(m, t)| !hit.contains(&(m.to_string(), t.to_string())))
        .collect();
    assert!(
        missing.is_empty(),
        "{provider:?} routes without a 2xx answer: {missing:?}"
    );
    emu.shutdown().await;
}

async fn exercise_digitalocean(d: &Client<'_>) {
    for p in [
        "/v2/account",
        "/v2/regions",
        "/v2/sizes",
        "/v2/images?type=distribution",
        "/v2/projects",
        "/v2/projects/default",
        "/v2/tags",
    ] {
        d.call("GET", p, None).await;
    }
    let body = json!({ "name": "cover", "region": "ams3", "size": "s-1vcpu-1gb", "image": "debian-12-x64", "tags": ["cover"] });
    let id = d.call("POST", "/v2/droplets", Some(body)).await.json()["droplet"]["id"]
        .as_u64()
        .unwrap();
    d.call("GET", "/v2/droplets", None).await;
    d.call("GET", &format!("/v2/droplets/{id}"), None).await;
    let action = d
        .call(
            "POST",
            &format!("/v2/droplets/{id}/actions"),
            Some(json!({ "type": "reboot" })),
        )
        .await
        .json()["action"]["id"]
        .as_u64()
        .unwrap();
    d.call("GET", &format!("/v2/actions/{action}"), None).await;
    d.call("GET", &format!("/v2/droplets/{id}/actions/{action}"), None)
        .await;
    let key = d
        .call(
            "POST",
            "/v2/account/keys",
            Some(json!({ "name": "c", "public_key": KEY_B })),
        )
        .await
        .json()["ssh_key"]["id"]
        .as_u64()
        .unwrap();
    d.call("GET", "/v2/account/keys", None).await;
    d.call("GET", &format!("/v2/account/keys/{key}"), None)
        .await;
    d.call(
        "PUT",
        &format!("/v2/account/keys/{key}"),
        Some(json!({ "name": "c2" })),
    )
    .await;
    d.call("DELETE", &format!("/v2/account/keys/{key}"), None)
        .await;
    d.call(
        "POST",
        "/v2/domains",
        Some(json!({ "name": "cover.example" })),
    )
    .await;
    d.call("GET", "/v2/domains", None).await;
    d.call("GET", "/v2/domains/cover.example", None).await;
    let rec = d
        .call(
            "POST",
            "/v2/domains/cover.example/records",
            Some(json!({ "type": "A", "name": "@", "data": "192.0.2.1" })),
        )
        .await
        .json()["domain_record"]["id"]
        .as_u64()
        .unwrap();
    d.call("GET", "/v2/domains/cover.example/records", None)
        .await;
    let rp = format!("/v2/domains/cover.example/records/{rec}");
    d.call("GET", &rp, None).await;
    d.call("PATCH", &rp, Some(json!({ "type": "A", "ttl": 60 })))
        .await;
    d.call(
        "PUT",
        &rp,
        Some(json!({ "type": "A", "data": "192.0.2.2" })),
    )
    .await;
    d.call("DELETE", &rp, None).await;
    let project = d.call("GET", "/v2/projects/default", None).await.json()["project"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    d.call(
        "POST",
        &format!("/v2/projects/{project}/resources"),
        Some(json!({ "resources": ["do:domain:cover.example"] })),
    )
    .await;
    d.call(
        "POST",
        "/v2/projects/default/resources",
        Some(json!({ "resources": [format!("do:droplet:{id}")] })),
    )
    .await;
    d.call("DELETE", "/v2/domains/cover.example", None).await;
    d.call("POST", "/v2/tags", Some(json!({ "name": "extra" })))
        .await;
    d.call("GET", "/v2/tags/extra", None).await;
    let res =
        json!({ "resources": [{ "resource_id": id.to_string(), "resource_type": "droplet" }] });
    d.call("POST", "/v2/tags/extra/resources", Some(res.clone()))
        .await;
    d.call("DELETE", "/v2/tags/extra/resources", Some(res))
        .await;
    d.call("DELETE", "/v2/tags/extra", None).await;
    d.call("DELETE", &format!("/v2/droplets/{id}"), None).await;
    d.call("DELETE", "/v2/droplets?tag_name=machine:created", None)
        .await;
}

async fn exercise_vultr(v: &Client<'_>) {
    for p in [
        "/account",
        "/regions",
        "/regions/ewr/availability",
        "/plans",
        "/os",
    ] {
        v.call("GET", p, None).await;
    }
    let body = json!({ "region": "ams", "plan": "vc2-1c-1gb", "os_id": 2136, "label": "cover" });
    let id = v.call("POST", "/instances", Some(body)).await.json()["instance"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    v.call("GET", "/instances", None).await;
    v.call("GET", &format!("/instances/{id}"), None).await;
    v.call(
        "PATCH",
        &format!("/instances/{id}"),
        Some(json!({ "label": "cover2" })),
    )
    .await;
    for a in ["start", "halt", "reboot"] {
        v.call("POST", &format!("/instances/{id}/{a}"), None).await;
        v.call(
            "POST",
            &format!("/instances/{a}"),
            Some(json!({ "instance_ids": [id] })),
        )
        .await;
    }
    v.call("DELETE", &format!("/instances/{id}"), None).await;
    let key = v
        .call(
            "POST",
            "/ssh-keys",
            Some(json!({ "name": "c", "ssh_key": KEY_B })),
        )
        .await
        .json()["ssh_key"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    v.call("GET", "/ssh-keys", None).await;
    v.call("GET", &format!("/ssh-keys/{key}"), None).await;
    v.call(
        "PATCH",
        &format!("/ssh-keys/{key}"),
        Some(json!({ "name": "c2" })),
    )
    .await;
    v.call("DELETE", &format!("/ssh-keys/{key}"), None).await;
    v.call(
        "POST",
        "/domains",
        Some(json!({ "domain": "cover.example" })),
    )
    .await;
    v.call("GET", "/domains", None).await;
    v.call("GET", "/domains/cover.example", None).await;
    v.call(
        "PUT",
        "/domains/cover.example",
        Some(json!({ "dns_sec": "disabled" })),
    )
    .await;
    let rec = v
        .call(
            "POST",
            "/domains/cover.example/records",
            Some(json!({ "name": "", "type": "A", "data": "198.51.100.1" })),
        )
        .await
        .json()["record"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    v.call("GET", "/domains/cover.example/records", None).await;
    let rp = format!("/domains/cover.example/records/{rec}");
    v.call("GET", &rp, None).await;
    v.call("PATCH", &rp, Some(json!({ "ttl": 60 }))).await;
    v.call("DELETE", &rp, None).await;
    v.call("DELETE", "/domains/cover.example", None).await;
}
