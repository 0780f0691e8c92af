//! `msrv/missing-rust-version`: workspace members without `rust-version`.

use architect_model::{Finding, Level, Section};

use crate::graph::pkg_ref;
use crate::rule::{Ctx, Docs, FindingExt, Rule, count, name_list};

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

/// Members shown in the message; the finding's packages list them all.
const SHOWN: usize = 12;

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let mut missing: Vec<_> = facts
        .graph
        .workspace()
        .iter()
        .filter(|p| p.rust_version().is_none())
        // Nobody downstream builds an unpublished, fuzz or xtask package with an old toolchain.
        .filter(|p| facts.scope.is_published(p.id()))
        .filter(|p| !cx.allows(p.name(), &p.version().to_string()))
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    missing.sort_by(|a, b| a.name().cmp(b.name()));
    let names: Vec<&str> = missing.iter().map(|p| p.name()).collect();
    // One cause, one place to fix it: `[workspace.package]` when there are several.
    let at = match missing.as_slice() {
        [one] => facts
            .manifests
            .get(one.id())
            .and_then(|m| m.header().cloned()),
        _ => facts.workspace_table.clone(),
    };
    let mut f = cx
        .finding(
            format!(
                "{} not declare `rust-version`: {}",
                count(missing.len(), "published member does", "published members do"),
                name_list(&names, SHOWN)
            ),
            "set `rust-version = \"1.xx\"` once in [workspace.package] and `rust-version.workspace = true` in each member",
        )
        .at(at);
    for p in &missing {
        f = f.package(pkg_ref(p));
    }
    vec![f]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, run};

    #[test]
    fn members_without_rust_version() {
        let f = run(&RULE, kitchen_sink());
        assert_eq!(f.len(), 1, "one finding, one place to fix it");
        let listed: Vec<&str> = f[0].packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(listed, ["app", "ffi", "macros"]);
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
