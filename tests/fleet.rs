//! The application layer (`hangar::fleet`) over the demo cloud and the emulator: loading the
//! accounts, the fan-out across accounts (a hanging or failing account never holds up the
//! others), DNS joined to machines, create with its cloud-init wait, destroy and defaults.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hangar::accounts::{
    self, Account, AccountDefaults, AccountDetails, AccountId, ProviderKind, SecretRef,
};
use hangar::error::ErrorKind;
use hangar::fleet::bulk::{self, BulkAction};
use hangar::fleet::create::{self as fleet_create, CreateRequest};
use hangar::fleet::destroy::{self as fleet_destroy};
use hangar::fleet::machines::{self, MachineRefs};
use hangar::fleet::{
    DemoStarter, Fleet, FleetState, LiveAccount, PerAccount, account_settings, dns as fleet_dns,
    ignore_each, startup_report,
};
use hangar::provider::{DnsRecordSpec, DnsRecordType, MachineFilter, PowerAction};
use hangar::providers::http::{ClientOptions, RetryPolicy};
use hangar::secrets::Token;
use hangar::settings::{DemoCloud as DemoMode, Settings, SettingsFile};
use hangar::usecases::create::{CloudInitResult, CloudInitWait, preflight};
use hangar::usecases::{CreateProgress, DestroyProgress, dns};
use hangar_demo::{DEMO_SESSION, demo_defaults, demo_machine_types};
use hangar_emulator::{EmulatedProvider, Emulator, EmulatorConfig, Faults};
use tokio_util::sync::CancellationToken;

/// A fleet of the demo cloud's two accounts, as the app has it with no account configured.
async fn demo_fleet() -> Fleet {
    let cloud = hangar_demo::start_with(0).await.expect("demo cloud");
    Fleet {
        accounts: cloud.accounts.clone(),
        session: Some(cloud.session.clone()),
        demo: Some(Arc::new(cloud)),
        ..Fleet::default()
    }
}

/// Fast retries, so a failing account fails in well under a second.
fn quick(timeout: Duration) -> ClientOptions {
    ClientOptions {
        retry: RetryPolicy {
            max_retries: 1,
            min_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(20),
            request_timeout: timeout,
            connect_timeout: timeout,
            ..RetryPolicy::default()
        },
        ..ClientOptions::default()
    }
}

/// An account of `provider` whose API is at `url`.
fn account_at(id: &str, provider: ProviderKind, url: &str, timeout: Duration) -> LiveAccount {
    let client = hangar::providers::connect(
        provider,
        &Token::from("any-token".to_string()),
        Some(url),
        quick(timeout),
    );
    LiveAccount {
        id: id.into(),
        label: id.into(),
        provider,
        simulated: false,
        client: client.map_err(Into::into),
        defaults: AccountDefaults::default(),
    }
}

/// A loopback port that accepts connections and never answers.
async fn hanging_api() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (url, task)
}

fn request(account: &str, name: &str) -> CreateRequest {
    let d = demo_defaults(ProviderKind::DigitalOcean);
    CreateRequest {
        account_id: account.into(),
        name: name.into(),
        region: d.region.unwrap(),
        size: d.size.unwrap(),
        image: d.image.unwrap(),
        snapshot: None,
        ssh_keys: d.ssh_keys,
        machine_type: Some("web".into()),
        dns_zone: d.dns_zone,
        extra_tag: Some("trial".into()),
        allow_duplicate: false,
    }
}

fn env_account(label: &str, provider: ProviderKind) -> Account {
    Account {
        id: AccountId::generate(),
        label: label.into(),
        provider,
        secret: SecretRef::Env {
            var: "HANGAR_TEST_UNSET_TOKEN_VARIABLE".into(),
        },
        base_url: None,
        status_proxy: None,
        defaults: AccountDefaults::default(),
        imported_types: Vec::new(),
    }
}

// ---- The fan-out ----

#[tokio::test]
async fn one_failing_account_does_not_hide_the_others() {
    let mut fleet = demo_fleet().await;
    // A second DigitalOcean account whose API cannot be reached (a closed port).
    let broken = account_at(
        "broken",
        ProviderKind::DigitalOcean,
        "http://127.0.0.1:9",
        Duration::from_secs(2),
    );
    fleet.accounts.insert(1, broken);
    let listed = machines::list(&fleet, &ignore_each).await;
    let ids: Vec<&str> = listed
        .accounts
        .iter()
        .map(|a| a.account_id.as_str())
        .collect();
    assert_eq!(
        ids,
        ["demo-digitalocean", "broken", "demo-vultr", "demo-linode"]
    );
    for i in [0, 2, 3] {
        let views = listed.accounts[i].outcome().expect("listed");
        assert!(!views.is_empty());
    }
    let error = listed.accounts[1]
        .outcome()
        .expect_err("the broken account fails");
    assert_eq!(error.kind, ErrorKind::Network, "{error:?}");
    assert!(error.message.contains("DigitalOcean"), "{}", error.message);
    assert_eq!(listed.session_id.as_deref(), Some(DEMO_SESSION));
}

#[tokio::test]
async fn a_hanging_account_does_not_delay_the_others_answers() {
    let mut fleet = demo_fleet().await;
    let (url, _server) = hanging_api().await;
    fleet.accounts.insert(
        0,
        account_at("hanging", ProviderKind::Vultr, &url, Duration::from_secs(3)),
    );
    let started = Instant::now();
    let arrivals: Mutex<Vec<(String, Duration, bool)>> = Mutex::new(Vec::new());
    let on_each = |answer: &PerAccount<Vec<machines::MachineView>>| {
        arrivals.lock().unwrap().push((
            answer.account_id.clone(),
            started.elapsed(),
            answer.error.is_none(),
        ));
    };
    let listed = machines::list(&fleet, &on_each).await;
    let arrivals = arrivals.into_inner().unwrap();
    // The demo accounts answered first, within a second; the hanging one last, failing.
    assert_eq!(arrivals.len(), fleet.accounts.len(), "{arrivals:?}");
    for (id, at, ok) in &arrivals[..arrivals.len() - 1] {
        assert!(id.starts_with("demo-") && *ok, "{arrivals:?}");
        assert!(*at < Duration::from_secs(1), "{id} arrived after {at:?}");
    }
    let last = arrivals.last().unwrap();
    assert_eq!(last.0, "hanging");
    assert!(!last.2);
    assert!(last.1 >= Duration::from_secs(3), "{arrivals:?}");
    // The collected list keeps the fleet's order.
    assert_eq!(listed.accounts[0].account_id, "hanging");
}

#[tokio::test]
async fn views_carry_what_the_tags_say() {
    let fleet = demo_fleet().await;
    let listed = machines::list(&fleet, &ignore_each).await;
    let views = listed.accounts[0].outcome().unwrap();
    let web = views.iter().find(|v| v.machine.name == "web-1").unwrap();
    assert!(web.created_by_hangar && web.in_session);
    assert_eq!(web.machine_type.as_deref(), Some("web"));
    assert_eq!(web.session.as_deref(), Some(DEMO_SESSION));
    assert_eq!(web.user_tags, ["prod"]);
    let ci = views
        .iter()
        .find(|v| v.machine.name == "ci-runner")
        .unwrap();
    assert!(ci.created_by_hangar && !ci.in_session);
    let legacy = views
        .iter()
        .find(|v| v.machine.name == "legacy-db")
        .unwrap();
    assert!(!legacy.created_by_hangar && legacy.machine_type.is_none());
}

#[tokio::test]
async fn refresh_reads_only_the_given_machines_and_reports_the_gone_ones() {
    let fleet = demo_fleet().await;
    let (_, client) = fleet.client("demo-digitalocean").unwrap();
    let all = client.list_machines(&MachineFilter::all()).await.unwrap();
    let worker = all.iter().find(|m| m.name == "worker-3").unwrap();
    let out = machines::refresh(
        &fleet,
        vec![
            MachineRefs {
                account_id: "no-such-account".into(),
                ids: vec!["1".into()],
            },
            MachineRefs {
                account_id: "demo-digitalocean".into(),
                ids: vec![worker.id.clone(), "999999".into()],
            },
        ],
    )
    .await;
    assert_eq!(out.accounts.len(), 2);
    let missing = out.accounts[0].outcome().expect_err("unknown account");
    assert_eq!(missing.kind, ErrorKind::NotFound);
    assert!(missing.message.contains("no-such-account"), "{missing:?}");
    let refreshed = out.accounts[1].outcome().unwrap();
    let names: Vec<&str> = refreshed
        .machines
        .iter()
        .map(|m| m.machine.name.as_str())
        .collect();
    assert_eq!(names, ["worker-3"]);
    assert_eq!(refreshed.gone, ["999999"]);
    assert!(refreshed.problems.is_empty());
}

#[tokio::test]
async fn accounts_are_found_by_id_or_label() {
    let mut fleet = demo_fleet().await;
    assert_eq!(fleet.find("demo-vultr").unwrap().id, "demo-vultr");
    assert_eq!(
        fleet.find("demo digitalocean").unwrap().id,
        "demo-digitalocean"
    );
    let e = fleet.find("nope").unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(e.message.contains("Demo Vultr"), "{}", e.message);
    let mut twin = fleet.accounts[0].clone();
    twin.id = "twin".into();
    fleet.accounts.push(twin);
    let e = fleet.find("Demo DigitalOcean").unwrap_err();
    assert!(e.message.contains("twin"), "{}", e.message);
}

// ---- DNS ----

#[tokio::test]
async fn zones_of_both_demo_accounts_are_listed() {
    let fleet = demo_fleet().await;
    let zones = fleet_dns::zones(&fleet, &ignore_each).await;
    let got: Vec<(&str, Vec<&str>)> = zones
        .accounts
        .iter()
        .map(|z| {
            let z_ok = z.outcome().expect("zones");
            (
                z.account_id.as_str(),
                z_ok.zones.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("demo-digitalocean", vec!["example.com"]),
            ("demo-vultr", vec!["example.net"]),
            ("demo-linode", vec!["example.org"])
        ]
    );
}

#[tokio::test]
async fn records_point_at_machines_of_any_account() {
    let fleet = demo_fleet().await;
    // An A record in the DigitalOcean zone pointing at a Vultr machine.
    let (_, vultr) = fleet.client("demo-vultr").unwrap();
    let edge = vultr
        .list_machines(&MachineFilter::all())
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.name == "edge-ewr")
        .expect("edge-ewr");
    let ip = edge.ipv4.clone().expect("an address");
    let (_, digitalocean) = fleet.client("demo-digitalocean").unwrap();
    dns::create_record(
        digitalocean.as_ref(),
        "example.com",
        &DnsRecordSpec::new(DnsRecordType::A, "edge", ip.as_str()),
    )
    .await
    .expect("create");
    let listed = fleet_dns::zone_records(&fleet, "demo-digitalocean", "example.com")
        .await
        .expect("records");
    assert!(listed.machine_errors.is_empty());
    let row = listed
        .rows
        .iter()
        .find(|r| r.record.name == "edge")
        .expect("the new record");
    assert_eq!(row.record.machine.as_ref().unwrap().name, "edge-ewr");
    assert_eq!(row.machine_account_id.as_deref(), Some("demo-vultr"));
    assert_eq!(row.machine_account_label.as_deref(), Some("Demo Vultr"));
    assert!(row.in_session, "edge-ewr is a demo-session machine");
    let by_name = |n: &str| listed.rows.iter().find(|r| r.record.name == n).unwrap();
    let web = by_name("web-1");
    assert_eq!(web.record.machine.as_ref().unwrap().name, "web-1");
    assert!(web.in_session);
    let ci = by_name("ci");
    assert_eq!(ci.record.machine.as_ref().unwrap().name, "ci-runner");
    assert!(!ci.in_session, "ci-runner belongs to another session");
    let mut types: Vec<&str> = listed
        .rows
        .iter()
        .map(|r| r.record.record_type.as_str())
        .collect();
    types.sort();
    types.dedup();
    assert_eq!(
        types,
        ["A", "CAA", "CNAME", "MX", "NS", "SOA", "SRV", "TXT"]
    );
    assert!(
        listed
            .rows
            .iter()
            .any(|r| r.record.record_type == "NS" && r.record.machine.is_none() && !r.in_session)
    );
}

#[tokio::test]
async fn invalid_records_and_unknown_accounts_are_refused_in_words() {
    let fleet = demo_fleet().await;
    let err = fleet_dns::zone_records(&fleet, "nope", "example.com")
        .await
        .expect_err("unknown account");
    assert_eq!(err.kind, ErrorKind::NotFound);
    let (_, client) = fleet.client("demo-vultr").unwrap();
    let err = dns::create_record(
        client.as_ref(),
        "example.net",
        &DnsRecordSpec::new(DnsRecordType::A, "www", "not-an-ip"),
    )
    .await
    .expect_err("invalid");
    assert_eq!(err.kind, ErrorKind::Validation);
    assert!(
        err.message.contains("not an IPv4 address"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn a_configured_zone_is_the_only_one_searched_for_a_machines_records() {
    let fleet = demo_fleet().await;
    let mut account = fleet.accounts[0].clone();
    let client = account.connected().unwrap();
    assert_eq!(
        fleet_dns::zones_to_search(&account, client.as_ref())
            .await
            .unwrap(),
        ["example.com"],
        "every zone the account hosts"
    );
    account.defaults.dns_zone = Some("other.example".into());
    assert_eq!(
        fleet_dns::zones_to_search(&account, client.as_ref())
            .await
            .unwrap(),
        ["other.example"]
    );
}

// ---- Destroy ----

/// The demo cloud's machines of this session can be destroyed with the fleet's session (no
/// `all`), with the records previewed; foreign ones are refused in words.
#[tokio::test]
async fn demo_session_machines_preview_and_destroy_with_their_record() {
    let fleet = demo_fleet().await;
    let (_, client) = fleet.client("demo-digitalocean").unwrap();
    let all = client.list_machines(&MachineFilter::all()).await.unwrap();
    let web = all.iter().find(|m| m.name == "web-1").unwrap();
    let legacy = all.iter().find(|m| m.name == "legacy-db").unwrap();
    let targets = || {
        vec![MachineRefs {
            account_id: "demo-digitalocean".into(),
            ids: vec![web.id.clone(), legacy.id.clone()],
        }]
    };
    let preview = fleet_destroy::preview(&fleet, targets(), false).await;
    let preview = preview.accounts[0].outcome().unwrap();
    assert_eq!(preview[0].refusal, None, "{preview:?}");
    let fqdns: Vec<&str> = preview[0].records.iter().map(|r| r.fqdn.as_str()).collect();
    assert_eq!(
        fqdns,
        ["web-1.example.com"],
        "the demo seeds web-1's record"
    );
    assert!(preview[1].refusal.is_some());

    // With the foreign machine in the list, nothing is destroyed.
    let steps = Mutex::new(Vec::new());
    let on_step = |e: hangar::fleet::destroy::DestroyEvent| steps.lock().unwrap().push(e);
    let refused =
        fleet_destroy::destroy(&fleet, targets(), false, Vec::new(), &on_step, &ignore_each).await;
    assert_eq!(
        refused.accounts[0].outcome().unwrap_err().kind,
        ErrorKind::Refused
    );
    assert!(steps.lock().unwrap().is_empty());

    let only_web = vec![MachineRefs {
        account_id: "demo-digitalocean".into(),
        ids: vec![web.id.clone()],
    }];
    let done =
        fleet_destroy::destroy(&fleet, only_web, false, Vec::new(), &on_step, &ignore_each).await;
    let done = done.accounts[0].outcome().unwrap();
    assert!(done[0].destroyed && done[0].problems.is_empty(), "{done:?}");
    assert_eq!(done[0].dns_records_deleted.len(), 1);
    let steps = steps.into_inner().unwrap();
    assert!(steps.iter().all(|s| s.account_id == "demo-digitalocean"));
    assert!(matches!(
        steps.first().map(|s| &s.step),
        Some(DestroyProgress::Destroying { .. })
    ));
    assert_eq!(steps.last().map(|s| &s.step), Some(&DestroyProgress::Done));
    let json = serde_json::to_value(&steps[1]).unwrap();
    assert_eq!(json["accountId"], "demo-digitalocean");
    assert_eq!(json["step"]["event"], "destroyed");
    let records = client.list_records("example.com").await.unwrap();
    assert!(
        records.iter().all(|r| r.spec.name != "web-1"),
        "{records:?}"
    );
}

// ---- Create ----

#[tokio::test]
async fn demo_defaults_exist_in_the_demo_catalogs() {
    let fleet = demo_fleet().await;
    for account in &fleet.accounts {
        let client = account.connected().unwrap();
        preflight::check_defaults(client.as_ref(), &account.defaults)
            .await
            .unwrap_or_else(|e| panic!("{}: {}", account.label, e.message));
        let data = fleet_create::form_data(&fleet, &account.id).await.unwrap();
        assert_eq!(data.defaults, demo_defaults(account.provider));
        assert_eq!(data.machine_types, ["web", "worker"]);
        assert!(data.sizes.iter().all(|s| !s.regions.is_empty()));
    }
}

#[tokio::test]
async fn a_demo_create_streams_its_steps_and_waits_for_cloud_init() {
    let fleet = demo_fleet().await;
    let events = Mutex::new(Vec::new());
    let send = |e: CreateProgress| events.lock().unwrap().push(e);
    let outcome = fleet_create::create(
        &fleet,
        &request("demo-digitalocean", "trial-1"),
        CloudInitWait {
            timeout: Duration::from_secs(60),
            interval: Duration::from_millis(500),
        },
        &send,
        &CancellationToken::new(),
    )
    .await
    .expect("created");
    assert!(!outcome.cancelled);
    assert!(outcome.is_complete(), "{:?}", outcome.problems);
    let ip = outcome.ip.clone().expect("an IP");
    let record = outcome.dns_record.clone().expect("a DNS record");
    assert_eq!(record.fqdn, "trial-1.example.com");
    // The demo cloud's status proxy answers `running`, then `done` after its boot delay.
    assert_eq!(
        outcome.cloud_init,
        CloudInitResult::Done {
            status: "done".into()
        }
    );
    let events = events.into_inner().unwrap();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| match e {
            CreateProgress::Checking => "checking",
            CreateProgress::Created { .. } => "created",
            CreateProgress::IpAssigned { .. } => "ip",
            CreateProgress::DnsRecordCreated { .. } => "dns",
            CreateProgress::CloudInitChecked { .. } => "cloud-init",
            CreateProgress::WaitingForIp { .. } => "waiting",
            CreateProgress::ProjectAssigned { .. } => "project",
            CreateProgress::Warning { .. } => "warning",
            CreateProgress::Done => "done",
        })
        .filter(|k| *k != "waiting")
        .collect();
    assert_eq!(
        kinds[..4],
        ["checking", "created", "ip", "dns"],
        "{kinds:?}"
    );
    assert_eq!(kinds.last(), Some(&"done"));
    assert!(
        kinds[4..kinds.len() - 1].iter().all(|k| *k == "cloud-init"),
        "{kinds:?}"
    );
    let last_check = events.iter().rev().find_map(|e| match e {
        CreateProgress::CloudInitChecked { status, .. } => Some(status.as_str()),
        _ => None,
    });
    assert_eq!(last_check, Some("done"), "{events:?}");
    // The record exists in the zone, and the machine carries its type and tags.
    let (_, p) = fleet.client("demo-digitalocean").unwrap();
    let records = p.list_records("example.com").await.unwrap();
    assert!(
        records
            .iter()
            .any(|r| r.spec.name == "trial-1" && r.spec.data == ip)
    );
    let m = p.get_machine(&outcome.machine.id).await.unwrap();
    assert!(
        m.tags.iter().any(|t| t == "machine:type:web"),
        "{:?}",
        m.tags
    );
    assert!(m.tags.iter().any(|t| t == "trial"));

    // Clean-up removes the machine and its record.
    let gone = fleet_destroy::clean_up(
        &fleet,
        "demo-digitalocean",
        &m.id,
        Some(record.zone.clone()),
    )
    .await
    .expect("cleaned up");
    assert!(gone.destroyed, "{gone:?}");
    assert_eq!(gone.dns_records_deleted.len(), 1, "{gone:?}");
    let left = p.list_machines(&MachineFilter::all()).await.unwrap();
    assert!(left.iter().all(|x| x.id != m.id));
}

#[tokio::test]
async fn cancelling_while_waiting_for_the_ip_keeps_the_machine_and_says_so() {
    let fleet = demo_fleet().await;
    let cancel = CancellationToken::new();
    let d = demo_defaults(ProviderKind::Vultr);
    let req = CreateRequest {
        account_id: "demo-vultr".into(),
        name: "cancel-me".into(),
        region: d.region.unwrap(),
        size: d.size.unwrap(),
        image: d.image.unwrap(),
        snapshot: None,
        ssh_keys: vec![],
        machine_type: None,
        dns_zone: d.dns_zone,
        extra_tag: None,
        allow_duplicate: false,
    };
    let send = |e: CreateProgress| {
        if matches!(e, CreateProgress::Created { .. }) {
            cancel.cancel();
        }
    };
    let outcome = fleet_create::create(&fleet, &req, CloudInitWait::default(), &send, &cancel)
        .await
        .expect("the machine exists");
    assert!(outcome.cancelled);
    assert_eq!(outcome.ip, None);
    assert_eq!(outcome.dns_record, None);
    assert!(
        outcome
            .problems
            .iter()
            .any(|e| e.kind == ErrorKind::Cancelled),
        "{:?}",
        outcome.problems
    );
    assert_eq!(outcome.cloud_init, CloudInitResult::NotRequested);
    let (_, p) = fleet.client("demo-vultr").unwrap();
    assert!(p.get_machine(&outcome.machine.id).await.is_ok());
}

#[tokio::test]
async fn cancelling_during_the_cloud_init_wait_only_ends_the_wait() {
    let fleet = demo_fleet().await;
    let cancel = CancellationToken::new();
    let first_answer = Mutex::new(None);
    let send = |e: CreateProgress| {
        if let CreateProgress::CloudInitChecked { status, .. } = e {
            first_answer.lock().unwrap().get_or_insert(status);
            cancel.cancel();
        }
    };
    let started = Instant::now();
    let outcome = fleet_create::create(
        &fleet,
        &request("demo-digitalocean", "stop-waiting"),
        CloudInitWait {
            timeout: Duration::from_secs(600),
            interval: Duration::from_secs(4),
        },
        &send,
        &cancel,
    )
    .await
    .expect("created");
    assert!(started.elapsed() < Duration::from_secs(120));
    assert!(!outcome.cancelled, "the create itself was complete");
    assert!(outcome.is_complete(), "{:?}", outcome.problems);
    let first = first_answer.into_inner().unwrap().expect("asked once");
    match outcome.cloud_init {
        CloudInitResult::Unconfirmed { message, .. } => {
            assert!(message.contains("Stopped waiting"), "{message}")
        }
        // A machine that is done at the first check is reported done, not stopped.
        CloudInitResult::Done { status } if first.eq_ignore_ascii_case("done") => {
            assert_eq!(status, first)
        }
        other => panic!("{other:?} after {first}"),
    }
}

#[tokio::test]
async fn a_failed_dns_step_reports_what_exists_and_clean_up_removes_it() {
    let emulator = Emulator::start(EmulatorConfig {
        seed: hangar_demo::seed(),
        ip_delay: Duration::from_millis(300),
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator");
    let client = hangar::providers::connect(
        ProviderKind::DigitalOcean,
        &Token::from(emulator.token(EmulatedProvider::DigitalOcean)),
        Some(&emulator.digitalocean_base_url()),
        quick(Duration::from_secs(5)),
    );
    let fleet = Fleet {
        machine_types: Some(demo_machine_types()),
        ..Fleet::of(
            vec![LiveAccount {
                id: "work".into(),
                label: "Work".into(),
                provider: ProviderKind::DigitalOcean,
                simulated: false,
                client: client.map_err(Into::into),
                defaults: AccountDefaults::default(),
            }],
            DEMO_SESSION.parse().unwrap(),
        )
    };
    // Every record creation fails on the server.
    emulator.set_faults(
        EmulatedProvider::DigitalOcean,
        Some("POST /v2/domains/"),
        Faults {
            server_error_percent: 100,
            ..Faults::default()
        },
    );
    let mut req = request("work", "half-made");
    req.machine_type = None;
    let outcome = fleet_create::create(
        &fleet,
        &req,
        CloudInitWait::default(),
        &|_| {},
        &CancellationToken::new(),
    )
    .await
    .expect("the machine exists");
    assert!(!outcome.cancelled);
    assert_eq!(outcome.cloud_init, CloudInitResult::NotRequested);
    let ip = outcome.ip.clone().expect("the IP was assigned");
    assert_eq!(outcome.dns_record, None);
    assert_eq!(outcome.problems.len(), 1, "{:?}", outcome.problems);
    let problem = &outcome.problems[0].message;
    assert!(
        problem.contains("no DNS record half-made.example.com"),
        "{problem}"
    );

    emulator.clear_faults();
    let gone = fleet_destroy::clean_up(
        &fleet,
        "work",
        &outcome.machine.id,
        Some("example.com".into()),
    )
    .await
    .expect("cleaned up");
    assert!(gone.destroyed && gone.problems.is_empty(), "{gone:?}");
    let (_, p) = fleet.client("work").unwrap();
    let left = p.list_machines(&MachineFilter::all()).await.unwrap();
    assert!(
        left.iter()
            .all(|m| m.name != "half-made" && m.ipv4.as_deref() != Some(&ip))
    );
}

// ---- Defaults ----

#[tokio::test]
async fn defaults_are_checked_with_the_creates_own_checks() {
    let fleet = demo_fleet().await;
    let (_, p) = fleet.client("demo-digitalocean").unwrap();
    let bad = AccountDefaults {
        region: Some("lon1".into()),
        size: Some("s-1vcpu-512mb-10gb".into()),
        image: Some("plan9".into()),
        ssh_keys: vec!["nobody".into()],
        dns_zone: Some("example.org".into()),
        project: None,
    };
    let e = preflight::check_defaults(p.as_ref(), &bad)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Validation);
    // "Offered in region" is checked too, as a create checks it.
    for part in [
        "size `s-1vcpu-512mb-10gb` is not offered in region `lon1`",
        "image `plan9`",
        "SSH key `nobody`",
        "DNS zone `example.org`",
    ] {
        assert!(e.message.contains(part), "{part}: {}", e.message);
    }
    assert!(
        !e.message.contains("region `lon1` does not exist"),
        "{}",
        e.message
    );
    // Saving refuses the demo accounts' built-in defaults.
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let e = account_settings::save_defaults(&fleet, &file, "demo-digitalocean", bad)
        .await
        .unwrap_err();
    assert!(e.message.contains("built in"), "{}", e.message);
}

#[test]
fn saved_defaults_keep_the_label_url_and_project() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let added = accounts::add_account(
        &file,
        // A token named by a variable: the keychain is not touched.
        &hangar::secrets::KeyringStore::new(),
        AccountDetails {
            label: "Work".into(),
            provider: ProviderKind::DigitalOcean,
            base_url: Some("http://127.0.0.1:9".into()),
            defaults: AccountDefaults {
                project: Some("Web".into()),
                ..AccountDefaults::default()
            },
        },
        accounts::NewToken::EnvVar("HANGAR_TEST_UNUSED_TOKEN".into()),
    )
    .unwrap();
    let saved = account_settings::save_defaults_in(
        &file,
        added.id.as_str(),
        AccountDefaults {
            region: Some("fra1".into()),
            ssh_keys: vec!["laptop".into()],
            project: None,
            ..AccountDefaults::default()
        },
    )
    .unwrap();
    assert_eq!(saved.project.as_deref(), Some("Web"));
    let back = accounts::get_account(&file, &added.id).unwrap();
    assert_eq!(back.label, "Work");
    assert_eq!(back.base_url.as_deref(), Some("http://127.0.0.1:9"));
    assert_eq!(back.defaults.region.as_deref(), Some("fra1"));
    assert_eq!(back.defaults.ssh_keys, ["laptop"]);
    assert!(account_settings::save_defaults_in(&file, "nope", AccountDefaults::default()).is_err());
}

// ---- Loading ----

fn state_in(dir: &std::path::Path) -> FleetState {
    let demo: Arc<dyn DemoStarter> = Arc::new(hangar_demo::Demo);
    FleetState::new(Ok(SettingsFile::in_dir(dir)), Some(demo))
}

#[tokio::test]
async fn without_accounts_the_demo_cloud_starts() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = state_in(dir.path()).load().await;
    assert_eq!(fleet.startup_error, None);
    assert_eq!(fleet.accounts.len(), 3);
    assert!(fleet.accounts.iter().all(|a| a.simulated));
    assert_eq!(
        fleet.session.as_ref().map(|s| s.as_str()),
        Some(DEMO_SESSION)
    );
    assert!(fleet.demo.is_some());
    assert_eq!(
        startup_report(&fleet),
        "Hangar: 3 account(s) ready (demo cloud)"
    );
    // Without types in the settings, the demo's are offered.
    assert_eq!(
        fleet
            .machine_types()
            .unwrap()
            .into_keys()
            .collect::<Vec<_>>(),
        ["web", "worker"]
    );
}

#[tokio::test]
async fn the_demo_types_stay_beside_the_settings_types_and_give_the_ssh_user() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = state_in(dir.path()).load().await;
    let file = SettingsFile::in_dir(dir.path());
    let listed = || async {
        hangar::fleet::machine_types::list(&fleet, &file)
            .await
            .unwrap()
    };
    let names = |listed: &[hangar::fleet::machine_types::NamedMachineType]| {
        listed
            .iter()
            .map(|t| format!("{}{}", t.name, if t.from_demo { " (demo)" } else { "" }))
            .collect::<Vec<_>>()
    };
    // The screen lists what the create form offers: the demo's, marked as such.
    let screen = listed().await;
    assert_eq!(names(&screen), ["web (demo)", "worker (demo)"]);
    // A type of one's own is added beside them; a saved copy of `web` replaces the demo's.
    let mut web = screen[0].machine_type.clone();
    web.new_user_name = "www".into();
    for (name, machine_type) in [("db", screen[1].machine_type.clone()), ("web", web)] {
        let entry = hangar::fleet::machine_types::NamedMachineType {
            name: name.into(),
            machine_type,
            from_demo: false,
        };
        hangar::fleet::machine_types::save(&file, None, entry)
            .await
            .unwrap();
    }
    // Renaming a demo type saves it under the new name; the demo's stays offered.
    let renamed = hangar::fleet::machine_types::NamedMachineType {
        name: "batch".into(),
        machine_type: screen[1].machine_type.clone(),
        from_demo: false,
    };
    hangar::fleet::machine_types::save(&file, Some("worker".into()), renamed)
        .await
        .unwrap();
    assert_eq!(
        names(&listed().await),
        ["batch", "db", "web", "worker (demo)"]
    );
    assert_eq!(
        fleet
            .machine_types()
            .unwrap()
            .into_keys()
            .collect::<Vec<_>>(),
        ["batch", "db", "web", "worker"]
    );
    // The SSH user of a demo machine of type `web` is the one the type (now the settings'
    // copy) creates.
    let (account, machine) = find_typed_machine(&fleet, "web").await;
    let target = machines::ssh_target(&fleet, &account, &machine)
        .await
        .unwrap();
    assert_eq!(target.user, "www", "{target:?}");
}

/// A ready demo machine tagged `machine:type:<t>`: its account id and machine id.
async fn find_typed_machine(fleet: &Fleet, t: &str) -> (String, String) {
    let tag = format!("machine:type:{t}");
    for account in &fleet.accounts {
        let client = account.connected().unwrap();
        let machines = client.list_machines(&MachineFilter::all()).await.unwrap();
        if let Some(m) = machines
            .iter()
            .find(|m| m.tags.contains(&tag) && m.ipv4.is_some())
        {
            return (account.id.clone(), m.id.clone());
        }
    }
    panic!("no ready demo machine of type {t}");
}

#[tokio::test]
async fn configured_accounts_replace_the_demo_and_a_missing_token_stays_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let settings = Settings {
        accounts: vec![env_account("Work", ProviderKind::DigitalOcean)],
        ..Settings::default()
    };
    file.save(&settings).unwrap();
    let fleet = state_in(dir.path()).load().await;
    assert!(fleet.demo.is_none());
    assert_eq!(fleet.startup_error, None);
    assert_eq!(fleet.accounts.len(), 1);
    assert_eq!(fleet.accounts[0].label, "Work");
    assert!(!fleet.accounts[0].simulated);
    let error = fleet.accounts[0].client.as_ref().expect_err("no token");
    assert!(
        error.message.contains("HANGAR_TEST_UNSET_TOKEN_VARIABLE"),
        "{error:?}"
    );
    // The session id was created and saved.
    let saved = file.load_raw().unwrap().session_id.expect("a session id");
    assert_eq!(fleet.session.as_ref(), Some(&saved));
}

#[tokio::test]
async fn the_demo_cloud_is_hidden_restored_and_kept_across_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let mut settings = Settings::default();
    settings.ui.demo_cloud = DemoMode::Hidden;
    file.save(&settings).unwrap();
    let state = state_in(dir.path());
    let fleet = state.load().await;
    assert!(fleet.accounts.is_empty() && fleet.demo.is_none());

    settings.ui.demo_cloud = DemoMode::Shown;
    settings
        .accounts
        .push(env_account("Work", ProviderKind::Vultr));
    file.save(&settings).unwrap();
    let fleet = state.load().await;
    let labels: Vec<&str> = fleet.accounts.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(
        labels,
        ["Work", "Demo DigitalOcean", "Demo Vultr", "Demo Linode"]
    );
    // The configured accounts' session stays "this session".
    let saved = file.load_raw().unwrap().session_id.expect("a session id");
    assert_eq!(fleet.session.as_ref(), Some(&saved));

    // A reload keeps the running demo cloud, machines and all.
    let (_, demo_do) = fleet.client("demo-digitalocean").unwrap();
    let before = demo_do.list_machines(&MachineFilter::all()).await.unwrap();
    demo_do.destroy_machine(&before[0].id).await.unwrap();
    let reloaded = state.load().await;
    assert!(Arc::ptr_eq(
        fleet.demo.as_ref().unwrap(),
        reloaded.demo.as_ref().unwrap()
    ));
    let (_, again) = reloaded.client("demo-digitalocean").unwrap();
    let after = again.list_machines(&MachineFilter::all()).await.unwrap();
    assert_eq!(after.len(), before.len() - 1);
    assert_eq!(state.fleet().await.unwrap().accounts.len(), 4);
}

#[tokio::test]
async fn unreadable_settings_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("settings.yml"), "version: [not a number").unwrap();
    let fleet = state_in(dir.path()).load().await;
    assert!(fleet.accounts.is_empty());
    assert!(
        startup_report(&fleet).starts_with("Hangar: startup failed: Hangar could not read"),
        "{}",
        startup_report(&fleet)
    );
}

#[test]
fn a_configured_accounts_status_proxy_reaches_its_client() {
    let mut account = env_account("Gateway", ProviderKind::DigitalOcean);
    account.base_url = Some("http://127.0.0.1:9".into());
    account.status_proxy = Some("http://127.0.0.1:3128".into());
    let token = Token::from("dop_v1_only_for_this_test".to_string());
    let client =
        accounts::provider_for(&account, &token, ClientOptions::default()).expect("client");
    assert_eq!(client.status_proxy(), Some("http://127.0.0.1:3128"));
}

#[tokio::test]
async fn a_bulk_action_reports_each_machine_across_accounts() {
    let fleet = demo_fleet().await;
    let running = |account: &'static str| {
        let fleet = &fleet;
        async move {
            let (_, client) = fleet.client(account).unwrap();
            let all = client.list_machines(&MachineFilter::all()).await.unwrap();
            all.into_iter()
                .filter(|m| m.status == hangar::provider::MachineStatus::Active)
                .map(|m| m.id)
                .collect::<Vec<_>>()
        }
    };
    let (digitalocean, vultr) = tokio::join!(running("demo-digitalocean"), running("demo-vultr"));
    assert!(
        digitalocean.len() >= 2 && !vultr.is_empty(),
        "{digitalocean:?} {vultr:?}"
    );
    let targets = vec![
        MachineRefs {
            account_id: "demo-digitalocean".into(),
            ids: vec![
                digitalocean[0].clone(),
                "999999".into(),
                digitalocean[1].clone(),
            ],
        },
        MachineRefs {
            account_id: "demo-vultr".into(),
            ids: vec![vultr[0].clone()],
        },
        MachineRefs {
            account_id: "no-such-account".into(),
            ids: vec!["1".into()],
        },
    ];

    // A reserved tag is refused before anything is asked of a provider.
    let refused = bulk::run(
        &fleet,
        targets.clone(),
        &BulkAction::Tags {
            add: vec!["machine:protected".into()],
            remove: vec![],
        },
    )
    .await
    .expect_err("reserved tag");
    assert_eq!(refused.kind, ErrorKind::Validation, "{refused:?}");

    let out = bulk::run(
        &fleet,
        targets.clone(),
        &BulkAction::Power {
            action: PowerAction::PowerOff,
        },
    )
    .await
    .unwrap();
    let ids: Vec<&str> = out.outcomes.iter().map(|o| o.machine_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            digitalocean[0].as_str(),
            "999999",
            digitalocean[1].as_str(),
            vultr[0].as_str(),
            "1"
        ]
    );
    assert_eq!(out.failed(), 2, "{out:?}");
    assert_eq!(
        out.outcomes[1].error.as_ref().unwrap().kind,
        ErrorKind::NotFound
    );
    assert!(
        out.outcomes[4]
            .error
            .as_ref()
            .unwrap()
            .message
            .contains("no-such-account"),
        "{out:?}"
    );
    // Every machine that was asked is off, or on its way there.
    for (account, id) in [
        ("demo-digitalocean", &digitalocean[0]),
        ("demo-digitalocean", &digitalocean[1]),
        ("demo-vultr", &vultr[0]),
    ] {
        let (_, client) = fleet.client(account).unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let m = client.get_machine(id).await.unwrap();
            if m.status == hangar::provider::MachineStatus::Off {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{account} {id} is still {:?}",
                m.status
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    let out = bulk::run(
        &fleet,
        targets[..2].to_vec(),
        &BulkAction::Protect { on: true },
    )
    .await
    .unwrap();
    let protected: Vec<bool> = out
        .outcomes
        .iter()
        .filter_map(|o| o.machine.as_ref().map(|m| m.protected))
        .collect();
    assert_eq!(protected, [true, true, true], "{out:?}");
}

#[tokio::test]
async fn demo_firewall_access_uses_the_emulators_address_and_the_sweep_covers_every_account() {
    use hangar::fleet::firewall::{self, sweep_expired};
    use hangar::provider::MachineFilter;
    use hangar::usecases::firewall::{allow_me_at, unix_now};
    let fleet = demo_fleet().await;
    let now = unix_now();
    let mut expired = Vec::new();
    for account in &fleet.accounts {
        let client = account.connected().unwrap();
        let machine = client
            .list_machines(&MachineFilter::all())
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.is_ready())
            .expect("a ready demo machine");
        let panel = firewall::panel(&fleet, &account.id, &machine.id)
            .await
            .unwrap();
        assert!(panel.supported, "{}", account.id);
        assert!(
            panel
                .note
                .as_deref()
                .is_some_and(|n| n.to_lowercase().contains("firewall"))
        );
        assert!(
            panel.my_ip_url.starts_with("http://127.0.0.1:"),
            "the demo answers it: {}",
            panel.my_ip_url
        );
        assert_eq!(panel.my_ip.as_deref(), Some("203.0.113.254"), "{panel:?}");
        assert!(panel.grants.is_empty());

        let live = firewall::allow_me(
            &fleet,
            &account.id,
            &machine.id,
            Duration::from_secs(120),
            None,
        )
        .await
        .unwrap();
        assert!((110..=120).contains(&live.seconds_left), "{live:?}");
        assert_eq!(live.grant.source, "203.0.113.254/32");
        let old = allow_me_at(
            client.as_ref(),
            &machine.id,
            Duration::from_secs(60),
            "198.51.100.3".parse().unwrap(),
            now - 600,
        )
        .await
        .unwrap();
        expired.push(old.id);
        let panel = firewall::panel(&fleet, &account.id, &machine.id)
            .await
            .unwrap();
        assert_eq!(panel.grants.len(), 2, "{panel:?}");
        assert!(panel.grants.iter().any(|g| g.seconds_left == 0));
    }
    let answers = sweep_expired(&fleet, unix_now()).await;
    assert_eq!(answers.len(), fleet.accounts.len());
    let mut removed: Vec<String> = answers
        .iter()
        .flat_map(|a| a.outcome().unwrap().removed.iter().map(|g| g.id.clone()))
        .collect();
    removed.sort();
    expired.sort();
    assert_eq!(removed, expired);
    let lines = firewall::sweep_lines(&answers);
    assert_eq!(lines.len(), expired.len(), "{lines:?}");
    assert!(lines[0].contains("removed the expired grant"), "{lines:?}");
    for account in &fleet.accounts {
        let left = firewall::grants(&fleet, &account.id, None).await.unwrap();
        assert_eq!(left.len(), 1, "the live grant stays: {left:?}");
        firewall::revoke(&fleet, &account.id, &left[0].grant.id)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_bulk_snapshot_starts_one_per_machine_named_after_it() {
    let fleet = demo_fleet().await;
    let mut targets = Vec::new();
    let mut names = Vec::new();
    for account in ["demo-digitalocean", "demo-vultr"] {
        let (_, client) = fleet.client(account).unwrap();
        let m = client
            .list_machines(&MachineFilter::all())
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.status == hangar::provider::MachineStatus::Active)
            .unwrap();
        names.push((account, format!("nightly-{}", m.name)));
        targets.push(MachineRefs {
            account_id: account.into(),
            ids: vec![m.id],
        });
    }
    let refused = bulk::run(
        &fleet,
        targets.clone(),
        &BulkAction::Snapshot { name: " ".into() },
    )
    .await
    .expect_err("an empty name");
    assert_eq!(refused.kind, ErrorKind::Validation, "{refused:?}");

    let out = bulk::run(
        &fleet,
        targets,
        &BulkAction::Snapshot {
            name: "nightly".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(out.failed(), 0, "{out:?}");
    for (account, name) in names {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let all = hangar::fleet::snapshots::list(&fleet, account)
                .await
                .unwrap();
            if all.iter().any(|s| s.name == name) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{account}: no snapshot {name} in {all:?}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

#[tokio::test]
async fn the_sweeper_removes_expired_grants_at_start_and_on_each_round() {
    use hangar::fleet::firewall::{grants, run_sweeper};
    use hangar::provider::MachineFilter;
    use hangar::usecases::firewall::{allow_me_at, unix_now};
    let dir = tempfile::tempdir().unwrap();
    let state = Arc::new(state_in(dir.path()));
    let fleet = state.load().await;
    let account = &fleet.accounts[0];
    let client = account.connected().unwrap();
    let machine = client
        .list_machines(&MachineFilter::all())
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.is_ready())
        .unwrap();
    let ip: std::net::IpAddr = "203.0.113.254".parse().unwrap();
    let hour = Duration::from_secs(3600);
    let now = unix_now();
    allow_me_at(client.as_ref(), &machine.id, hour, ip, now - 7200)
        .await
        .unwrap();
    let live = allow_me_at(client.as_ref(), &machine.id, hour, ip, now)
        .await
        .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let sweeper = tokio::spawn(run_sweeper(
        state.clone(),
        Duration::from_millis(100),
        move |answers| {
            let removed: usize = answers
                .iter()
                .map(|a| a.outcome().map_or(0, |r| r.removed.len()))
                .sum();
            let _ = tx.send(removed);
        },
    ));
    let first = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first, 1, "the expired grant goes at start");
    let second = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second, 0, "the live one stays");
    sweeper.abort();
    let left = grants(&fleet, &account.id, None).await.unwrap();
    assert_eq!(
        left.iter().map(|g| &g.grant.id).collect::<Vec<_>>(),
        vec![&live.id]
    );
}
