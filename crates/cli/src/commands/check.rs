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
    if items.len() == 1 && !items[0].passed() {
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
