//! `build/workspace-chain`: a critical path made of a chain of workspace crates.

use architect_model::{Finding, Level, OptionKind, OptionSpec, PackageRef, Section};

use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "build/workspace-chain",
    section: Section::Build,
    default_level: Level::Warn,
    summary: "a clean build's critical path that runs through a chain of workspace crates",
    docs: Docs {
        what: "Simulates a clean `cargo build` as `build/critical-path` does and reports when \
               at least `min-workspace-units` workspace crates sit on the structural critical \
               path and that path is at least `min-share` of the predicted build and \
               `min-seconds` long.",
        why: "Once a build has enough cores, only the critical path matters: more cores do \
              nothing for it, and each crate on it adds its whole frontend time (and, for \
              binaries and proc-macros, its codegen) to every clean build and to every \
              rebuild that touches the bottom of the chain. A chain of workspace crates, each \
              using the one below, is an architecture choice that serializes the build.",
        fix: "Flatten the chain: move shared types into a small crate at the bottom, make \
              crates depend on traits instead of on each other, and keep heavy proc-macros off \
              the path. `cargo architect build-time --what-if` shows what a change saves.",
        references: &[
            (
                "Cargo book: build --timings",
                "https://doc.rust-lang.org/cargo/reference/timings.html",
            ),
            (
                "Cargo's pipelining of rmeta",
                "https://github.com/rust-lang/cargo/pull/6883",
            ),
        ],
    },
    options: &[
        OptionSpec {
            name: "min-workspace-units",
            kind: OptionKind::Integer,
            default: "3",
            doc: "workspace crates on the path from which the finding is reported",
        },
        OptionSpec {
            name: "min-share",
            kind: OptionKind::Share,
            default: "0.5",
            doc: "share of the predicted build the path must take",
        },
        OptionSpec {
            name: "min-seconds",
            kind: OptionKind::Number,
            default: "5",
            doc: "seconds of the predicted path from which it is reported (a chain in a \
                  build of a few seconds costs nothing worth a change)",
        },
    ],
    allow_list: false,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let Some(sim) = cx.sim() else {
        return Vec::new();
    };
    let r = &sim.result;
    let total = r.schedule.makespan;
    if total <= 0.0 {
        return Vec::new();
    }
    let share = r.critical_path_bound / total;
    let workspace_crates = sim.workspace_crates(facts);
    if workspace_crates.len() < cx.number("min-workspace-units") as usize
        || share < cx.number("min-share")
        || r.critical_path_bound < cx.number("min-seconds")
    {
        return Vec::new();
    }
    let mut names: Vec<String> = workspace_crates
        .iter()
        .map(|u| format!("`{}`", u.name))
        .collect();
    // A crate's library and binary units sit next to each other: one name.
    names.dedup();
    let mut f = cx
        .finding(
            format!(
                "{} workspace crates sit on the critical path, {:.1} s ({:.0}%) of a predicted {:.1} s clean build: {}",
                workspace_crates.len(),
                r.critical_path_bound,
                share * 100.0,
                total,
                names.join(" -> ")
            ),
            "flatten the chain of workspace crates: shared types at the bottom, traits instead of direct dependencies; measure with `cargo architect build-time --what-if`",
        )
        .at(facts.workspace_table.clone());
    for u in &workspace_crates {
        f = f.package(PackageRef::new(&u.name, &u.version));
    }
    vec![f]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, run, run_with, source_rules};

    #[test]
    fn short_chains_are_quiet() {
        // kitchen-sink's path holds fewer than three workspace crates in a row.
        assert!(run(&RULE, kitchen_sink()).is_empty());
        assert!(run(&RULE, clean()).is_empty());
        // With the thresholds lowered, kitchen-sink's own crates on the path are a chain.
        let f = run_with(
            &RULE,
            kitchen_sink(),
            &[
                ("min-workspace-units", 1),
                ("min-share", 0),
                ("min-seconds", 0),
            ],
        );
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .contains("workspace crates sit on the critical path")
        );
    }

    #[test]
    fn a_crate_counts_once_whatever_its_units() {
        // `builder`'s build script, its run and its library sit on the path: one crate, short
        // of the default three, and a path of tenths of a second.
        assert!(run(&RULE, source_rules()).is_empty());
        let f = run_with(
            &RULE,
            source_rules(),
            &[
                ("min-workspace-units", 1),
                ("min-share", 0),
                ("min-seconds", 0),
            ],
        );
        assert_eq!(f.len(), 1, "{f:?}");
        let mut names: Vec<&str> = f[0].packages.iter().map(|p| p.name.as_str()).collect();
        let listed = names.len();
        names.dedup();
        assert_eq!(names.len(), listed, "{names:?}");
    }
}
