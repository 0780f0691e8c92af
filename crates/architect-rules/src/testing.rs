//! Test support: facts of the checked-in fixtures, loaded once per test binary.
//!
//! Fixtures with a committed `Cargo.lock` are loaded in place with `--offline --locked`, so
//! cargo writes nothing into the tree.

use std::sync::OnceLock;

use architect_model::{Facts, Finding};

use crate::rule::{Ctx, Rule};

fn load(name: &str) -> Facts {
    load_with(name, None)
}

fn load_with(name: &str, advisory_db: Option<&str>) -> Facts {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let manifest = fixtures.join(name).join("Cargo.toml");
    let options = architect_load::LoadOptions {
        manifest_path: Some(manifest),
        offline: true,
        locked: true,
        advisory_db: Some(fixtures.join(advisory_db.unwrap_or("advisory-db"))),
        ..Default::default()
    };
    architect_load::load(&options, &crate::schemas()).expect("fixture loads")
}

pub fn kitchen_sink() -> &'static Facts {
    static F: OnceLock<Facts> = OnceLock::new();
    F.get_or_init(|| load("kitchen-sink"))
}

/// Registry packages from a local registry, with the fictional advisory database.
pub fn registry_ws() -> &'static Facts {
    static F: OnceLock<Facts> = OnceLock::new();
    F.get_or_init(|| load("registry-ws"))
}

/// The code rules' fixture: spawns, public APIs, error enums, edition hazards, FFI, unsafe,
/// a build script, unreadable and stray files.
pub fn source_rules() -> &'static Facts {
    static F: OnceLock<Facts> = OnceLock::new();
    F.get_or_init(|| load("source-rules"))
}

pub fn clean() -> &'static Facts {
    static F: OnceLock<Facts> = OnceLock::new();
    F.get_or_init(|| load("clean"))
}

/// Run one rule over facts, with the configuration the fixture gives it.
pub fn run(rule: &Rule, facts: &Facts) -> Vec<Finding> {
    let cx = Ctx {
        facts,
        rule,
        config: facts.config.rule(rule.id),
        shared: &crate::buildsim::Shared::default(),
    };
    (rule.check)(&cx)
}

/// The first package named by each finding.
pub fn names(findings: &[Finding]) -> Vec<String> {
    let mut v: Vec<String> = findings
        .iter()
        .filter_map(|f| f.packages.first().map(|p| p.name.clone()))
        .collect();
    v.sort();
    v
}
