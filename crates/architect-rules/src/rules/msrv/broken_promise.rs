//! `msrv/broken-promise`: a member whose `rust-version` is below what its own dependencies need.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use architect_model::{Facts, Finding, Level, Section};
use guppy::{PackageId, Version};

use crate::graph::{dependency_evidence, pkg_ref, shipped_links};
use crate::rule::{Ctx, Docs, FindingExt, Rule, name_list};

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
               needs it and who pulls it in, in one finding for the workspace (each member a \
               note, its `rust-version` line a location).",
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

/// What `cargo build -p MEMBER` builds, as its users build it: the closure over the shipped
/// links, walked only through the target packages the member built alone compiles
/// (`Facts::feature_builds`: crossbeam's facade turns on an optional dependency of
/// crossbeam-utils that crossbeam-utils' own users never build), so that what only another
/// member's features bring in, and the host packages only it needs, are left out.
pub(crate) fn member_build(facts: &Facts, member: &PackageId) -> BTreeSet<PackageId> {
    let Ok(meta) = facts.graph.metadata(member) else {
        return closure(facts, member);
    };
    let command = architect_model::BuildCommand::Package(meta.name().to_string());
    let Some((_, alone)) = facts.feature_builds.iter().find(|(c, _)| *c == command) else {
        return closure(facts, member);
    };
    let allowed = |id: &PackageId| {
        alone.contains_key(id)
            || !facts.target_packages.contains(id)
            || facts.graph.metadata(id).is_ok_and(|p| p.in_workspace())
    };
    let mut seen = BTreeSet::from([member.clone()]);
    let mut queue = VecDeque::from([member.clone()]);
    while let Some(id) = queue.pop_front() {
        let Ok(meta) = facts.graph.metadata(&id) else {
            continue;
        };
        for link in shipped_links(facts, &meta) {
            let to = link.to().id();
            if allowed(to) && seen.insert(to.clone()) {
                queue.push_back(to.clone());
            }
        }
    }
    seen
}

/// The highest `rust-version` in what `cargo build -p member` builds (itself aside), with
/// the package that declares it.
pub(super) fn needed<'g>(
    facts: &'g Facts,
    member: &PackageId,
) -> Option<(Version, guppy::graph::PackageMetadata<'g>)> {
    member_build(facts, member)
        .into_iter()
        .filter(|id| id != member)
        .filter_map(|id| facts.graph.metadata(&id).ok())
        .filter_map(|p| {
            p.rust_version()
                .map(|v| (Version::new(v.major, v.minor, v.patch), p))
        })
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.id().cmp(a.1.id())))
}

/// One member whose promise its dependencies break.
struct Broken<'g> {
    member: guppy::graph::PackageMetadata<'g>,
    declared: Version,
    needed: Version,
    culprit: guppy::graph::PackageMetadata<'g>,
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let mut broken: Vec<Broken<'_>> = facts
        .graph
        .workspace()
        .iter()
        .filter(|m| facts.scope.is_shipped_member(m.id()))
        .filter_map(|member| {
            let declared = member
                .rust_version()
                .map(|v| Version::new(v.major, v.minor, v.patch))?;
            let (needed, culprit) = needed(facts, member.id())?;
            (needed > declared).then_some(Broken {
                member,
                declared,
                needed,
                culprit,
            })
        })
        .collect();
    if broken.is_empty() {
        return Vec::new();
    }
    // The widest gap first: the promise furthest from the truth leads.
    broken.sort_by(|a, b| {
        (&b.needed, &a.declared, a.member.name()).cmp(&(&a.needed, &b.declared, b.member.name()))
    });
    vec![finding(cx, &broken)]
}

/// `1.65`, as a promise is written.
fn minor(v: &Version) -> String {
    format!("{}.{}", v.major, v.minor)
}

/// One finding for the workspace: each member a note and its `rust-version` line a location.
fn finding(cx: &Ctx<'_>, broken: &[Broken<'_>]) -> Finding {
    let facts = cx.facts;
    let first = &broken[0];
    let message = match broken {
        [one] => format!(
            "`{}` declares rust-version {} but `{}` requires {}: `cargo +{} build` fails",
            one.member.name(),
            minor(&one.declared),
            pkg_ref(&one.culprit),
            minor(&one.needed),
            minor(&one.declared),
        ),
        _ => {
            let rows: Vec<Row<'_>> = broken
                .iter()
                .map(|b| Row {
                    member: b.member.name(),
                    declared: minor(&b.declared),
                    needed: minor(&b.needed),
                    culprit: pkg_ref(&b.culprit).to_string(),
                })
                .collect();
            format!(
                "{} members promise a rust-version their dependencies break: {}",
                broken.len(),
                groups(&rows)
            )
        }
    };
    let mut needs: Vec<String> = broken.iter().map(|b| minor(&b.needed)).collect();
    needs.dedup();
    let help = match broken {
        [one] => format!(
            "raise rust-version to {}, or hold `{}` back to a release that supports {}; check the promise in CI with `cargo +{} check`",
            minor(&one.needed),
            one.culprit.name(),
            minor(&one.declared),
            minor(&one.declared)
        ),
        _ => format!(
            "raise each rust-version to what its dependencies need ({}), or hold them back to releases that fit (resolver 3 picks those), and check the promise in CI with `cargo +{} check`",
            needs.join(", "),
            minor(&first.declared)
        ),
    };
    let mut f = cx.finding(message, help);
    for b in broken {
        let location = facts
            .manifests
            .get(b.member.id())
            .and_then(|m| m.rust_version.clone().or_else(|| m.header().cloned()));
        f = f.package(pkg_ref(&b.member)).at(location);
        if broken.len() > 1 {
            f = f.note(format!(
                "`{}` declares {}; `{}` requires {}",
                b.member.name(),
                minor(&b.declared),
                pkg_ref(&b.culprit),
                minor(&b.needed)
            ));
        }
    }
    let mut culprits: Vec<_> = broken.iter().map(|b| pkg_ref(&b.culprit)).collect();
    culprits.sort();
    culprits.dedup();
    for c in culprits {
        f = f.package(c);
    }
    let (_, path) = dependency_evidence(facts, first.culprit.id());
    f.via(path)
        .costs(architect_model::Consequence::BrokenPromise)
}

/// One broken promise, as the message groups them.
struct Row<'a> {
    member: &'a str,
    declared: String,
    needed: String,
    culprit: String,
}

/// "1 declares 1.63 and needs 1.88 (`tracing-appender`; `time-core 0.1.9`); 11 declare 1.65
/// and need 1.71 (`tracing`, ... ; `log 0.4.35`, `proc-macro2 1.0.107`)", one group per
/// declared and needed version, in the order of `rows`.
fn groups(rows: &[Row<'_>]) -> String {
    // Per (declared, needed): the members, and the packages that need it.
    type Group<'r> = (Vec<&'r str>, BTreeSet<&'r str>);
    let mut by: BTreeMap<(&str, &str), Group<'_>> = BTreeMap::new();
    let mut order = Vec::new();
    for r in rows {
        let key = (r.declared.as_str(), r.needed.as_str());
        if !by.contains_key(&key) {
            order.push(key);
        }
        let e = by.entry(key).or_default();
        e.0.push(r.member);
        e.1.insert(r.culprit.as_str());
    }
    order
        .iter()
        .map(|key| {
            let (members, culprits) = &by[key];
            let culprits: Vec<&str> = culprits.iter().copied().collect();
            let one = members.len() == 1;
            format!(
                "{} {} {} and {} {} ({}; {})",
                members.len(),
                if one { "declares" } else { "declare" },
                key.0,
                if one { "needs" } else { "need" },
                key.1,
                name_list(members, 4),
                name_list(&culprits, 3)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
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

    #[test]
    fn several_members_group_by_promise_and_need() {
        let row = |member, declared: &str, needed: &str, culprit: &str| Row {
            member,
            declared: declared.into(),
            needed: needed.into(),
            culprit: culprit.into(),
        };
        let rows = [
            row("appender", "1.63", "1.88", "time-core 0.1.9"),
            row("core", "1.65", "1.71", "proc-macro2 1.0.107"),
            row("log", "1.65", "1.71", "log 0.4.35"),
            row("attributes", "1.65", "1.71", "proc-macro2 1.0.107"),
        ];
        assert_eq!(
            groups(&rows),
            "1 declares 1.63 and needs 1.88 (`appender`; `time-core 0.1.9`); 3 declare 1.65 \
             and need 1.71 (`core`, `log`, `attributes`; `log 0.4.35`, `proc-macro2 1.0.107`)"
        );
    }
}
