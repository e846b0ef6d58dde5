//! `dns delete ZONE RECORD-ID`: deletes one DNS record, for example an orphan that
//! `list-domain --orphans` found or one a destroy could not delete. Asks for YES first,
//! showing the record, unless `--no-confirm`.

use std::io::BufRead;

use clap::{ArgAction, Args, Subcommand};

use crate::Globals;
use crate::args::flag;
use crate::context::Context;
use crate::output::out;
use hangar::error::{Error, Result};
use hangar::usecases::dns;

#[derive(Subcommand, Debug)]
pub enum DnsCommand {
    /// Delete one DNS record by its id (see `list-domain --all` or `list-domain --orphans`)
    Delete(DeleteArgs),
}

#[derive(Args, Debug)]
pub struct DeleteArgs {
    /// The zone, e.g. example.com
    #[arg(value_name = "ZONE")]
    pub zone: String,
    /// The record's id
    #[arg(value_name = "RECORD-ID")]
    pub record_id: String,
    /// Ask for YES before deleting (default)
    #[arg(long, overrides_with = "no_confirm", action = ArgAction::SetTrue)]
    pub confirm: bool,
    /// Do not ask
    #[arg(long = "no-confirm", action = ArgAction::SetTrue)]
    pub no_confirm: bool,
}

pub async fn run(ctx: &Context, g: Globals, command: DnsCommand) -> Result<()> {
    let DnsCommand::Delete(a) = command;
    let provider = ctx.provider()?;
    let record = dns::find_record(provider.as_ref(), &a.zone, &a.record_id).await?;
    let shown = format!(
        "{} {} {} (id {})",
        record.fqdn, record.record_type, record.data, record.id
    );
    if g.dry_run {
        out(format!("Dry run: would delete DNS record {shown}"));
        return Ok(());
    }
    if flag(a.confirm, a.no_confirm, true) {
        out(format!(
            "Type YES (not y or yes or Yes) to confirm that you want to permanently DELETE DNS record {shown}"
        ));
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        if line.trim_end_matches(['\n', '\r']) != "YES" {
            return Err(Error::cancelled("Delete aborted, not confirmed by user"));
        }
    }
    dns::delete_record(provider.as_ref(), &a.zone, &a.record_id).await?;
    if !g.quiet {
        out(format!("Deleted DNS record {shown}"));
    }
    Ok(())
}
