//! `destroy`: asks for YES per machine (unless `--no-confirm`), refuses machines of other
//! sessions without `--all`, then destroys and deletes their DNS records.

use std::io::BufRead;

use clap::{ArgAction, Args};

use crate::Globals;
use crate::args::flag;
use crate::context::Context;
use crate::output::out;
use hangar::error::{Error, ErrorKind, Result};
use hangar::usecases::DestroyProgress;
use hangar::usecases::destroy::{
    DestroyOptions, destroy_machines, preview_destroy, refuse_foreign, refuse_protected,
};

#[derive(Args, Debug)]
pub struct DestroyArgs {
    /// Machine ids
    #[arg(value_name = "MACHINE-IDS")]
    pub ids: Vec<String>,
    /// Ask for YES before destroying each machine (default)
    #[arg(long, overrides_with = "no_confirm", action = ArgAction::SetTrue)]
    pub confirm: bool,
    /// Do not ask
    #[arg(long = "no-confirm", action = ArgAction::SetTrue)]
    pub no_confirm: bool,
    /// Delete the DNS records pointing at the machine (default)
    #[arg(long = "delete-dns", overrides_with = "no_delete_dns", action = ArgAction::SetTrue)]
    pub delete_dns: bool,
    /// Keep the DNS records
    #[arg(long = "no-delete-dns", action = ArgAction::SetTrue)]
    pub no_delete_dns: bool,
    /// Include machines not created by this tool or by other sessions
    #[arg(long)]
    pub all: bool,
}

pub async fn run(ctx: &Context, g: Globals, a: DestroyArgs) -> Result<()> {
    let verbose = g.verbose || g.debug;
    let confirm = flag(a.confirm, a.no_confirm, true);
    if a.ids.is_empty() {
        return Err(Error::validation("give the id of at least one machine"));
    }
    let opts = DestroyOptions {
        ids: a.ids.clone(),
        all: a.all,
        delete_dns: flag(a.delete_dns, a.no_delete_dns, true),
        dns_zones: ctx.defaults().dns_zone.iter().cloned().collect(),
        extra_records: Vec::new(),
    };
    let provider = ctx.provider()?;
    let p = provider.as_ref();
    if g.dry_run {
        let previews = preview_destroy(p, &ctx.session, &a.ids, a.all, &opts.dns_zones).await?;
        for m in previews {
            if let Some(refusal) = m.refusal {
                return Err(Error::refused(refusal));
            }
            let records: Vec<&str> = if opts.delete_dns {
                m.records.iter().map(|r| r.fqdn.as_str()).collect()
            } else {
                Vec::new()
            };
            out(format!(
                "Dry run: would destroy machine \"{}\" (id: {}){}",
                m.name,
                m.id,
                if records.is_empty() {
                    String::new()
                } else {
                    format!(" and its DNS records {}", records.join(", "))
                }
            ));
        }
        return Ok(());
    }
    // Refusals come before the question, so nobody confirms a destroy that cannot happen.
    if confirm {
        let mut stdin = std::io::stdin().lock();
        for id in &a.ids {
            let m = p.get_machine(id).await.map_err(|e| {
                if e.is_not_found() {
                    Error::not_found(format!("machine with id {id} not found"))
                } else {
                    e.into()
                }
            })?;
            refuse_protected(&m)?;
            if !a.all {
                refuse_foreign(&m, &ctx.session)?;
            }
            out(format!(
                "Type YES (not y or yes or Yes) to confirm that you want to permanently DELETE/DESTROY machine \"{}\" (id: {})",
                m.name, m.id
            ));
            let mut line = String::new();
            let _ = stdin.read_line(&mut line);
            if line.trim_end_matches(['\n', '\r']) != "YES" {
                return Err(Error::cancelled(
                    "Destroy operation aborted, not confirmed by user",
                ));
            }
        }
    }
    let sink = move |e: DestroyProgress| {
        if !verbose {
            return;
        }
        match e {
            DestroyProgress::Destroyed { id } => eprintln!("Destroyed machine {id}"),
            DestroyProgress::DnsRecordDeleted { fqdn, record_id } => {
                eprintln!("Deleted DNS record {fqdn} (id {record_id})")
            }
            DestroyProgress::Warning { message } => eprintln!("Warning: {message}"),
            _ => {}
        }
    };
    let results = destroy_machines(p, &ctx.session, &opts, &sink).await?;
    let mut problems = Vec::new();
    for r in &results {
        problems.extend(r.problems.iter().map(|e| e.message.clone()));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::Partial, problems.join("; ")))
    }
}
