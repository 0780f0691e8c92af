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
            .map(|(name, ps)| (name.to_string(), copy_labels(&ps)))
            .collect(),
        lines_of_rust_workspace: facts.lines_of_rust.values().sum(),
        git_dependencies: refs(&|p| {
            matches!(
                p.source().parse_external(),
                Some(ExternalSource::Git { .. })
            )
        }),
        opaque_packages: facts.opaque.clone(),
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
        msrv: shared.msrv(facts).map(|p| p.figures()),
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
                assumed_sizes: sim.unknown_sizes > 0,
                unknown_size_units: sim.unknown_sizes,
                predicted_range_s: {
                    let (lo, hi) = architect_build::predicted_range(r.schedule.makespan, false);
                    (round(lo), round(hi))
                },
                calibration_factor: facts
                    .calibration
                    .as_ref()
                    .map(|c| (c.factor * 1000.0).round() / 1000.0),
            }
        }),
    }
}

/// Each copy of a duplicated crate as the summary names it: its version, and where two copies
/// share one (a workspace member and the registry release of the same version), where each
/// comes from, so that "0.3.3, 0.3.3" reads "0.3.3 (workspace member), 0.3.3 (crates.io)".
fn copy_labels(copies: &[guppy::graph::PackageMetadata<'_>]) -> Vec<String> {
    copies
        .iter()
        .map(|p| {
            let shared = copies.iter().filter(|q| q.version() == p.version()).count() > 1;
            if !shared {
                return p.version().to_string();
            }
            let from = match p.source().parse_external() {
                _ if p.in_workspace() => "workspace member".to_string(),
                Some(ExternalSource::Registry(r) | ExternalSource::Sparse(r))
                    if r == ExternalSource::CRATES_IO_URL
                        || r.starts_with("https://index.crates.io") =>
                {
                    "crates.io".to_string()
                }
                Some(ExternalSource::Registry(r) | ExternalSource::Sparse(r)) => {
                    format!("registry {r}")
                }
                Some(ExternalSource::Git { repository, .. }) => format!("git {repository}"),
                _ => "path".to_string(),
            };
            format!("{} ({from})", p.version())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::testing::fixture;

    #[test]
    fn build_dependencies_of_a_package_without_a_build_script_are_not_built() {
        // hostdeps: `snapmeta` (on the host under the proc-macro `snapderive`, from a
        // dev-dependency's feature) declares the build-dependency `hashy` but has no build
        // script. `cargo tree -e build` lists `hashy`, `digesty` and `blocky`; `cargo build
        // --tests` compiles none of them (checked on the fixture), and neither does the review.
        let s = super::summarize(fixture("hostdeps"));
        let built: Vec<String> = fixture("hostdeps")
            .built()
            .map(|p| p.name().to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(built, ["app", "harness", "snap", "snapderive", "snapmeta"]);
        assert_eq!(s.packages, 5);
        assert!(s.build_scripts.is_empty());
        let macros: Vec<&str> = s.proc_macros.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(macros, ["snapderive"]);
    }

    #[test]
    fn a_member_and_its_registry_release_are_told_apart() {
        // `tokio` is a member and, through a dependency, the registry release of the same
        // version: two crates, named by where they come from.
        let s = super::summarize(fixture("duplicates"));
        let tokio = s
            .duplicate_crates
            .iter()
            .find(|(name, _)| name == "tokio")
            .map(|(_, v)| v.clone());
        let tokio = tokio.expect("tokio is built twice");
        assert_eq!(tokio.len(), 2);
        assert!(
            tokio.iter().any(|v| v.ends_with("(workspace member)")),
            "{tokio:?}"
        );
        assert!(
            tokio.iter().any(|v| !v.ends_with("(workspace member)")),
            "{tokio:?}"
        );
        assert_ne!(tokio[0], tokio[1], "{tokio:?}");
    }
}
