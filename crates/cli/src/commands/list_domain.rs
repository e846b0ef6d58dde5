//! `list-domain`: the records of a zone (by default those pointing at this session's
//! machines). With `--all-accounts`, every account that hosts the zone (or, without a zone,
//! each account's configured zone), each printed as it answers.

use clap::Args;
use serde_json::Value;

use crate::args::{AccountsArgs, json_output};
use crate::context::Context;
use crate::output::{across, finish, json_with_account, out, out_json, tagged};
use hangar::error::{Error, Result};
use hangar::fleet::PerAccount;
use hangar::usecases::dns::{self, RecordQuery, RecordView};

#[derive(Args, Debug)]
pub struct ListDomainArgs {
    /// The zone (default: the configured dns-zone)
    pub zone: Option<String>,
    /// Filter by name
    #[arg(short, long, value_name = "RECORD-NAME")]
    pub name: Option<String>,
    /// Filter by type (default A and AAAA; `*` for all)
    #[arg(short = 'm', long = "type", value_name = "RECORD-TYPE")]
    pub record_type: Option<String>,
    /// Output format (json)
    #[arg(short, long, value_name = "FORMAT")]
    pub output: Option<String>,
    /// Only display record names
    #[arg(short, long)]
    pub quiet: bool,
    /// Include all records, even those not pointing at this session's machines
    #[arg(long)]
    pub all: bool,
    /// Only A/AAAA records pointing at no machine of the account (printed with their id,
    /// for `hangar dns delete ZONE ID`)
    #[arg(long, conflicts_with = "all")]
    pub orphans: bool,
    #[command(flatten)]
    pub accounts: AccountsArgs,
}

/// One account's records, or `None` when it does not host the zone asked for.
type Records = Option<Vec<RecordView>>;

pub async fn run(ctx: &Context, a: ListDomainArgs) -> Result<()> {
    let many = a.accounts.all_accounts;
    let json = json_output(&a.output)?;
    let print = |account_id: &str, records: &Records| {
        for r in records.iter().flatten() {
            if a.quiet {
                out(&r.name);
            } else {
                let mut line = format!("{}\t{}\t{}", r.name, r.record_type, r.data);
                if a.orphans {
                    line.push_str(&format!("\t{}", r.id));
                }
                out(tagged(ctx, account_id, many, &line));
            }
        }
    };
    let session = &ctx.session;
    let a = &a;
    let answers = across(
        ctx,
        many,
        !json,
        |account, client| async move {
            let Some(zone) = a.zone.clone().or_else(|| account.defaults.dns_zone.clone()) else {
                return Err(Error::validation("no DNS zone specified"));
            };
            let query = RecordQuery {
                zone,
                name: a.name.clone(),
                record_type: a.record_type.clone(),
                all: a.all,
                orphans: a.orphans,
            };
            match dns::list_records(client.as_ref(), session, &query).await {
                Ok(records) => Ok(Some(records)),
                // Across accounts, an account that does not host the zone has nothing to list.
                Err(e) if many && a.zone.is_some() && e.kind == hangar::ErrorKind::NotFound => {
                    Ok(None)
                }
                Err(e) => Err(e),
            }
        },
        &print,
    )
    .await;
    if many && let Some(zone) = &a.zone {
        let hosted = answers.iter().any(|x| matches!(x.outcome(), Ok(Some(_))));
        let failed = answers.iter().any(|x| x.error.is_some());
        if !hosted && !failed {
            return Err(Error::not_found(format!(
                "no account hosts the zone {zone}"
            )));
        }
    }
    if json {
        if many {
            out_json(&json_with_account(ctx, &answers, |rs| {
                rs.iter()
                    .flatten()
                    .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
                    .collect()
            }));
        } else if let Some(Ok(Some(rs))) = answers.first().map(PerAccount::outcome) {
            out_json(rs);
        }
    }
    finish(ctx, answers, many)
}
