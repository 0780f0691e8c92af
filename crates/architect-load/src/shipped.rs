//! The scope model: which members the workspace ships, and which packages and dependency
//! edges its users get (see `architect_model::ScopeFacts`).

use std::collections::{BTreeMap, BTreeSet};

use architect_model::catalogue::FUZZ_ENGINES;
use architect_model::{MemberRole, ScopeFacts};
use guppy::PackageId;
use guppy::graph::cargo::CargoSet;
use guppy::graph::{PackageGraph, PackageMetadata, PackagePublish};

/// What `member` is: tooling, unpublished (with why) or published.
pub(crate) fn role(member: &PackageMetadata<'_>) -> (MemberRole, Option<String>) {
    let name = member.name();
    let fuzz = member
        .direct_links()
        .any(|l| FUZZ_ENGINES.contains(&l.to().name()));
    if fuzz || name == "xtask" || name.starts_with("xtask-") {
        return (MemberRole::Tooling, None);
    }
    match unpublished_why(member) {
        Some(_) if demonstration(member) || test_support(member) => (MemberRole::Tooling, None),
        Some(why) => (MemberRole::Unpublished, Some(why)),
        None => (MemberRole::Published, None),
    }
}

/// Name parts of members that exist to demonstrate, measure, test or develop the others:
/// example, benchmark, test and developer-tool packages (ruff's `ruff_benchmark` and
/// `ruff_dev`, tokio's `tests-integration` and `stress-test`), which nothing ships. Only
/// unpublished members are judged by name.
const DEMONSTRATION: &[&str] = &[
    "example",
    "examples",
    "bench",
    "benches",
    "benchmark",
    "benchmarks",
    "dev",
    "test",
    "tests",
    "stress",
];

/// Words of top-level directory names whose unpublished members are not part of the product:
/// examples, benchmarks, and the repository's own tools (bevy's `tools/ci`, guppy's
/// `internal-tools/cargo-compare`).
const TOOLING_DIRS: &[&str] = &["examples", "benches", "benchmarks", "tools", "xtask"];

/// Whether an unpublished member is an example, benchmark or tool package: it lives under a
/// top-level directory named with one of [`TOOLING_DIRS`] as a whole word (sqlx's
/// `examples/postgres/todos`, `internal-tools/`), or its name says so as a whole word
/// (`tracing-examples`, `sqlx-example-postgres-chat`).
fn demonstration(member: &PackageMetadata<'_>) -> bool {
    let in_dir = member.source().workspace_path().is_some_and(|dir| {
        dir.components().next().is_some_and(|c| {
            c.as_str()
                .split(['-', '_'])
                .any(|word| TOOLING_DIRS.contains(&word))
        })
    });
    in_dir || demonstration_name(member.name())
}

/// Whether a member's name says it demonstrates, measures or develops the others, as a whole
/// word (`ruff_benchmark`, `tracing-examples`), not a part of one (`devtools`, `benchmarking`).
fn demonstration_name(name: &str) -> bool {
    name.split(['-', '_'])
        .any(|word| DEMONSTRATION.contains(&word))
}

/// Why nobody outside the workspace builds against `member`'s API: it says so
/// (`publish = false`), its version says so (0.0.x, as a workspace's internal crates are
/// numbered), or `cargo publish` would refuse it as it stands (no `description` or `license`,
/// or a dependency with no version requirement, such as a path dependency without `version`).
fn unpublished_why(member: &PackageMetadata<'_>) -> Option<String> {
    if matches!(member.publish(), PackagePublish::Registries([])) {
        return Some("`publish = false`".into());
    }
    let v = member.version();
    if v.major == 0 && v.minor == 0 {
        return Some(format!("version {v}: an internal crate's numbering"));
    }
    if member.description().is_none() {
        return Some("no `description`: `cargo publish` refuses it".into());
    }
    if member.license().is_none() && member.license_file().is_none() {
        return Some("no `license`: `cargo publish` refuses it".into());
    }
    unversioned_dependency(member).map(|name| {
        format!("its dependency on `{name}` has no version requirement: `cargo publish` refuses it")
    })
}

/// A normal or build dependency of `member` with no version requirement (a path dependency
/// without `version`), which makes `cargo publish` refuse it.
fn unversioned_dependency<'g>(member: &PackageMetadata<'g>) -> Option<&'g str> {
    member
        .direct_links()
        .find(|l| {
            (l.normal().is_present() || l.build().is_present())
                && l.version_req() == &guppy::VersionReq::STAR
        })
        .map(|l| l.to().name())
}

/// Members that look published but that nothing published can use, in a workspace that
/// never writes a version on a path dependency (so publishes none of its libraries that use
/// others): every member that depends on one (as a normal or build dependency) is a library
/// `cargo publish` refuses for a dependency without a version, or is such a member itself
/// (helix's `helix-parsec`, used only by `helix-core`). With why, for the scope model's
/// `unpublished`.
fn used_only_by_unpublishable(
    graph: &PackageGraph,
    roles: &BTreeMap<PackageId, MemberRole>,
) -> BTreeMap<PackageId, String> {
    let mut out: BTreeMap<PackageId, String> = BTreeMap::new();
    let versioned_path = graph.workspace().iter().any(|m| {
        m.direct_links().any(|l| {
            (l.normal().is_present() || l.build().is_present())
                && l.to().source().is_local()
                && l.version_req() != &guppy::VersionReq::STAR
        })
    });
    if versioned_path {
        return out;
    }
    loop {
        let before = out.len();
        for m in graph.workspace().iter() {
            if roles.get(m.id()) != Some(&MemberRole::Published) || out.contains_key(m.id()) {
                continue;
            }
            let users: Vec<_> = m
                .reverse_direct_links()
                .filter(|l| l.from().in_workspace() && !l.dev_only())
                .collect();
            let unusable = |l: &guppy::graph::PackageLink<'_>| {
                let from = l.from();
                l.version_req() == &guppy::VersionReq::STAR
                    && from
                        .build_targets()
                        .any(|t| t.id() == guppy::graph::BuildTargetId::Library)
                    && (unversioned_dependency(&from).is_some() || out.contains_key(from.id()))
            };
            if !users.is_empty() && users.iter().all(unusable) {
                let mut names: Vec<&str> = users.iter().map(|l| l.from().name()).collect();
                names.sort();
                names.dedup();
                out.insert(
                    m.id().clone(),
                    format!(
                        "only {} use{} it, by path without a version, and `cargo publish` refuses {}: nothing published builds against it",
                        names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
                        if names.len() == 1 { "s" } else { "" },
                        if names.len() == 1 { "it" } else { "them" },
                    ),
                );
            }
        }
        if out.len() == before {
            return out;
        }
    }
}

/// Whether an unpublished library exists for other members' tests: it has no binary, and the
/// members that depend on it all do so as a dev-dependency (tracing's `tracing-test`).
fn test_support(member: &PackageMetadata<'_>) -> bool {
    let mut dependents = member
        .reverse_direct_links()
        .filter(|l| l.from().in_workspace())
        .peekable();
    let has_bin = member
        .build_targets()
        .any(|t| matches!(t.id(), guppy::graph::BuildTargetId::Binary(_)));
    !has_bin && dependents.peek().is_some() && dependents.all(|l| l.dev_only())
}

/// Phrases with which a crate's description says it is not for direct use.
const INTERNAL_PHRASES: &[&str] = &[
    "internal component",
    "for internal use",
    "not intended for external use",
    "not meant for external use",
    "not for external use",
    "not for direct use",
    "not intended to be used directly",
    "not intended for direct use",
    "not meant to be used directly",
    "not meant for direct use",
];

/// Whether a description says the crate is not for direct use: one of [`INTERNAL_PHRASES`],
/// or "internal" and "crate" in one sentence ("An internal Bevy crate used to ..."). The
/// word "internal" alone is not enough ("the internal thread pool").
fn says_internal(description: &str) -> bool {
    let d = description.to_lowercase();
    INTERNAL_PHRASES.iter().any(|p| d.contains(p))
        || d.split('.')
            .any(|s| s.contains("internal") && s.contains("crate"))
}

/// Published members whose library's crate documentation (the `//!` lines its root file
/// starts with) says it is not for direct use, as cargo's own crates do ("primarily for use by
/// Cargo and not intended for external use"): recorded in `scope.internal` with that sentence,
/// as a description saying so is.
pub(crate) fn internal_by_docs(
    graph: &PackageGraph,
    files: &architect_model::FileStore,
    root: &std::path::Path,
    scope: &mut ScopeFacts,
) {
    for m in graph.workspace().iter() {
        if !scope.is_published(m.id()) || scope.internal.contains_key(m.id()) {
            continue;
        }
        let Some(lib) = m.build_target(&guppy::graph::BuildTargetId::Library) else {
            continue;
        };
        let rel = crate::relative(root, lib.path().as_std_path());
        let Some(file) = files.get(&rel) else {
            continue;
        };
        let docs: Vec<&str> = file
            .text
            .lines()
            .map(str::trim_start)
            .take_while(|l| l.starts_with("//!") || l.is_empty())
            .map(|l| l.trim_start_matches("//!").trim_start_matches(['>', ' ']))
            .collect();
        let docs = docs.join(" ");
        if says_internal(&docs) {
            let sentence = docs
                .split('.')
                .find(|s| says_internal(s))
                .unwrap_or(&docs)
                .trim();
            scope
                .internal
                .insert(m.id().clone(), format!("{sentence} ({rel})"));
        }
    }
}

/// Every link a build set follows: target, host, proc-macro and build-dependency links.
fn links(set: &CargoSet<'_>) -> BTreeSet<(PackageId, PackageId)> {
    set.target_links()
        .chain(set.host_links())
        .chain(set.proc_macro_links())
        .chain(set.build_dep_links())
        .map(|l| (l.from().id().clone(), l.to().id().clone()))
        .collect()
}

/// The scope facts from the full build (`cargo build --all-targets` of every member) and the
/// shipped build (`cargo build` of every member but tooling, no dev-dependencies).
pub(crate) fn scope_facts(
    graph: &PackageGraph,
    full: &CargoSet<'_>,
    shipped: &CargoSet<'_>,
    cfgs: &[String],
) -> ScopeFacts {
    let mut roles = BTreeMap::new();
    let mut unpublished = BTreeMap::new();
    let mut internal = BTreeMap::new();
    let mut tests_only = BTreeSet::new();
    for m in graph.workspace().iter() {
        let (r, why) = role(&m);
        roles.insert(m.id().clone(), r);
        if let Some(why) = why {
            unpublished.insert(m.id().clone(), why);
        }
        if let Some(said) = m.description().filter(|d| says_internal(d)) {
            internal.insert(m.id().clone(), said.to_string());
        }
        if test_support(&m) {
            tests_only.insert(m.id().clone());
        }
    }
    for (id, why) in used_only_by_unpublishable(graph, &roles) {
        roles.insert(id.clone(), MemberRole::Unpublished);
        unpublished.insert(id, why);
    }
    let shipped_links = links(shipped);
    let mut edges: BTreeMap<PackageId, BTreeMap<PackageId, bool>> = BTreeMap::new();
    for (from, to) in links(full) {
        let is_shipped = shipped_links.contains(&(from.clone(), to.clone()));
        edges.entry(from).or_default().insert(to, is_shipped);
    }
    let reached_from = breadth_first(graph, &edges);
    let mut features: BTreeMap<PackageId, BTreeSet<String>> = BTreeMap::new();
    for fs in [full.target_features(), full.host_features()] {
        for p in fs.packages_with_features(guppy::graph::DependencyDirection::Forward) {
            features
                .entry(p.package().id().clone())
                .or_default()
                .extend(p.named_features().map(str::to_string));
        }
    }
    let shipped = shipped
        .target_features()
        .to_package_set()
        .union(&shipped.host_features().to_package_set())
        .package_ids(guppy::graph::DependencyDirection::Forward)
        .cloned()
        .collect();
    ScopeFacts {
        roles,
        unpublished,
        internal,
        tests_only,
        reached_from,
        shipped,
        edges,
        features,
        cfgs: cfgs.to_vec(),
    }
}

/// Breadth-first from every workspace member (in id order, each edge in the order guppy lists
/// a package's dependencies): for each package reached, the one before it on a shortest
/// chain. Shipped edges are walked first, so a package the shipped build reaches is cited
/// through its shipped chain, not through a dev-dependency that happens to be shorter; the
/// rest of the full build is walked from there.
fn breadth_first(
    graph: &PackageGraph,
    edges: &BTreeMap<PackageId, BTreeMap<PackageId, bool>>,
) -> BTreeMap<PackageId, PackageId> {
    let mut seen: BTreeSet<PackageId> = BTreeSet::new();
    let mut prev = BTreeMap::new();
    let members: Vec<PackageId> = graph.workspace().iter().map(|m| m.id().clone()).collect();
    seen.extend(members.iter().cloned());
    // Shipped edges first, then every built edge from all that is reached so far.
    walk(graph, edges, true, members, &mut seen, &mut prev);
    let reached: Vec<PackageId> = seen.iter().cloned().collect();
    walk(graph, edges, false, reached, &mut seen, &mut prev);
    prev
}

/// One breadth-first pass from `start` over the built edges (only the shipped ones when
/// `shipped_only`), recording the first predecessor of each package not yet `seen`.
fn walk(
    graph: &PackageGraph,
    edges: &BTreeMap<PackageId, BTreeMap<PackageId, bool>>,
    shipped_only: bool,
    start: Vec<PackageId>,
    seen: &mut BTreeSet<PackageId>,
    prev: &mut BTreeMap<PackageId, PackageId>,
) {
    let mut queue: std::collections::VecDeque<PackageId> = start.into();
    while let Some(id) = queue.pop_front() {
        let (Ok(meta), Some(out)) = (graph.metadata(&id), edges.get(&id)) else {
            continue;
        };
        for link in meta.direct_links() {
            let to = link.to().id();
            let follows = out.get(to).is_some_and(|shipped| *shipped || !shipped_only);
            if follows && seen.insert(to.clone()) {
                prev.insert(to.clone(), id.clone());
                queue.push_back(to.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{demonstration_name, says_internal};

    #[test]
    fn names_of_example_benchmark_and_developer_tool_members() {
        for n in [
            "ruff_benchmark",
            "ruff_dev",
            "tracing-examples",
            "sqlx-example-postgres-chat",
            "benches",
        ] {
            assert!(demonstration_name(n), "{n}");
        }
        for n in ["devtools", "benchmarking-core", "helix-term", "device"] {
            assert!(!demonstration_name(n), "{n}");
        }
    }

    #[test]
    fn a_description_that_says_internal() {
        for d in [
            "This is an internal component crate of Ruff",
            "Core of SQLx, the rust SQL toolkit. Not intended to be used directly.",
            "MySQL driver implementation for SQLx. Not for direct use; see the `sqlx` crate.",
            "An internal Bevy crate used to facilitate optional dynamic linking",
        ] {
            assert!(says_internal(d), "{d}");
        }
        for d in [
            "Creates and customizes the internal thread pool",
            "A post-modern text editor.",
            "Provides definitions of Deno unstable features.",
        ] {
            assert!(!says_internal(d), "{d}");
        }
    }
}
