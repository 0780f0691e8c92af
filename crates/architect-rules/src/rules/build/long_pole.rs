//! `build/long-pole`: a unit that holds the clean build back.

use architect_build::UnitKind;
use architect_model::{Finding, Level, OptionKind, OptionSpec, PackageRef, Section};

use crate::graph::dependency_evidence;
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "build/long-pole",
    section: Section::Build,
    default_level: Level::Warn,
    summary: "a unit on the critical path that takes a large share of it",
    docs: Docs {
        what: "Reports the units of the structural critical path (see `build/critical-path`) \
               that take at least `min-share` of it and `min-seconds`: typically a proc-macro and its parser \
               stack, a build script that compiles C, or a large crate whose dependents wait \
               for its codegen. A build script's run is reported from a measured build \
               (`--timings`) only: estimated from the bytes of C it compiles, it is off by up to \
               three times either way.",
        why: "The build cannot finish before its longest chain does, and a single long unit \
              on that chain sets the floor for every clean build and CI run whatever the \
              core count. Removing or shrinking it is the change with the best return.",
        fix: "For a proc-macro: check whether `syn`'s `full` feature or the derive is needed, \
              or move it off the path. For a build script: vendor or cache its output, prefer \
              a pure-Rust crate. For a large crate: split it (see `build/split-candidate`) or \
              reduce its generic code.",
        references: &[
            (
                "Cargo book: build --timings",
                "https://doc.rust-lang.org/cargo/reference/timings.html",
            ),
            (
                "The Rust Performance Book: compile times",
                "https://nnethercote.github.io/perf-book/compile-times.html",
            ),
        ],
    },
    options: &[
        OptionSpec {
            name: "min-share",
            kind: OptionKind::Share,
            default: "0.25",
            doc: "share of the critical path one unit must take to be reported",
        },
        OptionSpec {
            name: "min-seconds",
            kind: OptionKind::Number,
            default: "5",
            doc: "and the seconds it must take: short builds have no pole worth a change",
        },
    ],
    allow_list: true,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let Some(sim) = cx.sim() else {
        return Vec::new();
    };
    let r = &sim.result;
    let length = r.critical_path_bound;
    if length <= 0.0 {
        return Vec::new();
    }
    let min_share = cx.number("min-share");
    let min_seconds = cx.number("min-seconds");
    let mut out = Vec::new();
    for &(i, _, duration) in &r.structural_path {
        let share = duration / length;
        if share < min_share || duration < min_seconds {
            continue;
        }
        let u = &facts.units.units[i];
        // A native build's estimate is off by up to three times either way (bytes of C say
        // little of what its build system compiles: libsqlite3-sys's one 18 MB file takes 7 s,
        // openssl-src's 1,200 files 129 s): reported when measured (`--timings`) only.
        if u.kind == UnitKind::BuildScriptRun && !sim.costs[i].measured {
            continue;
        }
        let what = match u.kind {
            UnitKind::ProcMacro => "proc-macro",
            UnitKind::BuildScriptCompile | UnitKind::BuildScriptRun => "build script",
            UnitKind::Bin(_) => "binary",
            UnitKind::Lib => "library",
        };
        let (locations, path) = dependency_evidence(facts, &u.package);
        let mut f = cx
            .finding(
                format!(
                    "{what} `{}` takes {:.1} s of the {:.1} s critical path ({:.0}%)",
                    u.label(),
                    duration,
                    length,
                    share * 100.0
                ),
                match u.kind {
                    UnitKind::ProcMacro => "check whether the derive (and syn's `full` feature) is needed; keep proc-macros off the path",
                    UnitKind::BuildScriptCompile | UnitKind::BuildScriptRun => "cache or vendor what the build script produces; prefer a pure-Rust crate",
                    _ if u.in_workspace => "split the crate so that its dependents wait for less (see build/split-candidate)",
                    _ => "look for a lighter alternative or disable features that pull its heavy parts",
                },
            )
            .package(PackageRef::new(&u.name, &u.version))
            .via(path)
            .at(locations.into_iter().next())
            .costs(architect_model::Consequence::BuildSeconds { seconds: duration });
        if sim.unknown_sizes > 0 {
            f = f.note(crate::buildsim::unknown_note(sim.unknown_sizes));
        }
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::kitchen_sink;
    use architect_model::{ConfigValue, RuleConfig};

    #[test]
    fn every_reported_unit_is_on_the_critical_path() {
        let shared = crate::buildsim::Shared::default();
        let facts = kitchen_sink();
        let sim = crate::buildsim::simulate(facts);
        // Every unit of the path but estimated build-script runs (reported when measured).
        let path: Vec<_> = sim
            .result
            .structural_path
            .iter()
            .filter(|&&(i, _, _)| facts.units.units[i].kind != UnitKind::BuildScriptRun)
            .collect();
        let mut config = RuleConfig::default();
        config
            .options
            .insert("min-share".into(), ConfigValue::Float(0.0));
        config
            .options
            .insert("min-seconds".into(), ConfigValue::Float(0.0));
        let cx = Ctx::new(facts, &RULE, Some(&config), &shared);
        let all = check(&cx);
        assert_eq!(
            all.len(),
            path.len(),
            "with min-share 0 every unit of the path is a pole, estimated script runs aside"
        );
        config
            .options
            .insert("min-share".into(), ConfigValue::Float(1.01));
        let cx = Ctx::new(facts, &RULE, Some(&config), &shared);
        assert!(check(&cx).is_empty());
    }
}
