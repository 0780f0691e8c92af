//! The unit graph of `cargo build`.

use std::collections::{BTreeMap, BTreeSet};

use guppy::PackageId;
use guppy::graph::cargo::{BuildPlatform, CargoSet};
use guppy::graph::{BuildTargetId, BuildTargetKind, PackageGraph};

/// What a unit builds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnitKind {
    Lib,
    ProcMacro,
    Bin(String),
    BuildScriptCompile,
    BuildScriptRun,
}

impl UnitKind {
    /// Whether dependents may start at this unit's metadata (rmeta) rather than its end.
    pub fn pipelined(&self) -> bool {
        matches!(self, UnitKind::Lib)
    }

    /// Whether the unit links: it needs every transitive dependency fully built.
    pub fn links(&self) -> bool {
        matches!(
            self,
            UnitKind::Bin(_) | UnitKind::ProcMacro | UnitKind::BuildScriptCompile
        )
    }
}

/// An edge: the unit waits for `unit`, either for its metadata or for its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dep {
    pub unit: usize,
    /// `false`: the dependency's rmeta is enough (pipelining).
    pub full: bool,
}

/// One unit of work of the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub package: PackageId,
    pub name: String,
    pub version: String,
    pub kind: UnitKind,
    /// Built for the host (build scripts, proc-macros and their dependencies).
    pub host: bool,
    /// Features enabled, sorted.
    pub features: Vec<String>,
    pub in_workspace: bool,
    pub deps: Vec<Dep>,
    /// The crates (libraries and proc-macros) it compiles against, directly or through the
    /// libraries it uses: the metadata it loads and the generics it may instantiate. What
    /// build scripts and proc-macros need is not counted.
    pub crates_used: usize,
    /// The libraries and proc-macros it depends on directly.
    pub direct_deps: usize,
}

impl Unit {
    fn of(
        p: &guppy::graph::PackageMetadata<'_>,
        kind: UnitKind,
        host: bool,
        features: Vec<String>,
        deps: Vec<Dep>,
    ) -> Unit {
        Unit {
            package: p.id().clone(),
            name: p.name().to_string(),
            version: p.version().to_string(),
            kind,
            host,
            features,
            in_workspace: p.in_workspace(),
            deps,
            crates_used: 0,
            direct_deps: 0,
        }
    }

    /// A binary of a workspace member (built for the target, no features of its own).
    fn bin(p: &guppy::graph::PackageMetadata<'_>, name: String, features: Vec<String>) -> Unit {
        Unit::of(p, UnitKind::Bin(name), false, features, Vec::new())
    }

    /// `name version (kind)`, as reports show it.
    pub fn label(&self) -> String {
        let kind = match &self.kind {
            UnitKind::Lib => String::new(),
            UnitKind::ProcMacro => " (proc-macro)".into(),
            UnitKind::Bin(b) => format!(" (bin {b})"),
            UnitKind::BuildScriptCompile => " (build script)".into(),
            UnitKind::BuildScriptRun => " (build script run)".into(),
        };
        format!("{} {}{kind}", self.name, self.version)
    }
}

/// The names of a package's binary targets.
/// The packages of a feature set.
fn package_ids(features: &guppy::graph::feature::FeatureSet<'_>) -> BTreeSet<PackageId> {
    features
        .to_package_set()
        .package_ids(guppy::graph::DependencyDirection::Forward)
        .cloned()
        .collect()
}

/// Release builds: a workspace proc-macro that `cargo build` selects and that another unit
/// depends on is compiled twice, once as a dependency (with the `build-override` profile, like
/// every host unit) and once as a root (with the release profile itself). The root instance is
/// added after the other, with the same dependencies and no dependents, and `host: false`
/// (its profile is the target's): tokio's `tokio-macros` and tracing's `tracing-attributes`
/// appear twice in their `cargo build --release --timings` reports.
fn add_root_proc_macros(units: &mut Vec<Unit>, roots: &BTreeSet<PackageId>) {
    let depended: BTreeSet<usize> = units
        .iter()
        .flat_map(|u| u.deps.iter().map(|d| d.unit))
        .collect();
    let twice: Vec<usize> = (0..units.len())
        .filter(|&i| {
            let u = &units[i];
            u.kind == UnitKind::ProcMacro
                && u.in_workspace
                && roots.contains(&u.package)
                && depended.contains(&i)
        })
        .collect();
    for i in twice {
        let root = Unit {
            host: false,
            ..units[i].clone()
        };
        units.push(root);
    }
}

/// The libraries and proc-macros unit `i` depends on directly, before linking units'
/// dependencies are flattened.
fn direct_deps(units: &[Unit], i: usize) -> usize {
    let crates: BTreeSet<&PackageId> = units[i]
        .deps
        .iter()
        .map(|d| &units[d.unit])
        .filter(|u| matches!(u.kind, UnitKind::Lib | UnitKind::ProcMacro))
        .map(|u| &u.package)
        .collect();
    crates.len()
}

/// The crates unit `i` compiles against (see [`Unit::crates_used`]), before linking units'
/// dependencies are flattened: through libraries only.
fn crates_used(units: &[Unit], i: usize) -> usize {
    let mut seen = vec![false; units.len()];
    let mut stack: Vec<usize> = units[i].deps.iter().map(|d| d.unit).collect();
    let mut crates = BTreeSet::new();
    while let Some(j) = stack.pop() {
        if std::mem::replace(&mut seen[j], true) {
            continue;
        }
        let u = &units[j];
        match u.kind {
            UnitKind::Lib => {
                crates.insert(&u.package);
                stack.extend(u.deps.iter().map(|d| d.unit));
            }
            UnitKind::ProcMacro => {
                crates.insert(&u.package);
            }
            _ => {}
        }
    }
    crates.len()
}

/// Index of units by package, platform, kind and features.
type UnitIndex = BTreeMap<(PackageId, bool, String), usize>;

/// Adds `unit` unless the same unit is there, and returns its index. A build script is compiled
/// once per feature set, like the library it builds for (libc's for the host without
/// `extra_traits` and for the target with it).
fn add(units: &mut Vec<Unit>, index: &mut UnitIndex, unit: Unit) -> usize {
    let key = (
        unit.package.clone(),
        unit.host,
        format!("{:?} {:?}", unit.kind, unit.features),
    );
    *index.entry(key).or_insert_with(|| {
        units.push(unit);
        units.len() - 1
    })
}

/// The compile and run units of `p`'s build script, if it has one: the run's index.
fn build_script(
    units: &mut Vec<Unit>,
    index: &mut UnitIndex,
    p: &guppy::graph::PackageMetadata<'_>,
    host: bool,
    features: &[String],
) -> Option<usize> {
    if !p.has_build_script() {
        return None;
    }
    let compile = Unit::of(
        p,
        UnitKind::BuildScriptCompile,
        true,
        features.to_vec(),
        Vec::new(),
    );
    let compile = add(units, index, compile);
    let run = Unit::of(
        p,
        UnitKind::BuildScriptRun,
        host,
        features.to_vec(),
        vec![Dep {
            unit: compile,
            full: true,
        }],
    );
    Some(add(units, index, run))
}

/// Whether `id`'s host unit is its target unit: the same features, and the same for every
/// dependency it has on the host, recursively. `memo` holds the answers so far.
fn same_unit(
    id: &PackageId,
    host_deps: &BTreeMap<PackageId, Vec<PackageId>>,
    same_features: &dyn Fn(&PackageId) -> bool,
    memo: &mut BTreeMap<PackageId, bool>,
) -> bool {
    if let Some(&known) = memo.get(id) {
        return known;
    }
    // A cycle cannot happen without dev-dependencies; assume false while visiting.
    memo.insert(id.clone(), false);
    let answer = same_features(id)
        && host_deps.get(id).is_none_or(|deps| {
            deps.iter()
                .all(|d| same_unit(d, host_deps, same_features, memo))
        });
    memo.insert(id.clone(), answer);
    answer
}

/// The binaries `cargo build` compiles: those whose `required-features` are all on.
fn bin_names(p: &guppy::graph::PackageMetadata<'_>, features: &[String]) -> Vec<String> {
    p.build_targets()
        .filter(|t| {
            t.required_features()
                .iter()
                .all(|f| f.contains('/') || features.contains(f))
        })
        .filter_map(|t| match (t.id(), t.kind()) {
            (BuildTargetId::Binary(name), BuildTargetKind::Binary) => Some(name.to_string()),
            _ => None,
        })
        .collect()
}

/// The units of a build, in a deterministic order, with their dependencies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitGraph {
    pub units: Vec<Unit>,
}

impl UnitGraph {
    /// Build the unit graph of `cargo build` (workspace libraries and binaries) from guppy's
    /// simulation of it. `share_host` merges host and target units with the same features, as
    /// cargo does when not cross-compiling with the dev profile (release builds host units with
    /// `opt-level = 0` and keeps them apart).
    pub fn from_cargo_set(graph: &PackageGraph, set: &CargoSet<'_>, share_host: bool) -> Self {
        let mut units: Vec<Unit> = Vec::new();
        let mut index: UnitIndex = BTreeMap::new();
        let features_of = |platform: BuildPlatform, id: &PackageId| -> Vec<String> {
            let mut f: Vec<String> = set
                .platform_features(platform)
                .features_for(id)
                .ok()
                .flatten()
                .map(|list| list.named_features().map(str::to_string).collect())
                .unwrap_or_default();
            f.sort();
            f
        };
        // Which (package, platform) pairs exist, and which platform's unit stands for each.
        let mut lib_of: BTreeMap<(PackageId, bool), usize> = BTreeMap::new();
        // Binary-only workspace members, whose binaries take the package's edges.
        let mut bins_only: BTreeMap<PackageId, Vec<usize>> = BTreeMap::new();
        // Which packages' host units are their target units (see `shares`).
        let host_deps: BTreeMap<PackageId, Vec<PackageId>> = {
            let mut m: BTreeMap<PackageId, Vec<PackageId>> = BTreeMap::new();
            // Only normal dependencies can differ between the two copies: a proc-macro or a
            // build dependency is the same host unit below both.
            for link in set
                .host_links()
                .filter(|l| l.normal().is_present() && !l.to().is_proc_macro())
            {
                m.entry(link.from().id().clone())
                    .or_default()
                    .push(link.to().id().clone());
            }
            m
        };
        let on_target = package_ids(set.target_features());
        let mut same: BTreeMap<PackageId, bool> = BTreeMap::new();
        let shares = |id: &PackageId, memo: &mut BTreeMap<PackageId, bool>| {
            let same_features = |id: &PackageId| {
                on_target.contains(id)
                    && features_of(BuildPlatform::Target, id)
                        == features_of(BuildPlatform::Host, id)
            };
            same_unit(id, &host_deps, &same_features, memo)
        };
        for platform in [BuildPlatform::Target, BuildPlatform::Host] {
            let host = platform == BuildPlatform::Host;
            let ids = package_ids(set.platform_features(platform));
            for id in ids {
                let Ok(p) = graph.metadata(&id) else { continue };
                let features = features_of(platform, &id);
                // Without cross-compiling and with the dev profile, a host unit is the target's
                // when it has the same features and so do all its dependencies, recursively
                // (cargo hashes a unit's dependencies into it: helix builds parking_lot_core
                // twice, with the same features, because libc differs below it).
                let as_host = if host
                    && share_host
                    && lib_of.contains_key(&(id.clone(), false))
                    && shares(&id, &mut same)
                {
                    false
                } else {
                    host
                };
                if lib_of.contains_key(&(id.clone(), as_host)) {
                    lib_of.insert((id.clone(), host), lib_of[&(id.clone(), as_host)]);
                    continue;
                }
                let kind = if p.is_proc_macro() {
                    UnitKind::ProcMacro
                } else {
                    UnitKind::Lib
                };
                if p.build_target(&BuildTargetId::Library).is_none() {
                    // A binary-only member: its binaries take the package's edges, and wait
                    // for its build script's run.
                    if !host && p.in_workspace() {
                        let run = build_script(&mut units, &mut index, &p, false, &features);
                        for name in bin_names(&p, &features) {
                            let bin = add(
                                &mut units,
                                &mut index,
                                Unit::bin(&p, name, features.clone()),
                            );
                            units[bin]
                                .deps
                                .extend(run.map(|unit| Dep { unit, full: true }));
                            bins_only.entry(id.clone()).or_default().push(bin);
                        }
                    }
                    continue;
                }
                let bin_features = features.clone();
                let unit = Unit::of(&p, kind, as_host, features.clone(), Vec::new());
                let u = add(&mut units, &mut index, unit);
                lib_of.insert((id.clone(), host), u);
                if let Some(run) = build_script(&mut units, &mut index, &p, as_host, &features) {
                    units[u].deps.push(Dep {
                        unit: run,
                        full: true,
                    });
                }
                if !host && p.in_workspace() {
                    for name in bin_names(&p, &bin_features) {
                        let bin = add(
                            &mut units,
                            &mut index,
                            Unit::bin(&p, name, bin_features.clone()),
                        );
                        units[bin].deps.push(Dep {
                            unit: u,
                            full: true,
                        });
                    }
                }
            }
        }
        // Package-level edges: normal dependencies between libraries on the same platform,
        // proc-macros (always host), and build dependencies into the build script's compile.
        let unit_of = |id: &PackageId, host: bool| lib_of.get(&(id.clone(), host)).copied();
        let script = |units: &[Unit], id: &PackageId, kind: UnitKind, host: bool| {
            units.iter().position(|u| {
                u.package == *id
                    && u.kind == kind
                    && (kind == UnitKind::BuildScriptCompile || u.host == host)
            })
        };
        let mut edges: Vec<(usize, Dep)> = Vec::new();
        // The units a package's dependency edges start from: its library, or for a
        // binary-only member its binaries.
        let froms = |id: &PackageId, host: bool| -> Vec<usize> {
            match unit_of(id, host) {
                Some(u) => vec![u],
                None if !host => bins_only.get(id).cloned().unwrap_or_default(),
                None => Vec::new(),
            }
        };
        for (platform, links) in [
            (
                BuildPlatform::Target,
                set.target_links().collect::<Vec<_>>(),
            ),
            (BuildPlatform::Host, set.host_links().collect::<Vec<_>>()),
        ] {
            let host = platform == BuildPlatform::Host;
            // A build dependency is the build script's (below), not the library's.
            for link in links.into_iter().filter(|l| l.normal().is_present()) {
                let Some(to) = unit_of(link.to().id(), host) else {
                    continue;
                };
                for from in froms(link.from().id(), host) {
                    if from != to {
                        let full = !units[to].kind.pipelined() || units[from].kind.links();
                        edges.push((from, Dep { unit: to, full }));
                    }
                }
            }
        }
        for link in set.proc_macro_links() {
            let Some(to) = unit_of(link.to().id(), true) else {
                continue;
            };
            for host in [false, true] {
                for from in froms(link.from().id(), host) {
                    edges.push((
                        from,
                        Dep {
                            unit: to,
                            full: true,
                        },
                    ));
                }
            }
        }
        for link in set.build_dep_links() {
            let Some(to) = unit_of(link.to().id(), true) else {
                continue;
            };
            let compiles = units.iter().enumerate().filter(|(_, u)| {
                u.package == *link.from().id() && u.kind == UnitKind::BuildScriptCompile
            });
            for (compile, _) in compiles {
                edges.push((
                    compile,
                    Dep {
                        unit: to,
                        full: true,
                    },
                ));
            }
        }
        // `links`: a build script run waits for the runs of the `links` packages it depends on.
        for (i, u) in units.iter().enumerate() {
            if u.kind != UnitKind::BuildScriptRun {
                continue;
            }
            let Ok(p) = graph.metadata(&u.package) else {
                continue;
            };
            for link in p.direct_links() {
                let to = link.to();
                if to.links().is_some()
                    && let Some(run) = script(&units, to.id(), UnitKind::BuildScriptRun, u.host)
                {
                    edges.push((
                        i,
                        Dep {
                            unit: run,
                            full: true,
                        },
                    ));
                }
            }
        }
        for (from, dep) in edges {
            units[from].deps.push(dep);
        }
        for i in 0..units.len() {
            units[i].crates_used = crates_used(&units, i);
            units[i].direct_deps = direct_deps(&units, i);
        }
        // Linking units wait for the full build of everything below them.
        let n = units.len();
        for i in 0..n {
            if !units[i].kind.links() {
                continue;
            }
            let mut seen = vec![false; n];
            let mut stack: Vec<usize> = units[i].deps.iter().map(|d| d.unit).collect();
            let mut all = Vec::new();
            while let Some(u) = stack.pop() {
                if std::mem::replace(&mut seen[u], true) {
                    continue;
                }
                all.push(u);
                stack.extend(units[u].deps.iter().map(|d| d.unit));
            }
            all.sort_unstable();
            units[i].deps = all
                .into_iter()
                .map(|unit| Dep { unit, full: true })
                .collect();
        }
        for u in &mut units {
            u.deps.sort();
            u.deps.dedup_by(|a, b| {
                if a.unit == b.unit {
                    b.full |= a.full;
                    true
                } else {
                    false
                }
            });
        }
        let roots = package_ids(set.initials());
        if !share_host {
            add_root_proc_macros(&mut units, &roots);
        }
        UnitGraph { units }.reachable_from(&roots)
    }

    /// The units `cargo build` of the `roots` packages compiles: their libraries and binaries
    /// and everything those wait for. A member with only examples, tests or benches builds
    /// nothing, and its dependencies are built only when something else needs them.
    fn reachable_from(self, roots: &BTreeSet<PackageId>) -> UnitGraph {
        let n = self.units.len();
        let mut keep = vec![false; n];
        let mut stack: Vec<usize> = (0..n)
            .filter(|&i| {
                let u = &self.units[i];
                roots.contains(&u.package)
                    && match u.kind {
                        UnitKind::Lib | UnitKind::Bin(_) => !u.host,
                        UnitKind::ProcMacro => true,
                        _ => false,
                    }
            })
            .collect();
        while let Some(i) = stack.pop() {
            if !std::mem::replace(&mut keep[i], true) {
                stack.extend(self.units[i].deps.iter().map(|d| d.unit));
            }
        }
        let mut new_index = vec![usize::MAX; n];
        let mut next = 0;
        for (i, k) in keep.iter().enumerate() {
            if *k {
                new_index[i] = next;
                next += 1;
            }
        }
        let units = self
            .units
            .into_iter()
            .zip(keep)
            .filter(|(_, k)| *k)
            .map(|(mut u, _)| {
                for d in &mut u.deps {
                    d.unit = new_index[d.unit];
                }
                u
            })
            .collect();
        UnitGraph { units }
    }

    /// Units that transitively depend on each unit, counted (cargo's scheduling priority).
    /// One bit set per unit, filled dependents first: the union of its direct dependents' sets
    /// and themselves (linear in edges times units / 64; the split advice simulates the build
    /// many times).
    pub fn dependents(&self) -> Vec<usize> {
        let n = self.units.len();
        let words = n.div_ceil(64);
        let mut rev: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, u) in self.units.iter().enumerate() {
            for d in &u.deps {
                rev[d.unit].push(i);
            }
        }
        // Dependents not yet folded into each unit's set; a unit is ready when none is left.
        let mut pending: Vec<usize> = rev.iter().map(Vec::len).collect();
        let mut ready: Vec<usize> = (0..n).filter(|&i| pending[i] == 0).collect();
        let mut sets = vec![0u64; n * words];
        let mut row = vec![0u64; words];
        let mut done = 0;
        while let Some(i) = ready.pop() {
            done += 1;
            row.fill(0);
            for &j in &rev[i] {
                for (r, s) in row.iter_mut().zip(&sets[j * words..(j + 1) * words]) {
                    *r |= s;
                }
                row[j / 64] |= 1 << (j % 64);
            }
            sets[i * words..(i + 1) * words].copy_from_slice(&row);
            for d in &self.units[i].deps {
                pending[d.unit] -= 1;
                if pending[d.unit] == 0 {
                    ready.push(d.unit);
                }
            }
        }
        if done < n {
            // A cycle (no build has one): count by search, which terminates on any graph.
            return self.dependents_by_search(&rev);
        }
        sets.chunks(words.max(1))
            .take(n)
            .map(|set| set.iter().map(|w| w.count_ones() as usize).sum())
            .collect()
    }

    /// [`UnitGraph::dependents`] by a search from each unit over `rev` (its dependents).
    pub(crate) fn dependents_by_search(&self, rev: &[Vec<usize>]) -> Vec<usize> {
        let n = self.units.len();
        (0..n)
            .map(|i| {
                let mut seen = vec![false; n];
                let mut stack = rev[i].clone();
                let mut count = 0;
                while let Some(u) = stack.pop() {
                    if std::mem::replace(&mut seen[u], true) {
                        continue;
                    }
                    count += 1;
                    stack.extend(rev[u].iter().copied());
                }
                count
            })
            .collect()
    }
}
