//! `info`: the config file, the session id and its file, the providers, the account and the
//! machine types. Read from the configuration only: it works offline and shows no secret.

use crate::args::{OutputArgs, json_output};
use crate::context::Context;
use crate::output::{out, out_json};
use hangar::error::Result;
use hangar::settings::SettingsFile;
use hangar::usecases::info;

pub fn run(ctx: &Context, a: OutputArgs) -> Result<()> {
    let (config_file, session_file) = match &ctx.machine_config {
        Some(c) => (
            c.path.display().to_string(),
            c.session_file.display().to_string(),
        ),
        None => {
            let settings = SettingsFile::default_location()?
                .path()
                .display()
                .to_string();
            (settings.clone(), settings)
        }
    };
    let account = ctx.account();
    let i = info::info(
        config_file,
        session_file,
        ctx.session.as_str(),
        account.provider,
        &account.label,
        ctx.machine_types.keys().cloned().collect(),
    );
    if json_output(&a.output)? {
        out_json(&i);
    } else {
        out(format!("Config file: {}", i.config_file));
        out(format!("Session ID file: {}", i.session_id_file));
        out(format!("Session ID: {}", i.session_id));
        out(format!(
            "Supported providers: {}",
            i.supported_providers.join(", ")
        ));
        out(format!("Active provider: {}", i.active_provider));
        out(format!("Account: {}", i.account));
        out(format!("Machine types: {}", i.machine_types.join(", ")));
        out(format!("Version: {}", i.version));
    }
    Ok(())
}
