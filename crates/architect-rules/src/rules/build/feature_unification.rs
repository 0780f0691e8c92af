//! `build/feature-unification`: third-party packages rebuilt when moving between commands.

use std::collections::{BTreeMap, BTreeSet};

use architect_model::{Finding, Level, OptionKind, OptionSpec, Section};

use crate::graph::{dependency_evidence, pkg_ref};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "build/feature-unification",
    section: Section::Build,
    default_level: Level::Info,
    summary: "dependencies built with different features by `cargo build -p` of each member and `--workspace` (what cargo-hakari fixes)",
    docs: Docs {
        what: "Simulates, with guppy's feature graph (the one cargo-hakari uses), `cargo build \
               -p MEMBER` for each workspace member and `cargo build --workspace`, and reports \
               third-party packages whose feature set differs between those commands, with \
               the estimated time of rebuilding them and what depends on them. `warn` with a \
               recommendation of a workspace-hack when the estimated waste reaches `min-share` \
               of a clean build; says whether a workspace-hack is present.",
        why: "Cargo unifies features per command, so building one member after another (or \
              after the whole workspace) gives `serde` or `tokio` a different feature set: \
              cargo recompiles them and everything above them, again and again, in every \
              developer's edit loop and CI job. cargo-hakari's workspace-hack pins one feature \
              set for all commands, so each dependency is built once.",
        fix: "Run `cargo hakari init` and `cargo hakari generate` (and `cargo hakari verify` in \
              CI), or align the features the members ask for.",
        references: &[
            ("cargo-hakari", "https://docs.rs/cargo-hakari"),
            (
                "Cargo book: feature unification",
                "https://doc.rust-lang.org/cargo/reference/features.html#feature-unification",
            ),
        ],
    },
    options: &[OptionSpec {
        name: "min-share",
        kind: OptionKind::Number,
        default: "0.1",
        doc: "estimated rebuild time, as a share of a clean build, from which a workspace-hack is recommended",
    }],
    allow_list: true,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    if facts.feature_builds.len() < 2 {
        return Vec::new();
    }
    // Package -> the distinct feature sets, each with the commands that build it so.
    let mut sets: BTreeMap<&guppy::PackageId, BTreeMap<&Vec<String>, Vec<&str>>> = BTreeMap::new();
    for (command, features) in &facts.feature_builds {
        for (id, f) in features {
            sets.entry(id)
                .or_default()
                .entry(f)
                .or_default()
                .push(command);
        }
    }
    let Some(sim) = cx.sim() else {
        return Vec::new();
    };
    // Units of the whole build and their dependents, for the rebuild estimate.
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); facts.units.units.len()];
    for (i, u) in facts.units.units.iter().enumerate() {
        for d in &u.deps {
            dependents[d.unit].push(i);
        }
    }
    // The units a package's change of features rebuilds: its own and everything above them.
    let affected = |id: &guppy::PackageId| -> BTreeSet<usize> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<usize> = (0..facts.units.units.len())
            .filter(|&i| facts.units.units[i].package == *id)
            .collect();
        while let Some(u) = stack.pop() {
            if seen.insert(u) {
                stack.extend(dependents[u].iter().copied());
            }
        }
        seen
    };
    let seconds =
        |units: &BTreeSet<usize>| -> f64 { units.iter().map(|&u| sim.costs[u].duration).sum() };
    let mut out = Vec::new();
    // Each unit counted once, however many changing dependencies lie below it.
    let mut all_affected = BTreeSet::new();
    let mut top: Vec<(f64, String)> = Vec::new();
    for (id, variants) in &sets {
        if variants.len() < 2 {
            continue;
        }
        let Ok(p) = facts.graph.metadata(id) else {
            continue;
        };
        let units = affected(id);
        let cost = seconds(&units);
        all_affected.extend(units);
        top.push((cost, p.name().to_string()));
        let (locations, path) = dependency_evidence(facts, id);
        let mut f = cx
            .finding(
                format!(
                    "`{}` is built with {} feature sets across commands: each switch rebuilds it and what depends on it (about {:.1} s)",
                    pkg_ref(&p),
                    variants.len(),
                    cost
                ),
                "a workspace-hack (`cargo hakari generate`) builds it once with one feature set",
            )
            .package(pkg_ref(&p))
            .via(path)
            .at(locations.into_iter().next());
        for (features, commands) in variants {
            f = f.note(format!(
                "[{}] in `cargo build {}`",
                features.join(", "),
                commands.join("`, `cargo build ")
            ));
        }
        out.push(f);
    }
    if out.is_empty() {
        return out;
    }
    let waste = seconds(&all_affected);
    let work: f64 = sim
        .costs
        .iter()
        .map(|c| c.duration)
        .sum::<f64>()
        .max(f64::MIN_POSITIVE);
    let significant = waste / work >= cx.number("min-share");
    top.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let names: Vec<String> = top.iter().take(5).map(|(_, n)| format!("`{n}`")).collect();
    let hack = match &facts.hakari {
        Some((Some(_), _)) => {
            "a workspace-hack is present but out of date: run `cargo hakari generate`"
        }
        Some((None, Some(_))) => {
            "cargo-hakari is configured but has no workspace-hack package: run `cargo hakari generate`"
        }
        _ if significant => {
            "no workspace-hack: `cargo hakari init` and `cargo hakari generate` would build each once"
        }
        _ => "no workspace-hack; the waste is small for now",
    };
    let mut summary = cx.finding(
        format!(
            "{} dependencies change features between `cargo build -p` of members and `--workspace`: switching rebuilds about {:.1} s of work ({:.0}% of the {:.1} s of a clean build's units), most through {}",
            out.len(),
            waste,
            waste / work * 100.0,
            work,
            names.join(", ")
        ),
        hack,
    );
    if significant {
        summary = summary.level(Level::Warn);
    }
    summary = summary.at(facts.workspace_table.clone());
    out.push(summary);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, run};

    #[test]
    fn tokio_features_differ_between_members() {
        let f = run(&RULE, kitchen_sink());
        let tokio = f
            .iter()
            .find(|f| f.packages.first().is_some_and(|p| p.name == "tokio"))
            .unwrap();
        assert!(tokio.message.contains("2 feature sets"));
        assert!(
            tokio
                .notes
                .iter()
                .any(|n| n.starts_with("[] in `cargo build -p ws-core`")),
            "{:?}",
            tokio.notes
        );
        assert!(
            tokio
                .notes
                .iter()
                .any(|n| n.starts_with("[rt] in `cargo build -p app`")),
            "{:?}",
            tokio.notes
        );
        let summary = f.last().unwrap();
        assert!(
            summary
                .message
                .starts_with("1 dependencies change features"),
            "{}",
            summary.message
        );
        assert!(
            run(&RULE, clean()).is_empty(),
            "no third-party packages at all"
        );
    }
}
