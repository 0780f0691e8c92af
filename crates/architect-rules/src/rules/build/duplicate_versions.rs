//! `build/duplicate-versions`: a crate in more than one version.

use std::collections::BTreeMap;

use architect_model::{Finding, Level, Section};
use guppy::graph::PackageMetadata;

use crate::graph::{dependency_evidence, pkg_ref};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "build/duplicate-versions",
    section: Section::Build,
    default_level: Level::Warn,
    summary: "crates built in more than one version",
    docs: Docs {
        what: "Reports each crate name present in the build in more than one version, with the \
               packages that pull in each version and the line that leads to it.",
        why: "Each version is compiled separately, so duplicates add compile time and binary \
              size, and types of the two versions do not match (rustc's \"expected `Bytes`, found \
              `Bytes`\") where crates exchange them. They are also the usual sign of a \
              dependency that lags behind the ecosystem. cargo-deny's `bans.multiple-versions` \
              check exists for the same reason.",
        fix: "Run `cargo tree -d` to see the chains; update the laggard (`cargo update -p`), \
              align your own requirements, or ask upstream to bump. Accept unavoidable ones \
              with an allow entry naming the crate and the reason.",
        references: &[
            (
                "cargo tree --duplicates",
                "https://doc.rust-lang.org/cargo/commands/cargo-tree.html",
            ),
            (
                "cargo-deny: bans.multiple-versions",
                "https://embarkstudios.github.io/cargo-deny/checks/bans/cfg.html#the-multiple-versions-field-optional",
            ),
        ],
    },
    options: &[],
    allow_list: true,
    check,
};

/// Crate names with more than one built version, versions ascending.
pub fn duplicates<'a>(
    facts: &'a architect_model::Facts,
) -> BTreeMap<&'a str, Vec<PackageMetadata<'a>>> {
    let mut by_name: BTreeMap<&str, Vec<PackageMetadata<'_>>> = BTreeMap::new();
    for p in facts.built() {
        by_name.entry(p.name()).or_default().push(p);
    }
    by_name.retain(|_, v| v.len() > 1);
    for v in by_name.values_mut() {
        v.sort_by(|a, b| a.version().cmp(b.version()));
    }
    by_name
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    duplicates(facts)
        .into_iter()
        .map(|(name, versions)| {
            let list: Vec<String> = versions.iter().map(|p| p.version().to_string()).collect();
            let mut f = cx.finding(
                format!("`{name}` is built in {} versions: {}", versions.len(), list.join(", ")),
                format!("see `cargo tree -d -i {name}`; align the requirements or update the package that lags"),
            );
            for p in &versions {
                let (locations, path) = dependency_evidence(facts, p.id());
                let chain = path.iter().map(ToString::to_string).collect::<Vec<_>>().join(" -> ");
                f = f
                    .package(pkg_ref(p))
                    .note(format!("{} via {}", p.version(), if chain.is_empty() { "?".into() } else { chain }))
                    .at(locations.into_iter().next());
            }
            f
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, run};

    #[test]
    fn reports_each_version_with_its_declaring_line() {
        let f = run(&RULE, kitchen_sink());
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .contains("`dup` is built in 2 versions: 0.1.3, 0.2.1")
        );
        assert_eq!(f[0].locations.len(), 2);
        assert_eq!(
            (f[0].locations[0].path.as_str(), f[0].locations[0].line),
            ("app/Cargo.toml", 13)
        );
        assert!(run(&RULE, clean()).is_empty());
    }
}
