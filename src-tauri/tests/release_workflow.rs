//! `.github/workflows/release.yml` builds the release bundles on Linux, Windows and macOS.
//! It cannot run on this machine, so this test keeps it honest: the file must parse, cover
//! the three platforms, upload every bundle it builds, compile-check the keychain backends,
//! and every `run:` must name make targets and variables, npm scripts, cargo test targets,
//! directories and scripts that exist in the repository.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_yaml_ng::Value;

#[derive(Debug, Deserialize)]
struct Workflow {
    name: String,
    on: Value,
    jobs: BTreeMap<String, Job>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Job {
    runs_on: String,
    steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Step {
    uses: Option<String>,
    run: Option<String>,
    working_directory: Option<String>,
    #[serde(default)]
    with: BTreeMap<String, Value>,
}

fn repo_root() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the desktop crate sits in the repository root")
        .to_path_buf()
}

fn load_workflow() -> Workflow {
    let path = repo_root().join(".github/workflows/release.yml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_yaml_ng::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid: {e}", path.display()))
}

/// Targets defined in the Makefile (`name other: prerequisites` lines).
fn make_targets(makefile: &str) -> BTreeSet<String> {
    makefile
        .lines()
        .filter(|l| !l.starts_with(['\t', ' ', '#']))
        .filter_map(|l| l.split_once(':'))
        .filter(|(_, rest)| !rest.starts_with('='))
        .flat_map(|(names, _)| names.split_whitespace().map(str::to_owned))
        .filter(|n| !n.starts_with('.') && !n.contains('$'))
        .collect()
}

/// The repository's view the `run:` commands are checked against.
struct Repo {
    root: PathBuf,
    makefile: String,
    targets: BTreeSet<String>,
}

impl Repo {
    fn load(root: &Path) -> Repo {
        let makefile = std::fs::read_to_string(root.join("Makefile")).expect("read the Makefile");
        Repo {
            root: root.to_owned(),
            targets: make_targets(&makefile),
            makefile,
        }
    }

    fn json(&self, path: &Path) -> Option<serde_json::Value> {
        let text = std::fs::read_to_string(path).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Problems with one `run:` script started in `workdir` (relative to the root).
    fn check_run(&self, script: &str, workdir: &str) -> Vec<String> {
        let mut problems = Vec::new();
        for line in script.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let Some(tokens) = shlex::split(line) else {
                problems.push(format!("`{line}`: unbalanced quotes"));
                continue;
            };
            let mut cwd = self.root.join(workdir);
            for command in tokens.split(|t| matches!(t.as_str(), "&&" | "||" | ";" | "|")) {
                let command: Vec<&str> = command.iter().map(String::as_str).collect();
                let command = match command.as_slice() {
                    ["sudo", rest @ ..] => rest,
                    other => other,
                };
                if let Err(problem) = self.check_command(command, &mut cwd) {
                    problems.push(format!("`{line}`: {problem}"));
                }
            }
        }
        problems
    }

    fn check_command(&self, command: &[&str], cwd: &mut PathBuf) -> Result<(), String> {
        let Some((&program, args)) = command.split_first() else {
            return Ok(());
        };
        match program {
            "cd" => {
                let dir = cwd.join(args.first().ok_or("cd without a directory")?);
                if !dir.is_dir() {
                    return Err(format!("no directory {}", self.show(&dir)));
                }
                *cwd = dir;
            }
            "make" => {
                for arg in args.iter().filter(|a| !a.starts_with('-')) {
                    match arg.split_once('=') {
                        Some((var, _)) if !self.makefile.contains(&format!("$({var})")) => {
                            return Err(format!("the Makefile does not use the variable {var}"));
                        }
                        Some(_) => {}
                        None if !self.targets.contains(*arg) => {
                            return Err(format!("the Makefile has no target `{arg}`"));
                        }
                        None => {}
                    }
                }
            }
            "npm" => self.check_npm(args, cwd)?,
            "cargo" => {
                if let Some(pos) = args.iter().position(|a| *a == "--test") {
                    let name = args.get(pos + 1).ok_or("--test without a name")?;
                    let file = format!("{name}.rs");
                    let exists = ["tests", "src-tauri/tests"]
                        .iter()
                        .any(|dir| self.root.join(dir).join(&file).is_file());
                    if !exists {
                        return Err(format!(
                            "no test target `{name}` in tests/ or src-tauri/tests/"
                        ));
                    }
                }
            }
            path if path.contains('/') => {
                let path = cwd.join(path);
                if let Some(bin) = node_bin(&path) {
                    self.check_node_bin(&path, bin)?;
                } else if !is_executable(&path) {
                    return Err(format!("no executable script {}", self.show(&path)));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// `npm ci --prefix P` needs P's lockfile; `npm --prefix P run S` needs script S.
    fn check_npm(&self, args: &[&str], cwd: &Path) -> Result<(), String> {
        let prefix = args
            .iter()
            .position(|a| *a == "--prefix")
            .and_then(|i| args.get(i + 1))
            .map_or_else(|| cwd.to_owned(), |p| cwd.join(p));
        let positional: Vec<&str> = args
            .iter()
            .enumerate()
            .filter(|(i, a)| !a.starts_with('-') && (*i == 0 || args[i - 1] != "--prefix"))
            .map(|(_, a)| *a)
            .collect();
        match positional.as_slice() {
            ["ci", ..] | ["install", ..] if !prefix.join("package-lock.json").is_file() => {
                Err(format!("no package-lock.json in {}", self.show(&prefix)))
            }
            ["run", script, ..] => {
                let package = self
                    .json(&prefix.join("package.json"))
                    .ok_or_else(|| format!("no package.json in {}", self.show(&prefix)))?;
                if package["scripts"][*script].is_string() {
                    Ok(())
                } else {
                    Err(format!(
                        "{}/package.json has no script `{script}`",
                        self.show(&prefix)
                    ))
                }
            }
            _ => Ok(()),
        }
    }

    /// `<dir>/node_modules/.bin/<bin>` is made by `npm ci`: a package in `<dir>`'s lockfile
    /// must provide that executable.
    fn check_node_bin(&self, path: &Path, bin: &str) -> Result<(), String> {
        let dir = path
            .ancestors()
            .find(|a| a.file_name().is_some_and(|n| n == "node_modules"))
            .and_then(Path::parent)
            .ok_or("node_modules without a parent")?;
        let lock = self
            .json(&dir.join("package-lock.json"))
            .ok_or_else(|| format!("no package-lock.json in {}", self.show(dir)))?;
        let provided = lock["packages"]
            .as_object()
            .into_iter()
            .flat_map(|packages| packages.values())
            .any(|p| p["bin"].get(bin).is_some());
        if provided {
            Ok(())
        } else {
            Err(format!(
                "no package in {}/package-lock.json provides `{bin}`",
                self.show(dir)
            ))
        }
    }

    fn show(&self, path: &Path) -> String {
        let normal: PathBuf = path.components().fold(PathBuf::new(), |mut acc, c| {
            match c {
                std::path::Component::ParentDir => {
                    acc.pop();
                }
                std::path::Component::CurDir => {}
                other => acc.push(other),
            }
            acc
        });
        normal
            .strip_prefix(&self.root)
            .unwrap_or(&normal)
            .display()
            .to_string()
    }
}

fn node_bin(path: &Path) -> Option<&str> {
    let parent = path.parent()?;
    (parent.ends_with("node_modules/.bin"))
        .then(|| path.file_name()?.to_str())
        .flatten()
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// The bundle kinds a job builds: `--bundles a,b` and `BUNDLES=a,b` in its `run:` lines.
fn bundles_built(job: &Job) -> BTreeSet<String> {
    let mut kinds = BTreeSet::new();
    for run in job.steps.iter().filter_map(|s| s.run.as_deref()) {
        let tokens = shlex::split(&run.replace('\n', " ")).unwrap_or_default();
        for (i, token) in tokens.iter().enumerate() {
            let list = match token.strip_prefix("BUNDLES=") {
                Some(list) => Some(list),
                None if token == "--bundles" => tokens.get(i + 1).map(String::as_str),
                None => None,
            };
            kinds.extend(
                list.into_iter()
                    .flat_map(|l| l.split(','))
                    .map(str::to_owned),
            );
        }
    }
    kinds
}

/// The bundle kinds a job uploads, from `target/release/bundle/<dir>/` paths.
fn bundles_uploaded(job: &Job) -> BTreeSet<String> {
    job.steps
        .iter()
        .filter(|s| {
            s.uses
                .as_deref()
                .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
        })
        .filter_map(|s| s.with.get("path")?.as_str().map(str::to_owned))
        .flat_map(|paths| {
            paths
                .lines()
                .filter_map(|l| {
                    l.trim()
                        .strip_prefix("target/release/bundle/")?
                        .split_once('/')
                })
                .map(|(dir, _)| {
                    if dir == "macos" {
                        "app".to_owned()
                    } else {
                        dir.to_owned()
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn job_on<'a>(workflow: &'a Workflow, runner_prefix: &str) -> &'a Job {
    let jobs: Vec<&Job> = workflow
        .jobs
        .values()
        .filter(|j| j.runs_on.starts_with(runner_prefix))
        .collect();
    assert_eq!(
        jobs.len(),
        1,
        "expected one job on a {runner_prefix} runner, found {}",
        jobs.len()
    );
    jobs[0]
}

fn runs(job: &Job) -> Vec<&str> {
    job.steps.iter().filter_map(|s| s.run.as_deref()).collect()
}

#[test]
fn the_workflow_builds_every_platform_bundle_and_uploads_it() {
    let workflow = load_workflow();
    assert_eq!(workflow.name, "release");
    assert!(
        workflow.on.get("push").is_some() && workflow.on.get("workflow_dispatch").is_some(),
        "the workflow should run on tag pushes and by hand: {:?}",
        workflow.on
    );
    let expected: [(&str, &[&str]); 3] = [
        ("ubuntu-", &["deb", "rpm", "appimage"]),
        ("windows-", &["msi", "nsis"]),
        ("macos-", &["app", "dmg"]),
    ];
    for (runner, kinds) in expected {
        let job = job_on(&workflow, runner);
        let kinds: BTreeSet<String> = kinds.iter().map(|k| k.to_string()).collect();
        assert_eq!(bundles_built(job), kinds, "bundles built on {runner}");
        assert_eq!(bundles_uploaded(job), kinds, "bundles uploaded on {runner}");
        let upload = job
            .steps
            .iter()
            .find(|s| {
                s.uses
                    .as_deref()
                    .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
            })
            .expect("an upload step");
        assert_eq!(
            upload.with.get("if-no-files-found").and_then(Value::as_str),
            Some("error"),
            "a missing bundle must fail the {runner} job"
        );
        assert!(
            job.steps.iter().any(|s| s
                .uses
                .as_deref()
                .is_some_and(|u| u.starts_with("actions/checkout@"))),
            "the {runner} job checks the repository out"
        );
    }
}

#[test]
fn the_workflow_runs_the_tests_on_linux_and_compile_checks_the_keychains_elsewhere() {
    let workflow = load_workflow();
    let linux = runs(job_on(&workflow, "ubuntu-"));
    assert!(
        linux
            .iter()
            .any(|r| r.lines().any(|l| l.trim() == "make test")),
        "{linux:?}"
    );
    assert!(
        linux.iter().any(|r| r.contains("make test-dist")),
        "{linux:?}"
    );
    for runner in ["windows-", "macos-"] {
        let steps = runs(job_on(&workflow, runner));
        assert!(
            steps.iter().any(|r| r.contains("cargo check --workspace")),
            "the {runner} job compile-checks the workspace (keyring's native backend): {steps:?}"
        );
    }
}

#[test]
fn every_run_step_refers_to_things_that_exist() {
    let workflow = load_workflow();
    let repo = Repo::load(&repo_root());
    let mut problems = Vec::new();
    let mut checked = 0;
    for (name, job) in &workflow.jobs {
        for step in &job.steps {
            if let Some(run) = &step.run {
                let workdir = step.working_directory.as_deref().unwrap_or(".");
                checked += 1;
                problems.extend(
                    repo.check_run(run, workdir)
                        .into_iter()
                        .map(|p| format!("job {name}: {p}")),
                );
            }
        }
    }
    assert!(checked >= 10, "only {checked} run steps found");
    assert!(
        problems.is_empty(),
        "release.yml refers to missing things:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_run_checker_reports_what_is_missing() {
    let repo = Repo::load(&repo_root());
    let bad = [
        ("make no-such-target", "no target `no-such-target`"),
        (
            "make dist NO_SUCH_VAR=1",
            "does not use the variable NO_SUCH_VAR",
        ),
        (
            "tests/support/no-such-script",
            "no executable script tests/support/no-such-script",
        ),
        ("cd no-such-dir && make test", "no directory no-such-dir"),
        (
            "cd src-tauri && ../ui/node_modules/.bin/no-such-bin build",
            "provides `no-such-bin`",
        ),
        (
            "npm --prefix ui run no-such-script",
            "has no script `no-such-script`",
        ),
        ("npm ci --prefix src", "no package-lock.json in src"),
        (
            "cargo test --test no_such_test",
            "no test target `no_such_test`",
        ),
        ("sudo make no-such-target", "no target `no-such-target`"),
    ];
    for (script, expected) in bad {
        let problems = repo.check_run(script, ".");
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "`{script}` should be reported with `{expected}`, got {problems:?}"
        );
    }
    let good = [
        "make test",
        "make dist BUNDLES=deb,rpm,appimage",
        "tests/support/bootstrap dist",
        "cd src-tauri && ../ui/node_modules/.bin/tauri build --ci --bundles msi,nsis",
        "npm --prefix ui run build",
        "cargo test --workspace --test dist -- --ignored",
    ];
    for script in good {
        assert_eq!(
            repo.check_run(script, "."),
            Vec::<String>::new(),
            "`{script}`"
        );
    }
}
