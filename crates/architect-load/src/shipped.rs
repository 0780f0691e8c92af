//! The scope model: which members the workspace ships, and which packages and dependency
//! edges its users get (see `architect_model::ScopeFacts`).

use std::collections::{BTreeMap, BTreeSet};

use architect_model::{MemberRole, ScopeFacts};
use guppy::PackageId;
use guppy::graph::cargo::CargoSet;
use guppy::graph::{PackageGraph, PackageMetadata, PackagePublish};

/// Crates whose presence makes a package a fuzzing harness.
const FUZZ_ENGINES: &[&str] = &["libfuzzer-sys", "afl", "honggfuzz"];

/// What `member` is: tooling, unpublished or published.
pub(crate) fn role(member: &PackageMetadata<'_>) -> MemberRole {
    let name = member.name();
    let fuzz = member
        .direct_links()
        .any(|l| FUZZ_ENGINES.contains(&l.to().name()));
    if fuzz || name == "xtask" || name.starts_with("xtask-") {
        MemberRole::Tooling
    } else if matches!(member.publish(), PackagePublish::Registries([])) {
        MemberRole::Unpublished
    } else {
        MemberRole::Published
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
    let roles: BTreeMap<PackageId, MemberRole> = graph
        .workspace()
        .iter()
        .map(|m| (m.id().clone(), role(&m)))
        .collect();
    let shipped_links = links(shipped);
    let edges = links(full)
        .into_iter()
        .map(|edge| {
            let is_shipped = shipped_links.contains(&edge);
            (edge, is_shipped)
        })
        .collect();
    let shipped = shipped
        .target_features()
        .to_package_set()
        .union(&shipped.host_features().to_package_set())
        .package_ids(guppy::graph::DependencyDirection::Forward)
        .cloned()
        .collect();
    ScopeFacts {
        roles,
        shipped,
        edges,
        cfgs: cfgs.to_vec(),
    }
}
