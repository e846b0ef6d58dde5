//! Vultr: the spec's own examples parse into our types; cursors and locked deletes against a stub.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::wire;
use super::*;
use crate::provider::{DnsRecordType, MachineStatus};
use crate::providers::http::RetryPolicy;
use crate::providers::spec_examples::response_examples;

const SPEC: &str = "vultr-openapi.json";

fn items<T: DeserializeOwned>(example: &Value, key: &str) -> Vec<T> {
    serde_json::from_value(example[key].clone())
        .unwrap_or_else(|e| panic!("`{key}` does not parse: {e}\n{example}"))
}

#[test]
fn instance_examples_parse_into_machines() {
    for (_, ex) in response_examples(SPEC, "/instances", "get", "200") {
        let machines: Vec<Machine> = items::<wire::Instance>(&ex, "instances")
            .into_iter()
            .map(Machine::from)
            .collect();
        assert_eq!(machines.len(), 1);
        let m = &machines[0];
        assert_eq!(m.status, MachineStatus::Active);
        assert_eq!(m.ipv4.as_deref(), Some("192.0.2.123"));
        assert!(m.ipv6.is_some());
        assert_eq!(m.tags, ["a tag", "another"]);
        assert_eq!(m.image, "215");
        assert_eq!(m.name, "Example Instance");
        assert_eq!(ex["meta"]["links"]["next"], "WxYzExampleNext");
    }
    for (_, ex) in response_examples(SPEC, "/instances", "post", "202") {
        let m: Machine = serde_json::from_value::<wire::InstanceEnvelope>(ex)
            .unwrap()
            .instance
            .into();
        assert_eq!(m.status, MachineStatus::New);
        assert_eq!(m.ipv4, None, "main_ip 0.0.0.0 means no IP yet");
        assert_eq!(m.ipv6, None);
        assert_eq!(m.name, "my_hostname", "no label: the hostname names it");
    }
    for (_, ex) in response_examples(SPEC, "/instances/{instance-id}", "get", "200") {
        let m: Machine = serde_json::from_value::<wire::InstanceEnvelope>(ex)
            .unwrap()
            .instance
            .into();
        assert!(!m.id.is_empty());
    }
}

#[test]
fn dns_key_catalog_and_account_examples_parse() {
    for (_, ex) in response_examples(SPEC, "/domains/{dns-domain}/records", "get", "200") {
        let r: Vec<DnsRecord> = items::<wire::RecordWire>(&ex, "records")
            .into_iter()
            .map(|r| wire::record_from_wire(r, "example.com"))
            .collect();
        assert_eq!(r[0].spec.name, "foo", "FQDN names become relative");
        assert_eq!(r[0].spec.record_type, DnsRecordType::A);
    }
    for (_, ex) in response_examples(SPEC, "/domains/{dns-domain}/records", "post", "201") {
        let r = wire::record_from_wire(
            serde_json::from_value::<wire::RecordEnvelope>(ex)
                .unwrap()
                .record,
            "example.com",
        );
        assert_eq!(r.spec.name, "www");
        assert_eq!(r.spec.ttl, Some(300));
    }
    for (_, ex) in response_examples(SPEC, "/domains", "get", "200") {
        assert_eq!(
            items::<wire::DomainWire>(&ex, "domains")[0].domain,
            "example.com"
        );
    }
    for (_, ex) in response_examples(SPEC, "/ssh-keys", "get", "200") {
        let k: Vec<SshKey> = items::<wire::SshKeyWire>(&ex, "ssh_keys")
            .into_iter()
            .map(SshKey::from)
            .collect();
        assert!(k[0].public_key.starts_with("ssh-rsa"));
    }
    for (_, ex) in response_examples(SPEC, "/plans", "get", "200") {
        let s: Vec<Size> = items::<wire::PlanWire>(&ex, "plans")
            .into_iter()
            .map(Size::from)
            .collect();
        assert_eq!(
            (s[0].vcpus, s[0].memory_mb, s[0].price_monthly),
            (8, 32768, 192.0)
        );
        assert_eq!(s[0].regions, ["sea"]);
    }
    for (_, ex) in response_examples(SPEC, "/os", "get", "200") {
        let i: Vec<Image> = items::<wire::OsWire>(&ex, "os")
            .into_iter()
            .map(Image::from)
            .collect();
        assert_eq!(
            (i[0].id.as_str(), i[0].distribution.as_str()),
            ("127", "centos")
        );
    }
    for (_, ex) in response_examples(SPEC, "/regions", "get", "200") {
        let r: Vec<Region> = items::<wire::RegionWire>(&ex, "regions")
            .into_iter()
            .map(Region::from)
            .collect();
        assert_eq!(r[0].slug, "ams");
    }
    for (_, ex) in response_examples(SPEC, "/account", "get", "200") {
        let a: AccountInfo = serde_json::from_value::<wire::AccountEnvelope>(ex)
            .unwrap()
            .account
            .into();
        assert_eq!(a.email, "admin@example.com");
    }
}

#[test]
fn fractional_plan_prices_parse() {
    let p: wire::PlanWire = serde_json::from_value(json!({
        "id": "vc2-1c-0.5gb", "vcpu_count": 1, "ram": 512, "disk": 10, "monthly_cost": 2.5,
        "locations": []
    }))
    .unwrap();
    assert_eq!(Size::from(p).price_monthly, 2.5);
}

#[test]
fn srv_and_caa_fields_are_packed_into_data_and_back() {
    let mut srv = DnsRecordSpec::new(DnsRecordType::SRV, "_sip._tcp", "sip.example.com");
    srv.priority = Some(10);
    srv.weight = Some(5);
    srv.port = Some(5060);
    let body = serde_json::to_value(wire::body_from_spec(&srv, true)).unwrap();
    assert_eq!(
        body,
        json!({"type": "SRV", "name": "_sip._tcp", "data": "5 5060 sip.example.com", "priority": 10})
    );
    let back = wire::record_from_wire(
        wire::RecordWire {
            id: "r1".into(),
            kind: "SRV".into(),
            name: "_sip._tcp".into(),
            data: "5 5060 sip.example.com".into(),
            priority: Some(10),
            ttl: None,
        },
        "example.com",
    );
    assert_eq!(back.spec, srv);

    let mut caa = DnsRecordSpec::new(DnsRecordType::CAA, "@", "letsencrypt.org");
    caa.flags = Some(0);
    caa.tag = Some("issue".into());
    let body = wire::body_from_spec(&caa, false);
    assert_eq!(
        (body.name.as_str(), body.data.as_str()),
        ("", "0 issue \"letsencrypt.org\"")
    );
    assert!(body.kind.is_none(), "PATCH does not send the type");
    let back = wire::record_from_wire(
        wire::RecordWire {
            id: "r2".into(),
            kind: "CAA".into(),
            name: String::new(),
            data: body.data,
            priority: Some(0),
            ttl: None,
        },
        "example.com",
    );
    assert_eq!(back.spec, caa);
    assert_eq!(wire::name_from_wire("example.com", "example.com"), "@");
}

#[test]
fn locked_messages_are_recognised() {
    let locked = |status: u16, message: &str| {
        let e = if status >= 500 {
            ProviderError::Provider {
                provider: KIND,
                status,
                message: message.into(),
            }
        } else {
            ProviderError::Validation {
                provider: KIND,
                message: message.into(),
            }
        };
        is_locked(&e)
    };
    assert!(locked(
        400,
        "Unable to destroy server: Server is currently locked"
    ));
    assert!(locked(500, "Server is not currently active"));
    assert!(!locked(400, "Invalid instance"));
}

/// A stub Vultr: `/instances` paged by cursor, and a DELETE that is locked twice.
#[derive(Clone, Default)]
struct Stub {
    deletes: Arc<AtomicUsize>,
    gets: Arc<AtomicUsize>,
    cursors: Arc<Mutex<Vec<Option<String>>>>,
}

async fn serve(stub: Stub) -> String {
    let (s1, s2, s3) = (stub.clone(), stub.clone(), stub.clone());
    let app = Router::new()
        .route(
            "/v2/instances",
            axum::routing::get(
                move |Query(q): Query<std::collections::HashMap<String, String>>| {
                    let stub = s1.clone();
                    async move {
                        assert_eq!(q["per_page"], "500");
                        stub.cursors.lock().unwrap().push(q.get("cursor").cloned());
                        let (page, next) = match q.get("cursor").map(String::as_str) {
                            None => (0, "c1"),
                            Some("c1") => (1, "c2"),
                            Some("c2") => (2, ""),
                            Some(other) => panic!("unknown cursor {other}"),
                        };
                        let instances: Vec<Value> = (0..3)
                            .map(|i| {
                                json!({"id": format!("id-{page}-{i}"), "label": "m", "main_ip": "0.0.0.0",
                                       "status": "pending", "power_status": "running",
                                       "tags": if i == 0 { json!(["web", "x"]) } else { json!([]) },
                                       "date_created": "2026-01-01T00:00:00+00:00"})
                            })
                            .collect();
                        axum::Json(json!({"instances": instances,
                            "meta": {"total": 9, "links": {"next": next, "prev": ""}}}))
                    }
                },
            ),
        )
        .route(
            "/v2/instances/{id}",
            axum::routing::delete(move || {
                let stub = s2.clone();
                async move {
                    if stub.deletes.fetch_add(1, Ordering::SeqCst) < 2 {
                        (
                            StatusCode::BAD_REQUEST,
                            r#"{"error":"Unable to destroy server: Server is currently locked","status":400}"#,
                        )
                    } else {
                        (StatusCode::NO_CONTENT, "")
                    }
                }
            })
            .get(move || {
                let stub = s3.clone();
                async move {
                    stub.gets.fetch_add(1, Ordering::SeqCst);
                    (StatusCode::NOT_FOUND, r#"{"error":"Invalid instance-id.","status":404}"#)
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/v2")
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
            locked_delay: Duration::from_millis(5),
            ..DestroyPolicy::default()
        },
        ..ClientOptions::default()
    }
}

#[tokio::test]
async fn cursors_are_followed_and_tags_filtered_in_the_client() {
    let stub = Stub::default();
    let client = VultrConfig::new("key")
        .with_base_url(serve(stub.clone()).await)
        .with_options(fast_options())
        .build()
        .unwrap();
    let all = client.list_machines(&MachineFilter::all()).await.unwrap();
    assert_eq!(all.len(), 9);
    assert_eq!(
        *stub.cursors.lock().unwrap(),
        [None, Some("c1".into()), Some("c2".into())]
    );
    let web = client
        .list_machines(&MachineFilter::tagged("web"))
        .await
        .unwrap();
    assert_eq!(
        web.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        ["id-0-0", "id-1-0", "id-2-0"]
    );
}

#[tokio::test]
async fn a_locked_delete_is_retried_then_confirmed_gone() {
    let stub = Stub::default();
    let client = VultrConfig::new("key")
        .with_base_url(serve(stub.clone()).await)
        .with_options(fast_options())
        .build()
        .unwrap();
    client.destroy_machine("abc").await.unwrap();
    assert_eq!(
        stub.deletes.load(Ordering::SeqCst),
        3,
        "two locked refusals, then 204"
    );
    assert_eq!(stub.gets.load(Ordering::SeqCst), 1, "confirmed by one 404");
    assert!(client.projects().is_none());
    assert!(!client.capabilities().projects);
    assert!(matches!(
        crate::provider::projects_of(&client),
        Err(ProviderError::Unsupported { .. })
    ));
}

#[tokio::test]
async fn a_non_numeric_image_is_refused_before_sending() {
    let client = VultrConfig::new("key")
        .with_base_url("http://127.0.0.1:9/v2")
        .build()
        .unwrap();
    let err = client
        .create_machine(&CreateMachine {
            name: "a".into(),
            region: "ewr".into(),
            size: "vc2-1c-1gb".into(),
            image: "debian-12".into(),
            ssh_key_ids: vec![],
            tags: vec![],
            user_data: None,
            ipv6: false,
        })
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Validation { .. }), "{err}");
}
