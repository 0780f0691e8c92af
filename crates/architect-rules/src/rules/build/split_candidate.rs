//! `build/split-candidate`: a workspace crate whose split along its modules would shorten the
//! build.

use architect_build::{Cost, Part, UnitKind, makespan, split_unit_layered};
use architect_model::{Finding, Level, OptionKind, OptionSpec, Section};

use crate::graph::pkg_ref;
use crate::modgraph::{Condensed, ModuleGraph, Split, candidate_splits, cycle_cut};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "build/split-candidate",
    section: Section::Build,
    default_level: Level::Warn,
    summary: "a workspace crate whose split along its module graph would shorten the build",
    docs: Docs {
        what: "For each workspace library that takes at least `min-saving-seconds` to build, \
               builds its module graph: its top-level modules (and the submodules of one that \
               holds more than half of its lines) and the `crate::`, `super::` and `self::` \
               paths between them, followed through the re-exports of the module they name \
               (a name nothing resolves counts for every module re-exported with a glob). It \
               then takes the graph as it is, with its cycles (strongly connected components) \
               and the DAG between them, and tries every layer of that DAG as a base crate, \
               with the groups above it that do not use each other as crates on top of it. \
               When one cycle holds most of the crate, it also tries the graph without the few \
               `use` edges (at most four pairs of modules, 32 paths) whose removal cuts that cycle into \
               two layers of at least a fifth of its lines each. Each split is re-simulated at \
               the machine's job count, every part costing its share of the lines, the upper \
               ones starting on the base's metadata (pipelining), and the best is reported \
               when its saving reaches `min-saving-seconds` and `min-saving-share`. Macros \
               used across modules by name and the root file's own code are not edges: the \
               parts it names are a plan to check, not a proof.",
        why: "rustc's frontend works on one crate at a time, and dependents wait for it. A \
              crate made of parts that do not use each other pays that serialization for \
              nothing: split, the parts build in parallel and a change rebuilds one part. \
              Feldera went from 30 minutes to 2 by splitting one generated crate into 1,106.",
        fix: "Move each part into a crate of its own, the base below the others, after \
              inverting the few dependencies the finding says close the cycle (a trait in the \
              base, a callback, or moving the named item down); measure the gain with \
              `cargo build --timings` before and after.",
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

/// How many `use` edges (pairs of modules) a finding may ask to remove to unblock a split, and
/// how many paths they may hold together: more is a redesign, not a cut.
const MAX_CUT_EDGES: usize = 4;
const MAX_CUT_REFS: u32 = 32;
/// Each layer of a cycle cut holds at least this share of the cycle's lines.
const MIN_LAYER_SHARE: f64 = 0.2;

/// The best split of one library and its predicted clean build.
struct Best {
    /// The module graph as it is (with the cut's edges).
    graph: ModuleGraph,
    condensed: Condensed,
    split: Split,
    after: f64,
    /// Edges to remove first (a cycle blocks every split without it).
    cut: Vec<(usize, usize)>,
}

/// The clean build with `unit` split as `split` says: the base first, the other parts on its
/// metadata, each costing its share of the lines.
fn simulate_split(cx: &Ctx<'_>, costs: &[Cost], unit: usize, split: &Split, c: &Condensed) -> f64 {
    let parts: Vec<Part> = split
        .shares(c)
        .into_iter()
        .enumerate()
        .map(|(k, share)| Part {
            share,
            after: if split.has_base && k > 0 {
                vec![0]
            } else {
                Vec::new()
            },
        })
        .collect();
    let (g, costs) = split_unit_layered(&cx.facts.units, costs, unit, &parts);
    makespan(&g, &costs, cx.facts.jobs)
}

/// The split with the shortest predicted build, trying the module graph as it is and then
/// without the few edges that keep its largest cycle whole.
fn best_split(cx: &Ctx<'_>, costs: &[Cost], unit: usize, graph: ModuleGraph) -> Option<Best> {
    // The split with the shortest build (the first of equals) of a condensed graph.
    let best_of = |condensed: &Condensed| -> Option<(Split, f64)> {
        let mut best: Option<(Split, f64)> = None;
        for split in candidate_splits(condensed) {
            let after = simulate_split(cx, costs, unit, &split, condensed);
            if best.as_ref().is_none_or(|(_, b)| after < *b) {
                best = Some((split, after));
            }
        }
        best
    };
    let condensed = Condensed::of(&graph);
    let cut = cycle_cut(&graph, &condensed, MIN_LAYER_SHARE).filter(|cut| {
        let refs: u32 = cut.iter().map(|e| graph.edges[e].refs).sum();
        !cut.is_empty() && cut.len() <= MAX_CUT_EDGES && refs <= MAX_CUT_REFS
    });
    let plain = best_of(&condensed).map(|(split, after)| (condensed, split, after, Vec::new()));
    // The graph without the cut for the split; the finding keeps the graph with it.
    let unblocked = cut.and_then(|cut| {
        let condensed = Condensed::of(&graph.without(&cut));
        best_of(&condensed).map(|(split, after)| (condensed, split, after, cut))
    });
    let (condensed, split, after, cut) = match (plain, unblocked) {
        (Some(p), Some(u)) if u.2 < p.2 => u,
        (p, u) => p.or(u)?,
    };
    Some(Best {
        graph,
        condensed,
        split,
        after,
        cut,
    })
}

/// `a, b, c and 4 more`.
fn module_list(b: &Best, part: &[usize]) -> String {
    let mut names: Vec<String> = part
        .iter()
        .flat_map(|&k| b.condensed.sccs[k].iter().map(|&n| b.graph.nodes[n].name()))
        .collect();
    names.sort();
    let more = names.len().saturating_sub(6);
    names.truncate(6);
    let mut s = names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if more > 0 {
        s.push_str(&format!(" and {more} more"));
    }
    s
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let Some(sim) = cx.sim() else {
        return Vec::new();
    };
    let base = makespan(&facts.units, &sim.costs, facts.jobs);
    let (min_s, min_share) = (
        cx.number("min-saving-seconds"),
        cx.number("min-saving-share"),
    );
    let mut out = Vec::new();
    for (id, pkg) in &facts.sources.packages {
        let Ok(meta) = facts.graph.metadata(id) else {
            continue;
        };
        let Some(unit) = facts
            .units
            .units
            .iter()
            .position(|u| u.package == *id && u.kind == UnitKind::Lib)
        else {
            continue;
        };
        // A split saves at most the crate's own time.
        if !meta.in_workspace() || sim.costs[unit].duration < min_s {
            continue;
        }
        let graph = ModuleGraph::of_library(pkg.lib_files());
        if graph.nodes.len() < 3 {
            continue;
        }
        let Some(best) = best_split(cx, &sim.costs, unit, graph) else {
            continue;
        };
        let saving = base - best.after;
        if saving < min_s || saving / base.max(f64::MIN_POSITIVE) < min_share {
            continue;
        }
        out.push(finding(cx, &meta, &best, base));
    }
    out
}

fn finding(cx: &Ctx<'_>, meta: &guppy::graph::PackageMetadata<'_>, b: &Best, base: f64) -> Finding {
    let facts = cx.facts;
    let parts = b.split.parts.len();
    let shape = if b.split.has_base && parts == 2 {
        "a base crate and one crate above it".to_string()
    } else if b.split.has_base {
        format!(
            "a base crate and {} crates above it that do not use each other",
            parts - 1
        )
    } else {
        format!("{parts} crates that do not use each other")
    };
    let unblock = if b.cut.is_empty() {
        String::new()
    } else {
        format!(
            " once {} `use` edge{} that close{} its largest cycle {} removed",
            b.cut.len(),
            if b.cut.len() == 1 { "" } else { "s" },
            if b.cut.len() == 1 { "s" } else { "" },
            if b.cut.len() == 1 { "is" } else { "are" },
        )
    };
    let lines = b.graph.total_lines();
    let mut f = cx
        .finding(
            format!(
                "`{}` ({lines} lines) splits along its module graph into {shape}{unblock}: predicted clean build at -j{} from {base:.1} s to {:.1} s ({:.1} s less)",
                meta.name(),
                facts.jobs,
                b.after,
                base - b.after
            ),
            format!(
                "{}move each part (notes) into a crate of its own{}, and check the gain with `cargo build --timings`",
                if b.cut.is_empty() { "" } else { "invert or remove the dependencies noted `remove first`, then " },
                if b.split.has_base { ", the base below the others" } else { "" },
            ),
        )
        .package(pkg_ref(meta))
        .at(facts.manifests.get(meta.id()).and_then(|m| m.header().cloned()));
    for (k, part) in b.split.parts.iter().enumerate() {
        let label = if b.split.has_base && k == 0 {
            "base"
        } else {
            "part"
        };
        f = f.note(format!(
            "{label}: {} ({} lines)",
            module_list(b, part),
            b.split.lines(&b.condensed, k)
        ));
    }
    for e in &b.cut {
        let edge = &b.graph.edges[e];
        let at = facts
            .location(
                &edge.file,
                architect_model::Span::new(edge.span.start, edge.span.end),
                None,
            )
            .map_or_else(|| edge.file.clone(), |l| format!("{}:{}", l.path, l.line));
        let (a, z) = (&b.graph.nodes[e.0], &b.graph.nodes[e.1]);
        f = f.note(format!(
            "remove first: `{}` ({} lines) names `{}` ({} lines) {} time{}, first at {at}",
            a.name(),
            a.lines,
            z.name(),
            z.lines,
            edge.refs,
            if edge.refs == 1 { "" } else { "s" }
        ));
    }
    f
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
        // svc's modules never refer to each other, but for `spawns`, which uses `rt` and an
        // item of the root: the split that builds fastest puts `spawns` above the rest
        // (`tests` is under `#[cfg(test)]`, `inner` is inline in lib.rs and `latin1` could not
        // be read, so none is a module of the graph).
        let cx = Ctx::new(source_rules(), &RULE, Some(&config), &shared);
        let f = check(&cx);
        let svc = f.iter().find(|f| f.packages[0].name == "svc").unwrap();
        assert!(
            svc.message
                .contains("into a base crate and one crate above it: predicted clean build at -j2"),
            "{}",
            svc.message
        );
        assert_eq!(
            svc.notes,
            [
                "base: `(crate root)`, `a`, `c`, `rt` (78 lines)",
                "part: `spawns` (43 lines)"
            ]
        );
    }
}
