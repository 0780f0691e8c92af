//! Build-time analysis: costs for every unit (measured, or estimated by the cost model), the
//! simulated build at several job counts, its critical path and lower bounds, and what-ifs.

use std::collections::BTreeMap;

use crate::debug::DebugLevel;
use crate::simulate::{Schedule, simulate_ordered};
use crate::timings::MeasuredUnit;
use crate::units::{Dep, Unit, UnitGraph, UnitKind};

/// Seconds of a unit, and where its metadata is ready.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cost {
    pub duration: f64,
    pub rmeta: f64,
    pub measured: bool,
    /// When a measured build started the unit (seconds): replaying it, ties of priority are
    /// broken in this order, as cargo broke them that time.
    pub started: Option<f64>,
}

/// The size of a package as the cost model sees it: code lines and the constructs that make
/// rustc work (functions, generic functions, impls, macro invocations, derives), over its
/// library's files.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Size {
    pub kloc: f64,
    pub fns: f64,
    pub generic_fns: f64,
    pub impls: f64,
    pub macro_calls: f64,
    pub derives: f64,
    /// `impl` blocks with a type or const parameter (their methods are compiled by users).
    pub generic_impls: f64,
    /// For one unit rather than its package: the crates it compiles against, directly or not
    /// ([`crate::Unit::crates_used`]); set by the caller for workspace members.
    pub crates_used: f64,
    /// For one unit: the crates it depends on directly ([`crate::Unit::direct_deps`]); set by
    /// the caller for workspace members.
    pub direct_deps: f64,
    /// Of a binary: thousands of lines of the libraries it links that its code reaches (the
    /// crates it names, and theirs, transitively); set by the caller.
    pub linked_kloc: f64,
    /// Kilobytes of C and C++ sources its build script compiles (0: none), in how many files,
    /// and how.
    pub native_kb: f64,
    pub native_files: f64,
    pub native_system: BuildSystem,
}

/// How a build script compiles C and C++.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BuildSystem {
    /// The `cc` crate, file by file.
    #[default]
    Cc,
    /// The `cmake` crate: CMake configures, then its generator builds.
    Cmake,
    /// The sources' own `configure` script, then `make` (autotools, OpenSSL's `Configure`).
    Configure,
}

/// A build script's run shorter than this compiled no C: it is not fitted on.
const NATIVE_MIN_RUN: f64 = 0.1;

/// Number of regression features: an intercept and the six sizes, each as `ln(1 + x)`.
pub const FEATURES: usize = 7;
/// Of a build script's run that compiles C: an intercept, `ln(1 + kilobytes)`, `ln(1 + files)`,
/// and whether it goes through CMake, or `configure` and `make`.
pub const NATIVE_FEATURES: usize = 5;
/// Of a workspace member's library or binary, over the estimate for a dependency of its size:
/// an intercept, the share of its `impl` blocks that are generic, and `ln(1 + crates used)`.
pub const MEMBER_FEATURES: usize = 3;

impl Size {
    fn features(&self) -> [f64; FEATURES] {
        let l = |x: f64| (1.0 + x.max(0.0)).ln();
        [
            1.0,
            l(self.kloc * 10.0),
            l(self.fns),
            l(self.generic_fns),
            l(self.impls),
            l(self.macro_calls),
            l(self.derives),
        ]
    }

    fn member_features(&self) -> [f64; MEMBER_FEATURES] {
        let generic_share = if self.impls > 0.0 {
            (self.generic_impls / self.impls).clamp(0.0, 1.0)
        } else {
            0.0
        };
        [1.0, generic_share, (1.0 + self.crates_used.max(0.0)).ln()]
    }

    fn native_features(&self) -> [f64; NATIVE_FEATURES] {
        let l = |x: f64| (1.0 + x.max(0.0)).ln();
        let is = |s: BuildSystem| if self.native_system == s { 1.0 } else { 0.0 };
        [
            1.0,
            l(self.native_kb),
            l(self.native_files),
            is(BuildSystem::Cmake),
            is(BuildSystem::Configure),
        ]
    }
}

/// A log-linear cost model per unit kind: `ln seconds = coefficients · features(size)`, times
/// a smearing factor (the mean of the exponentiated residuals, so that sums of predictions are
/// unbiased); medians for build-script compiles and runs; a library's metadata is ready at
/// `rmeta_share` of its duration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostModel {
    pub lib: [f64; FEATURES],
    pub lib_smear: f64,
    pub proc_macro: [f64; FEATURES],
    pub proc_macro_smear: f64,
    pub build_script_compile: f64,
    /// The median build-script run, of build scripts that compile no native code.
    pub build_script_run: f64,
    /// Build scripts that compile C or C++: `ln seconds = b · [1, ln(1 + kilobytes), ln(1 +
    /// files), CMake, configure and make]`, times a smearing factor.
    pub native_run: [f64; NATIVE_FEATURES],
    pub native_run_smear: f64,
    pub rmeta_share: f64,
    /// Workspace members' libraries and binaries take `exp(member · member_features)` times
    /// the estimate of a dependency of their size: cargo compiles them incrementally in the dev
    /// profile, and a crate that uses many crates instantiates their generics itself
    /// (docs/build-time.md). Fitted on the members of the training builds
    /// (`scripts/fit-members.py`), never on the held-out ones; the choice of features left one
    /// training workspace out at a time, and the generic-`impl` share, which did not help on the
    /// workspaces left out, has a coefficient of 0.
    pub member: [f64; MEMBER_FEATURES],
    /// A workspace binary's link step: seconds per million lines of the libraries its code
    /// reaches ([`Size::linked_kloc`]), added to the estimate of its own code. A six-line
    /// `main` that calls into an application's library takes seconds. Fitted with `member`.
    pub link_s_per_mloc: f64,
    /// The same when the profile sets `lto`: the link step optimises and generates the code
    /// of every crate the binary reaches again, with one codegen unit. Fitted on the training
    /// builds whose release profile sets `lto = true` (`scripts/fit-members.py --release`).
    pub lto_link_s_per_mloc: f64,
    /// The median size of the fitted libraries: stands in for packages whose size is unknown.
    pub typical: Size,
    /// The profile's `debug` setting in the build the model was fitted on; `None` for a model
    /// fitted on a measured build whose setting is not known.
    pub fitted_debug: Option<DebugLevel>,
    /// How other `debug` settings scale library and binary times, each measured by building
    /// the fitting workspace again with that setting on the same machine (not fitted).
    pub debug_factors: &'static [(DebugLevel, f64)],
}

/// Measured over estimated clean build time on the held-out real workspaces of
/// `docs/build-time.md` (dev: tokio, tracing, axum, pingora, helix, clap, async-graphql,
/// coreutils, serde, mdBook, eza, gitoxide, fd, hyper, rand, delta, tokei, and serde_json,
/// mio and hyperfine estimated before they were built; calibrated to the machine they were
/// built on): the smallest and the largest. An estimate's range is the estimate times these;
/// it is as wide as the model's worst misses (pingora's native build over, mdBook under), not a
/// confidence interval. A profile setting the model does not cover (regex's dev profile sets
/// `opt-level = 3`: 2.65 times its estimate) is outside it, and the figures' note says so.
pub const HELD_OUT_RATIO: (f64, f64) = (0.72, 1.33);
/// The same for `--release` (tokio, tracing, axum, clap, helix): clap's and helix's builds, whose
/// profiles set `lto` (clap's also `codegen-units = 1`, helix's thin LTO), took 1.7 and 1.4
/// times their estimate.
pub const HELD_OUT_RATIO_RELEASE: (f64, f64) = (0.95, 1.71);

/// The figures a report of a simulated build shows, computed once so that renderers only
/// print: the critical path's share, the error against a measured build, the change a
/// what-if makes, the held-out range of an estimate, and the units running in each tenth.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub critical_path_share: f64,
    /// (predicted − measured) / measured, when a report was replayed.
    pub replay_error: Option<f64>,
    /// The what-if build's total minus this one's.
    pub what_if_delta: Option<f64>,
    /// Where held-out builds fell around the estimate; `None` when every unit was measured.
    pub predicted_range: Option<(f64, f64)>,
    /// Units running at the middle of each tenth of the build.
    pub profile: Vec<usize>,
}

impl Figures {
    pub fn of(
        result: &BuildTime,
        measured_total: Option<f64>,
        what_if: Option<&BuildTime>,
        release: bool,
    ) -> Figures {
        let total = result.schedule.makespan;
        Figures {
            critical_path_share: result.critical_path_bound / total.max(f64::MIN_POSITIVE),
            replay_error: measured_total.map(|m| (total - m) / m.max(f64::MIN_POSITIVE)),
            what_if_delta: what_if.map(|w| w.schedule.makespan - total),
            predicted_range: (result.estimated_units > 0).then(|| predicted_range(total, release)),
            profile: result.schedule.profile(10),
        }
    }
}

/// The range a build estimated at `predicted` seconds took on held-out workspaces, in the
/// release profile or the dev one.
pub fn predicted_range(predicted: f64, release: bool) -> (f64, f64) {
    let (lo, hi) = if release {
        HELD_OUT_RATIO_RELEASE
    } else {
        HELD_OUT_RATIO
    };
    (predicted * lo, predicted * hi)
}

impl CostModel {
    /// Fitted by [`CostModel::fit`] on `fixtures/timings/real-deps-debug-j2.html`: the shared
    /// corpus built with `cargo build --timings -j2` (dev profile, 372 units) on this
    /// project's development machine. Build-script runs that compile C are fitted on
    /// `fixtures/timings/native-corpus-debug-j2.html` instead: `fixtures/native-corpus`, 24
    /// `-sys` crates building vendored C and C++ with cc, CMake or their own `configure` (20
    /// runs that compiled something), measured on a machine 0.764 times as slow as the
    /// reference (`--machine-factor 0.764`). (`../shared/timings/` holds the corpus build
    /// measured on a machine about 1.6 times slower.) `cargo architect build-time --timings
    /// FILE --fit` prints the coefficients; `tests/build_time.rs` refits them and checks these
    /// figures.
    pub const DEV: CostModel = CostModel {
        lib: [-3.4477, 0.5031, 0.0498, 0.1082, -0.0404, 0.0830, 0.0862],
        lib_smear: 1.1845,
        proc_macro: [-1.4119, 0.1604, -0.0561, 0.1350, 0.3093, 0.0830, -0.1982],
        proc_macro_smear: 1.0302,
        build_script_compile: 0.15,
        build_script_run: 0.01,
        rmeta_share: 0.6818,
        typical: Size {
            kloc: 1.160,
            fns: 89.0,
            generic_fns: 10.0,
            impls: 38.0,
            macro_calls: 25.0,
            derives: 13.0,
            generic_impls: 0.0,
            crates_used: 0.0,
            direct_deps: 0.0,
            linked_kloc: 0.0,
            native_kb: 0.0,
            native_files: 0.0,
            native_system: BuildSystem::Cc,
        },
        native_run: [-2.9883, 0.3011, 0.5058, 1.0388, 1.6793],
        native_run_smear: 1.3585,
        member: [-0.1763, 0.0, 0.4008],
        link_s_per_mloc: 2.097,
        lto_link_s_per_mloc: 0.0,
        fitted_debug: Some(DebugLevel::Full),
        // Sums of library and binary times, corpus rebuilt with each setting (docs/build-time.md).
        debug_factors: &[
            (DebugLevel::None, 0.827),
            (DebugLevel::LineTablesOnly, 0.875),
        ],
    };

    /// Fitted like [`CostModel::DEV`], on `fixtures/timings/real-deps-release-j2.html`: the
    /// same corpus built with `cargo build --release --timings -j2` (383 units) on the same
    /// machine; native build-script runs on `fixtures/timings/native-corpus-release-j2.html`.
    pub const RELEASE: CostModel = CostModel {
        lib: [-3.3944, 0.5742, 0.0885, 0.0803, -0.0548, 0.0710, 0.1136],
        lib_smear: 1.4306,
        proc_macro: [-1.4656, 0.1040, -0.0310, 0.1753, 0.2629, 0.0754, -0.1545],
        proc_macro_smear: 1.0293,
        build_script_compile: 0.13,
        build_script_run: 0.02,
        native_run: [-1.0956, 0.1469, 0.4589, 0.6417, 0.6898],
        native_run_smear: 1.2602,
        member: [0.0, 0.0, 0.0],
        link_s_per_mloc: 3.7642,
        lto_link_s_per_mloc: 114.3794,
        rmeta_share: 0.5689,
        typical: Size {
            kloc: 1.163,
            fns: 91.0,
            generic_fns: 11.0,
            impls: 38.0,
            macro_calls: 26.0,
            derives: 13.0,
            generic_impls: 0.0,
            crates_used: 0.0,
            direct_deps: 0.0,
            linked_kloc: 0.0,
            native_kb: 0.0,
            native_files: 0.0,
            native_system: BuildSystem::Cc,
        },
        fitted_debug: Some(DebugLevel::None),
        debug_factors: &[
            (DebugLevel::Limited, 1.107),
            (DebugLevel::LineTablesOnly, 1.123),
        ],
    };

    /// The model for a profile whose `debug` setting is `level`; an error names a setting no
    /// measurement covers.
    pub fn with_debug(&self, level: DebugLevel) -> Result<CostModel, String> {
        if Some(level) == self.fitted_debug {
            return Ok(*self);
        }
        match self.debug_factors.iter().find(|(l, _)| *l == level) {
            Some((_, f)) => Ok(CostModel {
                lib_smear: self.lib_smear * f,
                ..*self
            }),
            None => Err(match self.fitted_debug {
                Some(fitted) => format!(
                    "`debug = \"{level}\"` is not modelled: estimates assume `debug = \"{fitted}\"`"
                ),
                None => format!(
                    "`debug = \"{level}\"` is not modelled: estimates assume the setting of the measured build"
                ),
            }),
        }
    }

    /// The model for a machine `factor` times as slow as the one it was fitted on: every
    /// estimated time scaled, the shape of the model kept.
    pub fn scaled(mut self, factor: f64) -> CostModel {
        self.lib_smear *= factor;
        self.proc_macro_smear *= factor;
        self.native_run_smear *= factor;
        self.build_script_compile *= factor;
        self.build_script_run *= factor;
        self.link_s_per_mloc *= factor;
        self.lto_link_s_per_mloc *= factor;
        self
    }

    pub fn estimate(&self, unit: &Unit, size: &Size) -> Cost {
        let x = size.features();
        let predict = |b: &[f64; FEATURES], smear: f64| {
            smear * b.iter().zip(x).map(|(b, x)| b * x).sum::<f64>().exp()
        };
        let member = if unit.in_workspace {
            predict_with(&self.member, &size.member_features(), 1.0)
        } else {
            1.0
        };
        let duration = match unit.kind {
            UnitKind::Lib => member * predict(&self.lib, self.lib_smear),
            // A binary is a crate of its own module tree's size (its library's code is the
            // library's unit), then linked.
            UnitKind::Bin(_) => {
                member * predict(&self.lib, self.lib_smear)
                    + self.link_s_per_mloc * size.linked_kloc / 1000.0
            }
            UnitKind::ProcMacro => member * predict(&self.proc_macro, self.proc_macro_smear),
            UnitKind::BuildScriptCompile => self.build_script_compile,
            UnitKind::BuildScriptRun if size.native_kb > 0.0 => predict_with(
                &self.native_run,
                &size.native_features(),
                self.native_run_smear,
            ),
            UnitKind::BuildScriptRun => self.build_script_run,
        };
        let rmeta = if unit.kind.pipelined() {
            duration * self.rmeta_share
        } else {
            duration
        };
        Cost {
            duration,
            rmeta,
            measured: false,
            started: None,
        }
    }

    /// `key = value` lines, the form `--fit` prints and the tests read.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        for (name, b) in [("lib", &self.lib), ("proc_macro", &self.proc_macro)] {
            for (k, v) in b.iter().enumerate() {
                out.push_str(&format!("{name}[{k}] = {v:.4}\n"));
            }
        }
        for (k, v) in [
            ("lib_smear", self.lib_smear),
            ("proc_macro_smear", self.proc_macro_smear),
            ("build_script_compile", self.build_script_compile),
            ("build_script_run", self.build_script_run),
            ("native_run[0]", self.native_run[0]),
            ("native_run[1]", self.native_run[1]),
            ("native_run[2]", self.native_run[2]),
            ("native_run[3]", self.native_run[3]),
            ("native_run[4]", self.native_run[4]),
            ("native_run_smear", self.native_run_smear),
            ("member[0]", self.member[0]),
            ("member[1]", self.member[1]),
            ("member[2]", self.member[2]),
            ("link_s_per_mloc", self.link_s_per_mloc),
            ("lto_link_s_per_mloc", self.lto_link_s_per_mloc),
            ("rmeta_share", self.rmeta_share),
            ("typical.kloc", self.typical.kloc),
            ("typical.fns", self.typical.fns),
            ("typical.generic_fns", self.typical.generic_fns),
            ("typical.impls", self.typical.impls),
            ("typical.macro_calls", self.typical.macro_calls),
            ("typical.derives", self.typical.derives),
        ] {
            out.push_str(&format!("{k} = {v:.4}\n"));
        }
        out
    }

    /// Least-squares fit (with a light ridge) of the log-linear model per kind on measured
    /// units; medians for build scripts.
    /// Parts with too few measured units to fit (native build scripts: ten) keep `base`'s.
    pub fn fit(
        graph: &UnitGraph,
        sizes: &[Size],
        measured: &[Option<Cost>],
        base: &CostModel,
    ) -> CostModel {
        let fit_kind = |kind: fn(&UnitKind) -> bool| -> Option<([f64; FEATURES], f64)> {
            let rows: Vec<([f64; FEATURES], f64)> = graph
                .units
                .iter()
                .enumerate()
                .filter(|(_, u)| kind(&u.kind))
                .filter_map(|(i, _)| measured[i].map(|c| (sizes[i].features(), c.duration)))
                .filter(|(_, d)| *d > 0.0)
                .map(|(x, d)| (x, d.ln()))
                .collect();
            let b = ridge(&rows, 1e-2)?;
            Some((b, smear(&rows, &b)))
        };
        let median = |kind: UnitKind| -> Option<f64> {
            let mut v: Vec<f64> = graph
                .units
                .iter()
                .enumerate()
                .filter(|(i, u)| {
                    u.kind == kind
                        && (kind != UnitKind::BuildScriptRun || sizes[*i].native_kb == 0.0)
                })
                .filter_map(|(i, _)| measured[i].map(|c| c.duration))
                .collect();
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied()
        };
        // Build scripts compiling C: least squares of ln seconds on their native features.
        let native: Vec<([f64; NATIVE_FEATURES], f64)> = graph
            .units
            .iter()
            .enumerate()
            .filter(|(i, u)| u.kind == UnitKind::BuildScriptRun && sizes[*i].native_kb > 0.0)
            .filter_map(|(i, _)| measured[i].map(|c| (sizes[i].native_features(), c.duration)))
            // Under a tenth of a second it compiled nothing: it found the library on the
            // system (freetype-sys, libz-sys), which the sources cannot tell.
            .filter(|(_, d)| *d >= NATIVE_MIN_RUN)
            .map(|(x, d)| (x, d.ln()))
            .collect();
        let (native_run, native_run_smear) = ridge(&native, 1e-2)
            .map_or((base.native_run, base.native_run_smear), |b| {
                (b, smear(&native, &b))
            });
        let (lib, lib_smear) =
            fit_kind(|k| matches!(k, UnitKind::Lib)).unwrap_or(([0.0; FEATURES], 1.0));
        let (proc_macro, proc_macro_smear) =
            fit_kind(|k| matches!(k, UnitKind::ProcMacro)).unwrap_or((lib, lib_smear));
        let mut shares: Vec<f64> = graph
            .units
            .iter()
            .enumerate()
            .filter(|(_, u)| u.kind == UnitKind::Lib)
            .filter_map(|(i, _)| {
                measured[i]
                    .filter(|c| c.duration > 0.05)
                    .map(|c| c.rmeta / c.duration)
            })
            .collect();
        shares.sort_by(f64::total_cmp);
        let libs: Vec<&Size> = graph
            .units
            .iter()
            .enumerate()
            .filter(|(i, u)| u.kind == UnitKind::Lib && measured[*i].is_some())
            .map(|(i, _)| &sizes[i])
            .collect();
        let mid = |f: fn(&Size) -> f64| -> f64 {
            let mut v: Vec<f64> = libs.iter().map(|s| f(s)).collect();
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied().unwrap_or(0.0)
        };
        let typical = Size {
            kloc: mid(|s| s.kloc),
            fns: mid(|s| s.fns),
            generic_fns: mid(|s| s.generic_fns),
            impls: mid(|s| s.impls),
            macro_calls: mid(|s| s.macro_calls),
            derives: mid(|s| s.derives),
            ..Size::default()
        };
        CostModel {
            typical,
            lib,
            lib_smear,
            proc_macro,
            proc_macro_smear,
            build_script_compile: median(UnitKind::BuildScriptCompile).unwrap_or(0.3),
            build_script_run: median(UnitKind::BuildScriptRun).unwrap_or(0.1),
            native_run,
            native_run_smear,
            member: base.member,
            link_s_per_mloc: base.link_s_per_mloc,
            lto_link_s_per_mloc: base.lto_link_s_per_mloc,
            fitted_debug: None,
            debug_factors: &[],
            rmeta_share: shares.get(shares.len() / 2).copied().unwrap_or(0.7),
        }
    }
}

/// Ridge regression by the normal equations (Gauss-Jordan on a 7×7 system); the intercept is
/// not penalised.
/// The mean exponentiated residual of `b` on `rows`: what makes sums of `exp` predictions
/// unbiased.
fn smear<const N: usize>(rows: &[([f64; N], f64)], b: &[f64; N]) -> f64 {
    rows.iter()
        .map(|(x, y)| (y - b.iter().zip(x).map(|(b, x)| b * x).sum::<f64>()).exp())
        .sum::<f64>()
        / rows.len().max(1) as f64
}

/// `smear · exp(b · x)`.
fn predict_with<const N: usize>(b: &[f64; N], x: &[f64; N], smear: f64) -> f64 {
    smear * b.iter().zip(x).map(|(b, x)| b * x).sum::<f64>().exp()
}

fn ridge<const N: usize>(rows: &[([f64; N], f64)], lambda: f64) -> Option<[f64; N]> {
    if rows.len() < N * 2 {
        return None;
    }
    let mut a = vec![vec![0.0f64; N + 1]; N];
    for (x, y) in rows {
        for i in 0..N {
            for j in 0..N {
                a[i][j] += x[i] * x[j];
            }
            a[i][N] += x[i] * y;
        }
    }
    for (i, row) in a.iter_mut().enumerate().skip(1) {
        row[i] += lambda * rows.len() as f64;
    }
    for col in 0..N {
        let pivot = (col..N).max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs()))?;
        a.swap(col, pivot);
        let p = a[col][col];
        if p.abs() < 1e-12 {
            return None;
        }
        for v in &mut a[col][col..] {
            *v /= p;
        }
        let pivot_row = a[col].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != col {
                let f = row[col];
                for (v, pv) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                    *v -= f * pv;
                }
            }
        }
    }
    let mut b = [0.0; N];
    for (bi, row) in b.iter_mut().zip(&a) {
        *bi = row[N];
    }
    Some(b)
}

/// Which measured unit stands for each unit of the graph: same package name and version, same
/// kind, same features. Host and target units of the same key (release builds) are told apart
/// by time: the host one is needed first, so it is the earlier one. Start times are counted
/// from the report's first unit.
pub fn match_measured(graph: &UnitGraph, measured: &[MeasuredUnit]) -> Vec<Option<Cost>> {
    matched(graph, measured).0
}

/// [`match_measured`], and for each measured unit whether a unit of the graph took it.
fn matched(graph: &UnitGraph, measured: &[MeasuredUnit]) -> (Vec<Option<Cost>>, Vec<bool>) {
    let key = |name: &str, version: &str, kind: &str, features: &[String]| {
        format!("{name} {version} {kind} {}", features.join(","))
    };
    let first = measured
        .iter()
        .map(|u| u.start)
        .fold(f64::INFINITY, f64::min);
    let mut by_key: BTreeMap<String, Vec<(usize, &MeasuredUnit)>> = BTreeMap::new();
    for (i, m) in measured.iter().enumerate() {
        let t = m.target.trim();
        let kind = match (m.mode.as_str(), t) {
            ("run-custom-build", _) => "run".to_string(),
            (_, "build-script") => "build".into(),
            (_, "") => "lib".into(),
            // `bin "name"`, or `name "bin"` as cargo 1.95 writes it.
            (_, t) if t.starts_with("bin ") => format!("bin {}", t[4..].trim_matches('"')),
            (_, t) if t.ends_with("\"bin\"") => {
                format!("bin {}", t.split_whitespace().next().unwrap_or(""))
            }
            _ => "other".into(),
        };
        by_key
            .entry(key(&m.name, &m.version, &kind, &m.features))
            .or_default()
            .push((i, m));
    }
    for v in by_key.values_mut() {
        v.sort_by(|a, b| a.1.start.total_cmp(&b.1.start));
    }
    let mut used = vec![false; measured.len()];
    let costs = graph
        .units
        .iter()
        .map(|u| {
            let kind = match &u.kind {
                UnitKind::Lib | UnitKind::ProcMacro => "lib".to_string(),
                UnitKind::BuildScriptCompile => "build".into(),
                UnitKind::BuildScriptRun => "run".into(),
                UnitKind::Bin(b) => format!("bin {b}"),
            };
            let candidates = by_key.get(&key(&u.name, &u.version, &kind, &u.features))?;
            let &(i, m) = if candidates.len() > 1 && !u.host {
                candidates.last()?
            } else {
                candidates.first()?
            };
            used[i] = true;
            Some(Cost {
                duration: m.duration,
                rmeta: if u.kind.pipelined() {
                    m.rmeta.unwrap_or(m.duration)
                } else {
                    m.duration
                },
                measured: true,
                started: Some(m.start - first),
            })
        })
        .collect();
    (costs, used)
}

/// The measured start, metadata and end of each unit of the graph (zero for units the report
/// does not have), to walk the measured critical chain.
fn schedule_of(costs: &[Option<Cost>]) -> Vec<crate::Scheduled> {
    costs
        .iter()
        .map(|c| {
            let (start, rmeta, duration) = c.map_or((0.0, 0.0, 0.0), |c| {
                (c.started.unwrap_or(0.0), c.rmeta, c.duration)
            });
            crate::Scheduled {
                start,
                rmeta: start + rmeta,
                end: start + duration,
            }
        })
        .collect()
}

/// How a unit's library splits when the named modules move out (`split=CRATE:MODULE,...`): the
/// parts, or why it cannot.
pub type Extraction<'a> = dyn Fn(&Unit, &[String]) -> Result<Vec<Part>, String> + 'a;

/// A change to re-simulate.
#[derive(Debug, Clone, PartialEq)]
pub enum WhatIf {
    /// Split a crate's library into `parts` crates of equal cost that build in parallel.
    Split { package: String, parts: usize },
    /// Move these modules of a crate's library into a crate of their own: below the rest, above
    /// it or beside it, as the paths between them say.
    Extract {
        package: String,
        modules: Vec<String>,
    },
    /// Remove a package: its units cost nothing.
    Remove { package: String },
    /// Build with this many jobs.
    Jobs(usize),
}

impl WhatIf {
    pub fn parse(s: &str) -> Result<WhatIf, String> {
        let (k, v) = s.split_once('=').ok_or_else(|| {
            format!(
                "`{s}`: expected split=CRATE:K, split=CRATE:MODULE,..., remove=PACKAGE or jobs=N"
            )
        })?;
        match k {
            "jobs" => v
                .parse()
                .ok()
                .filter(|n| *n >= 1)
                .map(WhatIf::Jobs)
                .ok_or_else(|| format!("`{v}`: jobs must be a whole number, 1 or more")),
            "remove" => Ok(WhatIf::Remove {
                package: v.to_string(),
            }),
            "split" => {
                let (p, n) = v
                    .split_once(':')
                    .ok_or_else(|| format!("`{v}`: expected CRATE:K or CRATE:MODULE,..."))?;
                if n.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                    let modules: Vec<String> = n.split(',').map(|m| m.trim().to_string()).collect();
                    if modules.iter().any(|m| m.is_empty()) {
                        return Err(format!("`{n}`: an empty module name"));
                    }
                    return Ok(WhatIf::Extract {
                        package: p.to_string(),
                        modules,
                    });
                }
                let parts = n
                    .parse()
                    .ok()
                    .filter(|n| *n >= 2)
                    .ok_or_else(|| format!("`{n}`: split into 2 or more parts"))?;
                Ok(WhatIf::Split {
                    package: p.to_string(),
                    parts,
                })
            }
            _ => Err(format!("`{k}`: expected split, remove or jobs")),
        }
    }
}

/// Apply what-ifs to a graph and its costs; returns the new graph, costs and job count.
/// `modules` gives the number of modules of a unit's crate: a split into more parts than that
/// is refused (and the part count stays small however large a number was typed).
pub fn apply(
    graph: &UnitGraph,
    costs: &[Cost],
    jobs: usize,
    what_ifs: &[WhatIf],
    modules: &dyn Fn(&Unit) -> Option<usize>,
    extract: &Extraction<'_>,
) -> Result<(UnitGraph, Vec<Cost>, usize), String> {
    let mut g = graph.clone();
    let mut c = costs.to_vec();
    let mut jobs = jobs;
    for w in what_ifs {
        match w {
            WhatIf::Jobs(n) => jobs = (*n).max(1),
            WhatIf::Remove { package } => {
                let mut any = false;
                for (i, u) in g.units.iter().enumerate() {
                    if &u.name == package {
                        c[i] = Cost {
                            duration: 0.0,
                            rmeta: 0.0,
                            ..c[i]
                        };
                        any = true;
                    }
                }
                if !any {
                    return Err(format!("no package `{package}` in the build"));
                }
            }
            WhatIf::Split { package, parts } => {
                let i = lib_unit(&g, package)?;
                match modules(&g.units[i]) {
                    Some(m) if *parts <= m => {}
                    Some(m) => {
                        return Err(format!(
                            "`{package}` has {m} module file(s): it can be split into at most {m} crates, not {parts}"
                        ));
                    }
                    None => {
                        return Err(format!(
                            "the modules of `{package}` were not read, so how far it can be split is unknown"
                        ));
                    }
                }
                let shares = vec![1.0 / *parts as f64; *parts];
                (g, c) = split_unit(&g, &c, i, &shares);
            }
            WhatIf::Extract { package, modules } => {
                let i = lib_unit(&g, package)?;
                let parts = extract(&g.units[i], modules)?;
                (g, c) = split_unit_layered(&g, &c, i, &parts);
            }
        }
    }
    Ok((g, c, jobs))
}

/// The library unit of `package`, or the error a what-if names it in.
fn lib_unit(g: &UnitGraph, package: &str) -> Result<usize, String> {
    g.units
        .iter()
        .position(|u| u.name == package && u.kind == UnitKind::Lib)
        .ok_or_else(|| format!("no library `{package}` in the build"))
}

/// Split unit `i` into parts costing `shares` of it (they sum to 1), built in parallel with the
/// same dependencies; whatever waited for the unit waits for every part.
pub fn split_unit(
    graph: &UnitGraph,
    costs: &[Cost],
    i: usize,
    shares: &[f64],
) -> (UnitGraph, Vec<Cost>) {
    let parts: Vec<Part> = shares
        .iter()
        .map(|&share| Part {
            share,
            after: Vec::new(),
        })
        .collect();
    split_unit_layered(graph, costs, i, &parts)
}

/// One crate of a split: its share of the original's cost, and the parts (indices into the
/// same list, earlier ones) it depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub share: f64,
    pub after: Vec<usize>,
}

/// Split unit `i` into `parts`: each keeps the unit's dependencies and waits for the metadata
/// of the parts it is `after` (pipelined, as a library waits for a library); whatever waited
/// for the unit waits for every part. Part 0 takes the unit's index.
pub fn split_unit_layered(
    graph: &UnitGraph,
    costs: &[Cost],
    i: usize,
    parts: &[Part],
) -> (UnitGraph, Vec<Cost>) {
    let mut g = graph.clone();
    let mut c = costs.to_vec();
    let whole = c[i];
    let part = |share: f64| Cost {
        duration: whole.duration * share,
        rmeta: whole.rmeta * share,
        measured: false,
        started: whole.started,
    };
    c[i] = part(parts.first().map_or(1.0, |p| p.share));
    let first_new = g.units.len();
    // Part k > 0 is unit first_new + k - 1.
    let index = |k: usize| if k == 0 { i } else { first_new + k - 1 };
    for (k, p) in parts.iter().enumerate().skip(1) {
        let mut u = g.units[i].clone();
        u.name = format!("{}#{k}", u.name);
        g.units.push(u);
        c.push(part(p.share));
    }
    for (k, p) in parts.iter().enumerate() {
        for &a in p.after.iter().filter(|&&a| a < parts.len() && a != k) {
            g.units[index(k)].deps.push(Dep {
                unit: index(a),
                full: false,
            });
        }
    }
    for j in 0..first_new {
        if let Some(d) = g.units[j].deps.iter().find(|d| d.unit == i).copied() {
            for k in first_new..g.units.len() {
                g.units[j].deps.push(Dep {
                    unit: k,
                    full: d.full,
                });
            }
        }
    }
    (g, c)
}

/// The figures of a simulated build.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildTime {
    pub schedule: Schedule,
    /// Predicted total at each job count.
    pub by_jobs: Vec<(usize, f64)>,
    /// Total work divided by the job count, and the critical path with unlimited jobs.
    pub work_over_jobs: f64,
    pub critical_path_bound: f64,
    /// The structural critical path: the chain that bounds the build however many jobs run
    /// (from the simulation with unlimited jobs), with its units' times there.
    pub structural_path: Vec<(usize, f64, f64)>,
    pub measured_units: usize,
    pub estimated_units: usize,
    /// The units whose cost was estimated.
    pub estimated: Vec<usize>,
}

/// Simulate the build at `jobs` and at 1 to 64 jobs. Ties of priority are broken in the order
/// of measured starts where costs carry them (then graph order).
pub fn analyze(graph: &UnitGraph, costs: &[Cost], jobs: usize) -> BuildTime {
    let d: Vec<f64> = costs.iter().map(|c| c.duration).collect();
    let r: Vec<f64> = costs.iter().map(|c| c.rmeta).collect();
    let order = observed_order(costs);
    let simulate = |j: usize| simulate_ordered(graph, &d, &r, j, &order);
    let schedule = simulate(jobs);
    let by_jobs = [1usize, 2, 4, 8, 16, 32, 64]
        .into_iter()
        .map(|j| {
            (
                j,
                if j == jobs {
                    schedule.makespan
                } else {
                    simulate(j).makespan
                },
            )
        })
        .collect();
    let work: f64 = d.iter().sum();
    let unlimited = simulate(graph.units.len().max(1));
    let structural_path = crate::simulate::critical_chain(graph, &unlimited.units)
        .into_iter()
        .map(|i| {
            (
                i,
                unlimited.units[i].start,
                unlimited.units[i].end - unlimited.units[i].start,
            )
        })
        .collect();
    BuildTime {
        structural_path,
        work_over_jobs: work / jobs.max(1) as f64,
        critical_path_bound: unlimited.makespan,
        measured_units: costs.iter().filter(|c| c.measured).count(),
        estimated_units: costs.iter().filter(|c| !c.measured).count(),
        estimated: (0..costs.len()).filter(|&i| !costs[i].measured).collect(),
        schedule,
        by_jobs,
    }
}

/// The predicted clean build at `jobs`, ties broken as [`analyze`] breaks them (in the order
/// of measured starts, then graph order): what a rule compares a changed build with.
pub fn makespan(graph: &UnitGraph, costs: &[Cost], jobs: usize) -> f64 {
    let d: Vec<f64> = costs.iter().map(|c| c.duration).collect();
    let r: Vec<f64> = costs.iter().map(|c| c.rmeta).collect();
    crate::simulate::simulate_ordered(graph, &d, &r, jobs, &observed_order(costs)).makespan
}

/// Each unit's rank in the order a measured build started them; units never measured come
/// after, in graph order.
fn observed_order(costs: &[Cost]) -> Vec<usize> {
    let mut by_start: Vec<usize> = (0..costs.len()).collect();
    by_start.sort_by(|&a, &b| match (costs[a].started, costs[b].started) {
        (Some(x), Some(y)) => x.total_cmp(&y).then(a.cmp(&b)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(&b),
    });
    let mut rank = vec![0; costs.len()];
    for (r, i) in by_start.into_iter().enumerate() {
        rank[i] = r;
    }
    rank
}

/// How a simulated build compares with the measured one it replays.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    /// The measured build's span, from its first unit's start to its last unit's end.
    pub measured_total: f64,
    /// The chain that ended the measured build, walked through the same unit graph.
    pub measured_chain: Vec<usize>,
    /// Whether the simulated chain at the same `-j` is the same chain.
    pub chain_matches: bool,
    /// How far each matched unit's simulated start is from its measured start (seconds):
    /// median and 90th percentile.
    pub start_error_median: f64,
    pub start_error_p90: f64,
    /// Units of the report that no unit of the graph stands for (`name version target`): a
    /// replay of the right report has none.
    pub unmatched: Vec<String>,
}

/// Compare a simulated build with the measured report it replays.
pub fn compare_replay(graph: &UnitGraph, schedule: &Schedule, measured: &[MeasuredUnit]) -> Replay {
    let first = measured
        .iter()
        .map(|u| u.start)
        .fold(f64::INFINITY, f64::min);
    let last = measured
        .iter()
        .map(|u| u.start + u.duration)
        .fold(0.0, f64::max);
    let (costs, used) = matched(graph, measured);
    let unmatched = measured
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|(m, _)| {
            format!("{} {}{}", m.name, m.version, m.target)
                .trim()
                .to_string()
        })
        .collect();
    let times = schedule_of(&costs);
    let measured_chain = crate::simulate::critical_chain(graph, &times);
    let mut errors: Vec<f64> = costs
        .iter()
        .zip(&schedule.units)
        .filter_map(|(c, s)| Some((c.as_ref()?.started? - s.start).abs()))
        .collect();
    errors.sort_by(f64::total_cmp);
    let quantile = |q: f64| {
        if errors.is_empty() {
            0.0
        } else {
            errors[((errors.len() - 1) as f64 * q).round() as usize]
        }
    };
    Replay {
        measured_total: if first.is_finite() {
            last - first.min(last)
        } else {
            0.0
        },
        chain_matches: measured_chain == schedule.critical_path,
        start_error_median: quantile(0.5),
        start_error_p90: quantile(0.9),
        measured_chain,
        unmatched,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_unit() -> Unit {
        Unit {
            package: guppy::PackageId::new("p"),
            name: "p".into(),
            version: "1.0.0".into(),
            kind: UnitKind::BuildScriptRun,
            host: true,
            features: vec![],
            in_workspace: false,
            deps: vec![],
            crates_used: 0,
            direct_deps: 0,
        }
    }

    #[test]
    fn a_member_using_many_crates_takes_longer_than_a_dependency() {
        let m = CostModel::DEV;
        let lib = |in_workspace: bool| Unit {
            kind: UnitKind::Lib,
            in_workspace,
            ..run_unit()
        };
        let size = |generic_impls: f64, crates_used: f64| Size {
            kloc: 5.0,
            impls: 100.0,
            generic_impls,
            crates_used,
            ..m.typical
        };
        let t = |u: &Unit, s: &Size| m.estimate(u, s).duration;
        let dependency = t(&lib(false), &size(0.0, 200.0));
        let application = t(&lib(true), &size(0.0, 200.0));
        let library = t(&lib(true), &size(80.0, 3.0));
        // An application's crate: several times a dependency of its size.
        assert!(application > 4.0 * dependency, "{application} {dependency}");
        // A library of a family, using few crates: one to two times a dependency's time (the
        // members of memchr, indexmap, crossbeam, rayon, time: 0.7 to 1.8).
        assert!(
            (1.0..2.0).contains(&(library / dependency)),
            "{library} {dependency}"
        );
    }

    #[test]
    fn a_workspace_proc_macro_takes_the_members_term() {
        let m = CostModel::DEV;
        let macro_unit = |in_workspace: bool| Unit {
            kind: UnitKind::ProcMacro,
            in_workspace,
            ..run_unit()
        };
        let size = Size {
            crates_used: 3.0,
            ..m.typical
        };
        let dependency = m.estimate(&macro_unit(false), &size).duration;
        let member = m.estimate(&macro_unit(true), &size).duration;
        let factor = predict_with(&m.member, &size.member_features(), 1.0);
        assert!(factor > 1.0, "{factor}");
        assert!(
            (member / dependency - factor).abs() < 1e-9,
            "{member} {dependency}"
        );
    }

    #[test]
    fn a_binary_links_the_code_it_reaches() {
        let m = CostModel::DEV;
        let bin = Unit {
            kind: UnitKind::Bin("app".into()),
            in_workspace: true,
            ..run_unit()
        };
        let own = Size {
            kloc: 0.05,
            ..m.typical
        };
        let alone = m.estimate(&bin, &own).duration;
        let linked = Size {
            linked_kloc: 1000.0,
            ..own
        };
        let with_link = m.estimate(&bin, &linked).duration;
        // A million linked lines add `link_s_per_mloc` seconds; a library ignores them.
        assert!(
            (with_link - alone - m.link_s_per_mloc).abs() < 1e-9,
            "{with_link} {alone}"
        );
        assert!(m.link_s_per_mloc > 0.5);
        let lib = Unit {
            kind: UnitKind::Lib,
            ..bin.clone()
        };
        assert_eq!(
            m.estimate(&lib, &own).duration,
            m.estimate(&lib, &linked).duration
        );
    }

    #[test]
    fn a_build_script_run_costs_the_median_unless_it_compiles_c() {
        let m = CostModel::DEV;
        let plain = m.estimate(&run_unit(), &Size::default());
        assert_eq!(plain.duration, m.build_script_run);
        let c = |kb: f64, files: f64, system: BuildSystem| {
            let size = Size {
                native_kb: kb,
                native_files: files,
                native_system: system,
                ..Size::default()
            };
            m.estimate(&run_unit(), &size).duration
        };
        let (small, large) = (
            c(100.0, 5.0, BuildSystem::Cc),
            c(10_700.0, 614.0, BuildSystem::Cc),
        );
        assert!(plain.duration < small && small < large, "{small} {large}");
        // 10.7 MB of C in 614 files, as aws-lc-sys bundles: seconds, not hundredths.
        assert!((5.0..60.0).contains(&large), "{large}");
        // The same sources through CMake, or their own configure and make, take longer.
        let cmake = c(10_700.0, 614.0, BuildSystem::Cmake);
        let configure = c(10_700.0, 614.0, BuildSystem::Configure);
        assert!(
            large < cmake && cmake < configure,
            "{large} {cmake} {configure}"
        );
    }

    #[test]
    fn a_split_names_a_count_or_modules() {
        assert_eq!(
            WhatIf::parse("split=core:4"),
            Ok(WhatIf::Split {
                package: "core".into(),
                parts: 4
            })
        );
        assert_eq!(
            WhatIf::parse("split=core:parser, lexer::tokens"),
            Ok(WhatIf::Extract {
                package: "core".into(),
                modules: vec!["parser".into(), "lexer::tokens".into()]
            })
        );
        assert!(WhatIf::parse("split=core:a,,b").is_err());
        assert!(WhatIf::parse("split=core:1").is_err());
    }

    #[test]
    fn debug_settings_scale_libraries_where_measured() {
        let dev = CostModel::DEV;
        assert_eq!(dev.with_debug(DebugLevel::Full), Ok(dev));
        let none = dev.with_debug(DebugLevel::None).unwrap();
        assert!((none.lib_smear / dev.lib_smear - 0.827).abs() < 1e-9);
        assert_eq!(none.proc_macro_smear, dev.proc_macro_smear);
        let release = CostModel::RELEASE;
        assert!(release.with_debug(DebugLevel::Limited).unwrap().lib_smear > release.lib_smear);
        let err = release.with_debug(DebugLevel::Full).unwrap_err();
        assert!(
            err.contains("not modelled") && err.contains("\"none\""),
            "{err}"
        );
    }
}
