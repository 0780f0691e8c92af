//! On real code no one on this project wrote: the shared corpus of ~350 widely used crates.
//! With `--target all` the review's counts must equal what cargo itself says.
//!
//! `cargo metadata` lists the dependency resolver's packages, a superset of what is compiled:
//! on this corpus it has 13 packages (quinn, rand 0.10, ...) that cargo's feature resolver
//! never builds. The review counts what cargo builds, so the expected set is the packages of
//! `cargo tree --target all -e normal,build,dev` (cargo's own feature resolver), with their
//! build scripts, proc-macros and versions read from the `cargo metadata` JSON.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use common::*;

#[test]
fn facts_match_cargo_metadata_on_the_real_corpus() {
    let Some((tmp, ws)) = writable_corpus() else {
        return;
    };
    let meta = cargo_metadata(&ws.join("Cargo.toml"), tmp.path(), &["--locked"]);
    if !meta.status.success() {
        eprintln!(
            "skipped: cargo metadata could not resolve the corpus (registry unreachable?): {}",
            String::from_utf8_lossy(&meta.stderr)
        );
        return;
    }
    let meta: serde_json::Value = serde_json::from_slice(&meta.stdout).unwrap();
    let tree = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--locked",
            "--target",
            "all",
            "-e",
            "normal,build,dev",
        ])
        .args(["--prefix", "none", "--format", "{p}", "--manifest-path"])
        .arg(ws.join("Cargo.toml"))
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(tree.status.success());
    let built: BTreeSet<String> = String::from_utf8(tree.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            Some(format!(
                "{} {}",
                it.next()?,
                it.next()?.trim_start_matches('v')
            ))
        })
        .collect();
    let all = meta["packages"].as_array().unwrap();
    let id = |p: &serde_json::Value| {
        format!(
            "{} {}",
            p["name"].as_str().unwrap(),
            p["version"].as_str().unwrap()
        )
    };
    let packages: Vec<&serde_json::Value> = all.iter().filter(|p| built.contains(&id(p))).collect();
    assert_eq!(
        packages.len(),
        built.len(),
        "every built package is in cargo metadata"
    );
    let has_kind = |p: &serde_json::Value, kind: &str| {
        p["targets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"].as_array().unwrap().iter().any(|k| k == kind))
    };
    let names = |kind: &str| -> BTreeSet<String> {
        packages
            .iter()
            .filter(|p| has_kind(p, kind))
            .map(|p| id(p))
            .collect()
    };
    let mut versions: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &packages {
        *versions.entry(p["name"].as_str().unwrap()).or_default() += 1;
    }
    let duplicates: BTreeSet<&str> = versions
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(k, _)| k)
        .collect();

    let out = architect()
        .current_dir(&ws)
        .args(["--locked", "--target", "all", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
    let doc = json(&out);
    validate(&doc);
    let facts = &doc["facts"];
    let refs = |key: &str| -> BTreeSet<String> {
        facts[key]
            .as_array()
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
    };
    assert_eq!(facts["packages"].as_u64().unwrap() as usize, packages.len());
    assert_eq!(refs("build_scripts"), names("custom-build"));
    assert_eq!(refs("proc_macros"), names("proc-macro"));
    let ours: BTreeSet<&str> = facts["duplicate_crates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(ours, duplicates);
    eprintln!(
        "corpus: {} of cargo metadata's {} packages are built; {} packages, {} build scripts, {} proc-macros, {} duplicated crates",
        packages.len(),
        all.len(),
        packages.len(),
        names("custom-build").len(),
        names("proc-macro").len(),
        duplicates.len()
    );
}
