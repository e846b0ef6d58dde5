//! The Droplet actions `resize` and `rebuild`, as the real API applies them: a resize needs
//! the Droplet off and never shrinks its disk; `disk: false` keeps the disk at its size, which
//! keeps the way back to a smaller plan open; a rebuild installs another image and keeps the
//! Droplet's addresses.

use std::time::Instant;

use serde_json::Value;

use super::DoError;
use super::world::{DoWorld, Droplet};

/// The Droplet's disk in GB as it is now.
pub fn current_disk(world: &DoWorld, d: &Droplet) -> u32 {
    d.disk_kept
        .unwrap_or_else(|| world.size(&d.size).map_or(0, |s| s.disk))
}

/// Applies `resize` to Droplet `id`: `size` (required) and `disk`.
pub fn resize(
    world: &mut DoWorld,
    id: u64,
    size: Option<&str>,
    disk: Option<bool>,
) -> Result<(), DoError> {
    let size = size
        .filter(|s| !s.is_empty())
        .ok_or_else(|| DoError::unprocessable("size is required to resize a Droplet"))?;
    let d = world.droplets.get(&id).ok_or_else(DoError::not_found)?;
    if !d.off {
        return Err(DoError::unprocessable(
            "Droplet is currently on. Please power it off to run this event.",
        ));
    }
    let target = world
        .size(size)
        .ok_or_else(|| DoError::unprocessable(format!("You specified an invalid size: {size}")))?;
    if !target.regions.iter().any(|r| r == &d.region) {
        return Err(DoError::unprocessable(format!(
            "Size {size} is not available in region {}",
            d.region
        )));
    }
    let disk_now = current_disk(world, d);
    if target.disk < disk_now {
        return Err(DoError::unprocessable(format!(
            "This size is not available because it has a smaller disk ({} GB) than the Droplet ({disk_now} GB).",
            target.disk
        )));
    }
    let target_disk = target.disk;
    let grow = disk.unwrap_or(false);
    let d = world.droplets.get_mut(&id).ok_or_else(DoError::not_found)?;
    d.size = size.to_owned();
    d.disk_kept = (!grow && disk_now != target_disk).then_some(disk_now);
    Ok(())
}

/// Applies `rebuild` to Droplet `id`: `image` is a slug (string), or the id (integer) of a
/// catalog image or of one of the account's snapshots (in the Droplet's region, not needing a
/// larger disk than the Droplet's).
pub fn rebuild(world: &mut DoWorld, id: u64, image: Option<&Value>) -> Result<(), DoError> {
    let image = image.ok_or_else(|| DoError::unprocessable("image is required to rebuild"))?;
    let now = Instant::now();
    let image_id = match image {
        Value::String(slug) => world.image_by_slug(slug).map(|i| i.id),
        Value::Number(n) => n.as_u64().and_then(|n| {
            world
                .image_by_id(n)
                .map(|i| i.id)
                .or_else(|| world.snapshots.get(n, now).map(|s| s.id))
        }),
        _ => None,
    }
    .ok_or_else(|| DoError::unprocessable(format!("You specified an invalid image: {image}")))?;
    if let Some(s) = world.snapshots.get(image_id, now) {
        let d = world.droplets.get(&id).ok_or_else(DoError::not_found)?;
        if !s.regions.iter().any(|r| r == &d.region) {
            return Err(DoError::unprocessable(format!(
                "Image {image_id} is not available in region {}",
                d.region
            )));
        }
        let disk = current_disk(world, d);
        if disk < s.min_disk_size {
            return Err(DoError::unprocessable(format!(
                "Image {image_id} needs a disk of {} GB; the Droplet has {disk} GB",
                s.min_disk_size
            )));
        }
    }
    let d = world.droplets.get_mut(&id).ok_or_else(DoError::not_found)?;
    d.image_id = image_id;
    Ok(())
}
