//! `msrv/broken-promise`: a member whose `rust-version` is below what its own dependencies need.

use std::collections::{BTreeSet, VecDeque};

use architect_model::{Facts, Finding, Level, Section};
use guppy::{PackageId, Version};

use crate::graph::{dependency_evidence, pkg_ref, shipped_links};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "msrv/broken-promise",
    section: Section::Msrv,
    default_level: Level::Warn,
    summary: "members whose declared rust-version is below what their own dependencies require",
    docs: Docs {
        what: "For each shipped member that declares `rust-version`, computes the highest \
               `rust-version` among the packages its `cargo build` builds for the reviewed \
               platforms (no dev-dependencies, `cfg(...)` edges evaluated) and reports the \
               member when that is higher than what it declares, with the dependency that \
               needs it and who pulls it in.",
        why: "`rust-version` is a promise to users: `cargo +1.70 build` works. One dependency \
              update that needs a newer compiler breaks the promise without any change to \
              the workspace's own code, and nobody notices until a user on the old toolchain \
              reports it.",
        fix: "Either raise the declared `rust-version` to what the dependencies need (honest), \
              or hold the dependency back to a release that fits (resolver 3 picks those \
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

/// The highest `rust-version` in the shipped closure of `member` (itself aside), with the
/// package that declares it.
pub(super) fn needed<'g>(
    facts: &'g Facts,
    member: &PackageId,
) -> Option<(Version, guppy::graph::PackageMetadata<'g>)> {
    closure(facts, member)
        .into_iter()
        .filter(|id| id != member)
        .filter_map(|id| facts.graph.metadata(&id).ok())
        .filter_map(|p| {
            p.rust_version()
                .map(|v| (Version::new(v.major, v.minor, v.patch), p))
        })
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.id().cmp(a.1.id())))
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let mut out = Vec::new();
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
        let Some((needed, culprit)) = needed(facts, member.id()) else {
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
            .package(pkg_ref(&member))
            .package(pkg_ref(&culprit))
            .via(path)
            .at(location)
            .costs(architect_model::Consequence::BrokenPromise),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, registry_ws, run};

    #[test]
    fn a_member_that_promises_less_than_its_dependencies_need() {
        let f = run(&RULE, registry_ws());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].packages[0].name, "app");
        assert_eq!(f[0].locations[0].line, 5, "app's rust-version line");
        assert!(run(&RULE, clean()).is_empty());
    }

    #[test]
    fn only_what_the_member_ships_counts() {
        // svc declares 1.68; tokio, a normal dependency, needs 1.70. Its dev-dependency
        // `newer` and the cfg(loom) dependency do not count.
        crate::assert_rule_snapshot!(&RULE, "scope");
    }
}
