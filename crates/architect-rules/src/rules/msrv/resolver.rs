//! `msrv/resolver`: whether the workspace uses the MSRV-aware resolver.

use architect_model::{Edition, Finding, Level, Resolver, Section};

use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "msrv/resolver",
    section: Section::Msrv,
    default_level: Level::Info,
    summary: "the workspace is not on the MSRV-aware resolver",
    docs: Docs {
        what: "Checks that dependency resolution respects `rust-version`: `resolver = \"3\"` \
               (the default of edition 2024), or `resolver.incompatible-rust-versions = \
               \"fallback\"` in `.cargo/config.toml`.",
        why: "With the older resolvers, `cargo update` and `cargo add` pick the newest version of \
              every dependency, even one that needs a newer compiler than the workspace \
              supports; the MSRV then breaks silently on the next lockfile update. Resolver 3 \
              (RFC 3537, stable since Rust 1.84) prefers versions whose `rust-version` fits. \
              Not reported when no member declares `rust-version` and the workspace pins a \
              toolchain: resolver 3 would then resolve for the pinned toolchain, whose first \
              build already catches a dependency that is too new. Informational: the \
              lockfile decides what builds, and a promise a resolve has already broken is \
              `msrv/broken-promise`'s warning.",
        fix: "Set `resolver = \"3\"` in `[workspace]` (or move the root package to edition \
              2024), and declare `rust-version`. A workspace that promises a Rust older than \
              1.84 cannot: cargo before 1.84 rejects `resolver = \"3\"`. It sets \
              `[resolver] incompatible-rust-versions = \"fallback\"` in `.cargo/config.toml` \
              instead, which newer cargo honours and older cargo ignores.",
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
    if msrv_aware(facts) || pinned_without_promise(facts) {
        return Vec::new();
    }
    let explicit = facts.resolver.as_ref().map(|(v, l)| (v.clone(), l.clone()));
    let effective = effective_resolver(facts);
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
            help(facts),
        )
        .at(location);
    if let Some((v, l)) = &facts.incompatible_rust_versions {
        f = f
            .note(format!("resolver.incompatible-rust-versions = \"{v}\""))
            .at(Some(l.clone()));
    }
    vec![f]
}

/// The resolver cargo uses: the `resolver` key, else what the root package's edition implies.
pub(crate) fn effective_resolver(facts: &architect_model::Facts) -> Resolver {
    if let Some((v, _)) = &facts.resolver {
        return v.clone();
    }
    let root = facts.graph.workspace().root().join("Cargo.toml");
    let root_edition = facts
        .graph
        .workspace()
        .iter()
        .find(|p| p.manifest_path() == root)
        .map(|p| Edition::of(&p));
    Resolver::inferred(root_edition.as_ref())
}

/// Whether `cargo update` honours the declared `rust-version`s: resolver 3, or
/// `incompatible-rust-versions = "fallback"`.
pub(crate) fn msrv_aware(facts: &architect_model::Facts) -> bool {
    facts
        .incompatible_rust_versions
        .as_ref()
        .is_some_and(|(v, _)| v == "fallback")
        || effective_resolver(facts) == Resolver::V3
}

/// `resolver = "3"`, unless a member promises a Rust whose cargo rejects it (before 1.84):
/// then the configuration key those toolchains ignore.
fn help(facts: &architect_model::Facts) -> String {
    let lowest = facts
        .graph
        .workspace()
        .iter()
        .filter_map(|p| p.rust_version().map(|v| (v.major, v.minor)))
        .min();
    match lowest {
        Some((major, minor)) if (major, minor) < (1, 84) => format!(
            "add `[resolver] incompatible-rust-versions = \"fallback\"` to `.cargo/config.toml`: cargo 1.84 and later honour it, and the {major}.{minor} toolchain a member promises (which rejects `resolver = \"3\"`) ignores it"
        ),
        _ => "set `resolver = \"3\"` in [workspace]".to_string(),
    }
}

/// No member promises a `rust-version` and the workspace pins a toolchain: resolver 3 would
/// resolve against the running toolchain, which is the pin, so a version too new for it fails
/// the first build on the pin just as it would without resolver 3.
fn pinned_without_promise(facts: &architect_model::Facts) -> bool {
    let promised = facts
        .graph
        .workspace()
        .iter()
        .any(|p| p.rust_version().is_some());
    !promised && facts.toolchain.pin().is_some_and(|p| p.channel.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, fixture, kitchen_sink, run};

    #[test]
    fn resolver_2_is_reported_at_its_line_and_3_is_not() {
        let f = run(&RULE, kitchen_sink());
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].locations[0].path.as_str(), f[0].locations[0].line),
            ("Cargo.toml", 4)
        );
        assert!(run(&RULE, clean()).is_empty());
        // kitchen-sink promises 1.85 at the lowest: resolver 3 parses there.
        assert_eq!(f[0].help, "set `resolver = \"3\"` in [workspace]");
    }

    #[test]
    fn a_promise_older_than_1_84_gets_the_config_key_instead() {
        // registry-ws's `app` promises 1.70, whose cargo rejects `resolver = "3"`.
        let f = run(&RULE, crate::testing::registry_ws());
        assert_eq!(f.len(), 1);
        assert!(
            f[0].help
                .contains("incompatible-rust-versions = \"fallback\"")
                && f[0].help.contains("1.70"),
            "{}",
            f[0].help
        );
    }

    #[test]
    fn a_pinned_toolchain_without_rust_version_needs_no_msrv_resolver() {
        // `pinned` is on resolver 2 like kitchen-sink, but pins 1.90.0 and promises no
        // `rust-version`.
        assert!(run(&RULE, fixture("pinned")).is_empty());
    }
}
