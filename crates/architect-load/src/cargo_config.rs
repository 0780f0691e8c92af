//! Reading the repository's `.cargo/config.toml` as data: which programs it would make cargo run
//! (reported as findings), and which source replacements it sets (forwarded to cargo, since
//! cargo itself runs outside the repository and reads none of its config).

use std::path::Path;

use architect_model::{CargoConfigEntry, Location};
use toml_edit::{Item, TableLike};

use crate::LoadError;
use crate::tomlspan::TomlFile;

/// What the config files of a workspace say.
#[derive(Debug, Default)]
pub(crate) struct CargoConfig {
    pub files: Vec<architect_model::SourceFile>,
    pub exec: Vec<CargoConfigEntry>,
    /// `--config KEY=VALUE` arguments that reproduce the repository's source replacement.
    pub forwarded: Vec<String>,
    pub incompatible_rust_versions: Option<(String, Location)>,
}

/// Keys whose value is a program cargo runs.
const PROGRAM_KEYS: &[&str] = &[
    "build.rustc",
    "build.rustc-wrapper",
    "build.rustc-workspace-wrapper",
    "build.rustdoc",
    "registry.credential-provider",
    "registry.global-credential-providers",
    "net.git-fetch-with-cli",
];

/// Keys of `[source.NAME]` that are plain data and safe to forward.
const SOURCE_KEYS: &[&str] = &["replace-with", "registry", "git", "branch", "tag", "rev"];
const SOURCE_PATH_KEYS: &[&str] = &["directory", "local-registry"];

pub(crate) fn read(root: &Path) -> Result<CargoConfig, LoadError> {
    let mut out = CargoConfig::default();
    for name in [".cargo/config.toml", ".cargo/config"] {
        let path = root.join(name);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let toml = TomlFile::parse(name, text)?;
        collect(&toml, root, &mut out);
        out.files.push(toml.file);
        // cargo reads `config.toml` in preference to `config` in the same directory.
        break;
    }
    Ok(out)
}

fn collect(toml: &TomlFile, root: &Path, out: &mut CargoConfig) {
    let doc = toml.doc.as_table();
    let mut push = |key: String, value: String, location: Option<Location>| {
        if let Some(location) = location {
            out.exec.push(CargoConfigEntry {
                key,
                value,
                location,
            });
        }
    };
    for key in PROGRAM_KEYS {
        let (table, leaf) = key.split_once('.').expect("dotted key");
        if let Some(t) = doc.get(table).and_then(Item::as_table_like)
            && let Some(item) = t.get(leaf)
        {
            let value = display(item);
            push(
                key.to_string(),
                value,
                toml.key_location(t, leaf, "names a program cargo runs"),
            );
        }
    }
    if let Some(targets) = doc.get("target").and_then(Item::as_table_like) {
        for (triple, item) in targets.iter() {
            let Some(t) = item.as_table_like() else {
                continue;
            };
            for leaf in ["linker", "runner", "rustc-wrapper"] {
                if let Some(v) = t.get(leaf) {
                    push(
                        format!("target.{triple}.{leaf}"),
                        display(v),
                        toml.key_location(t, leaf, "names a program cargo runs"),
                    );
                }
            }
        }
    }
    if let Some(registries) = doc.get("registries").and_then(Item::as_table_like) {
        for (name, item) in registries.iter() {
            // The index URL is data, needed to resolve a private registry's packages.
            if let Some(index) = item
                .as_table_like()
                .and_then(|t| t.get("index"))
                .and_then(Item::as_str)
            {
                out.forwarded.push(format!(
                    "registries.{}.index={}",
                    quote_key(name),
                    toml_edit::Value::from(index)
                ));
            }
            if let Some(t) = item.as_table_like()
                && let Some(v) = t.get("credential-provider")
            {
                push(
                    format!("registries.{name}.credential-provider"),
                    display(v),
                    toml.key_location(t, "credential-provider", "names a program cargo runs"),
                );
            }
        }
    }
    if let Some(env) = doc.get("env").and_then(Item::as_table_like) {
        for (name, item) in env.iter() {
            push(
                format!("env.{name}"),
                display(item),
                toml.key_location(env, name, "set for every rustc cargo runs"),
            );
        }
    }
    if let Some(resolver) = doc.get("resolver").and_then(Item::as_table_like)
        && let Some(v) = resolver
            .get("incompatible-rust-versions")
            .and_then(Item::as_str)
    {
        out.incompatible_rust_versions = toml
            .key_location(resolver, "incompatible-rust-versions", "set here")
            .map(|l| (v.to_string(), l));
    }
    if let Some(sources) = doc.get("source").and_then(Item::as_table_like) {
        forward_sources(sources, root, &mut out.forwarded);
    }
}

fn forward_sources(sources: &dyn TableLike, root: &Path, forwarded: &mut Vec<String>) {
    for (name, item) in sources.iter() {
        let Some(t) = item.as_table_like() else {
            continue;
        };
        for (key, value) in t.iter() {
            let Some(s) = value.as_str() else { continue };
            let value = if SOURCE_KEYS.contains(&key) {
                s.to_string()
            } else if SOURCE_PATH_KEYS.contains(&key) {
                // Relative paths in config are relative to the directory holding `.cargo/`.
                root.join(s).display().to_string()
            } else {
                continue;
            };
            forwarded.push(format!(
                "source.{}.{key}={}",
                quote_key(name),
                toml_edit::Value::from(value)
            ));
        }
    }
}

fn quote_key(key: &str) -> String {
    if key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        key.to_string()
    } else {
        format!("{:?}", key)
    }
}

fn display(item: &Item) -> String {
    match item.as_str() {
        Some(s) => s.to_string(),
        None => item.to_string().trim().to_string(),
    }
}
