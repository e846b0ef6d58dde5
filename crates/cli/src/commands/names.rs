//! `ssh-keys`, `projects` and `types`: the account's SSH keys, its projects and the machine
//! types, as lines or `-o json`.

use crate::args::{OutputArgs, json_output};
use crate::context::Context;
use crate::output::{out, out_json};
use hangar::error::Result;
use hangar::usecases::catalog;

fn names(list: Vec<String>, output: &OutputArgs) -> Result<()> {
    if json_output(&output.output)? {
        out_json(&list);
    } else {
        list.iter().for_each(out);
    }
    Ok(())
}

/// `projects`: the names of the account's projects.
pub async fn projects(ctx: &Context, a: OutputArgs) -> Result<()> {
    let provider = ctx.provider()?;
    let projects = catalog::projects(provider.as_ref()).await?;
    names(projects.into_iter().map(|p| p.name).collect(), &a)
}

/// `types`: the names of the machine types.
pub fn types(ctx: &Context, a: OutputArgs) -> Result<()> {
    names(catalog::machine_types(&ctx.machine_types), &a)
}

/// `ssh-keys`: `id: name (fingerprint)` per key.
pub async fn ssh_keys(ctx: &Context, a: OutputArgs) -> Result<()> {
    let provider = ctx.provider()?;
    let keys = catalog::ssh_keys(provider.as_ref()).await?;
    if json_output(&a.output)? {
        out_json(&keys);
    } else {
        for k in &keys {
            out(format!(
                "{}: {} ({})",
                k.id,
                k.name,
                k.fingerprint.as_deref().unwrap_or("")
            ));
        }
    }
    Ok(())
}
