//! The `cloud-emulator` binary, run as a real process: its options (latency, faults, fault
//! seed, extra machines, request log) observed over real HTTP on 127.0.0.1.
//!
//! Every server is started with `--exit-on-stdin-eof` and owned by a [`Server`] guard that
//! kills it on drop, so it ends with its test even if the test process dies.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use hangar_emulator::EmulatedProvider;
use hangar_spec_check as openapi;
use serde_json::Value;

const DO: EmulatedProvider = EmulatedProvider::DigitalOcean;
const VULTR: EmulatedProvider = EmulatedProvider::Vultr;
const LINODE: EmulatedProvider = EmulatedProvider::Linode;
/// How long a server may take to print its addresses, or to exit when it should.
const STARTUP: Duration = Duration::from_secs(60);

/// A running `cloud-emulator`, killed when dropped.
struct Server {
    child: Child,
    do_url: String,
    do_token: String,
    vultr_url: String,
    vultr_token: String,
    linode_url: String,
    linode_token: String,
    /// Everything printed at start, up to the "Press Ctrl-C" line.
    banner: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cloud-emulator"));
    cmd.args(["--listen", "127.0.0.1:0", "--vultr-listen", "127.0.0.1:0"])
        .args(args);
    cmd
}

/// Starts the binary with `args` and reads the base URLs and tokens it prints.
fn start(args: &[&str]) -> Server {
    let child = command(args)
        .arg("--exit-on-stdin-eof")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the binary starts");
    let mut server = Server {
        child,
        do_url: String::new(),
        do_token: String::new(),
        vultr_url: String::new(),
        vultr_token: String::new(),
        linode_url: String::new(),
        linode_token: String::new(),
        banner: Vec::new(),
    };
    let stdout = server.child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    // Reads (and after the banner, drains) stdout; ends with the process.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            // Once nobody listens, this just drains.
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + STARTUP;
    let mut token_of: Option<EmulatedProvider> = None;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx
            .recv_timeout(left)
            .unwrap_or_else(|e| panic!("no banner from cloud-emulator ({e}): {:?}", server.banner));
        server.banner.push(line.clone());
        if let Some(url) = line.strip_prefix("DigitalOcean API:") {
            server.do_url = url.trim().to_string();
            token_of = Some(DO);
        } else if let Some(url) = line.strip_prefix("Vultr API:") {
            server.vultr_url = url.trim().to_string();
            token_of = Some(VULTR);
        } else if let Some(url) = line.strip_prefix("Linode API:") {
            server.linode_url = url.trim().to_string();
            token_of = Some(LINODE);
        } else if let Some(token) = line.trim().strip_prefix("token:") {
            match token_of.take() {
                Some(DO) => server.do_token = token.trim().to_string(),
                Some(VULTR) => server.vultr_token = token.trim().to_string(),
                Some(LINODE) => server.linode_token = token.trim().to_string(),
                None => panic!("a token line without a provider: {:?}", server.banner),
            }
        } else if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    for (what, v) in [
        ("DigitalOcean URL", &server.do_url),
        ("DigitalOcean token", &server.do_token),
        ("Vultr URL", &server.vultr_url),
        ("Vultr token", &server.vultr_token),
        ("Linode URL", &server.linode_url),
        ("Linode token", &server.linode_token),
    ] {
        assert!(!v.is_empty(), "no {what} in {:?}", server.banner);
    }
    assert!(
        server.do_url.starts_with("http://127.0.0.1:"),
        "{}",
        server.do_url
    );
    assert!(
        server.vultr_url.starts_with("http://127.0.0.1:"),
        "{}",
        server.vultr_url
    );
    server
}

/// Runs the binary with `args`, expecting it to exit by itself; returns its status and stderr.
fn run_to_exit(args: &[&str]) -> (ExitStatus, String) {
    let child = command(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut guard = Server {
        child,
        do_url: String::new(),
        do_token: String::new(),
        vultr_url: String::new(),
        vultr_token: String::new(),
        linode_url: String::new(),
        linode_token: String::new(),
        banner: Vec::new(),
    };
    let status = wait_for_exit(&mut guard.child)
        .unwrap_or_else(|| panic!("cloud-emulator {args:?} did not exit"));
    let mut stderr = String::new();
    std::io::Read::read_to_string(
        guard.child.stderr.as_mut().expect("piped stderr"),
        &mut stderr,
    )
    .expect("stderr is text");
    (status, stderr)
}

fn wait_for_exit(child: &mut Child) -> Option<ExitStatus> {
    let deadline = Instant::now() + STARTUP;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

impl Server {
    fn base(&self, p: EmulatedProvider) -> &str {
        match p {
            DO => &self.do_url,
            VULTR => &self.vultr_url,
            LINODE => &self.linode_url,
        }
    }

    fn token(&self, p: EmulatedProvider) -> &str {
        match p {
            DO => &self.do_token,
            VULTR => &self.vultr_token,
            LINODE => &self.linode_token,
        }
    }

    /// The full URL of `path` (`/v2/...` for DigitalOcean and Vultr, `/v4/...` for Linode).
    fn url(&self, p: EmulatedProvider, path: &str) -> String {
        let base = self.base(p);
        let host = base
            .strip_suffix("/v2")
            .or_else(|| base.strip_suffix("/v4"))
            .unwrap_or(base);
        format!("{host}{path}")
    }

    /// The `host:port` of a provider's listener.
    fn addr(&self, p: EmulatedProvider) -> String {
        self.url(p, "")
            .strip_prefix("http://")
            .expect("an http URL")
            .to_string()
    }

    /// GETs `path` (`/v2/...`) with the right token.
    async fn get(&self, http: &reqwest::Client, p: EmulatedProvider, path: &str) -> Reply {
        self.get_url(http, p, &self.url(p, path))
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e:?}"))
    }

    /// GETs an absolute URL on `p`'s listener; the body is checked against the spec.
    async fn get_url(
        &self,
        http: &reqwest::Client,
        p: EmulatedProvider,
        url: &str,
    ) -> Result<Reply, reqwest::Error> {
        let resp = http.get(url).bearer_auth(self.token(p)).send().await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await?;
        let body: Option<Value> = if bytes.is_empty() {
            None
        } else {
            Some(serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                panic!("{url}: not JSON ({e}): {}", String::from_utf8_lossy(&bytes))
            }))
        };
        let path = url
            .strip_prefix(&self.url(p, ""))
            .expect("a URL on this server");
        let path = path.split('?').next().unwrap_or(path);
        if let Err(e) = openapi::check_response(p, "GET", path, status, body.as_ref()) {
            panic!("GET {path} -> {status} breaks the spec: {e}");
        }
        Ok(Reply {
            status,
            headers,
            body,
        })
    }
}

struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Option<Value>,
}

impl Reply {
    fn json(&self) -> &Value {
        self.body
            .as_ref()
            .unwrap_or_else(|| panic!("expected a JSON body, status {}", self.status))
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// A path each provider serves, for fault tests.
const PATHS: [(EmulatedProvider, &str); 9] = [
    (DO, "/v2/account"),
    (DO, "/v2/droplets"),
    (DO, "/v2/regions"),
    (VULTR, "/v2/account"),
    (VULTR, "/v2/instances"),
    (VULTR, "/v2/regions"),
    (LINODE, "/v4/account"),
    (LINODE, "/v4/linode/instances"),
    (LINODE, "/v4/regions"),
];

/// Sends a raw GET and reads until EOF; returns the bytes received and how long it took.
async fn raw_get(server: &Server, p: EmulatedProvider, path: &str) -> (Vec<u8>, Duration) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let started = Instant::now();
    let mut sock = tokio::net::TcpStream::connect(server.addr(p))
        .await
        .expect("connect");
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\r\n",
        server.token(p)
    );
    sock.write_all(req.as_bytes()).await.expect("write");
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), sock.read_to_end(&mut buf))
        .await
        .expect("the connection is closed")
        .ok();
    (buf, started.elapsed())
}

// ---- tests -----------------------------------------------------------------------------

#[tokio::test]
async fn latency_delays_every_request_of_both_providers() {
    let server = start(&["--latency-ms", "300"]);
    assert!(
        server.banner.iter().any(|l| l.contains("300 ms")),
        "{:?}",
        server.banner
    );
    let http = client();
    for (p, path) in PATHS {
        let t = Instant::now();
        let r = server.get(&http, p, path).await;
        let took = t.elapsed();
        assert_eq!(r.status, 200, "{p:?} {path}");
        assert!(
            took >= Duration::from_millis(300),
            "{p:?} {path} took {took:?}"
        );
    }
}

#[tokio::test]
async fn faults_500_answer_every_request_with_the_providers_error_body() {
    let server = start(&["--faults", "500=1"]);
    let http = client();
    for (p, path) in PATHS {
        for _ in 0..3 {
            // `get` checks the body against the spec's error schema.
            let r = server.get(&http, p, path).await;
            assert_eq!(r.status, 500, "{p:?} {path}");
            match p {
                DO => {
                    assert_eq!(r.json()["id"], "server_error", "{:?}", r.body);
                    assert!(r.json()["message"].is_string(), "{:?}", r.body);
                }
                VULTR => {
                    assert_eq!(r.json()["status"], 500, "{:?}", r.body);
                    assert!(r.json()["error"].is_string(), "{:?}", r.body);
                }
                LINODE => {
                    assert!(r.json()["errors"][0]["reason"].is_string(), "{:?}", r.body);
                }
            }
        }
    }
}

#[tokio::test]
async fn faults_429_answer_every_request_with_retry_after() {
    for (args, retry_after) in [
        (&["--faults", "429=1"][..], "1"),
        (&["--faults", "429=1", "--retry-after-secs", "7"][..], "7"),
    ] {
        let server = start(args);
        let http = client();
        for (p, path) in PATHS {
            let r = server.get(&http, p, path).await;
            assert_eq!(r.status, 429, "{p:?} {path}");
            assert_eq!(r.headers["retry-after"], retry_after, "{p:?} {path}");
            match p {
                DO => {
                    assert_eq!(r.json()["id"], "too_many_requests");
                    assert_eq!(r.headers["ratelimit-remaining"], "0");
                }
                VULTR => assert_eq!(r.json()["status"], 429),
                LINODE => assert_eq!(r.json()["errors"][0]["reason"], "Too Many Requests"),
            }
        }
    }
}

#[tokio::test]
async fn faults_drop_close_the_connection_without_a_response() {
    let server = start(&["--faults", "drop=1"]);
    let http = client();
    for (p, path) in PATHS {
        let err = server
            .get_url(&http, p, &server.url(p, path))
            .await
            .err()
            .unwrap_or_else(|| panic!("{p:?} {path} got an answer"));
        assert!(!err.is_timeout(), "{p:?} {path}: {err:?}");
        assert!(
            err.is_request() || err.is_connect(),
            "{p:?} {path}: {err:?}"
        );
        let (bytes, _) = raw_get(&server, p, path).await;
        assert!(
            bytes.is_empty(),
            "{p:?} {path}: {:?}",
            String::from_utf8_lossy(&bytes)
        );
    }
}

#[tokio::test]
async fn faults_timeout_hold_requests_past_the_client_timeout() {
    let server = start(&["--faults", "timeout=1"]);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(1))
        .build()
        .expect("client");
    for (p, path) in [(DO, "/v2/droplets"), (VULTR, "/v2/instances")] {
        let t = Instant::now();
        let err = server
            .get_url(&http, p, &server.url(p, path))
            .await
            .err()
            .unwrap_or_else(|| panic!("{p:?} {path} got an answer"));
        assert!(err.is_timeout(), "{p:?} {path}: {err:?}");
        assert!(t.elapsed() >= Duration::from_secs(1), "{:?}", t.elapsed());
    }
}

#[tokio::test]
async fn faults_timeout_closes_the_connection_after_the_hold() {
    let server = start(&["--faults", "timeout=1", "--timeout-hold-secs", "1"]);
    for p in [DO, VULTR] {
        let (bytes, took) = raw_get(&server, p, "/v2/account").await;
        assert!(bytes.is_empty(), "{:?}", String::from_utf8_lossy(&bytes));
        assert!(
            took >= Duration::from_secs(1),
            "{p:?}: closed after {took:?}"
        );
    }
}

#[tokio::test]
async fn faults_mix_follows_the_fault_seed() {
    async fn statuses(seed: &str) -> Vec<u16> {
        let server = start(&["--faults", "500=0.5", "--fault-seed", seed]);
        let http = client();
        let mut out = Vec::new();
        for _ in 0..30 {
            out.push(server.get(&http, VULTR, "/v2/regions").await.status);
        }
        out
    }
    let a = statuses("42").await;
    assert!(a.contains(&200) && a.contains(&500), "{a:?}");
    assert!(a.iter().all(|s| [200, 500].contains(s)), "{a:?}");
    assert_eq!(a, statuses("42").await, "the same seed, the same faults");
    assert_ne!(a, statuses("43").await, "another seed, other faults");
}

#[test]
fn malformed_faults_exit_nonzero_naming_the_problem() {
    for (spec, expected) in [
        ("404=0.1", &["unknown fault kind", "404"][..]),
        ("500=1.5", &["500", "1.5", "from 0 to 1"][..]),
        ("429=-0.2", &["429", "-0.2", "from 0 to 1"][..]),
        ("drop=often", &["drop", "often", "from 0 to 1"][..]),
        ("500=0.7,429=0.4", &["add up to 1.1", "more than 1"][..]),
        ("500", &["KIND=PROBABILITY"][..]),
        ("500=0.1,500=0.1", &["given twice"][..]),
    ] {
        let (status, stderr) = run_to_exit(&["--faults", spec]);
        assert!(!status.success(), "--faults {spec} was accepted");
        assert!(stderr.contains("--faults"), "--faults {spec}: {stderr}");
        for e in expected {
            assert!(stderr.contains(e), "--faults {spec}: {e:?} not in {stderr}");
        }
    }
}

/// The ids of every machine of `p`, following the pagination with small pages.
async fn machine_ids(server: &Server, http: &reqwest::Client, p: EmulatedProvider) -> Vec<String> {
    let mut ids = Vec::new();
    let mut pages = 0;
    // Linode's smallest page is 25.
    let page_size = if p == LINODE { 25 } else { 3 };
    match p {
        DO => {
            let mut url = server.url(DO, "/v2/droplets?per_page=3");
            let total = loop {
                let r = server.get_url(http, DO, &url).await.expect("request");
                assert_eq!(r.status, 200);
                pages += 1;
                let body = r.json();
                for d in body["droplets"].as_array().expect("droplets") {
                    ids.push(d["id"].to_string());
                }
                match body["links"]["pages"]["next"].as_str() {
                    Some(next) => url = next.to_string(),
                    None => break body["meta"]["total"].as_u64().expect("meta.total"),
                }
            };
            assert_eq!(total as usize, ids.len());
        }
        VULTR => {
            let mut cursor = String::new();
            let total = loop {
                let path = format!("/v2/instances?per_page=3&cursor={cursor}");
                let r = server.get(http, VULTR, &path).await;
                assert_eq!(r.status, 200);
                pages += 1;
                let body = r.json();
                for i in body["instances"].as_array().expect("instances") {
                    ids.push(i["id"].as_str().expect("id").to_string());
                }
                match body["meta"]["links"]["next"].as_str() {
                    Some(next) if !next.is_empty() => cursor = next.to_string(),
                    _ => break body["meta"]["total"].as_u64().expect("meta.total"),
                }
            };
            assert_eq!(total as usize, ids.len());
        }
        LINODE => {
            let total = loop {
                let path = format!("/v4/linode/instances?page_size=25&page={}", pages + 1);
                let r = server.get(http, LINODE, &path).await;
                assert_eq!(r.status, 200);
                pages += 1;
                let body = r.json();
                for i in body["data"].as_array().expect("data") {
                    ids.push(i["id"].to_string());
                }
                if body["page"].as_u64() >= body["pages"].as_u64() {
                    break body["results"].as_u64().expect("results");
                }
            };
            assert_eq!(total as usize, ids.len());
        }
    }
    assert_eq!(
        pages,
        ids.len().div_ceil(page_size).max(1),
        "{} machines",
        ids.len()
    );
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "a machine listed twice: {ids:?}");
    ids
}

#[tokio::test]
async fn extra_machines_are_added_to_each_provider() {
    let plain = start(&[]);
    let more = start(&["--extra-machines", "7"]);
    let http = client();
    for p in [DO, VULTR] {
        let before = machine_ids(&plain, &http, p).await;
        let after = machine_ids(&more, &http, p).await;
        assert_eq!(after.len(), before.len() + 7, "{p:?}");
        assert!(after.len() > 3, "{p:?}: several pages");
    }
}

/// A fresh path in the temporary directory, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str) -> TempFile {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_nanos();
        TempFile(std::env::temp_dir().join(format!(
            "hangar-emulator-{name}-{}-{nanos}.jsonl",
            std::process::id()
        )))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn log_lines(file: &TempFile) -> Vec<Value> {
    std::fs::read_to_string(&file.0)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?} is not JSON: {e}")))
        .collect()
}

#[tokio::test]
async fn request_log_has_one_json_line_per_request() {
    let log = TempFile::new("request-log");
    let server = start(&["--request-log", log.0.to_str().expect("a UTF-8 path")]);
    let http = client();
    let sent = [
        (DO, "/v2/account", 200),
        (DO, "/v2/droplets/999999999", 404),
        (VULTR, "/v2/regions", 200),
        (
            VULTR,
            "/v2/instances/00000000-0000-4000-8000-000000000000",
            404,
        ),
    ];
    let mut expected = Vec::new();
    for (i, (p, path, status)) in sent.into_iter().enumerate() {
        assert_eq!(server.get(&http, p, path).await.status, status, "{path}");
        expected.push(serde_json::json!({
            "provider": p.name(), "method": "GET", "path": path, "status": status,
        }));
        // Written (and flushed) while the server runs, before the response is sent.
        assert_eq!(log_lines(&log), expected, "after request {i}");
    }
    // A request without the token is logged with its 401.
    let r = http
        .delete(server.url(VULTR, "/v2/instances/x"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 401);
    expected.push(serde_json::json!({
        "provider": "vultr", "method": "DELETE", "path": "/v2/instances/x", "status": 401,
    }));
    assert_eq!(log_lines(&log), expected);
    let text = std::fs::read_to_string(&log.0).expect("the log");
    assert!(text.ends_with('\n'));
    assert_eq!(text.lines().count(), expected.len());
    drop(server);
    // The file is appended to, not truncated, by the next server.
    let server = start(&["--request-log", log.0.to_str().expect("a UTF-8 path")]);
    server.get(&http, DO, "/v2/regions").await;
    let lines = log_lines(&log);
    assert_eq!(lines.len(), expected.len() + 1);
    assert_eq!(lines[..expected.len()], expected[..]);
    assert_eq!(lines[expected.len()]["path"], "/v2/regions");
}

#[tokio::test]
async fn request_log_records_faulted_requests() {
    let log = TempFile::new("faulted-log");
    let server = start(&[
        "--faults",
        "drop=1",
        "--request-log",
        log.0.to_str().expect("a UTF-8 path"),
    ]);
    let (bytes, _) = raw_get(&server, DO, "/v2/account").await;
    assert!(bytes.is_empty());
    assert_eq!(
        log_lines(&log),
        vec![serde_json::json!({
            "provider": "digitalocean", "method": "GET", "path": "/v2/account", "status": 0,
        })]
    );
}

#[test]
fn the_server_stops_when_its_stdin_closes() {
    let mut server = start(&[]);
    drop(server.child.stdin.take());
    let status = wait_for_exit(&mut server.child).expect("the server exits");
    assert!(status.success(), "{status:?}");
}

#[test]
fn help_documents_the_options() {
    let out = command(&["--help"]).output().expect("the binary runs");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for option in [
        "--latency-ms",
        "--faults",
        "--fault-seed",
        "--retry-after-secs",
        "--timeout-hold-secs",
        "--extra-machines",
        "--request-log",
        "--exit-on-stdin-eof",
    ] {
        assert!(help.contains(option), "{option} is not in --help");
    }
}

#[tokio::test]
async fn my_ip_answers_the_address_given_with_my_ip() {
    let server = start(&["--my-ip", "198.51.100.42"]);
    let line = server
        .banner
        .iter()
        .find(|l| l.starts_with("My IP:"))
        .unwrap_or_else(|| panic!("no My IP line in {:?}", server.banner));
    assert!(line.contains("(answers 198.51.100.42)"), "{line}");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("the URL");
    let text = client()
        .get(url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text, "198.51.100.42");
}
