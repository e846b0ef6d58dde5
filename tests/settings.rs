//! The settings file: location, atomic saves, clear errors for broken files, `${VAR}`
//! expansion with the raw form kept, and the session id.

use std::fs;

use hangar::accounts::{Account, AccountDefaults, AccountId, ProviderKind, SecretRef};
use hangar::config_error::{ConfigError, ConfigErrorKind};
use hangar::machine_types::{MachineType, ScriptArgs};
use hangar::settings::{Settings, SettingsFile, Theme};

fn account(id: &str, region: &str) -> Account {
    Account {
        id: AccountId::from(id),
        label: "Work".into(),
        provider: ProviderKind::Vultr,
        secret: SecretRef::Env {
            var: "VULTR_API_KEY".into(),
        },
        base_url: Some("${EMULATOR_URL:-http://127.0.0.1:9000}".into()),
        status_proxy: None,
        defaults: AccountDefaults {
            region: Some(region.into()),
            ssh_keys: vec!["a".into(), "b".into()],
            ..Default::default()
        },
        imported_types: Vec::new(),
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
fn config_dir_override_and_platform_default() {
    let f = SettingsFile::location_for(Some("/some/dir".into())).unwrap();
    assert_eq!(f.path(), std::path::Path::new("/some/dir/settings.yml"));
    let platform = SettingsFile::location_for(None).unwrap();
    assert!(
        platform
            .path()
            .to_string_lossy()
            .contains("app.hangar.desktop"),
        "{}",
        platform.path().display()
    );
    assert_eq!(
        SettingsFile::location_for(Some("".into())).unwrap(),
        platform
    );
}

#[test]
fn round_trip_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let mut s = Settings::default();
    s.ui.theme = Theme::Dark;
    s.session_id = Some("00ff00ff".parse().unwrap());
    s.accounts.push(account("acc-1", "ewr"));
    s.machine_types.insert(
        "web".into(),
        MachineType {
            new_user_name: "deploy".into(),
            script_url: Some("https://example.com/s.sh".into()),
            script_dir: Some("/opt/s".into()),
            script_path: Some("/opt/s/s.sh".into()),
            script_args: Some(ScriptArgs::List(vec![
                "a b".into(),
                "it's".into(),
                "- dash".into(),
                "key: value".into(),
            ])),
        },
    );
    assert_eq!(file.save(&s).unwrap(), None);
    assert_eq!(file.load_raw().unwrap(), s);
    let text = fs::read_to_string(file.path()).unwrap();
    assert!(text.starts_with("# Hangar settings."), "{text}");
    assert!(text.contains("version: 1"), "{text}");
}

#[test]
fn expansion_applies_on_load_and_raw_form_is_written_back() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let mut s = Settings::default();
    s.accounts.push(account("acc-1", "${REGION}"));
    file.save(&s).unwrap();

    let loaded = file.load_with(&env(&[("REGION", "ams3")])).unwrap();
    assert_eq!(
        loaded.resolved.accounts[0].defaults.region.as_deref(),
        Some("ams3")
    );
    assert_eq!(
        loaded.resolved.accounts[0].base_url.as_deref(),
        Some("http://127.0.0.1:9000")
    );
    assert_eq!(
        loaded.raw.accounts[0].defaults.region.as_deref(),
        Some("${REGION}")
    );

    // An edit saved from the raw form keeps the references, not their values.
    file.update(|raw| {
        raw.ui.theme = Theme::Light;
        Ok(())
    })
    .unwrap();
    let text = fs::read_to_string(file.path()).unwrap();
    assert!(
        text.contains("${REGION}") && !text.contains("ams3"),
        "{text}"
    );
    assert!(
        text.contains("${EMULATOR_URL:-http://127.0.0.1:9000}"),
        "{text}"
    );

    let err = file.load_with(&env(&[])).unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::EnvVar);
    let msg = err.to_string();
    assert!(
        msg.contains("REGION") && msg.contains("accounts[0].defaults.region"),
        "{msg}"
    );
}

#[test]
fn hand_edit_errors_name_line_and_key_and_the_file_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let cases: [(&str, usize, &str); 4] = [
        // unknown key (a typo) inside an account
        (
            "version: 1\naccounts:\n  - id: a\n    label: A\n    provider: vultr\n    secret: {source: keychain}\n    regoin: ewr\n",
            7,
            "regoin",
        ),
        // wrong enum value
        ("version: 1\nui:\n  theme: purple\n", 3, "ui.theme"),
        // broken YAML
        ("version: 1\nui:\n  theme: dark\n bad indent: x\n", 4, ""),
        // unknown provider
        (
            "version: 1\naccounts:\n  - id: a\n    label: A\n    provider: ovhcloud\n    secret: {source: keychain}\n",
            5,
            "accounts[0].provider",
        ),
    ];
    for (text, line, key) in cases {
        fs::write(file.path(), text).unwrap();
        let err = file.load().unwrap_err();
        let msg = err.to_string();
        match &err {
            ConfigError::Malformed { line: Some(l), .. } => assert_eq!(*l, line, "{msg}"),
            other => panic!("expected Malformed with a line, got {other:?}"),
        }
        assert!(msg.contains(&format!("line {line}")), "{msg}");
        assert!(msg.contains(key), "{msg} should name {key}");
        assert!(msg.contains("settings.yml"), "{msg}");
        assert_eq!(
            fs::read_to_string(file.path()).unwrap(),
            text,
            "loading must not touch the file"
        );
    }
}

#[test]
fn duplicate_ids_and_newer_versions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let acc = "  - id: same\n    label: A\n    provider: vultr\n    secret: {source: keychain}\n";
    fs::write(file.path(), format!("version: 1\naccounts:\n{acc}{acc}")).unwrap();
    assert!(
        file.load()
            .unwrap_err()
            .to_string()
            .contains("accounts[1].id")
    );
    fs::write(file.path(), "version: 7\n").unwrap();
    assert!(
        file.load()
            .unwrap_err()
            .to_string()
            .contains("newer Hangar")
    );
}

#[test]
fn saving_over_a_broken_file_keeps_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let broken = "version: 1\naccounts: [oops\n";
    fs::write(file.path(), broken).unwrap();
    assert!(file.load().is_err());

    let kept = file
        .save(&Settings::default())
        .unwrap()
        .expect("a backup path");
    assert_eq!(kept, dir.path().join("settings.yml.bak"));
    assert_eq!(fs::read_to_string(&kept).unwrap(), broken);
    assert_eq!(file.load_raw().unwrap(), Settings::default());

    // A good file is replaced without a backup; an older backup is never overwritten.
    assert_eq!(file.save(&Settings::default()).unwrap(), None);
    fs::write(file.path(), "garbage: [").unwrap();
    assert_eq!(
        file.save(&Settings::default()).unwrap(),
        Some(dir.path().join("settings.yml.bak.1"))
    );
    assert_eq!(fs::read_to_string(&kept).unwrap(), broken);
}

#[test]
fn failed_update_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    file.save(&Settings::default()).unwrap();
    let before = fs::read_to_string(file.path()).unwrap();
    let err = file
        .update(|s| {
            s.ui.theme = Theme::Dark;
            Err::<(), _>(ConfigError::Invalid {
                field: "x".into(),
                message: "no".into(),
            })
        })
        .unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::Invalid);
    assert_eq!(fs::read_to_string(file.path()).unwrap(), before);
}

#[test]
fn session_id_is_generated_once_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let first = file.ensure_session_id().unwrap();
    assert_eq!(first.as_str().len(), 8);
    assert!(
        first
            .as_str()
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );
    assert_eq!(file.ensure_session_id().unwrap(), first);
    assert_eq!(
        SettingsFile::in_dir(dir.path())
            .load_raw()
            .unwrap()
            .session_id,
        Some(first.clone())
    );
    let text = fs::read_to_string(file.path()).unwrap();
    assert!(
        text.contains(&format!("session_id: {first}"))
            || text.contains(&format!("session_id: '{first}'")),
        "{text}"
    );
}

#[test]
fn a_bad_session_id_in_the_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    fs::write(file.path(), "version: 1\nsession_id: XYZ\n").unwrap();
    let msg = file.load().unwrap_err().to_string();
    assert!(msg.contains("session_id") && msg.contains("hex"), "{msg}");
}

/// A hand-edited file, with comments, that has accounts but no session id yet.
const COMMENTED: &str = "# my notes: the work account\nversion: 1 # format\n\
accounts:\n  # the one I use\n  - id: a1\n    label: Work\n    provider: vultr\n    secret: { source: env, var: VULTR_API_KEY }\n";

#[test]
fn an_update_that_changes_nothing_leaves_the_file_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    fs::write(file.path(), COMMENTED).unwrap();
    let accounts = file.update(|s| Ok(s.accounts.len())).unwrap();
    assert_eq!(accounts, 1);
    assert_eq!(fs::read_to_string(file.path()).unwrap(), COMMENTED);
}

#[test]
fn the_first_session_id_is_added_as_one_line_and_keeps_the_comments() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    fs::write(file.path(), COMMENTED).unwrap();
    let id = file.ensure_session_id().unwrap();
    let text = fs::read_to_string(file.path()).unwrap();
    assert_eq!(text, format!("{COMMENTED}session_id: '{id}'\n"));
    assert_eq!(file.load_raw().unwrap().session_id, Some(id.clone()));
    // Later runs read it and write nothing.
    assert_eq!(file.ensure_session_id().unwrap(), id);
    assert_eq!(fs::read_to_string(file.path()).unwrap(), text);
}

#[test]
fn a_session_id_for_a_file_in_flow_style_is_saved_whole() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    fs::write(file.path(), "{version: 1}").unwrap();
    let id = file.ensure_session_id().unwrap();
    assert_eq!(file.load_raw().unwrap().session_id, Some(id));
}

#[test]
fn a_wrong_secret_gets_a_sentence_and_the_short_keychain_form_is_read() {
    let path = std::path::Path::new("settings.yml");
    let account = |secret: &str| {
        format!(
            "\u{feff}version: 1\naccounts:\n  - id: a1\n    label: Work\n    provider: vultr\n    secret: {secret}\n"
        )
    };
    // A byte order mark is accepted, and `secret: keychain` means the keychain.
    let s = hangar::settings::parse(path, &account("keychain")).unwrap();
    assert_eq!(s.accounts[0].secret, SecretRef::Keychain);
    for wrong in ["my-token-value", "{ source: vault }", "{ source: env }"] {
        let e = hangar::settings::parse(path, &account(wrong))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`secret` says where the token is") && !e.contains("internally tagged"),
            "{wrong}: {e}"
        );
    }
}

#[tokio::test]
async fn dont_ask_again_for_power_is_saved_and_undone() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let fleet = hangar::fleet::Fleet::default();
    let fleet = &fleet;
    let ask = |file: &SettingsFile| {
        let file = file.clone();
        async move {
            hangar::fleet::preferences::info(fleet, &file)
                .await
                .unwrap()
                .ask_before_power
        }
    };
    assert!(ask(&file).await, "asks by default");
    hangar::fleet::preferences::set_ask_before_power(&file, false)
        .await
        .unwrap();
    assert!(!ask(&file).await);
    let text = std::fs::read_to_string(file.path()).unwrap();
    assert!(text.contains("power_without_asking: true"), "{text}");
    hangar::fleet::preferences::set_ask_before_power(&file, true)
        .await
        .unwrap();
    assert!(ask(&file).await);
    let text = std::fs::read_to_string(file.path()).unwrap();
    assert!(!text.contains("power_without_asking"), "{text}");
}

#[tokio::test]
async fn the_my_ip_url_is_checked_saved_and_falls_back_to_the_default() {
    use hangar::fleet::firewall::{DEFAULT_MY_IP_URL, my_ip_setting, set_my_ip_url};
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    assert_eq!(my_ip_setting(&file).await.unwrap().url, DEFAULT_MY_IP_URL);
    let saved = set_my_ip_url(&file, " https://ifconfig.me/ip ")
        .await
        .unwrap();
    assert_eq!(saved.url, "https://ifconfig.me/ip");
    assert_eq!(
        file.load_raw().unwrap().ui.my_ip_url.as_deref(),
        Some("https://ifconfig.me/ip")
    );
    for bad in ["ifconfig.me", "ftp://ifconfig.me/ip", "https://"] {
        let e = set_my_ip_url(&file, bad).await.unwrap_err();
        assert_eq!(e.kind, hangar::ErrorKind::Validation, "{bad}: {e:?}");
    }
    assert_eq!(
        my_ip_setting(&file).await.unwrap().url,
        "https://ifconfig.me/ip",
        "a refusal keeps it"
    );
    set_my_ip_url(&file, "").await.unwrap();
    assert_eq!(file.load_raw().unwrap().ui.my_ip_url, None);
    let text = fs::read_to_string(file.path()).unwrap();
    assert!(
        !text.contains("my_ip_url"),
        "the default is not written: {text}"
    );
}
