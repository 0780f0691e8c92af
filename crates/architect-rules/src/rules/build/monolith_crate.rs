//! `build/monolith-crate`: one workspace crate holding most of the workspace's code.

use architect_model::{Finding, Level, OptionKind, OptionSpec, Section};

use crate::graph::pkg_ref;
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "build/monolith-crate",
    section: Section::Build,
    default_level: Level::Warn,
    summary: "a workspace crate that holds most of the code, serialising the build",
    docs: Docs {
        what: "Reports a workspace member that holds more than `max-share` of the lines of Rust \
               the workspace's libraries and binaries compile, when it has at least \
               `min-lines` of them. Test, bench and example targets and `#[cfg(test)]` modules \
               are not counted: `cargo build` does not compile them.",
        why: "rustc parallelises across crates far better than within one: type checking and \
              borrow checking of a crate run on one thread, and its dependents wait for it. \
              A crate that holds most of the code is therefore a long serial stretch of every \
              build, and any change to it recompiles all of it. Feldera (April 2025) had one \
              generated crate of about 100k lines take 25 to 30 minutes to build even after \
              removing most monomorphisation; split into 1,106 crates, it built in under 2 \
              minutes on the same machine, using every core.",
        fix: "Split the crate along its module boundaries into crates that do not depend on \
              each other (e.g. types, core logic, I/O adapters, binaries), so that they compile \
              in parallel and a change rebuilds less.",
        references: &[
            (
                "Feldera: cutting Rust compile times from 30 to 2 minutes with one thousand crates",
                "https://www.feldera.com/blog/cutting-down-rust-compile-times-from-30-to-2-minutes-with-one-thousand-crates",
            ),
            (
                "The Rust Performance Book: compile times",
                "https://nnethercote.github.io/perf-book/compile-times.html",
            ),
        ],
    },
    options: &[
        OptionSpec {
            name: "max-share",
            kind: OptionKind::Share,
            default: "0.6",
            doc: "share of the workspace's lines one crate may hold (0 to 1)",
        },
        OptionSpec {
            name: "min-lines",
            kind: OptionKind::Integer,
            default: "20000",
            doc: "crates smaller than this are never reported",
        },
    ],
    allow_list: true,
    check,
};

/// The lines of Rust a member's `cargo build` compiles: its library's and binaries' module
/// trees, without test, bench and example targets or `#[cfg(test)]` modules (one real
/// workspace's main crate was counted at 93% with 182k lines of integration tests).
fn compiled_lines(facts: &architect_model::Facts, id: &guppy::PackageId) -> usize {
    facts.sources.packages.get(id).map_or(0, |p| {
        p.files
            .iter()
            .filter(|f| {
                f.scope == architect_model::CodeScope::Shipped
                    && matches!(
                        f.target,
                        architect_model::TargetKind::Lib
                            | architect_model::TargetKind::ProcMacro
                            | architect_model::TargetKind::Bin
                    )
            })
            .map(|f| f.facts.code_lines)
            .sum()
    })
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let lines: Vec<(&guppy::PackageId, usize)> = facts
        .lines_of_rust
        .keys()
        .map(|id| (id, compiled_lines(facts, id)))
        .collect();
    let total: usize = lines.iter().map(|(_, n)| n).sum();
    if total == 0 || lines.len() < 2 {
        return Vec::new();
    }
    let max_share = cx.number("max-share");
    let min_lines = cx.number("min-lines") as usize;
    lines
        .iter()
        .filter(|(_, n)| *n >= min_lines && *n as f64 > max_share * total as f64)
        .filter_map(|&(id, n)| {
            let p = facts.graph.metadata(id).ok()?;
            let share = n as f64 / total as f64 * 100.0;
            Some(
                cx.finding(
                    format!(
                        "`{}` holds {share:.0}% of the Rust the workspace's libraries and binaries compile ({n} of {total} lines)",
                        p.name()
                    ),
                    "split it along module boundaries into crates that can compile in parallel",
                )
                .package(pkg_ref(&p))
                .at(facts.manifests.get(id).and_then(|m| m.header().cloned())),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, names, run};

    #[test]
    fn flags_the_crate_holding_most_code_and_respects_min_lines() {
        // kitchen-sink lowers min-lines to 20 in its configuration.
        assert_eq!(names(&run(&RULE, kitchen_sink())), ["app"]);
        // clean keeps the default of 20,000 lines: nothing to report.
        assert!(run(&RULE, clean()).is_empty());
    }
}
