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
               change runtime without replacing it. Only edges the shipped build follows \
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
    let mut dependents: Vec<_> = facts
        .scope
        .shipped
        .iter()
        .filter_map(|id| facts.graph.metadata(id).ok())
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
    use crate::testing::{clean, names, registry_ws, run};

    #[test]
    fn third_party_tokio_dependents() {
        let f = run(&RULE, registry_ws());
        assert_eq!(f.len(), 1);
        assert_eq!(names(&f), ["reqwestish"]);
        assert!(run(&RULE, clean()).is_empty());
    }

    #[test]
    fn an_edge_under_a_cfg_that_is_off_is_no_lock_in() {
        crate::assert_rule_snapshot!(&RULE, "scope");
    }
}
