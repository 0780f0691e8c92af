//! `async/discontinued-runtime`: a runtime that is discontinued or marked unmaintained.

use architect_model::{AdvisoryKind, Finding, Level, Section};

use super::runtimes::RUNTIMES;
use crate::graph::{built_named, dependency_evidence, direct_dependents, pkg_ref};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "async/discontinued-runtime",
    section: Section::Async,
    default_level: Level::Warn,
    summary: "async runtimes that are discontinued or marked unmaintained",
    docs: Docs {
        what: "Reports async-std, and any runtime the advisory database marks unmaintained, \
               when the shipped build compiles it (not a runtime only tests, benches or \
               examples use), with every workspace crate that depends on it directly and the \
               path to it.",
        why: "A runtime is the hardest dependency to replace: its spawn, timer and I/O types \
              are everywhere. async-std was discontinued in March 2025 (RUSTSEC-2025-0052), \
              so it will get no fixes; the earlier the migration starts, the fewer call sites \
              it touches.",
        fix: "Migrate to smol (closest to async-std's API, and maintained by the same people) \
              or to tokio; start with the crates named here.",
        references: &[
            (
                "RUSTSEC-2025-0052: async-std discontinued",
                "https://rustsec.org/advisories/RUSTSEC-2025-0052.html",
            ),
            ("smol", "https://docs.rs/smol"),
        ],
    },
    options: &[],
    allow_list: true,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let unmaintained = |name: &str, version: &str| {
        facts.advisories.as_ref().and_then(|(_, ms)| {
            ms.iter().find(|m| {
                m.kind == AdvisoryKind::Unmaintained
                    && m.package.name == name
                    && m.package.version == version
            })
        })
    };
    let mut out = Vec::new();
    // What ships: a runtime only tests or benches build loses no user anything.
    for p in built_named(facts, RUNTIMES).filter(|p| facts.scope.is_shipped(p.id())) {
        let advisory = unmaintained(p.name(), &p.version().to_string());
        if p.name() != "async-std" && advisory.is_none() {
            continue;
        }
        let (locations, path) = dependency_evidence(facts, p.id());
        let users = direct_dependents(facts, p.name());
        let who = if users.is_empty() {
            match path.first() {
                Some(m) => format!("pulled in through `{}`", m.name),
                None => "pulled in transitively".to_string(),
            }
        } else {
            format!(
                "used directly by {}",
                users
                    .iter()
                    .map(|(m, _)| format!("`{}`", m.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let why = match advisory {
            Some(a) => format!("is marked unmaintained: {} ({})", a.title, a.id),
            None => "was discontinued in March 2025".to_string(),
        };
        let mut f = cx
            .finding(
                format!("runtime `{}` {why}; {who}", pkg_ref(&p)),
                "migrate to smol (closest API) or tokio, starting with the crates named here",
            )
            .package(pkg_ref(&p))
            .via(path);
        if users.is_empty() {
            f = f.at(locations.into_iter().next());
        }
        for (member, loc) in users {
            f = f.package(member).at(loc);
        }
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{kitchen_sink, names, registry_ws, run};

    #[test]
    fn async_std_with_the_member_using_it() {
        let f = run(&RULE, registry_ws());
        assert_eq!(names(&f), ["async-std"]);
        assert!(f[0].message.contains("RUSTSEC-2099-0005"));
        assert!(f[0].message.contains("used directly by `app`"));
        // kitchen-sink has async-std without a database entry: named as discontinued anyway.
        assert_eq!(names(&run(&RULE, kitchen_sink())), ["async-std"]);
    }

    #[test]
    fn a_runtime_only_tests_build_is_not_reported() {
        // scope's `svc` has async-std as a dev-dependency only (sqlx's shape).
        assert!(run(&RULE, crate::testing::fixture("scope")).is_empty());
    }
}
