//! `async/runtimes`: the async runtimes in the build, and which members pull each in.

use architect_model::{Finding, Level, Section};

use crate::graph::{built_named, dependency_evidence, direct_dependents, pkg_ref};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

/// Executor crates; a build with more than one of them runs more than one reactor.
pub const RUNTIMES: &[&str] = &[
    "tokio",
    "async-std",
    "smol",
    "async-executor",
    "glommio",
    "monoio",
    "tokio-uring",
    "actix-rt",
    "embassy-executor",
];

pub static RULE: Rule = Rule {
    id: "async/runtimes",
    section: Section::Async,
    default_level: Level::Info,
    summary: "async runtimes in the build, and more than one in one build",
    docs: Docs {
        what: "Lists the async runtimes in the build (tokio, async-std, smol, glommio, monoio, \
               …) and the workspace members that depend on each directly. More than one \
               runtime in one build is `warn`; async-std is `warn` on its own.",
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

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let found: Vec<_> = built_named(facts, RUNTIMES).collect();
    let distinct: std::collections::BTreeSet<&str> = found.iter().map(|p| p.name()).collect();
    let several = distinct.len() > 1;
    found
        .iter()
        .map(|p| {
            let (locations, path) = dependency_evidence(facts, p.id());
            let users = direct_dependents(facts, p.name());
            let names: Vec<String> = users.iter().map(|(m, _)| format!("`{}`", m.name)).collect();
            let by = if names.is_empty() {
                "pulled in transitively".to_string()
            } else {
                format!("used directly by {}", names.join(", "))
            };
            let discontinued = p.name() == "async-std";
            let mut f = cx
                .finding(
                    if discontinued {
                        format!(
                            "runtime `{}` ({by}) was discontinued in March 2025",
                            pkg_ref(p)
                        )
                    } else {
                        format!("runtime `{}` ({by})", pkg_ref(p))
                    },
                    if discontinued {
                        "migrate to smol (the closest API) or tokio".to_string()
                    } else if several {
                        format!(
                            "one build runs {} runtimes ({}): settle on one per binary",
                            distinct.len(),
                            distinct.iter().copied().collect::<Vec<_>>().join(", ")
                        )
                    } else {
                        "keep library crates runtime-agnostic so the binary chooses the runtime"
                            .to_string()
                    },
                )
                .package(pkg_ref(p))
                .via(path);
            if several || discontinued {
                f = f.level(Level::Warn);
            }
            let direct: Vec<_> = users.into_iter().filter_map(|(_, l)| l).collect();
            if direct.is_empty() {
                f.at(locations.into_iter().next())
            } else {
                direct.into_iter().fold(f, |f, l| f.at(Some(l)))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, names, run};

    #[test]
    fn two_runtimes_warn_and_name_the_member() {
        let f = run(&RULE, kitchen_sink());
        assert_eq!(names(&f), ["async-std", "tokio"]);
        assert!(f.iter().all(|f| f.level == Level::Warn));
        assert!(
            f.iter()
                .all(|f| f.message.contains("used directly by `app`"))
        );
        assert!(run(&RULE, clean()).is_empty());
    }
}
