//! Settings written by several real processes at once: every update survives, and
//! concurrent first runs agree on one session id.
//!
//! The writers are this test binary run again as child processes (`writer_process`, which
//! does nothing unless `HANGAR_TEST_WRITER` is set), so each has its own file handles and
//! locks, as two Hangar processes would.

use std::path::Path;
use std::process::{Child, Command};

use hangar::machine_types::{self, MachineType};
use hangar::settings::SettingsFile;

const TYPES_PER_WRITER: usize = 50;

fn spawn_writer(dir: &Path, role: &str, index: usize) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "writer_process",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("HANGAR_TEST_WRITER", role)
        .env("HANGAR_TEST_WRITER_DIR", dir)
        .env("HANGAR_TEST_WRITER_INDEX", index.to_string())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

fn wait_all(children: Vec<Child>) {
    for mut c in children {
        assert!(c.wait().unwrap().success(), "a writer process failed");
    }
}

/// Run by the tests below in child processes; a no-op when run directly.
#[test]
#[ignore = "a child process of the tests in this file"]
fn writer_process() {
    let Ok(role) = std::env::var("HANGAR_TEST_WRITER") else {
        return;
    };
    let dir = std::env::var("HANGAR_TEST_WRITER_DIR").unwrap();
    let index: usize = std::env::var("HANGAR_TEST_WRITER_INDEX")
        .unwrap()
        .parse()
        .unwrap();
    let file = SettingsFile::in_dir(&dir);
    match role.as_str() {
        "types" => {
            for n in 0..TYPES_PER_WRITER {
                let t = MachineType {
                    new_user_name: "deploy".into(),
                    ..MachineType::default()
                };
                machine_types::save_machine_type(&file, &format!("w{index}-t{n}"), t, &|_| None)
                    .unwrap();
            }
        }
        "session" => {
            let id = file.ensure_session_id().unwrap();
            std::fs::write(Path::new(&dir).join(format!("seen-{index}")), id.as_str()).unwrap();
        }
        other => panic!("unknown writer role {other}"),
    }
}

#[test]
fn four_processes_saving_machine_types_lose_none() {
    let dir = tempfile::tempdir().unwrap();
    let writers = 4;
    wait_all(
        (0..writers)
            .map(|i| spawn_writer(dir.path(), "types", i))
            .collect(),
    );
    let loaded = SettingsFile::in_dir(dir.path()).load().unwrap();
    let types = loaded.resolved.machine_types;
    assert_eq!(types.len(), writers * TYPES_PER_WRITER, "lost updates");
    for i in 0..writers {
        for n in 0..TYPES_PER_WRITER {
            assert!(
                types.contains_key(&format!("w{i}-t{n}")),
                "w{i}-t{n} is missing"
            );
        }
    }
    // No temporary file is left behind.
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn concurrent_first_runs_share_one_session_id() {
    let dir = tempfile::tempdir().unwrap();
    let runs = 8;
    wait_all(
        (0..runs)
            .map(|i| spawn_writer(dir.path(), "session", i))
            .collect(),
    );
    let seen: Vec<String> = (0..runs)
        .map(|i| std::fs::read_to_string(dir.path().join(format!("seen-{i}"))).unwrap())
        .collect();
    assert!(
        seen.iter().all(|s| s == &seen[0]),
        "different session ids: {seen:?}"
    );
    let saved = SettingsFile::in_dir(dir.path())
        .load_raw()
        .unwrap()
        .session_id
        .unwrap();
    assert_eq!(saved.as_str(), seen[0]);
}
