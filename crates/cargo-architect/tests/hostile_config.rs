//! Configuration that acts before any subcommand starts: cargo aliases, rustup toolchain files
//! (the legacy one included), `.cargo/config` beside `.cargo/config.toml`, files in parent
//! directories, and `rustflags` that name a linker.
//!
//! Each test builds a small repository whose vector writes a `MARKER-*` file when run. A
//! control shows that cargo or rustup, run where a developer would, does run it; then the
//! review, invoked as documented for untrusted code (the binary by its own name, from outside
//! the checkout, with `--manifest-path`), must leave no marker and report the vector.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// A program that writes `MARKER-<name>` in `dir` when run, then fails.
fn marker_script(dir: &Path, name: &str) -> String {
    format!(
        "#!/bin/sh\ntouch '{}/MARKER-{name}'\nexit 1\n",
        dir.display()
    )
}

const LIB: (&str, &str) = ("src/lib.rs", "pub fn f() {}\n");

/// The documented invocation: the binary by its own name, from outside the checkout.
fn review_from_outside(outside: &Path, manifest: &Path) -> std::process::Output {
    let mut cmd = architect();
    cmd.current_dir(outside)
        .env_remove("RUSTUP_TOOLCHAIN")
        .args(["--offline", "--format", "json", "--advisory-db"])
        .arg(fixture_advisory_db())
        .arg("--manifest-path")
        .arg(manifest);
    cmd.output().unwrap()
}

fn messages(doc: &serde_json::Value, rule: &str) -> Vec<(String, String)> {
    findings(doc, rule)
        .iter()
        .map(|f| {
            (
                f["level"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The real cargo binary (not the rustup proxy), run in `dir` as a developer would.
fn real_cargo(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUSTC")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CARGO_BUILD_RUSTC")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap()
}

#[test]
fn an_alias_named_architect_replaces_the_review_in_the_checkout() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("checkout");
    let bin = "fn main() {\n    std::fs::write(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/MARKER-alias\"), \"\").unwrap();\n}\n";
    tree(
        &ws,
        &[
            ("Cargo.toml", &package_manifest("victim")),
            LIB,
            ("src/bin/evil.rs", bin),
            (
                ".cargo/config.toml",
                "[alias]\narchitect = [\"run\", \"--quiet\", \"--bin\", \"evil\", \"--\"]\nxtask = \"run --package victim --\"\n",
            ),
        ],
    );
    // Control: `cargo architect` typed in the checkout builds and runs the repository's binary.
    let out = real_cargo(&ws, &["architect", "--offline"]);
    assert_eq!(
        markers(&ws),
        ["MARKER-alias"],
        "the alias should have run the repository's binary: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_file(ws.join("MARKER-alias")).unwrap();

    let out = review_from_outside(tmp.path(), &ws.join("Cargo.toml"));
    assert_eq!(markers(&ws), Vec::<String>::new());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    let found = messages(&doc, "supply-chain/architect-alias");
    assert!(
        found
            .iter()
            .any(|(l, m)| l == "deny" && m.contains("alias `architect`")),
        "{found:?}"
    );
    let found = messages(&doc, "supply-chain/cargo-config-settings");
    assert!(
        found.iter().all(|(_, m)| !m.contains("alias")),
        "an alias that shadows no tool (`xtask`) is the team's shorthand: {found:?}"
    );
}

#[test]
fn an_alias_shadowing_another_review_tool_warns() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("checkout");
    tree(
        &ws,
        &[
            ("Cargo.toml", &package_manifest("victim")),
            LIB,
            (".cargo/config.toml", "[alias]\ndeny = \"run --bin evil\"\n"),
        ],
    );
    let out = review_from_outside(tmp.path(), &ws.join("Cargo.toml"));
    let found = messages(&json(&out), "supply-chain/cargo-config-programs");
    assert!(
        found
            .iter()
            .any(|(l, m)| l == "warn" && m.contains("shadows `cargo deny`")),
        "{found:?}"
    );
}

#[test]
fn the_legacy_toolchain_file_wins_over_the_toml_one() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("checkout");
    let toolchain = ws.join("tc");
    tree(
        &ws,
        &[
            ("Cargo.toml", &package_manifest("victim")),
            LIB,
            ("rust-toolchain.toml", "[toolchain]\nchannel = \"stable\"\n"),
            (
                "rust-toolchain",
                &format!("[toolchain]\npath = \"{}\"\n", toolchain.display()),
            ),
            ("tc/bin/cargo", &marker_script(&ws, "legacy-toolchain")),
            (
                "tc/bin/rustc",
                &marker_script(&ws, "legacy-toolchain-rustc"),
            ),
        ],
    );
    if have_rustup() {
        rustup_cargo_in(&ws);
        let m = markers(&ws);
        assert_eq!(
            m,
            ["MARKER-legacy-toolchain"],
            "control: rustup should run the legacy file's path toolchain"
        );
        std::fs::remove_file(ws.join("MARKER-legacy-toolchain")).unwrap();
    } else {
        eprintln!("control skipped: rustup is not installed");
    }

    let out = review_from_outside(tmp.path(), &ws.join("Cargo.toml"));
    assert_eq!(markers(&ws), Vec::<String>::new());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    let found = messages(&doc, "evolution/path-toolchain");
    assert!(
        found
            .iter()
            .any(|(l, m)| l == "deny" && m.contains("path toolchain")),
        "{found:?}"
    );
    let shadowed = messages(&doc, "evolution/shadowed-toolchain-file");
    assert!(
        shadowed.iter().any(|(l, m)| l == "warn"
            && m.contains("rustup uses `rust-toolchain` and ignores `rust-toolchain.toml`")),
        "{shadowed:?}"
    );
    let pin = findings(&doc, "evolution/path-toolchain")
        .into_iter()
        .find(|f| f["level"] == "deny")
        .unwrap();
    assert_eq!(pin["locations"][0]["path"], "rust-toolchain");
}

#[test]
fn dot_cargo_config_wins_over_config_toml() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("checkout");
    tree(
        &ws,
        &[
            ("Cargo.toml", &package_manifest("victim")),
            LIB,
            (
                ".cargo/config.toml",
                "[build]\nrustc-wrapper = \"sccache\"\n",
            ),
            (".cargo/config", "[build]\nrustc = \"tools/evil-rustc\"\n"),
            ("tools/evil-rustc", &marker_script(&ws, "config-legacy")),
        ],
    );
    // Control: cargo uses `.cargo/config` (and warns), so its rustc runs.
    let out = real_cargo(&ws, &["metadata", "--format-version", "1", "--offline"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("both"),
        "cargo warns that both exist"
    );
    assert_eq!(markers(&ws), ["MARKER-config-legacy"]);
    std::fs::remove_file(ws.join("MARKER-config-legacy")).unwrap();

    let out = review_from_outside(tmp.path(), &ws.join("Cargo.toml"));
    assert_eq!(markers(&ws), Vec::<String>::new());
    let found = messages(&json(&out), "supply-chain/cargo-config-programs");
    assert!(
        found
            .iter()
            .any(|(_, m)| m.contains("`.cargo/config` sets `build.rustc` = `tools/evil-rustc`")),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|(_, m)| m.contains("sccache")),
        "the ignored file's wrapper is not what cargo runs: {found:?}"
    );
    assert!(
        found.iter().any(|(l, m)| l == "warn"
            && m.contains("cargo reads `.cargo/config` and ignores `.cargo/config.toml`")),
        "{found:?}"
    );
}

#[test]
fn configuration_above_the_workspace_applies() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let ws = repo.join("rust/ws");
    let linker = repo.join("tools/evil-linker");
    tree(
        &repo,
        &[
            ("rust/ws/Cargo.toml", &package_manifest("victim")),
            ("rust/ws/src/main.rs", "fn main() {}\n"),
            (
                ".cargo/config.toml",
                &format!(
                    "[build]\nrustflags = [\"-C\", \"linker={}\"]\n\n[alias]\narchitect = \"tree\"\n",
                    linker.display()
                ),
            ),
            ("tools/evil-linker", &marker_script(&repo, "linker")),
            (
                "rust-toolchain.toml",
                &format!("[toolchain]\npath = \"{}\"\n", repo.join("tc").display()),
            ),
            ("tc/bin/cargo", &marker_script(&repo, "parent-toolchain")),
        ],
    );
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    // Controls: cargo in the workspace links with the parent directory's linker; rustup there
    // runs the parent directory's toolchain.
    let _ = real_cargo(&ws, &["build", "--offline", "--quiet"]);
    assert_eq!(markers(&repo), ["MARKER-linker"]);
    std::fs::remove_file(repo.join("MARKER-linker")).unwrap();
    if have_rustup() {
        rustup_cargo_in(&ws);
        assert_eq!(markers(&repo), ["MARKER-parent-toolchain"]);
        std::fs::remove_file(repo.join("MARKER-parent-toolchain")).unwrap();
    }

    let out = review_from_outside(tmp.path(), &ws.join("Cargo.toml"));
    assert_eq!(markers(&repo), Vec::<String>::new());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    let config = messages(&doc, "supply-chain/cargo-config-programs");
    assert!(
        config.iter().any(|(l, m)| l == "warn"
            && m.starts_with("`../../.cargo/config.toml` sets `build.rustflags`")
            && m.contains("linker=")),
        "{config:?}"
    );
    let alias = messages(&doc, "supply-chain/architect-alias");
    assert!(
        alias
            .iter()
            .any(|(l, m)| l == "deny" && m.contains("alias `architect`")),
        "{alias:?}"
    );
    let pin = messages(&doc, "evolution/path-toolchain");
    assert!(
        pin.iter()
            .any(|(l, m)| l == "deny" && m.contains("path toolchain")),
        "{pin:?}"
    );
}

#[test]
fn files_above_the_repository_are_not_the_repository_s() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("repo");
    tree(
        tmp.path(),
        &[
            ("repo/Cargo.toml", &package_manifest("victim")),
            ("repo/src/lib.rs", "pub fn f() {}\n"),
            (
                ".cargo/config.toml",
                "[build]\nrustc-wrapper = \"sccache\"\n",
            ),
        ],
    );
    std::fs::create_dir_all(ws.join(".git")).unwrap();
    let out = review_from_outside(tmp.path(), &ws.join("Cargo.toml"));
    let found = messages(&json(&out), "supply-chain/cargo-config-programs");
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_member_s_own_config_and_toolchain_file_are_reported_with_where_they_apply() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    tree(
        &ws,
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"crates/a\"]\nresolver = \"3\"\n",
            ),
            ("crates/a/Cargo.toml", &package_manifest("a")),
            ("crates/a/src/lib.rs", "pub fn f() {}\n"),
            (
                "crates/a/.cargo/config.toml",
                "[target.x86_64-unknown-linux-gnu]\nrunner = \"tools/evil\"\n",
            ),
            ("crates/a/rust-toolchain", "nightly-2020-01-01\n"),
        ],
    );
    let out = review_from_outside(tmp.path(), &ws.join("Cargo.toml"));
    let doc = json(&out);
    let config = findings(&doc, "supply-chain/cargo-config-programs");
    assert_eq!(config.len(), 1, "{config:?}");
    assert!(
        config[0]["notes"][0]
            .as_str()
            .unwrap()
            .contains("when it runs in `crates/a`"),
        "{config:?}"
    );
    let pin = findings(&doc, "evolution/nightly-pin");
    assert!(
        pin.iter()
            .any(|f| f["message"].as_str().unwrap().contains("nightly")
                && f["locations"][0]["path"] == "crates/a/rust-toolchain"),
        "{pin:?}"
    );
}
