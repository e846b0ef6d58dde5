//! DNS across accounts: the zones of every account, which zones hold a machine's records
//! (the zone policy), and the records of one zone joined to the machines of every account.

use serde::Serialize;

use super::machines::{self, MachineView};
use super::{Fleet, LiveAccount, OnEach, PerAccount, fan_out, ignore_each};
use crate::error::Result;
use crate::provider::{CloudProvider, Machine, ProviderKind};
use crate::usecases::dns::{self, RecordView};
use crate::usecases::dns_advice;

/// The zones searched for a machine's records: the account's configured DNS zone when it has
/// one, else every zone the account hosts. Destroy deletes only records found there; the SSH
/// target looks for a name there.
pub async fn zones_to_search(
    account: &LiveAccount,
    client: &dyn CloudProvider,
) -> Result<Vec<String>> {
    if let Some(zone) = &account.defaults.dns_zone {
        return Ok(vec![zone.clone()]);
    }
    dns::list_zones(client).await
}

/// The zones of one account, with what the DNS screen shows beside them.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AccountZones {
    pub account_label: String,
    pub provider: ProviderKind,
    pub simulated: bool,
    pub zones: Vec<String>,
}

/// [`zones`]' answer, per account.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ZoneListing {
    pub accounts: Vec<PerAccount<AccountZones>>,
}

/// The DNS zones of every account, listed at once.
pub async fn zones(fleet: &Fleet, on_each: OnEach<'_, AccountZones>) -> ZoneListing {
    let accounts = fan_out(
        fleet.accounts.iter().map(|a| (a, ())),
        |account, client, ()| async move {
            Ok(AccountZones {
                account_label: account.label.clone(),
                provider: account.provider,
                simulated: account.simulated,
                zones: dns::list_zones(client.as_ref()).await?,
            })
        },
        on_each,
    )
    .await;
    ZoneListing { accounts }
}

/// One record of a zone, with the machine it points at.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DnsRow {
    pub record: RecordView,
    /// The account of `record.machine`, when the record points at a machine.
    pub machine_account_id: Option<String>,
    pub machine_account_label: Option<String>,
    /// The machine was created by Hangar in this session.
    pub in_session: bool,
    /// Why changing or deleting the record may break the zone (apex NS, SOA).
    pub caution: Option<String>,
}

/// The records of one zone.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ZoneRecords {
    pub account_id: String,
    pub zone: String,
    pub session_id: Option<String>,
    pub rows: Vec<DnsRow>,
    /// Accounts whose machines could not be listed: their records show no machine.
    pub machine_errors: Vec<String>,
}

/// The records of `zone` on `account_id`, each labelled with the machine (of any account)
/// whose address it holds. The records and every account's machines are fetched at once.
pub async fn zone_records(fleet: &Fleet, account_id: &str, zone: &str) -> Result<ZoneRecords> {
    let (_, client) = fleet.client(account_id)?;
    let (records, listing) = tokio::join!(
        client.list_records(zone),
        machines::list(fleet, &ignore_each)
    );
    let records = records?;
    let mut owners: Vec<(&LiveAccount, MachineView)> = Vec::new();
    let mut machine_errors = Vec::new();
    for listed in listing.accounts {
        let Some(account) = fleet.accounts.iter().find(|a| a.id == listed.account_id) else {
            continue;
        };
        match listed.into_outcome() {
            Ok(views) => owners.extend(views.into_iter().map(|v| (account, v))),
            Err(e) => machine_errors.push(format!("{}: {}", account.label, e.message)),
        }
    }
    let all: Vec<Machine> = owners.iter().map(|(_, v)| v.machine.clone()).collect();
    let rows = dns::match_records(zone, records, &all)
        .into_iter()
        .map(|record| {
            let owner = record.machine.as_ref().and_then(|summary| {
                owners
                    .iter()
                    .find(|(_, v)| v.machine.id == summary.id && v.machine.name == summary.name)
            });
            DnsRow {
                machine_account_id: owner.map(|(a, _)| a.id.clone()),
                machine_account_label: owner.map(|(a, _)| a.label.clone()),
                in_session: owner.is_some_and(|(_, v)| v.in_session),
                caution: dns_advice::caution(&record),
                record,
            }
        })
        .collect();
    Ok(ZoneRecords {
        account_id: account_id.into(),
        zone: zone.into(),
        session_id: fleet.session.as_ref().map(|s| s.as_str().to_owned()),
        rows,
        machine_errors,
    })
}
