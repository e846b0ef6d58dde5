//! What differs between the providers for the shared cases: paths, bodies, field names, status
//! codes and error bodies. Each method answers for the adapter's provider.

use hangar_emulator::EmulatedProvider;
use serde_json::{Value, json};

use crate::client::{Client, DO, KEY_A, KEY_B, LINODE, Reply, VULTR, public_v4};

/// One provider, as the shared cases see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Adapter {
    provider: EmulatedProvider,
}

impl Adapter {
    pub fn digitalocean() -> Adapter {
        Adapter { provider: DO }
    }

    pub fn vultr() -> Adapter {
        Adapter { provider: VULTR }
    }

    pub fn linode() -> Adapter {
        Adapter { provider: LINODE }
    }

    pub fn provider(self) -> EmulatedProvider {
        self.provider
    }

    /// Picks the DigitalOcean or the Vultr value, for what only those two share a shape for
    /// (Linode's unwrapped bodies and `{data, page, pages, results}` pages have their own
    /// cases in `spec/linode.rs`). Panics for Linode: a case that runs for Linode uses
    /// [`Adapter::pick3`] or a method with a Linode arm.
    pub fn pick<T>(self, digitalocean: T, vultr: T) -> T {
        match self.provider {
            EmulatedProvider::DigitalOcean => digitalocean,
            EmulatedProvider::Vultr => vultr,
            EmulatedProvider::Linode => {
                panic!("this adapter value has no Linode form: see spec/linode.rs")
            }
        }
    }

    /// Picks the DigitalOcean, the Vultr or the Linode value.
    pub fn pick3<T>(self, digitalocean: T, vultr: T, linode: T) -> T {
        match self.provider {
            EmulatedProvider::DigitalOcean => digitalocean,
            EmulatedProvider::Vultr => vultr,
            EmulatedProvider::Linode => linode,
        }
    }

    /// The resource of a single-resource answer: DigitalOcean and Vultr wrap it under `key`
    /// (`ssh_key`), Linode does not.
    pub fn one_of<'v>(self, body: &'v Value, key: &str) -> &'v Value {
        match self.provider {
            EmulatedProvider::Linode => body,
            _ => &body[key],
        }
    }

    /// The items of a list answer: under `key` (`regions`), or Linode's `data`.
    pub fn items_of<'v>(self, body: &'v Value, key: &str) -> &'v Vec<Value> {
        let items = match self.provider {
            EmulatedProvider::Linode => &body["data"],
            _ => &body[key],
        };
        items.as_array().expect("a list")
    }

    /// The total count of a list answer: `meta.total`, or Linode's `results`.
    pub fn total_of(self, body: &Value) -> Value {
        match self.provider {
            EmulatedProvider::Linode => body["results"].clone(),
            _ => body["meta"]["total"].clone(),
        }
    }

    /// The status of a created SSH key: 201, or Linode's 200.
    pub fn key_created(self) -> u16 {
        self.pick3(201, 201, 200)
    }

    /// Checks a successful delete: DigitalOcean's and Vultr's empty 204, Linode's 200 `{}`.
    pub fn assert_deleted(self, r: &Reply) {
        match self.provider {
            EmulatedProvider::Linode => {
                assert_eq!((r.status, r.json().clone()), (200, json!({})))
            }
            _ => assert_eq!((r.status, r.body.is_none()), (204, true)),
        }
    }

    /// The name field of an SSH key: `name`, or Linode's `label`.
    pub fn key_name(self) -> &'static str {
        self.pick3("name", "name", "label")
    }

    /// A client path as the emulator sees it (and fault routes match it): Vultr paths get
    /// their `/v2` prefix, Linode paths their `/v4` one.
    pub fn full_path(self, path: &str) -> String {
        self.pick3(path.to_string(), format!("/v2{path}"), format!("/v4{path}"))
    }

    // ---- machines ----------------------------------------------------------------------

    pub fn machines(self) -> &'static str {
        self.pick3("/v2/droplets", "/instances", "/linode/instances")
    }

    pub fn machine(self, id: &str) -> String {
        format!("{}/{id}", self.machines())
    }

    /// The key of one machine in a response: `droplet` or `instance`.
    pub fn one(self) -> &'static str {
        self.pick("droplet", "instance")
    }

    /// The key of a machine list: `droplets`, `instances` or Linode's `data`.
    pub fn many(self) -> &'static str {
        self.pick3("droplets", "instances", "data")
    }

    /// A machine's (or a key's, or a record's) id as a path segment.
    pub fn id(self, v: &Value) -> String {
        match self.provider {
            EmulatedProvider::DigitalOcean => v["id"].as_u64().expect("a numeric id").to_string(),
            EmulatedProvider::Vultr => v["id"].as_str().expect("a string id").to_string(),
            EmulatedProvider::Linode => v["id"].as_u64().expect("a numeric id").to_string(),
        }
    }

    /// An id the provider's id format allows, but that names no machine.
    pub fn bogus_machine_id(self) -> &'static str {
        self.pick3("not-a-number", "not-a-uuid", "999999999")
    }

    /// A minimal valid create body.
    pub fn create_body(self, name: &str, tags: &[&str]) -> Value {
        match self.provider {
            EmulatedProvider::DigitalOcean => {
                json!({ "name": name, "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64", "tags": tags })
            }
            EmulatedProvider::Vultr => {
                json!({ "region": "ewr", "plan": "vc2-1c-1gb", "os_id": 2284, "label": name, "tags": tags })
            }
            EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
        }
    }

    /// A create body using every field Hangar sends (the SSH key is the seed's first).
    pub async fn full_create_body(self, c: &Client<'_>) -> Value {
        let tags = ["machine:created", "machine:session:ab12cd34"];
        match self.provider {
            EmulatedProvider::DigitalOcean => {
                json!({ "name": "web-2", "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64",
                    "ssh_keys": [], "tags": tags, "user_data": "#!/bin/sh\necho hi\n" })
            }
            EmulatedProvider::Vultr => {
                let key = c.call("GET", "/ssh-keys", None).await.json()["ssh_keys"][0]["id"]
                    .as_str()
                    .unwrap()
                    .to_string();
                json!({ "region": "ewr", "plan": "vc2-1c-1gb", "os_id": 2284, "label": "web-2", "hostname": "web-2",
                    "tags": tags, "sshkey_id": [key], "enable_ipv6": true,
                    "backups": "disabled", "user_data": "IyEvYmluL3NoCmVjaG8gaGkK" })
            }
            EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
        }
    }

    /// A machine's public IPv4 address, `None` before it has one.
    pub fn public_ip(self, m: &Value) -> Option<String> {
        match self.provider {
            EmulatedProvider::DigitalOcean => public_v4(m),
            EmulatedProvider::Vultr => match m["main_ip"].as_str().expect("main_ip") {
                "0.0.0.0" => None,
                ip => Some(ip.to_string()),
            },
            EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
        }
    }

    /// The `status` of a machine that is still being created.
    pub fn pending_status(self) -> &'static str {
        self.pick("new", "pending")
    }

    /// The power actions, each applied with [`Adapter::act`].
    pub fn power_actions(self) -> &'static [&'static str] {
        self.pick(
            &["power_off", "power_on", "shutdown", "reboot", "power_cycle"],
            &["halt", "start", "reboot"],
        )
    }

    /// The power action that turns a machine off, and the field and value that show it.
    pub fn power_off(self) -> (&'static str, &'static str, &'static str) {
        self.pick(
            ("power_off", "status", "off"),
            ("halt", "power_status", "stopped"),
        )
    }

    /// Sends a power action and checks the provider's answer: DigitalOcean's 201 with an
    /// action that can be polled both ways, Vultr's empty 204.
    pub async fn act(self, c: &Client<'_>, id: &str, action: &str) {
        match self.provider {
            EmulatedProvider::DigitalOcean => {
                let r = c
                    .call(
                        "POST",
                        &format!("/v2/droplets/{id}/actions"),
                        Some(json!({ "type": action })),
                    )
                    .await;
                assert_eq!(r.status, 201, "{action}");
                let a_id = r.json()["action"]["id"].as_u64().unwrap();
                assert_eq!(r.json()["action"]["type"], action);
                let a = c.call("GET", &format!("/v2/actions/{a_id}"), None).await;
                assert_eq!(a.json()["action"]["resource_id"].to_string(), id);
                let a = c
                    .call("GET", &format!("/v2/droplets/{id}/actions/{a_id}"), None)
                    .await;
                assert_eq!(a.status, 200);
            }
            EmulatedProvider::Vultr => {
                let r = c
                    .call("POST", &format!("/instances/{id}/{action}"), None)
                    .await;
                assert_eq!((r.status, r.body.is_none()), (204, true), "{action}");
            }
            EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
        }
    }

    /// The list path filtered by tag.
    pub fn tag_filter(self, tag: &str) -> String {
        format!("{}?{}={tag}", self.machines(), self.pick("tag_name", "tag"))
    }

    /// The list path filtered by name (DigitalOcean's `name` is case-insensitive, so it is
    /// sent in upper case; Vultr's `label` is exact).
    pub fn name_filter(self, name: &str) -> String {
        match self.provider {
            EmulatedProvider::DigitalOcean => {
                format!("/v2/droplets?name={}", name.to_uppercase())
            }
            EmulatedProvider::Vultr => format!("/instances?label={name}"),
            EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
        }
    }

    /// A filter no seeded or bulk machine matches.
    pub fn empty_filter(self) -> &'static str {
        self.pick("/v2/droplets?type=gpus", "/instances?region=sjc")
    }

    /// The largest page the provider serves.
    pub fn max_per_page(self) -> usize {
        self.pick(200, 500)
    }

    /// The next page of a list reply, as a path or an absolute URL; `None` on the last page.
    /// `first` is the path of the first page (with a query).
    pub fn next_page(self, body: &Value, first: &str) -> Option<String> {
        match self.provider {
            EmulatedProvider::DigitalOcean => body["links"]["pages"]
                .get("next")
                .map(|n| n.as_str().unwrap().to_string()),
            EmulatedProvider::Vultr => match body["meta"]["links"]["next"].as_str().unwrap() {
                "" => None,
                cursor => Some(format!("{first}&cursor={cursor}")),
            },
            EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
        }
    }

    /// Every item of a list, following the pagination from `first` (a path with a query).
    /// Returns the items and the number of pages.
    pub async fn list_all(self, c: &Client<'_>, first: &str, key: &str) -> (Vec<Value>, usize) {
        let mut items = Vec::new();
        let mut pages = 0;
        let mut next = Some(first.to_string());
        while let Some(url) = next {
            let r = c.get(&url).await;
            assert_eq!(r.status, 200, "{url}");
            pages += 1;
            items.extend(r.json()[key].as_array().unwrap().iter().cloned());
            next = self.next_page(r.json(), first);
        }
        (items, pages)
    }

    /// Create bodies the provider refuses, with what is wrong with each.
    pub fn invalid_create_bodies(self) -> Vec<(Value, &'static str)> {
        match self.provider {
            EmulatedProvider::DigitalOcean => {
                let base = json!({ "name": "ok-name", "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64" });
                let with = |k: &str, v: Value| {
                    let mut b = base.clone();
                    b[k] = v;
                    b
                };
                let mut not_in_region = with("region", json!("sgp1"));
                not_in_region["size"] = json!("s-1vcpu-512mb-10gb");
                vec![
                    (with("region", json!("mars1")), "region"),
                    (with("size", json!("s-64vcpu-1tb")), "size"),
                    (with("image", json!("windows-xp")), "image"),
                    (with("name", json!("bad_name")), "name with _"),
                    (with("name", json!("ends-with-dash-")), "name ending in -"),
                    (with("tags", json!(["has space"])), "tag with a space"),
                    (with("tags", json!(["a/b"])), "tag with /"),
                    (with("ssh_keys", json!([999])), "ssh key"),
                    (not_in_region, "size not in region"),
                    (
                        json!({ "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64" }),
                        "no name",
                    ),
                    (
                        with("user_data", json!("x".repeat(70 * 1024))),
                        "user_data too large",
                    ),
                ]
            }
            EmulatedProvider::Vultr => {
                let base = json!({ "region": "ewr", "plan": "vc2-1c-1gb", "os_id": 2284 });
                let with = |k: &str, v: Value| {
                    let mut b = base.clone();
                    b[k] = v;
                    b
                };
                vec![
                    (with("user_data", json!("not base64!!")), "user_data"),
                    (with("region", json!("xyz")), "region"),
                    (with("plan", json!("vc9-999")), "plan"),
                    (with("os_id", json!(1)), "os"),
                    (
                        json!({ "region": "sjc", "plan": "vhf-1c-1gb", "os_id": 2284 }),
                        "plan not in region",
                    ),
                    (
                        json!({ "region": "ewr", "plan": "vc2-1c-1gb" }),
                        "no source",
                    ),
                    (with("sshkey_id", json!(["missing"])), "ssh key"),
                    (with("backups", json!("yes")), "backups"),
                ]
            }
            EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
        }
    }

    // ---- errors ------------------------------------------------------------------------

    /// The status of a refused (invalid) body: 422 or 400.
    pub fn invalid_status(self) -> u16 {
        self.pick3(422, 400, 400)
    }

    /// Checks an error body: DigitalOcean's `id` (`expected_id`) and `message`, Vultr's
    /// `error` and `status`.
    pub fn assert_error(self, body: &Value, status: u16, expected_id: &str) {
        match self.provider {
            EmulatedProvider::DigitalOcean => {
                assert_eq!(body["id"], expected_id, "{body}");
                assert!(body["message"].is_string(), "{body}");
            }
            EmulatedProvider::Vultr => {
                assert_eq!(body["status"], status, "{body}");
                assert!(body["error"].is_string(), "{body}");
            }
            EmulatedProvider::Linode => {
                let errors = body["errors"].as_array().expect("an errors list");
                assert!(!errors.is_empty(), "{body}");
                assert!(errors.iter().all(|e| e["reason"].is_string()), "{body}");
            }
        }
    }

    /// Checks the 404 body of an unknown machine.
    pub fn assert_not_found(self, r: &Reply) {
        assert_eq!(r.status, 404);
        match self.provider {
            EmulatedProvider::DigitalOcean => assert_eq!(
                r.json(),
                &json!({ "id": "not_found", "message": "The resource you were accessing could not be found." })
            ),
            EmulatedProvider::Vultr => self.assert_error(r.json(), 404, ""),
            EmulatedProvider::Linode => {
                assert_eq!(r.json(), &json!({ "errors": [{ "reason": "Not found" }] }))
            }
        }
    }

    /// The exact 401 body.
    pub fn unauthorized_body(self) -> Value {
        self.pick3(
            json!({ "id": "unauthorized", "message": "Unable to authenticate you." }),
            json!({ "error": "Invalid API token.", "status": 401 }),
            json!({ "errors": [{ "reason": "Invalid Token" }] }),
        )
    }

    /// A path no route serves.
    pub fn unspecified_path(self) -> &'static str {
        self.pick3("/v2/nothing-here", "/nothing-here", "/nothing-here")
    }

    // ---- account and catalogs ------------------------------------------------------------

    pub fn account(self) -> &'static str {
        self.pick3("/v2/account", "/account", "/account")
    }

    /// A field of the built-in seed's account and its value.
    pub fn account_field(self) -> (&'static str, &'static str) {
        self.pick3(
            ("status", "active"),
            ("email", "demo@example.com"),
            ("email", "demo@example.com"),
        )
    }

    pub fn regions(self) -> &'static str {
        self.pick3("/v2/regions", "/regions", "/regions")
    }

    /// The region list path and the built-in regions' identifiers, in order.
    pub fn region_ids(self) -> (&'static str, &'static [&'static str]) {
        self.pick3(
            (
                "slug",
                &["nyc1", "nyc3", "ams3", "sfo3", "fra1", "lon1", "sgp1"],
            ),
            ("id", &["ewr", "ord", "ams", "fra", "lhr", "sjc"]),
            (
                "id",
                &[
                    "us-east",
                    "us-central",
                    "us-west",
                    "eu-west",
                    "eu-central",
                    "ap-south",
                ],
            ),
        )
    }

    /// The size (plan) list path, its key, and some sizes it offers.
    pub fn sizes(self) -> (&'static str, &'static str, &'static [&'static str]) {
        self.pick3(
            (
                "/v2/sizes",
                "sizes",
                &[
                    "s-1vcpu-512mb-10gb",
                    "s-1vcpu-1gb",
                    "s-2vcpu-4gb",
                    "s-4vcpu-8gb",
                ],
            ),
            (
                "/plans",
                "plans",
                &["vc2-1c-1gb", "vc2-2c-4gb", "vhf-1c-1gb"],
            ),
            (
                "/linode/types",
                "data",
                &["g6-nanode-1", "g6-standard-1", "g6-standard-2"],
            ),
        )
    }

    /// The identifier field of a size (`slug` or `id`), a size, its monthly price field and
    /// its price.
    pub fn size_price(self) -> (&'static str, &'static str, &'static str, Value) {
        self.pick3(
            ("slug", "s-1vcpu-1gb", "price_monthly", json!(6.0)),
            ("id", "vc2-1c-1gb", "monthly_cost", json!(5)),
            (
                "id",
                "g6-nanode-1",
                "price",
                json!({ "hourly": 0.0075, "monthly": 5.0 }),
            ),
        )
    }

    // ---- SSH keys ----------------------------------------------------------------------

    pub fn keys(self) -> &'static str {
        self.pick3("/v2/account/keys", "/ssh-keys", "/profile/sshkeys")
    }

    pub fn key_body(self, name: &str, public_key: &str) -> Value {
        self.pick3(
            json!({ "name": name, "public_key": public_key }),
            json!({ "name": name, "ssh_key": public_key }),
            json!({ "label": name, "ssh_key": public_key }),
        )
    }

    /// A key the built-in seed does not hold.
    pub fn new_key(self) -> &'static str {
        self.pick3(KEY_A, KEY_B, KEY_A)
    }

    /// Renames a key and checks the provider's answer (DigitalOcean's and Linode's PUT answer
    /// the key, Vultr's PATCH an empty 204).
    pub async fn rename_key(self, c: &Client<'_>, id: &str, name: &str) {
        let path = format!("{}/{id}", self.keys());
        match self.provider {
            EmulatedProvider::DigitalOcean => {
                let r = c.call("PUT", &path, Some(json!({ "name": name }))).await;
                assert_eq!(r.json()["ssh_key"]["name"], name);
            }
            EmulatedProvider::Vultr => {
                let r = c.call("PATCH", &path, Some(json!({ "name": name }))).await;
                assert_eq!((r.status, r.body.is_none()), (204, true));
            }
            EmulatedProvider::Linode => {
                let r = c.call("PUT", &path, Some(json!({ "label": name }))).await;
                assert_eq!(r.json()["label"], name);
            }
        }
    }

    // ---- DNS ---------------------------------------------------------------------------

    pub fn domains(self) -> &'static str {
        self.pick("/v2/domains", "/domains")
    }

    pub fn domain(self, name: &str) -> String {
        format!("{}/{name}", self.domains())
    }

    /// The domain the built-in seed holds.
    pub fn seeded_domain(self) -> &'static str {
        self.pick("example.com", "example.net")
    }

    pub fn domain_body(self, name: &str, ip: Option<&str>) -> Value {
        let mut b = self.pick(json!({ "name": name }), json!({ "domain": name }));
        if let Some(ip) = ip {
            b[self.pick("ip_address", "ip")] = json!(ip);
        }
        b
    }

    /// The status of a created domain: 201, or Vultr's 200.
    pub fn domain_created(self) -> u16 {
        self.pick(201, 200)
    }

    /// A domain's name in a response.
    pub fn domain_name(self, domain: &Value) -> Value {
        domain[self.pick("name", "domain")].clone()
    }

    pub fn records(self, domain: &str) -> String {
        format!("{}/records", self.domain(domain))
    }

    pub fn record(self, domain: &str, id: &str) -> String {
        format!("{}/records/{id}", self.domain(domain))
    }

    /// The key of one record: `domain_record` or `record`.
    pub fn record_one(self) -> &'static str {
        self.pick("domain_record", "record")
    }

    /// The key of a record list: `domain_records` or `records`.
    pub fn record_many(self) -> &'static str {
        self.pick("domain_records", "records")
    }

    /// Changes a record's data and checks the provider's answer (DigitalOcean's PATCH
    /// answers the record, Vultr's an empty 204).
    pub async fn set_record_data(self, c: &Client<'_>, path: &str, kind: &str, data: &str) {
        match self.provider {
            EmulatedProvider::DigitalOcean => {
                let r = c
                    .call("PATCH", path, Some(json!({ "type": kind, "data": data })))
                    .await;
                assert_eq!(
                    (r.status, r.json()["domain_record"]["data"].clone()),
                    (200, json!(data))
                );
            }
            EmulatedProvider::Vultr => {
                let r = c.call("PATCH", path, Some(json!({ "data": data }))).await;
                assert_eq!((r.status, r.body.is_none()), (204, true));
            }
            EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
        }
    }

    /// A record of each type Hangar can write, in the provider's conventions, with the
    /// fields the answer must echo.
    pub fn record_kinds(self, zone: &str) -> Vec<Value> {
        match self.provider {
            EmulatedProvider::DigitalOcean => vec![
                json!({ "type": "A", "name": "www", "data": "192.0.2.10", "ttl": 600 }),
                json!({ "type": "AAAA", "name": "www", "data": "2001:db8::10" }),
                json!({ "type": "CNAME", "name": "blog", "data": format!("www.{zone}.") }),
                json!({ "type": "MX", "name": "@", "data": format!("mail.{zone}."), "priority": 10 }),
                json!({ "type": "TXT", "name": "@", "data": "v=spf1 -all" }),
                json!({ "type": "NS", "name": "sub", "data": "ns1.other.example." }),
                json!({ "type": "SRV", "name": "_sip._tcp", "data": format!("sip.{zone}."), "priority": 1, "port": 5060, "weight": 5 }),
                json!({ "type": "CAA", "name": "@", "data": "letsencrypt.org", "flags": 0, "tag": "issue" }),
            ],
            EmulatedProvider::Vultr => vec![
                json!({ "type": "A", "name": "www", "data": "192.0.2.10", "ttl": 600 }),
                json!({ "type": "AAAA", "name": "www", "data": "2001:db8::10" }),
                json!({ "type": "CNAME", "name": "blog", "data": format!("www.{zone}") }),
                json!({ "type": "MX", "name": "", "data": format!("mail.{zone}"), "priority": 10 }),
                json!({ "type": "TXT", "name": "", "data": "\"v=spf1 -all\"" }),
                json!({ "type": "NS", "name": "sub", "data": "ns1.other.example" }),
                json!({ "type": "SRV", "name": "_sip._tcp", "data": format!("5 5060 sip.{zone}"), "priority": 1 }),
                json!({ "type": "CAA", "name": "", "data": "0 issue \"letsencrypt.org\"" }),
            ],
            EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
        }
    }

    /// Records the provider refuses on create, each with words one of which its error message
    /// must hold (none: any message).
    pub fn invalid_records(self) -> Vec<(Value, &'static [&'static str])> {
        match self.provider {
            EmulatedProvider::DigitalOcean => vec![
                (
                    json!({ "type": "A", "name": "x", "data": "not-an-ip" }),
                    &[],
                ),
                (json!({ "type": "MX", "name": "@", "data": "mail." }), &[]),
                (
                    json!({ "type": "SRV", "name": "_x._tcp", "data": "a.", "priority": 1 }),
                    &[],
                ),
                (json!({ "type": "CAA", "name": "@", "data": "x" }), &[]),
                (json!({ "type": "BOGUS", "name": "@", "data": "x" }), &[]),
                // `#/components/schemas/domain_record_caa`: the tag is issue, issuewild or
                // iodef and the flags fit in a byte.
                (
                    json!({ "type": "CAA", "name": "@", "data": "ca.example", "flags": 0, "tag": "bogus" }),
                    &["flags", "tag"],
                ),
                (
                    json!({ "type": "CAA", "name": "@", "data": "ca.example", "flags": 256, "tag": "issue" }),
                    &["flags", "tag"],
                ),
            ],
            EmulatedProvider::Vultr => vec![
                (
                    json!({ "name": "x", "type": "MX", "data": "m.example" }),
                    &[],
                ),
                // Vultr keeps SRV's weight and port and CAA's flags and tag in `data`.
                (
                    json!({ "name": "_x._tcp", "type": "SRV", "data": "sip.example.net", "priority": 1 }),
                    &["Invalid data"],
                ),
                (
                    json!({ "name": "_x._tcp", "type": "SRV", "data": "5 99999 sip.example.net", "priority": 1 }),
                    &["Invalid data"],
                ),
                (
                    json!({ "name": "", "type": "CAA", "data": "letsencrypt.org" }),
                    &["Invalid data"],
                ),
                (
                    json!({ "name": "", "type": "CAA", "data": "0 bogus \"letsencrypt.org\"" }),
                    &["Invalid data"],
                ),
            ],
            EmulatedProvider::Linode => unreachable!("not run for Linode: see spec/linode.rs"),
        }
    }

    /// The message of an error body.
    pub fn error_message(self, body: &Value) -> String {
        let message = match self.provider {
            EmulatedProvider::Linode => &body["errors"][0]["reason"],
            _ => &body[self.pick("message", "error")],
        };
        message.as_str().expect("an error message").to_string()
    }

    // ---- seeds -------------------------------------------------------------------------

    /// The fixture seed's token.
    pub fn fixture_token(self) -> &'static str {
        self.pick3(
            "dop_v1_fixture_token",
            "VULTRFIXTURETOKEN000000000000000000000",
            "linode-fixture-token",
        )
    }

    /// The machine field holding the creation time.
    pub fn created_at(self) -> &'static str {
        self.pick3("created_at", "date_created", "created")
    }

    /// A seed whose machine names an unknown region.
    pub fn broken_seed(self) -> &'static str {
        self.pick3(
            "digitalocean: { droplets: [{ name: x, region: mars, size: s-1vcpu-1gb, image: ubuntu-24-04-x64 }] }",
            "vultr: { instances: [{ label: x, region: mars, plan: vc2-1c-1gb, os_id: 2284 }] }",
            "linode: { instances: [{ label: xyz, region: mars, type: g6-nanode-1, image: linode/debian12 }] }",
        )
    }
}
