//! The package graph: `cargo metadata` run hardened on the workspace (or a saved document),
//! with the lockfile fallback when cargo cannot fetch a source.

use std::path::{Path, PathBuf};

use guppy::graph::PackageGraph;

use crate::cargo_config::{self, ConfigTexts};
use crate::toolchain::{self, Toolchain};
use crate::{LoadError, LoadOptions, fallback, metadata, phases, prescan, read, tomlspan};

/// A loaded package graph, with the trusted toolchain, notes on the resolution, and the scan
/// of the workspace's Rust files that ran alongside `cargo metadata`.
pub(crate) struct LoadedGraph {
    pub graph: PackageGraph,
    pub toolchain: Toolchain,
    pub notes: Vec<String>,
    /// Packages reviewed from the lockfile as stand-ins.
    pub opaque: Vec<fallback::Opaque>,
    pub prescan: Option<prescan::Prescan>,
    /// The cargo config files read for `cargo metadata`, for the workspace's facts.
    pub config_texts: ConfigTexts,
}

/// The package graph, from `cargo metadata` run hardened, or from a saved document.
pub(crate) fn load(
    options: &LoadOptions,
    phases: &mut phases::Phases,
) -> Result<LoadedGraph, LoadError> {
    let mut notes = Vec::new();
    let mut opaque = Vec::new();
    let mut prescan = None;
    let mut config_texts = ConfigTexts::default();
    let (json, source_hint) = match &options.metadata_path {
        Some(path) => {
            let json = read::read_text(path, read::METADATA_LIMIT).map_err(|e| {
                LoadError::read(path.display(), e, "check the path given to --metadata-path")
            })?;
            (json, None)
        }
        None => {
            let manifest = find_manifest(options)?;
            check_manifest_syntax(&manifest)?;
            let dir = manifest.parent().unwrap_or(Path::new(".")).to_path_buf();
            let toolchain = toolchain::resolve(&dir)?;
            phases.mark("toolchain");
            let forwarded = cargo_config::forwarded_at(&dir, &mut config_texts)?;
            let lock_before = lockfile_near(&dir);
            let mut checked = metadata::check_manifests(&dir)?;
            phases.mark("manifest check");
            // Scan the workspace's Rust files on the core `cargo metadata` leaves idle.
            let files = std::mem::take(&mut checked.rust_files);
            prescan = Some(prescan::Prescan::start(
                &dir,
                files,
                options.scan_cache.clone(),
            ));
            let json = match metadata::cargo_metadata(
                &toolchain,
                &manifest,
                options,
                &forwarded.args,
                &checked,
            ) {
                Ok(json) => json,
                Err(e) => {
                    let cargo = fallback::Cargo {
                        toolchain: &toolchain,
                        options,
                        forwarded: &forwarded,
                        checked: &checked,
                    };
                    let (json, unread) = from_lockfile(&cargo, &manifest, e)?;
                    notes.push(opaque_note(&unread));
                    opaque = unread;
                    json
                }
            };
            phases.mark("cargo metadata");
            if !lock_before && !options.locked && !options.frozen {
                notes.push(
                    "there was no Cargo.lock: cargo resolved the newest compatible versions and wrote one, so this review may not match what your builds use".into(),
                );
            }
            (json, Some(toolchain))
        }
    };
    let json = explicit_dep_features(json);
    let graph = PackageGraph::from_json(&json).map_err(|e| {
        let source = options
            .metadata_path
            .as_ref()
            .map_or_else(|| "cargo metadata".into(), |p| p.display().to_string());
        metadata_json_error(source, e)
    })?;
    phases.mark("package graph");
    let toolchain = match source_hint {
        Some(t) => t,
        None => toolchain::resolve(graph.workspace().root().as_std_path())?,
    };
    Ok(LoadedGraph {
        graph,
        toolchain,
        notes,
        opaque,
        prescan,
        config_texts,
    })
}

/// A `cargo metadata` document guppy could not read: with the line and column of a JSON error.
fn metadata_json_error(path: String, e: guppy::Error) -> LoadError {
    match e {
        guppy::Error::MetadataParseError(json) => LoadError::MetadataJson {
            path: format!("{path}:{}:{}", json.line(), json.column()),
            cause: json.to_string(),
        },
        other => LoadError::MetadataJson {
            path,
            cause: other.to_string(),
        },
    }
}

fn find_manifest(options: &LoadOptions) -> Result<PathBuf, LoadError> {
    if let Some(path) = &options.manifest_path {
        let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
        if !path.is_file() {
            return Err(LoadError::ManifestMissing {
                path: path.display().to_string(),
            });
        }
        return Ok(path);
    }
    let cwd = std::env::current_dir().map_err(|e| LoadError::Io {
        path: ".".into(),
        cause: e.to_string(),
        help: "run from an existing directory".into(),
    })?;
    cwd.ancestors()
        .map(|d| d.join("Cargo.toml"))
        .find(|p| p.is_file())
        .ok_or_else(|| LoadError::NoManifest {
            dir: cwd.display().to_string(),
        })
}

/// cargo would report a TOML error too, but relative to the empty directory it runs in: name
/// the file as the user gave it, with line and column.
fn check_manifest_syntax(manifest: &Path) -> Result<(), LoadError> {
    let text = read::read_text(manifest, read::TOML_LIMIT)
        .map_err(|e| LoadError::read(manifest.display(), e, "check the path"))?;
    tomlspan::TomlFile::parse(&manifest.display().to_string(), text).map(|_| ())
}

fn lockfile_near(dir: &Path) -> bool {
    dir.ancestors().any(|d| d.join("Cargo.lock").is_file())
}

/// When `cargo metadata` failed to fetch a source and the workspace has a lockfile, the
/// review from the lockfile ([`fallback`]); otherwise cargo's error, `e`.
fn from_lockfile(
    cargo: &fallback::Cargo<'_>,
    manifest: &Path,
    e: LoadError,
) -> Result<(String, Vec<fallback::Opaque>), LoadError> {
    let LoadError::Metadata { cause, .. } = &e else {
        return Err(e);
    };
    let locked = cargo.options.locked || cargo.options.frozen;
    if metadata::Failure::of(cause, locked) != metadata::Failure::Fetch {
        return Err(e);
    }
    let Some(lock) = metadata::lockfile_of(manifest) else {
        return Err(e);
    };
    match fallback::metadata_from_lockfile(cargo, manifest, &lock, cause) {
        Ok(found) => Ok(found),
        Err(why) => match e {
            LoadError::Metadata {
                manifest,
                cause,
                help,
            } => Err(LoadError::Metadata {
                manifest,
                cause,
                help: format!("{help} (reviewing from Cargo.lock did not work either: {why})"),
            }),
            other => Err(other),
        },
    }
}

/// The note every format shows for the packages reviewed as stand-ins, grouped by source.
fn opaque_note(opaque: &[fallback::Opaque]) -> String {
    const SOURCES_SHOWN: usize = 6;
    let mut by_source: Vec<(&str, Vec<String>)> = Vec::new();
    for o in opaque {
        let name = format!("`{} {}`", o.name, o.version);
        match by_source.iter_mut().find(|(s, _)| *s == o.source) {
            Some((_, names)) => names.push(name),
            None => by_source.push((&o.source, vec![name])),
        }
    }
    let mut named: Vec<String> = by_source
        .iter()
        .take(SOURCES_SHOWN)
        .map(|(source, names)| format!("{} ({source})", names.join(", ")))
        .collect();
    if by_source.len() > SOURCES_SHOWN {
        named.push(format!(
            "and {} more sources",
            by_source.len() - SOURCES_SHOWN
        ));
    }
    let (what, them, it) = match opaque.len() {
        1 => (
            "could not be fetched: it is reviewed from Cargo.lock as an opaque package (its",
            "about it",
            "brings it",
        ),
        _ => (
            "could not be fetched: they are reviewed from Cargo.lock as opaque packages (their",
            "about them",
            "brings them",
        ),
    };
    format!(
        "{} {what} version, source and locked dependencies are known; targets, build scripts, proc-macros, features and code are not), so findings {them} may be incomplete; `cargo fetch` where the source is reachable {it}",
        named.join("; ")
    )
}

/// `cargo metadata` with every optional dependency that shares its name with a feature marked
/// as such for guppy. guppy adds the implicit feature `dep = ["dep:dep"]` for an optional
/// dependency no feature names with `dep:`, and that *replaces* an explicit feature of the same
/// name: faststr's `serde = ["serde/alloc"]` lost `alloc` (cargo builds serde with it), and
/// uucore's `time = ["jiff"]` came to build the `time` crate (cargo does not). Cargo's own
/// metadata already lists the implicit features it has. So where a feature bears the name of
/// an optional dependency and no `dep:` names it, `dep:NAME` is appended to each feature that
/// enables the dependency anyway (`NAME/feature`, not `NAME?/feature`): cargo would enable the
/// same, and guppy keeps the explicit feature. The text is returned as it was when nothing
/// needs it, or when it does not parse (guppy then reports the error).
fn explicit_dep_features(json: String) -> String {
    let Ok(mut doc) = serde_json::from_str::<serde_json::Value>(&json) else {
        return json;
    };
    let mut changed = false;
    if let Some(packages) = doc.get_mut("packages").and_then(|p| p.as_array_mut()) {
        for package in packages {
            changed |= mark_shadowed_optional_deps(package);
        }
    }
    if changed {
        serde_json::to_string(&doc).unwrap_or(json)
    } else {
        json
    }
}

/// [`explicit_dep_features`] for one package; whether it changed anything.
fn mark_shadowed_optional_deps(package: &mut serde_json::Value) -> bool {
    let optional: Vec<String> = package
        .get("dependencies")
        .and_then(|d| d.as_array())
        .into_iter()
        .flatten()
        .filter(|d| d.get("optional").and_then(|o| o.as_bool()) == Some(true))
        .filter_map(|d| {
            d.get("rename")
                .and_then(|r| r.as_str())
                .or_else(|| d.get("name").and_then(|n| n.as_str()))
                .map(str::to_string)
        })
        .collect();
    let Some(features) = package.get_mut("features").and_then(|f| f.as_object_mut()) else {
        return false;
    };
    let mut changed = false;
    for dep in optional {
        let colon = format!("dep:{dep}");
        let named = |v: &serde_json::Value, s: &str| {
            v.as_array()
                .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(s)))
        };
        if !features.contains_key(&dep) || features.values().any(|v| named(v, &colon)) {
            continue;
        }
        let strong = format!("{dep}/");
        for list in features.values_mut().filter_map(|v| v.as_array_mut()) {
            if list
                .iter()
                .any(|x| x.as_str().is_some_and(|s| s.starts_with(&strong)))
            {
                list.push(serde_json::Value::String(colon.clone()));
                changed = true;
            }
        }
    }
    changed
}
