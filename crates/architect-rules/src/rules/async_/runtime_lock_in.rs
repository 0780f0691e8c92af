//! `async/runtime-lock-in`: third-party crates in the build that hard-require tokio.

use architect_model::{Finding, Level, Section};

use crate::graph::{pkg_ref, shipped_links};
use crate::rule::{Ctx, Docs, FindingExt, Rule, count};

pub static RULE: Rule = Rule {
    id: "async/runtime-lock-in",
    section: Section::Async,
    default_level: Level::Info,
    summary: "third-party crates that hard-require tokio: how deep the coupling goes",
    docs: Docs {
        what: "Lists the third-party packages of the shipped build that depend on tokio \
               directly (reqwest, hyper, sqlx, tonic, ...), each a reason the build cannot \
               change runtime without replacing it; only when tokio's executor is in the \
               build and the workspace's own members do not depend on tokio (then the choice \
               is made already, by design). Only edges the shipped build follows \
               count: an edge under a `cfg(...)` that is off for the reviewed platforms, an \
               optional dependency whose feature is off, or a dev-dependency does not.",
        why: "Tokio is the de-facto runtime, and depending on it is usually right; but the \
              coupling is architectural. Knowing how many crates hard-require it tells what a \
              move to another runtime, a WASM target, or an embedded executor would cost.",
        fix: "Nothing to fix by itself. Where runtime independence matters, prefer crates with \
              runtime-agnostic cores (`futures` traits) and keep tokio types out of your own \
              library APIs.",
        references: &[("Tokio", "https://tokio.rs/")],
    },
    options: &[],
    allow_list: false,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    // Edges of the shipped build only: `cfg(...)` evaluated for the reviewed platforms,
    // features resolved, no dev-dependencies.
    let shipped = || {
        facts
            .scope
            .shipped
            .iter()
            .filter_map(|id| facts.graph.metadata(id).ok())
    };
    // Lock-in needs tokio's executor in the build (hyper with tokio's I/O traits alone runs
    // on any runtime), and is moot where the workspace's own code is built on tokio.
    let Some(tokio) = shipped().find(|p| p.name() == "tokio") else {
        return Vec::new();
    };
    let own = shipped()
        .any(|m| m.in_workspace() && shipped_links(facts, &m).any(|l| l.to().name() == "tokio"));
    if own || !super::runtimes::has_executor(facts, &tokio) {
        return Vec::new();
    }
    let mut dependents: Vec<_> = shipped()
        .filter(|p| !p.in_workspace() && p.name() != "tokio")
        .filter(|p| shipped_links(facts, p).any(|l| l.to().name() == "tokio"))
        .collect();
    if dependents.is_empty() {
        return Vec::new();
    }
    dependents.sort_by(|a, b| a.name().cmp(b.name()));
    let names: Vec<String> = dependents
        .iter()
        .map(|p| format!("`{}`", p.name()))
        .collect();
    let shown = names
        .iter()
        .take(12)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let mut f = cx.finding(
        format!(
            "{} hard-require tokio: {shown}{}",
            count(dependents.len(), "third-party crate", "third-party crates"),
            if names.len() > 12 { ", ..." } else { "" }
        ),
        "keep tokio types out of your own library APIs so the coupling stays in these crates",
    );
    for p in &dependents {
        f = f.package(pkg_ref(p));
    }
    vec![f]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, registry_ws, run};

    #[test]
    fn third_party_tokio_dependents() {
        // registry-ws's `lib` member depends on tokio itself: the choice is the workspace's.
        assert!(run(&RULE, registry_ws()).is_empty());
        assert!(run(&RULE, clean()).is_empty());
        // lock-in: the member uses no runtime; its HTTP client brings tokio's executor.
        crate::assert_rule_snapshot!(&RULE, "lock-in");
    }

    #[test]
    fn an_edge_under_a_cfg_that_is_off_is_no_lock_in() {
        crate::assert_rule_snapshot!(&RULE, "scope");
    }
}
