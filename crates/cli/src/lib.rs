//! The command-line interface shared by the `hangar` and `machine` binaries. It speaks the
//! interface of the `machine` CLI (same commands, flags and output) over the use cases.
//!
//! Errors go to stderr with exit status 1 (usage errors: 2); `--debug` adds the underlying
//! detail. Library code never exits: [`run`] returns the status for `main` to exit with.

mod context;

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgAction, Args, Parser, Subcommand};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use hangar::error::{Error, ErrorKind, Result};
use hangar::usecases::create::{CreateContext, CreateOptions, PollPolicy, create_machine};
use hangar::usecases::destroy::{DestroyOptions, destroy_machines, refuse_foreign};
use hangar::usecases::list::{ListFilter, list_machines};
use hangar::usecases::status::{DEFAULT_PORT, StatusOptions, machine_status};
use hangar::usecases::{MachineSummary, Progress, catalog, check, dns, info};
use context::Context;

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
    /// A machine-style config file (default: Hangar's settings and keychain)
    #[arg(long, value_name = "PATH", global = true)]
    config_file: Option<PathBuf>,
    /// Use this session id instead of the configured one
    #[arg(long, value_name = "ID", global = true)]
    session_id: Option<String>,
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
    Domains(OutputArgs),
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

#[derive(Args, Debug)]
struct OutputArgs {
    /// Output format (json)
    #[arg(short, long, value_name = "FORMAT")]
    output: Option<String>,
}

#[derive(Args, Debug)]
struct CreateArgs {
    /// Name for new machine
    #[arg(short, long, value_name = "MACHINE-NAME")]
    name: String,
    /// Tag to be applied to new machine
    #[arg(short, long, value_name = "TAG-TEXT")]
    tag: Option<String>,
    /// Create a machine of this type
    #[arg(short = 'm', long = "type", value_name = "MACHINE-TYPE")]
    machine_type: Option<String>,
    /// Create a machine in this region (overrides default from config)
    #[arg(short, long, value_name = "REGION-CODE")]
    region: Option<String>,
    /// Create a machine of this size (overrides default from config)
    #[arg(short = 's', long, value_name = "MACHINE-SLUG")]
    machine_size: Option<String>,
    /// Create a machine from this image (overrides default from config)
    #[arg(short, long, value_name = "IMAGE-NAME")]
    image: Option<String>,
    /// Wait for the public IP address (default)
    #[arg(long = "wait-for-ip", overrides_with = "no_wait_for_ip", default_value_t = true, action = ArgAction::SetTrue)]
    wait_for_ip: bool,
    /// Do not wait for the IP (no DNS record then)
    #[arg(long = "no-wait-for-ip", action = ArgAction::SetTrue)]
    no_wait_for_ip: bool,
    /// Show progress while waiting (default)
    #[arg(long, overrides_with = "no_progress", action = ArgAction::SetTrue)]
    progress: bool,
    /// Do not show progress
    #[arg(long = "no-progress", action = ArgAction::SetTrue)]
    no_progress: bool,
    /// Create the DNS record <name>.<zone> (default when a zone is configured)
    #[arg(long = "update-dns", overrides_with = "no_update_dns", action = ArgAction::SetTrue)]
    update_dns: bool,
    /// Do not create a DNS record
    #[arg(long = "no-update-dns", action = ArgAction::SetTrue)]
    no_update_dns: bool,
    /// Set the machine up from its type (default; needs --type)
    #[arg(long, overrides_with = "no_initialize", action = ArgAction::SetTrue)]
    initialize: bool,
    /// Do not set the machine up
    #[arg(long = "no-initialize", action = ArgAction::SetTrue)]
    no_initialize: bool,
    /// Output format (json)
    #[arg(short, long, value_name = "FORMAT")]
    output: Option<String>,
}

#[derive(Args, Debug)]
struct DestroyArgs {
    /// Machine ids
    #[arg(value_name = "MACHINE-IDS")]
    ids: Vec<String>,
    /// Ask for YES before destroying each machine (default)
    #[arg(long, overrides_with = "no_confirm", action = ArgAction::SetTrue)]
    confirm: bool,
    /// Do not ask
    #[arg(long = "no-confirm", action = ArgAction::SetTrue)]
    no_confirm: bool,
    /// Delete the DNS records pointing at the machine (default)
    #[arg(long = "delete-dns", overrides_with = "no_delete_dns", action = ArgAction::SetTrue)]
    delete_dns: bool,
    /// Keep the DNS records
    #[arg(long = "no-delete-dns", action = ArgAction::SetTrue)]
    no_delete_dns: bool,
    /// Include machines not created by this tool or by other sessions
    #[arg(long)]
    all: bool,
}

#[derive(Args, Debug)]
struct FilterArgs {
    /// Filter by id
    #[arg(long, value_name = "MACHINE-ID")]
    id: Option<String>,
    /// Filter by name
    #[arg(short, long, value_name = "MACHINE-NAME")]
    name: Option<String>,
    /// Filter by tag
    #[arg(short, long, value_name = "TAG-TEXT")]
    tag: Option<String>,
    /// Filter by type
    #[arg(short = 'm', long = "type", value_name = "MACHINE-TYPE")]
    machine_type: Option<String>,
    /// Filter by region
    #[arg(short, long, value_name = "REGION")]
    region: Option<String>,
    /// Output format (json)
    #[arg(short, long, value_name = "FORMAT")]
    output: Option<String>,
    /// Only display machine IDs
    #[arg(short, long)]
    quiet: bool,
    /// All machines, including those not created by this tool or by other sessions
    #[arg(long)]
    all: bool,
    /// Return an error unless exactly one machine matches
    #[arg(long)]
    unique: bool,
}

impl FilterArgs {
    fn filter(&self) -> ListFilter {
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

#[derive(Args, Debug)]
struct ListArgs {
    #[command(flatten)]
    filter: FilterArgs,
}

#[derive(Args, Debug)]
struct StatusArgs {
    #[command(flatten)]
    filter: FilterArgs,
    /// Status check to perform
    #[arg(long, value_name = "CHECK", default_value = "cloud-init-status")]
    status_check: String,
    /// Port the status check is served on
    #[arg(long, value_name = "PORT", default_value_t = DEFAULT_PORT)]
    status_port: u16,
}

#[derive(Args, Debug)]
struct ListDomainArgs {
    /// The zone (default: the configured dns-zone)
    zone: Option<String>,
    /// Filter by name
    #[arg(short, long, value_name = "RECORD-NAME")]
    name: Option<String>,
    /// Filter by type (default A and AAAA; `*` for all)
    #[arg(short = 'm', long = "type", value_name = "RECORD-TYPE")]
    record_type: Option<String>,
    /// Output format (json)
    #[arg(short, long, value_name = "FORMAT")]
    output: Option<String>,
    /// Only display record names
    #[arg(short, long)]
    quiet: bool,
    /// Include all records, even those not pointing at this session's machines
    #[arg(long)]
    all: bool,
}

/// The provider section names of a `machine` config.
const SUPPORTED_PROVIDERS: &str = "digital-ocean, vultr";

/// `--flag/--no-flag` with a default.
fn flag(on: bool, off: bool, default: bool) -> bool {
    if off {
        false
    } else if on {
        true
    } else {
        default
    }
}

fn json_output(o: &Option<String>) -> Result<bool> {
    match o.as_deref() {
        None => Ok(false),
        Some("json") => Ok(true),
        Some(other) => Err(Error::validation(format!(
            "unknown output format `{other}` (use json)"
        ))),
    }
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

fn out(line: impl AsRef<str>) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{}", line.as_ref());
}

async fn execute(cli: Cli) -> Result<()> {
    if let Command::Version = cli.command {
        out(info::version());
        return Ok(());
    }
    let ctx = context::load(cli.config_file.as_deref(), cli.session_id.as_deref())?;
    let p = ctx.provider.as_ref();
    match cli.command {
        // Printed above, before any configuration is read.
        Command::Version => Ok(()),
        Command::Create(a) => create(&ctx, cli.quiet, a).await,
        Command::Destroy(a) => destroy(&ctx, cli.verbose || cli.debug, a).await,
        Command::List(a) => {
            let ms = list_machines(p, &ctx.session, &a.filter.filter()).await?;
            let ms: Vec<MachineSummary> = ms.iter().map(MachineSummary::from).collect();
            if json_output(&a.filter.output)? {
                out(serde_json::to_string(&ms).unwrap_or_default());
            } else if a.filter.quiet {
                ms.iter().for_each(|m| out(&m.id));
            } else {
                for m in &ms {
                    out(format!(
                        "{} ({}, {}, {}): {}",
                        m.name,
                        m.id,
                        m.region,
                        m.machine_type.as_deref().unwrap_or(""),
                        m.ip.as_deref().unwrap_or("")
                    ));
                }
            }
            Ok(())
        }
        Command::Status(a) => {
            let opts = StatusOptions {
                filter: a.filter.filter(),
                port: a.status_port,
                check: a.status_check.clone(),
                timeout: Duration::from_secs(3),
            };
            let st = machine_status(p, &ctx.session, &opts).await?;
            if a.filter.quiet {
                st.iter().for_each(|s| out(&s.id));
            } else if json_output(&a.filter.output)? {
                let v: Vec<Value> = st
                    .iter()
                    .map(|s| {
                        let mut o =
                            json!({"name": s.name, "id": s.id, "machine-status": s.machine_status});
                        o[a.status_check.as_str()] = json!(s.check_status);
                        o
                    })
                    .collect();
                out(Value::Array(v).to_string());
            } else {
                for s in &st {
                    out(format!(
                        "{} ({}):\tmachine-status={}\t{}={}",
                        s.name, s.id, s.machine_status, a.status_check, s.check_status
                    ));
                }
            }
            Ok(())
        }
        Command::ListDomain(a) => {
            let zone = a
                .zone
                .clone()
                .or_else(|| ctx.defaults.dns_zone.clone())
                .ok_or_else(|| Error::validation("no DNS zone specified"))?;
            let records = dns::list_records(
                p,
                &ctx.session,
                &dns::RecordQuery {
                    zone,
                    name: a.name.clone(),
                    record_type: a.record_type.clone(),
                    all: a.all,
                },
            )
            .await?;
            if json_output(&a.output)? {
                out(serde_json::to_string(&records).unwrap_or_default());
            } else if a.quiet {
                records.iter().for_each(|r| out(&r.name));
            } else {
                for r in &records {
                    out(format!("{}\t{}\t{}", r.name, r.record_type, r.data));
                }
            }
            Ok(())
        }
        Command::Domains(a) => names(dns::list_zones(p).await?, &a.output),
        Command::Projects(a) => names(
            catalog::projects(p)
                .await?
                .into_iter()
                .map(|p| p.name)
                .collect(),
            &a.output,
        ),
        Command::Types(a) => names(catalog::machine_types(&ctx.machine_types), &a.output),
        Command::SshKeys(a) => {
            let keys = catalog::ssh_keys(p).await?;
            if json_output(&a.output)? {
                out(serde_json::to_string(&keys).unwrap_or_default());
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
        Command::Check => {
            let d = &ctx.defaults;
            let items = check::check(
                p,
                &check::CheckOptions {
                    ssh_keys: d.ssh_keys.clone(),
                    dns_zone: d.dns_zone.clone(),
                    project: d.project.clone(),
                    region: d.region.clone(),
                    size: d.size.clone(),
                    image: d.image.clone(),
                },
            )
            .await?;
            out(format!(
                "Checking config for provider: {}",
                p.kind().display_name()
            ));
            for i in &items {
                if i.detail.is_empty() {
                    out(format!("  {}: {}", i.status.label(), i.check));
                } else {
                    out(format!(
                        "  {}: {} ({})",
                        i.status.label(),
                        i.check,
                        i.detail
                    ));
                }
            }
            if items.len() == 1 && !items[0].passed() {
                out("\nAPI authentication failed, skipping remaining checks.");
                return Err(Error::new(
                    ErrorKind::Auth,
                    "the provider rejected the credentials: check the token",
                ));
            }
            if items.iter().all(|i| i.passed()) {
                out("\nAll checks passed.");
                Ok(())
            } else {
                out("\nSome checks failed.");
                Err(Error::validation(format!(
                    "{} of {} checks failed",
                    items.iter().filter(|i| !i.passed()).count(),
                    items.len()
                )))
            }
        }
        Command::Info(a) => {
            let i = info::info(p, ctx.session.as_str()).await?;
            if json_output(&a.output)? {
                out(serde_json::to_string(&i).unwrap_or_default());
            } else {
                out(format!(
                    "Config file: {}",
                    cli.config_file
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| "(Hangar settings)".into())
                ));
                out(format!("Session ID: {}", i.session_id));
                out(format!("Supported providers: {}", SUPPORTED_PROVIDERS));
                out(format!(
                    "Active provider: {}",
                    i.account.provider.display_name()
                ));
                out(format!("Account: {}", i.account.email));
                out(format!("Version: {}", i.version));
            }
            Ok(())
        }
    }
}

fn names(list: Vec<String>, output: &Option<String>) -> Result<()> {
    if json_output(output)? {
        out(serde_json::to_string(&list).unwrap_or_default());
    } else {
        list.iter().for_each(out);
    }
    Ok(())
}

async fn create(ctx: &Context, quiet: bool, a: CreateArgs) -> Result<()> {
    let json = json_output(&a.output)?;
    let d = &ctx.defaults;
    let missing = |what: &str, flag: &str| {
        Error::validation(format!(
            "no {what}: pass {flag} or set a default in the configuration"
        ))
    };
    let opts = CreateOptions {
        name: a.name.clone(),
        region: a
            .region
            .clone()
            .or_else(|| d.region.clone())
            .ok_or_else(|| missing("region", "--region"))?,
        size: a
            .machine_size
            .clone()
            .or_else(|| d.size.clone())
            .ok_or_else(|| missing("machine size", "--machine-size"))?,
        image: a
            .image
            .clone()
            .or_else(|| d.image.clone())
            .ok_or_else(|| missing("image", "--image"))?,
        ssh_keys: d.ssh_keys.clone(),
        dns_zone: d.dns_zone.clone(),
        // On by default when there is a zone and an IP to point at; asked for explicitly
        // without them, pre-flight says what is missing.
        update_dns: flag(
            a.update_dns,
            a.no_update_dns,
            d.dns_zone.is_some() && !a.no_wait_for_ip,
        ),
        project: d.project.clone(),
        machine_type: a.machine_type.clone(),
        initialize: flag(a.initialize, a.no_initialize, true),
        extra_tag: a.tag.clone(),
        wait_for_ip: flag(a.wait_for_ip, a.no_wait_for_ip, true),
        poll: PollPolicy::default(),
    };
    let text = !json && !quiet;
    let show_progress = flag(a.progress, a.no_progress, true) && text;
    let sink = move |p: Progress| match p {
        Progress::Created { id, .. } if text => out(format!("New machine created with id: {id}")),
        Progress::IpAssigned { ip } if text => out(format!("IP Address: {ip}")),
        Progress::DnsRecordCreated { fqdn, .. } if text => out(format!("DNS: {fqdn}")),
        Progress::WaitingForIp { elapsed_ms } if show_progress => {
            eprintln!("Waiting for IP address ({} s)", elapsed_ms / 1000)
        }
        Progress::ProjectAssigned { project } if show_progress => {
            eprintln!("Assigned to project {project}")
        }
        _ => {}
    };
    let cancel = CancellationToken::new();
    let on_ctrl_c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.cancel();
        }
    });
    let outcome = create_machine(
        ctx.provider.as_ref(),
        &CreateContext {
            session: &ctx.session,
            machine_types: &ctx.machine_types,
        },
        &opts,
        &sink,
        &cancel,
    )
    .await?;
    if json {
        let m = &outcome.machine;
        out(json!({"id": m.id, "name": m.name, "tags": m.tags, "region": m.region, "ip": outcome.ip, "type": m.machine_type}).to_string());
    } else if quiet {
        out(&outcome.machine.id);
    }
    if outcome.problems.is_empty() {
        Ok(())
    } else {
        let lines: Vec<String> = outcome.problems.iter().map(|p| p.message.clone()).collect();
        Err(Error::new(
            ErrorKind::Partial,
            format!(
                "machine {} ({}) was created, but: {}",
                outcome.machine.name,
                outcome.machine.id,
                lines.join("; ")
            ),
        ))
    }
}

async fn destroy(ctx: &Context, verbose: bool, a: DestroyArgs) -> Result<()> {
    let confirm = flag(a.confirm, a.no_confirm, true);
    if a.ids.is_empty() {
        return Err(Error::validation("give the id of at least one machine"));
    }
    let opts = DestroyOptions {
        ids: a.ids.clone(),
        all: a.all,
        delete_dns: flag(a.delete_dns, a.no_delete_dns, true),
        dns_zones: ctx.defaults.dns_zone.iter().cloned().collect(),
    };
    let p = ctx.provider.as_ref();
    // Refusals come before the question, so nobody confirms a destroy that cannot happen.
    if confirm {
        let mut stdin = std::io::stdin().lock();
        for id in &a.ids {
            let m = p.get_machine(id).await.map_err(|e| {
                if e.is_not_found() {
                    Error::not_found(format!("machine with id {id} not found"))
                } else {
                    e.into()
                }
            })?;
            if !a.all {
                refuse_foreign(&m, &ctx.session)?;
            }
            out(format!(
                "Type YES (not y or yes or Yes) to confirm that you want to permanently DELETE/DESTROY machine \"{}\" (id: {})",
                m.name, m.id
            ));
            let mut line = String::new();
            let _ = stdin.read_line(&mut line);
            if line.trim_end_matches(['\n', '\r']) != "YES" {
                return Err(Error::cancelled(
                    "Destroy operation aborted, not confirmed by user",
                ));
            }
        }
    }
    let sink = move |e: Progress| {
        if !verbose {
            return;
        }
        match e {
            Progress::Destroyed { id } => eprintln!("Destroyed machine {id}"),
            Progress::DnsRecordDeleted { fqdn, record_id } => {
                eprintln!("Deleted DNS record {fqdn} (id {record_id})")
            }
            Progress::Warning { message } => eprintln!("Warning: {message}"),
            _ => {}
        }
    };
    let results = destroy_machines(p, &ctx.session, &opts, &sink).await?;
    let mut problems = Vec::new();
    for r in &results {
        problems.extend(r.problems.iter().map(|e| e.message.clone()));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::Partial, problems.join("; ")))
    }
}
