//! The DNS screen: zones of every account, a zone's records labelled with the machines they
//! point at, and record create / update / delete (validated by the core before any call).

use hangar::fleet::dns::{self, ZoneListing, ZoneRecords};
use hangar::provider::{DnsRecord, DnsRecordSpec};
use hangar::usecases::dns::{self as records, RecordProblem};
use hangar::usecases::dns_advice;

use super::Fleet;
use crate::error::AppResult;

/// The DNS zones of every account, listed at once.
#[tauri::command]
#[specta::specta]
pub async fn dns_zones(state: Fleet<'_>) -> AppResult<ZoneListing> {
    Ok(dns::zones(&*state.fleet().await?, &hangar::fleet::ignore_each).await)
}

/// The records of `zone` on `account_id`, each labelled with the machine (of any account)
/// whose address it holds.
#[tauri::command]
#[specta::specta]
pub async fn dns_records(
    state: Fleet<'_>,
    account_id: String,
    zone: String,
) -> AppResult<ZoneRecords> {
    let fleet = state.fleet().await?;
    Ok(dns::zone_records(&fleet, &account_id, &zone).await?)
}

/// What is wrong with a record, field by field (empty: nothing). The form shows it as the
/// person types; the create and update commands apply the same check.
#[tauri::command]
#[specta::specta]
pub fn check_dns_record(spec: DnsRecordSpec) -> Vec<RecordProblem> {
    records::record_problems(&spec)
}

/// Hints about a valid record about to be saved in `zone` beside its `others` records (a
/// second SPF record, an apex NS record). The form shows them as the person types.
#[tauri::command]
#[specta::specta]
pub fn dns_record_hints(
    zone: String,
    spec: DnsRecordSpec,
    others: Vec<DnsRecordSpec>,
) -> Vec<String> {
    dns_advice::record_hints(&zone, &spec, &others)
}

/// Creates a record after the core's per-type validation.
#[tauri::command]
#[specta::specta]
pub async fn dns_create_record(
    state: Fleet<'_>,
    account_id: String,
    zone: String,
    spec: DnsRecordSpec,
) -> AppResult<DnsRecord> {
    let (_, client) = state.fleet().await?.client(&account_id)?;
    Ok(records::create_record(client.as_ref(), &zone, &spec).await?)
}

/// Replaces record `id` after the core's per-type validation.
#[tauri::command]
#[specta::specta]
pub async fn dns_update_record(
    state: Fleet<'_>,
    account_id: String,
    zone: String,
    id: String,
    spec: DnsRecordSpec,
) -> AppResult<DnsRecord> {
    let (_, client) = state.fleet().await?.client(&account_id)?;
    Ok(records::update_record(client.as_ref(), &zone, &id, &spec).await?)
}

/// Deletes record `id`. The UI asks for confirmation first.
#[tauri::command]
#[specta::specta]
pub async fn dns_delete_record(
    state: Fleet<'_>,
    account_id: String,
    zone: String,
    id: String,
) -> AppResult<()> {
    let (_, client) = state.fleet().await?.client(&account_id)?;
    Ok(records::delete_record(client.as_ref(), &zone, &id).await?)
}
