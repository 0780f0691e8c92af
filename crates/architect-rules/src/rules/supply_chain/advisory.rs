//! What the advisory rules share: turning a matched advisory into a finding with its
//! evidence (the `Cargo.lock` entry, the inclusion path) and the smallest fix.

use architect_model::{AdvisoryKind, AdvisoryMatch, Facts, Finding, FunctionEvidence, Location};
use guppy::Version;

use crate::graph::{dependency_evidence, inclusion_path};
use crate::rule::{Ctx, FindingExt};
use crate::semver_util::{compatible, matches_any, releases};

/// The smallest fix for a locked version with an advisory.
#[derive(Debug, Clone, PartialEq)]
pub enum Fix {
    /// A semver-compatible version is fixed: `cargo update -p NAME@LOCKED --precise VER`.
    Update { version: String },
    /// Only a semver-incompatible version is fixed: a requirement in `Cargo.toml` must change.
    Requirement {
        version: String,
        line: Option<Location>,
        direct: bool,
    },
    /// No fixed version exists.
    None,
    /// The advisory names fixed versions, but the index cache does not know which exist.
    Unknown,
}

pub fn fix(facts: &Facts, m: &AdvisoryMatch) -> Fix {
    if m.patched.is_empty() {
        return Fix::None;
    }
    let Some(versions) = facts.index.crates.get(&m.package.name) else {
        return Fix::Unknown;
    };
    let Ok(locked) = Version::parse(&m.package.version) else {
        return Fix::Unknown;
    };
    let fixed: Vec<Version> = releases(versions, !locked.pre.is_empty())
        .into_iter()
        .map(|(v, _)| v)
        .filter(|v| v > &locked && matches_any(&m.patched, v))
        .collect();
    if let Some(v) = fixed.iter().find(|v| compatible(&locked, v)) {
        return Fix::Update {
            version: v.to_string(),
        };
    }
    let Some(v) = fixed.first() else {
        return Fix::None;
    };
    // The line to change: where a workspace member declares the package, or the first
    // dependency on the path to it.
    let built = facts
        .built()
        .find(|p| p.name() == m.package.name && p.version().to_string() == m.package.version);
    let (line, direct) = built
        .map(|p| {
            let path = inclusion_path(facts, p.id());
            let direct = path.len() == 2;
            let (locations, _) = dependency_evidence(facts, p.id());
            (
                locations
                    .into_iter()
                    .find(|l| l.path.ends_with("Cargo.toml")),
                direct,
            )
        })
        .unwrap_or((None, false));
    Fix::Requirement {
        version: v.to_string(),
        line,
        direct,
    }
}

/// The findings of one advisory kind on packages the build compiles, except advisories whose
/// affected functions nothing in the build names (those, and advisories on locked versions
/// that are never built, are `supply-chain/unbuilt-advisory`'s).
pub fn findings(cx: &Ctx<'_>, kind: &AdvisoryKind) -> Vec<Finding> {
    let facts = cx.facts;
    matches(facts)
        .iter()
        .filter(|m| &m.kind == kind && reachable(facts, m))
        .map(|m| finding(cx, m))
        .collect()
}

/// The findings of one advisory kind on packages a workspace member depends on directly in
/// the shipped build (no dev-dependencies, no tooling members), as cargo-deny's `unmaintained = "workspace"` setting does: a transitive crate's
/// informational advisory is its dependent's to act on, not the workspace's.
pub fn direct_findings(cx: &Ctx<'_>, kind: &AdvisoryKind) -> Vec<Finding> {
    let facts = cx.facts;
    matches(facts)
        .iter()
        .filter(|m| &m.kind == kind && reachable(facts, m) && direct(facts, m))
        .map(|m| finding(cx, m))
        .collect()
}

fn matches(facts: &Facts) -> &[AdvisoryMatch] {
    facts.advisories.as_ref().map_or(&[], |(_, m)| m.as_slice())
}

/// Whether a match can be a `deny`/`warn` finding: its version ships (the members' build
/// without dev-dependencies and tooling), and its affected functions (when listed) are named
/// somewhere or could not be checked.
fn reachable(facts: &Facts, m: &AdvisoryMatch) -> bool {
    in_shipped(facts, m) && !m.evidence.unreached() && gate_met(m)
}

/// Whether the build enables the features the advisory says the flaw needs (true when it
/// names none).
fn gate_met(m: &AdvisoryMatch) -> bool {
    m.feature_gate.as_ref().is_none_or(|g| g.met())
}

/// Whether a workspace member depends on the matched locked version directly, in the shipped
/// build.
fn direct(facts: &Facts, m: &AdvisoryMatch) -> bool {
    let hit = |l: guppy::graph::PackageLink<'_>| {
        l.to().name() == m.package.name && l.to().version().to_string() == m.package.version
    };
    facts
        .graph
        .workspace()
        .iter()
        .any(|member| crate::graph::shipped_links(facts, &member).any(hit))
}

/// Whether one of the advisory rules that report in-build packages reports this match:
/// `supply-chain/yanked` leaves such a lock entry to that finding.
pub fn reported(facts: &Facts, m: &AdvisoryMatch) -> bool {
    reachable(facts, m)
        && match m.kind {
            AdvisoryKind::Unsound | AdvisoryKind::Unmaintained => direct(facts, m),
            _ => true,
        }
}

/// Why an advisory is informational only: what `supply-chain/unbuilt-advisory` gathers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreached {
    /// The locked version is never built for the reviewed platforms.
    NotBuilt,
    /// Built only for tests, examples, benchmarks or tooling: nothing the workspace ships.
    DevOnly,
    /// Built, but nothing in the build names the advisory's affected functions.
    NotCalled,
    /// Built without the features the advisory says the flaw needs.
    FeatureOff,
}

/// Every advisory the build cannot be affected by, with why.
pub fn unreached(facts: &Facts) -> Vec<(&AdvisoryMatch, Unreached)> {
    matches(facts)
        .iter()
        .filter_map(|m| {
            if !in_build(facts, m) {
                Some((m, Unreached::NotBuilt))
            } else if !in_shipped(facts, m) {
                Some((m, Unreached::DevOnly))
            } else if m.evidence.unreached() {
                Some((m, Unreached::NotCalled))
            } else if !gate_met(m) {
                Some((m, Unreached::FeatureOff))
            } else {
                None
            }
        })
        .collect()
}

/// Whether the build compiles the locked version an advisory matched.
pub fn in_build(facts: &Facts, m: &AdvisoryMatch) -> bool {
    facts
        .built()
        .any(|b| b.name() == m.package.name && b.version().to_string() == m.package.version)
}

/// Whether the shipped build compiles the locked version an advisory matched.
fn in_shipped(facts: &Facts, m: &AdvisoryMatch) -> bool {
    facts.scope.shipped.iter().any(|id| {
        facts.graph.metadata(id).is_ok_and(|b| {
            b.name() == m.package.name && b.version().to_string() == m.package.version
        })
    })
}

/// How an advisory kind is named in messages.
pub fn kind_word(kind: &AdvisoryKind) -> &'static str {
    match kind {
        AdvisoryKind::Vulnerability => "vulnerability",
        AdvisoryKind::Unmaintained => "unmaintained",
        AdvisoryKind::Unsound => "unsound",
        AdvisoryKind::Notice => "notice",
        AdvisoryKind::Other(_) => "advisory",
    }
}

/// The note saying whether the build names what an advisory affects.
pub fn evidence_note(m: &AdvisoryMatch) -> Option<String> {
    if let (true, Some(f)) = (m.affected.is_empty(), &m.format_impl) {
        return format_note(m, f);
    }
    let names = || {
        m.affected
            .iter()
            .map(|a| format!("`{}{}`", a.path, if a.is_macro { "!" } else { "" }))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let what = if m.affected_from_text {
        "what the advisory's text names"
    } else {
        "the affected functions"
    };
    match &m.evidence {
        // Said for vulnerabilities, where whether the code is reached is the reader's next
        // question (sqlx-mysql uses `rsa` only to encrypt with a public key; the Marvin attack
        // needs private-key operations).
        FunctionEvidence::NotListed if m.kind == AdvisoryKind::Vulnerability => Some(
            "the advisory names no affected function: whether the workspace reaches the vulnerable code is not checked; read its description against how the dependents use the crate".to_string(),
        ),
        FunctionEvidence::NotListed => None,
        FunctionEvidence::Named {
            function,
            krate,
            path,
            line,
        } => Some(if m.affected_from_text {
            format!(
                "`{function}`, which the advisory's text names, is named at {path}:{line} in `{krate}`"
            )
        } else {
            format!("the affected function `{function}` is named at {path}:{line} in `{krate}`")
        }),
        FunctionEvidence::Nowhere {
            dependents,
            through_reexports,
        } => Some(format!(
            "{what} ({}) {} named nowhere in the {dependents} crate(s) that depend on `{}` {}",
            names(),
            if m.affected_from_text { "is" } else { "are" },
            m.package.name,
            via(*through_reexports)
        )),
        FunctionEvidence::Unknown { why } => Some(format!(
            "whether {what} ({}) is used could not be told: {why}",
            names()
        )),
    }
}

fn via(through_reexports: bool) -> &'static str {
    if through_reexports {
        "directly or through a crate that re-exports it"
    } else {
        "directly"
    }
}

/// The evidence note of an advisory whose flaw is in a formatting impl.
fn format_note(m: &AdvisoryMatch, f: &architect_model::FormatImpl) -> Option<String> {
    let types = f
        .types
        .iter()
        .map(|t| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let flaw = format!("the flaw is in the `fmt::{}` impl of {types}", f.trait_name);
    match &m.evidence {
        FunctionEvidence::NotListed => None,
        FunctionEvidence::Named {
            krate, path, line, ..
        } => Some(format!(
            "{flaw}; `{{:{}}}` or `fmt::{}` is used at {path}:{line} in `{krate}`",
            f.spec, f.trait_name
        )),
        FunctionEvidence::Nowhere {
            dependents,
            through_reexports,
        } => Some(format!(
            "{flaw}, which only `{{:{}}}` or `fmt::{}` calls: none of the {dependents} crate(s) that depend on `{}` {} does",
            f.spec,
            f.trait_name,
            m.package.name,
            via(*through_reexports)
        )),
        FunctionEvidence::Unknown { why } => Some(format!(
            "{flaw}; whether anything formats them so could not be told: {why}"
        )),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "feature" } else { "features" }
}

/// The note saying which features the advisory needs and what the build enables of them.
pub fn feature_note(m: &AdvisoryMatch) -> Option<String> {
    let g = m.feature_gate.as_ref()?;
    let list = |fs: &[String]| {
        fs.iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(if g.any { " or " } else { " and " })
    };
    Some(if g.met() {
        format!(
            "the advisory needs {} {} of `{}`, which the build enables",
            plural(g.features.len()),
            list(&g.features),
            m.package.name
        )
    } else {
        let off: Vec<String> = g
            .features
            .iter()
            .filter(|f| !g.enabled.contains(f))
            .cloned()
            .collect();
        format!(
            "the advisory needs {} {} of `{}`; the build leaves {} off",
            plural(g.features.len()),
            list(&g.features),
            m.package.name,
            list(&off)
        )
    })
}

fn finding(cx: &Ctx<'_>, m: &AdvisoryMatch) -> Finding {
    let facts = cx.facts;
    let p = &m.package;
    let built = facts
        .built()
        .find(|b| b.name() == p.name && b.version().to_string() == p.version);
    let (path, in_build) = match &built {
        Some(b) => (dependency_evidence(facts, b.id()).1, true),
        None => (Vec::new(), false),
    };
    let what = kind_word(&m.kind);
    let mut message = format!("{} {what}: `{p}`: {}", m.id, m.title);
    if !in_build {
        message.push_str(" (locked, but not built for the reviewed platforms)");
    }
    let fixed = m.patched.join(" or ");
    let help = match (&m.kind, fix(facts, m)) {
        (AdvisoryKind::Unmaintained, _) if !m.alternatives.is_empty() => format!(
            "replace `{}`; the advisory suggests {}",
            p.name,
            m.alternatives
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (_, Fix::Update { version }) => format!(
            "`cargo update -p {}@{} --precise {version}` (semver-compatible; fixed in {fixed})",
            p.name, p.version
        ),
        (
            _,
            Fix::Requirement {
                version,
                line,
                direct,
            },
        ) => {
            let at = line
                .map(|l| format!(" at {}:{}", l.path, l.line))
                .unwrap_or_default();
            if direct {
                format!(
                    "raise the requirement{at} to `{}` `{version}` (fixed in {fixed}; not semver-compatible)",
                    p.name
                )
            } else {
                format!(
                    "needs `{}` {version} or later, which is not semver-compatible: upgrade the dependency declared{at} to a release that allows it",
                    p.name
                )
            }
        }
        (AdvisoryKind::Unmaintained, _) => format!("plan a replacement for `{}`", p.name),
        (_, Fix::None) => format!(
            "no fixed version of `{}` exists: remove it or replace it",
            p.name
        ),
        (_, Fix::Unknown) => format!(
            "fixed in {fixed}; the index cache has no entry for `{}`, so run `cargo update -p {}` and review again",
            p.name, p.name
        ),
    };
    let mut f = cx
        .finding(message, help)
        .package(p.clone())
        .via(path)
        .at(facts.lock_location(&p.name, &p.version));
    f.advisory = Some(m.id.clone());
    f = f.note(format!(
        "published {}; {}",
        m.date,
        m.url.clone().unwrap_or_default()
    ));
    if let Some((vector, score)) = &m.cvss {
        f = f.note(format!("CVSS {score:.1} ({vector})"));
        if m.kind == AdvisoryKind::Vulnerability {
            f = f.costs(architect_model::Consequence::Severity { cvss: *score });
        }
    }
    if !m.patched.is_empty() {
        f = f.note(format!("patched: {}", m.patched.join(", ")));
    }
    if !m.aliases.is_empty() {
        f = f.note(format!("aliases: {}", m.aliases.join(", ")));
    }
    if !m.functions.is_empty() {
        f = f.note(format!("affected functions: {}", m.functions.join("; ")));
    }
    if let Some(note) = evidence_note(m) {
        f = f.note(note);
    }
    if let Some(note) = feature_note(m) {
        f = f.note(note);
    }
    if in_build
        && facts
            .index
            .version(&p.name, &p.version)
            .is_some_and(|v| v.yanked)
    {
        f = f.note("this version is also yanked");
    }
    f
}
