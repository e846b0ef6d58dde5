//! Argument groups several subcommands share, and how flag pairs resolve.

use clap::Args;

use hangar::error::{Error, Result};
use hangar::usecases::list::ListFilter;

/// `--flag/--no-flag` with a default.
pub fn flag(on: bool, off: bool, default: bool) -> bool {
    if off {
        false
    } else if on {
        true
    } else {
        default
    }
}

/// `-o json`, or plain text when no format is given.
pub fn json_output(o: &Option<String>) -> Result<bool> {
    match o.as_deref() {
        None => Ok(false),
        Some("json") => Ok(true),
        Some(other) => Err(Error::validation(format!(
            "unknown output format `{other}` (use json)"
        ))),
    }
}

#[derive(Args, Debug)]
pub struct OutputArgs {
    /// Output format (json)
    #[arg(short, long, value_name = "FORMAT")]
    pub output: Option<String>,
}

/// `--all-accounts`: run on every Hangar account at once instead of one.
#[derive(Args, Debug, Clone, Copy)]
pub struct AccountsArgs {
    /// Every Hangar account at once (each account's lines are printed as it answers)
    #[arg(long)]
    pub all_accounts: bool,
}

#[derive(Args, Debug)]
pub struct FilterArgs {
    /// Filter by id
    #[arg(long, value_name = "MACHINE-ID")]
    pub id: Option<String>,
    /// Filter by name
    #[arg(short, long, value_name = "MACHINE-NAME")]
    pub name: Option<String>,
    /// Filter by tag
    #[arg(short, long, value_name = "TAG-TEXT")]
    pub tag: Option<String>,
    /// Filter by type
    #[arg(short = 'm', long = "type", value_name = "MACHINE-TYPE")]
    pub machine_type: Option<String>,
    /// Filter by region
    #[arg(short, long, value_name = "REGION")]
    pub region: Option<String>,
    /// Output format (json)
    #[arg(short, long, value_name = "FORMAT")]
    pub output: Option<String>,
    /// Only display machine IDs
    #[arg(short, long)]
    pub quiet: bool,
    /// All machines, including those not created by this tool or by other sessions
    #[arg(long)]
    pub all: bool,
    /// Return an error when more than one machine matches
    #[arg(long)]
    pub unique: bool,
    #[command(flatten)]
    pub accounts: AccountsArgs,
}

impl FilterArgs {
    pub fn filter(&self) -> ListFilter {
        ListFilter {
            id: self.id.clone(),
            name: self.name.clone(),
            tag: self.tag.clone(),
            machine_type: self.machine_type.clone(),
            region: self.region.clone(),
            all: self.all,
            unique: self.unique,
        }
    }
}
