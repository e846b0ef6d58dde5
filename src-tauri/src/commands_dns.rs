//! Commands of the DNS screen: zones of every account, a zone's records labelled with the
//! machines (of any account) they point at, and record create / update / delete.
//!
//! Each command is a thin call into `hangar::usecases::dns`; records are validated there
//! (`validate_record`) before anything is sent to the provider.

use hangar::error::Error;
use hangar::provider::{DnsRecord, DnsRecordSpec, Machine, ProviderKind};
use hangar::session::CREATED_TAG;
use hangar::usecases::dns::{self, RecordView};
use serde::Serialize;
use tauri::State;

use crate::commands::list_all;
use crate::commands::stopped;
use crate::error::AppError;
use crate::state::{AppState, Fleet, LiveAccount};

/// The zones of one account, or why they could not be listed.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AccountZones {
    pub account_id: String,
    pub account_label: String,
    pub provider: ProviderKind,
    pub simulated: bool,
    pub zones: Vec<String>,
    /// Set when listing failed; `zones` is then empty.
    pub error: Option<String>,
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

/// The DNS zones of every account, listed concurrently. An account that fails reports its
/// error in its own entry; the others are still listed.
#[tauri::command]
#[specta::specta]
pub async fn dns_zones(state: State<'_, AppState>) -> Result<Vec<AccountZones>, AppError> {
    let fleet = state.fleet().await.ok_or_else(stopped)?;
    Ok(zones_of(&fleet.accounts).await)
}

/// The records of `zone` on `account_id`, each labelled with the machine (of any account) whose
/// address it holds. The records and every account's machines are fetched concurrently.
#[tauri::command]
#[specta::specta]
pub async fn dns_records(
    state: State<'_, AppState>,
    account_id: String,
    zone: String,
) -> Result<ZoneRecords, AppError> {
    let fleet = state.fleet().await.ok_or_else(stopped)?;
    records_of(&fleet, &account_id, &zone).await
}

/// Creates a record after the core's per-type validation.
#[tauri::command]
#[specta::specta]
pub async fn dns_create_record(
    state: State<'_, AppState>,
    account_id: String,
    zone: String,
    spec: DnsRecordSpec,
) -> Result<DnsRecord, AppError> {
    let fleet = state.fleet().await.ok_or_else(stopped)?;
    let client = fleet.client(&account_id)?;
    Ok(dns::create_record(client.as_ref(), &zone, &spec).await?)
}

/// Replaces record `id` after the core's per-type validation.
#[tauri::command]
#[specta::specta]
pub async fn dns_update_record(
    state: State<'_, AppState>,
    account_id: String,
    zone: String,
    id: String,
    spec: DnsRecordSpec,
) -> Result<DnsRecord, AppError> {
    let fleet = state.fleet().await.ok_or_else(stopped)?;
    let client = fleet.client(&account_id)?;
    Ok(dns::update_record(client.as_ref(), &zone, &id, &spec).await?)
}

/// Deletes record `id`. The UI asks for confirmation first.
#[tauri::command]
#[specta::specta]
pub async fn dns_delete_record(
    state: State<'_, AppState>,
    account_id: String,
    zone: String,
    id: String,
) -> Result<(), AppError> {
    let fleet = state.fleet().await.ok_or_else(stopped)?;
    let client = fleet.client(&account_id)?;
    Ok(dns::delete_record(client.as_ref(), &zone, &id).await?)
}

/// Lists the zones of every account at once.
pub async fn zones_of(accounts: &[LiveAccount]) -> Vec<AccountZones> {
    let tasks: Vec<_> = accounts
        .iter()
        .map(|a| {
            let client = a.client.clone();
            tokio::spawn(async move {
                let client = client?;
                dns::list_zones(client.as_ref())
                    .await
                    .map_err(|e| e.message)
            })
        })
        .collect();
    let mut out = Vec::with_capacity(tasks.len());
    for (a, task) in accounts.iter().zip(tasks) {
        let (zones, error) = match task.await {
            Ok(Ok(zones)) => (zones, None),
            Ok(Err(e)) => (Vec::new(), Some(e)),
            Err(e) => (
                Vec::new(),
                Some(format!("listing stopped unexpectedly: {e}")),
            ),
        };
        out.push(AccountZones {
            account_id: a.id.clone(),
            account_label: a.label.clone(),
            provider: a.provider,
            simulated: a.simulated,
            zones,
            error,
        });
    }
    out
}

/// The records of one zone, matched against the machines of every account.
pub async fn records_of(
    fleet: &Fleet,
    account_id: &str,
    zone: &str,
) -> Result<ZoneRecords, AppError> {
    let client = fleet.client(account_id)?;
    let (records, machines) = tokio::join!(
        client.list_records(zone),
        list_all(&fleet.accounts, fleet.session_id.as_deref())
    );
    let records = records.map_err(Error::from)?;
    // Compared as a tag string, as the machines table does (the demo session is not hex).
    let session_tag = fleet
        .session_id
        .as_deref()
        .map(|s| format!("machine:session:{s}"));
    let mut owners: Vec<(&LiveAccount, Machine)> = Vec::new();
    let mut machine_errors = Vec::new();
    for listed in machines {
        let Some(account) = fleet.accounts.iter().find(|a| a.id == listed.account_id) else {
            continue;
        };
        if let Some(e) = listed.error {
            machine_errors.push(format!("{}: {e}", account.label));
        }
        owners.extend(listed.machines.into_iter().map(|m| (account, m)));
    }
    let all: Vec<Machine> = owners.iter().map(|(_, m)| m.clone()).collect();
    let rows = dns::match_records(zone, records, &all)
        .into_iter()
        .map(|record| {
            let owner = record.machine.as_ref().and_then(|summary| {
                owners
                    .iter()
                    .find(|(_, m)| m.id == summary.id && m.name == summary.name)
            });
            let in_session = owner.is_some_and(|(_, m)| {
                m.tags.iter().any(|t| t == CREATED_TAG)
                    && session_tag.as_ref().is_some_and(|s| m.tags.contains(s))
            });
            DnsRow {
                machine_account_id: owner.map(|(a, _)| a.id.clone()),
                machine_account_label: owner.map(|(a, _)| a.label.clone()),
                in_session,
                record,
            }
        })
        .collect();
    Ok(ZoneRecords {
        account_id: account_id.into(),
        zone: zone.into(),
        session_id: fleet.session_id.clone(),
        rows,
        machine_errors,
    })
}

#[cfg(test)]
mod tests {
    use hangar::error::ErrorKind;
    use hangar::provider::DnsRecordType;

    use super::*;
    use crate::demo;

    async fn demo_fleet() -> Fleet {
        let cloud = demo::start_with(0).await.expect("demo cloud");
        Fleet {
            accounts: cloud.accounts.clone(),
            session_id: Some(demo::DEMO_SESSION.into()),
            startup_error: None,
            demo: Some(cloud),
        }
    }

    #[tokio::test]
    async fn zones_of_both_demo_accounts_are_listed() {
        let fleet = demo_fleet().await;
        let zones = zones_of(&fleet.accounts).await;
        let got: Vec<(&str, Vec<&str>)> = zones
            .iter()
            .map(|z| {
                assert!(z.error.is_none(), "{z:?}");
                (
                    z.account_id.as_str(),
                    z.zones.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("demo-digitalocean", vec!["example.com"]),
                ("demo-vultr", vec!["example.net"])
            ]
        );
    }

    #[tokio::test]
    async fn records_point_at_machines_of_any_account() {
        let fleet = demo_fleet().await;
        // An A record in the DigitalOcean zone pointing at a Vultr machine.
        let vultr = fleet.accounts[1].client.clone().expect("client");
        let edge = vultr
            .list_machines(&Default::default())
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.name == "edge-ewr")
            .expect("edge-ewr");
        let ip = edge.ipv4.clone().expect("an address");
        let do_client = fleet.accounts[0].client.clone().expect("client");
        dns::create_record(
            do_client.as_ref(),
            "example.com",
            &DnsRecordSpec::new(DnsRecordType::A, "edge", ip.as_str()),
        )
        .await
        .expect("create");
        let listed = records_of(&fleet, "demo-digitalocean", "example.com")
            .await
            .expect("records");
        assert!(listed.machine_errors.is_empty());
        let row = listed
            .rows
            .iter()
            .find(|r| r.record.name == "edge")
            .expect("the new record");
        assert_eq!(row.record.machine.as_ref().unwrap().name, "edge-ewr");
        assert_eq!(row.machine_account_id.as_deref(), Some("demo-vultr"));
        assert_eq!(row.machine_account_label.as_deref(), Some("Demo Vultr"));
        assert!(row.in_session, "edge-ewr is a demo-session machine");
        // The demo zone's own records: one per machine, and one of each other type.
        let by_name = |n: &str| listed.rows.iter().find(|r| r.record.name == n).unwrap();
        let web = by_name("web-1");
        assert_eq!(web.record.machine.as_ref().unwrap().name, "web-1");
        assert!(web.in_session);
        let ci = by_name("ci");
        assert_eq!(ci.record.machine.as_ref().unwrap().name, "ci-runner");
        assert!(!ci.in_session, "ci-runner belongs to another session");
        let mut types: Vec<&str> = listed
            .rows
            .iter()
            .map(|r| r.record.record_type.as_str())
            .collect();
        types.sort();
        types.dedup();
        assert_eq!(
            types,
            ["A", "CAA", "CNAME", "MX", "NS", "SOA", "SRV", "TXT"]
        );
        // Records that point at no machine are listed too, unlabelled.
        assert!(
            listed.rows.iter().any(|r| r.record.record_type == "NS"
                && r.record.machine.is_none()
                && !r.in_session)
        );
    }

    #[tokio::test]
    async fn invalid_records_and_unknown_accounts_are_refused_in_words() {
        let fleet = demo_fleet().await;
        let err = records_of(&fleet, "nope", "example.com")
            .await
            .expect_err("unknown account");
        assert_eq!(err.kind, ErrorKind::NotFound);
        let client = fleet.client("demo-vultr").unwrap();
        let err = dns::create_record(
            client.as_ref(),
            "example.net",
            &DnsRecordSpec::new(DnsRecordType::A, "www", "not-an-ip"),
        )
        .await
        .expect_err("invalid");
        let err = AppError::from(err);
        assert_eq!(err.kind, ErrorKind::Validation);
        assert!(
            err.message.contains("not an IPv4 address"),
            "{}",
            err.message
        );
    }
}
