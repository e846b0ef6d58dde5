//! `cloud-emulator`: runs Hangar's DigitalOcean and Vultr API emulator as a standalone server.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use hangar_emulator::{EmulatedProvider, Emulator, EmulatorConfig, Seed};

/// Serves emulated DigitalOcean (API v2) and Vultr (API v2) endpoints on 127.0.0.1 until Ctrl-C.
///
/// DigitalOcean listens on --listen; Vultr listens on --vultr-listen, or on the port after
/// --listen's when that is not given (port 0 picks free ports for both). The base URLs and the
/// accepted bearer tokens are printed at start.
#[derive(Parser, Debug)]
#[command(name = "cloud-emulator", version)]
struct Args {
    /// Address of the DigitalOcean API (port 0 = any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Address of the Vultr API [default: --listen's port + 1, or any free port if that is 0].
    #[arg(long)]
    vultr_listen: Option<SocketAddr>,
    /// A seed YAML file (tokens, catalogs, SSH keys, DNS zones, projects, machines).
    /// Without it the built-in seed is used.
    #[arg(long)]
    seed: Option<PathBuf>,
    /// Milliseconds before a new machine gets its public IP and becomes active.
    #[arg(long, default_value_t = 2000)]
    ip_delay_ms: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let seed = match &args.seed {
        None => Seed::builtin(),
        Some(path) => {
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("cloud-emulator: cannot read {}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
            };
            match Seed::from_yaml_str(&text) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("cloud-emulator: {}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
            }
        }
    };
    let vultr_listen = args.vultr_listen.unwrap_or_else(|| {
        let mut a = args.listen;
        if a.port() != 0 {
            a.set_port(a.port().saturating_add(1));
        }
        a
    });
    let config = EmulatorConfig {
        seed,
        ip_delay: Duration::from_millis(args.ip_delay_ms),
        digitalocean_listen: args.listen,
        vultr_listen,
        ..EmulatorConfig::default()
    };
    let emulator = match Emulator::start(config).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("cloud-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("DigitalOcean API: {}", emulator.digitalocean_base_url());
    println!(
        "  token: {}",
        emulator.token(EmulatedProvider::DigitalOcean)
    );
    println!("Vultr API:        {}", emulator.vultr_base_url());
    println!("  token: {}", emulator.token(EmulatedProvider::Vultr));
    println!(
        "Status proxy:     {} (machines' cloud-init status check)",
        emulator.status_proxy_url()
    );
    println!("Press Ctrl-C to stop.");
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("cloud-emulator: cannot wait for Ctrl-C: {e}");
    }
    emulator.shutdown().await;
    ExitCode::SUCCESS
}
