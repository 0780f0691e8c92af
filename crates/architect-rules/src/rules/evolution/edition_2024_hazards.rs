//! `evolution/edition-2024-hazards`: what the 2024 migration needs a person for.

use std::collections::{BTreeMap, BTreeSet};

use architect_model::{Finding, Hazard, Level, Section};

use crate::graph::{pkg_ref, source_location, workspace_sources};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "evolution/edition-2024-hazards",
    section: Section::Evolution,
    default_level: Level::Warn,
    summary: "constructs the edition-2024 migration needs a person for",
    docs: Docs {
        what: "In workspace members on an edition before 2024, points at each construct whose \
               migration `cargo fix --edition` cannot decide: `std::env::set_var` and \
               `remove_var` calls, `extern` blocks without `unsafe`, `#[no_mangle]` / \
               `#[export_name]` / `#[link_section]` without `unsafe(...)`, references to \
               `static mut`, `gen` used as an identifier, and `expr` fragments in \
               `macro_rules!`; then a summary per crate and kind.",
        why: "In 2024, `set_var` and `remove_var` are `unsafe` because another thread may read \
              the environment at the same time (glibc's `getenv` is not thread-safe); wrapping \
              each call in `unsafe` is easy, justifying it is not, and teams have spent days \
              per call proving it or redesigning configuration. The other items are compile \
              errors or silent meaning changes (`$e:expr` now matches `const {}` and `_`) that \
              need a decision at each site.",
        fix: "Replace `set_var` at runtime with configuration passed explicitly (or set it \
              before any thread starts, and say so in a SAFETY comment); write `unsafe extern`, \
              `#[unsafe(no_mangle)]`; use `&raw const`/`addr_of!` or an atomic instead of \
              `static mut` references; rename `gen` (`r#gen`, or `rand`'s `random()`); use \
              `expr_2021` where the old meaning is wanted.",
        references: &[
            (
                "Edition Guide: unsafe set_var",
                "https://doc.rust-lang.org/edition-guide/rust-2024/newly-unsafe-functions.html",
            ),
            (
                "Edition Guide: static mut references",
                "https://doc.rust-lang.org/edition-guide/rust-2024/static-mut-references.html",
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
    allow_list: true,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let mut out = Vec::new();
    for (meta, pkg) in workspace_sources(facts) {
        let id = meta.id();
        if meta.edition() >= "2024" {
            continue;
        }
        let statics: BTreeSet<&str> = pkg
            .files
            .iter()
            .flat_map(|f| f.facts.static_muts.iter().map(String::as_str))
            .collect();
        let mut counts: BTreeMap<Hazard, usize> = BTreeMap::new();
        for file in &pkg.files {
            for (hazard, span, detail) in &file.facts.hazards {
                if *hazard == Hazard::StaticMutRef && !statics.contains(detail.as_str()) {
                    continue;
                }
                *counts.entry(*hazard).or_default() += 1;
                let (message, help) = site(*hazard, detail);
                out.push(
                    cx.finding(
                        format!(
                            "{message} in `{}` (edition {})",
                            meta.name(),
                            meta.edition()
                        ),
                        help,
                    )
                    .package(pkg_ref(&meta))
                    .at(source_location(
                        facts,
                        file,
                        *span,
                        "changes in edition 2024",
                    )),
                );
            }
        }
        if !counts.is_empty() {
            let total: usize = counts.values().sum();
            let mut f = cx
                .finding(
                    format!(
                        "`{}` has {total} construct(s) that the 2024 migration needs a person for",
                        meta.name()
                    ),
                    format!(
                        "budget these before `cargo fix --edition -p {}`; set_var calls first",
                        meta.name()
                    ),
                )
                .level(Level::Info)
                .package(pkg_ref(&meta))
                .at(facts
                    .manifests
                    .get(id)
                    .and_then(|m| m.edition.clone().or_else(|| m.header().cloned())));
            for (hazard, n) in counts {
                f = f.note(format!("{n} × {}", hazard.describe()));
            }
            out.push(f);
        }
    }
    out
}

fn site(hazard: Hazard, detail: &str) -> (String, &'static str) {
    match hazard {
        Hazard::EnvSetVar => (
            format!("`{detail}` becomes unsafe"),
            "pass the value explicitly instead, or prove no other thread runs yet and wrap it in `unsafe` with a SAFETY comment",
        ),
        Hazard::ExternBlock => (
            "`extern` block without `unsafe`".into(),
            "write `unsafe extern` and check each declared signature",
        ),
        Hazard::UnsafeAttr => (
            format!("`#[{detail}]` without `unsafe(...)`"),
            "write it as `#[unsafe(...)]` once the symbol is checked for clashes",
        ),
        Hazard::StaticMutRef => (
            format!("reference to `static mut {detail}`"),
            "use `&raw const`/`&raw mut`, an atomic, or a `Mutex`/`OnceLock`",
        ),
        Hazard::GenIdent => (
            "`gen` used as an identifier".into(),
            "rename it, or write `r#gen` (rand: use `random()`)",
        ),
        Hazard::ExprFragment => (
            format!("`${detail}:expr` fragment"),
            "decide whether `const {}` and `_` should match; use `expr_2021` to keep the old meaning",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{run, source_rules};

    #[test]
    fn hazards_of_the_2021_member_only() {
        let f = run(&RULE, source_rules());
        assert_eq!(f.len(), 7);
        assert!(f.iter().all(|f| f.packages[0].name == "legacy"));
        let summary = f.last().unwrap();
        assert_eq!(summary.level, Level::Info);
        assert_eq!(summary.notes.len(), 6, "{:?}", summary.notes);
    }
}
