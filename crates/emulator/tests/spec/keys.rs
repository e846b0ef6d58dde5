//! SSH keys.

use hangar_emulator::{Emulator, EmulatorConfig, Seed};
use serde_json::json;

use crate::adapter::Adapter;
use crate::client::{Client, DO, IP_DELAY, KEY_A, start};

/// Create, read, rename, refuse a malformed key, delete, then 404 (twice).
pub async fn ssh_key_crud(a: Adapter) {
    let emu = start(Seed::builtin()).await;
    let c = Client::new(&emu, a.provider());
    let token = emu.token(a.provider());
    assert_eq!(a.total_of(c.call("GET", a.keys(), None).await.json()), 1);
    let r = c
        .call("POST", a.keys(), Some(a.key_body("a", a.new_key())))
        .await;
    assert_eq!(r.status, a.key_created());
    let key = a.one_of(r.json(), "ssh_key").clone();
    let id = a.id(&key);
    let path = format!("{}/{id}", a.keys());
    assert_eq!(a.total_of(c.call("GET", a.keys(), None).await.json()), 2);
    let got = c.call("GET", &path, None).await;
    assert_eq!(a.one_of(got.json(), "ssh_key"), &key);
    assert_eq!(a.one_of(got.json(), "ssh_key")[a.key_name()], "a");

    if a.provider() == DO {
        // Fingerprints: 16 hex pairs; a key can be read by fingerprint; a duplicate is refused;
        // a Droplet can reference the key by fingerprint.
        let fp = key["fingerprint"].as_str().unwrap().to_string();
        assert_eq!(fp.split(':').count(), 16);
        assert_eq!(
            c.call("GET", &format!("/v2/account/keys/{fp}"), None)
                .await
                .json()["ssh_key"],
            key
        );
        let dup = c
            .raw(
                "POST",
                "/v2/account/keys",
                Some(json!({ "name": "again", "public_key": KEY_A })),
                Some(&token),
            )
            .await;
        assert_eq!(dup.status, 422);
        let body = json!({ "name": "k", "size": "s-1vcpu-1gb", "image": "debian-12-x64", "ssh_keys": [fp] });
        assert_eq!(c.call("POST", "/v2/droplets", Some(body)).await.status, 202);
    }

    let bad = c
        .raw(
            "POST",
            a.keys(),
            Some(a.key_body("x", "not a key")),
            Some(&token),
        )
        .await;
    assert_eq!(bad.status, a.invalid_status());
    a.assert_error(bad.json(), a.invalid_status(), "unprocessable_entity");

    a.rename_key(&c, &id, "renamed").await;
    assert_eq!(
        a.one_of(c.call("GET", &path, None).await.json(), "ssh_key")[a.key_name()],
        "renamed"
    );

    a.assert_deleted(&c.call("DELETE", &path, None).await);
    assert_eq!(c.call("GET", &path, None).await.status, 404);
    assert_eq!(c.call("DELETE", &path, None).await.status, 404);
    emu.shutdown().await;
}

/// DigitalOcean: with the SSH-key read limit enabled, reads beyond it answer 429 with
/// `retry-after`; writes and other routes are not limited.
pub async fn ssh_key_read_limit_when_enabled(a: Adapter) {
    assert_eq!(a.provider(), DO, "DigitalOcean only");
    let emu = Emulator::start(EmulatorConfig {
        ip_delay: IP_DELAY,
        do_ssh_key_reads_per_minute: Some(3),
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let c = Client::new(&emu, DO);
    for _ in 0..3 {
        assert_eq!(c.call("GET", "/v2/account/keys", None).await.status, 200);
    }
    let r = c.call("GET", "/v2/account/keys/1", None).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.json()["id"], "too_many_requests");
    let wait: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(
        c.call(
            "POST",
            "/v2/account/keys",
            Some(json!({ "name": "a", "public_key": KEY_A }))
        )
        .await
        .status,
        201
    );
    assert_eq!(c.call("GET", "/v2/account", None).await.status, 200);
    emu.shutdown().await;
}
