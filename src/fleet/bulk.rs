//! One action on several machines at once, across accounts: power on, power off, reboot,
//! tags, protection and snapshots (bulk destroy is [`super::destroy`], which has its own
//! preview).
//!
//! The action's input is checked once, before the first request. Then the accounts run at
//! once (through [`Fleet::for_targets`]), and inside an account a few machines at a time, so
//! a large selection does not run into the provider's rate limit. Every machine gets its own
//! outcome: the machine as it is afterwards, or why the action failed on it.

use futures_util::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};

use super::Fleet;
use super::machines::{MachineRefs, MachineView};
use crate::error::{Error, Result};
use crate::provider::{CloudProvider, PowerAction};
use crate::session::SessionId;
use crate::usecases::no_progress;
use crate::usecases::{manage, snapshots};

/// How many machines of one account are worked on at the same time.
const PER_ACCOUNT: usize = 4;

/// What to do to every selected machine.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum BulkAction {
    /// Power on, power off or reboot.
    Power { action: PowerAction },
    /// Add and remove the user's own tags.
    Tags {
        add: Vec<String>,
        remove: Vec<String>,
    },
    /// Turn protection against deletion on or off.
    Protect { on: bool },
    /// Start a snapshot of each machine, called `<name>-<machine name>` (not waited for: the
    /// snapshots appear in each machine's detail view as they become available).
    Snapshot { name: String },
}

/// What happened to one machine.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BulkOutcome {
    pub account_id: String,
    pub machine_id: String,
    /// The machine after the action, when it worked.
    pub machine: Option<MachineView>,
    /// Why the action failed on this machine.
    pub error: Option<Error>,
}

/// Every machine's outcome, in the order they were asked for (account by account).
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BulkResults {
    pub outcomes: Vec<BulkOutcome>,
}

impl BulkResults {
    /// How many machines the action failed on.
    pub fn failed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.error.is_some()).count()
    }
}

/// Runs `action` on every machine of `targets`. An invalid action (a reserved or malformed
/// tag, nothing to change) is refused before any request.
pub async fn run(
    fleet: &Fleet,
    targets: Vec<MachineRefs>,
    action: &BulkAction,
) -> Result<BulkResults> {
    let action = checked(action)?;
    if targets.iter().all(|t| t.ids.is_empty()) {
        return Err(Error::validation("select at least one machine"));
    }
    let session = fleet.session_or_none();
    let session = &session;
    let action = &action;
    let asked: Vec<(String, Vec<String>)> = MachineRefs::targets(targets);
    let answers = fleet
        .for_targets(
            asked.clone(),
            |_, client, ids: Vec<String>| async move {
                let done: Vec<Result<MachineView>> = stream::iter(ids)
                    .map(|id| {
                        let client = client.clone();
                        async move { apply(client.as_ref(), &id, action, session).await }
                    })
                    .buffered(PER_ACCOUNT)
                    .collect()
                    .await;
                Ok(done)
            },
            &super::ignore_each,
        )
        .await;
    let mut outcomes = Vec::new();
    for ((account_id, ids), answer) in asked.into_iter().zip(answers) {
        match answer.into_outcome() {
            Ok(done) => {
                for (machine_id, result) in ids.into_iter().zip(done) {
                    let (machine, error) = match result {
                        Ok(m) => (Some(m), None),
                        Err(e) => (None, Some(e)),
                    };
                    outcomes.push(BulkOutcome {
                        account_id: account_id.clone(),
                        machine_id,
                        machine,
                        error,
                    });
                }
            }
            // The account itself is missing or has no client: every machine of it says why.
            Err(e) => outcomes.extend(ids.into_iter().map(|machine_id| BulkOutcome {
                account_id: account_id.clone(),
                machine_id,
                machine: None,
                error: Some(e.clone()),
            })),
        }
    }
    Ok(BulkResults { outcomes })
}

/// The action with its tags cleaned, or why it cannot run.
fn checked(action: &BulkAction) -> Result<BulkAction> {
    Ok(match action {
        BulkAction::Tags { add, remove } => {
            let (add, remove) = manage::tag_change(add, remove)?;
            BulkAction::Tags { add, remove }
        }
        BulkAction::Snapshot { name } => {
            let name = name.trim().to_owned();
            snapshots::validate_snapshot_name(&name).map_err(Error::validation)?;
            BulkAction::Snapshot { name }
        }
        other => other.clone(),
    })
}

async fn apply(
    client: &dyn CloudProvider,
    id: &str,
    action: &BulkAction,
    session: &SessionId,
) -> Result<MachineView> {
    let machine = match action {
        BulkAction::Power { action } => {
            client.power(id, *action).await?;
            client.get_machine(id).await?
        }
        BulkAction::Tags { add, remove } => manage::change_tags(client, id, add, remove).await?,
        BulkAction::Protect { on } => manage::set_protection(client, id, *on).await?,
        // Starting a snapshot leaves the machine as it was: no need to read it again.
        BulkAction::Snapshot { name } => {
            let machine = crate::usecases::get_machine(client, id).await?;
            let name = format!("{name}-{}", machine.name);
            snapshots::create_snapshot(client, id, &name, false, &no_progress).await?;
            machine
        }
    };
    Ok(MachineView::new(machine, session))
}
