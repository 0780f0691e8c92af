//! cargo-hakari's workspace-hack: the review computes what `cargo hakari generate` would write
//! (with the `hakari` library and the workspace's `.config/hakari.toml`) and compares.
//!
//! `fixtures/hakari-ws` was made by cargo-hakari 0.9.39; the stale case below is the one
//! `cargo hakari generate --diff` reports as
//!   -featured = { path = "../vendor/featured", default-features = false, features = ["f1", "f2"] }
//!   +featured = { path = "../vendor/featured", default-features = false, features = ["f1", "f2", "f3"] }

mod common;

use common::*;

fn review(ws: &std::path::Path) -> serde_json::Value {
    let out = run_in(ws, &["--offline", "--format", "json"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    json(&out)
}

fn edit(path: &std::path::Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{}: no `{from}`", path.display());
    std::fs::write(path, text.replace(from, to)).unwrap();
}

#[test]
fn a_generated_hack_is_up_to_date() {
    let (_tmp, ws) = copy_fixture("hakari-ws");
    let doc = review(&ws);
    assert_eq!(
        doc["facts"]["workspace_hack"],
        "workspace-hack `workspace-hack` is up to date"
    );
    assert!(findings(&doc, "build/feature-unification").is_empty());
}

#[test]
fn a_member_asking_for_another_feature_makes_it_stale() {
    let (_tmp, ws) = copy_fixture("hakari-ws");
    edit(
        &ws.join("b/Cargo.toml"),
        "features = [\"f2\"]",
        "features = [\"f2\", \"f3\"]",
    );
    let doc = review(&ws);
    assert_eq!(
        doc["facts"]["workspace_hack"],
        "workspace-hack `workspace-hack` is out of date: `cargo hakari generate` would remove 1 line and add 1 line"
    );
    let stale = findings(&doc, "build/stale-workspace-hack");
    let stale = stale
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("out of date"))
        .expect("a finding for the stale hack");
    assert_eq!(stale["level"], "warn");
    assert_eq!(stale["locations"][0]["path"], "workspace-hack/Cargo.toml");
    assert_eq!(stale["locations"][0]["line"], 16);
    assert_eq!(
        stale["notes"],
        serde_json::json!([
            "- featured = { path = \"../vendor/featured\", default-features = false, features = [\"f1\", \"f2\"] }",
            "+ featured = { path = \"../vendor/featured\", default-features = false, features = [\"f1\", \"f2\", \"f3\"] }"
        ])
    );
    // featured is now built with [f1, f2] by `-p a` and [f1, f2, f3] by `-p b`: the detail
    // per dependency is `build/feature-unification`, opt-in, so not in a default review.
    assert!(findings(&doc, "build/feature-unification").is_empty());
}

#[test]
fn a_configuration_this_tool_cannot_read_is_said_not_guessed() {
    let (_tmp, ws) = copy_fixture("hakari-ws");
    let config = ws.join(".config/hakari.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}\nfrobnicate = true\n")).unwrap();
    let doc = review(&ws);
    assert_eq!(
        doc["facts"]["workspace_hack"],
        "workspace-hack `workspace-hack`, not checked: `frobnicate` in the hakari configuration is not a key this tool knows"
    );

    std::fs::write(&config, "hakari-package = [").unwrap();
    let doc = review(&ws);
    let said = doc["facts"]["workspace_hack"].as_str().unwrap();
    assert!(said.contains(".config/hakari.toml:1:"), "{said}");

    std::fs::write(
        &config,
        "hakari-package = \"workspace-hack\"\nresolver = \"2\"\nplatforms = [\"not-a-triple\"]\n",
    )
    .unwrap();
    let doc = review(&ws);
    assert_eq!(
        doc["facts"]["workspace_hack"],
        "workspace-hack `workspace-hack`, not checked: `platforms`: unknown platform triple"
    );

    std::fs::write(&config, "hakari-package = \"nope\"\nresolver = \"2\"\n").unwrap();
    let doc = review(&ws);
    assert_eq!(
        doc["facts"]["workspace_hack"],
        "cargo-hakari is configured, but the configured hakari-package `nope` is not a workspace member"
    );
}

#[test]
fn a_hack_without_its_markers_is_said_not_compared() {
    let (_tmp, ws) = copy_fixture("hakari-ws");
    edit(
        &ws.join("workspace-hack/Cargo.toml"),
        "### BEGIN HAKARI SECTION\n",
        "",
    );
    let doc = review(&ws);
    assert_eq!(
        doc["facts"]["workspace_hack"],
        "workspace-hack `workspace-hack`, not checked: workspace-hack/Cargo.toml has no `### BEGIN HAKARI SECTION` line, so there is no generated section to compare: run `cargo hakari generate`"
    );
}
