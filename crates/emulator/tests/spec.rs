//! The cloud API emulator, exercised over real HTTP: every route of both providers, with every
//! response body (errors included) validated against the providers' official OpenAPI specs.
//!
//! The checks are one list of cases ([`cases!`] below), each run for each provider it applies
//! to through a small adapter ([`adapter::Adapter`]: paths, bodies, field names, statuses):
//! case `machines::lifecycle_and_ip_delay` becomes the tests
//! `lifecycle_and_ip_delay::digitalocean` and `lifecycle_and_ip_delay::vultr`. Linode runs
//! the cases whose shapes it shares (auth, unknown paths, faults, seeds) and its own in
//! `spec/linode.rs`.

#[path = "spec/adapter.rs"]
mod adapter;
#[path = "spec/catalogs.rs"]
mod catalogs;
#[path = "spec/client.rs"]
mod client;
#[path = "spec/coverage.rs"]
mod coverage;
#[path = "spec/dns.rs"]
mod dns;
#[path = "spec/faults.rs"]
mod faults;
#[path = "spec/firewalls.rs"]
mod firewalls;
#[path = "spec/keys.rs"]
mod keys;
#[path = "spec/linode.rs"]
mod linode;
#[path = "spec/machines.rs"]
mod machines;
#[path = "spec/resize.rs"]
mod resize;
#[path = "spec/seeds.rs"]
mod seeds;
#[path = "spec/snapshots.rs"]
mod snapshots;

use std::time::Duration;

use hangar_spec_check::{self as openapi, Api};
use serde_json::{Value, json};

use client::{Client, DO, KEY_B, VULTR, start};
use hangar_emulator::Seed;

/// One test per case and provider: `module::case => [providers]` defines the tests
/// `case::digitalocean` and/or `case::vultr`, each running `module::case` with that
/// provider's adapter.
macro_rules! cases {
    ($($module:ident :: $case:ident => [$($provider:ident),+];)*) => {
        $(
            mod $case {
                $(
                    #[tokio::test]
                    async fn $provider() {
                        crate::$module::$case(crate::adapter::Adapter::$provider()).await
                    }
                )+
            }
        )*
    };
}

cases! {
    // Machines.
    machines::lifecycle_and_ip_delay => [digitalocean, vultr];
    machines::list_filters => [digitalocean, vultr];
    machines::pagination_follows_the_spec => [digitalocean, vultr];
    machines::large_fleets_page_through_completely => [digitalocean, vultr];
    machines::create_validates_its_input => [digitalocean, vultr];
    machines::auth_failures_give_401 => [digitalocean, vultr, linode];
    machines::unknown_ids_paths_and_methods => [digitalocean, vultr, linode];
    machines::broken_machine_bodies_fail_the_check => [digitalocean, vultr];
    machines::with_no_ip_delay_the_create_answer_is_still_pending => [digitalocean, vultr];
    machines::multi_create_and_delete_by_tag => [digitalocean];
    machines::ghost_deletes => [digitalocean, vultr, linode];
    machines::stuck_locked_deletes => [vultr];
    machines::dropping_the_emulator_stops_it => [digitalocean, vultr, linode];
    // Resize and rebuild.
    resize::resize_and_rebuild => [digitalocean, vultr];
    // Snapshots.
    snapshots::snapshot_and_create_from_it => [digitalocean, vultr];
    // SSH keys.
    keys::ssh_key_crud => [digitalocean, vultr, linode];
    keys::ssh_key_read_limit_when_enabled => [digitalocean];
    // DNS.
    dns::domains_and_records => [digitalocean, vultr];
    dns::record_conventions => [digitalocean, vultr];
    // Catalogs, account, projects, tags.
    catalogs::catalogs_and_account => [digitalocean, vultr, linode];
    catalogs::projects_and_assignments => [digitalocean];
    catalogs::tags => [digitalocean];
    // Firewalls.
    firewalls::digitalocean_firewalls => [digitalocean];
    firewalls::vultr_firewall_groups => [vultr];
    // Faults.
    faults::injected_latency => [digitalocean, vultr, linode];
    faults::injected_rate_limits => [digitalocean, vultr, linode];
    faults::injected_server_errors => [digitalocean, vultr, linode];
    faults::dropped_connections => [digitalocean, vultr, linode];
    faults::held_requests_time_out => [digitalocean, vultr, linode];
    faults::fault_percentages_are_deterministic => [digitalocean, vultr, linode];
    // Seeds and coverage.
    seeds::the_yaml_fixture_seeds_deterministically => [digitalocean, vultr, linode];
    seeds::a_broken_seed_is_refused => [digitalocean, vultr, linode];
    coverage::every_route_answers_successfully => [digitalocean, vultr];
    // Linode (unwrapped bodies, `{data, page, pages, results}` pages, 200 for every success,
    // busy states): its own cases, resize, rebuild and Cloud Firewalls included; Linode's
    // snapshots (backups) are not offered.
    linode::linode_lifecycle_and_busy_states => [linode];
    linode::linode_filters => [linode];
    linode::linode_pagination => [linode];
    linode::linode_create_validates_its_input => [linode];
    linode::linode_resize_and_rebuild => [linode];
    linode::linode_catalogs_and_account => [linode];
    linode::linode_ssh_key_crud => [linode];
    linode::linode_domains_and_records => [linode];
    linode::linode_every_route_answers => [linode];
    linode::linode_firewalls => [linode];
    linode::linode_status_proxy_follows_the_boot => [linode];
    linode::linode_broken_bodies_fail_the_check => [linode];
}

// ---- the checker itself, the request log, the binary: not per provider ---------------------

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
    // Linode: errors are `{"errors": [{"reason", "field"}]}`, with the `/v4` prefix or not.
    openapi::check_response(
        Api::Linode,
        "GET",
        "/v4/linode/instances/1",
        404,
        Some(&json!({ "errors": [{ "reason": "Not found" }] })),
    )
    .unwrap();
    assert!(
        openapi::check_response(
            Api::Linode,
            "GET",
            "/linode/instances/1",
            404,
            Some(&json!({ "error": "Not found" }))
        )
        .is_err()
    );
    assert!(
        openapi::check_response(
            Api::Linode,
            "POST",
            "/linode/instances",
            400,
            Some(&json!({ "errors": [{ "reason": 1 }] }))
        )
        .is_err()
    );
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
