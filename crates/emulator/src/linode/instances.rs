//! `/linode/instances`: list (with `X-Filter`), create, get, update, delete, boot, shutdown,
//! reboot, resize, rebuild and the Linode's addresses.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use base64::Engine as _;
use serde::Deserialize;

use super::world::{LinodeWorld, Transition};
use super::{LinodeError, LinodeResult, empty, lock_world, ok, paginated, parse_body, path_id};
use crate::clock::{just_before, rfc3339_z, unix_now};
use crate::registry::EmulatedProvider;
use crate::state::{Shared, lock};
use crate::validate::plausible_public_key;

/// The fields of a Linode an `X-Filter` may name (`x-linode-filterable` in
/// `#/components/schemas/Linode/properties`, plus `status` and `type`, which the live API
/// filters on too).
const FILTERABLE: [&str; 8] = [
    "id", "label", "tags", "region", "image", "ipv4", "group", "status",
];

/// The largest user data accepted, decoded (the live API's limit is 64 KiB).
const MAX_USER_DATA: usize = 65_535;

pub async fn list(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> LinodeResult {
    let now = Instant::now();
    let world = lock_world(&shared);
    let items = world
        .instances
        .values()
        .map(|i| world.instance_json(i, now))
        .collect();
    paginated(&raw, &headers, &FILTERABLE, items)
}

/// The label rules of `#/components/schemas/Linode/properties/label`'s description (its
/// `pattern` is broken; see the provider-specs README, "Where the specs disagree"): 3 to 64
/// characters, beginning and ending with a letter or digit, only letters, digits, `-`, `_`
/// and `.`, and no `--`, `__` or `..`.
pub fn check_label(label: &str) -> Result<(), LinodeError> {
    let bad = |reason: &str| Err(LinodeError::field("label", reason));
    if !(3..=64).contains(&label.chars().count()) {
        return bad("Label must be between 3 and 64 characters.");
    }
    if !label
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return bad(
            "Label must include only ASCII letters, numbers, dashes, underscores and periods.",
        );
    }
    let first_last = [label.chars().next(), label.chars().last()];
    if !first_last
        .iter()
        .all(|c| c.is_some_and(|c| c.is_ascii_alphanumeric()))
    {
        return bad("Label must begin and end with a letter or number.");
    }
    if ["--", "__", ".."].iter().any(|d| label.contains(d)) {
        return bad("Label must not include two dashes, underscores or periods in a row.");
    }
    Ok(())
}

/// Tags: 3 to 50 characters each (the limit of POST `/tags`, applied to Linodes' tags too).
fn check_tags(tags: &[String]) -> Result<(), LinodeError> {
    for t in tags {
        if !(3..=50).contains(&t.chars().count()) {
            return Err(LinodeError::field(
                "tags",
                format!("Length of tag {t:?} must be 3-50 characters"),
            ));
        }
    }
    Ok(())
}

/// `root_pass`: 7 to 128 characters and a strength check (here: at least three of lower
/// case, upper case, digits and other characters).
fn check_root_pass(pass: &str) -> Result<(), LinodeError> {
    if !(7..=128).contains(&pass.chars().count()) {
        return Err(LinodeError::field(
            "root_pass",
            "Length must be 7-128 characters",
        ));
    }
    let classes = [
        pass.chars().any(|c| c.is_ascii_lowercase()),
        pass.chars().any(|c| c.is_ascii_uppercase()),
        pass.chars().any(|c| c.is_ascii_digit()),
        pass.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|c| **c).count() < 3 {
        return Err(LinodeError::field(
            "root_pass",
            "Password does not meet strength requirement.",
        ));
    }
    Ok(())
}

/// `metadata` of a create or rebuild body. The 4.151.1 spec does not have it (see the
/// provider-specs README: "No user data in this version"); the live API takes
/// `metadata.user_data`, base64-encoded cloud-init user data, and so does the emulator.
#[derive(Deserialize, Default)]
struct Metadata {
    user_data: Option<String>,
}

fn decode_user_data(metadata: Option<&Metadata>) -> Result<Option<Vec<u8>>, LinodeError> {
    let Some(encoded) = metadata.and_then(|m| m.user_data.as_deref()) else {
        return Ok(None);
    };
    let data = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| {
            LinodeError::field("metadata.user_data", "User data must be base64 encoded.")
        })?;
    if data.len() > MAX_USER_DATA {
        return Err(LinodeError::field(
            "metadata.user_data",
            "User data must be 64 KiB or less.",
        ));
    }
    Ok(Some(data))
}

/// The public keys of `authorized_keys` and of the profiles named in `authorized_users`.
fn collect_keys(
    world: &LinodeWorld,
    keys: Option<Vec<String>>,
    users: Option<Vec<String>>,
) -> Result<Vec<String>, LinodeError> {
    let mut out = Vec::new();
    for k in keys.unwrap_or_default() {
        if !plausible_public_key(&k) {
            return Err(LinodeError::field(
                "authorized_keys",
                "Invalid SSH key format.",
            ));
        }
        out.push(k.trim().to_owned());
    }
    for u in users.unwrap_or_default() {
        if u != world.account.username {
            return Err(LinodeError::field(
                "authorized_users",
                format!("Username {u} is not valid."),
            ));
        }
        out.extend(world.ssh_keys.iter().map(|k| k.ssh_key.clone()));
    }
    Ok(out)
}

#[derive(Deserialize)]
struct CreateBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    region: Option<String>,
    image: Option<String>,
    root_pass: Option<String>,
    label: Option<String>,
    tags: Option<Vec<String>>,
    authorized_keys: Option<Vec<String>>,
    authorized_users: Option<Vec<String>>,
    booted: Option<bool>,
    backups_enabled: Option<bool>,
    backup_id: Option<u64>,
    stackscript_id: Option<u64>,
    metadata: Option<Metadata>,
}

/// POST `/linode/instances`: 200 with the Linode, `provisioning`, already holding its public
/// IPv4 address.
pub async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> LinodeResult {
    let body: CreateBody = parse_body(&body)?;
    let mut world = lock_world(&shared);
    let mut errors = Vec::new();
    let mut note = |r: Result<(), LinodeError>| {
        if let Err(e) = r {
            errors.extend(e.errors);
        }
    };
    match body.region.as_deref() {
        None => note(Err(LinodeError::field("region", "region is required"))),
        Some(r) if world.region(r).is_none() => {
            note(Err(LinodeError::field("region", "region is not valid")))
        }
        Some(_) => {}
    }
    match body.kind.as_deref() {
        None => note(Err(LinodeError::field("type", "type is required"))),
        Some(t) if world.linode_type(t).is_none() => note(Err(LinodeError::field(
            "type",
            "A valid plan type by that ID was not found",
        ))),
        Some(_) => {}
    }
    if body.backup_id.is_some() || body.stackscript_id.is_some() {
        note(Err(LinodeError::bad_request(
            "Only image deploys are available here: no backup or StackScript exists.",
        )));
    }
    if let Some(image) = body.image.as_deref() {
        if world.image(image).is_none() {
            note(Err(LinodeError::field(
                "image",
                format!("No image exists with id {image}"),
            )));
        }
        match body.root_pass.as_deref() {
            None => note(Err(LinodeError::field(
                "root_pass",
                "root_pass is required when deploying an image",
            ))),
            Some(p) => note(check_root_pass(p)),
        }
    }
    if let Some(label) = body.label.as_deref() {
        note(check_label(label));
        if world.instances.values().any(|i| i.label == label) {
            note(Err(LinodeError::field(
                "label",
                "Label must be unique among your linodes",
            )));
        }
    }
    let tags = body.tags.unwrap_or_default();
    note(check_tags(&tags));
    let user_data = decode_user_data(body.metadata.as_ref());
    let keys = collect_keys(&world, body.authorized_keys, body.authorized_users);
    let (user_data, keys) = match (user_data, keys) {
        (Ok(u), Ok(k)) => (u, k),
        (u, k) => {
            note(u.map(|_| ()));
            note(k.map(|_| ()));
            (None, Vec::new())
        }
    };
    if !errors.is_empty() {
        return Err(LinodeError {
            status: axum::http::StatusCode::BAD_REQUEST,
            errors,
        });
    }
    let now = Instant::now();
    let ready_at = now + shared.ip_delay;
    let id = world.add_instance(
        &shared,
        body.label.as_deref().unwrap_or(""),
        body.region.as_deref().unwrap_or_default(),
        body.kind.as_deref().unwrap_or_default(),
        body.image.as_deref(),
        &tags,
        ready_at,
    );
    let inst = world
        .instances
        .get_mut(&id)
        .ok_or_else(LinodeError::not_found)?;
    inst.user_data = user_data;
    inst.authorized_keys = keys;
    inst.backups_enabled = body.backups_enabled.unwrap_or(false);
    if body.booted == Some(false) {
        inst.off = true;
    }
    // A create answer always shows the Linode as it starts: provisioning.
    let json = world.instance_json(&world.instances[&id], just_before(ready_at));
    ok(json)
}

pub async fn get_one(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> LinodeResult {
    let id = path_id(&id)?;
    let world = lock_world(&shared);
    let i = world
        .instances
        .get(&id)
        .ok_or_else(LinodeError::not_found)?;
    ok(world.instance_json(i, Instant::now()))
}

pub async fn ips(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> LinodeResult {
    let id = path_id(&id)?;
    let world = lock_world(&shared);
    let i = world
        .instances
        .get(&id)
        .ok_or_else(LinodeError::not_found)?;
    ok(LinodeWorld::ips_json(i))
}

#[derive(Deserialize)]
struct UpdateBody {
    label: Option<String>,
    tags: Option<Vec<String>>,
    watchdog_enabled: Option<bool>,
}

/// PUT `/linode/instances/{linodeId}`: changes `label`, `tags` and `watchdog_enabled`
/// (read-only fields sent along are ignored, as the spec says); answers the Linode.
pub async fn update(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> LinodeResult {
    let id = path_id(&id)?;
    let body: UpdateBody = parse_body(&body)?;
    let mut world = lock_world(&shared);
    if !world.instances.contains_key(&id) {
        return Err(LinodeError::not_found());
    }
    if let Some(label) = &body.label {
        check_label(label)?;
        if world
            .instances
            .values()
            .any(|i| i.id != id && &i.label == label)
        {
            return Err(LinodeError::field(
                "label",
                "Label must be unique among your linodes",
            ));
        }
    }
    if let Some(tags) = &body.tags {
        check_tags(tags)?;
    }
    let inst = world
        .instances
        .get_mut(&id)
        .ok_or_else(LinodeError::not_found)?;
    if let Some(v) = body.label {
        inst.label = v;
    }
    if let Some(v) = body.tags {
        inst.tags = v;
    }
    if let Some(v) = body.watchdog_enabled {
        inst.watchdog_enabled = v;
    }
    inst.updated_unix = unix_now();
    let json = world.instance_json(&world.instances[&id], Instant::now());
    ok(json)
}

/// DELETE: 200 `{}`; the Linode is gone at once (unless a ghost delete is scripted).
pub async fn delete(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> LinodeResult {
    let id = path_id(&id)?;
    let mut world = lock_world(&shared);
    if !world.instances.contains_key(&id) {
        return Err(LinodeError::not_found());
    }
    if !lock(&shared.faults).take_ghost_delete(EmulatedProvider::Linode) {
        world.instances.remove(&id);
        world.firewalls.forget_linode(id);
    }
    empty()
}

#[derive(Deserialize)]
struct BootBody {
    #[allow(dead_code)]
    config_id: Option<u64>,
}

/// Which power call.
#[derive(Clone, Copy)]
enum Power {
    Boot,
    Shutdown,
    Reboot,
}

/// Starts a power event: refused while another runs ("Linode busy."). Booting a running
/// Linode and shutting down an offline one do nothing; rebooting an offline one boots it.
fn power(shared: &Shared, id: &str, body: &Bytes, what: Power) -> LinodeResult {
    let id = path_id(id)?;
    let _: BootBody = parse_body(body)?;
    let now = Instant::now();
    let mut world = lock_world(shared);
    let inst = world
        .instances
        .get_mut(&id)
        .ok_or_else(LinodeError::not_found)?;
    if inst.busy(now) {
        return Err(LinodeError::busy());
    }
    let until = now + shared.ip_delay;
    let (status, off) = match what {
        Power::Boot if !inst.off => return empty(),
        Power::Shutdown if inst.off => return empty(),
        Power::Boot => ("booting", false),
        Power::Shutdown => ("shutting_down", true),
        Power::Reboot if inst.off => ("booting", false),
        Power::Reboot => ("rebooting", false),
    };
    inst.off = off;
    inst.transition = Some(Transition { status, until });
    inst.updated_unix = unix_now();
    empty()
}

pub async fn boot(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> LinodeResult {
    power(&shared, &id, &body, Power::Boot)
}

pub async fn shutdown(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> LinodeResult {
    power(&shared, &id, &body, Power::Shutdown)
}

pub async fn reboot(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> LinodeResult {
    power(&shared, &id, &body, Power::Reboot)
}

#[derive(Deserialize)]
struct ResizeBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    allow_auto_disk_resize: Option<bool>,
    #[allow(dead_code)]
    migration_type: Option<String>,
}

/// POST `.../resize` (`{type}`): 200 `{}`; the Linode shows `migrating` (the status enum has
/// no `resizing`) until the event ends and keeps its addresses and power state. Refused while
/// busy, for its own type, and for a type with a smaller disk when
/// `allow_auto_disk_resize` is false.
pub async fn resize(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> LinodeResult {
    let id = path_id(&id)?;
    let body: ResizeBody = parse_body(&body)?;
    let now = Instant::now();
    let mut world = lock_world(&shared);
    let inst = world
        .instances
        .get(&id)
        .ok_or_else(LinodeError::not_found)?;
    let kind = body
        .kind
        .ok_or_else(|| LinodeError::field("type", "type is required"))?;
    let target_disk = world
        .linode_type(&kind)
        .ok_or_else(|| LinodeError::field("type", "A valid plan type by that ID was not found"))?
        .disk;
    if inst.busy(now) {
        return Err(LinodeError::busy());
    }
    if kind == inst.kind {
        return Err(LinodeError::field(
            "type",
            "Linode is already running this service plan.",
        ));
    }
    let current_disk = inst.disk_mb;
    let auto_disk = body.allow_auto_disk_resize != Some(false);
    if target_disk < current_disk && !auto_disk {
        return Err(LinodeError::field(
            "type",
            "Linode has allocated more disk than the new service plan allows. Delete or resize disks smaller.",
        ));
    }
    let until = now + shared.ip_delay;
    let inst = world
        .instances
        .get_mut(&id)
        .ok_or_else(LinodeError::not_found)?;
    inst.kind = kind;
    if auto_disk {
        inst.disk_mb = target_disk;
    }
    inst.transition = Some(Transition {
        status: "migrating",
        until,
    });
    inst.updated_unix = unix_now();
    empty()
}

#[derive(Deserialize)]
struct RebuildBody {
    image: Option<String>,
    root_pass: Option<String>,
    authorized_keys: Option<Vec<String>>,
    authorized_users: Option<Vec<String>>,
    booted: Option<bool>,
    metadata: Option<Metadata>,
}

/// POST `.../rebuild` (`{image, root_pass, …}`): 200 with the Linode, `rebuilding` until the
/// event ends, then running (or offline with `booted: false`), with new user data if sent.
pub async fn rebuild(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> LinodeResult {
    let id = path_id(&id)?;
    let body: RebuildBody = parse_body(&body)?;
    let now = Instant::now();
    let mut world = lock_world(&shared);
    if !world.instances.contains_key(&id) {
        return Err(LinodeError::not_found());
    }
    let image = body
        .image
        .ok_or_else(|| LinodeError::field("image", "image is required"))?;
    if world.image(&image).is_none() {
        return Err(LinodeError::field(
            "image",
            format!("No image exists with id {image}"),
        ));
    }
    let pass = body
        .root_pass
        .ok_or_else(|| LinodeError::field("root_pass", "root_pass is required"))?;
    check_root_pass(&pass)?;
    let user_data = decode_user_data(body.metadata.as_ref())?;
    let keys = collect_keys(&world, body.authorized_keys, body.authorized_users)?;
    let until = now + shared.ip_delay;
    let inst = world
        .instances
        .get_mut(&id)
        .ok_or_else(LinodeError::not_found)?;
    if inst.busy(now) {
        return Err(LinodeError::busy());
    }
    inst.image = Some(image);
    inst.authorized_keys = keys;
    if user_data.is_some() {
        inst.user_data = user_data;
    }
    inst.off = body.booted == Some(false);
    inst.transition = Some(Transition {
        status: "rebuilding",
        until,
    });
    inst.updated_unix = unix_now();
    let json = world.instance_json(&world.instances[&id], now);
    ok(json)
}

/// GET `.../disks`: a page of the Linode's disks (`#/components/schemas/Disk`). The emulator
/// keeps one, the image's ext4 disk, sized as the last resize left it.
pub async fn disks(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> LinodeResult {
    let id = path_id(&id)?;
    let disk = {
        let world = lock_world(&shared);
        let inst = world
            .instances
            .get(&id)
            .ok_or_else(LinodeError::not_found)?;
        serde_json::json!({
            "id": inst.id * 10 + 1,
            "label": format!("{} Disk", inst.image.as_deref().unwrap_or("Empty")),
            "status": "ready",
            "size": inst.disk_mb,
            "filesystem": "ext4",
            "created": rfc3339_z(inst.created_unix),
            "updated": rfc3339_z(inst.updated_unix),
        })
    };
    paginated(&raw, &headers, &[], vec![disk])
}
