//! The command-line interface shared by the `hangar` and `machine` binaries. It speaks the
//! interface of the `machine` CLI (same commands, flags and output) over the core's use
//! cases, plus Hangar's own account choice: `--account NAME` (or `HANGAR_ACCOUNT`) picks one
//! of Hangar's accounts, and `--all-accounts` runs `list`, `status`, `domains` and
//! `list-domain` on every account at once.
//!
//! Each subcommand is a module of [`commands`]; [`context`] resolves the accounts, the
//! session and the machine types. Errors go to stderr with exit status 1 (usage errors: 2);
//! `--debug` adds the underlying detail. Library code never exits: [`run`] returns the status
//! for `main` to exit with.

mod args;
mod commands;
mod context;
mod output;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use args::OutputArgs;
use commands::{
    create::CreateArgs, destroy::DestroyArgs, domains::DomainsArgs, list::ListArgs,
    list_domain::ListDomainArgs, status::StatusArgs,
};
use context::Choice;
use hangar::error::{Error, Result};
use hangar::usecases::info;
use output::out;

#[derive(Parser, Debug)]
#[command(
    about = "Create and manage cloud machines (DigitalOcean, Vultr)",
    version
)]
struct Cli {
    /// Enable debug output
    #[arg(long, global = true)]
    debug: bool,
    /// Suppress all non-essential output
    #[arg(long, global = true)]
    quiet: bool,
    /// Enable verbose output
    #[arg(long, global = true)]
    verbose: bool,
    /// Check and say what would be done, change nothing (create, destroy)
    #[arg(long, global = true)]
    dry_run: bool,
    /// A machine-style config file (default: Hangar's settings and keychain)
    #[arg(long, value_name = "PATH", global = true)]
    config_file: Option<PathBuf>,
    /// Use this session id instead of the configured one
    #[arg(long, value_name = "ID", global = true)]
    session_id: Option<String>,
    /// The Hangar account to use, by label or id (default: the first)
    #[arg(long, value_name = "NAME", env = "HANGAR_ACCOUNT", global = true)]
    account: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create a machine
    Create(CreateArgs),
    /// Destroy one or more machines
    Destroy(DestroyArgs),
    /// List machines
    List(ListArgs),
    /// Machine status
    Status(StatusArgs),
    /// List domain records
    ListDomain(ListDomainArgs),
    /// List dns domains
    Domains(DomainsArgs),
    /// DNS records: `dns delete ZONE RECORD-ID`
    #[command(subcommand)]
    Dns(commands::dns::DnsCommand),
    /// Rename a machine (and its DNS records)
    Rename(commands::rename::RenameArgs),
    /// Add or remove a machine's own tags: `tag add|remove ID TAG...`
    #[command(subcommand)]
    Tag(commands::tag::TagCommand),
    /// Protect machines against deletion: `protect on|off ID...`
    #[command(subcommand)]
    Protect(commands::protect::ProtectCommand),
    /// Move a machine to another plan (`--list` shows the plans and prices)
    Resize(commands::resize::ResizeArgs),
    /// Erase a machine and reinstall it from an image
    Rebuild(commands::rebuild::RebuildArgs),
    /// Machine snapshots: `snapshot create ID --name NAME [--wait]|list|delete SNAPSHOT-ID`
    #[command(subcommand)]
    Snapshot(commands::snapshot::SnapshotCommand),
    /// SSH from this computer for a while: `firewall allow-me ID [--for 2h]|list|revoke`
    #[command(subcommand)]
    Firewall(commands::firewall::FirewallCommand),
    /// List ssh keys
    SshKeys(OutputArgs),
    /// List projects
    Projects(OutputArgs),
    /// List machine types
    Types(OutputArgs),
    /// Check the configuration against the account
    Check,
    /// Account and session information
    Info(OutputArgs),
    /// Show the version
    Version,
}

impl Command {
    /// Whether the command runs on every account (`--all-accounts`).
    fn all_accounts(&self) -> bool {
        match self {
            Command::List(a) => a.filter.accounts.all_accounts,
            Command::Status(a) => a.filter.accounts.all_accounts,
            Command::ListDomain(a) => a.accounts.all_accounts,
            Command::Domains(a) => a.accounts.all_accounts,
            _ => false,
        }
    }
}

/// The global flags a command may look at.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Globals {
    pub quiet: bool,
    pub verbose: bool,
    pub debug: bool,
    /// Check and say what would be done, change nothing (create, destroy).
    pub dry_run: bool,
}

/// Parses `args`, runs the command and returns the process exit status.
pub fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let debug = cli.debug;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("Error: could not start: {e}");
            return 1;
        }
    };
    match runtime.block_on(execute(cli)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("Error: {}", e.message);
            if debug && let Some(d) = &e.detail {
                eprintln!("Debug: {d}");
            }
            1
        }
    }
}

/// The entry point of a binary: runs with the process arguments and exits.
pub fn main() -> ! {
    std::process::exit(run(std::env::args_os()))
}

async fn execute(cli: Cli) -> Result<()> {
    if let Command::Version = cli.command {
        out(info::version());
        return Ok(());
    }
    if cli.command.all_accounts() && cli.account.is_some() {
        return Err(Error::validation(
            "--all-accounts runs on every account; leave out --account (or HANGAR_ACCOUNT)",
        ));
    }
    let ctx = context::load(Choice {
        config_file: cli.config_file.as_deref(),
        session_override: cli.session_id.as_deref(),
        account: cli.account.as_deref(),
    })
    .await?;
    if cli.debug
        && let Some(c) = &ctx.machine_config
    {
        eprintln!("Loaded config file: {}", c.path.display());
        eprintln!(
            "Parsed config (secrets redacted):\n{}",
            c.redacted.trim_end()
        );
    }
    let globals = Globals {
        quiet: cli.quiet,
        verbose: cli.verbose,
        debug: cli.debug,
        dry_run: cli.dry_run,
    };
    match cli.command {
        // Printed above, before any configuration is read.
        Command::Version => Ok(()),
        Command::Create(a) => commands::create::run(&ctx, globals, a).await,
        Command::Destroy(a) => commands::destroy::run(&ctx, globals, a).await,
        Command::List(a) => commands::list::run(&ctx, a).await,
        Command::Status(a) => commands::status::run(&ctx, a).await,
        Command::ListDomain(a) => commands::list_domain::run(&ctx, a).await,
        Command::Domains(a) => commands::domains::run(&ctx, a).await,
        Command::Dns(c) => commands::dns::run(&ctx, globals, c).await,
        Command::Rename(a) => commands::rename::run(&ctx, a).await,
        Command::Tag(c) => commands::tag::run(&ctx, c).await,
        Command::Protect(c) => commands::protect::run(&ctx, c).await,
        Command::Resize(a) => commands::resize::run(&ctx, globals, a).await,
        Command::Rebuild(a) => commands::rebuild::run(&ctx, globals, a).await,
        Command::Snapshot(c) => commands::snapshot::run(&ctx, globals, c).await,
        Command::Firewall(c) => commands::firewall::run(&ctx, c).await,
        Command::SshKeys(a) => commands::names::ssh_keys(&ctx, a).await,
        Command::Projects(a) => commands::names::projects(&ctx, a).await,
        Command::Types(a) => commands::names::types(&ctx, a),
        Command::Check => commands::check::run(&ctx).await,
        Command::Info(a) => commands::info::run(&ctx, a),
    }
}
