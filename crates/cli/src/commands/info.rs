//! `info`: the config in use, the session id, the providers and the account.

use std::path::Path;

use crate::args::{OutputArgs, json_output};
use crate::context::{Context, provider_sections};
use crate::output::{out, out_json};
use hangar::error::Result;
use hangar::usecases::info;

pub async fn run(ctx: &Context, config_file: Option<&Path>, a: OutputArgs) -> Result<()> {
    let provider = ctx.provider()?;
    let i = info::info(provider.as_ref(), ctx.session.as_str()).await?;
    if json_output(&a.output)? {
        out_json(&i);
    } else {
        out(format!(
            "Config file: {}",
            config_file
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "(Hangar settings)".into())
        ));
        out(format!("Session ID: {}", i.session_id));
        out(format!("Supported providers: {}", provider_sections()));
        out(format!(
            "Active provider: {}",
            i.account.provider.display_name()
        ));
        out(format!("Account: {}", i.account.email));
        out(format!("Version: {}", i.version));
    }
    Ok(())
}
