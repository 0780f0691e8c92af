//! `build/split-candidate`: a workspace crate whose split along its modules would shorten the
//! build.

use std::collections::{BTreeMap, BTreeSet};

use architect_build::{UnitKind, simulate, split_unit};
use architect_model::{Finding, Level, OptionKind, OptionSpec, Section};

use crate::graph::pkg_ref;
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "build/split-candidate",
    section: Section::Build,
    default_level: Level::Warn,
    summary: "a workspace crate whose split into independent module groups would shorten the build",
    docs: Docs {
        what: "For each workspace library, groups its top-level modules by the `crate::` paths \
               between them (modules that never refer to each other, directly or through \
               others, fall in different groups), then re-simulates the clean build with the \
               crate split into one crate per group, each costing its share of the code, and \
               reports the saving at the machine's job count when it reaches \
               `min-saving-seconds` and `min-saving-share`.",
        why: "rustc's frontend works on one crate at a time, and dependents wait for it. A \
              crate made of parts that do not use each other pays that serialization for \
              nothing: split, the parts build in parallel and a change rebuilds one part. \
              Feldera went from 30 minutes to 2 by splitting one generated crate into 1,106.",
        fix: "Move each group into a crate of its own (shared types into a small crate below \
              them), and check the gain with `cargo architect build-time --what-if \
              split=CRATE:K`.",
        references: &[(
            "Feldera: cutting Rust compile times from 30 to 2 minutes with one thousand crates",
            "https://www.feldera.com/blog/cutting-down-rust-compile-times-from-30-to-2-minutes-with-one-thousand-crates",
        )],
    },
    options: &[
        OptionSpec {
            name: "min-saving-seconds",
            kind: OptionKind::Number,
            default: "2",
            doc: "predicted saving, in seconds, from which a split is reported",
        },
        OptionSpec {
            name: "min-saving-share",
            kind: OptionKind::Share,
            default: "0.05",
            doc: "and as a share of the clean build",
        },
    ],
    allow_list: true,
    check,
};

/// Union-find over module names.
fn find(parent: &mut BTreeMap<String, String>, x: &str) -> String {
    let p = parent.get(x).cloned().unwrap_or_else(|| x.to_string());
    if p == x {
        return p;
    }
    let root = find(parent, &p);
    parent.insert(x.to_string(), root.clone());
    root
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let Some(sim) = cx.sim() else {
        return Vec::new();
    };
    let base = sim.result.schedule.makespan;
    let mut out = Vec::new();
    for (id, pkg) in &facts.sources.packages {
        let Ok(meta) = facts.graph.metadata(id) else {
            continue;
        };
        if !meta.in_workspace() {
            continue;
        }
        let Some(unit) = facts
            .units
            .units
            .iter()
            .position(|u| u.package == *id && u.kind == UnitKind::Lib)
        else {
            continue;
        };
        // Top-level module of each file of the library, with its lines and references.
        let mut lines: BTreeMap<String, usize> = BTreeMap::new();
        let mut refs: Vec<(String, String)> = Vec::new();
        for file in pkg.lib_files() {
            // The crate root is glue: it declares every module.
            let Some(top) = file.module.split("::").next().filter(|t| !t.is_empty()) else {
                continue;
            };
            let top = top.to_string();
            *lines.entry(top.clone()).or_default() += file.facts.code_lines;
            for r in &file.facts.crate_refs {
                refs.push((top.clone(), r.clone()));
            }
        }
        if lines.len() < 2 {
            continue;
        }
        let mut parent: BTreeMap<String, String> =
            lines.keys().map(|k| (k.clone(), k.clone())).collect();
        for (a, b) in refs {
            if lines.contains_key(&b) {
                let (ra, rb) = (find(&mut parent, &a), find(&mut parent, &b));
                if ra != rb {
                    // The smaller name becomes the root: deterministic groups.
                    let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
                    parent.insert(hi, lo);
                }
            }
        }
        let mut groups: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for m in lines.keys() {
            let root = find(&mut parent, m);
            groups.entry(root).or_default().insert(m.clone());
        }
        if groups.len() < 2 {
            continue;
        }
        let total: usize = lines.values().sum::<usize>().max(1);
        let shares: Vec<f64> = groups
            .values()
            .map(|g| g.iter().map(|m| lines[m]).sum::<usize>() as f64 / total as f64)
            .collect();
        let (g2, c2) = split_unit(&facts.units, &sim.costs, unit, &shares);
        let d2: Vec<f64> = c2.iter().map(|c| c.duration).collect();
        let r2: Vec<f64> = c2.iter().map(|c| c.rmeta).collect();
        let after = simulate(&g2, &d2, &r2, facts.jobs).makespan;
        let saving = base - after;
        if saving < cx.number("min-saving-seconds")
            || saving / base.max(f64::MIN_POSITIVE) < cx.number("min-saving-share")
        {
            continue;
        }
        let mut f = cx
            .finding(
                format!(
                    "`{}` splits into {} groups of modules that do not use each other: predicted clean build at -j{} from {:.1} s to {:.1} s ({:.1} s less)",
                    meta.name(),
                    groups.len(),
                    facts.jobs,
                    base,
                    after,
                    saving
                ),
                format!("move each group into its own crate; check with `cargo architect build-time --what-if split={}:{}`", meta.name(), groups.len()),
            )
            .package(pkg_ref(&meta))
            .at(facts.manifests.get(id).and_then(|m| m.header().cloned()));
        for g in groups.values() {
            let n: usize = g.iter().map(|m| lines[m]).sum();
            f = f.note(format!(
                "{} ({n} lines)",
                g.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{kitchen_sink, source_rules};
    use architect_model::{ConfigValue, RuleConfig};

    #[test]
    fn groups_and_saving() {
        let shared = crate::buildsim::Shared::default();
        let facts = kitchen_sink();
        let mut config = RuleConfig::default();
        for k in ["min-saving-seconds", "min-saving-share"] {
            config.options.insert(k.into(), ConfigValue::Float(-1.0));
        }
        let cx = Ctx::new(facts, &RULE, Some(&config), &shared);
        // kitchen-sink's libraries are single files: nothing to split.
        assert!(check(&cx).is_empty());
        let cx = Ctx::new(facts, &RULE, None, &shared);
        assert!(check(&cx).is_empty());
        // svc's modules never refer to each other, but for `spawns`, which uses `rt`: one
        // group each. `inner` is inline in lib.rs and `latin1` could not be read, so neither
        // is a file of its own.
        let cx = Ctx::new(source_rules(), &RULE, Some(&config), &shared);
        let f = check(&cx);
        let svc = f.iter().find(|f| f.packages[0].name == "svc").unwrap();
        assert!(
            svc.message.contains("splits into 4 groups"),
            "{}",
            svc.message
        );
        let groups: Vec<&str> = svc
            .notes
            .iter()
            .map(|n| n.split(" (").next().unwrap())
            .collect();
        assert_eq!(groups, ["a", "c", "rt, spawns", "tests"]);
    }
}
