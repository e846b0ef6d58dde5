//! Vultr's resources and how they are rendered as API objects.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::{Value, json};

use super::seed::{VultrAccountSeed, VultrOsSeed, VultrPlanSeed, VultrRegionSeed, VultrSeed};
use crate::clock::{rfc3339_offset, unix_now};
use crate::error::EmulatorError;
use crate::ids::{self, gateway_of, public_ipv4};
use crate::seed::DomainSeed;
use crate::state::Shared;

pub struct Instance {
    pub id: String,
    pub label: String,
    pub hostname: String,
    pub region: String,
    pub plan: String,
    pub os_id: u32,
    pub tags: Vec<String>,
    pub created_unix: u64,
    /// When the public IP appears and a `pending` instance turns `active`.
    pub ready_at: Instant,
    pub address: u64,
    pub stopped: bool,
    pub enable_ipv6: bool,
    pub backups: String,
    pub user_data: Option<Vec<u8>>,
    pub ssh_keys: Vec<String>,
    pub default_password: String,
    /// Until when a plan change runs (`status: "resizing"`).
    pub resizing_until: Option<Instant>,
    /// Until when a reinstall runs (`server_status: "installingbooting"`).
    pub installing_until: Option<Instant>,
}

pub struct SshKey {
    pub id: String,
    pub name: String,
    pub ssh_key: String,
    pub created_unix: u64,
}

pub struct Record {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub data: String,
    pub ttl: u32,
    pub priority: u32,
}

pub struct Domain {
    pub name: String,
    pub dns_sec: String,
    pub created_unix: u64,
    pub records: Vec<Record>,
}

/// Everything the Vultr side holds. Lists keep creation order.
pub struct VultrWorld {
    pub regions: Vec<VultrRegionSeed>,
    pub plans: Vec<VultrPlanSeed>,
    pub os: Vec<VultrOsSeed>,
    pub account: VultrAccountSeed,
    pub instances: BTreeMap<u64, Instance>,
    pub ssh_keys: Vec<SshKey>,
    pub domains: Vec<Domain>,
    /// Firewall groups and which instance is in which.
    pub firewalls: super::firewalls::FirewallGroups,
    /// Snapshots (`/snapshots`).
    pub snapshots: super::snapshots::InstanceSnapshots,
    next_seq: u64,
}

impl VultrWorld {
    /// A world with the seed's catalogs and no resources yet.
    pub fn new(seed: &VultrSeed) -> VultrWorld {
        VultrWorld {
            regions: seed.regions.clone(),
            plans: seed.plans.clone(),
            os: seed.os.clone(),
            account: seed.account.clone(),
            instances: BTreeMap::new(),
            ssh_keys: Vec::new(),
            domains: Vec::new(),
            firewalls: Default::default(),
            snapshots: Default::default(),
            next_seq: 1,
        }
    }

    /// Creates the seed's resources.
    pub fn load_seed(
        &mut self,
        seed: &VultrSeed,
        shared: &Shared,
        now: Instant,
    ) -> Result<(), EmulatorError> {
        let invalid = |m: String| EmulatorError::SeedInvalid(format!("vultr: {m}"));
        for plan in &self.plans {
            for r in &plan.locations {
                if self.region(r).is_none() {
                    return Err(invalid(format!(
                        "plan {} names unknown region {r}",
                        plan.id
                    )));
                }
            }
        }
        for k in &seed.ssh_keys {
            self.add_ssh_key(&k.name, &k.public_key);
        }
        for d in &seed.domains {
            self.add_seed_domain(d);
        }
        for i in &seed.instances {
            if self.region(&i.region).is_none() {
                return Err(invalid(format!(
                    "instance {}: unknown region {}",
                    i.label, i.region
                )));
            }
            if self.plan(&i.plan).is_none() {
                return Err(invalid(format!(
                    "instance {}: unknown plan {}",
                    i.label, i.plan
                )));
            }
            if self.os_by_id(i.os_id).is_none() {
                return Err(invalid(format!(
                    "instance {}: unknown os_id {}",
                    i.label, i.os_id
                )));
            }
            let ready_at = if i.pending {
                now + shared.ip_delay
            } else {
                now
            };
            let hostname = i.hostname.clone().unwrap_or_else(|| i.label.clone());
            let seq = self.add_instance(
                shared, &i.label, &hostname, &i.region, &i.plan, i.os_id, &i.tags, ready_at,
            );
            if let Some(inst) = self.instances.get_mut(&seq) {
                inst.stopped = i.stopped;
                inst.created_unix = inst.created_unix.saturating_sub(i.age_seconds);
            }
        }
        Ok(())
    }

    fn next_id(&mut self, namespace: u64) -> (u64, String) {
        let n = self.next_seq;
        self.next_seq += 1;
        (n, ids::uuid(namespace, n))
    }

    pub fn region(&self, id: &str) -> Option<&VultrRegionSeed> {
        self.regions.iter().find(|r| r.id == id)
    }

    pub fn plan(&self, id: &str) -> Option<&VultrPlanSeed> {
        self.plans.iter().find(|p| p.id == id)
    }

    pub fn os_by_id(&self, id: u32) -> Option<&VultrOsSeed> {
        self.os.iter().find(|o| o.id == id)
    }

    /// Creates an instance and returns its sequence number (the key in `instances`).
    #[allow(clippy::too_many_arguments)]
    pub fn add_instance(
        &mut self,
        shared: &Shared,
        label: &str,
        hostname: &str,
        region: &str,
        plan: &str,
        os_id: u32,
        tags: &[String],
        ready_at: Instant,
    ) -> u64 {
        let (seq, id) = self.next_id(0x696e_7374);
        self.instances.insert(
            seq,
            Instance {
                id,
                label: label.to_owned(),
                hostname: hostname.to_owned(),
                region: region.to_owned(),
                plan: plan.to_owned(),
                os_id,
                tags: tags.to_vec(),
                created_unix: unix_now(),
                ready_at,
                address: shared.allocate_address(),
                stopped: false,
                enable_ipv6: false,
                backups: "disabled".into(),
                user_data: None,
                ssh_keys: Vec::new(),
                default_password: ids::password(seq),
                resizing_until: None,
                installing_until: None,
            },
        );
        seq
    }

    /// Creates `count` ready instances labelled `bulk-<n>`.
    pub fn add_ready_instances(&mut self, shared: &Shared, count: usize, tags: &[String]) {
        let region = self
            .regions
            .first()
            .map(|r| r.id.clone())
            .unwrap_or_default();
        let plan = self
            .plans
            .iter()
            .find(|p| p.locations.contains(&region))
            .map(|p| p.id.clone())
            .unwrap_or_default();
        let os = self.os.first().map_or(0, |o| o.id);
        let now = Instant::now();
        for _ in 0..count {
            let label = format!("bulk-{}", self.next_seq);
            self.add_instance(shared, &label, &label, &region, &plan, os, tags, now);
        }
    }

    /// The sequence number of the instance with this id.
    pub fn find_instance(&self, id: &str) -> Option<u64> {
        self.instances
            .iter()
            .find(|(_, i)| i.id == id)
            .map(|(seq, _)| *seq)
    }

    pub fn add_ssh_key(&mut self, name: &str, key: &str) -> String {
        let (_, id) = self.next_id(0x7373_686b);
        self.ssh_keys.push(SshKey {
            id: id.clone(),
            name: name.to_owned(),
            ssh_key: key.trim().to_owned(),
            created_unix: unix_now(),
        });
        id
    }

    /// Creates a zone. With `ip`, adds Vultr's default records; without, the zone is empty.
    pub fn add_domain(&mut self, name: &str, ip: Option<&str>, dns_sec: &str) {
        self.domains.push(Domain {
            name: name.to_owned(),
            dns_sec: dns_sec.to_owned(),
            created_unix: unix_now(),
            records: Vec::new(),
        });
        if let Some(ip) = ip {
            let defaults = [
                ("A", "", ip.to_owned(), 0),
                ("CNAME", "*", name.to_owned(), 0),
                ("MX", "", name.to_owned(), 10),
                ("NS", "", "ns1.vultr.com".to_owned(), 0),
                ("NS", "", "ns2.vultr.com".to_owned(), 0),
            ];
            for (kind, rname, data, priority) in defaults {
                self.add_record(name, kind, rname, &data, 300, priority);
            }
        }
    }

    fn add_seed_domain(&mut self, d: &DomainSeed) {
        self.add_domain(&d.name, None, "disabled");
        for r in &d.records {
            let name = if r.name == "@" { "" } else { r.name.as_str() };
            self.add_record(
                &d.name,
                &r.kind.to_uppercase(),
                name,
                &r.data,
                r.ttl,
                r.priority.unwrap_or(0),
            );
        }
    }

    /// Adds a record to an existing zone and returns its id.
    pub fn add_record(
        &mut self,
        domain: &str,
        kind: &str,
        name: &str,
        data: &str,
        ttl: u32,
        priority: u32,
    ) -> Option<String> {
        let (_, id) = self.next_id(0x7265_636f);
        let zone = self.domains.iter_mut().find(|d| d.name == domain)?;
        zone.records.push(Record {
            id: id.clone(),
            kind: kind.to_owned(),
            name: name.to_owned(),
            data: data.to_owned(),
            ttl,
            priority,
        });
        Some(id)
    }

    // ---- rendering -------------------------------------------------------------------

    /// The boot state of the newest instance that has public address `ip` at `now`.
    pub fn boot_of(&self, ip: std::net::Ipv4Addr, now: Instant) -> Option<crate::status::Boot> {
        self.instances
            .values()
            .rev()
            .find(|i| now >= i.ready_at && public_ipv4(i.address) == ip)
            .map(|i| crate::status::Boot {
                ready_at: i.ready_at,
                created_unix: i.created_unix,
                off: i.stopped,
            })
    }

    pub fn instance_json(&self, i: &Instance, now: Instant, with_password: bool) -> Value {
        let ready = now >= i.ready_at;
        let plan = self.plan(&i.plan);
        let os = self.os_by_id(i.os_id).map_or("", |o| o.name.as_str());
        let (status, main_ip, netmask, gateway, server_status) = if ready {
            let ip = public_ipv4(i.address);
            (
                "active",
                ip.to_string(),
                "255.255.254.0".to_string(),
                gateway_of(ip).to_string(),
                "ok",
            )
        } else {
            (
                "pending",
                "0.0.0.0".to_string(),
                String::new(),
                "0.0.0.0".to_string(),
                "none",
            )
        };
        let status = if i.resizing_until.is_some_and(|t| now < t) {
            "resizing"
        } else {
            status
        };
        let server_status = if i.installing_until.is_some_and(|t| now < t) {
            "installingbooting"
        } else {
            server_status
        };
        let mut v = json!({
            "id": i.id,
            "os": os,
            "ram": plan.map_or(0, |p| p.ram),
            "disk": if ready { plan.map_or(0, |p| p.disk) } else { 0 },
            "main_ip": main_ip,
            "vcpu_count": plan.map_or(0, |p| p.vcpu_count),
            "region": i.region,
            "plan": i.plan,
            "date_created": rfc3339_offset(i.created_unix),
            "status": status,
            "allowed_bandwidth": plan.map_or(0, |p| p.bandwidth),
            "netmask_v4": netmask,
            "gateway_v4": gateway,
            "power_status": if i.stopped { "stopped" } else { "running" },
            "server_status": server_status,
            "v6_networks": [],
            "label": i.label,
            "internal_ip": "",
            "kvm": "",
            "hostname": i.hostname,
            "os_id": i.os_id,
            "app_id": 0,
            "image_id": "",
            "firewall_group_id": self.firewall_group_of(&i.id),
            "features": if i.enable_ipv6 { json!(["ipv6"]) } else { json!([]) },
            "tags": i.tags,
        });
        if with_password {
            v["default_password"] = json!(i.default_password);
        }
        v
    }

    pub fn ssh_key_json(k: &SshKey) -> Value {
        json!({
            "id": k.id,
            "date_created": rfc3339_offset(k.created_unix),
            "name": k.name,
            "ssh_key": k.ssh_key,
        })
    }

    pub fn domain_json(d: &Domain) -> Value {
        json!({
            "domain": d.name,
            "date_created": rfc3339_offset(d.created_unix),
            "dns_sec": d.dns_sec,
        })
    }

    pub fn record_json(r: &Record) -> Value {
        json!({
            "id": r.id,
            "type": r.kind,
            "name": r.name,
            "data": r.data,
            "priority": r.priority,
            "ttl": r.ttl,
        })
    }
}
