//! Without a reachable Secret Service, saving a token fails with a message saying what to
//! install, and nothing is written in plain text. Runs anywhere on Linux: the D-Bus session
//! address is pointed at a socket that does not exist.
#![cfg(target_os = "linux")]

use hangar::accounts::{self, AccountDetails, NewToken, ProviderKind};
use hangar::config_error::ConfigErrorKind;
use hangar::secrets::{KeyringStore, Token};
use hangar::settings::SettingsFile;

// The only test in this binary, so changing the process environment races with nothing.
#[test]
fn saving_without_a_keychain_fails_clearly_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bus = format!("unix:path={}", dir.path().join("no-such-bus").display());
    // SAFETY: single-threaded at this point: no other test runs in this binary.
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", bus) };

    let file = SettingsFile::in_dir(dir.path().join("settings"));
    let token = "dop_v1_nokeychain0123456789abcdef0123456789abcdef";
    let details = AccountDetails {
        label: "Work".into(),
        provider: ProviderKind::DigitalOcean,
        base_url: None,
        defaults: Default::default(),
    };
    let err = accounts::add_account(
        &file,
        &KeyringStore::new(),
        details,
        NewToken::Keychain(Token::from(token.to_owned())),
    )
    .unwrap_err();

    eprintln!("{err}");
    assert_eq!(err.kind(), ConfigErrorKind::KeychainUnavailable, "{err}");
    let message = err.to_string();
    assert!(
        message.contains("gnome-keyring") && message.contains("KeePassXC"),
        "{message}"
    );
    assert!(message.contains("never in plain text"), "{message}");
    assert!(!message.contains(token));
    assert!(
        !file.path().exists(),
        "no settings written when the token could not be stored"
    );
    let leftovers: Vec<_> = walk(dir.path());
    assert!(leftovers.iter().all(|p| {
        !std::fs::read_to_string(p)
            .unwrap_or_default()
            .contains(token)
    }));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p))
        } else {
            out.push(p)
        }
    }
    out
}
