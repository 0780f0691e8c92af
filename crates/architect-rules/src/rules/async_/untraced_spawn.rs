//! `async/untraced-spawn`: tasks spawned without the caller's tracing span.

use std::collections::BTreeSet;

use architect_model::{Finding, Level, Section};

use crate::graph::{depends_on, pkg_ref, source_location, workspace_sources};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "async/untraced-spawn",
    section: Section::Async,
    default_level: Level::Warn,
    summary: "tasks spawned without carrying the current tracing span",
    docs: Docs {
        what: "In workspace crates that use `tracing`, reports `tokio::spawn`, \
               `tokio::task::spawn`, `spawn_local`, `spawn_blocking`, `JoinSet::spawn` and \
               runtime `Handle::spawn` (and the async-std and smol equivalents) whose future is \
               not wrapped with `.instrument(..)` or `.in_current_span()`, and is not a call of \
               an `#[instrument]`ed function of the same crate; a `spawn_blocking` closure \
               counts as traced when it enters a span.",
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

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let mut out = Vec::new();
    for (meta, pkg) in workspace_sources(facts) {
        let id = meta.id();
        if !depends_on(facts, id, "tracing") {
            continue;
        }
        let instrumented: BTreeSet<&str> = pkg
            .files
            .iter()
            .flat_map(|f| f.facts.instrumented_fns.iter().map(String::as_str))
            .collect();
        for file in &pkg.files {
            for s in &file.facts.spawns {
                let traced =
                    s.instrumented || s.calls.as_deref().is_some_and(|c| instrumented.contains(c));
                if traced {
                    continue;
                }
                out.push(
                    cx.finding(
                        format!("`{}` starts a task without the current span", s.callee),
                        if s.callee.ends_with("spawn_blocking") {
                            "capture `let span = Span::current();` and call `span.enter()` inside the closure"
                        } else {
                            "wrap the future: `.in_current_span()` (or `.instrument(span)`)"
                        },
                    )
                    .package(pkg_ref(&meta))
                    .at(source_location(facts, file, s.span, "spawned here")),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{kitchen_sink, run, source_rules};

    #[test]
    fn untraced_spawns_but_not_instrumented_ones() {
        let f = run(&RULE, source_rules());
        let at: Vec<(String, usize)> = f
            .iter()
            .map(|f| (f.locations[0].path.clone(), f.locations[0].line))
            .collect();
        assert_eq!(
            at,
            [
                ("svc/src/lib.rs".to_string(), 24),
                ("svc/src/lib.rs".to_string(), 27),
                ("svc/src/lib.rs".to_string(), 65),
                ("svc/src/tests.rs".to_string(), 4),
            ]
        );
        // kitchen-sink's crates have no spawn at all.
        assert!(run(&RULE, kitchen_sink()).is_empty());
    }
}
