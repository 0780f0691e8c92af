//! Findings and the review they make up.

use serde::Serialize;
use std::fmt;

use crate::Span;

/// How much a finding matters. `Allow` turns a rule off; it never appears on a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Allow,
    Info,
    Warn,
    Deny,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s {
            "allow" => Level::Allow,
            "info" => Level::Info,
            "warn" => Level::Warn,
            "deny" => Level::Deny,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The review sections, in the order a review presents them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Section {
    Build,
    SupplyChain,
    Msrv,
    Evolution,
    Async,
    Errors,
    Observability,
    Interop,
    Safety,
    Source,
    Config,
}

impl Section {
    pub const ALL: [Section; 11] = [
        Section::Build,
        Section::SupplyChain,
        Section::Msrv,
        Section::Evolution,
        Section::Async,
        Section::Errors,
        Section::Observability,
        Section::Interop,
        Section::Safety,
        Section::Source,
        Section::Config,
    ];

    /// The prefix of the ids of this section's rules.
    pub fn id(self) -> &'static str {
        match self {
            Section::Build => "build",
            Section::SupplyChain => "supply-chain",
            Section::Msrv => "msrv",
            Section::Evolution => "evolution",
            Section::Async => "async",
            Section::Errors => "errors",
            Section::Observability => "observability",
            Section::Interop => "interop",
            Section::Safety => "safety",
            Section::Source => "source",
            Section::Config => "config",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Section::Build => "Build architecture and compile time",
            Section::SupplyChain => "Supply chain",
            Section::Msrv => "MSRV and toolchain",
            Section::Evolution => "Editions and evolution",
            Section::Async => "Async and concurrency",
            Section::Errors => "Error handling at boundaries",
            Section::Observability => "Observability",
            Section::Interop => "Interop and ABI",
            Section::Safety => "Unsafe code",
            Section::Source => "Source coverage",
            Section::Config => "Review configuration",
        }
    }
}

/// A package named by a finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PackageRef {
    pub name: String,
    pub version: String,
}

impl PackageRef {
    pub fn new(name: impl Into<String>, version: impl fmt::Display) -> Self {
        PackageRef {
            name: name.into(),
            version: version.to_string(),
        }
    }
}

impl fmt::Display for PackageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, self.version)
    }
}

/// Where the evidence for a finding is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// Workspace-relative path with `/` separators; absolute for files outside the workspace.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Byte span into the file, for renderers that show the source.
    #[serde(skip)]
    pub span: Span,
    /// What this location shows, e.g. "declared here".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// One statement of the review, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub level: Level,
    pub section: Section,
    pub message: String,
    pub packages: Vec<PackageRef>,
    pub locations: Vec<Location>,
    /// The chain of packages from a workspace member to the package the finding is about.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<PackageRef>,
    /// Supporting facts, one line each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub help: String,
    /// The RustSec advisory id, for advisory findings (what an `ignore` can name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advisory: Option<String>,
    /// What the finding costs, for ranking: rules set the measured consequence, the review
    /// the rest (`architect-rules/src/impact.rs`).
    pub impact: Impact,
}

/// What a finding costs, estimated from facts the review already has; documented in
/// `docs/ranking.md`. Top risks are the findings with the highest `score`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Impact {
    /// deny 100, warn 10, info 1, times the reach and consequence factors.
    pub score: f64,
    /// Workspace members whose build the finding touches: the members it names and those
    /// that depend on them, or the members that reach the packages it names; every member
    /// that ships for a finding about the whole workspace.
    pub reach: usize,
    /// What the finding costs where the review measures it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consequence: Option<Consequence>,
}

/// A measured consequence of a finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Consequence {
    /// Seconds of build time (of a clean build's work, or on its critical path).
    BuildSeconds { seconds: f64 },
    /// Users who build with the promised toolchain get a failed build.
    BrokenPromise,
    /// A vulnerability's CVSS base score (0 to 10), where its advisory has one.
    Severity { cvss: f64 },
    /// Direct dependencies a major version behind their newest release.
    MajorsBehind { count: usize },
}

// Scores and seconds are finite (computed from counts and measured times, never divided by
// zero), so equality is an equivalence and findings stay `Eq` for deduplication.
impl Eq for Impact {}
impl Eq for Consequence {}

impl Consequence {
    /// The factor a consequence weighs a finding with: two minutes of build time doubles it
    /// (and no more: time is an efficiency cost, below a broken build or a vulnerability), a
    /// broken promise triples it, a CVSS score of 10 triples it (5 doubles
    /// it), ten direct dependencies a major behind double it (at most three times).
    pub fn factor(&self) -> f64 {
        match self {
            Consequence::BuildSeconds { seconds } => 1.0 + (seconds / 120.0).min(1.0),
            Consequence::BrokenPromise => 3.0,
            Consequence::Severity { cvss } => 1.0 + cvss.clamp(0.0, 10.0) / 5.0,
            Consequence::MajorsBehind { count } => 1.0 + (*count as f64 / 10.0).min(2.0),
        }
    }
}

/// Whether a review area is sound, at risk, or was not assessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerdictState {
    Sound,
    AtRisk,
    NotAssessed,
}

impl VerdictState {
    /// The state as the human output and the Markdown say it.
    pub fn describe(self) -> &'static str {
        match self {
            VerdictState::Sound => "sound",
            VerdictState::AtRisk => "at risk",
            VerdictState::NotAssessed => "not assessed",
        }
    }
}

/// One line per review area, before any finding: its state and the facts it rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub section: Section,
    pub state: VerdictState,
    /// The one or two facts the verdict rests on.
    pub basis: String,
}

impl Finding {
    /// The key findings are ordered by: section, rule, then evidence. Independent of the order
    /// in which rules or threads produced them, so output is deterministic.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            self.section,
            self.rule,
            &self.packages,
            &self.locations,
            &self.message,
        )
    }
}

/// The headline figures of a review, computed once from the facts.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Packages built for the reviewed platforms (workspace members included).
    pub packages: usize,
    pub workspace_members: Vec<PackageRef>,
    /// Packages with a build script, in the build.
    pub build_scripts: Vec<PackageRef>,
    pub proc_macros: Vec<PackageRef>,
    /// Crate names present in more than one version, with those versions.
    pub duplicate_crates: Vec<(String, Vec<String>)>,
    /// Non-blank, non-comment lines of Rust in the workspace members.
    pub lines_of_rust_workspace: usize,
    pub git_dependencies: Vec<PackageRef>,
    /// Packages reviewed from the lockfile as stand-ins (`Facts::opaque`).
    pub opaque_packages: Vec<PackageRef>,
    pub platforms: Vec<String>,
    pub editions: Vec<(String, usize)>,
    /// Advisories in the database used, and how many matched the lockfile; `None` when no
    /// database could be used.
    pub advisories: Option<(usize, usize)>,
    /// Registry crates of the build with a cached index entry, and without one.
    pub index_cached: usize,
    pub index_unknown: usize,
    /// The source pass: files and bytes scanned, whether dependencies were included.
    pub source_files: usize,
    pub source_bytes: u64,
    pub source_deps: bool,
    /// Lines of code per workspace member, from its module trees.
    pub lines_per_member: Vec<(PackageRef, usize)>,
    /// The simulated clean `cargo build`: units, jobs, predicted seconds, critical path seconds.
    pub build: Option<BuildFigures>,
    /// cargo-hakari's workspace-hack, when there is one or a configuration: present, up to
    /// date or not.
    pub workspace_hack: Option<String>,
    /// The MSRV pressure of the shipped dependencies, from the index cache's history.
    pub msrv: Option<MsrvFigures>,
}

/// The MSRV history and forecast of the shipped registry dependencies (`msrv/pressure`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MsrvFigures {
    /// How fresh the index cache is (the newest publication day or cache write among the
    /// entries read): what "now" means here.
    pub as_of: String,
    /// The newest stable Rust release that day.
    pub stable: String,
    /// The effective MSRV of the locked versions, and after `cargo update` that day.
    pub effective_locked: Option<String>,
    pub effective_updated: Option<String>,
    /// Raises that lifted the effective MSRV, per quarter of 91 days, the latest first (8).
    pub steps_per_quarter: Vec<usize>,
    /// Releases the effective MSRV rose by over the one-year windows ending 0, 3, 6, 9 and
    /// 12 months before `as_of`.
    pub yearly_rates: Vec<u32>,
    /// Raises that lifted it in each of those windows.
    pub yearly_steps: Vec<usize>,
    /// The range of the effective MSRV a year after `as_of` (`History::in_a_year`).
    pub in_a_year: [String; 2],
    pub targets: Vec<MsrvTarget>,
    pub drivers: Vec<MsrvDriver>,
    /// Dependency lines with a dated history, and how many raised in the past two years,
    /// held their MSRV, or declare none.
    pub lines: usize,
    pub trailing: usize,
    pub holding: usize,
    pub undeclared: usize,
    /// Shipped registry crates without an index entry, and those whose locked line has no
    /// release to follow (all yanked or undated).
    pub unknown: Vec<String>,
    pub unusable: Vec<String>,
    /// Those whose cache entry was last written more than 30 days before `as_of`.
    pub stale: Vec<String>,
}

/// A promised `rust-version` (its members) or the toolchain pin (no members), and when the
/// effective MSRV passes it: already, or between two days at the history's rates (`None`:
/// not at that rate).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MsrvTarget {
    pub members: Vec<String>,
    pub release: String,
    pub already: bool,
    pub earliest: Option<String>,
    pub latest: Option<String>,
}

/// A dependency that lifted the effective MSRV (by `lifted` releases in two years) or sets it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MsrvDriver {
    pub name: String,
    pub locked: String,
    pub lifted: u32,
    pub practice: String,
}

/// The figures of the simulated clean build.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BuildFigures {
    pub units: usize,
    pub jobs: usize,
    pub predicted_s: f64,
    /// The structural critical path's length: the build's time with unlimited jobs.
    pub critical_path_s: f64,
    /// Total work divided by `jobs`: the other lower bound.
    pub work_over_jobs_s: f64,
    /// Predicted time at 1, 2, 4, ... 64 jobs.
    pub by_jobs: Vec<JobsTime>,
    /// The units of the structural critical path, first to last.
    pub critical_path: Vec<PathStep>,
    /// Units running at the middle of each tenth of the build.
    pub parallelism_profile: Vec<usize>,
    /// Whether some units are of crates whose code was not read: the figures are lower bounds.
    pub assumed_sizes: bool,
    /// How many such units, counted as empty crates.
    pub unknown_size_units: usize,
    /// The factor the estimates were scaled by to this machine (`--calibrate`); `None` when they
    /// are for the machine the cost model was fitted on.
    pub calibration_factor: Option<f64>,
    /// The range held-out real builds fell in around such an estimate (`predicted_s` times the
    /// smallest and largest measured/estimated ratio of `docs/build-time.md`).
    pub predicted_range_s: (f64, f64),
}

/// The predicted build time at a job count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct JobsTime {
    pub jobs: usize,
    pub predicted_s: f64,
}

/// A unit of a critical path, with its start and duration in the simulated build.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PathStep {
    pub unit: String,
    pub start_s: f64,
    pub duration_s: f64,
}

/// The outcome of a review: headline figures, findings in a deterministic order, and notes on
/// what could not be reviewed.
#[derive(Debug, Clone, Default)]
pub struct Review {
    pub summary: Summary,
    pub findings: Vec<Finding>,
    /// What is missing from this review and why (a partial review says so here).
    pub notes: Vec<String>,
    /// Indices into `findings` of the headline risks: the finding with the highest impact of
    /// each rule at `warn` or above, highest first, at most ten.
    pub top_risks: Vec<usize>,
    /// One verdict per review area, in section order.
    pub verdicts: Vec<Verdict>,
}

impl Review {
    pub fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level == level).count()
    }

    pub fn has_deny(&self) -> bool {
        self.findings.iter().any(|f| f.level == Level::Deny)
    }

    /// How many other `warn` or `deny` findings the rule of finding `i` has: what a top risk
    /// stands for besides itself.
    pub fn others_of_rule(&self, i: usize) -> usize {
        let rule = self.findings[i].rule;
        self.findings
            .iter()
            .filter(|g| g.rule == rule && g.level >= Level::Warn)
            .count()
            .saturating_sub(1)
    }
}
