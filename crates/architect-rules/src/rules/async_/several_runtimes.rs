//! `async/several-runtimes`: more than one async runtime in the shipped build.

use std::collections::BTreeSet;

use architect_model::{Finding, Level, Section};

use super::runtimes::{cited, shipped_runtimes, users};
use crate::graph::pkg_ref;
use crate::rule::{Ctx, Docs, Rule};

pub static RULE: Rule = Rule {
    id: "async/several-runtimes",
    section: Section::Async,
    default_level: Level::Warn,
    summary: "more than one async runtime in the shipped build",
    docs: Docs {
        what: "Reports each async runtime (tokio, async-std, smol, glommio, monoio, …) of the \
               shipped build when there is more than one, with the shipped members that \
               depend on it directly. The shipped build is what `cargo build` of the members \
               that are not tooling builds: a dev-dependency's executor runs only in tests \
               and does not count, nor does tokio without its `rt` executor (hyper and h2 use \
               tokio's I/O traits and channels under any runtime).",
        why: "A runtime is an architectural commitment: its I/O types, timers and spawn \
              functions spread through the code, and libraries built on one rarely work on \
              another. Two runtimes in one binary means two thread pools and reactors, futures \
              that panic when polled on the wrong one, and twice the dependencies.",
        fix: "Pick one runtime per binary. Keep library crates runtime-agnostic (`futures` \
              traits, runtime chosen by the binary); where a dependency forces the other \
              runtime, replace it or isolate it behind a thread boundary.",
        references: &[
            ("Tokio", "https://tokio.rs/"),
            (
                "Tokio: bridging with sync code",
                "https://tokio.rs/tokio/topics/bridging",
            ),
        ],
    },
    options: &[],
    allow_list: true,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let found = shipped_runtimes(facts);
    let distinct: BTreeSet<&str> = found.iter().map(|p| p.name()).collect();
    if distinct.len() < 2 {
        return Vec::new();
    }
    let all = distinct.iter().copied().collect::<Vec<_>>().join(", ");
    found
        .iter()
        .map(|p| {
            let (by, direct) = users(facts, p.name());
            let f = cx.finding(
                format!(
                    "runtime `{}` ({by}) is one of {} runtimes in the shipped build ({all})",
                    pkg_ref(p),
                    distinct.len()
                ),
                "settle on one runtime per binary; keep libraries runtime-agnostic",
            );
            cited(facts, f, p, direct)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, names, run};

    #[test]
    fn two_shipped_runtimes_warn_and_name_the_member() {
        let f = run(&RULE, kitchen_sink());
        assert_eq!(names(&f), ["async-std", "tokio"]);
        assert!(
            f.iter()
                .all(|f| f.message.contains("used directly by `app`"))
        );
        assert!(run(&RULE, clean()).is_empty());
    }

    #[test]
    fn a_dev_dependency_executor_is_not_a_second_runtime() {
        // scope: svc ships tokio; its dev-dependency async-std runs only in tests.
        assert!(run(&RULE, crate::testing::fixture("scope")).is_empty());
        // telemetry-dep: async-std ships through h2ish; tokio ships without `rt` (h2ish uses
        // its channels), and with `rt` only as app's dev-dependency.
        assert!(run(&RULE, crate::testing::fixture("telemetry-dep")).is_empty());
    }
}
