//! `msrv/resolver`: whether the workspace uses the MSRV-aware resolver.

use architect_model::{Edition, Finding, Level, Resolver, Section};

use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "msrv/resolver",
    section: Section::Msrv,
    default_level: Level::Warn,
    summary: "the workspace is not on the MSRV-aware resolver",
    docs: Docs {
        what: "Checks that dependency resolution respects `rust-version`: `resolver = \"3\"` \
               (the default of edition 2024), or `resolver.incompatible-rust-versions = \
               \"fallback\"` in `.cargo/config.toml`.",
        why: "With the older resolvers, `cargo update` and `cargo add` pick the newest version of \
              every dependency, even one that needs a newer compiler than the workspace \
              supports; the MSRV then breaks silently on the next lockfile update. Resolver 3 \
              (RFC 3537, stable since Rust 1.84) prefers versions whose `rust-version` fits.",
        fix: "Set `resolver = \"3\"` in `[workspace]` (or move the root package to edition \
              2024), and declare `rust-version`.",
        references: &[
            (
                "RFC 3537: MSRV-aware resolver",
                "https://rust-lang.github.io/rfcs/3537-msrv-resolver.html",
            ),
            (
                "Cargo book: resolver versions",
                "https://doc.rust-lang.org/cargo/reference/resolver.html#resolver-versions",
            ),
        ],
    },
    options: &[],
    allow_list: false,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    if let Some((v, _)) = &facts.incompatible_rust_versions
        && v == "fallback"
    {
        return Vec::new();
    }
    let explicit = facts.resolver.as_ref().map(|(v, l)| (v.clone(), l.clone()));
    let effective = match &explicit {
        Some((v, _)) => v.clone(),
        None => {
            let root = facts.graph.workspace().root().join("Cargo.toml");
            let root_edition = facts
                .graph
                .workspace()
                .iter()
                .find(|p| p.manifest_path() == root)
                .map(|p| Edition::of(&p));
            Resolver::inferred(root_edition.as_ref())
        }
    };
    if effective == Resolver::V3 {
        return Vec::new();
    }
    let how = if explicit.is_some() {
        "set"
    } else {
        "inferred"
    };
    let location = explicit
        .map(|(_, l)| l)
        .or_else(|| facts.workspace_table.clone());
    let mut f = cx
        .finding(
            format!(
                "dependency resolution ignores `rust-version`: resolver \"{effective}\" ({how})"
            ),
            "set `resolver = \"3\"` in [workspace]",
        )
        .at(location);
    if let Some((v, l)) = &facts.incompatible_rust_versions {
        f = f
            .note(format!("resolver.incompatible-rust-versions = \"{v}\""))
            .at(Some(l.clone()));
    }
    vec![f]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, run};

    #[test]
    fn resolver_2_is_reported_at_its_line_and_3_is_not() {
        let f = run(&RULE, kitchen_sink());
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].locations[0].path.as_str(), f[0].locations[0].line),
            ("Cargo.toml", 4)
        );
        assert!(run(&RULE, clean()).is_empty());
    }
}
