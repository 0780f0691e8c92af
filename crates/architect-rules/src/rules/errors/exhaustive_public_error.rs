//! `errors/exhaustive-public-error`: public error enums without `#[non_exhaustive]`.

use std::collections::BTreeSet;

use architect_model::{Finding, Level, Section};

use crate::graph::{Site, api_sources, per_crate, pkg_ref, site_names, source_location};
use crate::public_api::{PublicApi, module_of};
use crate::rule::{Ctx, Docs, FindingExt, Rule, count};

pub static RULE: Rule = Rule {
    id: "errors/exhaustive-public-error",
    section: Section::Errors,
    default_level: Level::Warn,
    summary: "public error enums without #[non_exhaustive]",
    docs: Docs {
        what: "Reports public enums of workspace libraries that are error types (derive \
               `Error`, implement `std::error::Error`, or are named `*Error`) and lack \
               `#[non_exhaustive]`. Public: reachable from the crate root through `pub` \
               modules or `pub use` re-exports (globs included), and not `#[doc(hidden)]`; \
               only published members' shipped code, and not a library that exists to back \
               its own binary (a `[[bin]]`, no other published member depends on it: ruff's \
               `lib.rs`), where nobody matches on its errors from outside. \
               One finding per crate; when the \
               workspace marks under 5% of its public error enums `#[non_exhaustive]` (it has \
               no such policy: deno marks 1 of 264), one finding for the workspace, naming \
               the crates: a decision to make once. \
               Not reported either: a `0.x` crate at `0.10` or later, whose every minor \
               release is already breaking (ten or more of them: bevy, deno's `deno_*` \
               crates), where a new variant rides the next one; two blind labelling rounds \
               judged those findings noise. \
               Not reviewed as an API: a library the other members use only in their tests \
               (`cargo-test-support`), and a crate whose description says it is not for direct \
               use (\"an internal component crate\", \"Not intended to be used directly\"), \
               unless a published crate re-exports it whole (`pub use driver::{self as \
               drivers}`), which makes it that crate's API.",
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

/// Below this share of its public error enums marked `#[non_exhaustive]`, a workspace has no
/// such policy: its exhaustive enums are one finding for the workspace, not one per crate.
const POLICY_SHARE: f64 = 0.05;

/// Whether a crate's version says it makes breaking releases as routine: a `0.x` crate at
/// `0.10` or later has made at least ten (each `0.x` minor is breaking under Cargo's semver:
/// bevy's `0.20`, deno's `deno_crypto 0.271`), so a new variant rides a release train it
/// already runs and `#[non_exhaustive]` spares its callers nothing.
fn breaks_routinely(v: &guppy::Version) -> bool {
    v.major == 0 && v.minor >= 10
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let mut crates = Vec::new();
    let mut marked_total = 0;
    for (meta, pkg) in api_sources(facts).filter(|(meta, _)| !breaks_routinely(meta.version())) {
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
                .filter(|e| file.ships(e.span))
                .filter(reached)
            {
                let is_error =
                    e.derives_error || impls.contains(e.name.as_str()) || e.name.ends_with("Error");
                if e.non_exhaustive {
                    marked_total += usize::from(is_error);
                    continue;
                }
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
            crates.push((meta, sites));
        }
    }
    let exhaustive: usize = crates.iter().map(|(_, s)| s.len()).sum();
    let total = exhaustive + marked_total;
    if crates.len() > 1 && (marked_total as f64) < POLICY_SHARE * total as f64 {
        return vec![no_policy(cx, crates, marked_total, total)];
    }
    crates
        .into_iter()
        .map(|(meta, sites)| {
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
            per_crate(
                cx,
                &meta,
                message,
                "add `#[non_exhaustive]` to each (at the next major release)",
                sites,
            )
        })
        .collect()
}

/// One finding for a workspace that marks (almost) none of its public error enums
/// `#[non_exhaustive]`: a decision to make once, not a list of enums to fix one by one.
fn no_policy(
    cx: &Ctx<'_>,
    crates: Vec<(guppy::graph::PackageMetadata<'_>, Vec<Site>)>,
    marked: usize,
    total: usize,
) -> Finding {
    let names: Vec<&str> = crates.iter().map(|(m, _)| m.name()).collect();
    let mut f = cx.finding(
        format!(
            "{} expose {} and the workspace marks {marked} of its {total} `#[non_exhaustive]`: every new variant is a breaking release: {}",
            count(crates.len(), "published crate", "published crates"),
            count(total - marked, "exhaustive public error enum", "exhaustive public error enums"),
            crate::rule::name_list(&names, 6)
        ),
        "decide a policy once: `#[non_exhaustive]` on public error enums (at the next major releases), or document that errors may change in any release",
    );
    let first = crates
        .iter()
        .flat_map(|(_, s)| s.iter())
        .find_map(|(_, l)| l.clone());
    f = f.at(first);
    for (meta, sites) in crates {
        f = f
            .package(pkg_ref(&meta))
            .note(format!("`{}`: {}", meta.name(), site_names(&sites)));
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{public_api, run, source_rules};

    #[test]
    fn exhaustive_error_enums_but_not_non_exhaustive_ones() {
        let f = run(&RULE, source_rules());
        let names: Vec<&str> = crate::testing::site_items(&f);
        assert_eq!(names, ["ParseError", "ServeError"]);
    }

    #[test]
    fn error_enums_re_exported_or_in_macro_declared_modules() {
        let f = run(&RULE, public_api());
        let names: Vec<&str> = crate::testing::site_items(&f);
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

    #[test]
    fn a_workspace_without_a_non_exhaustive_policy_gets_one_finding() {
        // source-rules' svc marks one of its three error enums: per crate (see above).
        // errors-policy: `tool`'s `UsageError` backs tool's own binary and is not counted.
        crate::assert_rule_snapshot!(&RULE, "errors-policy");
    }

    #[test]
    fn a_crate_whose_minor_releases_break_routinely_is_not_reported() {
        let v = |s: &str| guppy::Version::parse(s).unwrap();
        assert!(breaks_routinely(&v("0.20.0-dev")));
        assert!(breaks_routinely(&v("0.271.0")));
        assert!(!breaks_routinely(&v("0.9.0-alpha.1")));
        assert!(!breaks_routinely(&v("0.7.9")));
        assert!(!breaks_routinely(&v("1.12.0")));
    }
}
