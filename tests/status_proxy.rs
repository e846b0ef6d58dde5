//! The machines' cloud-init status check sent through an account's `status_proxy`, answered
//! by the emulator: the core use case, on both providers (the CLI's `status` is tested with the
//! CLI).

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use hangar::accounts::{self, Account, AccountDefaults, AccountId, ProviderKind, SecretRef};
use hangar::provider::{self as p, CloudProvider, CreateMachine, MachineFilter};
use hangar::providers::http::ClientOptions;
use hangar::secrets::Token;
use hangar::session::SessionId;
use hangar::usecases::list::ListFilter;
use hangar::usecases::status::{StatusOptions, UNKNOWN, machine_status};
use hangar_emulator::{EmulatedProvider, Emulator, EmulatorConfig, Seed};

const SESSION: &str = "0123abcd";

async fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig {
        seed: Seed::builtin(),
        ip_delay: Duration::from_millis(300),
        boot_delay: Duration::from_millis(1500),
        ..EmulatorConfig::default()
    })
    .await
    .unwrap()
}

fn emulated(kind: ProviderKind) -> EmulatedProvider {
    EmulatedProvider::named(kind.slug()).expect("an emulated provider")
}

/// An account as the settings file would hold it, with the emulator as status proxy.
fn account(kind: ProviderKind, emulator: &Emulator) -> Account {
    Account {
        id: AccountId::from("acc"),
        label: "Emulated".into(),
        provider: kind,
        secret: SecretRef::Keychain,
        base_url: Some(emulator.base_url(emulated(kind))),
        status_proxy: Some(emulator.status_proxy_url()),
        defaults: AccountDefaults::default(),
        imported_types: Vec::new(),
    }
}

fn request(kind: ProviderKind, name: &str) -> CreateMachine {
    let sample = emulated(kind).sample();
    let (region, size, image) = (sample.region, sample.size, sample.image);
    CreateMachine {
        name: name.into(),
        region: region.into(),
        size: size.into(),
        image: image.into(),
        ssh_key_ids: vec![],
        tags: vec![
            "machine:created".into(),
            format!("machine:session:{SESSION}"),
        ],
        user_data: None,
        ipv6: false,
    }
}

fn this_session() -> StatusOptions {
    StatusOptions {
        timeout: Duration::from_secs(2),
        ..StatusOptions::default()
    }
}

#[tokio::test]
async fn status_goes_from_running_to_done_through_the_accounts_proxy() {
    for kind in ProviderKind::ALL {
        let emulator = emulator().await;
        let token = Token::from(emulator.token(emulated(kind)));
        let provider =
            accounts::provider_for(&account(kind, &emulator), &token, ClientOptions::default())
                .unwrap();
        assert_eq!(
            provider.status_proxy(),
            Some(emulator.status_proxy_url().as_str())
        );
        let made = provider
            .create_machine(&request(kind, "booting"))
            .await
            .unwrap();
        let session: SessionId = SESSION.parse().unwrap();

        // Until it has an address nobody can be asked.
        let first = machine_status(provider.as_ref(), &session, &this_session())
            .await
            .unwrap();
        assert_eq!(first.len(), 1, "{kind}: {first:?}");
        assert_eq!(first[0].id, made.id);
        if first[0].ip.is_none() {
            assert_eq!(first[0].check_status, UNKNOWN, "{kind}");
        }

        let started = Instant::now();
        let mut seen = Vec::new();
        loop {
            let r = machine_status(provider.as_ref(), &session, &this_session())
                .await
                .unwrap();
            let s = r[0].check_status.clone();
            if seen.last() != Some(&s) {
                seen.push(s.clone());
            }
            if s == "done" {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "{kind}: never done: {seen:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        seen.retain(|s| s != UNKNOWN);
        assert_eq!(seen, ["running", "done"], "{kind}");
        // The request went to the machine's own address, port 4242.
        let ip = machine_status(provider.as_ref(), &session, &this_session())
            .await
            .unwrap()[0]
            .ip
            .clone()
            .expect("an address");
        let direct = reqwest::Client::builder()
            .proxy(reqwest::Proxy::http(emulator.status_proxy_url()).unwrap())
            .build()
            .unwrap();
        let answer = direct
            .get(format!("http://{ip}:4242/cgi-bin/cloud-init-status"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        let other_port = direct
            .get(format!("http://{ip}:9/cgi-bin/cloud-init-status"))
            .send()
            .await
            .unwrap();
        assert_eq!(other_port.status(), 502);
        emulator.shutdown().await;
    }
}

/// Reports every machine at an address the emulator never handed out.
#[derive(Debug)]
struct Elsewhere(Arc<dyn CloudProvider>);

#[async_trait]
impl CloudProvider for Elsewhere {
    fn kind(&self) -> ProviderKind {
        self.0.kind()
    }
    fn status_proxy(&self) -> Option<&str> {
        self.0.status_proxy()
    }
    async fn account(&self) -> p::Result<p::AccountInfo> {
        self.0.account().await
    }
    async fn create_machine(&self, r: &CreateMachine) -> p::Result<p::Machine> {
        self.0.create_machine(r).await
    }
    async fn get_machine(&self, id: &str) -> p::Result<p::Machine> {
        self.0.get_machine(id).await
    }
    async fn list_machines(&self, filter: &MachineFilter) -> p::Result<Vec<p::Machine>> {
        let mut machines = self.0.list_machines(filter).await?;
        for m in &mut machines {
            m.ipv4 = Some("203.0.113.250".into());
        }
        Ok(machines)
    }
    async fn destroy_machine(&self, id: &str) -> p::Result<()> {
        self.0.destroy_machine(id).await
    }
    async fn power(&self, id: &str, action: p::PowerAction) -> p::Result<()> {
        self.0.power(id, action).await
    }
    async fn rename_machine(&self, id: &str, name: &str) -> p::Result<()> {
        self.0.rename_machine(id, name).await
    }
    async fn retag_machine(&self, id: &str, add: &[String], remove: &[String]) -> p::Result<()> {
        self.0.retag_machine(id, add, remove).await
    }
    async fn list_ssh_keys(&self) -> p::Result<Vec<p::SshKey>> {
        self.0.list_ssh_keys().await
    }
    async fn list_zones(&self) -> p::Result<Vec<p::DnsZone>> {
        self.0.list_zones().await
    }
    async fn list_records(&self, zone: &str) -> p::Result<Vec<p::DnsRecord>> {
        self.0.list_records(zone).await
    }
    async fn create_record(&self, zone: &str, r: &p::DnsRecordSpec) -> p::Result<p::DnsRecord> {
        self.0.create_record(zone, r).await
    }
    async fn update_record(
        &self,
        zone: &str,
        id: &str,
        r: &p::DnsRecordSpec,
    ) -> p::Result<p::DnsRecord> {
        self.0.update_record(zone, id, r).await
    }
    async fn delete_record(&self, zone: &str, id: &str) -> p::Result<()> {
        self.0.delete_record(zone, id).await
    }
    async fn regions(&self) -> p::Result<Arc<Vec<p::Region>>> {
        self.0.regions().await
    }
    async fn sizes(&self) -> p::Result<Arc<Vec<p::Size>>> {
        self.0.sizes().await
    }
    async fn images(&self) -> p::Result<Arc<Vec<p::Image>>> {
        self.0.images().await
    }
}

#[tokio::test]
async fn a_machine_the_emulator_does_not_have_is_unknown() {
    for kind in ProviderKind::ALL {
        let emulator = emulator().await;
        let token = Token::from(emulator.token(emulated(kind)));
        let provider =
            accounts::provider_for(&account(kind, &emulator), &token, ClientOptions::default())
                .unwrap();
        let all = StatusOptions {
            filter: ListFilter {
                all: true,
                ..ListFilter::default()
            },
            ..this_session()
        };
        let session: SessionId = SESSION.parse().unwrap();
        // The seeded machines that have an address answer (they were just made ready, so
        // `running` or already `done`)…
        let real = machine_status(provider.as_ref(), &session, &all)
            .await
            .unwrap();
        let answered: Vec<_> = real.iter().filter(|r| r.ip.is_some()).collect();
        assert!(!answered.is_empty(), "{kind}: {real:?}");
        for r in answered {
            assert!(
                ["running", "done"].contains(&r.check_status.as_str()),
                "{kind}: {r:?}"
            );
        }
        // …the same machines at an address nobody has do not.
        let elsewhere = Elsewhere(provider);
        let reports = machine_status(&elsewhere, &session, &all).await.unwrap();
        assert!(!reports.is_empty());
        for r in &reports {
            assert_eq!(r.check_status, UNKNOWN, "{kind}: {r:?}");
        }
        emulator.shutdown().await;
    }
}
