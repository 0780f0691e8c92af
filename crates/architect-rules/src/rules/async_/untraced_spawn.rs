//! `async/untraced-spawn`: tasks spawned without the caller's tracing span.

use std::collections::{BTreeMap, BTreeSet};

use architect_model::{CodeScope, Facts, Finding, Level, PackageSources, Section, Spawn, SpawnVia};
use guppy::graph::PackageMetadata;

use crate::graph::{built_links, pkg_ref, source_location, workspace_sources};
use crate::rule::{Ctx, Docs, FindingExt, Rule};
use architect_model::catalogue::RUNTIME_FAMILY;

pub static RULE: Rule = Rule {
    id: "async/untraced-spawn",
    section: Section::Async,
    default_level: Level::Warn,
    summary: "tasks spawned without carrying the current tracing span",
    docs: Docs {
        what: "In workspace crates whose own code uses `tracing` (imports from it, \
               `tracing::` paths, `#[instrument]`, span macros; not a dependency that pulls \
               it in), reports calls that start an async task without the caller's span: \
               `tokio::spawn`, `tokio::task::spawn`, `spawn_local`, `spawn_blocking`, the \
               async-std, smol, async-global-executor, glommio, monoio, actix-rt and \
               wasm-bindgen-futures spawn functions (imported ones too), `.spawn(..)` on a \
               receiver declared with a runtime type (`Runtime`, `Handle`, `JoinSet`, \
               `LocalSet`, `TaskTracker`, an `Executor`...), and calls of the workspace's own \
               spawn helpers (functions that forward their argument to one of these). A \
               spawn is traced when its future is wrapped with `.instrument(..)` or \
               `.in_current_span()`, is a call of an `#[instrument]`ed function of the same \
               crate, or (`spawn_blocking`) its closure enters a span. A task matters only \
               when it can emit events: reported when its code logs or opens a span, calls \
               (by name) a function of the crate, or of a member it depends on, that \
               does, directly or through others \
               (an `.await` counts as a call of `poll`), or runs code the site does not \
               show (a future passed in, a callback parameter, a macro fragment). Not \
               reported: a task whose visible work emits nothing (a send on a channel, a \
               blocking read through a crate function that never logs); calls into crates \
               outside the workspace are taken as quiet. Not reported either: a \
               `.spawn(..)` whose receiver is not known to be a runtime's (ECS commands, \
               processes, thread builders, rayon scopes), a helper's own definition (its \
               callers are), the runtimes' own crates, and test and example code (a test's \
               spawn loses no user's trace).",
        why: "A spawned task starts with no span: the request id, user and trace context of \
              the code that spawned it are gone, its logs cannot be correlated, and \
              distributed traces break at every spawn. It is the most common reason a \
              service's traces stop in the middle of a request.",
        fix: "`tokio::spawn(fut.in_current_span())`, or `.instrument(tracing::info_span!(..))` \
              for a span of its own; for `spawn_blocking`, capture `Span::current()` and \
              `enter()` it inside the closure.",
        references: &[
            (
                "tracing: Instrument",
                "https://docs.rs/tracing/latest/tracing/trait.Instrument.html",
            ),
            (
                "tracing: attaching spans to futures",
                "https://docs.rs/tracing/latest/tracing/struct.Span.html#in-asynchronous-code",
            ),
        ],
    },
    options: &[],
    allow_list: true,
    check,
};

/// How many rounds of "a helper that forwards to a helper" are followed.
const HELPER_DEPTH: usize = 4;

/// What the rule knows of one member's code.
struct Member<'a> {
    meta: PackageMetadata<'a>,
    pkg: &'a PackageSources,
    /// Names the crate's files declare with a runtime handle type.
    runtime_names: BTreeSet<&'a str>,
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let members: Vec<Member<'_>> = workspace_sources(facts)
        .filter(|(meta, _)| !RUNTIME_FAMILY.contains(&meta.name()))
        .map(|(meta, pkg)| Member {
            meta,
            pkg,
            runtime_names: pkg
                .files
                .iter()
                .flat_map(|f| f.facts.runtime_names.iter().map(String::as_str))
                .collect(),
        })
        .collect();
    let helpers = helpers(&members);
    // Computed on first need: only members with spawns, and the members they depend on.
    let logging: Vec<std::cell::OnceCell<BTreeSet<&str>>> =
        members.iter().map(|_| std::cell::OnceCell::new()).collect();
    let logging_of = |k: usize| logging[k].get_or_init(|| logging_fns(members[k].pkg));
    let mut out = Vec::new();
    for (k, m) in members.iter().enumerate() {
        if m.pkg.files.iter().all(|f| f.facts.spawns.is_empty()) {
            continue;
        }
        let (shipped_tracing, any_tracing) = if tracing_off(facts, &m.meta) {
            (false, false)
        } else {
            uses_tracing(m.pkg)
        };
        if !any_tracing {
            continue;
        }
        let instrumented: BTreeSet<&str> = m
            .pkg
            .files
            .iter()
            .flat_map(|f| f.facts.instrumented_fns.iter().map(String::as_str))
            .collect();
        let logging = reachable_logging(k, &members, &logging_of);
        let mut sites: Vec<(&Spawn, Option<architect_model::Location>)> = Vec::new();
        for file in &m.pkg.files {
            for s in &file.facts.spawns {
                let traced =
                    s.instrumented || s.calls.as_deref().is_some_and(|c| instrumented.contains(c));
                // Shipped code only: a test's or an example's spawn loses no user's trace.
                if !file.ships(s.span) {
                    continue;
                }
                let has_spans = shipped_tracing;
                if traced
                    || s.quiet
                    || silent(s, &logging)
                    || !has_spans
                    || s.forwards.is_some()
                    || !starts_task(s, k, &members, &helpers)
                {
                    continue;
                }
                sites.push((s, source_location(facts, file, s.span, "spawned here")));
            }
        }
        out.extend(crate_finding(cx, &m.meta, sites));
    }
    out
}

/// One finding per crate: how many tasks, by spawn function, every site a location.
fn crate_finding(
    cx: &Ctx<'_>,
    meta: &PackageMetadata<'_>,
    sites: Vec<(&Spawn, Option<architect_model::Location>)>,
) -> Option<Finding> {
    if sites.is_empty() {
        return None;
    }
    let mut by_callee: BTreeMap<&str, usize> = BTreeMap::new();
    for (s, _) in &sites {
        *by_callee.entry(s.callee.as_str()).or_default() += 1;
    }
    let callees: Vec<String> = by_callee
        .iter()
        .map(|(c, n)| match n {
            1 => format!("`{c}`"),
            n => format!("`{c}` ×{n}"),
        })
        .collect();
    let blocking = by_callee.keys().any(|c| c.ends_with("spawn_blocking"));
    let futures = by_callee.keys().any(|c| !c.ends_with("spawn_blocking"));
    let help = match (futures, blocking) {
        (true, true) => {
            "wrap each future: `.in_current_span()` (or `.instrument(span)`); for `spawn_blocking`, capture `let span = Span::current();` and call `span.enter()` inside the closure"
        }
        (false, true) => {
            "capture `let span = Span::current();` and call `span.enter()` inside the closure"
        }
        _ => "wrap each future: `.in_current_span()` (or `.instrument(span)`)",
    };
    let mut f = cx
        .finding(
            format!(
                "`{}` starts {} without the current span: {}",
                meta.name(),
                crate::rule::count(sites.len(), "task", "tasks"),
                callees.join(", ")
            ),
            help,
        )
        .package(pkg_ref(meta));
    for (_, location) in sites {
        f = f.at(location);
    }
    Some(f)
}

/// Whether the package's own shipped code, and any of its code, uses `tracing`: a dependency
/// that pulls it in, or an optional one nobody calls, gives spans no one would carry.
fn uses_tracing(pkg: &PackageSources) -> (bool, bool) {
    let using = pkg.files.iter().filter(|f| f.facts.uses_tracing);
    let shipped = using.clone().any(|f| f.scope == CodeScope::Shipped);
    (shipped, shipped || using.count() > 0)
}

/// Whether the spawned task can emit no event of the workspace's: its argument logs
/// nothing, runs no code it does not show (a binding, a parameter), and calls no function
/// that logs of the crate or of the members it depends on. Such a task has no event to
/// carry the span to. Calls into crates outside the workspace are taken as quiet: the span
/// is worth carrying for the workspace's own events (a dependency's internals at `trace`
/// level are not what a reader of the service's logs misses).
fn silent(s: &Spawn, logging: &BTreeSet<&str>) -> bool {
    !s.work.logs && !s.work.opaque && !s.work.calls.iter().any(|c| logging.contains(c.as_str()))
}

/// The names of the package's functions whose work can emit events: those that log, open
/// spans or are `#[instrument]`ed, and those that call one of these (by name: a method
/// named like a logging one counts, so a task is never taken for quieter than it is).
fn logging_fns(pkg: &PackageSources) -> BTreeSet<&str> {
    let fns = pkg.files.iter().flat_map(|f| &f.facts.fn_work);
    let instrumented = pkg
        .files
        .iter()
        .flat_map(|f| f.facts.instrumented_fns.iter().map(String::as_str));
    let mut callers: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in fns.clone() {
        for c in &f.work.calls {
            callers.entry(c.as_str()).or_default().push(f.name.as_str());
        }
    }
    let mut todo: Vec<&str> = fns
        .filter(|f| f.work.logs)
        .map(|f| f.name.as_str())
        .chain(instrumented)
        .collect();
    let mut out = BTreeSet::new();
    while let Some(name) = todo.pop() {
        if out.insert(name) {
            todo.extend(callers.get(name).into_iter().flatten().copied());
        }
    }
    out
}

/// The logging functions of member `k` and of the members it depends on directly: a task
/// that calls a sibling crate's function that logs loses that event's span too.
fn reachable_logging<'a>(
    k: usize,
    members: &[Member<'_>],
    logging: &impl Fn(usize) -> &'a BTreeSet<&'a str>,
) -> BTreeSet<&'a str> {
    let mut out = logging(k).clone();
    for l in members[k].meta.direct_links() {
        if let Some(o) = members.iter().position(|m| m.meta.id() == l.to().id()) {
            out.extend(logging(o).iter().copied());
        }
    }
    out
}

/// Whether the package declares `tracing` as a dependency the build does not follow: an
/// optional one behind a feature that is off (deno's `lsp-tracing`), or one under a `cfg`
/// that does not hold. Its code that names tracing is compiled out. (A package with no
/// `tracing` dependency of its own that still uses it, through a re-export such as
/// `bevy::log::tracing`, is decided by its code alone.)
fn tracing_off(facts: &Facts, meta: &PackageMetadata<'_>) -> bool {
    let declared = meta.direct_links().any(|l| l.to().name() == "tracing");
    declared && !built_links(facts, meta).any(|l| l.to().name() == "tracing")
}

/// The spawn helpers of each member (by index): functions that forward their argument to a
/// task spawn without instrumenting it, helpers of helpers included.
fn helpers(members: &[Member<'_>]) -> Vec<BTreeSet<String>> {
    let mut found: Vec<BTreeSet<String>> = vec![BTreeSet::new(); members.len()];
    for _ in 0..HELPER_DEPTH {
        let mut grew = false;
        for (k, m) in members.iter().enumerate() {
            let new: Vec<String> = m
                .pkg
                .files
                .iter()
                .flat_map(|f| &f.facts.spawns)
                .filter(|s| !s.instrumented && starts_task(s, k, members, &found))
                .filter_map(|s| s.forwards.clone())
                .filter(|name| !found[k].contains(name))
                .collect();
            grew |= !new.is_empty();
            found[k].extend(new);
        }
        if !grew {
            break;
        }
    }
    found
}

/// Whether a crate-local path (`crate::rt::spawn`) that names no helper of member `k` names
/// one of a member `k` depends on: split crates re-export their core's modules
/// (`pub(crate) use sqlx_core::*`), and a re-export is not followed through the files.
fn reexported_helper(
    name: &str,
    k: usize,
    members: &[Member<'_>],
    helpers: &[BTreeSet<String>],
) -> bool {
    members[k].meta.direct_links().any(|l| {
        members
            .iter()
            .position(|m| m.meta.id() == l.to().id())
            .is_some_and(|o| helpers[o].contains(name))
    })
}

fn crate_name(m: &Member<'_>) -> String {
    m.meta.name().replace('-', "_")
}

/// Whether `first`, the first segment of a path neither imported nor a member's name, is a
/// module of the crate (`rt::spawn(..)` with `mod rt;`) rather than the standard library or
/// a dependency.
fn is_local_module(meta: &PackageMetadata<'_>, first: &str) -> bool {
    !matches!(first, "std" | "core" | "alloc")
        && !meta
            .direct_links()
            .any(|l| l.to().name().replace('-', "_") == first)
}

/// Whether a spawn of member `k` starts a task: a runtime's spawn, a receiver the crate
/// declares with a runtime type, or a call of a spawn helper of this member or of the member
/// its path names.
fn starts_task(s: &Spawn, k: usize, members: &[Member<'_>], helpers: &[BTreeSet<String>]) -> bool {
    match &s.via {
        SpawnVia::Runtime => true,
        SpawnVia::Receiver(name) => members[k].runtime_names.contains(name.as_str()),
        SpawnVia::Helper { krate, name } => {
            let owner = match krate.as_str() {
                "" | "crate" | "self" | "super" | "Self" => Some(k),
                other => members
                    .iter()
                    .position(|m| crate_name(m) == other)
                    .or_else(|| is_local_module(&members[k].meta, other).then_some(k)),
            };
            match owner {
                Some(o) if o != k => helpers[o].contains(name),
                Some(_) => {
                    helpers[k].contains(name) || reexported_helper(name, k, members, helpers)
                }
                None => false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{kitchen_sink, run, source_rules};

    #[test]
    fn untraced_spawns_but_not_instrumented_ones() {
        let f = run(&RULE, source_rules());
        // One finding for the crate, every site a location.
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .starts_with("`svc` starts 12 tasks without the current span: "),
            "{}",
            f[0].message
        );
        let at: Vec<(String, usize)> = f[0]
            .locations
            .iter()
            .map(|l| (l.path.clone(), l.line))
            .collect();
        let at: Vec<(&str, usize)> = at.iter().map(|(p, l)| (p.as_str(), *l)).collect();
        assert_eq!(
            at,
            [
                // A handle parameter, tokio's spawn_blocking, a spawn in a macro body.
                ("svc/src/lib.rs", 24),
                ("svc/src/lib.rs", 27),
                ("svc/src/lib.rs", 65),
                // The crate's helper through its import, async-std's and smol's spawns, a
                // JoinSet, a handle field declared in rt.rs, a bevy task pool. Not the threads, the process,
                // the ECS entity, the rayon scope, the unknown pool next to them, nor the
                // helper's own definition in rt.rs (its caller is the one to instrument),
                // nor the blocking closure that only calls std (line 32).
                ("svc/src/spawns.rs", 24),
                ("svc/src/spawns.rs", 25),
                ("svc/src/spawns.rs", 26),
                ("svc/src/spawns.rs", 28),
                ("svc/src/spawns.rs", 29),
                ("svc/src/spawns.rs", 30),
                // Tasks that can log: the caller's callback, an event, a function that logs
                // through another. Not the ones next to them that cannot: a send on a
                // channel (39), a function that logs nothing (41), a blocking read (43).
                ("svc/src/spawns.rs", 38),
                ("svc/src/spawns.rs", 40),
                ("svc/src/spawns.rs", 42),
                // Not the spawn in `svc/src/tests.rs`: a `#[cfg(test)]` module.
            ]
        );
        // `worker` spawns, and has tracing only through svc and as an optional dependency
        // whose feature is off (its `#[cfg_attr(feature = "tracing", instrument)]` is out).
        assert!(f.iter().all(|f| f.packages[0].name == "svc"));
        // kitchen-sink's crates have no spawn at all.
        assert!(run(&RULE, kitchen_sink()).is_empty());
    }
}
