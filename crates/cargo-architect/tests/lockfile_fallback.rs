//! Workspaces whose `cargo metadata` cannot fetch a source (a git host or a private registry
//! that cannot resolve, `.invalid`), reviewed with `--offline` and without: from the lockfile,
//! with the unreachable packages as opaque stand-ins, and equal to `cargo tree` on everything
//! else.

mod common;

use std::path::Path;

use common::*;

/// The review's JSON for `ws`, `--offline` or not; asserts a review (exit 0 or 1) and that
/// the workspace's lockfile is untouched.
fn review(ws: &Path, offline: bool) -> serde_json::Value {
    let lock = std::fs::read_to_string(ws.join("Cargo.lock")).unwrap();
    let mut args = vec!["--format", "json"];
    if offline {
        args.push("--offline");
    }
    let out = run_in(ws, &args);
    assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(ws.join("Cargo.lock")).unwrap(),
        lock,
        "the lockfile is never written"
    );
    let doc = json(&out);
    validate(&doc);
    doc
}

fn opaque(doc: &serde_json::Value) -> Vec<String> {
    package_refs(&doc["facts"]["opaque_packages"])
}

/// `fixtures/git-locked`: the review from the lockfile equals `cargo tree` on a copy whose git
/// dependency is a local path crate with the same locked dependencies and the features the
/// members ask for: same package count, build scripts, proc-macros and duplicated crates
/// (vulnlib, in 2.0.0 only through the stand-in's locked dependencies); featureful's default
/// feature would bring oldlib, which the lockfile does not have, and the review leaves it out.
#[test]
fn an_unreachable_git_dependency_is_reviewed_as_cargo_tree_sees_the_rest() {
    let (_tmp, ws) = copy_fixture("git-locked");
    for offline in [true, false] {
        let doc = review(&ws, offline);
        assert_eq!(opaque(&doc), ["gitdep 1.2.0"]);
        assert!(
            doc["notes"]
                .to_string()
                .contains("`gitdep 1.2.0` (git+https://git.invalid/gitdep#")
        );

        let (_tmp2, local) = copy_fixture("git-locked");
        tree(
            &local,
            &[
                (
                    "gitdep/Cargo.toml",
                    "[package]\nname = \"gitdep\"\nversion = \"1.2.0\"\nedition = \"2021\"\n\n[features]\nfast = []\nextra = []\n\n[dependencies]\nfeatureful = { version = \"=1.0.0\", default-features = false }\ntokio = \"=1.38.0\"\nvulnlib = \"=2.0.0\"\n",
                ),
                ("gitdep/src/lib.rs", ""),
            ],
        );
        for member in ["app/Cargo.toml", "cli/Cargo.toml"] {
            let text = std::fs::read_to_string(local.join(member)).unwrap();
            let text = text.replace(
                "git = \"https://git.invalid/gitdep\"",
                "path = \"../gitdep\"",
            );
            std::fs::write(local.join(member), text).unwrap();
        }
        let lock = std::fs::read_to_string(local.join("Cargo.lock")).unwrap();
        let lock = lock.replace(
            "source = \"git+https://git.invalid/gitdep#0123456789abcdef0123456789abcdef01234567\"\n",
            "",
        );
        std::fs::write(local.join("Cargo.lock"), lock).unwrap();
        // cargo reads the fixture's `.cargo/config.toml` (the local registry) from its cwd.
        let expected = BuildSet::of_cargo(
            &local.join("Cargo.toml"),
            &local,
            &["--offline", "--locked"],
        )
        .expect("the path copy resolves offline");
        assert_eq!(expected.packages, 8, "{expected:?}");
        assert_eq!(BuildSet::of_review(&doc), expected);
    }
}

/// `fixtures/git-patched`: a git dependency overridden by a vendored path crate resolves from
/// its lockfile without the git host; the crate is read (its build script is seen, it is not
/// opaque) and built with the features its dependents ask for: `extra` brings oldlib, `unused`
/// (asked by no one) would bring tokio.
#[test]
fn a_path_overridden_git_dependency_is_built_with_the_features_asked_of_it() {
    let (_tmp, ws) = copy_fixture("git-patched");
    for offline in [true, false] {
        let doc = review(&ws, offline);
        assert!(opaque(&doc).is_empty());
        let set = BuildSet::of_review(&doc);
        assert_eq!(set.build_scripts, ["gitdep 1.2.0".to_string()].into());
        let expected = BuildSet::of_cargo(&ws.join("Cargo.toml"), &ws, &["--offline", "--locked"])
            .expect("the fixture resolves offline");
        assert_eq!(
            expected.packages, 4,
            "app, cli, gitdep and oldlib: {expected:?}"
        );
        assert_eq!(set, expected);
    }
}

/// `fixtures/private-registry`: a registry that cannot be reached stands in as a whole (both of
/// its locked packages), its package's crates.io dependency is still built, and the stand-ins
/// keep their registry source.
#[test]
fn an_unreachable_private_registry_is_reviewed_from_the_lockfile() {
    let (_tmp, ws) = copy_fixture("private-registry");
    for offline in [true, false] {
        let doc = review(&ws, offline);
        assert_eq!(opaque(&doc), ["corp-core 1.0.0", "corp-utils 1.4.0"]);
        assert_eq!(
            doc["facts"]["packages"], 5,
            "app, corp-utils, corp-core, oldlib and tokio"
        );
        let notes = doc["notes"].to_string();
        assert!(
            notes.contains("`corp-utils 1.4.0` (sparse+https://registry.invalid/index/)"),
            "{notes}"
        );
        assert!(
            doc["facts"]["git_dependencies"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }
}

/// `fixtures/git-patch-entry`: a crates.io dependency replaced by an unreachable git fork in
/// the workspace's `[patch.crates-io]` (lapce's `dpi`): the stand-in replaces the workspace's
/// patch entry too, and the fork is reviewed as an opaque git package.
#[test]
fn a_workspace_patch_from_an_unreachable_git_fork_is_reviewed_from_the_lockfile() {
    let (_tmp, ws) = copy_fixture("git-patch-entry");
    for offline in [true, false] {
        let doc = review(&ws, offline);
        assert_eq!(opaque(&doc), ["oldlib 0.3.0"]);
        assert_eq!(doc["facts"]["packages"], 3, "app, the fork and tokio");
        assert_eq!(doc["facts"]["git_dependencies"][0]["name"], "oldlib");
    }
}
