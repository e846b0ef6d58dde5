//! `rebuild ID IMAGE [--snapshot] [-y]`: erases a machine's disk and reinstalls it from a
//! catalog image (or, with `--snapshot`, from one of the account's snapshots). Since it erases
//! the disk it asks for the machine's name, typed out, unless `-y`.

use std::io::BufRead;

use clap::Args;

use crate::Globals;
use crate::args::{OutputArgs, json_output};
use crate::context::Context;
use crate::output::{out, out_json};
use hangar::error::{Error, Result};
use hangar::fleet::resize as fleet;
use hangar::provider::ImageRef;
use hangar::usecases::RebuildProgress;

#[derive(Args, Debug)]
pub struct RebuildArgs {
    /// The machine's id
    #[arg(value_name = "ID")]
    pub id: String,
    /// The image to install: an image id of the catalog (DigitalOcean slug, Vultr OS id), or
    /// with --snapshot a snapshot id
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// IMAGE is one of the account's snapshots
    #[arg(long)]
    pub snapshot: bool,
    /// Do not ask for the machine's name
    #[arg(short = 'y', long = "yes")]
    pub yes: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub async fn run(ctx: &Context, g: Globals, a: RebuildArgs) -> Result<()> {
    let json = json_output(&a.output.output)?;
    let image = if a.snapshot {
        ImageRef::Snapshot(a.image.clone())
    } else {
        ImageRef::Image(a.image.clone())
    };
    if !a.yes || g.dry_run {
        let provider = ctx.provider()?;
        let m = provider.get_machine(&a.id).await.map_err(|e| {
            if e.is_not_found() {
                Error::not_found(format!("machine with id {} not found", a.id))
            } else {
                e.into()
            }
        })?;
        if g.dry_run {
            out(format!(
                "Dry run: would erase machine \"{}\" (id: {}) and reinstall it from {image}",
                m.name, m.id
            ));
            return Ok(());
        }
        out(format!(
            "Rebuilding ERASES the disk of machine \"{}\" (id: {}) and reinstalls it from {image}. \
             Type the machine's name ({}) to confirm",
            m.name, m.id, m.name
        ));
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        if line.trim_end_matches(['\n', '\r']) != m.name {
            return Err(Error::cancelled(
                "Rebuild aborted, the machine's name was not typed",
            ));
        }
    }
    let quiet = g.quiet || json;
    let sink = move |e: RebuildProgress| {
        if let (false, RebuildProgress::Rebuilding { id, image }) = (quiet, e) {
            eprintln!("Rebuilding machine {id} from {image}");
        }
    };
    let rebuilt = fleet::rebuild(&ctx.fleet, ctx.selected(), &a.id, &image, &sink).await?;
    if json {
        out_json(&rebuilt);
    } else {
        out(format!(
            "Rebuilt machine {} ({}) from {image}; {}",
            rebuilt.machine.machine.name,
            rebuilt.machine.machine.id,
            if rebuilt.kept_ip {
                "it kept its IP address"
            } else {
                "its IP address changed"
            }
        ));
    }
    Ok(())
}
