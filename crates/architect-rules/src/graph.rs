//! Graph queries shared by rules: inclusion paths and the lines that declare a dependency.

use architect_model::{Facts, Location, PackageRef};
use guppy::PackageId;
use guppy::graph::{PackageLink, PackageMetadata};

pub fn pkg_ref(p: &PackageMetadata<'_>) -> PackageRef {
    PackageRef::new(p.name(), p.version())
}

/// The dependency links of `meta` that the build follows on the reviewed platforms: features
/// resolved, `cfg(...)` evaluated, dev-dependencies only from workspace members.
pub fn built_links<'g>(
    facts: &'g Facts,
    meta: &PackageMetadata<'g>,
) -> impl Iterator<Item = PackageLink<'g>> + 'g {
    let from = meta.id().clone();
    meta.direct_links()
        .filter(move |l| facts.scope.edge_built(&from, l.to().id()))
}

/// The links of `meta` that the shipped build follows (no dev-dependencies, no tooling
/// members).
pub fn shipped_links<'g>(
    facts: &'g Facts,
    meta: &PackageMetadata<'g>,
) -> impl Iterator<Item = PackageLink<'g>> + 'g {
    let from = meta.id().clone();
    meta.direct_links()
        .filter(move |l| facts.scope.edge_shipped(&from, l.to().id()))
}

/// The shortest chain of built packages from a workspace member to `target`, member first,
/// over the links the build follows ([`built_links`]).
pub fn inclusion_path(facts: &Facts, target: &PackageId) -> Vec<PackageId> {
    let is_member = facts.graph.metadata(target).is_ok_and(|m| m.in_workspace());
    facts.scope.chain_to(target, is_member)
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
    dependents(facts, name, |m| {
        built_links(facts, m).any(|l| l.to().name() == name)
    })
}

/// Members for which `depends` holds, with the line that declares `name`.
fn dependents<'g>(
    facts: &'g Facts,
    name: &str,
    depends: impl Fn(&PackageMetadata<'g>) -> bool,
) -> Vec<(PackageRef, Option<Location>)> {
    facts
        .graph
        .workspace()
        .iter()
        .filter(|m| depends(m))
        .map(|m| {
            let loc = facts
                .manifests
                .get(m.id())
                .and_then(|d| d.dep(name).cloned());
            (pkg_ref(&m), loc)
        })
        .collect()
}

/// Shipped members that depend directly on a package named `name` over a shipped link (no
/// dev-dependency, no tooling member), with the declaring line.
pub fn shipped_dependents(facts: &Facts, name: &str) -> Vec<(PackageRef, Option<Location>)> {
    dependents(facts, name, |m| {
        facts.scope.is_shipped_member(m.id())
            && shipped_links(facts, m).any(|l| l.to().name() == name)
    })
}

/// Packages of the shipped build with one of these names, in id order.
pub fn shipped_named<'a>(
    facts: &'a Facts,
    names: &'a [&'a str],
) -> impl Iterator<Item = PackageMetadata<'a>> + 'a {
    facts
        .scope
        .shipped
        .iter()
        .filter_map(|id| facts.graph.metadata(id).ok())
        .filter(move |p| names.contains(&p.name()))
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

/// A site of a per-crate finding: what it is (`fn load`, `enum ParseError`) and where.
pub type Site = (String, Option<Location>);

/// One finding for every site of one crate: the first site is its location, each site a note
/// (`fn load at src/lib.rs:12`), so JSON keeps every occurrence and a reader sees one line.
pub fn per_crate(
    cx: &crate::rule::Ctx<'_>,
    meta: &PackageMetadata<'_>,
    message: String,
    help: &str,
    sites: Vec<Site>,
) -> architect_model::Finding {
    use crate::rule::FindingExt;
    let first = sites.iter().find_map(|(_, l)| l.clone());
    let mut f = cx.finding(message, help).package(pkg_ref(meta)).at(first);
    for (item, at) in sites {
        f = f.note(match at {
            Some(l) => format!("{item} at {}:{}", l.path, l.line),
            None => item,
        });
    }
    f
}

/// The items of `sites`, for a message: the first few as written, then how many more.
pub fn site_names(sites: &[Site]) -> String {
    const SHOWN: usize = 4;
    let list = sites
        .iter()
        .take(SHOWN)
        .map(|(i, _)| i.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    match sites.len().saturating_sub(SHOWN) {
        0 => list,
        more => format!("{list} and {more} more"),
    }
}

/// Whether a workspace package depends directly on a package named `name`.
pub fn depends_on(facts: &Facts, id: &PackageId, name: &str) -> bool {
    facts
        .graph
        .metadata(id)
        .is_ok_and(|p| p.direct_links().any(|l| l.to().name() == name))
}

/// The scanned sources of each member the workspace ships (not tooling; see
/// `ScopeFacts::roles`), with its metadata, in package-id order.
pub fn shipped_sources(
    facts: &Facts,
) -> impl Iterator<Item = (PackageMetadata<'_>, &architect_model::PackageSources)> + '_ {
    workspace_sources(facts).filter(|(m, _)| facts.scope.is_shipped_member(m.id()))
}

/// Whether a package's library exists to back its own binary: it has a `[[bin]]` target and
/// no other published member's shipped code depends on it (sqlx-cli, ruff: a CLI's `lib.rs`,
/// used at most by the workspace's own tools and tests). Its untyped errors and exhaustive
/// enums are the application's own choice, not an API others build against.
///
/// Not generalised to "every dependent is an application": eszip (used in the workspace only
/// by deno's CLI) and sqlx's drivers (which reach only sqlx-cli) are libraries for the world
/// shaped exactly like ruff_linter, an internal component; the graph cannot tell them apart.
pub fn backs_own_binary(facts: &Facts, meta: &PackageMetadata<'_>) -> bool {
    let has_bin = meta
        .build_targets()
        .any(|t| matches!(t.id(), guppy::graph::BuildTargetId::Binary(_)));
    let used_by_published = meta.reverse_direct_links().any(|l| {
        let from = l.from().id();
        from != meta.id()
            && facts.scope.is_published(from)
            && l.from().in_workspace()
            && facts.scope.edge_shipped(from, meta.id())
    });
    has_bin && !used_by_published
}

/// The published members whose API crates outside the workspace build against, with their
/// sources: not a library that backs the workspace's own binary ([`backs_own_binary`]), not a
/// library only the members' tests use ([`ScopeFacts::tests_only`]), and not a crate whose
/// description says it is not for direct use ([`ScopeFacts::internal`]) unless another
/// published member re-exports it whole (`pub use sqlx_mysql::{self as mysql}`), which makes
/// its API that member's.
///
/// [`ScopeFacts::internal`]: architect_model::ScopeFacts::internal
/// [`ScopeFacts::tests_only`]: architect_model::ScopeFacts::tests_only
pub fn api_sources(
    facts: &Facts,
) -> impl Iterator<Item = (PackageMetadata<'_>, &architect_model::PackageSources)> + '_ {
    let exposed = exposed_internals(facts);
    published_sources(facts).filter(move |(m, _)| {
        !backs_own_binary(facts, m)
            && !facts.scope.tests_only.contains(m.id())
            && (!facts.scope.internal.contains_key(m.id()) || exposed.contains(m.id()))
    })
}

/// The internal members that a published, not internal member re-exports whole in shipped
/// code: `pub use x;`, `pub use x as y;`, `pub use x::{self as y}` or `pub use x::*`.
fn exposed_internals(facts: &Facts) -> std::collections::BTreeSet<PackageId> {
    let internal: Vec<(String, PackageId)> = facts
        .scope
        .internal
        .keys()
        .filter_map(|id| facts.graph.metadata(id).ok())
        .map(|m| (m.name().replace('-', "_"), m.id().clone()))
        .collect();
    let mut out = std::collections::BTreeSet::new();
    let facades =
        published_sources(facts).filter(|(m, _)| !facts.scope.internal.contains_key(m.id()));
    for (_, pkg) in facades {
        for file in pkg
            .files
            .iter()
            .filter(|f| f.scope == architect_model::CodeScope::Shipped)
        {
            for r in &file.facts.re_exports {
                let whole = match r.path.as_slice() {
                    [_] => true,
                    [_, second] => second == "self",
                    _ => false,
                };
                if let (true, Some(first)) = (whole, r.path.first())
                    && let Some((_, id)) = internal.iter().find(|(n, _)| n == first)
                {
                    out.insert(id.clone());
                }
            }
        }
    }
    out
}

/// The scanned sources of each published member (an API crates outside the workspace build
/// against), with its metadata, in package-id order.
pub fn published_sources(
    facts: &Facts,
) -> impl Iterator<Item = (PackageMetadata<'_>, &architect_model::PackageSources)> + '_ {
    workspace_sources(facts).filter(|(m, _)| facts.scope.is_published(m.id()))
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

#[cfg(test)]
mod tests {
    use architect_model::{CodeScope, MemberRole};

    use crate::testing::fixture;

    #[test]
    fn example_packages_are_tooling() {
        let facts = fixture("optional-runtime");
        let role = |n: &str| {
            let m = facts.graph.workspace().member_by_name(n).unwrap();
            facts.scope.role(m.id())
        };
        // `demo` lives under `examples/`; `testkit` serves `db`'s tests only; `server` is an
        // unpublished application.
        assert_eq!(role("demo"), MemberRole::Tooling);
        assert_eq!(role("testkit"), MemberRole::Tooling);
        assert_eq!(role("server"), MemberRole::Unpublished);
        assert_eq!(role("db"), MemberRole::Published);
        let names = |ids: &std::collections::BTreeSet<guppy::PackageId>| {
            let mut v: Vec<String> = ids
                .iter()
                .map(|id| facts.graph.metadata(id).unwrap().name().to_string())
                .collect();
            v.sort();
            v
        };
        assert_eq!(
            names(&facts.scope.shipped),
            ["db", "msrvlib", "server", "tokio"]
        );
    }

    #[test]
    fn the_scope_model_of_a_workspace() {
        let facts = fixture("scope");
        let name = |id: &guppy::PackageId| facts.graph.metadata(id).unwrap().name().to_string();
        let roles: Vec<(String, MemberRole)> = facts
            .scope
            .roles
            .iter()
            .map(|(id, r)| (name(id), *r))
            .collect();
        let mut roles = roles;
        roles.sort();
        assert_eq!(
            roles,
            [
                ("api".to_string(), MemberRole::Published),
                ("engine".to_string(), MemberRole::Unpublished),
                ("glue".to_string(), MemberRole::Unpublished),
                ("internal".to_string(), MemberRole::Unpublished),
                ("svc".to_string(), MemberRole::Published),
                ("svc-fuzz".to_string(), MemberRole::Tooling),
                ("xtask".to_string(), MemberRole::Tooling),
            ]
        );
        let mut shipped: Vec<String> = facts.scope.shipped.iter().map(name).collect();
        shipped.sort();
        // No cfg(loom) edge, no optional dependency whose feature is off, no dev-dependency,
        // no fuzz harness, no edge under a cfg that is off for the host.
        assert_eq!(
            shipped,
            [
                "anyhow", "api", "engine", "glue", "hyperish", "internal", "svc", "tokio", "webish"
            ]
        );
        let why: Vec<&str> = facts
            .scope
            .unpublished
            .values()
            .map(String::as_str)
            .collect();
        assert_eq!(why.len(), 3, "{why:?}");
        for reason in [
            "`publish = false`",
            "version 0.0.0: an internal crate's numbering",
            "its dependency on `svc` has no version requirement: `cargo publish` refuses it",
        ] {
            assert!(why.contains(&reason), "{why:?}");
        }
        let mut built: Vec<String> = facts.built().map(|p| p.name().to_string()).collect();
        built.sort();
        assert_eq!(
            built,
            [
                "anyhow",
                "api",
                "async-std",
                "engine",
                "glue",
                "hyperish",
                "internal",
                "libfuzzer-sys",
                "newer",
                "svc",
                "svc-fuzz",
                "tokio",
                "webish",
                "xtask"
            ]
        );
        let id = |n: &str| {
            facts
                .graph
                .packages()
                .find(|p| p.name() == n)
                .unwrap()
                .id()
                .clone()
        };
        assert!(facts.scope.edge_shipped(&id("svc"), &id("tokio")));
        assert!(facts.scope.edge_built(&id("svc"), &id("async-std")));
        assert!(!facts.scope.edge_shipped(&id("svc"), &id("async-std")));
        assert!(!facts.scope.edge_built(&id("webish"), &id("tokio")));
        assert!(!facts.scope.edge_built(&id("svc"), &id("loom")));

        let svc = &facts.sources.packages[&id("svc")];
        let scopes: Vec<(&str, CodeScope)> = svc
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.scope))
            .collect();
        assert_eq!(
            scopes,
            [
                ("svc/src/lib.rs", CodeScope::Shipped),
                ("svc/src/tests.rs", CodeScope::Dev),
                ("svc/tests/it.rs", CodeScope::Dev),
            ]
        );
    }
}
