//! `interop/dlopen-without-stable-abi`: libraries loaded at run time with no stable ABI crate.

use architect_model::{Finding, Level, Section};

use super::bindings::{DLOPEN, SURFACES, unchecked_dlopen, used_by};
use crate::graph::{dependency_evidence, pkg_ref, shipped_named};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "interop/dlopen-without-stable-abi",
    section: Section::Interop,
    default_level: Level::Warn,
    summary: "shared libraries loaded at run time (libloading, dlopen) without abi_stable",
    docs: Docs {
        what: "Reports dynamic-loading crates (libloading, dlopen, dlopen2) that a shipped \
               member depends on itself (not a dev-dependency, not through another crate such \
               as wgpu-hal loading system drivers) when `abi_stable` is not in the shipped \
               build.",
        why: "Loading a Rust library with dlopen and calling its Rust functions relies on an \
              ABI Rust does not promise: it breaks, silently, when plugin and host are built \
              with different compilers or dependency versions.",
        fix: "Give dynamically loaded plugins a C ABI (`extern \"C\"`, `#[repr(C)]` types) or \
              `abi_stable` types, and check the plugin's version at load time.",
        references: &[
            ("abi_stable", "https://docs.rs/abi_stable"),
            ("libloading", "https://docs.rs/libloading"),
            (
                "The Rust Reference: linkage",
                "https://doc.rust-lang.org/reference/linkage.html",
            ),
        ],
    },
    options: &[],
    allow_list: true,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    shipped_named(facts, DLOPEN)
        .filter(|p| unchecked_dlopen(facts, p))
        .map(|p| {
            let what = SURFACES
                .iter()
                .find(|(n, _)| *n == p.name())
                .map_or("", |(_, w)| *w);
            let (locations, path) = dependency_evidence(facts, p.id());
            cx.finding(
                format!("`{}`{}: {what}", pkg_ref(&p), used_by(facts, p.name())),
                "give plugins a C ABI or abi_stable types: Rust has no stable ABI across compilers",
            )
            .package(pkg_ref(&p))
            .via(path)
            .at(locations.into_iter().next())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, fixture, kitchen_sink, names, run};

    #[test]
    fn dlopen_without_abi_stable_warns() {
        let f = run(&RULE, kitchen_sink());
        assert_eq!(names(&f), ["libloading"]);
        assert!(run(&RULE, clean()).is_empty());
        // telemetry-dep: app's own link to libloading is a dev-dependency; what ships gets it
        // through gpuish, which loads C drivers for itself.
        assert!(run(&RULE, fixture("telemetry-dep")).is_empty());
    }
}
