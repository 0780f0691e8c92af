//! `supply-chain/yanked`: locked versions that were yanked from the registry.

use architect_model::{Finding, Level, Section};
use guppy::Version;

use crate::graph::{dependency_evidence, is_registry, pkg_ref};
use crate::rule::{Ctx, Docs, FindingExt, Rule, name_list};
use crate::semver_util::{compatible, releases};

pub static RULE: Rule = Rule {
    id: "supply-chain/yanked",
    section: Section::SupplyChain,
    default_level: Level::Deny,
    summary: "locked versions that were yanked from the registry",
    docs: Docs {
        what: "Looks up every registry package of the build in the local index cache (with \
               tame-index, as cargo-deny does) and reports locked versions that were yanked. \
               Nothing is fetched: crates without a cache entry are listed as unknown in the \
               review's notes. A yanked version that an advisory rule already reports is \
               not reported again: that finding notes that the version is also yanked.",
        why: "Authors yank a release when it is broken or dangerous (a miscompilation, a \
              security fix that went wrong, an accidental breaking change). A lockfile keeps \
              building with it silently; a fresh resolve would never pick it.",
        fix: "`cargo update -p NAME@VERSION` moves to the newest compatible release; the help \
              names it when the index knows one.",
        references: &[
            (
                "Cargo book: cargo yank",
                "https://doc.rust-lang.org/cargo/commands/cargo-yank.html",
            ),
            (
                "cargo-deny: advisories.yanked",
                "https://embarkstudios.github.io/cargo-deny/checks/advisories/cfg.html",
            ),
        ],
    },
    options: &[],
    allow_list: true,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let yanked: Vec<(guppy::graph::PackageMetadata<'_>, String)> = facts
        .built()
        .filter(|p| is_registry(p))
        .filter_map(|p| {
            let version = p.version().to_string();
            let entry = facts.index.version(p.name(), &version)?;
            (entry.yanked && !has_advisory_finding(facts, p.name(), &version))
                .then(|| (p, fix(facts, &p, &version)))
        })
        .collect();
    let Some((first, first_fix)) = yanked.first() else {
        return Vec::new();
    };
    let names: Vec<String> = yanked.iter().map(|(p, _)| pkg_ref(p).to_string()).collect();
    let (message, help) = match yanked.as_slice() {
        [_] => (
            format!("`{}` is locked at a yanked version", names[0]),
            first_fix.clone(),
        ),
        _ => (
            format!(
                "{} packages are locked at yanked versions: {}",
                yanked.len(),
                name_list(&names, 8)
            ),
            "take each note's `cargo update`; a yanked release was withdrawn by its authors (a bug, a break, a leak)".to_string(),
        ),
    };
    let (_, path) = dependency_evidence(facts, first.id());
    let mut f = cx.finding(message, help).via(path);
    for (p, fix) in &yanked {
        let version = p.version().to_string();
        f = f
            .package(pkg_ref(p))
            .at(facts.lock_location(p.name(), &version));
        if yanked.len() > 1 {
            f = f.note(format!("`{}`: {fix}", pkg_ref(p)));
        }
    }
    vec![f]
}

/// The `cargo update` that leaves the yanked release, or what to do when none can.
fn fix(
    facts: &architect_model::Facts,
    p: &guppy::graph::PackageMetadata<'_>,
    version: &str,
) -> String {
    let replacement = facts.index.crates.get(p.name()).and_then(|all| {
        releases(all, !p.version().pre.is_empty())
            .into_iter()
            .rev()
            .map(|(v, _)| v)
            .find(|v: &Version| compatible(p.version(), v))
    });
    match replacement {
        Some(v) => format!("`cargo update -p {}@{version} --precise {v}`", p.name()),
        None => format!(
            "no compatible release remains: raise the requirement on `{}` to a newer major version",
            p.name()
        ),
    }
}

/// Whether an advisory rule reports this lock entry: that finding says it is yanked too, so
/// the entry and its one `cargo update` are read once.
fn has_advisory_finding(facts: &architect_model::Facts, name: &str, version: &str) -> bool {
    facts.advisories.as_ref().is_some_and(|(_, matches)| {
        matches.iter().any(|m| {
            m.package.name == name
                && m.package.version == version
                && super::advisory::reported(facts, m)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{kitchen_sink, names, registry_ws, run};

    #[test]
    fn yanked_version_with_the_replacement() {
        let f = run(&RULE, registry_ws());
        assert_eq!(names(&f), ["yankedlib"]);
        assert_eq!(
            f[0].help,
            "`cargo update -p yankedlib@2.0.0 --precise 2.0.1`"
        );
        assert!(run(&RULE, kitchen_sink()).is_empty());
    }
}
