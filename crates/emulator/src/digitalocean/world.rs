//! DigitalOcean's resources and how they are rendered as API objects.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::seed::{DigitalOceanSeed, DoAccountSeed, DoImageSeed, DoRegionSeed, DoSizeSeed};
use crate::clock::{rfc3339_z, unix_now};
use crate::error::EmulatorError;
use crate::ids::{self, gateway_of, private_ipv4, public_ipv4};
use crate::seed::RecordSeed;
use crate::state::Shared;

pub struct Droplet {
    pub id: u64,
    pub name: String,
    pub region: String,
    pub size: String,
    pub image_id: u64,
    pub tags: Vec<String>,
    pub created_unix: u64,
    /// When the public IP appears and a `new` Droplet turns `active`.
    pub ready_at: Instant,
    pub address: u64,
    pub off: bool,
    pub user_data: Option<String>,
    pub ssh_keys: Vec<u64>,
    /// The disk in GB when a resize with `disk: false` kept it smaller than the size's.
    pub disk_kept: Option<u32>,
}

pub struct Action {
    pub id: u64,
    pub kind: String,
    pub droplet_id: u64,
    pub region: String,
    pub started_unix: u64,
    pub completes_at: Instant,
    pub completed_unix: u64,
}

pub struct SshKey {
    pub id: u64,
    pub name: String,
    pub public_key: String,
    pub fingerprint: String,
}

pub struct Record {
    pub id: u64,
    pub kind: String,
    pub name: String,
    pub data: String,
    pub ttl: u32,
    pub priority: Option<u32>,
    pub port: Option<u32>,
    pub weight: Option<u32>,
    pub flags: Option<u32>,
    pub tag: Option<String>,
}

pub struct Domain {
    pub name: String,
    pub ttl: u32,
    pub records: Vec<Record>,
}

pub struct Project {
    pub id: String,
    pub name: String,
    pub description: String,
    pub purpose: String,
    pub environment: String,
    pub is_default: bool,
    pub created_unix: u64,
}

/// Everything the DigitalOcean side holds.
pub struct DoWorld {
    pub regions: Vec<DoRegionSeed>,
    pub sizes: Vec<DoSizeSeed>,
    pub images: Vec<DoImageSeed>,
    pub account: DoAccountSeed,
    pub account_uuid: String,
    pub owner_id: u64,
    pub droplets: BTreeMap<u64, Droplet>,
    pub actions: BTreeMap<u64, Action>,
    pub ssh_keys: BTreeMap<u64, SshKey>,
    pub domains: BTreeMap<String, Domain>,
    pub projects: Vec<Project>,
    /// Resource URN → project id.
    pub assignments: BTreeMap<String, String>,
    /// Lowercased tag name → canonical name (as first created).
    pub tags: BTreeMap<String, String>,
    /// Cloud firewalls (`/v2/firewalls`).
    pub firewalls: super::firewalls::Firewalls,
    /// Droplet snapshots (`/v2/snapshots`).
    pub snapshots: super::snapshots::Snapshots,
    next_droplet_id: u64,
    next_action_id: u64,
    next_key_id: u64,
    next_record_id: u64,
    next_project: u64,
}

impl DoWorld {
    /// A world with the seed's catalogs and no resources yet.
    pub fn new(seed: &DigitalOceanSeed) -> DoWorld {
        DoWorld {
            regions: seed.regions.clone(),
            sizes: seed.sizes.clone(),
            images: seed.images.clone(),
            account: seed.account.clone(),
            account_uuid: "b6fr89dbf6d9156cace5f3c78dc9851d957381ef".into(),
            owner_id: 258_992,
            droplets: BTreeMap::new(),
            actions: BTreeMap::new(),
            ssh_keys: BTreeMap::new(),
            domains: BTreeMap::new(),
            projects: Vec::new(),
            assignments: BTreeMap::new(),
            tags: BTreeMap::new(),
            firewalls: Default::default(),
            snapshots: Default::default(),
            next_droplet_id: 500_000_001,
            next_action_id: 2_000_000_001,
            next_key_id: 41_000_001,
            next_record_id: 3_300_000_001,
            next_project: 1,
        }
    }

    /// Creates the seed's resources.
    pub fn load_seed(
        &mut self,
        seed: &DigitalOceanSeed,
        shared: &Shared,
        now: Instant,
    ) -> Result<(), EmulatorError> {
        let invalid = |m: String| EmulatorError::SeedInvalid(format!("digitalocean: {m}"));
        for size in &self.sizes {
            for r in &size.regions {
                if self.region(r).is_none() {
                    return Err(invalid(format!(
                        "size {} names unknown region {r}",
                        size.slug
                    )));
                }
            }
        }
        for key in &seed.ssh_keys {
            self.add_ssh_key(&key.name, &key.public_key);
        }
        for domain in &seed.domains {
            self.add_domain(&domain.name, None);
            for r in &domain.records {
                self.add_seed_record(&domain.name, r);
            }
        }
        for p in &seed.projects {
            self.add_project(
                p.name.clone(),
                p.description.clone(),
                p.purpose.clone(),
                p.environment.clone(),
                p.is_default,
            );
        }
        if !self.projects.iter().any(|p| p.is_default) {
            if let Some(first) = self.projects.first_mut() {
                first.is_default = true;
            } else {
                self.add_project(
                    "Default".into(),
                    "Default project".into(),
                    "Just trying out DigitalOcean".into(),
                    "Development".into(),
                    true,
                );
            }
        }
        for d in &seed.droplets {
            let image = self
                .image_by_slug(&d.image)
                .map(|i| i.id)
                .ok_or_else(|| invalid(format!("droplet {}: unknown image {}", d.name, d.image)))?;
            if self.region(&d.region).is_none() {
                return Err(invalid(format!(
                    "droplet {}: unknown region {}",
                    d.name, d.region
                )));
            }
            if self.size(&d.size).is_none() {
                return Err(invalid(format!(
                    "droplet {}: unknown size {}",
                    d.name, d.size
                )));
            }
            let ready_at = if d.pending {
                now + shared.ip_delay
            } else {
                now
            };
            let id = self.add_droplet(
                shared, &d.name, &d.region, &d.size, image, &d.tags, ready_at,
            );
            if let Some(droplet) = self.droplets.get_mut(&id) {
                droplet.off = d.off;
                droplet.created_unix = droplet.created_unix.saturating_sub(d.age_seconds);
            }
        }
        Ok(())
    }

    pub fn region(&self, slug: &str) -> Option<&DoRegionSeed> {
        self.regions.iter().find(|r| r.slug == slug)
    }

    pub fn size(&self, slug: &str) -> Option<&DoSizeSeed> {
        self.sizes.iter().find(|s| s.slug == slug)
    }

    pub fn image_by_slug(&self, slug: &str) -> Option<&DoImageSeed> {
        self.images.iter().find(|i| i.slug == slug)
    }

    pub fn image_by_id(&self, id: u64) -> Option<&DoImageSeed> {
        self.images.iter().find(|i| i.id == id)
    }

    /// Registers a tag name if it is new; returns the canonical spelling.
    pub fn ensure_tag(&mut self, name: &str) -> String {
        self.tags
            .entry(name.to_lowercase())
            .or_insert_with(|| name.to_owned())
            .clone()
    }

    /// Creates a Droplet and returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn add_droplet(
        &mut self,
        shared: &Shared,
        name: &str,
        region: &str,
        size: &str,
        image_id: u64,
        tags: &[String],
        ready_at: Instant,
    ) -> u64 {
        let id = self.next_droplet_id;
        self.next_droplet_id += 1;
        let tags = tags.iter().map(|t| self.ensure_tag(t)).collect();
        self.droplets.insert(
            id,
            Droplet {
                id,
                name: name.to_owned(),
                region: region.to_owned(),
                size: size.to_owned(),
                image_id,
                tags,
                created_unix: unix_now(),
                ready_at,
                address: shared.allocate_address(),
                off: false,
                user_data: None,
                ssh_keys: Vec::new(),
                disk_kept: None,
            },
        );
        id
    }

    /// Creates `count` ready Droplets named `bulk-<n>`.
    pub fn add_ready_droplets(&mut self, shared: &Shared, count: usize, tags: &[String]) {
        let region = self
            .regions
            .first()
            .map(|r| r.slug.clone())
            .unwrap_or_default();
        let size = self
            .sizes
            .iter()
            .find(|s| s.regions.contains(&region))
            .map(|s| s.slug.clone())
            .unwrap_or_default();
        let image = self.images.first().map_or(0, |i| i.id);
        let now = Instant::now();
        for _ in 0..count {
            let n = self.next_droplet_id;
            self.add_droplet(
                shared,
                &format!("bulk-{n}"),
                &region,
                &size,
                image,
                tags,
                now,
            );
        }
    }

    /// Records an action on a Droplet, completing after `duration`.
    pub fn add_action(&mut self, droplet_id: u64, kind: &str, duration: Duration) -> u64 {
        let id = self.next_action_id;
        self.next_action_id += 1;
        let region = self
            .droplets
            .get(&droplet_id)
            .map(|d| d.region.clone())
            .unwrap_or_default();
        let now = unix_now();
        self.actions.insert(
            id,
            Action {
                id,
                kind: kind.to_owned(),
                droplet_id,
                region,
                started_unix: now,
                completes_at: Instant::now() + duration,
                completed_unix: now + duration.as_secs(),
            },
        );
        id
    }

    pub fn add_ssh_key(&mut self, name: &str, public_key: &str) -> u64 {
        let id = self.next_key_id;
        self.next_key_id += 1;
        self.ssh_keys.insert(
            id,
            SshKey {
                id,
                name: name.to_owned(),
                public_key: public_key.trim().to_owned(),
                fingerprint: ids::ssh_fingerprint(public_key),
            },
        );
        id
    }

    /// Finds a key by numeric id or fingerprint.
    pub fn find_ssh_key(&self, identifier: &str) -> Option<u64> {
        match identifier.parse::<u64>() {
            Ok(id) => self.ssh_keys.contains_key(&id).then_some(id),
            Err(_) => self
                .ssh_keys
                .values()
                .find(|k| k.fingerprint == identifier)
                .map(|k| k.id),
        }
    }

    /// Creates a zone with its SOA and NS records, and an apex A record for `ip`.
    pub fn add_domain(&mut self, name: &str, ip: Option<&str>) {
        let mut domain = Domain {
            name: name.to_owned(),
            ttl: 1800,
            records: Vec::new(),
        };
        let mut push = |world: &mut DoWorld, kind: &str, rname: &str, data: &str, ttl: u32| {
            let id = world.next_record_id();
            domain.records.push(Record {
                id,
                kind: kind.into(),
                name: rname.into(),
                data: data.into(),
                ttl,
                priority: None,
                port: None,
                weight: None,
                flags: None,
                tag: None,
            });
        };
        push(self, "SOA", "@", "1800", 1800);
        for ns in [
            "ns1.digitalocean.com",
            "ns2.digitalocean.com",
            "ns3.digitalocean.com",
        ] {
            push(self, "NS", "@", ns, 1800);
        }
        if let Some(ip) = ip {
            push(self, "A", "@", ip, 1800);
        }
        self.domains.insert(name.to_owned(), domain);
    }

    pub fn next_record_id(&mut self) -> u64 {
        let id = self.next_record_id;
        self.next_record_id += 1;
        id
    }

    fn add_seed_record(&mut self, domain: &str, r: &RecordSeed) {
        let id = self.next_record_id();
        if let Some(d) = self.domains.get_mut(domain) {
            d.records.push(Record {
                id,
                kind: r.kind.to_uppercase(),
                name: if r.name.is_empty() {
                    "@".into()
                } else {
                    r.name.clone()
                },
                data: r.data.clone(),
                ttl: r.ttl,
                priority: r.priority,
                port: r.port,
                weight: r.weight,
                flags: r.flags,
                tag: r.tag.clone(),
            });
        }
    }

    fn add_project(
        &mut self,
        name: String,
        description: String,
        purpose: String,
        environment: String,
        is_default: bool,
    ) {
        let n = self.next_project;
        self.next_project += 1;
        self.projects.push(Project {
            id: ids::uuid(0x7072_6f6a, n),
            name,
            description,
            purpose,
            environment,
            is_default,
            created_unix: unix_now(),
        });
    }

    /// Forgets a Droplet and everything pointing at it.
    pub fn remove_droplet(&mut self, id: u64) {
        self.droplets.remove(&id);
        self.assignments.remove(&format!("do:droplet:{id}"));
    }

    // ---- rendering -------------------------------------------------------------------

    pub fn region_json(&self, slug: &str) -> Value {
        let Some(r) = self.region(slug) else {
            return json!({ "slug": slug, "name": slug, "features": [], "available": false, "sizes": [] });
        };
        let sizes: Vec<&str> = self
            .sizes
            .iter()
            .filter(|s| s.regions.iter().any(|x| x == slug))
            .map(|s| s.slug.as_str())
            .collect();
        json!({
            "name": r.name,
            "slug": r.slug,
            "features": ["backups", "ipv6", "metadata", "install_agent", "storage", "image_transfer"],
            "available": r.available,
            "sizes": sizes,
        })
    }

    pub fn size_json(&self, slug: &str) -> Value {
        let Some(s) = self.size(slug) else {
            return json!({ "slug": slug });
        };
        json!({
            "slug": s.slug,
            "memory": s.memory,
            "vcpus": s.vcpus,
            "disk": s.disk,
            "transfer": s.transfer,
            "price_monthly": s.price_monthly,
            "price_hourly": s.price_hourly,
            "regions": s.regions,
            "available": true,
            "description": s.description,
            "disk_info": [{ "type": "local", "size": { "amount": s.disk, "unit": "gib" } }],
        })
    }

    pub fn image_json(&self, image: &DoImageSeed) -> Value {
        let regions: Vec<&str> = self.regions.iter().map(|r| r.slug.as_str()).collect();
        json!({
            "id": image.id,
            "name": image.name,
            "distribution": image.distribution,
            "slug": image.slug,
            "public": true,
            "regions": regions,
            "created_at": "2024-04-25T15:28:01Z",
            "type": "base",
            "min_disk_size": image.min_disk_size,
            "size_gigabytes": 2.36,
            "description": format!("{} {}", image.distribution, image.name),
            "tags": [],
            "status": "available",
            "error_message": "",
        })
    }

    /// The boot state of the newest Droplet that has public address `ip` at `now`.
    pub fn boot_of(&self, ip: Ipv4Addr, now: Instant) -> Option<crate::status::Boot> {
        self.droplets
            .values()
            .rev()
            .find(|d| now >= d.ready_at && public_ipv4(d.address) == ip)
            .map(|d| crate::status::Boot {
                ready_at: d.ready_at,
                created_unix: d.created_unix,
                off: d.off,
            })
    }

    pub fn droplet_json(&self, d: &Droplet, now: Instant) -> Value {
        let ready = now >= d.ready_at;
        let status = match (ready, d.off) {
            (false, _) => "new",
            (true, true) => "off",
            (true, false) => "active",
        };
        let v4: Vec<Value> = if ready {
            let public: Ipv4Addr = public_ipv4(d.address);
            vec![
                json!({
                    "ip_address": private_ipv4(d.address).to_string(),
                    "netmask": "255.255.0.0",
                    "gateway": "10.10.0.1",
                    "type": "private",
                }),
                json!({
                    "ip_address": public.to_string(),
                    "netmask": "255.255.255.0",
                    "gateway": gateway_of(public).to_string(),
                    "type": "public",
                }),
            ]
        } else {
            vec![]
        };
        let size = self.size(&d.size);
        let image = self
            .image_by_id(d.image_id)
            .map(|i| self.image_json(i))
            .or_else(|| self.snapshot_image_json(d.image_id, now))
            .unwrap_or_else(|| json!({ "id": d.image_id }));
        let disk = d.disk_kept.unwrap_or_else(|| size.map_or(0, |s| s.disk));
        json!({
            "id": d.id,
            "name": d.name,
            "memory": size.map_or(0, |s| s.memory),
            "vcpus": size.map_or(0, |s| s.vcpus),
            "disk": disk,
            "disk_info": [{ "type": "local", "size": { "amount": disk, "unit": "gib" } }],
            "locked": false,
            "status": status,
            "created_at": rfc3339_z(d.created_unix),
            "features": ["private_networking"],
            "backup_ids": [],
            "next_backup_window": null,
            "snapshot_ids": self.snapshots.ids_of(d.id, now),
            "image": image,
            "volume_ids": [],
            "size": self.size_json(&d.size),
            "size_slug": d.size,
            "networks": { "v4": v4, "v6": [] },
            "region": self.region_json(&d.region),
            "tags": d.tags,
            "vpc_uuid": ids::uuid(0x7670_6300, self.regions.iter().position(|r| r.slug == d.region).unwrap_or(0) as u64),
        })
    }

    pub fn action_json(&self, a: &Action, now: Instant) -> Value {
        let done = now >= a.completes_at;
        json!({
            "id": a.id,
            "status": if done { "completed" } else { "in-progress" },
            "type": a.kind,
            "started_at": rfc3339_z(a.started_unix),
            "completed_at": if done { Value::from(rfc3339_z(a.completed_unix)) } else { Value::Null },
            "resource_id": a.droplet_id,
            "resource_type": "droplet",
            "region": self.region_json(&a.region),
            "region_slug": a.region,
        })
    }

    pub fn ssh_key_json(k: &SshKey) -> Value {
        json!({
            "id": k.id,
            "fingerprint": k.fingerprint,
            "public_key": k.public_key,
            "name": k.name,
        })
    }

    pub fn domain_json(d: &Domain) -> Value {
        json!({ "name": d.name, "ttl": d.ttl, "zone_file": zone_file(d) })
    }

    pub fn record_json(r: &Record) -> Value {
        json!({
            "id": r.id,
            "type": r.kind,
            "name": r.name,
            "data": r.data,
            "priority": r.priority,
            "port": r.port,
            "ttl": r.ttl,
            "weight": r.weight,
            "flags": r.flags,
            "tag": r.tag,
        })
    }

    pub fn project_json(&self, p: &Project) -> Value {
        json!({
            "id": p.id,
            "owner_uuid": self.account_uuid,
            "owner_id": self.owner_id,
            "name": p.name,
            "description": p.description,
            "purpose": p.purpose,
            "environment": p.environment,
            "is_default": p.is_default,
            "created_at": rfc3339_z(p.created_unix),
            "updated_at": rfc3339_z(p.created_unix),
        })
    }

    pub fn tag_json(&self, base_url: &str, name: &str) -> Value {
        let tagged: Vec<&Droplet> = self
            .droplets
            .values()
            .filter(|d| d.tags.iter().any(|t| t.eq_ignore_ascii_case(name)))
            .collect();
        let mut droplets = json!({ "count": tagged.len() });
        let mut resources = json!({
            "count": tagged.len(),
            "images": { "count": 0 },
            "volumes": { "count": 0 },
            "volume_snapshots": { "count": 0 },
            "databases": { "count": 0 },
        });
        if let Some(last) = tagged.last() {
            let uri = format!("{base_url}/v2/droplets/{}", last.id);
            droplets["last_tagged_uri"] = json!(uri);
            resources["last_tagged_uri"] = json!(uri);
        }
        resources["droplets"] = droplets;
        json!({ "name": name, "resources": resources })
    }
}

/// A BIND zone file for the domain, as DigitalOcean returns it.
fn zone_file(d: &Domain) -> String {
    let mut out = format!("$ORIGIN {}.\n$TTL {}\n", d.name, d.ttl);
    for r in &d.records {
        let owner = if r.name == "@" {
            format!("{}.", d.name)
        } else {
            format!("{}.{}.", r.name, d.name)
        };
        let line = match r.kind.as_str() {
            "SOA" => format!(
                "{owner} IN SOA ns1.digitalocean.com. hostmaster.{}. 1415982609 10800 3600 604800 1800",
                d.name
            ),
            "MX" => format!(
                "{owner} {} IN MX {} {}",
                r.ttl,
                r.priority.unwrap_or(0),
                r.data
            ),
            "SRV" => format!(
                "{owner} {} IN SRV {} {} {} {}",
                r.ttl,
                r.priority.unwrap_or(0),
                r.weight.unwrap_or(0),
                r.port.unwrap_or(0),
                r.data
            ),
            "CAA" => format!(
                "{owner} {} IN CAA {} {} \"{}\"",
                r.ttl,
                r.flags.unwrap_or(0),
                r.tag.as_deref().unwrap_or("issue"),
                r.data
            ),
            "TXT" => format!("{owner} {} IN TXT \"{}\"", r.ttl, r.data),
            kind => format!("{owner} {} IN {kind} {}", r.ttl, r.data),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}
