//! `interop/ffi-surface`: the C ABI each shipped crate exports and imports.

use std::collections::BTreeMap;

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
               `extern` blocks it imports C functions through, pointing at the first of each. \
               `#[repr(C)]` types and `extern \"C\" fn` callbacks are counted in the notes of \
               a crate that has either; alone (a `#[repr(C)]` for bytemuck casts) they are no \
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

/// One crate's FFI constructs in shipped code: names by kind, and the first place of each.
#[derive(Default)]
struct Surface {
    names: BTreeMap<Ffi, Vec<String>>,
    first: BTreeMap<Ffi, Option<Location>>,
}

fn surface(facts: &architect_model::Facts, pkg: &architect_model::PackageSources) -> Surface {
    let mut s = Surface::default();
    for file in &pkg.files {
        for (kind, span, detail) in &file.facts.ffi {
            if !file.ships(*span) {
                continue;
            }
            s.names.entry(*kind).or_default().push(detail.clone());
            s.first
                .entry(*kind)
                .or_insert_with(|| source_location(facts, file, *span, label(*kind)));
        }
    }
    s
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let mut out = Vec::new();
    for (meta, pkg) in shipped_sources(facts) {
        let s = surface(facts, pkg);
        let exports = s.names.get(&Ffi::NoMangle).map_or(&[][..], Vec::as_slice);
        let imports = s.names.get(&Ffi::ExternBlock).map_or(0, Vec::len);
        let message = match (exports.len(), imports) {
            (0, 0) => continue,
            (0, n) => format!(
                "`{}` imports C functions through {}",
                meta.name(),
                count(n, "`extern` block", "`extern` blocks")
            ),
            (n, 0) => format!(
                "`{}` exports {} under fixed names: {}",
                meta.name(),
                count(n, "C symbol", "C symbols"),
                shown(exports)
            ),
            (n, m) => format!(
                "`{}` exports {} under fixed names ({}) and imports C functions through {}",
                meta.name(),
                count(n, "C symbol", "C symbols"),
                shown(exports),
                count(m, "`extern` block", "`extern` blocks")
            ),
        };
        let mut f = cx
            .finding(
                message,
                "keep the boundary in one module, generate its header or bindings, and test it from the foreign side",
            )
            .package(pkg_ref(&meta));
        for kind in [Ffi::NoMangle, Ffi::ExternBlock] {
            f = f.at(s.first.get(&kind).cloned().flatten());
        }
        if let Some(types) = s.names.get(&Ffi::ReprC) {
            f = f.note(format!(
                "{}: {}",
                count(types.len(), "`#[repr(C)]` type", "`#[repr(C)]` types"),
                shown(types)
            ));
        }
        if let Some(fns) = s.names.get(&Ffi::ExternFn) {
            f = f.note(format!(
                "{} defined",
                count(fns.len(), "`extern \"C\" fn`", "`extern \"C\" fn`s")
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
            2,
            "the first export and the first import"
        );
    }

    #[test]
    fn layout_attributes_alone_and_generated_code_are_no_surface() {
        crate::assert_rule_snapshot!(&RULE, "ffi");
    }
}
