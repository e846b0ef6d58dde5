//! Seeds: the YAML fixture, determinism, refusal of broken seeds.

use hangar_emulator::{EmulatedProvider, Emulator, EmulatorConfig, Seed};
use serde_json::{Value, json};

use crate::adapter::Adapter;
use crate::client::{Client, fixture_seed, start};

/// The fixture's machines (without their creation time) and, for DigitalOcean, the first
/// key's fingerprint.
async fn snapshot(a: Adapter) -> (Vec<Value>, Option<String>) {
    let emu = start(fixture_seed()).await;
    assert_eq!(emu.token(a.provider()), a.fixture_token());
    let c = Client::new(&emu, a.provider());
    let machines = c.call("GET", a.machines(), None).await.json()[a.many()]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let mut x = x.clone();
            x.as_object_mut().unwrap().remove(a.created_at());
            if a.provider() == EmulatedProvider::Linode {
                x.as_object_mut().unwrap().remove("updated");
            }
            x
        })
        .collect();
    let fp = match a.provider() {
        EmulatedProvider::DigitalOcean => Some(
            c.call("GET", "/v2/account/keys", None).await.json()["ssh_keys"][0]["fingerprint"]
                .as_str()
                .unwrap()
                .to_string(),
        ),
        EmulatedProvider::Vultr => None,
        EmulatedProvider::Linode => None,
    };
    emu.shutdown().await;
    (machines, fp)
}

/// The YAML fixture seeds the same world every time, with what it says.
pub async fn the_yaml_fixture_seeds_deterministically(a: Adapter) {
    let first = snapshot(a).await;
    assert_eq!(first, snapshot(a).await);
    let (machines, _) = &first;
    let emu = start(fixture_seed()).await;
    let c = Client::new(&emu, a.provider());
    match a.provider() {
        EmulatedProvider::DigitalOcean => {
            let names: Vec<&str> = machines
                .iter()
                .map(|x| x["name"].as_str().unwrap())
                .collect();
            assert_eq!(names, ["web-1", "worker-1", "hand-made"]);
            assert_eq!(machines[0]["id"], 500000001);
            assert_eq!(machines[1]["status"], "off");
            assert!(
                machines[0]["tags"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("machine:session:ab12cd34"))
            );
            assert_eq!(machines[2]["tags"], json!([]));
            let r = c
                .call("GET", "/v2/domains/fixture.example/records?type=SRV", None)
                .await;
            assert_eq!(r.json()["domain_records"][0]["port"], 5060);
        }
        EmulatedProvider::Vultr => {
            assert_eq!(machines[1]["hostname"], "db-1.fixture.example");
            assert_eq!(machines[1]["power_status"], "stopped");
            assert_eq!(
                c.call("GET", "/account", None).await.json()["account"]["name"],
                "Fixture Account"
            );
        }
        EmulatedProvider::Linode => {
            let labels: Vec<&str> = machines
                .iter()
                .map(|x| x["label"].as_str().unwrap())
                .collect();
            assert_eq!(labels, ["web-1", "db-1"]);
            assert_eq!(machines[1]["status"], "offline");
            assert_eq!(machines[1]["region"], "eu-west");
            assert_eq!(
                c.call("GET", "/profile", None).await.json()["username"],
                "fixture-user"
            );
            let zone = c.call("GET", "/domains", None).await.json()["data"][0]["id"].clone();
            let r = c
                .call("GET", &format!("/domains/{zone}/records"), None)
                .await;
            let srv = r.json()["data"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["type"] == "SRV")
                .unwrap()
                .clone();
            assert_eq!(
                (srv["port"].clone(), srv["weight"].clone()),
                (json!(5060), json!(5))
            );
        }
    }
    emu.shutdown().await;
}

/// A seed naming an unknown region is refused.
pub async fn a_broken_seed_is_refused(a: Adapter) {
    let broken = Seed::from_yaml_str(a.broken_seed()).unwrap();
    let started = Emulator::start(EmulatorConfig {
        seed: broken,
        ..EmulatorConfig::default()
    })
    .await;
    let err = started.err().expect("the broken seed is refused");
    assert!(err.to_string().contains("mars"), "{err}");
}
