//! The use cases against the emulator, for every provider: one suite, run per provider.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hangar::ErrorKind;
use hangar::error::Error;
use hangar::machine_types::MachineType;
use hangar::provider::{CloudProvider, DnsRecordSpec, DnsRecordType, MachineFilter, ProviderKind};
use hangar::providers::http::lifecycle::{ActionPolicy, DestroyPolicy};
use hangar::providers::http::{ClientOptions, RetryPolicy};
use hangar::secrets::Token;
use hangar::session::SessionId;
use hangar::usecases::check::CheckStatus;
use hangar::usecases::create::{CreateContext, CreateOptions, PollPolicy, create_machine};
use hangar::usecases::destroy::{DestroyOptions, destroy_machines};
use hangar::usecases::list::{ListFilter, list_machines};
use hangar::usecases::status::{StatusOptions, UNKNOWN, machine_status};
use hangar::usecases::{CreateProgress as Progress, catalog, check, dns, no_progress};
use hangar_emulator::{EmulatedProvider, Emulator, EmulatorConfig, Faults, Seed, SshKeySeed};
use tokio_util::sync::CancellationToken;

const SECOND_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMcz3KwdFtlgx88RA8G0L91LOjkSbQD/FAmT+02/i3LR second@example";

struct World {
    emulator: Emulator,
    kind: ProviderKind,
    emulated: EmulatedProvider,
    provider: Arc<dyn CloudProvider>,
    session: SessionId,
    types: BTreeMap<String, MachineType>,
}

fn fast_options() -> ClientOptions {
    ClientOptions {
        retry: RetryPolicy {
            max_retries: 3,
            min_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
            max_wait: Duration::from_secs(2),
            request_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(2),
        },
        destroy: DestroyPolicy {
            rounds: 3,
            confirm_polls: 4,
            confirm_interval: Duration::from_millis(20),
            locked_retries: 6,
            locked_delay: Duration::from_millis(20),
        },
        actions: ActionPolicy {
            interval: Duration::from_millis(50),
            timeout: Duration::from_secs(10),
        },
        ..ClientOptions::default()
    }
}

async fn world(kind: ProviderKind) -> World {
    world_with_delay(kind, Duration::from_millis(200)).await
}

async fn world_with_delay(kind: ProviderKind, ip_delay: Duration) -> World {
    let mut seed = Seed::builtin();
    let second = SshKeySeed {
        name: "second".into(),
        public_key: SECOND_KEY.into(),
    };
    seed.add_ssh_key(&second);
    let emulator = Emulator::start(EmulatorConfig {
        seed,
        ip_delay,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let emulated = EmulatedProvider::named(kind.slug()).expect("an emulated provider");
    let provider = hangar::providers::connect(
        kind,
        &Token::from(emulator.token(emulated)),
        Some(&emulator.base_url(emulated)),
        fast_options(),
    )
    .unwrap();
    let mut types = BTreeMap::new();
    types.insert(
        "web".to_string(),
        MachineType {
            new_user_name: "deploy".into(),
            ..Default::default()
        },
    );
    World {
        emulator,
        kind,
        emulated,
        provider,
        session: "0123abcd".parse().unwrap(),
        types,
    }
}

impl World {
    fn zone(&self) -> &'static str {
        self.emulated.sample().zone
    }

    fn options(&self, name: &str) -> CreateOptions {
        let sample = self.emulated.sample();
        let (region, size, image) = (sample.region, sample.size, sample.image);
        let project = self.kind.about().projects.then(|| "Default".to_string());
        CreateOptions {
            name: name.into(),
            region: region.into(),
            size: size.into(),
            image: image.into(),
            ssh_keys: vec!["hangar-demo".into(), "second".into()],
            dns_zone: Some(self.zone().into()),
            update_dns: true,
            project,
            machine_type: Some("web".into()),
            initialize: true,
            extra_tag: Some("team-a".into()),
            allow_duplicate: false,
            wait_for_ip: true,
            poll: PollPolicy {
                initial: Duration::from_millis(100),
                max: Duration::from_millis(400),
                timeout: Duration::from_secs(10),
                ..PollPolicy::default()
            },
            cloud_init: None,
        }
    }

    fn ctx(&self) -> CreateContext<'_> {
        CreateContext {
            session: &self.session,
            machine_types: &self.types,
        }
    }

    fn posts(&self, path_part: &str) -> usize {
        self.emulator
            .requests()
            .iter()
            .filter(|r| {
                r.provider == self.emulated && r.method == "POST" && r.path.contains(path_part)
            })
            .count()
    }

    async fn machine_names(&self) -> Vec<String> {
        self.provider
            .list_machines(&MachineFilter::all())
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.name)
            .collect()
    }

    fn machines_path(&self) -> &'static str {
        self.emulated.sample().machines_path
    }
}

/// Waits until the machine `id` runs.
async fn wait_running(p: &dyn CloudProvider, id: &str) {
    let started = std::time::Instant::now();
    while p.get_machine(id).await.unwrap().status != hangar::provider::MachineStatus::Active {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{id} never ran"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn recorder() -> (Arc<Mutex<Vec<Progress>>>, impl Fn(Progress) + Send + Sync) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let events = events.clone();
        move |p| events.lock().unwrap().push(p)
    };
    (events, sink)
}

#[tokio::test]
async fn create_list_status_destroy_with_two_keys_and_dns() {
    for kind in ProviderKind::ALL {
        let w = world(kind).await;
        let (events, sink) = recorder();
        w.emulator.clear_requests();
        let out = create_machine(
            w.provider.as_ref(),
            &w.ctx(),
            &w.options("app-1"),
            &sink,
            &CancellationToken::new(),
        )
        .await
        .unwrap();
        let requests = w.emulator.requests();
        println!(
            "{kind}: create (2 SSH keys, DNS on) made {} requests",
            requests.len()
        );
        for r in &requests {
            println!("  {} {}?{}", r.method, r.path, r.query);
        }
        assert!(out.is_complete(), "{kind}: {:?}", out.problems);
        let ip = out.ip.clone().expect("IP");
        let fqdn = format!("app-1.{}", w.zone());
        assert_eq!(out.dns_record.as_ref().unwrap().fqdn, fqdn);
        assert_eq!(out.machine.machine_type.as_deref(), Some("web"));
        for tag in [
            "machine:created",
            "machine:type:web",
            "machine:session:0123abcd",
            "team-a",
        ] {
            assert!(out.machine.tags.contains(&tag.to_string()), "{kind}: {tag}");
        }
        // Events in order: created, IP, DNS, done.
        let ev = events.lock().unwrap().clone();
        let pos = |f: &dyn Fn(&Progress) -> bool| ev.iter().position(f).unwrap();
        let created = pos(&|p| matches!(p, Progress::Created { .. }));
        let ip_ev = pos(&|p| matches!(p, Progress::IpAssigned { .. }));
        let dns_ev = pos(&|p| matches!(p, Progress::DnsRecordCreated { .. }));
        assert!(created < ip_ev && ip_ev < dns_ev, "{ev:?}");
        assert_eq!(ev.last(), Some(&Progress::Done));
        // Both public keys went into the user data; the create went out once.
        let create = requests
            .iter()
            .find(|r| r.method == "POST" && r.path == w.machines_path())
            .expect("create request");
        let body = create.body.as_ref().unwrap().to_string();
        assert!(body.contains("user_data"), "{body}");
        assert_eq!(w.posts(w.machines_path()), 1);
        // Few requests: 1 key list, 3 catalogs, zones, (projects + assign on DO), the
        // duplicate check (machines, the zone's records), create, a few polls, the record.
        let polls = requests
            .iter()
            .filter(|r| r.method == "GET" && r.path.starts_with(&format!("{}/", w.machines_path())))
            .count();
        assert!(
            requests.len() <= 11 + polls,
            "{kind}: {} requests",
            requests.len()
        );
        assert!(polls <= 6, "{kind}: {polls} polls");
        // The record exists with TTL 300 and the IP.
        let records = w.provider.list_records(w.zone()).await.unwrap();
        let rec = records.iter().find(|r| r.spec.name == "app-1").unwrap();
        assert_eq!(rec.spec.data, ip);
        assert_eq!(rec.spec.ttl, Some(300));

        // list: this session only; id filter; unique; type filter.
        let mine = list_machines(w.provider.as_ref(), &w.session, &ListFilter::default())
            .await
            .unwrap();
        assert_eq!(
            mine.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
            ["app-1"]
        );
        let all = list_machines(
            w.provider.as_ref(),
            &w.session,
            &ListFilter {
                all: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(all.len(), 3, "{kind}");
        let web1 = all.iter().find(|m| m.name == "web-1").unwrap();
        let by_id = list_machines(
            w.provider.as_ref(),
            &w.session,
            &ListFilter {
                id: Some(web1.id.clone()),
                all: true,
                unique: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(by_id[0].id, web1.id);
        let not_mine = list_machines(
            w.provider.as_ref(),
            &w.session,
            &ListFilter {
                id: Some(web1.id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(
            not_mine.is_empty(),
            "{kind}: id filter keeps the session filter"
        );
        // `--unique` with no match is an empty list, as in `machine`.
        let none = list_machines(
            w.provider.as_ref(),
            &w.session,
            &ListFilter {
                name: Some("no-such-machine".into()),
                all: true,
                unique: true,
                ..Default::default()
            },
        )
        .await
        .expect("no match is not an error with unique");
        assert!(none.is_empty());
        let unique = list_machines(
            w.provider.as_ref(),
            &w.session,
            &ListFilter {
                all: true,
                machine_type: Some("WEB".into()),
                unique: true,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
        assert_eq!(
            unique.kind,
            ErrorKind::Validation,
            "two web machines: {unique}"
        );

        // status: the check cannot be reached from here, so UNKNOWN, quickly. (A provider that
        // answers the create with the address lists the machine as new until it runs.)
        wait_running(w.provider.as_ref(), &out.machine.id).await;
        let st = machine_status(
            w.provider.as_ref(),
            &w.session,
            &StatusOptions {
                timeout: Duration::from_millis(300),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(st.len(), 1);
        assert_eq!(st[0].machine_status, "active");
        assert_eq!(st[0].check_status, UNKNOWN);

        // dns: the session's records, with their machine.
        let recs = dns::list_records(
            w.provider.as_ref(),
            &w.session,
            &dns::RecordQuery {
                zone: w.zone().into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(recs.len(), 1, "{kind}: {recs:?}");
        assert_eq!(recs[0].machine.as_ref().unwrap().name, "app-1");
        let every = dns::list_records(
            w.provider.as_ref(),
            &w.session,
            &dns::RecordQuery {
                zone: w.zone().into(),
                record_type: Some("*".into()),
                all: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(every.iter().any(|r| r.name == "www" && r.machine.is_none()));

        // destroy: a same-name record with another address stays.
        let decoy = w
            .provider
            .create_record(
                w.zone(),
                &DnsRecordSpec::new(DnsRecordType::A, "app-1", "203.0.113.250"),
            )
            .await
            .unwrap();
        let gone = destroy_machines(
            w.provider.as_ref(),
            &w.session,
            &DestroyOptions {
                ids: vec![out.machine.id.clone()],
                all: false,
                delete_dns: true,
                dns_zones: vec![w.zone().into()],
                extra_records: Vec::new(),
            },
            &no_progress,
        )
        .await
        .unwrap();
        assert!(gone[0].destroyed && gone[0].problems.is_empty(), "{gone:?}");
        assert_eq!(gone[0].dns_records_deleted.len(), 1);
        let left = w.provider.list_records(w.zone()).await.unwrap();
        assert!(left.iter().any(|r| r.id == decoy.id), "{kind}: decoy kept");
        assert!(
            !left
                .iter()
                .any(|r| r.spec.name == "app-1" && r.spec.data == ip)
        );
        assert!(!w.machine_names().await.contains(&"app-1".to_string()));
        w.emulator.shutdown().await;
    }
}

#[tokio::test]
async fn preflight_reports_every_bad_value_and_creates_nothing() {
    for kind in ProviderKind::ALL {
        let w = world(kind).await;
        // What needs no provider fails without a single request.
        let mut o = w.options("Bad_Name");
        o.machine_type = Some("missing".into());
        w.emulator.clear_requests();
        let e = create_machine(
            w.provider.as_ref(),
            &w.ctx(),
            &o,
            &no_progress,
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Validation);
        for bad in ["Bad_Name", "`missing`", "web"] {
            assert!(e.message.contains(bad), "{kind}: {bad} missing in {e}");
        }
        assert!(
            w.emulator.requests().is_empty(),
            "{kind}: a local check sent requests"
        );
        // The provider's answers: every bad value at once.
        let mut o = w.options("ok-name");
        o.ssh_keys.push("nope".into());
        o.region = "atlantis".into();
        o.image = "no-such-image".into();
        o.dns_zone = Some("unknown.zone".into());
        let e = create_machine(
            w.provider.as_ref(),
            &w.ctx(),
            &o,
            &no_progress,
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Validation);
        for bad in [
            "`nope`",
            "hangar-demo",
            "atlantis",
            "no-such-image",
            "DNS zone `unknown.zone` not found",
        ] {
            assert!(e.message.contains(bad), "{kind}: {bad} missing in {e}");
        }
        // Size not offered in the region.
        let mut o = w.options("ok-name");
        let sizes = w.provider.sizes().await.unwrap();
        let regions = w.provider.regions().await.unwrap();
        // (A catalog that offers every plan in every region has nothing to refuse.)
        if let Some((size, region)) = sizes.iter().find_map(|s| {
            regions
                .iter()
                .find(|r| r.available && !s.regions.contains(&r.slug))
                .map(|r| (s.slug.clone(), r.slug.clone()))
        }) {
            o.size = size.clone();
            o.region = region.clone();
            let e = create_machine(
                w.provider.as_ref(),
                &w.ctx(),
                &o,
                &no_progress,
                &CancellationToken::new(),
            )
            .await
            .unwrap_err();
            assert!(
                e.message.contains(&format!(
                    "size `{size}` is not offered in region `{region}`"
                )),
                "{e}"
            );
        }
        // Initializing without a type.
        let mut o = w.options("ok-name");
        o.machine_type = None;
        let e = create_machine(
            w.provider.as_ref(),
            &w.ctx(),
            &o,
            &no_progress,
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
        assert!(e.message.contains("machine type is required"), "{e}");
        assert_eq!(w.posts(w.machines_path()), 0, "{kind}: nothing created");
        w.emulator.shutdown().await;
    }
}

#[tokio::test]
async fn partial_failures_report_what_exists() {
    for kind in ProviderKind::ALL {
        // DNS fails: the machine and its IP are reported, the record is the problem.
        let w = world(kind).await;
        let dns_route = format!("POST {}/", w.emulated.sample().domains_path);
        w.emulator.set_faults(
            w.emulated,
            Some(dns_route.as_str()),
            Faults {
                server_error_percent: 100,
                ..Default::default()
            },
        );
        let out = create_machine(
            w.provider.as_ref(),
            &w.ctx(),
            &w.options("dns-fails"),
            &no_progress,
            &CancellationToken::new(),
        )
        .await
        .unwrap();
        assert!(out.ip.is_some() && out.dns_record.is_none());
        assert_eq!(out.problems.len(), 1, "{kind}: {:?}", out.problems);
        assert!(
            out.problems[0].message.contains("no DNS record dns-fails."),
            "{:?}",
            out.problems
        );
        assert!(w.machine_names().await.contains(&"dns-fails".to_string()));
        w.emulator.clear_faults();

        // Destroy under DNS-delete faults: the machine goes, the record left behind is reported.
        let delete_route = format!("DELETE {}/", w.emulated.sample().domains_path);
        w.emulator.set_faults(
            w.emulated,
            Some(delete_route.as_str()),
            Faults {
                server_error_percent: 100,
                ..Default::default()
            },
        );
        let rec = w
            .provider
            .create_record(
                w.zone(),
                &DnsRecordSpec::new(DnsRecordType::A, "dns-fails", out.ip.clone().unwrap()),
            )
            .await
            .unwrap();
        let gone = destroy_machines(
            w.provider.as_ref(),
            &w.session,
            &DestroyOptions {
                ids: vec![out.machine.id.clone()],
                all: false,
                delete_dns: true,
                dns_zones: vec![w.zone().into()],
                extra_records: Vec::new(),
            },
            &no_progress,
        )
        .await
        .unwrap();
        assert!(gone[0].destroyed);
        assert_eq!(gone[0].problems.len(), 1, "{gone:?}");
        // Both facts: the machine is gone, its record is not, and how to delete it.
        let said = &gone[0].problems[0].message;
        assert!(
            said.contains(&format!(
                "machine dns-fails ({}) is destroyed",
                out.machine.id
            )) && said.contains(&format!(
                "dns-fails.{} (id {}) was not deleted",
                w.zone(),
                rec.id
            )) && said.contains(&format!("hangar dns delete {} {}", w.zone(), rec.id)),
            "{kind}: {said}"
        );
        w.emulator.clear_faults();

        // The create request fails with a server error: an error, and no machine exists.
        w.emulator.set_faults(
            w.emulated,
            Some(&format!("POST {}", w.machines_path())),
            Faults {
                server_error_percent: 100,
                ..Default::default()
            },
        );
        let e = create_machine(
            w.provider.as_ref(),
            &w.ctx(),
            &w.options("create-fails"),
            &no_progress,
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
        assert!(e.message.contains("not created"), "{kind}: {e}");
        assert!(
            !w.machine_names()
                .await
                .contains(&"create-fails".to_string())
        );
        w.emulator.clear_faults();

        // Flaky reads during the wait (500s and 429s) are retried; nothing is lost.
        w.emulator.set_faults(
            w.emulated,
            Some(&format!("GET {}/", w.machines_path())),
            Faults {
                server_error_percent: 30,
                rate_limit_percent: 20,
                retry_after_secs: 0,
                ..Default::default()
            },
        );
        let out = create_machine(
            w.provider.as_ref(),
            &w.ctx(),
            &w.options("flaky"),
            &no_progress,
            &CancellationToken::new(),
        )
        .await
        .unwrap();
        assert!(out.is_complete(), "{kind}: {:?}", out.problems);
        assert!(out.ip.is_some());
        w.emulator.shutdown().await;

        // IP timeout and cancel: the machine id is reported, no record is made.
        let w = world_with_delay(kind, Duration::from_secs(30)).await;
        let mut o = w.options("slow-ip");
        o.poll.timeout = Duration::from_millis(500);
        let out = create_machine(
            w.provider.as_ref(),
            &w.ctx(),
            &o,
            &no_progress,
            &CancellationToken::new(),
        )
        .await
        .unwrap();
        if out.ip.is_some() {
            // The create answered with the address (Linode assigns it at once): there is no
            // IP wait to time out or to cancel.
            assert!(out.is_complete(), "{kind}: {:?}", out.problems);
            w.emulator.shutdown().await;
            continue;
        }
        assert!(out.ip.is_none() && out.dns_record.is_none());
        assert!(!out.machine.id.is_empty());
        assert_eq!(
            out.problems[0].kind,
            ErrorKind::Partial,
            "{:?}",
            out.problems
        );
        assert!(
            out.problems
                .iter()
                .any(|p| p.message.contains("no DNS record"))
        );

        let cancel = CancellationToken::new();
        let c = cancel.clone();
        let (events, sink) = recorder();
        let canceller = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            c.cancel();
        });
        let mut o = w.options("cancelled");
        o.poll.timeout = Duration::from_secs(20);
        let out = create_machine(w.provider.as_ref(), &w.ctx(), &o, &sink, &cancel)
            .await
            .unwrap();
        canceller.await.unwrap();
        assert!(
            out.problems.iter().any(|p| p.kind == ErrorKind::Cancelled),
            "{:?}",
            out.problems
        );
        assert!(
            events
                .lock()
                .unwrap()
                .iter()
                .any(|e| matches!(e, Progress::Created { .. }))
        );
        assert!(w.machine_names().await.contains(&"cancelled".to_string()));
        w.emulator.shutdown().await;
    }
}

#[tokio::test]
async fn losing_the_api_during_create_is_said_and_ends_early_naming_the_machine() {
    for kind in ProviderKind::ALL {
        // Slow enough that the create answers without an IP, so the wait polls.
        let w = world_with_delay(kind, Duration::from_secs(30)).await;
        // Every poll of the new machine loses its connection, as when the API goes away.
        let get_route = format!("GET {}/", w.machines_path());
        w.emulator.set_faults(
            w.emulated,
            Some(&get_route),
            Faults {
                drop_connection_percent: 100,
                ..Default::default()
            },
        );
        let mut opts = w.options("api-gone");
        opts.poll.outage_timeout = Duration::from_secs(1);
        opts.poll.timeout = Duration::from_secs(60);
        let (events, sink) = recorder();
        let out = create_machine(
            w.provider.as_ref(),
            &w.ctx(),
            &opts,
            &sink,
            &CancellationToken::new(),
        )
        .await
        .unwrap();
        if out.ip.is_some() {
            // The create answered with the address (Linode): no IP wait polled the lost API.
            assert!(out.is_complete(), "{kind}: {:?}", out.problems);
            w.emulator.shutdown().await;
            continue;
        }
        let id = out.machine.id.clone();
        let warnings: Vec<String> = events
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                Progress::Warning { message } => Some(message.clone()),
                _ => None,
            })
            .collect();
        assert!(
            warnings[0].contains("API is unreachable") && warnings[0].contains(&id),
            "{kind}: {warnings:?}"
        );
        let problems: Vec<&str> = out.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(problems.len(), 2, "{kind}: {problems:?}");
        assert!(
            problems[0].contains(&format!("machine {id} was created"))
                && problems[0].contains("has not answered for 1 s")
                && problems[0].contains(&format!("hangar destroy {id}")),
            "{kind}: {problems:?}"
        );
        assert!(
            !problems[0].contains("60 s") && !problems[0].contains("no public IP"),
            "{kind}: the outage deadline, not the overall timeout, ended the wait: {problems:?}"
        );
        let dns_mentions = problems
            .iter()
            .filter(|p| p.contains("no DNS record"))
            .count();
        assert_eq!(dns_mentions, 1, "{kind}: {problems:?}");
        w.emulator.clear_faults();
        assert!(w.machine_names().await.contains(&"api-gone".to_string()));
    }
}

#[tokio::test]
async fn destroy_refuses_foreign_machines_unless_all() {
    for kind in ProviderKind::ALL {
        let w = world(kind).await;
        let all = w
            .provider
            .list_machines(&MachineFilter::all())
            .await
            .unwrap();
        let other_session = all.iter().find(|m| m.name == "web-1").unwrap();
        let untagged = all.iter().find(|m| m.name == "legacy-db").unwrap();
        for (m, why) in [
            (other_session, "another session"),
            (untagged, "not created by"),
        ] {
            let e = destroy_machines(
                w.provider.as_ref(),
                &w.session,
                &DestroyOptions {
                    ids: vec![m.id.clone()],
                    ..Default::default()
                },
                &no_progress,
            )
            .await
            .unwrap_err();
            assert_eq!(e.kind, ErrorKind::Refused);
            assert!(e.message.contains(why), "{e}");
        }
        let e = destroy_machines(
            w.provider.as_ref(),
            &w.session,
            &DestroyOptions {
                ids: vec!["999999999".into()],
                ..Default::default()
            },
            &no_progress,
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
        assert_eq!(w.machine_names().await.len(), 2, "nothing deleted");
        let done = destroy_machines(
            w.provider.as_ref(),
            &w.session,
            &DestroyOptions {
                ids: vec![untagged.id.clone()],
                all: true,
                ..Default::default()
            },
            &no_progress,
        )
        .await
        .unwrap();
        assert!(done[0].destroyed);
        w.emulator.shutdown().await;
    }
}

#[tokio::test]
async fn catalog_check_info_and_dns_validation() {
    for kind in ProviderKind::ALL {
        let w = world(kind).await;
        let keys = catalog::ssh_keys(w.provider.as_ref()).await.unwrap();
        assert_eq!(keys.len(), 2);
        if kind.about().projects {
            assert!(
                !catalog::projects(w.provider.as_ref())
                    .await
                    .unwrap()
                    .is_empty()
            )
        } else {
            let e = catalog::projects(w.provider.as_ref()).await.unwrap_err();
            assert_eq!(e.kind, ErrorKind::Unsupported);
            let says = format!("{kind} does not support projects");
            assert!(e.message.contains(&says), "{e}");
        }
        assert_eq!(catalog::machine_types(&w.types), ["web"]);
        assert_eq!(
            dns::list_zones(w.provider.as_ref()).await.unwrap(),
            [w.zone()]
        );
        let o = w.options("x");
        let items = check::check(
            w.provider.as_ref(),
            &check::CheckOptions {
                ssh_keys: vec!["hangar-demo".into(), "nope".into()],
                dns_zone: Some(w.zone().into()),
                project: Some("Default".into()),
                region: Some(o.region.clone()),
                size: Some(o.size.clone()),
                image: Some("bogus".into()),
            },
        )
        .await
        .unwrap();
        let status = |check: &str, detail: &str| {
            items
                .iter()
                .find(|i| i.check == check && i.detail.starts_with(detail))
                .unwrap_or_else(|| panic!("{check} {detail}: {items:?}"))
                .status
        };
        assert_eq!(status("API authentication", ""), CheckStatus::Pass);
        assert_eq!(status("SSH key", "hangar-demo"), CheckStatus::Pass);
        assert_eq!(status("SSH key", "nope"), CheckStatus::Fail);
        assert_eq!(status("DNS zone", w.zone()), CheckStatus::Pass);
        assert_eq!(status("Region", &o.region), CheckStatus::Pass);
        assert_eq!(status("Size", &o.size), CheckStatus::Pass);
        assert_eq!(status("Image", "bogus"), CheckStatus::Fail);
        if kind.about().projects {
            assert_eq!(status("Project", "Default"), CheckStatus::Pass)
        } else {
            let skipped = format!("not supported by {kind}");
            assert_eq!(status("Project", &skipped), CheckStatus::Skip)
        }

        let bad = hangar::providers::connect(
            kind,
            &Token::from("wrong".to_string()),
            Some(&w.emulator.base_url(w.emulated)),
            fast_options(),
        )
        .unwrap();
        let items = check::check(
            bad.as_ref(),
            &check::CheckOptions {
                ssh_keys: vec!["x".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(items.len(), 1, "the rest is skipped");
        assert_eq!(items[0].status, CheckStatus::Fail);
        let e = Error::from(bad.account().await.unwrap_err());
        assert_eq!(e.kind, ErrorKind::Auth);
        assert!(
            e.message.contains("check the token") && !e.message.contains("wrong"),
            "{e}"
        );
        let account = w.provider.account().await.unwrap();
        assert!(account.email.contains('@'));

        // Bad record data never reaches the provider.
        w.emulator.clear_requests();
        let e = dns::create_record(
            w.provider.as_ref(),
            w.zone(),
            &DnsRecordSpec::new(DnsRecordType::A, "x", "2001:db8::1"),
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Validation);
        assert!(w.emulator.requests().is_empty());
        let r = dns::create_record(
            w.provider.as_ref(),
            w.zone(),
            &DnsRecordSpec::new(DnsRecordType::A, "x", "192.0.2.77").with_ttl(600),
        )
        .await
        .unwrap();
        let r2 = dns::update_record(
            w.provider.as_ref(),
            w.zone(),
            &r.id,
            &DnsRecordSpec::new(DnsRecordType::A, "x", "192.0.2.78").with_ttl(600),
        )
        .await
        .unwrap();
        assert_eq!(r2.spec.data, "192.0.2.78");
        dns::delete_record(w.provider.as_ref(), w.zone(), &r.id)
            .await
            .unwrap();
        w.emulator.shutdown().await;
    }
}

/// The request counts reported in BENCHMARKS.md: `create` with 2 SSH keys and DNS on, and
/// `list` of this session's machines among 2,000. Run with `--nocapture` to see the table.
#[tokio::test]
async fn request_counts_of_create_and_list() {
    println!("| provider | use case | requests | of which IP polls |");
    println!("|---|---|---:|---:|");
    for kind in ProviderKind::ALL {
        let w = world(kind).await;
        w.emulator.clear_requests();
        let out = create_machine(
            w.provider.as_ref(),
            &w.ctx(),
            &w.options("counted"),
            &no_progress,
            &CancellationToken::new(),
        )
        .await
        .unwrap();
        assert!(out.is_complete());
        let reqs = w.emulator.requests();
        let polls = reqs
            .iter()
            .filter(|r| r.method == "GET" && r.path.starts_with(&format!("{}/", w.machines_path())))
            .count();
        println!(
            "| {kind} | create (2 SSH keys, DNS on{}) | {} | {polls} |",
            if kind.about().projects {
                ", project"
            } else {
                ""
            },
            reqs.len()
        );
        // Pre-flight is one request per catalog/list (the duplicate check's machines and
        // records included), all at once, and nothing is repeated.
        assert!(reqs.len() - polls <= 11, "{kind}: {}", reqs.len());

        w.emulator.add_machines(
            w.emulated,
            2_000,
            &[
                "machine:created",
                "machine:session:0123abcd",
                "machine:type:web",
            ],
        );
        w.emulator.clear_requests();
        let found = list_machines(w.provider.as_ref(), &w.session, &ListFilter::default())
            .await
            .unwrap();
        assert_eq!(found.len(), 2_001);
        let n = w.emulator.requests().len();
        println!("| {kind} | list (2,001 session machines) | {n} | 0 |");
        let per_page = w.emulated.sample().max_page_size;
        assert!(n <= 2_003usize.div_ceil(per_page), "{kind}: {n}");
        w.emulator.shutdown().await;
    }
}

/// A provider that passes every call to a real one, except for what it is told to tamper
/// with. These are the situations the emulator cannot script.
#[derive(Debug)]
struct Tampered {
    inner: Arc<dyn CloudProvider>,
    /// The create reaches the cloud but its reply is lost (the connection drops after the
    /// machine was made); the emulator decides faults before handling a request.
    lose_create_reply: bool,
    /// Every machine that has an address reports this one instead, e.g. a loopback
    /// address where a test serves the cloud-init status endpoint.
    ipv4: Option<String>,
}

impl Tampered {
    fn new(inner: Arc<dyn CloudProvider>) -> Self {
        Self {
            inner,
            lose_create_reply: false,
            ipv4: None,
        }
    }
}

#[async_trait::async_trait]
impl CloudProvider for Tampered {
    fn kind(&self) -> ProviderKind {
        self.inner.kind()
    }
    async fn account(&self) -> hangar::provider::Result<hangar::provider::AccountInfo> {
        self.inner.account().await
    }
    async fn create_machine(
        &self,
        r: &hangar::provider::CreateMachine,
    ) -> hangar::provider::Result<hangar::provider::Machine> {
        let made = self.inner.create_machine(r).await?;
        if !self.lose_create_reply {
            return Ok(made);
        }
        Err(hangar::provider::ProviderError::Network {
            provider: self.kind(),
            message: "connection closed before the response".into(),
        })
    }
    async fn get_machine(&self, id: &str) -> hangar::provider::Result<hangar::provider::Machine> {
        self.inner.get_machine(id).await
    }
    async fn list_machines(
        &self,
        f: &MachineFilter,
    ) -> hangar::provider::Result<Vec<hangar::provider::Machine>> {
        let mut machines = self.inner.list_machines(f).await?;
        if let Some(ip) = &self.ipv4 {
            for m in machines.iter_mut().filter(|m| m.ipv4.is_some()) {
                m.ipv4 = Some(ip.clone());
            }
        }
        Ok(machines)
    }
    async fn destroy_machine(&self, id: &str) -> hangar::provider::Result<()> {
        self.inner.destroy_machine(id).await
    }
    async fn power(
        &self,
        id: &str,
        a: hangar::provider::PowerAction,
    ) -> hangar::provider::Result<()> {
        self.inner.power(id, a).await
    }
    async fn rename_machine(&self, id: &str, name: &str) -> hangar::provider::Result<()> {
        self.inner.rename_machine(id, name).await
    }
    async fn retag_machine(
        &self,
        id: &str,
        add: &[String],
        remove: &[String],
    ) -> hangar::provider::Result<()> {
        self.inner.retag_machine(id, add, remove).await
    }
    async fn list_ssh_keys(&self) -> hangar::provider::Result<Vec<hangar::provider::SshKey>> {
        self.inner.list_ssh_keys().await
    }
    async fn list_zones(&self) -> hangar::provider::Result<Vec<hangar::provider::DnsZone>> {
        self.inner.list_zones().await
    }
    async fn list_records(
        &self,
        z: &str,
    ) -> hangar::provider::Result<Vec<hangar::provider::DnsRecord>> {
        self.inner.list_records(z).await
    }
    async fn create_record(
        &self,
        z: &str,
        r: &DnsRecordSpec,
    ) -> hangar::provider::Result<hangar::provider::DnsRecord> {
        self.inner.create_record(z, r).await
    }
    async fn update_record(
        &self,
        z: &str,
        id: &str,
        r: &DnsRecordSpec,
    ) -> hangar::provider::Result<hangar::provider::DnsRecord> {
        self.inner.update_record(z, id, r).await
    }
    async fn delete_record(&self, z: &str, id: &str) -> hangar::provider::Result<()> {
        self.inner.delete_record(z, id).await
    }
    async fn regions(&self) -> hangar::provider::Result<Arc<Vec<hangar::provider::Region>>> {
        self.inner.regions().await
    }
    async fn sizes(&self) -> hangar::provider::Result<Arc<Vec<hangar::provider::Size>>> {
        self.inner.sizes().await
    }
    async fn images(&self) -> hangar::provider::Result<Arc<Vec<hangar::provider::Image>>> {
        self.inner.images().await
    }
    fn projects(&self) -> Option<&dyn hangar::provider::Projects> {
        self.inner.projects()
    }
}

#[tokio::test]
async fn a_machine_made_by_a_create_whose_reply_was_lost_is_reported() {
    for kind in ProviderKind::ALL {
        let w = world(kind).await;
        let lossy = Tampered {
            lose_create_reply: true,
            ..Tampered::new(w.provider.clone())
        };
        let e = create_machine(
            &lossy,
            &w.ctx(),
            &w.options("lost-reply"),
            &no_progress,
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
        let made = w
            .provider
            .list_machines(&MachineFilter::all())
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.name == "lost-reply")
            .expect("the machine exists");
        assert_eq!(e.kind, ErrorKind::Partial, "{kind}: {e}");
        assert!(e.message.contains(&made.id), "{kind}: {e}");
        w.emulator.shutdown().await;
    }
}

/// Faults on every route (500s, 429s, dropped connections): whatever each create and destroy
/// returns, every machine that exists afterwards was reported to the caller.
#[tokio::test]
async fn create_and_destroy_under_faults_leave_no_unreported_machine() {
    for kind in ProviderKind::ALL {
        let w = world(kind).await;
        w.provider.regions().await.unwrap();
        w.provider.sizes().await.unwrap();
        w.provider.images().await.unwrap();
        let before: Vec<String> = w.machine_names().await;
        w.emulator.set_faults(
            w.emulated,
            None,
            Faults {
                server_error_percent: 25,
                rate_limit_percent: 10,
                retry_after_secs: 0,
                drop_connection_percent: 10,
                ..Default::default()
            },
        );
        let mut reported: Vec<String> = Vec::new();
        let mut outcomes = Vec::new();
        for i in 0..6 {
            let name = format!("faulty-{i}");
            match create_machine(
                w.provider.as_ref(),
                &w.ctx(),
                &w.options(&name),
                &no_progress,
                &CancellationToken::new(),
            )
            .await
            {
                Ok(out) => {
                    reported.push(out.machine.id.clone());
                    outcomes.push(format!(
                        "{name}: created, problems {:?}",
                        out.problems.iter().map(|p| &p.message).collect::<Vec<_>>()
                    ));
                    // Destroy it again under the same faults.
                    match destroy_machines(
                        w.provider.as_ref(),
                        &w.session,
                        &DestroyOptions {
                            ids: vec![out.machine.id.clone()],
                            delete_dns: true,
                            dns_zones: vec![w.zone().into()],
                            extra_records: Vec::new(),
                            ..Default::default()
                        },
                        &no_progress,
                    )
                    .await
                    {
                        Ok(r) if r[0].destroyed => {
                            reported.retain(|id| id != &out.machine.id);
                        }
                        Ok(r) => {
                            outcomes.push(format!("{name}: destroy reported {:?}", r[0].problems))
                        }
                        Err(e) => outcomes.push(format!("{name}: destroy failed: {e}")),
                    }
                }
                Err(e) => outcomes.push(format!("{name}: {:?} {}", e.kind, e.message)),
            }
        }
        w.emulator.clear_faults();
        let all = w
            .provider
            .list_machines(&MachineFilter::all())
            .await
            .unwrap();
        for m in all.iter().filter(|m| !before.contains(&m.name)) {
            let in_error = outcomes.iter().any(|o| o.contains(&m.id));
            assert!(
                reported.contains(&m.id) || in_error,
                "{kind}: machine {} ({}) exists but was not reported: {outcomes:#?}",
                m.name,
                m.id
            );
        }
        println!("{kind}: {outcomes:#?}");
        w.emulator.shutdown().await;
    }
}

/// The provider accepts every delete but the machine stays: the result says it still exists
/// (and is billed), and its DNS record is kept because the machine still answers on it.
#[tokio::test]
async fn a_machine_that_survives_its_delete_is_reported_and_keeps_its_record() {
    for kind in ProviderKind::ALL {
        let w = world(kind).await;
        let out = create_machine(
            w.provider.as_ref(),
            &w.ctx(),
            &w.options("sticky"),
            &no_progress,
            &CancellationToken::new(),
        )
        .await
        .unwrap();
        assert!(out.is_complete(), "{:?}", out.problems);
        w.emulator.ghost_deletes(w.emulated, 100);
        let r = destroy_machines(
            w.provider.as_ref(),
            &w.session,
            &DestroyOptions {
                ids: vec![out.machine.id.clone()],
                delete_dns: true,
                dns_zones: vec![w.zone().into()],
                extra_records: Vec::new(),
                ..Default::default()
            },
            &no_progress,
        )
        .await
        .unwrap();
        assert!(!r[0].destroyed);
        assert_eq!(r[0].problems[0].kind, ErrorKind::StillExists, "{r:?}");
        assert!(r[0].problems[0].message.contains("still exists"), "{r:?}");
        let record = out.dns_record.unwrap();
        let records = w.provider.list_records(w.zone()).await.unwrap();
        assert!(records.iter().any(|r| r.id == record.record_id));
        w.emulator.shutdown().await;
    }
}

/// A local stand-in for the status endpoint machines serve: `cloud-init-status` answers
/// `done`, `broken` answers 500, anything else 404.
async fn serve_status_endpoint() -> (u16, tokio::task::JoinHandle<()>) {
    use axum::{Json, Router, http::StatusCode, routing::get};
    let app = Router::new()
        .route(
            "/cgi-bin/cloud-init-status",
            get(|| async { Json(serde_json::json!({ "status": "done" })) }),
        )
        .route(
            "/cgi-bin/broken",
            get(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (port, server)
}

#[tokio::test]
async fn status_reads_the_check_a_machine_serves() {
    let (port, server) = serve_status_endpoint().await;
    for kind in ProviderKind::ALL {
        let w = world(kind).await;
        let served = Tampered {
            ipv4: Some("127.0.0.1".into()),
            ..Tampered::new(w.provider.clone())
        };
        let all = ListFilter {
            all: true,
            ..ListFilter::default()
        };
        let ask = |check: &str| StatusOptions {
            filter: all.clone(),
            port,
            check: check.into(),
            timeout: Duration::from_secs(2),
        };

        let reports = machine_status(&served, &w.session, &ask("cloud-init-status"))
            .await
            .unwrap();
        let with_ip: Vec<_> = reports.iter().filter(|r| r.ip.is_some()).collect();
        assert!(
            !with_ip.is_empty(),
            "{kind}: the seed has machines with an address"
        );
        for r in &with_ip {
            assert_eq!(r.check_status, "done", "{kind}: {r:?}");
        }
        for r in reports.iter().filter(|r| r.ip.is_none()) {
            assert_eq!(
                r.check_status, UNKNOWN,
                "{kind}: no address, no check: {r:?}"
            );
        }

        for failing in ["broken", "not-served"] {
            let reports = machine_status(&served, &w.session, &ask(failing))
                .await
                .unwrap();
            assert!(
                reports.iter().all(|r| r.check_status == UNKNOWN),
                "{kind}: check `{failing}` must read UNKNOWN: {reports:?}"
            );
        }
        w.emulator.shutdown().await;
    }
    server.abort();
}

#[tokio::test]
async fn destroy_preview_lists_exactly_the_records_destroy_deletes() {
    use hangar::usecases::destroy::{address_records, preview_destroy};
    use hangar::usecases::ssh::ssh_target;
    for kind in ProviderKind::ALL {
        let w = world(kind).await;
        let zone = w.zone().to_string();
        let zones = vec![zone.clone()];
        let demo: SessionId = "de300001".parse().unwrap();
        let all = w
            .provider
            .list_machines(&MachineFilter::all())
            .await
            .unwrap();
        let web = all.iter().find(|m| m.name == "web-1").unwrap();
        let legacy = all.iter().find(|m| m.name == "legacy-db").unwrap();
        let ip = web.ipv4.clone().expect("web-1 has an address");
        let mut ids = Vec::new();
        for (name, data) in [
            ("web-1", ip.as_str()),
            ("web-1", "203.0.113.77"),
            ("alias", ip.as_str()),
        ] {
            let r = w
                .provider
                .create_record(&zone, &DnsRecordSpec::new(DnsRecordType::A, name, data))
                .await
                .unwrap();
            ids.push(r.id);
        }
        let cname = w
            .provider
            .create_record(
                &zone,
                &DnsRecordSpec::new(DnsRecordType::CNAME, "shop", format!("web-1.{zone}.")),
            )
            .await
            .unwrap()
            .id;

        let preview = preview_destroy(
            w.provider.as_ref(),
            &demo,
            &[web.id.clone(), legacy.id.clone()],
            false,
            &zones,
        )
        .await
        .unwrap();
        assert_eq!(preview[0].refusal, None, "{kind}: {preview:?}");
        let listed: Vec<&str> = preview[0]
            .records
            .iter()
            .map(|r| r.record_id.as_str())
            .collect();
        assert_eq!(listed, [ids[0].as_str()], "{kind}: only name AND address");
        assert_eq!(preview[0].records[0].fqdn, format!("web-1.{zone}"));
        // Other records pointing at it: the `alias` A record and the CNAME, not the record of
        // its name with another address.
        let mut others: Vec<&str> = preview[0]
            .other_records
            .iter()
            .map(|r| r.record_id.as_str())
            .collect();
        others.sort();
        let mut expected = vec![ids[2].as_str(), cname.as_str()];
        expected.sort();
        assert_eq!(others, expected, "{kind}: {:?}", preview[0].other_records);
        let refusal = preview[1].refusal.as_deref().expect("legacy-db is refused");
        assert!(refusal.contains("not created by"), "{kind}: {refusal}");
        let other = preview_destroy(
            w.provider.as_ref(),
            &w.session,
            std::slice::from_ref(&web.id),
            false,
            &zones,
        )
        .await
        .unwrap();
        assert!(
            other[0]
                .refusal
                .as_deref()
                .unwrap_or("")
                .contains("another session"),
            "{kind}: {other:?}"
        );
        let forced = preview_destroy(
            w.provider.as_ref(),
            &w.session,
            std::slice::from_ref(&web.id),
            true,
            &zones,
        )
        .await
        .unwrap();
        assert_eq!(forced[0].refusal, None);
        let missing = preview_destroy(
            w.provider.as_ref(),
            &demo,
            &["999999999".into()],
            false,
            &zones,
        )
        .await
        .unwrap_err();
        assert_eq!(missing.kind, ErrorKind::NotFound);

        // The ssh host: the record named like the machine.
        let (pointing, problems) = address_records(w.provider.as_ref(), web, &zones).await;
        assert!(problems.is_empty());
        assert_eq!(pointing.len(), 2, "{kind}: {pointing:?}");
        let ssh = ssh_target(web, &w.types, &pointing).unwrap();
        assert_eq!(ssh.command, format!("ssh deploy@web-1.{zone}"));

        let gone = destroy_machines(
            w.provider.as_ref(),
            &demo,
            &DestroyOptions {
                ids: vec![web.id.clone()],
                all: false,
                delete_dns: true,
                dns_zones: zones.clone(),
                // The person ticked the `alias` record in the dialog.
                extra_records: vec![hangar::usecases::destroy::ExtraRecord {
                    machine_id: web.id.clone(),
                    zone: zone.clone(),
                    record_id: ids[2].clone(),
                    fqdn: format!("alias.{zone}"),
                }],
            },
            &no_progress,
        )
        .await
        .unwrap();
        assert!(gone[0].destroyed, "{kind}: {gone:?}");
        let deleted: Vec<&str> = gone[0]
            .dns_records_deleted
            .iter()
            .map(|r| r.record_id.as_str())
            .collect();
        assert_eq!(
            deleted,
            [listed[0], ids[2].as_str()],
            "{kind}: destroy deletes what the preview showed, and the chosen extra record"
        );
        let left: Vec<String> = w
            .provider
            .list_records(&zone)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert!(!left.contains(&ids[0]) && !left.contains(&ids[2]), "{kind}");
        assert!(
            left.contains(&ids[1]) && left.contains(&cname),
            "{kind}: {left:?}"
        );
        // Orphans: A/AAAA records whose address no machine of the account has.
        let orphans = dns::list_records(
            w.provider.as_ref(),
            &w.session,
            &dns::RecordQuery {
                zone: zone.clone(),
                orphans: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let machines = w
            .provider
            .list_machines(&MachineFilter::all())
            .await
            .unwrap();
        assert!(
            orphans.iter().any(|r| r.id == ids[1]),
            "{kind}: {orphans:?}"
        );
        for r in &orphans {
            assert!(
                r.machine.is_none()
                    && matches!(r.record_type.as_str(), "A" | "AAAA")
                    && !machines
                        .iter()
                        .any(|m| m.ipv4.as_deref() == Some(r.data.as_str())),
                "{kind}: not an orphan: {r:?}"
            );
        }
        w.emulator.shutdown().await;
    }
}

/// Creates `name` on `w`'s account with its DNS record, and returns its id and address.
async fn made(w: &World, name: &str) -> (String, String) {
    let out = create_machine(
        w.provider.as_ref(),
        &w.ctx(),
        &w.options(name),
        &no_progress,
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    assert!(out.is_complete(), "{:?}", out.problems);
    (out.machine.id, out.ip.expect("an IP"))
}

#[tokio::test]
async fn a_machine_is_renamed_with_its_own_records_and_a_taken_name_is_refused() {
    use hangar::usecases::manage::{RenameOptions, rename};
    for kind in ProviderKind::ALL {
        let w = world(kind).await;
        let zone = w.zone().to_string();
        let (id, ip) = made(&w, "ren-1").await;
        made(&w, "ren-2").await;
        let p = w.provider.as_ref();
        let opts = |name: &str| RenameOptions {
            name: name.into(),
            zones: vec![zone.clone()],
            allow_duplicate: false,
        };

        // A bad name is refused before any request.
        w.emulator.clear_requests();
        let err = rename(p, &id, &opts("Bad_Name")).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Validation, "{kind}: {err}");
        assert!(
            w.emulator.requests().is_empty(),
            "{kind}: a request was sent"
        );

        // A name another machine and a record have: refused, nothing renamed.
        let err = rename(p, &id, &opts("ren-2")).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Duplicate, "{kind}: {err}");
        assert!(
            err.message
                .contains("a machine named `ren-2` already exists")
                && err
                    .message
                    .contains(&format!("ren-2.{zone} already has DNS records"))
                && err.message.contains("Nothing was renamed"),
            "{kind}: {err}"
        );
        assert_eq!(p.get_machine(&id).await.unwrap().name, "ren-1");

        let renamed = rename(p, &id, &opts("ren-3")).await.unwrap();
        assert_eq!(renamed.machine.name, "ren-3", "{kind}");
        assert_eq!(
            renamed
                .records
                .iter()
                .map(|r| (r.fqdn.as_str(), r.data.as_str()))
                .collect::<Vec<_>>(),
            [(format!("ren-3.{zone}").as_str(), ip.as_str())],
            "{kind}"
        );
        let records = p.list_records(&zone).await.unwrap();
        assert!(
            records
                .iter()
                .any(|r| r.spec.name == "ren-3" && r.spec.data == ip),
            "{kind}: {records:?}"
        );
        assert!(
            !records.iter().any(|r| r.spec.name == "ren-1"),
            "{kind}: the old record stayed: {records:?}"
        );

        // The record cannot follow: the machine is renamed, and the error says which record
        // kept the old name.
        let sample = w.emulated.sample();
        let update = format!("{} {}/", sample.record_update_method, sample.domains_path);
        w.emulator.set_faults(
            w.emulated,
            Some(update.as_str()),
            Faults {
                server_error_percent: 100,
                ..Default::default()
            },
        );
        let err = rename(p, &id, &opts("ren-4")).await.unwrap_err();
        w.emulator.clear_faults();
        assert_eq!(err.kind, ErrorKind::Partial, "{kind}: {err}");
        assert!(
            err.message.contains("is now called ren-4")
                && err.message.contains(&format!("ren-3.{zone} (A {ip}")),
            "{kind}: {err}"
        );
        assert_eq!(p.get_machine(&id).await.unwrap().name, "ren-4");
        w.emulator.shutdown().await;
    }
}

#[tokio::test]
async fn tags_are_added_and_removed_and_hangars_own_tags_are_refused() {
    use hangar::usecases::manage::change_tags;
    for kind in ProviderKind::ALL {
        let w = world(kind).await;
        let (id, _) = made(&w, "tag-1").await;
        let p = w.provider.as_ref();
        let tags = |v: &[&str]| v.iter().map(|t| t.to_string()).collect::<Vec<_>>();

        let m = change_tags(p, &id, &tags(&["blue", "owner:ops"]), &[])
            .await
            .unwrap();
        for t in [
            "blue",
            "owner:ops",
            "team-a",
            "machine:created",
            "machine:type:web",
        ] {
            assert!(
                m.tags.contains(&t.to_string()),
                "{kind}: {t} missing: {:?}",
                m.tags
            );
        }
        let m = change_tags(p, &id, &[], &tags(&["blue"])).await.unwrap();
        assert!(
            !m.tags.contains(&"blue".to_string()),
            "{kind}: {:?}",
            m.tags
        );
        assert!(
            m.tags.contains(&"machine:session:0123abcd".to_string()),
            "{kind}"
        );

        w.emulator.clear_requests();
        for (add, remove) in [
            (tags(&["machine:type:db"]), vec![]),
            (vec![], tags(&["machine:created"])),
            (tags(&["has space"]), vec![]),
            (vec![], vec![]),
        ] {
            let err = change_tags(p, &id, &add, &remove).await.unwrap_err();
            assert_eq!(err.kind, ErrorKind::Validation, "{kind}: {err}");
        }
        assert!(
            w.emulator.requests().is_empty(),
            "{kind}: a request was sent"
        );
        w.emulator.shutdown().await;
    }
}

#[tokio::test]
async fn a_protected_machine_is_refused_by_every_destroy_until_unprotected() {
    use hangar::usecases::destroy::preview_destroy;
    use hangar::usecases::manage::set_protection;
    for kind in ProviderKind::ALL {
        let w = world(kind).await;
        let (id, _) = made(&w, "keep-1").await;
        let p = w.provider.as_ref();
        let m = set_protection(p, &id, true).await.unwrap();
        assert!(m.tags.contains(&"machine:protected".to_string()), "{kind}");

        let preview = preview_destroy(p, &w.session, std::slice::from_ref(&id), true, &[])
            .await
            .unwrap();
        let refusal = preview[0].refusal.clone().unwrap_or_default();
        assert!(
            refusal.contains("is protected against deletion"),
            "{kind}: {refusal}"
        );
        for all in [false, true] {
            let opts = DestroyOptions {
                ids: vec![id.clone()],
                all,
                delete_dns: true,
                dns_zones: vec![w.zone().into()],
                extra_records: vec![],
            };
            let err = destroy_machines(p, &w.session, &opts, &no_progress)
                .await
                .unwrap_err();
            assert_eq!(err.kind, ErrorKind::Refused, "{kind}: {err}");
            assert!(
                err.message.contains(&format!("hangar protect off {id}")),
                "{err}"
            );
        }
        assert!(p.get_machine(&id).await.is_ok(), "{kind}: destroyed anyway");

        set_protection(p, &id, false).await.unwrap();
        let opts = DestroyOptions {
            ids: vec![id.clone()],
            all: false,
            delete_dns: true,
            dns_zones: vec![w.zone().into()],
            extra_records: vec![],
        };
        let done = destroy_machines(p, &w.session, &opts, &no_progress)
            .await
            .unwrap();
        assert!(done[0].destroyed, "{kind}: {:?}", done[0].problems);
        w.emulator.shutdown().await;
    }
}

#[tokio::test]
async fn resize_lists_plans_with_the_price_difference_and_powers_off_only_when_agreed() {
    use hangar::usecases::ResizeProgress;
    use hangar::usecases::resize::{ResizeOpts, resize, resize_options};
    for kind in ProviderKind::ALL {
        let w = world(kind).await;
        let Some(rules) = w.provider.resize().map(|r| r.resize_rules()) else {
            w.emulator.shutdown().await;
            continue;
        };
        let (id, ip) = made(&w, "rsz-1").await;
        let p = w.provider.as_ref();
        let sample = w.emulated.sample();
        let (current, bigger) = (sample.size, sample.bigger_size);
        let sizes = p.sizes().await.unwrap();
        let size = |slug: &str| sizes.iter().find(|z| z.slug == slug).unwrap().clone();
        let price_up = size(bigger).price_monthly - size(current).price_monthly;
        let disk = size(current).disk_gb;
        // A plan of the region with a smaller disk: never offered once the disk is this size.
        let smaller_disk = sizes
            .iter()
            .find(|z| z.disk_gb < disk && z.regions.iter().any(|r| r == sample.region))
            .map(|z| z.slug.clone());
        let smaller_disk = smaller_disk.as_deref();

        let choices = resize_options(p, &id).await.unwrap();
        assert_eq!(choices.disk_gb, disk, "{kind}");
        let option = |slug: &str| {
            choices
                .options
                .iter()
                .find(|o| o.size.slug == slug)
                .unwrap_or_else(|| panic!("{kind}: {slug} not offered"))
                .clone()
        };
        let now = option(current);
        assert!(now.current && !now.allowed, "{kind}: {now:?}");
        let up = option(bigger);
        assert!(up.allowed && up.grows_disk, "{kind}: {up:?}");
        assert!(
            (up.price_difference_monthly - price_up).abs() < 0.005,
            "{kind}: {up:?}"
        );
        assert!(
            choices
                .options
                .iter()
                .all(|o| o.size.regions.contains(&choices.machine.region)),
            "{kind}: only plans of the machine's region"
        );
        if let Some(small) = smaller_disk {
            let o = option(small);
            assert!(!o.allowed, "{kind}: {o:?}");
            assert!(
                o.reason.as_deref().unwrap_or_default().contains("smaller"),
                "{o:?}"
            );
            assert!(o.price_difference_monthly < 0.0);
        }

        // Refusals happen before any change.
        w.emulator.clear_requests();
        let sink = |_: ResizeProgress| {};
        let agreed = ResizeOpts {
            power_off_first: true,
            grow_disk: true,
        };
        let err = resize(p, &id, "no-such-plan", agreed, &sink)
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Validation, "{kind}: {err}");
        assert!(err.message.contains("--list"), "{err}");
        if let Some(small) = smaller_disk {
            let err = resize(p, &id, small, agreed, &sink).await.unwrap_err();
            assert_eq!(err.kind, ErrorKind::Validation, "{kind}: {err}");
            assert!(err.message.contains("never shrinks"), "{err}");
        }
        if rules.needs_power_off {
            let err = resize(p, &id, bigger, ResizeOpts::default(), &sink)
                .await
                .unwrap_err();
            assert_eq!(err.kind, ErrorKind::Refused, "{err}");
            assert!(
                err.message.contains("powered-off") && err.message.contains("--power-off"),
                "{err}"
            );
        }
        assert!(
            !w.emulator.requests().iter().any(|r| r.method != "GET"),
            "{kind}: a refused resize changed something: {:?}",
            w.emulator.requests()
        );

        let events = Arc::new(Mutex::new(Vec::new()));
        let seen = events.clone();
        let sink = move |e: ResizeProgress| seen.lock().unwrap().push(e);
        let opts = ResizeOpts {
            power_off_first: rules.needs_power_off,
            grow_disk: false,
        };
        let done = resize(p, &id, bigger, opts, &sink).await.unwrap();
        assert_eq!(done.machine.size, bigger, "{kind}");
        assert_eq!(done.from, current);
        assert_eq!(done.machine.ipv4.as_deref(), Some(ip.as_str()), "{kind}");
        assert_eq!(
            done.machine.status,
            hangar::provider::MachineStatus::Active,
            "{kind}: on again"
        );
        let kinds: Vec<&str> = events
            .lock()
            .unwrap()
            .iter()
            .map(|e| match e {
                ResizeProgress::PoweringOff { .. } => "off",
                ResizeProgress::Resizing { .. } => "resize",
                ResizeProgress::PoweringOn { .. } => "on",
                ResizeProgress::Done => "done",
            })
            .collect();
        if rules.needs_power_off {
            assert!(done.power_cycled);
            assert_eq!(kinds, ["off", "resize", "on", "done"]);
        } else {
            assert!(!done.power_cycled);
            assert_eq!(kinds, ["resize", "done"]);
        }
        let again = resize_options(p, &id).await.unwrap();
        if rules.can_keep_disk {
            // `grow_disk: false` kept the disk: the way back stays open.
            assert_eq!(again.disk_gb, disk, "{kind}");
        } else {
            assert_eq!(again.disk_gb, size(bigger).disk_gb, "{kind}");
        }
        if rules.disk_resize_irreversible && !rules.can_keep_disk {
            let back = again
                .options
                .iter()
                .find(|o| o.size.slug == current)
                .unwrap();
            assert!(!back.allowed, "{kind}: {back:?}");
        }
        w.emulator.shutdown().await;
    }
}

#[tokio::test]
async fn rebuild_checks_the_image_and_keeps_the_ip() {
    use hangar::provider::ImageRef;
    use hangar::usecases::RebuildProgress;
    use hangar::usecases::rebuild::rebuild;
    for kind in ProviderKind::ALL {
        let w = world(kind).await;
        if w.provider.rebuild().is_none() {
            // Not offered by this provider.
            w.emulator.shutdown().await;
            continue;
        }
        let (id, ip) = made(&w, "rb-1").await;
        let p = w.provider.as_ref();
        let sink = |_: RebuildProgress| {};
        w.emulator.clear_requests();
        for bad in ["", "no-such-image"] {
            let err = rebuild(p, &id, &ImageRef::Image(bad.into()), &sink)
                .await
                .unwrap_err();
            assert_eq!(err.kind, ErrorKind::Validation, "{kind}: {err}");
        }
        assert!(
            !w.emulator.requests().iter().any(|r| r.method != "GET"),
            "{kind}: a refused rebuild changed something"
        );
        let image = w.emulated.sample().other_image;
        let done = rebuild(p, &id, &ImageRef::Image(image.into()), &sink)
            .await
            .unwrap();
        assert_eq!(done.machine.image, image, "{kind}");
        assert!(done.kept_ip, "{kind}");
        assert_eq!(done.machine.ipv4.as_deref(), Some(ip.as_str()));
        assert_eq!(done.machine.name, "rb-1");
        // A snapshot that does not exist is refused before anything changes (and a snapshot
        // at all where the provider rebuilds only from images).
        w.emulator.clear_requests();
        let err = rebuild(p, &id, &ImageRef::Snapshot("424242".into()), &sink)
            .await
            .unwrap_err();
        let from_snapshot = p.rebuild().unwrap().rebuild_rules().from_snapshot;
        if from_snapshot {
            assert_eq!(err.kind, ErrorKind::Validation, "{kind}: {err}");
            assert!(
                err.message.contains("snapshot 424242 does not exist"),
                "{err}"
            );
        } else {
            assert_eq!(err.kind, ErrorKind::Unsupported, "{kind}: {err}");
        }
        assert!(
            !w.emulator.requests().iter().any(|r| r.method != "GET"),
            "{kind}: a refused rebuild changed something"
        );
        w.emulator.shutdown().await;
    }
}

#[tokio::test]
async fn snapshots_are_taken_listed_created_from_and_deleted() {
    use hangar::provider::{ImageRef, SnapshotStatus};
    use hangar::usecases::SnapshotProgress;
    use hangar::usecases::snapshots::{
        create_snapshot, delete_snapshot, get_snapshot, list_snapshots, machine_snapshots,
    };
    for kind in ProviderKind::ALL {
        let w = world(kind).await;
        if w.provider.snapshots().is_none() {
            // Not offered by this provider.
            w.emulator.shutdown().await;
            continue;
        }
        let (id, _) = made(&w, "sn-1").await;
        let (other, _) = made(&w, "sn-2").await;
        let p = w.provider.as_ref();
        let events = Mutex::new(Vec::new());
        let sink = |e: SnapshotProgress| events.lock().unwrap().push(e);

        // Refused before anything is sent: a bad name; an unknown machine is not found.
        w.emulator.clear_requests();
        for bad in ["", "  ", "two\nlines"] {
            let e = create_snapshot(p, &id, bad, true, &sink).await.unwrap_err();
            assert_eq!(e.kind, ErrorKind::Validation, "{kind}: {e}");
        }
        assert!(w.emulator.requests().is_empty(), "{kind}: sent requests");
        let bogus = w.emulated.sample().missing_id;
        let e = create_snapshot(p, bogus, "x", true, &sink)
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound, "{kind}: {e}");
        assert!(events.lock().unwrap().is_empty());

        // Taken and waited for.
        let done = create_snapshot(p, &id, " before-upgrade ", true, &sink)
            .await
            .unwrap();
        assert!(done.available, "{kind}");
        let snap = done.snapshot.clone().expect("the snapshot");
        assert_eq!(snap.name, "before-upgrade");
        assert_eq!(snap.status, SnapshotStatus::Available);
        {
            let ev = events.lock().unwrap();
            assert_eq!(
                ev.first(),
                Some(&SnapshotProgress::Started {
                    id: id.clone(),
                    name: "before-upgrade".into()
                }),
                "{kind}"
            );
            assert_eq!(
                ev.last(),
                Some(&SnapshotProgress::Available {
                    snapshot_id: snap.id.clone()
                })
            );
        }
        // Without waiting: returns at once; where the provider answers with the snapshot
        // (Vultr) it shows it pending, where it answers with an action (DigitalOcean) there is
        // no snapshot yet.
        let started = create_snapshot(p, &other, "no-wait", false, &no_progress)
            .await
            .unwrap();
        assert!(!started.available, "{kind}");
        if let Some(pending) = &started.snapshot {
            assert_eq!(pending.status, SnapshotStatus::Pending, "{kind}");
        }

        // Listed for the account, and for the machine where the provider says whose it is.
        assert!(list_snapshots(p).await.unwrap().contains(&snap), "{kind}");
        let mine = machine_snapshots(p, &id).await.unwrap();
        assert!(mine.snapshots.contains(&snap));
        assert_eq!(mine.machine_known, snap.machine_id.is_some(), "{kind}");
        if mine.machine_known {
            let theirs = machine_snapshots(p, &other).await.unwrap();
            assert!(!theirs.snapshots.contains(&snap), "{kind}");
        }

        // Create from it through the create use case; pre-flight checks the snapshot.
        let from = |name: &str, snapshot: &str| {
            let mut o = w.options(name);
            o.image = ImageRef::Snapshot(snapshot.into());
            o.update_dns = false;
            o.dns_zone = None;
            o.machine_type = None;
            o.initialize = false;
            o
        };
        let wr = &w;
        let create = move |o: CreateOptions| async move {
            create_machine(
                wr.provider.as_ref(),
                &wr.ctx(),
                &o,
                &no_progress,
                &CancellationToken::new(),
            )
            .await
        };
        let e = create(from("sn-bad", "424242")).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Validation, "{kind}: {e}");
        assert!(e.message.contains("snapshot `424242`"), "{kind}: {e}");
        if kind == ProviderKind::DigitalOcean {
            let mut o = from("sn-far", &snap.id);
            o.region = "sfo3".into();
            let e = create(o).await.unwrap_err();
            assert!(e.message.contains("not available in region `sfo3`"), "{e}");
        }
        let made_from = create(from("sn-copy", &snap.id)).await.unwrap();
        assert!(made_from.is_complete(), "{:?}", made_from.problems);
        assert_eq!(made_from.machine.name, "sn-copy");

        // Deleted: then it is gone, and deleting it again says so.
        let deleted = delete_snapshot(p, &snap.id).await.unwrap();
        assert_eq!(deleted.id, snap.id);
        let e = get_snapshot(p, &snap.id).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound, "{kind}: {e}");
        let e = delete_snapshot(p, &snap.id).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound, "{kind}: {e}");
        assert!(e.message.contains("snapshot list"), "{e}");
        w.emulator.shutdown().await;
    }
}

/// A stand-in "what is my IP" service answering `body` (plain text) with `status`.
async fn serve_my_ip(status: u16, body: &'static str) -> (String, tokio::task::JoinHandle<()>) {
    use axum::{Router, http::StatusCode, routing::get};
    let status = StatusCode::from_u16(status).unwrap();
    let app = Router::new().route("/", get(move || async move { (status, body) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, server)
}

#[tokio::test]
async fn my_ip_takes_only_a_public_address_as_plain_text() {
    use hangar::usecases::firewall::my_ip;
    let (url, server) = serve_my_ip(200, " 203.0.113.9\n").await;
    assert_eq!(my_ip(&url).await.unwrap().to_string(), "203.0.113.9");
    let (url6, server6) = serve_my_ip(200, "2001:db8::5").await;
    assert_eq!(my_ip(&url6).await.unwrap().to_string(), "2001:db8::5");
    for (status, body, kind, says) in [
        (
            200,
            "{\"ip\": \"203.0.113.9\"}",
            ErrorKind::Provider,
            "did not answer with an IP address",
        ),
        (
            200,
            "<html>hello</html>",
            ErrorKind::Provider,
            "must give the address as plain text",
        ),
        (
            200,
            "192.168.1.20",
            ErrorKind::Validation,
            "is not a public address",
        ),
        (503, "203.0.113.9", ErrorKind::Network, "HTTP 503"),
    ] {
        let (url, s) = serve_my_ip(status, body).await;
        let e = my_ip(&url).await.unwrap_err();
        assert_eq!(e.kind, kind, "{body}: {e:?}");
        assert!(e.message.contains(says), "{body}: {}", e.message);
        s.abort();
    }
    for bad in ["not a url", "ftp://example.com/ip"] {
        let e = my_ip(bad).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Validation, "{bad}: {e:?}");
    }
    let e = my_ip("http://127.0.0.1:9/").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network, "{e:?}");
    assert!(
        e.message.contains("\"What is my IP\" URL in Settings"),
        "{}",
        e.message
    );
    server.abort();
    server6.abort();
}

#[tokio::test]
async fn allow_me_refuses_bad_input_before_any_change_and_sweeps_only_the_expired() {
    use hangar::usecases::firewall::{
        allow_me, allow_me_at, grants, revoke, sweep_expired, unix_now,
    };
    for kind in ProviderKind::ALL {
        let w = world(kind).await;
        if w.provider.firewall().is_none() {
            // Not offered by this provider.
            w.emulator.shutdown().await;
            continue;
        }
        let (id, _) = made(&w, "fw-1").await;
        let p = w.provider.as_ref();
        let me: std::net::IpAddr = "203.0.113.9".parse().unwrap();
        let hour = Duration::from_secs(3600);
        w.emulator.clear_requests();
        for (machine, duration, ip, kind_of, says) in [
            (
                id.as_str(),
                Duration::from_secs(10),
                me,
                ErrorKind::Validation,
                "a grant lasts from 1m to 7d",
            ),
            (
                id.as_str(),
                Duration::from_secs(8 * 86_400),
                me,
                ErrorKind::Validation,
                "8d is outside that",
            ),
            (
                id.as_str(),
                hour,
                "127.0.0.1".parse().unwrap(),
                ErrorKind::Validation,
                "is not a public address",
            ),
            (
                " ",
                hour,
                me,
                ErrorKind::Validation,
                "give the id of the machine",
            ),
        ] {
            let e = allow_me(p, machine, duration, ip).await.unwrap_err();
            assert_eq!(e.kind, kind_of, "{kind}: {e:?}");
            assert!(e.message.contains(says), "{kind}: {}", e.message);
        }
        assert!(
            w.emulator.requests().is_empty(),
            "{kind}: refused before any request"
        );
        let unknown = w.emulated.sample().missing_id;
        let e = allow_me(p, unknown, hour, me).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound, "{kind}: {e:?}");
        assert!(grants(p).await.unwrap().is_empty(), "{kind}");

        let now = unix_now();
        let old = allow_me_at(p, &id, hour, me, now - 3 * 3600).await.unwrap();
        assert_eq!(u64::from(old.expires_at), now - 2 * 3600);
        let soon = allow_me_at(p, &id, Duration::from_secs(60), me, now - 30)
            .await
            .expect("an expired grant does not block a new one");
        // Half a minute left: not swept now, swept once its minute is up.
        let report = sweep_expired(p, now).await.unwrap();
        assert_eq!(report.removed, vec![old.clone()], "{kind}");
        assert_eq!(grants(p).await.unwrap(), vec![soon.clone()], "{kind}");
        let report = sweep_expired(p, now + 31).await.unwrap();
        assert_eq!(report.removed, vec![soon.clone()], "{kind}");
        assert!(grants(p).await.unwrap().is_empty(), "{kind}");
        let e = revoke(p, &soon.id).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound, "{kind}: {e:?}");
        w.emulator.shutdown().await;
    }
}

#[tokio::test]
async fn detail_names_the_image_on_every_provider() {
    use hangar::usecases::detail::detail;
    for kind in ProviderKind::ALL {
        let w = world(kind).await;
        let (id, _) = made(&w, "dt-1").await;
        let machine = w.provider.get_machine(&id).await.unwrap();
        let images = w.provider.images().await.unwrap();
        let catalog = images
            .iter()
            .find(|i| i.id == machine.image)
            .unwrap_or_else(|| panic!("{kind}: {} not in the catalog", machine.image));
        let d = detail(w.provider.as_ref(), &machine).await.unwrap();
        // The provider's own name for it where the machine carries one, else the catalog's.
        let expected = machine.image_name.clone().unwrap_or(catalog.name.clone());
        assert_eq!(d.image_name.as_deref(), Some(expected.as_str()), "{kind}");
        assert_ne!(
            d.image_name.as_deref(),
            Some(machine.image.as_str()),
            "{kind}"
        );
        assert_eq!(d.plan.map(|p| p.slug), Some(machine.size.clone()), "{kind}");
        w.emulator.shutdown().await;
    }
}
