//! `check`: the account's configuration (token, SSH keys, zone, project, region, plan,
//! image) checked against the provider.

use crate::context::Context;
use crate::output::out;
use hangar::error::{Error, ErrorKind, Result};
use hangar::usecases::check;

pub async fn run(ctx: &Context) -> Result<()> {
    let provider = ctx.provider()?;
    let p = provider.as_ref();
    let d = ctx.defaults();
    let items = check::check(
        p,
        &check::CheckOptions {
            ssh_keys: d.ssh_keys.clone(),
            dns_zone: d.dns_zone.clone(),
            project: d.project.clone(),
            region: d.region.clone(),
            size: d.size.clone(),
            image: d.image.clone(),
        },
    )
    .await?;
    let mut items = items;
    // The configuration's own problems: keys that mean nothing, types left out.
    if let Some(c) = &ctx.machine_config {
        for key in &c.unknown_keys {
            items.push(check::CheckItem {
                check: "Config key".into(),
                status: check::CheckStatus::Fail,
                detail: format!("`{key}` is not a known key (a typo?)"),
            });
        }
        for (name, reason) in &c.invalid_types {
            items.push(check::CheckItem {
                check: "Machine type".into(),
                status: check::CheckStatus::Fail,
                detail: format!("{name}: {reason}"),
            });
        }
    }
    out(format!(
        "Checking config for provider: {}",
        p.kind().display_name()
    ));
    for i in &items {
        if i.detail.is_empty() {
            out(format!("  {}: {}", i.status.label(), i.check));
        } else {
            out(format!(
                "  {}: {} ({})",
                i.status.label(),
                i.check,
                i.detail
            ));
        }
    }
    if items[0].check == "API authentication" && !items[0].passed() {
        out("\nAPI authentication failed, skipping remaining checks.");
        return Err(Error::new(
            ErrorKind::Auth,
            "the provider rejected the credentials: check the token",
        ));
    }
    if items.iter().all(|i| i.passed()) {
        out("\nAll checks passed.");
        Ok(())
    } else {
        out("\nSome checks failed.");
        Err(Error::validation(format!(
            "{} of {} checks failed",
            items.iter().filter(|i| !i.passed()).count(),
            items.len()
        )))
    }
}
