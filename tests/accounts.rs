//! Account operations over the settings file and a secret store (in memory here; the real
//! keychain is covered by tests/keychain.rs).

mod common;

use common::MemoryStore;
use std::time::Duration;

use hangar::accounts::{
    self, AccountDefaults, AccountDetails, ConnectionTest, NewToken, ProviderKind, SecretRef,
};
use hangar::config_error::ConfigErrorKind;
use hangar::machine_types::{self, MachineType};
use hangar::providers::http::{ClientOptions, RetryPolicy};
use hangar::secrets::{SecretStore, Token};
use hangar::settings::SettingsFile;
use hangar_emulator::{EmulatedProvider, Emulator, EmulatorConfig};
use secrecy::ExposeSecret;

const TOKEN: &str = "dop_v1_accounttest0123456789abcdef0123456789abcdefLAST";

fn details(label: &str, provider: ProviderKind) -> AccountDetails {
    AccountDetails {
        label: label.into(),
        provider,
        base_url: None,
        defaults: AccountDefaults {
            region: Some("nyc3".into()),
            ssh_keys: vec!["laptop".into(), "ci".into()],
            ..Default::default()
        },
    }
}

fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

#[test]
fn add_update_remove_with_keychain_token() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let store = MemoryStore::default();

    let a = accounts::add_account(
        &file,
        &store,
        details("Work", ProviderKind::DigitalOcean),
        NewToken::Keychain(Token::from(format!("  {TOKEN}\n"))),
    )
    .unwrap();
    let b = accounts::add_account(
        &file,
        &store,
        details("Personal", ProviderKind::DigitalOcean),
        NewToken::Keychain(Token::from("other-token-0123456789abcd".to_owned())),
    )
    .unwrap();
    assert_ne!(a.id, b.id);
    assert_eq!(
        store.token(a.id.as_str()).unwrap().unwrap().expose_secret(),
        TOKEN,
        "trimmed"
    );
    assert!(
        !std::fs::read_to_string(file.path())
            .unwrap()
            .contains(TOKEN)
    );

    let status = accounts::secret_status(&a, &store, &env(&[])).unwrap();
    assert!(status.stored);
    assert_eq!(status.last4.as_deref(), Some("LAST"));
    assert_eq!(status.store_name, "memory");

    let mut changed = details("Work (renamed)", ProviderKind::DigitalOcean);
    changed.base_url = Some("http://127.0.0.1:8080".into());
    let updated = accounts::update_account(&file, &a.id, changed).unwrap();
    assert_eq!(updated.label, "Work (renamed)");
    assert_eq!(accounts::get_account(&file, &a.id).unwrap(), updated);
    let err =
        accounts::update_account(&file, &a.id, details("x", ProviderKind::Vultr)).unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::Invalid);

    accounts::remove_account(&file, &store, &a.id, &[]).unwrap();
    assert!(store.token(a.id.as_str()).unwrap().is_none());
    assert_eq!(file.load_raw().unwrap().accounts, vec![b.clone()]);
    assert_eq!(
        accounts::remove_account(&file, &store, &a.id, &[])
            .unwrap_err()
            .kind(),
        ConfigErrorKind::NotFound
    );
}

#[test]
fn env_var_accounts_resolve_at_use_time() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let store = MemoryStore::default();
    let a = accounts::add_account(
        &file,
        &store,
        details("CI", ProviderKind::Vultr),
        NewToken::EnvVar("VULTR_API_KEY".into()),
    )
    .unwrap();
    assert_eq!(
        a.secret,
        SecretRef::Env {
            var: "VULTR_API_KEY".into()
        }
    );
    assert!(store.tokens.lock().unwrap().is_empty());

    let set = env(&[("VULTR_API_KEY", "VULTRKEY0123456789ABCDEFGHIJ")]);
    assert_eq!(
        accounts::resolve_token(&a, &store, &set)
            .unwrap()
            .expose_secret(),
        "VULTRKEY0123456789ABCDEFGHIJ"
    );
    let status = accounts::secret_status(&a, &store, &set).unwrap();
    assert_eq!(
        (status.stored, status.store_name.as_str()),
        (true, "environment variable VULTR_API_KEY")
    );

    let err = accounts::resolve_token(&a, &store, &env(&[])).unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::EnvVar);
    assert!(err.to_string().contains("VULTR_API_KEY"));
    assert!(
        !accounts::secret_status(&a, &store, &env(&[]))
            .unwrap()
            .stored
    );

    // Saving a token moves the account to the keychain.
    accounts::set_token(
        &file,
        &store,
        &a.id,
        &Token::from("new-keychain-token-0123456789".to_owned()),
    )
    .unwrap();
    assert_eq!(
        accounts::get_account(&file, &a.id).unwrap().secret,
        SecretRef::Keychain
    );
    assert!(
        accounts::add_account(
            &file,
            &store,
            details("x", ProviderKind::Vultr),
            NewToken::EnvVar("not a name".into())
        )
        .is_err()
    );
}

#[test]
fn a_failed_save_removes_the_new_keychain_entry() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, "a file where the settings directory should be").unwrap();
    let file = SettingsFile::in_dir(&blocker);
    let store = MemoryStore::default();
    let err = accounts::add_account(
        &file,
        &store,
        details("Work", ProviderKind::DigitalOcean),
        NewToken::Keychain(Token::from(TOKEN.to_owned())),
    )
    .unwrap_err();
    assert!(!err.to_string().contains(TOKEN));
    assert!(store.tokens.lock().unwrap().is_empty(), "entry rolled back");
}

#[test]
fn bad_input_is_rejected_without_quoting_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let store = MemoryStore::default();
    let err = accounts::add_account(
        &file,
        &store,
        details("  ", ProviderKind::Vultr),
        NewToken::Keychain(Token::from(TOKEN.to_owned())),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::Invalid);
    let err = accounts::add_account(
        &file,
        &store,
        details("W", ProviderKind::Vultr),
        NewToken::Keychain(Token::from(format!("{TOKEN} extra"))),
    )
    .unwrap_err();
    assert!(!err.to_string().contains(TOKEN), "{err}");
    let mut bad_url = details("W", ProviderKind::Vultr);
    bad_url.base_url = Some("ftp://x".into());
    assert!(accounts::add_account(&file, &store, bad_url, NewToken::EnvVar("X".into())).is_err());
    assert!(store.tokens.lock().unwrap().is_empty());
    let shown = format!("{:?}", NewToken::Keychain(Token::from(TOKEN.to_owned())));
    assert!(!shown.contains(TOKEN), "{shown}");
}

/// Retry settings scaled for a local emulator.
fn fast_options() -> ClientOptions {
    ClientOptions {
        retry: RetryPolicy {
            max_retries: 2,
            min_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_wait: Duration::from_secs(2),
            request_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(2),
        },
        ..ClientOptions::default()
    }
}

/// A local address nothing listens on.
fn closed_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

#[tokio::test]
async fn test_connection_against_the_emulator_tells_rejected_from_unreachable() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    for emulated in EmulatedProvider::ALL {
        let kind =
            ProviderKind::from_slug(emulated.name()).expect("a client for every emulated provider");
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(dir.path());
        let store = MemoryStore::default();
        let mut d = details("Work", kind);
        d.base_url = Some(emulator.base_url(emulated));
        let good = accounts::add_account(
            &file,
            &store,
            d.clone(),
            NewToken::Keychain(Token::from(emulator.token(emulated))),
        )
        .unwrap();
        let ok = accounts::test_connection(&good, &store, &env(&[]), fast_options()).await;
        assert!(
            matches!(&ok, ConnectionTest::Ok { outcome } if outcome.account_name.as_deref().is_some_and(|n| n.contains('@'))),
            "{kind}: {ok:?}"
        );

        let bad = accounts::add_account(
            &file,
            &store,
            d.clone(),
            NewToken::Keychain(Token::from(TOKEN.to_owned())),
        )
        .unwrap();
        let rejected = accounts::test_connection(&bad, &store, &env(&[]), fast_options()).await;
        assert!(
            matches!(&rejected, ConnectionTest::Rejected { message } if message.contains("rejected: check the token") && !message.contains(TOKEN)),
            "{kind}: {rejected:?}"
        );

        let mut gone = good.clone();
        gone.base_url = Some(closed_url());
        let unreachable = accounts::test_connection(&gone, &store, &env(&[]), fast_options()).await;
        assert!(
            matches!(unreachable, ConnectionTest::Unreachable { .. }),
            "{kind}: {unreachable:?}"
        );

        store.delete_token(good.id.as_str()).unwrap();
        let missing = accounts::test_connection(&good, &store, &env(&[]), fast_options()).await;
        assert!(
            matches!(missing, ConnectionTest::NoToken { .. }),
            "{kind}: {missing:?}"
        );
    }
    emulator.shutdown().await;
}

#[test]
fn machine_types_are_validated_before_saving() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let good = MachineType {
        new_user_name: "${APP_USER:-deploy}".into(),
        ..Default::default()
    };
    machine_types::save_machine_type(&file, "web", good.clone(), &env(&[])).unwrap();
    assert_eq!(
        file.load_raw().unwrap().machine_types["web"],
        good,
        "raw form saved"
    );

    let root = MachineType {
        new_user_name: "${APP_USER}".into(),
        ..Default::default()
    };
    let err = machine_types::save_machine_type(&file, "db", root, &env(&[("APP_USER", "root")]))
        .unwrap_err();
    assert!(err.to_string().contains("root"), "{err}");
    assert!(machine_types::save_machine_type(&file, "bad name", good.clone(), &env(&[])).is_err());
    assert_eq!(file.load_raw().unwrap().machine_types.len(), 1);

    machine_types::remove_machine_type(&file, "web").unwrap();
    assert_eq!(
        machine_types::remove_machine_type(&file, "web")
            .unwrap_err()
            .kind(),
        ConfigErrorKind::NotFound
    );
}
