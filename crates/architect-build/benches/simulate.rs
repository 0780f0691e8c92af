//! Simulating a generated workspace shaped like Feldera's after its split: 1,106 crates of
//! generated code, each using a handful of the ones before it and a shared runtime of 60
//! third-party libraries (some with build scripts), all pulled together by one main crate.
//!
//! ```sh
//! cargo bench -p architect-build --bench simulate
//! ```

use architect_build::{Cost, Dep, Unit, UnitGraph, UnitKind, analyze, simulate};

fn main() {
    divan::main();
}

/// A deterministic pseudo-random sequence (no dependency needed for a benchmark input).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

fn unit(name: String, kind: UnitKind, deps: Vec<Dep>, in_workspace: bool) -> Unit {
    Unit {
        package: guppy::PackageId::new(name.clone()),
        name,
        version: "0.1.0".into(),
        kind,
        host: false,
        features: Vec::new(),
        in_workspace,
        deps,
        crates_used: 0,
        direct_deps: 0,
    }
}

fn feldera_like(crates: usize) -> (UnitGraph, Vec<Cost>) {
    let mut rng = Lcg(1106);
    let mut units = Vec::new();
    let mut costs = Vec::new();
    let cost = |d: f64, pipelined: bool| Cost {
        duration: d,
        rmeta: if pipelined { d * 0.7 } else { d },
        measured: false,
        started: None,
    };
    // Shared runtime: 60 libraries, one in five with a build script.
    let mut runtime = Vec::new();
    for i in 0..60 {
        let mut deps: Vec<Dep> = (0..rng.next(4))
            .filter(|_| !runtime.is_empty())
            .map(|_| Dep {
                unit: runtime[rng.next(runtime.len())],
                full: false,
            })
            .collect();
        if i % 5 == 0 {
            units.push(unit(
                format!("rt{i}"),
                UnitKind::BuildScriptCompile,
                vec![],
                false,
            ));
            costs.push(cost(0.3, false));
            units.push(unit(
                format!("rt{i}"),
                UnitKind::BuildScriptRun,
                vec![Dep {
                    unit: units.len() - 1,
                    full: true,
                }],
                false,
            ));
            costs.push(cost(0.1, false));
            deps.push(Dep {
                unit: units.len() - 1,
                full: true,
            });
        }
        units.push(unit(format!("rt{i}"), UnitKind::Lib, deps, false));
        costs.push(cost(0.5 + rng.next(40) as f64 / 10.0, true));
        runtime.push(units.len() - 1);
    }
    // The generated crates.
    let mut generated = Vec::new();
    for i in 0..crates {
        let mut deps: Vec<Dep> = (0..3)
            .map(|_| Dep {
                unit: runtime[rng.next(runtime.len())],
                full: false,
            })
            .collect();
        if !generated.is_empty() {
            deps.extend((0..rng.next(5)).map(|_| Dep {
                unit: generated[rng.next(generated.len())],
                full: false,
            }));
        }
        units.push(unit(format!("gen{i}"), UnitKind::Lib, deps, true));
        costs.push(cost(0.4 + rng.next(30) as f64 / 10.0, true));
        generated.push(units.len() - 1);
    }
    let deps = generated
        .iter()
        .map(|&u| Dep {
            unit: u,
            full: false,
        })
        .collect();
    units.push(unit("main".into(), UnitKind::Lib, deps, true));
    costs.push(cost(2.0, true));
    let main = units.len() - 1;
    units.push(unit(
        "main".into(),
        UnitKind::Bin("pipeline".into()),
        vec![Dep {
            unit: main,
            full: true,
        }],
        true,
    ));
    costs.push(cost(5.0, false));
    (UnitGraph { units }, costs)
}

#[divan::bench(args = [2, 16, 64])]
fn simulate_1106_crates(b: divan::Bencher, jobs: usize) {
    let (g, c) = feldera_like(1106);
    let d: Vec<f64> = c.iter().map(|c| c.duration).collect();
    let r: Vec<f64> = c.iter().map(|c| c.rmeta).collect();
    b.bench(|| simulate(&g, &d, &r, jobs).makespan);
}

/// Everything `cargo architect build-time` computes: nine simulations (the job counts, the
/// unlimited one) and the priorities.
#[divan::bench]
fn analyze_1106_crates(b: divan::Bencher) {
    let (g, c) = feldera_like(1106);
    b.bench(|| analyze(&g, &c, 2).schedule.makespan);
}
