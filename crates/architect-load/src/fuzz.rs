//! Entry points for the fuzz targets in `fuzz/`: each reader of repository text, from the text
//! alone, without touching the file system. Not part of the API.

use architect_model::{CargoConfigEntry, Config, ManifestFacts, RuleSchema, ToolchainPin};

use crate::LoadError;
use crate::tomlspan::TomlFile;

/// `architect.toml`, checked against `rules`.
pub fn architect_toml(text: &str, rules: &[RuleSchema]) -> Result<Config, LoadError> {
    let toml = TomlFile::parse("architect.toml", text.to_string())?;
    crate::config::parse(&toml, toml.doc.as_table(), rules)
}

/// A member's `Cargo.toml`, as the root manifest too: its facts, workspace table, profiles.
pub fn manifest(text: &str) -> Result<ManifestFacts, LoadError> {
    let toml = TomlFile::parse("Cargo.toml", text.to_string())?;
    let _ = crate::manifest::workspace_facts(&toml);
    let _ = crate::manifest::profile_debug(&toml.doc);
    Ok(crate::manifest::member_facts(&toml, Some(&toml)))
}

/// A `.cargo/config.toml`: the entries the review reports.
pub fn cargo_config(text: &str) -> Result<Vec<CargoConfigEntry>, LoadError> {
    crate::cargo_config::entries(".cargo/config.toml", text)
}

/// A `rust-toolchain` (`legacy`) or `rust-toolchain.toml` file.
pub fn toolchain_file(text: &str, legacy: bool) -> Result<ToolchainPin, LoadError> {
    let name = if legacy {
        "rust-toolchain"
    } else {
        "rust-toolchain.toml"
    };
    crate::repo::parse_pin(name, text.to_string()).map(|(pin, _)| pin)
}
