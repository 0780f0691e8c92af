//! `interop/bindings`: dlopen crates and binding generators in the graph.

use architect_model::{Finding, Level, Section};

use crate::graph::{built_named, dependency_evidence, direct_dependents, pkg_ref};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

/// Crate name, and what it means for the architecture.
const SURFACES: &[(&str, &str)] = &[
    (
        "libloading",
        "loads shared libraries at run time (dlopen): plugins without a checked ABI",
    ),
    (
        "dlopen",
        "loads shared libraries at run time (dlopen): plugins without a checked ABI",
    ),
    (
        "dlopen2",
        "loads shared libraries at run time (dlopen): plugins without a checked ABI",
    ),
    ("abi_stable", "Rust-to-Rust plugins over a stable ABI"),
    (
        "bindgen",
        "generates Rust bindings to C/C++ headers at build time",
    ),
    ("cbindgen", "generates C headers for a Rust C ABI"),
    ("cxx", "a checked C++ <-> Rust bridge"),
    ("pyo3", "a Python extension or embedding surface"),
    ("napi", "a Node.js addon surface (N-API)"),
    ("uniffi", "generated bindings for Kotlin, Swift and Python"),
    ("wasm-bindgen", "a JavaScript/WebAssembly boundary"),
    ("jni", "a Java (JNI) boundary"),
];

pub static RULE: Rule = Rule {
    id: "interop/bindings",
    section: Section::Interop,
    default_level: Level::Info,
    summary: "dlopen crates and binding generators (bindgen, cxx, pyo3, napi, uniffi, ...)",
    docs: Docs {
        what: "Lists the crates that make an interop surface: dynamic loading (libloading), \
               plugin ABIs (abi_stable), and binding generators or bridges (bindgen, cbindgen, \
               cxx, pyo3, napi, uniffi, wasm-bindgen, jni). Dynamic loading without \
               `abi_stable` is `warn`.",
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

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let names: Vec<&str> = SURFACES.iter().map(|(n, _)| *n).collect();
    let stable = built_named(facts, &["abi_stable"]).next().is_some();
    built_named(facts, &names)
        .map(|p| {
            let what = SURFACES.iter().find(|(n, _)| *n == p.name()).map_or("", |(_, w)| *w);
            let (locations, path) = dependency_evidence(facts, p.id());
            let dl = matches!(p.name(), "libloading" | "dlopen" | "dlopen2");
            let users: Vec<String> = direct_dependents(facts, p.name()).into_iter().map(|(m, _)| format!("`{}`", m.name)).collect();
            let by = if users.is_empty() { String::new() } else { format!(" (used by {})", users.join(", ")) };
            let f = cx
                .finding(
                    format!("`{}`{by}: {what}", pkg_ref(&p)),
                    if dl && !stable {
                        "give plugins a C ABI or abi_stable types: Rust has no stable ABI across compilers"
                    } else {
                        "keep this surface in one crate, with tests from the foreign side"
                    },
                )
                .package(pkg_ref(&p))
                .via(path)
                .at(locations.into_iter().next());
            if dl && !stable { f.level(Level::Warn) } else { f }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, names, run};

    #[test]
    fn dlopen_without_abi_stable_warns() {
        let f = run(&RULE, kitchen_sink());
        // pyo3 sits behind ffi's off-by-default `python` feature.
        assert_eq!(names(&f), ["libloading"]);
        let dl = f
            .iter()
            .find(|f| f.packages[0].name == "libloading")
            .unwrap();
        assert_eq!(dl.level, Level::Warn);
        assert!(run(&RULE, clean()).is_empty());
    }
}
