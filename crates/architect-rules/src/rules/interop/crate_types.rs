//! `interop/crate-types`: members built as `cdylib`, `dylib` or `staticlib`.

use architect_model::{Facts, Finding, Level, Location, Section};
use guppy::graph::{BuildTargetId, BuildTargetKind, PackageMetadata};

use crate::graph::pkg_ref;
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "interop/crate-types",
    section: Section::Interop,
    default_level: Level::Info,
    summary: "members built as cdylib or staticlib: C ABI boundaries",
    docs: Docs {
        what: "Lists workspace members whose library is a `cdylib` or `staticlib`. A Rust \
               `dylib` is `interop/rust-dylib`.",
        why: "A `cdylib` or `staticlib` is a C ABI boundary: whatever it exports must stay \
              compatible by hand, since the compiler checks nothing across it. A Rust `dylib` \
              has no stable ABI at all: it only works with the exact same compiler and \
              dependency versions, so shipping one as a plugin interface breaks on the next \
              toolchain update.",
        fix: "Keep the exported surface small and in one module, generate headers (cbindgen) \
              and test from the foreign side. For Rust plugins use a C ABI or `abi_stable`, \
              never `dylib`.",
        references: &[(
            "The Rust Reference: linkage",
            "https://doc.rust-lang.org/reference/linkage.html",
        )],
    },
    options: &[],
    allow_list: true,
    check,
};

/// The ABI crate types (`cdylib`, `dylib`, `staticlib`) of each member's library, with the
/// line that declares them.
pub(crate) fn abi_types(
    facts: &Facts,
) -> impl Iterator<Item = (PackageMetadata<'_>, Vec<&str>, Option<Location>)> + '_ {
    facts.graph.workspace().iter().filter_map(move |p| {
        let lib = p.build_target(&BuildTargetId::Library)?;
        let BuildTargetKind::LibraryOrExample(types) = lib.kind() else {
            return None;
        };
        let abi: Vec<&str> = types
            .iter()
            .map(String::as_str)
            .filter(|t| matches!(*t, "cdylib" | "dylib" | "staticlib"))
            .collect();
        let at = facts
            .manifests
            .get(p.id())
            .and_then(|m| m.crate_type.clone().or_else(|| m.header().cloned()));
        (!abi.is_empty()).then_some((p, abi, at))
    })
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    // A Rust `dylib` is `interop/rust-dylib`.
    let built: Vec<_> = abi_types(cx.facts)
        .filter_map(|(p, abi, at)| {
            let c: Vec<&str> = abi.into_iter().filter(|t| *t != "dylib").collect();
            (!c.is_empty()).then(|| (p, c.join(", "), at))
        })
        .collect();
    let message = match built.as_slice() {
        [] => return Vec::new(),
        [(p, types, _)] => format!("`{}` is built as {types}", p.name()),
        _ => format!(
            "{} members are built as C-ABI libraries: {}",
            built.len(),
            built
                .iter()
                .map(|(p, types, _)| format!("`{}` ({types})", p.name()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut f = cx.finding(
        message,
        "keep the exported C ABI small, documented and tested from the foreign side",
    );
    for (p, _, at) in built {
        f = f.package(pkg_ref(&p)).at(at);
    }
    vec![f]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, names, run};

    #[test]
    fn cdylib_member_at_its_crate_type_line() {
        let f = run(&RULE, kitchen_sink());
        assert_eq!(names(&f), ["ffi"]);
        assert_eq!(f[0].message, "`ffi` is built as cdylib");
        assert_eq!(f[0].locations[0].line, 9);
        assert!(run(&RULE, clean()).is_empty());
    }
}
