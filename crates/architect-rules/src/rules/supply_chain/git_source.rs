//! `supply-chain/git-source`: dependencies fetched from git, and whether they are pinned.

use architect_model::{Facts, Finding, Level, Section};
use guppy::graph::{ExternalSource, GitReq, PackageMetadata};

use crate::graph::{dependency_evidence, pkg_ref};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "supply-chain/git-source",
    section: Section::SupplyChain,
    default_level: Level::Warn,
    summary: "git dependencies that follow a branch or a tag instead of a pinned `rev`",
    docs: Docs {
        what: "Lists dependencies that come from a git repository and follow a branch, the \
               default branch or a tag. One pinned with `rev` is \
               `supply-chain/pinned-git-source`.",
        why: "A git dependency is outside the registry's guarantees: it can be rewritten or \
              deleted, it has no yanking, and RustSec advisories are matched against \
              registry versions, so cargo-audit and cargo-deny cannot warn about it. A branch \
              moves: `cargo update` silently takes whatever was pushed last.",
        fix: "Depend on a published version. Until then pin `rev = \"<full commit hash>\"` and \
              track the upstream change that will let you move back to the registry.",
        references: &[
            (
                "Cargo book: git dependencies",
                "https://doc.rust-lang.org/cargo/reference/specifying-dependencies.html#specifying-dependencies-from-git-repositories",
            ),
            (
                "cargo-deny: sources check",
                "https://embarkstudios.github.io/cargo-deny/checks/sources/index.html",
            ),
        ],
    },
    options: &[],
    allow_list: true,
    check,
};

/// A built package from git: its repository and what it follows (`None` when pinned to a
/// `rev`).
pub(crate) fn git_sources<'g>(
    facts: &'g Facts,
) -> impl Iterator<Item = (PackageMetadata<'g>, &'g str, Option<String>)> + 'g {
    facts.built().filter_map(|p| {
        let Some(ExternalSource::Git {
            repository, req, ..
        }) = p.source().parse_external()
        else {
            return None;
        };
        let follows = match req {
            GitReq::Rev(_) => None,
            GitReq::Tag(t) => Some(format!("tag `{t}` (tags can be moved)")),
            GitReq::Branch(b) => Some(format!("branch `{b}`")),
            _ => Some("the default branch".to_string()),
        };
        Some((p, repository, follows))
    })
}

/// A git-source finding with its package, inclusion path and the line that declares it.
pub(crate) fn cited(facts: &Facts, f: Finding, p: &PackageMetadata<'_>) -> Finding {
    let (locations, path) = dependency_evidence(facts, p.id());
    f.package(pkg_ref(p))
        .via(path)
        .at(locations.into_iter().next())
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    // Those pinned to a `rev` are `supply-chain/pinned-git-source`.
    git_sources(cx.facts)
        .filter_map(|(p, repository, follows)| {
            let follows = follows?;
            let f = cx.finding(
                format!(
                    "`{}` comes from git ({repository}) and follows {follows}",
                    pkg_ref(&p)
                ),
                "pin it with `rev = \"<commit>\"`, or depend on a published version",
            );
            Some(cited(cx.facts, f, &p))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{kitchen_sink, run};

    #[test]
    fn path_only_workspaces_have_no_git_sources() {
        // Git sources are covered end to end in tests/git_source.rs with a real repository.
        assert!(run(&RULE, kitchen_sink()).is_empty());
    }
}
