//! `status`: each machine's provider status and its status check (cloud-init by default),
//! for one account or, with `--all-accounts`, every account as it answers.

use std::time::Duration;

use clap::Args;
use serde_json::{Value, json};

use crate::args::{FilterArgs, json_output};
use crate::context::Context;
use crate::output::{across, finish, json_with_account, out, out_json, tagged};
use hangar::error::Result;
use hangar::fleet::PerAccount;
use hangar::usecases::status::{DEFAULT_PORT, MachineStatusReport, StatusOptions, machine_status};

#[derive(Args, Debug)]
pub struct StatusArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Status check to perform
    #[arg(long, value_name = "CHECK", default_value = "cloud-init-status")]
    pub status_check: String,
    /// Port the status check is served on
    #[arg(long, value_name = "PORT", default_value_t = DEFAULT_PORT)]
    pub status_port: u16,
}

pub async fn run(ctx: &Context, a: StatusArgs) -> Result<()> {
    let many = a.filter.accounts.all_accounts;
    let json = json_output(&a.filter.output)?;
    let opts = StatusOptions {
        filter: a.filter.filter(),
        port: a.status_port,
        check: a.status_check.clone(),
        timeout: Duration::from_secs(3),
    };
    let item = |s: &MachineStatusReport| {
        let mut o = json!({"name": s.name, "id": s.id, "machine-status": s.machine_status});
        o[a.status_check.as_str()] = json!(s.check_status);
        o
    };
    let print = |account_id: &str, reports: &Vec<MachineStatusReport>| {
        for s in reports {
            if a.filter.quiet {
                out(&s.id);
            } else {
                let line = format!(
                    "{} ({}):\tmachine-status={}\t{}={}",
                    s.name, s.id, s.machine_status, a.status_check, s.check_status
                );
                out(tagged(ctx, account_id, many, &line));
            }
        }
    };
    // `-q` wins over `-o json`, as in `machine`.
    let json = json && !a.filter.quiet;
    let session = &ctx.session;
    let opts = &opts;
    let answers = across(
        ctx,
        many,
        !json,
        |_, client| async move { machine_status(client.as_ref(), session, opts).await },
        &print,
    )
    .await;
    if json {
        if many {
            out_json(&json_with_account(ctx, &answers, |rs| {
                rs.iter().map(item).collect()
            }));
        } else if let Some(Ok(rs)) = answers.first().map(PerAccount::outcome) {
            out(Value::Array(rs.iter().map(item).collect()).to_string());
        }
    }
    finish(ctx, answers, many)
}
