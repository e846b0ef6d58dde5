//! `firewall allow-me ID [--for 2h]`, `firewall list` and `firewall revoke GRANT-ID|--expired`:
//! SSH access to a machine from this computer's public address, for a while.
//!
//! The CLI does not stay to remove a grant at its expiry: the desktop app's sweep removes it,
//! or `hangar firewall revoke --expired`.

use std::net::IpAddr;

use clap::{Args, Subcommand};

use crate::args::{OutputArgs, json_output};
use crate::context::Context;
use crate::output::{out, out_json};
use hangar::error::{Error, Result};
use hangar::fleet::firewall::{self, GrantView};
use hangar::usecases::firewall::{DEFAULT_DURATION, human, parse_duration, unix_now, utc_text};

/// Printed after a grant: nothing removes it from here.
pub const EXPIRY_NOTE: &str = "Hangar removes it once expired while the desktop app runs; \
     otherwise run `hangar firewall revoke --expired` after that time.";

#[derive(Subcommand, Debug)]
pub enum FirewallCommand {
    /// Let SSH (port 22) reach a machine from this computer's public address, for a while
    AllowMe(AllowMeArgs),
    /// List Hangar's firewall grants on the account
    List(ListArgs),
    /// Remove a grant, or every expired one (`--expired`)
    Revoke(RevokeArgs),
}

#[derive(Args, Debug)]
pub struct AllowMeArgs {
    /// The machine's id
    #[arg(value_name = "ID")]
    pub id: String,
    /// How long: 30m, 2h, 1d (1 minute to 7 days; default 1h)
    #[arg(long = "for", value_name = "DURATION")]
    pub duration: Option<String>,
    /// Allow this address instead of asking the "what is my IP" service
    #[arg(long, value_name = "ADDRESS")]
    pub from: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only the grants of this machine
    #[arg(long, value_name = "ID")]
    pub machine: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args, Debug)]
pub struct RevokeArgs {
    /// The grant's id (see `hangar firewall list`)
    #[arg(
        value_name = "GRANT-ID",
        required_unless_present = "expired",
        conflicts_with = "expired"
    )]
    pub id: Option<String>,
    /// Every grant whose time is up
    #[arg(long, alias = "all-expired")]
    pub expired: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub async fn run(ctx: &Context, command: FirewallCommand) -> Result<()> {
    match command {
        FirewallCommand::AllowMe(a) => allow_me(ctx, a).await,
        FirewallCommand::List(a) => list(ctx, a).await,
        FirewallCommand::Revoke(a) => revoke(ctx, a).await,
    }
}

fn line(g: &GrantView) -> String {
    let left = if g.seconds_left == 0 {
        "expired".to_owned()
    } else {
        format!(
            "{} left",
            human(std::time::Duration::from_secs(g.seconds_left.into()))
        )
    };
    format!(
        "{}  machine {}  from {}  port {}  until {} ({left})",
        g.grant.id,
        g.grant.machine_id,
        g.grant.source,
        g.grant.port,
        utc_text(g.grant.expires_at.into())
    )
}

async fn allow_me(ctx: &Context, a: AllowMeArgs) -> Result<()> {
    let json = json_output(&a.output.output)?;
    let duration = match &a.duration {
        Some(d) => parse_duration(d)?,
        None => DEFAULT_DURATION,
    };
    let from = a
        .from
        .as_deref()
        .map(|f| {
            f.trim().parse::<IpAddr>().map_err(|_| {
                Error::validation(format!("--from `{f}` is not an IPv4 or IPv6 address"))
            })
        })
        .transpose()?;
    let note = firewall::note(&ctx.fleet, ctx.selected()).await?;
    eprintln!("Note: {note}");
    let g = firewall::allow_me(&ctx.fleet, ctx.selected(), &a.id, duration, from).await?;
    if json {
        out_json(&g);
    } else {
        out(format!(
            "SSH to machine {} is allowed from {} until {} ({}): grant {}",
            g.grant.machine_id,
            g.grant.source,
            utc_text(g.grant.expires_at.into()),
            human(duration),
            g.grant.id
        ));
        out(EXPIRY_NOTE);
    }
    Ok(())
}

async fn list(ctx: &Context, a: ListArgs) -> Result<()> {
    let json = json_output(&a.output.output)?;
    let grants = firewall::grants(&ctx.fleet, ctx.selected(), a.machine.as_deref()).await?;
    if json {
        out_json(&grants);
    } else if grants.is_empty() {
        out("No firewall grants made by Hangar");
    } else {
        for g in &grants {
            out(line(g));
        }
    }
    Ok(())
}

async fn revoke(ctx: &Context, a: RevokeArgs) -> Result<()> {
    let json = json_output(&a.output.output)?;
    let Some(id) = a.id.filter(|_| !a.expired) else {
        let report = firewall::sweep_account(&ctx.fleet, ctx.selected(), unix_now()).await?;
        if json {
            out_json(&report);
        } else {
            if report.removed.is_empty() {
                out("No expired firewall grant to remove");
            }
            for g in &report.removed {
                out(format!(
                    "Removed expired grant {} (machine {}, from {})",
                    g.id, g.machine_id, g.source
                ));
            }
        }
        return match report.problems.into_iter().next() {
            Some(e) => Err(e),
            None => Ok(()),
        };
    };
    let g = firewall::revoke(&ctx.fleet, ctx.selected(), &id).await?;
    if json {
        out_json(&g);
    } else {
        out(format!(
            "Revoked grant {} (machine {}, from {})",
            g.grant.id, g.grant.machine_id, g.grant.source
        ));
    }
    Ok(())
}
