//! `msrv/effective`: the minimum Rust version the built dependencies really require.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use architect_model::{Facts, Finding, Level, Section};
use guppy::{PackageId, Version};

use crate::graph::{dependency_evidence, pkg_ref, shipped_links};
use crate::rule::{Ctx, Docs, FindingExt, Rule};
use crate::semver_util::rust_version;

pub static RULE: Rule = Rule {
    id: "msrv/effective",
    section: Section::Msrv,
    default_level: Level::Info,
    summary: "the real minimum Rust version, set by the dependencies actually built",
    docs: Docs {
        what: "Computes the highest `rust-version` among the third-party packages the shipped \
               members' `cargo build` builds for the reviewed platforms (dev-dependencies, \
               tooling members and `cfg(...)` edges that are off, such as `cfg(loom)`, do not \
               count) and names the packages that force it, with who pulls them in. A \
               member that declares a lower `rust-version` than its own dependencies require \
               is `warn`; a toolchain pin below the effective MSRV cannot build and is `deny`. \
               Packages that declare no `rust-version` are counted, since they make the \
               figure a lower bound.",
        why: "`rust-version` is a promise to users: `cargo +1.70 build` works. One dependency \
              update that needs a newer compiler breaks the promise without any change to \
              the workspace's own code, and nobody notices until a user on the old toolchain \
              reports it.",
        fix: "Either raise the declared `rust-version` to the effective one (honest), or hold \
              the dependency back to a release that fits (resolver 3 picks those \
              automatically), and check the MSRV in CI with `cargo +VERSION check`.",
        references: &[
            (
                "Cargo book: rust-version",
                "https://doc.rust-lang.org/cargo/reference/rust-version.html",
            ),
            (
                "RFC 3537: MSRV-aware resolver",
                "https://rust-lang.github.io/rfcs/3537-msrv-resolver.html",
            ),
        ],
    },
    options: &[],
    allow_list: false,
    check,
};

/// Packages `cargo build` builds from `root` on: its dependency closure over the links the
/// shipped build follows (no dev-dependencies; `cfg(...)` and features as resolved).
fn closure(facts: &Facts, root: &PackageId) -> BTreeSet<PackageId> {
    let mut seen = BTreeSet::from([root.clone()]);
    let mut queue = VecDeque::from([root.clone()]);
    while let Some(id) = queue.pop_front() {
        let Ok(meta) = facts.graph.metadata(&id) else {
            continue;
        };
        for link in shipped_links(facts, &meta) {
            let to = link.to().id();
            if seen.insert(to.clone()) {
                queue.push_back(to.clone());
            }
        }
    }
    seen
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let mut by_version: BTreeMap<Version, Vec<PackageId>> = BTreeMap::new();
    let mut undeclared = Vec::new();
    // What the workspace's users build: third-party packages of the shipped build.
    let shipped = facts
        .scope
        .shipped
        .iter()
        .filter_map(|id| facts.graph.metadata(id).ok());
    for p in shipped.filter(|p| !p.in_workspace()) {
        match p
            .rust_version()
            .map(|v| Version::new(v.major, v.minor, v.patch))
        {
            Some(v) => by_version.entry(v).or_default().push(p.id().clone()),
            None => undeclared.push(p.name().to_string()),
        }
    }
    let Some((effective, setters)) = by_version.iter().next_back() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let names = |ids: &[PackageId]| -> Vec<String> {
        ids.iter()
            .filter_map(|id| facts.graph.metadata(id).ok())
            .map(|p| format!("`{}`", pkg_ref(&p)))
            .collect()
    };
    let first = &setters[0];
    let (locations, path) = dependency_evidence(facts, first);
    let mut f = cx
        .finding(
            format!(
                "the effective MSRV is {}.{}, set by {}",
                effective.major,
                effective.minor,
                names(setters).join(", ")
            ),
            "declare it (or lower it by holding these back) and check it in CI with `cargo +VERSION check`",
        )
        .via(path)
        .at(locations.into_iter().next());
    for id in setters {
        if let Ok(p) = facts.graph.metadata(id) {
            f = f.package(pkg_ref(&p));
        }
    }
    for (v, ids) in by_version.iter().rev().skip(1).take(2) {
        f = f.note(format!(
            "next: {}.{} by {}",
            v.major,
            v.minor,
            names(ids).join(", ")
        ));
    }
    if !undeclared.is_empty() {
        undeclared.sort();
        undeclared.dedup();
        let shown: Vec<&str> = undeclared.iter().take(8).map(String::as_str).collect();
        f = f.note(format!(
            "{} packages declare no rust-version, so this is a lower bound: {}{}",
            undeclared.len(),
            shown.join(", "),
            if undeclared.len() > shown.len() {
                ", ..."
            } else {
                ""
            }
        ));
    }
    out.push(f);

    // Shipped members that promise less than their own dependencies need.
    for member in facts
        .graph
        .workspace()
        .iter()
        .filter(|m| facts.scope.is_shipped_member(m.id()))
    {
        let Some(declared) = member
            .rust_version()
            .map(|v| Version::new(v.major, v.minor, v.patch))
        else {
            continue;
        };
        let needed = closure(facts, member.id())
            .into_iter()
            .filter(|id| id != member.id())
            .filter_map(|id| facts.graph.metadata(&id).ok())
            .filter_map(|p| {
                p.rust_version()
                    .map(|v| (Version::new(v.major, v.minor, v.patch), p))
            })
            .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.id().cmp(a.1.id())));
        let Some((needed, culprit)) = needed else {
            continue;
        };
        if needed <= declared {
            continue;
        }
        let (_, path) = dependency_evidence(facts, culprit.id());
        let location = facts
            .manifests
            .get(member.id())
            .and_then(|m| m.rust_version.clone().or_else(|| m.header().cloned()));
        out.push(
            cx.finding(
                format!(
                    "`{}` declares rust-version {}.{} but `{}` requires {}.{}: `cargo +{}.{} build` fails",
                    member.name(),
                    declared.major,
                    declared.minor,
                    pkg_ref(&culprit),
                    needed.major,
                    needed.minor,
                    declared.major,
                    declared.minor
                ),
                format!(
                    "raise rust-version to {}.{}, or hold `{}` back to a release that supports {}.{}",
                    needed.major, needed.minor, culprit.name(), declared.major, declared.minor
                ),
            )
            .level(Level::Warn)
            .package(pkg_ref(&member))
            .package(pkg_ref(&culprit))
            .via(path)
            .at(location),
        );
    }

    // A toolchain pin below the effective MSRV cannot build the workspace.
    if let Some(pin) = facts.toolchain.pin()
        && let Some(pinned) = pin.channel.as_deref().and_then(rust_version)
        && &pinned < effective
    {
        out.push(
            cx.finding(
                format!(
                    "the toolchain pin {} is below the effective MSRV {}.{}: this workspace cannot build with it",
                    pin.channel.as_deref().unwrap_or_default(),
                    effective.major,
                    effective.minor
                ),
                "raise the pin to the effective MSRV or later",
            )
            .level(Level::Deny)
            .at(Some(pin.location.clone())),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, registry_ws, run};

    #[test]
    fn effective_msrv_and_a_broken_promise() {
        let f = run(&RULE, registry_ws());
        assert_eq!(f.len(), 2);
        assert!(
            f[0].message
                .starts_with("the effective MSRV is 1.80, set by `msrvlib 3.1.0`")
        );
        assert!(
            f[0].notes
                .iter()
                .any(|n| n.starts_with("8 packages declare no rust-version"))
        );
        assert_eq!(f[1].level, Level::Warn);
        assert_eq!(f[1].packages[0].name, "app");
        assert_eq!(f[1].locations[0].line, 5, "app's rust-version line");
        // Only workspace members and path packages: no third-party rust-version to speak of.
        assert!(run(&RULE, clean()).is_empty());
    }

    #[test]
    fn effective_msrv_counts_only_what_is_shipped() {
        crate::assert_rule_snapshot!(&RULE, "scope");
    }
}
