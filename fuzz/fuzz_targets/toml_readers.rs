//! Every reader of repository TOML text: `architect.toml` (checked against the rule schemas),
//! `Cargo.toml`, `.cargo/config.toml`, `rust-toolchain.toml` and the legacy `rust-toolchain`.
//!
//! The loader reads these files as UTF-8 and refuses any other bytes before a reader sees them,
//! so input that is not UTF-8 is skipped. Each input goes to all five readers: a selector byte
//! would spoil the seed corpus (real files), and coverage guidance already tells which reader an
//! input reaches. An error is a fine answer; a panic is a bug.

#![no_main]

use std::sync::LazyLock;

use architect_load::fuzz;
use architect_model::RuleSchema;
use libfuzzer_sys::fuzz_target;

/// The schemas of every rule in the registry, built once.
static SCHEMAS: LazyLock<Vec<RuleSchema>> = LazyLock::new(architect_rules::schemas);

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = fuzz::architect_toml(text, &SCHEMAS);
    let _ = fuzz::manifest(text);
    let _ = fuzz::cargo_config(text);
    let _ = fuzz::toolchain_file(text, false);
    let _ = fuzz::toolchain_file(text, true);
});
