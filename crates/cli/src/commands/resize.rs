//! `resize ID SIZE [--disk] [--power-off] [-y]`: moves a machine to another plan of its region;
//! `resize ID --list` shows the plans it can move to, with the monthly price difference.
//!
//! Where the provider resizes only a machine that is off (DigitalOcean), `--power-off` agrees
//! to power it off and back on; without it a machine that is on is refused. A resize that grows
//! the disk cannot be undone, so it asks for YES unless `-y`.

use std::io::BufRead;

use clap::Args;

use crate::Globals;
use crate::args::{OutputArgs, json_output};
use crate::context::Context;
use crate::output::{out, out_json};
use hangar::error::{Error, Result};
use hangar::fleet::resize as fleet;
use hangar::usecases::ResizeProgress;
use hangar::usecases::resize::{ResizeChoices, ResizeOpts};

#[derive(Args, Debug)]
pub struct ResizeArgs {
    /// The machine's id
    #[arg(value_name = "ID")]
    pub id: String,
    /// The plan (size slug) to move to; see --list
    #[arg(value_name = "SIZE", required_unless_present = "list")]
    pub size: Option<String>,
    /// List the plans the machine can move to, with the monthly price difference
    #[arg(long, conflicts_with_all = ["disk", "power_off", "yes"])]
    pub list: bool,
    /// Grow the disk with the plan (DigitalOcean; permanent: the disk never shrinks). Without
    /// it only CPU and RAM change. Vultr always grows the disk.
    #[arg(long)]
    pub disk: bool,
    /// Power the machine off first where the provider needs it off, and back on afterwards
    #[arg(long)]
    pub power_off: bool,
    /// Do not ask before a resize that grows the disk for good
    #[arg(short = 'y', long = "yes")]
    pub yes: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub async fn run(ctx: &Context, g: Globals, a: ResizeArgs) -> Result<()> {
    let json = json_output(&a.output.output)?;
    let choices = fleet::resize_options(&ctx.fleet, ctx.selected(), &a.id).await?;
    let Some(size) = a.size.as_deref().filter(|_| !a.list) else {
        if json {
            out_json(&choices);
        } else {
            print_choices(&choices);
        }
        return Ok(());
    };
    let opts = ResizeOpts {
        power_off_first: a.power_off,
        grow_disk: a.disk,
    };
    // Refusals (an unknown plan, a smaller disk) come before the question.
    let option = choices.options.iter().find(|o| o.size.slug == size);
    let grows_for_good = option.is_some_and(|o| {
        o.allowed
            && o.grows_disk
            && choices.rules.disk_resize_irreversible
            && (a.disk || !choices.rules.can_keep_disk)
    });
    if grows_for_good && !a.yes && !g.dry_run {
        let m = &choices.machine;
        out(format!(
            "Resizing machine \"{}\" (id: {}) to {size} grows its disk from {} GB to {} GB, for \
             good: it can never move back to a plan with a smaller disk.",
            m.name,
            m.id,
            choices.disk_gb,
            option.map_or(0, |o| o.size.disk_gb)
        ));
        out("Type YES (not y or yes or Yes) to confirm");
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        if line.trim_end_matches(['\n', '\r']) != "YES" {
            return Err(Error::cancelled("Resize aborted, not confirmed by user"));
        }
    }
    if g.dry_run {
        let o = option.ok_or_else(|| {
            Error::validation(format!(
                "plan `{size}` is not offered in the machine's region"
            ))
        })?;
        if let Some(why) = &o.reason {
            return Err(Error::validation(why.clone()));
        }
        out(format!(
            "Dry run: would resize machine \"{}\" (id: {}) from {} to {size} ({:+.2} USD/month)",
            choices.machine.name,
            choices.machine.id,
            choices.machine.size,
            o.price_difference_monthly
        ));
        return Ok(());
    }
    let quiet = g.quiet || json;
    let sink = move |e: ResizeProgress| {
        if quiet {
            return;
        }
        match e {
            ResizeProgress::PoweringOff { id } => eprintln!("Powering off machine {id}"),
            ResizeProgress::Resizing { id, from, to } => {
                eprintln!("Resizing machine {id} from {from} to {to}")
            }
            ResizeProgress::PoweringOn { id } => eprintln!("Powering machine {id} back on"),
            ResizeProgress::Done => {}
        }
    };
    let resized = fleet::resize(&ctx.fleet, ctx.selected(), &a.id, size, opts, &sink).await?;
    if json {
        out_json(&resized);
    } else {
        out(format!(
            "Resized machine {} ({}) from {} to {}",
            resized.machine.machine.name,
            resized.machine.machine.id,
            resized.from,
            resized.machine.machine.size
        ));
    }
    Ok(())
}

fn print_choices(c: &ResizeChoices) {
    out(format!(
        "Machine \"{}\" (id: {}) in {}: plan {}, disk {} GB",
        c.machine.name, c.machine.id, c.machine.region, c.machine.size, c.disk_gb
    ));
    if c.rules.needs_power_off {
        out(
            "The provider resizes only a powered-off machine: add --power-off to power it off and back on.",
        );
    }
    if c.rules.can_keep_disk {
        out("Without --disk only CPU and RAM change; with --disk the disk grows too, for good.");
    } else if c.rules.disk_resize_irreversible {
        out("The disk grows with the plan, for good: a machine never moves to a smaller disk.");
    }
    out(format!(
        "{:<22} {:>5} {:>8} {:>7} {:>10} {:>11}  {}",
        "PLAN", "VCPUS", "MEMORY", "DISK", "USD/MONTH", "DIFFERENCE", "NOTE"
    ));
    for o in &c.options {
        let note = if o.current {
            "current".to_owned()
        } else if let Some(why) = &o.reason {
            format!("not allowed: {why}")
        } else if o.grows_disk {
            "grows the disk".to_owned()
        } else {
            String::new()
        };
        out(format!(
            "{:<22} {:>5} {:>6}MB {:>5}GB {:>10.2} {:>+11.2}  {note}",
            o.size.slug,
            o.size.vcpus,
            o.size.memory_mb,
            o.size.disk_gb,
            o.size.price_monthly,
            o.price_difference_monthly
        ));
    }
}
