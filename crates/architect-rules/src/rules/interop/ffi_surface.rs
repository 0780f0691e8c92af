//! `interop/ffi-surface`: the C ABI boundary of each workspace crate.

use std::collections::BTreeMap;

use architect_model::{Ffi, Finding, Level, Section};

use crate::graph::{pkg_ref, source_location, workspace_sources};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "interop/ffi-surface",
    section: Section::Interop,
    default_level: Level::Info,
    summary: "extern \"C\" functions and blocks, #[no_mangle] items and #[repr(C)] types per crate",
    docs: Docs {
        what: "Counts, per workspace crate, the constructs of its foreign-function boundary: \
               `extern \"C\"` functions, `extern` blocks, `#[no_mangle]` items and \
               `#[repr(C)]` types, pointing at the first of each kind.",
        why: "Across this boundary the compiler checks nothing: a changed field order, a \
              widened integer or a moved symbol is undefined behaviour on the other side, not \
              a compile error. The team has to keep it stable by hand, so it should be small, \
              known and tested from the foreign side.",
        fix: "Keep the boundary in one module, generate the header (cbindgen) and check it into \
              review, and test it from C (or the host language).",
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

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let mut out = Vec::new();
    for (meta, pkg) in workspace_sources(facts) {
        let mut counts: BTreeMap<Ffi, usize> = BTreeMap::new();
        let mut first = Vec::new();
        for file in &pkg.files {
            for (kind, span, _) in &file.facts.ffi {
                let n = counts.entry(*kind).or_default();
                if *n == 0 {
                    first.push(source_location(facts, file, *span, label(*kind)));
                }
                *n += 1;
            }
        }
        if counts.is_empty() {
            continue;
        }
        let parts: Vec<String> = counts
            .iter()
            .map(|(k, n)| format!("{n} {}", label(*k)))
            .collect();
        let mut f = cx
            .finding(
                format!(
                    "`{}` has a C ABI surface: {}",
                    meta.name(),
                    parts.join(", ")
                ),
                "keep it in one module, generate its header, and test it from the foreign side",
            )
            .package(pkg_ref(&meta));
        for l in first {
            f = f.at(l);
        }
        out.push(f);
    }
    out
}

fn label(kind: Ffi) -> &'static str {
    match kind {
        Ffi::ExternFn => "extern fn",
        Ffi::ExternBlock => "extern block",
        Ffi::NoMangle => "#[no_mangle] item",
        Ffi::ReprC => "#[repr(C)] type",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{run, source_rules};

    #[test]
    fn counts_per_crate() {
        let f = run(&RULE, source_rules());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].packages[0].name, "legacy");
        assert_eq!(f[0].locations.len(), 4, "the first of each kind");
    }
}
