//! Emulator fidelity: the emulator accepts what the real APIs accept, and official client
//! libraries that this project did not write (DigitalOcean's `pydo`, Vultr's
//! `vultr-python-client`, Linode's `linode-api4`) work against it.

use std::process::Command;

use base64::Engine as _;
use hangar_emulator::{EmulatedProvider, Emulator, EmulatorConfig};
use hangar_spec_check as openapi;
use serde_json::{Value, json};

const DO: EmulatedProvider = EmulatedProvider::DigitalOcean;
const VULTR: EmulatedProvider = EmulatedProvider::Vultr;
const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDx4bW1mZ2h0cmVlc3BlY3Rlc3RrZXlhYWFhYWFhYWFh slash";

async fn send(
    http: &reqwest::Client,
    emulator: &Emulator,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Option<Value>) {
    let url = format!("{}{path}", emulator.digitalocean_base_url());
    let mut req = http
        .request(method.clone(), &url)
        .bearer_auth(emulator.token(DO));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("the emulator answers");
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.expect("a body");
    let json = (!bytes.is_empty()).then(|| {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{method} {path}: not JSON ({e}): {bytes:?}"))
    });
    (status, json)
}

/// DigitalOcean's API answers `/v2/droplets/` like `/v2/droplets` (pydo and other clients
/// send such paths); every route Hangar uses works with a trailing slash.
#[tokio::test]
async fn digitalocean_paths_with_a_trailing_slash_are_served() {
    use reqwest::Method;
    let emulator = Emulator::start(EmulatorConfig::default())
        .await
        .expect("the emulator starts");
    let http = reqwest::Client::new();
    let e = &emulator;

    let (status, body) = send(
        &http,
        e,
        Method::POST,
        "/v2/account/keys/",
        Some(json!({"name": "slash", "public_key": KEY})),
    )
    .await;
    assert_eq!(status, 201, "{body:?}");
    let key_id = body.unwrap()["ssh_key"]["id"].as_u64().expect("a key id");
    let (status, body) = send(&http, e, Method::GET, "/v2/account/keys/", None).await;
    assert_eq!(status, 200, "{body:?}");
    let keys = body.unwrap()["ssh_keys"].clone();
    assert!(
        keys.as_array().unwrap().iter().any(|k| k["id"] == key_id),
        "{keys}"
    );
    let (status, _) = send(
        &http,
        e,
        Method::GET,
        &format!("/v2/account/keys/{key_id}/"),
        None,
    )
    .await;
    assert_eq!(status, 200);

    let (status, body) = send(
        &http,
        e,
        Method::POST,
        "/v2/droplets/",
        Some(json!({
            "name": "slash-1", "region": "nyc3", "size": "s-1vcpu-1gb",
            "image": "ubuntu-24-04-x64", "ssh_keys": [key_id], "tags": ["slash"],
        })),
    )
    .await;
    assert_eq!(status, 202, "{body:?}");
    let droplet_id = body.unwrap()["droplet"]["id"]
        .as_u64()
        .expect("a droplet id");
    // The query survives the rewrite.
    let (status, body) = send(&http, e, Method::GET, "/v2/droplets/?tag_name=slash", None).await;
    assert_eq!(status, 200, "{body:?}");
    let body = body.unwrap();
    assert_eq!(body["meta"]["total"], 1);
    assert_eq!(body["droplets"][0]["id"], droplet_id);
    let (status, body) = send(&http, e, Method::GET, "/v2/droplets/?tag_name=other", None).await;
    assert_eq!((status, &body.unwrap()["meta"]["total"]), (200, &json!(0)));
    let (status, body) = send(
        &http,
        e,
        Method::GET,
        &format!("/v2/droplets/{droplet_id}/"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body.unwrap()["droplet"]["name"], "slash-1");

    let (status, body) = send(
        &http,
        e,
        Method::POST,
        "/v2/domains/",
        Some(json!({"name": "slash.example.com"})),
    )
    .await;
    assert_eq!(status, 201, "{body:?}");
    let (status, body) = send(&http, e, Method::GET, "/v2/domains/", None).await;
    assert_eq!(status, 200);
    let domains = body.unwrap()["domains"].clone();
    assert!(
        domains
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "slash.example.com"),
        "{domains}"
    );
    let (status, body) = send(
        &http,
        e,
        Method::POST,
        "/v2/domains/slash.example.com/records/",
        Some(json!({"type": "A", "name": "www", "data": "192.0.2.10", "ttl": 1800})),
    )
    .await;
    assert_eq!(status, 201, "{body:?}");
    let record_id = body.unwrap()["domain_record"]["id"]
        .as_u64()
        .expect("a record id");
    let (status, body) = send(
        &http,
        e,
        Method::GET,
        "/v2/domains/slash.example.com/records/",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let records = body.unwrap()["domain_records"].clone();
    assert!(
        records
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == record_id),
        "{records}"
    );
    let path = format!("/v2/domains/slash.example.com/records/{record_id}/");
    assert_eq!(send(&http, e, Method::DELETE, &path, None).await.0, 204);
    assert_eq!(send(&http, e, Method::GET, &path, None).await.0, 404);
    assert_eq!(
        send(
            &http,
            e,
            Method::DELETE,
            "/v2/domains/slash.example.com/",
            None
        )
        .await
        .0,
        204
    );

    let path = format!("/v2/droplets/{droplet_id}/");
    assert_eq!(send(&http, e, Method::DELETE, &path, None).await.0, 204);
    assert_eq!(send(&http, e, Method::GET, &path, None).await.0, 404);
    let path = format!("/v2/account/keys/{key_id}/");
    assert_eq!(send(&http, e, Method::DELETE, &path, None).await.0, 204);

    // Unknown paths still answer DigitalOcean's 404, with or without the slash.
    let (status, body) = send(&http, e, Method::GET, "/v2/nothing-here/", None).await;
    assert_eq!((status, &body.unwrap()["id"]), (404, &json!("not_found")));
}

/// Vultr's GET `/instances/{instance-id}/user-data` (which its official client offers) gives
/// back the base64 user data the instance was created with, in the spec's shape.
#[tokio::test]
async fn vultr_instance_user_data_is_served_as_created() {
    let emulator = Emulator::start(EmulatorConfig::default())
        .await
        .expect("the emulator starts");
    let http = reqwest::Client::new();
    let base = emulator.vultr_base_url();
    let token = emulator.token(VULTR);
    let get = |path: String| {
        let req = http.get(format!("{base}{path}")).bearer_auth(&token);
        async move {
            let resp = req.send().await.expect("the emulator answers");
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.expect("a JSON body");
            (status, body)
        }
    };
    let user_data = "#cloud-config\nruncmd:\n  - echo hi\n";
    let encoded = base64::engine::general_purpose::STANDARD.encode(user_data);
    let mut ids = Vec::new();
    for (label, data) in [("with-data", Some(&encoded)), ("without", None)] {
        let mut body =
            json!({"region": "ewr", "plan": "vc2-1c-1gb", "os_id": 2136, "label": label});
        if let Some(d) = data {
            body["user_data"] = json!(d);
        }
        let resp = http
            .post(format!("{base}/instances"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .expect("the emulator answers");
        assert_eq!(resp.status().as_u16(), 202);
        let created: Value = resp.json().await.expect("a JSON body");
        ids.push(
            created["instance"]["id"]
                .as_str()
                .expect("an id")
                .to_owned(),
        );
    }
    for (id, want) in ids.iter().zip([encoded.as_str(), ""]) {
        let (status, body) = get(format!("/instances/{id}/user-data")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({"user_data": {"data": want}}));
        openapi::check_response(
            VULTR,
            "GET",
            &format!("/instances/{id}/user-data"),
            status,
            Some(&body),
        )
        .unwrap_or_else(|e| panic!("breaks the spec: {e}"));
    }
    let (status, body) = get("/instances/no-such-instance/user-data".into()).await;
    assert_eq!(status, 404, "{body}");
    assert!(body["error"].is_string(), "{body}");
}

/// DigitalOcean's `pydo`, Vultr's `vultr-python-client` and Linode's `linode-api4`, from PyPI
/// at the versions pinned
/// in `tests/python-clients/requirements.txt`, create, list, get and delete SSH keys,
/// machines, domains and records against the `cloud-emulator` binary
/// (`tests/python-clients/run`; the virtualenv is cached in `target/python-clients/venv`).
#[test]
fn official_python_clients_work_against_the_emulator() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let output = Command::new(format!("{root}/tests/python-clients/run"))
        .env("CLOUD_EMULATOR", env!("CARGO_BIN_EXE_cloud-emulator"))
        .current_dir(root)
        .output()
        .expect("tests/python-clients/run starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        output.status.success(),
        "tests/python-clients/run failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
}
