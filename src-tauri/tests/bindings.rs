//! The committed TypeScript bindings must match what the Rust commands generate.
//!
//! Regenerate them with `make bindings` (or `HANGAR_UPDATE_BINDINGS=1 cargo test -p
//! hangar-desktop --test bindings`).

#[test]
fn committed_bindings_are_up_to_date() {
    let committed_path = hangar_desktop::bindings_path();
    if std::env::var_os("HANGAR_UPDATE_BINDINGS").is_some() {
        hangar_desktop::export_bindings(&committed_path).expect("bindings export");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let fresh_path = dir.path().join("bindings.ts");
    hangar_desktop::export_bindings(&fresh_path).expect("bindings export");

    let fresh = std::fs::read_to_string(&fresh_path).expect("read fresh bindings");
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        fresh.contains("appInfo"),
        "the generated bindings lack the appInfo command:\n{fresh}"
    );
    if fresh != committed {
        let first_difference = fresh
            .lines()
            .zip(committed.lines().chain(std::iter::repeat("<end of file>")))
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| format!("line {}: generated `{a}`, committed `{b}`", i + 1))
            .unwrap_or_else(|| "the files differ in length".to_owned());
        panic!(
            "{} is stale ({first_difference}). Run `make bindings` and commit the result.",
            committed_path.display()
        );
    }
}
