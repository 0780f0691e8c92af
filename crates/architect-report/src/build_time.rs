//! `cargo architect build-time`: the simulated build in the terminal and as JSON.

use std::fmt::Write;

use architect_build::{BuildTime, Replay, UnitGraph};
use architect_model::{FileStore, Finding};

use crate::HumanOptions;
use crate::json::WireFinding;
use serde::Serialize;

/// What the renderer needs: the baseline, and the build after the what-ifs when there are any.
#[derive(Debug)]
pub struct BuildTimeView<'a> {
    pub graph: &'a UnitGraph,
    pub result: &'a BuildTime,
    pub what_if: Option<(&'a [String], &'a UnitGraph, &'a BuildTime)>,
    /// The comparison with the measured build, when a timings report was given.
    pub replay: Option<&'a Replay>,
    /// The build section's findings, from this simulated build.
    pub findings: &'a [Finding],
    /// The evidence texts the findings point at.
    pub files: &'a FileStore,
    /// Units of crates whose code was not read, counted as empty crates: the figures are
    /// lower bounds.
    pub unknown_sizes: usize,
    /// The cost model's calibration to this machine, when there is one.
    pub calibration: Option<&'a architect_model::Calibration>,
    /// What the report shows, computed by the pipeline.
    pub figures: &'a architect_build::Figures,
    /// Each unit's size as the cost model saw it, in graph order (`None`: not read).
    pub sizes: &'a [Option<architect_build::Size>],
    /// What the cost model does not cover in this workspace's profile, when anything.
    pub model_note: Option<&'a str>,
}

/// What the estimates rest on, in words.
fn calibration_line(c: Option<&architect_model::Calibration>) -> String {
    match c {
        Some(c) => format!(
            "calibrated to this machine: the reference crate compiled in {:.2} s here ({}), estimates ×{:.2}{}",
            c.reference_s,
            c.toolchain,
            c.factor,
            if c.cached {
                "; cached, `--calibrate` measures again"
            } else {
                ""
            }
        ),
        None => "not calibrated to this machine: estimates are for the machine the cost model was fitted on; `--calibrate` measures this one".into(),
    }
}

/// One unit of the simulated build, for comparing estimates with a measured report.
#[derive(Serialize)]
struct UnitTime {
    unit: String,
    features: String,
    start_s: f64,
    duration_s: f64,
    estimated: bool,
    /// What the cost model read of the unit's package (absent: its code was not read).
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<SizeDoc>,
}

/// A package's size as the cost model sees it: the evidence behind an estimate.
#[derive(Serialize)]
struct SizeDoc {
    lines: u64,
    fns: u64,
    generic_fns: u64,
    impls: u64,
    generic_impls: u64,
    macro_calls: u64,
    derives: u64,
    /// Of a workspace member's unit: the crates it compiles against, directly or not.
    #[serde(skip_serializing_if = "is_zero")]
    crates_used: u64,
    /// Of a workspace member's unit: the crates it depends on directly.
    #[serde(skip_serializing_if = "is_zero")]
    direct_deps: u64,
    /// Of a binary: lines of the libraries its code reaches and links.
    #[serde(skip_serializing_if = "is_zero")]
    linked_lines: u64,
    #[serde(skip_serializing_if = "is_zero")]
    native_kb: u64,
    #[serde(skip_serializing_if = "is_zero")]
    native_files: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl From<&architect_build::Size> for SizeDoc {
    fn from(s: &architect_build::Size) -> SizeDoc {
        let n = |x: f64| x.max(0.0).round() as u64;
        SizeDoc {
            lines: n(s.kloc * 1000.0),
            fns: n(s.fns),
            generic_fns: n(s.generic_fns),
            impls: n(s.impls),
            generic_impls: n(s.generic_impls),
            macro_calls: n(s.macro_calls),
            derives: n(s.derives),
            crates_used: n(s.crates_used),
            direct_deps: n(s.direct_deps),
            linked_lines: n(s.linked_kloc * 1000.0),
            native_kb: n(s.native_kb),
            native_files: n(s.native_files),
        }
    }
}

#[derive(Serialize)]
struct CalibrationDoc<'a> {
    factor: f64,
    reference_s: f64,
    toolchain: &'a str,
    cached: bool,
}

#[derive(Serialize)]
struct PathUnit {
    unit: String,
    start_s: f64,
    duration_s: f64,
}

#[derive(Serialize)]
struct Bounds {
    work_over_jobs_s: f64,
    critical_path_s: f64,
}

#[derive(Serialize)]
struct ByJobs {
    jobs: usize,
    total_s: f64,
}

#[derive(Serialize)]
struct Doc<'a> {
    jobs: usize,
    predicted_total_s: f64,
    /// Where held-out real builds fell around such an estimate (docs/build-time.md); absent
    /// when every unit was measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    predicted_range_s: Option<(f64, f64)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    measured_total_s: Option<f64>,
    critical_path: Vec<PathUnit>,
    critical_path_share: f64,
    /// The chain that ended the simulated build at `jobs` (resource waits included).
    chain_at_jobs: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    measured_chain: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replay: Option<ReplayDoc>,
    lower_bounds: Bounds,
    units: usize,
    measured_units: usize,
    estimated_units: usize,
    /// Units of crates whose code was not read, counted as empty: the figures are lower bounds.
    unknown_size_units: usize,
    /// The calibration to this machine; null when the estimates are for the fitting machine.
    calibration: Option<CalibrationDoc<'a>>,
    /// What the cost model does not cover in the profile's settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    model_note: Option<&'a str>,
    /// Units whose time was estimated because the report has no entry for them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    estimated: Vec<String>,
    by_jobs: Vec<ByJobs>,
    parallelism: Vec<(f64, usize)>,
    /// Every unit at the simulated job count, in graph order.
    unit_times: Vec<UnitTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    what_if: Option<WhatIfDoc>,
    findings: Vec<WireFinding<'a>>,
}

#[derive(Serialize)]
struct ReplayDoc {
    chain_matches: bool,
    start_error_median_s: f64,
    start_error_p90_s: f64,
    /// Units of the report that no unit of the simulated build stands for.
    unmatched_report_units: Vec<String>,
}

#[derive(Serialize)]
struct WhatIfDoc {
    changes: Vec<String>,
    jobs: usize,
    predicted_total_s: f64,
    critical_path_s: f64,
    delta_total_s: f64,
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The structural critical path (unlimited jobs): the chain no job count can shorten.
fn path(graph: &UnitGraph, b: &BuildTime) -> Vec<PathUnit> {
    b.structural_path
        .iter()
        .map(|&(i, start, duration)| PathUnit {
            unit: graph.units[i].label(),
            start_s: round(start),
            duration_s: round(duration),
        })
        .collect()
}

pub fn json(v: &BuildTimeView<'_>) -> String {
    let b = v.result;
    let doc = Doc {
        jobs: b.schedule.jobs,
        predicted_total_s: round(b.schedule.makespan),
        predicted_range_s: v
            .figures
            .predicted_range
            .map(|(lo, hi)| (round(lo), round(hi))),
        measured_total_s: v.replay.map(|r| round(r.measured_total)),
        critical_path: path(v.graph, b),
        critical_path_share: round(v.figures.critical_path_share),
        chain_at_jobs: b
            .schedule
            .critical_path
            .iter()
            .map(|&i| v.graph.units[i].label())
            .collect(),
        measured_chain: v.replay.map(|r| {
            r.measured_chain
                .iter()
                .map(|&i| v.graph.units[i].label())
                .collect()
        }),
        replay: v.replay.map(|r| ReplayDoc {
            chain_matches: r.chain_matches,
            start_error_median_s: round(r.start_error_median),
            start_error_p90_s: round(r.start_error_p90),
            unmatched_report_units: r.unmatched.clone(),
        }),
        lower_bounds: Bounds {
            work_over_jobs_s: round(b.work_over_jobs),
            critical_path_s: round(b.critical_path_bound),
        },
        units: v.graph.units.len(),
        measured_units: b.measured_units,
        estimated_units: b.estimated_units,
        unknown_size_units: v.unknown_sizes,
        model_note: v.model_note,
        calibration: v.calibration.map(|c| CalibrationDoc {
            factor: (c.factor * 1000.0).round() / 1000.0,
            reference_s: (c.reference_s * 1000.0).round() / 1000.0,
            toolchain: &c.toolchain,
            cached: c.cached,
        }),
        // With their features: a unit the report lacks is most often one whose features
        // differ from cargo's.
        estimated: if v.replay.is_some() {
            b.estimated
                .iter()
                .map(|&i| {
                    let u = &v.graph.units[i];
                    format!("{} [{}]", u.label(), u.features.join(","))
                })
                .collect()
        } else {
            Vec::new()
        },
        by_jobs: b
            .by_jobs
            .iter()
            .map(|(jobs, t)| ByJobs {
                jobs: *jobs,
                total_s: round(*t),
            })
            .collect(),
        unit_times: {
            let estimated: std::collections::BTreeSet<usize> =
                b.estimated.iter().copied().collect();
            v.graph
                .units
                .iter()
                .zip(&b.schedule.units)
                .enumerate()
                .map(|(i, (u, s))| UnitTime {
                    unit: u.label(),
                    features: u.features.join(","),
                    start_s: round(s.start),
                    duration_s: round(s.end - s.start),
                    estimated: estimated.contains(&i),
                    size: v.sizes.get(i).and_then(Option::as_ref).map(SizeDoc::from),
                })
                .collect()
        },
        parallelism: b
            .schedule
            .parallelism
            .iter()
            .map(|(t, n)| (round(*t), *n))
            .collect(),
        what_if: v.what_if.map(|(changes, _, w)| WhatIfDoc {
            changes: changes.to_vec(),
            jobs: w.schedule.jobs,
            predicted_total_s: round(w.schedule.makespan),
            critical_path_s: round(w.critical_path_bound),
            delta_total_s: round(v.figures.what_if_delta.unwrap_or_default()),
        }),
        findings: v.findings.iter().map(WireFinding::from).collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("serializes");
    s.push('\n');
    s
}

/// The build-time report in `format`: its own layouts for the terminal, JSON and Markdown; its
/// findings as SARIF or GitHub annotations, through the review's renderers.
pub fn render(
    format: crate::Format,
    v: &BuildTimeView<'_>,
    cx: &crate::Context<'_>,
    opts: &HumanOptions,
) -> String {
    match format {
        crate::Format::Human => human(v, opts),
        crate::Format::Json => json(v),
        crate::Format::Markdown => markdown(v),
        crate::Format::Sarif | crate::Format::Github => {
            let review = architect_model::Review {
                findings: v.findings.to_vec(),
                ..Default::default()
            };
            crate::render(format, &review, cx, opts)
        }
    }
}

/// The report as Markdown: the figures, the critical path and the findings.
pub fn markdown(v: &BuildTimeView<'_>) -> String {
    let b = v.result;
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# Clean build, simulated with cargo's scheduler\n");
    let _ = writeln!(w, "| | |\n|---|---|");
    let _ = writeln!(
        w,
        "| units | {} ({} measured, {} estimated) |",
        v.graph.units.len(),
        b.measured_units,
        b.estimated_units
    );
    let _ = writeln!(
        w,
        "| predicted at -j{} | {}{:.1} s |",
        b.schedule.jobs,
        if v.unknown_sizes > 0 { "at least " } else { "" },
        b.schedule.makespan
    );
    if v.unknown_sizes > 0 {
        let _ = writeln!(
            w,
            "| crates whose code was not read | {} units, counted as empty: the figures are lower bounds |",
            v.unknown_sizes
        );
    }
    if let Some(r) = v.replay {
        let _ = writeln!(w, "| measured | {:.1} s |", r.measured_total);
    }
    let _ = writeln!(w, "| estimates | {} |", calibration_line(v.calibration));
    let _ = writeln!(
        w,
        "| lower bounds | total work / {} = {:.1} s; critical path = {:.1} s |",
        b.schedule.jobs, b.work_over_jobs, b.critical_path_bound
    );
    let by_jobs: Vec<String> = b
        .by_jobs
        .iter()
        .map(|(j, t)| format!("-j{j} {t:.1} s"))
        .collect();
    let _ = writeln!(w, "| by job count | {} |", by_jobs.join(", "));
    let _ = writeln!(
        w,
        "\n## Critical path ({} units)\n\n| start | duration | unit |\n|---:|---:|---|",
        b.structural_path.len()
    );
    for p in path(v.graph, b) {
        let _ = writeln!(
            w,
            "| {:.1} s | {:.1} s | `{}` |",
            p.start_s, p.duration_s, p.unit
        );
    }
    if !v.findings.is_empty() {
        let _ = writeln!(w, "\n## Findings\n");
        for f in v.findings {
            let _ = writeln!(w, "- **{}** `{}`: {}", f.level, f.rule, f.message);
        }
    }
    out
}

pub fn human(v: &BuildTimeView<'_>, opts: &HumanOptions) -> String {
    let b = v.result;
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "Clean build, simulated with cargo's scheduler: {} units ({} measured, {} estimated)",
        v.graph.units.len(),
        b.measured_units,
        b.estimated_units
    );
    let range = v
        .figures
        .predicted_range
        .map(|(lo, hi)| format!(" (held-out real builds: {lo:.1} to {hi:.1} s)"))
        .unwrap_or_default();
    let _ = writeln!(
        w,
        "  predicted at -j{}: {}{:.1} s{range}",
        b.schedule.jobs,
        if v.unknown_sizes > 0 { "at least " } else { "" },
        b.schedule.makespan
    );
    if v.unknown_sizes > 0 {
        let _ = writeln!(
            w,
            "  {} units of crates whose code was not read count as empty crates: the figures are lower bounds (`cargo fetch` brings their sources)",
            v.unknown_sizes
        );
    }
    if b.estimated_units > 0 {
        let _ = writeln!(w, "  {}", calibration_line(v.calibration));
    }
    if let Some(r) = v.replay {
        let m = r.measured_total;
        let err = v.figures.replay_error.unwrap_or_default() * 100.0;
        let _ = writeln!(w, "  measured:         {m:.1} s (prediction {err:+.1}%)");
        let _ = writeln!(
            w,
            "  replay: unit starts off by {:.1} s (median), {:.1} s (90th percentile); \
             the chain that ended the build {}",
            r.start_error_median,
            r.start_error_p90,
            if r.chain_matches {
                "is the measured one"
            } else {
                "differs from the measured one"
            }
        );
        if !r.unmatched.is_empty() {
            let shown: Vec<&str> = r.unmatched.iter().take(5).map(String::as_str).collect();
            let _ = writeln!(
                w,
                "  {} units of the report are not in the simulated build (`{}`{}): is it a report of this workspace, features and profile?",
                r.unmatched.len(),
                shown.join("`, `"),
                if r.unmatched.len() > 5 { ", ..." } else { "" }
            );
        }
    }
    let _ = writeln!(
        w,
        "  lower bounds: total work / {} = {:.1} s; critical path = {:.1} s",
        b.schedule.jobs, b.work_over_jobs, b.critical_path_bound
    );
    let _ = writeln!(w, "\n  jobs   predicted");
    for (j, t) in &b.by_jobs {
        let _ = writeln!(w, "  {j:>4}   {t:>8.1} s");
    }
    let share = v.figures.critical_path_share * 100.0;
    let _ = writeln!(
        w,
        "\n  critical path ({} units, {share:.0}% of the build):",
        b.structural_path.len()
    );
    for p in path(v.graph, b) {
        let _ = writeln!(
            w,
            "    {:>7.1} s  +{:>6.1} s  {}",
            p.start_s, p.duration_s, p.unit
        );
    }
    // Parallelism over time, in ten slices.
    let _ = writeln!(w, "\n  units running over time:");
    let total = b.schedule.makespan;
    for (k, &running) in v.figures.profile.iter().enumerate() {
        let t = total * (k as f64 + 0.5) / 10.0;
        let _ = writeln!(w, "    {:>6.1} s  {}", t, "#".repeat(running));
    }
    if let Some((changes, _, wb)) = v.what_if {
        let _ = writeln!(
            w,
            "\n  what if {}: {:.1} s at -j{} ({:+.1} s), critical path {:.1} s (was {:.1} s)",
            changes.join(", "),
            wb.schedule.makespan,
            wb.schedule.jobs,
            // Rounded first, so that a change under 0.05 s reads +0.0, not -0.0.
            (v.figures.what_if_delta.unwrap_or_default() * 10.0).round() / 10.0 + 0.0,
            wb.critical_path_bound,
            b.critical_path_bound
        );
    }
    if !v.findings.is_empty() {
        let _ = writeln!(w);
        out.push_str(&crate::human::findings(v.findings, v.files, opts));
    }
    out
}
