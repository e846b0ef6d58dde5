//! The conformance suite: plain async functions over `&dyn CloudProvider` and its emulator.
//! Every provider runs every function; together they define "a correct provider".

use std::collections::HashSet;
use std::time::{Duration, Instant};

use base64::Engine;
use hangar::provider::{
    CloudProvider, CreateMachine, DnsRecordSpec, DnsRecordType, Machine, MachineFilter,
    MachineStatus, PowerAction, ProviderError,
};
use hangar_emulator::{EmulatedProvider, Emulator, Faults, RecordedRequest};

pub use super::dns::dns_every_type_round_trips;
pub use super::firewall::firewall_allow_me_then_sweep;
use super::harness::{connect, emulator_machine_names, unique};
pub use super::manage::rename_and_retag;
pub use super::resize::{rebuild_keeps_the_machine, resize_changes_the_plan};
pub use super::snapshots::snapshot_then_create_from_it;
use hangar_spec_check as openapi;

const USER_DATA: &str = "#cloud-config\nruncmd:\n  - echo hangar > /root/hello\n";

/// Collection path of machines as the emulator records it (Vultr paths include `/v2`).
pub fn machines_path(kind: EmulatedProvider) -> &'static str {
    kind.sample().machines_path
}

fn machine_path(kind: EmulatedProvider, id: &str) -> String {
    format!("{}/{id}", machines_path(kind))
}

fn account_route(kind: EmulatedProvider) -> String {
    format!("GET {}", kind.sample().account_path)
}

/// A create request built from the live catalog: the first available region, a size offered
/// there, the first image.
pub async fn create_request(p: &dyn CloudProvider, name: &str, tag: &str) -> CreateMachine {
    let (regions, sizes, images) = tokio::try_join!(p.regions(), p.sizes(), p.images()).unwrap();
    let size = sizes
        .iter()
        .filter(|s| !s.regions.is_empty())
        .min_by(|a, b| a.price_monthly.total_cmp(&b.price_monthly))
        .expect("a size");
    let region = regions
        .iter()
        .find(|r| r.available && size.regions.contains(&r.slug))
        .expect("an available region for the size");
    CreateMachine {
        name: name.to_string(),
        region: region.slug.clone(),
        size: size.slug.clone(),
        image: images.first().expect("an image").id.clone().into(),
        ssh_key_ids: vec![],
        tags: vec![tag.to_string(), "hangar".to_string()],
        user_data: Some(USER_DATA.to_string()),
        ipv6: false,
    }
}

/// Poll until the machine is active with a public IPv4.
pub async fn wait_ready(p: &dyn CloudProvider, id: &str) -> Machine {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let m = p
            .get_machine(id)
            .await
            .expect("get while waiting for the IP");
        if m.is_ready() {
            return m;
        }
        assert!(Instant::now() < deadline, "no IP after 20 s: {m:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_status(p: &dyn CloudProvider, id: &str, want: MachineStatus) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let m = p
            .get_machine(id)
            .await
            .expect("get while waiting for a status");
        if m.status == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "status stayed {:?}, want {want:?}",
            m.status
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Create → listed by tag → IP → DNS record create/list/update/delete → power → destroy → gone.
/// Returns the id of the machine it created and destroyed.
pub async fn lifecycle(p: &dyn CloudProvider, emulator: &Emulator, kind: EmulatedProvider) {
    run_lifecycle(p, emulator, kind).await;
}

/// [`lifecycle`], returning the id of the machine it created and destroyed.
pub async fn run_lifecycle(
    p: &dyn CloudProvider,
    emulator: &Emulator,
    kind: EmulatedProvider,
) -> String {
    let account = p.account().await.expect("account");
    assert!(account.email.contains('@'));

    let name = unique("conf");
    let tag = unique("hangar-conf");
    let request = create_request(p, &name, &tag).await;
    let created = p.create_machine(&request).await.expect("create");
    assert_eq!(created.name, name);
    assert!(created.tags.contains(&tag));

    let listed = p
        .list_machines(&MachineFilter::tagged(&tag))
        .await
        .expect("list by tag");
    assert_eq!(
        listed.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        [created.id.as_str()],
        "exactly the new machine carries the tag"
    );

    let ready = wait_ready(p, &created.id).await;
    let ip = ready.ipv4.clone().expect("ready means an IP");

    dns_round_trip(p, &name, &ip).await;

    p.power(&created.id, PowerAction::PowerOff)
        .await
        .expect("power off");
    wait_status(p, &created.id, MachineStatus::Off).await;
    p.power(&created.id, PowerAction::PowerOn)
        .await
        .expect("power on");
    wait_status(p, &created.id, MachineStatus::Active).await;
    p.power(&created.id, PowerAction::Reboot)
        .await
        .expect("reboot");

    p.destroy_machine(&created.id).await.expect("destroy");
    let err = p
        .get_machine(&created.id)
        .await
        .expect_err("gone after destroy");
    assert!(err.is_not_found(), "{err}");
    assert!(
        p.list_machines(&MachineFilter::tagged(&tag))
            .await
            .unwrap()
            .is_empty()
    );

    // The create body carried the user data the way the provider wants it.
    let create = emulator
        .requests()
        .into_iter()
        .find(|r| {
            r.method == "POST" && r.path == machines_path(kind) && (200..300).contains(&r.status)
        })
        .expect("a successful create request");
    let body = create.body.expect("create body is JSON");
    // Plain (DigitalOcean) or base64 (Vultr), at the top or in `metadata` (Linode).
    let sent = body["user_data"]
        .as_str()
        .or_else(|| body["metadata"]["user_data"].as_str())
        .expect("user_data sent");
    let plain = if sent == USER_DATA {
        sent.to_string()
    } else {
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(sent)
                .expect("base64"),
        )
        .unwrap()
    };
    assert_eq!(plain, USER_DATA);
    created.id
}

async fn dns_round_trip(p: &dyn CloudProvider, name: &str, ip: &str) {
    let zones = p.list_zones().await.expect("zones");
    let zone = &zones.first().expect("the emulator hosts a zone").name;
    let spec = DnsRecordSpec::new(DnsRecordType::A, name, ip).with_ttl(300);
    let record = p.create_record(zone, &spec).await.expect("create record");
    assert_eq!(record.spec.name, name);
    assert_eq!(record.spec.data, ip);
    let records = p.list_records(zone).await.expect("list records");
    assert!(
        records
            .iter()
            .any(|r| r.id == record.id && r.spec.data == ip)
    );

    // 3600: a TTL every provider keeps as sent (Linode rounds others up to its list).
    let changed = DnsRecordSpec::new(DnsRecordType::A, name, "192.0.2.99").with_ttl(3600);
    let updated = p
        .update_record(zone, &record.id, &changed)
        .await
        .expect("update record");
    assert_eq!(updated.id, record.id);
    let after = p.list_records(zone).await.unwrap();
    let stored = after
        .iter()
        .find(|r| r.id == record.id)
        .expect("still listed");
    assert_eq!(
        (stored.spec.data.as_str(), stored.spec.ttl),
        ("192.0.2.99", Some(3600))
    );

    p.delete_record(zone, &record.id)
        .await
        .expect("delete record");
    let after = p.list_records(zone).await.unwrap();
    assert!(after.iter().all(|r| r.id != record.id), "record gone");
}

/// More than three pages of machines are all listed, each once.
pub async fn pagination(p: &dyn CloudProvider, emulator: &Emulator, kind: EmulatedProvider) {
    let per_page = kind.sample().max_page_size;
    let count = per_page * 3 + 17;
    let tag = unique("bulk");
    emulator.add_machines(kind, count, &[tag.as_str()]);
    emulator.clear_requests();
    let machines = p
        .list_machines(&MachineFilter::tagged(&tag))
        .await
        .expect("list");
    assert_eq!(machines.len(), count);
    let ids: HashSet<&str> = machines.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids.len(), count, "no machine listed twice");
    assert!(machines.iter().all(|m| m.tags.contains(&tag)));
    let pages = emulator
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path == machines_path(kind))
        .count();
    assert!(pages >= 4, "{pages} page requests for {count} machines");
    assert!(
        pages <= 5,
        "{pages} page requests: pages are as large as the API allows"
    );
}

fn statuses(emulator: &Emulator, route_path: &str) -> Vec<u16> {
    emulator
        .requests()
        .iter()
        .filter(|r| r.path == route_path)
        .map(|r| r.status)
        .collect()
}

/// Each injected fault, one at a time, on the account call.
pub async fn faults(p: &dyn CloudProvider, emulator: &Emulator, kind: EmulatedProvider) {
    let route = account_route(kind);
    let path = route.trim_start_matches("GET ");

    emulator.set_faults(
        kind,
        Some(route.as_str()),
        Faults {
            latency: Duration::from_millis(300),
            ..Faults::default()
        },
    );
    let started = Instant::now();
    p.account().await.expect("latency is only slow");
    assert!(started.elapsed() >= Duration::from_millis(300));
    emulator.clear_faults();

    let cases: [(&str, Faults, u16); 3] = [
        (
            "429 with Retry-After",
            Faults {
                rate_limit_percent: 50,
                retry_after_secs: 1,
                ..Faults::default()
            },
            429,
        ),
        (
            "500",
            Faults {
                server_error_percent: 50,
                ..Faults::default()
            },
            500,
        ),
        (
            "dropped connection",
            Faults {
                drop_connection_percent: 50,
                ..Faults::default()
            },
            0,
        ),
    ];
    for (what, faults, status) in cases {
        emulator.clear_requests();
        emulator.set_faults(kind, Some(route.as_str()), faults);
        let started = Instant::now();
        for _ in 0..6 {
            p.account().await.unwrap_or_else(|e| panic!("{what}: {e}"));
        }
        let seen = statuses(emulator, path);
        let injected = seen.iter().filter(|s| **s == status).count();
        assert!(injected > 0, "{what}: no fault was injected in {seen:?}");
        assert_eq!(
            seen.iter().filter(|s| **s == 200).count(),
            6,
            "{what}: {seen:?}"
        );
        if status == 429 {
            assert!(
                started.elapsed() >= Duration::from_secs(injected as u64),
                "{what}: Retry-After: 1 was honoured after each of {injected} refusals"
            );
        }
        emulator.clear_faults();
    }
}

/// A delete the provider accepts but does not carry out is detected and repeated.
pub async fn ghost_delete(p: &dyn CloudProvider, emulator: &Emulator, kind: EmulatedProvider) {
    let name = unique("ghost");
    let request = create_request(p, &name, &unique("hangar-ghost")).await;
    let m = p.create_machine(&request).await.unwrap();
    wait_ready(p, &m.id).await;
    emulator.clear_requests();
    emulator.ghost_deletes(kind, 1);
    p.destroy_machine(&m.id)
        .await
        .expect("destroy despite a ghost delete");
    let deletes = emulator
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE" && r.path == machine_path(kind, &m.id))
        .count();
    assert_eq!(deletes, 2, "the ghost delete was repeated once");
    assert!(p.get_machine(&m.id).await.unwrap_err().is_not_found());
}

/// A machine that survives every delete is reported, not silently forgotten.
pub async fn surviving_machine_is_reported(
    p: &dyn CloudProvider,
    emulator: &Emulator,
    kind: EmulatedProvider,
) {
    let request = create_request(p, &unique("survivor"), &unique("hangar-survivor")).await;
    let m = p.create_machine(&request).await.unwrap();
    emulator.ghost_deletes(kind, 100);
    let err = p
        .destroy_machine(&m.id)
        .await
        .expect_err("the machine survives");
    assert!(matches!(err, ProviderError::StillExists { .. }), "{err}");
    assert!(err.to_string().contains("still exists"));
    emulator.clear_faults();
    p.destroy_machine(&m.id)
        .await
        .expect("destroy once the provider behaves");
}

/// Vultr: DELETE refused as "currently locked" while provisioning is retried until accepted.
pub async fn stuck_locked_delete(
    p: &dyn CloudProvider,
    emulator: &Emulator,
    kind: EmulatedProvider,
) {
    let request = create_request(p, &unique("locked"), &unique("hangar-locked")).await;
    let m = p.create_machine(&request).await.unwrap();
    emulator.clear_requests();
    emulator.stuck_locked_deletes(3);
    p.destroy_machine(&m.id)
        .await
        .expect("destroy once unlocked");
    let statuses: Vec<u16> = emulator
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE" && r.path == machine_path(kind, &m.id))
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [400, 400, 400, 204]);
    assert!(p.get_machine(&m.id).await.unwrap_err().is_not_found());
}

/// Under 20% injected 429/500 on every route, the full lifecycle completes, exactly one machine
/// was created, and none is left behind.
pub async fn lifecycle_under_faults(
    p: &dyn CloudProvider,
    emulator: &Emulator,
    kind: EmulatedProvider,
) {
    emulator.clear_requests();
    emulator.set_faults(
        kind,
        None,
        Faults {
            rate_limit_percent: 10,
            retry_after_secs: 0,
            server_error_percent: 10,
            ..Faults::default()
        },
    );
    let id = run_lifecycle(p, emulator, kind).await;
    let requests: Vec<RecordedRequest> = emulator.requests();
    emulator.clear_faults();
    assert_requests_follow_the_spec(emulator, kind);

    let faulted = requests
        .iter()
        .filter(|r| r.status == 429 || r.status == 500)
        .count();
    assert!(faulted > 0, "faults were injected");
    let creates = requests
        .iter()
        .filter(|r| {
            r.method == "POST" && r.path == machines_path(kind) && (200..300).contains(&r.status)
        })
        .count();
    assert_eq!(creates, 1, "exactly one machine was created");
    let leftovers: Vec<Machine> = p
        .list_machines(&MachineFilter::all())
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.id == id || m.name.starts_with("conf-"))
        .collect();
    assert!(leftovers.is_empty(), "leaked: {leftovers:?}");
    // The same, read from the emulator's state without the client under test.
    let names = emulator_machine_names(emulator, kind).await;
    assert!(!names.is_empty(), "the seeded machines are still there");
    assert!(
        !names.iter().any(|n| n.starts_with("conf-")),
        "leaked: {names:?}"
    );
}

/// Every request the client sent — method, path, query parameter names and JSON body — is one the
/// provider's spec defines.
pub fn assert_requests_follow_the_spec(emulator: &Emulator, kind: EmulatedProvider) {
    let requests = emulator.requests();
    assert!(!requests.is_empty(), "the client sent requests");
    let mut problems = Vec::new();
    for r in &requests {
        if let Err(e) = openapi::check_request(kind, &r.method, &r.path, r.body.as_ref()) {
            problems.push(e);
        }
        problems.extend(undeclared_query_parameters(
            kind, &r.method, &r.path, &r.query,
        ));
    }
    assert!(
        problems.is_empty(),
        "{kind:?} requests break the spec:\n{}",
        problems.join("\n")
    );
}

/// Query parameters of a request that its operation does not declare.
fn undeclared_query_parameters(
    kind: EmulatedProvider,
    method: &str,
    path: &str,
    query: &str,
) -> Vec<String> {
    let spec = openapi::spec(kind);
    let Some(op) = spec.operation(method, path) else {
        return Vec::new(); // reported by check_request
    };
    let declared: Vec<String> = op.op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| resolve(spec.document(), p))
        .filter(|p| p["in"] == "query")
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect();
    query_pairs(query)
        .into_iter()
        .filter(|(name, _)| !declared.contains(name))
        .map(|(name, _)| {
            format!("{method} {path}: query parameter `{name}` is not declared ({declared:?})")
        })
        .collect()
}

/// Follow a (possibly absolute) `$ref` inside the converted document.
fn resolve<'a>(doc: &'a serde_json::Value, v: &'a serde_json::Value) -> &'a serde_json::Value {
    match v.get("$ref").and_then(serde_json::Value::as_str) {
        Some(r) => {
            let pointer = &r[r.find('#').map_or(0, |i| i + 1)..];
            resolve(
                doc,
                doc.pointer(pointer)
                    .unwrap_or_else(|| panic!("unresolved {r}")),
            )
        }
        None => v,
    }
}

fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// The lifecycle, then every request it sent checked against the spec.
pub async fn requests_follow_the_spec(
    p: &dyn CloudProvider,
    emulator: &Emulator,
    kind: EmulatedProvider,
) {
    emulator.clear_requests();
    run_lifecycle(p, emulator, kind).await;
    let (zones, keys) = tokio::join!(p.list_zones(), p.list_ssh_keys());
    zones.unwrap();
    let keys = keys.unwrap();
    assert!(!keys.is_empty(), "the emulator has a key");
    assert_eq!(
        p.find_ssh_key(&keys[0].name).await.unwrap(),
        Some(keys[0].clone())
    );
    if let Some(projects) = p.projects() {
        let list = projects.list_projects().await.unwrap();
        let request = create_request(p, &unique("proj"), &unique("hangar-proj")).await;
        let m = p.create_machine(&request).await.unwrap();
        let default = list
            .iter()
            .find(|p| p.is_default)
            .expect("a default project");
        projects
            .assign_machine(&default.id, &m.id)
            .await
            .expect("assign");
        p.destroy_machine(&m.id).await.unwrap();
    } else {
        assert!(!p.capabilities().projects);
        let err = hangar::provider::projects_of(p).err().expect("no projects");
        assert!(matches!(err, ProviderError::Unsupported { .. }), "{err}");
    }
    assert_requests_follow_the_spec(emulator, kind);

    // The checks can fail: a body and a query the spec does not allow are reported.
    let bad_body = serde_json::json!({ "name": 5 });
    assert!(openapi::check_request(kind, "POST", machines_path(kind), Some(&bad_body)).is_err());
    let bad_query = format!("{}=5&bogus=1", kind.sample().page_size_param);
    assert_eq!(
        undeclared_query_parameters(kind, "GET", machines_path(kind), &bad_query).len(),
        1
    );
}

/// Catalogs come from the live API once per TTL: a form that asks again gets the cached copy.
pub async fn catalogs_are_cached(p: &dyn CloudProvider, emulator: &Emulator, _: EmulatedProvider) {
    emulator.clear_requests();
    let (regions, sizes, images) = tokio::try_join!(p.regions(), p.sizes(), p.images()).unwrap();
    assert!(!regions.is_empty() && !sizes.is_empty() && !images.is_empty());
    let first = emulator.requests().len();
    assert_eq!(first, 3, "one request per catalog");
    let again = futures_util::future::join_all((0..10).map(|_| p.sizes())).await;
    assert!(
        again
            .iter()
            .all(|s| s.as_ref().unwrap().len() == sizes.len())
    );
    assert_eq!(
        emulator.requests().len(),
        first,
        "no refetch within the TTL"
    );
    assert!(
        sizes
            .iter()
            .all(|s| s.vcpus > 0 && s.memory_mb > 0 && !s.regions.is_empty())
    );
    assert!(regions.iter().any(|r| r.available));
}

/// A wrong token is an authentication error with an actionable message, and never printed.
pub async fn wrong_token_is_an_auth_error(
    _: &dyn CloudProvider,
    emulator: &Emulator,
    kind: EmulatedProvider,
) {
    let token = "wrong-token-4f1c9d";
    let p = super::harness::connect_with_token(kind, emulator, token, None);
    let err = p.account().await.expect_err("wrong token");
    assert!(
        matches!(err, ProviderError::Auth { status: 401, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("rejected the credentials: check the token"),
        "{err}"
    );
    for text in [err.to_string(), format!("{err:?}"), format!("{p:?}")] {
        assert!(!text.contains(token), "token printed: {text}");
    }
    // The right token through the harness works against the same emulator.
    connect(kind, emulator, None)
        .account()
        .await
        .expect("right token");
}

/// Creates that fail ambiguously (500, dropped connection) are reconciled: every machine asked
/// for exists exactly once.
pub async fn ambiguous_create_failures_make_one_machine_each(
    p: &dyn CloudProvider,
    emulator: &Emulator,
    kind: EmulatedProvider,
) {
    let route = format!("POST {}", machines_path(kind));
    emulator.clear_requests();
    emulator.set_faults(
        kind,
        Some(&route),
        Faults {
            server_error_percent: 25,
            drop_connection_percent: 25,
            ..Faults::default()
        },
    );
    let tag = unique("hangar-ambiguous");
    let mut ids = Vec::new();
    for _ in 0..6 {
        let request = create_request(p, &unique("amb"), &tag).await;
        ids.push(
            p.create_machine(&request)
                .await
                .expect("create despite faults")
                .id,
        );
    }
    emulator.clear_faults();
    let creates: Vec<u16> = emulator
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == machines_path(kind))
        .map(|r| r.status)
        .collect();
    assert!(
        creates.iter().any(|s| *s == 500 || *s == 0),
        "faults were injected on create: {creates:?}"
    );
    assert_eq!(
        creates.iter().filter(|s| (200..300).contains(*s)).count(),
        6,
        "one accepted create per machine: {creates:?}"
    );
    let mut listed: Vec<String> = p
        .list_machines(&MachineFilter::tagged(&tag))
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    listed.sort();
    ids.sort();
    assert_eq!(listed, ids, "each machine exists once");
    assert_requests_follow_the_spec(emulator, kind);
}
