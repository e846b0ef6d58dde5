//! Machines across accounts: the list (streamed per account), refreshing the machines in
//! transition, the cloud-init checks, power actions and the SSH target.

use futures_util::future::join_all;
use serde::{Deserialize, Serialize};

use super::{Fleet, OnEach, PerAccount, dns, fan_out};
use crate::error::{Error, Result};
use crate::provider::{Machine, PowerAction};
use crate::session::{SessionId, TagSummary};
use crate::usecases::destroy::address_records;
use crate::usecases::list::{self, ListFilter};
use crate::usecases::ssh::{self, SshTarget};
use crate::usecases::status::{self, MachineStatusReport, StatusOptions};

/// A machine with what Hangar reads from its tags, so no front end parses tags itself.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MachineView {
    pub machine: Machine,
    /// Created by Hangar or `machine` (`machine:created`).
    pub created_by_hangar: bool,
    /// From `machine:type:<t>`.
    pub machine_type: Option<String>,
    /// From `machine:session:<id>`.
    pub session: Option<String>,
    /// Created by Hangar in this installation's session.
    pub in_session: bool,
    /// The tags that are not Hangar's own.
    pub user_tags: Vec<String>,
    /// Protected against deletion (`machine:protected`): every destroy refuses it.
    pub protected: bool,
}

impl MachineView {
    /// `machine` as seen from `session`.
    pub fn new(machine: Machine, session: &SessionId) -> Self {
        let tags = TagSummary::from_tags(machine.tags.iter().map(String::as_str));
        Self {
            created_by_hangar: tags.created_by_machine,
            in_session: tags.is_in_session(session),
            protected: tags.protected,
            machine_type: tags.type_name,
            session: tags.session.map(|s| s.as_str().to_owned()),
            user_tags: machine
                .tags
                .iter()
                .filter(|t| !crate::session::is_reserved_tag(t))
                .cloned()
                .collect(),
            machine,
        }
    }
}

/// Machines across accounts.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MachineListing {
    /// The session whose machines count as "this session".
    pub session_id: Option<String>,
    /// One entry per account, in the fleet's order.
    pub accounts: Vec<PerAccount<Vec<MachineView>>>,
}

/// Every machine of every account (not only this session's: views say which are), each
/// account listed at once; `on_each` sees each account as it answers.
pub async fn list(fleet: &Fleet, on_each: OnEach<'_, Vec<MachineView>>) -> MachineListing {
    let session = fleet.session_or_none();
    let accounts = fan_out(
        fleet.accounts.iter().map(|a| (a, ())),
        |_, client, ()| {
            let session = session.clone();
            async move {
                let all = ListFilter {
                    all: true,
                    ..ListFilter::default()
                };
                let machines = list::list_machines(client.as_ref(), &session, &all).await?;
                Ok(machines
                    .into_iter()
                    .map(|m| MachineView::new(m, &session))
                    .collect())
            }
        },
        on_each,
    )
    .await;
    MachineListing {
        session_id: fleet.session.as_ref().map(|s| s.as_str().to_owned()),
        accounts,
    }
}

/// [`list`], with each account's answer passed on as a listing of that one account (what the
/// app streams to its window as each account answers).
pub async fn list_streamed(
    fleet: &Fleet,
    on_account: &(dyn Fn(MachineListing) + Send + Sync),
) -> MachineListing {
    let session_id = fleet.session.as_ref().map(|s| s.as_str().to_owned());
    let each = |answer: &PerAccount<Vec<MachineView>>| {
        on_account(MachineListing {
            session_id: session_id.clone(),
            accounts: vec![answer.clone()],
        })
    };
    list(fleet, &each).await
}

/// Some machines of one account.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MachineRefs {
    pub account_id: String,
    pub ids: Vec<String>,
}

impl MachineRefs {
    /// As the `(account id, ids)` targets of [`Fleet::for_targets`].
    pub fn targets(refs: Vec<MachineRefs>) -> Vec<(String, Vec<String>)> {
        refs.into_iter().map(|r| (r.account_id, r.ids)).collect()
    }
}

/// The machines asked for, as they are now.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Refreshed {
    pub machines: Vec<MachineView>,
    /// Ids that no longer exist.
    pub gone: Vec<String>,
    /// Why some machines could not be read.
    pub problems: Vec<Error>,
}

/// [`refresh`]'s answer, per account.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Refreshes {
    pub accounts: Vec<PerAccount<Refreshed>>,
}

/// Gets just the machines asked for (one GET each, all at once), e.g. those in transition.
pub async fn refresh(fleet: &Fleet, targets: Vec<MachineRefs>) -> Refreshes {
    let session = fleet.session_or_none();
    let session = &session;
    let accounts = fleet
        .for_targets(
            MachineRefs::targets(targets),
            |_, client, ids| async move {
                let got = join_all(ids.iter().map(|id| client.get_machine(id))).await;
                let mut out = Refreshed {
                    machines: Vec::new(),
                    gone: Vec::new(),
                    problems: Vec::new(),
                };
                for (id, m) in ids.into_iter().zip(got) {
                    match m {
                        Ok(m) => out.machines.push(MachineView::new(m, session)),
                        Err(e) if e.is_not_found() => out.gone.push(id),
                        Err(e) => out.problems.push(e.into()),
                    }
                }
                Ok(out)
            },
            &super::ignore_each,
        )
        .await;
    Refreshes { accounts }
}

/// [`checks`]' answer, per account.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MachineChecks {
    pub accounts: Vec<PerAccount<Vec<MachineStatusReport>>>,
}

/// The cloud-init check of every machine of every account (`UNKNOWN` where the machine
/// cannot be asked), the accounts at once.
pub async fn checks(fleet: &Fleet, on_each: OnEach<'_, Vec<MachineStatusReport>>) -> MachineChecks {
    let session = fleet.session_or_none();
    let session = &session;
    let opts = StatusOptions {
        filter: ListFilter {
            all: true,
            ..ListFilter::default()
        },
        ..StatusOptions::default()
    };
    let opts = &opts;
    let accounts = fan_out(
        fleet.accounts.iter().map(|a| (a, ())),
        |_, client, ()| async move { status::machine_status(client.as_ref(), session, opts).await },
        on_each,
    )
    .await;
    MachineChecks { accounts }
}

/// Power on, power off or reboot one machine; returns it as it is afterwards.
pub async fn power(
    fleet: &Fleet,
    account_id: &str,
    machine_id: &str,
    action: PowerAction,
) -> Result<MachineView> {
    let (_, client) = fleet.client(account_id)?;
    client.power(machine_id, action).await?;
    let machine = client.get_machine(machine_id).await?;
    Ok(MachineView::new(machine, &fleet.session_or_none()))
}

/// The `ssh user@host` to reach one machine: the user of its machine type (or `root`, saying
/// why), the FQDN of an A record pointing at it, or its IP.
pub async fn ssh_target(fleet: &Fleet, account_id: &str, machine_id: &str) -> Result<SshTarget> {
    let (account, client) = fleet.client(account_id)?;
    let (machine, zones) = tokio::join!(
        client.get_machine(machine_id),
        dns::zones_to_search(account, client.as_ref())
    );
    let machine = machine?;
    // A zone that cannot be listed only means the IP is used instead of a name.
    let (records, _) = address_records(client.as_ref(), &machine, &zones.unwrap_or_default()).await;
    let types = fleet.machine_types().unwrap_or_default();
    ssh::ssh_target(&machine, &types, &records).ok_or_else(|| {
        Error::validation(format!(
            "{} has no public IP address yet, so there is nothing to connect to.",
            machine.name
        ))
    })
}
