//! Loading a Cargo workspace into [`Facts`] without executing any of its code.
//!
//! The one way in is [`load`]. It resolves the trusted toolchain ([`toolchain`]), runs
//! `cargo metadata` hardened against the repository ([`metadata`]), simulates the build for the
//! reviewed platforms with guppy, and reads manifests, `.cargo/config.toml`, the toolchain pin
//! and the configuration as data.

pub mod advisories;
mod cargo_config;
mod config;
mod evidence;
mod fallback;
#[doc(hidden)]
pub mod fuzz;
mod hakari;
mod index;
mod manifest;
pub mod metadata;
mod phases;
mod prescan;
pub mod read;
mod repo;
mod scope;
mod shipped;
mod sources;
mod tomlspan;
pub mod toolchain;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use architect_model::{
    BuildCommand, Config, Edition, Facts, FileStore, PlatformChoice, Resolver, RuleSchema,
    SourceFile, ToolchainFacts,
};
use guppy::PackageId;
use guppy::graph::cargo::{CargoOptions, CargoResolverVersion, CargoSet};
use guppy::graph::feature::{FeatureId, StandardFeatures, feature_id_filter, named_feature_filter};
use guppy::graph::{DependencyDirection, PackageGraph};
use guppy::platform::{Platform, PlatformSpec, TargetFeatures};
use toml_edit::Item;

pub use toolchain::Toolchain;

/// What to load and how, in cargo's terms.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub manifest_path: Option<PathBuf>,
    /// Review a saved `cargo metadata --format-version 1 --all-features` instead of running it.
    pub metadata_path: Option<PathBuf>,
    pub offline: bool,
    pub locked: bool,
    pub frozen: bool,
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
    /// Target triples; empty means the host; `all` means every platform.
    pub targets: Vec<String>,
    /// The RustSec advisory database; `$CARGO_HOME/advisory-db` when absent.
    pub advisory_db: Option<PathBuf>,
    /// Also scan the sources of third-party packages already on disk (`--deps`).
    pub deps: bool,
    /// Model the release profile's build (host units apart from target units).
    pub release: bool,
    /// Lex every dependency file for the cost model's size metrics (with `deps`).
    pub metrics: bool,
    /// Custom `cfg` names to take as set when evaluating `cfg(...)` dependencies (`--cfg`);
    /// every other custom cfg is false, as in a plain `cargo build`.
    pub cfgs: Vec<String>,
}

/// Why a workspace could not be loaded. Each names the file and says what to try.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    #[error("could not find `Cargo.toml` in `{dir}` or any parent directory")]
    NoManifest { dir: String },
    #[error("manifest `{path}` does not exist")]
    ManifestMissing { path: String },
    #[error("`cargo metadata` failed for `{manifest}`:\n{cause}")]
    Metadata {
        manifest: String,
        cause: String,
        help: String,
    },
    #[error("`{path}` is not valid `cargo metadata` output: {cause}")]
    MetadataJson { path: String, cause: String },
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Config {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("could not read `{path}`: {cause}")]
    Io {
        path: String,
        cause: String,
        help: String,
    },
    #[error("{path}:{line}: the file is not UTF-8")]
    Encoding { path: String, line: usize },
    #[error("no usable Rust toolchain: {cause}")]
    Toolchain { cause: String },
    #[error("{message}")]
    Platform { message: String },
    #[error("--features {feature}: {cause}")]
    Features { feature: String, cause: String },
    #[error("could not simulate the build: {cause}")]
    Simulation { cause: String },
}

impl LoadError {
    /// What the user can do about it.
    pub fn help(&self) -> String {
        match self {
            LoadError::NoManifest { .. } => {
                "run in a Cargo workspace, or pass --manifest-path PATH/Cargo.toml".into()
            }
            LoadError::ManifestMissing { .. } => {
                "check the path given to --manifest-path".into()
            }
            LoadError::Metadata { help, .. } | LoadError::Io { help, .. } => help.clone(),
            LoadError::MetadataJson { .. } => {
                "produce it with `cargo metadata --format-version 1 --all-features > meta.json`"
                    .into()
            }
            LoadError::Syntax { .. } => "fix the TOML syntax at that line".into(),
            LoadError::Encoding { .. } => {
                "save the file as UTF-8: cargo, rustc and rustup reject it as it is".into()
            }
            LoadError::Config { .. } => {
                "fix the configuration at that line; `cargo architect rules` lists rule ids and `cargo architect explain RULE` their options".into()
            }
            LoadError::Toolchain { .. } => "install Rust with rustup (https://rustup.rs)".into(),
            LoadError::Platform { .. } => {
                "pass a target triple rustc knows (`rustc --print target-list`), or `all`".into()
            }
            LoadError::Features { .. } => {
                "name a workspace member's feature as `--features MEMBER/FEATURE`, or a feature of the package reviewed (`cargo metadata` lists them)".into()
            }
            LoadError::Simulation { .. } => {
                "the build simulation (guppy) failed on this graph: review with `--target all`, and report it with the workspace's Cargo.lock".into()
            }
        }
    }
}

impl LoadError {
    /// A file that could not be read: `path` as the user should see it, and what to do when it
    /// does not exist.
    pub(crate) fn read(
        path: impl std::fmt::Display,
        error: read::ReadError,
        if_missing: &str,
    ) -> Self {
        use read::ReadError as E;
        let path = path.to_string();
        let help = match &error {
            E::NotUtf8 { line } => return LoadError::Encoding { path, line: *line },
            E::NotFound => if_missing.to_string(),
            E::NotAFile { .. } => "replace it with a regular file: the review never reads FIFOs or devices, on which cargo itself would hang or exhaust memory".into(),
            E::TooLarge { .. } => "no real file of this kind is that large: check what it is".into(),
            E::Io(_) => "check the file's permissions".into(),
        };
        LoadError::Io {
            path,
            cause: error.to_string(),
            help,
        }
    }
}

/// Load the workspace. `rules` is the registry's schema, to check the configuration against.
pub fn load(options: &LoadOptions, rules: &[RuleSchema]) -> Result<Facts, LoadError> {
    // The advisory database is read while `cargo metadata` runs: neither needs the other.
    std::thread::scope(|scope| {
        let db = scope.spawn(|| open_advisory_db(options));
        let mut phases = phases::Phases::start();
        let loaded = load_graph(options, &mut phases);
        let db = db
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let loaded = loaded?;
        phases.mark("advisory database");
        build_facts(loaded, options, rules, db?, phases)
    })
}

/// A loaded package graph, with the trusted toolchain, notes on the resolution, and the scan
/// of the workspace's Rust files that ran alongside `cargo metadata`.
struct LoadedGraph {
    graph: PackageGraph,
    toolchain: Toolchain,
    notes: Vec<String>,
    /// Packages reviewed from the lockfile as stand-ins.
    opaque: Vec<fallback::Opaque>,
    prescan: Option<prescan::Prescan>,
}

/// The package graph, from `cargo metadata` run hardened, or from a saved document.
fn load_graph(
    options: &LoadOptions,
    phases: &mut phases::Phases,
) -> Result<LoadedGraph, LoadError> {
    let mut notes = Vec::new();
    let mut opaque = Vec::new();
    let mut prescan = None;
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
            let forwarded = cargo_config::forwarded_at(&dir)?;
            let lock_before = lockfile_near(&dir);
            let mut checked = metadata::check_manifests(&dir)?;
            phases.mark("manifest check");
            // Scan the workspace's Rust files on the core `cargo metadata` leaves idle.
            let files = std::mem::take(&mut checked.rust_files);
            prescan = Some(prescan::Prescan::start(&dir, files));
            let json = match metadata::cargo_metadata(
                &toolchain, &manifest, options, &forwarded, &checked,
            ) {
                Ok(json) => json,
                Err(e) => {
                    let (json, unread) =
                        from_lockfile(&toolchain, &manifest, options, &forwarded, &checked, e)?;
                    notes.extend(unread.iter().map(opaque_note));
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

/// `path` relative to `root`, with `/` separators; absolute when outside `root`.
pub(crate) fn relative(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(rel) => scope::slash_join(rel),
        Err(_) => path.display().to_string(),
    }
}

fn build_facts(
    loaded: LoadedGraph,
    options: &LoadOptions,
    rules: &[RuleSchema],
    advisory_db: AdvisoryDbOpened,
    mut phases: phases::Phases,
) -> Result<Facts, LoadError> {
    let LoadedGraph {
        graph,
        toolchain,
        mut notes,
        opaque,
        prescan,
    } = loaded;
    let root = graph.workspace().root().as_std_path().to_path_buf();
    let mut files = FileStore::default();
    let read = |rel: &str| -> Result<Option<String>, LoadError> {
        read::read_text_if_exists(&root.join(rel), read::TOML_LIMIT)
            .map_err(|e| LoadError::read(rel, e, ""))
    };

    // The root manifest: workspace table, resolver, and possibly the configuration.
    let mut workspace_table = None;
    let mut resolver = None;
    let mut config = Config::default();
    let mut root_manifest = None;
    match read("Cargo.toml")? {
        Some(text) => {
            let root_toml = tomlspan::TomlFile::parse("Cargo.toml", text)?;
            (workspace_table, resolver) = manifest::workspace_facts(&root_toml);
            if let Some(metadata) = root_toml
                .doc
                .get("workspace")
                .and_then(|w| w.get("metadata"))
                .and_then(Item::as_table_like)
                && let Some(item) = metadata.get("architect")
            {
                let t = item.as_table_like().ok_or_else(|| {
                    let (line, column) = root_toml.error_at(metadata, "architect");
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
                config = config::parse(&root_toml, t, rules)?;
            }
            files.add(root_toml.file.clone());
            root_manifest = Some(root_toml);
        }
        None => notes.push(
            "the workspace's Cargo.toml is not on this machine (saved metadata?): manifest lines cannot be cited".into(),
        ),
    }
    if let Some(text) = read("architect.toml")? {
        let toml = tomlspan::TomlFile::parse("architect.toml", text)?;
        if config.source.is_some() {
            notes.push("both architect.toml and [workspace.metadata.architect] exist: architect.toml is used".into());
        }
        config = config::parse(&toml, toml.doc.as_table(), rules)?;
        files.add(toml.file);
    }

    // Member manifests.
    let mut manifests = BTreeMap::new();
    for member in graph.workspace().iter() {
        let path = member.manifest_path().as_std_path();
        let rel = relative(&root, path);
        if let Some(text) = read::read_text_if_exists(path, read::TOML_LIMIT)
            .map_err(|e| LoadError::read(&rel, e, ""))?
        {
            let toml = tomlspan::TomlFile::parse(&rel, text)?;
            manifests.insert(
                member.id().clone(),
                manifest::member_facts(&toml, root_manifest.as_ref()),
            );
            files.add(toml.file);
        }
    }

    // The lockfile, for `Cargo.lock` locations.
    let lockfile = read("Cargo.lock")?.map(|text| {
        files.add(SourceFile::new("Cargo.lock", text));
        "Cargo.lock".to_string()
    });

    let scope = scope::Scope::new(&root);
    let member_dirs: Vec<PathBuf> = graph
        .workspace()
        .iter()
        .filter_map(|p| p.manifest_path().parent())
        .map(|d| d.as_std_path().to_path_buf())
        .collect();
    let config_dirs = scope.config_dirs(member_dirs.iter().map(PathBuf::as_path));
    let cargo_config = cargo_config::read(&scope, &config_dirs)?;
    for f in cargo_config.files {
        files.add(f);
    }
    let (pins, pin_files) = repo::toolchain_pins(&scope, &config_dirs)?;
    for f in pin_files {
        files.add(f);
    }

    phases.mark("manifests and configuration");
    let platforms = platform_choice(options, &toolchain)?;
    let Simulated {
        target_packages,
        host_packages,
        units,
        feature_builds,
        scope,
    } = simulate_build(
        &graph,
        options,
        &platforms,
        toolchain.host.as_deref(),
        &resolver,
    )?;

    phases.mark("build simulation");
    let built: BTreeSet<PackageId> = target_packages.union(&host_packages).cloned().collect();
    let prescanned = prescan.map(prescan::Prescan::finish).unwrap_or_default();
    // The source pass, the advisory check and the index read need only what is loaded by
    // now, not each other: they run side by side.
    let lock_text = lockfile
        .as_ref()
        .and_then(|l| files.get(l))
        .map(|f| f.text.clone());
    let ((sources, (advisories, advisory_notes)), (index, index_notes)) = rayon::join(
        || {
            rayon::join(
                || {
                    sources::scan(
                        &graph,
                        &built,
                        &root,
                        options.deps,
                        options.metrics,
                        prescanned,
                        &mut files,
                    )
                },
                || {
                    let inputs = AdvisoryInputs {
                        graph: &graph,
                        built: &built,
                        scope: &scope,
                        root: &root,
                        platforms: &platforms,
                    };
                    check_advisories(&inputs, lock_text.as_deref(), advisory_db)
                },
            )
        },
        || read_index(&graph, &built, &root, toolchain.release.as_deref()),
    );
    let mut scope = scope;
    shipped::internal_by_docs(&graph, &files, &root, &mut scope);
    let lines_of_rust = sources::lines_per_member(&graph, &sources);
    let dep_problems = sources
        .unreadable
        .iter()
        .filter(|u| u.hides_code() && graph.metadata(&u.package).is_ok_and(|p| !p.in_workspace()))
        .count();
    if dep_problems > 0 {
        notes.push(format!(
            "{dep_problems} dependency source file(s) were not scanned (not on disk, too large, not UTF-8, or outside their package): the unsafe inventory and build-script behaviour of those packages are unknown; `cargo fetch` brings missing sources"
        ));
    }
    notes.extend(advisory_notes);
    notes.extend(index_notes);

    phases.mark("sources, advisories and registry index");
    let hakari = hakari::load(&graph, &root, &files);
    let (profile_debug, rejected) = root_manifest
        .as_ref()
        .map(|m| manifest::profile_debug(&m.doc))
        .unwrap_or_default();
    notes.extend(rejected);
    if let Some((architect_model::Resolver::Other(v), l)) = &resolver {
        notes.push(format!(
            "{}:{}: `resolver = \"{v}\"` is not a resolver cargo knows (1, 2 or 3): the build is simulated with the one the edition implies",
            l.path, l.line
        ));
    }

    let tooling = repo::tooling(&root);
    phases.mark("hakari and tooling");
    let mut log = toolchain.notes.clone();
    log.push(phases.line());
    Ok(Facts {
        opaque: opaque
            .iter()
            .map(|o| architect_model::PackageRef {
                name: o.name.clone(),
                version: o.version.clone(),
            })
            .collect(),
        root: root.display().to_string(),
        platforms,
        features: options.features.clone(),
        target_packages,
        host_packages,
        scope,
        manifests,
        workspace_table,
        resolver,
        incompatible_rust_versions: cargo_config.incompatible_rust_versions,
        lockfile,
        lines_of_rust,
        sources,
        units,
        feature_builds,
        hakari,
        jobs: std::env::var("CARGO_BUILD_JOBS")
            .ok()
            .and_then(|j| j.parse().ok())
            .filter(|j: &usize| *j > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        profile_debug,
        cargo_config: cargo_config.facts,
        toolchain: ToolchainFacts {
            running: toolchain.release.clone(),
            installed: toolchain.installed.clone(),
            pins,
        },
        tooling,
        files,
        config,
        advisories,
        index,
        notes,
        log,
        graph,
    })
}

/// What the advisory check reads besides the database and the lockfile.
struct AdvisoryInputs<'a> {
    graph: &'a PackageGraph,
    built: &'a BTreeSet<PackageId>,
    scope: &'a architect_model::ScopeFacts,
    root: &'a Path,
    platforms: &'a PlatformChoice,
}

/// The lockfile matched against the advisory database, with the evidence of what each match
/// affects; and notes on what could not be checked.
fn check_advisories(
    inputs: &AdvisoryInputs<'_>,
    lockfile: Option<&str>,
    advisory_db: AdvisoryDbOpened,
) -> (
    Option<(
        architect_model::AdvisoryDbFacts,
        Vec<architect_model::AdvisoryMatch>,
    )>,
    Vec<String>,
) {
    let mut notes = Vec::new();
    let advisories = match (lockfile, advisory_db) {
        (Some(text), Ok((db, path))) => {
            if !db.corrupt.is_empty() {
                notes.push(format!(
                    "{} of the advisory database's files could not be read, so those advisories were not checked (the first, `{}`: {}); the other {} were",
                    db.corrupt.len(),
                    db.corrupt[0].0,
                    db.corrupt[0].1,
                    db.len()
                ));
            }
            match advisories::scan(&db, &path, text, inputs.platforms) {
                Ok((db_facts, mut matches)) => {
                    evidence::fill(
                        inputs.graph,
                        inputs.built,
                        inputs.scope,
                        inputs.root,
                        &mut matches,
                    );
                    Some((db_facts, matches))
                }
                Err(why) => {
                    notes.push(format!("advisories were not checked: {why}"));
                    None
                }
            }
        }
        (None, _) => {
            notes.push("advisories were not checked: there is no Cargo.lock to match".into());
            None
        }
        (Some(_), Err(why)) => {
            notes.push(format!("advisories were not checked: {why}"));
            None
        }
    };

    (advisories, notes)
}

/// The registry index cache's facts on every registry package the build compiles, and notes
/// on what it could not tell.
fn read_index(
    graph: &PackageGraph,
    built: &BTreeSet<PackageId>,
    root: &Path,
    release: Option<&str>,
) -> (architect_model::IndexFacts, Vec<String>) {
    let mut notes = Vec::new();
    let mut registry_names: BTreeSet<String> = BTreeSet::new();
    let mut other_registries: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in built.iter().filter_map(|id| graph.metadata(id).ok()) {
        use guppy::graph::ExternalSource;
        match p.source().parse_external() {
            _ if p.source().is_crates_io() => {
                registry_names.insert(p.name().to_string());
            }
            Some(ExternalSource::Sparse(url)) => {
                other_registries
                    .entry(format!("sparse+{url}"))
                    .or_default()
                    .insert(p.name().to_string());
            }
            Some(ExternalSource::Registry(url)) => {
                other_registries
                    .entry(url.to_string())
                    .or_default()
                    .insert(p.name().to_string());
            }
            _ => {}
        }
    }
    let registry_count =
        registry_names.len() + other_registries.values().map(BTreeSet::len).sum::<usize>();
    let index = if registry_count == 0 {
        architect_model::IndexFacts::default()
    } else {
        match index::read(&registry_names, &other_registries, root, None, release) {
            Ok(index) => {
                if !index.unknown.is_empty() {
                    notes.push(format!(
                        "{} of {} registry crates have no entry in the local index cache, so whether they are yanked or outdated is unknown (run `cargo update --dry-run` to refresh it)",
                        index.unknown.len(),
                        registry_count
                    ));
                }
                index
            }
            Err(why) => {
                notes.push(format!(
                    "yanked and outdated versions were not checked: {why}"
                ));
                architect_model::IndexFacts {
                    unknown: registry_names
                        .into_iter()
                        .chain(other_registries.into_values().flatten())
                        .collect(),
                    ..Default::default()
                }
            }
        }
    };

    (index, notes)
}

/// The advisory database: an explicit `--advisory-db` that cannot be used is an error; the
/// default one missing or unusable is a note in the review (the `Err` string).
/// The advisory database and where it is, or why there is none to use.
type AdvisoryDbOpened = Result<(advisories::AdvisoryDb, PathBuf), String>;

fn open_advisory_db(options: &LoadOptions) -> Result<AdvisoryDbOpened, LoadError> {
    use advisories::{AdvisoryDb, DbError};
    let Some(path) = options
        .advisory_db
        .clone()
        .or_else(advisories::default_db_path)
    else {
        return Ok(Err(
            "no CARGO_HOME or HOME to find the database in; pass --advisory-db PATH".into(),
        ));
    };
    match AdvisoryDb::open(&path) {
        Ok(db) => Ok(Ok((db, path))),
        Err(e) if options.advisory_db.is_some() => Err(LoadError::Io {
            path: path.display().to_string(),
            cause: e.to_string(),
            help: "pass the path of a RustSec advisory-db checkout, or drop --advisory-db to use $CARGO_HOME/advisory-db".into(),
        }),
        Err(DbError::Missing(p)) => Ok(Err(format!(
            "no advisory database at `{p}`: run `cargo architect fetch` (or `git clone https://github.com/rustsec/advisory-db` there), or pass --advisory-db PATH"
        ))),
        Err(e) => Ok(Err(format!(
            "{e}: fetch it again with `cargo architect fetch`, or pass --advisory-db PATH"
        ))),
    }
}

fn platform_choice(
    options: &LoadOptions,
    toolchain: &Toolchain,
) -> Result<PlatformChoice, LoadError> {
    if options.targets.iter().any(|t| t == "all") {
        return Ok(PlatformChoice::All);
    }
    if !options.targets.is_empty() {
        return Ok(PlatformChoice::Targets(options.targets.clone()));
    }
    let host = toolchain
        .host
        .clone()
        .or_else(|| {
            Platform::build_target()
                .ok()
                .map(|p| p.triple_str().to_string())
        })
        .ok_or_else(|| LoadError::Platform {
            message: "could not determine the host platform".into(),
        })?;
    Ok(PlatformChoice::Host(host))
}

/// Third-party features per build command (see [`Facts::feature_builds`]).
type FeatureBuilds = Vec<(BuildCommand, BTreeMap<PackageId, Vec<String>>)>;
/// One command's third-party feature sets.
type FeatureBuild = (BuildCommand, BTreeMap<PackageId, Vec<String>>);

/// Simulate `cargo build --all-targets` of the workspace for the platforms: which packages are
/// built for the target and which for the host, with cargo's feature resolver; and the unit
/// graph of a plain `cargo build` (no dev-dependencies).
fn simulate_build(
    graph: &PackageGraph,
    options: &LoadOptions,
    platforms: &PlatformChoice,
    host: Option<&str>,
    resolver: &Option<(architect_model::Resolver, architect_model::Location)>,
) -> Result<Simulated, LoadError> {
    let platform = |triple: &str| {
        let mut p = Platform::new(triple.to_string(), TargetFeatures::Unknown).map_err(|e| {
            LoadError::Platform {
                message: format!("unknown target `{triple}`: {e}"),
            }
        })?;
        p.add_flags(options.cfgs.clone());
        Ok(p)
    };
    let spec = match platforms {
        PlatformChoice::All => PlatformSpec::Any,
        PlatformChoice::Host(t) => PlatformSpec::from(platform(t)?),
        PlatformChoice::Targets(ts) => PlatformSpec::platforms(
            ts.iter()
                .map(|t| platform(t))
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    let host_spec = match platforms {
        PlatformChoice::All => PlatformSpec::Any,
        _ => match host.map(platform).transpose()? {
            Some(p) => PlatformSpec::from(p),
            None => Platform::build_target().map_or_else(|_| spec.clone(), PlatformSpec::from),
        },
    };

    let explicit = resolver
        .as_ref()
        .map(|(v, _)| v)
        .filter(|v| !matches!(v, Resolver::Other(_)));
    // Without a resolver key cargo infers it from the root package's edition.
    let root_manifest = graph.workspace().root().join("Cargo.toml");
    let root_edition = graph
        .workspace()
        .member_by_path("")
        .ok()
        .or_else(|| {
            graph
                .workspace()
                .iter()
                .find(|p| p.manifest_path() == root_manifest)
        })
        .map(|p| Edition::of(&p));
    let version = match explicit
        .cloned()
        .unwrap_or_else(|| Resolver::inferred(root_edition.as_ref()))
    {
        Resolver::V1 | Resolver::Other(_) => CargoResolverVersion::V1,
        Resolver::V2 => CargoResolverVersion::V2,
        Resolver::V3 => CargoResolverVersion::V3,
    };

    let fg = graph.feature_graph();
    let members = graph.resolve_workspace();
    let base = if options.all_features {
        StandardFeatures::All
    } else if options.no_default_features {
        StandardFeatures::None
    } else {
        StandardFeatures::Default
    };
    let requested: Vec<&str> = options
        .features
        .iter()
        .flat_map(|f| f.split([',', ' ']))
        .filter(|f| !f.is_empty())
        .collect();
    let mut plain = Vec::new();
    let mut qualified = Vec::new();
    for f in requested {
        match f.split_once('/') {
            Some((pkg, feat)) => {
                let member =
                    graph
                        .workspace()
                        .member_by_name(pkg)
                        .map_err(|_| LoadError::Features {
                            feature: f.to_string(),
                            cause: format!("`{pkg}` is not a workspace member"),
                        })?;
                qualified.push(FeatureId::named(member.id(), feat));
            }
            None => plain.push(f),
        }
    }
    let filter = || {
        feature_id_filter(
            named_feature_filter(base, plain.iter().copied()),
            qualified.iter().cloned(),
        )
    };
    let initials = members.to_feature_set(filter());
    let mut opts = CargoOptions::new();
    opts.set_resolver(version)
        .set_include_dev(true)
        .set_target_platform(spec)
        .set_host_platform(host_spec);
    let set = CargoSet::new(initials.clone(), fg.resolve_none(), &opts).map_err(|e| {
        LoadError::Simulation {
            cause: e.to_string(),
        }
    })?;
    // `cargo build` alone, without dev-dependencies: the build whose time is modelled.
    // `cargo build` alone: the default members (all members when there are none), without
    // dev-dependencies: the build whose time is modelled.
    opts.set_include_dev(false);
    let defaults: Vec<&PackageId> = graph.workspace().default_member_ids().collect();
    let build_initials = if defaults.is_empty() {
        initials
    } else {
        graph
            .resolve_ids(defaults)
            .map_err(|e| LoadError::Simulation {
                cause: format!("could not resolve the default members: {e}"),
            })?
            .to_feature_set(filter())
    };
    let build = CargoSet::new(build_initials, fg.resolve_none(), &opts).map_err(|e| {
        LoadError::Simulation {
            cause: e.to_string(),
        }
    })?;
    let units = architect_build::UnitGraph::from_cargo_set(graph, &build, !options.release);

    // Feature unification: each member built alone, and the whole workspace.
    let third_party_features = |set: &CargoSet<'_>| -> BTreeMap<PackageId, Vec<String>> {
        set.target_features()
            .packages_with_features(DependencyDirection::Forward)
            .filter(|p| !p.package().in_workspace())
            .map(|p| {
                let mut f: Vec<String> = p.named_features().map(str::to_string).collect();
                f.sort();
                (p.package().id().clone(), f)
            })
            .collect()
    };
    // Each member's `cargo build -p` is simulated on its own, in parallel: independent sets
    // over one shared graph. Collected in member order, so the result is the same whatever
    // the thread count.
    use rayon::prelude::*;
    let members_list: Vec<_> = graph.workspace().iter().collect();
    let per_member: Vec<Option<FeatureBuild>> = members_list
        .par_iter()
        .map(|member| -> Result<_, LoadError> {
            let initials = graph
                .resolve_ids([member.id()])
                .map_err(|e| LoadError::Simulation {
                    cause: format!("could not resolve `{}`: {e}", member.name()),
                })?
                .to_feature_set(filter());
            Ok(CargoSet::new(initials, fg.resolve_none(), &opts)
                .ok()
                .map(|set| {
                    (
                        BuildCommand::Package(member.name().to_string()),
                        third_party_features(&set),
                    )
                }))
        })
        .collect::<Result<_, _>>()?;
    let mut feature_builds: Vec<_> = per_member.into_iter().flatten().collect();
    let whole =
        CargoSet::new(members.to_feature_set(filter()), fg.resolve_none(), &opts).map_err(|e| {
            LoadError::Simulation {
                cause: e.to_string(),
            }
        })?;
    feature_builds.push((BuildCommand::Workspace, third_party_features(&whole)));
    let shipped_members = graph
        .resolve_ids(
            graph
                .workspace()
                .iter()
                .filter(|m| shipped::role(m).0 != architect_model::MemberRole::Tooling)
                .map(|m| m.id()),
        )
        .map_err(|e| LoadError::Simulation {
            cause: format!("could not resolve the shipped members: {e}"),
        })?;
    let shipped = CargoSet::new(
        shipped_members.to_feature_set(filter()),
        fg.resolve_none(),
        &opts,
    )
    .map_err(|e| LoadError::Simulation {
        cause: e.to_string(),
    })?;
    let scope = shipped::scope_facts(graph, &set, &shipped, &options.cfgs);
    let ids = |fs: &guppy::graph::feature::FeatureSet<'_>| {
        fs.to_package_set()
            .package_ids(DependencyDirection::Forward)
            .cloned()
            .collect::<BTreeSet<_>>()
    };
    Ok(Simulated {
        target_packages: ids(set.target_features()),
        host_packages: ids(set.host_features()),
        units,
        feature_builds,
        scope,
    })
}

/// When `cargo metadata` failed to fetch a git source and the workspace has a lockfile, the
/// review from the lockfile ([`fallback`]); otherwise cargo's error, `e`.
fn from_lockfile(
    toolchain: &toolchain::Toolchain,
    manifest: &Path,
    options: &LoadOptions,
    forwarded: &[String],
    checked: &metadata::Checked,
    e: LoadError,
) -> Result<(String, Vec<fallback::Opaque>), LoadError> {
    let LoadError::Metadata { cause, .. } = &e else {
        return Err(e);
    };
    let Some(lock) = metadata::lockfile_of(manifest) else {
        return Err(e);
    };
    if !fallback::is_fetch_failure(cause) {
        return Err(e);
    }
    match fallback::metadata_from_lockfile(
        toolchain, manifest, &lock, options, forwarded, checked, cause,
    ) {
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

/// The note every format shows for a package reviewed as a stand-in.
fn opaque_note(o: &fallback::Opaque) -> String {
    format!(
        "`{} {}` ({}) could not be fetched: it is reviewed from Cargo.lock as an opaque package (its version, source and locked dependencies are known; its targets, build script, proc-macros, features and code are not), so findings about it may be incomplete; `cargo fetch` where the source is reachable brings it",
        o.name, o.version, o.source
    )
}

/// What [`simulate_build`] learns from guppy's simulation of cargo's resolver.
struct Simulated {
    target_packages: BTreeSet<PackageId>,
    host_packages: BTreeSet<PackageId>,
    units: architect_build::UnitGraph,
    feature_builds: FeatureBuilds,
    scope: architect_model::ScopeFacts,
}
