//! The real keychain: the Secret Service on Linux. These tests need one, so they are
//! ignored by default; run them on a private, unlocked GNOME Keyring with
//!
//!     tests/support/with-secret-service cargo test --test keychain -- --ignored
//!
//! They check from outside (with `secret-tool`) where tokens land, and that no token is ever
//! written under the settings directory.
#![cfg(target_os = "linux")]

use std::path::Path;
use std::process::Command;

use hangar::accounts::{self, AccountDetails, NewToken, ProviderKind, SecretRef};
use hangar::machine_import;
use hangar::secrets::{KEYCHAIN_SERVICE, KeyringStore, SecretStore, Token};
use hangar::settings::{SettingsFile, env_vars};
use secrecy::ExposeSecret;

/// `secret-tool lookup service app.hangar.desktop username <id>`: the token, or `None`.
fn lookup(id: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", KEYCHAIN_SERVICE, "username", id])
        .output()
        .expect("secret-tool is missing (apt-get install libsecret-tools)");
    (out.status.success() && !out.stdout.is_empty()).then(|| String::from_utf8(out.stdout).unwrap())
}

/// Every file under `dir`, recursively, must not contain `token`.
fn assert_not_in_any_file(dir: &Path, token: &str) {
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            assert_not_in_any_file(&path, token);
        } else {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains(token),
                "token found in {}",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 0 || dir.read_dir().unwrap().next().is_none());
}

/// The harness itself: a secret written with the `keyring` crate is readable with
/// `secret-tool`, and it lands in the private keyring, not the user's own.
#[test]
#[ignore = "needs a Secret Service: run under tests/support/with-secret-service"]
fn harness_secret_written_with_keyring_is_read_back_by_secret_tool() {
    let home = std::env::var("HOME").expect("HOME");
    assert!(
        home.contains("hangar-keyring."),
        "not inside tests/support/with-secret-service (HOME is {home})"
    );
    let user = format!("harness-{}", std::process::id());
    let entry = keyring::Entry::new("hangar-harness-check", &user).expect("keyring entry");
    entry
        .set_password("written-by-keyring")
        .expect("store through keyring");

    let out = Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            "hangar-harness-check",
            "username",
            &user,
        ])
        .output()
        .expect("secret-tool is missing (apt-get install libsecret-tools)");
    assert!(out.status.success(), "secret-tool lookup failed: {out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "written-by-keyring");

    entry.delete_credential().expect("delete through keyring");
    let after = Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            "hangar-harness-check",
            "username",
            &user,
        ])
        .output()
        .expect("secret-tool");
    assert!(after.stdout.is_empty(), "the secret outlived its deletion");
}

fn details(label: &str) -> AccountDetails {
    AccountDetails {
        label: label.into(),
        provider: ProviderKind::DigitalOcean,
        base_url: None,
        defaults: Default::default(),
    }
}

#[test]
#[ignore = "needs a Secret Service: run under tests/support/with-secret-service"]
fn stored_token_is_visible_to_secret_tool_and_deleted_with_the_account() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let store = KeyringStore::new();
    assert_eq!(store.store_name(), "Secret Service");
    let token = "dop_v1_keychaintest0123456789abcdef0123456789abcdef0123456789abZZ";

    let account = accounts::add_account(
        &file,
        &store,
        details("Work"),
        NewToken::Keychain(Token::from(token.to_owned())),
    )
    .unwrap();
    assert_eq!(account.secret, SecretRef::Keychain);
    assert_eq!(lookup(account.id.as_str()).as_deref(), Some(token));
    assert_eq!(
        store
            .token(account.id.as_str())
            .unwrap()
            .unwrap()
            .expose_secret(),
        token
    );

    let status = accounts::secret_status(&account, &store, &env_vars::process_env).unwrap();
    assert!(status.stored);
    assert_eq!(status.last4.as_deref(), Some("abZZ"));
    assert_eq!(status.store_name, "Secret Service");
    let json = serde_json::to_string(&status).unwrap();
    assert!(!json.contains(&token[..20]), "{json}");

    assert!(file.path().exists());
    assert_not_in_any_file(dir.path(), token);

    accounts::remove_account(&file, &store, &account.id, &[]).unwrap();
    assert_eq!(lookup(account.id.as_str()), None);
    assert!(store.token(account.id.as_str()).unwrap().is_none());
    assert!(file.load_raw().unwrap().accounts.is_empty());
}

#[test]
#[ignore = "needs a Secret Service: run under tests/support/with-secret-service"]
fn two_accounts_of_one_provider_keep_separate_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let store = KeyringStore::new();
    let a = accounts::add_account(
        &file,
        &store,
        details("A"),
        NewToken::Keychain(Token::from("token-a-0123456789abcdef".to_owned())),
    )
    .unwrap();
    let b = accounts::add_account(
        &file,
        &store,
        details("B"),
        NewToken::Keychain(Token::from("token-b-0123456789abcdef".to_owned())),
    )
    .unwrap();
    assert_eq!(
        lookup(a.id.as_str()).as_deref(),
        Some("token-a-0123456789abcdef")
    );
    assert_eq!(
        lookup(b.id.as_str()).as_deref(),
        Some("token-b-0123456789abcdef")
    );
    accounts::set_token(
        &file,
        &store,
        &a.id,
        &Token::from("token-a-rotated-0123456789".to_owned()),
    )
    .unwrap();
    assert_eq!(
        lookup(a.id.as_str()).as_deref(),
        Some("token-a-rotated-0123456789")
    );
    accounts::remove_account(&file, &store, &a.id, &[]).unwrap();
    assert_eq!(lookup(a.id.as_str()), None);
    assert_eq!(
        lookup(b.id.as_str()).as_deref(),
        Some("token-b-0123456789abcdef")
    );
    accounts::remove_account(&file, &store, &b.id, &[]).unwrap();
}

#[test]
#[ignore = "needs a Secret Service: run under tests/support/with-secret-service"]
fn import_moves_machine_tokens_into_the_keychain() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path().join("hangar"));
    let store = KeyringStore::new();
    let config = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/machine/both-providers/config.yml");
    let report = machine_import::import_from(
        &file,
        &store,
        &config,
        &config.with_file_name(machine_import::SESSION_FILE_NAME),
        &env_vars::process_env,
    )
    .unwrap();
    assert_eq!(report.accounts.len(), 2);
    for (provider, token) in [
        (
            ProviderKind::DigitalOcean,
            "dop_v1_fixture1111111111111111111111111111111111111111111111111111bbbb",
        ),
        (
            ProviderKind::Vultr,
            "VULTRFIXTURE2222222222222222222222CCCC",
        ),
    ] {
        let imported = report
            .accounts
            .iter()
            .find(|a| a.provider == provider)
            .unwrap();
        assert_eq!(lookup(imported.id.as_str()).as_deref(), Some(token));
        assert_not_in_any_file(&dir.path().join("hangar"), token);
    }
    for imported in &report.accounts {
        accounts::remove_account(&file, &store, &imported.id, &[]).unwrap();
        assert_eq!(lookup(imported.id.as_str()), None);
    }
}

#[test]
#[ignore = "needs a Secret Service: run under tests/support/with-secret-service"]
fn works_from_async_code_through_spawn_blocking() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let id = uuid_like();
        let stored = tokio::task::spawn_blocking({
            let id = id.clone();
            move || {
                let store = KeyringStore::new();
                store.set_token(&id, &Token::from("async-path-token-0123456789".to_owned()))?;
                store.token(&id)
            }
        })
        .await
        .unwrap()
        .unwrap();
        assert_eq!(
            stored.unwrap().expose_secret(),
            "async-path-token-0123456789"
        );
        assert_eq!(lookup(&id).as_deref(), Some("async-path-token-0123456789"));
        let deleted = tokio::task::spawn_blocking(move || KeyringStore::new().delete_token(&id))
            .await
            .unwrap()
            .unwrap();
        assert!(deleted);
    });
}

fn uuid_like() -> String {
    format!("test-{}", std::process::id())
}

#[test]
#[ignore = "needs a Secret Service: run under tests/support/with-secret-service"]
fn direct_calls_inside_a_runtime_do_not_panic() {
    // zbus's blocking API panics inside a Tokio runtime; KeyringStore moves such calls to a
    // plain thread. Both runtime flavours, as Tauri commands may run on either.
    let id = format!("{}-direct", uuid_like());
    let current = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    current.block_on(async {
        KeyringStore::new()
            .set_token(&id, &Token::from("direct-call-token-0123456789".to_owned()))
            .unwrap();
    });
    let multi = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    multi.block_on(async {
        let token = KeyringStore::new().token(&id).unwrap().unwrap();
        assert_eq!(token.expose_secret(), "direct-call-token-0123456789");
        assert!(KeyringStore::new().delete_token(&id).unwrap());
    });
    assert_eq!(lookup(&id), None);
}

#[test]
#[ignore = "needs a Secret Service: run under tests/support/with-secret-service"]
fn an_edit_replaces_the_token_and_removal_takes_the_types_no_other_account_came_with() {
    use hangar::fleet::Fleet;
    use hangar::fleet::accounts::{self as fleet_accounts, AccountEdit};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(dir.path().join("hangar"));
        let config = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/machine/both-providers/config.yml");
        let report = machine_import::import_from(
            &file,
            &KeyringStore::new(),
            &config,
            &config.with_file_name(machine_import::SESSION_FILE_NAME),
            &env_vars::process_env,
        )
        .unwrap();
        assert!(report.machine_types.contains(&"builder".to_string()));
        let id_of = |p: ProviderKind| {
            report
                .accounts
                .iter()
                .find(|a| a.provider == p)
                .unwrap()
                .id
                .to_string()
        };
        let (ocean, vultr) = (
            id_of(ProviderKind::DigitalOcean),
            id_of(ProviderKind::Vultr),
        );

        // Rename, another API URL and a new token: the keychain holds only the new one.
        let new_token = "dop_v1_replaced333333333333333333333333333333333333333333333333333dddd";
        let edited = fleet_accounts::edit(
            &file,
            &ocean,
            AccountEdit {
                label: " Ocean ".into(),
                base_url: Some("http://127.0.0.1:9/v2".into()),
                token: Some(new_token.into()),
            },
        )
        .await
        .unwrap();
        assert_eq!(edited.label, "Ocean");
        assert_eq!(edited.base_url.as_deref(), Some("http://127.0.0.1:9/v2"));
        assert_eq!(edited.key.unwrap().last4.as_deref(), Some("dddd"));
        assert_eq!(lookup(&ocean).as_deref(), Some(new_token));
        assert_not_in_any_file(&dir.path().join("hangar"), new_token);
        let saved = file.load_raw().unwrap();
        let account = saved
            .accounts
            .iter()
            .find(|a| a.id.as_str() == ocean)
            .unwrap();
        assert_eq!(account.label, "Ocean");
        assert_eq!(
            account.defaults.region.as_deref(),
            Some("ams3"),
            "defaults kept"
        );

        // A refused API URL changes nothing, the token included.
        let refused = fleet_accounts::edit(
            &file,
            &ocean,
            AccountEdit {
                label: "Ocean".into(),
                base_url: Some("ftp://example.com".into()),
                token: Some("dop_v1_never_stored".into()),
            },
        )
        .await
        .unwrap_err();
        assert!(refused.message.contains("http"), "{refused:?}");
        assert_eq!(lookup(&ocean).as_deref(), Some(new_token));
        // Without a token, the token stays.
        fleet_accounts::edit(
            &file,
            &ocean,
            AccountEdit {
                label: "Ocean 2".into(),
                base_url: None,
                token: None,
            },
        )
        .await
        .unwrap();
        assert_eq!(lookup(&ocean).as_deref(), Some(new_token));

        // Both accounts came with `builder`: removing one keeps it, removing the last takes it.
        let fleet = Fleet::default();
        fleet_accounts::remove(&fleet, &file, &ocean, true)
            .await
            .unwrap();
        assert_eq!(lookup(&ocean), None);
        assert!(
            file.load_raw()
                .unwrap()
                .machine_types
                .contains_key("builder")
        );
        fleet_accounts::remove(&fleet, &file, &vultr, true)
            .await
            .unwrap();
        let left = file.load_raw().unwrap();
        assert!(left.accounts.is_empty());
        assert!(left.machine_types.is_empty(), "{:?}", left.machine_types);
    });
}
