//! On real code no one on this project wrote: the shared corpus of ~350 widely used crates.
//! With `--target all` the review's counts must equal what cargo itself says.
//!
//! `cargo metadata` lists the dependency resolver's packages, a superset of what is compiled:
//! on this corpus it has 13 packages (quinn, rand 0.10, ...) that cargo's feature resolver
//! never builds. The review counts what cargo builds, so the expected set is the packages of
//! `cargo tree --target all -e normal,build,dev` (cargo's own feature resolver), with their
//! build scripts, proc-macros and versions read from the `cargo metadata` JSON.

mod common;

use common::*;

#[test]
fn facts_match_cargo_metadata_on_the_real_corpus() {
    let Some((tmp, ws)) = writable_corpus() else {
        return;
    };
    let expected = match BuildSet::of_cargo(&ws.join("Cargo.toml"), tmp.path(), &["--locked"]) {
        Ok(set) => set,
        Err(why) => {
            eprintln!("skipped: cargo could not resolve the corpus (registry unreachable?): {why}");
            return;
        }
    };
    let out = architect()
        .current_dir(&ws)
        .args(["--locked", "--target", "all", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
    let doc = json(&out);
    validate(&doc);
    assert_eq!(BuildSet::of_review(&doc), expected);
    eprintln!("corpus: {expected}");
}

/// This repository: a real multi-member workspace with dev-dependencies (insta, tempfile,
/// assert_cmd), proc-macros (serde_derive, clap_derive, thiserror-impl) and build scripts.
/// Offline and locked, so it needs only the crates its own build fetched; skipped with the
/// reason printed when they are not on disk.
#[test]
fn facts_match_cargo_tree_on_this_workspace() {
    let manifest = repo_root().join("Cargo.toml");
    let cwd = tempfile::tempdir().unwrap();
    let expected = match BuildSet::of_cargo(&manifest, cwd.path(), &["--offline", "--locked"]) {
        Ok(set) => set,
        Err(why) => {
            eprintln!("skipped: cargo tree could not resolve this workspace offline: {why}");
            return;
        }
    };
    let out = architect()
        .current_dir(cwd.path())
        .arg("--manifest-path")
        .arg(&manifest)
        .args([
            "--offline",
            "--locked",
            "--target",
            "all",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
    let doc = json(&out);
    assert!(doc["facts"]["workspace_members"].as_u64().unwrap() > 5);
    assert!(!expected.proc_macros.is_empty() && !expected.build_scripts.is_empty());
    assert_eq!(BuildSet::of_review(&doc), expected);
    eprintln!("this workspace: {expected}");
}
