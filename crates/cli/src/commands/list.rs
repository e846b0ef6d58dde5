//! `list`: the machines of the session (or all, with `--all`), of one account or, with
//! `--all-accounts`, of every account, each printed as its account answers.

use clap::Args;
use serde_json::Value;

use crate::args::{FilterArgs, json_output};
use crate::context::Context;
use crate::output::{across, finish, json_with_account, out, out_json, show, tagged};
use hangar::error::{Error, Result};
use hangar::fleet::PerAccount;
use hangar::usecases::MachineSummary;
use hangar::usecases::list::list_machines;

#[derive(Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
}

pub async fn run(ctx: &Context, a: ListArgs) -> Result<()> {
    let many = a.filter.accounts.all_accounts;
    let json = json_output(&a.filter.output)?;
    let mut filter = a.filter.filter();
    // `--unique` across accounts counts every account's matches (at most one may match), so
    // nothing prints early.
    let unique_across = many && filter.unique;
    filter.unique &= !many;
    let print = |account_id: &str, machines: &Vec<MachineSummary>| {
        for m in machines {
            let line = if a.filter.quiet {
                m.id.clone()
            } else {
                format!(
                    "{} ({}, {}, {}): {}",
                    m.name,
                    m.id,
                    m.region,
                    m.machine_type.as_deref().unwrap_or(""),
                    m.ip.as_deref().unwrap_or("")
                )
            };
            out(tagged(ctx, account_id, many && !a.filter.quiet, &line));
        }
    };
    let session = &ctx.session;
    let filter = &filter;
    let answers = across(
        ctx,
        many,
        !json && !unique_across,
        |_, client| async move {
            let machines = list_machines(client.as_ref(), session, filter).await?;
            Ok(machines.iter().map(MachineSummary::from).collect())
        },
        &print,
    )
    .await;
    if unique_across {
        let found: usize = answers
            .iter()
            .filter_map(|a| a.outcome().ok())
            .map(Vec::len)
            .sum();
        if found > 1 {
            return Err(Error::validation(format!(
                "{found} machines match across the accounts, not at most one"
            )));
        }
    }
    if json {
        if many {
            out_json(&json_with_account(ctx, &answers, |ms| {
                ms.iter()
                    .map(|m| serde_json::to_value(m).unwrap_or(Value::Null))
                    .collect()
            }));
        } else if let Some(Ok(ms)) = answers.first().map(PerAccount::outcome) {
            out_json(ms);
        }
    } else if unique_across {
        for answer in &answers {
            show(ctx, many, answer, &print);
        }
    }
    finish(ctx, answers, many)
}
