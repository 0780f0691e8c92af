//! Plain facts about a workspace, as the loader found them.

use std::collections::{BTreeMap, BTreeSet};

use guppy::PackageId;
use guppy::graph::PackageGraph;

use crate::{Config, FileStore, Location};

/// Which platforms the review covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlatformChoice {
    /// The platform of this machine (what `cargo build` builds for by default).
    Host(String),
    /// The given target triples (`--target`, repeatable).
    Targets(Vec<String>),
    /// Every platform, like an unfiltered `cargo metadata` (`--target all`).
    All,
}

impl PlatformChoice {
    pub fn describe(&self) -> Vec<String> {
        match self {
            PlatformChoice::Host(t) => vec![format!("{t} (host)")],
            PlatformChoice::Targets(ts) => ts.clone(),
            PlatformChoice::All => vec!["all".to_string()],
        }
    }
}

/// The kind of a dependency declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DepKind {
    Normal,
    Dev,
    Build,
}

/// One dependency as written in a member's `Cargo.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepDecl {
    /// The package name (after `package = "..."` renames).
    pub package: String,
    pub kind: DepKind,
    /// The line of the declaration.
    pub location: Location,
}

/// What a workspace member's `Cargo.toml` says, with the location of each key that rules cite.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ManifestFacts {
    /// Workspace-relative path of the manifest.
    pub path: String,
    /// The `[package]` header (or the start of the file).
    pub package: Option<Location>,
    pub edition: Option<Location>,
    pub rust_version: Option<Location>,
    pub crate_type: Option<Location>,
    pub deps: Vec<DepDecl>,
    /// `unsafe_code = "forbid"` in `[lints.rust]`, directly or through `[workspace.lints]`.
    pub forbids_unsafe: Option<Location>,
    /// `unsafe_code = "deny"`, `"warn"` or `"forbid"` there: a declared policy under which new
    /// unsafe code does not go unnoticed (it needs an `#[allow]`/`#[expect]` or warns).
    pub unsafe_policy: Option<Location>,
}

impl ManifestFacts {
    /// The location that best shows where `package` is declared as a dependency.
    pub fn dep(&self, package: &str) -> Option<&Location> {
        self.deps
            .iter()
            .filter(|d| d.package == package)
            .min_by_key(|d| d.kind)
            .map(|d| &d.location)
    }

    /// The location of the package header, for findings about the package as a whole.
    pub fn header(&self) -> Option<&Location> {
        self.package.as_ref()
    }
}

/// A key of a repository's `.cargo/config(.toml)` that makes cargo run something: a program,
/// an alias, flags that name a linker, or the environment of every rustc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoConfigEntry {
    /// e.g. `build.rustc-wrapper`, `env.LD_PRELOAD`, `alias.xtask`, `build.rustflags`.
    pub key: String,
    pub value: String,
    /// The line in the config file (its path relative to the workspace root, `../` above it).
    pub location: Location,
    /// `None` when the file applies to cargo run at the workspace root (it is there or in a
    /// parent directory inside the repository); otherwise the workspace-relative directory in
    /// which cargo reads it (a member's own `.cargo/`).
    pub applies_in: Option<String>,
}

/// The repository's cargo configuration, as cargo would read it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CargoConfigFacts {
    /// Entries that make cargo run something, file by file (the root's chain outermost
    /// first, then member directories).
    pub entries: Vec<CargoConfigEntry>,
    /// Directories holding both `.cargo/config` and `.cargo/config.toml`: the start of the
    /// file cargo reads (`config`), and the path of the one it ignores.
    pub shadowed: Vec<(Location, String)>,
}

/// A `rust-toolchain(.toml)` file that rustup honours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolchainPin {
    /// `channel = "..."`, or the whole content of a legacy `rust-toolchain` file.
    pub channel: Option<String>,
    /// `path = "..."`: a toolchain made of arbitrary binaries.
    pub path: Option<String>,
    pub location: Location,
    /// `None` when rustup uses it for commands run at the workspace root; otherwise the
    /// workspace-relative directory (a member's) where it takes over.
    pub applies_in: Option<String>,
    /// A `rust-toolchain.toml` in the same directory that rustup ignores, because a legacy
    /// `rust-toolchain` file there wins.
    pub shadows: Option<Location>,
}

/// The toolchain the review ran with, and what the repository asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ToolchainFacts {
    /// `rustc -vV` release of the trusted toolchain, e.g. `1.95.0`.
    pub running: Option<String>,
    /// Toolchains installed with rustup (names as `rustup toolchain list` prints them).
    pub installed: Vec<String>,
    /// The file rustup uses at the workspace root (nearest first, up to the repository root),
    /// then those in member directories, in path order.
    pub pins: Vec<ToolchainPin>,
}

impl ToolchainFacts {
    /// The pin that applies to the workspace as a whole.
    pub fn pin(&self) -> Option<&ToolchainPin> {
        self.pins.first().filter(|p| p.applies_in.is_none())
    }

    /// That pin and the channel it names (`1.57.0`, `stable`), when it names one rather than
    /// a `path`.
    pub fn pinned_channel(&self) -> Option<(&ToolchainPin, &str)> {
        let pin = self.pin()?;
        Some((pin, pin.channel.as_deref()?))
    }
}

/// Supply-chain tooling found in the repository.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ToolingFacts {
    /// `deny.toml` (or `.deny.toml`) path, if present.
    pub cargo_deny: Option<String>,
    /// `.cargo/audit.toml` or an `audit.toml`, if present.
    pub cargo_audit: Option<String>,
    /// `supply-chain/config.toml` of cargo-vet, if present.
    pub cargo_vet: Option<String>,
    /// Files (CI workflows, scripts) that mention each tool by command name.
    pub mentions: BTreeMap<String, Vec<String>>,
    /// Rust releases the CI files install or build with (`dtolnay/rust-toolchain@1.56.0`,
    /// `toolchain: 1.56`, `rustup toolchain install 1.56`, `cargo +1.56`), with where.
    pub ci_toolchains: Vec<CiToolchain>,
}

/// A Rust release a CI file names, as written (`1.56`, `1.56.0`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CiToolchain {
    pub release: String,
    /// Workspace-relative path of the file, and the 1-based line.
    pub path: String,
    pub line: usize,
}

/// The cost model scaled to this machine: how long the tool's reference crate took to compile
/// here, against the machine the model was fitted on.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Estimates are multiplied by this (reference time here / on the fitting machine).
    pub factor: f64,
    /// Seconds the reference took here.
    pub reference_s: f64,
    /// The rustc release and host it was measured with.
    pub toolchain: String,
    /// Read from the cache rather than measured by this run.
    pub cached: bool,
}

/// Everything the loader learnt about a workspace. Rules read this and nothing else.
#[derive(Debug)]
pub struct Facts {
    pub graph: PackageGraph,
    /// Absolute workspace root.
    pub root: String,
    pub platforms: PlatformChoice,
    /// Features given on the command line, for the record.
    pub features: Vec<String>,
    /// Packages built for the target platforms (libraries linked into the artifacts).
    pub target_packages: BTreeSet<PackageId>,
    /// Packages built for the host (build scripts' and proc-macros' dependencies).
    pub host_packages: BTreeSet<PackageId>,
    /// What is shipped and what is only built for development: members, packages, edges.
    pub scope: crate::ScopeFacts,
    /// Manifests of workspace members, by package id.
    pub manifests: BTreeMap<PackageId, ManifestFacts>,
    /// The root manifest's `[workspace]` table and its `resolver` key, if any.
    pub workspace_table: Option<Location>,
    pub resolver: Option<(crate::Resolver, Location)>,
    /// `[workspace.package] rust-version` etc. are read through guppy; this is the MSRV-aware
    /// resolver setting from `.cargo/config.toml` (`resolver.incompatible-rust-versions`).
    pub incompatible_rust_versions: Option<(String, Location)>,
    /// Workspace-relative path of `Cargo.lock`, when there is one.
    pub lockfile: Option<String>,
    /// Packages cargo could not fetch, reviewed from `Cargo.lock` as stand-ins: their targets,
    /// build scripts, proc-macros and code are unknown.
    pub opaque: Vec<crate::PackageRef>,
    /// The cost model's calibration to this machine, when one was measured (`--calibrate`).
    pub calibration: Option<Calibration>,
    /// Lines of Rust per workspace member (non-blank, non-comment), from the source pass.
    pub lines_of_rust: BTreeMap<PackageId, usize>,
    /// The source pass: module trees of the workspace (and of dependencies with `--deps`).
    pub sources: crate::SourceFacts,
    /// The unit graph of `cargo build` (no dev-dependencies) for the reviewed platforms.
    pub units: architect_build::UnitGraph,
    /// Parallel jobs of a build here: `CARGO_BUILD_JOBS`, else the machine's parallelism.
    pub jobs: usize,
    /// `debug` of `[profile.dev]` and `[profile.release]` in the root manifest, when set to a
    /// value cargo accepts.
    pub profile_debug: BTreeMap<crate::Profile, crate::DebugLevel>,
    /// Settings of those profiles that change compile times and that the cost model does not
    /// cover (`lto`, `codegen-units`, `opt-level`, `incremental`, overrides), as written.
    pub profile_unmodelled: BTreeMap<crate::Profile, Vec<String>>,
    /// `lto` of those profiles, when it is on.
    pub profile_lto: BTreeMap<crate::Profile, crate::Lto>,
    /// Features of each third-party package in `cargo build -p MEMBER` for each member, and
    /// in `cargo build --workspace` (named `--workspace`), target platform.
    pub feature_builds: Vec<(crate::BuildCommand, BTreeMap<PackageId, Vec<String>>)>,
    /// cargo-hakari's workspace-hack, when the workspace has one or a hakari configuration.
    pub hakari: Option<HakariFacts>,
    pub cargo_config: CargoConfigFacts,
    pub toolchain: ToolchainFacts,
    pub tooling: ToolingFacts,
    pub files: FileStore,
    pub config: Config,
    /// Advisories matched against `Cargo.lock`, when a database was available.
    pub advisories: Option<(crate::AdvisoryDbFacts, Vec<crate::AdvisoryMatch>)>,
    /// The registry index cache, for yanked and newer versions.
    pub index: crate::IndexFacts,
    /// What the loader could not learn, said plainly (part of the review).
    pub notes: Vec<String>,
    /// What the loader decided (trusted toolchain, ignored settings), for `-v` on stderr.
    pub log: Vec<String>,
}

impl Facts {
    /// Is this package built at all for the reviewed platforms?
    pub fn is_built(&self, id: &PackageId) -> bool {
        self.target_packages.contains(id) || self.host_packages.contains(id)
    }

    /// Every package built, on target or host, in package-id order.
    pub fn built(&self) -> impl Iterator<Item = guppy::graph::PackageMetadata<'_>> + '_ {
        self.target_packages
            .union(&self.host_packages)
            .filter_map(|id| self.graph.metadata(id).ok())
    }

    /// The `Cargo.lock` location of a package's entry, if the lockfile has one.
    pub fn lock_location(&self, name: &str, version: &str) -> Option<Location> {
        let path = self.lockfile.as_deref()?;
        let file = self.files.get(path)?;
        let needle = format!("name = \"{name}\"\nversion = \"{version}\"");
        let start = file.text.find(&needle)?;
        let header = file.text[..start].rfind("[[package]]").unwrap_or(start);
        let (line, column) = file.line_col(header);
        let end = start + needle.len();
        Some(Location {
            path: path.to_string(),
            line,
            column,
            span: crate::Span::new(header, end),
            label: Some("locked here".to_string()),
        })
    }

    /// A location inside a file of the store at a byte span.
    pub fn location(&self, path: &str, span: crate::Span, label: Option<&str>) -> Option<Location> {
        let file = self.files.get(path)?;
        let (line, column) = file.line_col(span.start);
        Some(Location {
            path: path.to_string(),
            line,
            column,
            span,
            label: label.map(str::to_string),
        })
    }
}

/// cargo-hakari's workspace-hack and what `cargo hakari generate` would write into it.
#[derive(Debug, Clone, PartialEq)]
pub struct HakariFacts {
    /// The workspace-hack package.
    pub package: Option<PackageId>,
    /// The hakari configuration file, workspace-relative.
    pub config: Option<String>,
    /// The hack's generated section as it is and as `cargo hakari generate` would write it
    /// now; the error says why it could not be computed.
    pub section: Result<HakariSection, String>,
}

/// The generated section of the workspace-hack's `Cargo.toml` (between hakari's `### BEGIN
/// HAKARI SECTION` and `### END HAKARI SECTION` lines).
#[derive(Debug, Clone, PartialEq)]
pub struct HakariSection {
    /// The `### BEGIN HAKARI SECTION` line.
    pub begin: Location,
    pub on_disk: String,
    pub expected: String,
}
