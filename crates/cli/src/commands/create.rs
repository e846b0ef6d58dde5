//! `create`: a machine from the account defaults, a machine type and the flags; optionally
//! waits for cloud-init to finish (`--wait-for-cloud-init`), as the app does.

use std::time::Duration;

use clap::{ArgAction, Args};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::args::{flag, json_output};
use crate::context::Context;
use crate::output::out;
use hangar::error::{Error, ErrorKind, Result};
use hangar::usecases::CreateProgress;
use hangar::usecases::create::{
    CloudInitWait, CreateContext, CreateOptions, PollPolicy, create_machine,
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
    /// Wait for the public IP address (default)
    #[arg(long = "wait-for-ip", overrides_with = "no_wait_for_ip", default_value_t = true, action = ArgAction::SetTrue)]
    pub wait_for_ip: bool,
    /// Do not wait for the IP (no DNS record then)
    #[arg(long = "no-wait-for-ip", action = ArgAction::SetTrue)]
    pub no_wait_for_ip: bool,
    /// Show progress while waiting (default)
    #[arg(long, overrides_with = "no_progress", action = ArgAction::SetTrue)]
    pub progress: bool,
    /// Do not show progress
    #[arg(long = "no-progress", action = ArgAction::SetTrue)]
    pub no_progress: bool,
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

pub async fn run(ctx: &Context, quiet: bool, a: CreateArgs) -> Result<()> {
    let json = json_output(&a.output)?;
    let d = ctx.defaults();
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
        cloud_init: a.wait_for_cloud_init.then(|| CloudInitWait {
            timeout: Duration::from_secs(a.cloud_init_timeout),
            ..CloudInitWait::default()
        }),
    };
    let text = !json && !quiet;
    let show_progress = flag(a.progress, a.no_progress, true) && text;
    let sink = move |p: CreateProgress| match p {
        CreateProgress::Created { id, .. } if text => {
            out(format!("New machine created with id: {id}"))
        }
        CreateProgress::IpAssigned { ip } if text => out(format!("IP Address: {ip}")),
        CreateProgress::DnsRecordCreated { fqdn, .. } if text => out(format!("DNS: {fqdn}")),
        CreateProgress::WaitingForIp { elapsed_ms } if show_progress => {
            eprintln!("Waiting for IP address ({} s)", elapsed_ms / 1000)
        }
        CreateProgress::ProjectAssigned { project } if show_progress => {
            eprintln!("Assigned to project {project}")
        }
        CreateProgress::CloudInitChecked { status, elapsed_ms } if show_progress => {
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
    let outcome = create_machine(
        provider.as_ref(),
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
        let mut v = json!({"id": m.id, "name": m.name, "tags": m.tags, "region": m.region, "ip": outcome.ip, "type": m.machine_type});
        if a.wait_for_cloud_init {
            v["cloud-init"] = json!(outcome.cloud_init);
        }
        out(v.to_string());
    } else if quiet {
        out(&outcome.machine.id);
    } else if a.wait_for_cloud_init {
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
