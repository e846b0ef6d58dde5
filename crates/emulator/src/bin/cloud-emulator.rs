//! `cloud-emulator`: runs Hangar's cloud API emulator (every provider of its registry) as a
//! standalone server.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Arg, ArgMatches, Command, FromArgMatches, Parser};
use hangar_emulator::{EmulatedProvider, Emulator, EmulatorConfig, FaultOdds, Faults, Seed};

/// Serves the emulated cloud APIs on 127.0.0.1 until Ctrl-C.
///
/// The first provider listens on --listen; each other provider on its own --<name>-listen,
/// or, when that is not given, on --listen's port plus the provider's position (port 0 picks
/// free ports for all). The base URLs and the accepted bearer tokens are printed at start.
///
/// Latency and faults apply to every request of every provider. Example:
/// `cloud-emulator --latency-ms 200 --faults 429=0.1,500=0.05,timeout=0.02,drop=0.02`.
#[derive(Parser, Debug)]
#[command(name = "cloud-emulator", version)]
struct Args {
    // `--listen` and each provider's `--<name>-listen` are added by `command()`.
    /// A seed YAML file (tokens, catalogs, SSH keys, DNS zones, projects, machines).
    /// Without it the built-in seed is used.
    #[arg(long)]
    seed: Option<PathBuf>,
    /// Milliseconds before a new machine gets its public IP and becomes active.
    #[arg(long, default_value_t = 2000)]
    ip_delay_ms: u64,
    /// Delays every request (every provider) by this many milliseconds.
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
    /// What the "what is my IP" endpoint (`GET /my-ip` on the status proxy's port) answers.
    #[arg(long, value_name = "ADDRESS", default_value_t = EmulatorConfig::DEFAULT_MY_IP)]
    my_ip: std::net::IpAddr,
    /// Stops the server when its standard input reaches end of file (for a supervising
    /// process, e.g. a test: the server ends when its parent does).
    #[arg(long)]
    exit_on_stdin_eof: bool,
}

/// How often the in-memory request log (unused by the binary) is emptied.
const FORGET_REQUESTS_EVERY: Duration = Duration::from_secs(60);

/// `--<name>-listen` of each provider after the first.
fn listen_option(p: EmulatedProvider) -> &'static str {
    // Once per provider and run: the options live as long as the process anyway.
    String::leak(format!("{}-listen", p.name()))
}

/// The command line: `--listen` and one `--<name>-listen` per further provider of the
/// registry, then [`Args`]; the summary names the providers.
fn command() -> Command {
    let [first, others @ ..] = EmulatedProvider::ALL;
    let mut cmd = Command::new("cloud-emulator").arg(
        Arg::new("listen")
            .long("listen")
            .value_name("LISTEN")
            .value_parser(clap::value_parser!(SocketAddr))
            .default_value("127.0.0.1:0")
            .help(format!(
                "Address of the {} API (port 0 = any free port)",
                first.display_name()
            )),
    );
    for (position, p) in (1..).zip(others) {
        let option = listen_option(p);
        cmd = cmd.arg(
            Arg::new(option)
                .long(option)
                .value_name("LISTEN")
                .value_parser(clap::value_parser!(SocketAddr))
                .help(format!(
                    "Address of the {} API [default: --listen's port + {position}, or any \
                     free port if that is 0]",
                    p.display_name()
                )),
        );
    }
    let cmd = <Args as clap::Args>::augment_args(cmd);
    let names: Vec<&str> = EmulatedProvider::ALL
        .iter()
        .map(|p| p.display_name())
        .collect();
    let about = format!(
        "Serves emulated {} APIs on 127.0.0.1 until Ctrl-C.",
        match names.split_last() {
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        }
    );
    let details = cmd
        .get_long_about()
        .map(ToString::to_string)
        .unwrap_or_default();
    let details = details.split_once("\n\n").map_or("", |(_, rest)| rest);
    cmd.about(about.clone())
        .long_about(format!("{about}\n\n{details}"))
}

/// Where each provider listens: its own option, else `--listen`'s port plus its position
/// (port 0 stays 0).
fn listen_addrs(matches: &ArgMatches) -> Vec<(EmulatedProvider, SocketAddr)> {
    let listen = matches
        .get_one::<SocketAddr>("listen")
        .copied()
        .unwrap_or(EmulatorConfig::DEFAULT_LISTEN);
    EmulatedProvider::ALL
        .into_iter()
        .enumerate()
        .map(|(position, p)| {
            let given = (position > 0)
                .then(|| matches.get_one::<SocketAddr>(listen_option(p)).copied())
                .flatten();
            let addr = given.unwrap_or_else(|| {
                let mut a = listen;
                if a.port() != 0 {
                    let step = u16::try_from(position).unwrap_or(u16::MAX);
                    a.set_port(a.port().saturating_add(step));
                }
                a
            });
            (p, addr)
        })
        .collect()
}

#[tokio::main]
async fn main() -> ExitCode {
    let matches = command().get_matches();
    let args = match Args::from_arg_matches(&matches) {
        Ok(a) => a,
        Err(e) => e.exit(),
    };
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
    let config = EmulatorConfig {
        seed,
        ip_delay: Duration::from_millis(args.ip_delay_ms),
        listen: listen_addrs(&matches).into_iter().collect(),
        fault_seed: args.fault_seed,
        my_ip: args.my_ip,
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
    for p in EmulatedProvider::ALL {
        let label = format!("{} API:", p.display_name());
        println!("{label:<18}{}", emulator.base_url(p));
        println!("  token: {}", emulator.token(p));
    }
    println!(
        "Status proxy:     {} (machines' cloud-init status check)",
        emulator.status_proxy_url()
    );
    println!(
        "My IP:            {} (answers {})",
        emulator.my_ip_url(),
        args.my_ip
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
