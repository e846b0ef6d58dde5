//! DigitalOcean: the spec's own examples parse into our types; pagination against a local stub.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::Query;
use serde_json::{Value, json};

use super::wire;
use super::*;
use crate::provider::{DnsRecordType, MachineStatus};
use crate::providers::spec_examples::{response_examples, schema_property_examples};

const SPEC: &str = "digitalocean-openapi.json";

fn items<T: DeserializeOwned>(example: &Value, key: &str) -> Vec<T> {
    serde_json::from_value(example[key].clone())
        .unwrap_or_else(|e| panic!("`{key}` does not parse: {e}\n{example}"))
}

#[test]
fn droplet_examples_parse_into_machines() {
    let mut seen = 0;
    for (name, ex) in response_examples(SPEC, "/v2/droplets", "get", "200") {
        let droplets: Vec<wire::Droplet> = items(&ex, "droplets");
        for m in droplets.into_iter().map(Machine::from) {
            assert!(!m.id.is_empty() && !m.name.is_empty(), "{name}");
            assert!(!m.region.is_empty() && !m.size.is_empty(), "{name}");
            seen += 1;
        }
        assert!(ex["meta"]["total"].is_u64(), "{name}: meta.total");
    }
    assert!(seen >= 2, "examples hold droplets");

    let (_, single) = &response_examples(SPEC, "/v2/droplets/{droplet_id}", "get", "200")[0];
    let m: Machine = serde_json::from_value::<wire::DropletEnvelope>(single.clone())
        .unwrap()
        .droplet
        .into();
    assert_eq!(m.status, MachineStatus::Active);
    assert!(
        m.ipv4.is_some(),
        "an active example droplet has a public IPv4"
    );
    assert!(m.price_monthly.is_some());
}

#[test]
fn the_create_example_is_new_without_an_ip() {
    let examples = response_examples(SPEC, "/v2/droplets", "post", "202");
    let (_, single) = examples
        .iter()
        .find(|(_, v)| v.get("droplet").is_some())
        .expect("single create example");
    let m: Machine = serde_json::from_value::<wire::DropletEnvelope>(single.clone())
        .unwrap()
        .droplet
        .into();
    assert_eq!(m.status, MachineStatus::New);
    assert_eq!(m.ipv4, None, "empty networks.v4 means no IP yet");
    assert!(!m.is_ready());
}

#[test]
fn dns_examples_parse() {
    for (name, ex) in response_examples(SPEC, "/v2/domains/{domain_name}/records", "get", "200") {
        let records: Vec<wire::RecordWire> = items(&ex, "domain_records");
        assert!(!records.is_empty(), "{name}");
        for r in records.into_iter().map(DnsRecord::from) {
            assert!(!r.id.is_empty(), "{name}");
        }
    }
    for (_, ex) in response_examples(SPEC, "/v2/domains/{domain_name}/records", "post", "201") {
        let r: DnsRecord = serde_json::from_value::<wire::RecordEnvelope>(ex)
            .unwrap()
            .domain_record
            .into();
        assert!(!r.id.is_empty());
    }
    for (_, ex) in response_examples(SPEC, "/v2/domains", "get", "200") {
        let zones: Vec<wire::DomainWire> = items(&ex, "domains");
        assert!(!zones.is_empty());
    }
}

#[test]
fn record_fields_round_trip_to_the_wire() {
    let mut srv =
        DnsRecordSpec::new(DnsRecordType::SRV, "_sip._tcp", "sip.example.com").with_ttl(300);
    srv.priority = Some(10);
    srv.port = Some(5060);
    srv.weight = Some(5);
    let body = serde_json::to_value(wire::RecordWire::from(&srv)).unwrap();
    assert_eq!(
        body,
        json!({"type":"SRV","name":"_sip._tcp","data":"sip.example.com","priority":10,"port":5060,"ttl":300,"weight":5,"flags":null,"tag":null})
    );
    let mut caa = DnsRecordSpec::new(DnsRecordType::CAA, "@", "letsencrypt.org");
    caa.flags = Some(0);
    caa.tag = Some("issue".into());
    let back: DnsRecord = serde_json::from_value::<wire::RecordWire>(json!({
        "id": 9, "type": "CAA", "name": "@", "data": "letsencrypt.org", "priority": null,
        "port": null, "ttl": 1800, "weight": null, "flags": 0, "tag": "issue"
    }))
    .unwrap()
    .into();
    assert_eq!(back.id, "9");
    assert_eq!(
        back.spec,
        DnsRecordSpec {
            ttl: Some(1800),
            ..caa
        }
    );
}

#[test]
fn catalog_account_key_and_project_examples_parse() {
    for (_, ex) in response_examples(SPEC, "/v2/regions", "get", "200") {
        let r: Vec<wire::RegionWire> = items(&ex, "regions");
        assert!(r.iter().all(|r| !r.slug.is_empty()));
    }
    for (_, ex) in response_examples(SPEC, "/v2/sizes", "get", "200") {
        let s: Vec<Size> = items::<wire::SizeWire>(&ex, "sizes")
            .into_iter()
            .map(Size::from)
            .collect();
        assert!(
            s.iter()
                .all(|s| s.vcpus > 0 && s.memory_mb > 0 && s.price_monthly > 0.0)
        );
    }
    let mut distribution_images = 0;
    for (_, ex) in response_examples(SPEC, "/v2/images", "get", "200") {
        let i: Vec<Image> = items::<wire::ImageWire>(&ex, "images")
            .into_iter()
            .map(Image::from)
            .collect();
        assert!(i.iter().all(|i| !i.id.is_empty()));
        distribution_images += i.len();
    }
    assert!(distribution_images > 0);
    for (_, ex) in response_examples(SPEC, "/v2/account/keys", "get", "200") {
        let k: Vec<SshKey> = items::<wire::SshKeyWire>(&ex, "ssh_keys")
            .into_iter()
            .map(SshKey::from)
            .collect();
        assert!(
            k.iter()
                .all(|k| k.fingerprint.is_some() && !k.public_key.is_empty())
        );
    }
    for (_, ex) in response_examples(SPEC, "/v2/projects", "get", "200") {
        let p: Vec<wire::ProjectWire> = items(&ex, "projects");
        assert!(p.iter().any(|p| p.is_default));
    }
    for (_, ex) in response_examples(SPEC, "/v2/projects/{project_id}/resources", "post", "200") {
        let a: wire::AssignedResources = serde_json::from_value(ex).unwrap();
        assert!(a.resources.iter().any(|r| r.urn.starts_with("do:droplet:")));
    }
    // GET /v2/account has no whole example; its schema's properties each have one.
    let account = json!({ "account": schema_property_examples(SPEC, "account") });
    let a: AccountInfo = serde_json::from_value::<wire::AccountEnvelope>(account)
        .unwrap()
        .account
        .into();
    assert_eq!(a.email, "sammy@digitalocean.com");
    assert_eq!(a.status.as_deref(), Some("active"));
}

fn droplet_json(id: u64) -> Value {
    json!({
        "id": id, "name": format!("m{id}"), "status": "active", "created_at": "2026-01-01T00:00:00Z",
        "tags": ["bulk"], "networks": {"v4": [{"ip_address": "192.0.2.1", "netmask": "255.255.255.0",
        "gateway": "192.0.2.254", "type": "public"}], "v6": []},
        "region": {"slug": "nyc3"}, "size_slug": "s-1vcpu-1gb", "image": {"slug": "debian-12-x64"}
    })
}

#[tokio::test]
async fn pages_after_the_first_are_fetched_and_joined_in_order() {
    const TOTAL: u64 = 450;
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = Router::new().route(
        "/v2/droplets",
        axum::routing::get(move |Query(q): Query<std::collections::HashMap<String, String>>| {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                assert_eq!(q.get("tag_name").map(String::as_str), Some("bulk"));
                let page: u64 = q["page"].parse().unwrap();
                let per: u64 = q["per_page"].parse().unwrap();
                let start = (page - 1) * per;
                let ids: Vec<Value> = (start..(start + per).min(TOTAL)).map(|i| droplet_json(i + 1)).collect();
                let mut body = json!({"droplets": ids, "meta": {"total": TOTAL}, "links": {}});
                if page * per < TOTAL {
                    body["links"] = json!({"pages": {"next": format!("http://x/v2/droplets?page={}", page + 1)}});
                }
                axum::Json(body)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let client = DigitalOceanConfig::new("t")
        .with_base_url(format!("http://{addr}"))
        .build()
        .unwrap();
    let machines = client
        .list_machines(&MachineFilter::tagged("bulk"))
        .await
        .unwrap();
    assert_eq!(machines.len(), TOTAL as usize);
    let ids: Vec<String> = (1..=TOTAL).map(|i| i.to_string()).collect();
    assert_eq!(
        machines.iter().map(|m| m.id.clone()).collect::<Vec<_>>(),
        ids
    );
    assert_eq!(hits.load(Ordering::SeqCst), 3, "ceil(450 / 200) pages");
}

#[test]
fn capabilities_and_ids() {
    let client = DigitalOceanConfig::new("dop_v1_do_not_print")
        .with_base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    assert!(client.capabilities().projects);
    assert!(client.projects().is_some());
    assert!(DigitalOcean::droplet_path("12; drop").is_err());
    assert_eq!(
        record_path("example.com", Some("1/2")),
        "/v2/domains/example.com/records/1%2F2"
    );
    assert!(!format!("{client:?}").contains("dop_v1_do_not_print"));
}

#[tokio::test]
async fn a_project_assignment_is_checked_per_resource() {
    let answers = Arc::new(std::sync::Mutex::new(vec![
        json!({"resources": [{"urn": "do:droplet:7", "status": "ok"}]}),
        json!({"resources": [{"urn": "do:droplet:7", "status": "not_found"}]}),
        json!({"resources": [{"urn": "do:droplet:8", "status": "ok"}]}),
    ]));
    let bodies = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (a, b) = (answers.clone(), bodies.clone());
    let app = Router::new().route(
        "/v2/projects/{id}/resources",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let (a, b) = (a.clone(), b.clone());
            async move {
                b.lock().unwrap().push(body);
                axum::Json(a.lock().unwrap().remove(0))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = DigitalOceanConfig::new("t")
        .with_base_url(format!("http://{addr}"))
        .build()
        .unwrap();
    let projects = client.projects().unwrap();
    projects.assign_machine("p1", "7").await.unwrap();
    assert_eq!(
        bodies.lock().unwrap()[0],
        json!({"resources": ["do:droplet:7"]})
    );
    let err = projects.assign_machine("p1", "7").await.unwrap_err();
    assert!(err.to_string().contains("not_found"), "{err}");
    let err = projects.assign_machine("p1", "7").await.unwrap_err();
    assert!(
        err.to_string().contains("did not list do:droplet:7"),
        "{err}"
    );
    assert!(projects.assign_machine("p1", "x").await.is_err());
}
