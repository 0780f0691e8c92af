//! `cargo architect diff`: two sides of a change, as directories and as git revisions.
//!
//! The pairs are made from `fixtures/registry-ws` (registry packages served offline from its
//! local registry, advisories from `fixtures/advisory-db`): the test copies it and changes the
//! copy as a pull request would.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

/// Cargo with `args`, offline, in `ws` (the fixture's local registry); it must succeed.
fn cargo_offline(ws: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO"))
        .args(args)
        .arg("--offline")
        .current_dir(ws)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `cargo update -p NAME --precise VERSION`.
fn precise(ws: &Path, name: &str, version: &str) {
    cargo_offline(ws, &["update", "-p", name, "--precise", version]);
}

/// Resolve what the manifests added and nothing else, as cargo does on the next build.
fn resolve(ws: &Path) {
    cargo_offline(ws, &["metadata", "--format-version", "1"]);
}

/// Two copies of registry-ws: `base` and `head`.
fn pair() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let fixtures = repo_root().join("fixtures");
    let (base, head) = (tmp.path().join("base"), tmp.path().join("head"));
    copy_dir(&fixtures.join("registry-ws"), &base);
    copy_dir(&fixtures.join("registry-ws"), &head);
    (tmp, base, head)
}

fn diff(args: &[&str], cwd: &Path) -> Output {
    let mut cmd = architect();
    cmd.current_dir(cwd)
        .args(["diff", "--offline", "--advisory-db"])
        .arg(fixture_advisory_db())
        .args(args);
    cmd.output().unwrap()
}

fn dirs(base: &Path, head: &Path, format: &str) -> Output {
    diff(
        &[
            "--base-dir",
            base.to_str().unwrap(),
            "--head-dir",
            head.to_str().unwrap(),
            "--format",
            format,
        ],
        base.parent().unwrap(),
    )
}

/// The JSON document of a diff, checked against `schema/diff.schema.json`.
fn doc(out: &Output) -> serde_json::Value {
    let d = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(out)
        )
    });
    validate_diff(&d);
    d
}

fn rules(list: &serde_json::Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn an_advisory_the_base_already_had_does_not_fail_the_change() {
    let (_tmp, base, head) = pair();
    // An unrelated change: the library's rust-version.
    let manifest = head.join("lib/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("1.85", "1.88")).unwrap();
    let out = dirs(&base, &head, "json");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let d = doc(&out);
    assert_eq!(d["fails"], false);
    assert!(
        rules(&d["unchanged"]).contains(&"supply-chain/vulnerability".to_string()),
        "vulnlib 1.0.0's advisory is context: {:?}",
        rules(&d["unchanged"])
    );
    assert!(!rules(&d["introduced"]).contains(&"supply-chain/vulnerability".to_string()));
    let settings = d["settings"].as_array().unwrap();
    assert!(
        settings
            .iter()
            .any(|s| s["what"] == "`rust-version` of `lib`"
                && s["from"] == "1.85"
                && s["to"] == "1.88"
                && s["location"]["path"] == "lib/Cargo.toml"),
        "{settings:?}"
    );
}

#[test]
fn a_change_that_brings_a_vulnerable_version_fails() {
    let (_tmp, base, head) = pair();
    // The base had the patched release; the change goes back to the vulnerable one.
    precise(&base, "vulnlib", "1.0.2");
    let out = dirs(&base, &head, "json");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let d = doc(&out);
    assert_eq!(d["fails"], true);
    assert!(rules(&d["introduced"]).contains(&"supply-chain/vulnerability".to_string()));
    let vulnlib: Vec<&serde_json::Value> = d["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "vulnlib")
        .collect();
    assert_eq!(vulnlib.len(), 1, "{vulnlib:?}");
    assert_eq!(vulnlib[0]["change"], "downgraded");
    assert_eq!(vulnlib[0]["from"], "1.0.2");
    assert_eq!(vulnlib[0]["to"], "1.0.0");
    assert_eq!(vulnlib[0]["pulled_in_by"], serde_json::json!(["app"]));
    assert!(
        d["verdict"].as_str().unwrap().starts_with("fails"),
        "{}",
        d["verdict"]
    );
}

#[test]
fn the_same_workspace_on_both_sides_is_no_change() {
    let (_tmp, base, head) = pair();
    let out = dirs(&base, &head, "json");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let d = doc(&out);
    assert_eq!(d["verdict"], "no architectural change");
    for list in ["introduced", "resolved", "changed", "packages", "settings"] {
        assert_eq!(d[list].as_array().unwrap().len(), 0, "{list}: {}", d[list]);
    }
    assert!(!d["unchanged"].as_array().unwrap().is_empty());
}

/// A repository with two commits: registry-ws, then a change that publishes `lib`, bumps
/// tokio, adds a dependency on soundlib, a build script that runs git, and exports a C
/// function.
fn repository() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    copy_dir(&repo_root().join("fixtures/registry-ws"), &repo);
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "base"]);
    let manifest = repo.join("lib/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    // The library is published from now on, and gets a dependency.
    let text = text.replace("publish = false\n", "");
    std::fs::write(&manifest, format!("{text}soundlib = \"2\"\n")).unwrap();
    let lib = repo.join("lib/src/lib.rs");
    let code = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(
        &lib,
        format!(
            "{code}\n/// The version, for C callers.\n#[unsafe(no_mangle)]\npub extern \"C\" fn lib_version() -> u32 {{\n    1\n}}\n"
        ),
    )
    .unwrap();
    // A build script that runs a program (never run here: the review reads it).
    std::fs::write(
        repo.join("lib/build.rs"),
        "fn main() {\n    let _ = std::process::Command::new(\"git\").arg(\"--version\").status();\n}\n",
    )
    .unwrap();
    resolve(&repo);
    precise(&repo, "tokio", "1.40.0");
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "head"]);
    (tmp, repo)
}

#[test]
fn two_revisions_of_a_repository() {
    if !have_git() {
        return;
    }
    let (tmp, repo) = repository();
    let manifest = repo.join("Cargo.toml");
    let args = |format: &'static str| {
        vec![
            "--manifest-path".to_string(),
            manifest.display().to_string(),
            "HEAD~1".into(),
            "HEAD".into(),
            "--format".into(),
            format.into(),
        ]
    };
    let run = |format| {
        let a = args(format);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        diff(&a, tmp.path())
    };
    let out = run("json");
    assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
    let d = doc(&out);
    let packages = d["packages"].as_array().unwrap();
    let change = |name: &str| {
        packages
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} not in {packages:?}"))
    };
    assert_eq!(change("tokio")["change"], "upgraded");
    assert_eq!(change("tokio")["to"], "1.40.0");
    assert_eq!(change("soundlib")["change"], "added");
    assert_eq!(
        change("soundlib")["pulled_in_by"],
        serde_json::json!(["lib"])
    );
    let scripts = d["build_scripts"]["added"].as_array().unwrap();
    assert_eq!(scripts.len(), 1, "{scripts:?}");
    assert_eq!(scripts[0]["package"]["name"], "lib");
    assert!(
        scripts[0]["does"][0]
            .as_str()
            .unwrap()
            .starts_with("runs programs (std::process::Command): git"),
        "{scripts:?}"
    );
    // The build script's finding and a code finding are new in HEAD; the advisory the base
    // had is context.
    assert_eq!(
        rules(&d["introduced"]),
        ["supply-chain/build-script", "interop/ffi-surface"]
    );
    assert!(rules(&d["unchanged"]).contains(&"supply-chain/vulnerability".to_string()));
    // The working tree is HEAD here: the same diff.
    let a = args("json");
    let mut a: Vec<&str> = a.iter().map(String::as_str).collect();
    a.retain(|x| *x != "HEAD");
    let worktree = doc(&diff(&a, tmp.path()));
    assert_eq!(worktree["packages"], d["packages"]);
    assert_eq!(worktree["introduced"], d["introduced"]);
    // Nothing was written in the repository, and its tree is as committed.
    assert_eq!(git(&repo, &["status", "--porcelain"]), "");
    let base_commit = git(&repo, &["rev-parse", "HEAD~1"]);
    let head_commit = git(&repo, &["rev-parse", "HEAD"]);
    for format in ["markdown", "human", "sarif", "github"] {
        let out = run(format);
        assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        if format == "sarif" {
            // The results: the rules' descriptions are the review's (`tests/review.rs`).
            let log: serde_json::Value = serde_json::from_str(&text).unwrap();
            text = serde_json::to_string_pretty(&log["runs"][0]["results"]).unwrap();
        }
        let text = filter(&text, tmp.path())
            .replace(&base_commit[..10], "[BASE]")
            .replace(&head_commit[..10], "[HEAD]");
        insta::assert_snapshot!(format!("diff_revisions_{format}"), text);
    }
}

#[test]
fn an_unknown_revision_is_a_clear_error() {
    if !have_git() {
        return;
    }
    let (tmp, repo) = repository();
    let m = repo.join("Cargo.toml");
    let out = diff(
        &["--manifest-path", m.to_str().unwrap(), "no-such-branch"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("no-such-branch"), "{err}");
    assert!(err.contains("help:"), "{err}");
}

#[test]
fn a_hostile_head_runs_nothing() {
    let (_tmp, ws) = copy_fixture("hostile");
    let toolchain = ws.join("evil-toolchain");
    std::fs::write(
        ws.join("rust-toolchain.toml"),
        format!("[toolchain]\npath = \"{}\"\n", toolchain.display()),
    )
    .unwrap();
    let clean = copy_fixture("clean");
    let out = diff(
        &[
            "--base-dir",
            clean.1.to_str().unwrap(),
            "--head-dir",
            ws.to_str().unwrap(),
            "--format",
            "json",
        ],
        clean.0.path(),
    );
    assert_eq!(
        markers(&ws),
        Vec::<String>::new(),
        "the diff executed repository code"
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let d = doc(&out);
    assert!(
        rules(&d["introduced"]).contains(&"evolution/path-toolchain".to_string()),
        "{:?}",
        rules(&d["introduced"])
    );
}

/// Replace `from` by `to` in the file at `path` (it must be there).
fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn every_kind_of_setting_and_source_change() {
    let (tmp, base, head) = pair();
    // A path dependency outside the workspace, a second major of vulnlib (a duplicate), a
    // release that raises the effective MSRV, resolver 3, a toolchain pin and a waiver.
    let sibling = tmp.path().join("sibling");
    std::fs::create_dir_all(sibling.join("src")).unwrap();
    std::fs::write(
        sibling.join("Cargo.toml"),
        "[package]\nname = \"sibling\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(sibling.join("src/lib.rs"), "pub fn f() {}\n").unwrap();
    edit(
        &head.join("lib/Cargo.toml"),
        "reqwestish = \"0.1\"\n",
        "reqwestish = \"0.1\"\nsibling = { path = \"../../sibling\" }\nvulnlib = \"2\"\n",
    );
    edit(
        &head.join("Cargo.toml"),
        "resolver = \"2\"",
        "resolver = \"3\"",
    );
    std::fs::write(
        head.join("rust-toolchain.toml"),
        "[toolchain]\nchannel = \"stable\"\n",
    )
    .unwrap();
    std::fs::write(
        head.join("architect.toml"),
        "[[ignore]]\nadvisory = \"RUSTSEC-2099-0001\"\nreason = \"parse is never given untrusted input\"\n",
    )
    .unwrap();
    resolve(&head);
    precise(&head, "msrvlib", "3.2.0");

    let d = doc(&dirs(&base, &head, "json"));
    let what: Vec<&str> = d["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["what"].as_str().unwrap())
        .collect();
    for expected in [
        "`resolver`",
        "the toolchain pin",
        "waiver advisory = `RUSTSEC-2099-0001`",
    ] {
        assert!(what.contains(&expected), "{expected} not in {what:?}");
    }
    assert_eq!(d["base"]["msrv"]["version"], "1.80");
    assert_eq!(d["head"]["msrv"]["version"], "1.88");
    assert_eq!(d["head"]["msrv"]["set_by"][0]["name"], "msrvlib");
    assert_eq!(d["duplicates"]["added"], serde_json::json!(["vulnlib"]));
    let sources: Vec<&str> = d["new_sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        sources.len() == 1 && sources[0].ends_with("sibling"),
        "{sources:?}"
    );
    let packages = d["packages"].as_array().unwrap();
    let sibling = packages.iter().find(|p| p["name"] == "sibling").unwrap();
    assert_eq!(sibling["source_kind"], "path");
    assert_eq!(sibling["change"], "added");
    // The waiver takes the base's vulnerability out of the head's review: resolved.
    assert!(
        rules(&d["resolved"]).contains(&"supply-chain/vulnerability".to_string()),
        "{:?}",
        rules(&d["resolved"])
    );
    assert!(
        d["verdict"]
            .as_str()
            .unwrap()
            .contains("effective MSRV 1.80 → 1.88")
    );
    // The path source it introduces is a warning: the change passes, and fails under
    // `--deny warn`, although the base has warnings of its own.
    assert_eq!(d["fails"], false);
    let strict = diff(
        &[
            "--base-dir",
            base.to_str().unwrap(),
            "--head-dir",
            head.to_str().unwrap(),
            "--deny",
            "warn",
            "--format",
            "json",
        ],
        tmp.path(),
    );
    assert_eq!(strict.status.code(), Some(1), "{}", stderr(&strict));
    let md = String::from_utf8_lossy(&dirs(&base, &head, "markdown").stdout).into_owned();
    insta::assert_snapshot!(
        "diff_settings_markdown",
        filter(&md, tmp.path()).replace(&tmp.path().display().to_string(), "[ROOT]")
    );
}

#[test]
fn the_schema_holds_the_document_to_its_shape() {
    let (_tmp, base, head) = pair();
    let mut d = doc(&dirs(&base, &head, "json"));
    d["fails"] = serde_json::json!("no");
    let wrong = std::panic::catch_unwind(|| validate_diff(&d));
    assert!(
        wrong.is_err(),
        "a string where a boolean belongs passed the schema"
    );
}
