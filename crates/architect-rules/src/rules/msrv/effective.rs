//! `msrv/effective`: the minimum Rust version the built dependencies really require.

use std::collections::BTreeMap;

use architect_model::{Facts, Finding, Level, Section};
use guppy::{PackageId, Version};

use crate::graph::{dependency_evidence, pkg_ref};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "msrv/effective",
    section: Section::Msrv,
    default_level: Level::Info,
    summary: "the real minimum Rust version, set by the dependencies actually built",
    docs: Docs {
        what: "Computes the highest `rust-version` among the third-party packages the shipped \
               members' `cargo build` builds for the reviewed platforms (dev-dependencies, \
               tooling members and `cfg(...)` edges that are off, such as `cfg(loom)`, do not \
               count) and names the packages that force it, with who pulls them in. \
               Packages that declare no `rust-version` are counted, since they make the \
               figure a lower bound. Not reported when every shipped member keeps its promise \
               (published members declare a `rust-version` no lower than their own \
               dependencies need): the workspace-wide figure then asks nothing of anyone. A member that promises less than its \
               dependencies need is \
               `msrv/broken-promise`; a toolchain pin below the effective MSRV is \
               `msrv/pin-below-msrv`.",
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

/// The effective MSRV of the shipped build: the highest `rust-version` among its third-party
/// packages, the packages that declare it, and the names of those that declare none.
pub(crate) struct Effective {
    pub version: Version,
    pub setters: Vec<PackageId>,
    /// Every lower version, highest first, with its packages.
    pub next: Vec<(Version, Vec<PackageId>)>,
    pub undeclared: Vec<String>,
}

/// What the workspace's users build: third-party packages of the shipped build.
pub(crate) fn effective(facts: &Facts) -> Option<Effective> {
    let mut by_version: BTreeMap<Version, Vec<PackageId>> = BTreeMap::new();
    let mut undeclared = Vec::new();
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
    undeclared.sort();
    undeclared.dedup();
    let (version, setters) = by_version.pop_last()?;
    Some(Effective {
        version,
        setters,
        next: by_version.into_iter().rev().collect(),
        undeclared,
    })
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let Some(e) = effective(facts) else {
        return Vec::new();
    };
    if promises_cover(facts) {
        return Vec::new();
    }
    let names = |ids: &[PackageId]| -> Vec<String> {
        ids.iter()
            .filter_map(|id| facts.graph.metadata(id).ok())
            .map(|p| format!("`{}`", pkg_ref(&p)))
            .collect()
    };
    let first = &e.setters[0];
    let (locations, path) = dependency_evidence(facts, first);
    let mut f = cx
        .finding(
            format!(
                "the effective MSRV is {}.{}, set by {}",
                e.version.major,
                e.version.minor,
                names(&e.setters).join(", ")
            ),
            "declare it (or lower it by holding these back) and check it in CI with `cargo +VERSION check`",
        )
        .via(path)
        .at(locations.into_iter().next());
    for id in &e.setters {
        if let Ok(p) = facts.graph.metadata(id) {
            f = f.package(pkg_ref(&p));
        }
    }
    for (v, ids) in e.next.iter().take(2) {
        f = f.note(format!(
            "next: {}.{} by {}",
            v.major,
            v.minor,
            names(ids).join(", ")
        ));
    }
    if !e.undeclared.is_empty() {
        let shown: Vec<&str> = e.undeclared.iter().take(8).map(String::as_str).collect();
        f = f.note(format!(
            "{} packages declare no rust-version, so this is a lower bound: {}{}",
            e.undeclared.len(),
            shown.join(", "),
            if e.undeclared.len() > shown.len() {
                ", ..."
            } else {
                ""
            }
        ));
    }
    vec![f]
}

/// Whether every shipped member keeps its promise: each declares a `rust-version` (an
/// unpublished one may leave it to its toolchain pin) no lower than what its own dependencies
/// need (`msrv/broken-promise` compares the two). The workspace-wide figure then asks nothing
/// of anyone: a member with few dependencies may rightly promise less than it.
fn promises_cover(facts: &architect_model::Facts) -> bool {
    facts
        .graph
        .workspace()
        .iter()
        .filter(|m| facts.scope.is_shipped_member(m.id()))
        .all(|m| match m.rust_version() {
            Some(v) => super::broken_promise::needed(facts, m.id())
                .is_none_or(|(needed, _)| needed <= Version::new(v.major, v.minor, v.patch)),
            None => !facts.scope.is_published(m.id()),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, registry_ws, run};

    #[test]
    fn effective_msrv_with_what_sets_it() {
        let f = run(&RULE, registry_ws());
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .starts_with("the effective MSRV is 1.80, set by `msrvlib 3.1.0`")
        );
        assert!(
            f[0].notes
                .iter()
                .any(|n| n.starts_with("8 packages declare no rust-version"))
        );
        // Only workspace members and path packages: no third-party rust-version to speak of.
        assert!(run(&RULE, clean()).is_empty());
    }

    #[test]
    fn quiet_when_every_shipped_member_promises_enough() {
        // optional-runtime: msrvlib needs 1.80; the published `db` promises 1.85 and the
        // unpublished `server` leaves it to its toolchain.
        let facts = crate::testing::fixture("optional-runtime");
        let e = effective(facts).expect("msrvlib declares a rust-version");
        assert_eq!((e.version.major, e.version.minor), (1, 80));
        assert!(run(&RULE, facts).is_empty());
    }

    #[test]
    fn effective_msrv_counts_only_what_is_shipped() {
        crate::assert_rule_snapshot!(&RULE, "scope");
    }
}
