//! `build/critical-path`: the chain of units that bounds the clean build.

use architect_model::{Finding, Level, OptionKind, OptionSpec, PackageRef, Section};

use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "build/critical-path",
    section: Section::Build,
    default_level: Level::Info,
    summary: "the chain of units that bounds a clean build, and how much of it is the workspace's",
    docs: Docs {
        what: "Simulates a clean `cargo build` with cargo's scheduler (pipelining, `-j` slots, \
               priority to the unit with most dependents) on the unit graph, with unit times \
               from the cost model, and states the structural critical path: the chain no job \
               count can shorten. Reported when at least `min-workspace-units` workspace \
               crates sit on it: a serial spine the team controls. A shorter path runs through \
               dependencies the team does not choose the structure of; its figures are in the \
               review's header and in `cargo architect build-time`. A path that is most of \
               the build is `build/workspace-chain`.",
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
    options: &[OptionSpec {
        name: "min-workspace-units",
        kind: OptionKind::Integer,
        default: "10",
        doc: "workspace crates on the path from which it is reported",
    }],
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
    let path = &r.structural_path;
    let share = r.critical_path_bound / total;
    let workspace_crates = sim.workspace_crates(facts);
    if workspace_crates.len() < cx.number("min-workspace-units") as usize {
        return Vec::new();
    }
    let mut f = cx
        .finding(
            format!(
                "the critical path is {}, {:.1} s of a predicted {:.1} s clean build at -j{} ({:.0}%{}); {} of them in the workspace",
                crate::rule::count(path.len(), "unit", "units"),
                r.critical_path_bound,
                total,
                facts.jobs,
                share * 100.0,
                if sim.unknown_sizes > 0 {
                    ", a lower bound"
                } else {
                    ""
                },
                workspace_crates.len()
            ),
            "`cargo architect build-time` shows the whole schedule; `--timings` replays a measured build",
        )
        .at(facts.workspace_table.clone());
    for u in &workspace_crates {
        f = f.package(PackageRef::new(&u.name, &u.version));
    }
    if sim.unknown_sizes > 0 {
        f = f.note(crate::buildsim::unknown_note(sim.unknown_sizes));
    }
    if let Some(n) = &sim.model_note {
        f = f.note(n.clone());
    }
    for &(i, start, duration) in path {
        f = f.note(format!(
            "{:>7.1} s  +{:.1} s  {}",
            start,
            duration,
            facts.units.units[i].label()
        ));
    }
    vec![f]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{kitchen_sink, run, run_with};

    #[test]
    fn a_path_of_few_workspace_crates_is_not_reported() {
        assert!(run(&RULE, kitchen_sink()).is_empty());
    }

    #[test]
    fn states_the_structural_path() {
        let f = run_with(&RULE, kitchen_sink(), &[("min-workspace-units", 1)]);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.starts_with("the critical path is "),
            "{}",
            f[0].message
        );
        // The chain ends at the application's binary, which links everything below it.
        let last_unit = f[0].notes.iter().rfind(|n| n.contains(" s  +")).unwrap();
        assert!(last_unit.ends_with("app 0.1.0 (bin app)"), "{last_unit}");
    }
}
