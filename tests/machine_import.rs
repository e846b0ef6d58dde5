//! Import of realistic `machine` configs (fixtures in tests/fixtures/machine/), with an
//! in-memory secret store standing in for the keychain. The keychain itself is exercised in
//! tests/keychain.rs.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

mod common;
use common::MemoryStore;

use hangar::accounts::{ProviderKind, SecretRef};
use hangar::config_error::{ConfigError, ConfigErrorKind};
use hangar::machine_import::{self, find_config};
use hangar::machine_types::ScriptArgs;
use hangar::secrets::SecretStore;
use hangar::settings::SettingsFile;
use secrecy::ExposeSecret;

/// Imports `config` with the `session-id.yml` beside it (each fixture directory stands for
/// `machine`'s config directory).
fn import_from(
    file: &SettingsFile,
    store: &dyn SecretStore,
    config: &Path,
    lookup: hangar::settings::env_vars::Lookup<'_>,
) -> Result<machine_import::ImportReport, ConfigError> {
    let session = config.with_file_name(machine_import::SESSION_FILE_NAME);
    machine_import::import_from(file, store, config, &session, lookup)
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/machine")
        .join(name)
        .join("config.yml")
}

fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

fn no_env(_: &str) -> Option<String> {
    None
}

fn assert_no_token_in_dir(dir: &Path, token: &str) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(!text.contains(token), "token found in {}", path.display());
    }
}

#[test]
fn one_provider_with_types_and_session() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let store = MemoryStore::default();
    let report = import_from(&file, &store, &fixture("one-provider"), &no_env).unwrap();

    assert_eq!(report.accounts.len(), 1);
    let imported = &report.accounts[0];
    assert_eq!(imported.provider, ProviderKind::DigitalOcean);
    assert_eq!(imported.secret, SecretRef::Keychain);
    assert!(imported.was_default);
    assert_eq!(report.machine_types, ["web", "plain"]);
    assert_eq!(
        report.session_id.as_ref().map(|s| s.as_str()),
        Some("0a1b2c3d")
    );
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);

    let token = "dop_v1_fixture0000000000000000000000000000000000000000000000000000aaaa";
    assert_eq!(
        store
            .token(imported.id.as_str())
            .unwrap()
            .unwrap()
            .expose_secret(),
        token
    );
    assert_no_token_in_dir(dir.path(), token);

    let settings = file.load().unwrap().raw;
    let account = &settings.accounts[0];
    assert_eq!(account.defaults.ssh_keys, ["laptop"]);
    assert_eq!(account.defaults.region.as_deref(), Some("nyc3"));
    assert_eq!(account.defaults.size.as_deref(), Some("s-1vcpu-1gb"));
    assert_eq!(account.defaults.image.as_deref(), Some("ubuntu-24-04-x64"));
    assert_eq!(account.defaults.dns_zone.as_deref(), Some("example.com"));
    assert_eq!(account.defaults.project.as_deref(), Some("Sandbox"));
    let web = &settings.machine_types["web"];
    assert_eq!(web.new_user_name, "deploy");
    assert_eq!(web.script_path.as_deref(), Some("/opt/setup/web.sh"));
    assert_eq!(
        web.script_args,
        Some(ScriptArgs::Line("--fqdn $MACHINE_FQDN --verbose".into()))
    );
    assert_eq!(settings.session_id.unwrap().as_str(), "0a1b2c3d");
}

#[test]
fn both_providers_default_first_and_list_values() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let store = MemoryStore::default();
    let report = import_from(&file, &store, &fixture("both-providers"), &no_env).unwrap();

    let kinds: Vec<_> = report
        .accounts
        .iter()
        .map(|a| (a.provider, a.was_default))
        .collect();
    assert_eq!(
        kinds,
        [
            (ProviderKind::Vultr, true),
            (ProviderKind::DigitalOcean, false)
        ]
    );
    assert_eq!(store.tokens.lock().unwrap().len(), 2);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("vultr.project") && n.contains("DigitalOcean")),
        "{:?}",
        report.notes
    );

    let settings = file.load().unwrap().raw;
    assert_eq!(
        settings.accounts[0].defaults.ssh_keys,
        ["laptop", "ci-runner"]
    );
    assert_eq!(settings.accounts[0].defaults.image.as_deref(), Some("2136"));
    assert_eq!(
        settings.accounts[1].defaults.ssh_keys,
        ["laptop", "desktop"]
    );
    assert_eq!(
        settings.machine_types["builder"].script_args,
        Some(ScriptArgs::List(vec![
            "--name".into(),
            "two words".into(),
            "it's \"quoted\"".into(),
            "$(not run)".into(),
            "42".into(),
            "true".into()
        ]))
    );
}

#[test]
fn env_references_stay_references() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let store = MemoryStore::default();
    // DO_TOKEN is unset at import time: a reference does not need it.
    let report = import_from(
        &file,
        &store,
        &fixture("env-tokens"),
        &env(&[("DO_REGION", "fra1")]),
    )
    .unwrap();

    let by_provider = |p| report.accounts.iter().find(|a| a.provider == p).unwrap();
    assert_eq!(
        by_provider(ProviderKind::DigitalOcean).secret,
        SecretRef::Env {
            var: "DO_TOKEN".into()
        }
    );
    // `${VAR:-default}` is not a plain reference: expanded now, stored in the keychain.
    let vultr = by_provider(ProviderKind::Vultr);
    assert_eq!(vultr.secret, SecretRef::Keychain);
    assert_eq!(
        store
            .token(vultr.id.as_str())
            .unwrap()
            .unwrap()
            .expose_secret(),
        "VULTRDEFAULT3333333333333333333333DDDD"
    );
    assert!(
        report.notes.iter().any(|n| n.contains("vultr.api-key")),
        "{:?}",
        report.notes
    );

    let text = std::fs::read_to_string(file.path()).unwrap();
    assert!(
        text.contains("${DO_REGION:-nyc1}"),
        "raw form kept:\n{text}"
    );
    assert!(text.contains("${APP_USER:-app}"), "raw form kept:\n{text}");
    assert!(!text.contains("VULTRDEFAULT"), "{text}");
    let loaded = file.load_with(&env(&[("DO_REGION", "fra1")])).unwrap();
    let do_account = loaded
        .resolved
        .accounts
        .iter()
        .find(|a| a.provider == ProviderKind::DigitalOcean)
        .unwrap();
    assert_eq!(do_account.defaults.region.as_deref(), Some("fra1"));
    assert_eq!(loaded.resolved.machine_types["app"].new_user_name, "app");
}

#[test]
fn unset_variable_in_a_value_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yml");
    std::fs::write(&config, "digital-ocean:\n  access-token: tok_abcdefghijklmnopqrstuvwxyz\n  region: ${NO_SUCH_REGION}\n").unwrap();
    let file = SettingsFile::in_dir(dir.path().join("hangar"));
    let store = MemoryStore::default();
    let err = import_from(&file, &store, &config, &no_env).unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::EnvVar);
    assert!(
        err.to_string().contains("NO_SUCH_REGION")
            && err.to_string().contains("digital-ocean.region"),
        "{err}"
    );
    assert!(store.tokens.lock().unwrap().is_empty());
    assert!(!file.path().exists());
}

#[test]
fn malformed_yaml_names_the_line_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let store = MemoryStore::default();
    let err = import_from(&file, &store, &fixture("malformed-yaml"), &no_env).unwrap_err();
    match &err {
        ConfigError::Malformed {
            line: Some(line), ..
        } => assert!((3..=6).contains(line), "{err}"),
        other => panic!("expected a malformed error with a line, got {other:?}"),
    }
    assert!(err.to_string().contains("line"), "{err}");
    assert!(!err.to_string().contains("dop_v1_fixture4444"), "{err}");
    assert!(store.tokens.lock().unwrap().is_empty());
    assert!(!file.path().exists());
}

#[test]
fn malformed_shape_names_the_key_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let store = MemoryStore::default();
    let err = import_from(&file, &store, &fixture("malformed-shape"), &no_env).unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::Malformed);
    assert!(err.to_string().contains("digital-ocean.ssh-key"), "{err}");
    assert!(store.tokens.lock().unwrap().is_empty());
    assert!(!file.path().exists());
}

#[test]
fn skipped_items_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let store = MemoryStore::default();
    let report = import_from(&file, &store, &fixture("skips"), &no_env).unwrap();
    assert_eq!(report.accounts.len(), 1);
    assert_eq!(report.machine_types, ["ok"]);
    let reason = |item: &str| {
        report
            .skipped
            .iter()
            .find(|s| s.item == item)
            .unwrap_or_else(|| panic!("{item} not skipped: {:?}", report.skipped))
            .reason
            .clone()
    };
    assert!(reason("vultr section").contains("api-key"));
    assert!(reason("machine type no-user").contains("new-user-name"));
    assert!(reason("machine type as-root").contains("root"));
    assert!(reason("machine type half-script").contains("all three"));
    assert!(reason("machine type with space").contains("tag"));
    assert!(reason("session id").contains("hex"));
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("digital-ocean.colour")),
        "{:?}",
        report.notes
    );
}

#[test]
fn importing_twice_adds_nothing_new() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let store = MemoryStore::default();
    import_from(&file, &store, &fixture("one-provider"), &no_env).unwrap();
    let again = import_from(&file, &store, &fixture("one-provider"), &no_env).unwrap();
    assert!(again.accounts.is_empty() && again.machine_types.is_empty());
    assert_eq!(again.skipped.len(), 3, "{:?}", again.skipped);
    assert_eq!(store.tokens.lock().unwrap().len(), 1);
    assert_eq!(file.load_raw().unwrap().accounts.len(), 1);
}

#[test]
fn keychain_failure_rolls_back_tokens_and_settings() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let store = MemoryStore {
        fail_on_write: Mutex::new(Some(1)),
        ..Default::default()
    };
    let err = import_from(&file, &store, &fixture("both-providers"), &no_env).unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::KeychainUnavailable);
    assert!(
        store.tokens.lock().unwrap().is_empty(),
        "first token rolled back"
    );
    assert!(!file.path().exists());
}

#[test]
fn finds_new_location_before_legacy() {
    let home = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/machine/legacy-home");
    assert_eq!(
        find_config(&home).unwrap(),
        home.join(".machine/config.yml")
    );
    let both = tempfile::tempdir().unwrap();
    for p in machine_import::candidate_paths(both.path()) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "vultr:\n  api-key: x\n").unwrap();
    }
    assert_eq!(
        find_config(both.path()).unwrap(),
        both.path().join(".config/machine/config.yml")
    );
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(
        find_config(empty.path()).unwrap_err().kind(),
        ConfigErrorKind::NotFound
    );
}

#[test]
fn legacy_config_imports() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let store = MemoryStore::default();
    let home = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/machine/legacy-home");
    let report = import_from(&file, &store, &find_config(&home).unwrap(), &no_env).unwrap();
    assert_eq!(report.accounts[0].provider, ProviderKind::Vultr);
    assert!(report.session_id.is_none());
}

#[test]
fn session_id_of_a_hangar_already_in_use_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(dir.path());
    let store = MemoryStore::default();
    // Hangar has its own account and session already: machines may carry that session tag.
    import_from(&file, &store, &fixture("both-providers"), &no_env).unwrap();
    assert_eq!(
        file.load_raw().unwrap().session_id.unwrap().as_str(),
        "deadbeef"
    );
    let report = import_from(&file, &store, &fixture("one-provider"), &no_env).unwrap();
    assert_eq!(report.session_id, None);
    let kept = report
        .skipped
        .iter()
        .find(|s| s.item == "session id")
        .expect("session id skipped");
    assert!(
        kept.reason.contains("deadbeef") && kept.reason.contains("0a1b2c3d"),
        "{}",
        kept.reason
    );
    assert_eq!(
        file.load_raw().unwrap().session_id.unwrap().as_str(),
        "deadbeef"
    );
}

#[test]
fn numeric_session_id_is_read_as_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.yml"),
        "vultr:\n  api-key: VULTRNUMERIC0123456789ABCDEFGH\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("session-id.yml"), "id: 01234567\n").unwrap();
    let file = SettingsFile::in_dir(dir.path().join("hangar"));
    let report = import_from(
        &file,
        &MemoryStore::default(),
        &dir.path().join("config.yml"),
        &no_env,
    )
    .unwrap();
    assert_eq!(
        report.session_id.map(|s| s.to_string()).as_deref(),
        Some("01234567")
    );
}

#[test]
fn the_session_id_comes_from_machines_config_dir_whatever_the_config_path() {
    let home = tempfile::tempdir().unwrap();
    let machine_dir = home.path().join(".config/machine");
    std::fs::create_dir_all(&machine_dir).unwrap();
    std::fs::write(machine_dir.join("session-id.yml"), "id: 0a0b0c0d\n").unwrap();
    // A config elsewhere, with a stale session file beside it that `machine` never reads.
    let elsewhere = tempfile::tempdir().unwrap();
    let config = elsewhere.path().join("work.yml");
    std::fs::write(
        &config,
        "vultr:\n  api-key: VULTRELSEWHERE0123456789ABCDEF\n",
    )
    .unwrap();
    std::fs::write(elsewhere.path().join("session-id.yml"), "id: ffffffff\n").unwrap();
    let file = SettingsFile::in_dir(home.path().join("hangar"));
    let dir = machine_import::MachineDir::under(home.path());
    let report = machine_import::import_from(
        &file,
        &MemoryStore::default(),
        &config,
        &dir.session_file(),
        &no_env,
    )
    .unwrap();
    assert_eq!(
        report.session_id.map(|s| s.to_string()).as_deref(),
        Some("0a0b0c0d")
    );
}

#[test]
fn script_args_numbers_keep_their_written_form_when_imported() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yml");
    std::fs::write(
        &config,
        "vultr:\n  api-key: VULTRNUMERIC0123456789ABCDEFGH\nmachines:\n  plain:\n    new-user-name: p\n  web:\n    new-user-name: deploy\n    script-url: https://example.com/s.sh\n    script-dir: /opt/s\n    script-path: /opt/s/run.sh\n    script-args: [1.10, 0x1F, 1e3, 010, true, '$${HOME}', '${MACHINE_FQDN}']\n  line:\n    new-user-name: l\n    script-url: https://example.com/s.sh\n    script-dir: /opt/s\n    script-path: /opt/s/run.sh\n    script-args: --v 1.10 $MACHINE_FQDN\n",
    )
    .unwrap();
    let file = SettingsFile::in_dir(dir.path().join("hangar"));
    import_from(&file, &MemoryStore::default(), &config, &no_env).unwrap();
    let settings = file.load_with(&no_env).unwrap();
    let written = ScriptArgs::List(
        [
            "1.10",
            "0x1F",
            "1e3",
            "010",
            "true",
            "$${HOME}",
            "${MACHINE_FQDN}",
        ]
        .map(String::from)
        .to_vec(),
    );
    assert_eq!(
        settings.raw.machine_types["web"].script_args.as_ref(),
        Some(&written)
    );
    // `$$` and the `MACHINE_*` references are left for the command builder.
    assert_eq!(
        settings.resolved.machine_types["web"].script_args.as_ref(),
        Some(&written)
    );
    assert_eq!(
        settings.raw.machine_types["line"].script_args,
        Some(ScriptArgs::Line("--v 1.10 $MACHINE_FQDN".into()))
    );
}

#[test]
fn script_args_with_an_unclosed_quote_are_skipped_with_the_column() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yml");
    std::fs::write(
        &config,
        "vultr:\n  api-key: VULTRNUMERIC0123456789ABCDEFGH\nmachines:\n  web:\n    new-user-name: deploy\n    script-url: https://example.com/s.sh\n    script-dir: /opt/s\n    script-path: /opt/s/run.sh\n    script-args: --name \"web server\n",
    )
    .unwrap();
    let file = SettingsFile::in_dir(dir.path().join("hangar"));
    let report = import_from(&file, &MemoryStore::default(), &config, &no_env).unwrap();
    let skipped = report
        .skipped
        .iter()
        .find(|s| s.item == "machine type web")
        .expect("web skipped");
    assert!(
        skipped.reason.contains("unclosed `\"` at column 8"),
        "{}",
        skipped.reason
    );
}

#[test]
fn a_linode_section_is_imported_with_its_access_token_and_defaults() {
    // `machine` has no `linode:` section; Hangar's own configs may, and import takes it.
    let dir = tempfile::tempdir().unwrap();
    let token = "LINODEPAT0123456789abcdef0123456789abcdef0123456789abcdef01234567";
    std::fs::write(
        dir.path().join("config.yml"),
        format!(
            "linode:\n  access-token: {token}\n  ssh-key: laptop\n  dns-zone: example.org\n  \
             machine-size: g6-nanode-1\n  image: linode/debian12\n  region: eu-west\n\
             machines:\n  web:\n    new-user-name: deploy\n"
        ),
    )
    .unwrap();
    let file = SettingsFile::in_dir(dir.path().join("hangar"));
    let store = MemoryStore::default();
    let report = import_from(&file, &store, &dir.path().join("config.yml"), &no_env).unwrap();
    let kinds: Vec<_> = report.accounts.iter().map(|a| a.provider).collect();
    assert_eq!(kinds, [ProviderKind::Linode], "{report:?}");
    let settings = file.load().unwrap().raw;
    let account = &settings.accounts[0];
    assert_eq!(account.provider, ProviderKind::Linode);
    assert_eq!(account.defaults.size.as_deref(), Some("g6-nanode-1"));
    assert_eq!(account.defaults.image.as_deref(), Some("linode/debian12"));
    assert_eq!(account.defaults.region.as_deref(), Some("eu-west"));
    assert_eq!(account.defaults.dns_zone.as_deref(), Some("example.org"));
    assert_eq!(account.defaults.ssh_keys, ["laptop"]);
    // The token went to the secret store, and into no file.
    let stored: Vec<String> = store.tokens.lock().unwrap().values().cloned().collect();
    assert_eq!(stored, [token]);
    assert_no_token_in_dir(&dir.path().join("hangar"), token);
    assert!(settings.machine_types.contains_key("web"));
}
