//! `supply-chain/unbuilt-advisory`: RustSec advisories that cannot affect the build (locked
//! versions it never compiles for the reviewed platforms, affected items nothing names, features
//! the build leaves off),
//! gathered in one finding.

use std::collections::{BTreeMap, BTreeSet};

use architect_model::{AdvisoryMatch, Facts, Finding, Level, PackageRef, Section};
use guppy::PackageId;

use super::advisory::{self, Unreached};
use crate::graph::pkg_ref;
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "supply-chain/unbuilt-advisory",
    section: Section::SupplyChain,
    default_level: Level::Info,
    summary: "RustSec advisories that cannot affect this build: versions it never compiles, functions it never names",
    docs: Docs {
        what: "Matches `Cargo.lock` against the RustSec advisory database as \
               `supply-chain/vulnerability` does, and gathers in one finding per workspace the \
               advisories of any kind (vulnerability, unsound, unmaintained, notice) that \
               cannot affect the build: on locked versions it does not compile for the \
               reviewed platforms (a dependency of another platform, or behind an optional \
               feature that is off), on versions only tests, examples, benchmarks or tooling \
               members build (nothing the workspace ships), those whose \
               `[affected.functions]` no shipped crate that depends on the package names (in \
               a file that also names the crate or the method's type; behind a re-export, \
               anywhere in the re-exporter's dependents), unsound ones that list no functions \
               but whose text names the package's own items (`StackSlot`, `listener!`, \
               checked to be defined in its sources) that nothing names, and unsound ones \
               whose text makes enabled features a precondition (\"the `log` and \
               `thread_rng` features are enabled\") that the build leaves off. Every advisory \
               is a note with its \
               reason, every lock entry a location; the message counts them and names the \
               edges (a built package to an unbuilt one) that bring most unbuilt ones in.",
        why: "A locked version that is never compiled, or a flaw in a function nothing calls, \
              does not ship in this build, so it is not a risk here; it is still in \
              `Cargo.lock`, where cargo-audit and cargo-deny will report it, and it becomes a \
              risk the day a platform, a feature or a new call selects it. One finding, since \
              one optional feature often pulls a whole legacy subgraph in.",
        fix: "Update them when it is cheap (`cargo update -p NAME`), drop the optional edge \
              named in the message if nothing needs it, or review with the platforms that \
              build them (`--target`).",
        references: &[
            ("RustSec advisory database", "https://rustsec.org/"),
            (
                "cargo-audit",
                "https://github.com/rustsec/rustsec/tree/main/cargo-audit",
            ),
        ],
    },
    options: &[],
    allow_list: false,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let all = advisory::unreached(facts);
    if all.is_empty() {
        return Vec::new();
    }
    let unbuilt: Vec<&AdvisoryMatch> = all
        .iter()
        .filter(|(_, why)| *why == Unreached::NotBuilt)
        .map(|(m, _)| *m)
        .collect();
    let count_of = |kind: Unreached| all.iter().filter(|(_, why)| *why == kind).count();
    let (dev_only, uncalled) = (count_of(Unreached::DevOnly), count_of(Unreached::NotCalled));
    let feature_off = count_of(Unreached::FeatureOff);
    let mut parts = Vec::new();
    if !unbuilt.is_empty() {
        parts.push(format!(
            "{} on locked versions the build never compiles{}",
            unbuilt.len(),
            causes(facts, &unbuilt)
        ));
    }
    if dev_only > 0 {
        parts.push(format!(
            "{dev_only} on versions only tests, examples or tooling build"
        ));
    }
    if uncalled > 0 {
        parts.push(format!(
            "{uncalled} whose affected items nothing in the build names"
        ));
    }
    if feature_off > 0 {
        parts.push(format!(
            "{feature_off} that need a feature the build leaves off"
        ));
    }
    let message = format!(
        "{} RustSec advisor{} cannot affect this build: {}",
        all.len(),
        if all.len() == 1 { "y" } else { "ies" },
        parts.join("; ")
    );
    let mut f = cx.finding(
        message,
        "nothing ships the flaws; cargo-audit and cargo-deny still report these lock entries, so \
         `cargo update -p NAME` where a compatible fix exists keeps them quiet; review with \
         `--target` for the platforms that build the rest",
    );
    let mut packages: Vec<PackageRef> = all.iter().map(|(m, _)| m.package.clone()).collect();
    packages.sort();
    packages.dedup();
    for p in packages {
        f = f.at(facts.lock_location(&p.name, &p.version)).package(p);
    }
    for (m, why) in &all {
        let reason = match why {
            Unreached::NotBuilt => "not compiled by this build".to_string(),
            Unreached::DevOnly => "built only for tests, examples or tooling".to_string(),
            Unreached::NotCalled => advisory::evidence_note(m).unwrap_or_default(),
            Unreached::FeatureOff => advisory::feature_note(m).unwrap_or_default(),
        };
        f = f.note(format!(
            "{} {}: `{}`: {} ({reason})",
            m.id,
            advisory::kind_word(&m.kind),
            m.package,
            m.title
        ));
    }
    vec![f]
}

/// The edges that bring unbuilt advisory packages into `Cargo.lock`: from a built package (or
/// member) to a package the build does not compile, found by walking back from each advisory
/// package over unbuilt packages. The one or two edges behind most advisories, as
/// ` (mostly through `a` -> `b`)`; empty when no edge is found.
fn causes(facts: &Facts, unbuilt: &[&AdvisoryMatch]) -> String {
    let built: BTreeSet<&PackageId> = facts.built().map(|p| p.id()).collect();
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for m in unbuilt {
        let Some(start) = facts
            .graph
            .packages()
            .find(|p| p.name() == m.package.name && p.version().to_string() == m.package.version)
        else {
            continue;
        };
        let mut seen: BTreeSet<&PackageId> = BTreeSet::from([start.id()]);
        let mut queue = vec![start];
        let mut entries: BTreeSet<(String, String)> = BTreeSet::new();
        while let Some(p) = queue.pop() {
            for l in p.reverse_direct_links() {
                let from = l.from();
                if built.contains(from.id()) {
                    entries.insert((from.name().to_string(), pkg_ref(&p).to_string()));
                } else if seen.insert(from.id()) {
                    queue.push(from);
                }
            }
        }
        for e in entries {
            *counts.entry(e).or_default() += 1;
        }
    }
    let mut ranked: Vec<((String, String), usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let named: Vec<String> = ranked
        .iter()
        .take(2)
        .map(|((from, to), n)| format!("`{from}` -> `{to}` ({n})"))
        .collect();
    if named.is_empty() {
        return String::new();
    }
    format!(
        " (through edges the build does not follow: an optional feature that is off or \
         another platform; mostly {})",
        named.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, fixture, registry_ws, run};

    #[test]
    fn one_finding_for_advisories_whose_functions_nothing_calls() {
        // Advisories on packages of other platforms are covered end to end in
        // tests/advisories.rs. RUSTSEC-2099-0001 (its function is called) stays a
        // vulnerability; RUSTSEC-2099-0008 (its function is not) is here.
        let f = run(&RULE, registry_ws());
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "1 RustSec advisory cannot affect this build: 1 whose affected items nothing in the build names"
        );
        assert_eq!(
            f[0].notes,
            [
                "RUSTSEC-2099-0008 vulnerability: `vulnlib 1.0.0`: Out-of-bounds read in `vulnlib::Parser::parse_unchecked` (fictional) (the affected functions (`Parser::parse_unchecked`) are named nowhere in the 1 crate(s) that depend on `vulnlib` directly)"
            ]
        );
        assert_eq!(f[0].locations[0].path, "Cargo.lock");
        assert!(run(&RULE, clean()).is_empty());
    }

    #[test]
    fn advisories_only_tests_build_are_informational() {
        // optional-runtime's `db` has vulnlib 1.0.0 as a dev-dependency: tests build it,
        // nothing ships it.
        let facts = fixture("optional-runtime");
        assert!(run(&super::super::vulnerability::RULE, facts).is_empty());
        let f = run(&RULE, facts);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .contains("2 on versions only tests, examples or tooling build"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].notes
                .iter()
                .all(|n| n.ends_with("(built only for tests, examples or tooling)")),
            "{:?}",
            f[0].notes
        );
    }
}
