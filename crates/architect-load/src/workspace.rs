//! The workspace's own files, read as data once the package graph names the workspace root:
//! the root manifest (workspace table, resolver, profiles, perhaps the review's configuration),
//! `architect.toml`, each member's manifest, `Cargo.lock`, the cargo config files and the
//! toolchain pins that apply.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use architect_model::{
    Config, FileStore, Location, ManifestFacts, Resolver, RuleSchema, SourceFile, ToolchainPin,
};
use guppy::PackageId;
use guppy::graph::PackageGraph;
use toml_edit::Item;

use crate::cargo_config::{self, CargoConfig, ConfigTexts};
use crate::tomlspan::TomlFile;
use crate::{LoadError, config, manifest, read, relative, repo, scope};

/// What the workspace's files say. Every file read is also added to the [`FileStore`], so that
/// findings can cite it.
pub(crate) struct WorkspaceFiles {
    /// The root `Cargo.toml`, absent when reviewing saved metadata without the checkout.
    pub root_manifest: Option<TomlFile>,
    pub workspace_table: Option<Location>,
    pub resolver: Option<(Resolver, Location)>,
    pub config: Config,
    pub manifests: BTreeMap<PackageId, ManifestFacts>,
    /// `Cargo.lock`'s name in the file store, when there is one.
    pub lockfile: Option<String>,
    pub cargo_config: CargoConfig,
    pub pins: Vec<ToolchainPin>,
}

/// Read the workspace at `root`. `texts` holds the cargo config files already read for
/// `cargo metadata`: each is read once.
pub(crate) fn read(
    graph: &PackageGraph,
    root: &Path,
    rules: &[RuleSchema],
    texts: &mut ConfigTexts,
    files: &mut FileStore,
    notes: &mut Vec<String>,
) -> Result<WorkspaceFiles, LoadError> {
    let root_manifest = read_toml(root, "Cargo.toml")?;
    let (workspace_table, resolver) = root_manifest
        .as_ref()
        .map(manifest::workspace_facts)
        .unwrap_or_default();
    if root_manifest.is_none() {
        notes.push("the workspace's Cargo.toml is not on this machine (saved metadata?): manifest lines cannot be cited".into());
    }
    let in_manifest = match &root_manifest {
        Some(m) => config_in_manifest(m, rules)?,
        None => None,
    };
    if let Some(m) = &root_manifest {
        files.add(m.file.clone());
    }
    let config = review_config(root, in_manifest, rules, files, notes)?;
    let manifests = member_manifests(graph, root, root_manifest.as_ref(), files)?;
    let lockfile = read_text(root, "Cargo.lock")?.map(|text| {
        files.add(SourceFile::new("Cargo.lock", text));
        "Cargo.lock".to_string()
    });
    let scope = scope::Scope::new(root);
    let member_dirs: Vec<PathBuf> = graph
        .workspace()
        .iter()
        .filter_map(|p| p.manifest_path().parent())
        .map(|d| d.as_std_path().to_path_buf())
        .collect();
    let config_dirs = scope.config_dirs(member_dirs.iter().map(PathBuf::as_path));
    let mut cargo_config = cargo_config::read(&scope, &config_dirs, texts)?;
    for f in std::mem::take(&mut cargo_config.files) {
        files.add(f);
    }
    let (pins, pin_files) = repo::toolchain_pins(&scope, &config_dirs)?;
    for f in pin_files {
        files.add(f);
    }
    Ok(WorkspaceFiles {
        root_manifest,
        workspace_table,
        resolver,
        config,
        manifests,
        lockfile,
        cargo_config,
        pins,
    })
}

fn read_text(root: &Path, rel: &str) -> Result<Option<String>, LoadError> {
    read::read_text_if_exists(&root.join(rel), read::TOML_LIMIT)
        .map_err(|e| LoadError::read(rel, e, ""))
}

fn read_toml(root: &Path, rel: &str) -> Result<Option<TomlFile>, LoadError> {
    read_text(root, rel)?
        .map(|text| TomlFile::parse(rel, text))
        .transpose()
}

/// The review's configuration: `architect.toml`, else `in_manifest`, the root manifest's
/// `[workspace.metadata.architect]`.
fn review_config(
    root: &Path,
    in_manifest: Option<Config>,
    rules: &[RuleSchema],
    files: &mut FileStore,
    notes: &mut Vec<String>,
) -> Result<Config, LoadError> {
    let Some(toml) = read_toml(root, "architect.toml")? else {
        return Ok(in_manifest.unwrap_or_default());
    };
    if in_manifest.is_some() {
        notes.push(
            "both architect.toml and [workspace.metadata.architect] exist: architect.toml is used"
                .into(),
        );
    }
    let config = config::parse(&toml, toml.doc.as_table(), rules)?;
    files.add(toml.file);
    Ok(config)
}

/// `[workspace.metadata.architect]` of the root manifest, when it has one.
fn config_in_manifest(
    manifest: &TomlFile,
    rules: &[RuleSchema],
) -> Result<Option<Config>, LoadError> {
    let Some(metadata) = manifest
        .doc
        .get("workspace")
        .and_then(|w| w.get("metadata"))
        .and_then(Item::as_table_like)
    else {
        return Ok(None);
    };
    let Some(item) = metadata.get("architect") else {
        return Ok(None);
    };
    let table = item.as_table_like().ok_or_else(|| {
        let (line, column) = manifest.error_at(metadata, "architect");
        LoadError::Config {
            path: "Cargo.toml".into(),
            line,
            column,
            message: format!(
                "`[workspace.metadata] architect` must be a table of the review's configuration, not {}",
                item.type_name()
            ),
        }
    })?;
    config::parse(manifest, table, rules).map(Some)
}

/// Each member's manifest facts, by package id.
fn member_manifests(
    graph: &PackageGraph,
    root: &Path,
    root_manifest: Option<&TomlFile>,
    files: &mut FileStore,
) -> Result<BTreeMap<PackageId, ManifestFacts>, LoadError> {
    let mut manifests = BTreeMap::new();
    for member in graph.workspace().iter() {
        let path = member.manifest_path().as_std_path();
        let rel = relative(root, path);
        let Some(text) = read::read_text_if_exists(path, read::TOML_LIMIT)
            .map_err(|e| LoadError::read(&rel, e, ""))?
        else {
            continue;
        };
        let toml = TomlFile::parse(&rel, text)?;
        manifests.insert(
            member.id().clone(),
            manifest::member_facts(&toml, root_manifest),
        );
        files.add(toml.file);
    }
    Ok(manifests)
}
