//! Check the configuration against the account: one PASS/FAIL item per thing `create` needs.
//! If the token is rejected, the rest is skipped (every other call would fail the same way).

use serde::Serialize;

use crate::error::Result;
use crate::provider::{CloudProvider, ProviderError};

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

/// The verdict of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum CheckStatus {
    Pass,
    Fail,
    /// Not configured, or not applicable to this provider.
    Skip,
}

impl CheckStatus {
    /// `PASS`, `FAIL` or `SKIP`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Fail => "FAIL",
            Self::Skip => "SKIP",
        }
    }
}

/// One checked item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CheckItem {
    /// What was checked: `API authentication`, `SSH key`, `DNS zone`, `Project`, `Region`,
    /// `Size`, `Image`.
    pub check: String,
    pub status: CheckStatus,
    /// The checked value, or why it failed or was skipped.
    pub detail: String,
}

impl CheckItem {
    fn new(check: &str, pass: bool, detail: impl Into<String>) -> Self {
        Self {
            check: check.into(),
            status: if pass {
                CheckStatus::Pass
            } else {
                CheckStatus::Fail
            },
            detail: detail.into(),
        }
    }

    fn skip(check: &str, detail: impl Into<String>) -> Self {
        Self {
            check: check.into(),
            status: CheckStatus::Skip,
            detail: detail.into(),
        }
    }

    /// True unless the item failed.
    pub fn passed(&self) -> bool {
        self.status != CheckStatus::Fail
    }
}

/// Runs the checks. `Err` only for failures that are not about the checked values (network).
pub async fn check(provider: &dyn CloudProvider, opts: &CheckOptions) -> Result<Vec<CheckItem>> {
    const AUTH: &str = "API authentication";
    let mut items = Vec::new();
    match provider.account().await {
        Ok(_) => items.push(CheckItem::new(AUTH, true, "")),
        Err(e @ ProviderError::Auth { .. }) => {
            items.push(CheckItem::new(AUTH, false, e.to_string()));
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
    if opts.ssh_keys.is_empty() {
        items.push(CheckItem::new("SSH key", false, "not configured"));
    }
    for name in &opts.ssh_keys {
        let found = keys.iter().any(|k| &k.name == name);
        items.push(CheckItem::new("SSH key", found, name.clone()));
    }
    match &opts.dns_zone {
        Some(zone) => {
            let ok = zones?.iter().any(|z| &z.name == zone);
            items.push(CheckItem::new("DNS zone", ok, zone.clone()));
        }
        None => items.push(CheckItem::skip("DNS zone", "not configured")),
    }
    match (&opts.project, provider.projects()) {
        (None, _) => items.push(CheckItem::skip("Project", "not configured")),
        (Some(_), None) => items.push(CheckItem::skip(
            "Project",
            format!("not supported by {}", provider.kind()),
        )),
        (Some(project), Some(p)) => {
            let ok = p.list_projects().await?.iter().any(|p| &p.name == project);
            items.push(CheckItem::new("Project", ok, project.clone()));
        }
    }
    match &opts.region {
        Some(region) => {
            let ok = regions?.iter().any(|r| &r.slug == region && r.available);
            items.push(CheckItem::new("Region", ok, region.clone()));
        }
        None => items.push(CheckItem::skip("Region", "not configured")),
    }
    match &opts.size {
        Some(size) => {
            let sizes = sizes?;
            let s = sizes.iter().find(|s| &s.slug == size);
            let (ok, detail) = match (s, &opts.region) {
                (None, _) => (false, size.clone()),
                (Some(s), Some(r)) if !s.regions.contains(r) => {
                    (false, format!("{size}, not offered in {r}"))
                }
                (Some(_), _) => (true, size.clone()),
            };
            items.push(CheckItem::new("Size", ok, detail));
        }
        None => items.push(CheckItem::skip("Size", "not configured")),
    }
    match &opts.image {
        Some(image) => {
            let ok = images?.iter().any(|i| &i.id == image);
            items.push(CheckItem::new("Image", ok, image.clone()));
        }
        None => items.push(CheckItem::skip("Image", "not configured")),
    }
    Ok(items)
}
