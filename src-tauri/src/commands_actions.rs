//! Commands of the Machines screen's actions: power, destroy (with its preview), the SSH
//! command, refreshing only the machines in transition, and the cloud-init status column.
//!
//! Each is a thin call into the core use cases. Work on several accounts runs concurrently and
//! one account's failure stays in its own entry.
//!
//! DNS zones searched for a machine's records: the account's configured zone when it has one,
//! else every zone the account hosts (the demo accounts have no settings). The destroy
//! confirmation shows exactly the records found, and destroy deletes only those (name AND
//! address match, the core's rule).

use std::collections::BTreeMap;
use std::sync::Arc;

use futures_util::future::join_all;
use hangar::error::ErrorKind;
use hangar::machine_types::MachineType;
use hangar::provider::{CloudProvider, Machine, PowerAction};
use hangar::session::SessionId;
use hangar::settings::Settings;
use hangar::usecases::Progress;
use hangar::usecases::destroy::{
    self, DestroyOptions, DestroyPreview, DestroyedMachine, address_records,
};
use hangar::usecases::list::ListFilter;
use hangar::usecases::ssh::{self, SshTarget};
use hangar::usecases::status::{self, MachineStatusReport, StatusOptions};
use serde::{Deserialize, Serialize};
use tauri::State;
use tauri::ipc::Channel;

use crate::commands::{load_settings, stopped};
use crate::error::AppError;
use crate::state::{AppState, Fleet};

/// Some machines of one account.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MachineRefs {
    pub account_id: String,
    pub ids: Vec<String>,
}

/// The machines asked for, as they are now.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RefreshedMachines {
    pub account_id: String,
    pub machines: Vec<Machine>,
    /// Ids that no longer exist.
    pub gone: Vec<String>,
    /// Why some machines of this account could not be read.
    pub error: Option<String>,
}

/// Gets just the machines asked for (all concurrently), e.g. those in transition.
#[tauri::command]
#[specta::specta]
pub async fn refresh_machines(
    state: State<'_, AppState>,
    targets: Vec<MachineRefs>,
) -> Result<Vec<RefreshedMachines>, AppError> {
    let fleet = state.fleet().await.ok_or_else(stopped)?;
    Ok(refresh(&fleet, targets).await)
}

/// [`refresh_machines`] on `fleet`: one GET per machine, all at once.
async fn refresh(fleet: &Fleet, targets: Vec<MachineRefs>) -> Vec<RefreshedMachines> {
    let tasks = targets.into_iter().map(|t| {
        let client = fleet.client(&t.account_id);
        async move {
            let mut out = RefreshedMachines {
                account_id: t.account_id,
                machines: Vec::new(),
                gone: Vec::new(),
                error: None,
            };
            let client = match client {
                Ok(c) => c,
                Err(e) => {
                    out.error = Some(e.message);
                    return out;
                }
            };
            let got = join_all(t.ids.iter().map(|id| client.get_machine(id))).await;
            for (id, m) in t.ids.into_iter().zip(got) {
                match m {
                    Ok(m) => out.machines.push(m),
                    Err(e) if e.is_not_found() => out.gone.push(id),
                    Err(e) => out.error = Some(hangar::Error::from(e).message),
                }
            }
            out
        }
    });
    join_all(tasks).await
}

/// The cloud-init check of one account's machines.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AccountChecks {
    pub account_id: String,
    pub reports: Vec<MachineStatusReport>,
    pub error: Option<String>,
}

/// The status use case on every account at once: each machine's cloud-init check
/// (`UNKNOWN` when the machine cannot be asked).
#[tauri::command]
#[specta::specta]
pub async fn machine_checks(state: State<'_, AppState>) -> Result<Vec<AccountChecks>, AppError> {
    let fleet = state.fleet().await.ok_or_else(stopped)?;
    let session = session_of(&fleet);
    let tasks = fleet.accounts.iter().map(|a| {
        let session = session.clone();
        async move {
            let result = match &a.client {
                Ok(client) => status::machine_status(client.as_ref(), &session, &status_options())
                    .await
                    .map_err(|e| e.message),
                Err(e) => Err(e.clone()),
            };
            let (reports, error) = match result {
                Ok(r) => (r, None),
                Err(e) => (Vec::new(), Some(e)),
            };
            AccountChecks {
                account_id: a.id.clone(),
                reports,
                error,
            }
        }
    });
    Ok(join_all(tasks).await)
}

/// How the status check is asked: every machine of the account, on the default port and check.
fn status_options() -> StatusOptions {
    StatusOptions {
        filter: ListFilter {
            all: true,
            ..ListFilter::default()
        },
        ..StatusOptions::default()
    }
}

/// Power on, power off or reboot one machine; returns it as it is afterwards.
#[tauri::command]
#[specta::specta]
pub async fn power_machine(
    state: State<'_, AppState>,
    account_id: String,
    machine_id: String,
    action: PowerAction,
) -> Result<Machine, AppError> {
    let fleet = state.fleet().await.ok_or_else(stopped)?;
    let client = fleet.client(&account_id)?;
    client
        .power(&machine_id, action)
        .await
        .map_err(hangar::Error::from)?;
    Ok(client
        .get_machine(&machine_id)
        .await
        .map_err(hangar::Error::from)?)
}

/// The `ssh user@host` to reach one machine: the user of its machine type (or `root`, saying
/// why), the FQDN of an A record pointing at it or its IP.
#[tauri::command]
#[specta::specta]
pub async fn ssh_target(
    state: State<'_, AppState>,
    account_id: String,
    machine_id: String,
) -> Result<SshTarget, AppError> {
    let fleet = state.fleet().await.ok_or_else(stopped)?;
    let client = fleet.client(&account_id)?;
    let settings = load_settings().await;
    let (machine, zones) = tokio::join!(
        client.get_machine(&machine_id),
        zones_of(client.as_ref(), &settings, &account_id)
    );
    let machine = machine.map_err(hangar::Error::from)?;
    // A zone that cannot be listed only means the IP is used instead of a name.
    let (records, _) = address_records(client.as_ref(), &machine, &zones.unwrap_or_default()).await;
    let types = settings
        .map(|s| s.machine_types)
        .unwrap_or_else(|_| BTreeMap::<String, MachineType>::new());
    ssh::ssh_target(&machine, &types, &records).ok_or_else(|| {
        AppError::new(
            ErrorKind::Validation,
            format!(
                "{} has no public IP address yet, so there is nothing to connect to.",
                machine.name
            ),
        )
    })
}

/// What destroying some machines of one account would do.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AccountDestroyPreview {
    pub account_id: String,
    pub machines: Vec<DestroyPreview>,
    pub error: Option<AppError>,
}

/// Per machine: the DNS records that would go with it, and why it would be refused (not
/// created by Hangar, or of another session) unless `all` is set. Deletes nothing.
#[tauri::command]
#[specta::specta]
pub async fn preview_destroy(
    state: State<'_, AppState>,
    targets: Vec<MachineRefs>,
    all: bool,
) -> Result<Vec<AccountDestroyPreview>, AppError> {
    let fleet = state.fleet().await.ok_or_else(stopped)?;
    let session = session_of(&fleet);
    let settings = Arc::new(load_settings().await);
    let tasks = targets.into_iter().map(|t| {
        let client = fleet.client(&t.account_id);
        let session = session.clone();
        let settings = settings.clone();
        async move {
            let result = async {
                let client = client?;
                let zones = zones_of(client.as_ref(), &settings, &t.account_id).await?;
                Ok::<_, AppError>(
                    destroy::preview_destroy(client.as_ref(), &session, &t.ids, all, &zones)
                        .await?,
                )
            }
            .await;
            let (machines, error) = match result {
                Ok(m) => (m, None),
                Err(e) => (Vec::new(), Some(e)),
            };
            AccountDestroyPreview {
                account_id: t.account_id,
                machines,
                error,
            }
        }
    });
    Ok(join_all(tasks).await)
}

/// One step of a destroy, with the account it happened in.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DestroyEvent {
    pub account_id: String,
    pub step: DestroyStep,
}

/// The destroy steps of the core's [`Progress`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(
    tag = "event",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum DestroyStep {
    /// The machine is being destroyed.
    Destroying { id: String, name: String },
    /// The provider confirmed the machine is gone.
    Destroyed { id: String },
    /// A DNS record of the machine was deleted.
    DnsRecordDeleted { fqdn: String, record_id: String },
    /// A step failed; the result lists it too.
    Warning { message: String },
    /// This account is done.
    Done,
}

impl DestroyStep {
    /// The destroy step `p` is, if it is one.
    pub fn from_progress(p: Progress) -> Option<Self> {
        Some(match p {
            Progress::Destroying { id, name } => Self::Destroying { id, name },
            Progress::Destroyed { id } => Self::Destroyed { id },
            Progress::DnsRecordDeleted { fqdn, record_id } => {
                Self::DnsRecordDeleted { fqdn, record_id }
            }
            Progress::Warning { message } => Self::Warning { message },
            Progress::Done => Self::Done,
            _ => return None,
        })
    }
}

/// What happened to the machines of one account.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AccountDestroyed {
    pub account_id: String,
    /// Per machine: destroyed or not, records deleted, problems.
    pub machines: Vec<DestroyedMachine>,
    /// Set when nothing was deleted in this account (refused, unknown id, provider down).
    pub error: Option<AppError>,
}

/// Destroys machines and their DNS records (the core's destroy use case: foreign machines are
/// refused unless `all`; the provider confirms each machine is gone). Accounts run
/// concurrently; every step is streamed to `on_progress`.
#[tauri::command]
#[specta::specta]
pub async fn destroy_machines(
    state: State<'_, AppState>,
    targets: Vec<MachineRefs>,
    all: bool,
    on_progress: Channel<DestroyEvent>,
) -> Result<Vec<AccountDestroyed>, AppError> {
    let fleet = state.fleet().await.ok_or_else(stopped)?;
    let session = session_of(&fleet);
    let settings = Arc::new(load_settings().await);
    let tasks = targets.into_iter().map(|t| {
        let client = fleet.client(&t.account_id);
        let session = session.clone();
        let settings = settings.clone();
        let channel = on_progress.clone();
        async move {
            let account_id = t.account_id.clone();
            let sink = move |progress: Progress| {
                if let Some(step) = DestroyStep::from_progress(progress) {
                    // A closed window only stops the updates, not the destroy.
                    let _ = channel.send(DestroyEvent {
                        account_id: account_id.clone(),
                        step,
                    });
                }
            };
            let result = async {
                let client = client?;
                let zones = zones_of(client.as_ref(), &settings, &t.account_id).await?;
                let opts = DestroyOptions {
                    ids: t.ids,
                    all,
                    delete_dns: true,
                    dns_zones: zones,
                };
                Ok::<_, AppError>(
                    destroy::destroy_machines(client.as_ref(), &session, &opts, &sink).await?,
                )
            }
            .await;
            let (machines, error) = match result {
                Ok(m) => (m, None),
                Err(e) => (Vec::new(), Some(e)),
            };
            AccountDestroyed {
                account_id: t.account_id,
                machines,
                error,
            }
        }
    });
    Ok(join_all(tasks).await)
}

/// This installation's session; without one (it cannot happen once started), a fresh id that
/// no machine carries, so nothing counts as this session's.
fn session_of(fleet: &Fleet) -> SessionId {
    fleet.session().unwrap_or_else(SessionId::generate)
}

/// The zones to search for a machine's records: the account's configured zone, else every
/// zone it hosts.
async fn zones_of(
    client: &dyn CloudProvider,
    settings: &Result<Settings, AppError>,
    account_id: &str,
) -> Result<Vec<String>, AppError> {
    let configured = settings.as_ref().ok().and_then(|s| {
        s.accounts
            .iter()
            .find(|a| a.id.as_str() == account_id)
            .and_then(|a| a.defaults.dns_zone.clone())
    });
    if let Some(zone) = configured {
        return Ok(vec![zone]);
    }
    Ok(client
        .list_zones()
        .await
        .map_err(hangar::Error::from)?
        .into_iter()
        .map(|z| z.name)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hangar::usecases::no_progress;

    #[tokio::test]
    async fn refresh_reads_only_the_given_machines_and_reports_the_gone_ones() {
        let demo = crate::demo::start_with(0).await.expect("demo cloud");
        let fleet = Fleet {
            accounts: demo.accounts.clone(),
            session_id: Some(crate::demo::DEMO_SESSION.into()),
            startup_error: None,
            demo: None,
        };
        let client = fleet.client("demo-digitalocean").unwrap();
        let all = client
            .list_machines(&hangar::provider::MachineFilter::all())
            .await
            .unwrap();
        let worker = all.iter().find(|m| m.name == "worker-3").unwrap();
        let out = refresh(
            &fleet,
            vec![
                MachineRefs {
                    account_id: "demo-digitalocean".into(),
                    ids: vec![worker.id.clone(), "999999".into()],
                },
                MachineRefs {
                    account_id: "no-such-account".into(),
                    ids: vec!["1".into()],
                },
            ],
        )
        .await;
        assert_eq!(out.len(), 2);
        let names: Vec<&str> = out[0].machines.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["worker-3"]);
        assert_eq!(out[0].gone, ["999999"]);
        assert_eq!(out[0].error, None);
        assert!(out[1].machines.is_empty());
        assert!(
            out[1]
                .error
                .as_deref()
                .unwrap_or("")
                .contains("no-such-account"),
            "{:?}",
            out[1].error
        );
    }

    #[test]
    fn only_destroy_steps_reach_the_window() {
        let step = DestroyStep::from_progress(Progress::DnsRecordDeleted {
            fqdn: "web-1.example.com".into(),
            record_id: "7".into(),
        });
        assert_eq!(
            step,
            Some(DestroyStep::DnsRecordDeleted {
                fqdn: "web-1.example.com".into(),
                record_id: "7".into()
            })
        );
        assert_eq!(DestroyStep::from_progress(Progress::Checking), None);
        let json = serde_json::to_value(DestroyStep::Destroyed { id: "1".into() }).unwrap();
        assert_eq!(json, serde_json::json!({ "event": "destroyed", "id": "1" }));
    }

    /// The demo cloud's machines of this session can be destroyed with the app's session (no
    /// `all`), with the records previewed; foreign ones are refused in words.
    #[tokio::test]
    async fn demo_session_machines_preview_and_destroy_with_their_record() {
        let demo = crate::demo::start_with(0).await.expect("demo cloud");
        let fleet = Fleet {
            accounts: demo.accounts.clone(),
            session_id: Some(crate::demo::DEMO_SESSION.into()),
            startup_error: None,
            demo: None,
        };
        let session = session_of(&fleet);
        let client = fleet.client("demo-digitalocean").unwrap();
        let machines = client
            .list_machines(&hangar::provider::MachineFilter::all())
            .await
            .unwrap();
        let web = machines.iter().find(|m| m.name == "web-1").unwrap();
        let legacy = machines.iter().find(|m| m.name == "legacy-db").unwrap();
        let no_settings = Err(AppError::new(ErrorKind::NotFound, "none"));
        let zones = zones_of(client.as_ref(), &no_settings, "demo-digitalocean")
            .await
            .unwrap();
        assert!(zones.contains(&"example.com".to_string()), "{zones:?}");
        let preview = destroy::preview_destroy(
            client.as_ref(),
            &session,
            &[web.id.clone(), legacy.id.clone()],
            false,
            &zones,
        )
        .await
        .unwrap();
        assert_eq!(preview[0].refusal, None, "{preview:?}");
        let fqdns: Vec<&str> = preview[0].records.iter().map(|r| r.fqdn.as_str()).collect();
        assert_eq!(
            fqdns,
            ["web-1.example.com"],
            "the demo seeds web-1's record"
        );
        assert!(preview[1].refusal.is_some());
        let done = destroy::destroy_machines(
            client.as_ref(),
            &session,
            &DestroyOptions {
                ids: vec![web.id.clone()],
                all: false,
                delete_dns: true,
                dns_zones: zones.clone(),
            },
            &no_progress,
        )
        .await
        .unwrap();
        assert!(done[0].destroyed && done[0].problems.is_empty(), "{done:?}");
        assert_eq!(done[0].dns_records_deleted.len(), 1);
        let records = client.list_records("example.com").await.unwrap();
        assert!(
            records.iter().all(|r| r.spec.name != "web-1"),
            "{records:?}"
        );
    }
}
