//! The security invariant: reviewing a repository never executes code from it.
//!
//! `fixtures/hostile` names a rustc, two rustc wrappers and a path toolchain that write a
//! marker file when run, and has a build script and a proc-macro that would do the same. The
//! controls show that a naive `cargo metadata` does run them; the review must not.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// Copy the fixture and point its toolchain file at its own evil toolchain (rustup only
/// accepts absolute paths).
fn hostile() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, ws) = copy_fixture("hostile");
    let toolchain = ws.join("evil-toolchain");
    std::fs::write(
        ws.join("rust-toolchain.toml"),
        format!("[toolchain]\npath = \"{}\"\n", toolchain.display()),
    )
    .unwrap();
    (tmp, ws)
}

#[test]
fn control_naive_cargo_metadata_runs_the_repository_config() {
    let (_tmp, ws) = hostile();
    // The real cargo (not the proxy), run where a developer would: in the repository.
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(&ws)
        .env_remove("RUSTC")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the evil rustc fails on purpose");
    let m = markers(&ws);
    assert!(
        m.iter().any(|m| m.starts_with("MARKER-evil-")),
        "a naive cargo metadata should have run a repository program; markers: {m:?}"
    );
}

#[test]
fn control_rustup_runs_the_path_toolchain() {
    if !have_rustup() {
        eprintln!("skipped: rustup is not installed, so no toolchain file is ever honoured");
        return;
    }
    let (_tmp, ws) = hostile();
    rustup_cargo_in(&ws);
    let m = markers(&ws);
    if m.is_empty() {
        eprintln!("note: this rustup refused the path toolchain; the review test still runs");
    } else {
        assert_eq!(m, vec!["MARKER-toolchain-cargo".to_string()]);
    }
}

/// Run a review and check that nothing in the repository ran.
fn review_leaving_no_marker(mut cmd: assert_cmd::Command, ws: &Path) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert_eq!(
        markers(ws),
        Vec::<String>::new(),
        "the review executed repository code"
    );
    out
}

#[test]
fn review_runs_nothing_from_the_repository() {
    let (_tmp, ws) = hostile();
    // The worst case: started inside the repository, without a toolchain chosen by the caller.
    let mut cmd = architect();
    cmd.current_dir(&ws)
        .env_remove("RUSTUP_TOOLCHAIN")
        .args(["--offline", "--format", "json"]);
    let out = review_leaving_no_marker(cmd, &ws);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the path toolchain is a deny finding: {}",
        stderr(&out)
    );
    let doc = json(&out);
    let pin = findings(&doc, "evolution/path-toolchain");
    assert!(pin.iter().any(|f| f["level"] == "deny"), "{pin:?}");
    let config: Vec<String> = findings(&doc, "supply-chain/cargo-config-programs")
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    for key in [
        "build.rustc`",
        "build.rustc-wrapper`",
        "build.rustc-workspace-wrapper`",
        "env.LD_PRELOAD`",
    ] {
        assert!(
            config.iter().any(|m| m.contains(key)),
            "{key} not reported: {config:?}"
        );
    }
    // The build script is known (and never run); it compiles no native code, so it is in
    // the facts, not a finding of `supply-chain/build-script`.
    assert_eq!(findings(&doc, "supply-chain/build-script").len(), 0);
    assert!(
        !doc["facts"]["build_scripts"].as_array().unwrap().is_empty(),
        "{}",
        doc["facts"]["build_scripts"]
    );
    // The proc-macro is built (and never run): `supply-chain/proc-macro` is opt-in.
    assert!(
        doc["facts"]["proc_macros"]
            .as_array()
            .is_some_and(|p| p.len() == 1)
    );

    // With --manifest-path from elsewhere, and with a RUSTUP_TOOLCHAIN that points into the
    // repository (as when a proxy honoured its toolchain file before starting us).
    let mut cmd = architect();
    cmd.current_dir(_tmp.path())
        .env("RUSTUP_TOOLCHAIN", ws.join("evil-toolchain"))
        .args(["--offline", "--manifest-path"])
        .arg(ws.join("Cargo.toml"));
    let out = review_leaving_no_marker(cmd, &ws);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}
