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

/// Field names that would carry a credential.
fn looks_secret(field: &str) -> bool {
    let f = field.to_ascii_lowercase();
    ["token", "secret", "password", "apikey", "api_key"]
        .iter()
        .any(|w| f.contains(w))
}

/// The body of each `export type Name = ...;` definition, keyed by name.
fn type_definitions(ts: &str) -> std::collections::HashMap<String, String> {
    let mut defs = std::collections::HashMap::new();
    let mut rest = ts;
    while let Some(start) = rest.find("export type ") {
        let after = &rest[start + "export type ".len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let end = after.find("\n\n").unwrap_or(after.len());
        defs.insert(name, after[..end].to_owned());
        rest = &after[end..];
    }
    defs
}

/// The field names declared in a type body (`name:` or `name?:`), outside comments.
fn field_names(body: &str) -> Vec<String> {
    body.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("/*") && !l.starts_with('*'))
        .flat_map(|l| {
            l.split(['{', ',', ';'])
                .filter_map(|part| {
                    let part = part.trim();
                    let (name, _) = part.split_once(':')?;
                    let name = name.trim().trim_end_matches('?').trim_matches('"');
                    (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_'))
                        .then(|| name.to_owned())
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Type names referenced in `text` that have a definition.
fn referenced<'a>(
    text: &str,
    defs: &'a std::collections::HashMap<String, String>,
) -> Vec<&'a String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter_map(|word| defs.get_key_value(word).map(|(k, _)| k))
        .collect()
}

/// What scanning the command results of a bindings file found.
struct ResultScan {
    commands: usize,
    /// Every type reachable from a command's result.
    seen: std::collections::HashSet<String>,
    checked_fields: usize,
    /// `Type.field` of each credential-like field in a result type.
    credentials: Vec<String>,
}

fn scan_results(ts: &str) -> ResultScan {
    let defs = type_definitions(ts);
    let commands_block = ts
        .split("export const commands = {")
        .nth(1)
        .and_then(|rest| rest.split("\n};").next())
        .expect("the commands block");
    // The result type of each command: what `__TAURI_INVOKE<...>` / `typedError<...>` names.
    let mut pending: Vec<String> = Vec::new();
    let mut commands = 0;
    for line in commands_block.lines().map(str::trim) {
        let Some(call) = line.split("=>").nth(1) else {
            continue;
        };
        commands += 1;
        let generic = call
            .split_once('<')
            .and_then(|(_, g)| g.split_once('(').map(|(g, _)| g))
            .unwrap_or_else(|| panic!("no result type in `{line}`"));
        pending.extend(referenced(generic, &defs).into_iter().cloned());
    }
    let mut scan = ResultScan {
        commands,
        seen: std::collections::HashSet::new(),
        checked_fields: 0,
        credentials: Vec::new(),
    };
    while let Some(name) = pending.pop() {
        if !scan.seen.insert(name.clone()) {
            continue;
        }
        let body = &defs[&name];
        for field in field_names(body) {
            scan.checked_fields += 1;
            if looks_secret(&field) {
                scan.credentials.push(format!("{name}.{field}"));
            }
        }
        pending.extend(referenced(body, &defs).into_iter().cloned());
    }
    scan
}

#[test]
fn no_command_result_carries_a_credential() {
    let ts = std::fs::read_to_string(hangar_desktop::bindings_path()).expect("read bindings");
    let scan = scan_results(&ts);
    assert!(scan.commands >= 6, "found only {} commands", scan.commands);
    assert!(
        scan.seen.iter().any(|t| t.starts_with("AccountList")),
        "listAccounts' result type was not found: {:?}",
        scan.seen
    );
    assert!(
        scan.checked_fields > 20,
        "only {} fields checked",
        scan.checked_fields
    );
    assert!(
        scan.credentials.is_empty(),
        "command results have credential-like fields: {:?}",
        scan.credentials
    );
    // Input types may hold the token; they are not results.
    let defs = type_definitions(&ts);
    let new_account = defs
        .get("NewAccount_Deserialize")
        .expect("the NewAccount input type");
    assert!(field_names(new_account).iter().any(|f| looks_secret(f)));
    assert!(!scan.seen.contains("NewAccount_Deserialize"));
}

#[test]
fn the_scan_finds_a_credential_nested_in_a_result() {
    let ts = "export const commands = {\n\
        \tgetThing: (id: string) => typedError<Outer_Serialize, AppError>(__TAURI_INVOKE(\"get_thing\", { id })),\n\
        \tsave: (input: Input) => typedError<null, AppError>(__TAURI_INVOKE(\"save\", { input })),\n\
        };\n\n\
        export type AppError = {\n\tkind: string,\n\tmessage: string,\n};\n\n\
        export type Input = {\n\ttoken: string,\n};\n\n\
        export type Outer_Serialize = {\n\tname: string,\n\tinner: Inner | null,\n};\n\n\
        export type Inner = { status: \"ok\"; apiKey: string } | { status: \"no\" };\n";
    let scan = scan_results(ts);
    assert_eq!(scan.commands, 2);
    assert_eq!(scan.credentials, ["Inner.apiKey"]);
    assert!(!scan.seen.contains("Input"));
}
