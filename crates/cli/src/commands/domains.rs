//! `domains`: the DNS zones of one account or, with `--all-accounts`, of every account as
//! each answers.

use clap::Args;
use serde_json::json;

use crate::args::{AccountsArgs, OutputArgs, json_output};
use crate::context::Context;
use crate::output::{finish, json_with_account, out, out_json, report_failure, tagged};
use hangar::error::Result;
use hangar::fleet::{PerAccount, fan_out, ignore_each};
use hangar::usecases::dns;

#[derive(Args, Debug)]
pub struct DomainsArgs {
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub accounts: AccountsArgs,
}

pub async fn run(ctx: &Context, a: DomainsArgs) -> Result<()> {
    let many = a.accounts.all_accounts;
    let json = json_output(&a.output.output)?;
    let print = |answer: &PerAccount<Vec<String>>| {
        if many {
            report_failure(ctx, answer);
        }
        if let Ok(zones) = answer.outcome() {
            for z in zones {
                out(tagged(ctx, &answer.account_id, many, z));
            }
        }
    };
    let on_each: &(dyn Fn(&PerAccount<Vec<String>>) + Send + Sync) =
        if json { &ignore_each } else { &print };
    let answers = fan_out(
        ctx.accounts(many).into_iter().map(|account| (account, ())),
        |_, client, ()| async move { dns::list_zones(client.as_ref()).await },
        on_each,
    )
    .await;
    if json {
        if many {
            out_json(&json_with_account(ctx, &answers, |zones| {
                zones.iter().map(|z| json!({ "zone": z })).collect()
            }));
        } else if let Some(Ok(zones)) = answers.first().map(PerAccount::outcome) {
            out_json(zones);
        }
    }
    finish(ctx, answers, many)
}
