//! Graph queries shared by rules: inclusion paths and the lines that declare a dependency.

use std::collections::{BTreeMap, VecDeque};

use architect_model::{Facts, Location, PackageRef};
use guppy::PackageId;
use guppy::graph::PackageMetadata;

pub fn pkg_ref(p: &PackageMetadata<'_>) -> PackageRef {
    PackageRef::new(p.name(), p.version())
}

/// The shortest chain of built packages from a workspace member to `target`, member first.
/// Dev-dependencies count only from workspace members, as cargo builds them.
pub fn inclusion_path(facts: &Facts, target: &PackageId) -> Vec<PackageId> {
    let graph = &facts.graph;
    let mut prev: BTreeMap<PackageId, Option<PackageId>> = BTreeMap::new();
    let mut queue = VecDeque::new();
    for member in graph.workspace().iter() {
        prev.insert(member.id().clone(), None);
        queue.push_back(member.id().clone());
    }
    while let Some(id) = queue.pop_front() {
        if id == *target {
            let mut path = vec![id.clone()];
            let mut cur = id;
            while let Some(Some(p)) = prev.get(&cur) {
                path.push(p.clone());
                cur = p.clone();
            }
            path.reverse();
            return path;
        }
        let Ok(meta) = graph.metadata(&id) else {
            continue;
        };
        for link in meta.direct_links() {
            let to = link.to().id();
            let dev_only = !link.normal().is_present() && !link.build().is_present();
            if (dev_only && !meta.in_workspace()) || !facts.is_built(to) || prev.contains_key(to) {
                continue;
            }
            prev.insert(to.clone(), Some(id.clone()));
            queue.push_back(to.clone());
        }
    }
    Vec::new()
}

/// The inclusion path as package references.
pub fn path_refs(facts: &Facts, path: &[PackageId]) -> Vec<PackageRef> {
    path.iter()
        .filter_map(|id| facts.graph.metadata(id).ok())
        .map(|m| pkg_ref(&m))
        .collect()
}

/// Evidence for a dependency finding: the `Cargo.toml` line of the workspace member that starts
/// the inclusion path, the `Cargo.lock` entry, and the path itself.
pub fn dependency_evidence(facts: &Facts, id: &PackageId) -> (Vec<Location>, Vec<PackageRef>) {
    let path = inclusion_path(facts, id);
    let mut locations = Vec::new();
    if let [member, next, ..] = path.as_slice()
        && let (Some(manifest), Ok(next)) =
            (facts.manifests.get(member), facts.graph.metadata(next))
        && let Some(l) = manifest.dep(next.name())
    {
        locations.push(l.clone());
    }
    if let Ok(meta) = facts.graph.metadata(id) {
        if meta.in_workspace() {
            locations.extend(facts.manifests.get(id).and_then(|m| m.header().cloned()));
        } else {
            locations.extend(facts.lock_location(meta.name(), &meta.version().to_string()));
        }
    }
    // A chain of one is the package itself: a workspace member, no inclusion path to show.
    let path = if path.len() > 1 {
        path_refs(facts, &path)
    } else {
        Vec::new()
    };
    (locations, path)
}

/// Workspace members that depend directly on a package named `name`, with the declaring line.
pub fn direct_dependents(facts: &Facts, name: &str) -> Vec<(PackageRef, Option<Location>)> {
    let mut out = Vec::new();
    for member in facts.graph.workspace().iter() {
        let depends = member
            .direct_links()
            .any(|l| l.to().name() == name && facts.is_built(l.to().id()));
        if depends {
            let loc = facts
                .manifests
                .get(member.id())
                .and_then(|m| m.dep(name).cloned());
            out.push((pkg_ref(&member), loc));
        }
    }
    out
}

/// Built packages with one of these names, in id order.
pub fn built_named<'a>(
    facts: &'a Facts,
    names: &'a [&'a str],
) -> impl Iterator<Item = PackageMetadata<'a>> + 'a {
    facts.built().filter(move |p| names.contains(&p.name()))
}

/// Whether a package comes from a registry (crates.io or another), where the index knows it.
pub fn is_registry(p: &PackageMetadata<'_>) -> bool {
    use guppy::graph::ExternalSource;
    matches!(
        p.source().parse_external(),
        Some(ExternalSource::Registry(_) | ExternalSource::Sparse(_))
    )
}

/// The location of a span in a scanned file, when its text is in the store.
pub fn source_location(
    facts: &Facts,
    file: &architect_model::ScannedFile,
    span: architect_model::SourceSpan,
    label: &str,
) -> Option<Location> {
    facts.location(
        &file.path,
        architect_model::Span::new(span.start, span.end),
        Some(label),
    )
}

/// Where a file the source pass could not scan is cited: its line in the store when there is
/// one, else `None`, and then the path (with the line) goes in a note of the finding.
pub fn unreadable_at(
    facts: &Facts,
    u: &architect_model::Unreadable,
    label: &str,
) -> (Option<Location>, Option<String>) {
    let location = u.line.and_then(|line| {
        let span = facts.files.get(&u.path)?.line_span(line)?;
        facts.location(&u.path, span, Some(label))
    });
    let note = location.is_none().then(|| match u.line {
        Some(l) => format!("{}:{l}", u.path),
        None => u.path.clone(),
    });
    (location, note)
}

/// Whether a workspace package depends directly on a package named `name`.
pub fn depends_on(facts: &Facts, id: &PackageId, name: &str) -> bool {
    facts
        .graph
        .metadata(id)
        .is_ok_and(|p| p.direct_links().any(|l| l.to().name() == name))
}

/// The scanned sources of each workspace member, with its metadata, in package-id order.
pub fn workspace_sources(
    facts: &Facts,
) -> impl Iterator<Item = (PackageMetadata<'_>, &architect_model::PackageSources)> + '_ {
    facts.sources.packages.iter().filter_map(|(id, pkg)| {
        facts
            .graph
            .metadata(id)
            .ok()
            .filter(|m| m.in_workspace())
            .map(|m| (m, pkg))
    })
}
