//! `protect on ID...` and `protect off ID...`: protection against deletion. A protected
//! machine is refused by `destroy` (even with `--all`) and by the app.

use clap::{Args, Subcommand};

use crate::args::{OutputArgs, json_output};
use crate::context::Context;
use crate::output::{out, out_json};
use hangar::error::Result;
use hangar::fleet::manage;

#[derive(Subcommand, Debug)]
pub enum ProtectCommand {
    /// Protect machines against deletion
    On(ProtectArgs),
    /// Allow machines to be destroyed again
    Off(ProtectArgs),
}

#[derive(Args, Debug)]
pub struct ProtectArgs {
    /// One or more machine ids
    #[arg(value_name = "ID", required = true)]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub async fn run(ctx: &Context, command: ProtectCommand) -> Result<()> {
    let (a, on) = match command {
        ProtectCommand::On(a) => (a, true),
        ProtectCommand::Off(a) => (a, false),
    };
    let json = json_output(&a.output.output)?;
    for id in &a.ids {
        let view = manage::set_protection(&ctx.fleet, ctx.selected(), id, on).await?;
        if json {
            out_json(&view);
        } else {
            let state = if view.protected {
                "protected against deletion"
            } else {
                "not protected"
            };
            out(format!(
                "Machine {} ({}) is {state}",
                view.machine.name, view.machine.id
            ));
        }
    }
    Ok(())
}
