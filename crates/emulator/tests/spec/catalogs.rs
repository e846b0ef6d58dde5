//! Catalogs and the account; DigitalOcean's projects and tags.

use hangar_emulator::{EmulatedProvider, Seed};
use serde_json::{Value, json};

use crate::adapter::Adapter;
use crate::client::{Client, DO, fixture_seed, start};

/// The regions in order, some sizes (plans) and a price, the images (OS), and the sizes a
/// region does not offer; the account.
pub async fn catalogs_and_account(a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, a.provider());
    let r = c.call("GET", a.regions(), None).await;
    let (id_key, expected) = a.region_ids();
    let ids: Vec<&str> = a
        .items_of(r.json(), "regions")
        .iter()
        .map(|x| x[id_key].as_str().unwrap())
        .collect();
    assert_eq!(ids, expected);
    let regions = Value::Array(a.items_of(r.json(), "regions").clone());

    let (sizes_path, sizes_key, some) = a.sizes();
    let r = c.call("GET", sizes_path, None).await;
    let sizes = a.items_of(r.json(), sizes_key);
    let (size_id, size, price_key, price) = a.size_price();
    for s in some {
        assert!(sizes.iter().any(|x| x[size_id] == *s), "{s}");
    }
    let small = sizes.iter().find(|x| x[size_id] == size).unwrap();
    assert_eq!(small[price_key], price);

    match a.provider() {
        EmulatedProvider::DigitalOcean => {
            // sgp1 does not offer the smallest size.
            let sgp = regions
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["slug"] == "sgp1")
                .unwrap();
            assert!(
                !sgp["sizes"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("s-1vcpu-512mb-10gb"))
            );
            let r = c.call("GET", "/v2/images?type=distribution", None).await;
            let images: Vec<&str> = r.json()["images"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["slug"].as_str().unwrap())
                .collect();
            for s in ["ubuntu-24-04-x64", "ubuntu-22-04-x64", "debian-12-x64"] {
                assert!(images.contains(&s), "{s}");
            }
            assert_eq!(
                c.call("GET", "/v2/images?type=application", None)
                    .await
                    .json()["meta"]["total"],
                0
            );
        }
        EmulatedProvider::Vultr => {
            // sjc does not offer the high-frequency plan, by the plan's locations and by the
            // region's availability.
            let hf = sizes.iter().find(|p| p["id"] == "vhf-1c-1gb").unwrap();
            assert!(!hf["locations"].as_array().unwrap().contains(&json!("sjc")));
            assert!(
                c.call("GET", "/plans?type=vhf", None).await.json()["plans"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|p| p["type"] == "vhf")
            );
            let r = c.call("GET", "/regions/sjc/availability", None).await;
            let available = r.json()["available_plans"].as_array().unwrap();
            assert!(
                available.contains(&json!("vc2-1c-1gb"))
                    && !available.contains(&json!("vhf-1c-1gb"))
            );
            assert_eq!(
                c.call("GET", "/regions/xyz/availability", None)
                    .await
                    .status,
                404
            );
            let r = c.call("GET", "/os", None).await;
            let os = r.json()["os"].as_array().unwrap();
            assert!(
                os.iter().any(
                    |o| o["id"] == 2284 && o["name"].as_str().unwrap().contains("Ubuntu 24.04")
                )
            );
            assert!(
                os.iter()
                    .any(|o| o["id"] == 2136 && o["name"].as_str().unwrap().contains("Debian 12"))
            );
        }
        EmulatedProvider::Linode => {
            // Types are offered everywhere; the images are public distributions.
            let r = c.call("GET", "/images", None).await;
            let images = a.items_of(r.json(), "images");
            for id in ["linode/ubuntu24.04", "linode/debian12"] {
                let i = images.iter().find(|i| i["id"] == id).expect(id);
                assert_eq!(
                    (i["is_public"].clone(), i["status"].clone()),
                    (json!(true), json!("available"))
                );
            }
            assert_eq!(
                c.call("GET", "/profile", None).await.json()["restricted"],
                false
            );
        }
    }

    let r = c.call("GET", a.account(), None).await;
    assert_eq!(r.status, 200);
    let (field, value) = a.account_field();
    assert_eq!(a.one_of(r.json(), "account")[field], value);
    emu.shutdown().await;
}

/// DigitalOcean: projects, the default project, and assigning resources to them.
pub async fn projects_and_assignments(a: Adapter) {
    assert_eq!(a.provider(), DO, "DigitalOcean only");
    let emu = start(fixture_seed()).await;
    let c = Client::new(&emu, DO);
    let r = c.call("GET", "/v2/projects", None).await;
    assert_eq!(r.json()["meta"]["total"], 2);
    let r = c.call("GET", "/v2/projects/default", None).await;
    assert_eq!(r.json()["project"]["is_default"], true);
    let default_id = r.json()["project"]["id"].as_str().unwrap().to_string();
    let staging = c.call("GET", "/v2/projects", None).await.json()["projects"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let droplet = c.call("GET", "/v2/droplets?name=web-1", None).await.json()["droplets"][0]["id"]
        .as_u64()
        .unwrap();
    let urns = json!({ "resources": [format!("do:droplet:{droplet}"), "do:domain:fixture.example", "do:droplet:1"] });
    let r = c
        .call(
            "POST",
            &format!("/v2/projects/{staging}/resources"),
            Some(urns.clone()),
        )
        .await;
    assert_eq!(r.status, 200);
    let statuses: Vec<&str> = r.json()["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["ok", "ok", "not_found"]);
    let r = c
        .call(
            "POST",
            &format!("/v2/projects/{staging}/resources"),
            Some(urns),
        )
        .await;
    assert_eq!(r.json()["resources"][0]["status"], "already_assigned");
    let r = c
        .call(
            "POST",
            "/v2/projects/default/resources",
            Some(json!({ "resources": [format!("do:droplet:{droplet}")] })),
        )
        .await;
    assert_eq!(r.json()["resources"][0]["status"], "ok");
    let r = c
        .call("GET", &format!("/v2/projects/{default_id}/resources"), None)
        .await;
    assert_eq!(r.json()["meta"]["total"], 1);
    let bad = c
        .raw(
            "POST",
            "/v2/projects/default/resources",
            Some(json!({ "resources": ["droplet:1"] })),
            Some(&emu.token(DO)),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        c.call(
            "GET",
            "/v2/projects/00000000-0000-4000-8000-000000000000",
            None
        )
        .await
        .status,
        404
    );
    emu.shutdown().await;
}

/// DigitalOcean: tags exist for the seed's Droplets; create (first capitalization wins),
/// refuse invalid names, tag and untag resources, delete.
pub async fn tags(a: Adapter) {
    assert_eq!(a.provider(), DO, "DigitalOcean only");
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, DO);
    // Tags of the seed's Droplets exist.
    let r = c.call("GET", "/v2/tags", None).await;
    assert_eq!(r.json()["meta"]["total"], 3);
    let r = c
        .call(
            "POST",
            "/v2/tags",
            Some(json!({ "name": "Machine:Role:DB" })),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["tag"]["resources"]["count"], 0);
    // The first capitalization is canonical.
    let r = c
        .call(
            "POST",
            "/v2/tags",
            Some(json!({ "name": "machine:role:db" })),
        )
        .await;
    assert_eq!(r.json()["tag"]["name"], "Machine:Role:DB");
    let bad = c
        .raw(
            "POST",
            "/v2/tags",
            Some(json!({ "name": "no spaces" })),
            Some(&emu.token(DO)),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.json()["root_causes"].is_array());

    let legacy = c
        .call("GET", "/v2/droplets?name=legacy-db", None)
        .await
        .json()["droplets"][0]["id"]
        .as_u64()
        .unwrap();
    let res =
        json!({ "resources": [{ "resource_id": legacy.to_string(), "resource_type": "droplet" }] });
    assert_eq!(
        c.call(
            "POST",
            "/v2/tags/Machine:Role:DB/resources",
            Some(res.clone())
        )
        .await
        .status,
        204
    );
    let r = c.call("GET", "/v2/tags/Machine:Role:DB", None).await;
    assert_eq!(r.json()["tag"]["name"], "Machine:Role:DB");
    assert_eq!(r.json()["tag"]["resources"]["droplets"]["count"], 1);
    assert_eq!(
        c.call("GET", "/v2/droplets?tag_name=Machine:Role:DB", None)
            .await
            .json()["meta"]["total"],
        1
    );
    assert_eq!(
        c.call("DELETE", "/v2/tags/Machine:Role:DB/resources", Some(res))
            .await
            .status,
        204
    );
    assert_eq!(
        c.call("GET", "/v2/tags/Machine:Role:DB", None).await.json()["tag"]["resources"]["count"],
        0
    );
    assert_eq!(
        c.call("DELETE", "/v2/tags/Machine:Role:DB", None)
            .await
            .status,
        204
    );
    assert_eq!(
        c.call("GET", "/v2/tags/Machine:Role:DB", None).await.status,
        404
    );
    emu.shutdown().await;
}
