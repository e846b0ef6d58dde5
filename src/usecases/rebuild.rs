//! Rebuilding a machine from an image, on one account: the disk is erased and the image
//! installed; the machine keeps its id, plan and region, and its IP where the provider keeps it
//! ([`RebuildRules::keeps_ip`]).
//!
//! The image is checked before anything changes: a catalog image must be in the provider's
//! catalog ([`Image::id`](crate::provider::Image::id)); a snapshot needs a provider that
//! rebuilds from snapshots ([`RebuildRules::from_snapshot`]), and must exist, be available and
//! be in the machine's region. The typed confirmation (the machine's name) is the caller's.

use serde::Serialize;

use super::get_machine;
use super::progress::{ProgressSink, RebuildProgress};
use crate::error::{Error, ErrorKind, Result};
use crate::provider::{CloudProvider, ImageRef, Machine, RebuildRules, rebuild_of};

/// A finished rebuild.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Rebuilt {
    pub machine: Machine,
    /// The image it had before.
    pub from: String,
    /// The public IPv4 address is the one it had before.
    pub kept_ip: bool,
}

/// The provider's rebuild rules, for a UI that says what a rebuild keeps.
pub fn rebuild_rules(provider: &dyn CloudProvider) -> Result<RebuildRules> {
    Ok(rebuild_of(provider)?.rebuild_rules())
}

/// Rebuilds machine `id` from `image`; see the module docs.
pub async fn rebuild(
    provider: &dyn CloudProvider,
    id: &str,
    image: &ImageRef,
    progress: ProgressSink<'_, RebuildProgress>,
) -> Result<Rebuilt> {
    let image = match image {
        ImageRef::Image(i) => ImageRef::Image(i.trim().to_owned()),
        ImageRef::Snapshot(s) => ImageRef::Snapshot(s.trim().to_owned()),
    };
    if image.id().is_empty() {
        return Err(Error::validation("give the image to rebuild from"));
    }
    let rebuilder = rebuild_of(provider)?;
    let rules = rebuilder.rebuild_rules();
    let name = provider.kind().display_name();
    let machine = get_machine(provider, id).await?;
    match &image {
        ImageRef::Image(wanted) => {
            let images = provider.images().await?;
            if !images.iter().any(|i| &i.id == wanted) {
                let some: Vec<&str> = images.iter().take(5).map(|i| i.id.as_str()).collect();
                return Err(Error::validation(format!(
                    "`{wanted}` is not an image {name} offers; pick one of its catalog (for \
                     example {})",
                    some.join(", ")
                )));
            }
        }
        ImageRef::Snapshot(wanted) => {
            if !rules.from_snapshot {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    format!(
                        "{name} does not rebuild a machine from a snapshot; create a new machine from it instead"
                    ),
                ));
            }
            if let Some(snapshots) = provider.snapshots() {
                let snapshot = snapshots.get_snapshot(wanted).await.map_err(|e| {
                    if e.is_not_found() {
                        Error::validation(format!("snapshot {wanted} does not exist"))
                    } else {
                        e.into()
                    }
                })?;
                if !snapshot.is_available() {
                    return Err(Error::validation(format!(
                        "snapshot {} ({wanted}) is not available yet",
                        snapshot.name
                    )));
                }
                if !snapshot.offered_in(&machine.region) {
                    return Err(Error::validation(format!(
                        "snapshot {} ({wanted}) is not in region {}, where {} is; it is in {}",
                        snapshot.name,
                        machine.region,
                        machine.name,
                        snapshot.regions.join(", ")
                    )));
                }
            }
        }
    }
    progress(RebuildProgress::Rebuilding {
        id: machine.id.clone(),
        image: image.to_string(),
    });
    rebuilder.rebuild_machine(&machine.id, &image).await?;
    let after = get_machine(provider, &machine.id).await?;
    progress(RebuildProgress::Done);
    Ok(Rebuilt {
        kept_ip: machine.ipv4.is_some() && after.ipv4 == machine.ipv4,
        from: machine.image.clone(),
        machine: after,
    })
}
