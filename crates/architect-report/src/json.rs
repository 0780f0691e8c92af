//! `--format json`: a versioned document, described by `schema/review.schema.json`.
//! Wire types are separate from the model, so the model can change without breaking readers.

use std::collections::BTreeMap;

use architect_model::{Finding, Location, PackageRef, Review};
use serde::Serialize;

use crate::Context;

/// Bumped on every incompatible change of the document's shape.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    tool: Tool<'a>,
    workspace: Workspace<'a>,
    facts: Facts<'a>,
    counts: BTreeMap<&'static str, usize>,
    notes: &'a [String],
    /// One per review area, in order.
    verdicts: Vec<WireVerdict<'a>>,
    /// Indices into `findings`, highest impact first.
    top_risks: &'a [usize],
    findings: Vec<WireFinding<'a>>,
}

#[derive(Serialize)]
struct WireVerdict<'a> {
    area: &'a str,
    title: &'a str,
    state: architect_model::VerdictState,
    basis: &'a str,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct Workspace<'a> {
    root: &'a str,
    members: &'a [PackageRef],
}

#[derive(Serialize)]
struct Duplicate<'a> {
    name: &'a str,
    versions: &'a [String],
}

#[derive(Serialize)]
pub(crate) struct Facts<'a> {
    platforms: &'a [String],
    packages: usize,
    workspace_members: usize,
    build_scripts: &'a [PackageRef],
    proc_macros: &'a [PackageRef],
    duplicate_crates: Vec<Duplicate<'a>>,
    lines_of_rust_workspace: usize,
    git_dependencies: &'a [PackageRef],
    /// Packages reviewed from the lockfile as stand-ins: counts of build scripts and
    /// proc-macros are lower bounds while there are any.
    opaque_packages: &'a [PackageRef],
    editions: BTreeMap<&'a str, usize>,
    advisories: Option<Advisories>,
    index: Index,
    source: Source<'a>,
    build: Option<architect_model::BuildFigures>,
    workspace_hack: Option<&'a str>,
    msrv: Option<&'a architect_model::MsrvFigures>,
}

#[derive(Serialize)]
struct Source<'a> {
    files: usize,
    bytes: u64,
    dependencies_scanned: bool,
    lines_of_code: Vec<MemberLines<'a>>,
}

#[derive(Serialize)]
struct MemberLines<'a> {
    name: &'a str,
    version: &'a str,
    lines: usize,
}

#[derive(Serialize)]
struct Advisories {
    in_database: usize,
    matched: usize,
}

#[derive(Serialize)]
struct Index {
    cached: usize,
    unknown: usize,
}

#[derive(Serialize)]
pub(crate) struct WireFinding<'a> {
    rule: &'a str,
    level: &'a str,
    section: &'a str,
    message: &'a str,
    packages: &'a [PackageRef],
    locations: &'a [Location],
    path: &'a [PackageRef],
    notes: &'a [String],
    help: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    advisory: Option<&'a str>,
    impact: &'a architect_model::Impact,
}

impl<'a> From<&'a Finding> for WireFinding<'a> {
    fn from(f: &'a Finding) -> Self {
        WireFinding {
            rule: f.rule,
            level: f.level.as_str(),
            section: f.section.id(),
            message: &f.message,
            packages: &f.packages,
            locations: &f.locations,
            path: &f.path,
            notes: &f.notes,
            help: &f.help,
            advisory: f.advisory.as_deref(),
            impact: &f.impact,
        }
    }
}

/// The headline facts of a review, as the document writes them (also each side of a diff).
pub(crate) fn facts(s: &architect_model::Summary) -> Facts<'_> {
    Facts {
        platforms: &s.platforms,
        packages: s.packages,
        workspace_members: s.workspace_members.len(),
        build_scripts: &s.build_scripts,
        proc_macros: &s.proc_macros,
        duplicate_crates: s
            .duplicate_crates
            .iter()
            .map(|(name, versions)| Duplicate { name, versions })
            .collect(),
        lines_of_rust_workspace: s.lines_of_rust_workspace,
        git_dependencies: &s.git_dependencies,
        opaque_packages: &s.opaque_packages,
        editions: s.editions.iter().map(|(e, n)| (e.as_str(), *n)).collect(),
        advisories: s.advisories.map(|(in_database, matched)| Advisories {
            in_database,
            matched,
        }),
        index: Index {
            cached: s.index_cached,
            unknown: s.index_unknown,
        },
        build: s.build.clone(),
        workspace_hack: s.workspace_hack.as_deref(),
        msrv: s.msrv.as_ref(),
        source: Source {
            files: s.source_files,
            bytes: s.source_bytes,
            dependencies_scanned: s.source_deps,
            lines_of_code: s
                .lines_per_member
                .iter()
                .map(|(p, lines)| MemberLines {
                    name: &p.name,
                    version: &p.version,
                    lines: *lines,
                })
                .collect(),
        },
    }
}

pub fn render(review: &Review, cx: &Context<'_>) -> String {
    let s = &review.summary;
    let counts = [
        architect_model::Level::Deny,
        architect_model::Level::Warn,
        architect_model::Level::Info,
    ]
    .into_iter()
    .map(|l| (l.as_str(), review.count(l)))
    .collect();
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "cargo-architect",
            version: cx.tool_version,
        },
        workspace: Workspace {
            root: cx.root,
            members: &s.workspace_members,
        },
        facts: facts(s),
        counts,
        notes: &review.notes,
        verdicts: review
            .verdicts
            .iter()
            .map(|v| WireVerdict {
                area: v.section.id(),
                title: v.section.title(),
                state: v.state,
                basis: &v.basis,
            })
            .collect(),
        top_risks: &review.top_risks,
        findings: review.findings.iter().map(WireFinding::from).collect(),
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("review serializes");
    out.push('\n');
    out
}
