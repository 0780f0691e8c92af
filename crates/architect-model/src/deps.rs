//! Facts about dependencies from outside the workspace: RustSec advisories and the registry
//! index.

use std::collections::{BTreeMap, BTreeSet};

use crate::PackageRef;

/// What kind of advisory: a vulnerability, or one of RustSec's informational kinds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum AdvisoryKind {
    Vulnerability,
    Unmaintained,
    Unsound,
    Notice,
    /// An informational kind this version does not know.
    Other(String),
}

/// One advisory that applies to one locked package.
#[derive(Debug, Clone, PartialEq)]
pub struct AdvisoryMatch {
    pub id: String,
    pub package: PackageRef,
    pub kind: AdvisoryKind,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub url: Option<String>,
    /// CVSS vector and its base score, when the advisory has one.
    pub cvss: Option<(String, f64)>,
    /// Semver requirements of the fixed versions.
    pub patched: Vec<String>,
    pub unaffected: Vec<String>,
    pub aliases: Vec<String>,
    /// Affected functions, `path` with the version requirements they are affected at.
    pub functions: Vec<String>,
    /// What callers write to reach the flaw: the affected functions whose requirements match
    /// the locked version (`get_disjoint_mut` of `slab::Slab::get_disjoint_mut`), or, for an
    /// unsound advisory that lists none, the items its text names in code spans
    /// (`StackSlot`, `listener!`, `Event::with_tag`; see `from_text`).
    pub affected: Vec<AffectedName>,
    /// `affected` was read from the advisory's title and description, not its
    /// `[affected.functions]`.
    pub affected_from_text: bool,
    /// The advisory's flaw is in a formatting trait's implementation for some of the
    /// package's types, as its title says (RUSTSEC-2026-0204: "in `fmt::Pointer` impl for
    /// `Atomic` and `Shared`"): only formatting them that way runs it.
    pub format_impl: Option<FormatImpl>,
    /// Whether the crates that depend on the package name what is affected.
    pub evidence: FunctionEvidence,
    /// Features of the package the advisory's text says must be enabled for the flaw ("The
    /// `log` and `thread_rng` features are enabled"), as far as the package declares them, and
    /// whether the build enables them (unsound advisories only).
    pub feature_gate: Option<FeatureGate>,
    /// Crates the advisory suggests instead (from its "alternatives" section).
    pub alternatives: Vec<String>,
}

/// A name the build's code would write to reach an advisory's flaw.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AffectedName {
    /// The path as the advisory writes it, without the crate (`Error::downcast_mut`).
    pub path: String,
    /// Its last segment: what code writes (`downcast_mut`).
    pub name: String,
    /// The type of a method (`Error`): one of it or the crate must appear in the file that
    /// names it (only the type, for a method read from an advisory's text).
    pub owner: Option<String>,
    /// A macro (`listener!`): only an invocation counts.
    pub is_macro: bool,
}

/// A formatting trait implemented for some of a package's types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatImpl {
    /// The trait's name (`Pointer`).
    pub trait_name: String,
    /// The placeholder type that calls it (`p` in `{:p}`).
    pub spec: char,
    /// The types it is implemented for (`Atomic`, `Shared`).
    pub types: Vec<String>,
}

/// Features an advisory's text requires, and what the build enables of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureGate {
    /// The package's own features the text names as preconditions.
    pub features: Vec<String>,
    /// Any one of them suffices ("the `a` or `b` feature"); otherwise all are needed.
    pub any: bool,
    /// Those the build enables on the locked version.
    pub enabled: Vec<String>,
}

impl FeatureGate {
    /// Whether the build meets the precondition.
    pub fn met(&self) -> bool {
        if self.any {
            !self.enabled.is_empty()
        } else {
            self.features.iter().all(|f| self.enabled.contains(f))
        }
    }
}

/// Whether the build names an advisory's affected functions: read from the sources of every
/// built package that depends on the affected one directly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum FunctionEvidence {
    /// The advisory lists no affected function for the locked version, or the locked version
    /// is not built: the whole package is affected.
    #[default]
    NotListed,
    /// The first place a direct dependent names one (package-id, then path order); `path` is
    /// relative to the workspace root for a member, to the package directory otherwise.
    Named {
        function: String,
        krate: String,
        path: String,
        line: usize,
    },
    /// None of the `dependents` crates that depend on the package, directly or through a crate
    /// that re-exports it, names any.
    Nowhere {
        dependents: usize,
        /// Some of them depend on a crate that re-exports the package, not on it directly.
        through_reexports: bool,
    },
    /// Could not tell: a dependent's source is missing or unreadable, or a dependent
    /// re-exports the package with `pub use` (its own dependents could call the functions).
    Unknown { why: String },
}

impl FunctionEvidence {
    /// The affected functions are listed and nothing in the build names them.
    pub fn unreached(&self) -> bool {
        matches!(self, FunctionEvidence::Nowhere { .. })
    }
}

/// The advisory database the review used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvisoryDbFacts {
    pub path: String,
    pub advisories: usize,
    /// Advisory files that could not be read or parsed (database-relative path, why): those
    /// advisories were not checked; the rest were.
    pub corrupt: Vec<(String, String)>,
    /// The advisories for Rust's own components (`rust/std`, `rust/cargo`, `rust/rustdoc`),
    /// by id: what a pinned or promised toolchain is checked against.
    pub toolchain: Vec<ToolchainAdvisory>,
}

/// An advisory for a component of the Rust toolchain, with the releases it affects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolchainAdvisory {
    pub id: String,
    /// `std`, `cargo`, `rustdoc`.
    pub component: String,
    pub title: String,
    pub date: String,
    pub url: Option<String>,
    /// Semver requirements of the fixed toolchain releases (`>= 1.58.1`).
    pub patched: Vec<String>,
    pub unaffected: Vec<String>,
    /// The affected functions, as paths (`std::fs::remove_dir_all`).
    pub functions: Vec<String>,
}

/// One published version of a crate, as the registry index says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexVersion {
    pub version: String,
    pub yanked: bool,
    pub rust_version: Option<String>,
    /// The day it was published (UTC), from the index's `pubtime`; `None` for entries written
    /// before the registry recorded it.
    pub published: Option<jiff::civil::Date>,
}

/// What the local registry index cache knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexFacts {
    /// Published versions per crate name, in index order (oldest first).
    pub crates: BTreeMap<String, Vec<IndexVersion>>,
    /// Registry crates of the build with no cached index entry: status unknown, not fine.
    pub unknown: BTreeSet<String>,
    /// The day cargo last wrote each crate's cache entry (sparse registries): its history is
    /// complete up to then. Absent for a local registry, which does not change.
    pub fetched: BTreeMap<String, jiff::civil::Date>,
}

impl IndexFacts {
    /// The index entry of one version, if cached.
    pub fn version(&self, name: &str, version: &str) -> Option<&IndexVersion> {
        self.crates.get(name)?.iter().find(|v| v.version == version)
    }
}
