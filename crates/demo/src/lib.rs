//! The demo cloud: the API emulator, started in-process on 127.0.0.1, with a seed that
//! looks like a small real fleet, and one simulated account per provider pointed at it.
//!
//! It is what the app shows when no accounts are configured, so every screen can be tried
//! without a token. The accounts are flagged `simulated` and every screen labels them so:
//! nothing is billed and nothing leaves this computer.
//!
//! Both providers are served (one account each) because the emulator speaks both APIs
//! anyway, and a table across a DigitalOcean and a Vultr account exercises both clients and
//! the per-account columns and filters the way a real two-account setup would.

mod records;

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use hangar::accounts::AccountDefaults;
use hangar::error::{Error, ErrorKind, Result};
use hangar::fleet::{DemoCloud, DemoStarter, LiveAccount};
use hangar::machine_types::{MachineType, ScriptArgs};
use hangar::provider::{CloudProvider, DnsRecordSpec, DnsRecordType, MachineFilter, ProviderKind};
use hangar::providers::http::ClientOptions;
use hangar::secrets::Token;
use hangar::session::{SessionId, tags_for_new_machine};
use hangar_emulator::{
    DropletSeed, EmulatedProvider, Emulator, EmulatorConfig, InstanceSeed, LinodeInstanceSeed, Seed,
};

/// The session id the demo machines "created in this session" carry.
pub const DEMO_SESSION: &str = "de300001";
/// Another installation's session, for machines Hangar created elsewhere.
const OTHER_SESSION: &str = "5eed0042";
/// How long a pending demo machine waits for its IP: long enough to watch it change.
const DEMO_IP_DELAY: Duration = Duration::from_secs(12);
/// How long a new demo machine's cloud-init runs after it got its IP.
const DEMO_BOOT_DELAY: Duration = Duration::from_secs(8);

/// Adds this many generated droplets to the demo fleet, to try the app with a large fleet
/// (`HANGAR_DEMO_EXTRA_MACHINES=2000`). Unset or unparsable: none.
pub const EXTRA_MACHINES_ENV: &str = "HANGAR_DEMO_EXTRA_MACHINES";

/// The demo cloud as a [`DemoStarter`] for a fleet: what the desktop app hands the core.
#[derive(Debug, Default, Clone, Copy)]
pub struct Demo;

#[async_trait]
impl DemoStarter for Demo {
    async fn start(&self) -> Result<DemoCloud> {
        start().await
    }
}

/// Starts the emulator on loopback ports and connects one account per provider, with the
/// extra machines [`EXTRA_MACHINES_ENV`] asks for.
pub async fn start() -> Result<DemoCloud> {
    let extra = std::env::var(EXTRA_MACHINES_ENV)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    start_with(extra).await
}

/// The provider an emulated API stands for: the one of the same slug.
fn kind_of(p: EmulatedProvider) -> Result<ProviderKind> {
    ProviderKind::from_slug(p.name()).ok_or_else(|| {
        Error::new(
            ErrorKind::Config,
            format!(
                "the demo cloud emulates {}, which Hangar has no client for",
                p.name()
            ),
        )
    })
}

/// [`start`] with `extra` generated droplets besides the demo fleet.
pub async fn start_with(extra: usize) -> Result<DemoCloud> {
    let mut seed = seed();
    seed.digitalocean.droplets.extend(generated_droplets(extra));
    let emulator = Emulator::start(EmulatorConfig {
        seed,
        ip_delay: DEMO_IP_DELAY,
        boot_delay: DEMO_BOOT_DELAY,
        ..EmulatorConfig::default()
    })
    .await
    .map_err(|e| {
        Error::new(
            ErrorKind::Config,
            format!("the demo cloud could not start: {e}"),
        )
    })?;
    // The demo machines' addresses route nowhere: their cloud-init status check is answered
    // by the emulator, acting as the accounts' status proxy.
    let options = ClientOptions {
        status_proxy: Some(emulator.status_proxy_url()),
        ..ClientOptions::default()
    };
    // Each account connects through the provider registry, as a configured one does.
    let mut accounts = Vec::new();
    for p in EmulatedProvider::ALL {
        let provider = kind_of(p)?;
        let client = hangar::providers::connect(
            provider,
            &Token::from(emulator.token(p)),
            Some(&emulator.base_url(p)),
            options.clone(),
        )?;
        accounts.push(LiveAccount {
            id: format!("demo-{}", provider.slug()),
            label: format!("Demo {provider}"),
            provider,
            simulated: true,
            client: Ok(client),
            defaults: demo_defaults(provider),
        });
    }
    // Records of every type first; then the A records a create with DNS would have made,
    // which are skipped when already there.
    records::add_records(&accounts).await?;
    for account in &accounts {
        let zone = emulated_of(account.provider)?.sample().zone;
        add_machine_records(
            account.connected()?.as_ref(),
            zone,
            recorded_machines(account.provider),
        )
        .await?;
    }
    // Firewall access asks the emulator for "this computer's address", not the internet.
    let my_ip_url = emulator.my_ip_url();
    Ok(DemoCloud::new(
        accounts,
        DEMO_SESSION.parse()?,
        demo_machine_types(),
        emulator,
    )
    .with_my_ip_url(my_ip_url))
}

/// The ready machines of each provider's demo fleet that have an A record in its zone, by the
/// provider's slug (a provider whose fleet is the emulator's built-in one: its sample's).
const RECORDED_MACHINES: [(&str, &[&str]); 3] = [
    ("digitalocean", &["web-1", "db-primary"]),
    ("vultr", &["edge-ewr"]),
    ("linode", &["app-1"]),
];

fn recorded_machines(provider: ProviderKind) -> &'static [&'static str] {
    RECORDED_MACHINES
        .iter()
        .find(|(slug, _)| *slug == provider.slug())
        .map(|(_, names)| *names)
        .or_else(|| {
            emulated_of(provider)
                .ok()
                .map(|p| p.sample().ready_machines)
        })
        .unwrap_or(&[])
}

/// Gives the named (ready) machines an A record `<name>.<zone>` pointing at their address, as
/// a create with DNS would have: the destroy confirmation and the SSH command show them. A
/// record that is already there is not added twice.
async fn add_machine_records(client: &dyn CloudProvider, zone: &str, names: &[&str]) -> Result<()> {
    let every = MachineFilter::all();
    let (machines, existing) =
        tokio::join!(client.list_machines(&every), client.list_records(zone));
    let existing = existing?;
    for m in machines?
        .iter()
        .filter(|m| names.contains(&m.name.as_str()))
    {
        let Some(ip) = &m.ipv4 else { continue };
        let present = existing.iter().any(|r| {
            r.spec.record_type == DnsRecordType::A && r.spec.name == m.name && &r.spec.data == ip
        });
        if !present {
            let record = DnsRecordSpec::new(DnsRecordType::A, m.name.clone(), ip.clone());
            client.create_record(zone, &record.with_ttl(300)).await?;
        }
    }
    Ok(())
}

/// What the demo accounts preselect in the Create machine form, as a configured account's
/// defaults would: every value exists in the demo catalogs.
/// (The values are the emulator's sample of its built-in seed; a provider the emulator does not
/// speak gets none.)
pub fn demo_defaults(provider: ProviderKind) -> AccountDefaults {
    let Ok(sample) = emulated_of(provider).map(EmulatedProvider::sample) else {
        return AccountDefaults::default();
    };
    AccountDefaults {
        region: Some(sample.region.into()),
        size: Some(sample.size.into()),
        image: Some(sample.image.into()),
        ssh_keys: vec!["hangar-demo".into()],
        dns_zone: Some(sample.zone.into()),
        project: None,
    }
}

/// The emulated API of `provider`.
fn emulated_of(provider: ProviderKind) -> Result<EmulatedProvider> {
    EmulatedProvider::named(provider.slug()).ok_or_else(|| {
        Error::new(
            ErrorKind::Config,
            format!("the demo cloud does not emulate {provider}"),
        )
    })
}

/// Machine types offered with the demo cloud when the settings define none: a plain one and
/// one with a setup script, so the cloud-config preview shows both shapes.
pub fn demo_machine_types() -> BTreeMap<String, MachineType> {
    let plain = MachineType {
        new_user_name: "deploy".into(),
        script_url: None,
        script_dir: None,
        script_path: None,
        script_args: None,
    };
    let scripted = MachineType {
        new_user_name: "app".into(),
        script_url: Some("https://example.com/hangar/setup-web.sh".into()),
        script_dir: Some("/opt/setup".into()),
        script_path: Some("/opt/setup/setup-web.sh".into()),
        script_args: Some(ScriptArgs::Line("--fqdn $MACHINE_FQDN".into())),
    };
    BTreeMap::from([("web".to_string(), scripted), ("worker".to_string(), plain)])
}

/// The tags a create of `machine_type` in `session` gives, and `extra` ones.
fn hangar_tags(session: &str, machine_type: &str, extra: &[&str]) -> Vec<String> {
    let session: SessionId = session.parse().expect("the demo sessions are valid ids");
    let mut tags = tags_for_new_machine(machine_type, &session).expect("demo types fit in tags");
    tags.extend(extra.iter().map(|t| t.to_string()));
    tags
}

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

fn droplet(
    name: &str,
    (region, size, image): (&str, &str, &str),
    tags: Vec<String>,
    age_seconds: u64,
) -> DropletSeed {
    DropletSeed {
        name: name.into(),
        region: region.into(),
        size: size.into(),
        image: image.into(),
        tags,
        pending: false,
        off: false,
        age_seconds,
    }
}

fn instance(
    label: &str,
    (region, plan, os_id): (&str, &str, u32),
    tags: Vec<String>,
    age_seconds: u64,
) -> InstanceSeed {
    InstanceSeed {
        label: label.into(),
        hostname: None,
        region: region.into(),
        plan: plan.into(),
        os_id,
        tags,
        pending: false,
        stopped: false,
        age_seconds,
    }
}

fn linode(
    label: &str,
    (region, kind, image): (&str, &str, &str),
    tags: Vec<String>,
    age_seconds: u64,
) -> LinodeInstanceSeed {
    LinodeInstanceSeed {
        label: label.into(),
        region: region.into(),
        kind: kind.into(),
        image: image.into(),
        tags,
        pending: false,
        stopped: false,
        age_seconds,
    }
}

/// The built-in catalogs, SSH key and DNS zones, and a fleet: machines Hangar created in
/// this session and in another one, of several types, and machines made elsewhere; one
/// powered off and one still being provisioned on each provider.
pub fn seed() -> Seed {
    let mut seed = Seed::builtin();
    let this = |t: &str, extra: &[&str]| hangar_tags(DEMO_SESSION, t, extra);
    let other = |t: &str, extra: &[&str]| hangar_tags(OTHER_SESSION, t, extra);
    let ubuntu = "ubuntu-24-04-x64";
    let debian = "debian-12-x64";

    seed.digitalocean.droplets = vec![
        droplet(
            "web-1",
            ("nyc3", "s-1vcpu-1gb", ubuntu),
            this("web", &["prod"]),
            3 * DAY,
        ),
        droplet(
            "web-2",
            ("nyc3", "s-1vcpu-1gb", ubuntu),
            this("web", &["prod"]),
            3 * DAY,
        ),
        droplet(
            "db-primary",
            ("nyc3", "s-4vcpu-8gb", debian),
            this("db", &["prod"]),
            12 * DAY,
        ),
        DropletSeed {
            pending: true,
            ..droplet(
                "worker-3",
                ("fra1", "s-2vcpu-4gb", ubuntu),
                this("worker", &[]),
                0,
            )
        },
        droplet(
            "ci-runner",
            ("sfo3", "s-2vcpu-2gb", "fedora-40-x64"),
            other("ci", &["staging"]),
            5 * HOUR,
        ),
        DropletSeed {
            off: true,
            ..droplet(
                "staging-web",
                ("lon1", "s-1vcpu-2gb", "ubuntu-22-04-x64"),
                other("web", &["staging"]),
                40 * DAY,
            )
        },
        droplet(
            "legacy-db",
            ("ams3", "s-2vcpu-4gb", debian),
            vec![],
            400 * DAY,
        ),
        droplet(
            "vpn-gateway",
            ("ams3", "s-1vcpu-512mb-10gb", "rockylinux-9-x64"),
            vec!["network".into()],
            90 * DAY,
        ),
    ];
    seed.vultr.instances = vec![
        instance(
            "edge-ewr",
            ("ewr", "vc2-1c-1gb", 2284),
            this("edge", &["prod"]),
            2 * DAY,
        ),
        instance(
            "edge-ams",
            ("ams", "vc2-1c-1gb", 2284),
            this("edge", &["prod"]),
            2 * DAY,
        ),
        InstanceSeed {
            pending: true,
            ..instance("build-box", ("ord", "vhf-2c-4gb", 2136), this("ci", &[]), 0)
        },
        instance(
            "metrics",
            ("fra", "vc2-2c-4gb", 2136),
            other("monitoring", &["staging"]),
            20 * MINUTE,
        ),
        InstanceSeed {
            stopped: true,
            ..instance(
                "old-mail",
                ("lhr", "vc2-1c-2gb", 1743),
                vec!["mail".into()],
                200 * DAY,
            )
        },
        instance("legacy-db", ("sjc", "vc2-2c-4gb", 2136), vec![], 300 * DAY),
    ];
    seed.linode.instances = vec![
        linode(
            "app-1",
            ("us-east", "g6-standard-1", "linode/ubuntu24.04"),
            this("web", &["prod"]),
            6 * DAY,
        ),
        LinodeInstanceSeed {
            stopped: true,
            ..linode(
                "queue-1",
                ("eu-west", "g6-nanode-1", "linode/debian12"),
                other("worker", &["staging"]),
                15 * DAY,
            )
        },
        linode(
            "legacy-db",
            ("us-west", "g6-standard-2", "linode/debian12"),
            vec![],
            500 * DAY,
        ),
    ];
    seed
}

/// `count` droplets named `fleet-0001`…, spread over regions, sizes, types and ages.
fn generated_droplets(count: usize) -> Vec<DropletSeed> {
    const REGIONS: [&str; 4] = ["nyc3", "ams3", "fra1", "sfo3"];
    const SIZES: [&str; 3] = ["s-1vcpu-1gb", "s-1vcpu-2gb", "s-2vcpu-4gb"];
    const TYPES: [&str; 3] = ["web", "worker", "cache"];
    (0..count)
        .map(|i| {
            let tags = if i % 5 == 4 {
                vec!["bulk".to_string()]
            } else {
                hangar_tags(OTHER_SESSION, TYPES[i % TYPES.len()], &["bulk"])
            };
            droplet(
                &format!("fleet-{:04}", i + 1),
                (
                    REGIONS[i % REGIONS.len()],
                    SIZES[i % SIZES.len()],
                    "ubuntu-24-04-x64",
                ),
                tags,
                (i as u64 % 90) * DAY + (i as u64 % 24) * HOUR,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn generated_droplets_have_unique_names_and_load_into_the_emulator() {
        let droplets = generated_droplets(2000);
        let names: std::collections::HashSet<&str> =
            droplets.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names.len(), 2000);
        assert_eq!(droplets[1999].name, "fleet-2000");
        // The emulator refuses seeds naming unknown regions, sizes or images.
        let demo = start_with(300)
            .await
            .expect("demo cloud with 300 extra droplets");
        let listed = demo.accounts[0]
            .client
            .as_ref()
            .expect("client")
            .list_machines(&MachineFilter::all())
            .await
            .expect("list");
        assert_eq!(listed.len(), seed().digitalocean.droplets.len() + 300);
    }

    #[tokio::test]
    async fn the_demo_cloud_lists_its_fleet_on_every_provider() {
        let demo = start_with(0).await.expect("demo cloud");
        assert_eq!(demo.accounts.len(), EmulatedProvider::ALL.len());
        for account in &demo.accounts {
            assert!(account.simulated);
            let machines = account
                .client
                .as_ref()
                .expect("client")
                .list_machines(&MachineFilter::all())
                .await
                .expect("list machines");
            let names: Vec<&str> = machines.iter().map(|m| m.name.as_str()).collect();
            let recorded = recorded_machines(account.provider);
            assert!(!recorded.is_empty(), "{}", account.label);
            // The machines given a record have an address and the demo session's tag.
            for ready in recorded {
                let m = machines
                    .iter()
                    .find(|m| m.name == *ready)
                    .unwrap_or_else(|| panic!("{}: no {ready} in {names:?}", account.label));
                assert!(m.ipv4.is_some(), "{m:?}");
                assert!(
                    m.tags.iter().any(|t| t == "machine:session:de300001"),
                    "{m:?}"
                );
            }
            // Seeded ages show as creation times in the past.
            let Some(legacy) = machines.iter().find(|m| m.name == "legacy-db") else {
                continue;
            };
            let web = machines
                .iter()
                .find(|m| m.name == recorded[0])
                .expect("a ready machine");
            assert!(
                legacy.created_at.as_str() < web.created_at.as_str(),
                "{legacy:?} {web:?}"
            );
            assert!(
                !legacy.created_at.starts_with(&web.created_at[..10]),
                "{legacy:?}"
            );
        }
        let seeded = seed();
        let listed = |i: usize| {
            let client = demo.accounts[i].client.as_ref().expect("client").clone();
            async move {
                client
                    .list_machines(&MachineFilter::all())
                    .await
                    .expect("list")
                    .len()
            }
        };
        assert_eq!(listed(0).await, seeded.digitalocean.droplets.len());
        assert_eq!(listed(1).await, seeded.vultr.instances.len());
        assert_eq!(listed(2).await, seeded.linode.instances.len());
    }

    #[tokio::test]
    async fn demo_machines_answer_their_cloud_init_status() {
        use hangar::session::SessionId;
        use hangar::usecases::list::ListFilter;
        use hangar::usecases::status::{StatusOptions, UNKNOWN, machine_status};

        let demo = start_with(0).await.expect("demo cloud");
        // A session other than the demo's: with `all`, every machine is checked anyway.
        let session: SessionId = "0123abcd".parse().expect("session id");
        let opts = StatusOptions {
            filter: ListFilter {
                all: true,
                ..ListFilter::default()
            },
            ..StatusOptions::default()
        };
        for account in &demo.accounts {
            let client = account.client.as_ref().expect("client");
            assert!(client.status_proxy().is_some());
            let reports = machine_status(client.as_ref(), &session, &opts)
                .await
                .expect("status");
            let ready = recorded_machines(account.provider)[0];
            let web = reports
                .iter()
                .find(|r| r.name == ready)
                .expect("a ready machine");
            assert_eq!(web.check_status, "done", "{web:?}");
            // Powered off, and still without an address: nobody answers.
            for name in [
                "staging-web",
                "old-mail",
                "worker-3",
                "build-box",
                "queue-1",
            ] {
                if let Some(r) = reports.iter().find(|r| r.name == name) {
                    assert_eq!(r.check_status, UNKNOWN, "{r:?}");
                }
            }
        }
    }
}
