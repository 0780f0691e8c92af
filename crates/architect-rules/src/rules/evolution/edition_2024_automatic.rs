//! `evolution/edition-2024-automatic`: what the 2024 migration rewrites by itself, counted.

use std::collections::{BTreeMap, BTreeSet};

use architect_model::{Edition, Finding, Hazard, Level, Section};

use super::edition_2024_hazards::{classify, published_library, static_muts};
use crate::graph::{pkg_ref, workspace_sources};
use crate::rule::{Ctx, Docs, FindingExt, Rule, count};

pub static RULE: Rule = Rule {
    id: "evolution/edition-2024-automatic",
    section: Section::Evolution,
    default_level: Level::Info,
    summary: "how much of the edition-2024 migration `cargo fix --edition` does by itself",
    docs: Docs {
        what: "One finding per workspace: in members on an edition before 2024, the sites \
               `cargo fix --edition` rewrites without a decision, counted per crate and kind: \
               `extern` blocks without `unsafe`, `#[no_mangle]`/`#[export_name]`/\
               `#[link_section]` without `unsafe(...)`, `gen` used as an identifier, and `expr` \
               fragments in macros. For a published library, the `#[macro_export]` macros \
               (not hidden ones) with `expr` fragments are named. The sites that need a person \
               are `evolution/edition-2024-hazards`. \
               Reported only when a published library that can move to 2024 (its \
               `rust-version` is 1.85 or later, or none) exports a macro with `expr` fragments: \
               that is a decision about its API; the mechanical rest alone is not worth reading \
               (labelled on eight real workspaces: 1 of 4).",
        why: "These sites change meaning or stop compiling in 2024, but the migration lints \
              carry machine-applicable fixes (`unsafe extern`, `#[unsafe(no_mangle)]`, \
              `r#gen`, `expr_2021`), so listing them one by one asks a person to read what a \
              tool does; their number only sizes the diff of the migration commit. Exported \
              macros keep today's grammar with `expr_2021`; adopting `expr` (which matches \
              `const {}` and `_`) would change what their users may pass, so it is named, to \
              be done deliberately if at all.",
        fix: "Run `cargo fix --edition -p CRATE` per crate, set `edition = \"2024\"`, and \
              review the diff; `gen` from `rand` is better renamed to `random()` than written \
              `r#gen`; keep `expr_2021` in exported macros unless widening them is intended and \
              noted in the changelog.",
        references: &[
            (
                "Edition Guide: transitioning an existing project",
                "https://doc.rust-lang.org/edition-guide/editions/transitioning-an-existing-project-to-a-new-edition.html",
            ),
            (
                "Edition Guide: unsafe extern blocks",
                "https://doc.rust-lang.org/edition-guide/rust-2024/unsafe-extern.html",
            ),
            (
                "Edition Guide: gen keyword",
                "https://doc.rust-lang.org/edition-guide/rust-2024/gen-keyword.html",
            ),
            (
                "Edition Guide: expr fragment specifier",
                "https://doc.rust-lang.org/edition-guide/rust-2024/macro-fragment-specifiers.html",
            ),
        ],
    },
    options: &[],
    allow_list: false,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let mut crates = Vec::new();
    for (meta, pkg) in workspace_sources(cx.facts) {
        // A `rust-version` below 1.85 cannot take edition 2024: no migration to size yet.
        if Edition::of(&meta) >= Edition::E2024
            || meta
                .rust_version()
                .is_some_and(|v| (v.major, v.minor) < (1, 85))
        {
            continue;
        }
        let statics = static_muts(pkg);
        let published = published_library(cx.facts, &meta);
        let mut counts: BTreeMap<Hazard, usize> = BTreeMap::new();
        let mut macros: BTreeSet<&str> = BTreeSet::new();
        for file in &pkg.files {
            for (hazard, span, detail) in &file.facts.hazards {
                if let Some(h) = classify((*hazard, *span, detail), file, &statics, published)
                    && !h.needs_person()
                {
                    *counts.entry(h).or_default() += 1;
                    if h == Hazard::ExportedExprFragment {
                        macros.insert(detail);
                    }
                }
            }
        }
        if !counts.is_empty() {
            crates.push((meta, counts, macros));
        }
    }
    // Without an exported macro to decide about, the migration is mechanical: nothing to read.
    if crates.iter().all(|(_, _, macros)| macros.is_empty()) {
        return Vec::new();
    }
    let total: usize = crates.iter().flat_map(|(_, c, _)| c.values()).sum();
    let mut f = cx.finding(
        format!(
            "`cargo fix --edition` rewrites {} in {} by itself",
            count(total, "site", "sites"),
            count(crates.len(), "crate", "crates")
        ),
        "run it per crate and review the diff; keep `expr_2021` in exported macros unless widening them is meant",
    );
    for (meta, counts, macros) in &crates {
        let kinds: Vec<String> = counts
            .iter()
            .map(|(h, n)| match h {
                Hazard::ExportedExprFragment => {
                    let names: Vec<String> = macros.iter().map(|m| format!("`{m}!`")).collect();
                    format!(
                        "{n} × `expr` fragment in exported {} (keep `expr_2021` there unless \
                         widening them is intended)",
                        names.join(", ")
                    )
                }
                _ => format!("{n} × {}", h.describe()),
            })
            .collect();
        f = f.package(pkg_ref(meta)).note(format!(
            "`{}` (edition {}): {}",
            meta.name(),
            meta.edition(),
            kinds.join(", ")
        ));
    }
    vec![f]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, fixture, run, source_rules};

    #[test]
    fn one_count_for_the_workspace_nothing_per_site() {
        let f = run(&RULE, source_rules());
        assert_eq!(f.len(), 1, "{f:?}");
        let f = &f[0];
        assert!(f.locations.is_empty());
        assert_eq!(f.packages[0].name, "legacy");
        assert_eq!(f.notes.len(), 1, "{:?}", f.notes);
        let note = &f.notes[0];
        assert!(note.contains("1 × `extern` block"), "{note}");
        assert!(note.contains("1 × `gen`"), "{note}");
        assert!(
            note.contains("2 × `expr` fragment in exported `legacy_pair!`"),
            "{note}"
        );
        // `#[cfg(test)] #[macro_export]`: exported to nobody.
        assert!(!note.contains("assert_legacy"), "{note}");
        assert!(f.message.contains("7 sites in 1 crate"), "{}", f.message);
        assert!(run(&RULE, clean()).is_empty());
    }

    /// helix-parsec: exported `expr` fragments in a library that only an unpublishable
    /// member uses are an ordinary, mechanical migration (the negative of sqlx's `query!`,
    /// `one_count_for_the_workspace_nothing_per_site`).
    #[test]
    fn exported_macros_nobody_outside_uses() {
        crate::assert_rule_snapshot!(&RULE, "unversioned");
        let facts = crate::testing::fixture("unversioned");
        let parsec = facts.graph.workspace().member_by_name("parsec").unwrap();
        assert!(!facts.scope.is_published(parsec.id()));
        assert_eq!(
            facts.scope.unpublished[parsec.id()],
            "only `editor-core` uses it, by path without a version, and `cargo publish` refuses it: nothing published builds against it"
        );
    }

    #[test]
    fn a_mechanical_migration_alone_is_not_reported() {
        // `nightly-lib` has an `expr` fragment in a macro it does not export.
        assert!(run(&RULE, fixture("pinned")).is_empty());
    }
}
