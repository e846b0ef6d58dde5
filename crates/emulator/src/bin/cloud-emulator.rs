//! `cloud-emulator`: runs Hangar's DigitalOcean and Vultr API emulator as a standalone server.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use hangar_emulator::{EmulatedProvider, Emulator, EmulatorConfig, FaultOdds, Faults, Seed};

/// Serves emulated DigitalOcean (API v2) and Vultr (API v2) endpoints on 127.0.0.1 until Ctrl-C.
///
/// DigitalOcean listens on --listen; Vultr listens on --vultr-listen, or on the port after
/// --listen's when that is not given (port 0 picks free ports for both). The base URLs and the
/// accepted bearer tokens are printed at start.
///
/// Latency and faults apply to every request of both providers. Example:
/// `cloud-emulator --latency-ms 200 --faults 429=0.1,500=0.05,timeout=0.02,drop=0.02`.
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
    /// Delays every request (both providers) by this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency_ms: u64,
    /// Injected faults: comma-separated KIND=PROBABILITY, KIND being `429` (rate limited, with
    /// Retry-After), `500` (server error, with the provider's error body), `timeout` (held
    /// without an answer for --timeout-hold-secs, then closed) or `drop` (connection closed
    /// without a response); probabilities from 0 to 1, exclusive per request, adding up to at
    /// most 1. E.g. `429=0.1,500=0.05,timeout=0.02,drop=0.02`.
    #[arg(long, value_name = "SPEC")]
    faults: Option<FaultOdds>,
    /// Seeds the deterministic fault generator: the same seed and the same requests, in the
    /// same order, meet the same faults.
    #[arg(long, value_name = "N", default_value_t = EmulatorConfig::DEFAULT_FAULT_SEED)]
    fault_seed: u64,
    /// The Retry-After seconds of an injected 429.
    #[arg(long, value_name = "SECS", default_value_t = 1)]
    retry_after_secs: u64,
    /// How long a `timeout` fault holds a request before closing its connection.
    #[arg(long, value_name = "SECS", default_value_t = Faults::DEFAULT_TIMEOUT_HOLD.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    timeout_hold_secs: u64,
    /// Adds this many ready machines (named bulk-N) to each provider at start, e.g. to
    /// exercise pagination.
    #[arg(long, value_name = "N", default_value_t = 0)]
    extra_machines: usize,
    /// Appends one JSON line per request handled to FILE, flushed per line:
    /// {"provider":"vultr","method":"GET","path":"/v2/instances","status":200}
    /// (status 0: the connection was closed without a response).
    #[arg(long, value_name = "FILE")]
    request_log: Option<PathBuf>,
    /// Stops the server when its standard input reaches end of file (for a supervising
    /// process, e.g. a test: the server ends when its parent does).
    #[arg(long)]
    exit_on_stdin_eof: bool,
}

/// How often the in-memory request log (unused by the binary) is emptied.
const FORGET_REQUESTS_EVERY: Duration = Duration::from_secs(60);

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
        fault_seed: args.fault_seed,
        ..EmulatorConfig::default()
    };
    let request_log = match &args.request_log {
        None => None,
        Some(path) => match std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            Ok(f) => Some(f),
            Err(e) => {
                eprintln!("cloud-emulator: cannot open {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        },
    };
    let emulator = match Emulator::start(config).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("cloud-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(file) = request_log {
        emulator.log_requests_to(file);
    }
    let faults = Faults {
        latency: Duration::from_millis(args.latency_ms),
        retry_after_secs: args.retry_after_secs,
        timeout_hold: Duration::from_secs(args.timeout_hold_secs),
        odds: args.faults.unwrap_or_default(),
        ..Faults::default()
    };
    if !faults.latency.is_zero() || !faults.odds.is_none() {
        for p in EmulatedProvider::ALL {
            emulator.set_faults(p, None, faults.clone());
        }
    }
    if args.extra_machines > 0 {
        for p in EmulatedProvider::ALL {
            emulator.add_machines(p, args.extra_machines, &[]);
        }
    }
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
    if !faults.latency.is_zero() {
        println!("Latency:          {} ms", args.latency_ms);
    }
    if !faults.odds.is_none() {
        println!(
            "Faults:           {} (fault seed {})",
            faults.odds, args.fault_seed
        );
    }
    if args.extra_machines > 0 {
        println!("Extra machines:   {} per provider", args.extra_machines);
    }
    if let Some(path) = &args.request_log {
        println!("Request log:      {}", path.display());
    }
    println!("Press Ctrl-C to stop.");
    let stdin_closed = stdin_eof(args.exit_on_stdin_eof);
    tokio::pin!(stdin_closed);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut forget = tokio::time::interval(FORGET_REQUESTS_EVERY);
    loop {
        tokio::select! {
            r = &mut ctrl_c => {
                if let Err(e) = r {
                    eprintln!("cloud-emulator: cannot wait for Ctrl-C: {e}");
                }
                break;
            }
            () = &mut stdin_closed => break,
            // Nothing reads the in-memory log here; keep it from growing without bound.
            _ = forget.tick() => emulator.clear_requests(),
        }
    }
    emulator.shutdown().await;
    ExitCode::SUCCESS
}

/// Resolves when standard input reaches end of file (or fails), if `enabled`; never otherwise.
async fn stdin_eof(enabled: bool) {
    if !enabled {
        return std::future::pending().await;
    }
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    // A plain thread: a blocking read cannot be cancelled, and must not hold up the exit.
    std::thread::spawn(move || {
        let mut sink = [0u8; 256];
        let mut stdin = std::io::stdin().lock();
        while matches!(std::io::Read::read(&mut stdin, &mut sink), Ok(n) if n > 0) {}
        let _ = tx.send(());
    });
    let _ = rx.await;
}
