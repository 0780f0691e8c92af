//! A library's module graph, for `build/split-candidate`: which of its modules name which
//! (`crate::`, `super::` and `self::` paths), the cycles among them (strongly connected
//! components), and the splits into crates that the DAG between the cycles allows.
//!
//! Nodes are the crate's top-level modules; a module holding more than half of the crate's
//! lines is looked into, its submodules becoming nodes (three levels at most). The root file's
//! own items are one node; the root's own paths are not edges (a split keeps it as the facade
//! that re-exports the parts).

use std::collections::{BTreeMap, BTreeSet};

use architect_model::{CodeScope, ModuleRef, ReExport, ScannedFile, SourceSpan};
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

/// A module holding more than this share of the crate's lines has its submodules as nodes.
const EXPAND_SHARE: f64 = 0.5;
/// How deep submodules become nodes.
const MAX_DEPTH: usize = 3;
/// How many hops through re-exports a path is followed.
const MAX_HOPS: u8 = 3;

/// A module (with those of its submodules that are not nodes themselves).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The module path; empty for the crate root's own items.
    pub path: Vec<String>,
    pub lines: usize,
}

impl Node {
    pub fn name(&self) -> String {
        if self.path.is_empty() {
            "(crate root)".to_string()
        } else {
            self.path.join("::")
        }
    }
}

/// How one module names another: how many paths, and the first place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub refs: u32,
    pub file: String,
    pub span: SourceSpan,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleGraph {
    pub nodes: Vec<Node>,
    /// `(a, b)`: module `a` names module `b`.
    pub edges: BTreeMap<(usize, usize), Edge>,
}

/// The files of one library with their module paths, and where each module is.
struct Files<'a> {
    files: Vec<(&'a ScannedFile, Vec<&'a str>)>,
    /// Every module path and every prefix of one.
    modules: BTreeSet<Vec<&'a str>>,
    /// The file of each module path.
    by_path: BTreeMap<Vec<&'a str>, &'a ScannedFile>,
}

impl<'a> Files<'a> {
    fn new(files: impl IntoIterator<Item = &'a ScannedFile>) -> Files<'a> {
        let files: Vec<_> = files
            .into_iter()
            .filter(|f| f.scope == CodeScope::Shipped && !f.cfg_off)
            .map(|f| (f, module_path(&f.module)))
            .collect();
        let mut modules = BTreeSet::new();
        for (_, p) in &files {
            for k in 0..=p.len() {
                modules.insert(p[..k].to_vec());
            }
        }
        // The first file of a module path (an `include!`d file shares its includer's).
        let mut by_path = BTreeMap::new();
        for (f, p) in &files {
            by_path.entry(p.clone()).or_insert(*f);
        }
        Files {
            files,
            modules,
            by_path,
        }
    }

    fn is_module(&self, path: &[String]) -> bool {
        let p: Vec<&str> = path.iter().map(String::as_str).collect();
        self.modules.contains(&p)
    }

    /// The file whose module path is `path`.
    fn file_of(&self, path: &[String]) -> Option<&'a ScannedFile> {
        let p: Vec<&str> = path.iter().map(String::as_str).collect();
        self.by_path.get(&p).copied()
    }
}

fn module_path(m: &str) -> Vec<&str> {
    if m.is_empty() {
        Vec::new()
    } else {
        m.split("::").collect()
    }
}

/// The node holding `path`, and the length of its own path: the longest node path that is a
/// prefix of `path` (the root's, empty, at least).
fn node_of<S: AsRef<str>>(paths: &BTreeMap<Vec<String>, usize>, path: &[S]) -> (usize, usize) {
    let path: Vec<String> = path.iter().map(|s| s.as_ref().to_string()).collect();
    (0..=path.len())
        .rev()
        .find_map(|k| paths.get(&path[..k]).map(|&i| (i, k)))
        .unwrap_or((0, 0))
}

/// The node paths: the root, the top-level modules, and the submodules of any node that holds
/// more than [`EXPAND_SHARE`] of the lines.
fn choose_nodes(files: &Files<'_>, forced: &[Vec<String>]) -> BTreeMap<Vec<String>, usize> {
    let total: usize = files.files.iter().map(|(f, _)| f.facts.code_lines).sum();
    let mut nodes: BTreeSet<Vec<String>> = BTreeSet::from([Vec::new()]);
    nodes.extend(forced.iter().cloned());
    let prefix = |p: &[&str], k: usize| p[..k].iter().map(|s| s.to_string()).collect::<Vec<_>>();
    nodes.extend(
        files
            .files
            .iter()
            .filter(|(_, p)| !p.is_empty())
            .map(|(_, p)| prefix(p, 1)),
    );
    // Each node is looked into once: its own file may hold most of the lines.
    let mut expanded: BTreeSet<Vec<String>> = BTreeSet::new();
    loop {
        let index: BTreeMap<Vec<String>, usize> = nodes
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, p)| (p, i))
            .collect();
        let mut lines = vec![0usize; nodes.len()];
        for (f, p) in &files.files {
            lines[node_of(&index, p).0] += f.facts.code_lines;
        }
        let has_children = |n: &[String]| {
            files
                .files
                .iter()
                .any(|(_, p)| p.len() > n.len() && p.iter().zip(n).all(|(a, b)| a == b))
        };
        let pick = index.iter().find(|&(n, &i)| {
            !n.is_empty()
                && !expanded.contains(n)
                && n.len() < MAX_DEPTH
                && lines[i] as f64 > EXPAND_SHARE * total as f64
                && has_children(n)
        });
        let Some((n, _)) = pick else {
            return index;
        };
        let n = n.clone();
        expanded.insert(n.clone());
        for (_, p) in &files.files {
            if p.len() > n.len() && p.iter().zip(&n).all(|(a, b)| a == b) {
                nodes.insert(prefix(p, n.len() + 1));
            }
        }
    }
}

impl ModuleGraph {
    /// The graph of a library from its files (test code and modules the build does not compile
    /// are left out).
    pub fn of_library<'a>(files: impl IntoIterator<Item = &'a ScannedFile>) -> ModuleGraph {
        Self::build(&Files::new(files), &[])
    }

    fn build(files: &Files<'_>, forced: &[Vec<String>]) -> ModuleGraph {
        let index = choose_nodes(files, forced);
        let mut nodes: Vec<Node> = index
            .keys()
            .map(|p| Node {
                path: p.clone(),
                lines: 0,
            })
            .collect();
        for (f, p) in &files.files {
            nodes[node_of(&index, p).0].lines += f.facts.code_lines;
        }
        let resolver = Resolver {
            files,
            index: &index,
        };
        let mut edges: BTreeMap<(usize, usize), Edge> = BTreeMap::new();
        for (f, p) in &files.files {
            // The root's own paths are the facade's: its re-exports are not dependencies.
            if p.is_empty() {
                continue;
            }
            let from = node_of(&index, p).0;
            for r in &f.facts.module_refs {
                for to in resolver.targets_of_ref(r, p) {
                    if to == from {
                        continue;
                    }
                    let e = edges.entry((from, to)).or_insert_with(|| Edge {
                        refs: 0,
                        file: f.path.clone(),
                        span: r.span,
                    });
                    e.refs = e.refs.saturating_add(r.count);
                }
            }
        }
        ModuleGraph { nodes, edges }
    }

    /// How `modules` (paths such as `a` or `a::b`) moved into a crate of their own would sit
    /// against the rest of the library: the parts of the split (a base first when one uses the
    /// other), each with its share of the lines. An error names a module that is not one, or
    /// the paths both ways when the two name each other.
    pub fn extraction<'a>(
        files: impl IntoIterator<Item = &'a ScannedFile>,
        modules: &[String],
    ) -> Result<Vec<architect_build::Part>, String> {
        let files = Files::new(files);
        let forced: Vec<Vec<String>> = modules
            .iter()
            .map(|m| m.split("::").map(str::to_string).collect())
            .collect();
        if let Some(m) = forced.iter().find(|m| !files.is_module(m)) {
            let top: BTreeSet<&str> = files
                .files
                .iter()
                .filter_map(|(_, p)| p.first().copied())
                .collect();
            return Err(format!(
                "`{}` is not a module of the library it builds (its top-level modules: {})",
                m.join("::"),
                top.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        let g = Self::build(&files, &forced);
        let moved = |n: usize| {
            let p = &g.nodes[n].path;
            forced
                .iter()
                .any(|m| p.len() >= m.len() && p[..m.len()] == m[..])
        };
        let (mut out, mut back) = (None::<&Edge>, None::<&Edge>);
        let (mut n_out, mut n_back) = (0u32, 0u32);
        for (&(a, b), e) in &g.edges {
            match (moved(a), moved(b)) {
                (true, false) => {
                    n_out = n_out.saturating_add(e.refs);
                    out.get_or_insert(e);
                }
                (false, true) => {
                    n_back = n_back.saturating_add(e.refs);
                    back.get_or_insert(e);
                }
                _ => {}
            }
        }
        let total = g.total_lines().max(1) as f64;
        let share: f64 = (0..g.nodes.len())
            .filter(|&n| moved(n))
            .map(|n| g.nodes[n].lines)
            .sum::<usize>() as f64
            / total;
        let part = |share: f64, after: Vec<usize>| architect_build::Part { share, after };
        match (out, back) {
            (Some(o), Some(b)) => Err(format!(
                "the moved modules and the rest name each other ({n_out} paths out, first in {}; {n_back} back, first in {}): a cycle no split can cut; move what both use first",
                o.file, b.file
            )),
            // The rest uses the moved modules: they are the base.
            (None, Some(_)) => Ok(vec![part(share, Vec::new()), part(1.0 - share, vec![0])]),
            (Some(_), None) => Ok(vec![part(1.0 - share, Vec::new()), part(share, vec![0])]),
            (None, None) => Ok(vec![part(1.0 - share, Vec::new()), part(share, Vec::new())]),
        }
    }

    pub fn total_lines(&self) -> usize {
        self.nodes.iter().map(|n| n.lines).sum()
    }

    /// The graph without `removed` edges.
    pub fn without(&self, removed: &[(usize, usize)]) -> ModuleGraph {
        let mut g = self.clone();
        for e in removed {
            g.edges.remove(e);
        }
        g
    }
}

/// Resolves paths to nodes, through the re-exports of the modules they name.
struct Resolver<'a, 'f> {
    files: &'a Files<'f>,
    index: &'a BTreeMap<Vec<String>, usize>,
}

impl Resolver<'_, '_> {
    fn targets_of_ref(&self, r: &ModuleRef, from: &[&str]) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        if let Some(mut abs) = r.resolve(from) {
            if abs.last().is_some_and(|s| s == "self") {
                abs.pop();
            }
            self.targets(&abs, 0, &mut out);
        }
        out
    }

    /// The nodes a path can name: the node holding it, or, for a name its module's file
    /// re-exports, the nodes it re-exports from. A name nothing resolves counts for every
    /// module the file re-exports with a glob, or, for the root without one, every module it
    /// names (a private `use` there makes a `crate::` name too).
    fn targets(&self, abs: &[String], hops: u8, out: &mut BTreeSet<usize>) {
        let (n, len) = node_of(self.index, abs);
        let np = &abs[..len];
        let named_below = abs.len() > np.len() && !self.files.is_module(&abs[..=np.len()]);
        if !named_below || hops >= MAX_HOPS {
            out.insert(n);
            return;
        }
        let Some(file) = self.files.file_of(np) else {
            out.insert(n);
            return;
        };
        let name = &abs[np.len()];
        let base: Vec<&str> = np.iter().map(String::as_str).collect();
        let named: Vec<&ReExport> = file
            .facts
            .re_exports
            .iter()
            .filter(|e| e.name.as_deref() == Some(name.as_str()))
            .collect();
        if !named.is_empty() {
            for e in named {
                match self.re_export_target(e, &base) {
                    Some(t) => self.targets(&t, hops + 1, out),
                    None => {
                        out.insert(n);
                    }
                }
            }
            return;
        }
        out.insert(n);
        let mut globs = false;
        for e in file.facts.re_exports.iter().filter(|e| e.is_glob()) {
            if let Some(t) = self.re_export_target(e, &base) {
                out.insert(node_of(self.index, &t).0);
                globs = true;
            }
        }
        // An item of the root, or a name it imports privately: every module it names.
        if np.is_empty() && !globs {
            for r in &file.facts.module_refs {
                if let Some(abs) = r.resolve(&[]).filter(|a| !a.is_empty()) {
                    out.insert(node_of(self.index, &abs).0);
                }
            }
        }
    }

    /// The module path a re-export in module `base` names, when it names one of the crate's
    /// modules (not another crate's).
    fn re_export_target(&self, e: &ReExport, base: &[&str]) -> Option<Vec<String>> {
        let mut path: Vec<String> = match e.path.first().map(String::as_str) {
            Some("crate") => e.path[1..].to_vec(),
            Some("self") => base
                .iter()
                .map(|s| s.to_string())
                .chain(e.path[1..].iter().cloned())
                .collect(),
            Some("super") => {
                let ups = e.path.iter().take_while(|s| *s == "super").count();
                let keep = base.len().checked_sub(ups)?;
                base[..keep]
                    .iter()
                    .map(|s| s.to_string())
                    .chain(e.path[ups..].iter().cloned())
                    .collect()
            }
            Some("") | None => return None,
            Some(_) => {
                // A relative path in edition 2018: a submodule of `base`, or another crate.
                let p: Vec<String> = base
                    .iter()
                    .map(|s| s.to_string())
                    .chain(e.path.iter().cloned())
                    .collect();
                if !self.files.is_module(&p[..=base.len()]) {
                    return None;
                }
                p
            }
        };
        if path.last().is_some_and(|s| s == "self") {
            path.pop();
        }
        Some(path)
    }
}

/// The graph's strongly connected components and the DAG between them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condensed {
    /// The nodes of each component, sorted; dependencies before their dependents.
    pub sccs: Vec<Vec<usize>>,
    pub scc_of: Vec<usize>,
    /// The components each component depends on.
    pub deps: Vec<BTreeSet<usize>>,
    pub lines: Vec<usize>,
}

impl Condensed {
    pub fn of(g: &ModuleGraph) -> Condensed {
        let mut pg: DiGraph<(), ()> = DiGraph::new();
        let ix: Vec<NodeIndex> = g.nodes.iter().map(|_| pg.add_node(())).collect();
        for &(a, b) in g.edges.keys() {
            pg.add_edge(ix[a], ix[b], ());
        }
        // Tarjan's order is a postorder: for an edge a → b, b's component comes first.
        let mut sccs: Vec<Vec<usize>> = tarjan_scc(&pg)
            .into_iter()
            .map(|c| {
                let mut c: Vec<usize> = c.into_iter().map(NodeIndex::index).collect();
                c.sort_unstable();
                c
            })
            .collect();
        sccs.retain(|c| !c.is_empty());
        let mut scc_of = vec![0; g.nodes.len()];
        for (k, c) in sccs.iter().enumerate() {
            for &n in c {
                scc_of[n] = k;
            }
        }
        let mut deps = vec![BTreeSet::new(); sccs.len()];
        for &(a, b) in g.edges.keys() {
            if scc_of[a] != scc_of[b] {
                deps[scc_of[a]].insert(scc_of[b]);
            }
        }
        let lines = sccs
            .iter()
            .map(|c| c.iter().map(|&n| g.nodes[n].lines).sum())
            .collect();
        Condensed {
            sccs,
            scc_of,
            deps,
            lines,
        }
    }

    /// The largest component, by lines.
    pub fn largest(&self) -> Option<usize> {
        (0..self.sccs.len()).max_by_key(|&k| (self.lines[k], std::cmp::Reverse(k)))
    }
}

/// A split of a library into crates: sets of components. Part 0 is the base when the split
/// has one (every other part depends on it); the others do not depend on each other.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Split {
    pub parts: Vec<Vec<usize>>,
    pub has_base: bool,
}

impl Split {
    /// Each part's share of the lines, in part order.
    pub fn shares(&self, c: &Condensed) -> Vec<f64> {
        let total = c.lines.iter().sum::<usize>().max(1) as f64;
        (0..self.parts.len())
            .map(|k| self.lines(c, k) as f64 / total)
            .collect()
    }

    pub fn lines(&self, c: &Condensed, part: usize) -> usize {
        self.parts[part].iter().map(|&k| c.lines[k]).sum()
    }
}

/// Parts under this share of the lines are merged into one: a crate of a few lines is not
/// worth its manifest.
const MIN_PART_SHARE: f64 = 0.05;
/// At most this many parts above the base.
const MAX_PARTS: usize = 8;

/// The splits the DAG allows: for each layer, the components at or below it (by height, and
/// by depth from the top) as a base, and above it the groups that do not use each other.
pub fn candidate_splits(c: &Condensed) -> Vec<Split> {
    let n = c.sccs.len();
    let mut height = vec![0usize; n];
    for k in 0..n {
        height[k] = c.deps[k].iter().map(|&d| height[d] + 1).max().unwrap_or(0);
    }
    let mut depth = vec![0usize; n];
    for k in (0..n).rev() {
        for &d in &c.deps[k] {
            depth[d] = depth[d].max(depth[k] + 1);
        }
    }
    let mut bases: Vec<BTreeSet<usize>> = Vec::new();
    for h in 0..=height.iter().copied().max().unwrap_or(0) + 1 {
        bases.push((0..n).filter(|&k| height[k] < h).collect());
    }
    for d in 1..=depth.iter().copied().max().unwrap_or(0) {
        bases.push((0..n).filter(|&k| depth[k] >= d).collect());
    }
    let mut out = BTreeSet::new();
    for base in bases {
        if let Some(s) = split_above(c, &base) {
            out.insert(s);
        }
    }
    out.into_iter().collect()
}

/// The split with `base` (closed under dependencies) below, and the weakly connected groups of
/// the rest above it; `None` when that is a single part.
fn split_above(c: &Condensed, base: &BTreeSet<usize>) -> Option<Split> {
    let n = c.sccs.len();
    let upper: Vec<usize> = (0..n).filter(|k| !base.contains(k)).collect();
    // Union-find over the upper components, joined along the DAG's edges between them.
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], x: usize) -> usize {
        let mut r = x;
        while p[r] != r {
            r = p[r];
        }
        p[x] = r;
        r
    }
    for &k in &upper {
        for &d in &c.deps[k] {
            if !base.contains(&d) {
                let (a, b) = (find(&mut parent, k), find(&mut parent, d));
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for &k in &upper {
        let r = find(&mut parent, k);
        groups.entry(r).or_default().push(k);
    }
    let total = c.lines.iter().sum::<usize>().max(1) as f64;
    let lines = |g: &[usize]| g.iter().map(|&k| c.lines[k]).sum::<usize>();
    let mut groups: Vec<Vec<usize>> = groups.into_values().collect();
    groups.sort_by_key(|g| (std::cmp::Reverse(lines(g)), g[0]));
    // Small groups, and those past the cap, go together into one part.
    let mut parts: Vec<Vec<usize>> = Vec::new();
    let mut rest: Vec<usize> = Vec::new();
    for g in groups {
        if parts.len() < MAX_PARTS - 1 && lines(&g) as f64 >= MIN_PART_SHARE * total {
            parts.push(g);
        } else {
            rest.extend(g);
        }
    }
    if !rest.is_empty() {
        parts.push(rest);
    }
    let has_base = base.iter().any(|&k| c.lines[k] > 0);
    if has_base {
        parts.insert(0, base.iter().copied().collect());
    } else if let Some(first) = parts.first_mut() {
        // Empty components (the root's items, when it has none) go with the first part.
        first.extend(base.iter().copied());
    }
    for p in &mut parts {
        p.sort_unstable();
    }
    (parts.len() >= 2 && parts.iter().all(|p| lines(p) > 0)).then_some(Split { parts, has_base })
}

/// The edges whose removal would break the largest cycle (component) in two layers of at
/// least `min_share` of its lines each: the cut with the fewest references going against an
/// order of its modules chosen to have few (Eades, Lin and Smyth's greedy heuristic for the
/// feedback arc set). `None` when the component is a single module or no cut is balanced.
pub fn cycle_cut(g: &ModuleGraph, c: &Condensed, min_share: f64) -> Option<Vec<(usize, usize)>> {
    let big = c.largest()?;
    let members: Vec<usize> = c.sccs[big].clone();
    if members.len() < 2 {
        return None;
    }
    let order = greedy_order(g, &members);
    let total = c.lines[big] as f64;
    let pos: BTreeMap<usize, usize> = order.iter().enumerate().map(|(i, &n)| (n, i)).collect();
    let mut best: Option<(u64, Vec<(usize, usize)>)> = None;
    let mut upper_lines = 0usize;
    for cut in 1..order.len() {
        upper_lines += g.nodes[order[cut - 1]].lines;
        let upper_share = upper_lines as f64 / total;
        if upper_share < min_share || 1.0 - upper_share < min_share {
            continue;
        }
        // Edges from the lower layer (positions >= cut) up to the upper one go against it.
        let against: Vec<(usize, usize)> = g
            .edges
            .keys()
            .filter(|(a, b)| match (pos.get(a), pos.get(b)) {
                (Some(&pa), Some(&pb)) => pa >= cut && pb < cut,
                _ => false,
            })
            .copied()
            .collect();
        let weight: u64 = against.iter().map(|e| u64::from(g.edges[e].refs)).sum();
        if best.as_ref().is_none_or(|(w, _)| weight < *w) {
            best = Some((weight, against));
        }
    }
    best.map(|(_, e)| e)
}

/// An order of `members` (dependents first) with few edges pointing backwards: sinks go to the
/// end, sources to the front, otherwise the module with the most outgoing minus incoming
/// references goes to the front.
fn greedy_order(g: &ModuleGraph, members: &[usize]) -> Vec<usize> {
    let mut left: BTreeSet<usize> = members.iter().copied().collect();
    let (mut front, mut back) = (Vec::new(), Vec::new());
    let weight = |n: usize, left: &BTreeSet<usize>, outgoing: bool| -> i64 {
        g.edges
            .iter()
            .filter(|((a, b), _)| {
                let (me, other) = if outgoing { (a, b) } else { (b, a) };
                *me == n && *other != n && left.contains(other)
            })
            .map(|(_, e)| i64::from(e.refs))
            .sum()
    };
    while !left.is_empty() {
        if let Some(&s) = left.iter().find(|&&n| weight(n, &left, true) == 0) {
            back.push(s);
            left.remove(&s);
            continue;
        }
        if let Some(&s) = left.iter().find(|&&n| weight(n, &left, false) == 0) {
            front.push(s);
            left.remove(&s);
            continue;
        }
        let pick = left.iter().copied().max_by_key(|&n| {
            (
                weight(n, &left, true) - weight(n, &left, false),
                std::cmp::Reverse(n),
            )
        });
        if let Some(s) = pick {
            front.push(s);
            left.remove(&s);
        }
    }
    back.reverse();
    front.extend(back);
    front
}

#[cfg(test)]
mod tests {
    use super::*;
    use architect_model::{FileFacts, PathAnchor, TargetKind};

    /// A shipped library file of module `module` with `lines` lines naming `refs` (`crate::a`,
    /// `super::b`), each once.
    fn file(module: &str, lines: usize, refs: &[&str]) -> ScannedFile {
        let module_refs = refs
            .iter()
            .map(|r| {
                let mut segs: Vec<String> = r.split("::").map(str::to_string).collect();
                let supers = segs.iter().take_while(|s| *s == "super").count();
                let anchor = match segs[0].as_str() {
                    "crate" => PathAnchor::Crate,
                    "self" => PathAnchor::SelfModule,
                    _ => PathAnchor::Super(supers as u8),
                };
                segs.drain(..supers.max(1));
                ModuleRef {
                    anchor,
                    path: segs,
                    span: SourceSpan { start: 0, end: 5 },
                    count: 1,
                }
            })
            .collect();
        ScannedFile {
            path: format!("src/{}.rs", if module.is_empty() { "lib" } else { module }),
            target: TargetKind::Lib,
            module: module.to_string(),
            public: true,
            scope: CodeScope::Shipped,
            cfg_off: false,
            facts: FileFacts {
                code_lines: lines,
                module_refs,
                ..FileFacts::default()
            },
        }
    }

    fn names(g: &ModuleGraph, c: &Condensed, part: &[usize]) -> Vec<String> {
        let mut v: Vec<String> = part
            .iter()
            .flat_map(|&k| c.sccs[k].iter().map(|&n| g.nodes[n].name()))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_base_and_independent_parts_above_it() {
        let files = [
            file("", 10, &["crate::a"]),
            file("types", 100, &[]),
            file("a", 300, &["crate::types::T"]),
            file("b", 300, &["crate::types", "crate::types::U"]),
            file("c", 300, &["crate::types::T"]),
            file("c::inner", 50, &["super::super::types::T"]),
        ];
        let g = ModuleGraph::of_library(&files);
        // The root's own path to `a` is the facade's, not an edge.
        assert_eq!(g.edges.len(), 3, "{:?}", g.edges);
        let c = Condensed::of(&g);
        assert_eq!(c.sccs.len(), 5, "no cycle: one component per module");
        let splits = candidate_splits(&c);
        let layered = splits
            .iter()
            .find(|s| s.has_base && s.parts.len() == 4)
            .expect("types below a, b and c");
        let parts: Vec<Vec<String>> = layered.parts.iter().map(|p| names(&g, &c, p)).collect();
        assert_eq!(parts[0], ["(crate root)", "types"]);
        // Largest first: `c` has its submodule's lines too.
        assert_eq!(parts[1..], [vec!["c"], vec!["a"], vec!["b"]]);
        assert_eq!(layered.lines(&c, 1), 350);
    }

    #[test]
    fn a_cycle_and_the_edges_that_close_it() {
        let mut files = vec![
            file("", 5, &[]),
            file("a", 400, &["crate::b::X", "crate::b::Y"]),
            file("b", 400, &["crate::a::Z"]),
            file("c", 200, &["crate::a::Z", "crate::b::X"]),
        ];
        // `a` names `b` in two paths; `b` names `a` in one.
        files[1].facts.module_refs[1].count = 3;
        let g = ModuleGraph::of_library(&files);
        let c = Condensed::of(&g);
        let big = c.largest().unwrap();
        assert_eq!(names(&g, &c, &[big]), ["a", "b"]);
        // Splits along the DAG keep the cycle whole.
        for s in candidate_splits(&c) {
            assert!(s.parts.iter().any(|p| p.contains(&big)));
        }
        let cut = cycle_cut(&g, &c, 0.2).unwrap();
        let named: Vec<(String, String)> = cut
            .iter()
            .map(|&(x, y)| (g.nodes[x].name(), g.nodes[y].name()))
            .collect();
        assert_eq!(
            named,
            [("b".to_string(), "a".to_string())],
            "the lighter direction"
        );
        let c2 = Condensed::of(&g.without(&cut));
        assert_eq!(c2.sccs.len(), g.nodes.len(), "no cycle left");
    }

    #[test]
    fn a_module_whose_own_file_holds_most_lines_is_looked_into_once() {
        let files = [
            file("", 5, &[]),
            file("big", 900, &[]),
            file("big::small", 10, &["super::X"]),
            file("other", 50, &[]),
        ];
        let g = ModuleGraph::of_library(&files);
        let names: Vec<String> = g.nodes.iter().map(Node::name).collect();
        assert_eq!(names, ["(crate root)", "big", "big::small", "other"]);
    }

    #[test]
    fn moving_modules_out_puts_them_below_above_or_beside_the_rest() {
        let files = [
            file("", 10, &[]),
            file("types", 300, &[]),
            file("client", 500, &["crate::types::T"]),
            file("cli", 200, &["crate::client::C"]),
            file("extra", 100, &[]),
        ];
        let parts = |m: &[&str]| {
            let m: Vec<String> = m.iter().map(|s| s.to_string()).collect();
            ModuleGraph::extraction(&files, &m)
        };
        let shares = |p: &[architect_build::Part]| -> Vec<(f64, Vec<usize>)> {
            p.iter()
                .map(|p| ((p.share * 1000.0).round() / 1000.0, p.after.clone()))
                .collect()
        };
        // `client` uses `types`: moved out, `types` is the base (300 of 1,110 lines).
        assert_eq!(
            shares(&parts(&["types"]).unwrap()),
            [(0.27, vec![]), (0.73, vec![0])]
        );
        // `cli` uses the rest: moved out, it sits above it.
        assert_eq!(
            shares(&parts(&["cli"]).unwrap()),
            [(0.82, vec![]), (0.18, vec![0])]
        );
        // Nothing names `extra` and it names nothing: beside the rest.
        assert_eq!(
            shares(&parts(&["extra"]).unwrap()),
            [(0.91, vec![]), (0.09, vec![])]
        );
        // `client` uses `types` and `cli` uses `client`: both ways, no split.
        let e = parts(&["client"]).unwrap_err();
        assert!(
            e.contains("name each other") && e.contains("src/client.rs"),
            "{e}"
        );
        let e = parts(&["nosuch"]).unwrap_err();
        assert!(
            e.contains("`nosuch` is not a module") && e.contains("types"),
            "{e}"
        );
    }

    #[test]
    fn paths_through_re_exports_and_large_modules() {
        let reexport = |path: &str, name: Option<&str>| ReExport {
            path: path.split("::").map(str::to_string).collect(),
            name: name.map(str::to_string),
            inline_parents: Default::default(),
            span: SourceSpan { start: 0, end: 1 },
        };
        let mut root = file("", 20, &[]);
        root.facts.re_exports = vec![
            reexport("error::Error", Some("Error")),
            reexport("self::util", None),
        ];
        let mut rules = file("rules", 10, &[]);
        rules.facts.re_exports = vec![reexport("x::Rule", Some("Rule"))];
        let files = [
            root,
            file("error", 50, &[]),
            file("util", 50, &[]),
            file(
                "api",
                100,
                &["crate::Error", "crate::helper", "crate::rules::Rule"],
            ),
            rules,
            file("rules::x", 400, &[]),
            file("rules::y", 400, &["super::x::Rule"]),
            file("rules::y::deep", 100, &[]),
        ];
        let g = ModuleGraph::of_library(&files);
        let names: Vec<String> = g.nodes.iter().map(Node::name).collect();
        // `rules` holds 910 of 1,130 lines: its submodules are nodes; `rules::y` (500) is not
        // more than half, so `rules::y::deep` is not.
        assert_eq!(
            names,
            [
                "(crate root)",
                "api",
                "error",
                "rules",
                "rules::x",
                "rules::y",
                "util"
            ]
        );
        let edges: Vec<(String, String)> = g
            .edges
            .keys()
            .map(|&(a, b)| (g.nodes[a].name(), g.nodes[b].name()))
            .collect();
        let e = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            edges,
            [
                // `crate::Error` is `error`'s; `crate::helper` is the root's or `util`'s (a
                // glob); `crate::rules::Rule` is `rules::x`'s.
                e("api", "(crate root)"),
                e("api", "error"),
                e("api", "rules::x"),
                e("api", "util"),
                e("rules::y", "rules::x"),
            ]
        );
        assert_eq!(g.nodes[5].lines, 500);
    }
}
