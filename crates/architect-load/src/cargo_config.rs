//! Reading the repository's `.cargo/config(.toml)` files as data: what they would make cargo run
//! (reported as findings), and which source replacements they set (forwarded to cargo, since
//! cargo itself runs outside the repository and reads none of its config).
//!
//! cargo reads a config file in the directory it runs in and in each parent; in one directory
//! it reads `.cargo/config` when that exists, with a warning when `.cargo/config.toml` exists
//! too, and `.cargo/config.toml` otherwise. So do we, for the workspace root and its parents up
//! to the repository root, and for the directories down to each member (where a developer may
//! run cargo too).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use architect_model::{CargoConfigEntry, CargoConfigFacts, Location};
use toml_edit::{Item, TableLike};

use crate::LoadError;
use crate::read::{TOML_LIMIT, read_text};
use crate::scope::{ConfigDirs, Scope};
use crate::tomlspan::TomlFile;

/// What the config files of a workspace say.
#[derive(Debug, Default)]
pub(crate) struct CargoConfig {
    pub files: Vec<architect_model::SourceFile>,
    pub facts: CargoConfigFacts,
    /// What is forwarded to cargo from the files that apply at the workspace root.
    pub forwarded: Forwarded,
    pub incompatible_rust_versions: Option<(String, Location)>,
}

/// The data of the repository's cargo config that `cargo metadata` needs, run outside it.
#[derive(Debug, Default, Clone)]
pub(crate) struct Forwarded {
    /// `--config KEY=VALUE` arguments that reproduce the source replacement and the named
    /// registries, outermost file first so that the nearest wins as in cargo.
    pub args: Vec<String>,
    /// Each named registry's index URL (`[registries.NAME] index`), nearest file last.
    pub registries: BTreeMap<String, String>,
}

/// The text of each config file, read once: what is forwarded to cargo before the workspace
/// root is known and what is reported after come from the same bytes.
#[derive(Debug, Default)]
pub(crate) struct ConfigTexts(BTreeMap<PathBuf, String>);

impl ConfigTexts {
    fn get(&mut self, path: &Path, shown: &str) -> Result<String, LoadError> {
        if let Some(text) = self.0.get(path) {
            return Ok(text.clone());
        }
        let text = read_text(path, TOML_LIMIT).map_err(|e| LoadError::read(shown, e, ""))?;
        self.0.insert(path.to_path_buf(), text.clone());
        Ok(text)
    }
}

/// Keys whose value is a program cargo runs.
const PROGRAM_KEYS: &[&str] = &[
    "build.rustc",
    "build.rustc-wrapper",
    "build.rustc-workspace-wrapper",
    "build.rustdoc",
    "doc.browser",
    "registry.credential-provider",
    "registry.global-credential-providers",
    "net.git-fetch-with-cli",
];

/// Keys under `[target.<triple or cfg>]` (and `[host]`) whose value is a program.
const TARGET_PROGRAM_KEYS: &[&str] = &["linker", "runner", "rustc-wrapper"];

/// Keys of `[source.NAME]` that are plain data and safe to forward.
const SOURCE_KEYS: &[&str] = &["replace-with", "registry", "git", "branch", "tag", "rev"];
const SOURCE_PATH_KEYS: &[&str] = &["directory", "local-registry"];

/// The file cargo reads in `dir/.cargo/`, and the one it ignores when both exist.
fn config_file(dir: &Path) -> Option<(PathBuf, Option<PathBuf>)> {
    let legacy = dir.join(".cargo/config");
    let toml = dir.join(".cargo/config.toml");
    let same = |a: &Path, b: &Path| match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    match (legacy.exists(), toml.exists()) {
        (true, true) if same(&legacy, &toml) => Some((legacy, None)),
        (true, true) => Some((legacy, Some(toml))),
        (true, false) => Some((legacy, None)),
        (false, true) => Some((toml, None)),
        (false, false) => None,
    }
}

/// Read the config files that apply in the directories of `dirs`.
pub(crate) fn read(
    scope: &Scope,
    dirs: &ConfigDirs,
    texts: &mut ConfigTexts,
) -> Result<CargoConfig, LoadError> {
    let mut out = CargoConfig::default();
    // The root's chain, outermost first, so that forwarded values of nearer files come later
    // (and win, as the nearer file does in cargo).
    let at_root = dirs.at_root.iter().rev().map(|d| (d, true));
    let in_members = dirs.in_members.iter().map(|d| (d, false));
    for (dir, at_root) in at_root.chain(in_members) {
        let Some((path, ignored)) = config_file(dir) else {
            continue;
        };
        let shown = scope.display(&path);
        let toml = TomlFile::parse(&shown, texts.get(&path, &shown)?)?;
        let applies_in = if at_root { None } else { scope.applies_in(dir) };
        apply(&toml, dir, applies_in, &mut out);
        if let Some(ignored) = ignored {
            out.facts.shadowed.push((
                toml.location(0..0, Some("cargo reads this file")),
                scope.display(&ignored),
            ));
        }
        out.files.push(toml.file);
    }
    Ok(out)
}

/// What one file says: its entries, and for a file at the workspace root (`applies_in` is
/// `None`) the resolver setting and the source replacement to forward. `dir` holds `.cargo/`.
fn apply(toml: &TomlFile, dir: &Path, applies_in: Option<String>, out: &mut CargoConfig) {
    let at_root = applies_in.is_none();
    collect(toml, applies_in, &mut out.facts.entries);
    if at_root {
        if let Some(v) = incompatible_rust_versions(toml) {
            out.incompatible_rust_versions = Some(v);
        }
        if let Some(sources) = toml.doc.get("source").and_then(Item::as_table_like) {
            forward_sources(sources, dir, &mut out.forwarded.args);
        }
        forward_registries(toml, &mut out.forwarded);
    }
}

/// One config file's text read as at the workspace root (for the fuzz targets).
pub(crate) fn entries(name: &str, text: &str) -> Result<Vec<CargoConfigEntry>, LoadError> {
    let toml = TomlFile::parse(name, text.to_string())?;
    let mut out = CargoConfig::default();
    apply(&toml, Path::new("."), None, &mut out);
    Ok(out.facts.entries)
}

/// Read only what `cargo metadata` needs from the files that apply at `dir` (the directory of
/// the manifest, before the workspace root is known): the forwarded source replacement.
pub(crate) fn forwarded_at(dir: &Path, texts: &mut ConfigTexts) -> Result<Forwarded, LoadError> {
    let scope = Scope::new(dir);
    let dirs = ConfigDirs {
        at_root: scope.up_from(dir),
        in_members: Vec::new(),
    };
    Ok(read(&scope, &dirs, texts)?.forwarded)
}

/// Entries of one file, with where it applies.
struct Collector<'a> {
    toml: &'a TomlFile,
    applies_in: Option<String>,
    out: &'a mut Vec<CargoConfigEntry>,
}

impl Collector<'_> {
    fn push(&mut self, key: String, table: &dyn TableLike, leaf: &str, label: &str) {
        let Some(item) = table.get(leaf) else { return };
        if let Some(location) = self.toml.key_location(table, leaf, label) {
            self.out.push(CargoConfigEntry {
                key,
                value: display(item),
                location,
                applies_in: self.applies_in.clone(),
            });
        }
    }

    fn flags(&mut self, table: &dyn TableLike, prefix: &str) {
        for leaf in ["rustflags", "rustdocflags"] {
            self.push(
                format!("{prefix}.{leaf}"),
                table,
                leaf,
                "passed to every rustc",
            );
        }
    }
}

fn collect(toml: &TomlFile, applies_in: Option<String>, out: &mut Vec<CargoConfigEntry>) {
    let doc = toml.doc.as_table();
    let mut c = Collector {
        toml,
        applies_in,
        out,
    };
    let table = |name: &str| doc.get(name).and_then(Item::as_table_like);
    for key in PROGRAM_KEYS {
        let (name, leaf) = key.split_once('.').expect("dotted key");
        if let Some(t) = table(name) {
            c.push(key.to_string(), t, leaf, "names a program cargo runs");
        }
    }
    if let Some(build) = table("build") {
        c.flags(build, "build");
    }
    let mut targets: Vec<(String, &dyn TableLike)> = Vec::new();
    if let Some(t) = table("target") {
        targets.extend(
            t.iter()
                .filter_map(|(k, v)| Some((format!("target.{k}"), v.as_table_like()?))),
        );
    }
    if let Some(h) = table("host") {
        targets.push(("host".to_string(), h));
    }
    for (prefix, t) in targets {
        for leaf in TARGET_PROGRAM_KEYS {
            c.push(
                format!("{prefix}.{leaf}"),
                t,
                leaf,
                "names a program cargo runs",
            );
        }
        c.flags(t, &prefix);
    }
    if let Some(registries) = table("registries") {
        for (name, item) in registries.iter() {
            if let Some(inner) = item.as_table_like() {
                let key = format!("registries.{name}.credential-provider");
                c.push(
                    key,
                    inner,
                    "credential-provider",
                    "names a program cargo runs",
                );
            }
        }
    }
    for (name, label) in [
        ("credential-alias", "names a program cargo runs"),
        ("alias", "a cargo command"),
        ("env", "set for every rustc cargo runs"),
    ] {
        if let Some(t) = table(name) {
            for (key, _) in t.iter() {
                c.push(format!("{name}.{key}"), t, key, label);
            }
        }
    }
}

fn incompatible_rust_versions(toml: &TomlFile) -> Option<(String, Location)> {
    let resolver = toml.doc.get("resolver").and_then(Item::as_table_like)?;
    let v = resolver
        .get("incompatible-rust-versions")
        .and_then(Item::as_str)?;
    toml.key_location(resolver, "incompatible-rust-versions", "set here")
        .map(|l| (v.to_string(), l))
}

/// Index URLs of named registries: data, needed to resolve a private registry's packages.
fn forward_registries(toml: &TomlFile, forwarded: &mut Forwarded) {
    let Some(registries) = toml.doc.get("registries").and_then(Item::as_table_like) else {
        return;
    };
    for (name, item) in registries.iter() {
        if let Some(index) = item
            .as_table_like()
            .and_then(|t| t.get("index"))
            .and_then(Item::as_str)
        {
            forwarded.args.push(format!(
                "registries.{}.index={}",
                quote_key(name),
                toml_edit::Value::from(index)
            ));
            forwarded
                .registries
                .insert(name.to_string(), index.to_string());
        }
    }
}

/// `dir` is the directory holding `.cargo/`: relative paths in a config file are relative to it.
fn forward_sources(sources: &dyn TableLike, dir: &Path, forwarded: &mut Vec<String>) {
    for (name, item) in sources.iter() {
        let Some(t) = item.as_table_like() else {
            continue;
        };
        for (key, value) in t.iter() {
            let Some(s) = value.as_str() else { continue };
            let value = if SOURCE_KEYS.contains(&key) {
                s.to_string()
            } else if SOURCE_PATH_KEYS.contains(&key) {
                dir.join(s).display().to_string()
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

/// A value as a person would write it on a command line: strings bare, arrays of strings
/// joined by spaces, anything else as TOML.
fn display(item: &Item) -> String {
    if let Some(s) = item.as_str() {
        return s.to_string();
    }
    if let Some(a) = item.as_array()
        && let Some(parts) = a.iter().map(|v| v.as_str()).collect::<Option<Vec<_>>>()
    {
        return parts.join(" ");
    }
    item.to_string().trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What is forwarded to cargo and what is reported come from one read of each file: a
    /// file changed between the two (a race with the repository's own tooling) is reported as
    /// it was forwarded.
    #[test]
    fn each_config_file_is_read_once() {
        let ws = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(ws.path().join(".git")).unwrap();
        std::fs::create_dir_all(ws.path().join(".cargo")).unwrap();
        let file = ws.path().join(".cargo/config.toml");
        std::fs::write(
            &file,
            "[registries.corp]\nindex = \"sparse+https://one.invalid/\"\n[build]\nrustc-wrapper = \"one\"\n",
        )
        .unwrap();
        let mut texts = ConfigTexts::default();
        let forwarded = forwarded_at(ws.path(), &mut texts).unwrap();
        assert_eq!(forwarded.registries["corp"], "sparse+https://one.invalid/");

        std::fs::write(&file, "[build]\nrustc-wrapper = \"two\"\n").unwrap();
        let scope = Scope::new(ws.path());
        let dirs = scope.config_dirs(std::iter::empty());
        let read = read(&scope, &dirs, &mut texts).unwrap();
        assert_eq!(read.forwarded.registries, forwarded.registries);
        let wrapper: Vec<&str> = read
            .facts
            .entries
            .iter()
            .filter(|e| e.key == "build.rustc-wrapper")
            .map(|e| e.value.as_str())
            .collect();
        assert_eq!(wrapper, ["one"]);
    }
}
