//! `async/runtimes`: the async runtimes in the build, and which members pull each in.

use std::collections::BTreeSet;

use architect_model::{BuildCommand, Facts, Finding, Level, Location, Section};
use guppy::graph::PackageMetadata;

use crate::graph::{dependency_evidence, pkg_ref, shipped_dependents, shipped_named};
use crate::rule::{Ctx, Docs, FindingExt, Rule};
pub use architect_model::catalogue::RUNTIMES;

pub static RULE: Rule = Rule {
    id: "async/runtimes",
    section: Section::Async,
    default_level: Level::Info,
    summary: "the async runtime of the shipped build",
    docs: Docs {
        what: "Names the async runtime of the shipped build (tokio, async-std, smol, glommio, \
               monoio, …: what `cargo build` of the members that are not tooling builds, no \
               dev-dependencies; tokio only with its `rt` executor, not for its I/O traits and \
               channels alone) and the shipped members that depend on it directly. A runtime \
               that only example or benchmark packages bring in (tracing's examples, sqlx's) \
               is not shipped. More than one is `async/several-runtimes`; a discontinued one is also \
               `async/discontinued-runtime`.",
        why: "A runtime is an architectural commitment: its I/O types, timers and spawn \
              functions spread through the code, and libraries built on one rarely work on \
              another. Two runtimes in one binary means two thread pools and reactors, futures \
              that panic when polled on the wrong one, and twice the dependencies. async-std \
              was discontinued in March 2025 (RUSTSEC-2025-0052); its users must move to smol \
              or tokio.",
        fix: "Pick one runtime per binary. Keep library crates runtime-agnostic (`futures` \
              traits, runtime chosen by the binary). Migrate async-std code to smol (closest \
              API) or tokio.",
        references: &[
            (
                "RUSTSEC-2025-0052: async-std discontinued",
                "https://rustsec.org/advisories/RUSTSEC-2025-0052.html",
            ),
            ("Tokio", "https://tokio.rs/"),
        ],
    },
    options: &[],
    allow_list: true,
    check,
};

/// The runtimes of the shipped build (what the workspace's binaries and libraries run; a
/// dev-dependency's executor runs only in tests).
pub(crate) fn shipped_runtimes(facts: &Facts) -> Vec<PackageMetadata<'_>> {
    shipped_named(facts, RUNTIMES)
        .filter(|p| has_executor(facts, p))
        .collect()
}

/// Whether a runtime crate brings its executor: tokio only with `rt` or `rt-multi-thread`
/// (hyper, h2 and many libraries use tokio for its I/O traits and channels alone), as
/// `cargo build --workspace` resolves its features. A tokio without an `rt` feature to turn
/// off, or whose features are unknown, counts as an executor.
pub(crate) fn has_executor(facts: &Facts, p: &PackageMetadata<'_>) -> bool {
    if p.name() != "tokio" || !p.named_features().any(|f| f == "rt") {
        return true;
    }
    let workspace = facts
        .feature_builds
        .iter()
        .find(|(command, _)| *command == BuildCommand::Workspace)
        .and_then(|(_, features)| features.get(p.id()));
    workspace.is_none_or(|features| features.iter().any(|f| f == "rt" || f == "rt-multi-thread"))
}

/// Who uses a runtime: the shipped members that depend on it directly, or "transitively".
pub(crate) fn users(facts: &Facts, name: &str) -> (String, Vec<Location>) {
    let users = shipped_dependents(facts, name);
    let names: Vec<String> = users.iter().map(|(m, _)| format!("`{}`", m.name)).collect();
    let by = if names.is_empty() {
        "pulled in transitively".to_string()
    } else {
        format!("used directly by {}", names.join(", "))
    };
    (by, users.into_iter().filter_map(|(_, l)| l).collect())
}

/// A runtime finding cited at its direct users' lines, or at the line that pulls it in.
pub(crate) fn cited(
    facts: &Facts,
    f: Finding,
    p: &PackageMetadata<'_>,
    direct: Vec<Location>,
) -> Finding {
    let (locations, path) = dependency_evidence(facts, p.id());
    let f = f.package(pkg_ref(p)).via(path);
    if direct.is_empty() {
        f.at(locations.into_iter().next())
    } else {
        direct.into_iter().fold(f, |f, l| f.at(Some(l)))
    }
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let found = shipped_runtimes(facts);
    let distinct: BTreeSet<&str> = found.iter().map(|p| p.name()).collect();
    // More than one is `async/several-runtimes`.
    if distinct.len() != 1 {
        return Vec::new();
    }
    found
        .iter()
        .map(|p| {
            let (by, direct) = users(facts, p.name());
            let f = cx.finding(
                format!("runtime `{}` ({by})", pkg_ref(p)),
                "keep library crates runtime-agnostic so the binary chooses the runtime",
            );
            cited(facts, f, p, direct)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, fixture, kitchen_sink, run};

    #[test]
    fn the_one_runtime_of_the_shipped_build() {
        // svc's dev-dependency async-std runs only in its tests: one runtime, tokio.
        crate::assert_rule_snapshot!(&RULE, "scope");
        // async-std ships through a dependency; tokio ships without `rt` (as hyper uses it)
        // and with `rt` only as a dev-dependency.
        crate::assert_rule_snapshot!(&RULE, "telemetry-dep");
        // Two runtimes are `async/several-runtimes`, not a list here.
        assert!(run(&RULE, kitchen_sink()).is_empty());
        assert!(run(&RULE, clean()).is_empty());
    }

    #[test]
    fn a_runtime_only_an_example_brings_in_is_not_shipped() {
        // `examples/demo` depends on tokio and is not named; the unpublished application
        // `server` depends on it and turns on `db`'s optional tokio in the shipped build.
        let f = run(&RULE, fixture("optional-runtime"));
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "runtime `tokio 1.40.0` (used directly by `db`, `server`)"
        );
    }
}
