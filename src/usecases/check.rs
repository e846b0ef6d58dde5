//! Check the configuration against the account: one PASS/FAIL item per thing `create` needs.
//! If the token is rejected, the rest is skipped (every other call would fail the same way).

use serde::Serialize;

use crate::error::Result;
use crate::provider::{CloudProvider, ProviderError, ProviderKind};

/// What to check (the configured values).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckOptions {
    pub ssh_keys: Vec<String>,
    pub dns_zone: Option<String>,
    pub project: Option<String>,
    pub region: Option<String>,
    pub size: Option<String>,
    pub image: Option<String>,
}

/// One checked item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CheckItem {
    /// What was checked, e.g. `SSH key laptop`.
    pub item: String,
    pub pass: bool,
    /// Why it failed, or what was found.
    pub detail: String,
}

impl CheckItem {
    fn new(item: impl Into<String>, pass: bool, detail: impl Into<String>) -> Self {
        Self {
            item: item.into(),
            pass,
            detail: detail.into(),
        }
    }
}

/// Runs the checks. `Err` only for failures that are not about the checked values (network).
pub async fn check(provider: &dyn CloudProvider, opts: &CheckOptions) -> Result<Vec<CheckItem>> {
    let mut items = Vec::new();
    match provider.account().await {
        Ok(a) => items.push(CheckItem::new("authentication", true, a.email)),
        Err(e @ ProviderError::Auth { .. }) => {
            items.push(CheckItem::new("authentication", false, e.to_string()));
            return Ok(items);
        }
        Err(e) => return Err(e.into()),
    }
    let (keys, zones, regions, sizes, images) = tokio::join!(
        async {
            if opts.ssh_keys.is_empty() {
                Ok(Vec::new())
            } else {
                provider.list_ssh_keys().await
            }
        },
        async {
            match opts.dns_zone {
                Some(_) => provider.list_zones().await,
                None => Ok(Vec::new()),
            }
        },
        provider.regions(),
        provider.sizes(),
        provider.images(),
    );
    let keys = keys?;
    for name in &opts.ssh_keys {
        let found = keys.iter().find(|k| &k.name == name);
        items.push(CheckItem::new(
            format!("SSH key {name}"),
            found.is_some(),
            found.map_or("not found".into(), |k| format!("id {}", k.id)),
        ));
    }
    if let Some(zone) = &opts.dns_zone {
        let ok = zones?.iter().any(|z| &z.name == zone);
        items.push(CheckItem::new(
            format!("DNS zone {zone}"),
            ok,
            if ok { "found" } else { "not found" },
        ));
    }
    if let Some(project) = &opts.project {
        let item = format!("project {project}");
        match provider.projects() {
            None => items.push(CheckItem::new(
                item,
                false,
                format!("{} does not support projects", ProviderKind::Vultr),
            )),
            Some(p) => {
                let ok = p.list_projects().await?.iter().any(|p| &p.name == project);
                items.push(CheckItem::new(
                    item,
                    ok,
                    if ok { "found" } else { "not found" },
                ));
            }
        }
    }
    if let Some(region) = &opts.region {
        let ok = regions?.iter().any(|r| &r.slug == region && r.available);
        items.push(CheckItem::new(
            format!("region {region}"),
            ok,
            if ok { "available" } else { "not available" },
        ));
    }
    if let Some(size) = &opts.size {
        let sizes = sizes?;
        let s = sizes.iter().find(|s| &s.slug == size);
        let (ok, detail) = match (s, &opts.region) {
            (None, _) => (false, "not found".to_string()),
            (Some(s), Some(r)) if !s.regions.contains(r) => (false, format!("not offered in {r}")),
            (Some(_), _) => (true, "found".into()),
        };
        items.push(CheckItem::new(format!("size {size}"), ok, detail));
    }
    if let Some(image) = &opts.image {
        let ok = images?.iter().any(|i| &i.id == image);
        items.push(CheckItem::new(
            format!("image {image}"),
            ok,
            if ok { "found" } else { "not found" },
        ));
    }
    Ok(items)
}
