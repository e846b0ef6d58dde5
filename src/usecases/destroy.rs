//! Destroy machines and their DNS records.
//!
//! Machines without `machine:created`, or of another session, are refused unless `all` is set;
//! every id is checked before anything is deleted. After the provider confirms a machine is
//! gone, the records whose name is the machine's name AND whose data is one of its addresses
//! are deleted in each configured zone (never "the first record with that name").
//!
//! [`preview_destroy`] answers "what would go" with the same rules, without deleting anything,
//! for a confirmation that lists the machines, their records and any refusal.

use futures_util::future::join_all;
use serde::Serialize;

use super::list::is_created_by_hangar;
use super::{DestroyProgress as Progress, ProgressSink};
use crate::error::{Error, ErrorKind, Result};
use crate::provider::{CloudProvider, DnsRecord, DnsRecordType, Machine};
use crate::session::{SessionId, TagSummary};

/// What to destroy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DestroyOptions {
    pub ids: Vec<String>,
    /// Also machines of other sessions or not created by Hangar/`machine`.
    pub all: bool,
    pub delete_dns: bool,
    /// Zones to clean (the configured zone).
    pub dns_zones: Vec<String>,
    /// Other records to delete once their machine is gone (chosen from the preview's
    /// `other_records`: a `www` A record, a CNAME to the machine's name).
    pub extra_records: Vec<ExtraRecord>,
}

/// A record to delete with a machine, though destroy would not delete it by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ExtraRecord {
    pub machine_id: String,
    pub zone: String,
    pub record_id: String,
    /// `name.zone`, for the messages.
    pub fqdn: String,
}

/// A deleted DNS record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DeletedRecord {
    pub zone: String,
    pub fqdn: String,
    pub record_id: String,
}

/// One machine's fate.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DestroyedMachine {
    pub id: String,
    pub name: String,
    /// The machine is confirmed gone.
    pub destroyed: bool,
    pub dns_records_deleted: Vec<DeletedRecord>,
    /// What did not happen (machine still there, a record left behind).
    pub problems: Vec<Error>,
}

/// Destroys `opts.ids`. `Err` means nothing was deleted (refused, unknown id); `Ok` lists per
/// machine what was deleted and what was not.
pub async fn destroy_machines(
    provider: &dyn CloudProvider,
    session: &SessionId,
    opts: &DestroyOptions,
    progress: ProgressSink<'_, Progress>,
) -> Result<Vec<DestroyedMachine>> {
    if opts.ids.is_empty() {
        return Err(Error::validation("no machine id given"));
    }
    let fetched = join_all(opts.ids.iter().map(|id| provider.get_machine(id))).await;
    let mut machines = Vec::new();
    for (id, m) in opts.ids.iter().zip(fetched) {
        let m = m.map_err(|e| super::machine_error(id, e))?;
        refuse_protected(&m)?;
        if !opts.all {
            refuse_foreign(&m, session)?;
        }
        machines.push(m);
    }
    let mut results = Vec::new();
    for m in machines {
        results.push(destroy_one(provider, &m, opts, progress).await);
    }
    progress(Progress::Done);
    Ok(results)
}

/// Refuses a machine protected against deletion, whatever `all` says.
pub fn refuse_protected(m: &Machine) -> Result<()> {
    if TagSummary::from_tags(m.tags.iter().map(String::as_str)).protected {
        return Err(Error::refused(format!(
            "machine {} ({}) is protected against deletion; turn protection off first              (`hangar protect off {}`, or in its details in the app)",
            m.name, m.id, m.id
        )));
    }
    Ok(())
}

/// Refuses a machine not created by Hangar/`machine`, or of another session.
pub fn refuse_foreign(m: &Machine, session: &SessionId) -> Result<()> {
    if !is_created_by_hangar(m) {
        return Err(Error::refused(format!(
            "machine {} ({}) was not created by Hangar or machine; use --all to destroy it anyway",
            m.name, m.id
        )));
    }
    if !TagSummary::from_tags(m.tags.iter().map(String::as_str)).is_in_session(session) {
        return Err(Error::refused(format!(
            "machine {} ({}) belongs to another session; use --all to destroy it anyway",
            m.name, m.id
        )));
    }
    Ok(())
}

async fn destroy_one(
    provider: &dyn CloudProvider,
    m: &Machine,
    opts: &DestroyOptions,
    progress: ProgressSink<'_, Progress>,
) -> DestroyedMachine {
    let mut out = DestroyedMachine {
        id: m.id.clone(),
        name: m.name.clone(),
        destroyed: false,
        dns_records_deleted: Vec::new(),
        problems: Vec::new(),
    };
    progress(Progress::Destroying {
        id: m.id.clone(),
        name: m.name.clone(),
    });
    match provider.destroy_machine(&m.id).await {
        Ok(()) => {
            out.destroyed = true;
            progress(Progress::Destroyed { id: m.id.clone() });
        }
        Err(e) => {
            let e: Error = e.into();
            progress(Progress::Warning {
                message: e.message.clone(),
            });
            // The machine may still be running: keep its DNS records.
            out.problems.push(e);
            return out;
        }
    }
    if !opts.delete_dns {
        return out;
    }
    let (records, problems) = machine_records(provider, m, &opts.dns_zones).await;
    out.problems.extend(problems.into_iter().map(|e| Error {
        message: format!(
            "machine {} ({}) is destroyed, but {}",
            m.name, m.id, e.message
        ),
        ..e
    }));
    let extra = opts
        .extra_records
        .iter()
        .filter(|x| x.machine_id == m.id)
        .map(|x| MachineRecord {
            zone: x.zone.clone(),
            fqdn: x.fqdn.clone(),
            record_id: x.record_id.clone(),
            record_type: String::new(),
            name: String::new(),
            data: String::new(),
        });
    for r in records.into_iter().chain(extra) {
        match provider.delete_record(&r.zone, &r.record_id).await {
            Ok(()) => {
                progress(Progress::DnsRecordDeleted {
                    fqdn: r.fqdn.clone(),
                    record_id: r.record_id.clone(),
                });
                out.dns_records_deleted.push(DeletedRecord {
                    zone: r.zone,
                    fqdn: r.fqdn,
                    record_id: r.record_id,
                });
            }
            Err(e) => out.problems.push(Error {
                kind: ErrorKind::Partial,
                message: format!(
                    "machine {} ({}) is destroyed, but its DNS record {} (id {}) was not \
                     deleted: {e}. It still points at an address that may soon belong to \
                     someone else's machine: delete it with `hangar dns delete {} {}` or on \
                     the DNS screen",
                    m.name, m.id, r.fqdn, r.record_id, r.zone, r.record_id
                ),
                detail: Some(format!("{e:?}")),
            }),
        }
    }
    out
}

/// A DNS record that points at a machine, with the zone it is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MachineRecord {
    pub zone: String,
    /// `name.zone`, or the zone itself for the apex (`@`).
    pub fqdn: String,
    pub record_id: String,
    /// `A`, `AAAA`, or `CNAME` (for [`DestroyPreview::other_records`]).
    pub record_type: String,
    /// The record's relative name.
    pub name: String,
    /// The address it points at.
    pub data: String,
}

impl MachineRecord {
    /// Record `r` of `zone`.
    pub fn new(zone: &str, r: &DnsRecord) -> Self {
        Self {
            zone: zone.to_string(),
            fqdn: fqdn(&r.spec.name, zone),
            record_id: r.id.clone(),
            record_type: r.spec.record_type.as_str().to_string(),
            name: r.spec.name.clone(),
            data: r.spec.data.clone(),
        }
    }
}

/// The fully qualified name of the record `name` (relative, `@` or empty for the apex) in `zone`.
pub fn fqdn(name: &str, zone: &str) -> String {
    if name.is_empty() || name == "@" {
        zone.to_string()
    } else {
        format!("{name}.{zone}")
    }
}

/// True for an A or AAAA record whose data is one of the machine's addresses.
pub fn points_at(r: &DnsRecord, m: &Machine) -> bool {
    matches!(r.spec.record_type, DnsRecordType::A | DnsRecordType::AAAA)
        && (m.ipv4.as_deref() == Some(r.spec.data.as_str())
            || m.ipv6.as_deref() == Some(r.spec.data.as_str()))
}

/// True for a record destroying `m` deletes: its name is the machine's name AND its data is one
/// of the machine's addresses.
pub fn is_machine_record(r: &DnsRecord, m: &Machine) -> bool {
    r.spec.name == m.name && points_at(r, m)
}

/// Every A/AAAA record in `zones` that points at one of `m`'s addresses, whatever its name
/// (zones listed concurrently), and what could not be listed.
pub async fn address_records(
    provider: &dyn CloudProvider,
    m: &Machine,
    zones: &[String],
) -> (Vec<MachineRecord>, Vec<Error>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    if m.ipv4.is_none() && m.ipv6.is_none() {
        return (found, problems);
    }
    let listed = join_all(zones.iter().map(|z| provider.list_records(z))).await;
    for (zone, records) in zones.iter().zip(listed) {
        match records {
            Ok(records) => found.extend(
                records
                    .iter()
                    .filter(|r| points_at(r, m))
                    .map(|r| MachineRecord::new(zone, r)),
            ),
            Err(e) => problems.push(unlisted_zone(zone, m, &e)),
        }
    }
    (found, problems)
}

/// Says that `zone`'s records could not be listed, so those of `m` there were left alone.
fn unlisted_zone(zone: &str, m: &Machine, e: &crate::provider::ProviderError) -> Error {
    Error {
        kind: ErrorKind::Partial,
        message: format!(
            "the records of zone {zone} could not be listed, so the records of {} there are \
             unknown and were left alone: {e}",
            m.name
        ),
        detail: Some(format!("{e:?}")),
    }
}

/// The records in `zones` that destroying `m` deletes ([`is_machine_record`]), and what could
/// not be listed.
pub async fn machine_records(
    provider: &dyn CloudProvider,
    m: &Machine,
    zones: &[String],
) -> (Vec<MachineRecord>, Vec<Error>) {
    let (mut records, problems) = address_records(provider, m, zones).await;
    records.retain(|r| r.name == m.name);
    (records, problems)
}

/// The records in `zones` that destroying `m` deletes, the other records that point at it
/// (A/AAAA of another name with its address, CNAMEs to `name.zone`), and what could not be
/// listed. Each zone is listed once, all at once.
pub async fn related_records(
    provider: &dyn CloudProvider,
    m: &Machine,
    zones: &[String],
) -> (Vec<MachineRecord>, Vec<MachineRecord>, Vec<Error>) {
    let (mut own, mut others, mut problems) = (Vec::new(), Vec::new(), Vec::new());
    let listed = join_all(zones.iter().map(|z| provider.list_records(z))).await;
    for (zone, records) in zones.iter().zip(listed) {
        match records {
            Ok(records) => {
                let target = format!("{}.{zone}", m.name);
                for r in &records {
                    if is_machine_record(r, m) {
                        own.push(MachineRecord::new(zone, r));
                    } else if points_at(r, m)
                        || (r.spec.record_type == DnsRecordType::CNAME
                            && (r.spec.data.trim_end_matches('.') == target
                                || r.spec.data == m.name))
                    {
                        others.push(MachineRecord::new(zone, r));
                    }
                }
            }
            Err(e) => problems.push(unlisted_zone(zone, m, &e)),
        }
    }
    (own, others, problems)
}

/// What destroying one machine would do.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DestroyPreview {
    pub id: String,
    pub name: String,
    pub ipv4: Option<String>,
    /// Why the destroy would be refused: the machine is protected (even with `all`), or,
    /// without `all`, it was not created by Hangar/`machine` or is of another session; `None`
    /// when it would go ahead.
    pub refusal: Option<String>,
    /// Protected against deletion: refused even with `all`.
    pub protected: bool,
    /// The DNS records that would be deleted with it.
    pub records: Vec<MachineRecord>,
    /// Other records that point at it and would be left: A/AAAA records of another name
    /// with its address, CNAMEs to its name. Deleted only when asked for
    /// ([`DestroyOptions::extra_records`]).
    pub other_records: Vec<MachineRecord>,
    /// Zones whose records could not be listed.
    pub problems: Vec<Error>,
}

/// What [`destroy_machines`] would do with `ids`, deleting nothing: per machine its refusal
/// (when `all` is not set) and the records in `zones` that would go. Machines and zones are
/// fetched concurrently. `Err` when an id does not exist or the provider fails.
pub async fn preview_destroy(
    provider: &dyn CloudProvider,
    session: &SessionId,
    ids: &[String],
    all: bool,
    zones: &[String],
) -> Result<Vec<DestroyPreview>> {
    let fetched = join_all(ids.iter().map(|id| provider.get_machine(id))).await;
    let mut machines = Vec::new();
    for (id, m) in ids.iter().zip(fetched) {
        machines.push(m.map_err(|e| super::machine_error(id, e))?);
    }
    let records = join_all(machines.iter().map(|m| related_records(provider, m, zones))).await;
    Ok(machines
        .into_iter()
        .zip(records)
        .map(|(m, (records, other_records, problems))| DestroyPreview {
            protected: refuse_protected(&m).is_err(),
            refusal: refuse_protected(&m)
                .and_then(|()| {
                    if all {
                        Ok(())
                    } else {
                        refuse_foreign(&m, session)
                    }
                })
                .err()
                .map(|e| e.message),
            id: m.id,
            name: m.name,
            ipv4: m.ipv4,
            records,
            other_records,
            problems,
        })
        .collect())
}
