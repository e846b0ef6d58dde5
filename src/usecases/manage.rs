//! Changing a machine in place, on one account: its name (and the DNS records of that name
//! that point at it), the user's own tags, and its protection against deletion.
//!
//! Every input is checked before the first request, and every refusal (a bad name, a name
//! taken, a reserved tag) happens before anything changes. A rename whose records could not
//! all follow says what was renamed and what was not.

use super::get_machine;
use futures_util::future::join_all;
use serde::{Deserialize, Serialize};

use super::create::{validate_hostname, validate_tag};
use super::destroy::{MachineRecord, fqdn, is_machine_record};
use crate::error::{Error, ErrorKind, Result};
use crate::provider::{CloudProvider, DnsRecordSpec, Machine, MachineFilter};
use crate::session::{PROTECTED_TAG, TagSummary};

/// What to rename a machine to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RenameOptions {
    /// The new name: a hostname label, as at create.
    pub name: String,
    /// Zones in which the machine's own records (A/AAAA named after it, pointing at it) are
    /// renamed with it. Empty: only the machine is renamed.
    pub zones: Vec<String>,
    /// Rename even when another machine, or a record in `zones`, already has the new name.
    pub allow_duplicate: bool,
}

/// A renamed machine, and the records renamed with it (with their new names).
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Renamed {
    pub machine: Machine,
    pub records: Vec<MachineRecord>,
}

/// Renames machine `id` to `opts.name`, and its own records in `opts.zones` with it.
///
/// Refused before anything changes: an invalid name, the name it already has, and (unless
/// `allow_duplicate`) a name another machine of the account or a record in `opts.zones`
/// already has. A record that could not be renamed after the machine was is an
/// [`ErrorKind::Partial`] error naming both.
pub async fn rename(
    provider: &dyn CloudProvider,
    id: &str,
    opts: &RenameOptions,
) -> Result<Renamed> {
    let name = opts.name.trim();
    validate_hostname(name).map_err(Error::validation)?;
    let machine = get_machine(provider, id).await?;
    if machine.name == name {
        return Err(Error::validation(format!(
            "machine {id} is already called {name}"
        )));
    }
    let (machines, listed) = tokio::join!(
        async {
            if opts.allow_duplicate {
                Ok(Vec::new())
            } else {
                provider.list_machines(&MachineFilter::default()).await
            }
        },
        join_all(opts.zones.iter().map(|z| provider.list_records(z)))
    );
    let mut taken = Vec::new();
    if let Some(other) = machines?
        .iter()
        .find(|m| m.name == name && m.id != machine.id)
    {
        taken.push(format!(
            "a machine named `{name}` already exists (id {})",
            other.id
        ));
    }
    let mut own = Vec::new();
    for (zone, records) in opts.zones.iter().zip(listed) {
        let records = records.map_err(|e| {
            let e = Error::from(e);
            Error {
                message: format!(
                    "nothing was renamed: the records of zone {zone} could not be listed: {}",
                    e.message
                ),
                ..e
            }
        })?;
        let clashing: Vec<String> = records
            .iter()
            .filter(|r| r.spec.name == name)
            .map(|r| format!("{} {}", r.spec.record_type.as_str(), r.spec.data))
            .collect();
        if !clashing.is_empty() && !opts.allow_duplicate {
            taken.push(format!(
                "{} already has DNS records ({})",
                fqdn(name, zone),
                clashing.join(", ")
            ));
        }
        own.extend(
            records
                .into_iter()
                .filter(|r| is_machine_record(r, &machine))
                .map(|r| (zone.clone(), r)),
        );
    }
    if !taken.is_empty() {
        return Err(Error::new(
            ErrorKind::Duplicate,
            format!(
                "{}; renaming {} would make two of them. Nothing was renamed.",
                taken.join("; "),
                machine.name
            ),
        ));
    }
    provider.rename_machine(&machine.id, name).await?;
    let updates = join_all(own.iter().map(|(zone, r)| {
        let spec = DnsRecordSpec {
            name: name.to_owned(),
            ..r.spec.clone()
        };
        async move { (zone, r, provider.update_record(zone, &r.id, &spec).await) }
    }))
    .await;
    let mut renamed = Vec::new();
    let mut left = Vec::new();
    for (zone, old, result) in updates {
        match result {
            Ok(r) => renamed.push(MachineRecord::new(zone, &r)),
            Err(e) => left.push(format!(
                "{} ({} {}, id {}): {e}",
                fqdn(&old.spec.name, zone),
                old.spec.record_type.as_str(),
                old.spec.data,
                old.id
            )),
        }
    }
    if !left.is_empty() {
        return Err(Error::new(
            ErrorKind::Partial,
            format!(
                "machine {} ({}) is now called {name}, but these DNS records still have the old \
                 name: {}. Rename them on the DNS screen, or delete them with `hangar dns delete \
                 ZONE ID` and add new ones.",
                machine.name,
                machine.id,
                left.join("; ")
            ),
        ));
    }
    Ok(Renamed {
        machine: get_machine(provider, &machine.id).await?,
        records: renamed,
    })
}

/// Adds `add` to and removes `remove` from the user's own tags of machine `id`, and returns
/// the machine as it is afterwards. Hangar's `machine:` tags are refused either way (they say
/// who made the machine and protect it; see [`set_protection`]).
pub async fn change_tags(
    provider: &dyn CloudProvider,
    id: &str,
    add: &[String],
    remove: &[String],
) -> Result<Machine> {
    let (add, remove) = tag_change(add, remove)?;
    let machine = get_machine(provider, id).await?;
    retag(provider, &machine, &add, &remove).await
}

/// The tags to add and to remove, trimmed and without repeats, or why they cannot be: a
/// malformed or reserved (`machine:`) tag, a tag both added and removed, no tag at all.
pub fn tag_change(add: &[String], remove: &[String]) -> Result<(Vec<String>, Vec<String>)> {
    let add = clean(add)?;
    let remove = clean(remove)?;
    if let Some(both) = add.iter().find(|t| remove.contains(t)) {
        return Err(Error::validation(format!(
            "tag `{both}` is both added and removed"
        )));
    }
    if add.is_empty() && remove.is_empty() {
        return Err(Error::validation("give at least one tag to add or remove"));
    }
    Ok((add, remove))
}

/// Turns machine `id`'s protection against deletion on or off, and returns the machine as it
/// is afterwards. The protection is Hangar's `machine:protected` tag, which every destroy in
/// Hangar honours ([`super::destroy::refuse_protected`]).
pub async fn set_protection(provider: &dyn CloudProvider, id: &str, on: bool) -> Result<Machine> {
    let machine = get_machine(provider, id).await?;
    let tag = vec![PROTECTED_TAG.to_owned()];
    let (add, remove) = if on { (tag, vec![]) } else { (vec![], tag) };
    retag(provider, &machine, &add, &remove).await
}

/// Whether `m` is protected against deletion.
pub fn is_protected(m: &Machine) -> bool {
    TagSummary::from_tags(m.tags.iter().map(String::as_str)).protected
}

/// Sends only the changes `m` does not have yet, then reads it back.
async fn retag(
    provider: &dyn CloudProvider,
    m: &Machine,
    add: &[String],
    remove: &[String],
) -> Result<Machine> {
    let add: Vec<String> = add
        .iter()
        .filter(|t| !m.tags.contains(t))
        .cloned()
        .collect();
    let remove: Vec<String> = remove
        .iter()
        .filter(|t| m.tags.contains(t))
        .cloned()
        .collect();
    if add.is_empty() && remove.is_empty() {
        return Ok(m.clone());
    }
    provider.retag_machine(&m.id, &add, &remove).await?;
    get_machine(provider, &m.id).await
}

/// Trimmed, de-duplicated user tags, each checked with the tag rule.
fn clean(tags: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags.iter().map(|t| t.trim()) {
        validate_tag(tag).map_err(Error::validation)?;
        if !out.iter().any(|t| t == tag) {
            out.push(tag.to_owned());
        }
    }
    Ok(out)
}
