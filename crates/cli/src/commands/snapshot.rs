//! `snapshot create ID --name NAME [--wait]`, `snapshot list [--machine ID]` and
//! `snapshot delete SNAPSHOT-ID [-y]` (which asks for YES, as `destroy` does, unless `-y`).
//! A machine is created from a snapshot with `create --snapshot SNAPSHOT-ID`.

use std::io::BufRead;

use clap::{Args, Subcommand};

use crate::Globals;
use crate::args::{OutputArgs, json_output};
use crate::context::Context;
use crate::output::{out, out_json};
use hangar::error::{Error, Result};
use hangar::fleet::snapshots;
use hangar::provider::{Snapshot, SnapshotStatus};
use hangar::usecases::SnapshotProgress;

#[derive(Subcommand, Debug)]
pub enum SnapshotCommand {
    /// Take a snapshot of a machine
    Create(CreateArgs),
    /// List the account's snapshots
    List(ListArgs),
    /// Delete a snapshot (asks for YES unless -y)
    Delete(DeleteArgs),
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    /// The machine's id
    #[arg(value_name = "ID")]
    pub id: String,
    /// The snapshot's name
    #[arg(short, long, value_name = "SNAPSHOT-NAME")]
    pub name: String,
    /// Wait until the snapshot is available
    #[arg(long)]
    pub wait: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only the snapshots of this machine (where the provider says which machine a snapshot
    /// is of)
    #[arg(long, value_name = "MACHINE-ID")]
    pub machine: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args, Debug)]
pub struct DeleteArgs {
    /// The snapshot's id
    #[arg(value_name = "SNAPSHOT-ID")]
    pub id: String,
    /// Do not ask for confirmation
    #[arg(short = 'y', long)]
    pub yes: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub async fn run(ctx: &Context, g: Globals, command: SnapshotCommand) -> Result<()> {
    match command {
        SnapshotCommand::Create(a) => create(ctx, g, a).await,
        SnapshotCommand::List(a) => list(ctx, a).await,
        SnapshotCommand::Delete(a) => delete(ctx, g, a).await,
    }
}

async fn create(ctx: &Context, g: Globals, a: CreateArgs) -> Result<()> {
    let json = json_output(&a.output.output)?;
    let verbose = g.verbose && !json;
    let sink = move |e: SnapshotProgress| match e {
        SnapshotProgress::Started { id, name } if verbose => {
            eprintln!("Taking snapshot {name} of machine {id}")
        }
        SnapshotProgress::Waiting { elapsed_ms } if verbose => {
            eprintln!("Waiting for the snapshot ({} s)", elapsed_ms / 1000)
        }
        _ => {}
    };
    let outcome =
        snapshots::create(&ctx.fleet, ctx.selected(), &a.id, &a.name, a.wait, &sink).await?;
    if json {
        out_json(&outcome);
        return Ok(());
    }
    match &outcome.snapshot {
        Some(s) if outcome.available => out(format!(
            "Snapshot {} (id {}) of machine {} is available",
            s.name, s.id, outcome.machine_id
        )),
        Some(s) => out(format!(
            "Snapshot {} (id {}) of machine {} is being taken; `snapshot list` shows when it is available",
            s.name, s.id, outcome.machine_id
        )),
        None => out(format!(
            "Snapshot {} of machine {} is being taken; `snapshot list` shows it once it is available",
            outcome.name, outcome.machine_id
        )),
    }
    Ok(())
}

async fn list(ctx: &Context, a: ListArgs) -> Result<()> {
    let json = json_output(&a.output.output)?;
    let (items, note) = match &a.machine {
        Some(m) => {
            let mine = snapshots::of_machine(&ctx.fleet, ctx.selected(), m).await?;
            let note = (!mine.machine_known).then(|| {
                format!(
                    "The provider does not say which machine a snapshot is of: these are all the account's snapshots, not only {m}'s."
                )
            });
            (mine.snapshots, note)
        }
        None => (snapshots::list(&ctx.fleet, ctx.selected()).await?, None),
    };
    // On stderr, so that it never mixes with the JSON.
    if let Some(n) = note {
        eprintln!("{n}");
    }
    if json {
        out_json(&items);
        return Ok(());
    }
    for s in &items {
        out(line(s));
    }
    Ok(())
}

/// `ID  NAME  STATUS  SIZE  REGIONS  MACHINE  CREATED`, tab-separated like `list`.
fn line(s: &Snapshot) -> String {
    let status = match &s.status {
        SnapshotStatus::Available => "available".to_owned(),
        SnapshotStatus::Pending => "pending".to_owned(),
        SnapshotStatus::Unknown(other) => other.clone(),
    };
    let size = s
        .size_gb
        .map(|g| format!("{g} GB"))
        .unwrap_or_else(|| "-".into());
    let regions = if s.regions.is_empty() {
        "any region".to_owned()
    } else {
        s.regions.join(",")
    };
    format!(
        "{}\t{}\t{status}\t{size}\t{regions}\t{}\t{}",
        s.id,
        s.name,
        s.machine_id.as_deref().unwrap_or("-"),
        s.created_at
    )
}

async fn delete(ctx: &Context, g: Globals, a: DeleteArgs) -> Result<()> {
    let json = json_output(&a.output.output)?;
    if g.dry_run || !a.yes {
        let provider = ctx.provider()?;
        let s = hangar::usecases::snapshots::get_snapshot(provider.as_ref(), &a.id).await?;
        if g.dry_run {
            out(format!(
                "Dry run: would delete snapshot \"{}\" (id: {})",
                s.name, s.id
            ));
            return Ok(());
        }
        out(format!(
            "Type YES (not y or yes or Yes) to confirm that you want to permanently DELETE snapshot \"{}\" (id: {})",
            s.name, s.id
        ));
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        if line.trim_end_matches(['\n', '\r']) != "YES" {
            return Err(Error::cancelled(
                "Snapshot delete aborted, not confirmed by user",
            ));
        }
    }
    let deleted = snapshots::delete(&ctx.fleet, ctx.selected(), &a.id).await?;
    if json {
        out_json(&deleted);
    } else {
        out(format!(
            "Deleted snapshot {} (id {})",
            deleted.name, deleted.id
        ));
    }
    Ok(())
}
