//! Resize and rebuild of one machine of one account of the fleet: the account's client, the
//! use case ([`crate::usecases::resize`], [`crate::usecases::rebuild`]) and the machine as the
//! fleet shows it.

use serde::Serialize;

use super::Fleet;
use super::machines::MachineView;
use crate::error::Result;
use crate::provider::{ImageRef, RebuildRules};
use crate::usecases::rebuild::{self, Rebuilt};
use crate::usecases::resize::{self, ResizeChoices, ResizeOpts, Resized};
use crate::usecases::{ProgressSink, RebuildProgress, ResizeProgress};

/// The plans machine `machine_id` of account `account_id` can move to.
pub async fn resize_options(
    fleet: &Fleet,
    account_id: &str,
    machine_id: &str,
) -> Result<ResizeChoices> {
    let (_, client) = fleet.client(account_id)?;
    resize::resize_options(client.as_ref(), machine_id).await
}

/// A resized machine, as the fleet shows it.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ResizedView {
    pub machine: MachineView,
    pub from: String,
    pub power_cycled: bool,
}

/// Resizes one machine; see [`resize::resize`].
pub async fn resize(
    fleet: &Fleet,
    account_id: &str,
    machine_id: &str,
    size: &str,
    opts: ResizeOpts,
    progress: ProgressSink<'_, ResizeProgress>,
) -> Result<ResizedView> {
    let (_, client) = fleet.client(account_id)?;
    let Resized {
        machine,
        from,
        power_cycled,
    } = resize::resize(client.as_ref(), machine_id, size, opts, progress).await?;
    Ok(ResizedView {
        machine: MachineView::new(machine, &fleet.session_or_none()),
        from,
        power_cycled,
    })
}

/// What a rebuild keeps on the account's provider.
pub fn rebuild_rules(fleet: &Fleet, account_id: &str) -> Result<RebuildRules> {
    let (_, client) = fleet.client(account_id)?;
    rebuild::rebuild_rules(client.as_ref())
}

/// A rebuilt machine, as the fleet shows it.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RebuiltView {
    pub machine: MachineView,
    pub from: String,
    pub kept_ip: bool,
}

/// Rebuilds one machine from `image`; see [`rebuild::rebuild`].
pub async fn rebuild(
    fleet: &Fleet,
    account_id: &str,
    machine_id: &str,
    image: &ImageRef,
    progress: ProgressSink<'_, RebuildProgress>,
) -> Result<RebuiltView> {
    let (_, client) = fleet.client(account_id)?;
    let Rebuilt {
        machine,
        from,
        kept_ip,
    } = rebuild::rebuild(client.as_ref(), machine_id, image, progress).await?;
    Ok(RebuiltView {
        machine: MachineView::new(machine, &fleet.session_or_none()),
        from,
        kept_ip,
    })
}
