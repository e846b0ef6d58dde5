//! Linode: the spec's own examples parse into our types; pagination, the `X-Filter` header, the
//! busy retry, the single create and the domain-id cache against a stub.
//!
//! The Linode spec carries no whole response examples, only an `example` per property, so the
//! examples here are assembled from the response schemas, property by property.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use super::wire;
use super::*;
use crate::provider::{DnsRecordType, MachineStatus};
use crate::providers::http::RetryPolicy;

const SPEC: &str = "linode-openapi.json";

fn spec() -> &'static Value {
    static SPEC_JSON: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    SPEC_JSON.get_or_init(|| {
        let dir = std::env::var("HANGAR_PROVIDER_SPECS")
            .unwrap_or_else(|_| format!("{}/../shared/provider-specs", env!("CARGO_MANIFEST_DIR")));
        let path = format!("{dir}/{SPEC}");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read the spec {path}: {e}"));
        serde_json::from_str(&text).expect("spec is JSON")
    })
}

fn resolve(mut v: &Value) -> &Value {
    while let Some(r) = v.get("$ref").and_then(Value::as_str) {
        v = spec()
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("unresolved {r}"));
    }
    v
}

/// An example value of `schema`: its own `example`, else one assembled from its properties
/// (through `allOf`) or its items.
fn example_of(schema: &Value) -> Option<Value> {
    let schema = resolve(schema);
    if let Some(e) = schema.get("example").filter(|e| !e.is_null()) {
        return Some(e.clone());
    }
    let mut object = serde_json::Map::new();
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(Value::Object(o)) = example_of(part) {
            object.extend(o);
        }
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            if let Some(e) = example_of(v) {
                object.insert(k.clone(), e);
            }
        }
    }
    if !object.is_empty() {
        return Some(Value::Object(object));
    }
    schema
        .get("items")
        .and_then(example_of)
        .map(|e| Value::Array(vec![e]))
}

/// The example of the 200 answer of `method path`.
fn response_example(path: &str, method: &str) -> Value {
    let op = &spec()["paths"][path][method];
    assert!(op.is_object(), "no {method} {path}");
    let schema = &resolve(&op["responses"]["200"])["content"]["application/json"]["schema"];
    example_of(schema).unwrap_or_else(|| panic!("{method} {path}: no example"))
}

fn data<T: DeserializeOwned>(page: &Value) -> Vec<T> {
    serde_json::from_value::<wire::Page<T>>(page.clone())
        .unwrap_or_else(|e| panic!("page does not parse: {e}\n{page}"))
        .data
}

#[test]
fn linode_examples_parse_into_machines() {
    let page = response_example("/linode/instances", "get");
    let machines: Vec<Machine> = data::<wire::LinodeWire>(&page)
        .into_iter()
        .map(Machine::from)
        .collect();
    assert_eq!(machines.len(), 1);
    let m = &machines[0];
    assert_eq!(m.id, "123");
    assert_eq!(m.name, "linode123");
    assert_eq!(m.status, MachineStatus::Active);
    assert_eq!(m.ipv4.as_deref(), Some("203.0.113.1"));
    assert_eq!(
        m.ipv6.as_deref(),
        Some("c001:d00d::1337"),
        "the /128 is dropped"
    );
    assert_eq!(m.tags, ["example tag", "another example"]);
    assert_eq!(
        (m.size.as_str(), m.region.as_str()),
        ("g6-standard-1", "us-east")
    );
    assert_eq!(m.image, "linode/debian10");
    assert_eq!(m.created_at, "2025-10-15T13:52:10.825Z");
    for (path, method) in [
        ("/linode/instances", "post"),
        ("/linode/instances/{linodeId}", "get"),
        ("/linode/instances/{linodeId}", "put"),
    ] {
        let l: wire::LinodeWire = serde_json::from_value(response_example(path, method))
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        assert_eq!(Machine::from(l).id, "123");
    }
}

#[test]
fn key_dns_catalog_and_profile_examples_parse() {
    let keys: Vec<SshKey> = data::<wire::SshKeyWire>(&response_example("/profile/sshkeys", "get"))
        .into_iter()
        .map(SshKey::from)
        .collect();
    assert_eq!(
        (keys[0].id.as_str(), keys[0].name.as_str()),
        ("42", "My SSH Key")
    );
    assert!(keys[0].public_key.starts_with("ssh-rsa"));

    let domains: Vec<wire::DomainWire> = data(&response_example("/domains", "get"));
    assert_eq!(
        (domains[0].id, domains[0].domain.as_str()),
        (1234, "example.org")
    );

    for (path, method) in [
        ("/domains/{domainId}/records", "post"),
        ("/domains/{domainId}/records/{recordId}", "get"),
        ("/domains/{domainId}/records/{recordId}", "put"),
    ] {
        let r: wire::RecordWire = serde_json::from_value(response_example(path, method))
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let r = wire::record_from_wire(r, "example.org");
        assert_eq!(r.id, "123456");
        assert_eq!(r.spec.record_type, DnsRecordType::A);
        assert_eq!(
            (r.spec.name.as_str(), r.spec.data.as_str()),
            ("test", "192.0.2.0")
        );
        assert_eq!(r.spec.ttl, Some(604800));
    }
    let records: Vec<wire::RecordWire> =
        data(&response_example("/domains/{domainId}/records", "get"));
    assert_eq!(records.len(), 1);

    let regions: Vec<Region> = data::<wire::RegionWire>(&response_example("/regions", "get"))
        .into_iter()
        .map(Region::from)
        .collect();
    assert_eq!(regions[0].slug, "us-east");
    assert_eq!(regions[0].name, "Newark, NJ, USA (US)");
    assert!(regions[0].available, "status ok, takes Linodes");

    let region_ids = vec!["us-east".to_string(), "eu-west".to_string()];
    let sizes: Vec<Size> = data::<wire::TypeWire>(&response_example("/linode/types", "get"))
        .into_iter()
        .map(|t| wire::size_from_wire(t, &region_ids))
        .collect();
    let s = &sizes[0];
    assert_eq!(s.slug, "g6-standard-2");
    assert_eq!((s.vcpus, s.memory_mb, s.disk_gb), (2, 4096, 80));
    assert_eq!(s.price_monthly, 20.0);
    assert_eq!(s.regions, region_ids, "every type in every region");

    let images: Vec<wire::ImageWire> = data(&response_example("/images", "get"));
    assert!(images[0].is_deployable_distribution());
    let image = Image::from(images.into_iter().next().unwrap());
    assert_eq!(
        (
            image.id.as_str(),
            image.name.as_str(),
            image.distribution.as_str()
        ),
        ("linode/debian11", "Debian 11", "Debian")
    );

    let profile: wire::ProfileWire =
        serde_json::from_value(response_example("/profile", "get")).unwrap();
    let a = AccountInfo::from(profile);
    assert_eq!(a.provider, ProviderKind::Linode);
    assert_eq!(a.email, "example-user@gmail.com");
    assert_eq!(a.name.as_deref(), Some("exampleUser"));
}

#[test]
fn the_error_example_reads_as_field_and_reason() {
    let errors = &spec()["components"]["responses"]["ErrorResponse"]["content"]["application/json"]
        ["schema"];
    let body = example_of(errors).unwrap();
    let message = crate::providers::http::errors::error_message(
        reqwest::StatusCode::BAD_REQUEST,
        body.to_string().as_bytes(),
    );
    assert_eq!(message, "fieldname: fieldname must be a valid value");
}

#[test]
fn labels_follow_the_description_not_the_broken_pattern() {
    for good in [
        "linode123",
        "web-1",
        "web_1.example",
        "1web",
        "a.b-c_d",
        "abc",
        &"a".repeat(64),
    ] {
        assert!(validate_label(good).is_ok(), "{good}");
    }
    for bad in [
        "ab",
        "",
        "-web",
        "web-",
        "web.",
        "_web",
        "we--b",
        "we__b",
        "we..b",
        "web 1",
        "wéb1",
        "web/1",
        &"a".repeat(65),
    ] {
        assert!(validate_label(bad).is_err(), "{bad}");
    }
    // The spec's own example, which its pattern rejects.
    assert!(validate_label("linode123").is_ok());
}

#[test]
fn tags_are_three_to_fifty_characters() {
    assert!(validate_tag("machine:created").is_ok());
    assert!(validate_tag(&format!("machine:session:{}", "a".repeat(34))).is_ok());
    assert!(validate_tag("ab").is_err());
    assert!(validate_tag(&"t".repeat(51)).is_err());
}

#[test]
fn statuses_map_to_neutral_ones() {
    for (wire_status, want) in [
        ("running", MachineStatus::Active),
        ("provisioning", MachineStatus::New),
        ("booting", MachineStatus::New),
        ("offline", MachineStatus::Off),
        ("stopped", MachineStatus::Off),
        (
            "shutting_down",
            MachineStatus::Unknown("shutting_down".into()),
        ),
        ("rebooting", MachineStatus::Unknown("rebooting".into())),
        ("deleting", MachineStatus::Unknown("deleting".into())),
        ("migrating", MachineStatus::Unknown("migrating".into())),
        (
            "something_new",
            MachineStatus::Unknown("something_new".into()),
        ),
    ] {
        assert_eq!(wire::status_from_wire(wire_status), want, "{wire_status}");
    }
}

#[test]
fn the_public_address_is_picked_from_the_mixed_list() {
    let list = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mixed = list(&["192.168.130.1", "10.0.0.5", "172.20.1.1", "203.0.113.9"]);
    assert_eq!(wire::public_ipv4(&mixed).as_deref(), Some("203.0.113.9"));
    assert_eq!(wire::private_ipv4(&mixed).as_deref(), Some("192.168.130.1"));
    // 172.15 and 172.32 are outside 172.16/12.
    assert_eq!(
        wire::public_ipv4(&list(&["172.16.0.1", "172.32.0.1"])).as_deref(),
        Some("172.32.0.1")
    );
    assert_eq!(
        wire::public_ipv4(&list(&["172.15.0.1"])).as_deref(),
        Some("172.15.0.1")
    );
    assert_eq!(wire::public_ipv4(&list(&["192.168.1.1", "10.1.1.1"])), None);
    assert_eq!(wire::public_ipv4(&[]), None);
    assert_eq!(wire::public_ipv4(&list(&["not an ip"])), None);
}

#[test]
fn timestamps_without_a_zone_are_utc() {
    assert_eq!(
        wire::rfc3339_utc("2018-01-01T00:01:01"),
        "2018-01-01T00:01:01Z"
    );
    assert_eq!(
        wire::rfc3339_utc("2025-10-15T13:52:10.825Z"),
        "2025-10-15T13:52:10.825Z"
    );
    assert_eq!(
        wire::rfc3339_utc("2025-10-15T13:52:10+02:00"),
        "2025-10-15T13:52:10+02:00"
    );
}

#[test]
fn root_passwords_are_long_mixed_and_fresh() {
    let a = root_password();
    let b = root_password();
    let a = a.expose_secret();
    assert_eq!(a.len(), 32);
    assert!(a.bytes().any(|c| c.is_ascii_uppercase()));
    assert!(a.bytes().any(|c| c.is_ascii_lowercase()));
    assert!(a.bytes().any(|c| c.is_ascii_digit()));
    assert!(
        a.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    );
    assert_ne!(a, b.expose_secret());
    let shown = format!("{:?}", wire::RootPass(SecretString::from(a.to_string())));
    assert!(!shown.contains(a), "Debug hides the password");
    let e = scrub(
        ProviderError::Validation {
            provider: KIND,
            message: format!("root_pass: {a} is weak"),
        },
        a,
    );
    assert!(!e.to_string().contains(a));
}

#[test]
fn busy_refusals_are_recognised() {
    let v = |m: &str| ProviderError::Validation {
        provider: KIND,
        message: m.into(),
    };
    assert!(is_busy(&v("Linode busy.")));
    assert!(is_busy(&v("label: x; Linode 123 is busy")));
    assert!(!is_busy(&v("label: Label must be unique")));
    assert!(!is_busy(&ProviderError::Provider {
        provider: KIND,
        status: 500,
        message: "busy".into()
    }));
}

#[test]
fn records_map_to_linode_fields_and_back() {
    let mut srv = DnsRecordSpec::new(DnsRecordType::SRV, "_sip._tcp", "sip.example.com");
    srv.priority = Some(10);
    srv.weight = Some(5);
    srv.port = Some(5060);
    let body = serde_json::to_value(wire::body_from_spec(&srv, true)).unwrap();
    assert_eq!(
        body,
        json!({"type": "SRV", "target": "sip.example.com", "priority": 10, "weight": 5,
               "port": 5060, "service": "sip", "protocol": "tcp"})
    );
    let back = wire::record_from_wire(
        serde_json::from_value(json!({"id": 7, "type": "SRV", "name": "_sip._tcp",
            "target": "sip.example.com", "priority": 10, "weight": 5, "port": 5060,
            "service": "_sip", "protocol": "_tcp", "ttl_sec": 0}))
        .unwrap(),
        "example.com",
    );
    assert_eq!(back.spec, srv);
    assert_eq!(back.id, "7");
    assert!(check_record(&DnsRecordSpec::new(DnsRecordType::SRV, "sip", "x")).is_err());

    let mut caa = DnsRecordSpec::new(DnsRecordType::CAA, "@", "letsencrypt.org");
    caa.flags = Some(0);
    caa.tag = Some("issue".into());
    let body = wire::body_from_spec(&caa, false);
    assert_eq!(
        (
            body.name.as_deref(),
            body.target.as_str(),
            body.tag.as_deref()
        ),
        (Some(""), "letsencrypt.org", Some("issue"))
    );
    assert!(body.kind.is_none(), "the update request has no type");
    caa.flags = Some(128);
    assert!(check_record(&caa).is_err(), "Linode cannot store flags");

    let mut mx = DnsRecordSpec::new(DnsRecordType::MX, "@", "mail.example.com").with_ttl(3600);
    mx.priority = Some(10);
    let body = serde_json::to_value(wire::body_from_spec(&mx, true)).unwrap();
    assert_eq!(
        body,
        json!({"type": "MX", "name": "", "target": "mail.example.com", "ttl_sec": 3600,
               "priority": 10})
    );

    assert_eq!(wire::name_from_wire("", "example.com"), "@");
    assert_eq!(wire::name_from_wire("Example.COM", "example.com"), "@");
    assert_eq!(
        wire::name_from_wire("www.example.com", "example.com"),
        "www"
    );
    assert_eq!(
        wire::name_from_wire("a.b.Example.com.", "example.com"),
        "a.b"
    );
    assert_eq!(wire::name_from_wire("www", "example.com"), "www");
    assert_eq!(
        wire::name_from_wire("notexample.com", "example.com"),
        "notexample.com"
    );
}

/// The `page` and `X-Filter` of each GET `/linode/instances`.
type PageLog = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A stub Linode API.
#[derive(Clone, Default)]
struct Stub {
    pages: PageLog,
    creates: Arc<AtomicUsize>,
    created_body: Arc<Mutex<Option<Value>>>,
    /// Answer creates with 500.
    fail_create: Arc<std::sync::atomic::AtomicBool>,
    /// ... after making the Linode all the same, which the label lookup then finds.
    made_anyway: Arc<Mutex<Option<Value>>>,
    ghost_creates: Arc<std::sync::atomic::AtomicBool>,
    boots: Arc<AtomicUsize>,
    domain_lists: Arc<AtomicUsize>,
    record_posts: Arc<AtomicUsize>,
}

fn linode_json(id: u64, tags: &[&str]) -> Value {
    json!({"id": id, "label": format!("m{id}"), "status": "running", "type": "g6-nanode-1",
           "region": "us-east", "image": "linode/debian12", "tags": tags,
           "ipv4": ["192.168.1.1", format!("203.0.113.{id}")], "ipv6": null,
           "created": "2026-01-01T00:00:00"})
}

async fn serve(stub: Stub) -> String {
    let (s1, s2, s3, s4, s5, s6) = (
        stub.clone(),
        stub.clone(),
        stub.clone(),
        stub.clone(),
        stub.clone(),
        stub.clone(),
    );
    let app = Router::new()
        .route(
            "/v4/linode/instances",
            axum::routing::get(
                move |Query(q): Query<HashMap<String, String>>, headers: HeaderMap| {
                    let stub = s1.clone();
                    async move {
                        assert_eq!(q["page_size"], "500");
                        let filter = headers
                            .get("x-filter")
                            .map(|v| v.to_str().unwrap().to_string());
                        let page: u64 = q["page"].parse().unwrap();
                        stub.pages
                            .lock()
                            .unwrap()
                            .push((page.to_string(), filter.clone()));
                        if let Some(f) = &filter
                            && f.contains("label")
                        {
                            // The lookup after a failed create.
                            let made: Vec<Value> =
                                stub.made_anyway.lock().unwrap().iter().cloned().collect();
                            return axum::Json(json!({"data": made, "page": 1, "pages": 1,
                                                     "results": made.len()}));
                        }
                        // Three pages of two; the second Linode of each is untagged, and a
                        // tag filter is (deliberately) ignored so the client's check shows.
                        let data: Vec<Value> = (0..2)
                            .map(|i| {
                                let id = page * 10 + i;
                                linode_json(id, if i == 0 { &["web", "x"] } else { &[] })
                            })
                            .collect();
                        axum::Json(json!({"data": data, "page": page, "pages": 3,
                                          "results": 6}))
                    }
                },
            )
            .post(move |axum::Json(body): axum::Json<Value>| {
                let stub = s2.clone();
                async move {
                    stub.creates.fetch_add(1, Ordering::SeqCst);
                    *stub.created_body.lock().unwrap() = Some(body);
                    if stub.fail_create.load(Ordering::SeqCst) {
                        if stub.ghost_creates.load(Ordering::SeqCst) {
                            let mut l = linode_json(78, &["web"]);
                            l["label"] = json!("web-1");
                            *stub.made_anyway.lock().unwrap() = Some(l);
                        }
                        (
                            StatusCode::INTERNAL_SERVER_ERROR,
                            axum::Json(json!({"errors": [{"reason": "Internal error"}]})),
                        )
                    } else {
                        let mut l = linode_json(77, &["web"]);
                        l["status"] = json!("provisioning");
                        l["label"] = json!("web-1");
                        (StatusCode::OK, axum::Json(l))
                    }
                }
            }),
        )
        .route(
            "/v4/linode/instances/{id}/boot",
            axum::routing::post(move || {
                let stub = s3.clone();
                async move {
                    if stub.boots.fetch_add(1, Ordering::SeqCst) < 2 {
                        (
                            StatusCode::BAD_REQUEST,
                            axum::Json(json!({"errors": [{"reason": "Linode busy."}]})),
                        )
                    } else {
                        (StatusCode::OK, axum::Json(json!({})))
                    }
                }
            }),
        )
        .route(
            "/v4/regions",
            axum::routing::get(|| async {
                axum::Json(json!({"data": [
                    {"id": "us-east", "label": "Newark, NJ", "country": "us", "status": "ok",
                     "capabilities": ["Linodes", "Cloud Firewall", "Metadata"]},
                    {"id": "ap-south", "label": "Singapore, SG", "country": "sg",
                     "status": "ok", "capabilities": ["Linodes"]}
                ], "page": 1, "pages": 1, "results": 2}))
            }),
        )
        .route(
            "/v4/linode/types",
            axum::routing::get(|Query(q): Query<HashMap<String, String>>| async move {
                assert!(q.is_empty(), "the types list declares no page parameters");
                axum::Json(json!({"data": [
                    {"id": "g6-nanode-1", "vcpus": 1, "memory": 1024, "disk": 25600,
                     "price": {"hourly": 0.0075, "monthly": 5.0}},
                    {"id": "g6-standard-2", "vcpus": 2, "memory": 4096, "disk": 81920,
                     "price": {"hourly": 0.036}}
                ], "page": 1, "pages": 1, "results": 2}))
            }),
        )
        .route(
            "/v4/profile/sshkeys",
            axum::routing::get(|| async {
                axum::Json(json!({"data": [
                    {"id": 1, "label": "laptop", "ssh_key": "ssh-ed25519 AAAA laptop"},
                    {"id": 2, "label": "desk", "ssh_key": "ssh-ed25519 BBBB desk"}
                ], "page": 1, "pages": 1, "results": 2}))
            }),
        )
        .route(
            "/v4/domains",
            axum::routing::get(move || {
                let stub = s4.clone();
                async move {
                    stub.domain_lists.fetch_add(1, Ordering::SeqCst);
                    axum::Json(json!({"data": [
                        {"id": 11, "domain": "example.com", "type": "master"},
                        {"id": 12, "domain": "example.org", "type": "master"}
                    ], "page": 1, "pages": 1, "results": 2}))
                }
            }),
        )
        .route(
            "/v4/domains/{id}/records",
            axum::routing::get(move |Path(id): Path<u64>| async move {
                assert!(id == 11 || id == 12, "domain id {id}");
                axum::Json(json!({"data": [
                    {"id": id * 100, "type": "A", "name": "www", "target": "192.0.2.1",
                     "ttl_sec": 300}
                ], "page": 1, "pages": 1, "results": 1}))
            })
            .post(
                move |Path(id): Path<u64>, axum::Json(body): axum::Json<Value>| {
                    let stub = s5.clone();
                    async move {
                        stub.record_posts.fetch_add(1, Ordering::SeqCst);
                        assert_eq!(id, 11);
                        let mut r = body;
                        r["id"] = json!(555);
                        axum::Json(r)
                    }
                },
            ),
        )
        .route(
            "/v4/domains/{id}/records/{record}",
            axum::routing::delete(move |Path((id, _)): Path<(u64, u64)>| {
                let _ = &s6;
                async move {
                    assert_eq!(id, 12);
                    axum::Json(json!({}))
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/v4")
}

fn fast_options() -> ClientOptions {
    ClientOptions {
        retry: RetryPolicy {
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            ..RetryPolicy::default()
        },
        destroy: DestroyPolicy {
            confirm_interval: Duration::from_millis(1),
            locked_delay: Duration::from_millis(2),
            ..DestroyPolicy::default()
        },
        ..ClientOptions::default()
    }
}

async fn client(stub: &Stub) -> Linode {
    LinodeConfig::new("token")
        .with_base_url(serve(stub.clone()).await)
        .with_options(fast_options())
        .build()
        .unwrap()
}

fn request() -> CreateMachine {
    CreateMachine {
        name: "web-1".into(),
        region: "us-east".into(),
        size: "g6-nanode-1".into(),
        image: "linode/debian12".into(),
        ssh_key_ids: vec!["2".into()],
        tags: vec!["web".into()],
        user_data: Some("#cloud-config\n".into()),
        ipv6: false,
    }
}

#[tokio::test]
async fn pages_are_walked_and_the_tag_goes_in_x_filter() {
    let stub = Stub::default();
    let client = client(&stub).await;
    let all = client.list_machines(&MachineFilter::all()).await.unwrap();
    assert_eq!(all.len(), 6);
    assert_eq!(all[0].ipv4.as_deref(), Some("203.0.113.10"));
    assert_eq!(all[0].private_ipv4.as_deref(), Some("192.168.1.1"));
    {
        let mut pages = stub.pages.lock().unwrap();
        assert_eq!(pages[0], ("1".to_string(), None), "page 1 first");
        let mut rest: Vec<String> = pages[1..].iter().map(|(p, _)| p.clone()).collect();
        rest.sort();
        assert_eq!(rest, ["2", "3"]);
        pages.clear();
    }
    let web = client
        .list_machines(&MachineFilter::tagged("web"))
        .await
        .unwrap();
    assert_eq!(
        web.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        ["10", "20", "30"],
        "checked locally too"
    );
    let pages = stub.pages.lock().unwrap();
    assert_eq!(pages.len(), 3);
    for (_, filter) in pages.iter() {
        let f: Value = serde_json::from_str(filter.as_deref().expect("X-Filter sent")).unwrap();
        assert_eq!(f, json!({"tags": "web"}));
    }
}

#[tokio::test]
async fn a_create_sends_keys_user_data_and_a_fresh_password() {
    let stub = Stub::default();
    let client = client(&stub).await;
    let m = client.create_machine(&request()).await.unwrap();
    assert_eq!((m.id.as_str(), &m.status), ("77", &MachineStatus::New));
    let body = stub.created_body.lock().unwrap().clone().unwrap();
    assert_eq!(body["type"], "g6-nanode-1");
    assert_eq!(body["region"], "us-east");
    assert_eq!(body["image"], "linode/debian12");
    assert_eq!(body["label"], "web-1");
    assert_eq!(body["tags"], json!(["web"]));
    assert_eq!(body["booted"], true);
    assert_eq!(body["authorized_keys"], json!(["ssh-ed25519 BBBB desk"]));
    assert_eq!(
        body["metadata"]["user_data"],
        base64::engine::general_purpose::STANDARD.encode("#cloud-config\n")
    );
    let pass = body["root_pass"].as_str().unwrap();
    assert_eq!(pass.len(), 32);

    let mut unknown_key = request();
    unknown_key.ssh_key_ids = vec!["9".into()];
    let e = client.create_machine(&unknown_key).await.unwrap_err();
    assert!(matches!(e, ProviderError::Validation { .. }), "{e}");
    assert_eq!(stub.creates.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_failed_create_is_sent_again_only_after_the_lookup_finds_nothing() {
    let stub = Stub::default();
    stub.fail_create.store(true, Ordering::SeqCst);
    let client = client(&stub).await;
    let e = client.create_machine(&request()).await.unwrap_err();
    assert!(
        matches!(e, ProviderError::Provider { status: 500, .. }),
        "{e}"
    );
    let creates = stub.creates.load(Ordering::SeqCst);
    let lookups = stub.pages.lock().unwrap().clone();
    // Never repeated by the HTTP layer: each POST is followed by one lookup by label.
    assert_eq!(creates, 1 + RetryPolicy::default().max_retries);
    assert_eq!(lookups.len(), creates);
    for (_, filter) in &lookups {
        assert_eq!(
            serde_json::from_str::<Value>(filter.as_deref().unwrap()).unwrap(),
            json!({"label": "web-1"})
        );
    }
    let pass = stub.created_body.lock().unwrap().clone().unwrap()["root_pass"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!e.to_string().contains(&pass));
    assert!(!format!("{e:?}").contains(&pass));
}

#[tokio::test]
async fn a_failed_create_that_made_the_linode_adopts_it() {
    let stub = Stub::default();
    stub.fail_create.store(true, Ordering::SeqCst);
    stub.ghost_creates.store(true, Ordering::SeqCst);
    let client = client(&stub).await;
    let m = client.create_machine(&request()).await.unwrap();
    assert_eq!(m.id, "78");
    assert_eq!(stub.creates.load(Ordering::SeqCst), 1, "no second POST");
}

#[tokio::test]
async fn invalid_labels_and_tags_are_refused_before_sending() {
    let stub = Stub::default();
    let client = client(&stub).await;
    let mut bad = request();
    bad.name = "ab".into();
    assert!(matches!(
        client.create_machine(&bad).await,
        Err(ProviderError::Validation { .. })
    ));
    let mut bad = request();
    bad.tags = vec!["x".repeat(51)];
    assert!(matches!(
        client.create_machine(&bad).await,
        Err(ProviderError::Validation { .. })
    ));
    let mut no_metadata = request();
    no_metadata.region = "ap-south".into();
    let e = client.create_machine(&no_metadata).await.unwrap_err();
    assert!(e.to_string().contains("Metadata"), "{e}");
    let mut snap = request();
    snap.image = ImageRef::Snapshot("1".into());
    assert!(matches!(
        client.create_machine(&snap).await,
        Err(ProviderError::Unsupported { .. })
    ));
    assert!(client.rename_machine("1", "a--b").await.is_err());
    assert_eq!(stub.creates.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_busy_linode_is_retried() {
    let stub = Stub::default();
    let client = client(&stub).await;
    client.power("77", PowerAction::PowerOn).await.unwrap();
    assert_eq!(
        stub.boots.load(Ordering::SeqCst),
        3,
        "two busy refusals, then 200"
    );
    assert!(client.projects().is_none());
    assert!(client.snapshots().is_none());
}

#[tokio::test]
async fn every_size_is_offered_in_every_region() {
    let stub = Stub::default();
    let client = client(&stub).await;
    let sizes = client.sizes().await.unwrap();
    assert_eq!(sizes.len(), 2);
    for s in sizes.iter() {
        assert_eq!(s.regions, ["us-east", "ap-south"]);
    }
    assert_eq!((sizes[0].disk_gb, sizes[0].price_monthly), (25, 5.0));
    assert_eq!(
        sizes[1].price_monthly, 26.28,
        "730 hours of the hourly price"
    );
    let regions = client.regions().await.unwrap();
    assert_eq!(regions[0].name, "Newark, NJ (US)");
}

#[tokio::test]
async fn domain_ids_are_cached_from_the_zone_list() {
    let stub = Stub::default();
    let client = client(&stub).await;
    let zones = client.list_zones().await.unwrap();
    assert_eq!(zones.len(), 2);
    assert_eq!(stub.domain_lists.load(Ordering::SeqCst), 1);
    let records = client.list_records("example.com").await.unwrap();
    assert_eq!(records[0].id, "1100");
    assert_eq!(records[0].spec.name, "www");
    let created = client
        .create_record(
            "example.com.",
            &DnsRecordSpec::new(DnsRecordType::A, "api", "192.0.2.7").with_ttl(300),
        )
        .await
        .unwrap();
    assert_eq!(created.id, "555");
    assert_eq!(created.spec.name, "api");
    client.delete_record("Example.org", "1200").await.unwrap();
    assert_eq!(
        stub.domain_lists.load(Ordering::SeqCst),
        1,
        "no domain list once the zones are known"
    );
    assert_eq!(stub.record_posts.load(Ordering::SeqCst), 1);

    // A fresh client learns the id with one list on the first miss.
    let fresh = client_at(&client).await;
    fresh.list_records("example.org").await.unwrap();
    fresh.list_records("example.org").await.unwrap();
    assert_eq!(stub.domain_lists.load(Ordering::SeqCst), 2);
    let missing = fresh.list_records("nope.example").await.unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
}

async fn client_at(other: &Linode) -> Linode {
    LinodeConfig::new("token")
        .with_base_url(other.http.base_url())
        .with_options(fast_options())
        .build()
        .unwrap()
}

#[test]
fn about_names_the_personal_access_token() {
    let about = <Linode as ProviderClient>::ABOUT;
    assert_eq!(about.display_name, "Linode");
    assert_eq!(about.config_section, "linode");
    assert!(about.access_help.contains("personal access token"));
    assert_eq!(ProviderKind::Linode.slug(), "linode");
    assert_eq!(
        ProviderKind::from_config_section("linode"),
        Some(ProviderKind::Linode)
    );
}

#[test]
fn filters_are_ascii_json() {
    let f = filter_header(&json!({"tags": "café ☕"}));
    assert!(f.is_ascii());
    assert_eq!(
        serde_json::from_str::<Value>(&f).unwrap(),
        json!({"tags": "café ☕"})
    );
}

/// A stub holding one Linode (id 5) and its firewalls, for resize, rebuild and firewall access.
#[derive(Clone, Default)]
struct World {
    state: Arc<Mutex<Value>>,
    calls: Arc<Mutex<Vec<String>>>,
}

impl World {
    fn new() -> Self {
        let w = World::default();
        *w.state.lock().unwrap() = json!({
            "linode": {"id": 5, "label": "web-1", "status": "running", "type": "g6-nanode-1",
                       "region": "us-east", "image": "linode/debian12", "tags": [],
                       "ipv4": ["203.0.113.5"], "specs": {"disk": 25600}},
            "firewalls": [],
            "busy": 1,
        });
        w
    }

    fn log(&self, call: String) {
        self.calls.lock().unwrap().push(call);
    }
}

fn page_of(items: Value) -> axum::Json<Value> {
    let n = items.as_array().map_or(0, Vec::len);
    axum::Json(json!({"data": items, "page": 1, "pages": 1, "results": n}))
}

async fn serve_world(world: World) -> String {
    use axum::routing::{get, post};
    let w = world.clone();
    let app = Router::new()
        .route(
            "/v4/linode/instances/5",
            get({
                let w = w.clone();
                move || async move { axum::Json(w.state.lock().unwrap()["linode"].clone()) }
            }),
        )
        .route(
            "/v4/linode/instances/5/disks",
            get(|| async { page_of(json!([{"id": 1, "size": 25088}, {"id": 2, "size": 512}])) }),
        )
        .route(
            "/v4/linode/instances/5/resize",
            post({
                let w = w.clone();
                move |axum::Json(body): axum::Json<Value>| async move {
                    w.log(format!("resize {body}"));
                    let mut s = w.state.lock().unwrap();
                    if s["busy"].as_u64() > Some(0) {
                        s["busy"] = json!(0);
                        return (
                            StatusCode::BAD_REQUEST,
                            axum::Json(json!({"errors": [{"reason": "Linode busy."}]})),
                        );
                    }
                    s["linode"]["type"] = body["type"].clone();
                    (StatusCode::OK, axum::Json(json!({})))
                }
            }),
        )
        .route(
            "/v4/linode/instances/5/rebuild",
            post({
                let w = w.clone();
                move |axum::Json(body): axum::Json<Value>| async move {
                    w.log(format!("rebuild {body}"));
                    let mut s = w.state.lock().unwrap();
                    s["linode"]["image"] = body["image"].clone();
                    axum::Json(s["linode"].clone())
                }
            }),
        )
        .route(
            "/v4/profile/sshkeys",
            get(|| async {
                page_of(json!([{"id": 1, "label": "laptop", "ssh_key": "ssh-ed25519 AAAA laptop"}]))
            }),
        )
        .route(
            "/v4/linode/instances/5/firewalls",
            get({
                let w = w.clone();
                move || async move {
                    let s = w.state.lock().unwrap();
                    let attached: Vec<Value> = s["firewalls"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|f| f["devices"].as_array().unwrap().contains(&json!(5)))
                        .cloned()
                        .collect();
                    page_of(Value::Array(attached))
                }
            }),
        )
        .route(
            "/v4/networking/firewalls",
            get({
                let w = w.clone();
                move || async move { page_of(w.state.lock().unwrap()["firewalls"].clone()) }
            })
            .post({
                let w = w.clone();
                move |axum::Json(body): axum::Json<Value>| async move {
                    w.log(format!("create firewall {body}"));
                    let fw = json!({"id": 9, "label": body["label"], "status": "enabled",
                                    "rules": body["rules"], "devices": body["devices"]["linodes"]});
                    w.state.lock().unwrap()["firewalls"] = json!([fw.clone()]);
                    axum::Json(fw)
                }
            }),
        )
        .route(
            "/v4/networking/firewalls/9",
            get({
                let w = w.clone();
                move || async move { axum::Json(w.state.lock().unwrap()["firewalls"][0].clone()) }
            })
            .delete({
                let w = w.clone();
                move || async move {
                    w.log("delete firewall 9".into());
                    w.state.lock().unwrap()["firewalls"] = json!([]);
                    axum::Json(json!({}))
                }
            }),
        )
        .route(
            "/v4/networking/firewalls/9/rules",
            get({
                let w = w.clone();
                move || async move {
                    axum::Json(w.state.lock().unwrap()["firewalls"][0]["rules"].clone())
                }
            })
            .put({
                let w = w.clone();
                move |axum::Json(body): axum::Json<Value>| async move {
                    w.log(format!("put rules {body}"));
                    w.state.lock().unwrap()["firewalls"][0]["rules"] = body.clone();
                    axum::Json(body)
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/v4")
}

async fn world_client(world: &World) -> Linode {
    let mut options = fast_options();
    options.actions.interval = Duration::from_millis(1);
    options.actions.timeout = Duration::from_secs(5);
    LinodeConfig::new("token")
        .with_base_url(serve_world(world.clone()).await)
        .with_options(options)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_resize_waits_for_the_new_type_and_a_rebuild_sends_keys_and_a_password() {
    let world = World::new();
    let client = world_client(&world).await;
    let resizer = client.resize().expect("Linode resizes");
    assert_eq!(
        resizer.disk_gb("5").await.unwrap(),
        25,
        "the disks added up"
    );
    resizer
        .resize_machine("5", "g6-standard-1", false)
        .await
        .unwrap();
    let calls = world.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2, "busy once, then accepted: {calls:?}");
    assert!(calls[1].contains(r#""allow_auto_disk_resize":false"#));
    assert!(calls[1].contains(r#""type":"g6-standard-1""#));

    let rebuilder = client.rebuild().expect("Linode rebuilds");
    rebuilder
        .rebuild_machine("5", &ImageRef::Image("linode/ubuntu24.04".into()))
        .await
        .unwrap();
    let call = world.calls.lock().unwrap().last().cloned().unwrap();
    let body: Value = serde_json::from_str(call.trim_start_matches("rebuild ")).unwrap();
    assert_eq!(body["image"], "linode/ubuntu24.04");
    assert_eq!(body["authorized_keys"], json!(["ssh-ed25519 AAAA laptop"]));
    assert_eq!(body["root_pass"].as_str().unwrap().len(), 32);
    assert!(matches!(
        rebuilder
            .rebuild_machine("5", &ImageRef::Snapshot("1".into()))
            .await,
        Err(ProviderError::Unsupported { .. })
    ));
}

#[tokio::test]
async fn a_grant_makes_a_firewall_and_its_revoke_removes_it() {
    let world = World::new();
    let client = world_client(&world).await;
    let fw = client.firewall().expect("Linode has firewalls");
    let request = crate::provider::SshGrantRequest {
        machine_id: "5".into(),
        source: "198.51.100.4".parse().unwrap(),
        expires_at: 1_780_000_000,
    };
    let grant = fw.allow_ssh(&request).await.unwrap();
    assert_eq!(grant.id, format!("9/{}", request.label()));
    assert_eq!(grant.source, "198.51.100.4/32");
    let created = world.calls.lock().unwrap()[0].clone();
    let body: Value = serde_json::from_str(created.trim_start_matches("create firewall ")).unwrap();
    assert_eq!(body["label"], "hangar-ssh-5");
    assert_eq!(body["devices"], json!({"linodes": [5]}));
    assert_eq!(body["rules"]["inbound_policy"], "DROP");

    // A second grant goes into the same firewall, now attached.
    let second = crate::provider::SshGrantRequest {
        expires_at: 1_780_000_500,
        ..request.clone()
    };
    fw.allow_ssh(&second).await.unwrap();
    assert_eq!(fw.list_ssh_grants().await.unwrap().len(), 2);

    fw.revoke_ssh(&grant.id).await.unwrap();
    let left = fw.list_ssh_grants().await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].expires_at, 1_780_000_500);
    fw.revoke_ssh(&left[0].id).await.unwrap();
    assert!(fw.list_ssh_grants().await.unwrap().is_empty());
    assert_eq!(
        world.calls.lock().unwrap().last().map(String::as_str),
        Some("delete firewall 9"),
        "Hangar's own firewall goes with its last grant"
    );
    assert!(fw.revoke_ssh("9/not-a-label").await.is_err());
}
