//! `cargo architect build-time` as a library: facts and options in, a [`BuildTimeReport`] out.
//! The review's build rules, the command and its renderers share it, so that the review's
//! figures and the command's are one computation.

use architect_build::{BuildTime, Cost, CostModel, MeasuredUnit, Replay, Size, UnitGraph, WhatIf};
use architect_model::{Facts, Finding, Section};

use crate::ReviewOptions;
use crate::buildsim::{Shared, Sim, known_sizes, model_for};

/// What to simulate. The job count is `facts.jobs`.
#[derive(Debug, Clone, Default)]
pub struct BuildTimeOptions {
    /// Model the release profile.
    pub release: bool,
    /// The units of a `cargo build --timings` report of this workspace: their times replace
    /// the estimates.
    pub measured: Option<Vec<MeasuredUnit>>,
    /// Changes to re-simulate the build with.
    pub what_ifs: Vec<WhatIf>,
    pub review: ReviewOptions,
}

/// The simulated build, what it rests on, and the build rules' findings on it.
#[derive(Debug)]
pub struct BuildTimeReport {
    pub result: BuildTime,
    /// How the replay compares with the measured build, when a report was given.
    pub replay: Option<Replay>,
    /// The build after the what-ifs, when there are any.
    pub what_if: Option<(UnitGraph, BuildTime)>,
    /// The build section's findings on this simulated build.
    pub findings: Vec<Finding>,
    /// Units of crates whose code was not read and that the report does not have: counted
    /// as empty crates, so the figures are lower bounds.
    pub unknown_sizes: usize,
    /// What the cost model could not take into account.
    pub model_note: Option<String>,
    /// The figures the renderers show.
    pub figures: architect_build::Figures,
    /// Each unit's size as the cost model saw it (`None`: its code was not read).
    pub sizes: Vec<Option<Size>>,
}

/// Why the build could not be simulated as asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildTimeError {
    #[error("none of its {report} units is a unit of this workspace's build ({graph} units)")]
    ForeignReport { report: usize, graph: usize },
    #[error("{0}")]
    WhatIf(String),
}

/// Each unit's measured cost, from the report when one is given.
fn measured_costs(facts: &Facts, options: &BuildTimeOptions) -> Vec<Option<Cost>> {
    match &options.measured {
        Some(m) => architect_build::match_measured(&facts.units, m),
        None => vec![None; facts.units.units.len()],
    }
}

/// The cost model fitted on the report's units (how `CostModel::DEV` and `RELEASE` were made),
/// its times first divided by `machine_factor` (the measuring machine against the reference).
pub fn fit(facts: &Facts, options: &BuildTimeOptions, machine_factor: f64) -> CostModel {
    let (model, _) = model_for(facts, options.release);
    let sizes: Vec<Size> = known_sizes(facts)
        .into_iter()
        .map(|s| s.unwrap_or(model.typical))
        .collect();
    let measured: Vec<Option<Cost>> = measured_costs(facts, options)
        .into_iter()
        .map(|c| {
            c.map(|c| Cost {
                duration: c.duration / machine_factor,
                rmeta: c.rmeta / machine_factor,
                ..c
            })
        })
        .collect();
    let base = if options.release {
        CostModel::RELEASE
    } else {
        CostModel::DEV
    };
    CostModel::fit(&facts.units, &sizes, &measured, &base)
}

/// Simulate the build of `facts` at `facts.jobs`.
pub fn build_time(
    facts: &Facts,
    options: &BuildTimeOptions,
) -> Result<BuildTimeReport, BuildTimeError> {
    let graph = &facts.units;
    let measured = measured_costs(facts, options);
    if let Some(report) = &options.measured
        && !graph.units.is_empty()
        && measured.iter().all(Option::is_none)
    {
        return Err(BuildTimeError::ForeignReport {
            report: report.len(),
            graph: graph.units.len(),
        });
    }
    let (model, model_note) = model_for(facts, options.release);
    let known = known_sizes(facts);
    let unknown_sizes = (0..known.len())
        .filter(|&i| known[i].is_none() && measured[i].is_none())
        .count();
    let costs: Vec<Cost> = graph
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            measured[i].unwrap_or_else(|| model.estimate(u, &known[i].unwrap_or_default()))
        })
        .collect();
    let result = architect_build::analyze(graph, &costs, facts.jobs);
    let what_if = what_if(facts, &costs, &options.what_ifs)?;
    let replay = options
        .measured
        .as_ref()
        .map(|m| architect_build::compare_replay(graph, &result.schedule, m));
    let shared = Shared::with_sim(Sim {
        costs,
        result: result.clone(),
        unknown_sizes,
        model_note: model_note.clone(),
    });
    let findings = crate::review_with(facts, &options.review, &shared)
        .findings
        .into_iter()
        .filter(|f| f.section == Section::Build)
        .collect();
    let figures = architect_build::Figures::of(
        &result,
        replay.as_ref().map(|r| r.measured_total),
        what_if.as_ref().map(|(_, w)| w),
        options.release,
    );
    Ok(BuildTimeReport {
        figures,
        result,
        replay,
        what_if,
        findings,
        unknown_sizes,
        model_note,
        sizes: known,
    })
}

/// The build re-simulated with the what-ifs, when there are any.
fn what_if(
    facts: &Facts,
    costs: &[Cost],
    what_ifs: &[WhatIf],
) -> Result<Option<(UnitGraph, BuildTime)>, BuildTimeError> {
    if what_ifs.is_empty() {
        return Ok(None);
    }
    let modules = |u: &architect_build::Unit| {
        let files = facts.sources.packages.get(&u.package)?.lib_files().count();
        (files > 0).then_some(files)
    };
    let extract = |u: &architect_build::Unit, modules: &[String]| {
        let pkg = facts
            .sources
            .packages
            .get(&u.package)
            .ok_or_else(|| format!("the modules of `{}` were not read", u.name))?;
        crate::modgraph::ModuleGraph::extraction(pkg.lib_files(), modules)
            .map_err(|e| format!("`{}`: {e}", u.name))
    };
    let (g, c, j) = architect_build::apply(
        &facts.units,
        costs,
        facts.jobs,
        what_ifs,
        &modules,
        &extract,
    )
    .map_err(BuildTimeError::WhatIf)?;
    let r = architect_build::analyze(&g, &c, j);
    Ok(Some((g, r)))
}
