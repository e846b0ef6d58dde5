//! Pre-flight: every check a create makes before anything is created, as functions over the
//! catalogs, so that the account-defaults check ([`check_defaults`]) applies the same rules.
//!
//! Each check returns the failure in words, naming the bad value and the valid ones.

use crate::accounts::AccountDefaults;
use crate::error::{Error, Result};
use crate::provider::{
    CloudProvider, DnsZone, Image, ImageRef, MachineFilter, Project, Region, Size, Snapshot, SshKey,
};

/// The region exists and is available.
pub fn check_region(regions: &[Region], region: &str) -> std::result::Result<(), String> {
    if regions.iter().any(|r| r.slug == region && r.available) {
        return Ok(());
    }
    Err(format!(
        "region `{region}` does not exist or is not available; regions: {}",
        list_or_none(regions.iter().filter(|r| r.available).map(|r| &r.slug))
    ))
}

/// The size exists and, when `region` is given (and valid), is offered there.
pub fn check_size(
    sizes: &[Size],
    size: &str,
    region: Option<&str>,
) -> std::result::Result<(), String> {
    match sizes.iter().find(|s| s.slug == size) {
        None => Err(format!(
            "size `{size}` does not exist; sizes: {}",
            list_or_none(sizes.iter().map(|s| &s.slug))
        )),
        Some(s) => match region {
            Some(region) if !s.regions.iter().any(|r| r == region) => Err(format!(
                "size `{size}` is not offered in region `{region}`; sizes there: {}",
                list_or_none(
                    sizes
                        .iter()
                        .filter(|s| s.regions.iter().any(|r| r == region))
                        .map(|s| &s.slug)
                )
            )),
            _ => Ok(()),
        },
    }
}

/// The image exists.
pub fn check_image(images: &[Image], image: &str) -> std::result::Result<(), String> {
    if images.iter().any(|i| i.id == image) {
        return Ok(());
    }
    Err(format!(
        "image `{image}` does not exist; images: {}",
        list_or_none(images.iter().map(|i| &i.id))
    ))
}

/// The snapshot a create starts from, when it starts from one: `Ok(Ok(None))` for a catalog
/// image, `Ok(Err(words))` for a snapshot that does not exist or cannot be read on this
/// provider, `Err` for a failure to ask.
pub async fn find_snapshot(
    provider: &dyn CloudProvider,
    image: &ImageRef,
) -> Result<std::result::Result<Option<Snapshot>, String>> {
    let (Some(id), Some(snapshots)) = (image.snapshot(), provider.snapshots()) else {
        return Ok(Ok(None));
    };
    let id = id.trim();
    if id.is_empty() {
        return Ok(Err("no snapshot id given".into()));
    }
    match snapshots.get_snapshot(id).await {
        Ok(s) => Ok(Ok(Some(s))),
        Err(e) if e.is_not_found() => Ok(Err(format!(
            "snapshot `{id}` does not exist; `hangar snapshot list` shows the account's snapshots"
        ))),
        Err(crate::provider::ProviderError::Validation { message, .. }) => {
            Ok(Err(format!("snapshot `{id}`: {message}")))
        }
        Err(e) => Err(e.into()),
    }
}

/// The snapshot is available, offered in `region` (when given and valid) and fits the disk of
/// `size` (when given and known). `None` passes: the capability check already said why.
pub fn check_snapshot(
    snapshot: Option<Snapshot>,
    region: Option<&str>,
    size: Option<&Size>,
) -> std::result::Result<(), String> {
    let Some(s) = snapshot else {
        return Ok(());
    };
    if !s.is_available() {
        return Err(format!(
            "snapshot `{}` ({}) is not available yet: wait until it is taken",
            s.id, s.name
        ));
    }
    if let Some(region) = region
        && !s.offered_in(region)
    {
        return Err(format!(
            "snapshot `{}` ({}) is not available in region `{region}`; its regions: {}",
            s.id,
            s.name,
            list_or_none(s.regions.iter())
        ));
    }
    if let (Some(size), Some(min)) = (size, s.min_disk_gb)
        && size.disk_gb < min
    {
        return Err(format!(
            "snapshot `{}` ({}) needs a disk of at least {min} GB; size `{}` has {} GB",
            s.id, s.name, size.slug, size.disk_gb
        ));
    }
    Ok(())
}

/// The SSH key registered under `name`.
pub fn find_ssh_key<'a>(keys: &'a [SshKey], name: &str) -> std::result::Result<&'a SshKey, String> {
    keys.iter().find(|k| k.name == name).ok_or_else(|| {
        format!(
            "SSH key `{name}` does not exist; keys: {}",
            list_or_none(keys.iter().map(|k| &k.name))
        )
    })
}

/// The account hosts the DNS zone.
pub fn check_zone(zones: &[DnsZone], zone: &str) -> std::result::Result<(), String> {
    if zones.iter().any(|z| z.name == zone) {
        return Ok(());
    }
    Err(format!(
        "DNS zone `{zone}` not found; zones: {}",
        list_or_none(zones.iter().map(|z| &z.name))
    ))
}

/// The project called `name`.
pub fn find_project<'a>(
    projects: &'a [Project],
    name: &str,
) -> std::result::Result<&'a Project, String> {
    projects.iter().find(|p| p.name == name).ok_or_else(|| {
        format!(
            "project `{name}` does not exist; projects: {}",
            list_or_none(projects.iter().map(|p| &p.name))
        )
    })
}

/// Checks every value of `defaults` against the account's catalogs with the create's own
/// checks (one concurrent round of calls; the catalogs are cached), and names every value
/// that would make a create fail.
pub async fn check_defaults(provider: &dyn CloudProvider, d: &AccountDefaults) -> Result<()> {
    let keys = async {
        if d.ssh_keys.is_empty() {
            Ok(Vec::new())
        } else {
            provider.list_ssh_keys().await
        }
    };
    let zones = async {
        match &d.dns_zone {
            Some(_) => provider.list_zones().await,
            None => Ok(Vec::new()),
        }
    };
    let projects = async {
        match (&d.project, provider.projects()) {
            (Some(_), Some(p)) => p.list_projects().await,
            _ => Ok(Vec::new()),
        }
    };
    let (regions, sizes, images, keys, zones, projects) = tokio::join!(
        provider.regions(),
        provider.sizes(),
        provider.images(),
        keys,
        zones,
        projects
    );
    let (regions, sizes, images, keys, zones, projects) =
        (regions?, sizes?, images?, keys?, zones?, projects?);
    let mut wrong = Vec::new();
    let mut region_ok = true;
    if let Some(r) = &d.region
        && let Err(m) = check_region(&regions, r)
    {
        region_ok = false;
        wrong.push(m);
    }
    if let Some(s) = &d.size
        && let Err(m) = check_size(&sizes, s, d.region.as_deref().filter(|_| region_ok))
    {
        wrong.push(m);
    }
    if let Some(i) = &d.image
        && let Err(m) = check_image(&images, i)
    {
        wrong.push(m);
    }
    for k in &d.ssh_keys {
        if let Err(m) = find_ssh_key(&keys, k) {
            wrong.push(m);
        }
    }
    if let Some(z) = &d.dns_zone
        && let Err(m) = check_zone(&zones, z)
    {
        wrong.push(m);
    }
    if let Some(p) = &d.project {
        match provider.projects() {
            None => wrong.push(format!(
                "a project is set, but projects are not supported by {}",
                provider.kind()
            )),
            Some(_) => {
                if let Err(m) = find_project(&projects, p) {
                    wrong.push(m);
                }
            }
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(Error::validation(format!(
            "Not saved: {}.",
            wrong.join("; ")
        )))
    }
}

pub(super) fn list_or_none<'a>(items: impl Iterator<Item = &'a String>) -> String {
    let v: Vec<&str> = items.map(String::as_str).collect();
    if v.is_empty() {
        "(none)".into()
    } else {
        v.join(", ")
    }
}

/// What already answers to `name`: machines of that name in the account, and records of
/// `name.zone` (any type), each as one sentence. Machines and records are listed
/// concurrently.
pub async fn namesakes(
    provider: &dyn CloudProvider,
    name: &str,
    zone: Option<&str>,
) -> Result<Vec<String>> {
    let records = async {
        match zone {
            Some(z) => provider.list_records(z).await.map(Some),
            None => Ok(None),
        }
    };
    let every = MachineFilter::all();
    let (machines, records) = tokio::join!(provider.list_machines(&every), records);
    let mut found: Vec<String> = machines?
        .iter()
        .filter(|m| m.name == name)
        .map(|m| format!("a machine named `{name}` already exists (id {})", m.id))
        .collect();
    if let (Some(zone), Some(records)) = (zone, records?) {
        let same: Vec<String> = records
            .iter()
            .filter(|r| r.spec.name == name)
            .map(|r| format!("{} {}", r.spec.record_type, r.spec.data))
            .collect();
        if !same.is_empty() {
            found.push(format!(
                "{name}.{zone} already has DNS records ({})",
                same.join(", ")
            ));
        }
    }
    Ok(found)
}
