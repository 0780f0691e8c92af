//! `errors/exhaustive-public-error`: public error enums without `#[non_exhaustive]`.

use std::collections::BTreeSet;

use architect_model::{Finding, Level, Section};

use crate::graph::{Site, per_crate, published_sources, site_names, source_location};
use crate::public_api::{PublicApi, module_of};
use crate::rule::{Ctx, Docs, Rule, count};

pub static RULE: Rule = Rule {
    id: "errors/exhaustive-public-error",
    section: Section::Errors,
    default_level: Level::Warn,
    summary: "public error enums without #[non_exhaustive]",
    docs: Docs {
        what: "Reports public enums of workspace libraries that are error types (derive \
               `Error`, implement `std::error::Error`, or are named `*Error`) and lack \
               `#[non_exhaustive]`. Public: reachable from the crate root through `pub` \
               modules or `pub use` re-exports (globs included), and not `#[doc(hidden)]`.",
        why: "Callers may `match` an exhaustive enum without a wildcard arm, so adding a \
              variant (a new failure mode, which errors acquire all the time) is a breaking \
              change and a major release. `#[non_exhaustive]` makes the wildcard mandatory from \
              day one, as the standard library does for `std::io::ErrorKind`.",
        fix: "Add `#[non_exhaustive]` to the enum (itself a breaking change once: do it at the \
              next major release).",
        references: &[
            (
                "The Rust Reference: non_exhaustive",
                "https://doc.rust-lang.org/reference/attributes/type_system.html#the-non_exhaustive-attribute",
            ),
            (
                "Rust API guidelines: C-STRUCT-PRIVATE and future proofing",
                "https://rust-lang.github.io/api-guidelines/future-proofing.html",
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
    for (meta, pkg) in published_sources(facts) {
        let impls: BTreeSet<&str> = pkg
            .lib_files()
            .flat_map(|f| f.facts.error_impls.iter().map(String::as_str))
            .collect();
        let api = PublicApi::of(pkg);
        let mut sites: Vec<Site> = Vec::new();
        for file in pkg.lib_files() {
            let reached = |e: &&architect_model::PubEnum| {
                let module = module_of(file, &e.inline_parents);
                api.reaches(file.public && e.public, &module, &e.name)
            };
            for e in file
                .facts
                .pub_enums
                .iter()
                .filter(|e| !e.non_exhaustive && file.ships(e.span))
                .filter(reached)
            {
                let why = if e.derives_error {
                    "derives `Error`"
                } else if impls.contains(e.name.as_str()) {
                    "implements `std::error::Error`"
                } else if e.name.ends_with("Error") {
                    "is named like an error"
                } else {
                    continue;
                };
                sites.push((
                    format!("enum `{}` ({why})", e.name),
                    source_location(facts, file, e.span, "exhaustive public enum"),
                ));
            }
        }
        if !sites.is_empty() {
            let message = format!(
                "`{}` has {}: adding a variant breaks callers: {}",
                meta.name(),
                count(
                    sites.len(),
                    "exhaustive public error enum",
                    "exhaustive public error enums"
                ),
                site_names(&sites)
            );
            out.push(per_crate(
                cx,
                &meta,
                message,
                "add `#[non_exhaustive]` to each (at the next major release)",
                sites,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{public_api, run, source_rules};

    #[test]
    fn exhaustive_error_enums_but_not_non_exhaustive_ones() {
        let f = run(&RULE, source_rules());
        let names: Vec<&str> = f
            .iter()
            .flat_map(|f| &f.notes)
            .map(|n| n.split('`').nth(1).unwrap())
            .collect();
        assert_eq!(names, ["ParseError", "ServeError"]);
    }

    #[test]
    fn error_enums_re_exported_or_in_macro_declared_modules() {
        let f = run(&RULE, public_api());
        let names: Vec<&str> = f
            .iter()
            .flat_map(|f| &f.notes)
            .map(|n| n.split('`').nth(1).unwrap())
            .collect();
        // Re-exported from a private module by a glob (`GlobError`), by name
        // (`ReexportedError`), in a `pub mod` of a glob-exported private module (`DeepError`);
        // in a module declared inside a macro invocation (`NetError`).
        assert_eq!(
            names,
            ["GlobError", "ReexportedError", "DeepError", "NetError"]
        );
        // Declared `pub` in private modules nothing re-exports: not API.
        for not in ["UnexportedError", "ShallowError"] {
            assert!(f.iter().all(|f| !f.message.contains(not)), "{not}");
        }
    }
}
