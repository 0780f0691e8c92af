//! Loading a Cargo workspace into [`Facts`] without executing any of its code.
//!
//! The one way in is [`load`], a list of steps, one module per source of facts:
//! - `graph`: the package graph, from `cargo metadata` run hardened against the repository
//!   ([`metadata`], with the trusted [`toolchain`]), or from `Cargo.lock` when cargo cannot
//!   fetch a source (`fallback`); the cargo config it forwards is read once (`cargo_config`);
//! - `workspace`: the manifests, the review's configuration, the lockfile, cargo config and
//!   toolchain pins, as data with their locations;
//! - `simulate`: the build, with guppy's model of cargo's feature resolver;
//! - `sources`, [`advisories`] and `index`: the code, the advisory database and the registry
//!   index cache, side by side;
//! - `hakari` and `repo`: the workspace-hack and the repository's tooling.

pub mod advisories;
pub mod calibration;
mod cargo_config;
mod cfgs;
mod config;
mod error;
mod evidence;
mod fallback;
#[doc(hidden)]
pub mod fuzz;
mod graph;
mod hakari;
pub mod index;
mod manifest;
pub mod metadata;
mod phases;
mod prescan;
pub mod read;
mod repo;
pub mod revision;
pub mod scancache;
mod scope;
mod shipped;
mod simulate;
mod sources;
mod tomlspan;
pub mod toolchain;
mod workspace;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use architect_model::{Facts, FileStore, PlatformChoice, Resolver, RuleSchema, ToolchainFacts};
use guppy::PackageId;
use guppy::graph::PackageGraph;

pub use error::LoadError;
use graph::LoadedGraph;
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
    /// Whether the cost model is calibrated to this machine.
    pub calibration: calibration::Mode,
    /// Custom `cfg` names to take as set when evaluating `cfg(...)` dependencies (`--cfg`);
    /// every other custom cfg is false, as in a plain `cargo build`.
    pub cfgs: Vec<String>,
    /// Scanner results shared with another load (a diff's other side), by file text.
    pub scan_cache: Option<std::sync::Arc<scancache::ScanCache>>,
}

/// Load the workspace. `rules` is the registry's schema, to check the configuration against.
pub fn load(options: &LoadOptions, rules: &[RuleSchema]) -> Result<Facts, LoadError> {
    // The advisory database is read while `cargo metadata` runs: neither needs the other.
    std::thread::scope(|scope| {
        let db = scope.spawn(|| advisories::open_db(options));
        let mut phases = phases::Phases::start();
        let loaded = graph::load(options, &mut phases);
        let db = db
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let loaded = loaded?;
        phases.mark("advisory database");
        build_facts(loaded, options, rules, db?, phases)
    })
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
    advisory_db: advisories::AdvisoryDbOpened,
    mut phases: phases::Phases,
) -> Result<Facts, LoadError> {
    let LoadedGraph {
        graph,
        toolchain,
        mut notes,
        opaque,
        prescan,
        mut config_texts,
    } = loaded;
    let root = graph.workspace().root().as_std_path().to_path_buf();
    let mut files = FileStore::default();
    let ws = workspace::read(
        &graph,
        &root,
        rules,
        &mut config_texts,
        &mut files,
        &mut notes,
    )?;
    phases.mark("manifests and configuration");

    let platforms = simulate::platform_choice(options, &toolchain)?;
    let simulated = simulate::simulate_build(
        &graph,
        options,
        &platforms,
        toolchain.host.as_deref(),
        &ws.resolver,
    )?;
    phases.mark("build simulation");

    let built: BTreeSet<PackageId> = simulated
        .target_packages
        .union(&simulated.host_packages)
        .cloned()
        .collect();
    let cfg = cfgs::CfgEval::new(
        &platforms,
        &options.cfgs,
        cfg_features(&simulated),
        graph.workspace().iter().map(|p| p.id().clone()).collect(),
    );
    let scanned = scan(
        &Scan {
            cfg: &cfg,
            graph: &graph,
            built: &built,
            root: &root,
            options,
            platforms: &platforms,
            scope: &simulated.scope,
            release: toolchain.release.as_deref(),
            lockfile: ws.lockfile.as_deref(),
        },
        prescan.map(prescan::Prescan::finish).unwrap_or_default(),
        advisory_db,
        &mut files,
    );
    let mut scope = simulated.scope;
    shipped::internal_by_docs(&graph, &files, &root, &mut scope);
    let lines_of_rust = sources::lines_per_member(&graph, &scanned.sources);
    notes.extend(scanned.notes);
    phases.mark("sources, advisories and registry index");

    let hakari = hakari::load(&graph, &root, &files);
    let (profile_debug, rejected) = ws
        .root_manifest
        .as_ref()
        .map(|m| manifest::profile_debug(&m.doc))
        .unwrap_or_default();
    notes.extend(rejected);
    let profile_unmodelled = ws
        .root_manifest
        .as_ref()
        .map(|m| manifest::profile_unmodelled(&m.doc))
        .unwrap_or_default();
    let profile_lto = ws
        .root_manifest
        .as_ref()
        .map(|m| manifest::profile_lto(&m.doc))
        .unwrap_or_default();
    if let Some((Resolver::Other(v), l)) = &ws.resolver {
        notes.push(format!(
            "{}:{}: `resolver = \"{v}\"` is not a resolver cargo knows (1, 2 or 3): the build is simulated with the one the edition implies",
            l.path, l.line
        ));
    }
    let tooling = repo::tooling(&root);
    phases.mark("hakari and tooling");
    let calibration = calibration::load(&toolchain, options.calibration).unwrap_or_else(|why| {
        notes.push(format!(
            "the build figures are not calibrated to this machine: {why}"
        ));
        None
    });
    if options.calibration == calibration::Mode::Measure {
        phases.mark("calibration");
    }

    let mut log = toolchain.notes.clone();
    log.push(phases.line());
    Ok(Facts {
        calibration,
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
        target_packages: simulated.target_packages,
        host_packages: simulated.host_packages,
        scope,
        manifests: ws.manifests,
        workspace_table: ws.workspace_table,
        resolver: ws.resolver,
        incompatible_rust_versions: ws.cargo_config.incompatible_rust_versions,
        lockfile: ws.lockfile,
        lines_of_rust,
        sources: scanned.sources,
        units: simulated.units,
        feature_builds: simulated.feature_builds,
        hakari,
        jobs: jobs(),
        profile_debug,
        profile_unmodelled,
        profile_lto,
        cargo_config: ws.cargo_config.facts,
        toolchain: ToolchainFacts {
            running: toolchain.release.clone(),
            installed: toolchain.installed.clone(),
            pins: ws.pins,
        },
        tooling,
        files,
        config: ws.config,
        advisories: scanned.advisories,
        index: scanned.index,
        notes,
        log,
        graph,
    })
}

/// The job count cargo would use: `CARGO_BUILD_JOBS`, else the available parallelism.
fn jobs() -> usize {
    std::env::var("CARGO_BUILD_JOBS")
        .ok()
        .and_then(|j| j.parse().ok())
        .filter(|j: &usize| *j > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// What the source pass, the advisory check and the index read take: only what is loaded by
/// the time the build is simulated.
struct Scan<'a> {
    graph: &'a PackageGraph,
    built: &'a BTreeSet<PackageId>,
    root: &'a Path,
    options: &'a LoadOptions,
    platforms: &'a PlatformChoice,
    scope: &'a architect_model::ScopeFacts,
    release: Option<&'a str>,
    /// `Cargo.lock`'s name in the file store.
    lockfile: Option<&'a str>,
    cfg: &'a cfgs::CfgEval,
}

/// What they found, and notes on what they could not tell.
struct Scanned {
    sources: architect_model::SourceFacts,
    advisories: Option<(
        architect_model::AdvisoryDbFacts,
        Vec<architect_model::AdvisoryMatch>,
    )>,
    index: architect_model::IndexFacts,
    notes: Vec<String>,
}

/// The source pass, the advisory check and the index read, side by side: none needs another.
fn scan(
    s: &Scan<'_>,
    prescanned: prescan::Scanned,
    advisory_db: advisories::AdvisoryDbOpened,
    files: &mut FileStore,
) -> Scanned {
    let lock_text = s
        .lockfile
        .and_then(|l| files.get(l))
        .map(|f| f.text.clone());
    let ((sources, advisories), (index, index_notes)) = rayon::join(
        || {
            rayon::join(
                || {
                    let reading = sources::Reading {
                        deps: s.options.deps,
                        metrics: s.options.metrics,
                        cfg: s.cfg,
                        cache: s.options.scan_cache.as_deref(),
                    };
                    sources::scan(s.graph, s.built, s.root, &reading, prescanned, files)
                },
                || {
                    let inputs = advisories::AdvisoryInputs {
                        graph: s.graph,
                        built: s.built,
                        scope: s.scope,
                        root: s.root,
                        platforms: s.platforms,
                    };
                    advisories::check(&inputs, lock_text.as_deref(), advisory_db)
                },
            )
        },
        || index::read_index(s.graph, s.built, s.root, s.release),
    );
    let mut notes = Vec::new();
    let dep_problems = sources
        .unreadable
        .iter()
        .filter(|u| {
            u.hides_code()
                && s.graph
                    .metadata(&u.package)
                    .is_ok_and(|p| !p.in_workspace())
        })
        .count();
    if dep_problems > 0 {
        notes.push(format!(
            "{dep_problems} dependency source file(s) were not scanned (not on disk, too large, not UTF-8, or outside their package): the unsafe inventory and build-script behaviour of those packages are unknown; `cargo fetch` brings missing sources"
        ));
    }
    notes.extend(advisories.notes);
    notes.extend(index_notes);
    Scanned {
        sources,
        advisories: advisories.found,
        index,
        notes,
    }
}

/// The features a package's `#[cfg(feature = ..)]` modules are judged with: those of its
/// library as `cargo build` compiles it, or, for a package `cargo build` does not compile (a
/// member with only tests, a dev-dependency), its features under `cargo build --all-targets`.
/// (async-graphql's `dataloader` is on for its integrations' tests, not in its build.)
fn cfg_features(simulated: &simulate::Simulated) -> BTreeMap<PackageId, BTreeSet<String>> {
    let mut features = simulated.features.clone();
    let mut built: BTreeMap<PackageId, BTreeSet<String>> = BTreeMap::new();
    for u in &simulated.units.units {
        if matches!(
            u.kind,
            architect_build::UnitKind::Lib | architect_build::UnitKind::ProcMacro
        ) {
            built
                .entry(u.package.clone())
                .or_default()
                .extend(u.features.iter().cloned());
        }
    }
    features.extend(built);
    features
}
