//! `domains`: the DNS zones of one account or, with `--all-accounts`, of every account as
//! each answers.

use clap::Args;
use serde_json::json;

use crate::args::{AccountsArgs, OutputArgs, json_output};
use crate::context::Context;
use crate::output::{across, finish, json_with_account, out, out_json, tagged};
use hangar::error::Result;
use hangar::fleet::PerAccount;
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
    let print = |account_id: &str, zones: &Vec<String>| {
        for z in zones {
            out(tagged(ctx, account_id, many, z));
        }
    };
    let answers = across(
        ctx,
        many,
        !json,
        |_, client| async move { dns::list_zones(client.as_ref()).await },
        &print,
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
