//! `create`: a machine from the account defaults, a machine type and the flags; optionally
//! waits for cloud-init to finish (`--wait-for-cloud-init`), as the app does.

use std::io::{IsTerminal, Write};
use std::sync::atomic::Ordering;
use std::time::Duration;

use clap::{ArgAction, Args};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::Globals;
use crate::args::{flag, json_output};
use crate::context::Context;
use crate::output::out;
use hangar::error::{Error, ErrorKind, Result};
use hangar::provider::ImageRef;
use hangar::usecases::CreateProgress;
use hangar::usecases::create::{
    CloudInitWait, CreateContext, CreateOptions, PollPolicy, check_create, create_machine,
};

#[derive(Args, Debug)]
pub struct CreateArgs {
    /// Name for new machine
    #[arg(short, long, value_name = "MACHINE-NAME")]
    pub name: String,
    /// Tag to be applied to new machine
    #[arg(short, long, value_name = "TAG-TEXT")]
    pub tag: Option<String>,
    /// Create a machine of this type
    #[arg(short = 'm', long = "type", value_name = "MACHINE-TYPE")]
    pub machine_type: Option<String>,
    /// Create a machine in this region (overrides default from config)
    #[arg(short, long, value_name = "REGION-CODE")]
    pub region: Option<String>,
    /// Create a machine of this size (overrides default from config)
    #[arg(short = 's', long, value_name = "MACHINE-SLUG")]
    pub machine_size: Option<String>,
    /// Create a machine from this image (overrides default from config)
    #[arg(short, long, value_name = "IMAGE-NAME")]
    pub image: Option<String>,
    /// Create the machine from this snapshot instead of an image (see `snapshot list`)
    #[arg(long, value_name = "SNAPSHOT-ID", conflicts_with = "image")]
    pub snapshot: Option<String>,
    /// Wait for the public IP address (a DNS update waits for it anyway)
    #[arg(long = "wait-for-ip", overrides_with = "no_wait_for_ip", action = ArgAction::SetTrue)]
    pub wait_for_ip: bool,
    /// Do not wait for the IP unless a DNS record needs it (default)
    #[arg(long = "no-wait-for-ip", action = ArgAction::SetTrue)]
    pub no_wait_for_ip: bool,
    /// Animate a progress indicator while waiting (only when stderr is a terminal)
    #[arg(long, overrides_with = "no_progress", action = ArgAction::SetTrue)]
    pub progress: bool,
    /// Do not show progress (default)
    #[arg(long = "no-progress", action = ArgAction::SetTrue)]
    pub no_progress: bool,
    /// Create it even if a machine of this name exists or its DNS name has a record
    #[arg(long = "allow-duplicate", action = ArgAction::SetTrue)]
    pub allow_duplicate: bool,
    /// Create the DNS record <name>.<zone> (default when a zone is configured)
    #[arg(long = "update-dns", overrides_with = "no_update_dns", action = ArgAction::SetTrue)]
    pub update_dns: bool,
    /// Do not create a DNS record
    #[arg(long = "no-update-dns", action = ArgAction::SetTrue)]
    pub no_update_dns: bool,
    /// Set the machine up from its type (default; needs --type)
    #[arg(long, overrides_with = "no_initialize", action = ArgAction::SetTrue)]
    pub initialize: bool,
    /// Do not set the machine up
    #[arg(long = "no-initialize", action = ArgAction::SetTrue)]
    pub no_initialize: bool,
    /// After the IP, wait until the machine reports that cloud-init finished
    #[arg(long = "wait-for-cloud-init", action = ArgAction::SetTrue)]
    pub wait_for_cloud_init: bool,
    /// How long to wait for cloud-init, in seconds
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 180,
        requires = "wait_for_cloud_init"
    )]
    pub cloud_init_timeout: u64,
    /// Output format (json)
    #[arg(short, long, value_name = "FORMAT")]
    pub output: Option<String>,
}

pub async fn run(ctx: &Context, g: Globals, a: CreateArgs) -> Result<()> {
    let (quiet, verbose) = (g.quiet, g.verbose);
    let json = json_output(&a.output)?;
    let initialize = flag(a.initialize, a.no_initialize, true);
    if initialize && let Some(t) = &a.machine_type {
        ctx.check_type(t)?;
    }
    let d = ctx.defaults();
    let update_dns = flag(a.update_dns, a.no_update_dns, d.dns_zone.is_some());
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
        image: match &a.snapshot {
            Some(id) => ImageRef::Snapshot(id.clone()),
            None => ImageRef::Image(
                a.image
                    .clone()
                    .or_else(|| d.image.clone())
                    .ok_or_else(|| missing("image", "--image"))?,
            ),
        },
        ssh_keys: d.ssh_keys.clone(),
        dns_zone: d.dns_zone.clone(),
        // On by default when there is a zone; asked for without one, pre-flight says so.
        update_dns,
        project: d.project.clone(),
        machine_type: a.machine_type.clone(),
        initialize,
        extra_tag: a.tag.clone(),
        allow_duplicate: a.allow_duplicate,
        // As in `machine`: off by default, but a DNS record needs the IP, so it waits then.
        wait_for_ip: flag(a.wait_for_ip, a.no_wait_for_ip, false) || update_dns,
        poll: PollPolicy::default(),
        cloud_init: a.wait_for_cloud_init.then(|| CloudInitWait {
            timeout: Duration::from_secs(a.cloud_init_timeout),
            ..CloudInitWait::default()
        }),
    };
    // The streams `machine` uses: the id (and JSON) on stdout, the IP and DNS lines on
    // stderr, the progress indicator on stderr only when it is a terminal, and with
    // --verbose a line per poll instead of the indicator.
    let text = !json && !quiet;
    let spinner = Spinner::new(
        flag(a.progress, a.no_progress, false) && !verbose && !quiet,
        "Waiting for machine IP address",
    );
    let sink = move |p: CreateProgress| match p {
        CreateProgress::Created { id, .. } if !json => out(if quiet {
            id
        } else {
            format!("New machine created with id: {id}")
        }),
        CreateProgress::IpAssigned { ip } => {
            spinner.erase();
            if quiet {
                eprintln!("{ip}")
            } else {
                eprintln!("IP Address: {ip}")
            }
        }
        CreateProgress::DnsRecordCreated { fqdn, .. } if text => eprintln!("DNS: {fqdn}"),
        CreateProgress::WaitingForIp { elapsed_ms } => {
            if verbose && !json {
                out("Waiting for machine IP address")
            }
            spinner.show(u64::from(elapsed_ms))
        }
        CreateProgress::Warning { message } => {
            spinner.erase();
            eprintln!("Warning: {message}")
        }
        CreateProgress::ProjectAssigned { project } if verbose => {
            eprintln!("Assigned machine to project: {project}")
        }
        CreateProgress::CloudInitChecked { status, elapsed_ms } if text => {
            eprintln!("Cloud-init: {status} ({} s)", elapsed_ms / 1000)
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
    let provider = ctx.provider()?;
    let create_ctx = CreateContext {
        session: &ctx.session,
        machine_types: &ctx.machine_types,
    };
    if g.dry_run {
        let request = check_create(provider.as_ref(), &create_ctx, &opts)
            .await
            .map_err(with_duplicate_hint)?;
        if json {
            out(serde_json::to_string(&request)
                .map_err(|e| Error::new(ErrorKind::Provider, e.to_string()))?);
        } else {
            out(format!(
                "Dry run: would create machine {} in {} ({}, {}) with tags {}{}",
                request.name,
                request.region,
                request.size,
                request.image,
                request.tags.join(", "),
                if opts.update_dns {
                    format!(
                        " and the DNS record {}.{}",
                        opts.name,
                        opts.dns_zone.as_deref().unwrap_or_default()
                    )
                } else {
                    String::new()
                }
            ));
        }
        return Ok(());
    }
    let outcome = create_machine(provider.as_ref(), &create_ctx, &opts, &sink, &cancel)
        .await
        .map_err(with_duplicate_hint)?;
    if json {
        let m = &outcome.machine;
        let mut v = json!({"id": m.id, "name": m.name, "tags": m.tags, "region": m.region, "ip": outcome.ip, "type": m.machine_type});
        if a.wait_for_cloud_init {
            v["cloud-init"] = json!(outcome.cloud_init);
        }
        out(v.to_string());
    } else if a.wait_for_cloud_init && !quiet {
        out(outcome.cloud_init.describe());
    }
    let mut problems: Vec<String> = outcome.problems.iter().map(|p| p.message.clone()).collect();
    if a.wait_for_cloud_init && !outcome.cloud_init.is_done() {
        problems.push(outcome.cloud_init.describe());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Partial,
            format!(
                "machine {} ({}) was created, but: {}",
                outcome.machine.name,
                outcome.machine.id,
                problems.join("; ")
            ),
        ))
    }
}

/// `machine`'s progress indicator: one line on stderr, redrawn on each poll and erased when
/// the wait ends; inert unless asked for and stderr is a terminal.
struct Spinner {
    enabled: bool,
    message: &'static str,
    frame: std::sync::atomic::AtomicUsize,
    width: std::sync::atomic::AtomicUsize,
}

impl Spinner {
    fn new(asked: bool, message: &'static str) -> Spinner {
        Spinner {
            enabled: asked && std::io::stderr().is_terminal(),
            message,
            frame: Default::default(),
            width: Default::default(),
        }
    }

    fn show(&self, elapsed_ms: u64) {
        if !self.enabled {
            return;
        }
        let frame = self.frame.fetch_add(1, Ordering::Relaxed) % 4;
        let line = format!(
            "{} {} ({}s)",
            &"|/-\\"[frame..frame + 1],
            self.message,
            elapsed_ms / 1000
        );
        let width = self
            .width
            .fetch_max(line.len(), Ordering::Relaxed)
            .max(line.len());
        let mut err = std::io::stderr();
        let _ = write!(err, "\r{line:width$}");
        let _ = err.flush();
    }

    fn erase(&self) {
        let width = self.width.swap(0, Ordering::Relaxed);
        if self.enabled && width > 0 {
            let mut err = std::io::stderr();
            let _ = write!(err, "\r{:width$}\r", "");
            let _ = err.flush();
        }
    }
}

/// A refused duplicate says how to create it anyway.
fn with_duplicate_hint(e: Error) -> Error {
    if e.kind == ErrorKind::Duplicate {
        Error {
            message: format!("{} (pass --allow-duplicate to create it anyway)", e.message),
            ..e
        }
    } else {
        e
    }
}
