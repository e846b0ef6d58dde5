//! One machine across the fleet: its detail (plan, cost, cloud-init, and the DNS records of
//! every account that point at it), and changing it in place (rename, tags, protection).

use serde::Serialize;

use super::machines::MachineView;
use super::{Fleet, dns, fan_out, ignore_each};
use crate::error::{Error, Result};
use crate::provider::{Capabilities, Machine, ProviderKind};
use crate::usecases::destroy::{MachineRecord, related_records};
use crate::usecases::detail::{self, PlanDetail};
use crate::usecases::manage::{self, RenameOptions};

/// A DNS record pointing at a machine, and the account whose zone holds it.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PointingRecord {
    pub account_id: String,
    pub account_label: String,
    pub record: MachineRecord,
    /// The machine's own record (named after it, in its account): destroy deletes it, and a
    /// rename renames it.
    pub own: bool,
}

/// Everything the detail view shows about one machine.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MachineDetail {
    pub account_id: String,
    pub account_label: String,
    pub provider: ProviderKind,
    /// The account is the demo cloud's: nothing is billed.
    pub simulated: bool,
    pub view: MachineView,
    /// What the provider can do to a machine (the actions it lacks are shown, with why).
    pub capabilities: Capabilities,
    pub plan: PlanDetail,
    /// A/AAAA records of any account with one of its addresses, and CNAMEs to its name.
    pub records: Vec<PointingRecord>,
    /// What could not be asked (an account's zones, …): the rest is still shown.
    pub problems: Vec<Error>,
}

/// The detail of machine `machine_id` of account `account_id`. The machine, its plan and
/// cloud-init check, and every account's records are asked at once.
pub async fn detail(fleet: &Fleet, account_id: &str, machine_id: &str) -> Result<MachineDetail> {
    let (account, client) = fleet.client(account_id)?;
    let machine = crate::usecases::get_machine(client.as_ref(), machine_id).await?;
    let machine = &machine;
    let (plan, records) = tokio::join!(
        detail::detail(client.as_ref(), machine),
        fan_out(
            fleet.accounts.iter().map(|a| (a, ())),
            |a, client, ()| async move {
                let zones = dns::zones_to_search(a, client.as_ref()).await?;
                Ok(related_records(client.as_ref(), machine, &zones).await)
            },
            &ignore_each,
        )
    );
    let mut problems = Vec::new();
    let mut pointing = Vec::new();
    for (answer, a) in records.into_iter().zip(&fleet.accounts) {
        match answer.into_outcome() {
            Ok((own, others, listing_problems)) => {
                let is_home = a.id == account.id;
                let tag = |record: MachineRecord, own: bool| PointingRecord {
                    account_id: a.id.clone(),
                    account_label: a.label.clone(),
                    record,
                    own,
                };
                pointing.extend(own.into_iter().map(|r| tag(r, is_home)));
                pointing.extend(others.into_iter().map(|r| tag(r, false)));
                problems.extend(listing_problems);
            }
            Err(e) => problems.push(Error {
                message: format!("{}: {}", a.label, e.message),
                ..e
            }),
        }
    }
    // A CNAME points here only through a name that does: one of the A/AAAA records above
    // (a CNAME in another account's zone to `name.<that zone>` names another host).
    let names: Vec<String> = pointing
        .iter()
        .filter(|p| p.record.record_type != "CNAME")
        .map(|p| p.record.fqdn.clone())
        .collect();
    pointing.retain(|p| {
        let r = &p.record;
        let target = match r.data.strip_suffix('.') {
            Some(absolute) => absolute.to_owned(),
            // A relative target is in the record's own zone.
            None => crate::usecases::destroy::fqdn(&r.data, &r.zone),
        };
        r.record_type != "CNAME" || names.contains(&target)
    });
    Ok(MachineDetail {
        account_id: account.id.clone(),
        account_label: account.label.clone(),
        provider: account.provider,
        simulated: account.simulated,
        view: MachineView::new(machine.clone(), &fleet.session_or_none()),
        capabilities: client.capabilities(),
        plan: plan?,
        records: pointing,
        problems,
    })
}

/// Renames one machine; with `with_records`, also its own records in the zones its account
/// searches ([`dns::zones_to_search`], the zone policy destroy uses).
pub async fn rename(
    fleet: &Fleet,
    account_id: &str,
    machine_id: &str,
    name: &str,
    with_records: bool,
    allow_duplicate: bool,
) -> Result<RenamedView> {
    let (account, client) = fleet.client(account_id)?;
    let zones = if with_records {
        dns::zones_to_search(account, client.as_ref()).await?
    } else {
        Vec::new()
    };
    let opts = RenameOptions {
        name: name.to_owned(),
        zones,
        allow_duplicate,
    };
    let renamed = manage::rename(client.as_ref(), machine_id, &opts).await?;
    Ok(RenamedView {
        machine: view(fleet, renamed.machine),
        records: renamed.records,
    })
}

/// A renamed machine and the records renamed with it.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RenamedView {
    pub machine: MachineView,
    pub records: Vec<MachineRecord>,
}

/// Adds and removes the user's own tags of one machine.
pub async fn change_tags(
    fleet: &Fleet,
    account_id: &str,
    machine_id: &str,
    add: &[String],
    remove: &[String],
) -> Result<MachineView> {
    let (_, client) = fleet.client(account_id)?;
    let machine = manage::change_tags(client.as_ref(), machine_id, add, remove).await?;
    Ok(view(fleet, machine))
}

/// Turns one machine's protection against deletion on or off.
pub async fn set_protection(
    fleet: &Fleet,
    account_id: &str,
    machine_id: &str,
    on: bool,
) -> Result<MachineView> {
    let (_, client) = fleet.client(account_id)?;
    let machine = manage::set_protection(client.as_ref(), machine_id, on).await?;
    Ok(view(fleet, machine))
}

fn view(fleet: &Fleet, machine: Machine) -> MachineView {
    MachineView::new(machine, &fleet.session_or_none())
}
