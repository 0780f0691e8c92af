//! `interop/crate-types`: members built as `cdylib`, `dylib` or `staticlib`.

use architect_model::{Finding, Level, Section};
use guppy::graph::{BuildTargetId, BuildTargetKind};

use crate::graph::pkg_ref;
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "interop/crate-types",
    section: Section::Interop,
    default_level: Level::Info,
    summary: "members built as cdylib, dylib or staticlib: ABI boundaries",
    docs: Docs {
        what: "Lists workspace members whose library is a `cdylib`, `staticlib` or `dylib`. A \
               `dylib` is `warn`.",
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

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in cx.facts.graph.workspace().iter() {
        let Some(lib) = p.build_target(&BuildTargetId::Library) else {
            continue;
        };
        let BuildTargetKind::LibraryOrExample(types) = lib.kind() else {
            continue;
        };
        let abi: Vec<&str> = types
            .iter()
            .map(String::as_str)
            .filter(|t| matches!(*t, "cdylib" | "dylib" | "staticlib"))
            .collect();
        if abi.is_empty() {
            continue;
        }
        let dylib = abi.contains(&"dylib");
        let f = cx
            .finding(
                format!("`{}` is built as {}", p.name(), abi.join(", ")),
                if dylib {
                    "a Rust dylib has no stable ABI: expose a C ABI (cdylib) or use abi_stable"
                } else {
                    "keep the exported C ABI small, documented and tested from the foreign side"
                },
            )
            .package(pkg_ref(&p))
            .at(cx
                .facts
                .manifests
                .get(p.id())
                .and_then(|m| m.crate_type.clone().or_else(|| m.header().cloned())));
        out.push(if dylib { f.level(Level::Warn) } else { f });
    }
    out
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
