//! `build/scale`: the workspace's size against what native Cargo handles comfortably.

use architect_model::{Finding, Level, OptionKind, OptionSpec, Section};

use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "build/scale",
    section: Section::Build,
    default_level: Level::Info,
    summary: "packages, members and lines of Rust against Cargo's scale ceilings",
    docs: Docs {
        what: "States the size of the build (packages, workspace members, lines of Rust in the \
               workspace) and compares it with the ceilings below; `warn` past a ceiling.",
        why: "Native Cargo is comfortable up to about 100 workspace crates or a million lines \
              of Rust. Past that, the costs that Cargo does not address grow: no remote cache \
              or remote execution, rebuilds on every feature-set change, and CI time that scales \
              with the code (around 200k lines takes about 10 minutes on a hosted CI runner, \
              around 500k lines 40 minutes and more unoptimised). That is where large \
              organisations move Rust to Bazel (rules_rust) or Buck2, which cache and distribute \
              per-crate actions.",
        fix: "Below the ceiling: keep crates small and the graph wide (see `build/monolith-crate`) \
              and cache CI builds (sccache, `Swatinem/rust-cache`). Near it: measure with \
              `cargo build --timings`, and plan remote caching; past it, evaluate Bazel \
              (rules_rust) or Buck2 (reindeer generates targets from Cargo.toml).",
        references: &[
            (
                "Bazel rules_rust",
                "https://bazelbuild.github.io/rules_rust/",
            ),
            (
                "Buck2 and reindeer",
                "https://github.com/facebookincubator/reindeer",
            ),
            (
                "Cargo book: build --timings",
                "https://doc.rust-lang.org/cargo/reference/timings.html",
            ),
        ],
    },
    options: &[
        OptionSpec {
            name: "max-members",
            kind: OptionKind::Integer,
            default: "100",
            doc: "workspace members past which the build is past native Cargo's comfortable scale",
        },
        OptionSpec {
            name: "max-lines",
            kind: OptionKind::Integer,
            default: "1000000",
            doc: "lines of Rust in the workspace past the same ceiling",
        },
        OptionSpec {
            name: "ci-lines",
            kind: OptionKind::Integer,
            default: "200000",
            doc: "lines of Rust past which unoptimised CI builds take about ten minutes or more",
        },
    ],
    allow_list: false,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let members = facts.graph.workspace().iter().count();
    let lines: usize = facts.lines_of_rust.values().sum();
    let packages = facts.built().count();
    let max_members = cx.number("max-members") as usize;
    let max_lines = cx.number("max-lines") as usize;
    let ci_lines = cx.number("ci-lines") as usize;
    let over_members = members > max_members;
    let over_lines = lines > max_lines;
    let f = cx.finding(
        format!("{packages} packages in the build; {members} workspace members with {lines} lines of Rust"),
        if over_members || over_lines {
            "past native Cargo's comfortable scale: measure with `cargo build --timings`, add remote caching, and evaluate Bazel (rules_rust) or Buck2"
        } else if lines > ci_lines {
            "CI time grows with the code: cache builds (sccache) and keep crates small so more of the build runs in parallel"
        } else {
            "within native Cargo's comfortable scale"
        },
    )
    .note(format!("ceilings: {max_members} members, {max_lines} lines (configurable)"));
    let f = f.at(facts.workspace_table.clone());
    vec![if over_members || over_lines || lines > ci_lines {
        f.level(Level::Warn)
    } else {
        f
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{kitchen_sink, run};

    #[test]
    fn states_the_figures_and_stays_info_below_the_ceilings() {
        let f = run(&RULE, kitchen_sink());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].level, Level::Info);
        assert!(
            f[0].message.contains("4 workspace members"),
            "{}",
            f[0].message
        );
    }
}
