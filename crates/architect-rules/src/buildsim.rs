//! The simulated clean build the build rules share.

use std::collections::BTreeSet;

use architect_build::{BuildTime, Cost, CostModel, Size, Unit, UnitKind, analyze};
use architect_model::{Facts, PackageSources, Profile};

/// The cost model's size of a package whose sources were read with size metrics: every
/// package whose code is on disk (cargo's registry cache holds it after any `cargo metadata`).
pub fn size_of(p: &PackageSources) -> Option<Size> {
    p.measured.then(|| Size {
        native_kb: p.native.bytes as f64 / 1000.0,
        native_files: p.native.files as f64,
        native_system: p.native.system,
        ..code_size(&p.metrics, p.built_lines)
    })
}

/// The size of binary `name` of `p`: its own module tree's, when its code was read.
pub fn size_of_bin(p: &PackageSources, name: &str) -> Option<Size> {
    let own = p.bins.get(name)?;
    p.measured.then(|| code_size(&own.metrics, own.lines))
}

/// The Rust part of a size: `lines` of code and the constructs counted in them.
fn code_size(m: &architect_model::Metrics, lines: usize) -> Size {
    Size {
        kloc: lines as f64 / 1000.0,
        fns: m.fns as f64,
        generic_fns: m.generic_fns as f64,
        impls: m.impls as f64,
        macro_calls: m.macro_calls as f64,
        derives: m.derives as f64,
        generic_impls: m.generic_impls as f64,
        ..Size::default()
    }
}

/// Costs from the cost model, and the build simulated at the machine's job count.
#[derive(Debug)]
pub struct Sim {
    pub costs: Vec<Cost>,
    pub result: BuildTime,
    /// Units of crates whose code was not read (not on disk, opaque, unreadable): they count
    /// as empty crates, so the figures are lower bounds.
    pub unknown_sizes: usize,
    /// What the cost model could not take into account (a profile setting it has no
    /// measurement for).
    pub model_note: Option<String>,
}

impl Sim {
    /// The workspace's own crates on the structural critical path, in path order, each once
    /// (a crate's build script, its run, its library and its binary are one crate).
    pub fn workspace_crates<'f>(&self, facts: &'f Facts) -> Vec<&'f architect_build::Unit> {
        let mut seen = std::collections::BTreeSet::new();
        self.result
            .structural_path
            .iter()
            .map(|&(i, _, _)| &facts.units.units[i])
            .filter(|u| u.in_workspace && seen.insert((u.name.as_str(), u.version.as_str())))
            .collect()
    }
}

/// The cost model for a profile (`dev` or `release`) of this workspace: its `debug` setting
/// applied where a measurement covers it, otherwise the base model and a note saying so.
pub fn model_for(facts: &Facts, release: bool) -> (CostModel, Option<String>) {
    let (base, profile) = if release {
        (CostModel::RELEASE, Profile::Release)
    } else {
        (CostModel::DEV, Profile::Dev)
    };
    let factor = facts.calibration.as_ref().map_or(1.0, |c| c.factor);
    let (mut model, mut notes) = match facts.profile_debug.get(&profile) {
        None => (base, Vec::new()),
        Some(level) => match base.with_debug(*level) {
            Ok(m) => (m, Vec::new()),
            Err(why) => (base, vec![format!("[profile.{profile}] {why}")]),
        },
    };
    // `lto`: a binary's link step is fitted for it (fat LTO's; thin LTO is estimated alike).
    let lto = facts.profile_lto.get(&profile).copied();
    let lto_modelled = lto.is_some() && model.lto_link_s_per_mloc > 0.0;
    if lto_modelled {
        model.link_s_per_mloc = model.lto_link_s_per_mloc;
        if lto == Some(architect_model::Lto::Thin) {
            notes.push(format!(
                "[profile.{profile}] `lto = \"thin\"` is estimated with fat LTO's link step (no training build uses thin LTO)"
            ));
        }
    }
    let unmodelled: Vec<&str> = facts
        .profile_unmodelled
        .get(&profile)
        .into_iter()
        .flatten()
        .map(String::as_str)
        .filter(|s| !(lto_modelled && s.starts_with("`lto")))
        .collect();
    if !unmodelled.is_empty() {
        notes.push(format!(
            "[profile.{profile}] sets {}, which the cost model does not cover: estimates assume cargo's defaults (held-out builds with such settings took up to 2.7 times their estimate)",
            unmodelled.join(", ")
        ));
    }
    let note = (!notes.is_empty()).then(|| notes.join("; "));
    (model.scaled(factor), note)
}

/// What a figure resting on crates whose code was not read says of them.
pub fn unknown_note(units: usize) -> String {
    format!(
        "{} of crates whose code was not read (not on disk, or reviewed from Cargo.lock) count as empty crates, so the times are lower bounds; `cargo fetch` brings their sources, `cargo architect build-time --timings` replays a measured build",
        crate::rule::count(units, "unit", "units")
    )
}

/// What the rules of one review share: the simulated build and the MSRV pressure, each
/// computed the first time a rule (or the summary) asks for it, then reused.
#[derive(Debug, Default)]
pub struct Shared {
    sim: std::sync::OnceLock<Option<Sim>>,
    msrv: std::sync::OnceLock<Option<crate::msrv_pressure::Pressure>>,
}

impl Shared {
    /// Rules share `sim` rather than a simulation of their own: `build-time` passes the build
    /// it simulated (from measured times when it has a report).
    pub fn with_sim(sim: Sim) -> Shared {
        Shared {
            sim: std::sync::OnceLock::from(Some(sim)),
            msrv: std::sync::OnceLock::new(),
        }
    }

    /// The MSRV pressure of `facts` (`msrv/pressure`, `msrv/policy`, the summary's figures).
    pub fn msrv(&self, facts: &Facts) -> Option<&crate::msrv_pressure::Pressure> {
        self.msrv
            .get_or_init(|| crate::msrv_pressure::pressure(facts))
            .as_ref()
    }

    /// The simulated build of `facts`; `None` when there is nothing to build.
    pub fn sim(&self, facts: &Facts) -> Option<&Sim> {
        self.sim
            .get_or_init(|| (!facts.units.units.is_empty()).then(|| simulate(facts)))
            .as_ref()
    }
}

pub fn simulate(facts: &Facts) -> Sim {
    let sizes = known_sizes(facts);
    let unknown_sizes = sizes.iter().filter(|s| s.is_none()).count();
    let (model, model_note) = model_for(facts, false);
    let costs: Vec<Cost> = facts
        .units
        .units
        .iter()
        .zip(&sizes)
        .map(|(u, s)| model.estimate(u, &s.unwrap_or_default()))
        .collect();
    let result = analyze(&facts.units, &costs, facts.jobs);
    Sim {
        costs,
        result,
        unknown_sizes,
        model_note,
    }
}

/// Each unit's size, when its crate's code was read; a member's with the crates it uses.
pub fn known_sizes(facts: &Facts) -> Vec<Option<Size>> {
    facts
        .units
        .units
        .iter()
        .map(|u| {
            let p = facts.sources.packages.get(&u.package)?;
            let mut size = match &u.kind {
                UnitKind::Bin(name) => size_of_bin(p, name).or_else(|| size_of(p))?,
                _ => size_of(p)?,
            };
            if u.in_workspace
                && matches!(
                    u.kind,
                    UnitKind::Lib | UnitKind::Bin(_) | UnitKind::ProcMacro
                )
            {
                size.crates_used = u.crates_used as f64;
                size.direct_deps = u.direct_deps as f64;
            }
            if let UnitKind::Bin(name) = &u.kind
                && let Some(own) = p.bins.get(name)
            {
                size.linked_kloc = linked_kloc(facts, u, &own.path_roots);
            }
            Some(size)
        })
        .collect()
}

/// Thousands of lines of the libraries binary `bin` reaches: those among its dependencies
/// that its code names (`roots`, a crate's name with `-` as `_`), and everything they depend
/// on. Crates whose code was not read count nothing.
fn linked_kloc(facts: &Facts, bin: &Unit, roots: &BTreeSet<String>) -> f64 {
    let units = &facts.units.units;
    let mut stack: Vec<usize> = bin
        .deps
        .iter()
        .map(|d| d.unit)
        .filter(|&j| {
            units[j].kind == UnitKind::Lib && roots.contains(&units[j].name.replace('-', "_"))
        })
        .collect();
    let mut seen = vec![false; units.len()];
    let mut packages = BTreeSet::new();
    while let Some(j) = stack.pop() {
        if std::mem::replace(&mut seen[j], true) || units[j].kind != UnitKind::Lib {
            continue;
        }
        packages.insert(&units[j].package);
        stack.extend(units[j].deps.iter().map(|d| d.unit));
    }
    packages
        .into_iter()
        .filter_map(|id| facts.sources.packages.get(id).and_then(size_of))
        .map(|s| s.kloc)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use architect_model::Lto;

    #[test]
    fn lto_gives_binaries_the_fitted_link_step_and_leaves_the_rest_in_the_note() {
        let mut facts = crate::testing::load("clean");
        let (plain, note) = model_for(&facts, true);
        assert_eq!(plain.link_s_per_mloc, CostModel::RELEASE.link_s_per_mloc);
        assert_eq!(note, None);
        facts.profile_lto.insert(Profile::Release, Lto::Fat);
        facts.profile_unmodelled.insert(
            Profile::Release,
            vec!["`lto = true`".into(), "`codegen-units = 1`".into()],
        );
        let (lto, note) = model_for(&facts, true);
        assert_eq!(lto.link_s_per_mloc, CostModel::RELEASE.lto_link_s_per_mloc);
        assert!(lto.link_s_per_mloc > 20.0 * plain.link_s_per_mloc);
        let note = note.unwrap();
        assert!(
            note.contains("`codegen-units = 1`") && !note.contains("`lto"),
            "{note}"
        );
        facts.profile_lto.insert(Profile::Release, Lto::Thin);
        let (_, note) = model_for(&facts, true);
        assert!(
            note.unwrap()
                .contains("`lto = \"thin\"` is estimated with fat LTO's")
        );
        // The dev model has no fitted LTO step: `lto` there stays in the note.
        facts.profile_lto.insert(Profile::Dev, Lto::Fat);
        facts
            .profile_unmodelled
            .insert(Profile::Dev, vec!["`lto = true`".into()]);
        let (dev, note) = model_for(&facts, false);
        assert_eq!(dev.link_s_per_mloc, CostModel::DEV.link_s_per_mloc);
        assert!(note.unwrap().contains("`lto = true`"));
    }
}
