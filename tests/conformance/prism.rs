//! Stoplight Prism as a validating proxy between a provider client and the emulator.
//!
//! `prism proxy <spec> <upstream> --errors` checks every request and response against the spec
//! and answers with an error instead of forwarding when either breaks it.
//!
//! **Server base paths:** Prism routes requests by the spec's paths *without* the server's base
//! path and appends the request path to the upstream URL. DigitalOcean's paths already start
//! with `/v2`, so the client's base URL is Prism's bare URL. Vultr's paths do not repeat `/v2`
//! (`#/servers/0` is `https://api.vultr.com/v2`), so the client's base URL is also Prism's bare
//! URL, and Prism's upstream is the emulator's Vultr base URL including `/v2`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use hangar_emulator::EmulatedProvider;

use super::harness::{Harness, connect};
use super::suite;

/// A running Prism; killed when dropped, also when a test panics.
pub struct Prism {
    child: Child,
    pub url: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Prism {
    /// Start `prism proxy` for the spec file `spec` in front of `upstream`, on a free
    /// 127.0.0.1 port, and wait until it listens.
    pub fn start(spec: &std::path::Path, upstream: &str) -> Prism {
        let root = env!("CARGO_MANIFEST_DIR");
        let bin = format!("{root}/tests/prism/node_modules/.bin/prism");
        assert!(
            std::path::Path::new(&bin).exists(),
            "Prism is not installed: run `npm ci --prefix tests/prism`"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut child = Command::new(bin)
            .arg("proxy")
            .arg(spec)
            .args([upstream, "--errors", "--host", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("prism starts");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (ready_tx, ready_rx) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let (log, ready_tx) = (log.clone(), ready_tx.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if line.contains("Prism is listening") {
                        let _ = ready_tx.send(());
                    }
                    log.lock().unwrap().push(line);
                }
            });
        }
        let prism = Prism {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        };
        if ready_rx.recv_timeout(Duration::from_secs(180)).is_err() {
            panic!(
                "Prism did not start:\n{}",
                prism.log.lock().unwrap().join("\n")
            );
        }
        prism
    }

    /// How many requests Prism forwarded to the upstream.
    pub fn forwarded(&self) -> usize {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains("Forwarding"))
            .count()
    }

    /// Log lines where Prism reported a request or response that breaks the spec.
    pub fn violations(&self) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains("Violation") || l.contains("✖"))
            .cloned()
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Prism: npm ci --prefix tests/prism"]
async fn prism_proxy_lifecycle() {
    for kind in EmulatedProvider::ALL {
        let h = Harness::start(kind).await;
        let (spec, upstream) = spec_and_upstream(&h);
        let prism = Prism::start(&spec, &upstream);
        let client = connect(kind, &h.emulator, Some(prism.url.clone()));
        suite::lifecycle(client.as_ref(), &h.emulator, kind).await;
        if std::env::var_os("HANGAR_PRISM_LOG").is_some() {
            eprintln!("{}", prism.log.lock().unwrap().join("\n"));
        }
        let forwarded = prism.forwarded();
        assert!(
            forwarded >= 20,
            "{kind:?}: only {forwarded} requests went through Prism"
        );
        let violations = prism.violations();
        assert!(
            violations.is_empty(),
            "{kind:?}: Prism reported\n{}",
            violations.join("\n")
        );

        // The proxy does validate: a create body without its required fields is refused.
        // The machines collection below the base URL (the base URL may hold `/v2`).
        let path = kind
            .sample()
            .machines_path
            .strip_prefix(url_path(&upstream))
            .expect("the machines path is below the base URL");
        let refused = reqwest::Client::new()
            .post(format!("{}{path}", prism.url))
            .bearer_auth(h.emulator.token(kind))
            .json(&serde_json::json!({ "name": 5 }))
            .send()
            .await
            .expect("Prism answers");
        let status = refused.status().as_u16();
        let body = refused.text().await.unwrap_or_default();
        eprintln!("{kind:?}: invalid create through Prism: {status} {body}");
        assert!(
            (400..500).contains(&status),
            "{kind:?}: Prism forwarded an invalid body ({status} {body})"
        );
        drop(prism);
        h.shutdown().await;
    }
}

/// Records of every type through Prism: the client's record bodies and the emulator's answers
/// (DigitalOcean's `domain_record`, Vultr's `dns-record` and its 204 PATCH) follow the specs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Prism: npm ci --prefix tests/prism"]
async fn prism_proxy_dns_every_type() {
    for kind in EmulatedProvider::ALL {
        let h = Harness::start(kind).await;
        let (spec, upstream) = spec_and_upstream(&h);
        let prism = Prism::start(&spec, &upstream);
        let client = connect(kind, &h.emulator, Some(prism.url.clone()));
        suite::dns_every_type_round_trips(client.as_ref(), &h.emulator, kind).await;
        let forwarded = prism.forwarded();
        assert!(
            forwarded >= 8 * 5,
            "{kind:?}: only {forwarded} requests went through Prism"
        );
        let violations = prism.violations();
        assert!(
            violations.is_empty(),
            "{kind:?}: Prism reported\n{}",
            violations.join("\n")
        );
        drop(prism);
        h.shutdown().await;
    }
}

/// The harness's provider's spec, as `hangar-spec-check` corrects it, written to a file for
/// Prism, and the emulator's base URL.
fn spec_and_upstream(h: &Harness) -> (std::path::PathBuf, String) {
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "prism-{}-{}-openapi.json",
        std::process::id(),
        h.kind.name()
    ));
    let doc = hangar_spec_check::corrected_document(h.kind);
    std::fs::write(&file, serde_json::to_vec(&doc).expect("JSON")).expect("write the spec");
    (file, h.emulator.base_url(h.kind))
}

/// The path of `url` (`/v2` of `http://127.0.0.1:1234/v2`; `` without one).
fn url_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or("", |i| &rest[i..])
}
