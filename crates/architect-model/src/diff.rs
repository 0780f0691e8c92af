//! What a change does to a workspace: two reviews compared as facts and findings
//! (`cargo architect diff`). Plain data, computed by `architect_rules::diff`, printed by
//! `architect_report::diff`.

use serde::Serialize;

use crate::{BuildFigures, Finding, Level, Location, PackageRef, Summary};

/// One side of a diff: which revision, and what its review found.
#[derive(Debug, Clone, Default)]
pub struct DiffSide {
    /// How the user named it: `HEAD~1 (3f2a9c1)`, `the working tree`, a directory.
    pub label: String,
    pub summary: Summary,
    /// The effective MSRV of the shipped build and the packages that set it.
    pub msrv: Option<Msrv>,
    /// What the side's review could not cover (partial reviews, files not written).
    pub notes: Vec<String>,
}

/// The effective MSRV: the highest `rust-version` among the shipped third-party packages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Msrv {
    pub version: String,
    pub set_by: Vec<PackageRef>,
}

/// Where a package comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Registry,
    Git,
    Path,
}

/// A package's build script, with what the scan of its code saw it do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildScript {
    pub package: PackageRef,
    /// "compiles or links native code", "runs programs (std::process::Command): git", ...
    pub does: Vec<String>,
    /// Whether the shipped build runs it (not only tests, benches or examples).
    pub shipped: bool,
}

/// How a package of the build changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Upgraded,
    Downgraded,
}

/// A third-party package added, removed, upgraded or downgraded by the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageChange {
    pub name: String,
    pub change: ChangeKind,
    /// The base side's version (none when added).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The head side's version (none when removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    pub source_kind: SourceKind,
    /// The source as cargo names it (`registry+https://...`, `git+https://...?rev=..#..`, a
    /// workspace-relative path), on the head side (the base side for a removal).
    pub source: String,
    /// The workspace members whose build reaches it, on the side that has it.
    pub pulled_in_by: Vec<String>,
    /// Its `Cargo.lock` entry on that side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// A setting that changed: a member's `edition` or `rust-version`, the resolver, the toolchain
/// pin, the MSRV-aware resolver's setting, a waiver of the review's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingChange {
    /// What it is, e.g. "`rust-version` of `my-crate`".
    pub what: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Where it is set on the head side (the base side when removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// The simulated clean build on both sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BuildChange {
    pub base: BuildFigures,
    pub head: BuildFigures,
    /// `predicted_s` of head minus base.
    pub delta_s: f64,
    /// Units on head's structural critical path that were not on base's (by crate and kind,
    /// whatever their version).
    pub onto_path: Vec<String>,
    pub off_path: Vec<String>,
}

/// A finding both sides have, whose level or message changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingChange {
    pub base: Finding,
    pub head: Finding,
}

/// Lists of what one side has and the other has not, for a kind of fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delta<T> {
    pub added: Vec<T>,
    pub removed: Vec<T>,
}

impl<T> Default for Delta<T> {
    fn default() -> Self {
        Delta {
            added: Vec::new(),
            removed: Vec::new(),
        }
    }
}

impl<T> Delta<T> {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// What the change does, fact by fact and finding by finding.
#[derive(Debug, Clone, Default)]
pub struct ReviewDiff {
    pub base: DiffSide,
    pub head: DiffSide,
    /// Third-party packages of the build, by name.
    pub packages: Vec<PackageChange>,
    /// Git, path and registry sources the head side uses and the base side did not.
    pub new_sources: Vec<String>,
    pub build_scripts: Delta<BuildScript>,
    pub proc_macros: Delta<PackageRef>,
    /// Crate names in more than one version.
    pub duplicates: Delta<String>,
    pub settings: Vec<SettingChange>,
    pub build: Option<BuildChange>,
    /// Findings of head with no match on base: what the change introduces.
    pub introduced: Vec<Finding>,
    /// Findings of base with no match on head: no longer reported (fixed, or out of a rule's
    /// scope now).
    pub resolved: Vec<Finding>,
    /// Findings on both sides whose level or message changed.
    pub changed: Vec<FindingChange>,
    /// Findings on both sides, unchanged: context, never a failure of the change.
    pub unchanged: Vec<Finding>,
    /// What both sides' reviews could not cover (each side's own are in its `notes`).
    pub notes: Vec<String>,
    /// The one-line verdict, first in every format.
    pub verdict: String,
}

impl ReviewDiff {
    /// What the change is judged on: the findings it introduces, then those it raises in level
    /// (as the head has them). SARIF and annotations carry these.
    pub fn gating(&self) -> impl Iterator<Item = &Finding> {
        let raised = self
            .changed
            .iter()
            .filter(|c| c.head.level > c.base.level)
            .map(|c| &c.head);
        self.introduced.iter().chain(raised)
    }

    /// Whether the change fails the gate: one of [`ReviewDiff::gating`] is at `deny` (a finding
    /// raised to `deny`, not one that was there already). Findings the base already had at
    /// `deny` never fail it.
    pub fn fails(&self) -> bool {
        self.gating().any(|f| f.level == Level::Deny)
    }
}
