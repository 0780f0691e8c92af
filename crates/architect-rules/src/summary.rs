//! The headline figures of a review, computed once for every renderer.

use std::collections::BTreeMap;

use architect_model::{Facts, PackageRef, Summary};
use guppy::graph::ExternalSource;

use crate::graph::pkg_ref;
use crate::rules::build::duplicate_versions::duplicates;

pub fn summarize(facts: &Facts) -> Summary {
    summarize_with(facts, &crate::buildsim::Shared::default())
}

/// The summary, reusing the review's simulated build.
pub(crate) fn summarize_with(facts: &Facts, shared: &crate::buildsim::Shared) -> Summary {
    let refs = |pred: &dyn Fn(&guppy::graph::PackageMetadata<'_>) -> bool| -> Vec<PackageRef> {
        facts
            .built()
            .filter(|p| pred(p))
            .map(|p| pkg_ref(&p))
            .collect()
    };
    let mut editions: BTreeMap<String, usize> = BTreeMap::new();
    for p in facts.graph.workspace().iter() {
        *editions.entry(p.edition().to_string()).or_default() += 1;
    }
    let mut members: Vec<PackageRef> = facts
        .graph
        .workspace()
        .iter()
        .map(|p| pkg_ref(&p))
        .collect();
    members.sort();
    Summary {
        packages: facts.built().count(),
        workspace_members: members,
        build_scripts: refs(&|p| p.has_build_script()),
        proc_macros: refs(&|p| p.is_proc_macro()),
        duplicate_crates: duplicates(facts)
            .into_iter()
            .map(|(name, ps)| {
                (
                    name.to_string(),
                    ps.iter().map(|p| p.version().to_string()).collect(),
                )
            })
            .collect(),
        lines_of_rust_workspace: facts.lines_of_rust.values().sum(),
        git_dependencies: refs(&|p| {
            matches!(
                p.source().parse_external(),
                Some(ExternalSource::Git { .. })
            )
        }),
        platforms: facts.platforms.describe(),
        editions: editions.into_iter().collect(),
        advisories: facts
            .advisories
            .as_ref()
            .map(|(db, matches)| (db.advisories, matches.len())),
        index_cached: facts.index.crates.len(),
        index_unknown: facts.index.unknown.len(),
        source_files: facts.sources.files,
        source_bytes: facts.sources.bytes,
        source_deps: facts.sources.deps,
        lines_per_member: {
            let mut v: Vec<(PackageRef, usize)> = facts
                .lines_of_rust
                .iter()
                .filter_map(|(id, n)| facts.graph.metadata(id).ok().map(|p| (pkg_ref(&p), *n)))
                .collect();
            v.sort();
            v
        },
        workspace_hack: match crate::rules::build::feature_unification::hack(facts) {
            crate::rules::build::feature_unification::Hack::Absent => None,
            h => Some(h.describe()),
        },
        build: shared.sim(facts).map(|sim| {
            let round = |x: f64| (x * 10.0).round() / 10.0;
            let r = &sim.result;
            architect_model::BuildFigures {
                units: facts.units.units.len(),
                jobs: facts.jobs,
                predicted_s: round(r.schedule.makespan),
                critical_path_s: round(r.critical_path_bound),
                work_over_jobs_s: round(r.work_over_jobs),
                by_jobs: r
                    .by_jobs
                    .iter()
                    .map(|&(jobs, t)| architect_model::JobsTime {
                        jobs,
                        predicted_s: round(t),
                    })
                    .collect(),
                critical_path: r
                    .structural_path
                    .iter()
                    .map(|&(i, start, duration)| architect_model::PathStep {
                        unit: facts.units.units[i].label(),
                        start_s: round(start),
                        duration_s: round(duration),
                    })
                    .collect(),
                parallelism_profile: r.schedule.profile(10),
                assumed_sizes: sim.assumed_sizes,
            }
        }),
    }
}
