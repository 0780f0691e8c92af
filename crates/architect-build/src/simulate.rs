//! cargo's job queue, simulated.

use crate::units::UnitGraph;

/// When a unit ran in a simulated (or replayed) build.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scheduled {
    pub start: f64,
    pub rmeta: f64,
    pub end: f64,
}

/// A simulated build.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub jobs: usize,
    pub units: Vec<Scheduled>,
    pub makespan: f64,
    /// Units on the critical path, first to last: each one's start was held back by the
    /// previous one (or it started at time zero).
    pub critical_path: Vec<usize>,
    /// (time, number of units running) at every change.
    pub parallelism: Vec<(f64, usize)>,
}

/// Simulate the build: at most `jobs` units at once; a unit is ready when each dependency has
/// reached its metadata (pipelined edges) or its end (full edges); among ready units the one
/// with the most transitive dependents starts first (ties: graph order). `duration[i]` and
/// `rmeta[i]` (seconds after the unit's start) are the unit's costs.
pub fn simulate(graph: &UnitGraph, duration: &[f64], rmeta: &[f64], jobs: usize) -> Schedule {
    simulate_ordered(graph, duration, rmeta, jobs, &[])
}

/// [`simulate`], with ties of priority broken by `order` (lower first; units past its end, or
/// all of them when it is empty, in graph order).
///
/// cargo orders equal priorities by the iteration order of a `HashMap`, which changes from run
/// to run; replaying a measured build, the order in which that build started its units is how
/// cargo broke the ties that time.
pub fn simulate_ordered(
    graph: &UnitGraph,
    duration: &[f64],
    rmeta: &[f64],
    jobs: usize,
    order: &[usize],
) -> Schedule {
    let n = graph.units.len();
    let rank = |i: usize| order.get(i).copied().unwrap_or(usize::MAX);
    let jobs = jobs.max(1);
    let priority = graph.dependents();
    // For each unit: how many of its dependencies are not yet satisfied.
    let mut waiting: Vec<usize> = graph.units.iter().map(|u| u.deps.len()).collect();
    let mut on_rmeta: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut on_end: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, u) in graph.units.iter().enumerate() {
        for d in &u.deps {
            if d.full {
                on_end[d.unit].push(i);
            } else {
                on_rmeta[d.unit].push(i);
            }
        }
    }
    // Highest priority first, then lowest rank, then lowest index.
    let key = |i: usize| (priority[i], std::cmp::Reverse((rank(i), i)));
    let mut ready: std::collections::BinaryHeap<_> =
        (0..n).filter(|&i| waiting[i] == 0).map(key).collect();
    // Events: (time, kind 0 = rmeta / 1 = end, unit), earliest first.
    let mut events: std::collections::BinaryHeap<std::cmp::Reverse<(Time, u8, usize)>> =
        std::collections::BinaryHeap::new();
    let mut out = vec![
        Scheduled {
            start: 0.0,
            rmeta: 0.0,
            end: 0.0
        };
        n
    ];
    let mut running = 0usize;
    let mut now = 0.0f64;
    let mut parallelism = vec![(0.0, 0usize)];
    let mut done = 0usize;
    loop {
        while running < jobs {
            let Some((_, std::cmp::Reverse((_, i)))) = ready.pop() else {
                break;
            };
            let d = duration[i].max(0.0);
            let r = rmeta[i].clamp(0.0, d);
            out[i] = Scheduled {
                start: now,
                rmeta: now + r,
                end: now + d,
            };
            events.push(std::cmp::Reverse((Time(now + r), 0, i)));
            events.push(std::cmp::Reverse((Time(now + d), 1, i)));
            running += 1;
        }
        if parallelism.last().is_some_and(|(t, _)| *t == now) {
            parallelism.last_mut().expect("non-empty").1 = running;
        } else {
            parallelism.push((now, running));
        }
        let Some(std::cmp::Reverse((Time(t), kind, i))) = events.pop() else {
            break;
        };
        now = t;
        let released = if kind == 0 { &on_rmeta[i] } else { &on_end[i] };
        for &j in released {
            waiting[j] -= 1;
            if waiting[j] == 0 {
                ready.push(key(j));
            }
        }
        if kind == 1 {
            running -= 1;
            done += 1;
        }
        if done == n {
            parallelism.push((now, 0));
            break;
        }
    }
    let makespan = out.iter().map(|s| s.end).fold(0.0, f64::max);
    let critical_path = critical_chain(graph, &out);
    Schedule {
        jobs,
        units: out,
        makespan,
        critical_path,
        parallelism,
    }
}

impl Schedule {
    /// How many units run at the middle of each of `slices` equal slices of the build.
    pub fn profile(&self, slices: usize) -> Vec<usize> {
        let total = self.makespan.max(f64::MIN_POSITIVE);
        (0..slices)
            .map(|k| {
                let t = total * (k as f64 + 0.5) / slices as f64;
                self.parallelism
                    .iter()
                    .take_while(|(at, _)| *at <= t)
                    .last()
                    .map_or(0, |(_, n)| *n)
            })
            .collect()
    }
}

/// The chain of units that determined when the build ended: from the unit that finished last,
/// back through the dependency each unit waited for longest (its metadata or its end), to a
/// unit with no dependencies. Works on simulated and on measured times alike.
pub fn critical_chain(graph: &UnitGraph, units: &[Scheduled]) -> Vec<usize> {
    let mut chain = Vec::new();
    let mut cur = (0..units.len()).max_by(|&a, &b| units[a].end.total_cmp(&units[b].end));
    while let Some(u) = cur {
        chain.push(u);
        cur = graph.units[u]
            .deps
            .iter()
            .map(|d| {
                (
                    d.unit,
                    if d.full {
                        units[d.unit].end
                    } else {
                        units[d.unit].rmeta
                    },
                )
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(d, _)| d);
    }
    chain.reverse();
    chain
}

/// A total order on event times.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Time(f64);

impl Eq for Time {}

impl PartialOrd for Time {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Time {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::{Dep, Unit, UnitGraph, UnitKind};

    fn unit(name: &str, kind: UnitKind, deps: Vec<Dep>) -> Unit {
        Unit {
            package: guppy::PackageId::new(name),
            name: name.into(),
            version: "1.0.0".into(),
            kind,
            host: false,
            features: vec![],
            in_workspace: false,
            deps,
            crates_used: 0,
            direct_deps: 0,
        }
    }

    #[test]
    fn dependents_by_bit_sets_are_the_search_counts() {
        // A layered DAG with shared dependencies, and a linking unit that depends on many.
        let mut x: u64 = 7;
        let mut units: Vec<Unit> = Vec::new();
        for i in 0..300 {
            let mut deps = Vec::new();
            for _ in 0..(i % 5) {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let d = (x >> 33) as usize % i.max(1);
                if i > 0 && !deps.iter().any(|e: &Dep| e.unit == d) {
                    deps.push(Dep {
                        unit: d,
                        full: false,
                    });
                }
            }
            units.push(unit(&format!("u{i}"), UnitKind::Lib, deps));
        }
        units.push(unit(
            "bin",
            UnitKind::Bin("bin".into()),
            (0..300)
                .step_by(3)
                .map(|d| Dep {
                    unit: d,
                    full: true,
                })
                .collect(),
        ));
        let graph = UnitGraph { units };
        let mut rev = vec![Vec::new(); graph.units.len()];
        for (i, u) in graph.units.iter().enumerate() {
            for d in &u.deps {
                rev[d.unit].push(i);
            }
        }
        assert_eq!(graph.dependents(), graph.dependents_by_search(&rev));
        assert_eq!(
            UnitGraph { units: vec![] }.dependents(),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn pipelining_slots_and_priority() {
        // a <- b (rmeta) <- bin (full of a and b); c independent.
        let g = UnitGraph {
            units: vec![
                unit("a", UnitKind::Lib, vec![]),
                unit(
                    "b",
                    UnitKind::Lib,
                    vec![Dep {
                        unit: 0,
                        full: false,
                    }],
                ),
                unit(
                    "bin",
                    UnitKind::Bin("x".into()),
                    vec![
                        Dep {
                            unit: 0,
                            full: true,
                        },
                        Dep {
                            unit: 1,
                            full: true,
                        },
                    ],
                ),
                unit("c", UnitKind::Lib, vec![]),
            ],
        };
        let d = [10.0, 10.0, 1.0, 5.0];
        let r = [4.0, 4.0, 1.0, 2.0];
        // Two jobs: a (3 dependents) and c start; b starts at a's rmeta? No slot until c ends at 5.
        let s = simulate(&g, &d, &r, 2);
        assert_eq!(s.units[0].start, 0.0);
        assert_eq!(s.units[3].start, 0.0);
        assert_eq!(s.units[1].start, 5.0);
        assert_eq!(s.units[2].start, 15.0);
        assert_eq!(s.makespan, 16.0);
        assert_eq!(s.critical_path, [0, 1, 2]);
        // Unlimited jobs: b starts at a's rmeta (4).
        let s = simulate(&g, &d, &r, 8);
        assert_eq!(s.units[1].start, 4.0);
        assert_eq!(s.makespan, 15.0);
        // One job: everything in sequence.
        assert_eq!(simulate(&g, &d, &r, 1).makespan, 26.0);
    }

    #[test]
    fn ties_of_priority_follow_the_given_order() {
        // Three independent units of equal priority, one job: graph order by default, the
        // given order otherwise; priority still comes first.
        let g = UnitGraph {
            units: vec![
                unit("a", UnitKind::Lib, vec![]),
                unit("b", UnitKind::Lib, vec![]),
                unit("c", UnitKind::Lib, vec![]),
            ],
        };
        let d = [1.0, 2.0, 4.0];
        let starts = |s: &Schedule| s.units.iter().map(|u| u.start).collect::<Vec<_>>();
        assert_eq!(starts(&simulate(&g, &d, &d, 1)), [0.0, 1.0, 3.0]);
        assert_eq!(
            starts(&simulate_ordered(&g, &d, &d, 1, &[2, 0, 1])),
            [6.0, 0.0, 2.0]
        );
        // Units past the end of the order come last.
        assert_eq!(
            starts(&simulate_ordered(&g, &d, &d, 1, &[1, 0])),
            [2.0, 0.0, 3.0]
        );
        // c gains a dependent: its priority wins over any order.
        let mut g = g;
        g.units.push(unit(
            "d",
            UnitKind::Lib,
            vec![Dep {
                unit: 2,
                full: false,
            }],
        ));
        let d = [1.0, 2.0, 4.0, 1.0];
        let s = simulate_ordered(&g, &d, &d, 1, &[0, 1, 2, 3]);
        assert_eq!(s.units[2].start, 0.0);
    }
}
