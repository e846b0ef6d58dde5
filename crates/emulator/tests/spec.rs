//! The cloud API emulator, exercised over real HTTP: every route of both providers, with every
//! response body (errors included) validated against the providers' official OpenAPI specs.



use std::time::{Duration, Instant};

use hangar_spec_check::{self as openapi, Api};
use hangar_emulator::{EmulatedProvider, Emulator, EmulatorConfig, Faults, Seed};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

const DO: EmulatedProvider = EmulatedProvider::DigitalOcean;
const VULTR: EmulatedProvider = EmulatedProvider::Vultr;
const IP_DELAY: Duration = Duration::from_millis(50);
/// For tests that look at a machine before its IP appears: long enough that a loaded machine
/// does not blow through it between two requests.
const OBSERVED_IP_DELAY: Duration = Duration::from_millis(500);

const KEY_A: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDx4bW1mZ2h0cmVlc3BlY3Rlc3RrZXlhYWFhYWFhYWFh test-a";
const KEY_B: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFJvYm90c0FyZUZyaWVuZHNOb3RGb29kMTIzNDU2Nzg5 test-b";

fn fixture_seed() -> Seed {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/emulator-seed.yaml"
    ))
    .expect("the fixture seed exists");
    Seed::from_yaml_str(&text).expect("the fixture seed parses")
}

async fn start(seed: Seed) -> Emulator {
    start_with_delay(seed, IP_DELAY).await
}

async fn start_with_delay(seed: Seed, ip_delay: Duration) -> Emulator {
    Emulator::start(EmulatorConfig {
        seed,
        ip_delay,
        ..EmulatorConfig::default()
    })
    .await
    .expect("the emulator starts")
}

/// One response, already checked against the spec.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: HeaderMap,
    body: Option<Value>,
}

impl Reply {
    fn json(&self) -> &Value {
        self.body
            .as_ref()
            .unwrap_or_else(|| panic!("expected a JSON body, status {}", self.status))
    }
}

/// A client for one provider of one emulator. Every response is validated against the spec.
struct Client<'a> {
    emu: &'a Emulator,
    provider: EmulatedProvider,
    http: reqwest::Client,
}

impl<'a> Client<'a> {
    fn new(emu: &'a Emulator, provider: EmulatedProvider) -> Self {
        Client {
            emu,
            provider,
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .expect("client"),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.base_url(self.provider))
    }

    /// Sends with the right token; validates the request body too.
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        if let Err(e) = openapi::check_request(self.provider, method, path, body.as_ref()) {
            panic!("the test sent a request that breaks the spec: {e}");
        }
        self.raw(method, path, body, Some(&self.emu.token(self.provider)))
            .await
    }

    /// Sends anything (for error cases); only the response is validated.
    async fn raw(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> Reply {
        let url = self.url(path);
        self.fetch(method, &url, path, body, token)
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    async fn fetch(
        &self,
        method: &str,
        url: &str,
        spec_path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> Result<Reply, reqwest::Error> {
        let mut req = self.http.request(method.parse().expect("method"), url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = &body {
            req = req.json(b);
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await?;
        let body = if bytes.is_empty() {
            None
        } else {
            Some(serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                panic!(
                    "{method} {spec_path}: body is not JSON ({e}): {}",
                    String::from_utf8_lossy(&bytes)
                )
            }))
        };
        if let Err(e) =
            openapi::check_response(self.provider, method, spec_path, status, body.as_ref())
        {
            panic!("the emulator broke the spec: {e}");
        }
        if self.provider == DO {
            for h in ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"] {
                assert!(
                    headers.contains_key(h),
                    "{method} {spec_path} -> {status} lacks {h}"
                );
            }
        }
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    /// GETs an absolute URL (a DigitalOcean `links.pages` entry).
    async fn get_absolute(&self, url: &str) -> Reply {
        let base = self.emu.digitalocean_base_url();
        let path = url
            .strip_prefix(&base)
            .unwrap_or_else(|| panic!("{url} is not on {base}"));
        self.fetch("GET", url, path, None, Some(&self.emu.token(self.provider)))
            .await
            .expect("request")
    }
}

/// GETs a URL that no spec operation covers; returns the status and the JSON body.
async fn unspecified_get(url: &str, token: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("a JSON body"))
}

fn public_v4(droplet: &Value) -> Option<String> {
    droplet["networks"]["v4"]
        .as_array()?
        .iter()
        .find(|n| n["type"] == "public")
        .map(|n| n["ip_address"].as_str().unwrap().to_string())
}

fn in_documentation_range(ip: &str) -> bool {
    ip.starts_with("192.0.2.") || ip.starts_with("198.51.100.") || ip.starts_with("203.0.113.")
}

// ---- the checker itself -----------------------------------------------------------------

#[test]
fn the_checker_rejects_what_the_spec_forbids() {
    // The spec's own double-wrapped tag example (see the provider-specs README).
    let doubled = json!({ "tag": { "tag": { "name": "x", "resources": { "count": 0 } } } });
    assert!(
        openapi::check_response(Api::DigitalOcean, "GET", "/v2/tags/x", 200, Some(&doubled))
            .is_err()
    );
    let good = json!({ "tag": { "name": "x", "resources": { "count": 0 } } });
    openapi::check_response(Api::DigitalOcean, "GET", "/v2/tags/x", 200, Some(&good)).unwrap();
    // Missing required `meta`, wrong top-level key, wrong type.
    let no_meta = json!({ "droplets": [] });
    assert!(
        openapi::check_response(
            Api::DigitalOcean,
            "GET",
            "/v2/droplets",
            200,
            Some(&no_meta)
        )
        .is_err()
    );
    let wrong_key = json!({ "instance": {} });
    assert!(
        openapi::check_response(
            Api::DigitalOcean,
            "GET",
            "/v2/droplets/1",
            200,
            Some(&wrong_key)
        )
        .is_err()
    );
    let wrong_type = json!({ "ssh_key": { "id": "abc", "name": "k", "public_key": "x" } });
    assert!(
        openapi::check_response(
            Api::DigitalOcean,
            "GET",
            "/v2/account/keys/1",
            200,
            Some(&wrong_type)
        )
        .is_err()
    );
    // Error bodies: DigitalOcean needs id + message; Vultr 4xx needs `error`.
    assert!(
        openapi::check_response(
            Api::DigitalOcean,
            "GET",
            "/v2/droplets/1",
            404,
            Some(&json!({ "message": "x" }))
        )
        .is_err()
    );
    assert!(
        openapi::check_response(
            Api::Vultr,
            "GET",
            "/instances/x",
            404,
            Some(&json!({ "status": 404 }))
        )
        .is_err()
    );
    openapi::check_response(
        Api::Vultr,
        "GET",
        "/v2/instances/x",
        404,
        Some(&json!({ "error": "x", "status": 404 })),
    )
    .unwrap();
    // 204 has no body; undocumented success statuses are rejected.
    assert!(
        openapi::check_response(Api::Vultr, "DELETE", "/instances/x", 204, Some(&json!({})))
            .is_err()
    );
    assert!(
        openapi::check_response(
            Api::Vultr,
            "POST",
            "/domains",
            201,
            Some(&json!({ "domain": {} }))
        )
        .is_err()
    );
    // Nullable fields accept null; non-nullable ones do not.
    let record = |priority: Value, id: Value| json!({ "domain_record": { "id": id, "type": "A", "name": "@", "data": "192.0.2.1", "priority": priority, "ttl": 1800 } });
    openapi::check_response(
        Api::DigitalOcean,
        "GET",
        "/v2/domains/a.b/records/1",
        200,
        Some(&record(Value::Null, json!(1))),
    )
    .unwrap();
    assert!(
        openapi::check_response(
            Api::DigitalOcean,
            "GET",
            "/v2/domains/a.b/records/1",
            200,
            Some(&record(Value::Null, Value::Null))
        )
        .is_err()
    );
    // Elements of a wrapped list are key-checked too.
    let meta = json!({ "total": 1, "links": { "next": "", "prev": "" } });
    let listed = |extra: &str| json!({ "instances": [{ "id": "x", extra: 1 }], "meta": meta });
    openapi::check_response(Api::Vultr, "GET", "/instances", 200, Some(&listed("ram"))).unwrap();
    assert!(
        openapi::check_response(Api::Vultr, "GET", "/instances", 200, Some(&listed("bogus")))
            .is_err()
    );
    // Formats are validated (date-time here).
    let action = |at: &str| json!({ "action": { "id": 1, "status": "completed", "type": "reboot", "started_at": at, "completed_at": null, "resource_id": 1, "resource_type": "droplet", "region_slug": "nyc3" } });
    openapi::check_response(
        Api::DigitalOcean,
        "GET",
        "/v2/actions/1",
        200,
        Some(&action("2020-07-21T18:37:44Z")),
    )
    .unwrap();
    assert!(
        openapi::check_response(
            Api::DigitalOcean,
            "GET",
            "/v2/actions/1",
            200,
            Some(&action("yesterday"))
        )
        .is_err()
    );
    // Requests: literal segments win over templates, undeclared keys are reported.
    let op = openapi::spec(Api::DigitalOcean)
        .operation("GET", "/v2/projects/default")
        .unwrap();
    assert_eq!(op.template, "/v2/projects/default");
    openapi::check_request(
        Api::Vultr,
        "POST",
        "/instances",
        Some(&json!({ "region": "ewr", "plan": "vc2-1c-1gb", "os_id": 2284 })),
    )
    .unwrap();
    assert!(
        openapi::check_request(
            Api::Vultr,
            "POST",
            "/instances",
            Some(&json!({ "region": "ewr", "plan": "p", "os_id": "2284" }))
        )
        .is_err()
    );
    assert!(
        openapi::check_request(
            Api::Vultr,
            "POST",
            "/instances",
            Some(&json!({ "region": "ewr", "plan": "p", "tagz": [] }))
        )
        .is_err()
    );
    assert!(
        openapi::check_request(
            Api::DigitalOcean,
            "POST",
            "/v2/account/keys",
            Some(&json!({ "name": "k" }))
        )
        .is_err()
    );
}

// ---- DigitalOcean ------------------------------------------------------------------------

#[tokio::test]
async fn do_droplet_lifecycle_and_ip_delay() {
    let emu = start_with_delay(Seed::builtin(), OBSERVED_IP_DELAY).await;
    let c = Client::new(&emu, DO);
    let body = json!({ "name": "web-2", "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64",
        "ssh_keys": [], "tags": ["machine:created", "machine:session:ab12cd34"], "user_data": "#!/bin/sh\necho hi\n" });
    let r = c.call("POST", "/v2/droplets", Some(body)).await;
    assert_eq!(r.status, 202);
    let d = &r.json()["droplet"];
    assert_eq!(d["status"], "new");
    assert_eq!(d["networks"]["v4"], json!([]));
    let id = d["id"].as_u64().unwrap();
    let action_href = r.json()["links"]["actions"][0]["href"]
        .as_str()
        .unwrap()
        .to_string();

    let r = c.call("GET", &format!("/v2/droplets/{id}"), None).await;
    assert_eq!(r.json()["droplet"]["status"], "new");
    assert!(public_v4(&r.json()["droplet"]).is_none());
    let create_action = c.get_absolute(&action_href).await;
    assert_eq!(create_action.json()["action"]["status"], "in-progress");

    tokio::time::sleep(OBSERVED_IP_DELAY + Duration::from_millis(100)).await;
    let r = c.call("GET", &format!("/v2/droplets/{id}"), None).await;
    let d = &r.json()["droplet"];
    assert_eq!(d["status"], "active");
    let ip = public_v4(d).expect("a public IP after the delay");
    assert!(in_documentation_range(&ip), "{ip}");
    assert_eq!(
        c.get_absolute(&action_href).await.json()["action"]["status"],
        "completed"
    );

    // Actions: each documented power type, polled both ways.
    for kind in ["power_off", "power_on", "shutdown", "reboot", "power_cycle"] {
        let r = c
            .call(
                "POST",
                &format!("/v2/droplets/{id}/actions"),
                Some(json!({ "type": kind })),
            )
            .await;
        assert_eq!(r.status, 201, "{kind}");
        let action = r.json()["action"]["id"].as_u64().unwrap();
        assert_eq!(r.json()["action"]["type"], kind);
        let a = c.call("GET", &format!("/v2/actions/{action}"), None).await;
        assert_eq!(a.json()["action"]["resource_id"], id);
        let a = c
            .call("GET", &format!("/v2/droplets/{id}/actions/{action}"), None)
            .await;
        assert_eq!(a.status, 200);
    }
    c.call(
        "POST",
        &format!("/v2/droplets/{id}/actions"),
        Some(json!({ "type": "power_off" })),
    )
    .await;
    assert_eq!(
        c.call("GET", &format!("/v2/droplets/{id}"), None)
            .await
            .json()["droplet"]["status"],
        "off"
    );
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

    // Filters: name (exact, case-insensitive) and tag_name.
    let r = c.call("GET", "/v2/droplets?name=WEB-2", None).await;
    assert_eq!(r.json()["meta"]["total"], 1);
    assert_eq!(r.json()["links"], json!({}));
    let r = c
        .call(
            "GET",
            "/v2/droplets?tag_name=machine:session:ab12cd34",
            None,
        )
        .await;
    assert_eq!(r.json()["droplets"][0]["id"], id);
    let r = c.call("GET", "/v2/droplets?type=gpus", None).await;
    assert_eq!(r.json()["meta"]["total"], 0);

    // Delete, then 404.
    let r = c.call("DELETE", &format!("/v2/droplets/{id}"), None).await;
    assert_eq!((r.status, r.body.is_none()), (204, true));
    let r = c.call("GET", &format!("/v2/droplets/{id}"), None).await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json(),
        &json!({ "id": "not_found", "message": "The resource you were accessing could not be found." })
    );
    assert_eq!(
        c.call("DELETE", &format!("/v2/droplets/{id}"), None)
            .await
            .status,
        404
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn do_multi_create_and_delete_by_tag() {
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

#[tokio::test]
async fn do_pagination_links_follow_the_spec() {
    let emu = start(Seed::default()).await;
    emu.add_machines(DO, 45, &["bulk"]);
    emu.add_machines(DO, 3, &[]);
    let c = Client::new(&emu, DO);
    let base = emu.digitalocean_base_url();
    let link = |p: usize| format!("{base}/v2/droplets?page={p}&per_page=10&tag_name=bulk");

    let first = c
        .call("GET", "/v2/droplets?tag_name=bulk&per_page=10", None)
        .await;
    assert_eq!(first.json()["meta"]["total"], 45);
    assert_eq!(first.json()["droplets"].as_array().unwrap().len(), 10);
    assert_eq!(
        first.json()["links"]["pages"],
        json!({ "next": link(2), "last": link(5) })
    );

    let middle = c
        .call("GET", "/v2/droplets?tag_name=bulk&per_page=10&page=3", None)
        .await;
    assert_eq!(
        middle.json()["links"]["pages"],
        json!({ "first": link(1), "prev": link(2), "next": link(4), "last": link(5) })
    );

    // Walk `next` links as a client does: stop when `next` is absent.
    let mut seen = std::collections::BTreeSet::new();
    let mut url = link(1);
    let mut pages = 0;
    loop {
        let r = c.get_absolute(&url).await;
        pages += 1;
        for d in r.json()["droplets"].as_array().unwrap() {
            assert!(
                seen.insert(d["id"].as_u64().unwrap()),
                "an id repeated across pages"
            );
        }
        match r.json()["links"]["pages"].get("next") {
            Some(next) => url = next.as_str().unwrap().to_string(),
            None => {
                assert_eq!(
                    r.json()["links"]["pages"],
                    json!({ "first": link(1), "prev": link(4) })
                );
                assert_eq!(r.json()["droplets"].as_array().unwrap().len(), 5);
                break;
            }
        }
    }
    assert_eq!((pages, seen.len()), (5, 45));

    // per_page is capped at 200, and one page has no links.
    let r = c.call("GET", "/v2/droplets?per_page=500", None).await;
    assert_eq!(r.json()["droplets"].as_array().unwrap().len(), 48);
    assert_eq!(r.json()["links"], json!({}));
    // Malformed page numbers are refused with the error body.
    let r = c
        .raw("GET", "/v2/droplets?page=0", None, Some(&emu.token(DO)))
        .await;
    assert_eq!(r.status, 400);
    // Other lists paginate the same way.
    let r = c.call("GET", "/v2/regions?per_page=2&page=2", None).await;
    assert_eq!(r.json()["regions"].as_array().unwrap().len(), 2);
    assert!(
        r.json()["links"]["pages"]["prev"]
            .as_str()
            .unwrap()
            .ends_with("/v2/regions?page=1&per_page=2")
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn do_create_validation_and_auth_errors() {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, DO);
    let token = emu.token(DO);
    let base = json!({ "name": "ok-name", "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64" });
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let cases = [
        with("region", json!("mars1")),
        with("size", json!("s-64vcpu-1tb")),
        with("image", json!("windows-xp")),
        with("name", json!("bad_name")),
        with("name", json!("ends-with-dash-")),
        with("tags", json!(["has space"])),
        with("tags", json!(["a/b"])),
        with("ssh_keys", json!([999])),
        // A size that is not offered in that region.
        with("region", json!("sgp1"))
            .as_object()
            .map(|o| {
                let mut o = o.clone();
                o.insert("size".into(), json!("s-1vcpu-512mb-10gb"));
                Value::Object(o)
            })
            .unwrap(),
        json!({ "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64" }),
        with("user_data", json!("x".repeat(70 * 1024))),
    ];
    for body in cases {
        let r = c
            .raw("POST", "/v2/droplets", Some(body.clone()), Some(&token))
            .await;
        assert_eq!(r.status, 422, "{body}");
        assert_eq!(r.json()["id"], "unprocessable_entity");
    }
    // A tag with ':' is valid.
    let r = c
        .call(
            "POST",
            "/v2/droplets",
            Some(with("tags", json!(["machine:type:web"]))),
        )
        .await;
    assert_eq!(r.status, 202);

    // Malformed JSON.
    let resp = reqwest::Client::new()
        .post(format!("{}/v2/droplets", emu.digitalocean_base_url()))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);

    // Authentication.
    for t in [None, Some("wrong")] {
        let r = c.raw("GET", "/v2/droplets", None, t).await;
        assert_eq!(r.status, 401);
        assert_eq!(
            r.json(),
            &json!({ "id": "unauthorized", "message": "Unable to authenticate you." })
        );
    }
    // Unknown ids and paths.
    assert_eq!(
        c.call("GET", "/v2/droplets/not-a-number", None)
            .await
            .status,
        404
    );
    // An unknown path has no operation in the spec; it answers with the same 404 body.
    let (status, body) = unspecified_get(&c.url("/v2/nothing-here"), &token).await;
    assert_eq!(status, 404);
    assert_eq!(body["id"], "not_found");
    let r = reqwest::Client::new()
        .put(c.url("/v2/account"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 405);
    assert_eq!(r.json::<Value>().await.unwrap()["id"], "method_not_allowed");
    // A validated Droplet body fails the check once it breaks the schema.
    let r = c.call("GET", "/v2/droplets", None).await;
    let mut droplet = json!({ "droplet": r.json()["droplets"][0].clone() });
    openapi::check_response(
        Api::DigitalOcean,
        "GET",
        "/v2/droplets/1",
        200,
        Some(&droplet),
    )
    .unwrap();
    droplet["droplet"]["status"] = json!("running");
    assert!(
        openapi::check_response(
            Api::DigitalOcean,
            "GET",
            "/v2/droplets/1",
            200,
            Some(&droplet)
        )
        .is_err()
    );
    droplet["droplet"]["status"] = json!("active");
    droplet["droplet"]["networks"]["v4"][0]["type"] = json!("elastic");
    assert!(
        openapi::check_response(
            Api::DigitalOcean,
            "GET",
            "/v2/droplets/1",
            200,
            Some(&droplet)
        )
        .is_err()
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn do_ssh_keys() {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, DO);
    let r = c.call("GET", "/v2/account/keys", None).await;
    assert_eq!(r.json()["meta"]["total"], 1);
    let r = c
        .call(
            "POST",
            "/v2/account/keys",
            Some(json!({ "name": "a", "public_key": KEY_A })),
        )
        .await;
    assert_eq!(r.status, 201);
    let key = r.json()["ssh_key"].clone();
    let (id, fp) = (
        key["id"].as_u64().unwrap(),
        key["fingerprint"].as_str().unwrap().to_string(),
    );
    assert_eq!(fp.split(':').count(), 16);
    assert_eq!(
        c.call("GET", &format!("/v2/account/keys/{id}"), None)
            .await
            .json()["ssh_key"],
        key
    );
    assert_eq!(
        c.call("GET", &format!("/v2/account/keys/{fp}"), None)
            .await
            .json()["ssh_key"],
        key
    );
    let dup = c
        .raw(
            "POST",
            "/v2/account/keys",
            Some(json!({ "name": "again", "public_key": KEY_A })),
            Some(&emu.token(DO)),
        )
        .await;
    assert_eq!(dup.status, 422);
    let bad = c
        .raw(
            "POST",
            "/v2/account/keys",
            Some(json!({ "name": "x", "public_key": "not a key" })),
            Some(&emu.token(DO)),
        )
        .await;
    assert_eq!(bad.status, 422);
    let r = c
        .call(
            "PUT",
            &format!("/v2/account/keys/{id}"),
            Some(json!({ "name": "renamed" })),
        )
        .await;
    assert_eq!(r.json()["ssh_key"]["name"], "renamed");
    // A Droplet can reference the key by fingerprint.
    let body =
        json!({ "name": "k", "size": "s-1vcpu-1gb", "image": "debian-12-x64", "ssh_keys": [fp] });
    assert_eq!(c.call("POST", "/v2/droplets", Some(body)).await.status, 202);
    assert_eq!(
        c.call("DELETE", &format!("/v2/account/keys/{id}"), None)
            .await
            .status,
        204
    );
    assert_eq!(
        c.call("GET", &format!("/v2/account/keys/{id}"), None)
            .await
            .status,
        404
    );
    assert_eq!(
        c.call("DELETE", &format!("/v2/account/keys/{id}"), None)
            .await
            .status,
        404
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn do_ssh_key_read_limit_when_enabled() {
    let emu = Emulator::start(EmulatorConfig {
        ip_delay: IP_DELAY,
        do_ssh_key_reads_per_minute: Some(3),
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let c = Client::new(&emu, DO);
    for _ in 0..3 {
        assert_eq!(c.call("GET", "/v2/account/keys", None).await.status, 200);
    }
    let r = c.call("GET", "/v2/account/keys/1", None).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.json()["id"], "too_many_requests");
    let wait: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Writes and other routes are not limited.
    assert_eq!(
        c.call(
            "POST",
            "/v2/account/keys",
            Some(json!({ "name": "a", "public_key": KEY_A }))
        )
        .await
        .status,
        201
    );
    assert_eq!(c.call("GET", "/v2/account", None).await.status, 200);
    emu.shutdown().await;
}

#[tokio::test]
async fn do_domains_and_records() {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, DO);
    let r = c
        .call(
            "POST",
            "/v2/domains",
            Some(json!({ "name": "hangar.example", "ip_address": "192.0.2.77" })),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["domain"]["name"], "hangar.example");
    let dup = c
        .raw(
            "POST",
            "/v2/domains",
            Some(json!({ "name": "hangar.example" })),
            Some(&emu.token(DO)),
        )
        .await;
    assert_eq!(dup.status, 422);
    let r = c.call("GET", "/v2/domains", None).await;
    assert_eq!(r.json()["meta"]["total"], 2);
    let r = c.call("GET", "/v2/domains/hangar.example", None).await;
    assert!(
        r.json()["domain"]["zone_file"]
            .as_str()
            .unwrap()
            .contains("192.0.2.77")
    );

    let records = [
        json!({ "type": "A", "name": "www", "data": "192.0.2.10", "ttl": 600 }),
        json!({ "type": "AAAA", "name": "www", "data": "2001:db8::10" }),
        json!({ "type": "CNAME", "name": "blog", "data": "www.hangar.example." }),
        json!({ "type": "MX", "name": "@", "data": "mail.hangar.example.", "priority": 10 }),
        json!({ "type": "TXT", "name": "@", "data": "v=spf1 -all" }),
        json!({ "type": "NS", "name": "sub", "data": "ns1.other.example." }),
        json!({ "type": "SRV", "name": "_sip._tcp", "data": "sip.hangar.example.", "priority": 1, "port": 5060, "weight": 5 }),
        json!({ "type": "CAA", "name": "@", "data": "letsencrypt.org", "flags": 0, "tag": "issue" }),
    ];
    let mut ids = Vec::new();
    for rec in records {
        let r = c
            .call(
                "POST",
                "/v2/domains/hangar.example/records",
                Some(rec.clone()),
            )
            .await;
        assert_eq!(r.status, 201, "{rec}");
        assert_eq!(r.json()["domain_record"]["type"], rec["type"]);
        ids.push(r.json()["domain_record"]["id"].as_u64().unwrap());
    }
    for bad in [
        json!({ "type": "A", "name": "x", "data": "not-an-ip" }),
        json!({ "type": "MX", "name": "@", "data": "mail." }),
        json!({ "type": "SRV", "name": "_x._tcp", "data": "a.", "priority": 1 }),
        json!({ "type": "CAA", "name": "@", "data": "x" }),
        json!({ "type": "BOGUS", "name": "@", "data": "x" }),
    ] {
        let r = c
            .raw(
                "POST",
                "/v2/domains/hangar.example/records",
                Some(bad.clone()),
                Some(&emu.token(DO)),
            )
            .await;
        assert_eq!(r.status, 422, "{bad}");
    }
    // Filters: name is fully qualified, type narrows.
    let r = c
        .call(
            "GET",
            "/v2/domains/hangar.example/records?name=www.hangar.example",
            None,
        )
        .await;
    assert_eq!(r.json()["meta"]["total"], 2);
    let r = c
        .call(
            "GET",
            "/v2/domains/hangar.example/records?name=www.hangar.example&type=AAAA",
            None,
        )
        .await;
    assert_eq!(r.json()["domain_records"][0]["data"], "2001:db8::10");
    let r = c
        .call(
            "GET",
            "/v2/domains/hangar.example/records?name=hangar.example&type=A",
            None,
        )
        .await;
    assert_eq!(r.json()["domain_records"][0]["data"], "192.0.2.77");
    let r = c
        .call("GET", "/v2/domains/hangar.example/records?type=NS", None)
        .await;
    assert_eq!(r.json()["meta"]["total"], 4);

    let a = ids[0];
    let path = format!("/v2/domains/hangar.example/records/{a}");
    assert_eq!(
        c.call("GET", &path, None).await.json()["domain_record"]["ttl"],
        600
    );
    let r = c
        .call(
            "PATCH",
            &path,
            Some(json!({ "type": "A", "data": "192.0.2.11" })),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["domain_record"]["data"].clone()),
        (200, json!("192.0.2.11"))
    );
    let r = c
        .call(
            "PUT",
            &path,
            Some(json!({ "type": "A", "name": "www2", "data": "192.0.2.12" })),
        )
        .await;
    assert_eq!(r.json()["domain_record"]["name"], "www2");
    assert_eq!(c.call("DELETE", &path, None).await.status, 204);
    assert_eq!(c.call("GET", &path, None).await.status, 404);
    assert_eq!(
        c.call("GET", "/v2/domains/nope.example/records", None)
            .await
            .status,
        404
    );
    assert_eq!(
        c.call("DELETE", "/v2/domains/hangar.example", None)
            .await
            .status,
        204
    );
    assert_eq!(
        c.call("GET", "/v2/domains/hangar.example", None)
            .await
            .status,
        404
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn do_projects_and_assignments() {
    let emu = start(fixture_seed()).await;
    let c = Client::new(&emu, DO);
    let r = c.call("GET", "/v2/projects", None).await;
    assert_eq!(r.json()["meta"]["total"], 2);
    let r = c.call("GET", "/v2/projects/default", None).await;
    assert_eq!(r.json()["project"]["is_default"], true);
    let default_id = r.json()["project"]["id"].as_str().unwrap().to_string();
    let staging = c.call("GET", "/v2/projects", None).await.json()["projects"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let droplet = c.call("GET", "/v2/droplets?name=web-1", None).await.json()["droplets"][0]["id"]
        .as_u64()
        .unwrap();
    let urns = json!({ "resources": [format!("do:droplet:{droplet}"), "do:domain:fixture.example", "do:droplet:1"] });
    let r = c
        .call(
            "POST",
            &format!("/v2/projects/{staging}/resources"),
            Some(urns.clone()),
        )
        .await;
    assert_eq!(r.status, 200);
    let statuses: Vec<&str> = r.json()["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["ok", "ok", "not_found"]);
    let r = c
        .call(
            "POST",
            &format!("/v2/projects/{staging}/resources"),
            Some(urns),
        )
        .await;
    assert_eq!(r.json()["resources"][0]["status"], "already_assigned");
    let r = c
        .call(
            "POST",
            "/v2/projects/default/resources",
            Some(json!({ "resources": [format!("do:droplet:{droplet}")] })),
        )
        .await;
    assert_eq!(r.json()["resources"][0]["status"], "ok");
    let r = c
        .call("GET", &format!("/v2/projects/{default_id}/resources"), None)
        .await;
    assert_eq!(r.json()["meta"]["total"], 1);
    let bad = c
        .raw(
            "POST",
            "/v2/projects/default/resources",
            Some(json!({ "resources": ["droplet:1"] })),
            Some(&emu.token(DO)),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        c.call(
            "GET",
            "/v2/projects/00000000-0000-4000-8000-000000000000",
            None
        )
        .await
        .status,
        404
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn do_catalogs_and_account() {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, DO);
    let r = c.call("GET", "/v2/regions", None).await;
    let slugs: Vec<&str> = r.json()["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["slug"].as_str().unwrap())
        .collect();
    assert_eq!(
        slugs,
        ["nyc1", "nyc3", "ams3", "sfo3", "fra1", "lon1", "sgp1"]
    );
    let sgp = r.json()["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["slug"] == "sgp1")
        .unwrap();
    assert!(
        !sgp["sizes"]
            .as_array()
            .unwrap()
            .contains(&json!("s-1vcpu-512mb-10gb"))
    );
    let r = c.call("GET", "/v2/sizes", None).await;
    let sizes = r.json()["sizes"].as_array().unwrap();
    for s in [
        "s-1vcpu-512mb-10gb",
        "s-1vcpu-1gb",
        "s-2vcpu-4gb",
        "s-4vcpu-8gb",
    ] {
        assert!(sizes.iter().any(|x| x["slug"] == s), "{s}");
    }
    let small = sizes.iter().find(|x| x["slug"] == "s-1vcpu-1gb").unwrap();
    assert_eq!(small["price_monthly"], 6.0);
    let r = c.call("GET", "/v2/images?type=distribution", None).await;
    let images: Vec<&str> = r.json()["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["slug"].as_str().unwrap())
        .collect();
    for s in ["ubuntu-24-04-x64", "ubuntu-22-04-x64", "debian-12-x64"] {
        assert!(images.contains(&s), "{s}");
    }
    assert_eq!(
        c.call("GET", "/v2/images?type=application", None)
            .await
            .json()["meta"]["total"],
        0
    );
    let r = c.call("GET", "/v2/account", None).await;
    assert_eq!(r.json()["account"]["status"], "active");
    emu.shutdown().await;
}

#[tokio::test]
async fn do_tags() {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, DO);
    // Tags of the seed's Droplets exist.
    let r = c.call("GET", "/v2/tags", None).await;
    assert_eq!(r.json()["meta"]["total"], 3);
    let r = c
        .call(
            "POST",
            "/v2/tags",
            Some(json!({ "name": "Machine:Role:DB" })),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["tag"]["resources"]["count"], 0);
    // The first capitalization is canonical.
    let r = c
        .call(
            "POST",
            "/v2/tags",
            Some(json!({ "name": "machine:role:db" })),
        )
        .await;
    assert_eq!(r.json()["tag"]["name"], "Machine:Role:DB");
    let bad = c
        .raw(
            "POST",
            "/v2/tags",
            Some(json!({ "name": "no spaces" })),
            Some(&emu.token(DO)),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.json()["root_causes"].is_array());

    let legacy = c
        .call("GET", "/v2/droplets?name=legacy-db", None)
        .await
        .json()["droplets"][0]["id"]
        .as_u64()
        .unwrap();
    let res =
        json!({ "resources": [{ "resource_id": legacy.to_string(), "resource_type": "droplet" }] });
    assert_eq!(
        c.call(
            "POST",
            "/v2/tags/Machine:Role:DB/resources",
            Some(res.clone())
        )
        .await
        .status,
        204
    );
    let r = c.call("GET", "/v2/tags/Machine:Role:DB", None).await;
    assert_eq!(r.json()["tag"]["name"], "Machine:Role:DB");
    assert_eq!(r.json()["tag"]["resources"]["droplets"]["count"], 1);
    assert_eq!(
        c.call("GET", "/v2/droplets?tag_name=Machine:Role:DB", None)
            .await
            .json()["meta"]["total"],
        1
    );
    assert_eq!(
        c.call("DELETE", "/v2/tags/Machine:Role:DB/resources", Some(res))
            .await
            .status,
        204
    );
    assert_eq!(
        c.call("GET", "/v2/tags/Machine:Role:DB", None).await.json()["tag"]["resources"]["count"],
        0
    );
    assert_eq!(
        c.call("DELETE", "/v2/tags/Machine:Role:DB", None)
            .await
            .status,
        204
    );
    assert_eq!(
        c.call("GET", "/v2/tags/Machine:Role:DB", None).await.status,
        404
    );
    emu.shutdown().await;
}

// ---- Vultr -------------------------------------------------------------------------------

#[tokio::test]
async fn vultr_instance_lifecycle_and_ip_delay() {
    let emu = start_with_delay(Seed::builtin(), OBSERVED_IP_DELAY).await;
    let c = Client::new(&emu, VULTR);
    let key = c.call("GET", "/ssh-keys", None).await.json()["ssh_keys"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({ "region": "ewr", "plan": "vc2-1c-1gb", "os_id": 2284, "label": "web-2", "hostname": "web-2",
        "tags": ["machine:created", "machine:session:ab12cd34"], "sshkey_id": [key], "enable_ipv6": true,
        "backups": "disabled", "user_data": "IyEvYmluL3NoCmVjaG8gaGkK" });
    let r = c.call("POST", "/instances", Some(body)).await;
    assert_eq!(r.status, 202);
    let i = &r.json()["instance"];
    assert_eq!(
        (
            i["status"].as_str(),
            i["main_ip"].as_str(),
            i["server_status"].as_str()
        ),
        (Some("pending"), Some("0.0.0.0"), Some("none"))
    );
    assert!(
        i["default_password"]
            .as_str()
            .is_some_and(|p| !p.is_empty())
    );
    let id = i["id"].as_str().unwrap().to_string();

    let r = c.call("GET", &format!("/instances/{id}"), None).await;
    assert_eq!(r.json()["instance"]["main_ip"], "0.0.0.0");
    assert!(r.json()["instance"].get("default_password").is_none());
    tokio::time::sleep(OBSERVED_IP_DELAY + Duration::from_millis(100)).await;
    let r = c.call("GET", &format!("/instances/{id}"), None).await;
    let i = &r.json()["instance"];
    assert_eq!(i["status"], "active");
    assert!(
        in_documentation_range(i["main_ip"].as_str().unwrap()),
        "{}",
        i["main_ip"]
    );

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
    for action in ["halt", "start", "reboot"] {
        let r = c
            .call("POST", &format!("/instances/{id}/{action}"), None)
            .await;
        assert_eq!((r.status, r.body.is_none()), (204, true), "{action}");
    }
    c.call("POST", &format!("/instances/{id}/halt"), None).await;
    assert_eq!(
        c.call("GET", &format!("/instances/{id}"), None)
            .await
            .json()["instance"]["power_status"],
        "stopped"
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

    assert_eq!(
        c.call("DELETE", &format!("/instances/{id}"), None)
            .await
            .status,
        204
    );
    let r = c.call("GET", &format!("/instances/{id}"), None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["status"], 404);
    assert_eq!(
        c.call("DELETE", &format!("/instances/{id}"), None)
            .await
            .status,
        404
    );
    assert_eq!(
        c.call("POST", &format!("/instances/{id}/start"), None)
            .await
            .status,
        404
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn vultr_cursor_pagination_and_filters() {
    let emu = start(Seed::default()).await;
    emu.add_machines(VULTR, 23, &["bulk"]);
    emu.add_machines(VULTR, 2, &["other"]);
    let c = Client::new(&emu, VULTR);
    let mut cursor = String::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut pages = 0;
    loop {
        let path = if cursor.is_empty() {
            "/instances?per_page=5&tag=bulk".to_string()
        } else {
            format!("/instances?per_page=5&tag=bulk&cursor={cursor}")
        };
        let r = c.call("GET", &path, None).await;
        pages += 1;
        let meta = &r.json()["meta"];
        assert_eq!(meta["total"], 23);
        if pages == 1 {
            assert_eq!(meta["links"]["prev"], "");
        } else {
            assert_ne!(meta["links"]["prev"], "");
        }
        for i in r.json()["instances"].as_array().unwrap() {
            assert!(seen.insert(i["id"].as_str().unwrap().to_string()));
        }
        let next = meta["links"]["next"].as_str().unwrap();
        assert!(
            !next.contains("http"),
            "cursors are opaque strings, not URLs"
        );
        if next.is_empty() {
            break;
        }
        cursor = next.to_string();
    }
    assert_eq!((pages, seen.len()), (5, 23));

    let r = c.call("GET", "/instances?per_page=1000", None).await;
    assert_eq!(r.json()["instances"].as_array().unwrap().len(), 25);
    assert_eq!(r.json()["meta"]["links"]["next"], "");
    let r = c
        .raw(
            "GET",
            "/instances?cursor=garbage",
            None,
            Some(&emu.token(VULTR)),
        )
        .await;
    assert_eq!(r.status, 400);

    let first = c.call("GET", "/instances?per_page=1", None).await.json()["instances"][0].clone();
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
    assert_eq!(
        c.call("GET", "/instances?region=ewr", None).await.json()["meta"]["total"],
        25
    );
    assert_eq!(
        c.call("GET", "/instances?region=sjc", None).await.json()["meta"]["total"],
        0
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn vultr_create_validation_and_auth_errors() {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, VULTR);
    let token = emu.token(VULTR);
    let base = json!({ "region": "ewr", "plan": "vc2-1c-1gb", "os_id": 2284 });
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    for (body, what) in [
        (with("user_data", json!("not base64!!")), "user_data"),
        (with("region", json!("xyz")), "region"),
        (with("plan", json!("vc9-999")), "plan"),
        (with("os_id", json!(1)), "os"),
        (
            json!({ "region": "sjc", "plan": "vhf-1c-1gb", "os_id": 2284 }),
            "plan not in region",
        ),
        (
            json!({ "region": "ewr", "plan": "vc2-1c-1gb" }),
            "no source",
        ),
        (with("sshkey_id", json!(["missing"])), "ssh key"),
        (with("backups", json!("yes")), "backups"),
    ] {
        let r = c.raw("POST", "/instances", Some(body), Some(&token)).await;
        assert_eq!(r.status, 400, "{what}");
        assert_eq!(r.json()["status"], 400, "{what}");
    }
    for t in [None, Some("wrong")] {
        let r = c.raw("GET", "/instances", None, t).await;
        assert_eq!(r.status, 401);
        assert_eq!(
            r.json(),
            &json!({ "error": "Invalid API token.", "status": 401 })
        );
    }
    let (status, body) = unspecified_get(&c.url("/nothing-here"), &token).await;
    assert_eq!((status, body["status"].clone()), (404, json!(404)));
    assert!(body["error"].is_string());
    let r = reqwest::Client::new()
        .put(c.url("/account"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 405);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], 405);
    // A validated instance body fails the check once it breaks the schema.
    let r = c.call("GET", "/instances", None).await;
    let mut instance = json!({ "instance": r.json()["instances"][0].clone() });
    openapi::check_response(Api::Vultr, "GET", "/instances/x", 200, Some(&instance)).unwrap();
    instance["instance"]["ram"] = json!("1 GB");
    assert!(
        openapi::check_response(Api::Vultr, "GET", "/instances/x", 200, Some(&instance)).is_err()
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn vultr_ssh_keys_domains_and_records() {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, VULTR);
    let r = c
        .call(
            "POST",
            "/ssh-keys",
            Some(json!({ "name": "a", "ssh_key": KEY_B })),
        )
        .await;
    assert_eq!(r.status, 201);
    let id = r.json()["ssh_key"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        c.call("GET", "/ssh-keys", None).await.json()["meta"]["total"],
        2
    );
    assert_eq!(
        c.call("GET", &format!("/ssh-keys/{id}"), None).await.json()["ssh_key"]["name"],
        "a"
    );
    let r = c
        .call(
            "PATCH",
            &format!("/ssh-keys/{id}"),
            Some(json!({ "name": "b" })),
        )
        .await;
    assert_eq!((r.status, r.body.is_none()), (204, true));
    assert_eq!(
        c.call("GET", &format!("/ssh-keys/{id}"), None).await.json()["ssh_key"]["name"],
        "b"
    );
    let bad = c
        .raw(
            "POST",
            "/ssh-keys",
            Some(json!({ "name": "x", "ssh_key": "nope" })),
            Some(&emu.token(VULTR)),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        c.call("DELETE", &format!("/ssh-keys/{id}"), None)
            .await
            .status,
        204
    );
    assert_eq!(
        c.call("GET", &format!("/ssh-keys/{id}"), None).await.status,
        404
    );

    // Domains: create answers 200; with `ip` the zone gets default records, without it is empty.
    let r = c
        .call(
            "POST",
            "/domains",
            Some(json!({ "domain": "hangar.example", "ip": "198.51.100.7" })),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["domain"]["domain"], "hangar.example");
    let r = c
        .call(
            "POST",
            "/domains",
            Some(json!({ "domain": "empty.example" })),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        c.call("GET", "/domains/empty.example/records", None)
            .await
            .json()["meta"]["total"],
        0
    );
    let sub = c
        .raw(
            "POST",
            "/domains",
            Some(json!({ "domain": "a.b.example" })),
            Some(&emu.token(VULTR)),
        )
        .await;
    assert_eq!(sub.status, 400);
    assert_eq!(
        c.call("GET", "/domains", None).await.json()["meta"]["total"],
        3
    );
    assert_eq!(
        c.call("GET", "/domains/hangar.example", None).await.json()["domain"]["dns_sec"],
        "disabled"
    );
    assert_eq!(
        c.call(
            "PUT",
            "/domains/hangar.example",
            Some(json!({ "dns_sec": "enabled" }))
        )
        .await
        .status,
        204
    );
    assert_eq!(
        c.call("GET", "/domains/hangar.example", None).await.json()["domain"]["dns_sec"],
        "enabled"
    );

    let r = c.call("GET", "/domains/hangar.example/records", None).await;
    assert!(
        r.json()["records"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["type"] == "A" && x["data"] == "198.51.100.7")
    );
    let r = c
        .call(
            "POST",
            "/domains/hangar.example/records",
            Some(json!({ "name": "www", "type": "A", "data": "198.51.100.8", "ttl": 300 })),
        )
        .await;
    assert_eq!(r.status, 201);
    let rid = r.json()["record"]["id"].as_str().unwrap().to_string();
    let path = format!("/domains/hangar.example/records/{rid}");
    let r = c
        .call("PATCH", &path, Some(json!({ "data": "198.51.100.9" })))
        .await;
    assert_eq!((r.status, r.body.is_none()), (204, true));
    assert_eq!(
        c.call("GET", &path, None).await.json()["record"]["data"],
        "198.51.100.9"
    );
    let bad = c
        .raw(
            "POST",
            "/domains/hangar.example/records",
            Some(json!({ "name": "x", "type": "MX", "data": "m.example" })),
            Some(&emu.token(VULTR)),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(c.call("DELETE", &path, None).await.status, 204);
    assert_eq!(c.call("GET", &path, None).await.status, 404);
    assert_eq!(
        c.call("DELETE", "/domains/hangar.example", None)
            .await
            .status,
        204
    );
    assert_eq!(
        c.call("GET", "/domains/hangar.example", None).await.status,
        404
    );
    emu.shutdown().await;
}

/// Record rules of `#/components/schemas/domain_record_*`: an MX record needs no name (the
/// apex), a CAA tag is issue, issuewild or iodef and its flags fit in a byte.
#[tokio::test]
async fn do_record_rules_follow_the_spec() {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, DO);
    let path = "/v2/domains/example.com/records";
    let r = c
        .call(
            "POST",
            path,
            Some(json!({ "type": "MX", "data": "mail.example.com.", "priority": 5 })),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["domain_record"]["name"], "@");
    for tag in ["issue", "issuewild", "iodef"] {
        let r = c
            .call(
                "POST",
                path,
                Some(json!({ "type": "CAA", "name": "@", "data": "ca.example", "flags": 0, "tag": tag })),
            )
            .await;
        assert_eq!(r.status, 201, "{tag}");
        assert_eq!(r.json()["domain_record"]["tag"], tag);
    }
    for bad in [
        json!({ "type": "CAA", "name": "@", "data": "ca.example", "flags": 0, "tag": "bogus" }),
        json!({ "type": "CAA", "name": "@", "data": "ca.example", "flags": 256, "tag": "issue" }),
    ] {
        let r = c
            .raw("POST", path, Some(bad.clone()), Some(&emu.token(DO)))
            .await;
        assert_eq!(r.status, 422, "{bad}");
        assert!(
            r.json()["message"].as_str().unwrap().contains("flags")
                || r.json()["message"].as_str().unwrap().contains("tag"),
            "{}",
            r.json()
        );
    }
    emu.shutdown().await;
}

/// Vultr keeps SRV's weight and port and CAA's flags and tag in `data`: records whose data
/// does not follow that are refused with 400 and an `error`, on create and on PATCH.
#[tokio::test]
async fn vultr_srv_and_caa_data_conventions() {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, VULTR);
    let path = "/domains/example.net/records";
    let r = c
        .call(
            "POST",
            path,
            Some(json!({ "name": "_sip._tcp", "type": "SRV", "data": "5 5060 sip.example.net", "priority": 10, "ttl": 300 })),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["record"]["data"], "5 5060 sip.example.net");
    assert_eq!(r.json()["record"]["priority"], 10);
    let srv = r.json()["record"]["id"].as_str().unwrap().to_string();
    let r = c
        .call(
            "POST",
            path,
            Some(json!({ "name": "", "type": "CAA", "data": "0 issue \"letsencrypt.org\"" })),
        )
        .await;
    assert_eq!(r.status, 201);
    for bad in [
        json!({ "name": "_x._tcp", "type": "SRV", "data": "sip.example.net", "priority": 1 }),
        json!({ "name": "_x._tcp", "type": "SRV", "data": "5 99999 sip.example.net", "priority": 1 }),
        json!({ "name": "", "type": "CAA", "data": "letsencrypt.org" }),
        json!({ "name": "", "type": "CAA", "data": "0 bogus \"letsencrypt.org\"" }),
    ] {
        let r = c
            .raw("POST", path, Some(bad.clone()), Some(&emu.token(VULTR)))
            .await;
        assert_eq!(r.status, 400, "{bad}");
        assert!(
            r.json()["error"].as_str().unwrap().contains("Invalid data"),
            "{}",
            r.json()
        );
    }
    let r = c
        .raw(
            "PATCH",
            &format!("{path}/{srv}"),
            Some(json!({ "data": "sip.example.net" })),
            Some(&emu.token(VULTR)),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = c
        .call(
            "PATCH",
            &format!("{path}/{srv}"),
            Some(json!({ "data": "7 5061 sip2.example.net", "priority": 20 })),
        )
        .await;
    assert_eq!((r.status, r.body.is_none()), (204, true));
    let r = c.call("GET", &format!("{path}/{srv}"), None).await;
    assert_eq!(
        (
            r.json()["record"]["data"].clone(),
            r.json()["record"]["priority"].clone()
        ),
        (json!("7 5061 sip2.example.net"), json!(20))
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn vultr_catalogs_and_account() {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, VULTR);
    let r = c.call("GET", "/regions", None).await;
    let ids: Vec<&str> = r.json()["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["ewr", "ord", "ams", "fra", "lhr", "sjc"]);
    let r = c.call("GET", "/plans", None).await;
    let plans = r.json()["plans"].as_array().unwrap();
    assert!(
        plans
            .iter()
            .any(|p| p["id"] == "vc2-1c-1gb" && p["monthly_cost"] == 5)
    );
    assert!(plans.iter().any(|p| p["id"] == "vc2-2c-4gb"));
    let hf = plans.iter().find(|p| p["id"] == "vhf-1c-1gb").unwrap();
    assert!(!hf["locations"].as_array().unwrap().contains(&json!("sjc")));
    assert!(
        c.call("GET", "/plans?type=vhf", None).await.json()["plans"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["type"] == "vhf")
    );
    let r = c.call("GET", "/regions/sjc/availability", None).await;
    let available = r.json()["available_plans"].as_array().unwrap();
    assert!(available.contains(&json!("vc2-1c-1gb")) && !available.contains(&json!("vhf-1c-1gb")));
    assert_eq!(
        c.call("GET", "/regions/xyz/availability", None)
            .await
            .status,
        404
    );
    let r = c.call("GET", "/os", None).await;
    let os = r.json()["os"].as_array().unwrap();
    assert!(
        os.iter()
            .any(|o| o["id"] == 2284 && o["name"].as_str().unwrap().contains("Ubuntu 24.04"))
    );
    assert!(
        os.iter()
            .any(|o| o["id"] == 2136 && o["name"].as_str().unwrap().contains("Debian 12"))
    );
    let r = c.call("GET", "/os?per_page=2", None).await;
    assert_eq!(r.json()["os"].as_array().unwrap().len(), 2);
    assert_ne!(r.json()["meta"]["links"]["next"], "");
    assert_eq!(
        c.call("GET", "/account", None).await.json()["account"]["email"],
        "demo@example.com"
    );
    emu.shutdown().await;
}

// ---- faults ------------------------------------------------------------------------------

#[tokio::test]
async fn faults_latency_rate_limit_and_server_errors() {
    let emu = start(Seed::builtin()).await;
    let d = Client::new(&emu, DO);
    let v = Client::new(&emu, VULTR);

    emu.set_faults(
        DO,
        Some("GET /v2/account"),
        Faults {
            latency: Duration::from_millis(400),
            ..Faults::default()
        },
    );
    let t = Instant::now();
    assert_eq!(d.call("GET", "/v2/account", None).await.status, 200);
    assert!(
        t.elapsed() >= Duration::from_millis(400),
        "{:?}",
        t.elapsed()
    );
    let t = Instant::now();
    d.call("GET", "/v2/regions", None).await;
    assert!(
        t.elapsed() < Duration::from_millis(400),
        "latency leaked to another route"
    );

    let limited = Faults {
        rate_limit_percent: 100,
        retry_after_secs: 7,
        ..Faults::default()
    };
    emu.set_faults(DO, None, limited.clone());
    let r = d.call("GET", "/v2/droplets", None).await;
    assert_eq!(r.status, 429);
    assert_eq!(
        r.json(),
        &json!({ "id": "too_many_requests", "message": "API rate limit exceeded." })
    );
    assert_eq!(r.headers["retry-after"], "7");
    assert_eq!(r.headers["ratelimit-remaining"], "0");
    emu.set_faults(VULTR, None, limited);
    let r = v.call("GET", "/instances", None).await;
    assert_eq!((r.status, r.json()["status"].clone()), (429, json!(429)));
    assert_eq!(r.headers["retry-after"], "7");

    emu.clear_faults();
    assert_eq!(d.call("GET", "/v2/droplets", None).await.status, 200);
    let failing = Faults {
        server_error_percent: 100,
        ..Faults::default()
    };
    emu.set_faults(DO, Some("/v2/sizes"), failing.clone());
    emu.set_faults(VULTR, Some("GET /v2/plans"), failing);
    let r = d.call("GET", "/v2/sizes", None).await;
    assert_eq!(
        (r.status, r.json()["id"].clone()),
        (500, json!("server_error"))
    );
    assert_eq!(d.call("GET", "/v2/regions", None).await.status, 200);
    assert_eq!(v.call("GET", "/plans", None).await.status, 500);
    assert_eq!(v.call("GET", "/os", None).await.status, 200);
    emu.shutdown().await;
}

#[tokio::test]
async fn faults_drop_the_connection_without_a_response() {
    let emu = start(Seed::builtin()).await;
    emu.set_faults(
        VULTR,
        Some("GET /v2/account"),
        Faults {
            drop_connection_percent: 100,
            ..Faults::default()
        },
    );
    let v = Client::new(&emu, VULTR);
    let url = v.url("/account");
    let err = v
        .fetch("GET", &url, "/account", None, Some(&emu.token(VULTR)))
        .await
        .expect_err("the connection is closed without a response");
    assert!(err.is_request() || err.is_connect(), "{err:?}");
    // A raw socket sees EOF without a byte of response.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut sock = tokio::net::TcpStream::connect(emu.local_addr(VULTR))
        .await
        .unwrap();
    let req = format!(
        "GET /v2/account HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\r\n",
        emu.token(VULTR)
    );
    sock.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let n = tokio::time::timeout(Duration::from_secs(5), sock.read_to_end(&mut buf))
        .await
        .expect("closed promptly")
        .unwrap_or(0);
    assert_eq!(n, 0, "got {:?}", String::from_utf8_lossy(&buf));
    let dropped: Vec<_> = emu
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v2/account")
        .collect();
    assert_eq!(dropped.len(), 2);
    assert!(dropped.iter().all(|r| r.status == 0));
    // Other routes still answer.
    assert_eq!(v.call("GET", "/regions", None).await.status, 200);
    emu.shutdown().await;
}

#[tokio::test]
async fn fault_percentages_are_deterministic() {
    async fn run() -> Vec<u16> {
        let emu = start(Seed::builtin()).await;
        emu.set_faults(
            DO,
            None,
            Faults {
                server_error_percent: 40,
                rate_limit_percent: 20,
                ..Faults::default()
            },
        );
        let c = Client::new(&emu, DO);
        let mut out = Vec::new();
        for _ in 0..40 {
            out.push(c.call("GET", "/v2/account", None).await.status);
        }
        emu.shutdown().await;
        out
    }
    let (a, b) = (run().await, run().await);
    assert_eq!(a, b);
    assert!(
        a.contains(&200) && a.contains(&500) && a.contains(&429),
        "{a:?}"
    );
}

#[tokio::test]
async fn stuck_locked_and_ghost_deletes() {
    let emu = start(Seed::builtin()).await;
    let v = Client::new(&emu, VULTR);
    let d = Client::new(&emu, DO);
    let id = v.call("GET", "/instances", None).await.json()["instances"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    emu.stuck_locked_deletes(2);
    for _ in 0..2 {
        let r = v.call("DELETE", &format!("/instances/{id}"), None).await;
        assert_eq!(r.status, 400);
        assert_eq!(
            r.json(),
            &json!({ "error": "Unable to destroy server: Server is currently locked", "status": 400 })
        );
    }
    emu.ghost_deletes(VULTR, 1);
    assert_eq!(
        v.call("DELETE", &format!("/instances/{id}"), None)
            .await
            .status,
        204
    );
    assert_eq!(
        v.call("GET", &format!("/instances/{id}"), None)
            .await
            .status,
        200,
        "a ghost delete leaves it"
    );
    assert_eq!(
        v.call("DELETE", &format!("/instances/{id}"), None)
            .await
            .status,
        204
    );
    assert_eq!(
        v.call("GET", &format!("/instances/{id}"), None)
            .await
            .status,
        404
    );

    let droplet = d.call("GET", "/v2/droplets", None).await.json()["droplets"][0]["id"]
        .as_u64()
        .unwrap();
    emu.ghost_deletes(DO, 1);
    assert_eq!(
        d.call("DELETE", &format!("/v2/droplets/{droplet}"), None)
            .await
            .status,
        204
    );
    assert_eq!(
        d.call("GET", &format!("/v2/droplets/{droplet}"), None)
            .await
            .status,
        200
    );
    assert_eq!(
        d.call("DELETE", &format!("/v2/droplets/{droplet}"), None)
            .await
            .status,
        204
    );
    assert_eq!(
        d.call("GET", &format!("/v2/droplets/{droplet}"), None)
            .await
            .status,
        404
    );
    emu.shutdown().await;
}

// ---- seeds and the request log -----------------------------------------------------------

#[tokio::test]
async fn the_yaml_fixture_seeds_deterministically() {
    async fn snapshot() -> (Vec<Value>, Vec<Value>, String) {
        let emu = start(fixture_seed()).await;
        assert_eq!(emu.token(DO), "dop_v1_fixture_token");
        let d = Client::new(&emu, DO);
        let v = Client::new(&emu, VULTR);
        let strip = |mut x: Value, time_keys: &[&str]| {
            for k in time_keys {
                x.as_object_mut().unwrap().remove(*k);
            }
            x
        };
        let droplets = d.call("GET", "/v2/droplets", None).await.json()["droplets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| strip(x.clone(), &["created_at"]))
            .collect();
        let instances = v.call("GET", "/instances", None).await.json()["instances"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| strip(x.clone(), &["date_created"]))
            .collect();
        let fp = d.call("GET", "/v2/account/keys", None).await.json()["ssh_keys"][0]["fingerprint"]
            .as_str()
            .unwrap()
            .to_string();
        emu.shutdown().await;
        (droplets, instances, fp)
    }
    let a = snapshot().await;
    assert_eq!(a, snapshot().await);
    let (droplets, instances, _) = &a;
    let names: Vec<&str> = droplets
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["web-1", "worker-1", "hand-made"]);
    assert_eq!(droplets[0]["id"], 500000001);
    assert_eq!(droplets[1]["status"], "off");
    assert!(
        droplets[0]["tags"]
            .as_array()
            .unwrap()
            .contains(&json!("machine:session:ab12cd34"))
    );
    assert_eq!(droplets[2]["tags"], json!([]));
    assert_eq!(instances[1]["hostname"], "db-1.fixture.example");
    assert_eq!(instances[1]["power_status"], "stopped");

    let emu = start(fixture_seed()).await;
    let d = Client::new(&emu, DO);
    let r = d
        .call("GET", "/v2/domains/fixture.example/records?type=SRV", None)
        .await;
    assert_eq!(r.json()["domain_records"][0]["port"], 5060);
    let v = Client::new(&emu, VULTR);
    assert_eq!(
        v.call("GET", "/account", None).await.json()["account"]["name"],
        "Fixture Account"
    );
    emu.shutdown().await;

    // A seed naming an unknown region is refused.
    let broken = Seed::from_yaml_str(
        "vultr: { instances: [{ label: x, region: mars, plan: vc2-1c-1gb, os_id: 2284 }] }",
    )
    .unwrap();
    assert!(
        Emulator::start(EmulatorConfig {
            seed: broken,
            ..EmulatorConfig::default()
        })
        .await
        .is_err()
    );
}

#[tokio::test]
async fn the_request_log_records_method_path_query_body_and_status() {
    let emu = start(Seed::builtin()).await;
    let d = Client::new(&emu, DO);
    let v = Client::new(&emu, VULTR);
    d.call(
        "GET",
        "/v2/droplets?tag_name=machine:created&per_page=5",
        None,
    )
    .await;
    v.call(
        "POST",
        "/ssh-keys",
        Some(json!({ "name": "logged", "ssh_key": KEY_B })),
    )
    .await;
    let log = emu.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(
        (
            log[0].provider,
            log[0].method.as_str(),
            log[0].path.as_str(),
            log[0].status
        ),
        (DO, "GET", "/v2/droplets", 200)
    );
    assert_eq!(
        log[0].query_param("tag_name").as_deref(),
        Some("machine:created")
    );
    assert_eq!(log[0].body, None);
    assert_eq!(
        (log[1].provider, log[1].path.as_str(), log[1].status),
        (VULTR, "/v2/ssh-keys", 201)
    );
    assert_eq!(log[1].body.as_ref().unwrap()["name"], "logged");
    emu.clear_requests();
    assert!(emu.requests().is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn dropping_the_emulator_stops_it() {
    let emu = start(Seed::builtin()).await;
    let addr = emu.local_addr(DO);
    drop(emu);
    let deadline = Instant::now() + Duration::from_secs(5);
    while tokio::net::TcpStream::connect(addr).await.is_ok() {
        assert!(Instant::now() < deadline, "the listener is still open");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn the_standalone_binary_serves_both_apis() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let seed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/emulator-seed.yaml"
    );
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_cloud-emulator"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--seed",
            seed,
            "--ip-delay-ms",
            "10",
        ])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut out = Vec::new();
    while out.len() < 4 {
        let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .expect("the binary prints its URLs")
            .unwrap()
            .expect("more output");
        out.push(line);
    }
    let url_after = |prefix: &str| {
        out.iter()
            .find_map(|l| l.strip_prefix(prefix))
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|| panic!("no {prefix:?} line in {out:?}"))
    };
    let do_url = url_after("DigitalOcean API:");
    let vultr_url = url_after("Vultr API:");
    assert!(vultr_url.ends_with("/v2"), "{vultr_url}");
    assert!(
        out.iter().any(|l| l.contains("dop_v1_fixture_token")),
        "{out:?}"
    );
    let http = reqwest::Client::new();
    let r = http
        .get(format!("{do_url}/v2/account"))
        .bearer_auth("dop_v1_fixture_token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let r = http
        .get(format!("{vultr_url}/instances"))
        .bearer_auth("VULTRFIXTURETOKEN000000000000000000000")
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["meta"]["total"], 3);
    child.kill().await.unwrap();
}

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
    let spec = openapi::spec(provider.into());
    emu.requests()
        .into_iter()
        .filter(|r| r.provider == provider && (200..300).contains(&r.status))
        .filter_map(|r| {
            spec.operation(&r.method, &r.path)
                .map(|op| (r.method.clone(), op.template.to_string()))
        })
        .collect()
}

#[tokio::test]
async fn every_route_of_both_tables_answers_successfully() {
    let emu = start(Seed::builtin()).await;
    let d = Client::new(&emu, DO);
    let v = Client::new(&emu, VULTR);

    // DigitalOcean, in an order where every call succeeds.
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

    // Vultr.
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

    for (provider, expected) in [(DO, DO_ROUTES), (VULTR, VULTR_ROUTES)] {
        let hit = successful_templates(&emu, provider);
        let missing: Vec<_> = expected
            .iter()
            .filter(|(m, t)| !hit.contains(&(m.to_string(), t.to_string())))
            .collect();
        assert!(
            missing.is_empty(),
            "{provider:?} routes without a 2xx answer: {missing:?}"
        );
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn with_no_ip_delay_the_create_answer_is_still_pending() {
    let emu = start_with_delay(Seed::builtin(), Duration::ZERO).await;
    let d = Client::new(&emu, DO);
    let body = json!({ "name": "instant", "size": "s-1vcpu-1gb", "image": "debian-12-x64" });
    let r = d.call("POST", "/v2/droplets", Some(body)).await;
    assert_eq!(r.json()["droplet"]["status"], "new");
    let id = r.json()["droplet"]["id"].as_u64().unwrap();
    let r = d.call("GET", &format!("/v2/droplets/{id}"), None).await;
    assert_eq!(r.json()["droplet"]["status"], "active");
    assert!(public_v4(&r.json()["droplet"]).is_some());

    let v = Client::new(&emu, VULTR);
    let body = json!({ "region": "ewr", "plan": "vc2-1c-1gb", "os_id": 2284 });
    let r = v.call("POST", "/instances", Some(body)).await;
    assert_eq!(r.json()["instance"]["main_ip"], "0.0.0.0");
    let id = r.json()["instance"]["id"].as_str().unwrap().to_string();
    let r = v.call("GET", &format!("/instances/{id}"), None).await;
    assert_eq!(r.json()["instance"]["status"], "active");
    emu.shutdown().await;
}

#[tokio::test]
async fn large_fleets_page_through_completely() {
    let emu = start(Seed::default()).await;
    emu.add_machines(DO, 2_500, &["fleet"]);
    emu.add_machines(VULTR, 2_500, &["fleet"]);
    let d = Client::new(&emu, DO);
    let mut ids = std::collections::BTreeSet::new();
    let mut next = Some(format!(
        "{}/v2/droplets?tag_name=fleet&per_page=200",
        emu.digitalocean_base_url()
    ));
    while let Some(url) = next {
        let r = d.get_absolute(&url).await;
        for x in r.json()["droplets"].as_array().unwrap() {
            ids.insert(x["id"].as_u64().unwrap());
        }
        next = r.json()["links"]["pages"]
            .get("next")
            .map(|n| n.as_str().unwrap().to_string());
    }
    assert_eq!(ids.len(), 2_500);

    let v = Client::new(&emu, VULTR);
    let mut ids = std::collections::BTreeSet::new();
    let mut cursor = String::new();
    loop {
        let r = v
            .call(
                "GET",
                &format!("/instances?per_page=500&cursor={cursor}"),
                None,
            )
            .await;
        for x in r.json()["instances"].as_array().unwrap() {
            ids.insert(x["id"].as_str().unwrap().to_string());
        }
        cursor = r.json()["meta"]["links"]["next"]
            .as_str()
            .unwrap()
            .to_string();
        if cursor.is_empty() {
            break;
        }
    }
    assert_eq!(ids.len(), 2_500);
    emu.shutdown().await;
}
