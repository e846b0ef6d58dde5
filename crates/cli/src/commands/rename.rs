//! `rename ID NEW-NAME`: renames a machine and, unless `--no-update-dns`, its own DNS records
//! (A/AAAA named after it, pointing at it) in the zones the account searches.

use clap::Args;

use crate::args::{OutputArgs, json_output};
use crate::context::Context;
use crate::output::{out, out_json};
use hangar::error::Result;
use hangar::fleet::manage;

#[derive(Args, Debug)]
pub struct RenameArgs {
    /// The machine's id
    #[arg(value_name = "ID")]
    pub id: String,
    /// Its new name (a hostname: letters, digits and hyphens)
    #[arg(value_name = "NEW-NAME")]
    pub name: String,
    /// Leave its DNS records under the old name
    #[arg(long)]
    pub no_update_dns: bool,
    /// Rename even when another machine or a DNS record has the new name
    #[arg(long)]
    pub allow_duplicate: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub async fn run(ctx: &Context, a: RenameArgs) -> Result<()> {
    let json = json_output(&a.output.output)?;
    let renamed = manage::rename(
        &ctx.fleet,
        ctx.selected(),
        &a.id,
        &a.name,
        !a.no_update_dns,
        a.allow_duplicate,
    )
    .await?;
    if json {
        out_json(&renamed);
        return Ok(());
    }
    out(format!(
        "Renamed machine {} to {}",
        renamed.machine.machine.id, renamed.machine.machine.name
    ));
    for r in &renamed.records {
        out(format!(
            "Renamed DNS record: {} {} {} (id {})",
            r.fqdn, r.record_type, r.data, r.record_id
        ));
    }
    Ok(())
}
