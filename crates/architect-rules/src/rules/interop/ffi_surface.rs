//! `interop/ffi-surface`: the C ABI each shipped crate exports and imports.

use architect_model::{Ffi, Finding, Level, Location, Section};

use crate::graph::{pkg_ref, shipped_sources, source_location};
use crate::rule::{Ctx, Docs, FindingExt, Rule, count};

pub static RULE: Rule = Rule {
    id: "interop/ffi-surface",
    section: Section::Interop,
    default_level: Level::Info,
    summary: "the C ABI each shipped crate exports (#[no_mangle] symbols) and imports (extern blocks)",
    docs: Docs {
        what: "Per shipped workspace crate, the symbols it exports under a fixed name \
               (`#[no_mangle]`, `#[export_name]`: the ABI the team must keep stable) and the \
               `extern` blocks it imports C functions through from a library that is not the \
               platform's (a `#[link(name)]` other than libc, the C runtime, Windows' system \
               DLLs or a framework; any block of a `-sys` or `links` package) or passing a \
               `#[repr(C)]` struct the crate lays out by hand, pointing at the first of each. \
               Blocks that call the platform (libc, the CRT, the OS, the wasm linker's \
               `__wasm_call_ctors`) with plain values, and blocks compiled only with a \
               feature off by default (a profiler behind `cpu_profiler`), are counted in the \
               notes of a crate reported anyway, and alone are no finding: they are no ABI \
               the team owns, or not in the shipped build. \
               `#[repr(C)]` types and `extern \"C\" fn` callbacks are counted in the notes of \
               a crate reported; alone (a `#[repr(C)]` for bytemuck casts) they are no \
               FFI boundary and not reported. Test code and code generated inside `quote!` \
               (a proc-macro's output for its users) are not the crate's own surface.",
        why: "Across this boundary the compiler checks nothing: a changed field order, a \
              widened integer or a moved symbol is undefined behaviour on the other side, not \
              a compile error. The team has to keep it stable by hand, so it should be small, \
              known and tested from the foreign side.",
        fix: "Keep the boundary in one module, generate the header (cbindgen) or the bindings \
              (bindgen) and check them into review, and test the boundary from C (or the host \
              language).",
        references: &[
            (
                "The Rustonomicon: FFI",
                "https://doc.rust-lang.org/nomicon/ffi.html",
            ),
            ("cbindgen", "https://github.com/mozilla/cbindgen"),
        ],
    },
    options: &[],
    allow_list: true,
    check,
};

/// Names shown in a finding; the JSON notes keep the count.
const SHOWN: usize = 8;

/// Libraries an `extern` block's `#[link(name = ..)]` can name that come with the platform:
/// the C runtime, libm, the loader and threads, the C++ runtime, Windows' system DLLs.
/// Importing from them (like a `kind = "framework"` import of a platform framework) is calling
/// the OS, not a boundary the team owns.
const SYSTEM_LIBRARIES: &[&str] = &[
    "c",
    "m",
    "dl",
    "pthread",
    "rt",
    "util",
    "resolv",
    "gcc_s",
    "stdc++",
    "c++",
    "log",
    "android",
    "kernel32",
    "user32",
    "advapi32",
    "ws2_32",
    "ntdll",
    "shell32",
    "ole32",
    "oleaut32",
    "bcrypt",
    "crypt32",
    "userenv",
    "gdi32",
    "winmm",
    "secur32",
    "ncrypt",
    "iphlpapi",
    "dbghelp",
    "psapi",
    "shlwapi",
    "msvcrt",
    "ucrt",
    "vcruntime",
    "synchronization",
    "windows",
    "System",
];

/// One `extern` block of shipped code.
struct Block {
    span: architect_model::SourceSpan,
    at: Option<Location>,
    /// `#[link(name = ..)]`.
    library: Option<String>,
    /// Types its signatures name.
    types: Vec<String>,
}

/// One crate's FFI constructs in shipped code.
#[derive(Default)]
struct Surface {
    exports: Vec<String>,
    first_export: Option<Location>,
    blocks: Vec<Block>,
    repr_c: Vec<String>,
    extern_fns: usize,
    /// For each `extern` block compiled only with a feature off by default, the feature.
    optional: Vec<String>,
}

/// The feature, off by default, that the code at `span` of `file` needs: it sits under
/// `#[cfg(feature = "x")]`, or a module on the way to its file is declared under one (a
/// profiler binding behind `cpu_profiler`). Not the shipped build's surface.
fn optional_feature(
    facts: &architect_model::Facts,
    meta: &guppy::graph::PackageMetadata<'_>,
    pkg: &architect_model::PackageSources,
    file: &architect_model::ScannedFile,
    span: architect_model::SourceSpan,
) -> Option<String> {
    let off = |name: &String| {
        let id = guppy::graph::feature::FeatureId::named(meta.id(), name);
        matches!(
            facts.graph.feature_graph().is_default_feature(id),
            Ok(false)
        )
    };
    let covering = |f: &architect_model::ScannedFile, at: architect_model::SourceSpan| {
        f.facts
            .feature_cfgs
            .iter()
            .find(|(s, name)| s.start <= at.start && at.start < s.end && off(name))
            .map(|(_, name)| name.clone())
    };
    if let Some(feature) = covering(file, span) {
        return Some(feature);
    }
    // Each module on the way: its declaration in its parent's file.
    let parts: Vec<&str> = file.module.split("::").filter(|p| !p.is_empty()).collect();
    (0..parts.len()).rev().find_map(|k| {
        let parent = parts[..k].join("::");
        let parent_file = pkg
            .files
            .iter()
            .find(|f| f.target == file.target && f.module == parent)?;
        let decl = parent_file
            .facts
            .mods
            .iter()
            .find(|m| m.name == parts[k] && m.inline_parents.is_empty())?;
        covering(parent_file, decl.span)
    })
}

fn surface(
    facts: &architect_model::Facts,
    meta: &guppy::graph::PackageMetadata<'_>,
    pkg: &architect_model::PackageSources,
) -> Surface {
    let mut s = Surface::default();
    for file in &pkg.files {
        for (kind, span, detail) in &file.facts.ffi {
            if !file.ships(*span) {
                continue;
            }
            if *kind == Ffi::ExternBlock
                && let Some(feature) = optional_feature(facts, meta, pkg, file, *span)
            {
                s.optional.push(feature);
                continue;
            }
            let block = s.blocks.last_mut().filter(|b| b.span == *span);
            match (kind, block) {
                (Ffi::NoMangle, _) => {
                    s.exports.push(detail.clone());
                    if s.first_export.is_none() {
                        s.first_export = source_location(facts, file, *span, label(*kind));
                    }
                }
                (Ffi::ExternBlock, _) => s.blocks.push(Block {
                    span: *span,
                    at: source_location(facts, file, *span, label(*kind)),
                    library: None,
                    types: Vec::new(),
                }),
                (Ffi::Link, Some(b)) => b.library = Some(detail.clone()),
                (Ffi::ForeignType, Some(b)) => b.types.push(detail.clone()),
                (Ffi::ReprC, _) => s.repr_c.push(detail.clone()),
                (Ffi::ExternFn, _) => s.extern_fns += 1,
                (Ffi::Link | Ffi::ForeignType, None) => {}
            }
        }
    }
    s
}

/// Whether a `#[link]` library comes with the platform.
fn is_system(library: &str) -> bool {
    library.ends_with(".framework") || SYSTEM_LIBRARIES.contains(&library)
}

/// Whether the package links a native library of its own: a `links` key or a `-sys` name.
fn links_own_library(meta: &guppy::graph::PackageMetadata<'_>) -> bool {
    meta.links().is_some() || meta.name().ends_with("-sys") || meta.name().ends_with("_sys")
}

/// An `extern` block is the team's boundary when it imports from a native library that is not
/// the platform's (named by `#[link]`, or linked by the package itself), or passes a C struct
/// whose layout the crate writes by hand (`#[repr(C)]` here, named in the block): the compiler
/// checks neither side. The rest call libc, the C runtime or the OS with plain values.
fn owned(block: &Block, repr_c: &[String], own_library: bool) -> bool {
    own_library
        || block.library.as_deref().is_some_and(|l| !is_system(l))
        || block.types.iter().any(|t| repr_c.contains(t))
}

/// "through 2 `extern` blocks from `z`, passing structs it lays out by hand (`DlInfo`)".
fn imports_phrase(owned: &[&Block], repr_c: &[String]) -> String {
    let mut libraries: Vec<String> = owned.iter().filter_map(|b| b.library.clone()).collect();
    libraries.sort_unstable();
    libraries.dedup();
    let structs: Vec<String> = owned
        .iter()
        .flat_map(|b| b.types.iter().filter(|t| repr_c.contains(t)).cloned())
        .collect();
    let mut out = count(owned.len(), "`extern` block", "`extern` blocks");
    if !libraries.is_empty() {
        out.push_str(&format!(" from {}", shown(&libraries)));
    }
    if !structs.is_empty() {
        out.push_str(&format!(
            ", passing structs it lays out by hand ({})",
            shown(&structs)
        ));
    }
    out
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let mut out = Vec::new();
    for (meta, pkg) in shipped_sources(facts) {
        let s = surface(facts, &meta, pkg);
        let own_library = links_own_library(&meta);
        let (owned, system): (Vec<&Block>, Vec<&Block>) = s
            .blocks
            .iter()
            .partition(|b| owned(b, &s.repr_c, own_library));
        let exports = s.exports.as_slice();
        let message = match (exports.len(), owned.len()) {
            (0, 0) => continue,
            (0, _) => format!(
                "`{}` imports C functions through {}",
                meta.name(),
                imports_phrase(&owned, &s.repr_c)
            ),
            (n, 0) => format!(
                "`{}` exports {} under fixed names: {}",
                meta.name(),
                count(n, "C symbol", "C symbols"),
                shown(exports)
            ),
            (n, _) => format!(
                "`{}` exports {} under fixed names ({}) and imports C functions through {}",
                meta.name(),
                count(n, "C symbol", "C symbols"),
                shown(exports),
                imports_phrase(&owned, &s.repr_c)
            ),
        };
        let mut f = cx
            .finding(
                message,
                "keep the boundary in one module, generate its header or bindings, and test it from the foreign side",
            )
            .package(pkg_ref(&meta))
            .at(s.first_export.clone())
            .at(owned.first().and_then(|b| b.at.clone()));
        if !system.is_empty() {
            f = f.note(format!(
                "{} platform functions (libc, the C runtime, the OS) with plain values: not counted",
                count(
                    system.len(),
                    "more `extern` block imports",
                    "more `extern` blocks import"
                )
            ));
        }
        if !s.optional.is_empty() {
            f = f.note(format!(
                "{} behind features off by default ({}): not counted",
                count(
                    s.optional.len(),
                    "more `extern` block",
                    "more `extern` blocks"
                ),
                shown(&s.optional)
            ));
        }
        if !s.repr_c.is_empty() {
            f = f.note(format!(
                "{}: {}",
                count(s.repr_c.len(), "`#[repr(C)]` type", "`#[repr(C)]` types"),
                shown(&s.repr_c)
            ));
        }
        if s.extern_fns > 0 {
            f = f.note(format!(
                "{} defined",
                count(s.extern_fns, "`extern \"C\" fn`", "`extern \"C\" fn`s")
            ));
        }
        out.push(f);
    }
    out
}

/// The first names, and how many more.
fn shown(names: &[String]) -> String {
    let mut v: Vec<&str> = names.iter().map(String::as_str).collect();
    v.sort_unstable();
    v.dedup();
    let more = v.len().saturating_sub(SHOWN);
    let list = v
        .iter()
        .take(SHOWN)
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if more > 0 {
        format!("{list} and {more} more")
    } else {
        list
    }
}

fn label(kind: Ffi) -> &'static str {
    match kind {
        Ffi::ExternFn => "extern fn",
        Ffi::ExternBlock => "extern block",
        Ffi::NoMangle => "exported symbol",
        Ffi::ReprC => "#[repr(C)] type",
        Ffi::Link => "linked library",
        Ffi::ForeignType => "type in an extern block",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{run, source_rules};

    #[test]
    fn exports_and_imports_per_crate() {
        let f = run(&RULE, source_rules());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].packages[0].name, "legacy");
        assert_eq!(
            f[0].locations.len(),
            1,
            "the first export; its `extern` block imports libc's `abs`"
        );
        assert_eq!(
            f[0].notes[0],
            "1 more `extern` block imports platform functions (libc, the C runtime, the OS) with plain values: not counted"
        );
    }

    #[test]
    fn layout_attributes_alone_and_generated_code_are_no_surface() {
        crate::assert_rule_snapshot!(&RULE, "ffi");
    }
}
