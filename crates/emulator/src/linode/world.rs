//! Linode's resources, their power states over time, and how they are rendered as API
//! objects.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::time::Instant;

use serde_json::{Value, json};

use super::seed::{
    LinodeAccountSeed, LinodeImageSeed, LinodeRegionSeed, LinodeSeed, LinodeTypeSeed,
};
use crate::clock::{rfc3339_z, unix_now};
use crate::error::EmulatorError;
use crate::ids::{gateway_of, public_ipv4};
use crate::seed::DomainSeed;
use crate::state::Shared;

/// Where the ids of each kind of resource start (Linode's ids are integers).
const INSTANCE_IDS: u64 = 52_000_000;
const KEY_IDS: u64 = 3_100_000;
const DOMAIN_IDS: u64 = 2_700_000;
const RECORD_IDS: u64 = 31_000_000;

/// A power change that runs until `until` (`booting`, `shutting_down`, `rebooting`,
/// `resizing`, `rebuilding`); the Linode is busy meanwhile.
#[derive(Clone, Copy, Debug)]
pub struct Transition {
    pub status: &'static str,
    pub until: Instant,
}

pub struct Instance {
    pub id: u64,
    pub label: String,
    pub region: String,
    pub kind: String,
    pub image: Option<String>,
    pub tags: Vec<String>,
    pub created_unix: u64,
    pub updated_unix: u64,
    /// When provisioning ends (`provisioning` → `running` or `offline`). The public address
    /// exists from the start, but the machine answers only from here on.
    pub ready_at: Instant,
    pub address: u64,
    /// Powered off once no transition runs.
    pub off: bool,
    pub transition: Option<Transition>,
    pub user_data: Option<Vec<u8>>,
    pub authorized_keys: Vec<String>,
    pub backups_enabled: bool,
    pub watchdog_enabled: bool,
    /// The size of its one disk, in MB: the plan's at create; a resize with
    /// `allow_auto_disk_resize: false` keeps it.
    pub disk_mb: u32,
}

impl Instance {
    /// The `status` at `now`.
    pub fn status(&self, now: Instant) -> &'static str {
        if now < self.ready_at {
            "provisioning"
        } else if let Some(t) = self.transition.filter(|t| now < t.until) {
            t.status
        } else if self.off {
            "offline"
        } else {
            "running"
        }
    }

    /// Whether an event (provisioning or a transition) is still running at `now`.
    pub fn busy(&self, now: Instant) -> bool {
        now < self.ready_at || self.transition.is_some_and(|t| now < t.until)
    }

    pub fn ipv4(&self) -> Ipv4Addr {
        public_ipv4(self.address)
    }

    /// The SLAAC address, derived from the IPv4 one (documentation prefix 2001:db8::/32).
    pub fn ipv6(&self) -> String {
        let [_, _, c, d] = self.ipv4().octets();
        format!("2001:db8::{c:x}:{d:x}")
    }
}

pub struct SshKey {
    pub id: u64,
    pub label: String,
    pub ssh_key: String,
    pub created_unix: u64,
}

#[derive(Clone)]
pub struct Record {
    pub id: u64,
    pub kind: String,
    pub name: String,
    pub target: String,
    pub ttl_sec: u32,
    pub priority: u32,
    pub weight: u32,
    pub port: u32,
    pub service: Option<String>,
    pub protocol: Option<String>,
    pub tag: Option<String>,
    pub created_unix: u64,
    pub updated_unix: u64,
}

pub struct Domain {
    pub id: u64,
    pub domain: String,
    pub kind: String,
    pub soa_email: String,
    pub master_ips: Vec<String>,
    pub description: String,
    pub tags: Vec<String>,
    pub ttl_sec: u32,
    pub status: String,
    pub records: Vec<Record>,
}

/// Everything the Linode side holds. Lists keep creation order.
pub struct LinodeWorld {
    pub regions: Vec<LinodeRegionSeed>,
    pub types: Vec<LinodeTypeSeed>,
    pub images: Vec<LinodeImageSeed>,
    pub account: LinodeAccountSeed,
    pub instances: BTreeMap<u64, Instance>,
    pub ssh_keys: Vec<SshKey>,
    pub domains: Vec<Domain>,
    /// Cloud Firewalls and their devices.
    pub firewalls: super::firewalls::Firewalls,
    next_seq: u64,
}

impl LinodeWorld {
    /// A world with the seed's catalogs and no resources yet.
    pub fn new(seed: &LinodeSeed) -> LinodeWorld {
        LinodeWorld {
            regions: seed.regions.clone(),
            types: seed.types.clone(),
            images: seed.images.clone(),
            account: seed.account.clone(),
            instances: BTreeMap::new(),
            ssh_keys: Vec::new(),
            domains: Vec::new(),
            firewalls: Default::default(),
            next_seq: 1,
        }
    }

    /// Creates the seed's resources.
    pub fn load_seed(
        &mut self,
        seed: &LinodeSeed,
        shared: &Shared,
        now: Instant,
    ) -> Result<(), EmulatorError> {
        let invalid = |m: String| EmulatorError::SeedInvalid(format!("linode: {m}"));
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
            if self.linode_type(&i.kind).is_none() {
                return Err(invalid(format!(
                    "instance {}: unknown type {}",
                    i.label, i.kind
                )));
            }
            if self.image(&i.image).is_none() {
                return Err(invalid(format!(
                    "instance {}: unknown image {}",
                    i.label, i.image
                )));
            }
            let ready_at = if i.pending {
                now + shared.ip_delay
            } else {
                now
            };
            let id = self.add_instance(
                shared,
                &i.label,
                &i.region,
                &i.kind,
                Some(&i.image),
                &i.tags,
                ready_at,
            );
            if let Some(inst) = self.instances.get_mut(&id) {
                inst.off = i.stopped;
                inst.created_unix = inst.created_unix.saturating_sub(i.age_seconds);
                inst.updated_unix = inst.created_unix;
            }
        }
        Ok(())
    }

    fn next(&mut self, base: u64) -> u64 {
        let n = self.next_seq;
        self.next_seq += 1;
        base + n
    }

    pub fn region(&self, id: &str) -> Option<&LinodeRegionSeed> {
        self.regions.iter().find(|r| r.id == id)
    }

    pub fn linode_type(&self, id: &str) -> Option<&LinodeTypeSeed> {
        self.types.iter().find(|t| t.id == id)
    }

    pub fn image(&self, id: &str) -> Option<&LinodeImageSeed> {
        self.images.iter().find(|i| i.id == id)
    }

    /// Creates a Linode and returns its id (the key in `instances`).
    #[allow(clippy::too_many_arguments)]
    pub fn add_instance(
        &mut self,
        shared: &Shared,
        label: &str,
        region: &str,
        kind: &str,
        image: Option<&str>,
        tags: &[String],
        ready_at: Instant,
    ) -> u64 {
        let id = self.next(INSTANCE_IDS);
        let now = unix_now();
        let disk_mb = self.linode_type(kind).map_or(0, |t| t.disk);
        self.instances.insert(
            id,
            Instance {
                id,
                label: if label.is_empty() {
                    format!("linode{id}")
                } else {
                    label.to_owned()
                },
                region: region.to_owned(),
                kind: kind.to_owned(),
                image: image.map(str::to_owned),
                tags: tags.to_vec(),
                created_unix: now,
                updated_unix: now,
                ready_at,
                address: shared.allocate_address(),
                // A Linode without an image has nothing to boot: it stays offline.
                off: image.is_none(),
                transition: None,
                user_data: None,
                authorized_keys: Vec::new(),
                backups_enabled: false,
                watchdog_enabled: true,
                disk_mb,
            },
        );
        id
    }

    /// Creates `count` running Linodes labelled `bulk-<n>`.
    pub fn add_ready_instances(&mut self, shared: &Shared, count: usize, tags: &[String]) {
        let region = self
            .regions
            .first()
            .map(|r| r.id.clone())
            .unwrap_or_default();
        let kind = self.types.first().map(|t| t.id.clone()).unwrap_or_default();
        let image = self.images.first().map(|i| i.id.clone());
        let now = Instant::now();
        for _ in 0..count {
            let label = format!("bulk-{}", self.next_seq);
            self.add_instance(shared, &label, &region, &kind, image.as_deref(), tags, now);
        }
    }

    pub fn add_ssh_key(&mut self, label: &str, key: &str) -> u64 {
        let id = self.next(KEY_IDS);
        self.ssh_keys.push(SshKey {
            id,
            label: label.to_owned(),
            ssh_key: key.trim().to_owned(),
            created_unix: unix_now(),
        });
        id
    }

    /// Creates a master zone with no records and returns its id.
    pub fn add_domain(&mut self, domain: &str, soa_email: &str) -> u64 {
        let id = self.next(DOMAIN_IDS);
        self.domains.push(Domain {
            id,
            domain: domain.to_owned(),
            kind: "master".into(),
            soa_email: soa_email.to_owned(),
            master_ips: Vec::new(),
            description: String::new(),
            tags: Vec::new(),
            ttl_sec: 0,
            status: "active".into(),
            records: Vec::new(),
        });
        id
    }

    fn add_seed_domain(&mut self, d: &DomainSeed) {
        let email = self.account.email.clone();
        let id = self.add_domain(&d.name, &email);
        for r in &d.records {
            let name = if r.name == "@" { "" } else { r.name.as_str() };
            let record = self.new_record(
                &r.kind.to_uppercase(),
                name,
                &r.data,
                round_ttl(r.ttl),
                r.priority.unwrap_or(0),
            );
            let mut record = record;
            record.weight = r.weight.unwrap_or(0);
            record.port = r.port.unwrap_or(0);
            record.tag = r.tag.clone();
            if let Some(zone) = self.domain_mut(id) {
                zone.records.push(record);
            }
        }
    }

    /// A record with a fresh id (not yet in a zone).
    pub fn new_record(
        &mut self,
        kind: &str,
        name: &str,
        target: &str,
        ttl_sec: u32,
        priority: u32,
    ) -> Record {
        let id = self.next(RECORD_IDS);
        let now = unix_now();
        Record {
            id,
            kind: kind.to_owned(),
            name: name.to_owned(),
            target: target.to_owned(),
            ttl_sec,
            priority,
            weight: 0,
            port: 0,
            service: None,
            protocol: None,
            tag: None,
            created_unix: now,
            updated_unix: now,
        }
    }

    pub fn domain(&self, id: u64) -> Option<&Domain> {
        self.domains.iter().find(|d| d.id == id)
    }

    pub fn domain_mut(&mut self, id: u64) -> Option<&mut Domain> {
        self.domains.iter_mut().find(|d| d.id == id)
    }

    // ---- rendering -------------------------------------------------------------------

    /// The boot state of the newest Linode that has public address `ip` and has finished
    /// provisioning at `now`.
    pub fn boot_of(&self, ip: Ipv4Addr, now: Instant) -> Option<crate::status::Boot> {
        self.instances
            .values()
            .rev()
            .find(|i| now >= i.ready_at && i.ipv4() == ip)
            .map(|i| crate::status::Boot {
                ready_at: i.ready_at,
                created_unix: i.created_unix,
                off: matches!(i.status(now), "offline" | "shutting_down"),
            })
    }

    pub fn instance_json(&self, i: &Instance, now: Instant) -> Value {
        let t = self.linode_type(&i.kind);
        json!({
            "id": i.id,
            "label": i.label,
            "group": "",
            "status": i.status(now),
            "created": rfc3339_z(i.created_unix),
            "updated": rfc3339_z(i.updated_unix),
            "type": i.kind,
            "region": i.region,
            "image": i.image,
            "ipv4": [i.ipv4().to_string()],
            "ipv6": format!("{}/128", i.ipv6()),
            "hypervisor": "kvm",
            "watchdog_enabled": i.watchdog_enabled,
            "tags": i.tags,
            "specs": {
                "disk": t.map_or(0, |t| t.disk),
                "memory": t.map_or(0, |t| t.memory),
                "vcpus": t.map_or(0, |t| t.vcpus),
                "gpus": 0,
                "transfer": t.map_or(0, |t| t.transfer),
            },
            "alerts": {
                "cpu": 90 * t.map_or(1, |t| t.vcpus),
                "io": 10000,
                "network_in": 10,
                "network_out": 10,
                "transfer_quota": 80,
            },
            "backups": {
                "enabled": i.backups_enabled,
                "available": false,
                "schedule": { "day": null, "window": null },
            },
        })
    }

    /// GET `/linode/instances/{id}/ips`.
    pub fn ips_json(i: &Instance) -> Value {
        let ip = i.ipv4();
        let v6 = i.ipv6();
        let [_, _, c, d] = ip.octets();
        json!({
            "ipv4": {
                "public": [{
                    "address": ip.to_string(),
                    "gateway": gateway_of(ip).to_string(),
                    "subnet_mask": "255.255.255.0",
                    "prefix": 24,
                    "type": "ipv4",
                    "public": true,
                    "rdns": format!("{}.ip.linodeusercontent.com", ip.to_string().replace('.', "-")),
                    "linode_id": i.id,
                    "region": i.region,
                }],
                "private": [],
                "shared": [],
                "reserved": [],
            },
            "ipv6": {
                "slaac": {
                    "address": v6,
                    "gateway": "fe80::1",
                    "subnet_mask": "ffff:ffff:ffff:ffff::",
                    "prefix": 64,
                    "type": "ipv6",
                    "public": true,
                    "rdns": "",
                    "linode_id": i.id,
                    "region": i.region,
                },
                "link_local": {
                    "address": format!("fe80::{c:x}:{d:x}"),
                    "gateway": "fe80::1",
                    "subnet_mask": "ffff:ffff:ffff:ffff::",
                    "prefix": 64,
                    "type": "ipv6",
                    "public": false,
                    "rdns": "",
                    "linode_id": i.id,
                    "region": i.region,
                },
                // A list of IPv6 ranges, as the live API answers and linode-api4 reads it
                // (the spec types it as one IPv6Pool object).
                "global": [],
            },
        })
    }

    pub fn ssh_key_json(k: &SshKey) -> Value {
        json!({
            "id": k.id,
            "label": k.label,
            "ssh_key": k.ssh_key,
            "created": rfc3339_z(k.created_unix),
        })
    }

    /// A zone; `description` (1 to 253 characters when set) is left out when empty.
    pub fn domain_json(d: &Domain) -> Value {
        let mut v = json!({
            "id": d.id,
            "domain": d.domain,
            "type": d.kind,
            "status": d.status,
            "soa_email": d.soa_email,
            "tags": d.tags,
            "master_ips": d.master_ips,
            "axfr_ips": [],
            "ttl_sec": d.ttl_sec,
            "refresh_sec": 0,
            "retry_sec": 0,
            "expire_sec": 0,
        });
        if !d.description.is_empty() {
            v["description"] = json!(d.description);
        }
        v
    }

    pub fn record_json(r: &Record) -> Value {
        json!({
            "id": r.id,
            "type": r.kind,
            "name": r.name,
            "target": r.target,
            "ttl_sec": r.ttl_sec,
            "priority": r.priority,
            "weight": r.weight,
            "port": r.port,
            "service": r.service,
            "protocol": r.protocol,
            "tag": r.tag,
            "created": rfc3339_z(r.created_unix),
            "updated": rfc3339_z(r.updated_unix),
        })
    }
}

/// The TTLs Linode keeps (`#/components/schemas/DomainRecord/properties/ttl_sec`); 0 means
/// the zone's default.
pub const TTLS: [u32; 12] = [
    300, 3600, 7200, 14400, 28800, 57600, 86400, 172800, 345600, 604800, 1209600, 2419200,
];

/// A TTL rounded up to the next value Linode keeps (0 stays 0: the default).
pub fn round_ttl(ttl: u32) -> u32 {
    if ttl == 0 {
        return 0;
    }
    TTLS.iter()
        .copied()
        .find(|t| *t >= ttl)
        .unwrap_or(TTLS[TTLS.len() - 1])
}
