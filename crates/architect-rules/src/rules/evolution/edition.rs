//! `evolution/edition`: members not on the 2024 edition.

use std::collections::BTreeMap;

use architect_model::{Edition, Finding, Level, Section};

use crate::graph::pkg_ref;
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "evolution/edition",
    section: Section::Evolution,
    default_level: Level::Info,
    summary: "workspace members on an edition before 2024",
    docs: Docs {
        what: "Counts workspace members per edition and reports those before 2024.",
        why: "Editions change the language for one crate at a time; a workspace that lags \
              accumulates migration work, and some migrations need a person, not `cargo fix`: \
              in 2024 `std::env::set_var` became `unsafe` (each call needs an argument that no \
              other thread reads the environment), `extern` blocks need `unsafe`, and `static \
              mut` references are denied. Resolver 3 and the new `impl Trait` capture rules \
              also come with 2024.",
        fix: "Migrate one crate at a time: `cargo fix --edition -p CRATE`, set `edition = \
              \"2024\"`, review what `cargo fix` could not do, and move `edition` to \
              `[workspace.package]` when all members agree.",
        references: &[(
            "The Rust Edition Guide: Rust 2024",
            "https://doc.rust-lang.org/edition-guide/rust-2024/index.html",
        )],
    },
    options: &[],
    allow_list: true,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let mut counts: BTreeMap<Edition, usize> = BTreeMap::new();
    for p in facts.graph.workspace().iter() {
        *counts.entry(Edition::of(&p)).or_default() += 1;
    }
    let tally = counts
        .iter()
        .map(|(e, n)| format!("{e}: {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    facts
        .graph
        .workspace()
        .iter()
        .filter(|p| Edition::of(p) < Edition::LATEST)
        .map(|p| {
            cx.finding(
                format!("`{}` is on edition {}", p.name(), p.edition()),
                format!(
                    "migrate with `cargo fix --edition -p {}`, then set edition = \"2024\"",
                    p.name()
                ),
            )
            .package(pkg_ref(&p))
            .note(format!("members per edition: {tally}"))
            .at(facts
                .manifests
                .get(p.id())
                .and_then(|m| m.edition.clone().or_else(|| m.header().cloned())))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, names, run};

    #[test]
    fn members_before_2024_point_at_their_edition_line() {
        let f = run(&RULE, kitchen_sink());
        assert_eq!(names(&f), ["app", "ffi", "macros"]);
        let ffi = f.iter().find(|f| f.packages[0].name == "ffi").unwrap();
        assert!(ffi.message.contains("2018"));
        assert_eq!(ffi.locations[0].line, 4);
        assert!(
            ffi.notes[0].contains("2018: 1, 2021: 2, 2024: 1"),
            "{:?}",
            ffi.notes
        );
        assert!(run(&RULE, clean()).is_empty());
    }
}
