//! `msrv/missing-rust-version`: workspace members without `rust-version`.

use architect_model::{Finding, Level, Section};

use crate::graph::pkg_ref;
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "msrv/missing-rust-version",
    section: Section::Msrv,
    default_level: Level::Warn,
    summary: "workspace members that do not declare `rust-version`",
    docs: Docs {
        what: "Reports each workspace member whose manifest has no `rust-version` (directly or \
               through `rust-version.workspace = true`). Members that are not published \
               (`publish = false`, fuzz and xtask packages) are not reported: no user builds \
               them with a toolchain of their own.",
        why: "Without `rust-version`, nobody can tell which compilers the crate supports: users \
              on an older toolchain get a confusing compile error deep in a dependency instead \
              of cargo's clear \"requires rustc 1.xx\" message, and the MSRV-aware resolver \
              (resolver 3) has nothing to select compatible dependency versions against.",
        fix: "Set `rust-version` in `[workspace.package]` and inherit it with \
              `rust-version.workspace = true`; check it in CI with `cargo +<version> check`.",
        references: &[(
            "Cargo book: the rust-version field",
            "https://doc.rust-lang.org/cargo/reference/rust-version.html",
        )],
    },
    options: &[],
    allow_list: true,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    cx.facts
        .graph
        .workspace()
        .iter()
        .filter(|p| p.rust_version().is_none())
        // Nobody downstream builds an unpublished, fuzz or xtask package with an old toolchain.
        .filter(|p| cx.facts.scope.is_published(p.id()))
        .map(|p| {
            cx.finding(
                format!("`{}` does not declare `rust-version`", p.name()),
                "add `rust-version = \"1.xx\"` to [workspace.package] and `rust-version.workspace = true` here",
            )
            .package(pkg_ref(&p))
            .at(cx.facts.manifests.get(p.id()).and_then(|m| m.header().cloned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, names, run};

    #[test]
    fn members_without_rust_version() {
        assert_eq!(names(&run(&RULE, kitchen_sink())), ["app", "ffi", "macros"]);
        assert!(
            run(&RULE, clean()).is_empty(),
            "inherited from [workspace.package]"
        );
    }

    #[test]
    fn unpublished_and_tooling_members_need_no_rust_version() {
        crate::assert_rule_snapshot!(&RULE, "scope");
    }
}
