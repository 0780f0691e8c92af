//! `evolution/edition-2024-hazards`: what the 2024 migration needs a person for.

use std::collections::BTreeSet;

use architect_model::{
    Edition, Finding, Hazard, Level, PackageSources, ScannedFile, Section, SourceSpan, TargetKind,
};
use guppy::graph::{BuildTargetId, PackageMetadata};

use crate::graph::{pkg_ref, source_location, workspace_sources};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "evolution/edition-2024-hazards",
    section: Section::Evolution,
    default_level: Level::Warn,
    summary: "constructs the edition-2024 migration needs a person for",
    docs: Docs {
        what: "In workspace members on an edition before 2024, points at each construct of \
               shipped code (test code aside) whose \
               migration needs a decision `cargo fix --edition` cannot make: `std::env::set_var` \
               and `remove_var` calls (resolved through `use` imports), references to a \
               `static mut` of the crate (`&X`, `&mut X`, and the implicit one of a method call \
               `X.m()`; `addr_of!` and `&raw` are fine), and `if let` whose scrutinee holds a \
               guard (`lock()`, `read()`, `write()`, `borrow()`, `borrow_mut()`) of a receiver \
               its `else` block takes a guard of again. What `cargo fix` rewrites by itself is \
               only counted, by `evolution/edition-2024-automatic` (which also names a \
               published library's exported macros with `expr` fragments).",
        why: "In 2024, `set_var` and `remove_var` are `unsafe` because another thread may read \
              the environment at the same time (glibc's `getenv` is not thread-safe); `cargo \
              fix` wraps each call in `unsafe`, but justifying it is a person's work, and teams \
              have spent days per call proving it or redesigning configuration. References to \
              a `static mut` are a hard error with no automatic migration. An `if let` \
              scrutinee's temporaries are dropped before `else` in 2024: a guard held into an \
              `else` that locks or borrows the same value again deadlocked or panicked before, \
              and no longer does (or code relied on the lock being held).",
        fix: "Replace `set_var` at runtime with configuration passed explicitly (or set it \
              before any thread starts, and say so in a SAFETY comment); use \
              `&raw const`/`addr_of!`, an atomic, or a `Mutex`/`OnceLock` instead of `static \
              mut` references; bind the guard before the `if let` when the `else` must run \
              under it, or check that it need not. Tail-expression \
              temporaries and the never-type fallback also change in 2024; this rule does not \
              look for them (tokens cannot tell when they matter).",
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
                "Edition Guide: if let temporary scope",
                "https://doc.rust-lang.org/edition-guide/rust-2024/temporary-if-let-scope.html",
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
        if Edition::of(&meta) >= Edition::E2024 {
            continue;
        }
        let statics = static_muts(pkg);
        let published = published_library(cx.facts, &meta);
        for file in &pkg.files {
            // Shipped code only: a test's `set_var` gets the `unsafe` `cargo fix` writes, and
            // what it races with is the test harness, not the users of the crate.
            let shipped = file
                .facts
                .hazards
                .iter()
                .filter(|(_, span, _)| file.ships(*span));
            for (hazard, span, detail) in shipped {
                let Some(h) = classify((*hazard, *span, detail), file, &statics, published) else {
                    continue;
                };
                if !h.needs_person() {
                    continue;
                }
                let (message, help) = site(h, detail);
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
    }
    out
}

/// The `static mut` names declared anywhere in the package.
pub(super) fn static_muts(pkg: &PackageSources) -> BTreeSet<&str> {
    pkg.files
        .iter()
        .flat_map(|f| f.facts.static_muts.iter().map(String::as_str))
        .collect()
}

/// Whether other crates use the package's library: it has one and is published (the scope
/// model's role, which also knows a manifest `cargo publish` would refuse).
pub(super) fn published_library(
    facts: &architect_model::Facts,
    meta: &PackageMetadata<'_>,
) -> bool {
    meta.build_target(&BuildTargetId::Library).is_some() && facts.scope.is_published(meta.id())
}

/// What a scanned hazard is for this package: `None` when it is not one (a reference to a
/// name that is no `static mut` of the crate); an exported macro's fragment outside a
/// published library's shipped code (a `#[cfg(test)] #[macro_export]` helper) is an ordinary
/// fragment, which `cargo fix` rewrites.
pub(super) fn classify(
    (hazard, span, detail): (Hazard, SourceSpan, &str),
    file: &ScannedFile,
    statics: &BTreeSet<&str>,
    published: bool,
) -> Option<Hazard> {
    match hazard {
        Hazard::StaticMutRef if !statics.contains(detail) => None,
        Hazard::ExportedExprFragment
            if !(published && file.target == TargetKind::Lib && file.ships(span)) =>
        {
            Some(Hazard::ExprFragment)
        }
        h => Some(h),
    }
}

fn site(hazard: Hazard, detail: &str) -> (String, &'static str) {
    match hazard {
        Hazard::EnvSetVar => (
            format!("`{detail}` becomes unsafe"),
            "pass the value explicitly instead, or prove no other thread runs yet and wrap it in `unsafe` with a SAFETY comment",
        ),
        Hazard::StaticMutRef => (
            format!("reference to `static mut {detail}`"),
            "use `&raw const`/`&raw mut`, an atomic, or a `Mutex`/`OnceLock`",
        ),
        Hazard::IfLetGuard => (
            format!("`if let` holds a guard of `{detail}` into an `else` that takes it again"),
            "2024 drops the scrutinee's guard before `else`: check that nothing relied on it being held (before 2024 this deadlocks or panics)",
        ),
        _ => (hazard.describe().to_string(), ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{run, source_rules};

    #[test]
    fn each_site_that_needs_a_person_once_and_nothing_automatic() {
        let f = run(&RULE, source_rules());
        assert!(f.iter().all(|f| f.packages[0].name == "legacy"));
        assert!(f.iter().all(|f| f.level == Level::Warn));
        let mut got: Vec<(&str, usize)> = f
            .iter()
            .map(|f| (f.message.as_str(), f.locations[0].line))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                (
                    "`if let` holds a guard of `cache` into an `else` that takes it again in `legacy` (edition 2021)",
                    77
                ),
                (
                    "`std::env::set_var` becomes unsafe in `legacy` (edition 2021)",
                    21
                ),
                (
                    "reference to `static mut COUNTER` in `legacy` (edition 2021)",
                    34
                ),
            ]
        );
    }
}
