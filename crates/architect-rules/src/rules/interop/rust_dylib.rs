//! `interop/rust-dylib`: members built as a Rust `dylib`, which has no stable ABI.

use architect_model::{Finding, Level, Section, TargetKind};

use super::crate_types::abi_types;
use crate::graph::pkg_ref;
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "interop/rust-dylib",
    section: Section::Interop,
    default_level: Level::Warn,
    summary: "members built as a Rust dylib: an ABI that only the same compiler can load",
    docs: Docs {
        what: "Reports workspace members whose library's `crate-type` includes `dylib`. A \
               dylib whose library root holds nothing but `use` and `extern crate` (bevy's \
               `bevy_dylib`: `use bevy_internal;` behind a dynamic-linking feature for faster \
               development builds) has no API of its own to load as a plugin and is not \
               reported.",
        why: "A Rust `dylib` has no stable ABI: it only works with the exact same compiler and \
              dependency versions, so shipping one as a plugin interface breaks on the next \
              toolchain update.",
        fix: "Expose a C ABI (`cdylib`) or use `abi_stable` for Rust plugins; for faster \
              development builds prefer a dynamic-linking feature that is off in releases.",
        references: &[
            (
                "The Rust Reference: linkage",
                "https://doc.rust-lang.org/reference/linkage.html",
            ),
            ("abi_stable", "https://docs.rs/abi_stable"),
        ],
    },
    options: &[],
    allow_list: true,
    check,
};

/// Whether the package's library root only links or re-exports another crate (`use` and
/// `extern crate`, nothing else): a dynamic-linking shim for development builds.
fn links_only(facts: &architect_model::Facts, id: &guppy::PackageId) -> bool {
    facts.sources.packages.get(id).is_some_and(|pkg| {
        pkg.files
            .iter()
            .find(|f| f.target == TargetKind::Lib && f.module.is_empty())
            .is_some_and(|root| root.facts.only_imports)
    })
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    abi_types(cx.facts)
        .filter(|(_, abi, _)| abi.contains(&"dylib"))
        .filter(|(p, _, _)| !links_only(cx.facts, p.id()))
        .map(|(p, _, at)| {
            cx.finding(
                format!("`{}` is built as a Rust dylib", p.name()),
                "a Rust dylib has no stable ABI: expose a C ABI (cdylib) or use abi_stable",
            )
            .package(pkg_ref(&p))
            .at(at)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, fixture, kitchen_sink, names, run};

    #[test]
    fn a_dylib_member_warns_and_a_cdylib_does_not() {
        // kitchen-sink's ffi is a cdylib: `interop/crate-types`, not this.
        assert!(run(&RULE, kitchen_sink()).is_empty());
        assert!(run(&RULE, clean()).is_empty());
        // telemetry-dep: `plugin` is a dylib; `devlink` is one too, but its library only
        // re-exports `plugin` (a dynamic-linking shim), so it is not reported.
        assert_eq!(names(&run(&RULE, fixture("telemetry-dep"))), ["plugin"]);
    }
}
