//! Shared helpers of the integration tests: copy a fixture to a temporary directory, run the
//! real binary on it, and make its output independent of the machine.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Copy `fixtures/NAME` (and its siblings, for fixtures that reach outside their directory)
/// into a fresh temporary directory; returns the directory and the fixture's path in it.
pub fn copy_fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let src = repo_root().join("fixtures");
    copy_dir(&src, tmp.path());
    let path = tmp.path().join(name);
    (tmp, path)
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "target" {
                copy_dir(&entry.path(), &target);
            }
        } else {
            // std::fs::copy keeps the permission bits, so scripts stay executable.
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The binary, with cargo's environment so it finds the same toolchain as the tests.
pub fn architect() -> Command {
    let mut cmd = Command::cargo_bin("cargo-architect").unwrap();
    // The same build-time figures on every machine: two jobs, as on this project's machines.
    cmd.env_remove("CARGO_TERM_COLOR")
        .env("NO_COLOR", "1")
        .env("CARGO_BUILD_JOBS", "2")
        // No calibration cached by a developer's earlier `--calibrate` changes the figures.
        .env(
            "CARGO_ARCHITECT_CACHE",
            repo_root().join("target/no-calibration-cache"),
        );
    cmd
}

/// Run a review in `dir`. Unless the arguments name one, the review uses the checked-in
/// advisory database, so that no test depends on what the machine has in `$CARGO_HOME`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = architect();
    cmd.current_dir(dir).args(args);
    if !args.contains(&"--advisory-db") {
        cmd.arg("--advisory-db").arg(fixture_advisory_db());
    }
    cmd.output().unwrap()
}

pub fn fixture_advisory_db() -> PathBuf {
    repo_root().join("fixtures/advisory-db")
}

/// Replace what differs between machines: the temporary root, the tool version, the list of
/// installed toolchains.
pub fn filter(text: &str, root: &Path) -> String {
    let root = root.display().to_string();
    let version = env!("CARGO_PKG_VERSION");
    let mut out = text
        .replace(&root, "[ROOT]")
        .replace(
            &format!("\"name\": \"cargo-architect\",\n    \"version\": \"{version}\""),
            "\"name\": \"cargo-architect\",\n    \"version\": \"[VERSION]\"",
        )
        .replace(
            &format!("cargo-architect {version}"),
            "cargo-architect [VERSION]",
        );
    while let Some(i) = out.find("installed: ") {
        let start = i + "installed: ".len();
        let end = out[start..]
            .find(['"', '\n'])
            .map_or(out.len(), |e| start + e);
        out.replace_range(i..end, "installed [TOOLCHAINS]");
    }
    out
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).expect("stdout is JSON")
}

/// Findings of `rule` in a JSON review.
pub fn findings<'a>(doc: &'a serde_json::Value, rule: &str) -> Vec<&'a serde_json::Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

fn assert_valid(validator: &jsonschema::Validator, doc: &serde_json::Value) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "output does not match the schema:\n{}",
        errors.join("\n")
    );
}

/// Validate a JSON review against the checked-in schema.
pub fn validate(doc: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("schema/review.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema is valid");
    assert_valid(&validator, doc);
}

/// Validate a JSON diff against the checked-in schema (which refers to the review's).
pub fn validate_diff(doc: &serde_json::Value) {
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(
            &std::fs::read_to_string(repo_root().join("schema").join(name)).unwrap(),
        )
        .unwrap()
    };
    let review = read("review.schema.json");
    let id = review["$id"].as_str().unwrap().to_string();
    let registry = jsonschema::Registry::new()
        .add(id.as_str(), review)
        .expect("the review schema registers")
        .prepare()
        .expect("the registry prepares");
    let validator = jsonschema::options()
        .with_registry(&registry)
        .build(&read("diff.schema.json"))
        .expect("the diff schema is valid");
    assert_valid(&validator, doc);
}

/// `cargo metadata --format-version 1` of `manifest` plus `args`, run from `cwd` (outside the
/// fixture, so the fixture's own cargo config plays no part).
pub fn cargo_metadata(manifest: &Path, cwd: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1"])
        .args(args)
        .arg("--manifest-path")
        .arg(manifest)
        .current_dir(cwd)
        .output()
        .unwrap()
}

/// A writable copy of `../shared/corpus/real-deps` (the shared folder is read-only), or `None`
/// with the reason printed when the shared folder is not there.
pub fn writable_corpus() -> Option<(tempfile::TempDir, PathBuf)> {
    let corpus = repo_root().join("../shared/corpus/real-deps");
    if !corpus.join("Cargo.toml").is_file() {
        eprintln!("skipped: ../shared/corpus/real-deps is not present");
        return None;
    }
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("real-deps");
    copy_dir(&corpus, &ws);
    for entry in std::fs::read_dir(&ws).unwrap() {
        let p = entry.unwrap().path();
        let mut perm = std::fs::metadata(&p).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perm.set_readonly(false);
        std::fs::set_permissions(&p, perm).unwrap();
    }
    Some((tmp, ws))
}

/// Write `files` (path, text) under `root`, making directories; files under a `tools/` or
/// `bin/` directory are made executable (the programs of hostile fixtures).
pub fn tree(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        #[cfg(unix)]
        if path.starts_with("tools/") || path.contains("/tools/") || path.contains("bin/") {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
}

/// A package manifest with edition 2024 and a `rust-version`.
pub fn package_manifest(name: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\nrust-version = \"1.85\"\n"
    )
}

/// The `MARKER-*` files under `dir` (not in `target/`): what hostile programs write when run.
pub fn markers(dir: &Path) -> Vec<String> {
    let mut found: Vec<String> = files_under(dir)
        .into_iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
        .filter(|n| n.starts_with("MARKER-"))
        .collect();
    found.sort();
    found
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() && !p.ends_with("target") {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Whether rustup is installed (without it no toolchain file is ever honoured).
pub fn have_rustup() -> bool {
    std::process::Command::new("rustup")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `cargo --version` through the rustup proxy in `dir`, as a developer would type it: rustup
/// picks the toolchain from the files there first.
pub fn rustup_cargo_in(dir: &Path) {
    let _ = std::process::Command::new("cargo")
        .arg("--version")
        .current_dir(dir)
        .env_remove("RUSTUP_TOOLCHAIN")
        .output();
}

/// `name version` of each package of a JSON list of package references (`[{"name", "version"}]`),
/// in its order.
pub fn package_refs(list: &serde_json::Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p["name"].as_str().unwrap(),
                p["version"].as_str().unwrap()
            )
        })
        .collect()
}

/// What cargo builds for a workspace, by cargo's own tools: the packages of `cargo tree
/// --workspace --target all -e normal,build,dev` (cargo's feature resolver; a member and the
/// registry copy of one version are two packages), with their build scripts and proc-macros
/// read from `cargo metadata`, and the crates built in more than one version.
#[derive(Debug, PartialEq, Eq)]
pub struct BuildSet {
    /// How many packages, told apart by name, version and source.
    pub packages: usize,
    /// `name version` of each package with a build script.
    pub build_scripts: std::collections::BTreeSet<String>,
    pub proc_macros: std::collections::BTreeSet<String>,
    /// Names built in more than one version.
    pub duplicates: std::collections::BTreeSet<String>,
}

impl std::fmt::Display for BuildSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} packages, {} build scripts, {} proc-macros, {} duplicated crates",
            self.packages,
            self.build_scripts.len(),
            self.proc_macros.len(),
            self.duplicates.len()
        )
    }
}

impl BuildSet {
    /// cargo's, for the workspace at `manifest`, cargo run in `cwd` with `args` (`--offline`,
    /// `--locked`); `Err` with cargo's error when it cannot resolve.
    pub fn of_cargo(manifest: &Path, cwd: &Path, args: &[&str]) -> Result<BuildSet, String> {
        let tree = std::process::Command::new(env!("CARGO"))
            .args(["tree", "--workspace", "--target", "all", "-e"])
            .args(["normal,build,dev", "--prefix", "none", "--format", "{p}"])
            .args(args)
            .arg("--manifest-path")
            .arg(manifest)
            .current_dir(cwd)
            .output()
            .unwrap();
        if !tree.status.success() {
            return Err(String::from_utf8_lossy(&tree.stderr).into_owned());
        }
        let lines: std::collections::BTreeSet<String> = String::from_utf8(tree.stdout)
            .unwrap()
            .lines()
            .map(|l| l.trim_end_matches(" (*)").trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
        let meta = cargo_metadata(manifest, cwd, args);
        if !meta.status.success() {
            return Err(String::from_utf8_lossy(&meta.stderr).into_owned());
        }
        let meta: serde_json::Value = serde_json::from_slice(&meta.stdout).unwrap();
        // `name version` of each line: `name vX.Y.Z` and, for non-registry packages, `(source)`.
        let built: std::collections::BTreeSet<String> = lines
            .iter()
            .filter_map(|l| {
                let mut it = l.split_whitespace();
                Some(format!(
                    "{} {}",
                    it.next()?,
                    it.next()?.trim_start_matches('v')
                ))
            })
            .collect();
        let has = |kind: &str| -> std::collections::BTreeSet<String> {
            meta["packages"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| {
                    p["targets"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|t| t["kind"].as_array().unwrap().iter().any(|k| k == kind))
                })
                .map(|p| {
                    format!(
                        "{} {}",
                        p["name"].as_str().unwrap(),
                        p["version"].as_str().unwrap()
                    )
                })
                .filter(|id| built.contains(id))
                .collect()
        };
        let mut versions: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
            Default::default();
        for id in &built {
            let (name, version) = id.split_once(' ').unwrap();
            versions.entry(name).or_default().insert(version);
        }
        Ok(BuildSet {
            packages: lines.len(),
            build_scripts: has("custom-build"),
            proc_macros: has("proc-macro"),
            duplicates: versions
                .into_iter()
                .filter(|(_, v)| v.len() > 1)
                .map(|(n, _)| n.to_string())
                .collect(),
        })
    }

    /// The review's, from its JSON facts.
    pub fn of_review(doc: &serde_json::Value) -> BuildSet {
        let facts = &doc["facts"];
        let refs = |key: &str| package_refs(&facts[key]).into_iter().collect();
        BuildSet {
            packages: facts["packages"].as_u64().unwrap() as usize,
            build_scripts: refs("build_scripts"),
            proc_macros: refs("proc_macros"),
            duplicates: facts["duplicate_crates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["name"].as_str().unwrap().to_string())
                .collect(),
        }
    }
}

/// `git ARGS` in `dir`, with a committer and no signing or user configuration of the machine's
/// in the way; it must succeed. Its output, trimmed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Whether `git` can be run; tests that need it skip, saying so, when it cannot.
pub fn have_git() -> bool {
    let runs = std::process::Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !runs {
        eprintln!("skipped: git is not installed");
    }
    runs
}
