//! `build/scale`: the workspace's size against what native Cargo handles comfortably.

use architect_model::{Facts, Finding, Level, Section};

use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "build/scale",
    section: Section::Build,
    default_level: Level::Info,
    summary: "the size of the build: packages, members and lines of Rust",
    docs: Docs {
        what: "States the size of the build: packages, workspace members, lines of Rust in the \
               workspace. Past the ceilings of native Cargo it is `build/scale-ceiling`.",
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
    options: &[],
    allow_list: false,
    check,
};

/// The figures of the build: packages built, workspace members, lines of Rust.
pub(crate) struct Size {
    pub packages: usize,
    pub members: usize,
    pub lines: usize,
}

impl Size {
    pub(crate) fn of(facts: &Facts) -> Size {
        Size {
            packages: facts.built().count(),
            members: facts.graph.workspace().iter().count(),
            lines: facts.lines_of_rust.values().sum(),
        }
    }

    pub(crate) fn describe(&self) -> String {
        format!(
            "{} packages in the build; {} workspace members with {} lines of Rust",
            self.packages, self.members, self.lines
        )
    }
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let size = Size::of(cx.facts);
    vec![
        cx.finding(
            size.describe(),
            "`build/scale-ceiling` says when this passes what native Cargo handles comfortably",
        )
        .at(cx.facts.workspace_table.clone()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{kitchen_sink, run};

    #[test]
    fn states_the_figures() {
        let f = run(&RULE, kitchen_sink());
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("4 workspace members"),
            "{}",
            f[0].message
        );
    }
}
