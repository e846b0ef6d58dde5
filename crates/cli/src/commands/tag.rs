//! `tag add ID TAG...` and `tag remove ID TAG...`: the user's own tags of a machine. Hangar's
//! `machine:` tags are refused (see `protect` for the protection tag).

use clap::{Args, Subcommand};

use crate::args::{OutputArgs, json_output};
use crate::context::Context;
use crate::output::{out, out_json};
use hangar::error::Result;
use hangar::fleet::manage;

#[derive(Subcommand, Debug)]
pub enum TagCommand {
    /// Add tags to a machine
    Add(TagArgs),
    /// Remove tags from a machine
    Remove(TagArgs),
}

#[derive(Args, Debug)]
pub struct TagArgs {
    /// The machine's id
    #[arg(value_name = "ID")]
    pub id: String,
    /// One or more tags
    #[arg(value_name = "TAG", required = true)]
    pub tags: Vec<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub async fn run(ctx: &Context, command: TagCommand) -> Result<()> {
    let (a, add, remove) = match command {
        TagCommand::Add(a) => {
            let tags = a.tags.clone();
            (a, tags, Vec::new())
        }
        TagCommand::Remove(a) => {
            let tags = a.tags.clone();
            (a, Vec::new(), tags)
        }
    };
    let json = json_output(&a.output.output)?;
    let view = manage::change_tags(&ctx.fleet, ctx.selected(), &a.id, &add, &remove).await?;
    if json {
        out_json(&view);
    } else {
        out(format!(
            "Machine {} ({}) tags: {}",
            view.machine.name,
            view.machine.id,
            view.user_tags.join(", ")
        ));
    }
    Ok(())
}
