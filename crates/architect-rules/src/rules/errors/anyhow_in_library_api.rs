//! `errors/anyhow-in-library-api`: `anyhow`/`eyre` in a library's public API.

use architect_model::{Finding, Level, Section};

use crate::graph::{Site, api_sources, per_crate, site_names, source_location};
use crate::public_api::{PublicApi, module_of};
use crate::rule::{Ctx, Docs, Rule, count};

pub static RULE: Rule = Rule {
    id: "errors/anyhow-in-library-api",
    section: Section::Errors,
    default_level: Level::Warn,
    summary: "anyhow or eyre error types in a library's public API",
    docs: Docs {
        what: "Reports `anyhow::Error`, `anyhow::Result`, `eyre::Report` and `eyre::Result` \
               (also when imported under their short names) in the public API of workspace \
               libraries: items reachable from the crate root through `pub` modules or `pub \
               use` re-exports, in published members' shipped code, one finding per crate. \
               `anyhow::Result<T, E>` with its own `E` is not reported, nor a type alias \
               (`pub type AnyError = anyhow::Error`: the functions using it are reported), \
               nor a library that exists to back its own binary (it has a `[[bin]]` and no \
               other published member depends on it): there anyhow is the application's own \
               choice. Nor the methods of a composition root: a type with three or more lazy \
               getters that return untyped errors (`fn npm_cache(&self) -> Result<&Arc<T>, \
               anyhow::Error>`, deno's `*Factory` types) builds the application's parts on \
               first use, and its failures are start-up failures the binary reports. Nor a \
               crate whose only untyped errors are in methods of traits it declares: its users \
               implement them, and the error they return is their own (the trait is listed \
               when the crate is reported for other items). \
               Not reviewed as an API: a library the other members use only in their tests \
               (`cargo-test-support`), and a crate whose description or crate documentation \
               (`//!`) says it is not for direct \
               use (\"an internal component crate\", \"Not intended to be used directly\"), \
               unless a published crate re-exports it whole (`pub use driver::{self as \
               drivers}`), which makes it that crate's API.",
        why: "`anyhow` is made for applications: it erases the error type, so a library that \
              returns it gives callers nothing to match on but strings, and ties them to \
              anyhow's version. Libraries should return typed errors; applications wrap them \
              with context at the top.",
        fix: "Define an error enum (thiserror makes it short) for the library's public \
              functions; keep anyhow in binaries and tests.",
        references: &[
            (
                "anyhow: anyhow vs thiserror",
                "https://docs.rs/anyhow/latest/anyhow/#comparison-to-failure",
            ),
            ("thiserror", "https://docs.rs/thiserror"),
        ],
    },
    options: &[],
    allow_list: true,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let mut out = Vec::new();
    for (meta, pkg) in api_sources(facts) {
        let api = PublicApi::of(pkg);
        let mut uses: Vec<(&architect_model::ScannedFile, &architect_model::ApiUse)> = Vec::new();
        for file in pkg.lib_files() {
            let reached = |u: &&architect_model::ApiUse| {
                api.reaches(
                    file.public && u.public,
                    &module_of(file, &u.inline_parents),
                    &u.owner,
                )
            };
            for u in file
                .facts
                .api_uses
                .iter()
                .filter(|u| file.ships(u.span))
                .filter(reached)
            {
                // `pub type AnyError = anyhow::Error` names anyhow but returns nothing: the
                // functions that use the alias are reported themselves.
                if !matches!(u.krate.as_str(), "anyhow" | "eyre" | "color_eyre")
                    || u.item.starts_with("type ")
                {
                    continue;
                }
                uses.push((file, u));
            }
        }
        let roots = composition_roots(uses.iter().map(|(_, u)| *u));
        let sites: Vec<Site> = uses
            .iter()
            .filter(|(_, u)| !roots.contains(u.owner.as_str()))
            .map(|(file, u)| {
                (
                    format!("`{}` (`{}` from {})", u.item, u.ty, u.krate),
                    source_location(facts, file, u.span, "untyped error in the public API"),
                )
            })
            .collect();
        // A crate whose only untyped errors are in traits it declares is not reported: its
        // users implement them (deno_npm_installer's `LifecycleScriptsExecutor`), and the
        // error they return is their own.
        let api_items = sites.iter().any(|(item, _)| !item.starts_with("`trait "));
        if api_items {
            let message = format!(
                "library `{}` returns or takes an untyped error (anyhow, eyre) in {}: {}",
                meta.name(),
                count(sites.len(), "public item", "public items"),
                site_names(&sites)
            );
            // A trait's method is implemented by the library's users: they cannot return the
            // library's own error enum, but they need not be tied to anyhow either.
            let help = if sites.iter().any(|(item, _)| item.starts_with("`trait ")) {
                "return a typed error (an enum, e.g. with thiserror) from the library's public API; \
                 for a trait others implement, an associated `type Error` or \
                 `Box<dyn std::error::Error + Send + Sync>` leaves implementors free of anyhow"
            } else {
                "return a typed error (an enum, e.g. with thiserror) from the library's public API"
            };
            out.push(per_crate(cx, &meta, message, help, sites));
        }
    }
    out
}

/// A type with at least this many lazy getters that return untyped errors assembles the
/// application's parts: a composition root.
const ROOT_GETTERS: usize = 3;

/// The types whose methods include [`ROOT_GETTERS`] or more lazy getters
/// (`fn npm_cache(&self) -> Result<&Arc<NpmCache>, anyhow::Error>`): composition roots, as
/// deno's `*Factory` types. They build the application's components on first use, and a
/// failure there is a start-up failure that the binary reports; nobody matches on it.
fn composition_roots<'a>(
    uses: impl Iterator<Item = &'a architect_model::ApiUse>,
) -> std::collections::BTreeSet<&'a str> {
    let mut getters: std::collections::BTreeMap<&str, usize> = Default::default();
    for u in uses.filter(|u| u.lazy_getter && !u.owner.is_empty()) {
        *getters.entry(u.owner.as_str()).or_default() += 1;
    }
    getters
        .into_iter()
        .filter(|(_, n)| *n >= ROOT_GETTERS)
        .map(|(owner, _)| owner)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{public_api, run, source_rules};

    #[test]
    fn anyhow_result_in_a_public_fn() {
        let f = run(&RULE, source_rules());
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("`fn start`"));
        assert!(f[0].message.contains("from anyhow"));
    }

    #[test]
    fn anyhow_in_what_is_public_api() {
        let f = run(&RULE, public_api());
        let items: Vec<&str> = crate::testing::site_items(&f);
        // `fn connect`: a method of a type re-exported from a private module; `fn run`: a
        // module-level `use anyhow::Result`.
        assert_eq!(items, ["fn connect", "fn run"]);
        // Not: `anyhow::Result<u8, E>` (`fn typed`), imports in a block or in `mod tests`
        // (`fn load`, `fn parse`), a method of a type nothing re-exports.
        for not in ["typed", "load", "parse", "leak"] {
            let item = format!("`fn {not}`");
            assert!(items.iter().all(|i| !i.contains(&item)), "{not}");
        }
    }

    #[test]
    fn only_published_shipped_code_is_library_api() {
        crate::assert_rule_snapshot!(&RULE, "scope");
    }

    #[test]
    fn a_library_behind_its_own_binary_is_not_library_api() {
        // `store`'s `load` is reported, not its `type AnyError` alias; `tool`'s `run` backs
        // tool's own binary. `lint`, a library only tool uses, is reported: the graph cannot
        // tell it from a library for the world that one binary of the workspace happens to use.
        crate::assert_rule_snapshot!(&RULE, "errors-policy");
        // `testkit` is used only by `net`'s tests; `internal-tools/compare` is tooling.
        let facts = crate::testing::fixture("errors-policy");
        let member = |name: &str| facts.graph.workspace().member_by_name(name).unwrap();
        assert!(facts.scope.tests_only.contains(member("testkit").id()));
        assert_eq!(
            facts.scope.role(member("compare").id()),
            architect_model::MemberRole::Tooling
        );
        // `support`'s crate documentation says it is not for external use (cargo-util); the
        // only untyped error of `plugin` is its users' (a trait they implement).
        assert!(
            facts.scope.internal[member("support").id()].contains("not intended for external use")
        );
        let findings = run(&RULE, facts);
        let reported: Vec<&str> = findings
            .iter()
            .map(|f| f.packages[0].name.as_str())
            .collect();
        assert_eq!(reported, ["lint", "store"]);
    }
}
