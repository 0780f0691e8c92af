//! `interop/bindings`: dlopen crates and binding generators in the graph.

use architect_model::{Facts, Finding, Level, Section};

use crate::graph::{dependency_evidence, pkg_ref, shipped_dependents, shipped_named};
use crate::rule::{Ctx, Docs, FindingExt, Rule};
pub(crate) use architect_model::catalogue::SURFACES;

pub static RULE: Rule = Rule {
    id: "interop/bindings",
    section: Section::Interop,
    default_level: Level::Info,
    summary: "dlopen crates and binding generators (bindgen, cxx, pyo3, napi, uniffi, ...)",
    docs: Docs {
        what: "Lists the crates of the shipped build (no dev-dependencies, no tooling \
               members) that make an interop surface: dynamic loading (libloading), plugin \
               ABIs (abi_stable), and binding generators or bridges (bindgen, cbindgen, cxx, \
               pyo3, napi, uniffi, wasm-bindgen, jni). Whether a dynamically loaded library \
               has a C ABI (FFI, N-API, drivers) or is a Rust plugin the graph cannot tell, so \
               dynamic loading is listed here, not warned about.",
        why: "Each is a boundary the Rust compiler cannot check end to end. Loading a Rust \
              library with dlopen and calling its Rust functions relies on an ABI Rust does not \
              promise: it breaks, silently, when plugin and host are built with different \
              compilers or dependency versions. Binding generators tie the build to foreign \
              toolchains (libclang for bindgen, Python for pyo3) and their release cycles.",
        fix: "Give dynamically loaded plugins a C ABI or `abi_stable` types; keep each foreign \
              surface in one crate with its own tests from the foreign side.",
        references: &[
            ("abi_stable", "https://docs.rs/abi_stable"),
            ("libloading", "https://docs.rs/libloading"),
        ],
    },
    options: &[],
    allow_list: true,
    check,
};

/// Who uses a crate: ` (used by `a`, `b`)`, shipped members only.
pub(crate) fn used_by(facts: &Facts, name: &str) -> String {
    let users: Vec<String> = shipped_dependents(facts, name)
        .into_iter()
        .map(|(m, _)| format!("`{}`", m.name))
        .collect();
    if users.is_empty() {
        String::new()
    } else {
        format!(" (used by {})", users.join(", "))
    }
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    SURFACES
        .iter()
        .filter_map(|(name, what)| {
            let names = [*name];
            // One surface, one finding, whatever the number of versions built.
            let versions: Vec<_> = shipped_named(facts, &names).collect();
            let first = versions.first()?;
            let (locations, path) = dependency_evidence(facts, first.id());
            let list: Vec<String> = versions.iter().map(|p| p.version().to_string()).collect();
            let mut f = cx
                .finding(
                    format!(
                        "`{name} {}`{}: {what}",
                        list.join(", "),
                        used_by(facts, name)
                    ),
                    "keep this surface in one crate, with tests from the foreign side",
                )
                .via(path)
                .at(locations.into_iter().next());
            for p in &versions {
                f = f.package(pkg_ref(p));
            }
            Some(f)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, run};

    #[test]
    fn surfaces_of_the_shipped_build() {
        // kitchen-sink: pyo3 sits behind ffi's off-by-default `python` feature.
        let names: Vec<String> = run(&RULE, kitchen_sink())
            .iter()
            .map(|f| f.packages[0].name.clone())
            .collect();
        assert_eq!(names, ["libloading"]);
        assert!(run(&RULE, clean()).is_empty());
        // telemetry-dep: cxx ships; libloading ships only through gpuish (app's own link to
        // it is a dev-dependency): listed here.
        crate::assert_rule_snapshot!(&RULE, "telemetry-dep");
    }
}
