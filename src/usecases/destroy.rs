//! Destroy machines and their DNS records.
//!
//! Machines without `machine:created`, or of another session, are refused unless `all` is set;
//! every id is checked before anything is deleted. After the provider confirms a machine is
//! gone, the records whose name is the machine's name AND whose data is one of its addresses
//! are deleted in each configured zone (never "the first record with that name").

use futures_util::future::join_all;
use serde::Serialize;

use super::list::is_created_by_hangar;
use super::{Progress, ProgressSink};
use crate::error::{Error, ErrorKind, Result};
use crate::provider::{CloudProvider, DnsRecordType, Machine};
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
    progress: ProgressSink<'_>,
) -> Result<Vec<DestroyedMachine>> {
    if opts.ids.is_empty() {
        return Err(Error::validation("no machine id given"));
    }
    let fetched = join_all(opts.ids.iter().map(|id| provider.get_machine(id))).await;
    let mut machines = Vec::new();
    for (id, m) in opts.ids.iter().zip(fetched) {
        let m = m.map_err(|e| {
            if e.is_not_found() {
                Error::not_found(format!("machine {id} does not exist"))
            } else {
                e.into()
            }
        })?;
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
    progress: ProgressSink<'_>,
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
    let addresses: Vec<&String> = m.ipv4.iter().chain(m.ipv6.iter()).collect();
    if addresses.is_empty() {
        return out;
    }
    let listed = join_all(opts.dns_zones.iter().map(|z| provider.list_records(z))).await;
    for (zone, records) in opts.dns_zones.iter().zip(listed) {
        let records = match records {
            Ok(r) => r,
            Err(e) => {
                out.problems.push(Error {
                    kind: ErrorKind::Partial,
                    message: format!(
                        "the records of {} in zone {zone} could not be listed, so none were \
                         deleted there: {e}",
                        m.name
                    ),
                    detail: Some(format!("{e:?}")),
                });
                continue;
            }
        };
        for r in records.iter().filter(|r| {
            matches!(r.spec.record_type, DnsRecordType::A | DnsRecordType::AAAA)
                && r.spec.name == m.name
                && addresses.contains(&&r.spec.data)
        }) {
            let fqdn = format!("{}.{zone}", r.spec.name);
            match provider.delete_record(zone, &r.id).await {
                Ok(()) => {
                    progress(Progress::DnsRecordDeleted {
                        fqdn: fqdn.clone(),
                        record_id: r.id.clone(),
                    });
                    out.dns_records_deleted.push(DeletedRecord {
                        zone: zone.clone(),
                        fqdn,
                        record_id: r.id.clone(),
                    });
                }
                Err(e) => out.problems.push(Error {
                    kind: ErrorKind::Partial,
                    message: format!("DNS record {fqdn} (id {}) was not deleted: {e}", r.id),
                    detail: Some(format!("{e:?}")),
                }),
            }
        }
    }
    out
}
