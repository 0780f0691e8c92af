//! `build/scale-ceiling`: a workspace past what native Cargo and unoptimised CI handle well.

use architect_model::{Finding, Level, OptionKind, OptionSpec, Section};

use super::scale::Size;
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "build/scale-ceiling",
    section: Section::Build,
    default_level: Level::Info,
    summary: "a workspace past Cargo's comfortable scale, or past the size where CI takes ten minutes",
    docs: Docs {
        what: "Compares the size of the build (`build/scale`) with the ceilings below: workspace \
               members and lines of Rust past which native Cargo is no longer comfortable, and \
               the lines of Rust past which unoptimised CI builds take ten minutes or more.",
        why: "Native Cargo is comfortable up to about 100 workspace crates or a million lines \
              of Rust. Past that, the costs that Cargo does not address grow: no remote cache \
              or remote execution, rebuilds on every feature-set change, and CI time that scales \
              with the code (around 200k lines takes about 10 minutes on a hosted CI runner, \
              around 500k lines 40 minutes and more unoptimised). That is where large \
              organisations move Rust to Bazel (rules_rust) or Buck2, which cache and distribute \
              per-crate actions. Informational: size is the context of the build findings \
              (what they cost grows with it), not a defect to fix on its own.",
        fix: "Past the CI ceiling: cache CI builds (sccache, `Swatinem/rust-cache`) and keep \
              crates small and the graph wide (see `build/monolith-crate`). Past Cargo's: \
              measure with `cargo build --timings`, plan remote caching, and evaluate Bazel \
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
    let size = Size::of(cx.facts);
    let max_members = cx.number("max-members") as usize;
    let max_lines = cx.number("max-lines") as usize;
    let ci_lines = cx.number("ci-lines") as usize;
    let (what, help) = if size.members > max_members || size.lines > max_lines {
        (
            "past native Cargo's comfortable scale",
            "measure with `cargo build --timings`, add remote caching, and evaluate Bazel (rules_rust) or Buck2",
        )
    } else if size.lines > ci_lines {
        (
            "past the size where unoptimised CI builds take ten minutes or more",
            "cache builds (sccache) and keep crates small so more of the build runs in parallel",
        )
    } else {
        return Vec::new();
    };
    vec![
        cx.finding(format!("{}: {what}", size.describe()), help)
            .note(format!(
                "ceilings: {max_members} members, {max_lines} lines; CI: {ci_lines} lines (configurable)"
            ))
            .at(cx.facts.workspace_table.clone()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{kitchen_sink, run, run_with};

    #[test]
    fn quiet_below_the_ceilings_and_reported_past_one() {
        assert!(run(&RULE, kitchen_sink()).is_empty());
        let f = run_with(&RULE, kitchen_sink(), &[("ci-lines", 1)]);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.ends_with("ten minutes or more"),
            "{}",
            f[0].message
        );
        let f = run_with(&RULE, kitchen_sink(), &[("max-members", 2)]);
        assert!(
            f[0].message
                .ends_with("past native Cargo's comfortable scale")
        );
    }
}
