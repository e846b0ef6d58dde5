//! Listing 2,000 machines with 50 ms of latency on every request, per provider: Hangar's client
//! against a naive sequential page walk. Run with `cargo bench --bench list_machines`.
//!
//! The naive walks follow the API's own "next" links one page at a time, once with the largest
//! page size and once with the default page size (what a client that sets nothing gets).

use std::time::{Duration, Instant};

use hangar::provider::{MachineFilter, ProviderKind};
use hangar::secrets::Token;
use hangar_emulator::{EmulatedProvider, Emulator, EmulatorConfig, Faults};
use serde_json::Value;

const MACHINES: usize = 2_000;
/// Injected latency per request; `HANGAR_BENCH_LATENCY_MS` overrides the default 50 ms.
fn latency() -> Duration {
    let ms = std::env::var("HANGAR_BENCH_LATENCY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    Duration::from_millis(ms)
}
const TAG: &str = "bench";

struct Row {
    provider: &'static str,
    strategy: String,
    machines: usize,
    requests: usize,
    wall: Duration,
}

fn list_requests(emulator: &Emulator, path: &str) -> usize {
    emulator
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path == path)
        .count()
}

/// Follow DigitalOcean's `links.pages.next` one page at a time.
async fn naive_digitalocean(base: &str, token: &str, per_page: Option<u32>) -> usize {
    let http = reqwest::Client::new();
    let mut url = format!("{base}/v2/droplets?tag_name={TAG}");
    if let Some(n) = per_page {
        url.push_str(&format!("&per_page={n}"));
    }
    let mut count = 0;
    loop {
        let page: Value = http
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        count += page["droplets"].as_array().unwrap().len();
        match page.pointer("/links/pages/next").and_then(Value::as_str) {
            // The link names the public host; keep its path and query, swap the host.
            Some(next) => url = format!("{base}{}", &next[next.find("/v2/").unwrap()..]),
            None => return count,
        }
    }
}

/// Walk Linode's `page` numbers up to `pages`, one page at a time, filtered on the server by
/// `X-Filter` on the tag.
async fn naive_linode(base: &str, token: &str, page_size: Option<u32>) -> usize {
    let http = reqwest::Client::new();
    let filter = serde_json::json!({ "tags": TAG }).to_string();
    let mut count = 0;
    let mut page_no = 1u64;
    loop {
        let mut query = vec![("page", page_no.to_string())];
        if let Some(n) = page_size {
            query.push(("page_size", n.to_string()));
        }
        let page: Value = http
            .get(format!("{base}/linode/instances"))
            .query(&query)
            .header("X-Filter", &filter)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        count += page["data"].as_array().unwrap().len();
        if page_no >= page["pages"].as_u64().unwrap_or(1) {
            return count;
        }
        page_no += 1;
    }
}

/// Follow Vultr's `meta.links.next` cursor one page at a time (all instances; tag checked here).
async fn naive_vultr(base: &str, token: &str, per_page: Option<u32>) -> usize {
    let http = reqwest::Client::new();
    let mut cursor = String::new();
    let mut count = 0;
    loop {
        let mut query: Vec<(&str, String)> = Vec::new();
        if let Some(n) = per_page {
            query.push(("per_page", n.to_string()));
        }
        if !cursor.is_empty() {
            query.push(("cursor", cursor.clone()));
        }
        let page: Value = http
            .get(format!("{base}/instances"))
            .query(&query)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        count += page["instances"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["tags"].as_array().unwrap().iter().any(|t| t == TAG))
            .count();
        cursor = page["meta"]["links"]["next"]
            .as_str()
            .unwrap_or("")
            .to_string();
        if cursor.is_empty() {
            return count;
        }
    }
}

async fn bench(kind: EmulatedProvider, rows: &mut Vec<Row>) {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    emulator.add_machines(kind, MACHINES, &[TAG]);
    emulator.set_faults(
        kind,
        None,
        Faults {
            latency: latency(),
            ..Faults::default()
        },
    );
    let token = emulator.token(kind);
    let (name, path, base) = (
        kind.display_name(),
        kind.sample().machines_path,
        emulator.base_url(kind),
    );
    let provider =
        ProviderKind::from_slug(kind.name()).expect("a client for every emulated provider");
    let client = hangar::providers::connect(
        provider,
        &Token::from(token.clone()),
        Some(&base),
        Default::default(),
    )
    .unwrap();

    emulator.clear_requests();
    let started = Instant::now();
    let machines = client
        .list_machines(&MachineFilter::tagged(TAG))
        .await
        .unwrap()
        .len();
    rows.push(Row {
        provider: name,
        strategy: "hangar client".into(),
        machines,
        requests: list_requests(&emulator, path),
        wall: started.elapsed(),
    });

    let (max, param) = (
        kind.sample().max_page_size as u32,
        kind.sample().page_size_param,
    );
    let default = match kind {
        EmulatedProvider::DigitalOcean => 20,
        EmulatedProvider::Vultr | EmulatedProvider::Linode => 100,
    };
    for (label, per_page) in [
        (format!("sequential, {param}={max}"), Some(max)),
        (format!("sequential, default {param} ({default})"), None),
    ] {
        emulator.clear_requests();
        let started = Instant::now();
        let machines = match kind {
            EmulatedProvider::DigitalOcean => naive_digitalocean(&base, &token, per_page).await,
            EmulatedProvider::Vultr => naive_vultr(&base, &token, per_page).await,
            EmulatedProvider::Linode => naive_linode(&base, &token, per_page).await,
        };
        rows.push(Row {
            provider: name,
            strategy: label,
            machines,
            requests: list_requests(&emulator, path),
            wall: started.elapsed(),
        });
    }
    emulator.shutdown().await;
}

#[tokio::main]
async fn main() {
    let mut rows = Vec::new();
    for kind in EmulatedProvider::ALL {
        bench(kind, &mut rows).await;
    }
    println!(
        "list {MACHINES} machines, {} ms injected latency per request\n",
        latency().as_millis()
    );
    println!("| provider | strategy | machines | requests | wall time |");
    println!("|---|---|---:|---:|---:|");
    for r in &rows {
        assert_eq!(
            r.machines, MACHINES,
            "{} {}: listed every machine",
            r.provider, r.strategy
        );
        println!(
            "| {} | {} | {} | {} | {:.0} ms |",
            r.provider,
            r.strategy,
            r.machines,
            r.requests,
            r.wall.as_secs_f64() * 1000.0
        );
    }
}
